import DICOM
import Foundation
import Geometry
import Phantom

/// The thorax example's 3D-conformal plan: beam's-eye-view MLC shaping and nominal monitor units.
enum ThoraxPlanDesign {
    /// Varian Millennium-120-like leaf boundaries at the isocentre plane: 10 × 10 mm, 40 × 5 mm, 10 × 10 mm.
    static let leafBoundariesMM: [Double] =
        stride(from: -200.0, to: -100, by: 10).map { $0 } + stride(from: -100.0, to: 100, by: 5).map { $0 }
        + stride(from: 100.0, through: 200, by: 10).map { $0 }

    /// Source-axis distance, mm.
    static let sadMM = 1000.0

    static func plan(ptv: ThoraxAnatomy.Organ, volume: Volume, context: StudyContext, structureSetUID: String) -> Plan {
        // Isocentre: the PTV's centroid (vertex average over its planes), rounded to whole mm.
        var surface: [Vec3] = []
        for z in stride(from: -150.0, through: 150, by: 1) {
            for polygon in ptv.outline(z) { surface += polygon.map { Vec3($0.x, $0.y, z) } }
        }
        let mean = surface.reduce(Vec3.zero, +) / Double(surface.count)
        let isocentre = Vec3(mean.x.rounded(), mean.y.rounded(), mean.z.rounded())
        let dosePerBeamGy =
            ThoraxExample.prescriptionGy / Double(ThoraxExample.fractions) / Double(ThoraxExample.gantryAnglesDeg.count)
        var beams: [Beam] = []
        var metersets: [Int: Double] = [:], beamDoses: [Int: Double] = [:]
        for (n, gantry) in ThoraxExample.gantryAnglesDeg.enumerated() {
            let number = n + 1
            let (jaws, leaves) = aperture(surface: surface, isocentre: isocentre, gantryDeg: gantry)
            let depthMM = radiologicalDepthMM(volume: volume, isocentre: isocentre, gantryDeg: gantry)
            metersets[number] = nominalMU(doseGy: dosePerBeamGy, radiologicalDepthMM: depthMM)
            beamDoses[number] = dosePerBeamGy
            let positions = ["ASYMX": jaws.x, "ASYMY": jaws.y, "MLCX": leaves]
            let points = [0.0, 1.0].enumerated().map { k, weight in
                ControlPoint(
                    index: k, cumulativeMetersetWeight: weight, nominalBeamEnergy: 6, doseRate: 600,
                    gantryAngleDeg: gantry, isocentreMM: isocentre, devicePositionsMM: positions)
            }
            beams.append(
                Beam(
                    number: number, name: String(format: "G%03.0f", gantry), type: "STATIC", radiationType: "PHOTON",
                    treatmentDeliveryType: "TREATMENT", machineName: "PENUMBRA_6MV", primaryDosimeterUnit: "MU",
                    sourceAxisDistanceMM: sadMM,
                    limitingDevices: [
                        BeamLimitingDevice(type: "ASYMX", sourceDistanceMM: 400, pairCount: 1, leafBoundariesMM: []),
                        BeamLimitingDevice(type: "ASYMY", sourceDistanceMM: 300, pairCount: 1, leafBoundariesMM: []),
                        BeamLimitingDevice(
                            type: "MLCX", sourceDistanceMM: 500, pairCount: leafBoundariesMM.count - 1,
                            leafBoundariesMM: leafBoundariesMM),
                    ],
                    finalCumulativeMetersetWeight: 1, controlPoints: points))
        }
        return Plan(
            sopInstanceUID: UIDGenerator.uid(derivedFrom: "penumbra.example.thorax.v1.rtplan"), label: "THORAX 3DCRT",
            studyInstanceUID: context.studyInstanceUID, frameOfReferenceUID: context.frameOfReferenceUID,
            referencedStructureSetUID: structureSetUID,
            patient: context.patient,
            fractionGroups: [
                FractionGroup(
                    number: 1, fractionsPlanned: ThoraxExample.fractions, beamMetersetsMU: metersets,
                    beamDosesGy: beamDoses)
            ],
            beams: beams)
    }

    /// The beam axes for a gantry angle, couch and collimator at 0, patient HFS: IEC 61217 fixed
    /// coordinates are X_f = x, Y_f = z, Z_f = −y (DICOM patient axes); the gantry rotates about Y_f, so
    /// the source sits along Z_g = (sin θ, 0, cos θ) and the collimator's X_b = (cos θ, 0, −sin θ).
    static func axes(gantryDeg: Double) -> (xb: Vec3, yb: Vec3, toSource: Vec3) {
        let t = gantryDeg * .pi / 180
        // Back in DICOM patient axes (x, y, z) = (X_f, −Z_f, Y_f).
        return (Vec3(cos(t), sin(t), 0), Vec3(0, 0, 1), Vec3(sin(t), -cos(t), 0))
    }

    /// Jaws and MLC leaves enclosing the PTV's projection at the isocentre plane plus the margin.
    static func aperture(surface: [Vec3], isocentre: Vec3, gantryDeg: Double) -> (
        jaws: (x: [Double], y: [Double]), leaves: [Double]
    ) {
        let (xb, yb, toSource) = axes(gantryDeg: gantryDeg)
        let m = ThoraxExample.apertureMarginMM
        let projected = surface.map { p -> (u: Double, v: Double) in
            let r = p - isocentre
            let magnification = sadMM / (sadMM - r.dot(toSource))
            return (r.dot(xb) * magnification, r.dot(yb) * magnification)
        }
        let uMin = projected.map(\.u).min()! - m, uMax = projected.map(\.u).max()! + m
        let vMin = projected.map(\.v).min()! - m, vMax = projected.map(\.v).max()! + m
        let pairs = leafBoundariesMM.count - 1
        var bankA = [Double](repeating: 0, count: pairs), bankB = [Double](repeating: 0, count: pairs)
        let closedAt = ((uMin + uMax) / 2).rounded()
        for i in 0..<pairs {
            let low = leafBoundariesMM[i] - m, high = leafBoundariesMM[i + 1] + m
            let inBand = projected.filter { $0.v >= low && $0.v <= high }.map(\.u)
            if let a = inBand.min(), let b = inBand.max(), leafBoundariesMM[i + 1] > vMin, leafBoundariesMM[i] < vMax {
                bankA[i] = ((a - m) * 10).rounded(.down) / 10
                bankB[i] = ((b + m) * 10).rounded(.up) / 10
            } else {
                bankA[i] = closedAt
                bankB[i] = closedAt
            }
        }
        let jaws = (x: [uMin.rounded(.down), uMax.rounded(.up)], y: [vMin.rounded(.down), vMax.rounded(.up)])
        return (jaws, bankA + bankB)
    }

    /// The water-equivalent depth of the isocentre along the central axis: Σ ρ·Δs from the first voxel
    /// above −400 HU (the skin), with density from the Schneider 2000 calibration, Δs = 1 mm.
    static func radiologicalDepthMM(volume: Volume, isocentre: Vec3, gantryDeg: Double) -> Double {
        let toSource = axes(gantryDeg: gantryDeg).toSource
        let calibration = HUCalibration.schneider2000
        var depth = 0.0
        var inside = false
        for step in stride(from: 300.0, through: 0, by: -1) {
            let p = isocentre + toSource * step
            let i = Int(((p.x - volume.originMM.x) / volume.spacingMM.x).rounded())
            let j = Int(((p.y - volume.originMM.y) / volume.spacingMM.y).rounded())
            let k = Int(((p.z - volume.originMM.z) / volume.spacingMM.z).rounded())
            guard (0..<volume.counts.x).contains(i), (0..<volume.counts.y).contains(j),
                (0..<volume.counts.z).contains(k)
            else { continue }
            let hu = Double(volume[i, j, k])
            if hu > -400 { inside = true }
            if inside { depth += calibration.densityGPerCM3(hu: hu) }
        }
        return depth
    }

    /// Nominal monitor units for a dose at the isocentre: 1 cGy/MU at d_max for 10 × 10 cm at SAD, and a
    /// tissue–maximum ratio approximated as exp(−0.046 /cm · (d − 1.5 cm)) (an effective 6 MV attenuation,
    /// a planning-style estimate only: Penumbra's Monte Carlo computes the actual dose per MU).
    static func nominalMU(doseGy: Double, radiologicalDepthMM: Double) -> Double {
        let tmr = min(1, exp(-0.0046 * (radiologicalDepthMM - 15)))
        return ((doseGy * 100 / tmr) * 10).rounded() / 10
    }
}
