import Testing

@testable import Cluster

@Suite("Wire codec")
struct WireCodecTests {
    @Test("Every message survives encode → decode unchanged", arguments: Samples.everyMessage)
    func roundTrip(message: WireMessage) throws {
        let frames = WireCodec.encode(message)
        #expect(Array(frames[0].prefix(4)) == Array("PNBR".utf8))
        #expect(try WireCodec.decode(frames) == message)
    }

    @Test("Every message kind has a sample")
    func everyKindCovered() {
        let kinds = Set(Samples.everyMessage.map(\.kind))
        #expect(kinds == Set(MessageKind.allCases))
    }

    @Test("The header layout is little-endian: magic, version 5, kind")
    func headerLayout() {
        let frames = WireCodec.encode(.submitted(requestID: 0x0102, jobID: 0x0A0B))
        #expect(frames == [[0x50, 0x4E, 0x42, 0x52, 5, 0, 17, 0, 0x02, 0x01, 0, 0, 0, 0, 0, 0, 0x0B, 0x0A, 0, 0, 0, 0, 0, 0]])
    }

    @Test("A READY of another protocol version decodes so that it can be refused; other kinds do not")
    func foreignVersion() throws {
        var ready = WireCodec.encode(.ready(Samples.hello))
        ready[0][4] = 1
        guard case .ready(let hello) = try WireCodec.decode(ready) else {
            Issue.record("READY should decode")
            return
        }
        #expect(hello.protocolVersion == 1)
        var heartbeat = WireCodec.encode(.heartbeat)
        heartbeat[0][4] = 1
        #expect(throws: WireError.unsupportedVersion(found: 1, supported: 5)) { try WireCodec.decode(heartbeat) }
    }

    /// A version 4 JOB_RESULT as a version 4 coordinator sent it: header (request, job, state, grid, histories),
    /// then one dense frame per slab.
    static func version4JobResult(_ tally: MergedTally) -> [[UInt8]] {
        var head = ByteWriter()
        head.write(raw: WireCodec.magic)
        head.write(UInt16(4))
        head.write(MessageKind.jobResult.rawValue)
        head.write(UInt64(1))
        head.write(UInt64(2))
        head.write(JobState.completed.rawValue)
        for count in [tally.layout.countX, tally.layout.countY, tally.layout.countZ, tally.layout.planesPerSlab] {
            head.write(count)
        }
        head.write(tally.historyCount)
        let slabs = (0..<tally.layout.slabCount).map { slab in
            var frame = ByteWriter()
            let voxels = tally.layout.voxels(ofSlab: slab)
            frame.write(array: Array(tally.energySum[voxels]))
            frame.write(array: Array(tally.energySquaredSum[voxels]))
            return frame.bytes
        }
        return [head.bytes] + slabs
    }

    @Test("A version 4 (dense) JOB_RESULT is refused with the versions named, and a v4 peer reading ours is told the same")
    func denseResultRefused() throws {
        var tally = MergedTally(layout: Samples.layout)
        try tally.add(Samples.result(Samples.spec(), index: 0))
        let old = Self.version4JobResult(tally)
        #expect(throws: WireError.unsupportedVersion(found: 4, supported: 5)) { try WireCodec.decode(old) }
        #expect(
            WireError.unsupportedVersion(found: 4, supported: 5).description.contains(
                "run the same Penumbra release on coordinator and workers"))
        // What a version 4 client reads first in our reply: the version, at the frozen offset 4.
        let reply = WireCodec.encode(
            .jobResult(requestID: 1, jobID: 2, state: .completed, tally: SparseTally(tally), tallyMemory: nil))
        #expect(reply[0][4] == 5 && reply[0][5] == 0)
    }

    @Test("The job store reads RESULT rows of this version and of version 4 (without tally memory)")
    func storedResults() throws {
        let result = Samples.result(Samples.spec(), index: 2)
        let reported = UnitResult(
            key: result.key, historyCount: result.historyCount, slabs: result.slabs,
            tallyMemory: TallyMemory(bytesPerThread: 4_096, touchedBytesPerThread: 0))
        #expect(try WireCodec.decode(storedResult: WireCodec.encode(.result(reported))) == reported)
        // Version 4 wrote the same fields less the two tally memory words at the header's end.
        var old = WireCodec.encode(.result(result))
        old[0][4] = 4
        old[0].removeLast(16)
        #expect(try WireCodec.decode(storedResult: old) == result)
        #expect(throws: WireError.self) { try WireCodec.decode(old) }
        old[0][4] = 3
        #expect(throws: WireError.unsupportedVersion(found: 3, supported: 5)) { try WireCodec.decode(storedResult: old) }
        #expect(throws: WireError.self) { try WireCodec.decode(storedResult: WireCodec.encode(.heartbeat)) }
    }

    @Test("JOB_RESULT carries only nonzero voxels, and its frames are checked")
    func sparseResultFrames() throws {
        var tally = MergedTally(layout: Samples.layout)
        try tally.add(Samples.result(Samples.spec(), index: 0))
        let sparse = SparseTally(tally)
        let nonzero = tally.energySum.indices.filter { tally.energySum[$0] != 0 || tally.energySquaredSum[$0] != 0 }
        #expect(sparse.nonzeroVoxelCount == nonzero.count)
        #expect(sparse.byteCount == 8 * sparse.frames.count + 28 * nonzero.count)
        #expect(nonzero.count < tally.layout.voxelCount)
        let frames = WireCodec.encode(
            .jobResult(requestID: 1, jobID: 2, state: .completed, tally: sparse, tallyMemory: nil))
        #expect(frames.count == 1 + sparse.frames.count)
        func refused(_ change: (inout [[UInt8]]) -> Void) -> Bool {
            var changed = frames
            change(&changed)
            do {
                _ = try WireCodec.decode(changed)
                return false
            } catch {
                return true
            }
        }
        #expect(refused { $0[1].removeLast() })  // truncated Σ²
        #expect(refused { $0[1][4] = 0; $0[1][5] = 0; $0[1][6] = 0; $0[1][7] = 0 })  // an empty frame
        #expect(refused { $0[1][0] = 200 })  // slab outside the layout
        #expect(refused { $0.removeLast() })  // fewer frames than the header says
        #expect(refused { $0.swapAt(1, 2) })  // slabs out of order
        #expect(refused { $0[1][8...11] = [0xFF, 0xFF, 0, 0] })  // voxel outside its slab
        #expect(refused { $0[1][12...15] = $0[1][8...11] })  // a voxel twice
    }

    @Test("Malformed frames give the error that says what is wrong")
    func specificErrors() {
        #expect(throws: WireError.frameCount(kind: "message", found: 0, expected: "at least 1")) {
            try WireCodec.decode([])
        }
        #expect(throws: WireError.badMagic) { try WireCodec.decode([Array("GET / HTTP/1.1\r\n".utf8)]) }
        #expect(throws: WireError.unknownKind(999)) { try WireCodec.decode([[0x50, 0x4E, 0x42, 0x52, 1, 0, 0xE7, 0x03]]) }
        #expect(throws: WireError.self) { try WireCodec.decode(WireCodec.encode(.heartbeat) + [[1]]) }
        var trailing = WireCodec.encode(.cancel(requestID: 1, jobID: 2))
        trailing[0].append(0)
        #expect(throws: WireError.malformed(what: "CANCEL", reason: "1 unexpected trailing bytes")) {
            try WireCodec.decode(trailing)
        }
        #expect(throws: WireError.self) {
            try WireCodec.decode(Array(repeating: [UInt8](), count: WireLimits.maximumFrames + 1))
        }
    }

    @Test("A job that fails validation is refused by the decoder")
    func invalidJobRefused() {
        var spec = Samples.spec()
        spec.historiesPerUnit = 0
        let frames = WireCodec.encode(.submit(requestID: 1, spec: spec, inputs: []))
        #expect(throws: WireError.self) { try WireCodec.decode(frames) }
    }

    @Test(
        "A stop rule out of range is refused by the decoder",
        arguments: [
            UncertaintyTarget(relativeUncertainty: 0, firstCheckpointUnits: 1),
            UncertaintyTarget(relativeUncertainty: .nan, firstCheckpointUnits: 1),
            UncertaintyTarget(relativeUncertainty: 0.01, doseFraction: 1, firstCheckpointUnits: 1),
            UncertaintyTarget(relativeUncertainty: 0.01, firstCheckpointUnits: 0),
            UncertaintyTarget(relativeUncertainty: 0.01, firstCheckpointUnits: 1, weightsInput: 0),
            UncertaintyTarget(relativeUncertainty: 0.01, firstCheckpointUnits: 1, groups: 3),
        ])
    func invalidStopRefused(stop: UncertaintyTarget) {
        var spec = Samples.spec()
        spec.stop = stop
        let frames = WireCodec.encode(.submit(requestID: 1, spec: spec, inputs: []))
        #expect(throws: WireError.self) { try WireCodec.decode(frames) }
    }

    @Test("Units at the top of the history range neither overflow nor lose histories")
    func extremeHistoryCounts() throws {
        let spec = Samples.spec(histories: .max, perUnit: .max / 2)
        try spec.validate()
        #expect(spec.unitCount == 3)
        #expect(spec.histories(ofUnit: 2) == UInt64.max - 1..<UInt64.max)
    }

    @Test("A BLOB or SUBMIT input whose bytes do not match its digest is refused")
    func contentChecked() {
        let digest = ContentDigest(of: [1, 2, 3])
        #expect(throws: WireError.self) { try WireCodec.decode(WireCodec.encode(.blob(digest, [1, 2, 4]))) }
        let spec = Samples.spec(inputs: [digest])
        #expect(throws: WireError.self) {
            try WireCodec.decode(WireCodec.encode(.submit(requestID: 1, spec: spec, inputs: [[9]])))
        }
    }

    @Test("SLAB_RESULT banks travel unnamed and are named by the SHA-256 of what arrived; an ASSIGN_SLAB outside its job is refused")
    func decomposedChecked() throws {
        let key = SlabUnitKey(jobID: 1, batch: 0, round: 1, slab: 0)
        var frames = WireCodec.encode(
            .slabResult(SlabUnitResult(key: key, voxels: [1], energySum: [5], outgoing: [.init(slab: 1, bytes: [1, 2, 3])])))
        // The header holds the key, the bank count and each bank's slab and length: no digest (protocol v4).
        #expect(frames[0].count == 8 + 20 + 2 + 8)
        frames[2] = [1, 2]
        #expect(throws: WireError.self) { try WireCodec.decode(frames) }
        frames[2] = [1, 2, 4]
        guard case .slabResult(let result) = try WireCodec.decode(frames) else {
            Issue.record("SLAB_RESULT should decode")
            return
        }
        #expect(result.outgoing.map(\.digest) == [ContentDigest(of: [1, 2, 4])])
        // The next worker fetches it by that name, and BLOB checks the bytes against it.
        var blob = WireCodec.encode(.blob(result.outgoing[0].digest, [1, 2, 4]))
        blob[1] = [1, 2, 3]
        #expect(throws: WireError.self) { try WireCodec.decode(blob) }
        let spec = Samples.decomposedJob.spec
        for bad in [
            SlabWorkUnit(key: SlabUnitKey(jobID: 1, batch: 4, round: 0, slab: 0), attempt: 0, spec: spec, histories: 400..<500, banks: []),
            SlabWorkUnit(key: SlabUnitKey(jobID: 1, batch: 0, round: 0, slab: 3), attempt: 0, spec: spec, histories: 0..<100, banks: []),
            SlabWorkUnit(key: SlabUnitKey(jobID: 1, batch: 1, round: 0, slab: 0), attempt: 0, spec: spec, histories: 0..<100, banks: []),
        ] {
            #expect(throws: WireError.self) { try WireCodec.decode(WireCodec.encode(.assignSlab(bad))) }
        }
        // A decomposition that does not fit its job is refused with the job.
        var wrong = spec
        wrong.decomposition!.slabInputs = [0, 0, 1]
        #expect(throws: WireError.self) {
            try WireCodec.decode(WireCodec.encode(.submit(requestID: 1, spec: wrong, inputs: Samples.decomposedJob.inputs)))
        }
        wrong = spec
        wrong.decomposition!.firstPlanes = [0, 7, 3]
        #expect(throws: ClusterError.self) { try wrong.validate() }
        wrong = spec
        wrong.decomposition!.batches = 1
        #expect(throws: ClusterError.self) { try wrong.validate() }
    }

    @Test("Every truncation of every message is refused without a crash")
    func truncations() {
        for message in Samples.everyMessage {
            let frames = WireCodec.encode(message)
            for (f, frame) in frames.enumerated() {
                // Every cut of short frames; a spread of cuts of long ones.
                let cuts = frame.count <= 200 ? Array(0..<frame.count) : (0..<200).map { $0 * frame.count / 200 }
                for cut in cuts {
                    var cutFrames = frames
                    cutFrames[f] = Array(frame.prefix(cut))
                    #expect(throws: WireError.self, "\(message.kind) frame \(f) cut at \(cut)") {
                        try WireCodec.decode(cutFrames)
                    }
                }
            }
        }
    }

    @Test("Random and mutated frames never crash the decoder; whatever decodes re-encodes to itself")
    func fuzz() {
        var rng = SplitMix64(seed: 2026, history: 0)
        let samples = Samples.everyMessage.map(WireCodec.encode)
        var decoded = 0
        for round in 0..<50_000 {
            var frames: [[UInt8]]
            if round % 4 == 0 {
                // Pure garbage, sometimes with a valid magic and version.
                frames = (0..<(1 + Int(rng.next(below: 3)))).map { _ in
                    (0..<Int(rng.next(below: 64))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                }
                if round % 8 == 0, !frames[0].isEmpty {
                    frames[0] = [0x50, 0x4E, 0x42, 0x52, 1, 0, UInt8(rng.next(below: 24)), 0] + frames[0]
                }
            } else {
                // A real message with a few bytes flipped, frames dropped or duplicated.
                frames = samples[Int(rng.next(below: UInt64(samples.count)))]
                for _ in 0..<(1 + Int(rng.next(below: 4))) {
                    let f = Int(rng.next(below: UInt64(frames.count)))
                    guard !frames[f].isEmpty else { continue }
                    let at = Int(rng.next(below: UInt64(frames[f].count)))
                    frames[f][at] ^= UInt8(truncatingIfNeeded: 1 << rng.next(below: 8))
                }
                switch rng.next(below: 5) {
                case 0 where frames.count > 1: frames.removeLast()
                case 1: frames.append(frames[frames.count - 1])
                default: break
                }
            }
            do {
                let message = try WireCodec.decode(frames)
                decoded += 1
                #expect(try WireCodec.decode(WireCodec.encode(message)) == message)
            } catch {
                // Refused: exactly what garbage deserves.
            }
        }
        // Bit flips in Σ arrays stay decodable: the fuzzer must exercise both outcomes.
        #expect(decoded > 100)
    }
}
