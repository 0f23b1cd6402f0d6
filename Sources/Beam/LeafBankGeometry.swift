import Foundation
import Geometry
import Physics
import Transport

/// An MLC as explicit leaves: tungsten-alloy leaves of finite height with rounded tips, tongue-and-groove
/// steps on their sides and air gaps between neighbours, through which a ray from a source point to the
/// isocentre plane is traced and attenuated with Penumbra's own photon cross sections for the beam's
/// spectrum. It is the measuring instrument for the fluence model (`Collimator`): `MLCModelComparison`
/// puts both through the same rays (docs/beam-model.md, "MLC: fluence modulation or geometry").
///
/// Geometry, in IEC 61217 beam coordinates (cm, the target at z = SAD, leaves centred `distanceCM` below it):
/// * the leaf sides are focused on the nominal target, so across the direction of travel a leaf occupies a
///   fixed strip of the isocentre plane (the plan's pair boundaries);
/// * the tips are not focused: each tip is a circular arc of `tipRadiusCM` centred at the leaves' mid-height,
///   and a plan position is calibrated either to the **light field** (the ray from the nominal focus that just
///   touches the arc meets the isocentre plane at the plan position; Boyer & Li, Med. Phys. 24, 757 (1997),
///   describe this tangent position and its constant offset from the half-value-transmission edge) or to the
///   **projected tip** (the arc's apex projected from the focus);
/// * tongue-and-groove: at each inner pair boundary the lower pair's leaf carries a tongue of `tongueWidthCM`
///   (projected to the isocentre plane) centred on the boundary over `tongueHeightCM` around mid-height, and
///   the upper pair's leaf the groove walls above and below it; an air gap of `interleafGapCM` (projected)
///   separates the two along that stepped interface;
/// * outside the outer boundaries there are no leaves (the jaws shield there).
public struct LeafBankGeometry: Sendable {
    /// How a plan's leaf position maps to a tip.
    public enum TipCalibration: String, Codable, Sendable {
        /// The tangent ray from the nominal focus to the rounded tip meets the isocentre plane at the plan
        /// position (the light field edge): the usual calibration of rounded-tip MLCs.
        case lightField
        /// The tip's apex at mid-height, projected from the focus, lies at the plan position (a linear
        /// calibration that ignores the tip's curvature).
        case projectedTip
    }

    /// The leaves' dimensions and material.
    public struct Design: Codable, Sendable, Equatable {
        /// Leaf height along the beam, cm.
        public var heightCM: Double
        /// Radius of the rounded tip, cm (at least half the height).
        public var tipRadiusCM: Double
        /// Mass density of the leaf alloy, g/cm³ (attenuation per gram is that of tungsten).
        public var densityGPerCM3: Double
        /// Width of the tongue across the leaf side, projected to the isocentre plane, cm.
        public var tongueWidthCM: Double
        /// Height of the tongue, centred on the leaves' mid-height, cm.
        public var tongueHeightCM: Double
        /// Air gap between neighbouring leaves, projected to the isocentre plane, cm.
        public var interleafGapCM: Double
        /// How plan positions map to tips.
        public var calibration: TipCalibration

        /// Creates a design.
        public init(heightCM: Double, tipRadiusCM: Double, densityGPerCM3: Double, tongueWidthCM: Double, tongueHeightCM: Double,
                    interleafGapCM: Double, calibration: TipCalibration) {
            self.heightCM = heightCM
            self.tipRadiusCM = tipRadiusCM
            self.densityGPerCM3 = densityGPerCM3
            self.tongueWidthCM = tongueWidthCM
            self.tongueHeightCM = tongueHeightCM
            self.interleafGapCM = interleafGapCM
            self.calibration = calibration
        }

        /// A generic 120-leaf design with assumed typical dimensions, not a vendor's drawing: 6.7 cm of tungsten
        /// heavy alloy at 18.0 g/cm³ (ASTM B777 class 3 nominal density), an 8 cm tip radius, a 0.8 mm tongue
        /// half the leaf high and a 0.1 mm interleaf gap on the isocentre plane, light-field calibrated.
        public static let generic = Design(heightCM: 6.7, tipRadiusCM: 8, densityGPerCM3: 18.0, tongueWidthCM: 0.08,
                                           tongueHeightCM: 3.35, interleafGapCM: 0.01, calibration: .lightField)

        /// Checks the dimensions.
        /// - Throws: `BeamError.badMachine` naming the bad value.
        public func validate() throws {
            guard heightCM > 0, densityGPerCM3 > 0, tipRadiusCM >= heightCM / 2 else {
                throw BeamError.badMachine("leaf design: needs a positive height and density and a tip radius of at least half the height")
            }
            guard tongueWidthCM >= 0, interleafGapCM >= 0, tongueWidthCM / 2 + interleafGapCM < 0.2,
                  tongueHeightCM >= 0, tongueHeightCM <= heightCM else {
                throw BeamError.badMachine(
                    "leaf design: tongue width and interleaf gap must be ≥ 0 and together under 0.4 cm, the tongue no higher than the leaf")
            }
        }
    }

    /// The leaves' design.
    public let design: Design
    /// Distance of the leaves' mid-height below the target, cm.
    public let distanceCM: Double
    /// Source-axis distance, cm.
    public let sourceAxisDistanceCM: Double
    /// Height steps of the ray trace through the leaf layer.
    public let heightSteps: Int
    /// Transmission exp(−μL) averaged over the spectrum's photons, at path lengths 0, Δ, 2Δ, … cm.
    let transmissionTable: [Double]
    let pathStepCM: Double

    /// A leaf bank at `distanceCM` below the target whose transmission is averaged over `spectrum`
    /// (photon-number weights, as `PlanSource` keeps photons by number), with tungsten's cross sections.
    /// - Throws: `BeamError.badMachine` for a bad design or when the physics data has no tungsten (`W`).
    public init(design: Design, distanceCM: Double, sourceAxisDistanceCM: Double, spectrum: PhotonSpectrum,
                physics: PhysicsData, heightSteps: Int = 400) throws {
        try design.validate()
        let tungsten: PhotonCrossSections
        do { tungsten = physics.photonCrossSections(for: try physics.material(named: "W")) } catch {
            throw BeamError.badMachine("leaf geometry: \(error)")
        }
        // μ of each spectrum bin at its mid energy (the table starts at 1 keV).
        var mu: [Double] = [], weight: [Double] = []
        for (b, p) in spectrum.probabilities.enumerated() where p > 0 {
            let e = max(0.5 * (spectrum.edgesMeV[b] + spectrum.edgesMeV[b + 1]), 0.001)
            mu.append(tungsten.coefficients(lnEnergy: log(e)).total * design.densityGPerCM3)
            weight.append(p)
        }
        let step = 0.005, longest = 3 * max(design.heightCM, design.tipRadiusCM)
        transmissionTable = (0...Int(longest / step)).map { k in
            zip(mu, weight).reduce(0.0) { $0 + $1.1 * exp(-$1.0 * Double(k) * step) }
        }
        pathStepCM = step
        self.design = design
        self.distanceCM = distanceCM
        self.sourceAxisDistanceCM = sourceAxisDistanceCM
        self.heightSteps = max(heightSteps, 10)
    }

    /// The spectrum-averaged transmission of `lengthCM` of leaf alloy.
    public func transmission(pathLengthCM lengthCM: Double) -> Double {
        let x = lengthCM / pathStepCM
        let k = Int(x)
        guard k + 1 < transmissionTable.count else { return transmissionTable[transmissionTable.count - 1] }
        let t = x - Double(k)
        return transmissionTable[k] + t * (transmissionTable[k + 1] - transmissionTable[k])
    }

    /// The fraction of photons on the ray from `s` to `p` (beam coordinates, cm; `p` on the isocentre plane)
    /// that cross the leaves unattenuated by them.
    public func transmission(_ leaves: LeafPositions, from s: Vec3, to p: Vec3) -> Double {
        transmission(pathLengthCM: pathLengthCM(leaves, from: s, to: p))
    }

    /// The length of leaf alloy the ray from `s` to `p` crosses, cm (midpoint rule over `heightSteps` layers).
    public func pathLengthCM(_ leaves: LeafPositions, from s: Vec3, to p: Vec3) -> Double {
        let sad = sourceAxisDistanceCM, h = design.heightCM, r = design.tipRadiusCM
        let n = heightSteps
        let dt = h / Double(n)
        // Path length per unit height along the ray.
        let stretch = (p - s).length / s.z
        var inside = 0
        for k in 0..<n {
            let dz = -0.5 * h + (Double(k) + 0.5) * dt  // offset from mid-height, towards the isocentre positive
            let t = distanceCM + dz  // distance below the target
            let c = s + (p - s) * ((s.z - (sad - t)) / s.z)
            let along = leaves.travelAlongX ? c.x : c.y
            let across = (leaves.travelAlongX ? c.y : c.x) * sad / t
            guard let pair = owner(leaves, across: across, dz: dz) else { continue }
            // The tip arcs: bank A's leaf covers along ≤ its centre + √(R² − dz²), bank B's along ≥ centre − √(R² − dz²).
            let bulge = (r * r - dz * dz).squareRoot()
            if along <= tipCentre(leaves.bankACM[pair], bankA: true) + bulge
                || along >= tipCentre(leaves.bankBCM[pair], bankA: false) - bulge {
                inside += 1
            }
        }
        return Double(inside) * dt * stretch
    }

    /// The centre of a tip's arc (physical, at mid-height, along the travel direction) for a plan position
    /// `positionCM` on the isocentre plane.
    func tipCentre(_ positionCM: Double, bankA: Bool) -> Double {
        let sad = sourceAxisDistanceCM, r = design.tipRadiusCM
        let projected = positionCM * distanceCM / sad
        let reach: Double
        switch design.calibration {
        case .lightField:
            // The line from the focus through the plan position is at distance R from the centre.
            let slope = positionCM / sad
            reach = r * (1 + slope * slope).squareRoot()
        case .projectedTip:
            reach = r
        }
        return bankA ? projected - reach : projected + reach
    }

    /// The pair whose leaf holds material at `across` (projected to the isocentre plane, cm) and height offset
    /// `dz` from mid-height, or nil in an interleaf gap or outside the bank.
    func owner(_ l: LeafPositions, across: Double, dz: Double) -> Int? {
        guard let i = l.pair(containing: across) else { return nil }
        let a = 0.5 * design.tongueWidthCM, g = 0.5 * design.interleafGapCM
        let inTongue = abs(dz) <= 0.5 * design.tongueHeightCM
        // The stepped interface at inner boundary k (between pairs k − 1 and k): the tongue of pair k − 1 reaches
        // to b + a at tongue heights; elsewhere pair k's groove walls reach down to b − a.
        func side(_ k: Int) -> Int? {
            let interface = l.boundariesCM[k] + (inTongue ? a : -a)
            if across < interface - g { return k - 1 }
            if across > interface + g { return k }
            return nil
        }
        if i > 0, across - l.boundariesCM[i] <= a + g { return side(i) }
        if i + 1 < l.bankACM.count, l.boundariesCM[i + 1] - across <= a + g { return side(i + 1) }
        return i
    }
}
