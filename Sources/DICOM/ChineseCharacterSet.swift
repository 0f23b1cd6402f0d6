/// The Chinese character sets used without code extensions (PS3.3 Table C.12-5; PS3.5 Annex J): each value
/// of Specific Character Set is the only one. Bytes 0x00–0x7F are ASCII; a lead byte 0x81–0xFE starts a
/// two-byte character (trail 0x40–0x7E or 0x80–0xFE), and in GB 18030 also a four-byte one (second and fourth
/// bytes 0x30–0x39). A trail byte 0x5C is part of its character, never a value delimiter.
public enum ChineseCharacterSet: String, Sendable, CaseIterable {
    /// GB18030: GB 18030 (all of Unicode).
    case gb18030 = "GB18030"
    /// GBK: the two-byte part GB 18030 shares with its predecessor.
    case gbk = "GBK"

    /// Decodes a value; undecodable bytes become U+FFFD and make `isExact` false.
    func decode(_ bytes: [UInt8], tables: MultiByteCharacterSetTables?) -> (text: String, isExact: Bool) {
        var scalars = String.UnicodeScalarView()
        var exact = true
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                scalars.append(Unicode.Scalar(b))
                i += 1
                continue
            }
            let next = i + 1 < bytes.count ? bytes[i + 1] : 0
            if self == .gb18030, (0x30...0x39).contains(next), i + 3 < bytes.count,
                (0x81...0xFE).contains(bytes[i + 2]), (0x30...0x39).contains(bytes[i + 3])
            {
                // GB 18030 §6.3.3: the four-byte sequences in order, ten × 126 × ten per first byte.
                let index = (Int(next - 0x30) * 126 + Int(bytes[i + 2] - 0x81)) * 10 + Int(bytes[i + 3] - 0x30)
                var scalar: Unicode.Scalar?
                if (0x81...0x84).contains(b) {
                    scalar = tables?.gb18030FourByteBMP(index: Int(b - 0x81) * 12600 + index)
                } else if (0x90...0xE3).contains(b) {
                    // 0x90308130 onwards: U+10000 onwards, one after another.
                    scalar = Unicode.Scalar(0x10000 + UInt32(Int(b - 0x90) * 12600 + index))
                }
                if let scalar { scalars.append(scalar) } else { scalars.append("\u{FFFD}"); exact = false }
                i += 4
                continue
            }
            let table = self == .gb18030 ? tables?.gb18030 : tables?.gbk
            if (0x81...0xFE).contains(b), next >= 0x40, next != 0x7F, next != 0xFF, i + 1 < bytes.count {
                if let scalar = table?.scalar(b, next) { scalars.append(scalar) } else { scalars.append("\u{FFFD}"); exact = false }
                i += 2
            } else {
                scalars.append("\u{FFFD}")
                exact = false
                i += 1
            }
        }
        return (String(scalars), exact)
    }
}
