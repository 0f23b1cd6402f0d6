/// What a worker returns for one unit of a decomposed job (SLAB_RESULT): the energy its particles
/// deposited in the slab, and the particles that left it, as opaque bank blobs by destination slab.
public struct SlabUnitResult: Hashable, Sendable {
    /// Particles bound for one slab, as bytes the coordinator routes without reading them.
    ///
    /// A worker's bank has no name yet: the coordinator names it by the SHA-256 of the bytes it
    /// receives (protocol v4), and the next worker checks the bytes it fetches against that name, so a
    /// bank is hashed once per hop.
    public struct OutgoingBank: Hashable, Sendable {
        /// The destination slab.
        public let slab: UInt32
        /// The bank bytes (empty in a result restored from storage: they live in their own file).
        public let bytes: [UInt8]
        private let name: ContentDigest?

        /// Its SHA-256: the name the next round's unit fetches it by (computed here for a bank nobody
        /// named, i.e. one a worker made).
        public var digest: ContentDigest { name ?? ContentDigest(of: bytes) }

        /// A bank for `slab`, not yet named (what a worker's executor makes).
        public init(slab: UInt32, bytes: [UInt8]) {
            self.slab = slab
            self.bytes = bytes
            name = nil
        }

        /// A bank named by its digest: as the coordinator received it, or known by its digest only
        /// (restored from storage, `bytes` empty).
        init(slab: UInt32, bytes: [UInt8] = [], digest: ContentDigest) {
            self.slab = slab
            self.bytes = bytes
            name = digest
        }

        /// Same slab and bytes (and, for banks restored without their bytes, the same name).
        public static func == (a: OutgoingBank, b: OutgoingBank) -> Bool {
            a.slab == b.slab && a.bytes == b.bytes && (!a.bytes.isEmpty || a.digest == b.digest)
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(slab)
            hasher.combine(bytes)
        }
    }

    /// Which unit.
    public let key: SlabUnitKey
    /// Voxel indices within the slab (global index minus the slab's first voxel), strictly increasing.
    public let voxels: [UInt32]
    /// Energy per voxel, in quanta (`EnergyQuantum`).
    public let energySum: [UInt64]
    /// The outgoing banks, in the worker's order.
    public let outgoing: [OutgoingBank]

    /// Creates a result; `voxels` and `energySum` are parallel.
    /// - Precondition: both arrays have the same length.
    public init(key: SlabUnitKey, voxels: [UInt32], energySum: [UInt64], outgoing: [OutgoingBank]) {
        precondition(voxels.count == energySum.count)
        self.key = key
        self.voxels = voxels
        self.energySum = energySum
        self.outgoing = outgoing
    }

    /// The result of a unit that tallied into a dense array over its slab's voxels.
    public init(key: SlabUnitKey, slabEnergy: [UInt64], outgoing: [OutgoingBank]) {
        var voxels: [UInt32] = [], sums: [UInt64] = []
        for (index, energy) in slabEnergy.enumerated() where energy != 0 {
            voxels.append(UInt32(index))
            sums.append(energy)
        }
        self.init(key: key, voxels: voxels, energySum: sums, outgoing: outgoing)
    }

    /// The same result without bank bytes (what the job store keeps in its row; banks are files).
    var withoutBankBytes: SlabUnitResult {
        SlabUnitResult(
            key: key, voxels: voxels, energySum: energySum,
            outgoing: outgoing.map { OutgoingBank(slab: $0.slab, digest: $0.digest) })
    }

    /// Checks the result fits its job: voxels strictly increasing inside the slab, banks bound for
    /// other slabs of the job.
    func validate(for spec: JobSpec) throws(ClusterError) {
        guard let decomposition = spec.decomposition, Int(key.slab) < decomposition.slabCount else {
            throw .invalidSlabResult(key, "not a slab of a decomposed job")
        }
        let planes = decomposition.planes(ofSlab: Int(key.slab), planeCount: Int(spec.layout.countZ))
        let size = planes.count * Int(spec.layout.countX) * Int(spec.layout.countY)
        var previous: Int64 = -1
        for voxel in voxels {
            guard Int64(voxel) > previous, Int(voxel) < size else {
                throw .invalidSlabResult(key, "voxel \(voxel) out of order or outside a slab of \(size) voxels")
            }
            previous = Int64(voxel)
        }
        for bank in outgoing where Int(bank.slab) >= decomposition.slabCount || bank.slab == key.slab {
            throw .invalidSlabResult(key, "a bank for slab \(bank.slab) (the job has \(decomposition.slabCount) slabs; not its own)")
        }
    }
}
