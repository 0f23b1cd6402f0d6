/// A job's stop by target uncertainty: the job ends at the first *checkpoint* where the mean relative
/// 1σ uncertainty over voxels above `doseFraction` of the maximum dose is at most `relativeUncertainty`
/// (the DOSXYZnrc convention, e.g. "1 % in voxels above 50 % of D_max"), or when its history count is
/// spent.
///
/// Checkpoints keep the result bit-reproducible (DESIGN.md invariant 1): the stop is decided only when
/// the whole prefix of units `0..<checkpoint(k)` is merged, checkpoint(k) = `firstCheckpointUnits` · 2ᵏ
/// (capped at the unit count). The merged tally of that prefix does not depend on workers or timing,
/// so neither does the decision, and the committed units are exactly a prefix fixed by seed and rule.
/// Results of units past the checkpoint being decided are held apart and dropped if the job stops.
///
/// The coordinator knows no physics: "dose" is energy times a per-voxel weight (an input of the job:
/// one little-endian `Float32` per voxel, e.g. 1/mass, or all ones when absent). A grid may stack
/// `groups` equal blocks of z planes that partition the histories (e.g. one per beam, each history
/// tallying into one block); the dose is then the weighted sum over groups, and Σx² adds w²·Σe² (exact
/// when every history deposits into one group only).
public struct UncertaintyTarget: Hashable, Sendable {
    /// The target mean relative 1σ uncertainty, e.g. 0.01.
    public var relativeUncertainty: Double
    /// Voxels above this fraction of the maximum dose are averaged, e.g. 0.5.
    public var doseFraction: Double
    /// Units in the first checkpoint; later checkpoints double.
    public var firstCheckpointUnits: UInt32
    /// Index in `JobSpec.inputs` of the per-voxel weights, or nil for weight 1.
    public var weightsInput: UInt16?
    /// Stacked z-blocks of the grid summed into one dose (1: no stacking).
    public var groups: UInt32

    /// Creates a target (check it with `JobSpec.validate()`).
    public init(
        relativeUncertainty: Double, doseFraction: Double = 0.5, firstCheckpointUnits: UInt32,
        weightsInput: UInt16? = nil,
        groups: UInt32 = 1
    ) {
        self.relativeUncertainty = relativeUncertainty
        self.doseFraction = doseFraction
        self.firstCheckpointUnits = firstCheckpointUnits
        self.weightsInput = weightsInput
        self.groups = groups
    }

    /// The first checkpoint of a job of `unitCount` units, in units.
    public func firstCheckpoint(unitCount: Int) -> Int { min(Int(firstCheckpointUnits), unitCount) }

    /// The checkpoint after checkpoint `units`: twice as many units, capped at the unit count.
    public func checkpoint(after units: Int, unitCount: Int) -> Int { min(units * 2, unitCount) }

    func validate(in spec: JobSpec) throws(ClusterError) {
        guard relativeUncertainty > 0, relativeUncertainty < 1 else {
            throw .invalidJob("target uncertainty must be in (0, 1), got \(relativeUncertainty)")
        }
        guard doseFraction >= 0, doseFraction < 1 else {
            throw .invalidJob("dose fraction must be in [0, 1), got \(doseFraction)")
        }
        guard firstCheckpointUnits > 0 else { throw .invalidJob("the first checkpoint needs at least one unit") }
        guard groups > 0, spec.layout.countZ % groups == 0 else {
            throw .invalidJob("\(groups) groups do not divide the grid's \(spec.layout.countZ) z planes")
        }
        if let weightsInput, Int(weightsInput) >= spec.inputs.count {
            throw .invalidJob("weights input \(weightsInput) but the job has \(spec.inputs.count) inputs")
        }
    }
}
