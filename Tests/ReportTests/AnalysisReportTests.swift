import Analysis
import Foundation
import Geometry
import Report
import Testing

/// The HTML report parses as XML (XHTML-compatible), is self-contained, and holds what the issue asks:
/// inputs with hashes, metrics, constraints, gamma, figures, the CPT 77295 elements and the review block.
@Suite struct AnalysisReportTests {
    func report(physicist: String?) throws -> AnalysisReport {
        let grid = VoxelGrid(counts: (20, 20, 20), originCM: Vec3(-2.5, -2.5, -2.5), spacingCM: Vec3(0.25, 0.25, 0.25))
        let dose = try DoseGrid(grid: grid, field: { p in 60 * exp(-p.dot(p) / 4.5) })
        let mask = try StructureMask(
            name: "PTV <1>", grid: grid,
            fractions: (0..<grid.voxelCount).map { n in
                let (i, j, k) = grid.ijk(ofIndex: n)
                return grid.centerCM(i, j, k).length < 1 ? 1 : 0
            })
        let dvh = try DoseVolumeHistogram(dose: dose, structure: mask)
        let results = try ConstraintSet.thoraxConventional.evaluate(dose: dose, structures: [mask], prescriptionGy: 50)
        return AnalysisReport(
            title: "Test report", software: "Penumbra test", generated: "2026-11-29T10:00:00Z",
            inputs: [.init(role: "RT Dose", fileName: "rd.dcm", sha256: String(repeating: "a", count: 64))],
            doseFacts: [("maximum dose", "60 Gy")], dvh: [DVHSummary(dvh)], constraints: results,
            gamma: ("planning system", [.init(criteria: "3 %/2 mm global, 10 % threshold", passRatePercent: 99.5, points: 1000, meanGamma: 0.3)]),
            figures: [
                .init(caption: "Dose–volume histograms", svg: try DoseCharts.dvh([try dvh.cumulativeCurve()]).svg()),
                .init(
                    caption: "Dose, axial plane",
                    svg: try DoseSliceFigure(dose: dose, plane: .axial(zCM: 0), isodoseLevelsGy: [30], title: "axial").svg()),
            ],
            reviewers: [.init(role: "Medical physicist", name: physicist, date: physicist == nil ? nil : "2026-11-29"),
                .init(role: "Radiation oncologist")])
    }

    @Test func reportIsSelfContainedAndComplete() throws {
        let html = try report(physicist: "A. Physicist").html()
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        // No scripts and nothing fetched: the only URIs are namespace names and data URIs.
        #expect(!html.contains("<script") && !html.contains("src=\"http") && !html.contains("href=\"http"))
        let doc = try LinePlotTests.Elements.parse(html)
        let headings = doc.all("h2").map(\.text)
        #expect(headings == [
            "Inputs", "Dose", "Dose–volume metrics", "Constraints", "Comparison with the planning system", "Figures",
            "CPT 77295 documentation elements", "Review",
        ])
        #expect(doc.all("svg").count == 2)
        #expect(doc.all("td").map(\.text).contains("PTV <1>"))
        #expect(doc.all("td").map(\.text).contains(String(repeating: "a", count: 64)))
        #expect(doc.all("td").map(\.text).contains("99.50 %"))
        // Technical and professional components are separate sections; the physicist's name is printed.
        #expect(doc.all("h3").map(\.text) == [
            "Technical component (TC): computation record", "Professional component (26): review and sign-off",
        ])
        #expect(doc.all("span", class: "field").map(\.text).contains("A. Physicist"))
        // Every CPT element is reported present for a report with a DVH figure and dose planes.
        #expect(try report(physicist: nil).cptElements.allSatisfy(\.present))
    }

    @Test func blankReviewFieldsWithoutNames() throws {
        let doc = try LinePlotTests.Elements.parse(try report(physicist: nil).html())
        #expect(doc.all("span", class: "field").allSatisfy { $0.text.isEmpty })
        #expect(doc.all("span", class: "field").count == 6)
    }

    @Test func constraintRowsAreMarkedByStatus() throws {
        let doc = try LinePlotTests.Elements.parse(try report(physicist: nil).html())
        let classes = doc.all("tr").compactMap { $0.attributes["class"] }
        // Thorax set on a lone "PTV <1>": PTV not found by name, all six not evaluated.
        #expect(classes.filter { $0 == "open" }.count == 6)
    }
}
