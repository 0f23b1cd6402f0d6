import Foundation
import PhaseSpace
import Testing
import Transport

/// Writes a beam's primaries as an IAEA phase space on the phantom's front face: one photon per history, z = 0
/// as a constant, no weights — the file a test runs through `--phase-space` to compare with the beam itself.
/// - Parameters:
///   - beam: the source (one primary photon per history, e.g. a point source on the front face).
///   - histories: histories written, each from its own stream of `seed`.
///   - base: the path without extension (`.IAEAheader` and `.IAEAphsp` are written).
public func writePhaseSpace(of beam: FrontFaceBeam, histories: Int, seed: UInt64, to base: URL) throws {
    var layout = IAEARecordLayout()
    layout.storesZ = false
    layout.constantZCM = 0
    layout.storesWeight = false
    let writer = try IAEAPhaseSpaceWriter(base, layout: layout)
    var primaries: [PrimaryParticle] = []
    for h in 0..<UInt64(histories) {
        var rng = RandomStream(seed: seed, history: h)
        primaries.removeAll()
        beam.emitPrimaries(history: h, rng: &rng, into: &primaries)
        let p = try #require(primaries.first)
        try writer.append(
            IAEAParticle(
                type: .photon, energyMeV: Float(p.energyMeV), isNewHistory: true, xCM: Float(p.positionCM.x),
                yCM: Float(p.positionCM.y), zCM: 0, u: Float(p.direction.x), v: Float(p.direction.y),
                w: Float(p.direction.z)))
    }
    try writer.finish()
}
