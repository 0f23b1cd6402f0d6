import Foundation
import Testing
@testable import Beam

/// Profiles and MLC scans of `penumbra commission --measured`: read, and bad files refused with file and line.
@Suite struct MeasuredScansTests {
    func folder(_ files: [String: String]) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: dir.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return dir
    }

    /// An erf-edged 10 cm profile on 1 mm points.
    static var profileText: String {
        let rows = stride(from: -8.0, through: 8.0, by: 0.1).map { x in
            "\(x),\(0.5 * (erf((5 - x) / 0.3) + erf((5 + x) / 0.3)))"
        }
        return "position_cm,dose\n" + rows.joined(separator: "\n") + "\n"
    }

    @Test func profilesAndMLCScansAreRead() throws {
        let dir = try folder([
            "profile_10x10_d10.csv": Self.profileText,
            "mlc_transmission.csv": "depth_cm,ratio\n10,0.016\n5,0.015\n",
            "sweeping_gap.csv": "gap_cm,sweep_cm,ratio\n0.2,12,0.03\n1,12,0.1\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let scans = try MeasuredScans.read(dir)
        #expect(scans.profiles.count == 1 && scans.profiles[0].fieldCM == 10 && scans.profiles[0].depthCM == 10)
        // erf((5 − x)/0.3) falls from 80 % to 20 % over 2 × 0.3 × erf⁻¹(0.6) = 0.357 cm; 1 mm points, cubic crossings.
        #expect(abs(scans.profiles[0].profile.penumbraCM! - 0.357) < 0.01)
        #expect(abs(scans.profiles[0].profile.fieldWidthCM! - 10) < 0.01)
        #expect(scans.closedLeafRatios == [0.016, 0.015])
        #expect(scans.sweepingGaps.map(\.gapCM) == [0.2, 1])
    }

    @Test(arguments: [
        ("profile_10x10_d10.csv", "position_cm,dose\n-1,1\n0,1\n1,abc\n", "profile_10x10_d10.csv line 4"),
        ("profile_10x10.csv", profileText, "profile_<S>x<S>_d<D>.csv"),
        ("profile_10x10_d10.csv", "position_cm,dose\n-1,1\n-0.5,1\n0,1\n0.5,1\n1,1\n", "fall below 20 %"),
        ("mlc_transmission.csv", "depth_cm,ratio\n10,0.5\n", "below 0.2"),
        ("mlc_transmission.csv", "depth_cm,ratio\n10,-0.01\n", "mlc_transmission.csv line 2"),
        ("sweeping_gap.csv", "gap_cm,sweep_cm,ratio\n0.2,12,0.03\n", "two different gaps"),
        ("sweeping_gap.csv", "gap_cm,sweep_cm,ratio\n0.2,12\n1,12,0.1\n", "sweeping_gap.csv line 2"),
        ("sweeping_gap.csv", "gap,sweep,ratio\n0.2,12,0.03\n", "header"),
    ])
    func badFilesAreNamed(name: String, text: String, message: String) throws {
        let dir = try folder([name: text])
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try MeasuredScans.read(dir)
            Issue.record("\(name) accepted")
        } catch {
            #expect("\(error)".contains(message), "\(error)")
            #expect("\(error)".contains(name), "\(error)")
        }
    }
}
