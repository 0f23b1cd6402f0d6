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

/// Runs a program to completion and captures its output.
///
/// Output is drained on background threads so that a chatty child never blocks on a full pipe.
public func runProgram(_ executable: URL, _ arguments: [String], environment: [String: String]? = nil)
    throws -> ProgramOutput
{
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let environment {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = PipeDrain(out.fileHandleForReading), errData = PipeDrain(err.fileHandleForReading)
    process.waitUntilExit()
    return ProgramOutput(
        status: process.terminationStatus,
        standardOutput: String(decoding: outData.wait(), as: UTF8.self),
        standardError: String(decoding: errData.wait(), as: UTF8.self))
}

/// Runs a Python snippet in the interop environment (pydicom, dicompyler-core, pymedphys, numpy).
public func runPython(_ script: String, arguments: [String] = []) throws -> ProgramOutput {
    try runProgram(TestEnvironment.python, ["-c", script] + arguments)
}

/// Reads a pipe to its end on a background thread.
private final class PipeDrain: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        DispatchQueue.global().async {
            self.data = handle.readDataToEndOfFile()
            self.done.signal()
        }
    }

    func wait() -> Data {
        done.wait()
        return data
    }
}
