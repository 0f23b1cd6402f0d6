import Foundation
import TestSupport
import Testing

@testable import Cluster

/// Decomposed jobs (protocol v3) on the coordinator and worker state machines with a manual clock and
/// the synthetic walkers: rounds routed by slab, units lost mid-round, duplicates, a restart from the
/// job store mid-round, and the stop rule at batch ends. The reference walks every history through the
/// whole grid without slabs or rounds.
@Suite("Decomposed rounds on the state machines (manual clock, no sockets)")
struct RoundStateMachineTests {
    static let job = Samples.decomposed()
    static let weights = job.inputs.flatMap { $0 }
    static let reference = try! SyntheticWorkload.decomposedReference(job.spec, weights: weights)

    /// The job submitted to a cluster of one worker "a" that reports only when told: "a" holds round 0's
    /// first unit.
    static func slowWorkerHoldingTheFirstUnit(store: JobStore? = nil) -> ManualCluster {
        var cluster = ManualCluster()
        cluster.store = store
        cluster.addWorker("a")
        cluster.nodes["a"]!.fast = false
        cluster.submit(job.spec, inputs: job.inputs)
        return cluster
    }

    @Test("Two workers finish a decomposed job: the tally equals the walkers' without slabs, every bank is forgotten")
    func happyPath() {
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.addWorker("b")
        cluster.submit(Self.job.spec, inputs: Self.job.inputs)
        let job = cluster.coordinator.jobs[1]!
        #expect(job.state == .completed)
        #expect(job.tally == Self.reference)
        #expect(job.tally.historyCount == 400)
        let keys = cluster.persistedSlabs.map(\.key)
        #expect(Set(keys).count == keys.count)
        // Walkers crossed slab faces: later rounds ran, and their banks were fed on, then dropped.
        #expect(keys.contains { $0.round >= 2 })
        let sent = Set(cluster.persistedSlabs.flatMap { $0.outgoing.map(\.digest) })
        #expect(!sent.isEmpty)
        #expect(Set(cluster.forgotten) == sent)
        #expect(Set(cluster.coordinator.blobs.keys) == Set(Self.job.spec.inputs))
        #expect(job.status(workersAlive: 2).unitsDone == 4)
    }

    @Test("A worker fetches only the common inputs, its slab's input and its banks")
    func perUnitInputs() {
        var cluster = Self.slowWorkerHoldingTheFirstUnit()
        let unit = cluster.nodes["a"]!.runningSlab!
        #expect(unit.key == SlabUnitKey(jobID: 1, batch: 0, round: 0, slab: 0))
        #expect(Set(cluster.nodes["a"]!.inputs.keys) == [Self.job.spec.inputs[0]])
        // It keeps its slab: its next units are slab 0's while any is pending.
        cluster.complete("a")
        cluster.settle()
        #expect(cluster.nodes["a"]!.runningSlab!.key == SlabUnitKey(jobID: 1, batch: 1, round: 0, slab: 0))
    }

    @Test("A unit lost mid-round (its worker silent) is re-queued after heartbeat expiry and the job ends exact")
    func lostUnitMidRound() {
        var cluster = Self.slowWorkerHoldingTheFirstUnit()
        let lost = cluster.nodes["a"]!.runningSlab!.key
        cluster.nodes["a"]!.alive = false
        cluster.addWorker("b")
        // b ran the rest of the round; the round waits for a's unit.
        let progress = cluster.coordinator.jobs[1]!.rounds!
        #expect(progress.state(lost) == .running(cluster.peer("a"), attempts: 0))
        #expect(progress.batches[lost.batch]!.units.values.filter { $0 == .done }.count == 2)
        #expect(cluster.coordinator.jobs[1]!.state == .running)
        cluster.advance(by: .milliseconds(2_900))
        #expect(cluster.coordinator.jobs[1]!.state == .running)
        cluster.advance(by: .milliseconds(300))
        #expect(
            cluster.events.contains(
                .slabUnitRequeued(lost, reason: "worker \(PeerID(Array("a#0".utf8))) silent for 3 heartbeat intervals")))
        #expect(cluster.coordinator.jobs[1]!.state == .completed)
        #expect(cluster.coordinator.jobs[1]!.tally == Self.reference)
    }

    @Test("A duplicate RESULT, mid-round or after the job, is ignored and never merged twice")
    func duplicates() throws {
        var cluster = Self.slowWorkerHoldingTheFirstUnit()
        let unit = cluster.nodes["a"]!.runningSlab!
        let result = try SyntheticWorkload().execute(slab: unit, inputs: cluster.nodes["a"]!.inputs, threads: 1)
        cluster.complete("a")
        cluster.settle()
        let merged = cluster.persistedSlabs.count
        let before = cluster.coordinator.jobs[1]!
        // The same result again, from a worker presumed dead, mid-round.
        let ghost = PeerID(Array("ghost".utf8))
        cluster.toCoordinator.append((ghost, WireCodec.encode(.slabResult(result))))
        cluster.settle()
        #expect(cluster.events.contains(.duplicateSlabResultIgnored(unit.key, from: ghost)))
        #expect(cluster.persistedSlabs.count == merged)
        #expect(cluster.coordinator.jobs[1]!.tally == before.tally)
        #expect(cluster.coordinator.jobs[1]!.rounds == before.rounds)
        cluster.nodes["a"]!.fast = true
        cluster.complete("a")
        cluster.settle()
        let finished = cluster.coordinator.jobs[1]!
        #expect(finished.state == .completed)
        cluster.toCoordinator.append((ghost, WireCodec.encode(.slabResult(result))))
        cluster.settle()
        #expect(cluster.coordinator.jobs[1]! == finished)
        #expect(finished.tally == Self.reference)
    }

    @Test("A result with a voxel outside its slab or a bank for its own slab is rejected and the unit re-run")
    func invalidResult() {
        var cluster = Self.slowWorkerHoldingTheFirstUnit()
        let key = cluster.nodes["a"]!.runningSlab!.key
        cluster.nodes["a"]!.runningSlab = nil
        let outside = SlabUnitResult(key: key, voxels: [UInt32(3 * 48)], energySum: [1], outgoing: [])
        cluster.perform(cluster.nodes["a"]!.machine.finished(slab: outside, at: cluster.now), for: "a")
        cluster.settle()
        #expect(cluster.events.contains { if case .slabResultRejected(key, _, _) = $0 { true } else { false } })
        #expect(cluster.persistedSlabs.isEmpty)
        // Handed out again (the worker is idle again and gets it back), counted as a failed attempt.
        #expect(cluster.nodes["a"]!.runningSlab?.key == key)
        #expect(cluster.nodes["a"]!.runningSlab?.attempt == 1)
    }

    /// Restarts after 1 to 12 merged units: mid-round with banks waiting for the current round, for
    /// the next round, or both.
    @Test("A coordinator restarted mid-round from its job store resumes: nothing committed is redone, the tally is exact",
          arguments: 1...12)
    func restartMidRound(merged: Int) throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-rounds-restart")
        defer { try? FileManager.default.removeItem(at: directory) }
        var cluster = Self.slowWorkerHoldingTheFirstUnit(store: try JobStore(directory: directory))
        for _ in 0..<merged {
            cluster.complete("a")
            cluster.settle()
        }
        let running = cluster.nodes["a"]!.runningSlab!.key
        let committed = cluster.persistedSlabs.count
        // Banks waiting for their round, or sent on to the next, are on disk, named by digest.
        let waiting = cluster.coordinator.jobs[1]!.rounds!.neededBanks
        for digest in waiting {
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("banks/\(digest)").path))
        }
        cluster.coordinatorUp = false
        cluster.toCoordinator = []
        cluster.advance(by: .seconds(10))
        let (jobs, blobs) = try JobStore(directory: directory).restore()
        cluster.coordinator = Coordinator(policy: ManualCluster.policy, restoring: jobs, blobs: blobs)
        #expect(cluster.coordinator.jobs[1]!.rounds!.neededBanks == waiting)
        cluster.coordinatorUp = true
        cluster.advance(by: .seconds(12))
        // The worker re-joined naming its unit, and keeps it.
        #expect(cluster.coordinator.jobs[1]!.rounds!.state(running) == .running(cluster.peer("a"), attempts: 0))
        cluster.nodes["a"]!.fast = true
        cluster.complete("a")
        cluster.settle()
        let job = cluster.coordinator.jobs[1]!
        #expect(job.state == .completed)
        #expect(job.tally == Self.reference)
        let keys = cluster.persistedSlabs.map(\.key)
        #expect(Set(keys).count == keys.count, "a unit committed before the restart ran again")
        #expect(committed < keys.count)
        // Finished: the banks are gone, the store restores the completed job with the same tally.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("banks").path).isEmpty)
        let again = try JobStore(directory: directory).restore().jobs
        #expect(again.first?.state == .completed)
        #expect(again.first?.tally == Self.reference)
    }

    @Test("The stop rule decides at batch ends, on the folded batches alone: the result is an exact prefix of batches")
    func stopAtBatchEnds() throws {
        let target = UncertaintyTarget(relativeUncertainty: 0.35, doseFraction: 0.5, firstCheckpointUnits: 2)
        let job = Samples.decomposed(histories: 1_600, batches: 16, stop: target)
        var cluster = ManualCluster()
        cluster.addWorker("a")
        cluster.addWorker("b")
        cluster.submit(job.spec, inputs: job.inputs)
        let record = cluster.coordinator.jobs[1]!
        #expect(record.state == .completed)
        let folded = Int(record.status(workersAlive: 2).unitsDone)
        #expect([2, 4, 8, 16].contains(folded))
        let weights = job.inputs.flatMap { $0 }
        #expect(record.tally == (try SyntheticWorkload.decomposedReference(job.spec, weights: weights, batches: folded)))
        let figure = record.tally.meanRelativeUncertainty(aboveFraction: 0.5, batches: folded)
        #expect(record.relativeUncertainty == figure)
        if folded < 16 {
            #expect(figure <= 0.35, "\(record.reason)")
            #expect(record.reason.hasPrefix("reached"))
        }
        if folded > 2 {
            let previous = try SyntheticWorkload.decomposedReference(job.spec, weights: weights, batches: folded / 2)
            #expect(previous.meanRelativeUncertainty(aboveFraction: 0.5, batches: folded / 2) > 0.35)
        }
    }
}
