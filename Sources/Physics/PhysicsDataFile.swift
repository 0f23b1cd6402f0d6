import Foundation

/// A parsed physics-data container (format: docs/physics-data.md), arrays still by name.
struct PhysicsDataFile {
    /// The container's magic bytes, "PNBRAPHY".
    static let magic: [UInt8] = Array("PNBRAPHY".utf8)
    /// The container format this code reads.
    static let formatVersion: UInt32 = 1
    /// Bytes before the JSON header: magic, version, header length, payload length, SHA-256.
    static let preludeLength = 8 + 4 + 4 + 8 + 32

    struct Header: Decodable {
        struct Grid: Decodable { let lnMinMeV: Double, lnMaxMeV: Double, count: Int }
        struct Entry: Decodable {
            let name: String, aliases: [String], densityGPerCM3: Double, meanExcitationEnergyEV: Double
            let source: String, elements: [ElementFraction]
        }
        let formatVersion: Int
        let generatorVersion: String
        let energyGrid: Grid
        let materials: [Entry]
        let arrays: [String: [Int]]
    }

    let path: String
    let header: Header
    let payload: [Double]

    /// Reads and checks a container: magic, format version, lengths, payload SHA-256, header JSON.
    init(contentsOf url: URL) throws {
        path = url.path
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw PhysicsDataError.unreadable(path: url.path, reason: error.localizedDescription)
        }
        let bytes = [UInt8](data)
        func bad(_ reason: String) -> PhysicsDataError { .badFile(path: url.path, reason: reason) }
        guard bytes.count >= Self.preludeLength, Array(bytes[0..<8]) == Self.magic else {
            throw bad("it does not start with the magic PNBRAPHY")
        }
        func integer<T: FixedWidthInteger>(_ offset: Int, _: T.Type) -> T {
            (0..<MemoryLayout<T>.size).reduce(T.zero) { $0 | T(bytes[offset + $1]) << (8 * $1) }
        }
        let version = integer(8, UInt32.self)
        guard version == Self.formatVersion else {
            throw bad("format version \(version), this build reads version \(Self.formatVersion)")
        }
        let headerLength = Int(integer(12, UInt32.self))
        let payloadLength = Int(integer(16, UInt64.self))
        let expectedHash = Array(bytes[24..<56])
        guard bytes.count == Self.preludeLength + headerLength + payloadLength, payloadLength % 8 == 0 else {
            throw bad(
                "\(bytes.count) bytes, the prelude announces \(Self.preludeLength + headerLength + payloadLength)")
        }
        let payloadStart = Self.preludeLength + headerLength
        let hash = bytes.withUnsafeBytes { SHA256.digest(UnsafeRawBufferPointer(rebasing: $0[payloadStart...])) }
        guard hash == expectedHash else { throw bad("the payload's SHA-256 does not match the header (damaged file)") }
        do {
            header = try JSONDecoder().decode(Header.self, from: Data(bytes[Self.preludeLength..<payloadStart]))
        } catch {
            throw bad("header JSON: \(error)")
        }
        var values = [Double](repeating: 0, count: payloadLength / 8)
        values.withUnsafeMutableBytes { destination in
            bytes.withUnsafeBytes {
                destination.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[payloadStart...]))
            }
        }
        // The file is little-endian; so is every platform Penumbra targets (x86-64, arm64).
        payload = values
    }

    /// The array called `name`, checked to exist and to have `count` values when given.
    func array(_ name: String, count: Int? = nil) throws -> [Double] {
        guard let entry = header.arrays[name], entry.count == 2, entry[0] >= 0, entry[0] + entry[1] <= payload.count
        else { throw PhysicsDataError.badFile(path: path, reason: "array \(name) is missing or out of bounds") }
        if let count, entry[1] != count {
            throw PhysicsDataError.badFile(
                path: path, reason: "array \(name) has \(entry[1]) values, expected \(count)")
        }
        return Array(payload[entry[0]..<(entry[0] + entry[1])])
    }
}
