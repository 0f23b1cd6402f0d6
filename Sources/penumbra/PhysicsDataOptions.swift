import ArgumentParser
import Foundation
import Physics

/// Options shared by the `penumbra physics` subcommands: extra user tables, material, energies.
struct PhysicsDataOptions: ParsableArguments {
    @Option(
        name: .customLong("materials-file"),
        help: "Extra tables written by `make physics-data MATERIALS=file.json` (a .bin file).")
    var materialsFile: String?

    /// The bundled tables, plus the user file when given.
    func load() throws -> PhysicsData {
        guard let materialsFile else { return try PhysicsData.bundled() }
        return try PhysicsData.bundled(adding: URL(fileURLWithPath: materialsFile))
    }
}

/// A material name and a list of energies.
struct MaterialEnergyOptions: ParsableArguments {
    @Option(help: "Material name or EGSnrc medium name (see `penumbra physics materials`).")
    var material: String

    @Option(help: "Comma-separated energies in MeV, e.g. 0.1,1,6.")
    var energies: String

    /// The energies, each a positive finite number.
    func energiesMeV() throws -> [Double] {
        try energies.split(separator: ",", omittingEmptySubsequences: false).map { field in
            let text = field.trimmingCharacters(in: .whitespaces)
            guard let value = Double(text), value.isFinite, value > 0 else {
                throw ValidationError("--energies: '\(text)' is not a positive energy in MeV (example: 0.1,1,6)")
            }
            return value
        }
    }
}

/// What a per-material table command needs: the loaded tables, the material and the energies, with the
/// energies checked before any data is loaded.
struct MaterialEnergyQuery {
    let tables: PhysicsData
    let material: Material
    let energiesMeV: [Double]

    init(_ data: PhysicsDataOptions, _ query: MaterialEnergyOptions) throws {
        energiesMeV = try query.energiesMeV()
        tables = try data.load()
        material = try tables.material(named: query.material)
    }

    /// Prints a CSV table, one row per energy, after every row has been computed (so an error leaves
    /// no partial output).
    func printCSV(header: String, row: (Double) throws -> [Double]) throws {
        let rows = try energiesMeV.map { try row($0).map(csvNumber).joined(separator: ",") }
        print(header)
        rows.forEach { print($0) }
    }
}

/// `%.6g` for CSV cells.
func csvNumber(_ value: Double) -> String { String(format: "%.6g", value) }
