import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a child process ended.
public enum ProcessTermination: Equatable, Sendable {
    /// It exited with this status.
    case exited(Int32)
    /// It was ended by this signal.
    case signalled(Int32)
}

/// Where a child's standard output or error goes.
public enum ChildOutput: Sendable {
    /// `/dev/null`.
    case discard
    /// A file, created or truncated.
    case file(URL)
    /// A pipe read to its end on a thread of its own; see `SpawnedProcess.captured(_:)`.
    case capture
}

/// A child process started with `posix_spawn` and reaped with `waitpid`, so that every wait has a
/// deadline and depends on nothing but the child itself.
///
/// Why not Foundation's `Process` (swift-corelibs-foundation on Linux): it learns of a child's exit when
/// the last copy of a socket it hands to the child is closed, so any process that inherits a copy — a
/// grandchild, or a process another thread spawns at the same moment — delays the exit until it ends
/// itself; and `waitUntilExit()` has no deadline. One of our CI runs hung for 90 minutes that way. Here
/// every descriptor we create is close-on-exec, the child gets only its three standard streams, and the
/// exit is `waitpid` on its own process id.
public final class SpawnedProcess: Sendable {
    /// The child's process id (also its process group id).
    public let processID: pid_t
    private let termination = Mutex<ProcessTermination?>(nil)
    private let outputs: [OutputReader?]

    /// Starts `executable` with `arguments`, in a process group of its own.
    /// - Parameters:
    ///   - environment: the child's whole environment; nil inherits this process's.
    ///   - standardOutput, standardError: where they go (standard input is `/dev/null`).
    /// - Throws: `SpawnError` when a file cannot be opened or the program cannot be started.
    public init(
        _ executable: URL, _ arguments: [String], environment: [String: String]? = nil,
        standardOutput: ChildOutput = .discard, standardError: ChildOutput = .discard
    ) throws {
        (processID, outputs) = try Self.spawning.withLock { _ in
            try Self.spawn(executable, arguments, environment, standardOutput, standardError)
        }
    }

    /// Serialises our spawns: a pipe becomes close-on-exec in two steps (Swift's Glibc has no `pipe2`), and
    /// no child may be spawned between them and inherit it.
    private static let spawning = Mutex(())

    private static func spawn(
        _ executable: URL, _ arguments: [String], _ environment: [String: String]?,
        _ standardOutput: ChildOutput, _ standardError: ChildOutput
    ) throws -> (pid_t, [OutputReader?]) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, so a hung child and whatever it started are killed together; and every
        // signal unblocked and at its default action (a test runner's threads may block or ignore some,
        // and both would be inherited).
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        posix_spawnattr_setpgroup(&attributes, 0)
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)

        var parentEnds: [Int32] = []  // closed here after the spawn
        var readers: [OutputReader?] = []
        defer { parentEnds.forEach { _ = close($0) } }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        for (stream, output) in [(Int32(1), standardOutput), (Int32(2), standardError)] {
            switch output {
            case .discard:
                posix_spawn_file_actions_addopen(&actions, stream, "/dev/null", O_WRONLY, 0)
                readers.append(nil)
            case .file(let url):
                let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
                guard fd >= 0 else { throw SpawnError(executable: executable, reason: "cannot open \(url.path): \(Self.describe(errno))") }
                parentEnds.append(fd)
                posix_spawn_file_actions_adddup2(&actions, fd, stream)
                readers.append(nil)
            case .capture:
                var ends: [Int32] = [0, 0]
                guard pipe(&ends) == 0 else { throw SpawnError(executable: executable, reason: "pipe: \(Self.describe(errno))") }
                // Close-on-exec before any other spawn can run (all of ours hold `spawning`).
                ends.forEach { _ = fcntl($0, F_SETFD, FD_CLOEXEC) }
                parentEnds.append(ends[1])
                posix_spawn_file_actions_adddup2(&actions, ends[1], stream)
                readers.append(OutputReader(descriptor: ends[0]))
            }
        }

        let argv = ([executable.path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let variables = environment ?? ProcessInfo.processInfo.environment
        let envp = variables.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { envp.forEach { free($0) } }
        var pid = pid_t()
        let status = posix_spawn(&pid, executable.path, &actions, &attributes, argv, envp)
        guard status == 0 else {
            throw SpawnError(executable: executable, reason: Self.describe(status))
        }
        return (pid, readers)
    }

    /// Sends `signal` to the child.
    public func send(_ signal: Int32) {
        guard isRunning else { return }
        kill(processID, signal)
    }

    /// Whether the child is still running (reaps it when it has ended).
    public var isRunning: Bool { reap() == nil }

    /// Waits until the child has ended, at most `timeout`.
    /// - Returns: how it ended, or nil when it is still running.
    public func wait(timeout: Duration) -> ProcessTermination? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let ended = reap() { return ended }
            if ContinuousClock.now >= deadline { return nil }
            usleep(5_000)
        }
    }

    /// Waits at most `timeout`; a child still running then is SIGKILLed with its process group and reaped,
    /// so no hung child outlives its caller.
    /// - Returns: how it ended by itself, or nil when it had to be killed.
    public func waitOrKill(timeout: Duration) -> ProcessTermination? {
        if let ended = wait(timeout: timeout) { return ended }
        kill(-processID, SIGKILL)
        _ = wait(timeout: .seconds(30))
        return nil
    }

    /// Everything the child wrote to a `.capture` stream (1 or 2), waiting at most `timeout` for the
    /// stream's end (a grandchild may still hold it open).
    public func captured(_ stream: Int32, timeout: Duration = .seconds(30)) -> Data {
        outputs[Int(stream) - 1]?.wait(timeout: timeout) ?? Data()
    }

    /// `waitpid` without blocking; remembers the result (a process id is reaped only once).
    private func reap() -> ProcessTermination? {
        termination.withLock { ended in
            if let ended { return ended }
            var status: Int32 = 0
            let result = waitpid(processID, &status, WNOHANG)
            guard result == processID else { return nil }
            // The wait-status layout of POSIX: low 7 bits the signal, or the exit status in bits 8–15.
            let signal = status & 0x7f
            ended = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
            return ended
        }
    }

    private static func describe(_ code: Int32) -> String { String(cString: strerror(code)) }
}

/// A child that could not be started.
public struct SpawnError: Error, CustomStringConvertible {
    /// The program.
    public let executable: URL
    /// What went wrong.
    public let reason: String
    public var description: String { "could not start \(executable.path): \(reason)" }
}

/// Reads one pipe to its end on a thread of its own (not a shared dispatch queue, whose few threads a
/// suite of blocking tests could use up).
private final class OutputReader: @unchecked Sendable {
    private let descriptor: Int32
    private let done = DispatchSemaphore(value: 0)
    private let data = Mutex(Data())

    init(descriptor: Int32) {
        self.descriptor = descriptor
        Thread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                if count > 0 {
                    data.withLock { $0.append(contentsOf: buffer[0..<count]) }
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
            close(descriptor)
            done.signal()
        }.start()
    }

    func wait(timeout: Duration) -> Data {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) * 1e-18
        if done.wait(timeout: .now() + seconds) == .success { done.signal() }
        return data.withLock { $0 }
    }
}
