import ArgumentParser
import DICOM
import Logging

/// The ROIs that `--structure` options choose from a structure set: each option names an ROI (case-insensitively)
/// or, when no ROI has that name, gives an ROI Number (3006,0022). An option that chooses nothing is a warning (a
/// protocol's list of structures may name some a structure set lacks, as constraint sets do) and, when no option
/// chooses anything, an error; both say which ROIs there are, and which of their names held bytes the file's
/// character set could not decode (read as U+FFFD, so a typed name cannot match them) with what to do about it.
enum StructureSelection {
    /// The ROIs of `set` chosen by `selected`, in the structure set's order (all of them when `selected` is empty).
    /// - Throws: `ValidationError` when no option chooses an ROI of `path`; options that choose none beside others
    ///   that do are logged as a warning.
    static func rois(of set: StructureSet, selected: [String], path: String, logger: Logger) throws -> [ROI] {
        guard !selected.isEmpty else { return set.rois }
        var chosen = Set<Int>(), unmatched: [String] = []
        for option in selected {
            var found = set.rois.indices.filter { set.rois[$0].name.caseInsensitiveCompare(option) == .orderedSame }
            if found.isEmpty, let number = Int(option) {
                found = set.rois.indices.filter { set.rois[$0].number == number }
            }
            if found.isEmpty { unmatched.append(option) } else { chosen.formUnion(found) }
        }
        if !unmatched.isEmpty {
            guard !chosen.isEmpty else { throw ValidationError(refusal(unmatched, set: set, path: path)) }
            logger.warning("\(refusal(unmatched, set: set, path: path)); left out")
        }
        return set.rois.indices.filter(chosen.contains).map { set.rois[$0] }
    }

    /// Why `unmatched` chose nothing: the ROIs there are, and the undecodable names among them.
    static func refusal(_ unmatched: [String], set: StructureSet, path: String) -> String {
        let names = unmatched.map { "'\($0)'" }.joined(separator: ", ")
        let what = unmatched.count == 1 ? "this name or number" : "these names or numbers"
        let rois = set.rois.isEmpty ? "none" : set.rois.map { "\($0.number) \($0.name)" }.joined(separator: ", ")
        var text = "--structure \(names): no ROI of \(path) has \(what) (its ROIs: \(rois))"
        let undecodable = set.rois.filter { $0.name.unicodeScalars.contains("\u{FFFD}") }
        if let first = undecodable.first {
            let numbers = undecodable.map { String($0.number) }.joined(separator: ", ")
            text +=
                "; ROI \(numbers) \(undecodable.count == 1 ? "has a name" : "have names") with bytes the file's "
                + "Specific Character Set (0008,0005) does not decode (shown as U+FFFD, \u{FFFD}), which no typed name "
                + "matches: give the ROI number instead (--structure \(first.number)), or correct the file's character "
                + "set so the names decode (`penumbra dicom info \(path)` notes the element)"
        }
        return text
    }
}
