import Foundation

/// The multi-byte character sets' tables (JIS X 0208, JIS X 0212, KS X 1001, GB 2312, GBK, GB 18030), read from
/// the bundled resource `multibyte-character-sets.bin` that tools/generate-multibyte-character-set-tables.py
/// writes from Python's codecs (its docstring describes the layout). Loaded once, on first use.
struct MultiByteCharacterSetTables: Sendable {
    /// One two-byte table: the scalar of each (lead, trail) pair in its ranges, 0 where none is defined.
    struct TwoByteTable: Sendable {
        let leads: ClosedRange<UInt8>
        let trails: ClosedRange<UInt8>
        let scalars: [UInt16]

        /// The character of a byte pair, or nil when the pair is outside the table or undefined.
        func scalar(_ lead: UInt8, _ trail: UInt8) -> Unicode.Scalar? {
            guard leads.contains(lead), trails.contains(trail) else { return nil }
            let index = Int(lead - leads.lowerBound) * trails.count + Int(trail - trails.lowerBound)
            let value = scalars[index]
            return value == 0 ? nil : Unicode.Scalar(value)
        }
    }

    let jisX0208: TwoByteTable
    let jisX0212: TwoByteTable
    let ksX1001: TwoByteTable
    let gb2312: TwoByteTable
    let gbk: TwoByteTable
    let gb18030: TwoByteTable
    /// GB 18030's four-byte sequences onto the BMP: (linear index, scalar) where each run starts, ascending.
    let gb18030FourByteRuns: [(index: Int, scalar: UInt32)]

    /// The bundled tables.
    /// - Throws: `DICOMError.Kind.unsupportedCharacterSet` when the resource is missing or damaged.
    static func bundled() throws -> MultiByteCharacterSetTables { try bundledOnce.get() }

    private static let bundledOnce = Result {
        guard
            let url = Bundle.module.url(
                forResource: "multibyte-character-sets", withExtension: "bin", subdirectory: "Resources")
        else {
            throw DICOMError(
                .unsupportedCharacterSet,
                "the multi-byte character set tables (Resources/multibyte-character-sets.bin) are missing from this installation; reinstall Penumbra"
            )
        }
        return try MultiByteCharacterSetTables(Array(try Data(contentsOf: url)), path: url.path)
    }

    /// Reads the tables from the resource's bytes.
    init(_ bytes: [UInt8], path: String) throws {
        func damaged(_ why: String) -> DICOMError {
            DICOMError(
                .unsupportedCharacterSet, "the multi-byte character set tables are damaged (\(why)); reinstall Penumbra",
                file: path)
        }
        func u32(_ at: Int) -> Int {
            (0..<4).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) }
        }
        guard bytes.count >= 12, Array(bytes[0..<8]) == Array("PNMBCS01".utf8) else { throw damaged("no header") }
        let count = u32(8)
        guard bytes.count >= 12 + 28 * count else { throw damaged("truncated directory") }
        var tables: [String: (leads: ClosedRange<UInt8>, trails: ClosedRange<UInt8>, values: [UInt16])] = [:]
        for n in 0..<count {
            let entry = 12 + 28 * n
            let name = String(decoding: bytes[entry..<(entry + 16)].prefix { $0 != 0 }, as: UTF8.self)
            let (offset, length) = (u32(entry + 20), u32(entry + 24))
            guard offset + 2 * length <= bytes.count, bytes[entry + 16] <= bytes[entry + 17],
                bytes[entry + 18] <= bytes[entry + 19]
            else { throw damaged("table \(name) runs past the end") }
            let values = (0..<length).map { UInt16(bytes[offset + 2 * $0]) | UInt16(bytes[offset + 2 * $0 + 1]) << 8 }
            tables[name] = (bytes[entry + 16]...bytes[entry + 17], bytes[entry + 18]...bytes[entry + 19], values)
        }
        func table(_ name: String) throws -> TwoByteTable {
            guard let t = tables[name], t.values.count == t.leads.count * t.trails.count else {
                throw damaged("table \(name) is missing or of the wrong size")
            }
            return TwoByteTable(leads: t.leads, trails: t.trails, scalars: t.values)
        }
        jisX0208 = try table("JIS X 0208")
        jisX0212 = try table("JIS X 0212")
        ksX1001 = try table("KS X 1001")
        gb2312 = try table("GB 2312")
        gbk = try table("GBK")
        gb18030 = try table("GB18030")
        guard let runs = tables["GB18030 4-byte"]?.values, runs.count % 2 == 0, runs.count > 0 else {
            throw damaged("table GB18030 4-byte is missing")
        }
        gb18030FourByteRuns = stride(from: 0, to: runs.count, by: 2).map { (Int(runs[$0]), UInt32(runs[$0 + 1])) }
    }

    /// The BMP character of GB 18030's four-byte sequence with this linear index (0 = 0x81308130), or nil.
    func gb18030FourByteBMP(index: Int) -> Unicode.Scalar? {
        var low = 0, high = gb18030FourByteRuns.count - 1
        guard index >= 0, index <= 39419, gb18030FourByteRuns[0].index <= index else { return nil }
        while low < high {  // the last run starting at or before index
            let mid = (low + high + 1) / 2
            if gb18030FourByteRuns[mid].index <= index { low = mid } else { high = mid - 1 }
        }
        let run = gb18030FourByteRuns[low]
        return run.scalar == 0 ? nil : Unicode.Scalar(run.scalar + UInt32(index - run.index))
    }
}
