import Foundation
import TestSupport
import Testing

@testable import Physics

@Suite("Physics data file and materials")
struct PhysicsDataLoadingTests {
    @Test("the bundled tables load, and carry the tissue set and the EGSnrc media")
    func bundledMaterials() throws {
        let data = try PhysicsData.bundled()
        let names = Set(data.materials.map(\.name))
        for name in [
            "WATER", "AIR_DRY", "LUNG_ICRU44", "ADIPOSE_ICRU44", "SOFT_TISSUE_ICRU4", "SOFT_TISSUE_ICRP",
            "MUSCLE_SKELETAL_ICRU44", "CARTILAGE_ICRU44", "BONE_CORTICAL_ICRP", "BONE_CORTICAL_ICRU44", "PMMA",
            "TI6AL4V", "STEEL_316L", "EGSNRC_H2O_ICRU", "EGSNRC_AIR_ICRU", "EGSNRC_LUNG_ICRU",
            "EGSNRC_ICRUTISSUE_ICRU", "EGSNRC_ICRPBONE_ICRU",
        ] {
            #expect(names.contains(name), "missing \(name)")
        }
        for material in data.materials {
            let sum = material.elements.reduce(0) { $0 + $1.massFraction }
            #expect(abs(sum - 1) < 1e-12, "\(material.name) mass fractions sum to \(sum)")
        }
        #expect(data.generatorVersion.contains("xraylib 4.3.0"))
    }

    @Test(
        "EGSnrc medium names resolve to the matching material",
        arguments: [
            ("H2O700ICRU", "EGSNRC_H2O_ICRU"), ("H2O521ICRU", "EGSNRC_H2O_ICRU"),
            ("ICRPBONE700ICRU", "EGSNRC_ICRPBONE_ICRU"), ("ICRPBONE521ICRU", "EGSNRC_ICRPBONE_ICRU"),
            ("LUNG700ICRU", "EGSNRC_LUNG_ICRU"), ("LUNG521ICRU", "EGSNRC_LUNG_ICRU"),
            ("AIR700ICRU", "EGSNRC_AIR_ICRU"), ("AIR521ICRU", "EGSNRC_AIR_ICRU"),
            ("ICRUTISSUE700ICRU", "EGSNRC_ICRUTISSUE_ICRU"), ("ICRUTISSUE521ICRU", "EGSNRC_ICRUTISSUE_ICRU"),
            ("water", "WATER"),
            // EGSnrc's element and plastic media (PEGS4 521icru/700icru names).
            ("AL521ICRU", "AL"), ("PB700ICRU", "PB"), ("W521ICRU", "W"), ("PMMA700ICRU", "PMMA"),
            ("POLYSTY521ICRU", "POLYSTYRENE"), ("POLYETH700ICRU", "POLYETHYLENE"),
            ("FE521ICRU", "FE"), ("TA700ICRU", "TA"), ("SI521ICRU", "SI"),
        ])
    func aliases(alias: String, name: String) throws {
        let data = try PhysicsData.bundled()
        #expect(try data.material(named: alias).name == name)
    }

    @Test("EGSnrc lung has the inflated density, ICRP bone 1.85 g/cm³ and I = 106.4 eV (PHYSICS.md §3.2)")
    func egsMediaProperties() throws {
        let data = try PhysicsData.bundled()
        #expect(try data.material(named: "LUNG700ICRU").densityGPerCM3 == 0.26)
        let bone = try data.material(named: "ICRPBONE700ICRU")
        #expect(bone.densityGPerCM3 == 1.85)
        #expect(abs(bone.meanExcitationEnergyEV - 106.414) < 1e-9)
    }

    @Test("a medium bundles the material's tables for the run's cuts")
    func medium() throws {
        let data = try PhysicsData.bundled()
        let bone = try data.medium(named: "ICRPBONE700ICRU", cuts: .egsnrc700)
        #expect(bone.material.name == "EGSNRC_ICRPBONE_ICRU")
        #expect(abs(bone.electrons.cuts.collisionCutMeV - 0.189) < 1e-5)
        #expect(try bone.photons.coefficients(energyMeV: 1).total > 0.06)
        var random = SplitMix64(seed: 1)
        let compton = bone.compton.sample(energyMeV: 2, random: &random)
        #expect(compton.photonEnergyMeV > 0 && compton.photonEnergyMeV < 2)
    }

    @Test("an unknown material is an error that lists the known names")
    func unknownMaterial() throws {
        let data = try PhysicsData.bundled()
        #expect {
            _ = try data.material(named: "UNOBTANIUM")
        } throws: { error in
            guard case PhysicsDataError.unknownMaterial(let name, let known) = error else { return false }
            return name == "UNOBTANIUM" && known.contains("WATER")
                && (error as! PhysicsDataError).description.contains("unknown material 'UNOBTANIUM'")
        }
    }

    @Test("a damaged file is refused with a message naming it")
    func damagedFile() throws {
        var bytes = try Data(contentsOf: try Self.resourceURL())
        bytes[bytes.count - 3] ^= 0x40
        let scratch = try TestEnvironment.makeScratchDirectory("physics-damaged")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let damaged = scratch.appendingPathComponent("damaged.bin")
        try bytes.write(to: damaged)
        #expect {
            _ = try PhysicsData(contentsOf: [damaged])
        } throws: { error in
            "\(error)".contains("SHA-256") && "\(error)".contains("damaged.bin")
        }
        var newer = try Data(contentsOf: try Self.resourceURL())
        newer[8] = 2  // format version 2
        try newer.write(to: damaged)
        #expect {
            _ = try PhysicsData(contentsOf: [damaged])
        } throws: { error in
            "\(error)".contains("format version 2, this build reads version 1")
        }
        try Data("not physics".utf8).write(to: damaged)
        #expect(throws: PhysicsDataError.self) { _ = try PhysicsData(contentsOf: [damaged]) }
    }

    @Test(
        "the generator reproduces the committed tables byte for byte", .enabled(if: PhysicsDataLoadingTests.hasPython))
    func regenerationIsReproducible() throws {
        let scratch = try TestEnvironment.makeScratchDirectory("physics-regenerate")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let output = scratch.appendingPathComponent("physics-data.bin")
        let generator = TestEnvironment.packageRoot.appendingPathComponent("tools/physics-data/generate.py")
        let run = try runProgram(TestEnvironment.python, [generator.path, "--output", output.path])
        #expect(run.status == 0, "\(run.standardError)")
        let committed = try Data(contentsOf: try Self.resourceURL())
        #expect(try Data(contentsOf: output) == committed, "regenerated tables differ: run `make physics-data`")
    }

    @Test(
        "a user material file: tables generated, loadable beside the bundled ones",
        .enabled(if: PhysicsDataLoadingTests.hasPython))
    func userMaterials() throws {
        let scratch = try TestEnvironment.makeScratchDirectory("physics-user")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let json = scratch.appendingPathComponent("materials.json")
        try Data(
            #"{"materials": [{"name": "PolyCarbonate", "formula": "C16H14O3", "density_g_cm3": 1.20, "i_value_eV": 73.1}, {"name": "GOLD_FOIL", "mass_fractions": {"Au": 1.0}, "density_g_cm3": 19.32}]}"#
                .utf8
        ).write(to: json)
        let output = scratch.appendingPathComponent("user.bin")
        let generator = TestEnvironment.packageRoot.appendingPathComponent("tools/physics-data/generate.py")
        let run = try runProgram(
            TestEnvironment.python, [generator.path, "--materials", json.path, "--output", output.path])
        #expect(run.status == 0, "\(run.standardError)")
        let data = try PhysicsData.bundled(adding: output)
        let polycarbonate = try data.material(named: "polycarbonate")
        #expect(polycarbonate.meanExcitationEnergyEV == 73.1)
        // Gold's I-value comes from the ICRU 37 element table when none is given.
        #expect(abs(try data.material(named: "GOLD_FOIL").meanExcitationEnergyEV - 790) < 1e-9)
        #expect(try data.photonCrossSections(for: polycarbonate).coefficients(energyMeV: 1).total > 0.06)

        // A composition that does not sum to 1 is refused, naming the material.
        try Data(#"{"materials": [{"name": "BAD", "mass_fractions": {"H": 0.5, "O": 0.4}, "density_g_cm3": 1}]}"#.utf8)
            .write(to: json)
        let bad = try runProgram(
            TestEnvironment.python, [generator.path, "--materials", json.path, "--output", output.path])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("BAD") && bad.standardError.contains("sum to 0.9"))
    }

    static var hasPython: Bool {
        FileManager.default.isExecutableFile(atPath: TestEnvironment.python.path)
    }

    static func resourceURL() throws -> URL {
        TestEnvironment.packageRoot.appendingPathComponent("Sources/Physics/Resources/physics-data.bin")
    }
}
