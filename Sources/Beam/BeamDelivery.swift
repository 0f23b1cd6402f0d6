import DICOM
import Geometry

/// One beam as delivered: its control points as machine states with their cumulative meterset
/// weights, and its monitor units. A moment of delivery is drawn in proportion to meterset and the machine
/// state there is interpolated linearly between the two control points around it (gantry, collimator,
/// couch, jaws and leaves), so arcs and sliding windows are sampled continuously, not only at control
/// points. Static, step-and-shoot, sliding-window and VMAT beams are all this one case: a step-and-shoot
/// segment is a pair of control points with equal states; a move between segments carries no meterset.
public struct BeamDelivery: Sendable {
    /// Beam number and name from the plan.
    public let number: Int
    public let name: String
    /// Monitor units of the beam per fraction.
    public let monitorUnits: Double
    /// Machine states at the control points.
    public let states: [MachineState]
    /// Cumulative meterset weights at the control points, increasing from 0 to the final weight.
    public let cumulativeWeights: [Double]
    /// Gantry travel from each control point to the next, degrees (signed: the rotation direction).
    let gantryTravelDeg: [Double]
    let collimatorTravelDeg: [Double]
    let couchTravelDeg: [Double]

    /// Creates a delivery from explicit states.
    /// - Throws: `BeamError.badPlan` if the weights do not increase or no meterset is delivered.
    /// `gantryDirections`, `collimatorDirections` and `couchDirections` give each control point's rotation
    /// direction towards the next (PS3.3 C.8.8.14.8); nil or `.NONE` takes the shorter way.
    public init(number: Int, name: String, monitorUnits: Double, states: [MachineState], cumulativeWeights: [Double],
                gantryDirections: [RotationDirection]? = nil, collimatorDirections: [RotationDirection]? = nil,
                couchDirections: [RotationDirection]? = nil) throws {
        guard !states.isEmpty, states.count == cumulativeWeights.count else {
            throw BeamError.badPlan("beam \(number) '\(name)': \(states.count) states for \(cumulativeWeights.count) weights")
        }
        guard zip(cumulativeWeights.dropFirst(), cumulativeWeights).allSatisfy({ $0 >= $1 }),
              let last = cumulativeWeights.last, last > cumulativeWeights[0] || states.count == 1 else {
            throw BeamError.badPlan("beam \(number) '\(name)': cumulative meterset weights must increase to a positive total")
        }
        guard monitorUnits >= 0, monitorUnits.isFinite else {
            throw BeamError.badPlan("beam \(number) '\(name)': monitor units \(monitorUnits) must be non-negative")
        }
        self.number = number
        self.name = name
        self.monitorUnits = monitorUnits
        self.states = states
        self.cumulativeWeights = states.count == 1 ? [0, 1] : cumulativeWeights
        var g: [Double] = [], c: [Double] = [], p: [Double] = []
        for k in 0..<max(states.count - 1, 0) {
            g.append(Self.travel(from: states[k].gantryDeg, to: states[k + 1].gantryDeg,
                                 direction: gantryDirections.map { $0[k] } ?? .NONE))
            c.append(Self.travel(from: states[k].collimatorDeg, to: states[k + 1].collimatorDeg,
                                 direction: collimatorDirections.map { $0[k] } ?? .NONE))
            p.append(Self.travel(from: states[k].couchDeg, to: states[k + 1].couchDeg,
                                 direction: couchDirections.map { $0[k] } ?? .NONE))
        }
        gantryTravelDeg = g
        collimatorTravelDeg = c
        couchTravelDeg = p
    }

    /// Signed angular travel: clockwise (IEC, increasing angle) for CW, decreasing for CC, the shorter
    /// way otherwise.
    static func travel(from a: Double, to b: Double, direction: RotationDirection) -> Double {
        var d = (b - a).truncatingRemainder(dividingBy: 360)
        switch direction {
        case .CW: if d < 0 { d += 360 }
        case .CC: if d > 0 { d -= 360 }
        case .NONE:
            if d > 180 { d -= 360 }
            if d < -180 { d += 360 }
        }
        return d
    }

    /// The machine state after the fraction `u` (0…1) of the beam's meterset.
    public func state(atMetersetFraction u: Double) -> MachineState {
        if states.count == 1 { return states[0] }
        let w0 = cumulativeWeights[0], total = cumulativeWeights[cumulativeWeights.count - 1]
        let w = w0 + u * (total - w0)
        // The segment k with weights[k] ≤ w < weights[k + 1] (skipping zero-meterset moves).
        var lo = 0, hi = cumulativeWeights.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if cumulativeWeights[mid] <= w { lo = mid } else { hi = mid }
        }
        let span = cumulativeWeights[hi] - cumulativeWeights[lo]
        let t = span > 0 ? min(max((w - cumulativeWeights[lo]) / span, 0), 1) : 0
        let a = states[lo], b = states[hi]
        func angle(_ base: Double, _ travel: Double) -> Double {
            let v = (base + travel * t).truncatingRemainder(dividingBy: 360)
            return v < 0 ? v + 360 : v
        }
        return MachineState(
            gantryDeg: angle(a.gantryDeg, gantryTravelDeg[lo]), collimatorDeg: angle(a.collimatorDeg, collimatorTravelDeg[lo]),
            couchDeg: angle(a.couchDeg, couchTravelDeg[lo]),
            isocentreCM: a.isocentreCM + (b.isocentreCM - a.isocentreCM) * t,
            aperture: a.aperture.interpolated(to: b.aperture, t))
    }

    /// The bounding rectangle of the jaws over all control points, cm on the isocentre plane.
    public var jawBounds: Aperture {
        states.dropFirst().reduce(states[0].aperture) { $0.unionBounds($1.aperture) }
    }
}

// MARK: - From an RT Plan

extension BeamDelivery {
    /// The delivery of a plan's beam with `monitorUnits` per fraction; jaws the plan does not give are
    /// open to `maximumJawCM`. DICOM mm become cm here.
    /// A stacked MLC is read as its first layer (`Aperture.leaves`, the machine's `mlc`) and the further ones
    /// (`Aperture.stackedLeaves`, the machine's `stackedMLCLayers`) in the order of `dualLayerMLCTypes`.
    /// - Throws: `BeamError.badPlan` for a control point without an isocentre, leaf positions that do not
    ///   match the MLC's boundaries, a declared jaw or MLC without positions in the first control point, or
    ///   collimation Penumbra does not model (several MLCs other than the pair MLCX1 + MLCX2, one layer of that
    ///   pair alone, an MLC type other than MLCX or MLCY).
    public init(beam: DICOM.Beam, monitorUnits: Double, maximumJawCM: Double) throws {
        let context = "beam \(beam.number) '\(beam.name)'"
        let mlcs = try Self.mlcDevices(of: beam, context: context)
        // PS3.3 C.8.8.14.5: the first control point positions every device the beam declares. A jaw without
        // positions would be computed wide open.
        if let first = beam.controlPoints.first,
            let unplaced = beam.limitingDevices.first(where: { first.devicePositionsMM[$0.type] == nil })
        {
            throw BeamError.badPlan(
                "\(context), control point \(first.index): no Leaf/Jaw Positions for \(unplaced.type), which the beam "
                    + "declares; the first control point must place every beam-limiting device (PS3.3 C.8.8.14.5)")
        }
        // The couch top's own rotations (eccentric, pitch, roll) turn the patient under the beam; Penumbra's geometry
        // has the couch rotation only, so a beam with them would be placed wrongly.
        for cp in beam.controlPoints {
            let angles = cp.tableTopAnglesDeg
            for (name, angle) in [("eccentric", angles.eccentric), ("pitch", angles.pitch), ("roll", angles.roll)] {
                let signed = (angle + 180).truncatingRemainder(dividingBy: 360) - 180
                if abs(angle) > 0.01 && abs(signed) > 0.01 && abs(signed + 360) > 0.01 {
                    throw BeamError.badPlan(
                        "\(context), control point \(cp.index): table-top \(name) angle \(angle)°; Penumbra places beams "
                            + "with the couch (patient support) angle only and cannot compute a tilted or eccentric table top")
                }
            }
        }
        var states: [MachineState] = []
        for cp in beam.controlPoints {
            guard let iso = cp.isocentreMM else {
                throw BeamError.badPlan("\(context), control point \(cp.index): no Isocenter Position (300A,012C)")
            }
            func jaw(_ types: [String]) throws -> (Double, Double) {
                guard let v = types.lazy.compactMap({ cp.devicePositionsMM[$0] }).first else {
                    return (-maximumJawCM, maximumJawCM)
                }
                guard v.count == 2, v[0] <= v[1] else {
                    throw BeamError.badPlan("\(context), control point \(cp.index): \(types[0]) jaws need two positions, first ≤ second")
                }
                return (v[0] / 10, v[1] / 10)
            }
            let (x1, x2) = try jaw(["ASYMX", "X"])
            let (y1, y2) = try jaw(["ASYMY", "Y"])
            let layers = try mlcs.map { device in
                guard let v = cp.devicePositionsMM[device.type], v.count == 2 * device.pairCount else {
                    throw BeamError.badPlan("\(context), control point \(cp.index): no \(device.type) leaf positions")
                }
                return LeafPositions(
                    travelAlongX: device.type != "MLCY", boundariesCM: device.leafBoundariesMM.map { $0 / 10 },
                    bankACM: v[0..<device.pairCount].map { $0 / 10 }, bankBCM: v[device.pairCount...].map { $0 / 10 })
            }
            states.append(MachineState(
                gantryDeg: cp.gantryAngleDeg, collimatorDeg: cp.collimatorAngleDeg, couchDeg: cp.couchAngleDeg,
                isocentreCM: iso / 10,
                aperture: Aperture(x1CM: x1, x2CM: x2, y1CM: y1, y2CM: y2, leaves: layers.first,
                                   stackedLeaves: Array(layers.dropFirst()))))
        }
        try self.init(number: beam.number, name: beam.name, monitorUnits: monitorUnits, states: states,
                      cumulativeWeights: beam.controlPoints.map(\.cumulativeMetersetWeight),
                      gantryDirections: beam.controlPoints.map(\.gantryRotation),
                      collimatorDirections: beam.controlPoints.map(\.collimatorRotation),
                      couchDirections: beam.controlPoints.map(\.couchRotation))
    }

    /// The one stacked MLC Penumbra reads, layer by layer: Varian Halcyon/Ethos's dual-layer MLC, whose RT Plans
    /// declare MLCX1, the distal layer (28 pairs of 1 cm, boundaries −140…140 mm), and MLCX2, the proximal layer
    /// (29 pairs, −145…145 mm, half a leaf across from the distal ones), both travelling along X (pylinac's
    /// `HalcyonPlanGenerator`, jrkerns/pylinac plan_generator/dicom.py; Lim et al., J. Appl. Clin. Med. Phys. (2019),
    /// PMC6448159). A machine's `mlc` is the first of these, its `stackedMLCLayers[0]` the second.
    public static let dualLayerMLCTypes = ["MLCX1", "MLCX2"]

    /// The beam's MLC devices in layer order: none, one MLCX or MLCY, or the dual-layer pair (`dualLayerMLCTypes`; refused
    /// when the plan's Source to Beam Limiting Device Distances put MLCX1 no further from the source than MLCX2).
    /// A dual-layer MLC read as one layer would lose the other layer's collimation, and an unknown type's travel
    /// direction is unknown: either gives a wrong dose, so both are refused.
    static func mlcDevices(of beam: DICOM.Beam, context: String) throws -> [BeamLimitingDevice] {
        let mlcs = beam.limitingDevices.filter { $0.type.hasPrefix("MLC") }
        let types = mlcs.map(\.type)
        if types.count > 1 {
            guard Set(types) == Set(dualLayerMLCTypes), types.count == dualLayerMLCTypes.count else {
                throw BeamError.badPlan(
                    "\(context) has \(mlcs.count) MLCs (\(types.joined(separator: ", "))); Penumbra models one MLC (MLCX or MLCY) "
                        + "or the dual-layer pair MLCX1 + MLCX2 (Halcyon/Ethos) and cannot compute this beam")
            }
            let layers = dualLayerMLCTypes.map { type in mlcs.first { $0.type == type }! }
            // Source to Beam Limiting Device Distance (300A,00BA) is optional; where a plan gives it, it must agree that
            // MLCX1 is the layer further from the source, or the layers would meet the machine's the wrong way round.
            if let distal = layers[0].sourceDistanceMM, let proximal = layers[1].sourceDistanceMM, distal <= proximal {
                throw BeamError.badPlan(
                    "\(context) puts MLCX1 \(distal) mm from the source, no further than MLCX2 (\(proximal) mm); Penumbra reads "
                        + "MLCX1 as the distal layer of a Halcyon/Ethos MLC and cannot compute a plan that says otherwise")
            }
            return layers
        }
        if let only = mlcs.first, dualLayerMLCTypes.contains(only.type) {
            let other = dualLayerMLCTypes.first { $0 != only.type }!
            throw BeamError.badPlan(
                "\(context) has \(only.type) without \(other): one layer of a dual-layer MLC (Halcyon/Ethos) alone; "
                    + "the other layer's collimation is unknown, so Penumbra cannot compute this beam — export the plan "
                    + "with both layers")
        }
        if let other = mlcs.first, other.type != "MLCX" && other.type != "MLCY" {
            throw BeamError.badPlan(
                "\(context) has an MLC of type \(other.type); Penumbra models MLCX, MLCY and the dual-layer pair MLCX1 + MLCX2 "
                    + "only and cannot compute this beam")
        }
        return mlcs
    }
}
