import ArgumentParser
import Physics

/// `penumbra physics materials`: the materials of the tables, as CSV.
struct PhysicsMaterialsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "materials", abstract: "List the materials (CSV: name, aliases, density, I-value, composition).")

    @OptionGroup var logging: LoggingOptions
    @OptionGroup var data: PhysicsDataOptions

    func run() throws {
        logging.bootstrap()
        let tables = try data.load()
        print("name,aliases,density_g_cm3,i_value_eV,composition_mass_fractions")
        for material in tables.materials {
            let composition = material.elements.map { "Z\($0.atomicNumber):\(csvNumber($0.massFraction))" }
            print(
                [
                    material.name, material.aliases.joined(separator: " "), csvNumber(material.densityGPerCM3),
                    csvNumber(material.meanExcitationEnergyEV), composition.joined(separator: " "),
                ].joined(separator: ","))
        }
    }
}
