import Foundation

/// A linac's virtual source model as stored in a machine file (JSON): everything the beam model needs to
/// turn a plan's control points into primary particles and monitor units into Gy.
///
/// Coordinates are IEC 61217 beam-limiting-device coordinates ("b"): the target at Zb = SAD, positions
/// projected onto the isocentre plane unless a name says otherwise. Every field is documented in
/// docs/beam-model.md, with the published data the generic machines were commissioned against.
public struct MachineModel: Codable, Sendable, Equatable {
    /// Machine name, matched against a plan's Treatment Machine Name only for the log.
    public var name: String
    /// Nominal energy (MV), matched against the plan's Nominal Beam Energy.
    public var nominalEnergyMV: Double
    /// True for a flattening-filter-free beam.
    public var flatteningFilterFree: Bool
    /// Source-axis distance, cm.
    public var sourceAxisDistanceCM: Double
    /// How the photon spectrum is generated.
    public var spectrum: SpectrumModel
    /// The focal (primary) source.
    public var primarySource: FocalSource
    /// The extra-focal (head-scatter) source.
    public var extraFocalSource: ExtraFocalSource
    /// Relative photon fluence of the primary source in air on the isocentre plane versus radius.
    public var offAxisFluence: RadialTable
    /// Contaminant electrons reaching the patient.
    public var electronContamination: ElectronContamination
    /// The X and Y jaws.
    public var jaws: Jaws
    /// The multileaf collimator: its one layer, or the first layer of a stacked MLC (the layer a plan's first MLC
    /// device of a known stacked pair places: Halcyon/Ethos MLCX1, the distal layer; `BeamDelivery`).
    public var mlc: MultileafCollimator
    /// A stacked MLC's further layers, in the order of the plan's further MLC devices (Halcyon/Ethos: one, MLCX2,
    /// the proximal layer); each at its own distance from the source with its own transmission, leaf-end offset and
    /// tongue-and-groove. Absent (nil) for a single-layer MLC: every machine file written before stacked MLCs.
    public var stackedMLCLayers: [MultileafCollimator]?
    /// Monitor-unit calibration.
    public var calibration: Calibration

    /// Parameters of the generated spectrum (`BremsstrahlungSpectrumGenerator`).
    public struct SpectrumModel: Codable, Sendable, Equatable {
        /// Kinetic energy of the electrons on the target, MeV.
        public var electronEnergyMeV: Double
        /// Target material (a Physics material name, e.g. `W`).
        public var targetMaterial: String
        /// Mass thickness of target the photons cross on average, g/cm² (about half the target).
        public var targetSelfAttenuationGPerCM2: Double
        /// Flattening-filter (or, FFF, the thin plate's) material, e.g. `CU`.
        public var filterMaterial: String
        /// Filter mass thickness on the central axis, g/cm².
        public var filterCentralGPerCM2: Double
        /// Filter mass thickness at `filterEdgeRadiusCM` (linear in between), g/cm².
        public var filterEdgeGPerCM2: Double
        /// Radius on the isocentre plane where the filter reaches its edge thickness, cm.
        public var filterEdgeRadiusCM: Double
        /// Number of radial rings with their own spectrum (off-axis softening), ≥ 1.
        public var rings: Int
    }

    /// A Gaussian focal spot at the target.
    public struct FocalSource: Codable, Sendable, Equatable {
        /// Standard deviation of the spot in Xb and Yb, cm.
        public var sigmaCM: Double
    }

    /// A broad Gaussian source at the flattening filter: photons scattered in the head.
    public struct ExtraFocalSource: Codable, Sendable, Equatable {
        /// Fraction of all photons that come from this source (open 10×10 reference field).
        public var weight: Double
        /// Standard deviation in Xb and Yb, cm.
        public var sigmaCM: Double
        /// Distance below the target, cm.
        public var distanceFromTargetCM: Double
    }

    /// Electrons from the head and air; a simple model: exponential energy spectrum, same aperture.
    public struct ElectronContamination: Codable, Sendable, Equatable {
        /// Fraction of all primaries that are electrons.
        public var weight: Double
        /// Mean kinetic energy of the exponential spectrum, MeV.
        public var meanEnergyMeV: Double
        /// Largest kinetic energy, MeV.
        public var maximumEnergyMeV: Double
    }

    /// X and Y jaws: distances from the target and transmission.
    public struct Jaws: Codable, Sendable, Equatable {
        /// Distance of the X jaws' midplane from the target, cm.
        public var xDistanceCM: Double
        /// Distance of the Y jaws' midplane from the target, cm.
        public var yDistanceCM: Double
        /// Fraction of fluence a closed jaw transmits.
        public var transmission: Double
        /// Largest opening of a jaw from the axis on the isocentre plane, cm (open jaws when a plan gives none).
        public var maximumOpeningCM: Double
    }

    /// A multileaf collimator (or one layer of a stacked MLC): distance, transmission and leaf-end offset.
    public struct MultileafCollimator: Codable, Sendable, Equatable {
        /// Distance of the leaves' midplane from the target, cm.
        public var distanceCM: Double
        /// Fraction of fluence a leaf transmits (leakage averaged over leaf bodies and interleaf gaps).
        public var transmission: Double
        /// Rounded leaf ends: each leaf tip's radiation edge lies this far behind its nominal position on
        /// the isocentre plane (half the dosimetric leaf gap), cm.
        public var leafEndOffsetCM: Double
        /// Tongue-and-groove: width on the isocentre plane, centred on each leaf boundary, where only one
        /// of two adjacent leaves' tongue or groove attenuates; 0 disables it, cm.
        public var tongueAndGrooveWidthCM: Double
        /// The leaf-end offset by tip position, for MLCs not light-field calibrated at every position; nil (absent from
        /// the file): `leafEndOffsetCM` everywhere.
        public var leafEndOffsetTable: LeafEndOffsetTable? = nil
    }

    /// Monitor-unit calibration: 1 MU gives `doseGyPerMU` in water at `referenceDepthCM` on the axis
    /// of a `referenceFieldCM` square field at SSD `referenceSSDCM`.
    public struct Calibration: Codable, Sendable, Equatable {
        /// Side of the square reference field on the isocentre plane, cm.
        public var referenceFieldCM: Double
        /// Source-to-surface distance of the reference set-up, cm.
        public var referenceSSDCM: Double
        /// Reference depth, cm.
        public var referenceDepthCM: Double
        /// Dose at the reference point per MU, Gy.
        public var doseGyPerMU: Double
        /// Source proposals per cm² on the isocentre plane per MU (`PlanSource`), computed by `MUCalibration`;
        /// nil until the machine has been calibrated.
        public var proposalsPerCM2PerMU: Double?
    }

    /// Checks every value; the message names the field and the machine.
    public func validate() throws {
        func check(_ ok: Bool, _ what: String) throws {
            if !ok { throw BeamError.badMachine("machine '\(name)': \(what)") }
        }
        try check(nominalEnergyMV > 0 && nominalEnergyMV <= 25, "nominalEnergyMV must be in (0, 25]")
        try check(sourceAxisDistanceCM > 50 && sourceAxisDistanceCM < 200, "sourceAxisDistanceCM must be in (50, 200)")
        try check(spectrum.electronEnergyMeV > 0.5 && spectrum.electronEnergyMeV <= 25,
                  "spectrum.electronEnergyMeV must be in (0.5, 25] (the physics tables end at 25 MeV)")
        try check(spectrum.targetSelfAttenuationGPerCM2 >= 0 && spectrum.filterCentralGPerCM2 >= 0
                  && spectrum.filterEdgeGPerCM2 >= 0, "spectrum mass thicknesses must not be negative")
        try check(spectrum.filterEdgeRadiusCM > 0, "spectrum.filterEdgeRadiusCM must be positive")
        try check(spectrum.rings >= 1 && spectrum.rings <= 100, "spectrum.rings must be 1…100")
        try check(primarySource.sigmaCM >= 0 && primarySource.sigmaCM < 1, "primarySource.sigmaCM must be in [0, 1)")
        try check(extraFocalSource.weight >= 0 && extraFocalSource.weight < 0.5, "extraFocalSource.weight must be in [0, 0.5)")
        try check(extraFocalSource.sigmaCM > 0 && extraFocalSource.distanceFromTargetCM > 0
                  && extraFocalSource.distanceFromTargetCM < jaws.yDistanceCM,
                  "extraFocalSource needs a positive sigma and a distance between the target and the jaws")
        try check(electronContamination.weight >= 0 && electronContamination.weight < 0.2,
                  "electronContamination.weight must be in [0, 0.2)")
        try check(electronContamination.meanEnergyMeV > 0
                  && electronContamination.maximumEnergyMeV > electronContamination.meanEnergyMeV,
                  "electronContamination needs 0 < meanEnergyMeV < maximumEnergyMeV")
        try check(extraFocalSource.weight + electronContamination.weight < 0.5, "source weights sum above 0.5")
        for (d, what) in [(jaws.xDistanceCM, "jaws.xDistanceCM"), (jaws.yDistanceCM, "jaws.yDistanceCM")] {
            try check(d > 0 && d < sourceAxisDistanceCM, "\(what) must lie between the target and the isocentre")
        }
        try check(jaws.transmission >= 0 && jaws.transmission < 0.2, "jaws.transmission must be in [0, 0.2)")
        try check(jaws.maximumOpeningCM > 0, "jaws.maximumOpeningCM must be positive")
        let layers = [("mlc", mlc)] + (stackedMLCLayers ?? []).enumerated().map { ("stackedMLCLayers[\($0.offset)]", $0.element) }
        try check(stackedMLCLayers.map { !$0.isEmpty } ?? true, "stackedMLCLayers must hold a layer or be left out")
        for (what, layer) in layers {
            try check(layer.distanceCM > 0 && layer.distanceCM < sourceAxisDistanceCM,
                      "\(what).distanceCM must lie between the target and the isocentre")
            try check(layer.transmission >= 0 && layer.transmission < 0.2, "\(what).transmission must be in [0, 0.2)")
            try check(abs(layer.leafEndOffsetCM) < 0.5, "\(what).leafEndOffsetCM must be within ±0.5 cm")
            try layer.leafEndOffsetTable?.validate(what: "machine '\(name)': \(what).leafEndOffsetTable")
            try check(layer.tongueAndGrooveWidthCM >= 0 && layer.tongueAndGrooveWidthCM < 0.2,
                      "\(what).tongueAndGrooveWidthCM must be in [0, 0.2)")
        }
        try offAxisFluence.validate(what: "machine '\(name)': offAxisFluence")
        try check(calibration.referenceFieldCM > 0 && calibration.referenceSSDCM > 0 && calibration.referenceDepthCM > 0
                  && calibration.doseGyPerMU > 0, "calibration values must be positive")
        if let p = calibration.proposalsPerCM2PerMU { try check(p > 0 && p.isFinite, "calibration.proposalsPerCM2PerMU must be positive") }
    }

    /// Every layer of the MLC: `mlc`, then the stacked layers.
    public var mlcLayers: [MultileafCollimator] { [mlc] + (stackedMLCLayers ?? []) }

    /// Reads and validates a machine file.
    public static func read(_ url: URL) throws -> MachineModel {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BeamError.badMachine("cannot read machine file \(url.path): \(error.localizedDescription)")
        }
        let model: MachineModel
        do { model = try JSONDecoder().decode(MachineModel.self, from: data) } catch {
            throw BeamError.badMachine("machine file \(url.path) is not a valid machine model: \(error)")
        }
        try model.validate()
        return model
    }

    /// The machine as pretty-printed JSON.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }
}

/// A function of radius given at points, interpolated linearly and held constant beyond the ends.
public struct RadialTable: Codable, Sendable, Equatable {
    /// Radii, cm, increasing from 0.
    public var radiusCM: [Double]
    /// Values at those radii.
    public var value: [Double]

    /// Creates a table.
    public init(radiusCM: [Double], value: [Double]) {
        self.radiusCM = radiusCM
        self.value = value
    }

    /// The value at radius `r` (cm).
    public func callAsFunction(_ r: Double) -> Double {
        guard r > radiusCM[0] else { return value[0] }
        for i in 1..<radiusCM.count where r <= radiusCM[i] {
            let t = (r - radiusCM[i - 1]) / (radiusCM[i] - radiusCM[i - 1])
            return value[i - 1] + t * (value[i] - value[i - 1])
        }
        return value[value.count - 1]
    }

    /// The largest value.
    public var maximum: Double { value.max() ?? 0 }

    func validate(what: String) throws {
        guard radiusCM.count == value.count, !radiusCM.isEmpty, radiusCM[0] == 0 else {
            throw BeamError.badMachine("\(what): needs equal-length radiusCM and value arrays starting at radius 0")
        }
        guard zip(radiusCM.dropFirst(), radiusCM).allSatisfy({ $0 > $1 }) else {
            throw BeamError.badMachine("\(what): radii must increase")
        }
        guard value.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw BeamError.badMachine("\(what): values must be positive")
        }
    }
}

/// Why a beam model, plan or aperture cannot be used.
public enum BeamError: Error, CustomStringConvertible, Equatable {
    case badMachine(String)
    case badPlan(String)
    case notCalibrated(String)

    public var description: String {
        switch self {
        case .badMachine(let s), .badPlan(let s), .notCalibrated(let s): s
        }
    }
}
