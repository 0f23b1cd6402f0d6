import FileIO
import Foundation

/// Where tests find things outside the package: the shared reference data, the Python interop
/// environment, and scratch directories.
public enum TestEnvironment {
    /// The package root (the folder that holds `Package.swift`).
    public static let packageRoot: URL = {
        // This file is Tests/TestSupport/TestEnvironment.swift.
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    /// `../shared/reference` beside the checkout (or `PENUMBRA_SHARED/reference`): read-only reference data
    /// from established codes. Tests read it in place; it is never copied into the repository.
    public static var referenceDirectory: URL {
        if let shared = ProcessInfo.processInfo.environment["PENUMBRA_SHARED"] {
            return URL(fileURLWithPath: shared).appendingPathComponent("reference")
        }
        return packageRoot.deletingLastPathComponent().appendingPathComponent("shared/reference")
    }

    /// A file under the reference directory.
    public static func reference(_ relativePath: String) -> URL {
        referenceDirectory.appendingPathComponent(relativePath)
    }

    /// The Python interpreter of the interop virtual environment that `make deps` creates
    /// (`PENUMBRA_PYTHON`, else `.venv/bin/python` in the package root).
    public static var python: URL {
        if let path = ProcessInfo.processInfo.environment["PENUMBRA_PYTHON"], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        return packageRoot.appendingPathComponent(".venv/bin/python")
    }

    /// A new empty directory under the system's temporary directory.
    public static func makeScratchDirectory(_ label: String = "penumbra-test") throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("\(label)-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The result of running a program to completion.
public struct ProgramOutput: Sendable {
    /// The exit status.
    public let status: Int32
    /// Everything written to standard output.
    public let standardOutput: String
    /// Everything written to standard error.
    public let standardError: String
}

/// A program that did not finish within its time limit (it was killed).
public struct ProgramTimedOut: Error, CustomStringConvertible {
    /// The command line.
    public let command: [String]
    /// The limit it exceeded.
    public let timeout: Duration
    public var description: String { "\(command.joined(separator: " ")) did not finish within \(timeout) and was killed" }
}

/// Runs a program to completion and captures its output.
///
/// The wait is bounded: a program still running after `timeout` is killed (with anything it started) and
/// `ProgramTimedOut` thrown, so a hung child fails its test instead of hanging the whole suite.
public func runProgram(
    _ executable: URL, _ arguments: [String], environment: [String: String]? = nil, timeout: Duration = .seconds(900)
) throws -> ProgramOutput {
    let child = try SpawnedProcess(
        executable, arguments, environment: environment.map { ProcessInfo.processInfo.environment.merging($0) { $1 } },
        standardOutput: .capture, standardError: .capture)
    guard let ended = child.waitOrKill(timeout: timeout) else {
        throw ProgramTimedOut(command: [executable.path] + arguments, timeout: timeout)
    }
    let status: Int32
    switch ended {
    case .exited(let code): status = code
    case .signalled(let signal): status = 128 + signal  // as a shell reports it
    }
    return ProgramOutput(
        status: status,
        standardOutput: String(decoding: child.captured(1), as: UTF8.self),
        standardError: String(decoding: child.captured(2), as: UTF8.self))
}

/// Runs a Python snippet in the interop environment (pydicom, dicompyler-core, pymedphys, numpy).
public func runPython(_ script: String, arguments: [String] = []) throws -> ProgramOutput {
    try runProgram(TestEnvironment.python, ["-c", script] + arguments)
}
