/// What a client asks the cluster to compute: one value, validated once (`validate()`), then
/// shipped to every worker inside its ASSIGN.
///
/// Histories are numbered `0..<historyCount`; each history's random stream depends only on
/// (`seed`, history index), so the merged tallies do not depend on how histories are cut into units.
public struct JobSpec: Hashable, Sendable {
    /// The executor that runs the units (a worker advertises the workloads it can run in READY),
    /// e.g. `"synthetic"` or `"transport"`.
    public var workload: String
    /// The tally grid and its slabs.
    public var layout: SlabLayout
    /// The seed of every history's random stream.
    public var seed: UInt64
    /// Histories in the whole job.
    public var historyCount: UInt64
    /// Histories per work unit (the last unit takes the remainder).
    public var historiesPerUnit: UInt64
    /// Larger runs first; equal priorities run in submission order.
    public var priority: Int32
    /// SHA-256 of each content-addressed input (phantom, plan), fetched by workers with BLOB_REQUEST.
    public var inputs: [ContentDigest]
    /// Opaque settings for the executor (e.g. transport options), at most 1 MiB.
    public var parameters: [UInt8]

    /// Creates a job description (check it with `validate()`).
    public init(
        workload: String, layout: SlabLayout, seed: UInt64, historyCount: UInt64, historiesPerUnit: UInt64,
        priority: Int32 = 0, inputs: [ContentDigest] = [], parameters: [UInt8] = []
    ) {
        self.workload = workload
        self.layout = layout
        self.seed = seed
        self.historyCount = historyCount
        self.historiesPerUnit = historiesPerUnit
        self.priority = priority
        self.inputs = inputs
        self.parameters = parameters
    }

    /// The most units one job may have (a job's unit states live in memory and in SQLite).
    public static let maximumUnitCount: UInt64 = 1_000_000

    /// The number of work units.
    public var unitCount: Int {
        Int(historyCount / historiesPerUnit + (historyCount % historiesPerUnit == 0 ? 0 : 1))
    }

    /// The histories of unit `index`.
    public func histories(ofUnit index: Int) -> Range<UInt64> {
        let start = UInt64(index) * historiesPerUnit
        return start..<start + min(historiesPerUnit, historyCount - start)
    }

    /// Checks the description is runnable.
    /// - Throws: `ClusterError.invalidJob` saying which field is wrong and what to use instead.
    public func validate() throws(ClusterError) {
        guard !workload.isEmpty, workload.utf8.count <= 64 else {
            throw .invalidJob("workload name must be 1–64 bytes, got '\(workload)'")
        }
        guard historyCount > 0 else { throw .invalidJob("history count must be positive") }
        guard historiesPerUnit > 0 else { throw .invalidJob("histories per unit must be positive") }
        guard historyCount / historiesPerUnit < Self.maximumUnitCount else {
            throw .invalidJob(
                "\(historyCount) histories in units of \(historiesPerUnit) make over \(Self.maximumUnitCount) units; use larger units"
            )
        }
        guard inputs.count <= WireLimits.maximumInputs else {
            throw .invalidJob("\(inputs.count) inputs, at most \(WireLimits.maximumInputs)")
        }
        guard Set(inputs).count == inputs.count else { throw .invalidJob("an input is named twice") }
        guard parameters.count <= WireLimits.maximumParameterBytes else {
            throw .invalidJob("parameters of \(parameters.count) bytes, at most \(WireLimits.maximumParameterBytes)")
        }
    }
}
