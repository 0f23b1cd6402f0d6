import Foundation
import Phantom
import Physics
import Testing

/// The HU calibrations (module Phantom) name media that the physics tables (module Physics) must provide.
@Suite("HU calibration media in the physics tables")
struct CalibrationMediaTests {
    @Test(
        "every medium of every calibration preset resolves in the bundled physics tables",
        arguments: HUCalibration.presetNames)
    func presetMediaResolve(preset: String) throws {
        let data = try PhysicsData.bundled()
        let calibration = try HUCalibration.preset(named: preset)
        #expect(!calibration.media.isEmpty)
        for bin in calibration.media {
            #expect(throws: Never.self, "\(preset): medium \(bin.medium)") { _ = try data.material(named: bin.medium) }
        }
    }

    @Test("Schneider 2000: each bin's reference density is the preset's curve at the bin's mid HU")
    func schneiderReferenceDensities() throws {
        // materials.py takes the reference density at the mid HU of [bin bound, next bin bound) (the open top
        // bin: at its bound). Equality checks that both sides use the same bounds and curve; 1e-6 g/cm³ is
        // the rounding of the stored density.
        let data = try PhysicsData.bundled()
        let calibration = HUCalibration.schneider2000
        #expect(calibration.media.count == 27)
        for (index, bin) in calibration.media.enumerated() {
            let upperHU = index + 1 < calibration.media.count ? calibration.media[index + 1].fromHU : bin.fromHU
            let midHU = 0.5 * (bin.fromHU + upperHU)
            let material = try data.material(named: bin.medium)
            let expected = calibration.densityGPerCM3(hu: midHU)
            #expect(
                abs(material.densityGPerCM3 - expected) < 1e-6,
                "\(bin.medium): \(material.densityGPerCM3) vs curve \(expected) at \(midHU) HU")
            #expect(material.source.contains("HU >= \(Int(bin.fromHU))"), "\(bin.medium) source: \(material.source)")
        }
    }
}
