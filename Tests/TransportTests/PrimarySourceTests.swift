import Foundation
import Geometry
import Phantom
import Testing
import Transport

/// The `PrimarySource` contract as the engine keeps it: weights scale deposits, a history may emit
/// several primaries (each on its own spawned stream) or none, and every case stays bit-reproducible.
@Suite struct PrimarySourceTests {
    /// A pencil of photons along +z at the slab phantom's axis: `count` primaries per history of `energyMeV`
    /// and `weight`; with `rejectOdd`, odd histories emit nothing.
    struct Pencil: PrimarySource {
        var count = 1
        var weight = 1.0
        var energyMeV = 2.0
        var rejectOdd = false
        var maximumEnergyMeV: Double { energyMeV }

        func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle]) {
            if rejectOdd && history % 2 == 1 { return }
            for _ in 0..<count {
                let x = 0.2 * (rng.uniform() - 0.5)
                primaries.append(PrimaryParticle(positionCM: Vec3(x, 0, -10), direction: Vec3(0, 0, 1), energyMeV: energyMeV,
                                                 charge: 0, weight: weight))
            }
        }
    }

    func run(_ source: Pencil, histories: UInt64 = 400, threads: Int = 1, blockSize: Int = 1000,
             settings: TransportSettings = TransportSettings()) throws -> EnergyTally {
        let sim = try Simulation(phantom: SimulationTests.slabPhantom(), mediumPhysics: [ToyMedium(), ToyMedium()], source: source,
                                 settings: settings)
        return try TransportEngine(simulation: sim, threads: threads, blockSize: blockSize).run(histories: histories, seed: 31, rounds: 1)
    }

    @Test func weightScalesEveryDeposit() throws {
        // Without roulette (which would play the weighted photons after they scatter), same streams give
        // the same tracks, and each deposit halves, up to the fixed-point quantum per deposit.
        var settings = TransportSettings()
        settings.russianRoulette = false
        let full = try run(Pencil(), settings: settings)
        let half = try run(Pencil(weight: 0.5), settings: settings)
        let ratio = Double(half.sum.reduce(0, +)) / Double(full.sum.reduce(0, +))
        #expect(abs(ratio - 0.5) < 1e-6)
    }

    @Test func severalPrimariesPerHistoryAreIndependentAndReproducible() throws {
        let one = try run(Pencil(), histories: 1200)
        let three = try run(Pencil(count: 3), histories: 400)
        // 1 200 single-photon histories against 400 histories of three photons: the same number of
        // photons, so the same energy within statistics. About 40 % of 2 MeV photons interact in the
        // 6 cm phantom, so each total has a relative σ of about 4 %: 15 % is beyond 2.5σ of the difference.
        let e1 = Double(one.sum.reduce(0, +)), e3 = Double(three.sum.reduce(0, +))
        #expect(e3 != e1, "three spawned streams per history must not replay the single-primary tracks")
        #expect(abs(e3 / e1 - 1) < 0.15)
        // Bit-reproducible for any thread count and block size.
        let threaded = try run(Pencil(count: 3), histories: 400, threads: 2, blockSize: 7)
        #expect(threaded.sum == three.sum && threaded.sumOfSquares == three.sumOfSquares)
    }

    @Test func aHistoryWithoutPrimariesCountsAndDepositsNothing() throws {
        let all = try run(Pencil(), histories: 200)
        let even = try run(Pencil(rejectOdd: true), histories: 200)
        #expect(even.histories == 200)
        let e = Double(even.sum.reduce(0, +)) / Double(all.sum.reduce(0, +))
        // About half the histories deposit (binomial: 0.5 ± 0.035 for 100 of 200, plus track-length spread).
        #expect(e > 0.3 && e < 0.7)
    }
}
