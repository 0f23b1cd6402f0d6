import Analysis
import Foundation
import Geometry
import TestSupport
import Testing

/// Constraint sets: the shipped thorax set, JSON round trips, and pass/fail on a synthetic thorax whose
/// metrics are known by construction.
@Suite struct ConstraintSetTests {
    /// Samples 0.5 cm apart are enough for these block doses and keep the test fast.
    let options = DVHOptions(maximumSampleSpacingCM: 0.5)
    /// A 1 cm grid, 20 × 20 × 10 voxels.
    let grid = VoxelGrid(counts: (20, 20, 10), originCM: .zero, spacingCM: Vec3(1, 1, 1))

    func mask(_ name: String, _ inside: (Int, Int, Int) -> Bool) throws -> StructureMask {
        var f = [Float](repeating: 0, count: grid.voxelCount)
        for k in 0..<10 { for j in 0..<20 { for i in 0..<20 where inside(i, j, k) { f[grid.index(i, j, k)] = 1 } } }
        return try StructureMask(name: name, grid: grid, fractions: f)
    }

    /// Uniform dose per region: each voxel's dose is set by which block it is in (whole 1 cm voxels), so
    /// every mean and volume is exact.
    func thorax(lungDoseGy: Double, cordDoseGy: Double) throws -> (DoseGrid, [StructureMask]) {
        var dose = [Double](repeating: 0, count: grid.voxelCount)
        for k in 0..<10 {
            for j in 0..<20 {
                for i in 0..<20 {
                    let d: Double
                    switch (i, j) {
                    case (0..<4, _): d = i < 2 ? 30 : lungDoseGy  // left lung: the outer half at 30 Gy
                    case (16..<20, _): d = 5  // right lung
                    case (9..<11, 0..<2): d = cordDoseGy
                    case (8..<12, 8..<12): d = 60  // target
                    default: d = 10
                    }
                    dose[grid.index(i, j, k)] = d
                }
            }
        }
        let structures = [
            try mask("Lung_L") { i, _, _ in i < 4 }, try mask("Lung_R") { i, _, _ in i >= 16 },
            try mask("GTV") { i, j, _ in i == 3 && j == 3 },
            try mask("Spinal_Cord") { i, j, _ in (9..<11).contains(i) && j < 2 },
            try mask("PTV") { i, j, _ in (8..<12).contains(i) && (8..<12).contains(j) },
            try mask("Heart") { i, j, _ in (12..<16).contains(i) && j > 12 },
        ]
        // Trilinear interpolation blends the blocks across their edges, so expectations on the lung are
        // checked against a DVH of the same composite and only roughly against the block sizes.
        return (try DoseGrid(grid: grid, doseGy: dose), structures)
    }

    @Test func thoraxSetIsValidAndRoundTripsThroughJSON() throws {
        let set = ConstraintSet.thoraxConventional
        try set.validate()
        #expect(set.constraints.count == 6)
        #expect(set.constraints.allSatisfy { !$0.source.isEmpty })
        let directory = try TestEnvironment.makeScratchDirectory()
        let file = directory.appendingPathComponent("thorax.json")
        try set.jsonData().write(to: file)
        #expect(try ConstraintSet(contentsOf: file) == set)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.contains("\"V20Gy\"") && text.contains("\"D0.03cc\"") && text.contains("\"%Rx\""))
    }

    @Test func evaluatesTheThoraxSetWithCompositeLungs() throws {
        let (dose, structures) = try thorax(lungDoseGy: 15, cordDoseGy: 52)
        let results = try ConstraintSet.thoraxConventional.evaluate(
            dose: dose, structures: structures, prescriptionGy: 60, options: options)
        #expect(results.count == 6)
        let lung = results[0]
        #expect(lung.structureName == "Lung_L+Lung_R-GTV")
        // Expected from the DVH of the same composite, computed directly.
        let composite = try structures[0].union(structures[1]).subtracting(structures[2])
        let dvh = try DoseVolumeHistogram(dose: dose, structure: composite, options: options)
        #expect(lung.value == dvh.volumePercent(atOrAbove: 20))
        // The outer half of one lung (2 of 8 columns) is at 30 Gy: V20 ≈ 25 % of total lung, a pass at 37 %.
        #expect(abs((lung.value ?? 0) - 25) < 3)
        #expect(lung.status == .pass)
        #expect(results[1].status == .pass)  // mean lung dose ≈ 16 Gy
        #expect(results[2].status == .pass)  // heart 10 Gy
        #expect(results[3].structureName == "Spinal_Cord")
        #expect(results[3].status == .fail)  // cord at 52 Gy
        #expect(results[4].status == .notEvaluated)  // no oesophagus
        #expect(results[4].note?.contains("Esophagus") == true)
        #expect(results[5].limit == 57)  // 95 % of 60 Gy
    }

    /// A structure whose name the file's character set could not decode (U+FFFD) matches no constraint, and the
    /// missing structure's note says why; with only decodable names the note stays as it was.
    @Test func aMissingStructureNamesUndecodableNames() throws {
        let (dose, structures) = try thorax(lungDoseGy: 15, cordDoseGy: 40)
        let garbled = try structures.map { $0.name == "Spinal_Cord" ? try mask("Spinal\u{FFFD}Cord") { i, j, _ in (9..<11).contains(i) && j < 2 } : $0 }
        let results = try ConstraintSet.thoraxConventional.evaluate(
            dose: dose, structures: garbled, prescriptionGy: 60, options: options)
        #expect(results[3].status == .notEvaluated)
        #expect(results[3].note?.contains("'Spinal\u{FFFD}Cord'") == true)
        #expect(results[3].note?.contains("Specific Character Set") == true)
        let plain = try ConstraintSet.thoraxConventional.evaluate(
            dose: dose, structures: structures, prescriptionGy: 60, options: options)
        #expect(plain[4].note?.contains("Character Set") == false)
    }

    @Test func relativeLimitsNeedAPrescription() throws {
        let (dose, structures) = try thorax(lungDoseGy: 15, cordDoseGy: 40)
        let results = try ConstraintSet.thoraxConventional.evaluate(
            dose: dose, structures: structures, prescriptionGy: nil, options: options)
        #expect(results[3].status == .pass)
        #expect(results[5].status == .notEvaluated)
        #expect(results[5].note?.contains("prescription") == true)
    }

    @Test func lungWithoutGTVIsEvaluatedWithANote() throws {
        let (dose, structures) = try thorax(lungDoseGy: 15, cordDoseGy: 40)
        let results = try ConstraintSet.thoraxConventional.evaluate(
            dose: dose, structures: structures.filter { $0.name != "GTV" }, prescriptionGy: 60, options: options)
        #expect(results[0].structureName == "Lung_L+Lung_R")
        #expect(results[0].note?.contains("GTV") == true)
    }

    @Test func badFilesSayWhatIsWrong() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        let file = directory.appendingPathComponent("bad.json")
        let badUnit = """
            {"name": "x", "description": "", "constraints": [{"structure": {"names": ["PTV"]},
             "metric": "V20Gy", "comparison": "<=", "limit": 30, "unit": "Gy", "source": "test"}]}
            """
        try Data(badUnit.utf8).write(to: file)
        #expect {
            try ConstraintSet(contentsOf: file)
        } throws: { error in
            "\(error)".contains("bad.json") && "\(error)".contains("%")
        }
        try Data(badUnit.replacingOccurrences(of: "V20Gy", with: "W20").utf8).write(to: file)
        #expect {
            try ConstraintSet(contentsOf: file)
        } throws: { error in
            "\(error)".contains("W20") && "\(error)".contains("constraints")
        }
        #expect(throws: AnalysisError.self) { try ConstraintSet(contentsOf: directory.appendingPathComponent("none")) }
    }
}
