import FileIO
import Foundation
import TestSupport
import Testing

@Suite struct NumPyArrayTests {
    @Test func roundTripsAndNumpyReadsIt() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let values = (0..<24).map { Double($0) * 0.5 - 3 }
        let array = try NumPyArray(shape: [2, 3, 4], values: values)
        let file = directory.appendingPathComponent("a.npy")
        try array.write(to: file)
        #expect(try NumPyArray(contentsOf: file) == array)
        // The header and data are what NumPy expects: same shape, C order (last axis fastest).
        let run = try runPython(
            "import numpy as np, sys; a = np.load(sys.argv[1]); print(a.shape, a.dtype, a[1, 2, 3], a[0, 1, 0])",
            arguments: [file.path])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "(2, 3, 4) float64 8.5 -1.0")
    }

    /// The data block is every value's little-endian IEEE 754 bits in order, after a header padded to 64
    /// bytes (written in place since session 8: byte for byte what appending value by value gave).
    @Test func dataBlockIsTheValuesLittleEndianBits() throws {
        let values: [Double] = [0, -0.0, 1, -2.5, .pi, .ulpOfOne, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 1e-300]
        let bytes = [UInt8](try NumPyArray(shape: [3, 3], values: values).encoded())
        let start = bytes.count - 8 * values.count
        #expect(start % 64 == 0)
        var expected: [UInt8] = []
        for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { expected.append(contentsOf: $0) } }
        #expect(Array(bytes[start...]) == expected)
    }

    @Test(arguments: ["float32", "int32", "int64", "uint8", "bool"])
    func readsWhatNumpyWrites(_ dtype: String) throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("b.npy")
        let run = try runPython(
            "import numpy as np, sys; np.save(sys.argv[1], (np.arange(10).reshape(2, 5) % 2).astype(sys.argv[2]))",
            arguments: [file.path, dtype])
        #expect(run.status == 0, "\(run.standardError)")
        let array = try NumPyArray(contentsOf: file)
        #expect(array.shape == [2, 5])
        #expect(array.values == (0..<10).map { Double($0 % 2) })
    }

    @Test func rejectsBadFiles() throws {
        #expect(throws: NumPyArrayError.self) { try NumPyArray(decoding: Data("not numpy".utf8)) }
        let good = try NumPyArray(shape: [4], values: [1, 2, 3, 4]).encoded()
        #expect(throws: NumPyArrayError.self) { try NumPyArray(decoding: good.dropLast(3)) }
        var fortran = [UInt8](good)
        let at = try #require(fortran.indices.first { fortran[$0...].starts(with: Array("False".utf8)) })
        fortran.replaceSubrange(at..<(at + 5), with: Array("True ".utf8))
        #expect {
            try NumPyArray(decoding: Data(fortran))
        } throws: { "\($0)".contains("Fortran") }
        #expect(throws: NumPyArrayError.self) { try NumPyArray(shape: [2, 2], values: [1]) }
    }
}
