import ArgumentParser
import DICOM
import Foundation
import Geometry
import Logging
import PatientImport
import Phantom
import Physics

/// `penumbra dicom import CT_DIR --out phantom.egsphant`: CT series → voxel phantom.
struct DICOMImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a CT series into an EGSnrc .egsphant phantom (media and densities from a HU calibration).",
        discussion: """
            With --structures, voxels outside the EXTERNAL ROI (less than half inside it) become air before \
            calibration, except those in SUPPORT, BOLUS or FIXATION ROIs, and the structure set's density \
            overrides (ROI Physical Properties) are applied; --ignore-density-overrides gives the CT alone \
            (docs/dicom.md). Calibrations: \
            \(HUCalibration.presetNames.joined(separator: ", ")) (default schneider-2000), or a JSON/CSV file \
            (docs/calibration.md).
            """)

    @Argument(help: "The folder holding the CT series.")
    var ctDirectory: String

    @Option(name: .long, help: "An RT Structure Set whose EXTERNAL ROI bounds the patient.")
    var structures: String?

    @Option(name: .long, help: "A calibration preset name or a JSON/CSV calibration file.")
    var calibration: String = "schneider-2000"

    @Option(name: .long, help: "The CT series to import when the folder holds several.")
    var series: String?

    @Option(name: .long, help: "The .egsphant file to write.")
    var out: String

    @Flag(name: .customLong("ignore-density-overrides"),
          help: "The CT alone: no density override applied and SUPPORT/BOLUS/FIXATION ROIs outside the EXTERNAL air.")
    var ignoreDensityOverrides = false

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.dicom")
        do {
            let calibration = try HUCalibration.load(self.calibration)
            let (volume, warnings) = try CTSeriesReader.read(
                directory: URL(fileURLWithPath: ctDirectory), seriesInstanceUID: series)
            for warning in warnings { logger.warning("\(warning)") }
            let structureSet = try structures.map { try StructureSet(contentsOf: URL(fileURLWithPath: $0)) }
            for note in structureSet?.notes ?? [] { logger.warning("\(note)") }
            let electrons = ignoreDensityOverrides ? nil : try MediumElectrons(calibration: calibration, physics: PhysicsData.bundled())
            let result = try PatientImport.phantom(
                from: volume, calibration: calibration, structures: structureSet, overrides: electrons)
            if let name = result.externalName {
                logger.info("\(result.voxelsOutsideExternal) voxels outside \(name) set to air")
            }
            for note in result.notes { logger.warning("\(note)") }
            for o in result.overrides { logger.info("\(o.logLine)") }
            if let warning = result.aboveCalibrationWarning { logger.warning("\(warning)") }
            let phantom = result.phantom
            let grid = phantom.grid
            try EGSPhantomFile.write(phantom, to: URL(fileURLWithPath: out))
            print(
                "wrote \(out): \(grid.counts.x) × \(grid.counts.y) × \(grid.counts.z) voxels, \(phantom.media.count) media (\(phantom.media.joined(separator: ", "))), calibration \(calibration.name)"
            )
        } catch let e as DICOMError {
            throw CommandFailure(e.description)
        } catch let e as CalibrationError {
            throw CommandFailure(e.description)
        } catch let e as EGSPhantomError {
            throw CommandFailure(e.description)
        } catch let e as PhysicsDataError {
            throw CommandFailure(e.description)
        } catch let e as PatientImportError {
            throw CommandFailure(e.description)
        }
    }
}
