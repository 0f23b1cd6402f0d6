import Testing
@testable import Transport

/// The bank's record sizes against `ParticleBank.maximumCount`: a bank of the largest records (charged
/// particles that crossed a slab face mid-step) must fit one wire frame (64 MiB, the Cluster module's
/// `WireLimits.maximumFrameBytes`).
@Suite struct ParticleBankSizeTests {
    @Test func aFullBankOfMidStepElectronsFitsOneFrame() throws {
        let sim = try SlabTransportTests.heterogeneous(settings: SlabTransportTests.settings(blockVoxels: 4))
        let run = try DecomposedTransport(simulation: sim, boundaries: [4, 12, 16])
        var largest = 0, charged = 0
        _ = ParticleBankCodecTests.rounds(of: run, histories: 0..<300, seed: 9) { part, _ in
            for p in part.particles {
                guard case .charged = p.flight else { continue }
                charged += 1
                largest = max(largest, ParticleBank([p]).encoded().count - 16)
            }
            return part
        }
        try #require(charged > 0, "no electron crossed a slab face mid-step")
        // The layout in ParticleBankCodec.swift: 127 bytes of particle and stream, 1 + 4 + 104 + 4 + 24 of
        // step, 83 of walk.
        #expect(largest == 346)
        #expect(16 + ParticleBank.maximumCount * largest <= 64 << 20)
    }
}
