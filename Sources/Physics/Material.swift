/// One element's share of a material.
public struct ElementFraction: Sendable, Hashable, Codable {
    /// Atomic number.
    public let atomicNumber: Int
    /// Atomic weight in g/mol (xraylib's table, as the generator used it).
    public let atomicWeight: Double
    /// Fraction of the material's mass.
    public let massFraction: Double

    enum CodingKeys: String, CodingKey {
        case atomicNumber = "Z", atomicWeight, massFraction
    }
}

/// A material of the physics tables: composition, reference density and mean excitation energy.
///
/// Cross sections are per gram and hold at any density; the density-effect correction of the
/// stopping powers is computed at `densityGPerCM3` (as EGSnrc's PEGS media are, PHYSICS.md §3.1).
public struct Material: Sendable, Hashable {
    /// The canonical name, e.g. `WATER` or `EGSNRC_ICRPBONE_ICRU`.
    public let name: String
    /// Other names that resolve to this material, e.g. `ICRPBONE700ICRU`.
    public let aliases: [String]
    /// Reference mass density in g/cm³.
    public let densityGPerCM3: Double
    /// Mean excitation energy I in eV.
    public let meanExcitationEnergyEV: Double
    /// The composition by mass.
    public let elements: [ElementFraction]
    /// Where the composition, density and I-value come from.
    public let source: String

    /// Electrons per gram divided by Avogadro's number: Σ wᵢ Zᵢ / Aᵢ (mol/g).
    public var electronMolesPerGram: Double {
        elements.reduce(0) { $0 + $1.massFraction * Double($1.atomicNumber) / $1.atomicWeight }
    }
}
