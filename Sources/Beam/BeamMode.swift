import DICOM

/// What a plan's photon beam asks of the machine that computes it: the nominal energy and whether the
/// flattening filter is out. Spectrum, off-axis profile and MU calibration all follow from the mode, so a dose
/// computed with another mode's machine is wrong by far more than any tolerance (a 6 MV FFF beam's profile
/// falls to ≈ 60 % at 10 cm off axis where a flattened beam's is ≈ 100 %); a plan is therefore computed only
/// with a machine of its beams' mode, and a mode the plan does not state clearly is refused, never guessed.
public struct BeamMode: Hashable, Sendable, CustomStringConvertible {
    /// Nominal Beam Energy (300A,0114), MV.
    public let energyMV: Double
    /// True when the beam's Primary Fluence Mode is NON_STANDARD with the identifier `FFF`.
    public let flatteningFilterFree: Bool

    /// Creates a mode.
    public init(energyMV: Double, flatteningFilterFree: Bool) {
        self.energyMV = energyMV
        self.flatteningFilterFree = flatteningFilterFree
    }

    /// The mode of a photon beam.
    /// - Throws: `BeamError.badPlan` when the beam states no nominal energy, or a non-standard fluence mode
    ///   other than `FFF` (e.g. Varian's `SRS`), whose machine only the user can name.
    public init(of beam: Beam) throws {
        let context = "beam \(beam.number) '\(beam.name)'"
        guard let energy = beam.nominalEnergy, energy > 0 else {
            throw BeamError.badPlan("\(context) has no Nominal Beam Energy (300A,0114) in its first control point")
        }
        var fff = false
        if let fluence = beam.fluenceMode, !fluence.isStandard {
            guard fluence.identifier?.uppercased() == "FFF" else {
                throw BeamError.badPlan(
                    "\(context) uses the non-standard fluence mode '\(fluence.identifier ?? "")' that Penumbra has no "
                        + "generic machine for; give --machine FILE with a machine commissioned for that mode")
            }
            fff = true
        }
        self.init(energyMV: energy, flatteningFilterFree: fff)
    }

    /// The mode a machine delivers.
    public init(of machine: MachineModel) {
        self.init(energyMV: machine.nominalEnergyMV, flatteningFilterFree: machine.flatteningFilterFree)
    }

    public var description: String {
        (energyMV.rounded() == energyMV ? String(Int(energyMV)) : String(energyMV)) + " MV"
            + (flatteningFilterFree ? " FFF" : "")
    }

    /// True when `machine` delivers this mode: the same flattening filter and a nominal energy within 0.5 MV.
    public func matches(_ machine: MachineModel) -> Bool {
        machine.flatteningFilterFree == flatteningFilterFree && abs(machine.nominalEnergyMV - energyMV) < 0.5
    }

    /// Treatment Delivery Types (300A,00CE, PS3.3 C.8.8.14) that deliver the plan's dose: TREATMENT, a treatment
    /// beam with a portal image (TRMT_PORTFILM) and the rest of an interrupted beam (CONTINUATION). SETUP,
    /// OPEN_PORTFILM and VERIFICATION beams position or image the patient and are not part of the plan's dose.
    public static let doseDeliveringTypes: Set<String> = ["TREATMENT", "TRMT_PORTFILM", "CONTINUATION"]

    /// The plan's treatment beams (setup and imaging beams left out), all of which must be photon beams metered
    /// in MU.
    /// - Throws: `BeamError.badPlan` naming an electron, proton or other non-photon treatment beam (leaving it
    ///   out silently would report a plan dose that is missing a beam), or one metered in minutes (a cobalt
    ///   unit's Primary Dosimeter Unit MINUTE: its Beam Meterset is not MU).
    public static func treatmentBeams(of plan: Plan) throws -> [Beam] {
        let treatment = plan.beams.filter { doseDeliveringTypes.contains($0.treatmentDeliveryType ?? "TREATMENT") }
        if let other = treatment.first(where: { $0.radiationType != "PHOTON" }) {
            throw BeamError.badPlan(
                "beam \(other.number) '\(other.name)' has Radiation Type \(other.radiationType); Penumbra computes photon beams "
                    + "only, so it cannot give this plan's dose")
        }
        if let timed = treatment.first(where: { ($0.primaryDosimeterUnit ?? "MU") != "MU" }) {
            throw BeamError.badPlan(
                "beam \(timed.number) '\(timed.name)' is metered in \(timed.primaryDosimeterUnit ?? "")"
                    + " (Primary Dosimeter Unit, 300A,00B3), not MU; Penumbra's machines are calibrated in MU only")
        }
        return treatment
    }

    /// The plan's beams that do not deliver treatment dose (setup and imaging beams), left out of the dose.
    public static func nonTreatmentBeams(of plan: Plan) -> [Beam] {
        plan.beams.filter { !doseDeliveringTypes.contains($0.treatmentDeliveryType ?? "TREATMENT") }
    }

    /// The machine that computes `plan`: `named` when given (it must deliver every beam's mode), else the generic
    /// machine of the beams' one mode and MLC (single- or dual-layer).
    /// - Throws: `BeamError.badPlan` for beams of different modes or MLC layers, a mode without a generic machine, or
    ///   a named machine of another mode.
    public static func machine(for plan: Plan, named: MachineModel?) throws -> MachineModel {
        var modes: [BeamMode: [Int]] = [:]
        var dualLayer: [Bool: [Int]] = [:]
        for beam in try treatmentBeams(of: plan) {
            modes[try BeamMode(of: beam), default: []].append(beam.number)
            let types = Set(beam.limitingDevices.map(\.type))
            dualLayer[BeamDelivery.dualLayerMLCTypes.allSatisfy(types.contains), default: []].append(beam.number)
        }
        let listed = modes.sorted { $0.value.min()! < $1.value.min()! }
            .map { "\($0.key) (beam\($0.value.count == 1 ? "" : "s") \($0.value.map(String.init).joined(separator: ", ")))" }
        if let named {
            if let other = modes.keys.first(where: { !$0.matches(named) }) {
                throw BeamError.badPlan(
                    "machine '\(named.name)' delivers \(BeamMode(of: named)), but the plan has \(other) beams "
                        + "(\(listed.joined(separator: "; "))); give a machine of that mode")
            }
            return named
        }
        guard modes.count <= 1 else {
            throw BeamError.badPlan(
                "the plan's beams need different machines: \(listed.joined(separator: "; ")); Penumbra computes one "
                    + "machine per run — split the plan by energy")
        }
        guard let mode = modes.keys.first else {
            throw BeamError.badPlan("the plan has no treatment beams")
        }
        guard dualLayer.count <= 1 else {
            throw BeamError.badPlan(
                "the plan's beams need different machines: a dual-layer MLC in beams "
                    + "\(dualLayer[true]!.map(String.init).joined(separator: ", ")), a single-layer MLC or none in beams "
                    + "\(dualLayer[false]!.map(String.init).joined(separator: ", ")); split the plan by machine")
        }
        let dual = dualLayer.keys.first ?? false
        guard let generic = GenericMachines.forEnergy(mode.energyMV, flatteningFilterFree: mode.flatteningFilterFree,
                                                      dualLayerMLC: dual)
        else {
            throw BeamError.badPlan(
                "no generic machine delivers \(mode)\(dual ? " with a dual-layer MLC" : "") (there are "
                    + "\(GenericMachines.names.joined(separator: ", "))); give --machine FILE with a machine commissioned for it")
        }
        return generic
    }
}
