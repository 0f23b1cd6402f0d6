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
            referenceDVH: [DVHSummary(try DoseVolumeHistogram(dose: try DoseGrid(grid: grid, field: { p in 30 * exp(-p.dot(p) / 4.5) }), structure: mask))],
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
        // The reference dose is half this one: every metric differs by +100 %.
        #expect(doc.all("h3").first?.text == "DVH metrics against the planning system")
        #expect(doc.all("td").filter { $0.text == "+100.00 %" }.count == 4)
        // Technical and professional components are separate sections; the physicist's name is printed.
        #expect(doc.all("h3").map(\.text).suffix(2) == [
            "Technical component (TC): computation record", "Professional component (26): review and sign-off",
        ])
        #expect(doc.all("span", class: "field").map(\.text).contains("A. Physicist"))
        // Every CPT element is reported present for a report with a DVH figure and dose planes.
        #expect(try report(physicist: nil).cptElements.allSatisfy(\.present))
    }

    @Test func summaryJSONCarriesTheNumbers() throws {
        let data = try OutputFile.json(try report(physicist: nil).summary)
        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect((object["structures"] as? [[String: Any]])?.first?["structure"] as? String == "PTV <1>")
        #expect((object["gamma"] as? [[String: Any]])?.first?["passRatePercent"] as? Double == 99.5)
        // No constraint could be evaluated (no structure matched): no verdict rather than a pass.
        #expect(object["allConstraintsPass"] == nil)
        #expect((object["inputs"] as? [[String: Any]])?.first?["sha256"] as? String == String(repeating: "a", count: 64))
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

    /// Issue 9: CSV and JSON for every table. Each HTML table (by id) has a CSV of the same name with as
    /// many rows, and the JSON summary carries the section; the Monte Carlo record and conformity show.
    @Test func everyTableIsAlsoCSVAndJSON() throws {
        var report = try report(physicist: "A. Physicist")
        report.computation = [("histories", "1000000"), ("random seed", "7")]
        let grid = VoxelGrid(counts: (20, 20, 20), originCM: Vec3(-2.5, -2.5, -2.5), spacingCM: Vec3(0.25, 0.25, 0.25))
        let dose = try DoseGrid(grid: grid, field: { p in 60 * exp(-p.dot(p) / 4.5) })
        let mask = try StructureMask(
            name: "PTV", grid: grid,
            fractions: (0..<grid.voxelCount).map { n in
                let (i, j, k) = grid.ijk(ofIndex: n)
                return grid.centerCM(i, j, k).length < 1 ? 1 : 0
            })
        let dvh = try DoseVolumeHistogram(dose: dose, structure: mask)
        report.conformity = [
            .init(structure: "PTV", indices: try ConformityIndices(target: dvh, dose: dose, prescriptionGy: 50), homogeneityIndex: dvh.homogeneityIndex)
        ]
        let html = report.html()
        let doc = try LinePlotTests.Elements.parse(html)
        let ids = doc.all("table").compactMap { $0.attributes["id"] }
        #expect(ids == ["inputs", "dose", "computation", "dvh-metrics", "conformity", "constraints", "gamma", "dvh-differences", "cpt77295"])
        #expect(doc.all("h2").map(\.text).contains("Monte Carlo calculation"))
        let csv = Dictionary(report.csvTables.map { ($0.name, $0.table) }, uniquingKeysWith: { a, _ in a })
        for table in report.tables {
            let file = try #require(csv[table.name], "no CSV for \(table.name)")
            #expect(file.rows.count == table.rows.count, "\(table.name): \(file.rows.count) CSV rows, \(table.rows.count) in HTML")
        }
        let json = try #require(try JSONSerialization.jsonObject(with: OutputFile.json(report.summary)) as? [String: Any])
        let sections = ["inputs": "inputs", "dose": "dose", "computation": "computation", "dvh-metrics": "structures",
            "conformity": "conformity", "constraints": "constraints", "gamma": "gamma", "dvh-differences": "dvhDifferences",
            "cpt77295": "cpt77295"]
        for id in ids { #expect(json[sections[id] ?? id] != nil, "JSON lacks \(id)") }
        let conformity = try #require((json["conformity"] as? [[String: Any]])?.first)
        // Paddick CI = TV_PIV² / (TV · PIV) ≤ 1, RTOG = PIV / TV; both present in the JSON.
        let paddick = try #require(conformity["paddick"] as? Double), rtog = try #require(conformity["rtog"] as? Double)
        #expect(paddick > 0 && paddick <= 1 && rtog > 0)
        #expect((json["reviewers"] as? [[String: Any]])?.first?["name"] as? String == "A. Physicist")
    }

    /// The run's density overrides and devices: a table each after the Monte Carlo record, in HTML, CSV and
    /// JSON, with every recorded field; no table when the run recorded none (the CT alone).
    @Test func densityOverridesAndDevicesAreShown() throws {
        var report = try report(physicist: nil)
        report.computation = [("histories", "1000000")]
        #expect(!report.tables.contains { $0.name == "density-overrides" || $0.name == "devices" })
        report.densityOverrides = [
            .init(roiNumber: 7, roi: "Couch <top>", property: "REL_ELEC_DENSITY", value: 0.5, medium: "SCHNEIDER2000_LUNG",
                  densityGPerCM3: 0.4987, voxels: 1234),
            .init(roiNumber: 3, roi: "Bladder", property: "MASS_DENSITY", value: 1.0, medium: "SCHNEIDER2000_ADIPOSE_4",
                  densityGPerCM3: 1, voxels: 56),
        ]
        report.devices = [
            .init(roiNumber: 7, roi: "Couch <top>", type: "SUPPORT", bolusOfBeams: []),
            .init(roiNumber: 9, roi: "Bolus 1cm", type: "BOLUS", bolusOfBeams: ["beam 1 'AP'", "beam 2 'PA'"]),
        ]
        let doc = try LinePlotTests.Elements.parse(report.html())
        let ids = doc.all("table").compactMap { $0.attributes["id"] }
        #expect(Array(ids.prefix(5)) == ["inputs", "dose", "computation", "density-overrides", "devices"])
        #expect(doc.all("h2").map(\.text).contains("Density overrides from the structure set"))
        #expect(doc.all("h2").map(\.text).contains("Devices computed with the patient"))
        let cells = doc.all("td").map(\.text)
        for text in ["7 Couch <top>", "REL_ELEC_DENSITY", "0.500", "SCHNEIDER2000_LUNG", "0.4987", "1234", "3 Bladder", "MASS_DENSITY", "56",
            "SUPPORT", "BOLUS", "beam 1 'AP', beam 2 'PA'"]
        {
            #expect(cells.contains(text), "no cell '\(text)'")
        }
        let csv = Dictionary(report.csvTables.map { ($0.name, $0.table) }, uniquingKeysWith: { a, _ in a })
        #expect(csv["density-overrides"]?.rows.count == 2 && csv["devices"]?.rows.count == 2)
        let json = try #require(try JSONSerialization.jsonObject(with: OutputFile.json(report.summary)) as? [String: Any])
        let first = try #require((json["densityOverrides"] as? [[String: Any]])?.first)
        #expect(first["medium"] as? String == "SCHNEIDER2000_LUNG" && first["voxels"] as? Int == 1234)
        #expect((json["devices"] as? [[String: Any]])?.last?["bolusOfBeams"] as? [String] == ["beam 1 'AP'", "beam 2 'PA'"])
        // Recorded but empty: the table says so rather than vanishing.
        report.densityOverrides = []
        report.devices = []
        let empty = try LinePlotTests.Elements.parse(report.html()).all("td").map(\.text)
        #expect(empty.contains("none in the structure set") && empty.contains("none in the phantom"))
    }

    /// Patient identifiers only when asked: none by default; when given, a "Patient" table comes first
    /// and the JSON carries them.
    @Test func patientIdentifiersOnlyWhenGiven() throws {
        var report = try report(physicist: nil)
        #expect(report.html().contains("no patient identifiers") && !report.tables.contains { $0.name == "patient" })
        #expect(try JSONSerialization.jsonObject(with: OutputFile.json(report.summary)) as? [String: Any] != nil)
        report.patient = [("name", "DOE^JANE"), ("ID", "12345")]
        let doc = try LinePlotTests.Elements.parse(report.html())
        #expect(doc.all("table").first?.attributes["id"] == "patient")
        #expect(doc.all("td").map(\.text).contains("DOE^JANE"))
        let json = try #require(try JSONSerialization.jsonObject(with: OutputFile.json(report.summary)) as? [String: Any])
        #expect((json["patient"] as? [String: String])?["ID"] == "12345")
    }
}
