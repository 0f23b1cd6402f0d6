"""Generates Sources/DICOM/Resources/multibyte-character-sets.bin: the multi-byte character sets DICOM names in
PS3.3 C.12.1.1.2 (Tables C.12-4 and C.12-5) as tables of Unicode scalars, read by MultiByteCharacterSetTables.swift.

The mappings are facts of the standards (JIS X 0208, JIS X 0212, KS X 1001, GB 2312, GBK, GB 18030) as Python's
standard codecs implement them; this script only asks those codecs, byte sequence by byte sequence:
`python3 tools/generate-multibyte-character-set-tables.py Sources/DICOM/Resources/multibyte-character-sets.bin`.

File layout (all integers little-endian):
  8 bytes   magic "PNMBCS01"
  u32       number of tables
  per table: 16 bytes name (ASCII, NUL-padded), u8 first lead byte, u8 last lead byte, u8 first trail byte,
             u8 last trail byte, u32 offset of its values from the start of the file, u32 number of u16 values
  values    u16 each. A two-byte table holds (last lead - first lead + 1) x (last trail - first trail + 1) scalars,
            lead-major; 0 where the standard defines no character. The table "GB18030 4-byte" instead holds
            pairs (linear index of a four-byte sequence, scalar) where a run of consecutive scalars starts
            (GB 18030 maps its four-byte sequences 0x81308130-0x8431A439 onto the BMP in runs); its lead/trail
            fields are 0.
"""
import codecs
import struct
import sys


def two_byte(name, decode, leads, trails):
    values = []
    for lead in leads:
        for trail in trails:
            try:
                text = decode(bytes([lead, trail]))
            except UnicodeDecodeError:
                text = ""
            if len(text) == 1 and ord(text) < 0x10000:
                values.append(ord(text))
            else:
                values.append(0)
    return (name, leads[0], leads[-1], trails[0], trails[-1], values)


def iso2022(codec, escape):
    # A two-byte set designated to G0 by `escape` (ISO 2022), bytes 0x21-0x7E.
    return lambda pair: codecs.decode(escape + pair, codec)


def high(codec):
    # A two-byte set used in G1 / GR (EUC form): both bytes with the high bit set.
    return lambda pair: codecs.decode(bytes([pair[0] | 0x80, pair[1] | 0x80]), codec)


def gb18030_four_byte_runs():
    # Linear index of b1 b2 b3 b4 = ((b1-0x81)*10 + (b2-0x30))*126*10 + (b3-0x81)*10 + (b4-0x30)  (GB 18030-2005 §6.3.3);
    # 0x81308130..0x8431A439 are the indices 0..39419.
    runs = []
    previous = None
    for index in range(39420):
        b1, rest = divmod(index, 12600)
        b2, rest = divmod(rest, 1260)
        b3, b4 = divmod(rest, 10)
        seq = bytes([0x81 + b1, 0x30 + b2, 0x81 + b3, 0x30 + b4])
        try:
            text = codecs.decode(seq, "gb18030")
            scalar = ord(text) if len(text) == 1 and ord(text) < 0x10000 else 0
        except UnicodeDecodeError:
            scalar = 0
        if previous is None or scalar == 0 or previous == 0 or scalar != previous + 1:
            runs.extend([index, scalar])
        previous = scalar
    return ("GB18030 4-byte", 0, 0, 0, 0, runs)


def main(path):
    g0 = range(0x21, 0x7F)
    tables = [
        two_byte("JIS X 0208", iso2022("iso2022_jp", b"\x1b$B"), g0, g0),
        two_byte("JIS X 0212", iso2022("iso2022_jp_2", b"\x1b$(D"), g0, g0),
        two_byte("KS X 1001", high("euc_kr"), g0, g0),
        two_byte("GB 2312", high("gb2312"), g0, g0),
        two_byte("GBK", lambda p: codecs.decode(p, "gbk"), range(0x81, 0xFF), range(0x40, 0xFF)),
        two_byte("GB18030", lambda p: codecs.decode(p, "gb18030"), range(0x81, 0xFF), range(0x40, 0xFF)),
        gb18030_four_byte_runs(),
    ]
    header_size = 8 + 4 + len(tables) * 28
    header = b"PNMBCS01" + struct.pack("<I", len(tables))
    body = b""
    for name, l0, l1, t0, t1, values in tables:
        header += name.encode("ascii").ljust(16, b"\0") + bytes([l0, l1, t0, t1])
        header += struct.pack("<II", header_size + len(body), len(values))
        body += struct.pack(f"<{len(values)}H", *values)
    with open(path, "wb") as out:
        out.write(header + body)


if __name__ == "__main__":
    main(sys.argv[1])
