import Foundation
import TestSupport

/// A `penumbra` process started by a test, with its output in files, that the test can kill.
final class ChildProcess {
    let process = Process()
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
        FileManager.default.createFile(atPath: output.path, contents: nil)
        FileManager.default.createFile(atPath: errors.path, contents: nil)
        if let namespace {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/ip")
            process.arguments = ["netns", "exec", namespace, Self.binary.path] + arguments
        } else {
            process.executableURL = Self.binary
            process.arguments = arguments
        }
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
    }

    /// The first line of standard output, waiting up to `timeout`.
    func firstLine(timeout: Duration = .seconds(20)) throws -> String {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first, text.contains("\n") { return String(line) }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw ChildError.noOutput(process.arguments ?? [], (try? String(contentsOf: errors, encoding: .utf8)) ?? "")
    }

    /// The first `count` lines of standard output, waiting up to `timeout`.
    func lines(_ count: Int, timeout: Duration = .seconds(20)) throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = (try? String(contentsOf: output, encoding: .utf8)) ?? ""
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
            if lines.count >= count { return Array(lines.prefix(count)) }
            guard process.isRunning else { break }
            Thread.sleep(forTimeInterval: 0.02)
        }
        throw ChildError.noOutput(process.arguments ?? [], errorLog)
    }

    var errorLog: String { (try? String(contentsOf: errors, encoding: .utf8)) ?? "" }

    func kill(_ signal: Int32 = SIGKILL) {
        guard process.isRunning else { return }
        Foundation.kill(process.processIdentifier, signal)
        process.waitUntilExit()
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
