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
            "picket_fence_p0.5.csv": "position_cm,ratio\n" + (0...24).map { -0.6 + 0.05 * Double($0) }.map {
                "\($0),\(abs($0.remainder(dividingBy: 0.5)) < 0.025 ? 0.5 : 1.02)"
            }.joined(separator: "\n") + "\n",
            "mlc_edges.csv": "leaf_position_cm,edge_cm\n5,5.06\n-2,-1.95\n0,0.05\n",
        ])
        defer { try? FileManager.default.removeItem(at: dir) }
        let scans = try MeasuredScans.read(dir)
        #expect(scans.profiles.count == 1 && scans.profiles[0].fieldCM == 10 && scans.profiles[0].depthCM == 10)
        // erf((5 − x)/0.3) falls from 80 % to 20 % over 2 × 0.3 × erf⁻¹(0.6) = 0.357 cm; 1 mm points, cubic crossings.
        #expect(abs(scans.profiles[0].profile.penumbraCM! - 0.357) < 0.01)
        #expect(abs(scans.profiles[0].profile.fieldWidthCM! - 10) < 0.01)
        #expect(scans.closedLeafRatios == [0.016, 0.015])
        #expect(scans.sweepingGaps.map(\.gapCM) == [0.2, 1])
        let fence = try #require(scans.picketFence)
        #expect(fence.pairWidthCM == 0.5 && fence.positionCM.count == 25)
        // Two whole periods from −0.6 to 0.4 cm hold the dips at −0.5 and 0 cm, each a triangle of 0.1 cm base and 0.52 deep.
        let mean = 1.02 - 2 * 0.52 * 0.05
        #expect(abs(fence.missingWidthCM(transmission: 0.02) - 0.5 * (1 - mean / 1.02)) < 1e-9)
        #expect(scans.leafEdges.map(\.leafPositionCM) == [-2, 0, 5] && scans.leafEdges.map(\.edgeCM) == [-1.95, 0.05, 5.06])
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
        ("picket_fence.csv", "position_cm,ratio\n0,1\n0.5,1\n1,1\n1.5,1\n2,1\n", "picket_fence_p<P>.csv"),
        ("picket_fence_p0.5.csv", "position_cm,ratio\n0,1\n0.2,1\n0.4,1\n0.6,1\n0.8,1\n", "spanning at least two pairs"),
        ("picket_fence_p0.5.csv", "position_cm,ratio\n0,1\n0.5,1\n1,2\n1.5,1\n2,1\n", "picket_fence_p0.5.csv line 4"),
        ("picket_fence_p0.5.csv", "position_cm,ratio\n0,1\n0.5,1\n1,x\n1.5,1\n2,1\n", "picket_fence_p0.5.csv line 4"),
        ("mlc_edges.csv", "leaf_position_cm,edge_cm\n5,5.06\n5,5.07\n", "each leaf_position_cm once"),
        ("mlc_edges.csv", "leaf_position_cm,edge_cm\n5,4\n", "within 0.5 cm"),
        ("mlc_edges.csv", "leaf_position_cm,edge_cm\n5,5.06\n-2\n", "mlc_edges.csv line 3"),
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
