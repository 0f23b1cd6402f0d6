import FileIO
import Foundation
import Testing

/// Child processes with bounded waits: the exit is seen however fast it comes and whatever the child's
/// descendants do; a hung child is reported within the timeout and killed with its process group.
@Suite struct SpawnedProcessTests {
    static let shell = URL(fileURLWithPath: "/bin/sh")

    @Test("exit status and both captured streams, however late the wait starts")
    func exitStatusAndOutput() throws {
        let child = try SpawnedProcess(
            Self.shell, ["-c", "echo out; echo err >&2; exit 3"], standardOutput: .capture, standardError: .capture)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(child.wait(timeout: .seconds(20)) == .exited(3))
        #expect(child.wait(timeout: .zero) == .exited(3), "a second wait returns the remembered status")
        #expect(String(decoding: child.captured(1), as: UTF8.self) == "out\n")
        #expect(String(decoding: child.captured(2), as: UTF8.self) == "err\n")
    }

    @Test("a hung child times out; waitOrKill kills it and the grandchild it started")
    func hungChildAndGrandchild() throws {
        let pidFile = FileManager.default.temporaryDirectory.appendingPathComponent("penumbra-spawn-\(UUID().uuidString).pid").path
        defer { try? FileManager.default.removeItem(atPath: pidFile) }
        // The shell forks `sleep` (not exec), writes its pid, and waits: a grandchild in the same group.
        let child = try SpawnedProcess(Self.shell, ["-c", "sleep 60 & echo $! > \(pidFile); wait"])
        let start = ContinuousClock.now
        #expect(child.wait(timeout: .milliseconds(300)) == nil)
        #expect(child.isRunning)
        #expect(child.waitOrKill(timeout: .milliseconds(200)) == nil)
        #expect(ContinuousClock.now - start < .seconds(30), "the 60 s sleep was not waited for")
        #expect(child.wait(timeout: .zero) == .signalled(SIGKILL))
        #expect(!child.isRunning)
        let grandchild = try #require(Int32(String(contentsOfFile: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        // Killed with the group: gone, or a zombie until init reaps it.
        let deadline = ContinuousClock.now + .seconds(10)
        var alive = true
        while alive && ContinuousClock.now < deadline {
            let state = (try? String(contentsOfFile: "/proc/\(grandchild)/stat", encoding: .utf8))?.split(separator: " ")
            alive = state.map { $0.count > 2 && $0[2] != "Z" } ?? false
            if alive { Thread.sleep(forTimeInterval: 0.05) }
        }
        #expect(!alive, "the grandchild sleep \(grandchild) survived")
    }

    @Test("the exit is seen while a forked grandchild still holds the child's output open")
    func grandchildHoldingOutput() throws {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("penumbra-spawn-\(UUID().uuidString).log")
        defer { try? FileManager.default.removeItem(at: log) }
        let child = try SpawnedProcess(Self.shell, ["-c", "sleep 5 & exit 4"], standardOutput: .file(log))
        #expect(child.wait(timeout: .seconds(4)) == .exited(4))
    }

    @Test("SIGTERM ends a child that does not handle it, whatever the test runner's signal mask")
    func terminate() throws {
        let child = try SpawnedProcess(URL(fileURLWithPath: "/bin/sleep"), ["60"])
        child.send(SIGTERM)
        #expect(child.wait(timeout: .seconds(20)) == .signalled(SIGTERM))
    }

    @Test("a program that does not exist is a clear error")
    func missingProgram() {
        #expect {
            _ = try SpawnedProcess(URL(fileURLWithPath: "/nonexistent/program"), [])
        } throws: { error in
            "\(error)".contains("could not start /nonexistent/program")
        }
    }

    @Test("the environment given is the child's whole environment")
    func environment() throws {
        let child = try SpawnedProcess(
            URL(fileURLWithPath: "/usr/bin/env"), [], environment: ["PENUMBRA_PROBE": "42"], standardOutput: .capture)
        #expect(child.waitOrKill(timeout: .seconds(30)) == .exited(0))
        #expect(String(decoding: child.captured(1), as: UTF8.self) == "PENUMBRA_PROBE=42\n")
    }
}
