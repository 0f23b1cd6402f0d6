import Foundation
import Geometry
import Physics

/// Measures the MLC fluence model (`Collimator`) against explicit leaves (`LeafBankGeometry`) on the quantities
/// a clinic commissions and a plan's dose depends on, all as in-air photon fluence on the isocentre plane
/// relative to the open beam, from the machine's focal and extra-focal sources:
/// * the transmission under closed leaves (mean over leaves and gaps, mid-leaf, interleaf peak);
/// * a leaf tip's radiation edge (50 % point relative to the plan position) and 80–20 % penumbra at several
///   positions of the tip;
/// * the dosimetric leaf gap of a sweeping-gap measurement (LoSasso, Chui & Ling, Med. Phys. 25, 1919 (1998):
///   the reading of a gap g swept at constant speed over 2X, corrected for transmission, is linear in g and
///   meets zero at −DLG);
/// * the tongue-and-groove underdose of two complementary picket-fence exposures (alternate pairs open): the
///   dip at a leaf boundary, its depth and its missing area.
///
/// Each measure varies along one direction (the tip's travel, or across the pairs), so the sources are
/// integrated along that direction only (Gauss-weighted points over ±4 σ, each source projected as in
/// `PlanSource`); the other direction does not change the transmission away from the other edges. Why fluence
/// decides the dose question: dose is the fluence convolved with the phantom's (non-negative) kernel, so two
/// fluences that differ by δ somewhere give doses that differ by at most δ, and a difference confined to less
/// than the kernel's width (≈ 1–3 mm for 6 MV at shallow depth) shows in dose only by its area.
public struct MLCModelComparison: Sendable {
    /// Which collimation model a fluence comes from.
    public enum Model: String, Codable, Sendable, CaseIterable {
        case fluence, geometry
    }

    /// A leaf tip's edge in one model.
    public struct Edge: Codable, Sendable {
        /// Plan position of the tip on the isocentre plane, cm.
        public let positionCM: Double
        /// How far the 50 % point lies beyond the plan position into the leaf (positive: the field is larger), cm.
        public let offsetCM: Double
        /// 80 %–20 % distance, cm.
        public let penumbraCM: Double
    }

    /// Transmission under closed leaves in one model.
    public struct Transmission: Codable, Sendable {
        /// Mean over whole leaves and their gaps.
        public let mean: Double
        /// At a leaf's centre.
        public let midLeaf: Double
        /// The largest value (at an interleaf gap).
        public let peak: Double
    }

    /// The tongue-and-groove dip of two complementary exposures at one leaf boundary.
    public struct TongueAndGroove: Codable, Sendable {
        /// Lowest summed fluence over the summed fluence at the pairs' centres.
        public let minimumRelative: Double
        /// ∫ (centre level − sum) across the boundary over the centre level, cm: the width of a fully shielded band
        /// with the same missing fluence.
        public let missingWidthCM: Double
    }

    public let machine: MachineModel
    public let geometry: LeafBankGeometry
    let collimator: Collimator
    /// Source points in one direction: offset at the source (cm), height of the source (beam z, cm), weight.
    let sourcePoints: [(offsetCM: Double, z: Double, weight: Double)]
    /// Spacing of the scans, cm on the isocentre plane.
    public let scanStepCM: Double

    /// A comparison for `model`'s machine and the leaf `design`; the leaves' attenuation is averaged over the
    /// focal source's central spectrum.
    /// - Throws: `BeamError.badMachine` for a bad design.
    public init(model: SourceModel, design: LeafBankGeometry.Design, physics: PhysicsData, pointsPerSource: Int = 33,
                heightSteps: Int = 400, scanStepCM: Double = 0.005) throws {
        let m = model.machine
        machine = m
        collimator = model.collimator
        geometry = try LeafBankGeometry(design: design, distanceCM: m.mlc.distanceCM, sourceAxisDistanceCM: m.sourceAxisDistanceCM,
                                        spectrum: model.ringSpectra[0], physics: physics, heightSteps: heightSteps)
        // Photon components only (contaminant electrons are not collimated by the leaves in this question).
        let wx = m.extraFocalSource.weight, wf = 1 - wx - m.electronContamination.weight
        let n = max(pointsPerSource, 1)
        func gaussian(_ sigma: Double, z: Double, share: Double, points n: Int) -> [(offsetCM: Double, z: Double, weight: Double)] {
            guard sigma > 0, n > 1 else { return [(0, z, share)] }
            let u = (0..<n).map { -4 + 8 * Double($0) / Double(n - 1) }
            let g = u.map { exp(-0.5 * $0 * $0) }
            let total = g.reduce(0, +)
            return zip(u, g).map { (sigma * $0, z, share * $1 / total) }
        }
        let sad = m.sourceAxisDistanceCM
        // The extra-focal source is ≈ 15 times wider than the focal spot: four times the points keep its steps on the
        // isocentre plane (≈ 0.06 cm) from moving the edges.
        sourcePoints = gaussian(m.primarySource.sigmaCM, z: sad, share: wf / (wf + wx), points: n)
            + gaussian(m.extraFocalSource.sigmaCM, z: sad - m.extraFocalSource.distanceFromTargetCM, share: wx / (wf + wx),
                       points: 4 * n)
        self.scanStepCM = scanStepCM
    }

    /// A bank of `pairs` pairs of `pairWidthCM` centred on the axis, leaves travelling along X, every pair at the
    /// same bank A and bank B positions. The default 40 pairs (20 cm) keep the extra-focal source's rays to the scanned
    /// points (|y| ≤ 1 cm) on the leaves: a narrower bank lets some pass beside it.
    public static func bank(pairs: Int = 40, pairWidthCM: Double = 0.5, bankACM: Double, bankBCM: Double) -> LeafPositions {
        let half = Double(pairs) * pairWidthCM / 2
        return LeafPositions(travelAlongX: true, boundariesCM: (0...pairs).map { -half + Double($0) * pairWidthCM },
                             bankACM: Array(repeating: bankACM, count: pairs), bankBCM: Array(repeating: bankBCM, count: pairs))
    }

    /// The in-air fluence at (x, y) on the isocentre plane relative to the open beam, the sources spread along
    /// X (`spreadAlongX`) or Y.
    public func fluence(_ model: Model, _ leaves: LeafPositions, x: Double, y: Double, spreadAlongX: Bool) -> Double {
        let p = Vec3(x, y, 0)
        let open = Aperture(x1CM: -40, x2CM: 40, y1CM: -40, y2CM: 40, leaves: leaves)
        var f = 0.0
        for q in sourcePoints {
            let s = spreadAlongX ? Vec3(q.offsetCM, 0, q.z) : Vec3(0, q.offsetCM, q.z)
            let t = switch model {
            case .fluence: collimator.transmission(open, from: s, to: p, sourceAxisDistanceCM: machine.sourceAxisDistanceCM)
            case .geometry: geometry.transmission(leaves, from: s, to: p)
            }
            f += q.weight * t
        }
        return f
    }

    /// Transmission under closed leaves: all pairs closed with their tips abutting 8 cm away, scanned across
    /// four pairs at x = 0.
    public func closedTransmission(_ model: Model) -> Transmission {
        let closed = Self.bank(bankACM: 8, bankBCM: 8)
        let ys = stride(from: -1.0, to: 1.0, by: scanStepCM).map { $0 }
        let f = ys.map { fluence(model, closed, x: 0, y: $0, spreadAlongX: false) }
        return Transmission(mean: f.reduce(0, +) / Double(f.count),
                            midLeaf: fluence(model, closed, x: 0, y: 0.25, spreadAlongX: false), peak: f.max() ?? 0)
    }

    /// The edge of bank A's tips at plan position `positionCM` (bank B 10 cm further), scanned along X through the
    /// centre of a pair; with `blurSigmaCM` > 0 the profile is first convolved with a Gaussian of that σ (a stand-in for
    /// the phantom's dose spread, to see what of a fluence difference survives in dose).
    public func tipEdge(_ model: Model, atCM positionCM: Double, blurSigmaCM: Double = 0) -> Edge {
        let leaves = Self.bank(bankACM: positionCM, bankBCM: positionCM + 10)
        let xs = stride(from: positionCM - 2, through: positionCM + 2, by: scanStepCM).map { $0 }
        let f = Self.blurred(xs.map { fluence(model, leaves, x: $0, y: 0.25, spreadAlongX: true) }, stepCM: scanStepCM,
                             sigmaCM: blurSigmaCM, periodic: false)
        // The profile rises from the leaf's transmission to the open beam: first crossing of each level going up.
        func crossing(_ level: Double) -> Double {
            for k in 1..<f.count where f[k - 1] < level && f[k] >= level {
                return xs[k - 1] + (level - f[k - 1]) / (f[k] - f[k - 1]) * (xs[k] - xs[k - 1])
            }
            return .nan
        }
        return Edge(positionCM: positionCM, offsetCM: positionCM - crossing(0.5), penumbraCM: crossing(0.8) - crossing(0.2))
    }

    /// The sweeping-gap readings at the axis point (0, 0.25), relative to the open beam: each gap swept with its centre
    /// from −L/2 to L/2 (L its `sweepCM`) at constant speed.
    public func sweepingGapReadings(_ model: Model, _ gaps: [MeasuredScans.SweepingGap]) -> [Double] {
        gaps.map { g in
            let centres = stride(from: -g.sweepCM / 2, through: g.sweepCM / 2, by: scanStepCM).map { $0 }
            return centres.reduce(0.0) { acc, c in
                acc + fluence(model, Self.bank(bankACM: c - g.gapCM / 2, bankBCM: c + g.gapCM / 2), x: 0, y: 0.25, spreadAlongX: true)
            } / Double(centres.count)
        }
    }

    /// The dosimetric leaf gap of sweeping gaps of 2–20 mm swept over `sweepCM` (`MLCFit.leafGapCM`, with the
    /// closed-leaf transmission at the same point), cm.
    public func dosimetricLeafGap(_ model: Model, sweepCM: Double = 12) -> Double {
        let gaps = [0.2, 0.4, 0.6, 1.0, 1.4, 2.0].map { MeasuredScans.SweepingGap(gapCM: $0, sweepCM: sweepCM, ratio: 0) }
        let closed = fluence(model, Self.bank(bankACM: 8, bankBCM: 8), x: 0, y: 0.25, spreadAlongX: true)
        // Six different gaps: the analysis cannot fail.
        return (try? MLCFit.leafGapCM(gaps, readings: sweepingGapReadings(model, gaps), transmission: closed)) ?? .nan
    }

    /// Two complementary picket-fence exposures (even pairs open from −3 to 3 cm with odd pairs closed, then the
    /// reverse), summed and scanned across the boundary at y = 0 at x = 0; `blurSigmaCM` as for `tipEdge`; pairs of
    /// `pairWidthCM` (an even number of them covering at least 20 cm).
    public func tongueAndGroove(_ model: Model, blurSigmaCM: Double = 0, pairWidthCM: Double = 0.5) -> TongueAndGroove {
        let pairs = 2 * Int((10 / pairWidthCM).rounded(.up))
        func exposure(openParity: Int) -> LeafPositions {
            var l = Self.bank(pairs: pairs, pairWidthCM: pairWidthCM, bankACM: 8, bankBCM: 8)
            for i in l.bankACM.indices where i % 2 == openParity {
                l.bankACM[i] = -3
                l.bankBCM[i] = 3
            }
            return l
        }
        let first = exposure(openParity: 0), second = exposure(openParity: 1)
        // One period of the pattern (one boundary) around y = 0, far from the bank's ends: what the wide extra-focal
        // source carries out of the period, the neighbouring periods carry in.
        let ys = stride(from: -pairWidthCM / 2, to: pairWidthCM / 2 - 1e-9, by: scanStepCM).map { $0 }
        let s = Self.blurred(ys.map { y in
            fluence(model, first, x: 0, y: y, spreadAlongX: false) + fluence(model, second, x: 0, y: y, spreadAlongX: false)
        }, stepCM: scanStepCM, sigmaCM: blurSigmaCM, periodic: true)
        // Without tongue-and-groove the sum would be the open beam plus the mean closed-leaf transmission.
        let level = 1 + closedTransmission(model).mean
        let missing = s.reduce(0.0) { $0 + (level - $1) } * scanStepCM
        return TongueAndGroove(minimumRelative: (s.min() ?? level) / level, missingWidthCM: missing / level)
    }

    /// `f` on a grid of `stepCM` convolved with a normalised Gaussian of σ `sigmaCM` (unchanged for σ = 0): beyond the
    /// ends the profile continues with its end values, or, `periodic`, with itself.
    static func blurred(_ f: [Double], stepCM: Double, sigmaCM: Double, periodic: Bool) -> [Double] {
        guard sigmaCM > 0, f.count > 1 else { return f }
        let half = Int((4 * sigmaCM / stepCM).rounded(.up))
        let kernel = (-half...half).map { exp(-0.5 * pow(Double($0) * stepCM / sigmaCM, 2)) }
        let norm = kernel.reduce(0, +)
        let n = f.count
        return (0..<n).map { i in
            var acc = 0.0
            for (k, w) in zip(-half...half, kernel) {
                let j = i + k
                acc += w * (periodic ? f[((j % n) + n) % n] : f[min(max(j, 0), n - 1)])
            }
            return acc / norm
        }
    }

    /// The fluence model's MLC parameters that follow from the leaf geometry: the mean closed transmission, half the
    /// geometry's dosimetric leaf gap as the leaf-end offset, and the tongue-and-groove band whose missing area is the
    /// geometry's (in the fluence model the band passes T in each exposure, so its missing width is w·(1 − T)/(1 + T)).
    /// `sweepCM` is the sweeping-gap travel of the DLG's analysis.
    public func equivalentFluenceParameters(sweepCM: Double = 12) -> MachineModel.MultileafCollimator {
        let t = closedTransmission(.geometry).mean
        let dlg = dosimetricLeafGap(.geometry, sweepCM: sweepCM)
        let tg = tongueAndGroove(.geometry).missingWidthCM
        var mlc = machine.mlc
        mlc.transmission = t
        mlc.leafEndOffsetCM = dlg / 2
        mlc.leafEndOffsetTable = nil
        mlc.tongueAndGrooveWidthCM = tg * (1 + t) / (1 - t)
        return mlc
    }
}
