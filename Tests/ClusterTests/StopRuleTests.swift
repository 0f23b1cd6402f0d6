import Foundation
import TestSupport
import Testing

@testable import Cluster

@Suite("Stop by target uncertainty and adaptive spans (manual clock)")
struct StopRuleTests {
    /// 1 000 units of 20 histories; checkpoints at 10, 20, 40, …, 640, 1 000 units.
    static func spec(target: Double) -> JobSpec {
        var spec = Samples.spec(histories: 20_000, perUnit: 20)
        spec.stop = UncertaintyTarget(relativeUncertainty: target, firstCheckpointUnits: 10)
        return spec
    }

    static let checkpoints = [10, 20, 40, 80, 160, 320, 640, 1_000]

    /// The merged tally of units `0..<units`, merged directly.
    static func prefix(_ spec: JobSpec, units: Int) -> MergedTally {
        var tally = MergedTally(layout: spec.layout)
        for index in 0..<units { try! tally.add(Samples.result(spec, index: index)) }
        return tally
    }

    static func sigma(_ tally: MergedTally) -> Double {
        tally.meanRelativeUncertainty(aboveFraction: 0.5, weights: nil, groups: 1)
    }

    /// A target that the 80-unit prefix meets and no earlier checkpoint does.
    static func targetMetAtFourthCheckpoint() throws -> Double {
        let sigmas = checkpoints.prefix(4).map { sigma(prefix(spec(target: 0.5), units: $0)) }
        try #require(sigmas[0..<3].allSatisfy { $0 > sigmas[3] })
        return sigmas[3]
    }

    @Test("The job stops at the first checkpoint that meets the target; its result is exactly that prefix")
    func stopsAtCheckpoint() throws {
        let spec = Self.spec(target: try Self.targetMetAtFourthCheckpoint())
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.submit(spec)
        let job = try #require(cluster.coordinator.jobs[1])
        #expect(job.state == .completed)
        #expect(job.tally == Self.prefix(spec, units: 80))
        #expect(job.tally.historyCount == 1_600)
        #expect(job.relativeUncertainty == spec.stop!.relativeUncertainty)
        #expect(job.reason.hasPrefix("reached"))
        // One worker takes units in order: the decision comes before any unit past the prefix.
        #expect(job.unitsDone == 80)
        #expect(cluster.replies.isEmpty == false)
    }

    @Test("A slow worker that dies, and spans of any length, change nothing: same prefix, bit for bit")
    func reproducibleUnderFailures() throws {
        let spec = Self.spec(target: try Self.targetMetAtFourthCheckpoint())
        let policy = LivenessPolicy(
            heartbeatInterval: .seconds(1), liveness: 3, reconnectInitial: .seconds(1), reconnectMaximum: .seconds(8),
            maximumAttempts: 3, targetAssignmentDuration: .milliseconds(700))
        var cluster = ManualCluster(coordinator: Coordinator(policy: policy))
        cluster.addWorker("slow")
        cluster.nodes["slow"]!.fast = false
        cluster.submit(spec)
        cluster.addWorker("b")
        cluster.nodes["b"]!.fast = false
        // b measures its pace (100 ms a unit) and gets longer spans; "slow" dies holding unit 0.
        for _ in 0..<200 {
            cluster.advance(by: .milliseconds(100))
            cluster.complete("b")
            cluster.settle()
            if cluster.coordinator.jobs[1]!.state != .running { break }
            if cluster.now == .seconds(1) { cluster.nodes["slow"]!.alive = false }
        }
        let job = try #require(cluster.coordinator.jobs[1])
        #expect(job.state == .completed)
        #expect(job.tally == Self.prefix(spec, units: 80))
        #expect(cluster.events.contains { if case .unitRequeued = $0 { true } else { false } })
        // The status of the ended job counts what its result holds, not the units run past the checkpoint.
        let status = job.status(workersAlive: 1)
        #expect(status.unitsDone == 80 && status.historiesDone == 1_600 && status.unitsRunning == 0)
        // Spans grew from one unit once b's pace was known.
        let spans = cluster.persisted.map { $0.historyCount / 20 }
        #expect(spans.first == 1)
        #expect(spans.contains { $0 > 1 })
    }

    @Test("A worker back from before a restart with a span past the window is ignored and blocks nothing")
    func staleSpanPastWindow() throws {
        let spec = Self.spec(target: try Self.targetMetAtFourthCheckpoint())
        // Restarted with nothing committed: units 0..<10 awaited, handed out up to 20.
        var coordinator = Coordinator(
            policy: ManualCluster.policy,
            restoring: [
                JobRecord(
                    id: 1, spec: spec, state: .running, reason: "", done: [], tally: MergedTally(layout: spec.layout),
                    awaited: 0, blobs: [:])
            ])
        let stale = PeerID(Array("stale".utf8)), fresh = PeerID(Array("fresh".utf8))
        let running = UnitKey(jobID: 1, index: 500)
        let hello = WorkerHello(name: "w", threads: 1, workloads: [SyntheticWorkload.name], runningUnit: running)
        _ = coordinator.received(.ready(hello), from: stale, at: .zero)
        let joined = coordinator.received(.ready(Samples.hello), from: fresh, at: .zero)
        // The fresh worker is fed from the window's start, not blocked by unit 500.
        #expect(joined.contains { if case .send(.assign(let unit), fresh) = $0 { unit.key.index == 0 } else { false } })
        let late = try SyntheticWorkload().execute(
            WorkUnit(key: running, attempt: 0, spec: spec, histories: spec.histories(ofUnits: 500..<510)), inputs: [:],
            threads: 1)
        let reported = coordinator.received(.result(late), from: stale, at: .seconds(1))
        #expect(reported.contains(.event(.duplicateResultIgnored(running, from: stale))))
        #expect(!reported.contains(.persistResult(late)))
        #expect(coordinator.jobs[1]!.state == .running)
        #expect(coordinator.jobs[1]!.units[500] == .pending(attempts: 0))
    }

    @Test("A worker that re-joins a restarted coordinator mid-span keeps the whole span")
    func restartKeepsSpan() throws {
        let spec = Samples.spec(histories: 1_000, perUnit: 100)
        var coordinator = Coordinator(policy: ManualCluster.policy, restoring: [JobRecord(id: 1, spec: spec, blobs: [:])])
        let back = PeerID(Array("back".utf8)), other = PeerID(Array("other".utf8))
        let hello = WorkerHello(
            name: "w", threads: 1, workloads: [SyntheticWorkload.name], runningUnit: UnitKey(jobID: 1, index: 2),
            runningHistories: spec.histories(ofUnits: 2..<5))
        // Through the codec, as the loop would see it.
        guard case .ready(let decoded) = try WireCodec.decode(WireCodec.encode(.ready(hello))) else {
            Issue.record("READY did not decode")
            return
        }
        #expect(decoded == hello)
        _ = coordinator.received(.ready(decoded), from: back, at: .zero)
        #expect((2..<5).allSatisfy { coordinator.jobs[1]!.units[$0] == .running(back, attempts: 0) })
        // Another worker is given units outside the span only.
        let assigned = coordinator.received(.ready(Samples.hello), from: other, at: .zero)
        #expect(assigned.contains { if case .send(.assign(let unit), other) = $0 { unit.key.index == 0 } else { false } })
        // A bogus running unit far past the job is harmless.
        let bogus = WorkerHello(
            name: "x", threads: 1, workloads: [], runningUnit: UnitKey(jobID: 1, index: 4_000_000),
            runningHistories: 0..<100)
        _ = coordinator.received(.ready(bogus), from: PeerID([9]), at: .zero)
        #expect(coordinator.workerCount == 3)
    }

    @Test("A target never met runs every history and says so")
    func historyLimit() throws {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.submit(Self.spec(target: 1e-9))
        let job = try #require(cluster.coordinator.jobs[1])
        #expect(job.state == .completed)
        #expect(job.tally == ManualCluster.reference(Self.spec(target: 1e-9)))
        #expect(job.reason.hasPrefix("history limit"))
    }

    @Test("Weights change which voxels count; stacked groups add their weighted sums")
    func weightsAndGroups() throws {
        let layout = try SlabLayout(countX: 2, countY: 1, countZ: 2, planesPerSlab: 1)
        // Group 0 is plane 0, group 1 plane 1: voxel v's dose is w0·S(v) + w1·S(v + 2).
        let tally = MergedTally(
            layout: layout, historyCount: 4, energySum: [4, 1, 4, 0], energySquaredSum: [16, 1, 4, 0])
        // Unweighted, one group: voxels 0 and 2 (4 each) are above half the maximum; voxel 0 holds one
        // history of 4 (mean 1, variance of the mean (16/4 − 1)/3 = 1, relative 1), voxel 2 four of 1 (0).
        #expect(tally.meanRelativeUncertainty(aboveFraction: 0.5, weights: nil, groups: 1) == 0.5)
        // Two groups summed: voxel 0 has dose 8, voxel 1 has 1; only voxel 0 counts:
        // Σx = 8, Σx² = 20, mean 2, variance (20/4 − 4)/3 = 1/3.
        let summed = tally.meanRelativeUncertainty(aboveFraction: 0.5, weights: nil, groups: 2)
        #expect(abs(summed - (1.0 / 3).squareRoot() / 2) < 1e-15)
        // Weight 10 on voxel 1 makes it the maximum (10 vs 4): only it counts, one history of 10.
        let weighted = tally.meanRelativeUncertainty(aboveFraction: 0.5, weights: [1, 10, 1, 1], groups: 1)
        #expect(abs(weighted - ((100.0 / 4 - 6.25) / 3).squareRoot() / 2.5) < 1e-15)
    }

    @Test("A coordinator restarted from its store takes the same stop decision on the same prefix")
    func restoreDecides() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-stop-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = Self.spec(target: try Self.targetMetAtFourthCheckpoint())
        do {
            let store = try JobStore(directory: directory)
            try store.insertJob(id: 1, spec: spec, inputs: [])
            // Committed before the crash: units 0..<100 (the decided prefix and part of the next window),
            // one checkpoint taken when 10 units were in.
            var job = JobRecord(id: 1, spec: spec, blobs: [:])
            for index in 0..<10 { try job.merge(Samples.result(spec, index: index), span: index..<index + 1) }
            try store.checkpoint(job)
            for index in (0..<100).reversed() { try store.commit(Samples.result(spec, index: index)) }
        }
        let (jobs, _) = try JobStore(directory: directory).restore()
        let job = try #require(jobs.first)
        #expect(job.state == .completed)
        #expect(job.tally == Self.prefix(spec, units: 80))
    }
}
