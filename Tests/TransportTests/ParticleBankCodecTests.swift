import Foundation
import Geometry
import Phantom
import Testing
import Transport

@Suite struct ParticleBankCodecTests {
    /// Rounds where every bank crosses as bytes (encoded by the sender, decoded by the receiving slab)
    /// still deposit exactly the whole-phantom run's energy: the encoding carries every bit a particle
    /// and its interrupted flight need.
    @Test func banksThroughBytesStayBitIdentical() throws {
        let sim = try SlabTransportTests.heterogeneous(settings: SlabTransportTests.settings(blockVoxels: 4))
        let whole = try TransportEngine(simulation: sim, threads: 1).runRange(0..<150, seed: 9)
        let run = try DecomposedTransport(simulation: sim, boundaries: [4, 12, 16])
        var bytesSent = 0
        let tallies = try Self.rounds(of: run, histories: 0..<150, seed: 9) { part, t in
            let bytes = part.encoded()
            bytesSent += bytes.count
            return try ParticleBank(decoding: bytes, for: run.slabs[t], seed: 9)
        }
        var energy: [UInt64] = []
        for var t in tallies {
            t.flush()
            energy.append(contentsOf: t.sum)
        }
        #expect(energy == whole.sum)
        #expect(bytesSent > 10_000)
    }

    /// Runs every round of `run` by hand: the particles that leave a slab for slab t pass through
    /// `route(bank, t)` on their way (nonempty banks only). Returns the slabs' tallies, not flushed.
    static func rounds(of run: DecomposedTransport, histories: Range<UInt64>, seed: UInt64,
                       route: (ParticleBank, Int) throws -> ParticleBank) rethrows -> [EnergyTally] {
        var banks = run.sourceBanks(histories: histories, seed: seed)
        var tallies = run.slabs.map { EnergyTally(voxelCount: $0.voxelCount) }
        while banks.contains(where: { !$0.isEmpty }) {
            var next = [ParticleBank](repeating: ParticleBank(), count: run.slabs.count)
            for s in run.slabs.indices where !banks[s].isEmpty {
                let (below, above) = run.slabs[s].transport(banks[s], tally: &tallies[s])
                var out = below
                out.append(contentsOf: above)
                for t in run.slabs.indices {
                    let part = out.filter(planes: run.slabs[t].planes)
                    guard !part.isEmpty else { continue }
                    next[t].append(contentsOf: try route(part, t))
                }
            }
            banks = next
        }
        return tallies
    }

    /// Every truncation of a real bank, a wrong slab, a wrong seed and trailing bytes are refused with a
    /// `BankError`; flipped bytes either decode or are refused, never crash.
    @Test func foreignBytesAreRefused() throws {
        let sim = try SlabTransportTests.heterogeneous(settings: SlabTransportTests.settings(blockVoxels: 4))
        let run = try DecomposedTransport(simulation: sim, boundaries: [8])
        var tally = EnergyTally(voxelCount: run.slabs[0].voxelCount)
        let (_, above) = run.slabs[0].transport(run.sourceBanks(histories: 0..<20, seed: 4)[0], tally: &tally)
        #expect(above.count > 3)
        let bytes = above.encoded()
        let decoded = try ParticleBank(decoding: bytes, for: run.slabs[1], seed: 4)
        #expect(decoded.encoded() == bytes)
        for n in stride(from: 0, to: bytes.count, by: 7) {
            #expect(throws: BankError.self) { try ParticleBank(decoding: Array(bytes[0..<n]), for: run.slabs[1], seed: 4) }
        }
        #expect(throws: BankError.self) { try ParticleBank(decoding: bytes, for: run.slabs[0], seed: 4) }
        #expect(throws: BankError.self) { try ParticleBank(decoding: bytes, for: run.slabs[1], seed: 5) }
        #expect(throws: BankError.self) { try ParticleBank(decoding: bytes + [0], for: run.slabs[1], seed: 4) }
        // Reproducible flips: a Weyl sequence picks the byte and the mask.
        for n in 0..<2000 {
            var flipped = bytes
            let x = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
            let at = 16 + Int(x >> 33) % (bytes.count - 16)
            flipped[at] ^= UInt8(truncatingIfNeeded: x >> 8) | 1
            _ = try? ParticleBank(decoding: flipped, for: run.slabs[1], seed: 4)
        }
    }
}
