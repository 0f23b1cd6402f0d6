/// The key of one unit of a decomposed job: slab `slab` of round `round` of batch `batch`. A result is
/// merged at most once per key, whoever computed it.
public struct SlabUnitKey: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The job.
    public let jobID: UInt64
    /// The batch of histories.
    public let batch: UInt32
    /// The round within the batch (0: the source histories entering the slab).
    public let round: UInt32
    /// The slab.
    public let slab: UInt32

    /// Creates a key.
    public init(jobID: UInt64, batch: UInt32, round: UInt32, slab: UInt32) {
        self.jobID = jobID
        self.batch = batch
        self.round = round
        self.slab = slab
    }

    public static func < (a: SlabUnitKey, b: SlabUnitKey) -> Bool {
        (a.jobID, a.batch, a.round, a.slab) < (b.jobID, b.batch, b.round, b.slab)
    }

    public var description: String { "job \(jobID) batch \(batch) round \(round) slab \(slab)" }
}

/// One unit of a decomposed job as a worker receives it (ASSIGN_SLAB): transport, in one slab, the
/// particles of `banks` (round > 0) or the source particles of `histories` that enter the slab
/// (round 0), and return the slab's energy and the particles that leave it.
public struct SlabWorkUnit: Hashable, Sendable {
    /// Which unit.
    public let key: SlabUnitKey
    /// How many times it was handed out before.
    public let attempt: UInt32
    /// The job (its `decomposition` is set).
    public let spec: JobSpec
    /// The batch's histories (round 0 starts those entering the slab; all rounds need them to check banks).
    public let histories: Range<UInt64>
    /// The incoming particle banks, content-addressed, in the order the coordinator routed them.
    public let banks: [ContentDigest]

    /// Creates a unit.
    public init(key: SlabUnitKey, attempt: UInt32, spec: JobSpec, histories: Range<UInt64>, banks: [ContentDigest]) {
        self.key = key
        self.attempt = attempt
        self.spec = spec
        self.histories = histories
        self.banks = banks
    }

    /// The slab's planes.
    public var planes: Range<Int> {
        spec.decomposition!.planes(ofSlab: Int(key.slab), planeCount: Int(spec.layout.countZ))
    }

    /// The digest of the slab's own input (its part of the phantom).
    public var slabInput: ContentDigest { spec.inputs[Int(spec.decomposition!.slabInputs[Int(key.slab)])] }

    /// Every blob the unit needs: the job's common inputs, the slab's input, then the banks.
    public var inputs: [ContentDigest] { spec.decomposition!.commonInputs(of: spec) + [slabInput] + banks }
}
