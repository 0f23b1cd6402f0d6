import Foundation
import Geometry
import Phantom
import Testing
@testable import Transport

/// The event-based driver (`TransportDriver.simd`) against the scalar reference: same deposits per
/// history when it uses the scalar logarithm, the same dose within statistics with the vector one, and
/// bit-reproducible across thread counts and block sizes either way.
@Suite struct EventDriverTests {
    static func simulation(splitting: Int = 1) throws -> Simulation {
        try VarianceReductionTests.simulation { $0.photonSplitting = splitting }
    }

    static func eventTally(_ sim: Simulation, _ range: Range<UInt64>, seed: UInt64, exact: Bool, block: UInt64,
                           capacity: Int = 16, chargedCapacity: Int = 32) -> EnergyTally {
        var tally = EnergyTally(voxelCount: sim.phantom.grid.voxelCount)
        var scratch = Simulation.EventScratch(for: sim, capacity: capacity, chargedCapacity: chargedCapacity)
        scratch.exactLogarithms = exact
        var lo = range.lowerBound
        while lo < range.upperBound {
            let hi = min(lo + block, range.upperBound)
            sim.runEventBased(lo..<hi, seed: seed, tally: &tally, scratch: &scratch)
            lo = hi
        }
        tally.flush()
        return tally
    }

    /// With Foundation's `log` the event driver does the scalar driver's arithmetic on the same random
    /// numbers in another order: the tallies must be equal bit for bit (this checks the lanes' random
    /// refills, the bank's bookkeeping and the history-ordered fold of the recorded deposits).
    @Test(arguments: [1, 3])
    func exactLogarithmsReproduceTheScalarDriver(splitting: Int) throws {
        let sim = try Self.simulation(splitting: splitting)
        let scalar = try TransportEngine(simulation: sim, threads: 1, blockSize: 50).runRange(0..<300, seed: 5)
        let event = Self.eventTally(sim, 0..<300, seed: 5, exact: true, block: 64)
        #expect(event.histories == scalar.histories)
        #expect(event.sum == scalar.sum)
        #expect(event.sumOfSquares == scalar.sumOfSquares)
        #expect(scalar.sum.reduce(0, +) > 0)
    }

    /// The lanes' bookkeeping must not depend on how many lanes there are: one photon and one charged lane
    /// (a bank that admits a history only when both are empty), few, and many more than a block has.
    @Test(arguments: [(1, 1), (3, 7), (64, 2), (200, 500)])
    func exactLogarithmsReproduceTheScalarDriverForAnyBankSize(capacity: Int, chargedCapacity: Int) throws {
        let sim = try Self.simulation()
        let scalar = try TransportEngine(simulation: sim, threads: 1, blockSize: 50).runRange(0..<200, seed: 8)
        let event = Self.eventTally(sim, 0..<200, seed: 8, exact: true, block: 45, capacity: capacity,
                                    chargedCapacity: chargedCapacity)
        #expect(event.sum == scalar.sum)
        #expect(event.sumOfSquares == scalar.sumOfSquares)
    }

    /// Electrons and positrons as primaries (a 3 MeV pencil of each per history) start in the charged
    /// lanes: same bits as the scalar driver with the scalar logarithm, for the default step settings,
    /// without range rejection and with the Goudsmit–Saunderson model (which reads λ₂/λ₁ and the
    /// Rutherford ratio of every step).
    @Test(arguments: [0, 1, 2])
    func chargedPrimariesReproduceTheScalarDriver(variant: Int) throws {
        var settings = TransportSettings()
        if variant == 1 { settings.rangeRejectionBelowMeV = 0 }
        if variant == 2 { settings.multipleScattering = .goudsmitSaunderson }
        let sim = try Simulation(phantom: SimulationTests.slabPhantom(), mediumPhysics: [ToyMedium(), ToyMedium()],
                                 source: ChargedPencil(), settings: settings)
        let scalar = try TransportEngine(simulation: sim, threads: 1, blockSize: 50).runRange(0..<120, seed: 4)
        let event = Self.eventTally(sim, 0..<120, seed: 4, exact: true, block: 40, capacity: 4, chargedCapacity: 9)
        #expect(event.sum == scalar.sum)
        #expect(event.sumOfSquares == scalar.sumOfSquares)
        #expect(scalar.sum.reduce(0, +) > 0)
        let two = try TransportEngine(simulation: sim, threads: 2, blockSize: 7, driver: .simd).run(histories: 120, seed: 4, rounds: 2)
        let one = try TransportEngine(simulation: sim, threads: 1, blockSize: 120, driver: .simd).run(histories: 120, seed: 4, rounds: 1)
        #expect(one.sum == two.sum && one.sumOfSquares == two.sumOfSquares)
    }

    /// An electron and a positron per history, along +z at the slab phantom's axis.
    struct ChargedPencil: PrimarySource {
        var maximumEnergyMeV: Double { 3 }

        func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle]) {
            for charge: Int8 in [-1, 1] {
                let x = 0.4 * (rng.uniform() - 0.5)
                primaries.append(PrimaryParticle(positionCM: Vec3(x, 0, -10), direction: Vec3(0, 0, 1), energyMeV: 3, charge: charge))
            }
        }
    }

    @Test func vectorDriverIsBitReproducibleAcrossThreadsAndBlocks() throws {
        let sim = try Self.simulation()
        let one = try TransportEngine(simulation: sim, threads: 1, blockSize: 400, driver: .simd)
            .run(histories: 400, seed: 3, rounds: 1)
        let two = try TransportEngine(simulation: sim, threads: 2, blockSize: 7, driver: .simd)
            .run(histories: 400, seed: 3, rounds: 3)
        let lanes = Self.eventTally(sim, 0..<400, seed: 3, exact: false, block: 33, capacity: 5)
        #expect(one.histories == 400 && two.histories == 400)
        #expect(one.sum == two.sum && one.sumOfSquares == two.sumOfSquares)
        #expect(one.sum == lanes.sum && one.sumOfSquares == lanes.sumOfSquares)
    }

    /// Same batches as `VarianceReductionTests`: total energy and the central column per history agree
    /// within 4σ (σ from 12 independent batches per driver, so voxel covariances are included).
    @Test func vectorDriverAgreesWithScalarWithinStatistics() throws {
        let sim = try Self.simulation()
        func batches(_ driver: TransportDriver) throws -> [(Double, Double)] {
            let engine = try TransportEngine(simulation: sim, threads: 2, blockSize: 25, driver: driver)
            // Different seeds: the two drivers' estimates must be independent for the σ of their difference.
            let seed: UInt64 = driver == .scalar ? 11 : 12
            let size: UInt64 = 150
            let tallies = (0..<UInt64(12)).map { b in engine.runRange(b * size..<(b + 1) * size, seed: seed) }
            return VarianceReductionTests.regions.map { region in
                let values = tallies.map { t in Double(region.reduce(0) { $0 + t.sum[$1] }) * EnergyTally.quantumMeV / Double(size) }
                let mean = values.reduce(0, +) / 12
                let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / 11
                return (mean, (variance / 12).squareRoot())
            }
        }
        for ((m1, s1), (m2, s2)) in zip(try batches(.scalar), try batches(.simd)) {
            // |Δ| < 4σ_Δ fails by chance with probability 6·10⁻⁵.
            let sigma = (s1 * s1 + s2 * s2).squareRoot()
            #expect(abs(m1 - m2) < 4 * sigma, "scalar \(m1) ± \(s1) vs simd \(m2) ± \(s2) MeV per history")
            #expect(sigma < 0.05 * m1, "too few histories to see a bias of a few per cent")
        }
    }

    /// Recorded deposits folded in history order give the sums of depositing history by history.
    @Test func recordedDepositsFoldLikeHistoryByHistory() {
        var direct = EnergyTally(voxelCount: 3)
        var recorded = EnergyTally(voxelCount: 3)
        let deposits: [(UInt64, Int, Double)] = [(10, 0, 1.5), (11, 0, 0.25), (10, 2, 3), (12, 1, 1), (10, 0, 0.5), (11, 0, 2)]
        for h in UInt64(10)..<14 {
            direct.beginHistory(h)
            for (dh, v, e) in deposits where dh == h { direct.deposit(e, voxel: v) }
        }
        recorded.beginRecording(from: 10)
        for (h, v, e) in deposits {
            recorded.recordHistory(h)
            recorded.deposit(e, voxel: v)
        }
        recorded.foldRecorded(10..<14)
        direct.flush()
        recorded.flush()
        #expect(recorded.histories == 4 && direct.histories == 4)
        #expect(recorded.sum == direct.sum)
        #expect(recorded.sumOfSquares == direct.sumOfSquares)
    }
}
