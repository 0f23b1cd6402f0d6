import Foundation
import TestSupport
import Testing

/// deploy/'s systemd units and Kubernetes manifests against the real binary: `deploy/check.py` (PyYAML)
/// compares every `penumbra` command line with the options the binary has and checks the manifests'
/// structure (Secret files where the commands read keys, state on the claim, Service ports); and
/// `systemd-analyze verify` reads the units as systemd would. Each check is also shown to fail on a
/// broken copy.
@Suite("deploy/: systemd units and Kubernetes manifests")
struct DeployTests {
    static let deploy = TestEnvironment.packageRoot.appendingPathComponent("deploy")
    static let checker = deploy.appendingPathComponent("check.py")
    static let systemdAnalyze = URL(fileURLWithPath: "/usr/bin/systemd-analyze")

    /// A scratch copy of deploy/ with `old` replaced by `new` in `file` (which must contain it).
    static func brokenCopy(_ file: String, _ old: String, _ new: String) throws -> URL {
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-deploy")
        let copy = directory.appendingPathComponent("deploy")
        try FileManager.default.copyItem(at: deploy, to: copy)
        let url = copy.appendingPathComponent(file)
        let text = try String(contentsOf: url, encoding: .utf8)
        try #require(text.contains(old), "\(file) no longer contains '\(old)': update the test")
        try text.replacingOccurrences(of: old, with: new).write(to: url, atomically: true, encoding: .utf8)
        return directory
    }

    static func check(_ directory: URL) throws -> ProgramOutput {
        try runProgram(
            TestEnvironment.python, [checker.path, ChildProcess.binary.path, directory.path], timeout: .seconds(120))
    }

    @Test("Every command line in the manifests and units uses real options; keys, state and ports line up")
    func manifestsAndUnitsMatchTheBinary() throws {
        let output = try Self.check(Self.deploy)
        #expect(output.status == 0, "deploy/check.py:\n\(output.standardOutput)\(output.standardError)")
        #expect(output.standardOutput == "ok\n")
    }

    /// One edit that breaks deploy/, and what the checker must say about it.
    struct Breakage: Sendable, CustomTestStringConvertible {
        let file: String, old: String, new: String, message: String
        var testDescription: String { "\(file): \(old) → \(new)" }
        init(_ file: String, _ old: String, _ new: String, _ message: String) {
            (self.file, self.old, self.new, self.message) = (file, old, new, message)
        }
    }

    @Test(
        "deploy/check.py refuses a broken copy",
        arguments: [
            Breakage("kubernetes/workers.yaml", "--curve-key-file /keys/worker.key", "--curve-keyfile /keys/worker.key",
             "penumbra worker has no option --curve-keyfile"),
            Breakage("kubernetes/workers.yaml", "{key: worker.key, path: worker.key", "{key: worker.key, path: worker-key",
             "puts no item at worker.key"),
            Breakage("kubernetes/coordinator.yaml", "mountPath: /state}", "mountPath: /data}",
             "is not on a volume of a PersistentVolumeClaim"),
            Breakage("kubernetes/workers.yaml", "tcp://penumbra-coordinator:5555", "tcp://penumbra-coordinator:5556",
             "does not reach the coordinator's Service"),
            Breakage("systemd/penumbra-worker@.service", "--threads", "--thread", "penumbra worker has no option --thread"),
            Breakage("systemd/penumbra-coordinator.service", "StateDirectory=penumbra", "StateDirectory=penumbra-state",
             "is not StateDirectory=penumbra-state"),
        ])
    func brokenCopiesFail(_ breakage: Breakage) throws {
        let directory = try Self.brokenCopy(breakage.file, breakage.old, breakage.new)
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = try Self.check(directory.appendingPathComponent("deploy"))
        #expect(output.status == 1)
        #expect(output.standardOutput.contains(breakage.message), "deploy/check.py said:\n\(output.standardOutput)\(output.standardError)")
    }

    /// The units with the installed binary's path replaced by the built one (systemd-analyze checks that
    /// ExecStart's program exists) and the worker template instantiated; nil when systemd-analyze is missing.
    static func verify(_ units: URL) throws -> ProgramOutput? {
        guard FileManager.default.isExecutableFile(atPath: systemdAnalyze.path) else {
            print("skipped: systemd-analyze missing (apt-get install systemd)")
            return nil
        }
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-units")
        defer { try? FileManager.default.removeItem(at: directory) }
        var paths: [String] = []
        for (source, target) in [
            ("penumbra-coordinator.service", "penumbra-coordinator.service"),
            ("penumbra-worker@.service", "penumbra-worker@coord1.service"),
        ] {
            let text = try String(contentsOf: units.appendingPathComponent(source), encoding: .utf8)
            let url = directory.appendingPathComponent(target)
            try text.replacingOccurrences(of: "/usr/local/bin/penumbra", with: ChildProcess.binary.path)
                .write(to: url, atomically: true, encoding: .utf8)
            paths.append(url.path)
        }
        return try runProgram(systemdAnalyze, ["verify", "--man=no"] + paths, timeout: .seconds(120))
    }

    @Test("systemd-analyze verify reads both units without a complaint, and complains about a broken one")
    func systemdVerifies() throws {
        guard let output = try Self.verify(Self.deploy.appendingPathComponent("systemd")) else { return }
        // systemd-analyze exits 0 on unknown keys and bad values, printing them: any output is a failure.
        #expect(output.status == 0 && output.standardError.isEmpty && output.standardOutput.isEmpty,
                "systemd-analyze verify:\n\(output.standardOutput)\(output.standardError)")
        let broken = try Self.brokenCopy("systemd/penumbra-coordinator.service", "Restart=always", "Restart=sometimes")
        defer { try? FileManager.default.removeItem(at: broken) }
        let complaint = try #require(try Self.verify(broken.appendingPathComponent("deploy/systemd")))
        #expect(complaint.standardError.contains("sometimes"), "systemd-analyze said: \(complaint.standardError)")
    }
}
