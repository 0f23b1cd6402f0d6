import Foundation
import TestSupport
import Testing

/// `penumbra report` on the dicompyler-core example, compared with its own RT Dose as the reference,
/// rendered by headless Chromium (issue 9: screenshot taken and not blank, no console errors).
@Suite struct ReportCommandTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    @Test func reportRendersInHeadlessChromium() throws {
        let data = DVHCommandTests.data
        try #require(FileManager.default.fileExists(atPath: data.appendingPathComponent("rtdose.dcm").path), "run `make deps`")
        let directory = try TestEnvironment.makeScratchDirectory("penumbra-report")
        defer { try? FileManager.default.removeItem(at: directory) }
        let html = directory.appendingPathComponent("report.html")
        let run = try runProgram(
            DVHCommandTests.penumbra,
            ["report", "--dose", data.appendingPathComponent("rtdose.dcm").path, "--structures",
                data.appendingPathComponent("rtss.dcm").path, "--reference", data.appendingPathComponent("rtdose.dcm").path,
                "--structure", "Heart", "--structure", "Tumor Bed", "--constraints", "thorax", "--out", html.path,
                "--figures", directory.appendingPathComponent("figures").path])
        try #require(run.status == 0, "penumbra report failed: \(run.standardError)")
        let text = try String(contentsOf: html, encoding: .utf8)
        // The dose compared with itself passes everywhere.
        #expect(text.contains("<td>100.00 %</td>"))
        #expect(text.contains("Professional component (26)"))
        #expect(!text.contains("<script"))
        // Every figure of the report also as SVG and, with rsvg-convert, as PNG, in report order.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.appendingPathComponent("figures").path).sorted()
        let count = text.components(separatedBy: "<figure>").count - 1
        #expect(files.filter { $0.hasSuffix(".svg") }.count == count && files.contains("01-dose-volume-histograms.svg"))
        if FileManager.default.isExecutableFile(atPath: "/usr/bin/rsvg-convert") {
            #expect(files.filter { $0.hasSuffix(".png") }.count == count)
        }

        try Self.expectRendersInChromium(html, in: directory)
    }

    /// Renders an HTML file in headless Chromium: the screenshot is taken and not blank, and the page
    /// logs no console message.
    static func expectRendersInChromium(_ html: URL, in directory: URL) throws {
        let browser = try #require(Self.chromium, "install Chromium (apt-get install chromium; make deps)")
        let screenshot = directory.appendingPathComponent("report.png")
        let shot = try runProgram(
            URL(fileURLWithPath: browser),
            ["--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0",
                "--screenshot=\(screenshot.path)", "--window-size=1000,1600", html.absoluteString],
            environment: ["HOME": directory.path])
        #expect(shot.status == 0, "\(shot.standardError)")
        // Console messages from the page are logged as "CONSOLE(…)" or ":CONSOLE"; there must be none.
        #expect(!shot.standardError.contains("CONSOLE"), "\(shot.standardError)")
        let png = try Data(contentsOf: screenshot)
        #expect(Array(png.prefix(4)) == [0x89, 0x50, 0x4E, 0x47])
        // A blank 1000 × 1600 page compresses to a few kB; tables, plots and the dose wash do not.
        #expect(png.count > 60_000, "screenshot is \(png.count) bytes: the page looks blank")
    }
}
