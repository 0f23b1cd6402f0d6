import Foundation
import Geometry
import Transport

/// The primary particles of a plan (one or more beams) in patient coordinates.
///
/// Each history is one *proposal*: a beam chosen with probability ∝ MU × sampling area, a moment of the
/// beam drawn uniformly in meterset (the machine state interpolated there, `BeamDelivery`), a component
/// (focal, extra-focal, contaminant electron) by its weight, a point on the source plane from that
/// component's Gaussian and a point on the isocentre plane uniformly over the beam's jaw bounds plus a
/// margin. The proposal is kept with probability transmission × relative off-axis fluence; a rejected
/// proposal is a history that emits no primary. All draws come from
/// the history's own stream, so the dose is bit-reproducible for any thread count.
///
/// Normalisation: proposals have density N·p_b/A_b on beam b's isocentre plane and p_b = MU_b·A_b / S
/// with S = Σ MU_b·A_b, so every proposal stands for S/N "unit" proposals; with the machine's calibrated
/// proposals per cm² per MU Φ₀, the dose in Gy is (dose per history) × Φ₀ × S (`gyPerHistoryScale`).
public struct PlanSource: PrimarySource {
    public let model: SourceModel
    public let deliveries: [BeamDelivery]
    public let patientPosition: PatientPosition
    /// Sampling rectangle of each beam on the isocentre plane, cm (jaw bounds plus `marginCM`).
    public let samplingBounds: [Aperture]
    /// Cumulative beam-choice probabilities.
    let cumulative: [Double]
    /// S = Σ MU_b · A_b, MU·cm².
    public let muAreaSum: Double

    /// A source for `deliveries`; `marginCM` widens each beam's jaw bounds on the isocentre plane to
    /// catch the penumbra and the extra-focal source.
    /// - Throws: `BeamError.badPlan` when no beam delivers monitor units.
    public init(model: SourceModel, deliveries: [BeamDelivery], patientPosition: PatientPosition, marginCM: Double = 3) throws {
        let limit = model.machine.jaws.maximumOpeningCM + marginCM
        let bounds = deliveries.map { d -> Aperture in
            let b = d.jawBounds
            return Aperture(x1CM: max(b.x1CM - marginCM, -limit), x2CM: min(b.x2CM + marginCM, limit),
                            y1CM: max(b.y1CM - marginCM, -limit), y2CM: min(b.y2CM + marginCM, limit))
        }
        let weights = zip(deliveries, bounds).map { d, b in d.monitorUnits * (b.x2CM - b.x1CM) * (b.y2CM - b.y1CM) }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw BeamError.badPlan("the plan's beams deliver no monitor units") }
        var acc = 0.0
        cumulative = weights.map { acc += $0; return acc / total }
        muAreaSum = total
        self.model = model
        self.deliveries = deliveries
        self.patientPosition = patientPosition
        samplingBounds = bounds
    }

    /// Gy per (Gy per history): multiply a dose per history by this to get Gy for the planned MU.
    /// - Throws: `BeamError.notCalibrated` if the machine has no MU calibration.
    public func gyPerHistoryScale() throws -> Double {
        guard let phi = model.machine.calibration.proposalsPerCM2PerMU else {
            throw BeamError.notCalibrated("machine '\(model.machine.name)' has no MU calibration; run its calibration first")
        }
        return phi * muAreaSum
    }

    /// The largest energy of the model's photons and contaminant electrons, MeV.
    public var maximumEnergyMeV: Double { model.maximumEnergyMeV }

    /// Samples one history's proposal: one primary, or none when the proposal is rejected.
    public func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle]) {
        let m = model.machine
        let uBeam = rng.uniform()
        let b = cumulative.firstIndex { uBeam < $0 } ?? cumulative.count - 1
        let state = deliveries[b].state(atMetersetFraction: rng.uniform())
        let bounds = samplingBounds[b]
        let sad = m.sourceAxisDistanceCM
        // Component.
        let uComponent = rng.uniform()
        let isElectron = uComponent < m.electronContamination.weight
        let isExtraFocal = !isElectron && uComponent < m.electronContamination.weight + m.extraFocalSource.weight
        let sigma = isExtraFocal ? m.extraFocalSource.sigmaCM : m.primarySource.sigmaCM
        let sourceZ = isExtraFocal ? sad - m.extraFocalSource.distanceFromTargetCM : sad
        let (gx, gy) = Self.gaussianPair(&rng)
        let s = Vec3(sigma * gx, sigma * gy, sourceZ)
        // Point on the isocentre plane.
        let p = Vec3(bounds.x1CM + rng.uniform() * (bounds.x2CM - bounds.x1CM),
                     bounds.y1CM + rng.uniform() * (bounds.y2CM - bounds.y1CM), 0)
        // Where the ray s → p crosses a plane at distance d below the target, projected from the nominal
        // focal point to the isocentre plane.
        func projected(_ d: Double) -> (x: Double, y: Double) {
            let z = sad - d
            let f = (s.z - z) / s.z
            let c = s + (p - s) * f
            return (c.x * sad / d, c.y * sad / d)
        }
        let jx = projected(m.jaws.xDistanceCM).x
        let jy = projected(m.jaws.yDistanceCM).y
        let atMLC = projected(m.mlc.distanceCM)
        var keep = model.collimator.transmission(state.aperture, xJaw: jx, yJaw: jy, atMLC: atMLC)
        let r = (p.x * p.x + p.y * p.y).squareRoot()
        if !isExtraFocal && !isElectron { keep *= m.offAxisFluence(r) / m.offAxisFluence.maximum }
        let geometry = state.geometry(sourceAxisDistanceCM: sad, patientPosition: patientPosition)
        let start = geometry.patientPoint(beamCM: s)
        let direction = (geometry.patientPoint(beamCM: p) - start).normalized
        guard rng.uniform() < keep else { return }
        if isElectron {
            primaries.append(PrimaryParticle(positionCM: start, direction: direction,
                                             energyMeV: model.sampleElectronEnergyMeV(&rng), charge: -1))
            return
        }
        let e = isExtraFocal ? model.sampleExtraFocalEnergyMeV(&rng) : model.samplePhotonEnergyMeV(radiusCM: r, &rng)
        primaries.append(PrimaryParticle(positionCM: start, direction: direction, energyMeV: e, charge: 0))
    }

    /// Two independent standard normal deviates (Box–Muller).
    static func gaussianPair(_ rng: inout RandomStream) -> (Double, Double) {
        let u1 = 1 - rng.uniform(), u2 = rng.uniform()
        let rho = (-2 * log(u1)).squareRoot()
        return (rho * cos(2 * .pi * u2), rho * sin(2 * .pi * u2))
    }
}
