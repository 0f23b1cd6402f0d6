import FileIO
import Foundation

/// Writes an IAEA phase space: records streamed to a temporary `.IAEAphsp` through a buffer, then, on
/// `finish`, the data file renamed into place and its `.IAEAheader` written atomically with the counts
/// and statistics of what was written. A writer that is never finished leaves no file behind.
///
/// Use it to make phase spaces from Penumbra's own sources, or to cut one: read particles with
/// `IAEAPhaseSpaceFile` and append the ones to keep, with `originalHistories` of the source file.
public final class IAEAPhaseSpaceWriter {
    /// The layout every record follows.
    public let layout: IAEARecordLayout
    /// The header and data files written by `finish`.
    public let headerURL: URL, dataURL: URL
    private let temporaryURL: URL
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var sections: [IAEAHeader.Section]
    private var particles: UInt64 = 0
    private var histories: UInt64 = 0
    private var statistics: [IAEAParticleType: Statistics] = [:]
    private var lo = [Float](repeating: .infinity, count: 3), hi = [Float](repeating: -.infinity, count: 3)
    private var finished = false

    /// Per particle type: count, weights and weighted energies.
    private struct Statistics {
        var count: UInt64 = 0
        var weightSum = 0.0, minWeight = Double.infinity, maxWeight = -Double.infinity
        var weightedEnergySum = 0.0, minEnergy = Double.infinity, maxEnergy = -Double.infinity
    }

    /// Starts a phase space.
    /// - Parameters:
    ///   - url: the base name, or either file name (`.IAEAheader` / `.IAEAphsp`).
    ///   - sections: descriptive sections (`TITLE`, `COORDINATE_SYSTEM_DESCRIPTION`, `MACHINE_TYPE`, …);
    ///     the mandatory ones not given get neutral values. Statistics sections given are replaced.
    /// - Throws: `PhaseSpaceError.io` if the temporary data file cannot be created.
    public init(_ url: URL, layout: IAEARecordLayout, sections: [IAEAHeader.Section] = []) throws(PhaseSpaceError) {
        self.layout = layout
        (headerURL, dataURL) = IAEAPhaseSpaceFile.files(of: url)
        temporaryURL = dataURL.deletingLastPathComponent()
            .appendingPathComponent(".\(dataURL.lastPathComponent).tmp-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: temporaryURL.path, contents: nil),
            let handle = try? FileHandle(forWritingTo: temporaryURL)
        else {
            throw .io(
                file: dataURL.path,
                "cannot create a temporary file in its folder; check that the folder exists "
                    + "and is writable")
        }
        self.handle = handle
        let defaults = [
            ("IAEA_INDEX", "0"), ("TITLE", "Phase space written by Penumbra"),
            ("COORDINATE_SYSTEM_DESCRIPTION", "cm; the beam travels along +z"),
            ("MACHINE_TYPE", "unspecified"), ("MONTE_CARLO_CODE_VERSION", "Penumbra"),
            ("GLOBAL_PHOTON_ENERGY_CUTOFF", "0.0"), ("GLOBAL_PARTICLE_ENERGY_CUTOFF", "0.0"),
            ("TRANSPORT_PARAMETERS", "not applicable"),
        ]
        let statistical: Set = ["STATISTICAL_INFORMATION_PARTICLES", "STATISTICAL_INFORMATION_GEOMETRY"]
        var all = sections.filter { !statistical.contains($0.name) && !IAEAHeader.structuralSections.contains($0.name) }
        for (name, text) in defaults where !all.contains(where: { $0.name == name }) {
            all.append(IAEAHeader.Section(name: name, text: text))
        }
        self.sections = all
    }

    deinit {
        if !finished {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporaryURL)
        }
    }

    /// Appends one particle.
    /// - Throws: `PhaseSpaceError.badParticle` if it does not fit the layout or is not a valid particle,
    ///   `.io` if the data cannot be written.
    public func append(_ p: IAEAParticle) throws(PhaseSpaceError) {
        precondition(!finished, "append after finish")
        if let problem = layout.problem(with: p), p.type.isTransported {
            throw .badParticle("particle \(particles): \(problem)")
        }
        guard abs(Double(p.u) * Double(p.u) + Double(p.v) * Double(p.v) + Double(p.w) * Double(p.w) - 1) < 1e-4 else {
            throw .badParticle("particle \(particles): u² + v² + w² is not 1 (u \(p.u), v \(p.v), w \(p.w))")
        }
        try layout.encode(p, into: &buffer)
        if p.isNewHistory || particles == 0 { histories += 1 }
        particles += 1
        var s = statistics[p.type] ?? Statistics()
        s.count += 1
        let weight = Double(p.weight), energy = Double(p.energyMeV)
        s.weightSum += weight
        s.minWeight = min(s.minWeight, weight)
        s.maxWeight = max(s.maxWeight, weight)
        s.weightedEnergySum += weight * energy
        s.minEnergy = min(s.minEnergy, energy)
        s.maxEnergy = max(s.maxEnergy, energy)
        statistics[p.type] = s
        for (axis, value) in [p.xCM, p.yCM, p.zCM].enumerated() {
            lo[axis] = min(lo[axis], value)
            hi[axis] = max(hi[axis], value)
        }
        if buffer.count >= 1 << 20 { try flush() }
    }

    private func flush() throws(PhaseSpaceError) {
        do { try handle.write(contentsOf: buffer) } catch {
            throw .io(file: dataURL.path, "cannot write (\(error.localizedDescription)); check the free space")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes the remaining records and the header, and renames the data file into place.
    /// - Parameter originalHistories: `$ORIG_HISTORIES`; nil: the number of histories the new-history
    ///   flags mark. A cut of a larger file passes the original file's count.
    /// - Returns: the header written.
    /// - Throws: `PhaseSpaceError.badParticle` if nothing was written or `originalHistories` is below the
    ///   histories written; `.io` if a file cannot be written.
    @discardableResult
    public func finish(originalHistories: UInt64? = nil) throws(PhaseSpaceError) -> IAEAHeader {
        precondition(!finished, "finish twice")
        guard particles > 0 else { throw .badParticle("an IAEA phase space needs at least one particle") }
        let original = originalHistories ?? histories
        guard original >= histories else {
            throw .badParticle("originalHistories \(original) is below the \(histories) histories written")
        }
        try flush()
        do {
            try handle.synchronize()
            try handle.close()
        } catch {
            throw .io(file: dataURL.path, "cannot write (\(error.localizedDescription)); check the free space")
        }
        finished = true
        guard rename(temporaryURL.path, dataURL.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporaryURL)
            throw .io(file: dataURL.path, "cannot rename the finished data into place (\(reason))")
        }
        let header = IAEAHeader(
            layout: layout, originalHistories: original, particles: particles,
            particleCounts: statistics.mapValues(\.count), checksum: nil,
            otherSections: sections + statisticsSections())
        do { try AtomicFile.write(text: header.rendered(), to: headerURL) } catch {
            throw .io(file: headerURL.path, error.description)
        }
        return header
    }

    /// The `$STATISTICAL_INFORMATION_…` sections, in the library's column order.
    private func statisticsSections() -> [IAEAHeader.Section] {
        var lines = ["//        Weight        Wmin       Wmax        <E>       Emin       Emax    Particle"]
        for type in IAEAParticleType.allCases {
            guard let s = statistics[type] else { continue }
            let mean = s.weightSum > 0 ? s.weightedEnergySum / s.weightSum : 0
            lines.append(
                "  \(s.weightSum)  \(s.minWeight)  \(s.maxWeight)  \(mean)  \(s.minEnergy)  \(s.maxEnergy)  "
                    + type.headerSection)
        }
        let stored = [layout.storesX, layout.storesY, layout.storesZ]
        let geometry = (0..<3).filter { stored[$0] }.map { "  \(lo[$0])  \(hi[$0])" }
        return [
            IAEAHeader.Section(name: "STATISTICAL_INFORMATION_PARTICLES", text: lines.joined(separator: "\n")),
            IAEAHeader.Section(name: "STATISTICAL_INFORMATION_GEOMETRY", text: geometry.joined(separator: "\n")),
        ]
    }
}
