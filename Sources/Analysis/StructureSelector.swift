/// Which structure of a patient's structure set a constraint applies to, allowing for the many ways
/// centres name the same organ.
///
/// Names match without regard to case, spaces, `_` and `-` (`Lung_Total` = `lung total` = `LungTotal`).
/// A structure named in `names` is used as it is; otherwise a composite is built: the first of
/// `base` present, or the union of one structure from each list of `unionOf` (e.g. left and right
/// lung), less the first of `minus` present (e.g. the GTV).
public struct StructureSelector: Sendable, Equatable, Codable {
    /// Names of a ready-made structure, in order of preference (e.g. `Lungs-GTV`).
    public var names: [String]
    /// Names of the base of a composite, in order of preference (e.g. `Lungs`, `Lung_Total`).
    public var base: [String]?
    /// Alternatives for each part of a union used when no `base` is present (e.g. the two lungs).
    public var unionOf: [[String]]?
    /// Names of a structure to subtract from the composite, in order of preference (e.g. `GTV`, `ITV`).
    public var minus: [String]?

    /// Creates a selector.
    public init(names: [String], base: [String]? = nil, unionOf: [[String]]? = nil, minus: [String]? = nil) {
        self.names = names
        self.base = base
        self.unionOf = unionOf
        self.minus = minus
    }

    /// A name reduced to what matching compares.
    static func key(_ name: String) -> String {
        String(name.lowercased().filter { !$0.isWhitespace && $0 != "_" && $0 != "-" })
    }

    /// The first of `candidates` present among `structures`.
    static func first(_ candidates: [String], in structures: [String: StructureMask]) -> StructureMask? {
        candidates.lazy.compactMap { structures[key($0)] }.first
    }

    /// The structure this selector picks from a structure set, or nil when it finds none.
    /// - Parameter structures: the available masks keyed by `StructureSelector.key` of their names.
    /// - Returns: the mask (named after how it was made, e.g. `Lung_L+Lung_R-GTV`) and a note when a
    ///   structure to subtract was asked for but not found.
    func select(from structures: [String: StructureMask]) throws -> (mask: StructureMask, note: String?)? {
        if let ready = Self.first(names, in: structures) { return (ready, nil) }
        var composite = Self.first(base ?? [], in: structures)
        if composite == nil, let unionOf, !unionOf.isEmpty {
            let parts = unionOf.map { Self.first($0, in: structures) }
            if parts.allSatisfy({ $0 != nil }) {
                composite = try parts.dropFirst().reduce(parts[0]!) { try $0.union($1!) }
            }
        }
        guard let whole = composite else { return nil }
        guard let minus, !minus.isEmpty else { return (whole, nil) }
        guard let removed = Self.first(minus, in: structures) else {
            return (whole, "none of \(minus.joined(separator: ", ")) found to subtract from '\(whole.name)'")
        }
        return (try whole.subtracting(removed), nil)
    }

    /// All the names this selector looks for, for messages.
    var allNames: [String] { names + (base ?? []) + (unionOf ?? []).flatMap { $0 } }
}
