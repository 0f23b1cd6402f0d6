import Foundation
import TestSupport
import Testing

/// Runs the real `penumbra simulate` process (the debug build `swift test` just made).
@Suite struct SimulateCommandTests {
    static var binary: URL { TestEnvironment.packageRoot.appendingPathComponent(".build/debug/penumbra") }

    func simulate(_ extra: [String], out: URL) throws -> ProgramOutput {
        try runProgram(Self.binary, ["simulate", "--phantom", TestEnvironment.reference("phantoms/slab.egsphant").path,
                                     "--spectrum", TestEnvironment.reference("spectra/mohan6.spectrum").path,
                                     "--field=-1,1,-1,1", "--out", out.path, "--log-level", "error"] + extra)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: binary.path)))
    func sameSeedGivesIdenticalFilesWithOneAndTwoThreads() throws {
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try simulate(["--histories", "150", "--seed", "9", "--threads", "1"], out: dir.appendingPathComponent("a"))
        let b = try simulate(["--histories", "150", "--seed", "9", "--threads", "2"], out: dir.appendingPathComponent("b"))
        #expect(a.status == 0 && b.status == 0, "\(a.standardError) \(b.standardError)")
        let da = try Data(contentsOf: dir.appendingPathComponent("a/dose.3ddose"))
        let db = try Data(contentsOf: dir.appendingPathComponent("b/dose.3ddose"))
        #expect(da == db)
        #expect(try Data(contentsOf: dir.appendingPathComponent("a/dose.npy")) == Data(contentsOf: dir.appendingPathComponent("b/dose.npy")))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("a/summary.json"))) as? [String: Any]
        #expect(summary?["histories"] as? Int == 150)
        // The command's default splitting (session 9: 4, as `run`'s; the library's `TransportSettings` keeps 1).
        #expect((summary?["settings"] as? [String: Any])?["photonSplitting"] as? Int == 4)
        #expect((summary?["inputSHA256"] as? [String: String])?["phantom"]?.count == 64)
        #expect((summary?["transportCPUSeconds"] as? Double ?? -1) >= 0 && (summary?["peakResidentMB"] as? Double ?? 0) > 0)
        // One thread's tally: 32 bytes per voxel of the 61 × 61 × 60 slab phantom, of which 150 histories of a
        // 2 × 2 cm field write far from every 4 KiB block.
        let tallyBytes = try #require(summary?["tallyBytesPerThread"] as? Int)
        let touched = try #require(summary?["tallyTouchedBytesPerThread"] as? Int)
        #expect(tallyBytes == 61 * 61 * 60 * 32)
        #expect(touched > 0 && touched < tallyBytes && touched % 4096 == 0)
        // Where the two threads' time went (transport-bench.py's parallel factor): busy thread time lies
        // inside the parallel phases, and those inside the timed part (1 ms of slack: `seconds` is from the
        // wall clock, the phases from the monotonic one).
        let two = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("b/summary.json"))) as? [String: Any]
        let busy = try #require(two?["busyThreadSeconds"] as? Double)
        let parallel = try #require(two?["parallelSeconds"] as? Double)
        #expect(busy > 0 && busy <= 2 * parallel)
        #expect(parallel <= (two?["seconds"] as? Double ?? 0) + 0.001)
    }

    /// Standard error on a pipe (a batch system's log) gets whole progress lines, never carriage returns, and
    /// the last line reports every history done.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: binary.path)))
    func progressOnAPipeIsWholeLines() throws {
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try simulate(["--histories", "100", "--seed", "3"], out: dir.appendingPathComponent("a"))
        #expect(run.status == 0, "\(run.standardError)")
        #expect(!run.standardError.contains("\r"))
        let lines = run.standardError.split(separator: "\n")
        #expect(lines.last?.hasPrefix("100/100 histories") == true, "\(run.standardError)")
    }

    /// The variance-reduction switches reach the settings recorded in summary.json, and a split run is
    /// as thread-count independent as a plain one.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: binary.path)))
    func varianceReductionSwitchesAreRecordedAndReproducible() throws {
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let flags = ["--histories", "60", "--seed", "4", "--photon-splitting", "3", "--no-russian-roulette", "--no-range-rejection"]
        let a = try simulate(flags + ["--threads", "1"], out: dir.appendingPathComponent("a"))
        let b = try simulate(flags + ["--threads", "2"], out: dir.appendingPathComponent("b"))
        #expect(a.status == 0 && b.status == 0, "\(a.standardError) \(b.standardError)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("a/dose.3ddose")) == Data(contentsOf: dir.appendingPathComponent("b/dose.3ddose")))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("a/summary.json"))) as? [String: Any]
        let settings = summary?["settings"] as? [String: Any]
        #expect(settings?["photonSplitting"] as? Int == 3)
        #expect(settings?["russianRoulette"] as? Bool == false)
        #expect(settings?["rangeRejectionBelowMeV"] as? Double == 0)
    }

    /// `--driver simd` runs the event-based driver, is recorded in summary.json and is as thread-count
    /// independent as the scalar driver.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: binary.path)))
    func simdDriverIsRecordedAndReproducible() throws {
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let flags = ["--histories", "120", "--seed", "6", "--driver", "simd"]
        let a = try simulate(flags + ["--threads", "1"], out: dir.appendingPathComponent("a"))
        let b = try simulate(flags + ["--threads", "2"], out: dir.appendingPathComponent("b"))
        #expect(a.status == 0 && b.status == 0, "\(a.standardError) \(b.standardError)")
        #expect(try Data(contentsOf: dir.appendingPathComponent("a/dose.3ddose")) == Data(contentsOf: dir.appendingPathComponent("b/dose.3ddose")))
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("a/summary.json"))) as? [String: Any]
        #expect(summary?["driver"] as? String == "simd")
        #expect(summary?["histories"] as? Int == 120)
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: binary.path)), arguments: [
        (["--histories", "0"], "histories"),
        (["--histories", "10", "--field=-20,20,-1,1"], "front face"),
        (["--histories", "10", "--energy", "2"], "exactly one"),
        (["--histories", "10", "--photon-splitting", "0"], "photon-splitting"),
        (["--histories", "10", "--driver", "vector"], "driver"),
    ])
    func badInputIsAClearErrorWithoutOutput(extra: [String], message: String) throws {
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out")
        let r = try simulate(extra, out: out)
        #expect(r.status != 0)
        #expect(r.standardError.contains(message), "\(r.standardError)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("dose.3ddose").path))
    }
}
