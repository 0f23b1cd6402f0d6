import Foundation
import Testing

@testable import Cluster
import TestSupport

@Suite("Job store and tally checkpoints")
struct PersistenceTests {
    static let spec = Samples.spec(histories: 1_000, perUnit: 100)

    @Test("A checkpoint survives write and read; a flipped byte or a cut file is refused")
    func checkpointFile() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-checkpoint")
        defer { try? FileManager.default.removeItem(at: directory) }
        var tally = MergedTally(layout: Self.spec.layout)
        try tally.add(Samples.result(Self.spec, index: 3))
        let checkpoint = TallyCheckpoint(jobID: 7, doneUnits: [3], unitCount: 10, awaited: 10, tally: tally)
        let url = directory.appendingPathComponent("job-7.tally")
        try checkpoint.write(to: url)
        #expect(try TallyCheckpoint.read(from: url) == checkpoint)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["job-7.tally"])

        var bytes = checkpoint.encoded()
        bytes[40] ^= 1
        #expect(throws: ClusterError.self) { try TallyCheckpoint(decoding: bytes, source: "flipped") }
        #expect(throws: ClusterError.self) { try TallyCheckpoint(decoding: Array(checkpoint.encoded().prefix(100)), source: "cut") }
        #expect(throws: ClusterError.self) { try TallyCheckpoint.read(from: directory.appendingPathComponent("missing")) }
    }

    @Test("Restore = checkpoint + committed results not in it; every other unit is pending again")
    func restore() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        let weights = [UInt8](repeating: 2, count: Samples.layout.voxelCount)
        let spec = Samples.spec(inputs: [ContentDigest(of: weights)])
        do {
            let store = try JobStore(directory: directory)
            try store.insertJob(id: 1, spec: spec, inputs: [weights])
            var job = JobRecord(id: 1, spec: spec, blobs: [:])
            let inputs = [ContentDigest(of: weights): weights]
            func run(_ index: Int) throws -> UnitResult {
                try SyntheticWorkload().execute(Samples.unit(spec, index: index), inputs: inputs, threads: 1)
            }
            for index in [0, 1, 2] {
                let result = try run(index)
                try store.commit(result)
                try job.tally.add(result)
                job.units[index] = .done
            }
            try store.checkpoint(job)
            // Committed after the checkpoint: must not be lost.
            try store.commit(try run(5))
            try store.commit(try run(5))
        }
        let store = try JobStore(directory: directory)
        let (jobs, blobs) = try store.restore()
        #expect(blobs == [ContentDigest(of: weights): weights])
        let job = try #require(jobs.first)
        #expect(job.state == .running)
        #expect(job.unitsDone == 4)
        #expect(job.units[5] == .done && job.units[4] == .pending(attempts: 0))
        var expected = MergedTally(layout: spec.layout)
        for index in [0, 1, 2, 5] {
            try expected.add(
                SyntheticWorkload().execute(Samples.unit(spec, index: index), inputs: blobs, threads: 1))
        }
        #expect(job.tally == expected)
    }

    @Test("A job whose every unit was committed before a crash restores as completed")
    func completedOnRestore() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        let spec = Samples.spec(histories: 200, perUnit: 100)
        do {
            let store = try JobStore(directory: directory)
            try store.insertJob(id: 4, spec: spec, inputs: [])
            for index in 0..<2 { try store.commit(Samples.result(spec, job: 4, index: index)) }
        }
        let (jobs, _) = try JobStore(directory: directory).restore()
        #expect(jobs.map(\.state) == [.completed])
        #expect(jobs.first?.tally == ManualCluster.reference(spec))
        // The next job id continues after the restored ones.
        var coordinator = Coordinator(restoring: jobs)
        let actions = coordinator.received(.submit(requestID: 1, spec: spec, inputs: []), from: PeerID([1]), at: .zero)
        #expect(actions.contains(.send(.submitted(requestID: 1, jobID: 5), to: PeerID([1]))))
    }

    @Test("A checkpoint that belongs to another job is refused on restore")
    func foreignCheckpoint() throws {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-store")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try JobStore(directory: directory)
        try store.insertJob(id: 1, spec: Self.spec, inputs: [])
        let other = try SlabLayout(countX: 2, countY: 2, countZ: 2, planesPerSlab: 1)
        try TallyCheckpoint(jobID: 1, doneUnits: [], unitCount: 10, awaited: 10, tally: MergedTally(layout: other))
            .write(to: store.checkpointURL(jobID: 1))
        #expect(throws: ClusterError.self) { try store.restore() }
    }
}
