import Foundation

/// The in-air output ratio S_c of a source model: the photon energy fluence per MU on the beam axis at the
/// isocentre for a jaw setting, relative to the machine's reference field (AAPM TG-74, Zhu et al., Med. Phys.
/// 36(11):5261 (2009), defines S_c as the ratio of primary collision water kerma in free space per MU; a
/// miniphantom removes the contaminant electrons, so they are left out here too). Computed from the model's
/// parameters without transport, in microseconds.
///
/// `PlanSource` spreads proposals uniformly over the isocentre plane with the same density per MU for every
/// field (the machine's Φ₀), so the fluence on the axis is (proposal density) × Σ over the photon components of
/// weight × the fraction of that component's Gaussian source the axis point sees through the jaws (each jaw
/// pair letting `jaws.transmission` through where it covers the source) × its mean energy. The primary
/// (focal) source is almost point-like, so S_c's field-size dependence is the extra-focal (head-scatter)
/// source's visible fraction (the model has no monitor back-scatter: Φ₀ does not depend on the jaws).
/// Phantom scatter S_p is what the Monte Carlo adds: output factor = S_c · S_p.
public struct InAirOutputRatio: Sendable {
    /// The machine.
    public let machine: MachineModel
    /// Mean energies of the focal source's central spectrum and of the extra-focal spectrum, MeV.
    let primaryMeanEnergyMeV: Double, extraFocalMeanEnergyMeV: Double

    /// The in-air output ratio of `model`'s machine.
    public init(model: SourceModel) {
        machine = model.machine
        primaryMeanEnergyMeV = model.ringSpectra[0].meanEnergyMeV
        extraFocalMeanEnergyMeV = model.ringSpectra[model.ringSpectra.count - 1].meanEnergyMeV
    }

    /// The in-air output ratio of `machine` with the spectra of `other` (a machine that differs only in its
    /// source weights, sizes or jaws, so no spectrum has to be generated again).
    init(machine: MachineModel, meanEnergiesOf other: InAirOutputRatio) {
        self.machine = machine
        primaryMeanEnergyMeV = other.primaryMeanEnergyMeV
        extraFocalMeanEnergyMeV = other.extraFocalMeanEnergyMeV
    }

    /// Energy fluence on the axis at the isocentre per unit proposal density for `aperture`'s jaws (MeV per
    /// proposal-per-cm²).
    public func axisEnergyFluence(_ aperture: Aperture) -> Double {
        let m = machine
        let photonWeight = 1 - m.electronContamination.weight - m.extraFocalSource.weight
        let primary = photonWeight * m.offAxisFluence(0) / m.offAxisFluence.maximum
            * visibleFraction(aperture, sigmaCM: m.primarySource.sigmaCM, belowTargetCM: 0) * primaryMeanEnergyMeV
        let extraFocal = m.extraFocalSource.weight
            * visibleFraction(aperture, sigmaCM: m.extraFocalSource.sigmaCM, belowTargetCM: m.extraFocalSource.distanceFromTargetCM)
            * extraFocalMeanEnergyMeV
        return primary + extraFocal
    }

    /// S_c of a square field of side `fieldCM` (on the isocentre plane) relative to the square field of side
    /// `referenceFieldCM` (the machine's calibration field unless given).
    public func ratio(fieldCM: Double, referenceFieldCM: Double? = nil) -> Double {
        axisEnergyFluence(Self.square(fieldCM))
            / axisEnergyFluence(Self.square(referenceFieldCM ?? machine.calibration.referenceFieldCM))
    }

    /// A centred square jaw opening of side `fieldCM`.
    static func square(_ fieldCM: Double) -> Aperture {
        Aperture(x1CM: -fieldCM / 2, x2CM: fieldCM / 2, y1CM: -fieldCM / 2, y2CM: fieldCM / 2)
    }

    /// The fraction of a Gaussian source (σ `sigmaCM`, `belowTargetCM` below the target) that the axis point
    /// on the isocentre plane sees through both jaw pairs, a covered part counting with the jaws' transmission.
    /// The ray from a source point at lateral offset s to the axis point crosses a device plane at distance d
    /// from the target at s·(SAD − d)/(SAD − z_s); projected to the isocentre plane that is s·k with
    /// k = (SAD − d)·SAD / ((SAD − z_s)·d) (`PlanSource`'s projection), so a jaw pair open from j₁ to j₂
    /// passes the sources between j₁/k and j₂/k, and the Gaussian is separable in x and y.
    func visibleFraction(_ a: Aperture, sigmaCM sigma: Double, belowTargetCM zs: Double) -> Double {
        let sad = machine.sourceAxisDistanceCM, t = machine.jaws.transmission
        func pair(_ lo: Double, _ hi: Double, distanceCM d: Double) -> Double {
            let k = (sad - d) * sad / ((sad - zs) * d)
            let open: Double
            if sigma > 0 {
                let s = k * sigma * 2.0.squareRoot()
                open = 0.5 * (erf(hi / s) - erf(lo / s))
            } else {
                open = lo < 0 && hi > 0 ? 1 : 0
            }
            return open + (1 - open) * t
        }
        return pair(a.x1CM, a.x2CM, distanceCM: machine.jaws.xDistanceCM) * pair(a.y1CM, a.y2CM, distanceCM: machine.jaws.yDistanceCM)
    }
}
