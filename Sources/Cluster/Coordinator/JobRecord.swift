/// One job as the coordinator holds it: its description, every unit's state, and the merged tally.
///
/// With a stop by uncertainty (`JobSpec.stop`) the units are merged in two tallies: `tally` holds the
/// done units below `awaited`, the stop checkpoint being decided, and `ahead` those between `awaited`
/// and `limit`, the furthest unit handed out. When every unit below `awaited` is done, the decision
/// is taken on `tally` alone (a fixed prefix, so a fixed value): stop, or fold `ahead` in and move
/// both marks one checkpoint on. Without a target, `awaited` and `limit` are the unit count.
public struct JobRecord: Hashable, Sendable {
    /// Where one unit is.
    public enum UnitState: Hashable, Sendable {
        /// Waiting for a worker; `attempts` earlier hand-outs failed or were lost.
        case pending(attempts: Int)
        /// Out with a worker.
        case running(PeerID, attempts: Int)
        /// Merged into the tally (committed once persisted).
        case done
    }

    /// The job id.
    public let id: UInt64
    /// The description.
    public let spec: JobSpec
    /// The state.
    public internal(set) var state: JobState
    /// Why it failed or was cancelled, or why it stopped.
    public internal(set) var reason: String
    /// One entry per unit.
    public internal(set) var units: [UnitState]
    /// The merged tallies of the done units below `awaited`: the job's result.
    public internal(set) var tally: MergedTally
    /// The merged tallies of the done units from `awaited` on (empty without a target).
    public internal(set) var ahead: MergedTally?
    /// The stop checkpoint being decided, in units.
    public internal(set) var awaited: Int
    /// Units are handed out below this count.
    public internal(set) var limit: Int
    /// Units done below `awaited`.
    var doneBelowAwaited = 0
    /// The figure the stop rule saw at the last checkpoint.
    public internal(set) var relativeUncertainty: Double?
    /// The largest tally memory per thread the workers reported with the results merged (nil when none
    /// did; a restarted coordinator knows only what it merged since, from the rows it replayed on).
    public internal(set) var tallyMemory: TallyMemory?
    /// Per-voxel dose weights of the stop rule.
    let weights: [Float]?
    /// Units done.
    public internal(set) var unitsDone = 0
    /// Units running.
    public internal(set) var unitsRunning = 0
    /// Pending unit indices, next to hand out last; entries whose unit is no longer pending are
    /// skipped when popped (a restarted worker may take a pending unit back).
    var pendingStack: [UInt32]
    /// The rounds of a decomposed job (nil for a replicated one, whose work is `units`).
    var rounds: RoundProgress?

    /// A job with no unit done; `blobs` holds its inputs (for the stop rule's weights).
    init(id: UInt64, spec: JobSpec, blobs: [ContentDigest: [UInt8]]) {
        self.init(
            id: id, spec: spec, state: .running, reason: "", done: [], tally: MergedTally(layout: spec.layout),
            awaited: 0, blobs: blobs)
    }

    /// A job restored from storage: `done` units, all below `awaited`, are merged in `tally`; every other
    /// unit is pending (restore the other committed results with `restore(_:)`, then call `advance()`).
    init(
        id: UInt64, spec: JobSpec, state: JobState, reason: String, done: Set<UInt32>, tally: MergedTally, awaited: Int,
        blobs: [ContentDigest: [UInt8]]
    ) {
        self.id = id
        self.spec = spec
        self.state = state
        self.reason = reason
        self.tally = tally
        guard spec.decomposition == nil else {
            // Decomposed: the checkpoint's `awaited` is the number of batches folded into `tally`.
            units = []
            self.awaited = awaited
            limit = awaited
            weights = nil
            pendingStack = []
            rounds = RoundProgress(spec: spec, folded: awaited)
            unitsDone = awaited
            doneBelowAwaited = awaited
            return
        }
        let count = spec.unitCount
        units = (0..<count).map { done.contains(UInt32($0)) ? .done : .pending(attempts: 0) }
        unitsDone = done.count
        doneBelowAwaited = done.count
        if let stop = spec.stop {
            self.awaited = max(awaited, stop.firstCheckpoint(unitCount: count))
            limit = stop.checkpoint(after: self.awaited, unitCount: count)
            weights = stop.weightsInput.flatMap { blobs[spec.inputs[Int($0)]] }.map(Self.floats)
        } else {
            self.awaited = count
            limit = count
            weights = nil
        }
        pendingStack = state == .running ? (0..<UInt32(count)).reversed().filter { !done.contains($0) } : []
    }

    /// Little-endian `Float32`s (a short final word is ignored; `validate` checks the count).
    static func floats(_ bytes: [UInt8]) -> [Float] {
        stride(from: 0, to: bytes.count - 3, by: 4).map { n in
            Float(
                bitPattern: UInt32(bytes[n]) | UInt32(bytes[n + 1]) << 8 | UInt32(bytes[n + 2]) << 16 | UInt32(
                    bytes[n + 3]) << 24)
        }
    }

    /// True while some unit can be handed out.
    var hasPending: Bool {
        if let rounds { return state == .running && rounds.hasPending }
        guard state == .running, let top = pendingStack.last else { return false }
        return Int(top) < limit
    }

    /// Takes the next span of at most `maximum` consecutive pending units, never across a checkpoint.
    mutating func popSpan(maximum: Int) -> Range<Int>? {
        while let index = pendingStack.last {
            guard Int(index) < limit else { return nil }
            pendingStack.removeLast()
            guard case .pending = units[Int(index)] else { continue }
            let start = Int(index)
            let boundary = start < awaited ? awaited : limit
            var end = start + 1
            while end - start < maximum, end < boundary, let next = pendingStack.last, Int(next) == end,
                case .pending = units[end]
            {
                pendingStack.removeLast()
                end += 1
            }
            return start..<end
        }
        return nil
    }

    /// Puts units back in the queue (lowest handed out first). Units at or past `limit` were never
    /// handed out by this coordinator and are still queued where they were.
    mutating func pushPending(_ indices: [Int]) {
        guard state == .running else { return }
        pendingStack += indices.filter { $0 < limit }.sorted(by: >).map(UInt32.init)
    }

    /// Merges a validated result for `span`, all of whose units are not done.
    mutating func merge(_ result: UnitResult, span: Range<Int>) throws(ClusterError) {
        if span.upperBound <= awaited {
            try tally.add(result)
            doneBelowAwaited += span.count
        } else {
            var extra = ahead ?? MergedTally(layout: spec.layout)
            try extra.add(result)
            ahead = extra
        }
        if let reported = result.tallyMemory { tallyMemory = reported.largest(with: tallyMemory) }
        for n in span {
            if case .running = units[n] { unitsRunning -= 1 }
            units[n] = .done
        }
        unitsDone += span.count
    }

    /// Takes the stop decisions that are due. Returns the reason the job is complete, or nil while
    /// it runs on.
    mutating func advance() throws(ClusterError) -> String? {
        guard rounds == nil else { return nil }
        while state == .running && doneBelowAwaited == awaited {
            guard let stop = spec.stop else { return "" }
            let sigma = tally.meanRelativeUncertainty(
                aboveFraction: stop.doseFraction, weights: weights, groups: Int(stop.groups))
            relativeUncertainty = sigma
            let percent = (100 * sigma).formatted(2), target = (100 * stop.relativeUncertainty).formatted(2)
            if sigma <= stop.relativeUncertainty {
                return "reached \(percent) % ≤ \(target) % after \(tally.historyCount) histories"
            }
            if awaited == units.count {
                return "history limit \(tally.historyCount) reached at \(percent) %, above the target \(target) %"
            }
            if let extra = ahead { try tally.add(extra) }
            ahead = nil
            let previous = awaited
            awaited = limit
            limit = stop.checkpoint(after: awaited, unitCount: units.count)
            for n in previous..<awaited where units[n] == .done { doneBelowAwaited += 1 }
        }
        return nil
    }

    /// The status line of this job. Once it has ended, what its result holds (units run past the
    /// checkpoint it stopped at are not counted).
    func status(workersAlive: Int) -> JobStatus {
        let ended = state != .running
        if let rounds {
            return JobStatus(
                jobID: id, state: state, priority: spec.priority, unitsTotal: rounds.decomposition.batches,
                unitsDone: UInt32(rounds.folded), unitsRunning: UInt32(ended ? 0 : rounds.unitsRunning),
                historiesDone: tally.historyCount, historiesTotal: spec.historyCount,
                workersAlive: UInt32(workersAlive), relativeUncertainty: relativeUncertainty, reason: reason)
        }
        return JobStatus(
            jobID: id, state: state, priority: spec.priority, unitsTotal: UInt32(spec.unitCount),
            unitsDone: UInt32(ended ? doneBelowAwaited : unitsDone), unitsRunning: UInt32(ended ? 0 : unitsRunning),
            historiesDone: tally.historyCount + (ended ? 0 : ahead?.historyCount ?? 0),
            historiesTotal: spec.historyCount,
            workersAlive: UInt32(workersAlive), relativeUncertainty: relativeUncertainty, reason: reason)
    }
}

extension Double {
    /// Fixed decimals, for reasons and logs.
    func formatted(_ decimals: Int) -> String {
        let scale = Double((0..<decimals).reduce(1) { p, _ in p * 10 })
        let rounded = (self * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let have = text.distance(from: dot, to: text.endIndex) - 1
            if have < decimals { text += String(repeating: "0", count: decimals - have) }
        }
        return text
    }
}

extension JobRecord {
    /// Merges a result committed before a restart (rows in unit order), unless the checkpoint already
    /// holds its units. Stop decisions the coordinator had taken before the restart are taken again on
    /// the way (same prefix, same decision).
    mutating func restore(_ result: UnitResult) throws(ClusterError) {
        guard let span = spec.units(from: Int(result.key.index), histories: result.historyCount) else {
            throw .storage("stored result for \(result.key) does not cover whole units")
        }
        while state == .running, span.lowerBound >= limit, doneBelowAwaited == awaited, awaited < units.count {
            if try advance() != nil { return }
        }
        guard span.upperBound <= limit, span.allSatisfy({ units[$0] != .done }) else { return }
        try result.validate(for: spec)
        try merge(result, span: span)
    }
}

extension JobRecord {
    /// Merges a validated result of a decomposed unit (live, or a committed row on restore), then folds
    /// the batches it completed, in order, taking the stop decisions due at batch ends: with a stop
    /// rule at `firstCheckpoint · 2ᵏ` batches (the figure from the folded batches alone, so the same on
    /// every run), without one after the last batch.
    /// - Returns: what became of the result, and the reason the job is complete (nil while it runs on).
    /// - Throws: `ClusterError.tallyOverflow` (the job cannot go on).
    mutating func merge(slab result: SlabUnitResult) throws(ClusterError) -> (
        outcome: RoundProgress.Outcome, complete: String?
    ) {
        guard var progress = rounds, state == .running else { return (.duplicate, nil) }
        rounds = nil
        defer { rounds = progress }
        let outcome = try progress.merge(result)
        guard case .merged = outcome else { return (outcome, nil) }
        let batches = Int(progress.decomposition.batches)
        var complete: String?
        var sigma: Double?
        try progress.fold(into: &tally, historyCount: spec.historyCount) { folded, tally in
            guard let stop = spec.stop else {
                if folded == batches { complete = "" }
                return complete != nil
            }
            var checkpoint = stop.firstCheckpoint(unitCount: batches)
            while checkpoint < folded { checkpoint = stop.checkpoint(after: checkpoint, unitCount: batches) }
            guard checkpoint == folded else { return false }
            let figure = tally.meanRelativeUncertainty(aboveFraction: stop.doseFraction, batches: folded)
            sigma = figure
            let percent = (100 * figure).formatted(2), target = (100 * stop.relativeUncertainty).formatted(2)
            if figure <= stop.relativeUncertainty {
                complete = "reached \(percent) % ≤ \(target) % after \(folded) batches, \(tally.historyCount) histories"
            } else if folded == batches {
                complete = "history limit \(tally.historyCount) reached at \(percent) %, above the target \(target) %"
            }
            return complete != nil
        }
        if let sigma { relativeUncertainty = sigma }
        unitsDone = progress.folded
        doneBelowAwaited = progress.folded
        awaited = progress.folded
        return (outcome, complete)
    }
}
