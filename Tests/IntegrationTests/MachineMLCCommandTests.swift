import Foundation
import TestSupport
import Testing

/// `penumbra machine mlc` end to end at coarse settings (debug): the equivalent fluence parameters of a leaf design as
/// JSON, and a design that cannot be built refused. The measurement itself is docs/beam-model.md, the analyses'
/// correctness `LeafBankGeometryTests`.
@Suite struct MachineMLCCommandTests {
    @Test func printsTheEquivalentParametersAndRefusesABadDesign() throws {
        let penumbra = DVHCommandTests.penumbra
        let result = try runProgram(penumbra, ["machine", "mlc", "--json", "--scan-step", "0.05", "--height-steps", "20",
                                               "--points-per-source", "3", "--scatter-photons", "0"])
        try #require(result.status == 0, "penumbra machine mlc failed: \(result.standardError)")
        let mlc = try #require(try JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [String: Double])
        // Narrow-beam transmission of 6.7 cm of alloy: 0.2–0.8 % (0.43 % at full resolution); a leaf-end offset and a
        // tongue-and-groove width of a few tenths of a millimetre (0.64 and 0.77 mm at full resolution).
        #expect((0.002...0.008).contains(mlc["transmission"] ?? -1), "\(mlc)")
        #expect((0.02...0.12).contains(mlc["leafEndOffsetCM"] ?? -1), "\(mlc)")
        #expect((0.03...0.15).contains(mlc["tongueAndGrooveWidthCM"] ?? -1), "\(mlc)")
        let bad = try runProgram(penumbra, ["machine", "mlc", "--json", "--tip-radius", "2"])
        #expect(bad.status != 0)
        #expect(bad.standardError.contains("tip radius"))
    }
}
