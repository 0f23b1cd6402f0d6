import Crypto
import FileIO
import Foundation

/// A job's merged tallies on disk: which units they include, Σ and Σ² per voxel, and a SHA-256 of
/// all of it. Written to a temporary file, flushed, then renamed over the old one, so a crash leaves
/// either the old checkpoint or the new one, never a mix (DESIGN.md invariant 5).
///
/// Layout (little-endian): magic `PNTALLY2`; job id (UInt64); grid counts x, y, z and planes per slab
/// (UInt32 each); histories (UInt64); unit count (UInt32); the stop checkpoint the tally is below
/// (UInt32, `JobRecord.awaited`); done-unit bitmap (bit u of byte u/8);
/// Σ (UInt64 per voxel); Σ² (UInt128 per voxel, low half first); SHA-256 of every byte before it.
public struct TallyCheckpoint: Hashable, Sendable {
    /// The job.
    public let jobID: UInt64
    /// The units merged into `tally`.
    public let doneUnits: Set<UInt32>
    /// The units in the job.
    public let unitCount: Int
    /// Every unit in `doneUnits` is below this unit count (the stop checkpoint being decided).
    public let awaited: Int
    /// The merged tallies.
    public let tally: MergedTally

    static let magic = Array("PNTALLY2".utf8)

    /// Creates a checkpoint value.
    public init(jobID: UInt64, doneUnits: Set<UInt32>, unitCount: Int, awaited: Int, tally: MergedTally) {
        self.jobID = jobID
        self.doneUnits = doneUnits
        self.unitCount = unitCount
        self.awaited = awaited
        self.tally = tally
    }

    /// The checkpoint's bytes.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + tally.layout.voxelCount * 24)
        writer.write(raw: Self.magic)
        writer.write(jobID)
        writer.write(tally.layout.countX)
        writer.write(tally.layout.countY)
        writer.write(tally.layout.countZ)
        writer.write(tally.layout.planesPerSlab)
        writer.write(tally.historyCount)
        writer.write(UInt32(unitCount))
        writer.write(UInt32(awaited))
        var bitmap = [UInt8](repeating: 0, count: (unitCount + 7) / 8)
        for unit in doneUnits { bitmap[Int(unit) / 8] |= 1 << (unit % 8) }
        writer.write(raw: bitmap)
        writer.write(array: tally.energySum)
        writer.write(array: tally.energySquaredSum)
        writer.write(raw: Array(SHA256.hash(data: writer.bytes)))
        return writer.bytes
    }

    /// Reads checkpoint bytes.
    /// - Throws: `ClusterError.storage` when the bytes are truncated, corrupted or not a checkpoint.
    public init(decoding bytes: [UInt8], source: String) throws(ClusterError) {
        guard bytes.count > 32, Array(SHA256.hash(data: bytes.dropLast(32))) == Array(bytes.suffix(32)) else {
            throw .storage("\(source) is corrupted (checksum mismatch); delete it to recompute the job from its committed units")
        }
        do {
            var reader = ByteReader(Array(bytes.dropLast(32)), context: source)
            guard try reader.readRaw(8, "magic") == Self.magic else {
                throw ClusterError.storage("\(source) is not a Penumbra tally checkpoint")
            }
            jobID = try reader.read(UInt64.self, "job id")
            let layout = try SlabLayout(
                countX: try reader.read(UInt32.self, "x"), countY: try reader.read(UInt32.self, "y"),
                countZ: try reader.read(UInt32.self, "z"), planesPerSlab: try reader.read(UInt32.self, "planes"))
            let histories = try reader.read(UInt64.self, "histories")
            unitCount = Int(try reader.read(UInt32.self, "unit count"))
            awaited = Int(try reader.read(UInt32.self, "awaited checkpoint"))
            let bitmap = try reader.readRaw((unitCount + 7) / 8, "done bitmap")
            doneUnits = Set((0..<UInt32(unitCount)).filter { bitmap[Int($0) / 8] & (1 << ($0 % 8)) != 0 })
            let sums = try reader.readArray(of: UInt64.self, count: layout.voxelCount, "Σ")
            let squares = try reader.readArray(of: UInt128.self, count: layout.voxelCount, "Σ²")
            try reader.finish()
            tally = MergedTally(layout: layout, historyCount: histories, energySum: sums, energySquaredSum: squares)
        } catch let error as ClusterError {
            throw error
        } catch {
            throw .storage("\(source): \(error)")
        }
    }

    /// Writes the checkpoint to `url` atomically: temporary file, flush, rename.
    /// - Throws: `ClusterError.storage` saying which file could not be written.
    public func write(to url: URL) throws(ClusterError) {
        try writeAtomically(encoded(), to: url)
    }

    /// Reads the checkpoint at `url`.
    public static func read(from url: URL) throws(ClusterError) -> TallyCheckpoint {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .storage("cannot read \(url.path): \(error.localizedDescription)")
        }
        return try TallyCheckpoint(decoding: Array(data), source: url.lastPathComponent)
    }
}

/// Writes a cluster file whole or not at all (FileIO's `AtomicFile`: flushed, then renamed), reporting a
/// failure as `ClusterError.storage`.
func writeAtomically(_ bytes: [UInt8], to url: URL) throws(ClusterError) {
    do {
        try AtomicFile.write(bytes, to: url)
    } catch {
        throw .storage(error.description)
    }
}
