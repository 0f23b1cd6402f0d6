import Foundation
import Geometry
import Testing

@testable import Phantom

@Suite("HU → density and medium calibrations")
struct HUCalibrationTests {
    // Reference points: the ctcreate ramp table of PHYSICS.md §3.1 (exact at knots, linear between).
    @Test(
        "ctcreate 4-medium ramp",
        arguments: [
            (-2000.0, 0.001, "AIR700ICRU"), (-1024, 0.001, "AIR700ICRU"), (-974, 0.044, "LUNG700ICRU"),
            (-849, 0.173, "LUNG700ICRU"), (-724, 0.302, "ICRUTISSUE700ICRU"),
            (0, 0.302 + 724.0 / 825 * 0.799, "ICRUTISSUE700ICRU"),
            (101, 1.101, "ICRPBONE700ICRU"), (1976, 2.088, "ICRPBONE700ICRU"), (3000, 2.088, "ICRPBONE700ICRU"),
        ])
    func ctcreate(hu: Double, density: Double, medium: String) {
        let c = HUCalibration.egsnrcCtcreate4
        #expect(abs(c.densityGPerCM3(hu: hu) - density) < 1e-12)  // exact arithmetic on the knots
        #expect(c.media[c.mediumIndex(hu: hu)].medium == medium)
    }

    // Reference points: the Schneider 2000 knots of PHYSICS.md §3.1 and the paper's soft-tissue line.
    @Test(
        "Schneider 2000",
        arguments: [
            (-1000.0, 0.00121, "SCHNEIDER2000_AIR"),
            (-900, 0.00121 + 100.0 / 902 * (0.93 - 0.00121), "SCHNEIDER2000_LUNG"),
            (14, 1.03, "SCHNEIDER2000_ADIPOSE_5"),
            (40, 1.031 + 17.0 / 77 * (1.1199 - 1.031), "SCHNEIDER2000_SOFT_TISSUE"),
            (101, 1.0762, "SCHNEIDER2000_CONNECTIVE_TISSUE"), (1600, 1.9642, "SCHNEIDER2000_BONE_15"),
            (5000, 2.8, "SCHNEIDER2000_METAL_2"),
        ])
    func schneider(hu: Double, density: Double, medium: String) {
        let c = HUCalibration.schneider2000
        #expect(abs(c.densityGPerCM3(hu: hu) - density) < 1e-12)
        #expect(c.media[c.mediumIndex(hu: hu)].medium == medium)
    }

    @Test("Schneider's soft-tissue line ρ = 1.003 + 1.169e-3·H holds between the 23 and 100 HU knots")
    func schneiderLine() {
        // PHYSICS.md §3.1: the paper's soft-tissue line; the 100 HU knot lies on it, the 23 HU knot 1.1e-3 above.
        for hu in stride(from: 23.0, through: 100, by: 7) {
            #expect(abs(HUCalibration.schneider2000.densityGPerCM3(hu: hu) - (1.003 + 1.169e-3 * hu)) < 1.2e-3)
        }
        #expect(HUCalibration.schneider2000.media.count == 27)
    }

    @Test("a CSV ramp gives the same calibration as the ctcreate preset; JSON round-trips")
    func files() throws {
        let csv = """
            # ctcreate defaults
            medium,hu_from,hu_to,density_from,density_to
            AIR700ICRU,-1024,-974,0.001,0.044
            LUNG700ICRU,-974,-724,0.044,0.302
            ICRUTISSUE700ICRU,-724,101,0.302,1.101
            ICRPBONE700ICRU,101,1976,1.101,2.088
            """
        let parsed = try HUCalibration.parseCSV(csv, name: "egsnrc-ctcreate-4")
        #expect(parsed == HUCalibration.egsnrcCtcreate4)
        let json = try JSONEncoder().encode(HUCalibration.schneider2000)
        #expect(try JSONDecoder().decode(HUCalibration.self, from: json) == HUCalibration.schneider2000)
        #expect(try HUCalibration.load("Schneider-2000") == HUCalibration.schneider2000)
    }

    @Test("bad calibrations and names are refused with a message")
    func invalid() {
        #expect(throws: CalibrationError.self) { try HUCalibration.load("no-such-preset") }
        #expect(throws: CalibrationError.self) {
            try HUCalibration(
                name: "x", densityKnots: [.init(hu: 0, densityGPerCM3: 1), .init(hu: -10, densityGPerCM3: 1)],
                media: [.init(medium: "W", fromHU: 0)])
        }
        #expect(throws: CalibrationError.self) {
            try HUCalibration(
                name: "x", densityKnots: [.init(hu: 0, densityGPerCM3: -1)], media: [.init(medium: "W", fromHU: 0)])
        }
        #expect(throws: CalibrationError.self) { try HUCalibration.parseCSV("a,b,c\nW,0,zero,1,1", name: "x") }
    }

    @Test("a phantom lists only the media that occur, in calibration order")
    func phantom() throws {
        let grid = VoxelGrid(counts: (2, 2, 1), originCM: .zero, spacingCM: Vec3(1, 1, 1))
        let p = try HUCalibration.egsnrcCtcreate4.phantom(grid: grid, hu: [-1000, 500, 0, -1000])
        #expect(p.media == ["AIR700ICRU", "ICRUTISSUE700ICRU", "ICRPBONE700ICRU"])
        #expect(p.mediumIndices == [0, 2, 1, 0])
        #expect(throws: CalibrationError.self) {
            try HUCalibration.egsnrcCtcreate4.phantom(grid: grid, hu: [0, 0, .nan, 0])
        }
    }
}
