import Foundation

/// The synthetic workload's decomposed units: the same shape as decomposed transport without physics,
/// for tests and benchmarks of the rounds. A history is a walker that starts in a random plane and
/// takes 1–8 steps, depositing at each; a step into another slab banks the walker for that slab; a
/// step out of the grid ends it. Each step draws from its own stream keyed by (seed, history, step),
/// so a walker deposits the same energies whichever slab, round or worker runs it.
///
/// Each slab's input is one weight byte per voxel of the slab: a deposit is multiplied by
/// (1 + weight), so a unit given the wrong slab's input gives a wrong tally. Banks are `SYBK` then
/// 28-byte records: history (UInt64), step, steps, x, y, z (UInt32 each), little-endian.
extension SyntheticWorkload {
    /// One walker.
    struct Walker: Hashable, Sendable {
        var history: UInt64
        var step: UInt32
        var steps: UInt32
        var x: Int, y: Int, z: Int

        /// Where history `history` starts.
        init(history: UInt64, seed: UInt64, layout: SlabLayout) {
            var rng = SplitMix64(seed: seed, history: history)
            let nx = UInt64(layout.countX), ny = UInt64(layout.countY)
            self.history = history
            step = 0
            x = Int((rng.next(below: nx) + rng.next(below: nx)) / 2)
            y = Int((rng.next(below: ny) + rng.next(below: ny)) / 2)
            z = Int(rng.next(below: UInt64(layout.countZ)))
            steps = 1 + UInt32(rng.next(below: 8))
        }

        init(history: UInt64, step: UInt32, steps: UInt32, x: Int, y: Int, z: Int) {
            self.history = history
            self.step = step
            self.steps = steps
            self.x = x
            self.y = y
            self.z = z
        }

        /// Walks while in `planes`, calling `deposit(voxel, quanta)`; returns false when the walk ended,
        /// true when the walker left `planes` (and is where it continues).
        mutating func walk(
            in planes: Range<Int>, seed: UInt64, layout: SlabLayout, deposit: (Int, UInt64) -> Void
        ) -> Bool {
            let nx = Int(layout.countX), ny = Int(layout.countY)
            while step < steps {
                guard planes.contains(z) else { return true }
                var rng = SplitMix64(seed: seed ^ (UInt64(step + 1) &* 0x9E37_79B9_7F4A_7C15), history: history)
                deposit(x + nx * (y + ny * z), rng.next() >> 38)
                switch rng.next(below: 6) {
                case 0: x = min(x + 1, nx - 1)
                case 1: x = max(x - 1, 0)
                case 2: y = min(y + 1, ny - 1)
                case 3: y = max(y - 1, 0)
                case 4: z += 1
                default: z -= 1
                }
                step += 1
                if z < 0 || z >= Int(layout.countZ) { return false }
            }
            return false
        }
    }

    static let bankMagic = Array("SYBK".utf8)

    static func encode(_ walkers: [Walker]) -> [UInt8] {
        var writer = ByteWriter(capacity: 4 + walkers.count * 28)
        writer.write(raw: bankMagic)
        for w in walkers {
            writer.write(w.history)
            for value in [w.step, w.steps, UInt32(w.x), UInt32(w.y), UInt32(w.z)] { writer.write(value) }
        }
        return writer.bytes
    }

    static func decode(_ bytes: [UInt8], planes: Range<Int>, layout: SlabLayout) throws -> [Walker] {
        guard bytes.count >= 4, Array(bytes.prefix(4)) == bankMagic, (bytes.count - 4) % 28 == 0 else {
            throw ClusterError.invalidJob("not a synthetic bank (\(bytes.count) bytes)")
        }
        var reader = ByteReader(Array(bytes.dropFirst(4)), context: "synthetic bank")
        var walkers: [Walker] = []
        while reader.remaining > 0 {
            let history = try reader.read(UInt64.self, "history")
            let v = try (0..<5).map { _ in Int(try reader.read(UInt32.self, "walker field")) }
            guard v[0] < v[1], v[1] <= 8, v[2] < Int(layout.countX), v[3] < Int(layout.countY), planes.contains(v[4]) else {
                throw ClusterError.invalidJob("synthetic walker of history \(history) does not continue in planes \(planes)")
            }
            walkers.append(Walker(history: history, step: UInt32(v[0]), steps: UInt32(v[1]), x: v[2], y: v[3], z: v[4]))
        }
        return walkers
    }

    public func execute(slab unit: SlabWorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> SlabUnitResult {
        let spec = unit.spec, layout = spec.layout
        let decomposition = spec.decomposition!
        let planes = unit.planes
        let plane = Int(layout.countX) * Int(layout.countY)
        guard let weights = inputs[unit.slabInput], weights.count == planes.count * plane else {
            throw ClusterError.invalidJob("\(unit.key): the slab input must hold one weight byte per slab voxel")
        }
        if spec.parameters.count == 4 {
            let delayMS = spec.parameters.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) }
            Thread.sleep(forTimeInterval: Double(delayMS) / 1_000)
        }
        var walkers: [Walker] = []
        if unit.key.round == 0 {
            walkers = unit.histories.map { Walker(history: $0, seed: spec.seed, layout: layout) }.filter { planes.contains($0.z) }
        } else {
            for digest in unit.banks {
                walkers += try Self.decode(inputs[digest] ?? [], planes: planes, layout: layout)
            }
        }
        let base = planes.lowerBound * plane
        var energy = [UInt64](repeating: 0, count: planes.count * plane)
        var outgoing: [Int: [Walker]] = [:]
        for var walker in walkers {
            let left = walker.walk(in: planes, seed: spec.seed, layout: layout) { voxel, quanta in
                energy[voxel - base] += quanta * (1 + UInt64(weights[voxel - base]))
            }
            if left, let slab = decomposition.slab(ofPlane: walker.z, planeCount: Int(layout.countZ)) {
                outgoing[slab, default: []].append(walker)
            }
        }
        let banks = outgoing.keys.sorted().map {
            SlabUnitResult.OutgoingBank(slab: UInt32($0), bytes: Self.encode(outgoing[$0]!))
        }
        return SlabUnitResult(key: unit.key, slabEnergy: energy, outgoing: banks)
    }

    /// The tally a decomposed synthetic job must end with, computed without slabs or rounds: each
    /// batch's walkers walked through the whole grid, the batches folded in order (Σ X_b, Σ X_b²).
    /// `weights` is the slab inputs concatenated (one byte per voxel of the grid).
    /// - Throws: `ClusterError.tallyOverflow` when a sum would leave its integer range.
    public static func decomposedReference(_ spec: JobSpec, weights: [UInt8], batches: Int? = nil) throws(ClusterError)
        -> MergedTally
    {
        let decomposition = spec.decomposition!
        let layout = spec.layout
        var tally = MergedTally(layout: layout)
        for b in 0..<(batches ?? Int(decomposition.batches)) {
            let histories = decomposition.histories(ofBatch: b, historyCount: spec.historyCount)
            var energy = [UInt64](repeating: 0, count: layout.voxelCount)
            for history in histories {
                var walker = Walker(history: history, seed: spec.seed, layout: layout)
                _ = walker.walk(in: 0..<Int(layout.countZ), seed: spec.seed, layout: layout) { voxel, quanta in
                    energy[voxel] += quanta * (1 + UInt64(weights[voxel]))
                }
            }
            try tally.add(batch: energy, histories: UInt64(histories.count))
        }
        return tally
    }
}
