import Cluster
import FileIO
import Foundation
import Geometry
import Phantom
import PhaseSpace
import Transport

/// A decomposed `simulate --phase-space` job on the cluster (workload `"phase-space-slab"`): the placement
/// and settings in `JobSpec.parameters`; the `.IAEAheader` and `.IAEAphsp` bytes as the two common inputs
/// (content-addressed: each worker fetches them once and keeps them), one `SlabPhantomInput` per slab.
///
/// A worker writes the two files once into its cache directory (named by the data's SHA-256) and opens
/// them as the in-process run does, with the whole grid's front face, so every history draws the same
/// particles: the dose is the in-process decomposed run's, bit for bit.
///
/// The limit: an input travels as one frame (`WireLimits.maximumFrameBytes`, 64 MiB) and client,
/// coordinator and worker hold inputs in memory, so only phase spaces up to `maximumDataBytes` travel;
/// a linac phase space of gigabytes needs a chunked, streamed blob fetch to a worker's disk (not built).
struct PhaseSpaceSlabJob: Codable, Equatable, Sendable {
    /// The workload name in `JobSpec.workload`.
    static let workload = "phase-space-slab"
    /// The largest `.IAEAphsp` a job carries: one frame, less room for the frame's own fields.
    static let maximumDataBytes = WireLimits.maximumFrameBytes - 4_096

    /// The file's z (cm) placed on the whole phantom's front face.
    var surfaceZCM: Double
    /// Transport cut-offs, variance reduction and dose quantity.
    var settings: TransportSettings

    /// The job as `JobSpec.parameters` (sorted keys: the same job, the same bytes).
    func parameters() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(self))
    }

    /// The bytes of the phase space's two files, checked against what a job can carry.
    /// - Throws: `CommandFailure` for a data file beyond `maximumDataBytes`.
    static func inputs(of file: IAEAPhaseSpaceFile) throws -> [[UInt8]] {
        let size = (try? FileManager.default.attributesOfItem(atPath: file.dataURL.path)[.size] as? Int) ?? 0
        guard size <= maximumDataBytes else {
            throw CommandFailure(
                "\(file.dataURL.lastPathComponent) is \(size >> 20) MiB; a cluster job carries each input in one frame of at "
                    + "most \(WireLimits.maximumFrameBytes >> 20) MiB and every worker holds it in memory, so a phase space "
                    + "this large runs in this process only: drop --workers/--coordinator, or cut it (penumbra phase-space cut)")
        }
        return [Array(try Data(contentsOf: file.headerURL)), Array(try Data(contentsOf: file.dataURL))]
    }

    /// The simulation of a slab: the phase space from its two files' bytes (written once under
    /// `cacheDirectory`), placed on the front face of `grid` (the whole phantom's), on the slab's media.
    /// - Returns: the simulation and its source (whose `checkReads` tells of a file that failed mid-run).
    func simulation(on slab: VoxelPhantom, of grid: VoxelGrid, header: [UInt8], data: [UInt8], cacheDirectory: URL) throws -> (
        Simulation, PhaseSpaceSource
    ) {
        let directory = cacheDirectory.appendingPathComponent(ContentDigest(of: header + ContentDigest(of: data).bytes).description)
        let base = directory.appendingPathComponent("phase-space")
        let headerURL = base.appendingPathExtension("IAEAheader"), dataURL = base.appendingPathExtension("IAEAphsp")
        if !FileManager.default.fileExists(atPath: headerURL.path) {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            // The data first: the header's presence says both are whole.
            try AtomicFile.write(data, to: dataURL)
            try AtomicFile.write(header, to: headerURL)
        }
        // The source reads the front face off the phantom it is given: the whole grid's first plane (one
        // plane of the slab's media), not the slab, whose own front lies deeper.
        let front = try VoxelPhantom(
            grid: grid.planes(0..<1), media: slab.media, mediumIndices: Array(repeating: 0, count: grid.counts.x * grid.counts.y),
            densitiesGPerCM3: Array(repeating: 1, count: grid.counts.x * grid.counts.y))
        let source = try PhaseSpaceSource(headerURL, on: front, surfaceZCM: surfaceZCM)
        let media = try PhysicsMedium.media(named: slab.media, settings: settings)
        let simulation = try Simulation(
            phantom: slab, mediumPhysics: media, source: source, settings: settings,
            water: settings.doseQuantity == .water ? try PhysicsMedium.water(settings: settings) : nil)
        return (simulation, source)
    }
}
