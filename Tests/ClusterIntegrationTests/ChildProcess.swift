import FileIO
import Foundation
import TestSupport

/// A `penumbra` process started by a test, with its output in files, that the test can signal and stop.
final class ChildProcess {
    private let child: SpawnedProcess
    let arguments: [String]
    let output: URL
    let errors: URL

    /// The built `penumbra` binary beside the test bundle (or in `.build/debug`).
    static var binary: URL {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("penumbra")
        if FileManager.default.isExecutableFile(atPath: besideTests.path) { return besideTests }
        return TestEnvironment.packageRoot.appendingPathComponent(".build/debug/penumbra")
    }

    /// Starts `penumbra arguments`, inside network namespace `namespace` when given (`ip netns exec`,
    /// which execs the program, so the process id is penumbra's own).
    init(_ arguments: [String], logsIn directory: URL, name: String, namespace: String? = nil) throws {
        output = directory.appendingPathComponent("\(name).out")
        errors = directory.appendingPathComponent("\(name).err")
        self.arguments = arguments
        if let namespace {
            child = try SpawnedProcess(
                URL(fileURLWithPath: "/usr/sbin/ip"), ["netns", "exec", namespace, Self.binary.path] + arguments,
                standardOutput: .file(output), standardError: .file(errors))
        } else {
            child = try SpawnedProcess(Self.binary, arguments, standardOutput: .file(output), standardError: .file(errors))
        }
    }

    /// The first line of standard output, waiting up to `timeout`.
    func firstLine(timeout: Duration = .seconds(20)) throws -> String {
        try lines(1, timeout: timeout)[0]
    }

    /// The first `count` lines of standard output, waiting up to `timeout`.
    func lines(_ count: Int, timeout: Duration = .seconds(20)) throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if lines.count >= count { return Array(lines.prefix(count)) }
            guard child.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw ChildError.noOutput(arguments, errorLog)
    }

    var errorLog: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    /// Sends `signal` and reaps the process. When it has not exited within `grace`, it is SIGKILLed
    /// (a process that ignores SIGTERM must not hang the suite).
    /// - Returns: true when the process ended on `signal` within `grace` (or had already ended).
    @discardableResult
    func kill(_ signal: Int32 = SIGKILL, grace: Duration = .seconds(20)) -> Bool {
        guard child.isRunning else { return true }
        child.send(signal)
        return child.waitOrKill(timeout: grace) != nil
    }

    deinit { kill() }
}

enum ChildError: Error, CustomStringConvertible {
    case noOutput([String], String)
    var description: String {
        switch self {
        case let .noOutput(arguments, errors): "penumbra \(arguments.joined(separator: " ")) printed nothing; stderr:\n\(errors)"
        }
    }
}
