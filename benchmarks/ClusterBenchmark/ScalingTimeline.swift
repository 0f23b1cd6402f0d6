// Where the wall-clock time of an embedded cluster job goes: each unit's run on a worker is timed, so
// a run splits into start-up (submit → first unit), computing, gaps between a worker's units (result
// → merge → next assignment) and the tail (a worker's last unit → job done).
import Cluster
import Foundation
import Synchronization

/// One execution of a span on a worker, in seconds since the job was submitted.
struct UnitRun: Sendable {
    var start: Double
    var end: Double
    var histories: UInt64
}

/// Wraps an executor and records when each execution started and ended.
final class TimedExecutor: UnitExecutor {
    private let inner: any UnitExecutor
    private let origin = Mutex(ContinuousClock.now)
    private let runs = Mutex<[UnitRun]>([])

    init(_ inner: any UnitExecutor) { self.inner = inner }

    var workloads: [String] { inner.workloads }

    /// Forgets the recorded runs and starts the clock again (call just before submitting).
    func reset() {
        origin.withLock { $0 = .now }
        runs.withLock { $0 = [] }
    }

    /// Seconds since `reset`.
    func now() -> Double { inSeconds(origin.withLock { $0 }.duration(to: .now)) }

    /// The runs recorded since `reset`, by start.
    var recorded: [UnitRun] { runs.withLock { $0 }.sorted { $0.start < $1.start } }

    func execute(_ unit: WorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> UnitResult {
        let start = now()
        let result = try inner.execute(unit, inputs: inputs, threads: threads)
        let end = now()
        runs.withLock { $0.append(UnitRun(start: start, end: end, histories: UInt64(unit.histories.count))) }
        return result
    }
}

func inSeconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

/// A job's wall time split per worker lane (runs dealt to lanes greedily: each run to the lane that
/// went free last before it started; with one unit per worker at a time that recovers the workers).
struct Timeline {
    var wall: Double
    var lanes: Int
    /// Summed over lanes, seconds.
    var startup = 0.0, busy = 0.0, gaps = 0.0, tail = 0.0
    var assignments = 0
    var histories: UInt64 = 0

    init(runs: [UnitRun], wall: Double, lanes: Int) {
        self.wall = wall
        self.lanes = lanes
        var ends: [Double?] = Array(repeating: nil, count: lanes)
        for run in runs {
            let free = ends.indices.filter { (ends[$0] ?? 0) <= run.start + 1e-6 }
            let lane = free.max { (ends[$0] ?? -1) < (ends[$1] ?? -1) } ?? ends.indices.min { (ends[$0] ?? 0) < (ends[$1] ?? 0) }!
            if let end = ends[lane] { gaps += max(0, run.start - end) } else { startup += run.start }
            busy += run.end - run.start
            ends[lane] = run.end
            assignments += 1
            histories += run.histories
        }
        for end in ends { tail += wall - (end ?? 0) }
    }

    /// Fractions of the lanes' total time (wall × lanes).
    func share(_ part: Double) -> String { String(format: "%.1f %%", 100 * part / (wall * Double(lanes))) }
}

/// CPU seconds of this process's threads whose name starts with `prefix` (Linux /proc; threads that
/// have ended are not counted).
func threadCPUSeconds(named prefix: String) -> Double {
    let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
    let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    var total = 0.0
    for task in tasks {
        guard let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8),
            name.hasPrefix(prefix),
            let stat = try? String(contentsOfFile: "/proc/self/task/\(task)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { continue }
        // Fields after the command name: state is field 3, utime 14, stime 15.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { continue }
        total += (user + system) / ticks
    }
    return total
}
