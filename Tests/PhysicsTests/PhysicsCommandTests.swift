import Foundation
import TestSupport
import Testing

/// `penumbra physics …` run as a real process (the executable built beside the test bundle).
@Suite("penumbra physics command line", .enabled(if: PenumbraExecutable.url != nil))
struct PhysicsCommandTests {
    static func run(_ arguments: [String]) throws -> ProgramOutput {
        try runProgram(try #require(PenumbraExecutable.url), ["physics"] + arguments)
    }

    @Test("materials lists the tissue set and the EGSnrc aliases")
    func materials() throws {
        let out = try Self.run(["materials"])
        #expect(out.status == 0)
        let lines = out.standardOutput.split(separator: "\n")
        #expect(lines.first == "name,aliases,density_g_cm3,i_value_eV,composition_mass_fractions")
        #expect(lines.contains { $0.hasPrefix("EGSNRC_ICRPBONE_ICRU,ICRPBONE ICRPBONE521ICRU ICRPBONE700ICRU,1.85,") })
    }

    @Test("attenuation prints the CSV the issue names, with the total the sum of the parts")
    func attenuation() throws {
        let out = try Self.run(["attenuation", "--material", "H2O700ICRU", "--energies", "0.1,1,6"])
        #expect(out.status == 0, "\(out.standardError)")
        let lines = out.standardOutput.split(separator: "\n")
        #expect(lines.first == "energy_MeV,photo,incoherent,coherent,pair,total")
        #expect(lines.count == 4)
        let six = lines[3].split(separator: ",").map { Double($0)! }
        #expect(six[0] == 6)
        #expect(abs(six[1] + six[2] + six[3] + six[4] - six[5]) < 1e-5 * six[5])
        // Water at 6 MeV, PHYSICS.md §8: 0.02770 cm²/g within 0.3 %.
        #expect(abs(six[5] / 0.02770 - 1) < 0.003)
    }

    @Test("stopping-power prints collision, radiative, total and CSDA range")
    func stoppingPower() throws {
        let out = try Self.run(["stopping-power", "--material", "water", "--energies", "1,10"])
        #expect(out.status == 0, "\(out.standardError)")
        let lines = out.standardOutput.split(separator: "\n")
        #expect(lines.first == "energy_MeV,collision,radiative,total,csda_range_g_cm2")
        let one = lines[1].split(separator: ",").map { Double($0)! }
        // ESTAR water at 1 MeV: collision 1.849 MeV cm²/g, CSDA range 0.4367 g/cm² (issue 3 tolerances).
        #expect(abs(one[1] / 1.849 - 1) < 0.002)
        #expect(abs(one[4] / 0.4367 - 1) < 0.01)
    }

    @Test(
        "bad input is a clear error and no CSV",
        arguments: [
            (["attenuation", "--material", "KRYPTONITE", "--energies", "1"], "unknown material 'KRYPTONITE'"),
            (["attenuation", "--material", "WATER", "--energies", "1,40"], "40.0 MeV is outside the tables"),
            (["stopping-power", "--material", "WATER", "--energies", "0.0001"], "outside the tables"),
            (["stopping-power", "--material", "WATER", "--energies", "1,abc"], "'abc' is not a positive energy"),
        ])
    func badInput(arguments: [String], message: String) throws {
        let out = try Self.run(arguments)
        #expect(out.status != 0)
        #expect(out.standardError.contains(message), "\(out.standardError)")
        #expect(out.standardOutput.isEmpty)
    }
}

/// The `penumbra` executable that `swift build` put beside the test bundle, if any.
enum PenumbraExecutable {
    static var url: URL? {
        let url = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("penumbra")
        return FileManager.default.isExecutableFile(atPath: url.path) ? url : nil
    }
}
