import Foundation

/// A numeric array in NumPy's `.npy` format (version 1.0 and 2.0 headers), for exchanging dose grids
/// and gamma maps with Python tools.
///
/// Format: the magic `\x93NUMPY`, a version, a little-endian header length, then an ASCII Python dict
/// with `descr`, `fortran_order` and `shape`, padded with spaces to a multiple of 64 bytes and ended by
/// a newline, then the data (NumPy's format specification, `numpy.lib.format`). A 3-D grid is stored with
/// shape `(nz, ny, nx)` in C order, which is x fastest as `VoxelGrid`.
public struct NumPyArray: Sendable, Equatable {
    /// The array's shape, slowest axis first.
    public let shape: [Int]
    /// The values in C order (last axis fastest).
    public let values: [Double]

    /// Creates an array after checking that the values fill the shape.
    /// - Throws: `NumPyArrayError.shapeMismatch` when they do not.
    public init(shape: [Int], values: [Double]) throws(NumPyArrayError) {
        let count = shape.reduce(1, *)
        guard shape.allSatisfy({ $0 >= 0 }), count == values.count else {
            throw .shapeMismatch(shape: shape, valueCount: values.count)
        }
        self.shape = shape
        self.values = values
    }

    /// The file's bytes: a version 1.0 header and little-endian float64 (`<f8`) data.
    public func encoded() -> Data {
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        // Magic (6) + version (2) + length (2) + header + newline: a multiple of 64 bytes.
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        // The values written in place (appending 8 bytes at a time to `Data` was ≈ 1 % of a short dose
        // run's CPU, docs/performance.md session 8).
        let start = data.count
        data.count += 8 * values.count
        data.withUnsafeMutableBytes { raw in
            for (i, value) in values.enumerated() {
                raw.storeBytes(of: value.bitPattern.littleEndian, toByteOffset: start + 8 * i, as: UInt64.self)
            }
        }
        return data
    }

    /// Writes the array to a file atomically (a temporary file renamed into place).
    /// - Throws: `AtomicFileError` naming the file.
    public func write(to url: URL) throws(AtomicFileError) {
        try AtomicFile.write(encoded(), to: url)
    }

    /// Reads an array of `<f8`, `<f4`, `<i4`, `<i8`, `|u1` or `|b1` values in C order.
    /// - Throws: `NumPyArrayError.badFile` saying what is wrong with the file.
    public init(contentsOf url: URL) throws(NumPyArrayError) {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .badFile(path: url.path, reason: "cannot be read (\(error.localizedDescription))")
        }
        do {
            try self.init(decoding: data)
        } catch .badFile(_, let reason) {
            throw .badFile(path: url.path, reason: reason)
        } catch {
            throw error
        }
    }

    /// Decodes the bytes of a `.npy` file.
    /// - Throws: `NumPyArrayError.badFile` (with an empty path) saying what is wrong.
    public init(decoding data: Data) throws(NumPyArrayError) {
        let bytes = [UInt8](data)
        func fail(_ reason: String) -> NumPyArrayError { .badFile(path: "", reason: reason) }
        guard bytes.count >= 10, bytes[0] == 0x93, Array(bytes[1..<6]) == Array("NUMPY".utf8) else {
            throw fail("is not a .npy file (no \\x93NUMPY magic)")
        }
        let major = bytes[6]
        let headerStart: Int, headerLength: Int
        switch major {
        case 1:
            headerStart = 10
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("is truncated in its header") }
            headerStart = 12
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
        default:
            throw fail("has .npy version \(major), which is not supported (1, 2 or 3)")
        }
        guard headerStart + headerLength <= bytes.count else { throw fail("is truncated in its header") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        func field(_ key: String) -> String? {
            guard let range = header.range(of: "'\(key)':") else { return nil }
            return String(header[range.upperBound...]).trimmingCharacters(in: .whitespaces)
        }
        guard let descrField = field("descr"), let quote = descrField.first, quote == "'" || quote == "\"",
            let descr = descrField.dropFirst().split(separator: quote, maxSplits: 1).first.map(String.init)
        else { throw fail("has no dtype ('descr') in its header") }
        guard let fortran = field("fortran_order"), fortran.hasPrefix("False") else {
            throw fail("is in Fortran order; save it with numpy.ascontiguousarray first")
        }
        guard let shapeField = field("shape"), shapeField.first == "(",
            let close = shapeField.firstIndex(of: ")")
        else { throw fail("has no shape in its header") }
        let shapeText = shapeField[shapeField.index(after: shapeField.startIndex)..<close]
        let parts = shapeText.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        var shape: [Int] = []
        for part in parts {
            guard let n = Int(part), n >= 0 else { throw fail("has a bad shape entry '\(part)'") }
            shape.append(n)
        }
        let count = shape.reduce(1, *)
        let width: Int
        switch descr {
        case "<f8", "<i8": width = 8
        case "<f4", "<i4": width = 4
        case "|u1", "|b1", "<u1": width = 1
        default: throw fail("holds dtype \(descr); use float64, float32, int32, int64, uint8 or bool")
        }
        let start = headerStart + headerLength
        guard bytes.count - start >= count * width else {
            throw fail("holds \((bytes.count - start) / max(width, 1)) values for shape \(shape) (\(count) needed)")
        }
        var values = [Double](repeating: 0, count: count)
        bytes.withUnsafeBytes { raw in
            for n in 0..<count {
                let offset = start + n * width
                switch descr {
                case "<f8": values[n] = Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)))
                case "<i8": values[n] = Double(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int64.self)))
                case "<f4": values[n] = Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self))))
                case "<i4": values[n] = Double(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)))
                default: values[n] = Double(raw[offset])
                }
            }
        }
        try self.init(shape: shape, values: values)
    }
}

/// Why an array cannot be made or a `.npy` file cannot be read.
public enum NumPyArrayError: Error, Equatable, CustomStringConvertible {
    /// The values do not fill the shape.
    case shapeMismatch(shape: [Int], valueCount: Int)
    /// The file is not a `.npy` array this reader understands.
    case badFile(path: String, reason: String)

    public var description: String {
        switch self {
        case .shapeMismatch(let shape, let count):
            "an array of shape \(shape) needs \(shape.reduce(1, *)) values, found \(count)"
        case .badFile(let path, let reason):
            "\(path.isEmpty ? "the .npy data" : path) \(reason)"
        }
    }
}
