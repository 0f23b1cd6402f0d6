/// Everything transport needs about one material for one run: photon cross sections and samplers,
/// electron and positron tables for the run's cuts. Built once per medium and shared read-only by all
/// threads.
public struct Medium: Sendable {
    /// The material.
    public let material: Material
    /// Photon mass attenuation coefficients.
    public let photons: PhotonCrossSections
    /// Compton: Klein–Nishina × the material's S(x)/Z (or free-electron KN, see `init`).
    public let compton: KleinNishinaSampler
    /// Rayleigh angles.
    public let rayleigh: RayleighSampler
    /// Pair energy split.
    public let pair: PairEnergySampler
    /// Stopping powers, ranges, hard cross sections and their samplers for the cuts.
    public let electrons: ElectronData
}

extension PhysicsData {
    /// The tables of the material with this name or alias for a run with these cuts.
    /// - Parameters:
    ///   - name: a material name or an EGSnrc medium name (e.g. `ICRPBONE700ICRU`).
    ///   - cuts: the class II thresholds.
    ///   - boundCompton: sample Compton with the material's incoherent scattering function (default) or
    ///     on free electrons.
    /// - Throws: `PhysicsDataError` for an unknown name or a cut outside the tables.
    public func medium(named name: String, cuts: ElectronCuts, boundCompton: Bool = true) throws -> Medium {
        let material = try material(named: name)
        return Medium(
            material: material, photons: photonCrossSections(for: material),
            compton: boundCompton ? comptonSampler(for: material) : KleinNishinaSampler(),
            rayleigh: rayleighSampler(for: material), pair: pairSampler(for: material),
            electrons: try electronData(for: material, cuts: cuts))
    }
}
