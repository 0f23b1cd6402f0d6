import DICOM
import Foundation
import Geometry
import Transport

/// What `penumbra run` wrote for a patient (summary.json, RD.dcm, dose.3ddose) and the plan folder (CT,
/// RT Structure Set, RT Plan) it was computed for.
struct RunDirectory {
    /// The folder holding summary.json.
    let url: URL
    /// The run's summary.
    let summary: RunSummary
    /// The run's RT Dose (the plan's dose: dose per fraction × fractions planned).
    let rtDoseURL: URL
    /// The run's dose per fraction with its statistical uncertainty, when present.
    let threeDDoseURL: URL?
    /// The plan folder.
    let planFolder: URL

    /// Finds a run from a path that is either the folder `penumbra run` wrote into (it holds
    /// summary.json) or the plan folder it ran on (the default output `PLAN_DIR/penumbra`). The plan
    /// folder is, in order: `planFolder` when given, the folder summary.json names, the run folder
    /// itself or its parent — the first that holds an RT Plan.
    static func locate(_ path: String, planFolder: String?) throws -> RunDirectory {
        let given = URL(fileURLWithPath: path).standardizedFileURL
        let fm = FileManager.default
        guard let url = [given, given.appendingPathComponent("penumbra")].first(where: {
            fm.fileExists(atPath: $0.appendingPathComponent("summary.json").path)
        }) else {
            throw CommandFailure(
                "\(path) holds no summary.json (nor does \(path)/penumbra): give the folder `penumbra run` wrote (its --out)")
        }
        let summaryURL = url.appendingPathComponent("summary.json")
        let summary: RunSummary
        do {
            summary = try JSONDecoder().decode(RunSummary.self, from: Data(contentsOf: summaryURL))
        } catch {
            throw CommandFailure("\(summaryURL.path) is not a `penumbra run` summary (\(error)); run the plan again")
        }
        guard let rtDose = summary.rtDose else {
            throw CommandFailure(
                "\(url.path) is a water-tank run (no RT Dose); the report needs a run in the patient's CT: penumbra run PLAN_DIR")
        }
        let rtDoseURL = url.appendingPathComponent(rtDose)
        guard fm.fileExists(atPath: rtDoseURL.path) else {
            throw CommandFailure("\(summaryURL.path) names the RT Dose \(rtDose), which is not in \(url.path)")
        }
        let threeDDose = url.appendingPathComponent("dose.3ddose")
        var candidates = planFolder.map { [URL(fileURLWithPath: $0)] } ?? []
        if planFolder == nil {
            candidates += (summary.planDirectory.map { [URL(fileURLWithPath: $0, relativeTo: url)] } ?? [])
                + [url, url.deletingLastPathComponent()]
        }
        guard let plan = candidates.first(where: Self.holdsPlan) else {
            throw CommandFailure(
                planFolder.map { "\($0) holds no RT Plan; give the folder with the CT, structures and plan the run used" }
                    ?? "found no plan folder for the run in \(url.path) (tried \(candidates.map(\.path).joined(separator: ", "))); give --plan PLAN_DIR")
        }
        return RunDirectory(
            url: url, summary: summary, rtDoseURL: rtDoseURL,
            threeDDoseURL: fm.fileExists(atPath: threeDDose.path) ? threeDDose : nil, planFolder: plan)
    }

    /// Whether a folder holds a DICOM file whose modality is RTPLAN.
    private static func holdsPlan(_ folder: URL) -> Bool {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return false }
        return names.contains { name in
            guard !name.hasPrefix("."),
                let file = try? DICOMFile.read(contentsOf: folder.appendingPathComponent(name), stopBeforePixelData: true)
            else { return false }
            return file.dataSet.string("Modality") == "RTPLAN"
        }
    }

    /// The run's relative uncertainty per voxel, when dose.3ddose is present and on the RT Dose's grid.
    func relativeUncertainty(matching grid: VoxelGrid) throws -> [Double]? {
        guard let threeDDoseURL else { return nil }
        let perFraction = try ThreeDDoseFile.read(threeDDoseURL)
        let g = perFraction.grid
        func close(_ a: Vec3, _ b: Vec3) -> Bool {
            let d = a - b
            return max(abs(d.x), abs(d.y), abs(d.z)) < 1e-4
        }
        guard g.counts == grid.counts, close(g.originCM, grid.originCM), close(g.spacingCM, grid.spacingCM) else { return nil }
        return perFraction.relativeUncertainty
    }
}
