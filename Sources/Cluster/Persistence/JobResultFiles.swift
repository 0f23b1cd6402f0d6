import Foundation

/// A job's result as files in an output directory:
/// * `tally.pntally` — the exact merged tallies in the checkpoint format, with no unit bookkeeping
///   (unit count 0), so that two runs of the same job give byte-identical files;
/// * `summary.json` — job id, state, histories, grid, total energy and the tally's SHA-256.
public enum JobResultFiles {
    /// What `summary.json` holds.
    public struct Summary: Codable, Hashable, Sendable {
        /// The job id on its coordinator.
        public var jobID: UInt64
        /// `completed`, `running` (a partial result), `cancelled` or `failed`.
        public var state: String
        /// Histories merged.
        public var histories: UInt64
        /// Voxel counts x, y, z.
        public var grid: [UInt32]
        /// z planes per slab.
        public var planesPerSlab: UInt32
        /// Σ energy over all voxels, MeV.
        public var totalEnergyMeV: Double
        /// Voxels with a deposit.
        public var voxelsWithDeposit: Int
        /// SHA-256 of `tally.pntally`.
        public var tallySHA256: String
    }

    /// Writes both files (each to a temporary file, then renamed) into `directory`, creating it.
    /// - Returns: the summary written.
    /// - Throws: `ClusterError.storage` naming what could not be written.
    @discardableResult
    public static func write(jobID: UInt64, state: JobState, tally: MergedTally, to directory: URL) throws(ClusterError) -> Summary {
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot create \(directory.path): \(error.localizedDescription)")
        }
        let unitsUnknown = TallyCheckpoint(jobID: jobID, doneUnits: [], unitCount: 0, awaited: 0, tally: tally).encoded()
        try writeAtomically(unitsUnknown, to: directory.appendingPathComponent("tally.pntally"))
        let total = tally.energySum.reduce(UInt128(0)) { $0 + UInt128($1) }
        let summary = Summary(
            jobID: jobID, state: state.description, histories: tally.historyCount,
            grid: [tally.layout.countX, tally.layout.countY, tally.layout.countZ],
            planesPerSlab: tally.layout.planesPerSlab,
            totalEnergyMeV: Double(total) / EnergyQuantum.perMeV,
            voxelsWithDeposit: tally.energySum.lazy.filter { $0 > 0 }.count,
            tallySHA256: ContentDigest(of: unitsUnknown).description)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try writeAtomically(Array(try encoder.encode(summary)) + [0x0A], to: directory.appendingPathComponent("summary.json"))
        } catch let error as ClusterError {
            throw error
        } catch {
            throw .storage("cannot encode the summary: \(error)")
        }
        return summary
    }
}
