import Foundation
import Geometry
import Phantom
import TestSupport
import Testing
import Transport

/// A small fixed-seed run with the real physics tables, pinned exactly: any change in the kernels, the
/// tables or the random streams shows up here. Refresh the pins only on purpose, with the reason in the
/// commit message.
@Suite struct PhysicsRegressionTests {
    @Test func slabRunIsPinned() throws {
        let grid = VoxelGrid(counts: (7, 7, 10), originCM: Vec3(-1.75, -1.75, 0), spacingCM: Vec3(0.5, 0.5, 0.5))
        var media = [UInt8](repeating: 0, count: grid.voxelCount)
        var rho = [Float](repeating: 1, count: grid.voxelCount)
        for k in 0..<10 {
            for j in 0..<7 {
                for i in 0..<7 {
                    let v = grid.index(i, j, k)
                    if k == 3 || k == 4 { media[v] = 1; rho[v] = 1.85 }
                    if k >= 5 && k < 8 { media[v] = 2; rho[v] = 0.26 }
                }
            }
        }
        let phantom = try VoxelPhantom(grid: grid, media: ["H2O700ICRU", "ICRPBONE700ICRU", "LUNG700ICRU"],
                                       mediumIndices: media, densitiesGPerCM3: rho)
        let spectrum = try PhotonSpectrum.read(TestEnvironment.reference("spectra/mohan6.spectrum"))
        let field = try FieldRectangle(x1CM: -1, x2CM: 1, y1CM: -1, y2CM: 1)
        let settings = TransportSettings()
        let sim = try Simulation(phantom: phantom, mediumPhysics: PhysicsMedium.media(named: phantom.media, settings: settings),
                                 source: .pointSource(ssdCM: 100, field: field, energy: .spectrum(spectrum)), settings: settings)
        let one = try TransportEngine(simulation: sim, threads: 1, blockSize: 64).run(histories: 400, seed: 42, rounds: 1)
        let two = try TransportEngine(simulation: sim, threads: 2, blockSize: 9).run(histories: 400, seed: 42, rounds: 2)
        #expect(one.sum == two.sum && one.sumOfSquares == two.sumOfSquares)
        let total = one.sum.reduce(0, +)
        // Sanity before the pin: deposits are positive and below the energy that entered (< 6 MeV each).
        #expect(total > 0 && Double(total) * EnergyTally.quantumMeV < 400 * 6)
        #expect(total == Self.pinnedTotal, "total quanta \(total)")
        #expect(one.sum[grid.index(3, 3, 4)] == Self.pinnedBoneVoxel, "bone voxel \(one.sum[grid.index(3, 3, 4)])")
    }

    static let pinnedTotal: UInt64 = 1_041_010_363
    static let pinnedBoneVoxel: UInt64 = 66_462_934

    @Test func unknownMediumListsKnownNames() {
        do {
            _ = try PhysicsMedium.media(named: ["NOSUCHMEDIUM700ICRU"], settings: TransportSettings())
            Issue.record("unknown medium accepted")
        } catch {
            #expect("\(error)".contains("NOSUCHMEDIUM700ICRU"))
            #expect("\(error)".uppercased().contains("WATER") || "\(error)".contains("H2O"))
        }
    }
}

/// Dose to water in medium (Siebers et al. 2000): identical to dose to medium in water, and about
/// 1.09–1.12 × dose to medium in ICRP cortical bone (PHYSICS.md §4 table, 0.1–10 MeV).
@Suite struct DoseToWaterTests {
    func run(_ medium: String, _ quantity: DoseQuantity) throws -> UInt64 {
        let grid = VoxelGrid(counts: (5, 5, 6), originCM: Vec3(-1.25, -1.25, 0), spacingCM: Vec3(0.5, 0.5, 0.5))
        let phantom = try VoxelPhantom(grid: grid, media: [medium], mediumIndices: .init(repeating: 0, count: grid.voxelCount),
                                       densitiesGPerCM3: .init(repeating: 1, count: grid.voxelCount))
        var settings = TransportSettings()
        settings.doseQuantity = quantity
        let field = try FieldRectangle(x1CM: -0.5, x2CM: 0.5, y1CM: -0.5, y2CM: 0.5)
        let sim = try Simulation(phantom: phantom, mediumPhysics: PhysicsMedium.media(named: [medium], settings: settings),
                                 source: .parallel(field: field, energy: .monoenergetic(MeV: 2)), settings: settings,
                                 water: PhysicsMedium.water(settings: settings))
        return try TransportEngine(simulation: sim, threads: 1).run(histories: 150, seed: 3, rounds: 1).sum.reduce(0, +)
    }

    @Test func waterIsUnchangedAndBoneIsRaised() throws {
        #expect(try run("H2O700ICRU", .water) == run("H2O700ICRU", .medium))
        let ratio = Double(try run("ICRPBONE700ICRU", .water)) / Double(try run("ICRPBONE700ICRU", .medium))
        // Same histories and random numbers: only the per-step factor differs (1.09–1.12 for electrons; photon
        // cut-off deposits use the ratio at ECUT).
        #expect(ratio > 1.08 && ratio < 1.13, "D_w/D_m in bone \(ratio)")
    }
}
