import FileIO
import Foundation

/// Turns SVG figures into PNG with `rsvg-convert` (librsvg; Debian package `librsvg2-bin`).
public enum PNGExport {
    /// Where `rsvg-convert` is looked for, in order.
    static let candidates = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert", "/opt/homebrew/bin/rsvg-convert"]

    /// The converter, or nil when it is not installed.
    public static var converter: URL? {
        candidates.map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Converts an SVG document to a PNG file (written to a temporary file and renamed).
    /// - Parameters:
    ///   - svg: the SVG text.
    ///   - url: the PNG file to write.
    ///   - scale: pixels per SVG px (2 for sharp figures in print).
    /// - Throws: `ReportError.cannotWrite` when `rsvg-convert` is missing or fails.
    public static func write(svg: String, to url: URL, scale: Double = 1) throws {
        guard let converter else {
            throw ReportError.cannotWrite(
                path: url.path, reason: "rsvg-convert is not installed (apt-get install librsvg2-bin)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("penumbra-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("figure.svg"), output = scratch.appendingPathComponent("figure.png")
        try OutputFile.write(svg, to: input)
        let errorsFile = scratch.appendingPathComponent("errors.txt")
        let converting: SpawnedProcess
        do {
            converting = try SpawnedProcess(
                converter, ["--zoom", String(scale), "--format", "png", "--output", output.path, input.path],
                standardError: .file(errorsFile))
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: "rsvg-convert did not start: \(error)")
        }
        // Two minutes is far beyond one figure's conversion: the converter hangs.
        guard let ended = converting.waitOrKill(timeout: .seconds(120)) else {
            throw ReportError.cannotWrite(path: url.path, reason: "rsvg-convert did not finish within 120 s and was stopped")
        }
        let message = (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
        guard ended == .exited(0), let png = try? Data(contentsOf: output) else {
            throw ReportError.cannotWrite(
                path: url.path, reason: "rsvg-convert failed: \(message)")
        }
        try OutputFile.write(png, to: url)
    }
}
