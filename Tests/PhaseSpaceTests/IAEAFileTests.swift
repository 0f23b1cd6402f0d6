import Foundation
import PhaseSpace
import TestSupport
import Testing

/// Writer → reader round trips, the history index, and the reader's checks of the data file.
@Suite struct IAEAFileTests {
    /// `histories` histories of 1…4 particles each, of all three transported types, with every field
    /// varying, drawn from a fixed linear congruential sequence.
    static func particles(histories: Int, layout: IAEARecordLayout) -> [[IAEAParticle]] {
        var state: UInt64 = 12345
        func uniform() -> Float {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24)
        }
        return (0..<histories).map { h in
            (0..<(1 + h % 4)).map { i in
                let cosTheta = 2 * uniform() - 1, phi = 2 * Float.pi * uniform()
                let s = (1 - cosTheta * cosTheta).squareRoot()
                let u = s * cos(phi), v = s * sin(phi)
                let w = Float(max(0, 1 - (Double(u) * Double(u) + Double(v) * Double(v))).squareRoot())
                return IAEAParticle(
                    type: [.photon, .electron, .positron][(h + i) % 3], energyMeV: 0.01 + 6 * uniform(),
                    isNewHistory: i == 0, xCM: layout.storesX ? 20 * uniform() - 10 : layout.constantXCM,
                    yCM: layout.storesY ? 20 * uniform() - 10 : layout.constantYCM,
                    zCM: layout.storesZ ? 100 * uniform() : layout.constantZCM, u: u, v: v, w: cosTheta < 0 ? -w : w,
                    weight: layout.storesWeight ? 0.5 + uniform() : layout.constantWeight,
                    extraFloats: layout.extraFloats.map { _ in uniform() },
                    extraLongs: layout.extraLongs.indices.map { Int32($0 == 0 ? h : -h * 7) })
            }
        }
    }

    static func write(
        _ histories: [[IAEAParticle]], layout: IAEARecordLayout, to base: URL,
        originalHistories: UInt64? = nil
    ) throws -> IAEAHeader {
        let writer = try IAEAPhaseSpaceWriter(base, layout: layout)
        for p in histories.joined() { try writer.append(p) }
        return try writer.finish(originalHistories: originalHistories)
    }

    static var layouts: [IAEARecordLayout] {
        var full = IAEARecordLayout()
        full.extraFloats = [.zLast]
        full.extraLongs = [.incrementalHistoryNumber, .egsLatch]
        var constantZ = IAEARecordLayout()
        constantZ.storesZ = false
        constantZ.constantZCM = 78.5
        constantZ.storesWeight = false
        constantZ.constantWeight = 0.25
        constantZ.byteOrder = .bigEndian
        return [IAEARecordLayout(), full, constantZ]
    }

    @Test(arguments: layouts)
    func roundTripsEveryLayout(_ layout: IAEARecordLayout) throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let histories = Self.particles(histories: 101, layout: layout)
        let base = directory.appendingPathComponent("beam")
        let written = try Self.write(histories, layout: layout, to: base, originalHistories: 1000)
        let file = try IAEAPhaseSpaceFile(base.appendingPathExtension("IAEAheader"))
        #expect(file.header.layout == layout)
        #expect(file.header.originalHistories == 1000)
        #expect(file.header.particles == UInt64(histories.joined().count))
        #expect(file.header.particleCounts == written.particleCounts)
        let read = try file.particles(0..<file.particles)
        // Bit-identical: every stored float, the flags and the extras; w rebuilt from u and v (float32
        // rounding of √(1 − u² − v²) computed in double is exact to 1 ulp, hence the tolerance).
        for (a, b) in zip(read, Array(histories.joined())) {
            var c = a
            c.w = b.w
            #expect(c == b)
            #expect(abs(a.w - b.w) <= 2 * b.w.ulp)
        }
        // Any history through the sparse index is the same particles as in the file.
        let index = try IAEAHistoryIndex(scanning: file, stride: 7)
        #expect(index.storedHistories == 101)
        for h in [0, 1, 6, 7, 8, 50, 99, 100] {
            var got: [IAEAParticle] = []
            try index.forEachParticle(ofHistory: UInt64(h), in: file, includeExtras: true) { got.append($0) }
            #expect(got.map(\.energyMeV) == histories[h].map(\.energyMeV))
            #expect(got.map(\.extraLongs) == histories[h].map(\.extraLongs))
        }
    }

    @Test func reportsTruncatedAndOverlongDataFiles() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("cut")
        _ = try Self.write(
            Self.particles(histories: 10, layout: IAEARecordLayout()), layout: IAEARecordLayout(), to: base)
        let data = base.appendingPathExtension("IAEAphsp")
        let bytes = try Data(contentsOf: data)
        try bytes.dropLast(40).write(to: data)
        #expect { try IAEAPhaseSpaceFile(base) } throws: {
            "\($0)".contains("truncated") && "\($0)".contains("cut.IAEAphsp")
        }
        try (bytes + Data([1, 2, 3])).write(to: data)
        #expect { try IAEAPhaseSpaceFile(base) } throws: { "\($0)".contains("3 bytes more") }
        try FileManager.default.removeItem(at: data)
        #expect { try IAEAPhaseSpaceFile(base) } throws: { "\($0)".contains("cannot open") }
    }

    /// The index pass checks every record before transport meets it.
    @Test(arguments: [(0, UInt8(9), "type byte 9"), (1, UInt8(0xFF), "nan")])
    func indexRejectsCorruptRecords(_ corruption: (offsetInRecord: Int, byte: UInt8, message: String)) throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("bad")
        let layout = IAEARecordLayout()
        _ = try Self.write(Self.particles(histories: 10, layout: layout), layout: layout, to: base)
        let data = base.appendingPathExtension("IAEAphsp")
        var bytes = [UInt8](try Data(contentsOf: data))
        // Record 5; for the energy, set all of its bytes so that it becomes a NaN.
        let at = 5 * layout.recordLength + corruption.offsetInRecord
        for i in at..<(corruption.offsetInRecord == 0 ? at + 1 : at + 4) { bytes[i] = corruption.byte }
        try Data(bytes).write(to: data)
        let file = try IAEAPhaseSpaceFile(base)
        #expect {
            try IAEAHistoryIndex(scanning: file)
        } throws: { "\($0)".lowercased().contains(corruption.message) && "\($0)".contains("record 5") }
    }

    @Test func writerRefusesParticlesThatDoNotFitItsLayout() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var layout = IAEARecordLayout()
        layout.storesZ = false
        layout.constantZCM = 10
        func attempt() throws {
            let writer = try IAEAPhaseSpaceWriter(directory.appendingPathComponent("w"), layout: layout)
            let p = IAEAParticle(
                type: .photon, energyMeV: 1, isNewHistory: true, xCM: 0, yCM: 0, zCM: 11, u: 0, v: 0, w: 1)
            #expect { try writer.append(p) } throws: { "\($0)".contains("constant z") }
            var q = p
            q.zCM = 10
            q.w = 0.5
            #expect { try writer.append(q) } throws: { "\($0)".contains("is not 1") }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == 1)
        }
        try attempt()
        // An unfinished writer leaves no file behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
    }
}

extension IAEARecordLayout: CustomTestStringConvertible {
    /// The record length, byte order and extras, to name a test case.
    public var testDescription: String {
        "\(recordLength)-byte records, \(byteOrder), \(extraFloats.count) extra floats, \(extraLongs.count) extra longs"
    }
}
