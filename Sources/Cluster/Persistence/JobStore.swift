import Foundation
import GRDB

/// The coordinator's durable state in a directory: job and unit state in SQLite (`state.sqlite`, via
/// GRDB), merged tallies in checkpoint files (`checkpoints/job-N.tally`). A unit is committed when
/// its result row is in SQLite; a checkpoint folds committed results into one file, after which
/// their rows are deleted. Restoring = checkpoint + the committed rows it does not include.
public final class JobStore: Sendable {
    /// The state directory.
    public let directory: URL
    private let database: DatabaseQueue

    /// Opens (creating if needed) the state in `directory`.
    /// - Throws: `ClusterError.storage` when the directory or database cannot be opened.
    public init(directory: URL) throws(ClusterError) {
        self.directory = directory
        do {
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
            database = try DatabaseQueue(path: directory.appendingPathComponent("state.sqlite").path)
            var migrator = DatabaseMigrator()
            migrator.registerMigration("v1") { db in
                try db.create(table: "job") { table in
                    table.primaryKey("id", .integer)
                    table.column("spec", .blob).notNull()
                    table.column("state", .integer).notNull()
                    table.column("reason", .text).notNull()
                }
                try db.create(table: "result") { table in
                    table.column("jobID", .integer).notNull()
                    table.column("unitIndex", .integer).notNull()
                    table.column("payload", .blob).notNull()
                    table.primaryKey(["jobID", "unitIndex"])
                }
                try db.create(table: "blob") { table in
                    table.primaryKey("digest", .blob)
                    table.column("data", .blob).notNull()
                }
            }
            migrator.registerMigration("v3 decomposed rounds") { db in
                try db.create(table: "slab_result") { table in
                    table.column("jobID", .integer).notNull()
                    table.column("batch", .integer).notNull()
                    table.column("round", .integer).notNull()
                    table.column("slab", .integer).notNull()
                    table.column("energy", .blob).notNull()
                    table.column("banks", .blob).notNull()
                    table.primaryKey(["jobID", "batch", "round", "slab"])
                }
            }
            try migrator.migrate(database)
            try FileManager.default.createDirectory(at: directory.appendingPathComponent("banks"), withIntermediateDirectories: true)
        } catch {
            throw .storage("cannot open the state in \(directory.path): \(error)")
        }
    }

    /// The checkpoint file of a job.
    public func checkpointURL(jobID: UInt64) -> URL {
        directory.appendingPathComponent("checkpoints/job-\(jobID).tally")
    }

    /// The file of a particle bank, named by its digest.
    func bankURL(_ digest: ContentDigest) -> URL { directory.appendingPathComponent("banks/\(digest)") }

    // MARK: - Writing

    /// Stores a new job and its inputs in one transaction.
    public func insertJob(id: UInt64, spec: JobSpec, inputs: [[UInt8]]) throws(ClusterError) {
        var writer = ByteWriter()
        WireCodec.write(spec, to: &writer)
        try write("store job \(id)") { db in
            try db.execute(
                sql: "INSERT INTO job (id, spec, state, reason) VALUES (?, ?, ?, '')",
                arguments: [Int64(bitPattern: id), Data(writer.bytes), Int(JobState.running.rawValue)])
            for (digest, data) in zip(spec.inputs, inputs) {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO blob (digest, data) VALUES (?, ?)", arguments: [Data(digest.bytes), Data(data)])
            }
        }
    }

    /// Commits a unit result (a second commit of the same unit is ignored).
    public func commit(_ result: UnitResult) throws(ClusterError) {
        let payload = FramePacking.pack(WireCodec.encode(.result(result)))
        try write("commit \(result.key)") { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO result (jobID, unitIndex, payload) VALUES (?, ?, ?)",
                arguments: [Int64(bitPattern: result.key.jobID), Int(result.key.index), Data(payload)])
        }
    }

    /// Commits a decomposed unit's result: its outgoing banks as files named by digest (each written
    /// whole, flushed and renamed), then its row (energy and bank digests) in one transaction. A second
    /// commit of the same unit is ignored.
    public func commit(slab result: SlabUnitResult) throws(ClusterError) {
        for bank in result.outgoing where !FileManager.default.fileExists(atPath: bankURL(bank.digest).path) {
            try writeAtomically(bank.bytes, to: bankURL(bank.digest))
        }
        var banks = ByteWriter()
        for bank in result.outgoing {
            banks.write(bank.slab)
            banks.write(raw: bank.digest.bytes)
        }
        let key = result.key
        try write("commit \(key)") { db in
            try db.execute(
                sql: "INSERT OR IGNORE INTO slab_result (jobID, batch, round, slab, energy, banks) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    Int64(bitPattern: key.jobID), Int(key.batch), Int(key.round), Int(key.slab),
                    Data(WireCodec.encode(slabEnergy: result)), Data(banks.bytes),
                ])
        }
    }

    /// Deletes bank files no unit needs any more (missing ones are fine: a restart may repeat this).
    public func deleteBanks(_ digests: [ContentDigest]) {
        for digest in digests { try? FileManager.default.removeItem(at: bankURL(digest)) }
    }

    /// Records a job's state.
    public func setState(jobID: UInt64, _ state: JobState, reason: String) throws(ClusterError) {
        try write("update job \(jobID)") { db in
            try db.execute(
                sql: "UPDATE job SET state = ?, reason = ? WHERE id = ?",
                arguments: [Int(state.rawValue), reason, Int64(bitPattern: jobID)])
        }
    }

    /// Writes a job's checkpoint (atomically), then deletes the result rows it now includes.
    public func checkpoint(_ job: JobRecord) throws(ClusterError) {
        try write(snapshot(of: job))
    }

    /// What a checkpoint of `job` writes, as the job is now. Cheap: the tally's arrays are shared
    /// copy-on-write with the job, so the caller may go on merging while another thread writes it.
    public func snapshot(of job: JobRecord) -> CheckpointSnapshot {
        if let rounds = job.rounds {
            // A decomposed job's tally holds whole batches 0..<folded; their rows go.
            let folded = rounds.folded
            return CheckpointSnapshot(
                checkpoint: TallyCheckpoint(
                    jobID: job.id, doneUnits: Set(0..<UInt32(folded)), unitCount: Int(rounds.decomposition.batches),
                    awaited: folded, tally: job.tally),
                prunedRows: .batchesBelow(folded))
        }
        // Only the units merged in `tally` (below the awaited checkpoint): rows of units ahead stay.
        let done = Set((0..<job.awaited).filter { job.units[$0] == .done }.map { UInt32($0) })
        return CheckpointSnapshot(
            checkpoint: TallyCheckpoint(
                jobID: job.id, doneUnits: done, unitCount: job.units.count, awaited: job.awaited, tally: job.tally),
            prunedRows: .units(done))
    }

    /// Writes a snapshot's checkpoint file (temporary file, flush, rename), and only then deletes the
    /// result rows it includes: killed at any point, the state holds an old checkpoint with every row
    /// after it, or the new one with or without rows it already includes (restore skips those).
    public func write(_ snapshot: CheckpointSnapshot) throws(ClusterError) {
        let id = snapshot.checkpoint.jobID
        try snapshot.checkpoint.write(to: checkpointURL(jobID: id))
        switch snapshot.prunedRows {
        case .batchesBelow(let folded):
            try write("prune rounds of job \(id)") { db in
                try db.execute(
                    sql: "DELETE FROM slab_result WHERE jobID = ? AND batch < ?", arguments: [Int64(bitPattern: id), folded])
            }
        case .units(let done):
            try write("prune results of job \(id)") { db in
                let rows = try Int.fetchAll(
                    db, sql: "SELECT unitIndex FROM result WHERE jobID = ?", arguments: [Int64(bitPattern: id)])
                for index in rows where done.contains(UInt32(index)) {
                    try db.execute(
                        sql: "DELETE FROM result WHERE jobID = ? AND unitIndex = ?", arguments: [Int64(bitPattern: id), index])
                }
            }
        }
    }

    private static func slabResult(_ row: Row) throws(ClusterError) -> SlabUnitResult {
        let key = SlabUnitKey(
            jobID: UInt64(bitPattern: row["jobID"] as Int64), batch: UInt32(clamping: row["batch"] as Int),
            round: UInt32(clamping: row["round"] as Int), slab: UInt32(clamping: row["slab"] as Int))
        let energy: Data = row["energy"], banks: Data = row["banks"]
        do throws(WireError) {
            let (voxels, sums) = try WireCodec.decode(slabEnergy: Array(energy))
            var reader = ByteReader(Array(banks), context: "stored banks of \(key)")
            var outgoing: [SlabUnitResult.OutgoingBank] = []
            while reader.remaining > 0 {
                let slab = try reader.read(UInt32.self, "slab")
                outgoing.append(.init(slab: slab, digest: try ContentDigest(bytes: try reader.readRaw(32, "digest"))))
            }
            return SlabUnitResult(key: key, voxels: voxels, energySum: sums, outgoing: outgoing)
        } catch {
            throw .storage("unreadable row for \(key): \(error)")
        }
    }

    private func write(_ what: String, _ body: (Database) throws -> Void) throws(ClusterError) {
        do {
            try database.write(body)
        } catch {
            throw .storage("cannot \(what) in \(directory.path): \(error)")
        }
    }

    // MARK: - Restoring

    /// Every job as it was last committed: checkpoint plus committed results, with every unit not
    /// committed pending again; and every stored input.
    /// - Throws: `ClusterError.storage` for unreadable rows or checkpoints.
    public func restore() throws(ClusterError) -> (jobs: [JobRecord], blobs: [ContentDigest: [UInt8]]) {
        let rows: [Row], results: [Row], blobRows: [Row], slabRows: [Row]
        do {
            (rows, results, blobRows, slabRows) = try database.read { db in
                (
                    try Row.fetchAll(db, sql: "SELECT id, spec, state, reason FROM job ORDER BY id"),
                    try Row.fetchAll(db, sql: "SELECT jobID, unitIndex, payload FROM result ORDER BY jobID, unitIndex"),
                    try Row.fetchAll(db, sql: "SELECT digest, data FROM blob"),
                    try Row.fetchAll(
                        db, sql: "SELECT jobID, batch, round, slab, energy, banks FROM slab_result ORDER BY jobID, batch, round, slab")
                )
            }
        } catch {
            throw .storage("cannot read the state in \(directory.path): \(error)")
        }
        var resultsByJob: [UInt64: [UnitResult]] = [:]
        for row in results {
            let payload: Data = row["payload"]
            guard let result = try? WireCodec.decode(storedResult: try FramePacking.unpack(Array(payload))) else {
                throw .storage("unreadable result row for job \(row["jobID"] as Int64) unit \(row["unitIndex"] as Int)")
            }
            resultsByJob[result.key.jobID, default: []].append(result)
        }
        var slabResults: [UInt64: [SlabUnitResult]] = [:]
        for row in slabRows {
            let result = try Self.slabResult(row)
            slabResults[result.key.jobID, default: []].append(result)
        }
        var blobs: [ContentDigest: [UInt8]] = [:]
        for row in blobRows {
            let digest: Data = row["digest"], data: Data = row["data"]
            if let key = try? ContentDigest(bytes: Array(digest)) { blobs[key] = Array(data) }
        }
        var jobs: [JobRecord] = []
        var neededBanks = Set<String>()
        for row in rows {
            let id = UInt64(bitPattern: row["id"] as Int64)
            let specBytes: Data = row["spec"]
            var reader = ByteReader(Array(specBytes), context: "stored job \(id)")
            let spec: JobSpec
            do {
                spec = try WireCodec.readSpec(&reader)
            } catch {
                throw .storage("stored job \(id): \(error)")
            }
            guard let state = JobState(rawValue: UInt8(clamping: row["state"] as Int)) else {
                throw .storage("stored job \(id) has an unknown state")
            }
            var done = Set<UInt32>()
            var tally = MergedTally(layout: spec.layout)
            var awaited = 0
            let url = checkpointURL(jobID: id)
            if FileManager.default.fileExists(atPath: url.path) {
                let checkpoint = try TallyCheckpoint.read(from: url)
                let units = spec.decomposition.map { Int($0.batches) } ?? spec.unitCount
                guard checkpoint.jobID == id, checkpoint.tally.layout == spec.layout, checkpoint.unitCount == units else {
                    throw .storage("\(url.lastPathComponent) does not belong to job \(id)")
                }
                done = checkpoint.doneUnits
                tally = checkpoint.tally
                awaited = checkpoint.awaited
            }
            var job = JobRecord(
                id: id, spec: spec, state: state, reason: row["reason"], done: done, tally: tally, awaited: awaited,
                blobs: blobs)
            for result in resultsByJob[id, default: []] { try job.restore(result) }
            for result in slabResults[id, default: []] {
                // Rows in (batch, round, slab) order replay the rounds as they ran; rows of batches in the
                // checkpoint come back as duplicates.
                if let reason = try job.merge(slab: result).complete {
                    job.state = .completed
                    job.reason = reason
                }
            }
            for digest in job.state == .running ? job.rounds?.neededBanks ?? [] : [] {
                guard let data = FileManager.default.contents(atPath: bankURL(digest).path),
                    ContentDigest(of: Array(data)) == digest
                else { throw .storage("job \(id) needs particle bank \(digest), missing or damaged in \(directory.path)/banks") }
                blobs[digest] = Array(data)
                neededBanks.insert(digest.description)
            }
            // A crash between the last commit and the state update leaves a finished job "running".
            if job.state == .running, let reason = try job.advance() {
                job.state = .completed
                job.reason = reason
                job.pendingStack = []
            }
            jobs.append(job)
        }
        // A crash between committing the last result of a round and deleting the banks it consumed
        // leaves files no open round needs: nothing else writes here, so they go now.
        let bankDirectory = directory.appendingPathComponent("banks")
        for name in (try? FileManager.default.contentsOfDirectory(atPath: bankDirectory.path)) ?? []
        where !neededBanks.contains(name) {
            try? FileManager.default.removeItem(at: bankDirectory.appendingPathComponent(name))
        }
        return (jobs, blobs)
    }
}
