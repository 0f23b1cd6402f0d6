@testable import Cluster

/// Small, valid values for tests.
enum Samples {
    static let layout = try! SlabLayout(countX: 8, countY: 6, countZ: 10, planesPerSlab: 3)

    static func spec(
        histories: UInt64 = 1_000, perUnit: UInt64 = 100, seed: UInt64 = 42, priority: Int32 = 0,
        inputs: [ContentDigest] = [], parameters: [UInt8] = []
    ) -> JobSpec {
        JobSpec(
            workload: SyntheticWorkload.name, layout: layout, seed: seed, historyCount: histories,
            historiesPerUnit: perUnit, priority: priority, inputs: inputs, parameters: parameters)
    }

    static func unit(_ spec: JobSpec, job: UInt64 = 1, index: Int, attempt: UInt32 = 0) -> WorkUnit {
        WorkUnit(
            key: UnitKey(jobID: job, index: UInt32(index)), attempt: attempt, spec: spec,
            histories: spec.histories(ofUnit: index))
    }

    static func result(_ spec: JobSpec, job: UInt64 = 1, index: Int) -> UnitResult {
        try! SyntheticWorkload().execute(unit(spec, job: job, index: index), inputs: [:], threads: 1)
    }

    /// A decomposed synthetic job: slabs of planes 0–2, 3–6, 7–9 of `layout`, each with its weight bytes.
    static func decomposed(histories: UInt64 = 400, batches: UInt32 = 4, seed: UInt64 = 42, stop: UncertaintyTarget? = nil)
        -> (spec: JobSpec, inputs: [[UInt8]])
    {
        let plane = Int(layout.countX * layout.countY)
        let inputs = [3, 4, 3].enumerated().map { slab, planes in
            (0..<planes * plane).map { UInt8(truncatingIfNeeded: $0 * 7 + slab) % 4 }
        }
        let spec = JobSpec(
            workload: SyntheticWorkload.name, layout: layout, seed: seed, historyCount: histories,
            historiesPerUnit: histories, inputs: inputs.map { ContentDigest(of: $0) }, stop: stop,
            decomposition: Decomposition(firstPlanes: [0, 3, 7], batches: batches, slabInputs: [0, 1, 2]))
        return (spec, inputs)
    }

    static let hello = WorkerHello(name: "node-1/123", threads: 2, workloads: [SyntheticWorkload.name])

    static let decomposedJob = decomposed()

    /// One of every message kind, with non-trivial contents.
    static var everyMessage: [WireMessage] {
        let weights = [UInt8](repeating: 3, count: layout.voxelCount)
        let digest = ContentDigest(of: weights)
        let withInput = spec(inputs: [digest], parameters: [1, 2, 3])
        var tally = MergedTally(layout: layout)
        try! tally.add(result(withInput.withoutInputs, index: 0))
        let stopWeights = [UInt8](repeating: 0x3F, count: layout.voxelCount * 4)
        var withStop = spec(inputs: [ContentDigest(of: stopWeights)])
        withStop.stop = UncertaintyTarget(
            relativeUncertainty: 0.02, doseFraction: 0.5, firstCheckpointUnits: 3, weightsInput: 0, groups: 2)
        return [
            .ready(hello),
            .heartbeat,
            .assign(unit(withInput, index: 3, attempt: 2)),
            .result(result(spec(), index: 2)),
            .result(UnitResult(key: UnitKey(jobID: 9, index: 0), historyCount: 0, slabs: [])),
            .result(
                UnitResult(
                    key: UnitKey(jobID: 9, index: 1), historyCount: 100, slabs: result(spec(), index: 1).slabs,
                    tallyMemory: TallyMemory(bytesPerThread: 1 << 33, touchedBytesPerThread: 1 << 20))),
            .unitFailed(UnitKey(jobID: 7, index: 5), reason: "out of memory — ünïcode"),
            .blobRequest(digest),
            .blob(digest, weights),
            .disconnect(.incompatibleVersion, reason: "protocol version 2 is not supported"),
            .disconnect(.goodbye, reason: ""),
            .ready(WorkerHello(name: "n", threads: 1, workloads: [], runningUnit: UnitKey(jobID: 5, index: 6))),
            .submit(requestID: 11, spec: withInput, inputs: [weights]),
            .submit(requestID: 17, spec: withStop, inputs: [stopWeights]),
            .assign(WorkUnit(key: UnitKey(jobID: 4, index: 2), attempt: 0, spec: withStop, histories: withStop.histories(ofUnits: 2..<7))),
            .ready(
                WorkerHello(
                    name: "n", threads: 4, workloads: ["synthetic"], runningUnit: UnitKey(jobID: 4, index: 2),
                    runningHistories: withStop.histories(ofUnits: 2..<7))),
            .submitted(requestID: 11, jobID: 3),
            .statusRequest(requestID: 12, jobID: 0),
            .status(
                requestID: 12,
                jobs: [
                    JobStatus(
                        jobID: 3, state: .running, priority: -2, unitsTotal: 10, unitsDone: 4, unitsRunning: 2,
                        historiesDone: 400, historiesTotal: 1_000, workersAlive: 2, relativeUncertainty: 0.0375,
                        reason: "reached 3.75 %"),
                    JobStatus(
                        jobID: 4, state: .failed, priority: 5, unitsTotal: 1, unitsDone: 0, unitsRunning: 0,
                        historiesDone: 0, historiesTotal: 5, workersAlive: 2, reason: "tally overflow"),
                ]),
            .status(requestID: 13, jobs: []),
            .status(
                requestID: 14,
                jobs: [
                    JobStatus(
                        jobID: 1, state: .completed, priority: 0, unitsTotal: 1, unitsDone: 1, unitsRunning: 0,
                        historiesDone: 1, historiesTotal: 1, workersAlive: 0, reason: "")
                ]),
            .cancel(requestID: 14, jobID: 3),
            .fetch(requestID: 15, jobID: 3),
            .jobResult(
                requestID: 15, jobID: 3, state: .completed, tally: SparseTally(tally),
                tallyMemory: TallyMemory(bytesPerThread: 480 * 32, touchedBytesPerThread: 4_096)),
            .jobResult(
                requestID: 19, jobID: 4, state: .running, tally: SparseTally(MergedTally(layout: layout)), tallyMemory: nil),
            .failure(requestID: 16, reason: "no job 99"),
            .submit(requestID: 18, spec: decomposedJob.spec, inputs: decomposedJob.inputs),
            .assignSlab(
                SlabWorkUnit(
                    key: SlabUnitKey(jobID: 2, batch: 1, round: 3, slab: 2), attempt: 1, spec: decomposedJob.spec,
                    histories: 100..<200, banks: [digest, ContentDigest(of: [1, 2])])),
            .slabResult(
                SlabUnitResult(
                    key: SlabUnitKey(jobID: 2, batch: 1, round: 3, slab: 2), voxels: [0, 5, 47], energySum: [1, 1 << 40, 3],
                    outgoing: [.init(slab: 1, bytes: [9, 8, 7]), .init(slab: 1, bytes: [])])),
            .slabResult(SlabUnitResult(key: SlabUnitKey(jobID: 1, batch: 0, round: 0, slab: 0), voxels: [], energySum: [], outgoing: [])),
            .slabFailed(SlabUnitKey(jobID: 2, batch: 0, round: 0, slab: 1), reason: "bank refused"),
            .ready(WorkerHello(name: "n", threads: 2, workloads: ["synthetic"], runningSlabUnit: SlabUnitKey(jobID: 2, batch: 3, round: 1, slab: 0))),
        ]
    }
}

extension JobSpec {
    var withoutInputs: JobSpec {
        var copy = self
        copy.inputs = []
        return copy
    }
}
