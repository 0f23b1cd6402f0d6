import ArgumentParser
import Physics

/// `penumbra physics attenuation`: photon mass attenuation coefficients of a material, as CSV.
struct PhysicsAttenuationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attenuation",
        abstract:
            "Photon mass attenuation coefficients in cm²/g (CSV: energy_MeV,photo,incoherent,coherent,pair,total).")

    @OptionGroup var logging: LoggingOptions
    @OptionGroup var data: PhysicsDataOptions
    @OptionGroup var query: MaterialEnergyOptions

    func run() throws {
        logging.bootstrap()
        let resolved = try MaterialEnergyQuery(data, query)
        let photons = resolved.tables.photonCrossSections(for: resolved.material)
        try resolved.printCSV(header: "energy_MeV,photo,incoherent,coherent,pair,total") { energy in
            let c = try photons.coefficients(energyMeV: energy)
            return [energy, c.photoelectric, c.incoherent, c.coherent, c.pair, c.total]
        }
    }
}
