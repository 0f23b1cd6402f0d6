import Geometry

/// The jaws and MLC of a machine as a fluence modulation: the fraction of a ray's photons that pass,
/// given where the ray crosses each device's plane (projected to the isocentre plane).
///
/// Why a fluence modulation and not geometry, measured against explicit leaves (docs/beam-model.md, "MLC:
/// fluence modulation or geometry"): once the transmission, leaf-end offset and tongue-and-groove width follow
/// from measurement or from the leaf design, the two agree in water within 0.2 mm in a tip's 50 % point (its
/// 80–20 % penumbra 0.75 mm sharper here) and 0.2 % in a picket fence's mean dose (1.5 % at its dips), for
/// light-field-calibrated leaf positions; tracing leaves costs a ray march per proposal.
/// A finite source seen through the planes of the devices gives the geometric penumbra; rounded leaf
/// ends enter as the leaf-end offset (half the dosimetric leaf gap), tongue-and-groove as a band around
/// each leaf boundary that needs both neighbouring pairs open. `LeafBankGeometry` traces the same rays
/// through explicit leaves and `MLCModelComparison` measures the two against each other.
///
/// A stacked MLC (Halcyon/Ethos: two layers half a leaf apart) is one such modulation per layer, each where the
/// ray crosses that layer's own plane with its own transmission, leaf-end offset and tongue-and-groove; the ray's
/// transmission is their product, so a field's edge is the edge of whichever layer reaches further in, and under
/// leaves of both layers the ray passes the product of their transmissions (docs/beam-model.md, "Dual-layer MLC").
public struct Collimator: Sendable {
    public let jaws: MachineModel.Jaws
    public let mlc: MachineModel.MultileafCollimator
    /// A stacked MLC's further layers (`MachineModel.stackedMLCLayers`), matched in order to an aperture's
    /// `stackedLeaves`; empty for a single-layer MLC.
    public let stackedMLCLayers: [MachineModel.MultileafCollimator]
    /// Explicit leaves to trace instead of the MLC's fluence modulation: a measuring option (`penumbra machine mlc
    /// --monte-carlo-histories`), nil in every plan run. It replaces the first layer only; the jaws stay planes and
    /// stacked layers fluence modulations either way.
    public var leafGeometry: LeafBankGeometry?

    /// A collimator from the machine's jaw and MLC parameters.
    public init(jaws: MachineModel.Jaws, mlc: MachineModel.MultileafCollimator,
                stackedMLCLayers: [MachineModel.MultileafCollimator] = []) {
        self.jaws = jaws
        self.mlc = mlc
        self.stackedMLCLayers = stackedMLCLayers
    }

    /// The transmitted fraction of the ray from the source point `s` to the point `p` on the isocentre plane
    /// (beam coordinates, cm, the target at z = `sourceAxisDistanceCM`): where the ray crosses each device's
    /// plane, projected back to the isocentre plane from the nominal focus, where plan positions are defined.
    public func transmission(_ a: Aperture, from s: Vec3, to p: Vec3, sourceAxisDistanceCM sad: Double) -> Double {
        // Where the ray s → p crosses a plane at distance d below the target, projected from the nominal
        // focal point to the isocentre plane.
        func projected(_ d: Double) -> (x: Double, y: Double) {
            let z = sad - d
            let f = (s.z - z) / s.z
            let c = s + (p - s) * f
            return (c.x * sad / d, c.y * sad / d)
        }
        let stacked = stackedTransmission(a) { projected(stackedMLCLayers[$0].distanceCM) }
        if let g = leafGeometry, let leaves = a.leaves {
            var jawsOnly = a
            jawsOnly.leaves = nil
            return transmission(jawsOnly, xJaw: projected(jaws.xDistanceCM).x, yJaw: projected(jaws.yDistanceCM).y, atMLC: (0, 0))
                * g.transmission(leaves, from: s, to: p) * stacked
        }
        return transmission(a, xJaw: projected(jaws.xDistanceCM).x, yJaw: projected(jaws.yDistanceCM).y,
                            atMLC: projected(mlc.distanceCM)) * stacked
    }

    /// The product of the stacked layers' transmissions for an aperture, layer k crossed at `crossing(k)` (projected
    /// to the isocentre plane); 1 without stacked layers. A layer the aperture does not place is open.
    func stackedTransmission(_ a: Aperture, crossing: (Int) -> (x: Double, y: Double)) -> Double {
        var t = 1.0
        for k in 0..<min(stackedMLCLayers.count, a.stackedLeaves.count)
        where !leafOpen(a.stackedLeaves[k], crossing(k), layer: stackedMLCLayers[k]) {
            t *= stackedMLCLayers[k].transmission
        }
        return t
    }

    /// The transmitted fraction of a ray crossing the X-jaw plane at `xJaw`, the Y-jaw plane at `yJaw`,
    /// the MLC plane at `atMLC` and each stacked layer's plane at `atStackedLayers` (in the order of
    /// `stackedMLCLayers`; all projected to the isocentre plane, cm). A stacked layer without a point there is open.
    public func transmission(_ a: Aperture, xJaw: Double, yJaw: Double, atMLC: (x: Double, y: Double),
                             atStackedLayers: [(x: Double, y: Double)] = []) -> Double {
        var t = 1.0
        if xJaw < a.x1CM || xJaw > a.x2CM { t *= jaws.transmission }
        if yJaw < a.y1CM || yJaw > a.y2CM { t *= jaws.transmission }
        if let leaves = a.leaves, !leafOpen(leaves, atMLC) { t *= mlc.transmission }
        if !a.stackedLeaves.isEmpty {
            var placed = a
            placed.stackedLeaves = Array(a.stackedLeaves.prefix(atStackedLayers.count))
            t *= stackedTransmission(placed) { atStackedLayers[$0] }
        }
        return t
    }

    /// Whether the (first layer of the) MLC is open at this point: between the two banks' radiation edges of the
    /// pair there (each tip's plan position moved by the leaf-end offset at that position) (and, inside a
    /// tongue-and-groove band, of both neighbouring pairs). Outside the MLC's pairs the
    /// leaves do not shield (the jaws must).
    func leafOpen(_ l: LeafPositions, _ p: (x: Double, y: Double)) -> Bool {
        leafOpen(l, p, layer: mlc)
    }

    /// Whether the MLC layer `layer` with leaves `l` is open at this point (as `leafOpen(_:_:)`).
    func leafOpen(_ l: LeafPositions, _ p: (x: Double, y: Double), layer: MachineModel.MultileafCollimator) -> Bool {
        let along = l.travelAlongX ? p.x : p.y
        let across = l.travelAlongX ? p.y : p.x
        guard let i = l.pair(containing: across) else { return true }
        func open(_ k: Int) -> Bool {
            // Bank A's tips face +along: their own side is −along (`LeafEndOffsetTable`).
            along >= l.bankACM[k] - layer.leafEndOffsetCM(atPositionCM: -l.bankACM[k])
                && along <= l.bankBCM[k] + layer.leafEndOffsetCM(atPositionCM: l.bankBCM[k])
        }
        guard open(i) else { return false }
        let half = 0.5 * layer.tongueAndGrooveWidthCM
        if half > 0 {
            if i > 0, across - l.boundariesCM[i] < half, !open(i - 1) { return false }
            if i + 1 < l.bankACM.count, l.boundariesCM[i + 1] - across < half, !open(i + 1) { return false }
        }
        return true
    }
}
