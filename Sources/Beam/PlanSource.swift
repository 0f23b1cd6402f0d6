import Foundation
import Geometry
import Transport

/// The primary particles of a plan (one or more beams) in patient coordinates.
///
/// Each history is one *proposal*: a beam chosen with probability ∝ MU × proposal area, a moment of the
/// beam drawn uniformly in meterset (the machine state interpolated there, `BeamDelivery`), a component
/// (focal, extra-focal, contaminant electron), a point on the source plane from that component's Gaussian
/// and a point on the isocentre plane inside the beam's sampling rectangle (its jaw bounds plus a margin).
/// The proposal is kept with probability transmission × relative off-axis fluence; a rejected proposal is
/// a history that emits no primary. All draws come from the history's own stream, so the dose is
/// bit-reproducible for any thread count.
///
/// How the isocentre-plane point is drawn (`Sampling`), with the same fluence either way:
/// * `.jawRectangle`: uniform over the rectangle, every component.
/// * `.openAperture`: the focal and electron components, whose source point lies within
///   `focalSigmas` σ of the axis, draw from g(p)/G with g = 1 inside the beam's `ApertureEnvelope` (where
///   devices may be open) and g = ε (the largest device transmission) elsewhere in the rectangle, G = ∫g;
///   the proposal is kept with probability (transmission × off-axis fluence)/g ≤ 1. That is rejection
///   sampling under the envelope g, so kept photons have exactly the density of `.jawRectangle`'s, per
///   unit G instead of per unit rectangle area: each component is chosen with probability ∝ its weight ×
///   its G (the extra-focal source keeps the rectangle, G = A), and the beam's proposal area is Σ weight × G.
///   A focal source point beyond `focalSigmas` σ (probability 1.1 × 10⁻⁶) draws uniformly over the
///   rectangle instead and its primary carries the weight A/G, which keeps that point's share exact.
///   For the thorax example's MLC fields 24 % of `.jawRectangle`'s proposals are kept (docs/beam-model.md).
///
/// Normalisation: proposals have density N·p_b·π_c/G_c on beam b's isocentre plane for component c, and
/// p_b = MU_b·A_b / S with A_b = Σ_c w_c G_c and S = Σ MU_b·A_b, so every proposal stands for S/N "unit"
/// proposals of the rectangle sampler; with the machine's calibrated proposals per cm² per MU Φ₀, the dose
/// in Gy is (dose per history) × Φ₀ × S (`gyPerHistoryScale`), whichever the sampling.
public struct PlanSource: PrimarySource {
    /// How proposals are placed on the isocentre plane (the fluence is the same for both).
    public enum Sampling: String, Codable, Sendable, CaseIterable {
        /// Uniform over each beam's sampling rectangle.
        case jawRectangle
        /// Focal and electron proposals under the beam's open-aperture envelope.
        case openAperture
    }

    /// Focal source points within this half-width of the axis (in x and y), cm, draw under the envelope
    /// (5 σ of the focal spot by default: the rest, 1.1 × 10⁻⁶ of them, carry weights).
    let focalHalfWidthCM: Double

    /// A beam's envelope with what every draw under it needs, fixed when the source is made.
    struct EnvelopeDraw {
        let envelope: ApertureEnvelope
        /// ε: the largest fraction a closed device transmits (g outside the envelope).
        let closedTransmission: Double
        /// The sampling rectangle's area, cm².
        let rectangleCM2: Double
        /// G = ∫ g over the rectangle: the envelope's area plus ε times the rest, cm².
        let integralCM2: Double

        init(envelope: ApertureEnvelope, closedTransmission: Double, rectangleCM2: Double) {
            self.envelope = envelope
            self.closedTransmission = closedTransmission
            self.rectangleCM2 = rectangleCM2
            integralCM2 = envelope.areaCM2 + closedTransmission * (rectangleCM2 - envelope.areaCM2)
        }
    }

    public let model: SourceModel
    public let deliveries: [BeamDelivery]
    public let patientPosition: PatientPosition
    public let sampling: Sampling
    /// Sampling rectangle of each beam on the isocentre plane, cm (jaw bounds plus `marginCM`).
    public let samplingBounds: [Aperture]
    /// Each beam's proposal area A_b = Σ_c w_c·G_c, cm² (the rectangle's area for `.jawRectangle`).
    public let proposalAreaCM2: [Double]
    /// Each beam's open-aperture envelope and its integral G (nil: rectangle sampling for every component).
    let envelopeDraws: [EnvelopeDraw?]
    /// Per beam: the component thresholds (electron, electron + extra-focal) of the component draw.
    let componentThresholds: [(electron: Double, extraFocal: Double)]
    /// Cumulative beam-choice probabilities.
    let cumulative: [Double]
    /// S = Σ MU_b · A_b, MU·cm².
    public let muAreaSum: Double
    /// How far the sampling rectangle reaches beyond the jaws by default, cm.
    public static let defaultMarginCM = 3.0
    /// The part of the dose this source scores (nil: all of it; `OffAxisFluenceFit`'s kernel runs).
    public let kernel: OffAxisFluenceKernel?
    /// With a `.focalBasis` kernel, the hat function the focal photons are accepted with instead of the table.
    let kernelBasis: RadialTable?

    /// A source for `deliveries`; `marginCM` widens each beam's jaw bounds on the isocentre plane to
    /// catch the penumbra and the extra-focal source.
    /// - Throws: `BeamError.badPlan` when no beam delivers monitor units, when an MLC's leaf positions
    ///   do not match its pair boundaries, or when a beam's MLC has another number of layers than the machine's.
    /// With `kernel`, only that part of the dose is scored (`OffAxisFluenceKernel`; the normalisation is unchanged).
    /// - Throws: also `BeamError.badMachine` when a `.focalBasis` index is not one of the off-axis table's radii.
    public init(model: SourceModel, deliveries: [BeamDelivery], patientPosition: PatientPosition,
                marginCM: Double = PlanSource.defaultMarginCM, sampling: Sampling = .jawRectangle, kernel: OffAxisFluenceKernel? = nil) throws {
        try self.init(model: model, deliveries: deliveries, patientPosition: patientPosition, marginCM: marginCM,
                      sampling: sampling, focalSigmas: 5, kernel: kernel)
    }

    /// A source whose envelope covers focal source points within `focalSigmas` σ (tests use fewer, so
    /// that the weighted points beyond are frequent enough to check).
    init(model: SourceModel, deliveries: [BeamDelivery], patientPosition: PatientPosition, marginCM: Double,
         sampling: Sampling, focalSigmas: Double, kernel: OffAxisFluenceKernel? = nil) throws {
        let m = model.machine
        if case .focalBasis(let i) = kernel {
            guard m.offAxisFluence.radiusCM.indices.contains(i) else {
                throw BeamError.badMachine("off-axis fluence kernel \(i): machine '\(m.name)' has \(m.offAxisFluence.radiusCM.count) "
                                           + "off-axis table radii (indices 0–\(m.offAxisFluence.radiusCM.count - 1))")
            }
            kernelBasis = OffAxisFluenceKernel.basis(i, of: m.offAxisFluence)
        } else {
            kernelBasis = nil
        }
        self.kernel = kernel
        let limit = m.jaws.maximumOpeningCM + marginCM
        for d in deliveries {
            for (k, state) in d.states.enumerated() {
                let layers = state.aperture.leafLayers
                if !layers.isEmpty && (state.aperture.leaves == nil || layers.count != m.mlcLayers.count) {
                    let kind = layers.count == 2 ? "a dual-layer machine such as generic-6fff-dual" : "a single-layer machine"
                    throw BeamError.badPlan(
                        "beam \(d.number) '\(d.name)', control point \(k): the plan places \(layers.count) MLC layer"
                            + (layers.count == 1 ? "" : "s") + " but machine '\(m.name)' has \(m.mlcLayers.count); compute it "
                            + "with a machine of the plan's MLC (\(kind), or --machine FILE)")
                }
                for l in layers {
                    let pairs = l.boundariesCM.count - 1
                    guard pairs >= 1, l.bankACM.count == pairs, l.bankBCM.count == pairs,
                          zip(l.boundariesCM.dropFirst(), l.boundariesCM).allSatisfy({ $0 > $1 }) else {
                        throw BeamError.badPlan(
                            "beam \(d.number) '\(d.name)', control point \(k): the MLC gives \(l.bankACM.count) bank A and "
                                + "\(l.bankBCM.count) bank B leaf positions for \(l.boundariesCM.count) pair boundaries; it needs one "
                                + "position per pair and bank and increasing boundaries, one more than the pairs")
                    }
                }
            }
        }
        let bounds = deliveries.map { d -> Aperture in
            let b = d.jawBounds
            return Aperture(x1CM: max(b.x1CM - marginCM, -limit), x2CM: min(b.x2CM + marginCM, limit),
                            y1CM: max(b.y1CM - marginCM, -limit), y2CM: min(b.y2CM + marginCM, limit))
        }
        let we = m.electronContamination.weight, wx = m.extraFocalSource.weight
        let halfWidth = focalSigmas * m.primarySource.sigmaCM
        var envelopeDraws: [EnvelopeDraw?] = []
        var areas: [Double] = [], thresholds: [(electron: Double, extraFocal: Double)] = []
        for (d, r) in zip(deliveries, bounds) {
            let rectangle = (r.x2CM - r.x1CM) * (r.y2CM - r.y1CM)
            var envelope: EnvelopeDraw?
            if sampling == .openAperture {
                let e = ApertureEnvelope(states: d.states, machine: m, sourceHalfWidthCM: halfWidth, bounds: r)
                let draw = EnvelopeDraw(envelope: e, closedTransmission: m.mlcLayers.map(\.transmission).reduce(m.jaws.transmission, max),
                                        rectangleCM2: rectangle)
                envelope = e.areaCM2 > 0 ? draw : nil
            }
            if let g = envelope?.integralCM2 {
                let area = (1 - wx) * g + wx * rectangle
                areas.append(area)
                thresholds.append((we * g / area, (we * g + wx * rectangle) / area))
            } else {
                areas.append(rectangle)
                thresholds.append((we, we + wx))
            }
            envelopeDraws.append(envelope)
        }
        let weights = zip(deliveries, areas).map { d, a in d.monitorUnits * a }
        let total = weights.reduce(0, +)
        guard total > 0 else { throw BeamError.badPlan("the plan's beams deliver no monitor units") }
        var acc = 0.0
        cumulative = weights.map { acc += $0; return acc / total }
        muAreaSum = total
        self.model = model
        self.deliveries = deliveries
        self.patientPosition = patientPosition
        self.sampling = sampling
        focalHalfWidthCM = halfWidth
        samplingBounds = bounds
        proposalAreaCM2 = areas
        self.envelopeDraws = envelopeDraws
        componentThresholds = thresholds
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
        let isElectron = uComponent < componentThresholds[b].electron
        let isExtraFocal = !isElectron && uComponent < componentThresholds[b].extraFocal
        let sigma = isExtraFocal ? m.extraFocalSource.sigmaCM : m.primarySource.sigmaCM
        let sourceZ = isExtraFocal ? sad - m.extraFocalSource.distanceFromTargetCM : sad
        let (gx, gy) = Self.gaussianPair(&rng)
        let s = Vec3(sigma * gx, sigma * gy, sourceZ)
        // Point on the isocentre plane, the envelope's value there and the primary's weight.
        var p: Vec3
        var envelopeValue = 1.0, weight = 1.0
        if let draw = envelopeDraws[b], !isExtraFocal {
            let envelope = draw.envelope, eps = draw.closedTransmission, rectangle = draw.rectangleCM2, g = draw.integralCM2
            if abs(s.x) <= focalHalfWidthCM && abs(s.y) <= focalHalfWidthCM {
                if rng.uniform() * g < eps * rectangle {
                    p = Self.uniformPoint(in: bounds, &rng)
                } else {
                    let q = envelope.point(rng.uniform(), rng.uniform(), rng.uniform())
                    p = Vec3(q.x, q.y, 0)
                }
                envelopeValue = envelope.contains(x: p.x, y: p.y) ? 1 : eps
            } else {
                p = Self.uniformPoint(in: bounds, &rng)
                weight = rectangle / g
            }
        } else {
            p = Self.uniformPoint(in: bounds, &rng)
        }
        var keep = model.collimator.transmission(state.aperture, from: s, to: p, sourceAxisDistanceCM: sad)
        let r = (p.x * p.x + p.y * p.y).squareRoot()
        if isExtraFocal || isElectron {
            if kernel != nil && kernel != .nonFocal { return }
        } else if let basis = kernelBasis {
            keep *= basis(r)
        } else if kernel == .nonFocal {
            return
        } else {
            keep *= m.offAxisFluence(r) / m.offAxisFluence.maximum
        }
        guard rng.uniform() * envelopeValue < keep else { return }
        let geometry = state.geometry(sourceAxisDistanceCM: sad, patientPosition: patientPosition)
        let start = geometry.patientPoint(beamCM: s)
        let direction = (geometry.patientPoint(beamCM: p) - start).normalized
        if isElectron {
            primaries.append(PrimaryParticle(positionCM: start, direction: direction,
                                             energyMeV: model.sampleElectronEnergyMeV(&rng), charge: -1, weight: weight))
            return
        }
        let e = isExtraFocal ? model.sampleExtraFocalEnergyMeV(&rng) : model.samplePhotonEnergyMeV(radiusCM: r, &rng)
        primaries.append(PrimaryParticle(positionCM: start, direction: direction, energyMeV: e, charge: 0, weight: weight))
    }

    /// A point uniform over the rectangle `bounds` on the isocentre plane (two draws, x first).
    static func uniformPoint(in bounds: Aperture, _ rng: inout RandomStream) -> Vec3 {
        Vec3(bounds.x1CM + rng.uniform() * (bounds.x2CM - bounds.x1CM),
             bounds.y1CM + rng.uniform() * (bounds.y2CM - bounds.y1CM), 0)
    }

    /// Two independent standard normal deviates (Box–Muller).
    static func gaussianPair(_ rng: inout RandomStream) -> (Double, Double) {
        let u1 = 1 - rng.uniform(), u2 = rng.uniform()
        let rho = (-2 * log(u1)).squareRoot()
        return (rho * cos(2 * .pi * u2), rho * sin(2 * .pi * u2))
    }
}
