import Prometheus

/// The coordinator's Prometheus metrics (swift-prometheus registry, text exposition format 0.0.4),
/// fed by its socket loop and served by `MetricsServer`. Counters only grow; rates (histories per
/// second, units per second) are `rate()` of them in Prometheus, and the loop also keeps a gauge of the
/// histories merged per second over its last few seconds for dashboards without PromQL.
public final class CoordinatorMetrics: Sendable {
    /// The registry the exposition is rendered from.
    public let registry = PrometheusCollectorRegistry()
    let unitsDone: Counter
    let unitsFailed: Counter
    let unitsReassigned: Counter
    let resultsIgnored: Counter
    let framesRefused: Counter
    let historiesMerged: Counter
    let jobsFinished: Counter
    let workersAlive: Gauge
    let jobsRunning: Gauge
    let historiesPerSecond: Gauge
    let mergeSeconds: DurationHistogram
    let commitSeconds: DurationHistogram

    /// A registry with every metric at zero.
    public init() {
        unitsDone = registry.makeCounter(
            name: "penumbra_units_done_total", help: "Work units merged into a job's tally.")
        unitsFailed = registry.makeCounter(
            name: "penumbra_units_failed_total", help: "Assignments a worker reported failed or returned invalid.")
        unitsReassigned = registry.makeCounter(
            name: "penumbra_units_reassigned_total", help: "Assignments put back in the queue (worker lost or failed).")
        resultsIgnored = registry.makeCounter(
            name: "penumbra_results_ignored_total", help: "Duplicate or late results ignored (never merged twice).")
        framesRefused = registry.makeCounter(
            name: "penumbra_frames_refused_total", help: "Undecodable or unexpected messages refused.")
        historiesMerged = registry.makeCounter(
            name: "penumbra_histories_merged_total", help: "Histories merged into jobs' tallies.")
        jobsFinished = registry.makeCounter(
            name: "penumbra_jobs_finished_total", help: "Jobs completed, cancelled or failed.")
        workersAlive = registry.makeGauge(name: "penumbra_workers_alive", help: "Workers connected and heard from.")
        jobsRunning = registry.makeGauge(name: "penumbra_jobs_running", help: "Jobs with units left to run.")
        historiesPerSecond = registry.makeGauge(
            name: "penumbra_histories_per_second", help: "Histories merged per second over the last 5 s or more.")
        let buckets: [Duration] = [
            .microseconds(100), .milliseconds(1), .milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10),
        ]
        mergeSeconds = registry.makeDurationHistogram(
            name: "penumbra_merge_seconds", buckets: buckets,
            help: "Time to validate and merge one result into its job's tally.")
        commitSeconds = registry.makeDurationHistogram(
            name: "penumbra_commit_seconds", buckets: buckets,
            help: "Time to commit one result to the job store (SQLite).")
    }

    /// The exposition text.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }

    /// Counts one event.
    func record(_ event: ClusterEvent) {
        switch event {
        case .unitRequeued, .slabUnitRequeued: unitsReassigned.increment()
        case .unitFailed, .resultRejected, .slabUnitFailed, .slabResultRejected: unitsFailed.increment()
        case .duplicateResultIgnored, .duplicateSlabResultIgnored: resultsIgnored.increment()
        case .frameRefused: framesRefused.increment()
        case .jobFinished: jobsFinished.increment()
        case .workerJoined, .workerLost, .workerRefused, .jobSubmitted: break
        }
    }
}
