import Foundation
import TestSupport
import Testing

@testable import Physics

@Suite("Photon cross sections")
struct PhotonCrossSectionTests {
    /// Materials of ../shared/reference/physics/xcom-mixtures.csv and ours.
    static let referenceMaterials = [
        "water": "WATER", "bone_cortical_icrp": "BONE_CORTICAL_ICRP", "lung_icru44": "LUNG_ICRU44",
        "air_dry": "AIR_DRY", "tissue_soft_icru4": "SOFT_TISSUE_ICRU4", "adipose_icru44": "ADIPOSE_ICRU44",
    ]

    struct Row { let material: String, energyMeV: Double, total: Double }

    static func xcomRows() throws -> [Row] {
        let text = try String(contentsOf: TestEnvironment.reference("physics/xcom-mixtures.csv"), encoding: .utf8)
        return text.split(separator: "\n").dropFirst().map { line in
            let f = line.split(separator: ",")
            return Row(material: String(f[0]), energyMeV: Double(f[1])!, total: Double(f[6])!)
        }
    }

    @Test("total μ/ρ within 0.5 % of XCOM 10 keV–25 MeV and 0.3 % 1–20 MeV (issue 3 accuracy targets)")
    func totalAgainstXCOM() throws {
        let data = try PhysicsData.bundled()
        let rows = try Self.xcomRows()
        #expect(rows.count == 150)
        for row in rows {
            let name = try #require(Self.referenceMaterials[row.material])
            let table = data.photonCrossSections(for: try data.material(named: name))
            let ours = try table.coefficients(energyMeV: row.energyMeV).total
            let deviation = ours / row.total - 1
            // Targets from issue 3 / PHYSICS.md §0 (the recipe measured ±0.26 % against EGSnrc's XCOM).
            let tolerance = (1.0...20.0).contains(row.energyMeV) ? 0.003 : 0.005
            #expect(abs(deviation) < tolerance, "\(row.material) at \(row.energyMeV) MeV: \(deviation * 100) %")
        }
    }

    @Test(
        "water μ/ρ at the PHYSICS.md §8 checkpoints within 0.3 %",
        arguments: [(1.0, 0.07072), (2.0, 0.0494), (6.0, 0.02770), (10.0, 0.02219), (20.0, 0.01813)])
    func waterCheckpoints(energyMeV: Double, reference: Double) throws {
        // Hubbell & Seltzer / XCOM water with coherent (PHYSICS.md §8 item 1); tolerance ±0.3 % from there.
        let data = try PhysicsData.bundled()
        let table = data.photonCrossSections(for: try data.material(named: "WATER"))
        let total = try table.coefficients(energyMeV: energyMeV).total
        #expect(abs(total / reference - 1) < 0.003, "\(total) vs \(reference)")
    }

    @Test(
        "incoherent above 0.8 MeV is Z × Klein–Nishina (PHYSICS.md §8 item 5: 0.2112 b at 1 MeV, 0.05099 b at 10 MeV)",
        arguments: [(1.0, 0.2112e-24), (10.0, 0.05099e-24)])
    func kleinNishina(energyMeV: Double, barnPerElectron: Double) throws {
        let data = try PhysicsData.bundled()
        let water = try data.material(named: "WATER")
        let expected = barnPerElectron * CollisionStoppingPower.avogadro * water.electronMolesPerGram
        let incoherent = try data.photonCrossSections(for: water).coefficients(energyMeV: energyMeV).incoherent
        // 4-digit reference values: ±0.05 %, plus log–log interpolation (< 1e-4).
        #expect(abs(incoherent / expected - 1) < 6e-4, "\(incoherent) vs \(expected)")
    }

    @Test("the calcium K edge of bone is a duplicate grid point with the jump on it")
    func absorptionEdge() throws {
        let data = try PhysicsData.bundled()
        let table = data.photonCrossSections(for: try data.material(named: "BONE_CORTICAL_ICRP"))
        let duplicates = zip(table.lnEnergies, table.lnEnergies.dropFirst()).enumerated().filter {
            $0.element.0 == $0.element.1
        }
        // Ca K (4.04 keV), P K (2.15 keV), S K (2.47 keV), Zn K (9.66 keV) and Zn L1-L3 (1.0-1.2 keV).
        #expect(duplicates.count >= 4)
        let caK = try #require(duplicates.map { exp($0.element.0) }.first { abs($0 - 0.00404) < 0.00002 })
        let below = try table.coefficients(energyMeV: caK * (1 - 1e-6)).photoelectric
        let above = try table.coefficients(energyMeV: caK * (1 + 1e-6)).photoelectric
        #expect(above / below > 1.5, "Ca K jump in bone: \(below) → \(above)")
    }

    @Test("energies outside the tables are errors", arguments: [0.0005, 30.0, -1.0, .nan])
    func outOfRange(energyMeV: Double) throws {
        let data = try PhysicsData.bundled()
        let table = data.photonCrossSections(for: try data.material(named: "WATER"))
        #expect(throws: PhysicsDataError.self) { _ = try table.coefficients(energyMeV: energyMeV) }
    }

    /// XCOM element tables as EGSnrc distributes them (../shared/reference/physics/xcom): for Z = 1…100 a
    /// count n, then n pairs (ln E/MeV, ln σ/barn); edges appear as repeated ln E.
    static func xcomElement(_ process: String, z: Int) throws -> [(lnE: Double, lnSigma: Double)] {
        try xcomElements(process, z: [z])[z] ?? []
    }

    /// Several elements' tables from one read of the file (keyed by Z).
    static func xcomElements(_ process: String, z wanted: [Int]) throws -> [Int: [(lnE: Double, lnSigma: Double)]] {
        let text = try String(
            contentsOf: TestEnvironment.reference("physics/xcom/xcom_\(process).data"), encoding: .utf8)
        let tokens = text.split(whereSeparator: \.isWhitespace).map { Double($0)! }
        var tables: [Int: [(lnE: Double, lnSigma: Double)]] = [:]
        var position = 0
        for element in 1...max(1, wanted.max() ?? 1) {
            let n = Int(tokens[position])
            position += 1
            if wanted.contains(element) {
                tables[element] = (0..<n).map { (tokens[position + 2 * $0], tokens[position + 2 * $0 + 1]) }
            }
            position += 2 * n
        }
        return tables
    }

    static func logLog(_ table: [(lnE: Double, lnSigma: Double)], energyMeV: Double) -> Double {
        let x = log(energyMeV)
        guard let j = table.indices.dropFirst().first(where: { table[$0].lnE >= x }), table[j - 1].lnE <= x else {
            return 0
        }
        let t = (x - table[j - 1].lnE) / (table[j].lnE - table[j - 1].lnE)
        return exp(table[j - 1].lnSigma + t * (table[j].lnSigma - table[j - 1].lnSigma))
    }

    @Test(
        "pure elements: total μ/ρ against the XCOM element tables",
        arguments: [
            ("AL", 13, 0.005), ("TI", 22, 0.008), ("CU", 29, 0.012), ("W", 74, 0.02), ("PB", 82, 0.025),
            ("AU", 79, 0.025), ("FE", 26, 0.01), ("TA", 73, 0.02), ("BE", 4, 0.005),
        ])
    func elementsAgainstXCOM(name: String, z: Int, tolerance: Double) throws {
        // Tolerances: the recipe's measured metal errors (PHYSICS.md §1.4: Ti +0.30…−0.57 %, Fe +0.31…−0.84 %,
        // Au up to +1.7 %), from the Sauter photo shape and the pair fit above 1 MeV.
        let data = try PhysicsData.bundled()
        let material = try data.material(named: name)
        let table = data.photonCrossSections(for: material)
        let perAtom = try ["photo", "compton", "rayleigh", "pair", "triplet"].map { try Self.xcomElement($0, z: z) }
        let toPerGram = 1e-24 * CollisionStoppingPower.avogadro / material.elements[0].atomicWeight
        var worst = 0.0
        for energy in [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 15, 20, 25] {
            let reference = perAtom.reduce(0) { $0 + Self.logLog($1, energyMeV: energy) } * toPerGram
            let deviation = try table.coefficients(energyMeV: energy).total / reference - 1
            worst = max(worst, abs(deviation))
            #expect(abs(deviation) < tolerance, "\(name) at \(energy) MeV: \(deviation * 100) %")
        }
        print("element \(name): max |deviation| from XCOM = \(String(format: "%.2f", worst * 100)) %")
    }
}
