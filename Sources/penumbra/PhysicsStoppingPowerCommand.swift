import ArgumentParser
import Physics

/// `penumbra physics stopping-power`: unrestricted electron stopping powers and CSDA range, as CSV.
struct PhysicsStoppingPowerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stopping-power",
        abstract: "Electron mass stopping powers in MeV cm²/g and CSDA range in g/cm² "
            + "(CSV: energy_MeV,collision,radiative,total,csda_range_g_cm2).")

    @OptionGroup var logging: LoggingOptions
    @OptionGroup var data: PhysicsDataOptions
    @OptionGroup var query: MaterialEnergyOptions

    func run() throws {
        logging.bootstrap()
        let resolved = try MaterialEnergyQuery(data, query)
        // Unrestricted quantities do not depend on the cuts; any valid cuts build the tables.
        let electrons = try resolved.tables.electronData(for: resolved.material, cuts: .egsnrc521)
        try resolved.printCSV(header: "energy_MeV,collision,radiative,total,csda_range_g_cm2") { energy in
            try electrons.checkEnergy(energy, for: "stopping power")
            let collision = electrons.collisionStoppingPower(.electron, kineticEnergyMeV: energy, restricted: false)
            let radiative = electrons.radiativeStoppingPower(kineticEnergyMeV: energy, restricted: false)
            return [
                energy, collision, radiative, collision + radiative,
                electrons.csdaRangeGPerCM2(kineticEnergyMeV: energy),
            ]
        }
    }
}
