import Foundation
import TestSupport
import Testing

@testable import Physics

/// The 27 Schneider, Bortfeld & Schlegel 2000 (PMB 45:459) composition bins that the DICOM import's
/// default calibration assigns (tools/physics-data/materials.py `SCHNEIDER_2000_BINS`).
@Suite("Schneider 2000 materials")
struct SchneiderMaterialTests {
    static let binNames: [String] =
        ["AIR", "LUNG"] + (1...5).map { "ADIPOSE_\($0)" } + ["SOFT_TISSUE", "CONNECTIVE_TISSUE"]
        + (1...15).map { String(format: "BONE_%02d", $0) } + ["AMALGAM", "METAL_1", "METAL_2"]

    @Test("all 27 bins are in the bundled tables, with mass fractions that sum to 1")
    func allBins() throws {
        let data = try PhysicsData.bundled()
        #expect(Self.binNames.count == 27)
        for bin in Self.binNames {
            let material = try data.material(named: "SCHNEIDER2000_" + bin)
            let sum = material.elements.reduce(0) { $0 + $1.massFraction }
            // The paper's percentages sum to 100 exactly; the generator only renormalises rounding.
            #expect(abs(sum - 1) < 1e-12, "\(material.name): mass fractions sum to \(sum)")
            #expect(material.elements.allSatisfy { $0.massFraction > 0 }, "\(material.name) lists a zero fraction")
        }
    }

    @Test(
        "mass fractions are the paper's (Schneider et al. 2000 Table 6)",
        arguments: [
            (
                "SOFT_TISSUE",
                [1: 0.103, 6: 0.134, 7: 0.030, 8: 0.723, 11: 0.002, 15: 0.002, 16: 0.002, 17: 0.002, 19: 0.002]
            ),
            ("ADIPOSE_1", [1: 0.116, 6: 0.681, 7: 0.002, 8: 0.198, 11: 0.001, 16: 0.001, 17: 0.001]),
            (
                "BONE_08",
                [1: 0.056, 6: 0.265, 7: 0.036, 8: 0.405, 11: 0.001, 12: 0.002, 15: 0.073, 16: 0.003, 20: 0.159]
            ),
            (
                "BONE_15",
                [1: 0.034, 6: 0.155, 7: 0.042, 8: 0.435, 11: 0.001, 12: 0.002, 15: 0.103, 16: 0.003, 20: 0.225]
            ),
            ("AMALGAM", [29: 0.04, 30: 0.02, 47: 0.65, 50: 0.29]),
            ("METAL_1", [22: 1.0]),
        ])
    func composition(bin: String, expected: [Int: Double]) throws {
        let material = try PhysicsData.bundled().material(named: "SCHNEIDER2000_" + bin)
        let actual = Dictionary(uniqueKeysWithValues: material.elements.map { ($0.atomicNumber, $0.massFraction) })
        #expect(Set(actual.keys) == Set(expected.keys), "\(bin): elements \(actual.keys.sorted())")
        for (z, fraction) in expected {
            #expect(abs((actual[z] ?? 0) - fraction) < 1e-12, "\(bin) Z=\(z): \(actual[z] ?? 0) vs \(fraction)")
        }
    }

    @Test(
        "I-values: bins equal to ICRU 44 tissues get the ICRU 44 values; Ti gets ICRU 37's",
        arguments: [
            // Schneider's lung bin is ICRU 44 lung and its top bone bin ICRU 44 cortical bone (PHYSICS.md §3.1);
            // their I-values 75.17 and 111.97 eV are PHYSICS.md §3.2's (EGSnrc density files). Ti: 233 eV,
            // ICRU 37 Table 4.3. Tolerance 0.01 eV: the density files' rounding.
            ("LUNG", 75.17), ("BONE_15", 111.97), ("METAL_1", 233.0), ("METAL_2", 233.0),
            // Dry air, ICRU 37: 85.7 eV (Schneider's air omits the 0.012 % carbon: 0.02 eV).
            ("AIR", 85.7),
        ])
    func meanExcitationEnergy(bin: String, iValueEV: Double) throws {
        let material = try PhysicsData.bundled().material(named: "SCHNEIDER2000_" + bin)
        #expect(
            abs(material.meanExcitationEnergyEV - iValueEV) < 0.02, "\(bin): I = \(material.meanExcitationEnergyEV)")
    }

    @Test("I-values rise monotonically through the adipose and bone bins (more C, then more Ca and P)")
    func iValueOrder() throws {
        let data = try PhysicsData.bundled()
        let adipose = try (1...5).map { try data.material(named: "SCHNEIDER2000_ADIPOSE_\($0)").meanExcitationEnergyEV }
        let bone = try (1...15).map {
            try data.material(named: String(format: "SCHNEIDER2000_BONE_%02d", $0)).meanExcitationEnergyEV
        }
        #expect(zip(adipose, adipose.dropFirst()).allSatisfy { $0 < $1 })
        #expect(zip(bone, bone.dropFirst()).allSatisfy { $0 < $1 })
    }

    @Test(
        "total μ/ρ against the XCOM element tables combined by the mixture rule",
        arguments: [
            // Tissue bins: issue 3's 0.5 % target (PHYSICS.md §1.4 measured ±0.26 % for tissues). Amalgam
            // (65 % Ag, 29 % Sn): 2 %, the recipe's mid-Z error (PHYSICS.md §1.4; Cu 1.2 %, W 2 % above).
            ("LUNG", 0.005), ("ADIPOSE_3", 0.005), ("SOFT_TISSUE", 0.005), ("CONNECTIVE_TISSUE", 0.005),
            ("BONE_08", 0.005), ("BONE_15", 0.005), ("AMALGAM", 0.02), ("METAL_1", 0.008),
        ])
    func attenuationAgainstXCOM(bin: String, tolerance: Double) throws {
        let data = try PhysicsData.bundled()
        let material = try data.material(named: "SCHNEIDER2000_" + bin)
        let table = data.photonCrossSections(for: material)
        let processes = ["photo", "compton", "rayleigh", "pair", "triplet"]
        let byProcess = try processes.map {
            try PhotonCrossSectionTests.xcomElements($0, z: material.elements.map(\.atomicNumber))
        }
        let perAtom = material.elements.map { element in byProcess.map { $0[element.atomicNumber] ?? [] } }
        var worst = 0.0
        for energy in [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 1.5, 2, 3, 4, 6, 8, 10, 15, 20, 25] {
            var reference = 0.0
            for (element, tables) in zip(material.elements, perAtom) {
                let barnPerAtom = tables.reduce(0) { $0 + PhotonCrossSectionTests.logLog($1, energyMeV: energy) }
                reference +=
                    element.massFraction * barnPerAtom * 1e-24 * CollisionStoppingPower.avogadro / element.atomicWeight
            }
            let deviation = try table.coefficients(energyMeV: energy).total / reference - 1
            worst = max(worst, abs(deviation))
            #expect(abs(deviation) < tolerance, "\(bin) at \(energy) MeV: \(deviation * 100) %")
        }
        print("SCHNEIDER2000_\(bin): max |deviation| from XCOM = \(String(format: "%.2f", worst * 100)) %")
    }

    @Test("the soft-tissue bin attenuates like ICRU 44 muscle at 1 MeV (electron density, within 1 %)")
    func softTissueAtOneMeV() throws {
        // At 1 MeV Compton scattering is > 99.5 % of μ/ρ in tissue (PHYSICS.md §1.4 water table), so
        // μ/ρ ∝ Σ w Z/A: the soft-tissue bin must match muscle scaled by its electron density to 0.1 %,
        // and muscle unscaled to 1 % (the two compositions differ by 1 % in H).
        let data = try PhysicsData.bundled()
        let tissue = try data.material(named: "SCHNEIDER2000_SOFT_TISSUE")
        let muscle = try data.material(named: "MUSCLE_SKELETAL_ICRU44")
        let muTissue = try data.photonCrossSections(for: tissue).coefficients(energyMeV: 1).total
        let muMuscle = try data.photonCrossSections(for: muscle).coefficients(energyMeV: 1).total
        #expect(abs(muTissue / muMuscle - 1) < 0.01)
        let scaled = muMuscle * tissue.electronMolesPerGram / muscle.electronMolesPerGram
        #expect(abs(muTissue / scaled - 1) < 0.001, "\(muTissue) vs \(scaled)")
    }
}
