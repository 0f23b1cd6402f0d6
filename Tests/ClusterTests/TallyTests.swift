import Testing

@testable import Cluster

@Suite("Tallies and the synthetic workload")
struct TallyTests {
    @Test("A unit gives the same tallies on 1, 2 and 3 threads", arguments: [2, 3])
    func threadIndependence(threads: Int) throws {
        let unit = Samples.unit(Samples.spec(), index: 4)
        let one = try SyntheticWorkload().execute(unit, inputs: [:], threads: 1)
        let many = try SyntheticWorkload().execute(unit, inputs: [:], threads: threads)
        #expect(one == many)
        #expect(one.historyCount == 100)
        #expect(!one.slabs.isEmpty)
        try one.validate(for: Samples.spec())
    }

    @Test("Merged tallies do not depend on the unit size or the merge order")
    func partitionAndOrderIndependence() throws {
        func merged(perUnit: UInt64, order: (Int) -> [Int]) throws -> MergedTally {
            let spec = Samples.spec(histories: 1_000, perUnit: perUnit)
            var tally = MergedTally(layout: spec.layout)
            for index in order(spec.unitCount) { try tally.add(Samples.result(spec, index: index)) }
            return tally
        }
        let reference = try merged(perUnit: 1_000) { Array(0..<$0) }
        #expect(reference.historyCount == 1_000)
        #expect(try merged(perUnit: 100) { Array(0..<$0) } == reference)
        #expect(try merged(perUnit: 70) { Array((0..<$0).reversed()) } == reference)
        #expect(try merged(perUnit: 7) { n in (0..<n).map { ($0 * 37) % n } } == reference)
        #expect(reference.energySum.contains { $0 > 0 })
        #expect(try merged(perUnit: 1_000) { Array(0..<$0) } != MergedTally(layout: Samples.layout))
    }

    @Test("A different seed gives different tallies")
    func seedMatters() {
        #expect(Samples.result(Samples.spec(seed: 1), index: 0) != Samples.result(Samples.spec(seed: 2), index: 0))
    }

    @Test("An overflowing merge throws and leaves the tally unchanged")
    func overflow() throws {
        let layout = Samples.layout
        let big = UnitResult(
            key: UnitKey(jobID: 1, index: 0), historyCount: 1,
            slabs: [SlabTally(slab: 0, voxels: [0, 5], energySum: [1, .max], energySquaredSum: [1, 1])])
        var tally = MergedTally(layout: layout)
        try tally.add(big)
        let before = tally
        #expect(throws: ClusterError.self) { try tally.add(big) }
        #expect(tally == before)
    }

    @Test("A sparse job result equals the dense tally it was built from, and adds as the dense one does")
    func sparseResultEqualsDense() throws {
        let spec = Samples.spec(histories: 1_000, perUnit: 100)
        var dense = MergedTally(layout: spec.layout)
        for index in 0..<4 { try dense.add(Samples.result(spec, index: index)) }
        // Sums with high halves set, at a slab's last voxel and the grid's last: every byte of the layout counts.
        try dense.add(
            UnitResult(
                key: UnitKey(jobID: 1, index: 9), historyCount: 1,
                slabs: [
                    SlabTally(
                        slab: 0, voxels: [UInt32(spec.layout.voxels(ofSlab: 0).count - 1)], energySum: [.max - 1],
                        energySquaredSum: [UInt128(UInt64.max) << 64 | 7]),
                    SlabTally(
                        slab: UInt32(spec.layout.slabCount - 1),
                        voxels: [UInt32(spec.layout.voxels(ofSlab: spec.layout.slabCount - 1).count - 1)],
                        energySum: [3], energySquaredSum: [9]),
                ]))
        let sparse = SparseTally(dense)
        #expect(sparse.historyCount == dense.historyCount)
        #expect(MergedTally(sparse) == dense)
        var visited: [Int] = []
        sparse.forEachVoxel { voxel, sum, square in
            visited.append(voxel)
            #expect(sum == dense.energySum[voxel] && square == dense.energySquaredSum[voxel])
        }
        #expect(visited == dense.energySum.indices.filter { dense.energySum[$0] != 0 || dense.energySquaredSum[$0] != 0 })
        // Added to a tally holding other units: the same as adding the dense tally.
        var viaSparse = MergedTally(layout: spec.layout)
        try viaSparse.add(Samples.result(spec, index: 7))
        var viaDense = viaSparse
        try viaSparse.add(sparse)
        try viaDense.add(dense)
        #expect(viaSparse == viaDense)
        // An empty tally has no frames.
        #expect(SparseTally(MergedTally(layout: spec.layout)).byteCount == 0)
        // Overflow: refused whole, the tally unchanged.
        let before = viaSparse
        #expect(throws: ClusterError.self) { try viaSparse.add(sparse) }
        #expect(viaSparse == before)
    }

    @Test("Slab tallies built from listed nonzero voxels equal those from dense columns")
    func sparseBuild() throws {
        let layout = Samples.layout
        var rng = SplitMix64(seed: 3, history: 0)
        // Every slab boundary, the grid's first and last voxel, and random voxels in between.
        var voxels = Set([0, layout.voxelCount - 1])
        for slab in 0..<layout.slabCount { voxels.formUnion([layout.voxels(ofSlab: slab).lowerBound, layout.voxels(ofSlab: slab).upperBound - 1]) }
        for _ in 0..<60 { voxels.insert(Int(rng.next(below: UInt64(layout.voxelCount)))) }
        var sums = [UInt64](repeating: 0, count: layout.voxelCount)
        var squares = [UInt128](repeating: 0, count: layout.voxelCount)
        var builder = SlabTallyBuilder(layout: layout)
        for v in voxels.sorted() {
            sums[v] = 1 + rng.next(below: 1000)
            squares[v] = UInt128(sums[v]) * UInt128(sums[v])
            builder.append(voxel: v, energySum: sums[v], energySquaredSum: squares[v])
        }
        let key = UnitKey(jobID: 1, index: 0)
        let dense = UnitResult(key: key, historyCount: 100, layout: layout, energySum: sums, energySquaredSum: squares)
        #expect(UnitResult(key: key, historyCount: 100, slabs: builder.finish()) == dense)
        #expect(dense.slabs.count == layout.slabCount)
        try dense.validate(for: Samples.spec())
    }

    @Test("Results that do not fit their job are refused")
    func validation() {
        let spec = Samples.spec()
        let key = UnitKey(jobID: 1, index: 0)
        func slab(_ slab: UInt32, _ voxels: [UInt32]) -> SlabTally {
            SlabTally(
                slab: slab, voxels: voxels, energySum: voxels.map { _ in 1 }, energySquaredSum: voxels.map { _ in 1 })
        }
        let bad: [UnitResult] = [
            UnitResult(key: key, historyCount: 99, slabs: []),
            UnitResult(key: key, historyCount: 100, slabs: [slab(4, [0])]),
            UnitResult(key: key, historyCount: 100, slabs: [slab(0, [3, 2])]),
            UnitResult(key: key, historyCount: 100, slabs: [slab(0, [144])]),
            UnitResult(key: key, historyCount: 100, slabs: [slab(1, [0]), slab(0, [0])]),
        ]
        for result in bad { #expect(throws: ClusterError.self) { try result.validate(for: spec) } }
        // The last slab is one plane thick (10 planes in slabs of 3): 48 voxels.
        #expect(throws: Never.self) { try UnitResult(key: key, historyCount: 100, slabs: [slab(3, [47])]).validate(for: spec) }
        #expect(throws: ClusterError.self) { try UnitResult(key: key, historyCount: 100, slabs: [slab(3, [48])]).validate(for: spec) }
    }

    @Test("The weight map input changes the deposits and must match the grid")
    func weightInput() throws {
        let weights = [UInt8](repeating: 1, count: Samples.layout.voxelCount)
        let digest = ContentDigest(of: weights)
        let spec = Samples.spec(inputs: [digest])
        let weighted = try SyntheticWorkload().execute(Samples.unit(spec, index: 0), inputs: [digest: weights], threads: 1)
        let plain = Samples.result(Samples.spec(), index: 0)
        #expect(weighted.slabs.map(\.voxels) == plain.slabs.map(\.voxels))
        #expect(weighted.slabs.flatMap(\.energySum) == plain.slabs.flatMap(\.energySum).map { $0 * 2 })
        #expect(throws: ClusterError.self) {
            try SyntheticWorkload().execute(Samples.unit(spec, index: 0), inputs: [digest: [1]], threads: 1)
        }
    }

    @Test("Fixed point: one quantum is 2⁻²⁴ MeV")
    func quantum() {
        #expect(EnergyQuantum.quanta(fromMeV: 1) == 1 << 24)
        #expect(EnergyQuantum.megaelectronvolts(3 << 23) == 1.5)
    }

    @Test("SHA-256 content digests match the FIPS 180-2 example")
    func digest() {
        // FIPS 180-2, appendix B.1: SHA-256("abc").
        #expect(
            ContentDigest(of: Array("abc".utf8)).description
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}

/// `UInt128.nearestDouble` is the standard library's conversion, bit for bit, where rounding decides.
@Suite struct NearestDoubleTests {
    @Test func edgeValuesAndTies() {
        let one: UInt128 = 1
        var values: [UInt128] = [0, 1, UInt128(UInt64.max), one << 64, (one << 64) + 1, (one << 64) - 1, .max, .max - 1]
        for shift in [11, 12, 40, 64, 65, 74] {
            let base = ((one << 53) + 1) << shift  // odd 53-bit significand: a tie rounds up to even
            values += [base, base + (one << (shift - 1)), base + (one << (shift - 1)) + 1,
                       base + (one << (shift - 1)) - 1, base - (one << (shift - 1)), (one << (53 + shift)) + (one << (shift - 1))]
        }
        for x in values { #expect(x.nearestDouble == Double(x), "\(x)") }
    }

    @Test func randomValuesOfEveryLength() {
        var rng = SplitMix64(seed: 20_261_130, history: 0)
        for _ in 0..<100_000 {
            let x = (UInt128(rng.next()) << 64 | UInt128(rng.next())) >> (rng.next() >> 57)
            #expect(x.nearestDouble == Double(x), "\(x)")
        }
    }
}
