// Cluster benchmarks: ratios measured in one run on one machine (`make bench`), never timed tests.
// Prints a Markdown table; benchmarks/RESULTS.md records a run.
import Cluster
import Dispatch
import Foundation
import Logging

/// Wall-clock seconds of `body`, best of `repeats` (the least disturbed run on a shared machine).
func seconds(repeats: Int = 3, _ body: () throws -> Void) rethrows -> Double {
    var best = Double.infinity
    for _ in 0..<repeats {
        let start = ContinuousClock.now
        try body()
        let elapsed = ContinuousClock.now - start
        best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    return best
}

func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6 + Double(usage.ru_stime.tv_sec)
        + Double(usage.ru_stime.tv_usec) * 1e-6
}

/// The sections to run: all, or those named on the command line (merge, stopfigure, coordinator, scaling, decomposed).
let sections = Set(CommandLine.arguments.dropFirst())
func wanted(_ section: String) -> Bool { sections.isEmpty || sections.contains(section) }

var rows: [(String, String)] = []
@MainActor func report(_ name: String, _ value: String) {
    rows.append((name, value))
    FileHandle.standardError.write(Data("\(name): \(value)\n".utf8))
}

// MARK: - Merge throughput vs memory copy

if wanted("merge") {
    // A thorax-sized grid (128 × 128 × 96), units touching 10 % of the voxels.
    let layout = try SlabLayout(countX: 128, countY: 128, countZ: 96, planesPerSlab: 8)
    var results: [UnitResult] = []
    for unit in 0..<8 {
        var slabs: [SlabTally] = []
        for slab in 0..<layout.slabCount {
            let size = layout.voxels(ofSlab: slab).count
            let voxels = stride(from: UInt32(unit), to: UInt32(size), by: 10).map { $0 }
            slabs.append(
                SlabTally(
                    slab: UInt32(slab), voxels: voxels, energySum: voxels.map { UInt64($0) &* 977 },
                    energySquaredSum: voxels.map { UInt128($0) &* 12_345 }))
        }
        results.append(UnitResult(key: UnitKey(jobID: 1, index: UInt32(unit)), historyCount: 1, slabs: slabs))
    }
    let bytes = results.reduce(0) { $0 + $1.slabs.reduce(0) { $0 + $1.voxels.count * 28 } }
    var tally = MergedTally(layout: layout)
    let merge = try seconds {
        tally = MergedTally(layout: layout)
        for result in results { try tally.add(result) }
    }
    let source = [UInt8](repeating: 1, count: bytes)
    var destination = [UInt8](repeating: 0, count: bytes)
    let copy = seconds(repeats: 5) {
        destination.withUnsafeMutableBytes { d in source.withUnsafeBytes { d.copyMemory(from: $0) } }
    }
    report("merge throughput (sparse results into a 128×128×96 tally)", String(format: "%.2f GB/s", Double(bytes) / merge / 1e9))
    report("memory copy of the same bytes", String(format: "%.2f GB/s", Double(bytes) / copy / 1e9))
    report("merge / memory copy", String(format: "%.3f", copy / merge))

    let encode = seconds { for result in results { _ = WireCodec.encode(.result(result)) } }
    let frames = results.map { WireCodec.encode(.result($0)) }
    let decode = try seconds { for message in frames { _ = try WireCodec.decode(message) } }
    report("RESULT encode", String(format: "%.2f GB/s", Double(bytes) / encode / 1e9))
    report("RESULT decode (validating)", String(format: "%.2f GB/s", Double(bytes) / decode / 1e9))
}

// MARK: - The stop figure's UInt128 → Double conversion

if wanted("stopfigure") {
    // Σe² of a thorax-sized grid (128 × 128 × 96) above 2⁶⁴, as after millions of histories.
    let layout = try SlabLayout(countX: 128, countY: 128, countZ: 96, planesPerSlab: 8)
    let count = layout.voxelCount
    var rng = SplitMix64(seed: 77, history: 0)
    let sums = (0..<count).map { _ in rng.next() >> 8 }
    let squares = sums.map { UInt128($0) &* UInt128($0 >> 20 | 1) }
    var checksum = 0.0
    let generic = seconds { checksum += squares.reduce(0) { $0 + Double($1) } }
    let nearest = seconds { checksum -= squares.reduce(0) { $0 + $1.nearestDouble } }
    let tally = MergedTally(layout: layout, historyCount: 1_000_000, energySum: sums, energySquaredSum: squares)
    let figure = seconds { checksum += tally.meanRelativeUncertainty(aboveFraction: 0.5, weights: nil, groups: 1) }
    report("Σe² → Double, \(count) voxels: Double(UInt128) / nearestDouble",
           String(format: "%.3f s / %.4f s (%.0f×)", generic, nearest, generic / nearest))
    report("stop figure on that grid (one round)", String(format: "%.3f s (checksum %.3g)", figure, checksum))
}

// MARK: - Coordinator cost per unit with 1 000 simulated workers

if wanted("coordinator") {
    let layout = try SlabLayout(countX: 64, countY: 64, countZ: 64, planesPerSlab: 4)
    let spec = JobSpec(workload: "synthetic", layout: layout, seed: 1, historyCount: 200_000, historiesPerUnit: 1)
    // One unit per assignment (no spans), so that every unit costs one ASSIGN and one RESULT.
    var policy = LivenessPolicy.standard
    policy.targetAssignmentDuration = nil
    var coordinator = Coordinator(policy: policy)
    let workers = (0..<1_000).map { PeerID(withUnsafeBytes(of: UInt32($0 + 1).bigEndian) { Array($0) }) }
    let hello = WorkerHello(name: "sim", threads: 1, workloads: ["synthetic"])
    // One small slab tally per result: the cost measured is the coordinator's, not the merge's.
    let slab = SlabTally(slab: 0, voxels: [1, 2, 3], energySum: [1, 2, 3], energySquaredSum: [1, 4, 9])
    var clock: Duration = .zero
    var queue: [(PeerID, WireMessage)] = workers.map { ($0, .ready(hello)) }
    queue.append((PeerID([0]), .submit(requestID: 1, spec: spec, inputs: [])))
    var handled = 0
    let cpuStart = cpuSeconds()
    let wall = seconds(repeats: 1) {
        var head = 0
        while head < queue.count {
            let (peer, message) = queue[head]
            head += 1
            clock += .microseconds(1)
            let frames = WireCodec.encode(message)  // the loop's decode is part of the cost
            guard let decoded = try? WireCodec.decode(frames) else { continue }
            for action in coordinator.received(decoded, from: peer, at: clock) {
                if case .send(.assign(let unit), let to) = action {
                    queue.append((to, .result(UnitResult(key: unit.key, historyCount: 1, slabs: [slab]))))
                }
            }
            handled += 1
            if handled % 1_000 == 0 { _ = coordinator.tick(at: clock) }
            if head > 100_000 {
                queue.removeFirst(head)
                head = 0
            }
        }
    }
    let cpu = cpuSeconds() - cpuStart
    let units = coordinator.jobs[1]!.unitsDone
    report("coordinator: units merged with 1 000 simulated workers", "\(units) in \(String(format: "%.2f", wall)) s")
    report("coordinator: units per second (one core)", String(format: "%.0f", Double(units) / wall))
    report("coordinator: CPU per unit (decode + state machine)", String(format: "%.1f µs", cpu / Double(units) * 1e6))
}

// MARK: - Scaling: 1 vs 2 embedded workers on a CPU-bound synthetic job

if wanted("scaling") {
    // Long enough that start-up and the last unit's tail are small next to the job (≈ 20 s per worker
    // with 2 workers on an idle machine); PENUMBRA_BENCH_SCALING_HISTORIES / _PAIRS shorten it.
    let environment = ProcessInfo.processInfo.environment
    let histories = environment["PENUMBRA_BENCH_SCALING_HISTORIES"].flatMap { UInt64($0) } ?? 80_000_000
    let pairs = max(1, environment["PENUMBRA_BENCH_SCALING_PAIRS"].flatMap { Int($0) } ?? 3)
    let layout = try SlabLayout(countX: 64, countY: 64, countZ: 64, planesPerSlab: 8)
    let spec = JobSpec(workload: SyntheticWorkload.name, layout: layout, seed: 7, historyCount: histories, historiesPerUnit: 100_000)
    var logger = Logger(label: "bench")
    logger.logLevel = .error

    // The ceiling: the same histories computed by the workload alone on 1 and on 2 threads.
    let direct = WorkUnit(key: UnitKey(jobID: 1, index: 0), attempt: 0, spec: spec, histories: 0..<histories / 4)
    let aloneOne = try seconds(repeats: 1) { _ = try SyntheticWorkload().execute(direct, inputs: [:], threads: 1) }
    let aloneTwo = try seconds(repeats: 1) { _ = try SyntheticWorkload().execute(direct, inputs: [:], threads: 2) }
    report(
        "workload alone (no cluster), \(histories / 4) histories, 1 / 2 threads",
        String(format: "%.2f / %.2f s = %.2f×", aloneOne, aloneTwo, aloneOne / aloneTwo))

    let executor = TimedExecutor(SyntheticWorkload())
    /// One job on a fresh embedded cluster: its timeline, process and coordinator-thread CPU, tally.
    func run(workers: Int) throws -> (timeline: Timeline, cpu: Double, coordinatorCPU: Double, tally: MergedTally) {
        let cluster = try EmbeddedCluster(workers: workers, executor: executor, logger: logger)
        defer { cluster.shutdown() }
        let client = try ClusterClient(context: cluster.context, endpoint: cluster.endpoint, timeout: .seconds(60))
        let cpuStart = cpuSeconds()
        executor.reset()
        let job = try client.submit(spec)
        _ = try client.wait(jobID: job, every: .milliseconds(5))
        let wall = executor.now()
        let cpu = cpuSeconds() - cpuStart
        let coordinatorCPU = threadCPUSeconds(named: "penumbra-coord")
        let tally = MergedTally(try client.fetch(jobID: job).tally)
        return (Timeline(runs: executor.recorded, wall: wall, lanes: workers), cpu, coordinatorCPU, tally)
    }
    // wall₁ / wall₂ = 2 × (share₂ / share₁) × (rate₂ / rate₁) exactly, with share the fraction of worker
    // time spent computing and rate the histories per computing second of one worker: the first factor
    // is the cluster's (assignment gaps, start-up, tail), the second the machine's (what a second busy
    // core costs the first: other load, shared caches and memory).
    var speedUps: [Double] = [], clusterFactors: [Double] = [], machineFactors: [Double] = []
    var identical = true
    for pair in 1...pairs {
        let load = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first ?? "?"
        let one = try run(workers: 1)
        let two = try run(workers: 2)
        identical = identical && one.tally == two.tally
        speedUps.append(one.timeline.wall / two.timeline.wall)
        for (workers, r) in [(1, one), (2, two)] {
            let t = r.timeline
            report(
                "pair \(pair) (load \(load)), \(workers) worker(s)",
                String(
                    format: "%.2f s wall, %.2f CPU-s (coordinator thread %.2f); %d assignments; of worker time: computing %@, start-up %@, gaps %@, tail %@; %.0f histories per computing second per worker",
                    t.wall, r.cpu, r.coordinatorCPU, t.assignments, t.share(t.busy), t.share(t.startup), t.share(t.gaps),
                    t.share(t.tail), Double(t.histories) / t.busy))
        }
        let share = { (t: Timeline) in t.busy / (t.wall * Double(t.lanes)) }
        let rate = { (t: Timeline) in Double(t.histories) / t.busy }
        clusterFactors.append(2 * share(two.timeline) / share(one.timeline))
        machineFactors.append(rate(two.timeline) / rate(one.timeline))
        report(
            "pair \(pair): speed-up 2 workers / 1 worker (wall) = cluster × machine",
            String(format: "%.2f× = %.3f × %.3f", speedUps.last!, clusterFactors.last!, machineFactors.last!))
    }
    func median(_ values: [Double]) -> String {
        let sorted = values.sorted()
        return String(format: "%.3f (%@)", sorted[sorted.count / 2], sorted.map { String(format: "%.3f", $0) }.joined(separator: ", "))
    }
    report("speed-up 2 workers / 1 worker (2 cores, wall), median of \(pairs) pairs of \(histories) histories", median(speedUps))
    report("its cluster factor: 2 × computing share with 2 workers / with 1 (the speed-up at equal per-worker pace)", median(clusterFactors))
    report("its machine factor: histories per computing second of a worker, 2 workers / 1", median(machineFactors))
    report("tallies of 1 and 2 workers bit-identical", identical ? "yes" : "NO")
}

// MARK: - Replicated vs decomposed: network bytes and per-worker memory on a thorax-sized grid

if wanted("decomposed") { try measureDecomposedTraffic(histories: 20_000, slabs: 4, threads: 2) }

print("| measurement | value |")
print("|---|---|")
for (name, value) in rows { print("| \(name) | \(value) |") }
