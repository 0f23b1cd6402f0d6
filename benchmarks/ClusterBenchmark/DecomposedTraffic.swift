import Cluster
import Foundation
import Geometry
import Phantom
import Transport

/// A beam along +y (anterior–posterior), the way coplanar beams cross a patient: perpendicular to the
/// slabs, which are cut along z (the long axis). 2 MeV photons (about a 6 MV beam's mean energy), a
/// square field of `halfWidthCM` on each side of the axis.
struct LateralBeam: PrimarySource {
    let halfWidthCM: Double
    let startYCM: Double
    let centreZCM: Double
    var maximumEnergyMeV: Double { 2 }

    func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle]) {
        let x = (2 * rng.uniform() - 1) * halfWidthCM
        let z = centreZCM + (2 * rng.uniform() - 1) * halfWidthCM
        primaries.append(PrimaryParticle(positionCM: Vec3(x, startYCM, z), direction: Vec3(0, 1, 0), energyMeV: 2, charge: 0))
    }
}

/// A thorax-sized phantom: the grid of `penumbra example thorax` (160 × 160 × 100 voxels of
/// 0.25 × 0.25 × 0.3 cm), an elliptic water body (34 × 24 cm), two lungs (0.26 g/cm³), a spine (bone),
/// air around it.
func thoraxSizedPhantom() throws -> VoxelPhantom {
    let grid = VoxelGrid(counts: (160, 160, 100), originCM: Vec3(-20, -20, -15), spacingCM: Vec3(0.25, 0.25, 0.3))
    var media = [UInt8](repeating: 0, count: grid.voxelCount)
    var rho = [Float](repeating: 0.0012, count: grid.voxelCount)
    for k in 0..<grid.counts.z {
        for j in 0..<grid.counts.y {
            for i in 0..<grid.counts.x {
                let c = grid.centerCM(i, j, k)
                let v = grid.index(i, j, k)
                guard (c.x / 17) * (c.x / 17) + (c.y / 12) * (c.y / 12) < 1 else { media[v] = 2; continue }
                rho[v] = 1
                let lung = (abs(c.x) - 8) * (abs(c.x) - 8) / 25 + (c.y + 1) * (c.y + 1) / 49 < 1
                if lung { media[v] = 2; rho[v] = 0.26 }
                if c.x * c.x + (c.y - 8) * (c.y - 8) < 4 { media[v] = 1; rho[v] = 1.4 }
            }
        }
    }
    return try VoxelPhantom(grid: grid, media: ["H2O700ICRU", "ICRPBONE700ICRU", "LUNG700ICRU"],
                            mediumIndices: media, densitiesGPerCM3: rho)
}

/// Network bytes and per-worker memory of replicated and decomposed mode for the same histories on a
/// thorax-sized grid (docs/cluster.md, "Decomposed mode"). Bytes are counted from real encodings
/// (`WireCodec` RESULT frames, `ParticleBank.encoded()`), so they do not depend on the build or the
/// machine; memory is the per-voxel arrays a worker holds (phantom, tallies) and its largest bank.
@MainActor func measureDecomposedTraffic(histories: UInt64, slabs slabCount: Int, threads: Int) throws {
    let phantom = try thoraxSizedPhantom()
    let g = phantom.grid
    let settings = TransportSettings()
    let source = LateralBeam(halfWidthCM: 5, startYCM: -20, centreZCM: 0)
    let sim = try Simulation(phantom: phantom, mediumPhysics: PhysicsMedium.media(named: phantom.media, settings: settings),
                             source: source, settings: settings)
    let layout = try SlabLayout(countX: UInt32(g.counts.x), countY: UInt32(g.counts.y), countZ: UInt32(g.counts.z), planesPerSlab: 8)
    let voxels = Double(g.voxelCount)
    // What a worker's per-voxel arrays take: the phantom (1 B medium + 4 B density) and the kernels'
    // copy (8 B), and an EnergyTally (Σ 8 B, Σ² 16 B, pending 8 B, history mark 8 B) per thread plus
    // the merged one.
    let phantomBytesPerVoxel = 13.0, tallyBytesPerVoxel = 40.0
    let phantomText = Double(try EGSPhantomFile.format(phantom).utf8.count)

    // Replicated: every worker holds everything; each span of units returns sparse slab tallies.
    let engine = try TransportEngine(simulation: sim, threads: threads)
    func resultBytes(_ range: Range<UInt64>) -> Int {
        let t = engine.runRange(range, seed: 1)
        let r = UnitResult(key: UnitKey(jobID: 1, index: 0), historyCount: UInt64(range.count), layout: layout,
                           energySum: Array(t.sum), energySquaredSum: Array(t.sumOfSquares))
        return WireCodec.encode(.result(r)).reduce(0) { $0 + $1.count }
    }
    let unit = resultBytes(0..<1_000)
    let span = resultBytes(0..<histories)
    report("thorax grid \(g.counts.x)×\(g.counts.y)×\(g.counts.z): replicated RESULT of 1 000 histories", "\(unit / 1024) KiB")
    report("replicated RESULT of one \(histories)-history span", "\(span / 1024) KiB")
    report("replicated per-worker memory (phantom + \(threads + 1) tallies)",
           String(format: "%.0f MiB, phantom sent once per worker %.1f MiB", voxels * (phantomBytesPerVoxel + tallyBytesPerVoxel * Double(threads + 1)) / 1_048_576, phantomText / 1_048_576))

    // Decomposed: one slab per worker; every bank goes to the coordinator and on to the next owner.
    let boundaries = DecomposedTransport.boundaries(planes: g.counts.z, slabs: slabCount, edge: settings.majorantBlockVoxels)
    let run = try DecomposedTransport(simulation: sim, boundaries: boundaries)
    let batches: UInt64 = 10
    var bankBytes = 0, slabResultBytes = 0, rounds = 0, largestBank = 0, banked = 0
    var energy = [UInt64]()
    for b in 0..<batches {
        let range = histories * b / batches..<histories * (b + 1) / batches
        var banks = run.sourceBanks(histories: range, seed: 1)
        var tallies = run.slabs.map { EnergyTally(voxelCount: $0.voxelCount) }
        while banks.contains(where: { !$0.isEmpty }) {
            var next = [ParticleBank](repeating: ParticleBank(), count: run.slabs.count)
            for s in run.slabs.indices where !banks[s].isEmpty {
                let (below, above) = run.slabs[s].transport(banks[s], tally: &tallies[s])
                for out in [below, above] where !out.isEmpty {
                    let bytes = out.encoded()
                    bankBytes += 2 * bytes.count
                    largestBank = max(largestBank, bytes.count)
                    banked += out.count
                    run.route(out, into: &next)
                }
            }
            banks = next
            rounds += 1
        }
        var batchEnergy = [UInt64]()
        for (s, var t) in tallies.enumerated() {
            t.flush()
            batchEnergy.append(contentsOf: t.sum)
            // The slab's batch sums as one RESULT (Σ² is not used: the batch squares are formed on merge).
            let planes = run.slabs[s].planes
            let first = planes.lowerBound * g.planeVoxelCount
            var whole = [UInt64](repeating: 0, count: g.voxelCount)
            whole.replaceSubrange(first..<first + t.sum.count, with: t.sum)
            let r = UnitResult(key: UnitKey(jobID: 1, index: UInt32(s)), historyCount: UInt64(range.count), layout: layout,
                               energySum: whole, energySquaredSum: [UInt128](repeating: 0, count: g.voxelCount))
            slabResultBytes += WireCodec.encode(.result(r)).reduce(0) { $0 + $1.count }
        }
        energy = energy.isEmpty ? batchEnergy : zip(energy, batchEnergy).map { $0 &+ $1 }
    }
    let whole = engine.runRange(0..<histories, seed: 1)
    let slabVoxels = voxels / Double(run.slabs.count)
    report("decomposed into \(run.slabs.count) slabs, \(batches) batches: rounds, particles handed over", "\(rounds), \(banked)")
    report("decomposed bank traffic (to and from the coordinator)", String(format: "%.1f MiB = %.0f B per history", Double(bankBytes) / 1_048_576, Double(bankBytes) / Double(histories)))
    report("decomposed slab RESULTs (one per slab per batch)", String(format: "%.1f MiB", Double(slabResultBytes) / 1_048_576))
    report("replicated RESULT traffic, same histories in 1 000-history units", String(format: "%.1f MiB", Double(unit) * Double(histories) / 1000 / 1_048_576))
    report("decomposed per-worker memory (slab + its tally + largest bank)",
           String(format: "%.0f MiB, slab sent once %.1f MiB", (slabVoxels * (phantomBytesPerVoxel + tallyBytesPerVoxel) + Double(largestBank)) / 1_048_576, phantomText / Double(run.slabs.count) / 1_048_576))
    report("decomposed dose bit-identical to replicated", energy == whole.sum ? "yes" : "NO")
}
