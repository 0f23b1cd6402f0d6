import Foundation
import Phantom

/// NumPy `.npy` version 1.0 files of little-endian float64 arrays (numpy.lib.format: magic `\x93NUMPY`,
/// version bytes, a 2-byte header length, a Python-dict header padded with spaces to a multiple of 64
/// bytes and ending in a newline, then the raw C-order data).
public enum NumPyFile {
    /// The bytes of a C-order float64 array of `shape`.
    public static func encode(_ values: [Double], shape: [Int]) -> Data {
        precondition(shape.reduce(1, *) == values.count, "shape must match the data")
        let shapeText = shape.count == 1 ? "(\(shape[0]),)" : "(" + shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f8', 'fortran_order': False, 'shape': \(shapeText), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        values.withUnsafeBufferPointer { buffer in
            for v in buffer {
                let bits = v.bitPattern.littleEndian
                withUnsafeBytes(of: bits) { data.append(contentsOf: $0) }
            }
        }
        return data
    }

    /// Writes a dose distribution as a (nz, ny, nx) array of Gy per history, atomically.
    public static func write(_ d: DoseDistribution, to url: URL) throws {
        let shape = [d.grid.counts.z, d.grid.counts.y, d.grid.counts.x]
        try AtomicFile.write(encode(d.doseGyPerHistory, shape: shape), to: url)
    }
}
