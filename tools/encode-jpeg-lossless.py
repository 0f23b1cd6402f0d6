"""Re-encodes a native 16-bit DICOM image as JPEG Lossless (ITU-T T.81 Process 14) with restart intervals.

Test helper for Penumbra's JPEG Lossless decoder: DCMTK's dcmcjpeg never writes restart intervals, some
PACS and modality encoders do. The stream follows T.81 Annex H (predictors of Table H.1, categories of
Table H.2, first line and restart intervals predicted as in H.1.2.1), with one Huffman table giving every
category 0-16 a 5-bit code; the test checks that DCMTK's dcmdjpeg decodes it to the original pixels before
Penumbra's decoder is compared with it.

The interval is a number of lines, or with a trailing "s" a number of samples (Ri as DRI gives it). An interval
that starts inside a line predicts the rest of that line from the left (H.1.2.1, "the first line of samples ...
at the beginning of each restart interval"), its first sample from 2^(P-1), the following lines as usual. No
decoder at hand reads such streams (DCMTK and libjpeg-turbo refuse intervals that are not whole lines).

usage: encode-jpeg-lossless.py IN.dcm OUT.dcm PREDICTOR LINES_PER_RESTART_INTERVAL|SAMPLES_PER_INTERVALs
"""
import sys

import pydicom
from pydicom.encaps import encapsulate


def encode(values, rows, columns, precision, predictor, interval):
    out = bytearray(b"\xff\xd8")

    def segment(marker, payload):
        out.extend(bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload)

    segment(0xC3, bytes([precision]) + rows.to_bytes(2, "big") + columns.to_bytes(2, "big") + bytes([1, 1, 0x11, 0]))
    counts = [0] * 16
    counts[4] = 17  # 17 codes of 5 bits: category s has code s
    segment(0xC4, bytes([0x00]) + bytes(counts) + bytes(range(17)))
    if interval:
        segment(0xDD, interval.to_bytes(2, "big"))
    segment(0xDA, bytes([1, 1, 0x00, predictor, 0, 0]))

    state = {"acc": 0, "n": 0}

    def put(value, count):
        state["acc"] = (state["acc"] << count) | (value & ((1 << count) - 1))
        state["n"] += count
        while state["n"] >= 8:
            state["n"] -= 8
            byte = (state["acc"] >> state["n"]) & 0xFF
            out.append(byte)
            if byte == 0xFF:
                out.append(0x00)  # T.81 F.1.2.3 byte stuffing
        state["acc"] &= (1 << state["n"]) - 1

    def flush():
        if state["n"]:
            put((1 << (8 - state["n"])) - 1, 8 - state["n"])  # pad with 1-bits (T.81 F.1.2.3)

    restart = 0
    first_line = 0  # the line where the current restart interval starts
    for row in range(rows):
        for column in range(columns):
            k = row * columns + column
            interval_start = k == 0
            if interval and k > 0 and k % interval == 0:
                flush()
                out.extend(bytes([0xFF, 0xD0 + restart]))
                restart = (restart + 1) % 8
                first_line = row
                interval_start = True
            x = values[k]
            if interval_start:
                p = 1 << (precision - 1)
            elif row == first_line:
                p = values[k - 1]
            elif column == 0:
                p = values[k - columns]
            else:
                ra = values[k - 1]
                rb = values[k - columns]
                rc = values[k - columns - 1]
                p = {1: ra, 2: rb, 3: rc, 4: ra + rb - rc, 5: ra + ((rb - rc) >> 1), 6: rb + ((ra - rc) >> 1),
                     7: (ra + rb) >> 1}[predictor]
            diff = (x - p) % 65536
            if diff >= 32768:
                diff -= 65536
            size = 16 if diff == -32768 else abs(diff).bit_length()
            put(size, 5)
            if 0 < size < 16:
                put(diff if diff >= 0 else diff + (1 << size) - 1, size)
    flush()
    out.extend(b"\xff\xd9")
    return bytes(out)


def main():
    source, target, predictor, interval = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    ds = pydicom.dcmread(source)
    precision = ds.BitsStored
    raw = ds.PixelData
    values = [int.from_bytes(raw[2 * i:2 * i + 2], "little") & ((1 << precision) - 1)
              for i in range(ds.Rows * ds.Columns)]
    samples = int(interval[:-1]) if interval.endswith("s") else int(interval) * ds.Columns
    stream = encode(values, ds.Rows, ds.Columns, precision, predictor, samples)
    ds.PixelData = encapsulate([stream])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.70" if predictor == 1 else "1.2.840.10008.1.2.4.57"
    ds.is_implicit_VR = False
    ds.is_little_endian = True
    ds.save_as(target, write_like_original=False)


main()
