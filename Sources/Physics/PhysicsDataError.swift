/// Why physics data could not be loaded or a physics query could not be answered.
public enum PhysicsDataError: Error, Equatable, CustomStringConvertible {
    /// The bundled resource is missing from the module bundle.
    case resourceMissing(String)
    /// A data file could not be read.
    case unreadable(path: String, reason: String)
    /// A data file is not a physics-data file, or is damaged or of another format version.
    case badFile(path: String, reason: String)
    /// No material has this name or alias.
    case unknownMaterial(name: String, known: [String])
    /// Two loaded files define the same material name.
    case duplicateMaterial(String)
    /// An energy outside the tabulated range.
    case energyOutOfRange(quantity: String, energyMeV: Double, range: ClosedRange<Double>)
    /// A cut that the tables cannot honour.
    case badCut(String)

    /// What went wrong, where, and what to do.
    public var description: String {
        switch self {
        case .resourceMissing(let name):
            "the physics-data resource \(name) is missing from the Physics bundle; rebuild, or run `make physics-data`"
        case .unreadable(let path, let reason):
            "cannot read physics data \(path): \(reason)"
        case .badFile(let path, let reason):
            "\(path) is not usable physics data: \(reason); regenerate it with `make physics-data`"
        case .unknownMaterial(let name, let known):
            "unknown material '\(name)'; known materials: \(known.joined(separator: ", "))"
        case .duplicateMaterial(let name):
            "material \(name) is defined twice; rename the user material"
        case .energyOutOfRange(let quantity, let energy, let range):
            "\(quantity): energy \(energy) MeV is outside the tables (\(range.lowerBound) to \(range.upperBound) MeV)"
        case .badCut(let reason):
            "bad electron cut: \(reason)"
        }
    }
}
