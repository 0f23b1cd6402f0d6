/// Where the stored histories of a phase space begin, and what one pass over its records found.
///
/// A stored history is a record with the new-history flag (negative energy) and the records after it up
/// to the next flag; the first record always begins one. Built by one pass over the file in chunks, the
/// index keeps the record number of every `stride`-th history start (8 bytes per `stride` histories:
/// 25 MB for 10⁸ histories at the default 32), so that finding history s reads at most `stride`
/// histories' records. The pass also checks every record, so that transport never meets a bad one.
public struct IAEAHistoryIndex: Sendable {
    /// Histories per index entry.
    public let stride: Int
    /// The record number where histories 0, stride, 2·stride, … begin.
    let starts: [UInt64]
    /// The number of histories the records mark (≤ `$ORIG_HISTORIES`).
    public let storedHistories: UInt64
    /// The number of records of each particle type.
    public let counts: [IAEAParticleType: UInt64]
    /// The largest particle energy, MeV.
    public let maximumEnergyMeV: Double
    /// The smallest and largest x, y and z of the particles, cm.
    public let xRangeCM: ClosedRange<Double>, yRangeCM: ClosedRange<Double>, zRangeCM: ClosedRange<Double>

    /// Scans `file` once, in chunks.
    /// - Throws: `PhaseSpaceError.badRecord` for a record with an unknown particle type, a non-finite value,
    ///   |(u, v)| > 1, a negative weight or a neutron/proton; `.badHeader` if the counts per type or
    ///   `$ORIG_HISTORIES` disagree with the records.
    public init(scanning file: IAEAPhaseSpaceFile, stride: Int = 32) throws(PhaseSpaceError) {
        precondition(stride > 0)
        self.stride = stride
        let layout = file.header.layout
        let length = file.recordLength
        var starts: [UInt64] = []
        var histories: UInt64 = 0
        var counts: [UInt64] = Array(repeating: 0, count: IAEAParticleType.allCases.count + 1)
        var maximumEnergy: Float = 0
        var lo = (Float.infinity, Float.infinity, Float.infinity),
            hi = (-Float.infinity, -Float.infinity, -Float.infinity)
        try file.forEachChunk { (first, bytes) throws(PhaseSpaceError) in
            for i in 0..<bytes.count / length {
                let record = first + UInt64(i)
                guard let p = layout.decode(bytes, at: i * length, includeExtras: false) else {
                    throw file.badType(record: record, byte: bytes[i * length])
                }
                if let problem = layout.problem(with: p) {
                    throw .badRecord(file: file.dataURL.lastPathComponent, record: record, problem)
                }
                if p.isNewHistory || record == 0 {
                    if histories % UInt64(stride) == 0 { starts.append(record) }
                    histories += 1
                }
                counts[Int(p.type.rawValue)] += 1
                maximumEnergy = max(maximumEnergy, p.energyMeV)
                lo = (min(lo.0, p.xCM), min(lo.1, p.yCM), min(lo.2, p.zCM))
                hi = (max(hi.0, p.xCM), max(hi.1, p.yCM), max(hi.2, p.zCM))
            }
        }
        let name = file.headerURL.lastPathComponent
        var byType: [IAEAParticleType: UInt64] = [:]
        for type in IAEAParticleType.allCases where counts[Int(type.rawValue)] > 0 {
            byType[type] = counts[Int(type.rawValue)]
        }
        for type in IAEAParticleType.allCases {
            let found = byType[type] ?? 0
            if let declared = file.header.particleCounts[type], declared != found {
                throw .badHeader(
                    file: name,
                    "$\(type.headerSection) declares \(declared) but the records hold \(found); "
                        + "correct the header's counts")
            }
        }
        guard file.header.originalHistories >= histories else {
            throw .badHeader(
                file: name,
                "$ORIG_HISTORIES is \(file.header.originalHistories) but the records mark "
                    + "\(histories) histories (new-history flags); set $ORIG_HISTORIES to the number of histories of the "
                    + "simulation that scored the file")
        }
        self.starts = starts
        storedHistories = histories
        self.counts = byType
        maximumEnergyMeV = Double(maximumEnergy)
        xRangeCM = Double(lo.0)...Double(hi.0)
        yRangeCM = Double(lo.1)...Double(hi.1)
        zRangeCM = Double(lo.2)...Double(hi.2)
    }

    /// The records of index block `entry`: stored histories entry·stride ..< (entry + 1)·stride.
    public func records(ofEntry entry: Int, in file: IAEAPhaseSpaceFile) -> Range<UInt64> {
        starts[entry]..<(entry + 1 < starts.count ? starts[entry + 1] : file.particles)
    }

    /// Calls `body` with each particle of stored history `history` (0 ..< `storedHistories`), reading the
    /// records from the nearest indexed history start through a small buffer.
    /// - Throws: `PhaseSpaceError` if the file can no longer be read or its records changed since the scan.
    public func forEachParticle(
        ofHistory history: UInt64, in file: IAEAPhaseSpaceFile, includeExtras: Bool = false,
        _ body: (IAEAParticle) -> Void
    ) throws(PhaseSpaceError) {
        precondition(history < storedHistories, "history \(history) of \(storedHistories)")
        let layout = file.header.layout, length = file.recordLength
        var record = starts[Int(history / UInt64(stride))]
        var toSkip = history % UInt64(stride)
        var inside = false
        var failure: PhaseSpaceError?
        let chunk = 64
        withUnsafeTemporaryAllocation(byteCount: chunk * length, alignment: 8) { buffer in
            while record < file.particles {
                let n = min(UInt64(chunk), file.particles - record)
                do throws(PhaseSpaceError) { try file.read(records: record..<record + n, into: buffer) } catch {
                    failure = error
                    return
                }
                for i in 0..<Int(n) {
                    guard
                        let p = layout.decode(
                            UnsafeRawBufferPointer(buffer), at: i * length, includeExtras: includeExtras)
                    else {
                        failure = file.badType(record: record + UInt64(i), byte: buffer[i * length])
                        return
                    }
                    if p.isNewHistory || record + UInt64(i) == 0 {
                        if inside { return }
                        if toSkip == 0 { inside = true } else { toSkip -= 1 }
                    }
                    if inside { body(p) }
                }
                record += n
            }
        }
        if let failure { throw failure }
    }
}
