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
        let energies = try query.energiesMeV()
        let tables = try data.load()
        // Unrestricted quantities do not depend on the cuts; any valid cuts build the tables.
        let electrons = try tables.electronData(for: try tables.material(named: query.material), cuts: .egsnrc521)
        let rows = try energies.map { energy in
            try electrons.checkEnergy(energy, for: "stopping power")
            let collision = electrons.collisionStoppingPower(.electron, kineticEnergyMeV: energy, restricted: false)
            let radiative = electrons.radiativeStoppingPower(kineticEnergyMeV: energy, restricted: false)
            let range = electrons.csdaRangeGPerCM2(kineticEnergyMeV: energy)
            return [energy, collision, radiative, collision + radiative, range].map(csvNumber).joined(separator: ",")
        }
        print("energy_MeV,collision,radiative,total,csda_range_g_cm2")
        rows.forEach { print($0) }
    }
}
