import DICOM
import Foundation

/// A patient folder's CT series, RT Plan and RT Structure Set, found and checked the same way for every command
/// that reads one (`run`, `drr`, `report`). Nothing is picked silently: one RT Plan (or the one `--plan` names);
/// the structure set the plan references (or the only one); the CT series in the plan's frame of reference; and
/// plan, structures and CT must share that frame of reference, or the isocentre and contours would land in the
/// wrong place.
struct PlanFolder {
    let volume: Volume
    let plan: Plan
    let planURL: URL
    let structures: StructureSet?
    let structuresURL: URL?
    /// Notes for the log: skipped files, assumed values.
    let warnings: [String]

    /// Reads `folder` (not its subfolders); `planURL` chooses among several RT Plans (`penumbra run --plan`).
    static func load(_ folder: URL, planURL chosenPlan: URL? = nil, planOption: String? = nil) throws -> PlanFolder {
        let scan = try CTSeriesReader.scan(directory: folder)
        let planURL: URL
        if let chosenPlan {
            planURL = chosenPlan
        } else {
            let plans = scan.otherObjects.filter { $0.sopClassUID == Plan.sopClassUID }.map(\.url)
            guard plans.count == 1 else {
                throw CommandFailure(
                    plans.isEmpty
                        ? "\(folder.path) holds no RT Plan"
                            + (scan.otherObjects.isEmpty
                                ? "" : " (it holds \(SOPClassNames.summary(scan.otherObjects.map(\.sopClassUID))))")
                            + (scan.otherObjects.contains { $0.sopClassUID == "1.2.840.10008.5.1.4.1.1.481.8" }
                                ? "; an RT Ion Plan (protons, ions) is not computed by Penumbra" : "")
                            + (scan.subfolders.isEmpty ? "" : "; subfolders are not searched")
                            + "; put the photon RT Plan beside its CT series"
                        : "\(folder.path) holds \(plans.count) RT Plans (\(plans.map(\.lastPathComponent).joined(separator: ", ")));"
                            + (planOption.map { " choose one with \($0) FILE" } ?? " keep one per folder"))
            }
            planURL = plans[0]
        }
        let plan = try Plan(contentsOf: planURL)
        let structureURLs = scan.otherObjects.filter { $0.sopClassUID == StructureSet.sopClassUID }.map(\.url)
        var structures: StructureSet?, structuresURL: URL?
        for url in structureURLs {
            let set = try StructureSet(contentsOf: url)
            if structureURLs.count == 1 || set.sopInstanceUID == plan.referencedStructureSetUID {
                (structures, structuresURL) = (set, url)
            }
        }
        if structures == nil && structureURLs.count > 1 {
            throw CommandFailure(
                "\(folder.path) holds \(structureURLs.count) RT Structure Sets and none is the one the plan references; keep one")
        }
        let (volume, warnings) = try CTSeriesReader.read(
            directory: folder, seriesInstanceUID: try series(in: scan, for: plan, folder: folder))
        if let frame = plan.frameOfReferenceUID, frame != volume.frameOfReferenceUID {
            throw CommandFailure(
                "the RT Plan \(planURL.lastPathComponent) is in frame of reference \(frame), the CT in \(volume.frameOfReferenceUID): "
                    + "the plan's isocentre does not refer to this CT; put the plan beside the CT it was planned on")
        }
        var notes: [String] = []
        if plan.frameOfReferenceUID == nil {
            notes.append(
                "the RT Plan \(planURL.lastPathComponent) states no Frame of Reference UID (0020,0052): its isocentre "
                    + "is taken in the CT's coordinates; check the beams in `penumbra drr`")
        }
        if let frame = structures?.frameOfReferenceUID, frame != volume.frameOfReferenceUID {
            throw CommandFailure(
                "the RT Structure Set \(structuresURL!.lastPathComponent) is in another frame of reference than the CT")
        }
        return PlanFolder(
            volume: volume, plan: plan, planURL: planURL, structures: structures, structuresURL: structuresURL,
            warnings: warnings + notes + plan.notes + (structures?.notes ?? []))
    }

    /// With several CT series in the folder, the one in the plan's frame of reference (nil: let the reader take
    /// the only series, or refuse an empty folder).
    private static func series(in scan: CTSeriesReader.Scan, for plan: Plan, folder: URL) throws -> String? {
        guard scan.series.count > 1 else { return nil }
        let matching = scan.series.filter { $0.value.first?.frameOfReferenceUID == plan.frameOfReferenceUID }
        guard matching.count == 1, let only = matching.first else {
            let listed = scan.series.map { "\($0.key) (\($0.value.count) slices)" }.sorted().joined(separator: "; ")
            throw CommandFailure(
                "\(folder.path) holds \(scan.series.count) CT series (\(listed)) and \(matching.count) of them are in the plan's "
                    + "frame of reference; keep the planning CT's series only")
        }
        return only.key
    }
}
