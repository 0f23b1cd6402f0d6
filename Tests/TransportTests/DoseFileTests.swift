import FileIO
import Foundation
import Geometry
import Phantom
import TestSupport
import Testing
@testable import Transport

@Suite struct DoseFileTests {
    func sample() throws -> (DoseDistribution, VoxelPhantom) {
        let grid = VoxelGrid(counts: (3, 2, 2), originCM: Vec3(-1.5, -1, 0), spacingCM: Vec3(1, 1, 0.5))
        let phantom = try VoxelPhantom(grid: grid, media: ["W"], mediumIndices: .init(repeating: 0, count: 12),
                                       densitiesGPerCM3: .init(repeating: 1, count: 12))
        var t = EnergyTally(voxelCount: 12)
        for h in 0..<10 {
            t.beginHistory(UInt64(h))
            t.deposit(Double(h + 1), voxel: h % 12)
            t.deposit(0.25, voxel: 5)
        }
        return (DoseDistribution(tally: t, phantom: phantom), phantom)
    }

    /// The distribution read from the tally's records in one pass (session 9) has the bits of the mean
    /// energies' arrays turned into doses (the way before): for 0, 1 and many histories, empty voxels,
    /// voxels of zero density and random deposits over a grid of mixed densities.
    @Test(arguments: [0, 1, 2, 37])
    func onePassDistributionHasTheBitsOfTheMeanEnergies(_ histories: Int) throws {
        let grid = VoxelGrid(counts: (5, 4, 3), originCM: Vec3(-1.5, -1, 0), spacingCM: Vec3(0.4, 0.5, 0.3))
        var rng = SystemRandomNumberGenerator()
        let densities = (0..<60).map { $0 % 7 == 3 ? Float(0) : Float.random(in: 0.001...2.5, using: &rng) }
        let phantom = try VoxelPhantom(grid: grid, media: ["W"], mediumIndices: .init(repeating: 0, count: 60),
                                       densitiesGPerCM3: densities)
        var t = EnergyTally(voxelCount: 60)
        for h in 0..<histories {
            t.beginHistory(UInt64(h))
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                t.deposit(Double.random(in: 0...3, using: &rng), voxel: Int.random(in: 0..<45, using: &rng))
            }
        }
        for quantity in [DoseQuantity.medium, .water] {
            let d = DoseDistribution(tally: t, phantom: phantom, quantity: quantity)
            let (e, rel) = t.meanEnergyPerHistory()
            let before = DoseDistribution(meanEnergyMeV: e, relativeUncertainty: rel, phantom: phantom, quantity: quantity)
            #expect(d.doseGyPerHistory.map(\.bitPattern) == before.doseGyPerHistory.map(\.bitPattern))
            #expect(d.relativeUncertainty.map(\.bitPattern) == before.relativeUncertainty.map(\.bitPattern))
            #expect(d.grid == before.grid && d.quantity == quantity)
        }
    }

    @Test func doseIsEnergyOverMass() throws {
        let (d, _) = try sample()
        // Voxel 5: 6 + 10·0.25 = 8.5 MeV over 10 histories in 0.5 g.
        #expect(abs(d.doseGyPerHistory[5] - 0.85 * 1.602176634e-13 / 0.5e-3) < 1e-25)
    }

    @Test func threeDDoseRoundTrips() throws {
        let (d, _) = try sample()
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("d.3ddose")
        try ThreeDDoseFile.write(d, to: url)
        let back = try ThreeDDoseFile.read(url)
        #expect(back.grid == d.grid)
        for v in 0..<12 {
            #expect(abs(back.doseGyPerHistory[v] - d.doseGyPerHistory[v]) <= 1e-9 * d.doseGyPerHistory[v])
            #expect(abs(back.relativeUncertainty[v] - d.relativeUncertainty[v]) <= 1e-6 * d.relativeUncertainty[v])
        }
    }

    @Test func readsReferenceDoseFile() throws {
        let d = try ThreeDDoseFile.read(TestEnvironment.reference("water-2mev-5x5/ompMC_R2.3ddose"))
        #expect(d.grid.counts == (61, 61, 60))
        #expect(d.maximumDose > 0)
    }

    @Test func numpyHeaderIsAlignedAndDataLittleEndian() throws {
        let data = try NumPyArray(shape: [1, 2, 3], values: [1, 2, 3, 4, 5, 6]).encoded()
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.contains("'shape': (1, 2, 3)") && header.hasSuffix("\n"))
        #expect(data.count == 10 + headerLength + 48)
        let first = data[(10 + headerLength)...].prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
        #expect(Double(bitPattern: UInt64(littleEndian: first)) == 1)
    }
}
