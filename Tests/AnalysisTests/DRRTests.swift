import Analysis
import Geometry
import Testing

/// DRR geometry: a dense bead in air lands where `BeamGeometry.projectionOnIsocentrePlane` puts it, for
/// several gantry angles, couch angles and patient positions; line integrals through water are exact.
@Suite struct DRRTests {
    /// A 20 cm air cube of 0.5 cm voxels with one bone-like voxel (HU 3000) at `bead`.
    static func beadPhantom(bead: (i: Int, j: Int, k: Int)) -> (grid: VoxelGrid, hu: [Float]) {
        let grid = VoxelGrid(counts: (40, 40, 40), originCM: Vec3(-10, -10, -10), spacingCM: Vec3(0.5, 0.5, 0.5))
        var hu = [Float](repeating: -1000, count: grid.voxelCount)
        hu[grid.index(bead.i, bead.j, bead.k)] = 3000
        return (grid, hu)
    }

    static let cases: [(gantry: Double, couch: Double, position: PatientPosition)] = [
        (0, 0, .headFirstSupine), (90, 0, .headFirstSupine), (0, 0, .feetFirstSupine), (90, 0, .feetFirstSupine),
        (270, 30, .headFirstProne), (45, 330, .feetFirstProne),
    ]

    @Test(arguments: cases)
    func beadAppearsWhereTheBeamGeometryProjectsIt(gantry: Double, couch: Double, position: PatientPosition) throws {
        let bead = (i: 24, j: 16, k: 27)  // centre (2.25, −1.75, 3.75) cm
        let (grid, hu) = Self.beadPhantom(bead: bead)
        let centre = grid.centerCM(bead.i, bead.j, bead.k)
        let beam = BeamGeometry(
            gantryDeg: gantry, collimatorDeg: 15, couchDeg: couch, isocentreCM: Vec3(0.5, 0.25, -0.5),
            patientPosition: position)
        let detector = try DigitallyReconstructedRadiograph.Detector(
            xMinCM: -7, xMaxCM: 7, yMinCM: -7, yMaxCM: 7, pixelCM: 0.1)
        let drr = try DigitallyReconstructedRadiograph(grid: grid, hu: hu, beam: beam, detector: detector)
        let expected = try #require(beam.projectionOnIsocentrePlane(ofPatientPoint: centre))
        // The centroid of the bead's shadow (air adds nothing).
        var sum = 0.0, sx = 0.0, sy = 0.0
        for row in 0..<detector.rows {
            for column in 0..<detector.columns {
                let w = Double(drr.lineIntegral(column: column, row: row))
                let p = detector.pixelCentreCM(column: column, row: row)
                sum += w
                sx += w * p.x
                sy += w * p.y
            }
        }
        try #require(sum > 0, "the bead cast no shadow")
        // Tolerance 0.05 cm: a tenth of the bead's width; perspective shifts the centroid of a 0.5 cm
        // cube's shadow from its centre's projection by well under 0.01 cm at SAD 100 cm.
        #expect(abs(sx / sum - expected.x) < 0.05 && abs(sy / sum - expected.y) < 0.05,
                "centroid (\(sx / sum), \(sy / sum)) vs projection \(expected)")
        // The brightest pixel is the one the projection falls in, to within the shadow's half-width.
        let peak = drr.lineIntegrals.indices.max { drr.lineIntegrals[$0] < drr.lineIntegrals[$1] }!
        let p = detector.pixelCentreCM(column: peak % detector.columns, row: peak / detector.columns)
        #expect(abs(p.x - expected.x) <= 0.3 && abs(p.y - expected.y) <= 0.3)
    }

    @Test func headFirstAndFeetFirstMirrorTheLateralAxis() throws {
        let centre = Vec3(2.25, -1.75, 3.75)
        let hfs = BeamGeometry(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero)
        let ffs = BeamGeometry(
            gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero, patientPosition: .feetFirstSupine)
        let a = try #require(hfs.projectionOnIsocentrePlane(ofPatientPoint: centre))
        let b = try #require(ffs.projectionOnIsocentrePlane(ofPatientPoint: centre))
        // From above a supine patient, +x (patient left) is +Xb head first and −Xb feet first.
        #expect(a.x > 2 && b.x < -2 && abs(a.x + b.x) < 1e-12 && abs(a.y + b.y) < 1e-12)
    }

    @Test func lineIntegralThroughWaterIsMuTimesThickness() throws {
        // A 10 cm thick water slab (y from −5 to 5 cm) in air; gantry 0 looks along +y (HFS, AP).
        let grid = VoxelGrid(counts: (20, 20, 20), originCM: Vec3(-5, -5, -5), spacingCM: Vec3(0.5, 0.5, 0.5))
        let hu = [Float](repeating: 0, count: grid.voxelCount)
        let beam = BeamGeometry(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero)
        let detector = try DigitallyReconstructedRadiograph.Detector(
            xMinCM: -1, xMaxCM: 1, yMinCM: -1, yMaxCM: 1, pixelCM: 0.5)
        let drr = try DigitallyReconstructedRadiograph(grid: grid, hu: hu, beam: beam, detector: detector)
        // The corner pixels' rays are 1.06 cm / 100 cm off the axis: path 10/cos θ, 6e-5 relative.
        let expected = DigitallyReconstructedRadiograph.waterAttenuationPerCM60keV * 10
        for value in drr.lineIntegrals { #expect(abs(Double(value) - expected) < 1e-4 * expected, "\(value)") }
        // The grey levels of a uniform image are all black (no contrast to show), never a crash.
        #expect(drr.greyLevels().allSatisfy { $0 == 0 })
    }

    @Test func badInputsAreRefused() throws {
        #expect(throws: AnalysisError.self) {
            try DigitallyReconstructedRadiograph.Detector(xMinCM: 0, xMaxCM: 1, yMinCM: 0, yMaxCM: 1, pixelCM: 0)
        }
        #expect(throws: AnalysisError.self) {
            try DigitallyReconstructedRadiograph.Detector(xMinCM: 1, xMaxCM: 1, yMinCM: 0, yMaxCM: 1, pixelCM: 0.1)
        }
        let (grid, _) = Self.beadPhantom(bead: (0, 0, 0))
        let detector = try DigitallyReconstructedRadiograph.Detector(
            xMinCM: -1, xMaxCM: 1, yMinCM: -1, yMaxCM: 1, pixelCM: 0.5)
        #expect(throws: AnalysisError.self) {
            try DigitallyReconstructedRadiograph(
                grid: grid, hu: [0, 0], beam: BeamGeometry(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero),
                detector: detector)
        }
    }
}

/// The field outline: exact edges of jaws intersected with MLC leaf pairs, and unions over control points.
@Suite struct BeamApertureTests {
    static func length(_ a: BeamAperture) -> Double {
        a.outlineSegmentsCM.reduce(0) { $0 + abs($1.to.x - $1.from.x) + abs($1.to.y - $1.from.y) }
    }

    @Test func jawsAloneMakeTheirRectangle() throws {
        let a = try BeamAperture(jawXCM: (-3, 5), jawYCM: (-2, 4), leaves: nil)
        #expect(a.boundingBox == .init(xMinCM: -3, xMaxCM: 5, yMinCM: -2, yMaxCM: 4))
        #expect(Self.length(a) == 28)
        for s in a.outlineSegmentsCM {
            let onX = (s.from.x == s.to.x) && [-3.0, 5].contains(s.from.x)
            let onY = (s.from.y == s.to.y) && [-2.0, 4].contains(s.from.y)
            #expect(onX || onY, "segment \(s) is not on a jaw edge")
        }
        #expect(a.contains(x: 4.9, y: 3.9) && !a.contains(x: 5.1, y: 0) && !a.contains(x: 0, y: -2.1))
    }

    @Test func leavesAreClippedByTheJaws() throws {
        let leaves = try BeamAperture.LeafSetting(
            travel: .x, boundariesCM: [-2, -1, 0, 1, 2], bankACM: [-1, -2, -2, -1], bankBCM: [1, 2, 3, 1])
        let a = try BeamAperture(jawXCM: (-5, 5), jawYCM: (-1.5, 2), leaves: leaves)
        // Hand count: vertical edges 2·0.5 + 2·1 + 2·1 + 2·1 = 7; horizontal edges 2 (bottom, y = −1.5),
        // 2 (y = −1), 1 (y = 0), 3 (y = 1), 2 (top) = 10.
        #expect(abs(Self.length(a) - 17) < 1e-12)
        #expect(a.boundingBox == .init(xMinCM: -2, xMaxCM: 3, yMinCM: -1.5, yMaxCM: 2))
        #expect(a.contains(x: 2.5, y: 0.5) && !a.contains(x: 2.5, y: -0.5) && !a.contains(x: 0, y: -1.7))
        // MLCY: the same leaves moving along Yb give the transposed outline.
        let transposed = try BeamAperture(
            jawXCM: (-1.5, 2), jawYCM: (-5, 5),
            leaves: try .init(travel: .y, boundariesCM: leaves.boundariesCM, bankACM: leaves.bankACM, bankBCM: leaves.bankBCM))
        #expect(abs(Self.length(transposed) - 17) < 1e-12 && transposed.contains(x: 0.5, y: 2.5))
    }

    @Test func unionOverControlPointsTracesTheCombinedOutline() throws {
        let a = try BeamAperture(jawXCM: (0, 2), jawYCM: (0, 2), leaves: nil)
        let b = try BeamAperture(jawXCM: (1, 3), jawYCM: (1, 3), leaves: nil)
        // Two 2 cm squares overlapping in a 1 cm square: perimeter 8 + 8 − 4 = 12 cm.
        #expect(abs(Self.length(a.union(b)) - 12) < 1e-12)
    }

    /// A dual-layer MLC (Halcyon/Ethos: the proximal layer's boundaries half a leaf across from the distal one's) is
    /// open only where both layers are: the intersection of their openings, whichever layer comes first.
    @Test func aStackedMLCIsOpenOnlyWhereEveryLayerIsOpen() throws {
        let distal = try BeamAperture.LeafSetting(
            travel: .x, boundariesCM: [-2, -1, 0, 1, 2], bankACM: [-2, -2, -2, -2], bankBCM: [2, 2, 2, 2])
        let proximal = try BeamAperture.LeafSetting(
            travel: .x, boundariesCM: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], bankACM: [0, -1, -3, -1, 0],
            bankBCM: [0, 1, 1, 3, 0])
        let a = try BeamAperture(jawXCM: nil, jawYCM: nil, layers: [distal, proximal])
        // Open in the distal layer, closed by the proximal one (beyond its tip at x = 1; its closed pair above y = 1.5).
        #expect(!a.contains(x: 1.5, y: 0) && !a.contains(x: 0, y: 1.75))
        // Open in the proximal layer (out to x = −3), closed by the distal one (its tips at x = −2).
        #expect(!a.contains(x: -2.5, y: 0))
        #expect(a.contains(x: -1.5, y: 0) && a.contains(x: 1.5, y: 1) && a.contains(x: 0, y: -1))
        #expect(a.boundingBox == .init(xMinCM: -2, xMaxCM: 2, yMinCM: -1.5, yMaxCM: 1.5))
        // Hand count: x −1…1 for y −1.5…−0.5, −2…1 for −0.5…0.5, −1…2 for 0.5…1.5: vertical edges 3 · 2 · 1 = 6,
        // horizontal 2 (y = −1.5) + 1 (−0.5) + 2 (0.5) + 3 (1.5) = 8.
        #expect(abs(Self.length(a) - 14) < 1e-12)
        let reversed = try BeamAperture(jawXCM: nil, jawYCM: nil, layers: [proximal, distal])
        #expect(abs(Self.length(reversed) - 14) < 1e-12)
        #expect(!reversed.contains(x: 1.5, y: 0) && reversed.contains(x: -1.5, y: 0))
    }

    @Test func badSettingsAreRefused() {
        #expect(throws: AnalysisError.self) { try BeamAperture(jawXCM: nil, jawYCM: (-1, 1), leaves: nil) }
        #expect(throws: AnalysisError.self) {
            try BeamAperture.LeafSetting(travel: .x, boundariesCM: [0, 1], bankACM: [0, 0], bankBCM: [1, 1])
        }
    }
}
