import Analysis
import ArgumentParser
import DICOM
import Foundation
import Logging
import Report

/// `penumbra drr PLAN_DIR --out DIR`: a beam's-eye-view DRR per beam, with the field outline, the
/// isocentre and the projected structures, as `drr_<beam>.svg` and `.png`.
struct DRRCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drr",
        abstract: "Write a digitally reconstructed radiograph of each beam of a plan (SVG and PNG).",
        discussion: """
            The folder holds the CT series, the RT Plan and (optionally) the RT Structure Set. Attenuation is \
            water-equivalent at 60 keV, μ = 0.2059 /cm · max(0, 1 + HU/1000); grey shows the line integral \
            (bone bright). The field is the first control point's jaws and MLC, or the union over an arc \
            (docs/drr.md).
            """)

    @Argument(help: "The folder holding the CT series, RT Plan and RT Structure Set.")
    var planDirectory: String

    @Option(help: "The folder to write drr_<beam>.svg and .png into (created if needed).")
    var out: String

    @Option(help: "The DRR pixel size at the isocentre plane, mm.")
    var pixelMM: Double = 1

    @Option(help: "How far the image reaches beyond the field, mm.")
    var marginMM: Double = 20

    @Flag(help: "Write only the SVG files (no rsvg-convert).")
    var noPNG = false

    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard pixelMM > 0, pixelMM <= 10 else { throw ValidationError("--pixel-mm must be in (0, 10] mm") }
        guard marginMM >= 0, marginMM <= 200 else { throw ValidationError("--margin-mm must be in [0, 200] mm") }
    }

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.drr")
        let folder = URL(fileURLWithPath: out)
        do {
            let (source, warnings) = try BeamViews.load(folder: URL(fileURLWithPath: planDirectory))
            for warning in warnings { logger.warning("\(warning)") }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            for view in try source.views(pixelMM: pixelMM, marginMM: marginMM) {
                if view.figure.drr.lineIntegrals.allSatisfy({ $0 == 0 }) {
                    logger.warning("beam \(view.beam.name): no ray crosses the CT; the DRR is empty (does the CT cover the field?)")
                }
                let svg = view.figure.svg()
                let svgURL = folder.appendingPathComponent("drr_\(view.fileStem).svg")
                try OutputFile.write(svg, to: svgURL)
                if !noPNG {
                    try PNGExport.write(svg: svg, to: folder.appendingPathComponent("drr_\(view.fileStem).png"))
                }
                let d = view.figure.drr.detector
                print("\(svgURL.lastPathComponent): beam \(view.beam.name), \(d.columns) × \(d.rows) pixels of \(pixelMM) mm")
            }
        } catch let e as DICOMError {
            throw CommandFailure(e.description)
        } catch let e as AnalysisError {
            throw CommandFailure(e.description)
        } catch let e as ReportError {
            throw CommandFailure(e.description)
        }
    }
}
