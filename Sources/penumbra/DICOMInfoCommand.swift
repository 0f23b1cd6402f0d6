import ArgumentParser
import Beam
import DICOM
import Foundation
import Logging

/// `penumbra dicom info PATH`: what a DICOM file or folder holds (no patient identifiers are printed).
struct DICOMInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "Summarise CT series, structure sets, plans and doses in a file or folder.")

    @Argument(help: "A DICOM file or a folder of DICOM files.")
    var path: String

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let logger = Logger(label: "penumbra.dicom")
        let url = URL(fileURLWithPath: path)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isFolder) else {
            throw CommandFailure("\(path) does not exist")
        }
        do {
            if isFolder.boolValue {
                let scan = try CTSeriesReader.scan(directory: url)
                for warning in scan.warnings { logger.warning("\(warning)") }
                for (uid, slices) in scan.series.sorted(by: { $0.key < $1.key }) { try describeSeries(uid, slices) }
                // One unreadable object does not hide the others; the exit status reports it.
                var failures = scan.damaged.count
                for bad in scan.damaged.sorted(by: { $0.url.lastPathComponent < $1.url.lastPathComponent }) {
                    print("\(bad.url.lastPathComponent): cannot be read: \(bad.error.description)")
                }
                for other in scan.otherObjects.sorted(by: { $0.url.lastPathComponent < $1.url.lastPathComponent }) {
                    do {
                        try describe(other.url, sopClass: other.sopClassUID)
                    } catch let e as DICOMError {
                        print("\(other.url.lastPathComponent): cannot be read: \(e.message)")
                        failures += 1
                    }
                }
                if scan.series.isEmpty && scan.otherObjects.isEmpty { print("no DICOM files in \(path)") }
                if failures > 0 {
                    throw CommandFailure(
                        "\(failures) object\(failures == 1 ? "" : "s") in \(path) could not be read (see above)")
                }
            } else {
                let file = try DICOMFile.read(contentsOf: url, stopBeforePixelData: true)
                let sopClass = file.dataSet.string("SOPClassUID") ?? ""
                if sopClass == CTSeriesReader.ctImageStorage {
                    try describeSeries(file.dataSet.string("SeriesInstanceUID") ?? "", [CTSliceHeader(url: url)])
                } else {
                    try describe(url, sopClass: sopClass)
                }
            }
        } catch let e as DICOMError {
            throw CommandFailure(e.description)
        }
    }

    private func describeSeries(_ uid: String, _ slices: [CTSliceHeader]) throws {
        let first = slices[0]
        print(
            "CT series \(uid): \(slices.count) slices of \(first.columns) × \(first.rows) (columns × rows), "
                + "pixel spacing \(fmt(first.columnSpacingMM)) × \(fmt(first.rowSpacingMM)) mm, "
                + "patient position \(first.patientPosition?.rawValue ?? "missing (HFS assumed)")")
        let z = slices.map(\.positionMM.z).sorted()
        if z.count > 1 {
            let steps = zip(z.dropFirst(), z).map { $0 - $1 }
            print(
                "  z \(fmt(z.first!)) … \(fmt(z.last!)) mm, slice spacing \(fmt(steps.min()!))–\(fmt(steps.max()!)) mm")
        }
    }

    private func describe(_ url: URL, sopClass: String) throws {
        let name = url.lastPathComponent
        switch sopClass {
        case StructureSet.sopClassUID:
            let set = try StructureSet(contentsOf: url)
            print("RT Structure Set \(name) '\(set.label)': \(set.rois.count) ROIs")
            for roi in set.rois {
                let planes = roi.closedPlanarContoursByZ.count
                print(
                    "  \(roi.number) \(roi.name) [\(roi.interpretedType ?? "no type")]: \(roi.contours.count) contours on \(planes) planes\(roi.contours.isEmpty ? " (empty)" : "")"
                )
            }
            for note in set.notes { print("  note: \(note)") }
        case Plan.sopClassUID:
            let plan = try Plan(contentsOf: url)
            let fractions = plan.fractionGroups.compactMap(\.fractionsPlanned).map(String.init).joined(separator: ", ")
            print(
                "RT Plan \(name) '\(plan.label)': \(plan.beams.count) beams, fractions \(fractions.isEmpty ? "not stated" : fractions)"
            )
            for group in plan.fractionGroups where plan.fractionGroups.count > 1 {
                print(
                    "  fraction group \(group.number): \(group.fractionsPlanned.map(String.init) ?? "?") fractions, beams "
                        + group.referencedBeams.sorted().map(String.init).joined(separator: ", "))
            }
            for beam in plan.beams {
                let mu = plan.metersetMU(beamNumber: beam.number).map { fmt($0) } ?? "no"
                let energy = beam.nominalEnergy.map { fmt($0) } ?? "?"
                let gantry = beam.controlPoints.map(\.gantryAngleDeg)
                let gantryText =
                    Set(gantry).count == 1 ? "\(fmt(gantry[0]))°" : "\(fmt(gantry.first!))° → \(fmt(gantry.last!))°"
                print(
                    "  beam \(beam.number) \(beam.name): \(beam.type) \(beam.radiationType) \(energy) MV\(beam.fluenceMode.flatMap { $0.isStandard ? nil : " " + ($0.identifier ?? "") } ?? ""), gantry \(gantryText), \(mu) MU, "
                        + "\(beam.controlPoints.count) control points, \(Self.mlcText(beam)), machine \(beam.machineName ?? "?")"
                        + ", devices \(beam.limitingDevices.map(\.type).joined(separator: "/"))"
                        + (beam.patientPosition.map { ", patient \($0)" } ?? "")
                        + ((beam.treatmentDeliveryType ?? "TREATMENT") == "TREATMENT" ? "" : " (\(beam.treatmentDeliveryType!))")
                )
            }
            for feature in plan.unsupportedFeatures { print("  unsupported: \(feature)") }
            for b in plan.boli {
                let rois = b.roiNumbers.isEmpty ? "no ROI referenced" : "ROI \(b.roiNumbers.map(String.init).joined(separator: ", "))"
                print("  bolus: \(b.beam): \(b.count) (\(rois); computed when its BOLUS ROI is in the phantom)")
            }
            for note in plan.notes { print("  note: \(note)") }
        case DoseVolume.sopClassUID:
            let file = try DICOMFile.read(contentsOf: url)
            let dose: DoseVolume, dvhs: [TPSDVH]
            do {
                dose = try DoseVolume(file.dataSet)
                dvhs = try TPSDVH.read(from: file.dataSet)
            } catch let e as DICOMError { throw e.inFile(url.path) }
            print(
                "RT Dose \(name): \(dose.counts.x) × \(dose.counts.y) × \(dose.counts.z) (columns × rows × frames), "
                    + "spacing \(fmt(dose.spacingMM.x)) × \(fmt(dose.spacingMM.y)) × \(fmt(dose.spacingMM.z)) mm, "
                    + "\(dose.summationType) \(dose.doseType), maximum \(fmt(Double(dose.maximum))) \(dose.units.rawValue)"
                    + (dvhs.isEmpty ? "" : ", \(dvhs.count) DVHs from the planning system")
            )
        default:
            print("\(name): \(SOPClassNames.described(sopClass)), not an object Penumbra reads")
        }
    }

    /// A beam's MLC devices with their pair counts, e.g. "MLCX1 28 + MLCX2 29 leaf pairs (dual layer)".
    static func mlcText(_ beam: DICOM.Beam) -> String {
        let mlcs = beam.limitingDevices.filter { $0.type.hasPrefix("MLC") }
        guard !mlcs.isEmpty else { return "no MLC" }
        let devices = mlcs.map { "\($0.type) \($0.pairCount)" }.joined(separator: " + ") + " leaf pairs"
        guard mlcs.count > 1 else { return devices }
        let dual = BeamDelivery.dualLayerMLCTypes
        let isDualLayer = Set(mlcs.map(\.type)) == Set(dual) && mlcs.count == dual.count
        return devices + (isDualLayer ? " (dual layer)" : " (\(mlcs.count) MLCs, which Penumbra does not compute)")
    }

    private func fmt(_ v: Double) -> String { String(format: "%.6g", v) }
}
