import Foundation
import Geometry
import TestSupport
import Testing
import Transport

@Suite struct SpectrumAndSourceTests {
    @Test func readsMohan6() throws {
        let s = try PhotonSpectrum.read(TestEnvironment.reference("spectra/mohan6.spectrum"))
        // The file header: 24 bins from 0 MeV, mode 1 (counts/MeV), top edge 6 MeV.
        #expect(s.probabilities.count == 24)
        #expect(s.maximumEnergyMeV == 6)
        #expect(abs(s.probabilities.reduce(0, +) - 1) < 1e-12)
        // Mohan et al. 6 MV mean energy is about 1.6–2.0 MeV (a check on the mode-1 bin widths).
        #expect(s.meanEnergyMeV > 1.4 && s.meanEnergyMeV < 2.1)
        var r = RandomStream(seed: 3, history: 9)
        let n = 200_000
        var mean = 0.0
        for _ in 0..<n { mean += s.sampleEnergyMeV(&r) }
        // Sampled mean within 1 % of the analytic bin-midpoint mean (σ of the estimate ≈ 0.3 %).
        #expect(abs(mean / Double(n) / s.meanEnergyMeV - 1) < 0.01)
    }

    @Test(arguments: [
        ("title\n", "truncated"),
        ("title\n2, 0, 0\n1, 1\n", "truncated"),
        ("title\n1, 0, 5\n1, 1\n", "mode"),
        ("title\n2, 0, 0\n1, 1\n0.5, 1\n", "does not exceed"),
        ("title\n1, 0, 0\n1, -1\n", "negative"),
        ("title\n1, 0, 0\n1, x\n", "not a number"),
    ])
    func rejectsMalformedSpectra(text: String, message: String) {
        #expect(throws: SpectrumError.self) { try PhotonSpectrum.parse(text) }
        do { _ = try PhotonSpectrum.parse(text) } catch { #expect("\(error)".contains(message), "\(error)") }
    }

    @Test func pointSourceHasCosCubedFluence() throws {
        // Over a 40×40 cm field at SSD 100, the fluence at the corner relative to the centre is
        // cos³θ = (100/√(100² + 2·20²))³ ≈ 0.8889; compare the fraction in two 4×4 cm squares.
        let field = try FieldRectangle(x1CM: -20, x2CM: 20, y1CM: -20, y2CM: 20)
        let source = BeamSource.pointSource(ssdCM: 100, field: field, energy: .monoenergetic(MeV: 1))
        var centre = 0, corner = 0
        for h in 0..<200_000 {
            var r = RandomStream(seed: 11, history: UInt64(h))
            let p = source.sample(frontZCM: 0, rng: &r)
            #expect(abs(p.direction.length - 1) < 1e-12)
            // The direction points back to the source at (0, 0, −100).
            let back = p.positionCM - p.direction * ((p.positionCM - Vec3(0, 0, -100)).length)
            #expect((back - Vec3(0, 0, -100)).length < 1e-9)
            if abs(p.positionCM.x) < 2 && abs(p.positionCM.y) < 2 { centre += 1 }
            if p.positionCM.x > 16 && p.positionCM.y > 16 { corner += 1 }
        }
        let c: Double = 100 / (100.0 * 100 + 2 * 18 * 18).squareRoot()
        let expected = c * c * c
        // Poisson σ on the ratio ≈ √(1/1900 + 1/1700) ≈ 3.3 %; allow 4σ.
        #expect(abs(Double(corner) / Double(centre) - expected) < 0.13)
    }
}
