import Foundation
import Geometry
import Phantom
import Transport

/// The reference set-up of commissioning and MU calibration: an open square field at gantry 0 on a
/// water tank whose surface is `ssdCM` from the source (head-first supine, so depth runs along
/// patient +y), the isocentre at the origin.
public struct ReferenceSetup: Sendable {
    /// Side of the square field on the isocentre plane, cm.
    public let fieldCM: Double
    /// Source-to-surface distance, cm.
    public let ssdCM: Double
    /// The tank: at least `lateralCM` wide in x and z (wide enough for the field, `lateralWidthCM`), `depthCM` deep.
    public let phantom: VoxelPhantom
    /// Depth voxel size, cm.
    public let depthVoxelCM: Double

    /// A reference set-up for `machine`. Lateral voxels are 1 cm (0.5 cm for fields under 4 cm), along x
    /// `profileVoxelCM` when given (for profiles: fine across the field edge); the central voxel column is
    /// centred on the beam axis. The tank is `lateralCM` wide or, if wider, the field's width at the tank's
    /// bottom plus `Self.lateralMarginCM` on each side (`lateralWidthCM`).
    public init(machine: MachineModel, fieldCM: Double, ssdCM: Double, lateralCM: Double = 31, depthCM: Double = 30,
                depthVoxelCM: Double = 0.25, profileVoxelCM: Double? = nil) throws {
        self.fieldCM = fieldCM
        self.ssdCM = ssdCM
        self.depthVoxelCM = depthVoxelCM
        let lateralCM = max(lateralCM, Self.lateralWidthCM(fieldCM: fieldCM, ssdCM: ssdCM, depthCM: depthCM,
                                                           sourceAxisDistanceCM: machine.sourceAxisDistanceCM))
        let lateralVoxel = fieldCM < 4 ? 0.5 : 1.0
        let xVoxel = profileVoxelCM ?? lateralVoxel
        // Odd voxel counts, so that a voxel column is centred on the axis.
        func width(_ voxel: Double) -> Double { Double(Int((lateralCM / voxel / 2).rounded(.down)) * 2 + 1) * voxel }
        let surfaceY = ssdCM - machine.sourceAxisDistanceCM
        phantom = try WaterTank.phantom(sizeCM: Vec3(width(xVoxel), depthCM, width(lateralVoxel)),
                                        voxelCM: Vec3(xVoxel, depthVoxelCM, lateralVoxel), centreCM: Vec3(0, surfaceY + depthCM / 2, 0))
    }

    /// Water beyond each field edge at the tank's bottom, cm. A tank that ends inside or close to the field
    /// removes the phantom scatter of the missing water: the former fixed 31 cm tank cut a 40×40 field (44 cm
    /// wide at 10 cm depth) to about 31×31 and its output factor fell to that of 30×30 (docs/beam-model.md).
    public static let lateralMarginCM = 5.0

    /// The tank width that holds a `fieldCM` square field (defined on the isocentre plane) to `depthCM` at
    /// `ssdCM` with `lateralMarginCM` of water beyond each edge, cm.
    public static func lateralWidthCM(fieldCM: Double, ssdCM: Double, depthCM: Double, sourceAxisDistanceCM: Double) -> Double {
        fieldCM * (ssdCM + depthCM) / sourceAxisDistanceCM + 2 * lateralMarginCM
    }

    /// The open field as a one-beam delivery of `monitorUnits`.
    public func delivery(monitorUnits: Double = 1) throws -> BeamDelivery {
        let h = fieldCM / 2
        let state = MachineState(gantryDeg: 0, collimatorDeg: 0, couchDeg: 0, isocentreCM: .zero,
                                 aperture: Aperture(x1CM: -h, x2CM: h, y1CM: -h, y2CM: h))
        return try BeamDelivery(number: 1, name: "\(fieldCM)x\(fieldCM)", monitorUnits: monitorUnits,
                                states: [state], cumulativeWeights: [0])
    }

    /// How many voxels across (in x and in z) the central columns `centralAxis` averages: the largest odd
    /// number whose width stays within a third of the field (1 for small fields).
    public var axisColumns: (x: Int, z: Int) {
        func count(_ spacing: Double) -> Int { 2 * max(0, (Int((fieldCM / 3 / spacing).rounded(.down)) - 1) / 2) + 1 }
        return (count(phantom.grid.spacingCM.x), count(phantom.grid.spacingCM.z))
    }

    /// The cross-section of the central columns, cm².
    public var axisColumnAreaCM2: Double {
        Double(axisColumns.x) * phantom.grid.spacingCM.x * Double(axisColumns.z) * phantom.grid.spacingCM.z
    }

    /// Proposals for a `fieldCM` square field so that its axis dose is about as precise as that of the
    /// `referenceFieldCM` field with `referenceProposals`: proposals spread over the sampling area (field plus
    /// `samplingMarginCM` on each side, squared: `PlanSource`'s default margin) and the axis dose averages the
    /// central columns, so the count of photons through those columns, and with it the precision, goes with
    /// proposals × column area / sampling area. Small fields get more proposals, but most of them are rejected at
    /// the jaws and cost little.
    /// - Throws: what `init` throws for a field the tank cannot be built for.
    public static func proposals(fieldCM: Double, machine: MachineModel, referenceFieldCM: Double, referenceProposals: UInt64,
                                 samplingMarginCM: Double = 3) throws -> UInt64 {
        func columnsOverSampling(_ side: Double) throws -> Double {
            let setup = try ReferenceSetup(machine: machine, fieldCM: side, ssdCM: machine.calibration.referenceSSDCM, depthCM: 1)
            let sampled = min(side / 2 + samplingMarginCM, machine.jaws.maximumOpeningCM + samplingMarginCM) * 2
            return setup.axisColumnAreaCM2 / (sampled * sampled)
        }
        let scale = try columnsOverSampling(referenceFieldCM) / columnsOverSampling(fieldCM)
        return max(1, UInt64((Double(referenceProposals) * scale).rounded()))
    }

    /// The central-axis depth dose: (depth of the voxel centre in cm, dose, relative uncertainty), the dose
    /// averaged over the central n × n voxel columns with n the largest odd number whose width stays within
    /// a third of the field (1 for small fields), to beat the noise without the penumbra.
    public func centralAxis(_ dose: DoseDistribution) -> [(depthCM: Double, dose: Double, uncertainty: Double)] {
        let g = dose.grid
        let hx = (axisColumns.x - 1) / 2, hz = (axisColumns.z - 1) / 2
        let ci = g.counts.x / 2, ck = g.counts.z / 2
        return (0..<g.counts.y).map { j in
            var sum = 0.0, variance = 0.0, n = 0.0
            for i in (ci - hx)...(ci + hx) {
                for k in (ck - hz)...(ck + hz) {
                    let v = g.index(i, j, k)
                    let d = dose.doseGyPerHistory[v]
                    sum += d
                    variance += (dose.relativeUncertainty[v] * d) * (dose.relativeUncertainty[v] * d)
                    n += 1
                }
            }
            let mean = sum / n
            return ((Double(j) + 0.5) * g.spacingCM.y, mean, mean > 0 ? variance.squareRoot() / n / mean : 0)
        }
    }

    /// The dose on the axis at `depthCM`, interpolated linearly between voxel centres.
    public func axisDose(_ dose: DoseDistribution, depthCM: Double) -> Double {
        let curve = centralAxis(dose)
        let x = depthCM / depthVoxelCM - 0.5
        let j = min(max(Int(x.rounded(.down)), 0), curve.count - 2)
        let t = x - Double(j)
        return curve[j].dose + (curve[j + 1].dose - curve[j].dose) * t
    }

    /// The axis dose at `depthCM` from a least-squares fit of ln(dose) to a quadratic in depth over the
    /// voxels within `halfWidthCM`, weighted by their uncertainties: a smooth estimate with far less noise
    /// than one voxel (commissioning compares it with targets to 1 %).
    public func fittedAxisDose(_ dose: DoseDistribution, depthCM: Double, halfWidthCM: Double = 1.5) -> Double {
        let points = centralAxis(dose).filter { abs($0.depthCM - depthCM) <= halfWidthCM && $0.dose > 0 }
        guard points.count >= 3 else { return axisDose(dose, depthCM: depthCM) }
        // Normal equations for ln d = a + b·t + c·t², t = depth − depthCM, weights 1/σ²(ln d) = 1/u².
        var m = [[Double]](repeating: [0, 0, 0], count: 3), v = [0.0, 0, 0]
        for p in points {
            let t = p.depthCM - depthCM, w = 1 / max(p.uncertainty * p.uncertainty, 1e-12)
            let basis = [1, t, t * t]
            for r in 0..<3 {
                v[r] += w * basis[r] * log(p.dose)
                for c in 0..<3 { m[r][c] += w * basis[r] * basis[c] }
            }
        }
        // Gaussian elimination (3×3, symmetric positive definite).
        for col in 0..<3 {
            for r in (col + 1)..<3 {
                let f = m[r][col] / m[col][col]
                for c in col..<3 { m[r][c] -= f * m[col][c] }
                v[r] -= f * v[col]
            }
        }
        var x = [0.0, 0, 0]
        for r in (0..<3).reversed() {
            x[r] = (v[r] - ((r + 1)..<3).reduce(0.0) { $0 + m[r][$1] * x[$1] }) / m[r][r]
        }
        return exp(x[0])
    }

    /// The dose across the field along Xb (patient x) at `depthCM`: per x voxel, the mean over the central z
    /// voxels of the axis columns (`axisColumns.z`, a third of the field) and the depth voxels within
    /// ±`halfThicknessCM`, against noise (positions of the voxel centres on the tank, cm).
    public func profile(_ dose: DoseDistribution, depthCM: Double, halfThicknessCM: Double = 0.5) -> BeamProfile {
        profileMeans(dose, depthCM: depthCM, halfThicknessCM: halfThicknessCM) { dose.doseGyPerHistory[$0] }
    }

    /// The standard uncertainty of each point of `profile(dose, depthCM:)`, same positions: √(Σ σᵢ²)/n over the n voxels it
    /// averages (σᵢ the voxel's relative uncertainty times its dose; voxels taken as independent).
    public func profileUncertainty(_ dose: DoseDistribution, depthCM: Double, halfThicknessCM: Double = 0.5) -> BeamProfile {
        let variance = profileMeans(dose, depthCM: depthCM, halfThicknessCM: halfThicknessCM) {
            pow(dose.relativeUncertainty[$0] * dose.doseGyPerHistory[$0], 2)
        }
        let n = Double(max(profileVoxelCount(dose.grid, depthCM: depthCM, halfThicknessCM: halfThicknessCM), 1))
        return BeamProfile(positionCM: variance.positionCM, dose: variance.dose.map { ($0 / n).squareRoot() })
    }

    /// How many voxels each profile point averages.
    func profileVoxelCount(_ g: VoxelGrid, depthCM: Double, halfThicknessCM: Double) -> Int {
        let rows = (0..<g.counts.y).filter { abs((Double($0) + 0.5) * g.spacingCM.y - depthCM) <= halfThicknessCM + 1e-9 }
        return rows.count * (2 * ((axisColumns.z - 1) / 2) + 1)
    }

    /// Per x voxel, the mean of `value(voxel index)` over the profile's depth rows and central z voxels.
    func profileMeans(_ dose: DoseDistribution, depthCM: Double, halfThicknessCM: Double, _ value: (Int) -> Double) -> BeamProfile {
        let g = dose.grid
        let hz = (axisColumns.z - 1) / 2, ck = g.counts.z / 2
        let rows = (0..<g.counts.y).filter { abs((Double($0) + 0.5) * g.spacingCM.y - depthCM) <= halfThicknessCM + 1e-9 }
        let positions = (0..<g.counts.x).map { g.originCM.x + (Double($0) + 0.5) * g.spacingCM.x }
        let values = (0..<g.counts.x).map { i in
            var sum = 0.0
            for j in rows {
                for k in (ck - hz)...(ck + hz) { sum += value(g.index(i, j, k)) }
            }
            return sum / Double(max(rows.count * (2 * hz + 1), 1))
        }
        return BeamProfile(positionCM: positions, dose: values)
    }

    /// Depth of the maximum of a smoothed depth dose (a parabola through the highest voxel and its
    /// neighbours), cm.
    public func depthOfMaximum(_ dose: DoseDistribution) -> Double {
        let c = centralAxis(dose)
        // Smooth over three voxels against noise before locating the maximum.
        let s = c.indices.map { j in (c[max(j - 1, 0)].dose + c[j].dose + c[min(j + 1, c.count - 1)].dose) / 3 }
        guard let m = s.indices.dropFirst().dropLast().max(by: { s[$0] < s[$1] }) else { return c[0].depthCM }
        let denom = s[m - 1] - 2 * s[m] + s[m + 1]
        let shift = denom != 0 ? 0.5 * (s[m - 1] - s[m + 1]) / denom : 0
        return c[m].depthCM + max(-1, min(1, shift)) * depthVoxelCM
    }
}
