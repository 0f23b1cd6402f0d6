import Foundation

/// Encodes 8-bit grey, RGB or RGBA images as PNG (ISO/IEC 15948), without compression: zlib "stored"
/// blocks, so no compression library is needed. Figures stay small enough (a 200 × 200 dose plane is
/// 120 kB in RGB; a 400 × 400 CT plane 160 kB in grey).
public enum PNGEncoder {
    /// The PNG bytes of an 8-bit RGB image.
    /// - Parameters:
    ///   - width: pixels per row.
    ///   - height: rows.
    ///   - rgb: `width × height × 3` bytes, rows top to bottom.
    /// - Precondition: `rgb.count == width * height * 3` and both sizes are positive.
    public static func encode(width: Int, height: Int, rgb: [UInt8]) -> Data {
        encode(width: width, height: height, channels: 3, colourType: 2, samples: rgb)
    }

    /// The PNG bytes of an 8-bit grey image (0 black, 255 white).
    /// - Precondition: `grey.count == width * height` and both sizes are positive.
    public static func encode(width: Int, height: Int, grey: [UInt8]) -> Data {
        encode(width: width, height: height, channels: 1, colourType: 0, samples: grey)
    }

    /// The PNG bytes of an 8-bit RGB image with an alpha channel (0 transparent, 255 opaque; not
    /// premultiplied, as PNG specifies).
    /// - Precondition: `rgba.count == width * height * 4` and both sizes are positive.
    public static func encode(width: Int, height: Int, rgba: [UInt8]) -> Data {
        encode(width: width, height: height, channels: 4, colourType: 6, samples: rgba)
    }

    /// Writes signature, IHDR (8 bits per sample, the given colour type), one IDAT and IEND.
    private static func encode(width: Int, height: Int, channels: Int, colourType: UInt8, samples: [UInt8]) -> Data {
        precondition(width > 0 && height > 0 && samples.count == width * height * channels, "pixel data must fill the image")
        let rowBytes = width * channels
        // Scanlines, each led by filter type 0 (none).
        var raw = [UInt8]()
        raw.reserveCapacity(height * (rowBytes + 1))
        for y in 0..<height {
            raw.append(0)
            raw.append(contentsOf: samples[(y * rowBytes)..<((y + 1) * rowBytes)])
        }
        // zlib stream: header 0x78 0x01, stored deflate blocks of at most 65535 bytes, Adler-32.
        var z: [UInt8] = [0x78, 0x01]
        var offset = 0
        repeat {
            let n = min(65535, raw.count - offset)
            let final: UInt8 = offset + n == raw.count ? 1 : 0
            z += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            z += raw[offset..<(offset + n)]
            offset += n
        } while offset < raw.count
        z += bigEndian(adler32(raw))
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        png += chunk("IHDR", bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [8, colourType, 0, 0, 0])
        png += chunk("IDAT", z)
        png += chunk("IEND", [])
        return Data(png)
    }

    private static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc32(body))
    }

    private static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// CRC-32 (polynomial 0xEDB88320) as PNG specifies for chunks.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    /// Adler-32 as zlib (RFC 1950) specifies.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return b << 16 | a
    }
}
