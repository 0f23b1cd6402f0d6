"""Re-encodes a native 16-bit DICOM image as JPEG-LS Lossless (ITU-T T.87) with restart intervals.

Test helper for Penumbra's JPEG-LS decoder: DCMTK's dcmcjpls never writes restart intervals, and no encoder at
hand does. A restart interval is coded as a scan of its own (the coding state starts afresh, its first line has
zeros above it), so each run of LINES lines is encoded alone by CharLS (through imagecodecs) and the pieces
are joined: the first piece's headers with the full line count in SOF55 and a DRI segment (T.87 §C.2.5)
before SOS, then each piece's coded data, RST0..RST7 in turn between them (T.87 §C.1, D.1), and EOI.
The joined stream must decode to the original samples in CharLS (imagecodecs.jpegls_decode, an independent
decoder) before it is written; otherwise this script fails.

usage: encode-jpeg-ls-restarts.py IN.dcm OUT.dcm LINES_PER_RESTART_INTERVAL
"""
import struct
import sys

import imagecodecs
import numpy
import pydicom
from pydicom.encaps import encapsulate


def split(stream):
    """The marker segments before the coded data (marker, bytes) and the coded data up to EOI."""
    segments, at = [], 2
    while True:
        marker = stream[at + 1]
        length = struct.unpack(">H", stream[at + 2:at + 4])[0]
        segments.append((marker, stream[at:at + 2 + length]))
        at += 2 + length
        if marker == 0xDA:
            assert stream[-2:] == b"\xff\xd9", "the piece does not end with EOI"
            return segments, stream[at:-2]


def encode(samples, lines):
    rows = samples.shape[0]
    pieces = [split(imagecodecs.jpegls_encode(numpy.ascontiguousarray(samples[r:r + lines])))
              for r in range(0, rows, lines)]
    headers = [[(m, s) for m, s in segments if m not in (0xF7, 0xE8)] for segments, _ in pieces]
    assert all(h == headers[0] for h in headers), "the pieces were coded with different parameters"
    out = bytearray(b"\xff\xd8")
    for marker, segment in pieces[0][0]:
        if marker == 0xE8:  # SPIFF header: not part of a DICOM JPEG-LS stream
            continue
        if marker == 0xF7:  # SOF55: the whole image's line count
            segment = segment[:5] + struct.pack(">H", rows) + segment[7:]
        if marker == 0xDA:
            out += b"\xff\xdd" + struct.pack(">HH", 4, lines)
        out += segment
    for n, (_, data) in enumerate(pieces):
        if n:
            out += bytes([0xFF, 0xD0 + (n - 1) % 8])
        out += data
    out += b"\xff\xd9"
    return bytes(out)


def main():
    source, target, lines = sys.argv[1], sys.argv[2], int(sys.argv[3])
    ds = pydicom.dcmread(source)
    mask = (1 << ds.BitsStored) - 1
    samples = numpy.frombuffer(ds.PixelData, dtype="<u2").reshape(ds.Rows, ds.Columns) & mask
    stream = encode(samples.astype(numpy.uint16), lines)
    if not numpy.array_equal(imagecodecs.jpegls_decode(stream), samples):
        sys.exit("CharLS does not decode the joined stream to the original samples")
    ds.PixelData = encapsulate([stream + (b"\x00" if len(stream) % 2 else b"")])
    ds["PixelData"].VR = "OB"
    ds["PixelData"].is_undefined_length = True
    ds.file_meta.TransferSyntaxUID = "1.2.840.10008.1.2.4.80"
    ds.is_implicit_VR = False
    ds.is_little_endian = True
    ds.save_as(target, write_like_original=False)


main()
