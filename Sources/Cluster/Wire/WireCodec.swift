/// Encodes `WireMessage` values as ZeroMQ frames and decodes untrusted frames back, with the
/// explicit little-endian layout of docs/protocol.md. Decoding never traps: every malformed,
/// truncated or oversized input becomes a `WireError`.
public enum WireCodec {
    /// The first four bytes of every message: ASCII `PNBR`.
    static let magic: [UInt8] = [0x50, 0x4E, 0x42, 0x52]
    /// Magic, version and kind.
    static let headerBytes = 8

    // MARK: - Encoding

    /// The frames of a message.
    public static func encode(_ message: WireMessage) -> [[UInt8]] {
        var head = ByteWriter()
        head.write(raw: magic)
        // READY carries the sender's version (a test can play an old worker); the rest the current one.
        if case .ready(let hello) = message { head.write(hello.protocolVersion) } else { head.write(WireLimits.protocolVersion) }
        head.write(message.kind.rawValue)
        var frames: [[UInt8]] = []
        switch message {
        case .ready(let hello):
            head.write(string: hello.name)
            head.write(hello.threads)
            head.write(UInt16(hello.workloads.count))
            for workload in hello.workloads { head.write(string: workload) }
            if let running = hello.runningUnit {
                head.write(UInt8(1))
                write(running, to: &head)
                head.write(hello.runningHistories?.lowerBound ?? 0)
                head.write(hello.runningHistories?.upperBound ?? 0)
            } else if let running = hello.runningSlabUnit {
                head.write(UInt8(2))
                write(running, to: &head)
            } else {
                head.write(UInt8(0))
            }
        case .heartbeat:
            break
        case .assign(let unit):
            write(unit.key, to: &head)
            head.write(unit.attempt)
            head.write(unit.histories.lowerBound)
            head.write(unit.histories.upperBound)
            write(unit.spec, to: &head)
        case .result(let result):
            write(result.key, to: &head)
            head.write(result.historyCount)
            head.write(UInt32(result.slabs.count))
            write(result.tallyMemory, to: &head)
            frames = result.slabs.map(encode(slab:))
        case .unitFailed(let key, let reason):
            write(key, to: &head)
            head.write(string: reason)
        case .blobRequest(let digest):
            head.write(raw: digest.bytes)
        case .blob(let digest, let data):
            head.write(raw: digest.bytes)
            frames = [data]
        case .assignSlab(let unit):
            write(unit.key, to: &head)
            head.write(unit.attempt)
            head.write(unit.histories.lowerBound)
            head.write(unit.histories.upperBound)
            head.write(UInt16(unit.banks.count))
            for digest in unit.banks { head.write(raw: digest.bytes) }
            write(unit.spec, to: &head)
        case .slabResult(let result):
            write(result.key, to: &head)
            head.write(UInt16(result.outgoing.count))
            for bank in result.outgoing {
                head.write(bank.slab)
                head.write(UInt32(bank.bytes.count))
            }
            frames = [encode(slabEnergy: result)] + result.outgoing.map(\.bytes)
        case .slabFailed(let key, let reason):
            write(key, to: &head)
            head.write(string: reason)
        case .disconnect(let code, let reason):
            head.write(code.rawValue)
            head.write(string: reason)
        case .submit(let requestID, let spec, let inputs):
            head.write(requestID)
            write(spec, to: &head)
            frames = inputs
        case .submitted(let requestID, let jobID), .statusRequest(let requestID, let jobID),
            .cancel(let requestID, let jobID), .fetch(let requestID, let jobID):
            head.write(requestID)
            head.write(jobID)
        case .status(let requestID, let jobs):
            head.write(requestID)
            head.write(UInt32(jobs.count))
            for job in jobs { write(job, to: &head) }
        case .jobResult(let requestID, let jobID, let state, let tally, let memory):
            head.write(requestID)
            head.write(jobID)
            head.write(state.rawValue)
            write(tally.layout, to: &head)
            head.write(tally.historyCount)
            head.write(UInt32(tally.frames.count))
            write(memory, to: &head)
            // Already in the wire layout: the frames go out as they are.
            frames = tally.frames
        case .failure(let requestID, let reason):
            head.write(requestID)
            head.write(string: reason)
        }
        return [head.bytes] + frames
    }

    private static func write(_ key: UnitKey, to writer: inout ByteWriter) {
        writer.write(key.jobID)
        writer.write(key.index)
    }

    private static func write(_ key: SlabUnitKey, to writer: inout ByteWriter) {
        writer.write(key.jobID)
        writer.write(key.batch)
        writer.write(key.round)
        writer.write(key.slab)
    }

    /// Tally memory per thread: two `UInt64`, both 0 when not reported.
    private static func write(_ memory: TallyMemory?, to writer: inout ByteWriter) {
        writer.write(memory?.bytesPerThread ?? 0)
        writer.write(memory?.touchedBytesPerThread ?? 0)
    }

    private static func write(_ layout: SlabLayout, to writer: inout ByteWriter) {
        writer.write(layout.countX)
        writer.write(layout.countY)
        writer.write(layout.countZ)
        writer.write(layout.planesPerSlab)
    }

    /// The job description layout, shared by ASSIGN, SUBMIT and the job store.
    static func write(_ spec: JobSpec, to writer: inout ByteWriter) {
        writer.write(string: spec.workload)
        write(spec.layout, to: &writer)
        writer.write(spec.seed)
        writer.write(spec.historyCount)
        writer.write(spec.historiesPerUnit)
        writer.write(spec.priority)
        writer.write(UInt16(spec.inputs.count))
        for digest in spec.inputs { writer.write(raw: digest.bytes) }
        writer.write(lengthPrefixed: spec.parameters)
        if let stop = spec.stop {
            writer.write(UInt8(1))
            writer.write(stop.relativeUncertainty.bitPattern)
            writer.write(stop.doseFraction.bitPattern)
            writer.write(stop.firstCheckpointUnits)
            writer.write(stop.weightsInput ?? UInt16.max)
            writer.write(stop.groups)
        } else {
            writer.write(UInt8(0))
        }
        if let decomposition = spec.decomposition {
            writer.write(UInt8(1))
            writer.write(UInt16(decomposition.firstPlanes.count))
            for plane in decomposition.firstPlanes { writer.write(plane) }
            for input in decomposition.slabInputs { writer.write(input) }
            writer.write(decomposition.batches)
        } else {
            writer.write(UInt8(0))
        }
    }

    private static func write(_ job: JobStatus, to writer: inout ByteWriter) {
        writer.write(job.jobID)
        writer.write(job.state.rawValue)
        writer.write(job.priority)
        writer.write(job.unitsTotal)
        writer.write(job.unitsDone)
        writer.write(job.unitsRunning)
        writer.write(job.historiesDone)
        writer.write(job.historiesTotal)
        writer.write(job.workersAlive)
        writer.write((job.relativeUncertainty ?? .nan).bitPattern)
        writer.write(string: job.reason)
    }

    /// A sparse slab frame: slab, count, then voxels (UInt32), Σ (UInt64) and Σ² (UInt128) arrays.
    static func encode(slab: SlabTally) -> [UInt8] {
        var writer = ByteWriter(capacity: 8 + slab.voxels.count * 28)
        writer.write(slab.slab)
        writer.write(UInt32(slab.voxels.count))
        writer.write(array: slab.voxels)
        writer.write(array: slab.energySum)
        writer.write(array: slab.energySquaredSum)
        return writer.bytes
    }

    /// The energy frame of SLAB_RESULT (also the job store's row): count, then voxels (UInt32) and Σ (UInt64).
    static func encode(slabEnergy result: SlabUnitResult) -> [UInt8] {
        var writer = ByteWriter(capacity: 4 + result.voxels.count * 12)
        writer.write(UInt32(result.voxels.count))
        writer.write(array: result.voxels)
        writer.write(array: result.energySum)
        return writer.bytes
    }

    /// Reads an energy frame (see `encode(slabEnergy:)`); structure only.
    static func decode(slabEnergy frame: [UInt8]) throws(WireError) -> (voxels: [UInt32], energySum: [UInt64]) {
        var reader = ByteReader(frame, context: "SLAB_RESULT energy")
        let count = Int(try reader.read(UInt32.self, "voxel count"))
        guard count <= reader.remaining / 12 else {
            throw .truncated(what: "SLAB_RESULT energy", needed: count * 12, available: reader.remaining)
        }
        let voxels = try reader.readArray(of: UInt32.self, count: count, "voxels")
        let sums = try reader.readArray(of: UInt64.self, count: count, "Σ")
        try reader.finish()
        return (voxels, sums)
    }

    // MARK: - Decoding

    /// Decodes a message from untrusted frames (the ROUTER's identity frame already removed).
    /// - Throws: `WireError` for anything that is not a well-formed message of this version. A READY
    ///   of another version decodes (its header is frozen) so that it can be refused with a reason.
    public static func decode(_ frames: [[UInt8]]) throws(WireError) -> WireMessage {
        guard let first = frames.first else { throw .frameCount(kind: "message", found: 0, expected: "at least 1") }
        guard frames.count <= WireLimits.maximumFrames else {
            throw .tooLarge(what: "message frame count", bytes: frames.count, limit: WireLimits.maximumFrames)
        }
        for frame in frames where frame.count > WireLimits.maximumFrameBytes {
            throw .tooLarge(what: "frame", bytes: frame.count, limit: WireLimits.maximumFrameBytes)
        }
        guard first.count >= headerBytes, Array(first.prefix(4)) == magic else {
            throw first.count < 4 || Array(first.prefix(4)) != magic
                ? .badMagic : .truncated(what: "header", needed: headerBytes, available: first.count)
        }
        var reader = ByteReader(first, context: "header")
        _ = try reader.readRaw(4, "magic")
        let version = try reader.read(UInt16.self, "version")
        let code = try reader.read(UInt16.self, "kind")
        guard let kind = MessageKind(rawValue: code) else { throw .unknownKind(code) }
        reader = ByteReader(Array(first.dropFirst(headerBytes)), context: kind.description)
        if version != WireLimits.protocolVersion {
            guard kind == .ready else {
                throw .unsupportedVersion(found: version, supported: WireLimits.protocolVersion)
            }
            return .ready(WorkerHello(protocolVersion: version, name: "", threads: 0, workloads: []))
        }
        let payload = Array(frames.dropFirst())
        let message = try decodeBody(kind, &reader, payload)
        try reader.finish()
        return message
    }

    /// The protocol version whose RESULT is this version's without the tally memory fields.
    static let versionWithoutTallyMemory: UInt16 = 4

    /// A RESULT the job store committed (`FramePacking` of its frames): of this version, or of version 4,
    /// whose RESULT lacks only the tally memory, so that a coordinator upgraded over a state directory
    /// keeps the results committed before.
    /// - Throws: `WireError` for anything else.
    static func decode(storedResult frames: [[UInt8]]) throws(WireError) -> UnitResult {
        guard let first = frames.first, first.count >= headerBytes, Array(first.prefix(4)) == magic else {
            throw .badMagic
        }
        var reader = ByteReader(first, context: "stored RESULT")
        _ = try reader.readRaw(4, "magic")
        let version = try reader.read(UInt16.self, "version")
        let kind = try reader.read(UInt16.self, "kind")
        guard kind == MessageKind.result.rawValue else {
            throw .malformed(what: "stored RESULT", reason: "message kind \(kind) is not RESULT")
        }
        guard version == versionWithoutTallyMemory else {
            guard case .result(let result) = try decode(frames) else { throw .unknownKind(kind) }
            return result
        }
        let result = try readResult(&reader, Array(frames.dropFirst()), withTallyMemory: false)
        try reader.finish()
        return result
    }

    /// A RESULT's body after its header: key, histories, slab count, the tally memory (since version 5),
    /// then one sparse slab frame per slab.
    private static func readResult(_ reader: inout ByteReader, _ payload: [[UInt8]], withTallyMemory: Bool)
        throws(WireError) -> UnitResult
    {
        let key = try readKey(&reader)
        let histories = try reader.read(UInt64.self, "history count")
        let count = try reader.read(UInt32.self, "slab count")
        let memory = withTallyMemory ? try readTallyMemory(&reader) : nil
        try expectFrames(.result, payload, Int(count))
        var slabs: [SlabTally] = []
        slabs.reserveCapacity(payload.count)
        for frame in payload { slabs.append(try decode(slab: frame)) }
        return UnitResult(key: key, historyCount: histories, slabs: slabs, tallyMemory: memory)
    }

    private static func expectFrames(_ kind: MessageKind, _ payload: [[UInt8]], _ count: Int) throws(WireError) {
        guard payload.count == count else {
            throw .frameCount(kind: kind.description, found: payload.count + 1, expected: "\(count + 1)")
        }
    }

    private static func decodeBody(_ kind: MessageKind, _ reader: inout ByteReader, _ payload: [[UInt8]])
        throws(WireError) -> WireMessage
    {
        switch kind {
        case .ready:
            try expectFrames(kind, payload, 0)
            let name = try reader.readString("name")
            let threads = try reader.read(UInt32.self, "threads")
            let count = try reader.read(UInt16.self, "workload count")
            guard count <= 64 else { throw .tooLarge(what: "READY.workloads", bytes: Int(count), limit: 64) }
            var workloads: [String] = []
            for _ in 0..<count { workloads.append(try reader.readString("workload")) }
            var running: UnitKey?
            var histories: Range<UInt64>?
            var slabUnit: SlabUnitKey?
            switch try reader.read(UInt8.self, "running flag") {
            case 0: running = nil
            case 2: slabUnit = try readSlabKey(&reader)
            case 1:
                running = try readKey(&reader)
                let first = try reader.read(UInt64.self, "running first history")
                let end = try reader.read(UInt64.self, "running end history")
                guard first <= end else { throw .malformed(what: "READY.running", reason: "end before start") }
                histories = first < end ? first..<end : nil
            case let flag: throw .malformed(what: "READY.running", reason: "flag \(flag) is not 0, 1 or 2")
            }
            return .ready(
                WorkerHello(
                    name: name, threads: threads, workloads: workloads, runningUnit: running, runningHistories: histories,
                    runningSlabUnit: slabUnit))
        case .heartbeat:
            try expectFrames(kind, payload, 0)
            return .heartbeat
        case .assign:
            try expectFrames(kind, payload, 0)
            let key = try readKey(&reader)
            let attempt = try reader.read(UInt32.self, "attempt")
            let first = try reader.read(UInt64.self, "first history")
            let end = try reader.read(UInt64.self, "end history")
            guard first <= end else { throw .malformed(what: "ASSIGN.histories", reason: "end before start") }
            let spec = try readSpec(&reader)
            guard end <= spec.historyCount else {
                throw .malformed(what: "ASSIGN.histories", reason: "beyond the job's \(spec.historyCount) histories")
            }
            return .assign(WorkUnit(key: key, attempt: attempt, spec: spec, histories: first..<end))
        case .result:
            return .result(try readResult(&reader, payload, withTallyMemory: true))
        case .unitFailed:
            try expectFrames(kind, payload, 0)
            return .unitFailed(try readKey(&reader), reason: try reader.readString("reason"))
        case .blobRequest:
            try expectFrames(kind, payload, 0)
            return .blobRequest(try readDigest(&reader))
        case .blob:
            try expectFrames(kind, payload, 1)
            let digest = try readDigest(&reader)
            try checkContent(payload[0], matches: digest, "BLOB")
            return .blob(digest, payload[0])
        case .assignSlab:
            try expectFrames(kind, payload, 0)
            let key = try readSlabKey(&reader)
            let attempt = try reader.read(UInt32.self, "attempt")
            let first = try reader.read(UInt64.self, "first history")
            let end = try reader.read(UInt64.self, "end history")
            guard first <= end else { throw .malformed(what: "ASSIGN_SLAB.histories", reason: "end before start") }
            let count = Int(try reader.read(UInt16.self, "bank count"))
            guard count <= WireLimits.maximumBanks else {
                throw .tooLarge(what: "ASSIGN_SLAB.banks", bytes: count, limit: WireLimits.maximumBanks)
            }
            var banks: [ContentDigest] = []
            for _ in 0..<count { banks.append(try readDigest(&reader)) }
            let spec = try readSpec(&reader)
            guard let decomposition = spec.decomposition, Int(key.slab) < decomposition.slabCount,
                key.batch < decomposition.batches,
                first..<end == decomposition.histories(ofBatch: Int(key.batch), historyCount: spec.historyCount)
            else {
                throw .malformed(what: "ASSIGN_SLAB", reason: "\(key) is not a unit of its decomposed job")
            }
            return .assignSlab(SlabWorkUnit(key: key, attempt: attempt, spec: spec, histories: first..<end, banks: banks))
        case .slabResult:
            let key = try readSlabKey(&reader)
            let count = Int(try reader.read(UInt16.self, "bank count"))
            try expectFrames(kind, payload, 1 + count)
            var outgoing: [SlabUnitResult.OutgoingBank] = []
            for n in 0..<count {
                // Named here, by what arrived: the one hash of this hop.
                let slab = try reader.read(UInt32.self, "bank slab")
                let byteCount = Int(try reader.read(UInt32.self, "bank bytes"))
                guard payload[1 + n].count == byteCount else {
                    throw .malformed(what: "SLAB_RESULT bank \(n)", reason: "\(payload[1 + n].count) bytes, the header says \(byteCount)")
                }
                outgoing.append(.init(slab: slab, bytes: payload[1 + n], digest: ContentDigest(of: payload[1 + n])))
            }
            let (voxels, sums) = try decode(slabEnergy: payload[0])
            return .slabResult(SlabUnitResult(key: key, voxels: voxels, energySum: sums, outgoing: outgoing))
        case .slabFailed:
            try expectFrames(kind, payload, 0)
            return .slabFailed(try readSlabKey(&reader), reason: try reader.readString("reason"))
        case .disconnect:
            try expectFrames(kind, payload, 0)
            let raw = try reader.read(UInt16.self, "code")
            guard let code = DisconnectCode(rawValue: raw) else {
                throw .malformed(what: "DISCONNECT.code", reason: "unknown code \(raw)")
            }
            return .disconnect(code, reason: try reader.readString("reason"))
        case .submit:
            let requestID = try reader.read(UInt64.self, "request id")
            let spec = try readSpec(&reader)
            try expectFrames(kind, payload, spec.inputs.count)
            for (input, digest) in zip(payload, spec.inputs) { try checkContent(input, matches: digest, "SUBMIT input") }
            return .submit(requestID: requestID, spec: spec, inputs: payload)
        case .submitted, .statusRequest, .cancel, .fetch:
            try expectFrames(kind, payload, 0)
            let requestID = try reader.read(UInt64.self, "request id")
            let jobID = try reader.read(UInt64.self, "job id")
            switch kind {
            case .submitted: return .submitted(requestID: requestID, jobID: jobID)
            case .statusRequest: return .statusRequest(requestID: requestID, jobID: jobID)
            case .cancel: return .cancel(requestID: requestID, jobID: jobID)
            default: return .fetch(requestID: requestID, jobID: jobID)
            }
        case .status:
            try expectFrames(kind, payload, 0)
            let requestID = try reader.read(UInt64.self, "request id")
            let count = try reader.read(UInt32.self, "job count")
            // Each status takes at least 57 bytes (53 fixed + a 4-byte reason length): no more can be genuine.
            guard Int(count) <= reader.remaining / 57 else {
                throw .truncated(what: "STATUS.jobs", needed: Int(count) * 57, available: reader.remaining)
            }
            var jobs: [JobStatus] = []
            for _ in 0..<count { jobs.append(try readStatus(&reader)) }
            return .status(requestID: requestID, jobs: jobs)
        case .jobResult:
            let requestID = try reader.read(UInt64.self, "request id")
            let jobID = try reader.read(UInt64.self, "job id")
            let state = try readState(&reader)
            let layout = try readLayout(&reader)
            let histories = try reader.read(UInt64.self, "history count")
            let count = try reader.read(UInt32.self, "slab frame count")
            let memory = try readTallyMemory(&reader)
            guard Int(count) <= layout.slabCount else {
                throw .malformed(what: "JOB_RESULT", reason: "\(count) slab frames for \(layout.slabCount) slabs")
            }
            try expectFrames(kind, payload, Int(count))
            // Checked, then kept as they arrived: the client adds them straight into its tally.
            let tally = try SparseTally(layout: layout, historyCount: histories, frames: payload)
            return .jobResult(requestID: requestID, jobID: jobID, state: state, tally: tally, tallyMemory: memory)
        case .failure:
            try expectFrames(kind, payload, 0)
            return .failure(requestID: try reader.read(UInt64.self, "request id"), reason: try reader.readString("reason"))
        }
    }

    /// Content-addressed bytes must hash to their name: a corrupted or substituted input is refused here.
    private static func checkContent(_ data: [UInt8], matches digest: ContentDigest, _ what: String) throws(WireError) {
        guard ContentDigest(of: data) == digest else {
            throw .malformed(what: what, reason: "content does not match its SHA-256 \(digest)")
        }
    }

    private static func readKey(_ reader: inout ByteReader) throws(WireError) -> UnitKey {
        UnitKey(jobID: try reader.read(UInt64.self, "job id"), index: try reader.read(UInt32.self, "unit index"))
    }

    private static func readSlabKey(_ reader: inout ByteReader) throws(WireError) -> SlabUnitKey {
        SlabUnitKey(
            jobID: try reader.read(UInt64.self, "job id"), batch: try reader.read(UInt32.self, "batch"),
            round: try reader.read(UInt32.self, "round"), slab: try reader.read(UInt32.self, "slab"))
    }

    private static func readDigest(_ reader: inout ByteReader) throws(WireError) -> ContentDigest {
        try ContentDigest(bytes: try reader.readRaw(32, "digest"))
    }

    private static func readState(_ reader: inout ByteReader) throws(WireError) -> JobState {
        let raw = try reader.read(UInt8.self, "state")
        guard let state = JobState(rawValue: raw) else {
            throw .malformed(what: "\(reader.context).state", reason: "unknown job state \(raw)")
        }
        return state
    }

    private static func readTallyMemory(_ reader: inout ByteReader) throws(WireError) -> TallyMemory? {
        let bytes = try reader.read(UInt64.self, "tally bytes per thread")
        let touched = try reader.read(UInt64.self, "tally touched bytes per thread")
        guard bytes != 0 || touched != 0 else { return nil }
        return TallyMemory(bytesPerThread: bytes, touchedBytesPerThread: touched)
    }

    private static func readLayout(_ reader: inout ByteReader) throws(WireError) -> SlabLayout {
        let x = try reader.read(UInt32.self, "count x")
        let y = try reader.read(UInt32.self, "count y")
        let z = try reader.read(UInt32.self, "count z")
        let planes = try reader.read(UInt32.self, "planes per slab")
        do {
            return try SlabLayout(countX: x, countY: y, countZ: z, planesPerSlab: planes)
        } catch {
            throw .malformed(what: "\(reader.context).layout", reason: error.description)
        }
    }

    /// The job description layout (see `write(_:to:)`), validated.
    static func readSpec(_ reader: inout ByteReader) throws(WireError) -> JobSpec {
        let workload = try reader.readString("workload", limit: 64)
        let layout = try readLayout(&reader)
        let seed = try reader.read(UInt64.self, "seed")
        let histories = try reader.read(UInt64.self, "history count")
        let perUnit = try reader.read(UInt64.self, "histories per unit")
        let priority = try reader.read(Int32.self, "priority")
        let inputCount = Int(try reader.read(UInt16.self, "input count"))
        guard inputCount <= WireLimits.maximumInputs else {
            throw .tooLarge(what: "\(reader.context).inputs", bytes: inputCount, limit: WireLimits.maximumInputs)
        }
        var inputs: [ContentDigest] = []
        for _ in 0..<inputCount { inputs.append(try readDigest(&reader)) }
        let parameters = try reader.readLengthPrefixed("parameters", limit: WireLimits.maximumParameterBytes)
        let stop: UncertaintyTarget?
        switch try reader.read(UInt8.self, "stop flag") {
        case 0: stop = nil
        case 1:
            let target = Double(bitPattern: try reader.read(UInt64.self, "target uncertainty"))
            let fraction = Double(bitPattern: try reader.read(UInt64.self, "dose fraction"))
            let first = try reader.read(UInt32.self, "first checkpoint")
            let weights = try reader.read(UInt16.self, "weights input")
            let groups = try reader.read(UInt32.self, "groups")
            stop = UncertaintyTarget(
                relativeUncertainty: target, doseFraction: fraction, firstCheckpointUnits: first,
                weightsInput: weights == UInt16.max ? nil : weights, groups: groups)
        case let flag: throw .malformed(what: "\(reader.context).stop", reason: "flag \(flag) is neither 0 nor 1")
        }
        let decomposition: Decomposition?
        switch try reader.read(UInt8.self, "decomposition flag") {
        case 0: decomposition = nil
        case 1:
            let slabs = Int(try reader.read(UInt16.self, "slab count"))
            guard slabs <= WireLimits.maximumInputs else {
                throw .tooLarge(what: "\(reader.context).slabs", bytes: slabs, limit: WireLimits.maximumInputs)
            }
            var planes: [UInt32] = [], slabInputs: [UInt16] = []
            for _ in 0..<slabs { planes.append(try reader.read(UInt32.self, "slab first plane")) }
            for _ in 0..<slabs { slabInputs.append(try reader.read(UInt16.self, "slab input")) }
            let batches = try reader.read(UInt32.self, "batches")
            decomposition = Decomposition(firstPlanes: planes, batches: batches, slabInputs: slabInputs)
        case let flag:
            throw .malformed(what: "\(reader.context).decomposition", reason: "flag \(flag) is neither 0 nor 1")
        }
        let spec = JobSpec(
            workload: workload, layout: layout, seed: seed, historyCount: histories, historiesPerUnit: perUnit,
            priority: priority, inputs: inputs, parameters: parameters, stop: stop, decomposition: decomposition)
        do {
            try spec.validate()
        } catch {
            throw .malformed(what: "\(reader.context).job", reason: error.description)
        }
        return spec
    }

    private static func readStatus(_ reader: inout ByteReader) throws(WireError) -> JobStatus {
        JobStatus(
            jobID: try reader.read(UInt64.self, "job id"), state: try readState(&reader),
            priority: try reader.read(Int32.self, "priority"), unitsTotal: try reader.read(UInt32.self, "units total"),
            unitsDone: try reader.read(UInt32.self, "units done"),
            unitsRunning: try reader.read(UInt32.self, "units running"),
            historiesDone: try reader.read(UInt64.self, "histories done"),
            historiesTotal: try reader.read(UInt64.self, "histories total"),
            workersAlive: try reader.read(UInt32.self, "workers alive"),
            relativeUncertainty: Double(bitPattern: try reader.read(UInt64.self, "uncertainty")).nilIfNaN,
            reason: try reader.readString("reason"))
    }

    /// A sparse slab frame (see `encode(slab:)`); structure only: the coordinator checks it fits its job.
    static func decode(slab frame: [UInt8]) throws(WireError) -> SlabTally {
        var reader = ByteReader(frame, context: "RESULT slab")
        let slab = try reader.read(UInt32.self, "slab")
        let count = Int(try reader.read(UInt32.self, "voxel count"))
        guard count <= reader.remaining / 28 else {
            throw .truncated(what: "RESULT slab \(slab)", needed: count * 28, available: reader.remaining)
        }
        let voxels = try reader.readArray(of: UInt32.self, count: count, "voxels")
        let sums = try reader.readArray(of: UInt64.self, count: count, "Σ")
        let squares = try reader.readArray(of: UInt128.self, count: count, "Σ²")
        try reader.finish()
        return SlabTally(slab: slab, voxels: voxels, energySum: sums, energySquaredSum: squares)
    }
}

extension Double {
    /// nil for NaN (the wire's "unknown").
    fileprivate var nilIfNaN: Double? { isNaN ? nil : self }
}
