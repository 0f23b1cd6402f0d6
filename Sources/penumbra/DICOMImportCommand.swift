import ArgumentParser
import DICOM
import Foundation
import Geometry
import Logging
import Phantom

/// `penumbra dicom import CT_DIR --out phantom.egsphant`: CT series → voxel phantom.
struct DICOMImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Convert a CT series into an EGSnrc .egsphant phantom (media and densities from a HU calibration).",
        discussion: """
            With --structures, voxels outside the EXTERNAL ROI (less than half inside it) become air before \
            calibration, which removes the couch and immobilisation devices. Calibrations: \
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

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.dicom")
        do {
            let calibration = try HUCalibration.load(self.calibration)
            var (volume, warnings) = try CTSeriesReader.read(
                directory: URL(fileURLWithPath: ctDirectory), seriesInstanceUID: series)
            for warning in warnings { logger.warning("\(warning)") }
            let grid = volume.voxelGrid
            if let structures {
                let set = try StructureSet(contentsOf: URL(fileURLWithPath: structures))
                if let frame = set.frameOfReferenceUID, frame != volume.frameOfReferenceUID {
                    throw CommandFailure(
                        "the structure set's frame of reference differs from the CT's; they do not belong together")
                }
                guard let external = set.rois.first(where: { $0.interpretedType == "EXTERNAL" }) else {
                    throw CommandFailure(
                        "the structure set has no EXTERNAL ROI to bound the patient; omit --structures or add one")
                }
                let occupancy = StructureRasterizer.occupancy(
                    of: external.planarStructureCM, on: grid, supersampling: 2)
                var outside = 0
                for n in volume.huValues.indices where occupancy[n] < 0.5 {
                    volume.huValues[n] = -1000
                    outside += 1
                }
                logger.info("\(outside) voxels outside \(external.name) set to air")
            }
            let phantom = try calibration.phantom(grid: grid, hu: volume.huValues)
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
        }
    }
}

extension ROI {
    /// The ROI's closed planar contours as a `PlanarStructure` in cm (the mm → cm boundary).
    var planarStructureCM: PlanarStructure {
        PlanarStructure(
            name: name,
            planes: closedPlanarContoursByZ.map { plane in
                PlanarStructure.Plane(
                    zCM: plane.zMM / 10, polygons: plane.polygons.map { $0.map { SIMD2($0.x / 10, $0.y / 10) } })
            })
    }
}
