import Foundation
import TestSupport
import Testing

/// deploy/slurm/penumbra-cluster.sbatch against a real single-node Slurm (Debian `slurm-wlm`, started by
/// deploy/slurm/single-node.sh): the coordinator and a worker as job steps, CURVE keys from
/// `penumbra keygen`, and a transport job sent from the batch step. The dose must be byte-identical to the
/// same `simulate` on one embedded worker (DESIGN.md invariant 1). Needs root and the Slurm daemons;
/// skipped with the reason otherwise.
@Suite("Slurm batch script on a single-node Slurm", .serialized)
struct SlurmTests {
    static let script = TestEnvironment.packageRoot.appendingPathComponent("deploy/slurm/single-node.sh")
    static let batch = TestEnvironment.packageRoot.appendingPathComponent("deploy/slurm/penumbra-cluster.sbatch")
    static let sbatch = URL(fileURLWithPath: "/usr/bin/sbatch")

    /// Why the test cannot run here, or nil.
    static let unavailable: String? = {
        guard getuid() == 0 else { return "not root: the test's Slurm daemons run as root" }
        for tool in ["/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/sbin/munged", sbatch.path]
        where !FileManager.default.isExecutableFile(atPath: tool) {
            return "\(tool) missing (apt-get install slurm-wlm)"
        }
        return nil
    }()

    @Test("sbatch penumbra-cluster.sbatch simulate …: byte-identical to one embedded worker")
    func simulateThroughSlurm() throws {
        if let reason = Self.unavailable {
            print("skipped: Slurm test: \(reason)")
            return
        }
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-slurm")
        defer { try? FileManager.default.removeItem(at: directory) }
        let slurm = directory.appendingPathComponent("slurm")
        let bash = URL(fileURLWithPath: "/bin/bash")
        let start = try runProgram(bash, [Self.script.path, "start", slurm.path])
        try #require(start.status == 0, "single-node Slurm: \(start.standardError)")
        defer { _ = try? runProgram(bash, [Self.script.path, "stop", slurm.path]) }

        let keys = directory.appendingPathComponent("keys")
        var publicKeys = ""
        for role in ["coordinator", "worker", "client"] {
            let made = try runProgram(ChildProcess.binary, ["keygen", role, "--out", keys.path])
            try #require(made.status == 0, "keygen \(role): \(made.standardError)")
            if role != "coordinator" { publicKeys += made.standardOutput }
        }
        try publicKeys.write(to: keys.appendingPathComponent("allowed"), atomically: true, encoding: .utf8)

        let phantom = TestEnvironment.reference("phantoms/water.egsphant")
        let simulate = [
            "--phantom", phantom.path, "--energy", "2", "--field=-2.5,2.5,-2.5,2.5", "--histories", "3000", "--seed", "23",
            "--log-level", "error",
        ]
        let viaSlurm = directory.appendingPathComponent("via-slurm")
        let port = 20_000 + Int(ProcessInfo.processInfo.processIdentifier % 20_000)
        let job = try runProgram(
            Self.sbatch,
            ["--wait", "--nodes=1", "--time=5", "--output=\(directory.path)/batch.log", Self.batch.path, "simulate"] + simulate
                + ["--out", viaSlurm.path],
            environment: [
                "SLURM_CONF": slurm.appendingPathComponent("slurm.conf").path, "PENUMBRA": ChildProcess.binary.path,
                "PENUMBRA_KEYS": keys.path, "PENUMBRA_PORT": "\(port)",
                "PENUMBRA_STATE": directory.appendingPathComponent("state").path,
            ],
            // Slurm ends the job at --time; a job that never starts (a node gone down) fails here instead.
            timeout: .seconds(420))
        func text(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        #expect(
            job.status == 0,
            "sbatch: \(job.standardError)\n\(text(directory.path + "/batch.log"))\ncoordinator step:\n\(text(directory.path + "/state.coordinator.log"))\nslurmctld:\n\(text(slurm.path + "/log/slurmctld.log").suffix(2_000))")

        let local = directory.appendingPathComponent("local")
        let reference = try runProgram(ChildProcess.binary, ["simulate"] + simulate + ["--workers", "1", "--out", local.path])
        try #require(reference.status == 0, "\(reference.standardError)")
        let slurmDose = try Data(contentsOf: viaSlurm.appendingPathComponent("dose.3ddose"))
        #expect(slurmDose.count > 1_000)
        #expect(slurmDose == (try Data(contentsOf: local.appendingPathComponent("dose.3ddose"))))
        let coordinatorLog = text(directory.path + "/state.coordinator.log")
        #expect(coordinatorLog.contains("joined"), "the worker step joined the coordinator step: \(coordinatorLog)")
    }
}
