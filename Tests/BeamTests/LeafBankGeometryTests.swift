import Foundation
import Geometry
import Physics
import Testing
@testable import Beam

/// The explicit leaf model (the measuring instrument of docs/beam-model.md, "MLC: fluence modulation or geometry") on
/// hand-worked rays, and the comparison's analyses on the fluence model, whose answers are known, at coarse settings.
@Suite struct LeafBankGeometryTests {
    static let physics = try! PhysicsData.bundled()
    static let model = try! SourceModel(machine: GenericMachines.sixMV, physics: physics)
    static let design = LeafBankGeometry.Design.generic
    static let geometry = try! LeafBankGeometry(design: design, distanceCM: 50.9, sourceAxisDistanceCM: 100,
                                                spectrum: model.ringSpectra[0], physics: physics, heightSteps: 2000)
    static let focus = Vec3(0, 0, 100)

    @Test func aRayThroughClosedLeavesCrossesTheirWholeHeight() {
        let closed = MLCModelComparison.bank(pairs: 16, bankACM: 8, bankBCM: 8)
        // From the focus through the middle of a pair: the leaf height (no edge inside) stretched by the ray's slope
        // 0.25/100, a factor 1 + 3 × 10⁻⁶.
        #expect(abs(Self.geometry.pathLengthCM(closed, from: Self.focus, to: Vec3(0, 0.25, 0)) - Self.design.heightCM) < 1e-4)
        // The spectrum-averaged transmission lies between the pure exponentials of its softest and hardest photons
        // (tungsten's μ/ρ has its minimum ≈ 0.040 cm²/g near 3–4 MeV, and is ≈ 0.06 at 1 MeV: Hubbell & Seltzer tables).
        let t = Self.geometry.transmission(pathLengthCM: Self.design.heightCM)
        #expect(t > exp(-0.06 * 18 * 6.7) && t < exp(-0.040 * 18 * 6.7), "transmission \(t)")
        // Beyond the bank's pairs there is no leaf.
        #expect(Self.geometry.pathLengthCM(closed, from: Self.focus, to: Vec3(0, 4.2, 0)) == 0)
    }

    @Test(arguments: [-10.0, 0.0, 7.5])
    func theLightFieldEdgeIsTheTangentRay(positionCM: Double) {
        let leaves = MLCModelComparison.bank(bankACM: positionCM, bankBCM: positionCM + 10)
        let g = Self.geometry
        // The ray from the nominal focus to the plan position only touches bank A's arc: its chord is at most a few height
        // steps long (2000 steps of 33.5 µm; a chord of c needs a depth c²/8R ≈ 1.8 µm for c = 0.034 cm).
        #expect(g.pathLengthCM(leaves, from: Self.focus, to: Vec3(positionCM, 0.25, 0)) < 0.04)
        // 0.5 mm into the leaf (on the isocentre plane: 0.25 mm at the leaves) the chord is 2√(2R·h) ≈ 1.3 cm.
        let inside = g.pathLengthCM(leaves, from: Self.focus, to: Vec3(positionCM - 0.05, 0.25, 0))
        let h = 0.05 * 50.9 / 100
        #expect(abs(inside - 2 * (2 * 8 * h).squareRoot()) < 0.05, "chord \(inside)")
    }

    @Test func theTongueShieldsWhereTheNeighbourIsOpen() {
        // Pair 8 (0 … 0.5 cm) open, pair 7 (−0.5 … 0) closed: at y just inside pair 8 within the tongue band, the ray crosses
        // pair 7's tongue only (its leaves are closed), over the tongue's height.
        var l = MLCModelComparison.bank(pairs: 16, bankACM: 8, bankBCM: 8)
        l.bankACM[8] = -3
        l.bankBCM[8] = 3
        let inBand = Self.geometry.pathLengthCM(l, from: Self.focus, to: Vec3(0, 0.02, 0))
        #expect(abs(inBand - Self.design.tongueHeightCM) < 0.01, "path \(inBand)")
        // Outside the band, pair 8's open strip: no leaf; pair 7's body: the full height.
        #expect(Self.geometry.pathLengthCM(l, from: Self.focus, to: Vec3(0, 0.1, 0)) == 0)
        #expect(abs(Self.geometry.pathLengthCM(l, from: Self.focus, to: Vec3(0, -0.1, 0)) - Self.design.heightCM) < 1e-4)
    }

    /// The comparison's analyses on the fluence model, whose answers are known: DLG = 2 × leaf-end offset, the closed
    /// transmission is the machine's, the tongue-and-groove band misses w(1 − T)/(1 + T) of the summed level.
    @Test func theAnalysesGiveTheFluenceModelsOwnParametersBack() throws {
        let c = try MLCModelComparison(model: Self.model, design: Self.design, physics: Self.physics, pointsPerSource: 9,
                                       heightSteps: 20, scanStepCM: 0.01)
        let mlc = GenericMachines.sixMV.mlc
        let t = c.closedTransmission(.fluence)
        #expect(abs(t.mean - mlc.transmission) < 1e-12 && t.peak == t.midLeaf)
        // The sweep is sampled every 0.1 mm and the extra-focal source at 36 points: the DLG to ±0.05 mm.
        #expect(abs(c.dosimetricLeafGap(.fluence, sweepCM: 4) - 2 * mlc.leafEndOffsetCM) < 0.005)
        let tg = c.tongueAndGroove(.fluence)
        let expected = mlc.tongueAndGrooveWidthCM * (1 - mlc.transmission) / (1 + mlc.transmission)
        // The band's edges fall between scan points: ±1 step of 0.1 mm.
        #expect(abs(tg.missingWidthCM - expected) < 0.011, "missing \(tg.missingWidthCM) for \(expected)")
        // A blurred dip keeps its area: a Gaussian of σ 0.2 cm deepens it to about missing/(√(2π)σ) below the level.
        let blurred = c.tongueAndGroove(.fluence, blurSigmaCM: 0.2)
        #expect(abs((1 - blurred.minimumRelative) - tg.missingWidthCM / ((2 * Double.pi).squareRoot() * 0.2)) < 0.01)
        // The tip edge: the 50 % point lies the leaf-end offset beyond the plan position, give or take the extra-focal
        // source's displaced shadow (≈ 0.1 mm, docs/beam-model.md) and a scan step.
        let e = c.tipEdge(.fluence, atCM: 0)
        #expect(abs(e.offsetCM - mlc.leafEndOffsetCM) < 0.015, "offset \(e.offsetCM)")
    }

    /// The fluence parameters that follow from the geometry reproduce its dosimetric leaf gap, closed transmission and
    /// tongue-and-groove dip; after a blur standing in for the phantom (σ 0.15 cm), its edges within 0.3 mm
    /// (docs/beam-model.md: the 50 % points differ by 0.1–0.2 mm at full resolution).
    @Test func equivalentFluenceParametersReproduceTheGeometry() throws {
        let c = try MLCModelComparison(model: Self.model, design: Self.design, physics: Self.physics, pointsPerSource: 9,
                                       heightSteps: 40, scanStepCM: 0.02)
        let equivalent = c.equivalentFluenceParameters(sweepCM: 4)
        var machine = GenericMachines.sixMV
        machine.mlc = equivalent
        let e = try MLCModelComparison(model: try SourceModel(machine: machine, physics: Self.physics), design: Self.design,
                                       physics: Self.physics, pointsPerSource: 9, heightSteps: 40, scanStepCM: 0.02)
        #expect(abs(e.closedTransmission(.fluence).mean - c.closedTransmission(.geometry).mean) < 1e-12)
        // Sweep sampled every 0.2 mm: DLGs within 0.05 mm.
        #expect(abs(e.dosimetricLeafGap(.fluence, sweepCM: 4) - c.dosimetricLeafGap(.geometry, sweepCM: 4)) < 0.005)
        // In "dose" (σ 0.15 cm) the picket-fence dips agree within 1.5 % of the level (0.5 % at 0.05 mm steps; the 0.2 mm
        // steps here quantise the 0.8 mm band).
        let dipFluence = e.tongueAndGroove(.fluence, blurSigmaCM: 0.15), dipGeometry = c.tongueAndGroove(.geometry, blurSigmaCM: 0.15)
        #expect(abs(dipFluence.minimumRelative - dipGeometry.minimumRelative) < 0.015, "\(dipFluence) vs \(dipGeometry)")
        let edgeFluence = e.tipEdge(.fluence, atCM: 0, blurSigmaCM: 0.15), edgeGeometry = c.tipEdge(.geometry, atCM: 0, blurSigmaCM: 0.15)
        #expect(abs(edgeFluence.offsetCM - edgeGeometry.offsetCM) < 0.03, "\(edgeFluence) vs \(edgeGeometry)")
        #expect(abs(edgeFluence.penumbraCM - edgeGeometry.penumbraCM) < 0.08, "\(edgeFluence) vs \(edgeGeometry)")
    }

    @Test func aCollimatorWithLeafGeometryTracesTheLeavesAndKeepsTheJawPlanes() {
        var collimator = Self.model.collimator
        collimator.leafGeometry = Self.geometry
        let leaves = MLCModelComparison.bank(pairs: 16, bankACM: 8, bankBCM: 8)
        let a = Aperture(x1CM: -5, x2CM: 5, y1CM: -5, y2CM: 5, leaves: leaves)
        let leaf = Self.geometry.transmission(leaves, from: Self.focus, to: Vec3(0, 0.25, 0))
        #expect(collimator.transmission(a, from: Self.focus, to: Vec3(0, 0.25, 0), sourceAxisDistanceCM: 100) == leaf)
        // Beyond the X jaw the jaw's transmission multiplies the leaves'.
        let outside = Self.geometry.transmission(leaves, from: Self.focus, to: Vec3(6, 0.25, 0))
        #expect(collimator.transmission(a, from: Self.focus, to: Vec3(6, 0.25, 0), sourceAxisDistanceCM: 100)
                == GenericMachines.sixMV.jaws.transmission * outside)
    }

    @Test func leafScatterIsCountedBesideTheUnscatteredPart() throws {
        let s = try LeafScatterEstimate(spectrum: Self.model.ringSpectra[0], physics: Self.physics, heightCM: Self.design.heightCM,
                                        densityGPerCM3: Self.design.densityGPerCM3, photons: 40_000, seed: 3)
        // Unscattered photons: the narrow-beam transmission of the same spectrum and cross sections (less coherent
        // scattering, left out of the slab) within 4 binomial σ (≈ 150 of 40 000 photons).
        let narrow = Self.geometry.transmission(pathLengthCM: Self.design.heightCM)
        let sigma = (narrow / 40_000).squareRoot()
        #expect(s.unscatteredPerPhoton >= narrow - 4 * sigma && s.unscatteredPerPhoton < narrow * 1.3 + 4 * sigma)
        // Scatter is not small beside it (docs/beam-model.md: ≈ 2.5 times by number, 1.35 times by energy).
        #expect(s.scatteredPerPhoton > s.unscatteredPerPhoton)
        #expect(s.scatteredEnergyFraction > 0.5 * s.unscatteredEnergyFraction && s.scatteredEnergyFraction < 3 * s.unscatteredEnergyFraction)
    }

    @Test func badDesignsAreRefused() {
        var d = Self.design
        d.tipRadiusCM = 2
        #expect(throws: BeamError.self) { try d.validate() }
        d = Self.design
        d.tongueHeightCM = 10
        #expect(throws: BeamError.self) { try d.validate() }
    }
}
