import Analysis
import Foundation
import Geometry
import Report
import Testing

@Suite struct CSVTableTests {
    @Test func quotesFieldsThatNeedIt() {
        let table = CSVTable(header: ["name", "value"], rows: [["Lung, left", "1.500"], ["say \"hi\"", ""]])
        #expect(table.text == "name,value\r\n\"Lung, left\",1.500\r\n\"say \"\"hi\"\"\",\r\n")
        #expect(CSVTable.number(nil) == "" && CSVTable.number(.nan) == "" && CSVTable.number(2, decimals: 1) == "2.0")
    }

    @Test func dvhSummaryTableHasOneRowPerStructure() throws {
        let grid = VoxelGrid(counts: (4, 4, 4), originCM: .zero, spacingCM: Vec3(0.5, 0.5, 0.5))
        let dose = try DoseGrid(grid: grid, field: { _ in 2 })
        let mask = try StructureMask(name: "PTV", grid: grid, fractions: [Float](repeating: 1, count: 64))
        let dvh = try DoseVolumeHistogram(dose: dose, structure: mask)
        let table = DVHTables.summary([DVHSummary(dvh)])
        #expect(table.header.first == "structure" && table.header.contains("d0.03cc_gy"))
        #expect(table.rows == [["PTV", "8.000", "0.000", "2.000", "2.000", "2.000", "2.000", "2.000", "2.000", "2.000", "2.000", "0.0000"]])
        let curve = DVHTables.curve(try dvh.cumulativeCurve(binWidthGy: 1))
        #expect(curve.rows.map { $0[2] } == ["100.0000", "100.0000", "100.0000", "0.0000"])
    }
}
