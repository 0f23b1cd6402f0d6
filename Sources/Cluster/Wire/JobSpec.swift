/// What a client asks the cluster to compute: one value, validated once (`validate()`), then
/// shipped to every worker inside its ASSIGN.
///
/// Histories are numbered `0..<historyCount` and cut into units of `historiesPerUnit`: unit i always
/// holds the same histories, whatever else happens (the key of an exact, idempotent merge). The
/// coordinator hands out *spans* of consecutive units in one ASSIGN, longer for faster workers, so
/// that each assignment lasts seconds to a minute; since each history's random stream depends only on
/// (`seed`, history index) and tallies are integer sums, spans change the scheduling, never the result.
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
    /// Stop early once this uncertainty is reached (nil: run every history).
    public var stop: UncertaintyTarget?
    /// For a decomposed job (protocol v3): its slabs, batches and per-slab inputs; nil for a replicated
    /// job, whose units are history ranges over the whole phantom.
    public var decomposition: Decomposition?

    /// Creates a job description (check it with `validate()`).
    public init(
        workload: String, layout: SlabLayout, seed: UInt64, historyCount: UInt64, historiesPerUnit: UInt64,
        priority: Int32 = 0, inputs: [ContentDigest] = [], parameters: [UInt8] = [], stop: UncertaintyTarget? = nil,
        decomposition: Decomposition? = nil
    ) {
        self.workload = workload
        self.layout = layout
        self.seed = seed
        self.historyCount = historyCount
        self.historiesPerUnit = historiesPerUnit
        self.priority = priority
        self.inputs = inputs
        self.parameters = parameters
        self.stop = stop
        self.decomposition = decomposition
    }

    /// The most units one job may have (a job's unit states live in memory and in SQLite).
    public static let maximumUnitCount: UInt64 = 1_000_000

    /// The number of work units.
    public var unitCount: Int {
        Int(historyCount / historiesPerUnit + (historyCount % historiesPerUnit == 0 ? 0 : 1))
    }

    /// The histories of unit `index`.
    public func histories(ofUnit index: Int) -> Range<UInt64> { histories(ofUnits: index..<index + 1) }

    /// The histories of consecutive units.
    public func histories(ofUnits units: Range<Int>) -> Range<UInt64> {
        let start = UInt64(units.lowerBound) * historiesPerUnit
        let (end, overflow) = UInt64(units.upperBound).multipliedReportingOverflow(by: historiesPerUnit)
        return start..<(overflow ? historyCount : min(end, historyCount))
    }

    /// The units a span starting at unit `first` with `histories` histories covers, or nil when those
    /// histories do not end on a unit boundary (or the job's end).
    public func units(from first: Int, histories: UInt64) -> Range<Int>? {
        guard first < unitCount, histories > 0 else { return nil }
        let start = UInt64(first) * historiesPerUnit
        guard histories <= historyCount - start else { return nil }
        let end = start + histories
        guard end == historyCount || end % historiesPerUnit == 0 else { return nil }
        return first..<Int((end + historiesPerUnit - 1) / historiesPerUnit)
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
        try stop?.validate(in: self)
        try decomposition?.validate(in: self)
    }
}
