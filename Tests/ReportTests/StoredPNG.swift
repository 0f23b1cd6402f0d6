import Foundation

/// Reads back the PNGs `PNGEncoder` writes (8-bit, filter 0, zlib stored blocks) from a data URI, so a
/// test can look at pixels. Refuses anything else.
struct StoredPNG {
    struct Unsupported: Error { let reason: String }
    let width: Int, height: Int, colourType: UInt8
    /// Samples row by row, without the filter bytes.
    let pixels: [UInt8]
    var channels: Int { [0: 1, 2: 3, 6: 4][Int(colourType)] ?? 1 }

    init(href: String) throws {
        let prefix = "data:image/png;base64,"
        guard href.hasPrefix(prefix), let data = Data(base64Encoded: String(href.dropFirst(prefix.count))) else {
            throw Unsupported(reason: "not a PNG data URI")
        }
        let bytes = [UInt8](data)
        func u32(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]), bytes[24] == 8 else { throw Unsupported(reason: "not 8-bit PNG") }
        (width, height, colourType) = (u32(16), u32(20), bytes[25])
        // Chunks after the 8-byte signature: length, type, data, CRC; IDAT data is one zlib stream.
        var offset = 8, z: [UInt8] = []
        while offset + 8 <= bytes.count {
            let length = u32(offset), type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            if type == "IDAT" { z += bytes[(offset + 8)..<(offset + 8 + length)] }
            offset += 12 + length
        }
        var raw: [UInt8] = [], at = 2
        while at < z.count - 4 {
            guard z[at] & 0b110 == 0 else { throw Unsupported(reason: "compressed deflate block") }
            let n = Int(z[at + 1]) | Int(z[at + 2]) << 8
            raw += z[(at + 5)..<(at + 5 + n)]
            at += 5 + n
        }
        let channels = [0: 1, 2: 3, 6: 4][Int(colourType)] ?? 1
        let rowBytes = width * channels
        pixels = (0..<height).flatMap { row in raw[(row * (rowBytes + 1) + 1)..<((row + 1) * (rowBytes + 1))] }
    }

    /// The samples of pixel (column, row).
    func pixel(_ column: Int, _ row: Int) -> [UInt8] {
        let start = (row * width + column) * channels
        return Array(pixels[start..<(start + channels)])
    }
}
