import Foundation

/// The physics tables of a set of materials, as the generator wrote them (docs/physics-data.md), with
/// accessors that build per-run tables (cuts) and samplers.
public struct PhysicsData: Sendable {
    struct Tables: Sendable {
        let photon: PhotonCrossSections
        let densityEffects: [Double]
        let bremsstrahlung: BremsstrahlungTable
        let formFactorX: [Double]
        let formFactorSquared: [Double]
        let scatteringFunction: [Double]
    }

    /// The version string of the generator that wrote the (first) file.
    public let generatorVersion: String
    /// The common energy grid.
    public let grid: EnergyGrid
    /// All materials, in file order.
    public let materials: [Material]
    private let tables: [String: Tables]
    private let lookup: [String: Int]

    /// The tables shipped in the `Physics` module, read and checked once per process (an immutable,
    /// lazily initialised constant: later calls return the same value).
    /// - Throws: `PhysicsDataError` if the resource is missing or damaged.
    public static func bundled() throws -> PhysicsData {
        try bundledOnce.get()
    }

    private static let bundledOnce = Result { try PhysicsData(contentsOf: [try bundledURL()]) }

    /// The shipped tables plus a user file written by `make physics-data MATERIALS=…`.
    public static func bundled(adding userFile: URL) throws -> PhysicsData {
        try PhysicsData(contentsOf: [try bundledURL(), userFile])
    }

    /// Where the bundled resource is.
    public static func bundledURL() throws -> URL {
        guard let url = Bundle.module.url(forResource: "physics-data", withExtension: "bin", subdirectory: "Resources")
        else { throw PhysicsDataError.resourceMissing("Resources/physics-data.bin") }
        return url
    }

    /// Loads one or more physics-data files; they must share the energy grid and not repeat a name.
    /// - Throws: `PhysicsDataError` naming the file and the problem.
    public init(contentsOf urls: [URL]) throws {
        precondition(!urls.isEmpty, "PhysicsData needs at least one file")
        var materials: [Material] = [], tables: [String: Tables] = [:], lookup: [String: Int] = [:]
        var grid: EnergyGrid?
        var version = ""
        for url in urls {
            let file = try PhysicsDataFile(contentsOf: url)
            let spec = file.header.energyGrid
            let fileGrid = EnergyGrid(lnMinMeV: spec.lnMinMeV, lnMaxMeV: spec.lnMaxMeV, count: spec.count)
            if let grid, grid != fileGrid {
                throw PhysicsDataError.badFile(path: file.path, reason: "its energy grid differs from the first file's")
            }
            if grid == nil { version = file.header.generatorVersion }
            grid = fileGrid
            let formFactorX = try file.array("rayleigh/x")
            let lnT = try file.array("brems/lnT")
            let kappa = try file.array("brems/kappa")
            guard lnT.count >= 2 else { throw PhysicsDataError.badFile(path: file.path, reason: "empty brems grid") }
            let bremsGrid = EnergyGrid(lnMinMeV: lnT[0], lnMaxMeV: lnT[lnT.count - 1], count: lnT.count)
            for entry in file.header.materials {
                let material = Material(
                    name: entry.name, aliases: entry.aliases, densityGPerCM3: entry.densityGPerCM3,
                    meanExcitationEnergyEV: entry.meanExcitationEnergyEV, elements: entry.elements, source: entry.source
                )
                for key in [entry.name] + entry.aliases {
                    guard lookup[key.uppercased()] == nil else { throw PhysicsDataError.duplicateMaterial(key) }
                    lookup[key.uppercased()] = materials.count
                }
                let prefix = "material/\(entry.name)/"
                let lnE = try file.array(prefix + "photon/lnE")
                let processes = try ["photo", "incoherent", "coherent", "pair"].map {
                    try file.array(prefix + "photon/" + $0, count: lnE.count)
                }
                tables[entry.name] = Tables(
                    photon: PhotonCrossSections(grid: fileGrid, lnEnergies: lnE, processes: processes),
                    densityEffects: try file.array(prefix + "electron/delta", count: fileGrid.count),
                    bremsstrahlung: BremsstrahlungTable(
                        grid: bremsGrid, kappa: kappa,
                        psi: try file.array(prefix + "electron/bremsPsi", count: lnT.count * kappa.count)),
                    formFactorX: formFactorX,
                    formFactorSquared: try file.array(prefix + "rayleigh/F2", count: formFactorX.count),
                    scatteringFunction: try file.array(prefix + "compton/SperZ", count: formFactorX.count))
                materials.append(material)
            }
        }
        self.generatorVersion = version
        self.grid = grid!
        self.materials = materials
        self.tables = tables
        self.lookup = lookup
    }

    /// The material with this name or alias (case-insensitive), e.g. `WATER`, `H2O700ICRU`.
    /// - Throws: `PhysicsDataError.unknownMaterial` listing the known names.
    public func material(named name: String) throws -> Material {
        guard let index = lookup[name.uppercased()] else {
            throw PhysicsDataError.unknownMaterial(name: name, known: materials.map(\.name))
        }
        return materials[index]
    }

    private func tables(for material: Material) -> Tables {
        guard let tables = tables[material.name] else {
            preconditionFailure("material \(material.name) does not come from this PhysicsData")
        }
        return tables
    }

    /// Photon cross sections of a material from this data set.
    public func photonCrossSections(for material: Material) -> PhotonCrossSections {
        tables(for: material).photon
    }

    /// Electron and positron tables of a material for the run's cuts.
    /// - Throws: `PhysicsDataError.badCut` if a cut lies outside the tables.
    public func electronData(for material: Material, cuts: ElectronCuts) throws -> ElectronData {
        let t = tables(for: material)
        return try ElectronData(
            material: material, grid: grid, densityEffects: t.densityEffects, bremsstrahlung: t.bremsstrahlung,
            cuts: cuts)
    }

    /// The Rayleigh angle sampler of a material (node energies 1 keV–25 MeV).
    public func rayleighSampler(for material: Material, nodes: Int = 129) -> RayleighSampler {
        let t = tables(for: material)
        return RayleighSampler(
            formFactorX: t.formFactorX, formFactorSquared: t.formFactorSquared,
            grid: EnergyGrid(lnMinMeV: grid.lnMinMeV, lnMaxMeV: grid.lnMaxMeV, count: nodes))
    }

    /// The material's Rayleigh form factor F²(x) on its x = q² grid (Å⁻²), as the generator wrote it.
    public func formFactor(for material: Material) -> (x: [Double], f2: [Double])? {
        tables[material.name].map { ($0.formFactorX, $0.formFactorSquared) }
    }

    /// The Compton sampler of a material: Klein–Nishina × the material's incoherent scattering function
    /// S(x)/Z (binding correction). For free electrons use `KleinNishinaSampler()`.
    public func comptonSampler(for material: Material) -> KleinNishinaSampler {
        let t = tables(for: material)
        return KleinNishinaSampler(scatteringFunction: (t.formFactorX, t.scatteringFunction))
    }

    /// The material's incoherent scattering function per electron S(x)/Z on its x = q² grid (Å⁻²).
    public func scatteringFunction(for material: Material) -> (x: [Double], sPerElectron: [Double])? {
        tables[material.name].map { ($0.formFactorX, $0.scatteringFunction) }
    }

    /// The pair energy-split sampler of a material.
    public func pairSampler(for material: Material) -> PairEnergySampler {
        PairEnergySampler(material: material)
    }
}
