/// Runs work units: what a worker plugs in. The executable plugs in the transport engine; tests
/// and benchmarks plug in `SyntheticWorkload`. The cluster never knows the physics behind it.
///
/// An executor must be deterministic: the same unit gives the same result, bit for bit, whatever
/// `threads` is, on whichever worker, however often it is retried (DESIGN.md invariant 1).
public protocol UnitExecutor: Sendable {
    /// The `JobSpec.workload` names this executor runs (advertised in READY).
    var workloads: [String] { get }

    /// Runs one unit.
    /// - Parameters:
    ///   - unit: the unit (its job description and histories).
    ///   - inputs: the job's content-addressed inputs, by digest, already verified.
    ///   - threads: how many threads to use.
    /// - Returns: the unit's per-slab tallies.
    /// - Throws: any error; the worker reports it as UNIT_FAILED and the unit is retried elsewhere.
    func execute(_ unit: WorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> UnitResult

    /// Runs one unit of a decomposed job: transports, in the unit's slab, the source particles of its
    /// batch that enter the slab (round 0) or the particles of its banks, and returns the slab's energy
    /// and the particles that left it, by destination slab. Same determinism contract as `execute`.
    /// - Parameters:
    ///   - unit: the unit (its job, slab, batch, round and incoming bank digests).
    ///   - inputs: every blob in `unit.inputs`, by digest, already verified.
    ///   - threads: how many threads to use.
    /// - Throws: any error; the worker reports it as SLAB_FAILED and the unit is retried.
    func execute(slab unit: SlabWorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> SlabUnitResult
}

extension UnitExecutor {
    /// Executors without decomposed transport refuse decomposed units.
    public func execute(slab unit: SlabWorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws
        -> SlabUnitResult
    {
        throw ClusterError.invalidJob("workload '\(unit.spec.workload)' does not run decomposed units on this worker")
    }
}
