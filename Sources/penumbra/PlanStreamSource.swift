import Beam
import Phantom
import Transport

/// A plan's beams as one source, the beam chosen by the history's random-stream index: stream
/// b·2⁴⁰ + n is history n of beam b (`PlanJob.streams(ofBeam:in:)`). A decomposed plan run uses one
/// simulation (one set of media tables, one cut of slabs) for every beam and runs beam b's histories as
/// the stream range of its own, so each history draws exactly what `PlanExecutor`'s engine of that beam
/// draws: the same primaries, the same deposits, bit for bit.
struct PlanStreamSource: PrimarySource {
    /// Stream indices of beam b start at b << `beamShift`.
    static let beamShift: UInt64 = 40

    /// One single-beam source per beam, in the job's order.
    let beams: [PlanSource]

    /// The streams of beam `b`'s histories `histories` (its own count from 0).
    static func streams(ofBeam b: Int, histories: Range<UInt64>) -> Range<UInt64> {
        let base = UInt64(b) << beamShift
        return base + histories.lowerBound..<base + histories.upperBound
    }

    var maximumEnergyMeV: Double { beams.map(\.maximumEnergyMeV).max() ?? 0 }

    /// Beam `history >> 40`'s primaries; none for a stream beyond the beams (jobs are checked against
    /// that before they run: `PlanSlabJob.check`).
    func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle]) {
        let b = Int(history >> Self.beamShift)
        guard b < beams.count else { return }
        beams[b].emitPrimaries(history: history, rng: &rng, into: &primaries)
    }

    func check(against phantom: VoxelPhantom) throws {
        for beam in beams { try beam.check(against: phantom) }
    }
}
