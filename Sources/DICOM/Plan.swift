import Foundation
import Geometry

/// An RT Plan for external photon or electron beams (PS3.3 C.8.8.9 RT General Plan, C.8.8.13 RT
/// Fraction Scheme, C.8.8.14 RT Beams), kept in DICOM's units: mm and degrees, named so.
///
/// Control points are resolved: PS3.3 C.8.8.14.5 lets a control point omit what did not change since
/// the previous one; every `ControlPoint` here carries the full state.
public struct Plan: Sendable {
    /// SOP Instance UID of the plan.
    public let sopInstanceUID: String
    /// RT Plan Label (300A,0002).
    public let label: String
    /// Study Instance UID.
    public let studyInstanceUID: String
    /// Frame of Reference UID (0020,0052), when the plan states it.
    public let frameOfReferenceUID: String?
    /// The referenced RT Structure Set's SOP Instance UID, when given.
    public let referencedStructureSetUID: String?
    /// The patient's identity as written in the plan, for copying into derived objects (never logged).
    public let patient: PatientIdentity
    /// Fraction groups (300A,0070).
    public let fractionGroups: [FractionGroup]
    /// Beams (300A,00B0).
    public let beams: [Beam]
    /// Features present in the plan that Penumbra does not model (wedges, blocks, compensators), one line
    /// each; empty when the plan is fully supported. Boli are in `boli`: they are modelled when their ROI is in
    /// the phantom (`unmodelledFeatures(bolusROIsInPhantom:)`).
    public let unsupportedFeatures: [String]
    /// The boli of the beams that have any (Number of Boli, 300A,00ED, and Referenced Bolus Sequence, 300C,00B0).
    public let boli: [BeamBoli]
    /// Values that were absent and filled with a documented default, and encoding problems worked around,
    /// one line each.
    public internal(set) var notes: [String]

    /// RT Plan Storage (PS3.4 Annex B).
    public static let sopClassUID = "1.2.840.10008.5.1.4.1.1.481.5"

    /// The monitor units of a beam in a fraction group (Beam Meterset, 300A,0086), or nil.
    public func metersetMU(beamNumber: Int, fractionGroup: Int? = nil) -> Double? {
        let groups = fractionGroup.map { n in fractionGroups.filter { $0.number == n } } ?? fractionGroups
        return groups.lazy.compactMap { $0.beamMetersetsMU[beamNumber] }.first
    }
}

/// Patient Name, ID, Birth Date and Sex as written in an object (Type 2 attributes; may be empty).
public struct PatientIdentity: Sendable, Equatable {
    /// Patient's Name (0010,0010).
    public var name: String
    /// Patient ID (0010,0020).
    public var id: String
    /// Patient's Birth Date (0010,0030).
    public var birthDate: String
    /// Patient's Sex (0010,0040).
    public var sex: String

    /// Creates an identity.
    public init(name: String = "", id: String = "", birthDate: String = "", sex: String = "") {
        self.name = name
        self.id = id
        self.birthDate = birthDate
        self.sex = sex
    }

    init(_ d: DataSet) {
        self.init(
            name: d.string("PatientName") ?? "", id: d.string("PatientID") ?? "",
            birthDate: d.string("PatientBirthDate") ?? "", sex: d.string("PatientSex") ?? "")
    }
}

/// A fraction group: how many fractions, and each beam's monitor units per fraction (PS3.3 C.8.8.13).
public struct FractionGroup: Sendable {
    /// Fraction Group Number (300A,0071).
    public let number: Int
    /// Number of Fractions Planned (300A,0078), when given.
    public let fractionsPlanned: Int?
    /// Beam Meterset (300A,0086) per Referenced Beam Number, in the beam's dosimeter unit (MU).
    public let beamMetersetsMU: [Int: Double]
    /// Beam Dose (300A,0084) per Referenced Beam Number, Gy, when given.
    public let beamDosesGy: [Int: Double]
    /// Every Referenced Beam Number (300C,0006) of the group, with or without a Beam Meterset.
    public let referencedBeams: Set<Int>

    /// Creates a fraction group; `referencedBeams` defaults to the beams with a meterset or dose.
    public init(
        number: Int, fractionsPlanned: Int?, beamMetersetsMU: [Int: Double], beamDosesGy: [Int: Double] = [:],
        referencedBeams: Set<Int>? = nil
    ) {
        self.number = number
        self.fractionsPlanned = fractionsPlanned
        self.beamMetersetsMU = beamMetersetsMU
        self.beamDosesGy = beamDosesGy
        self.referencedBeams = referencedBeams ?? Set(beamMetersetsMU.keys).union(beamDosesGy.keys)
    }
}

/// A gantry, collimator or couch rotation direction (PS3.3 C.8.8.14.8): clockwise, counter-clockwise, none.
public enum RotationDirection: String, Sendable {
    /// Clockwise (IEC 61217 viewpoint).
    case CW
    /// Counter-clockwise.
    case CC
    /// No rotation.
    case NONE
}

/// A beam (PS3.3 C.8.8.14).
public struct Beam: Sendable {
    /// Beam Number (300A,00C0).
    public let number: Int
    /// Beam Name (300A,00C2).
    public let name: String
    /// Beam Type (300A,00C4): STATIC or DYNAMIC.
    public let type: String
    /// Radiation Type (300A,00C6): PHOTON, ELECTRON, …
    public let radiationType: String
    /// Treatment Delivery Type (300A,00CE): TREATMENT, SETUP, … (nil when absent).
    public let treatmentDeliveryType: String?
    /// Treatment Machine Name (300A,00B2).
    public let machineName: String?
    /// Primary Dosimeter Unit (300A,00B3): MU or MINUTE.
    public let primaryDosimeterUnit: String?
    /// Source-Axis Distance (300A,00B4), mm.
    public let sourceAxisDistanceMM: Double
    /// Beam limiting devices (jaws and MLCs) with their geometry.
    public let limitingDevices: [BeamLimitingDevice]
    /// Final Cumulative Meterset Weight (300A,010E).
    public let finalCumulativeMetersetWeight: Double
    /// Control points, fully resolved.
    public let controlPoints: [ControlPoint]
    /// The Primary Fluence Mode Sequence's (3002,0050) mode; nil when the plan does not say (standard fluence).
    public let fluenceMode: FluenceMode?
    /// How the patient lies for this beam: Patient Position (0018,5100) of the Patient Setup (300A,0180) the
    /// beam references (Referenced Patient Setup Number, 300C,006A), or of the plan's only setup; for a setup
    /// that gives only Patient Additional Position (300A,0184), that text. Nil when the plan has no setup.
    public let patientPosition: String?

    /// The nominal energy of the first control point (MV for photons, MeV for electrons).
    public var nominalEnergy: Double? { controlPoints.first?.nominalBeamEnergy }
    /// The MLC device (MLCX or MLCY), if any.
    public var mlc: BeamLimitingDevice? { limitingDevices.first { $0.type.hasPrefix("MLC") } }

    /// Creates a beam.
    public init(
        number: Int, name: String, type: String, radiationType: String, treatmentDeliveryType: String?,
        machineName: String?,
        primaryDosimeterUnit: String?, sourceAxisDistanceMM: Double, limitingDevices: [BeamLimitingDevice],
        finalCumulativeMetersetWeight: Double, controlPoints: [ControlPoint], fluenceMode: FluenceMode? = nil,
        patientPosition: String? = nil
    ) {
        self.number = number
        self.name = name
        self.type = type
        self.radiationType = radiationType
        self.treatmentDeliveryType = treatmentDeliveryType
        self.machineName = machineName
        self.primaryDosimeterUnit = primaryDosimeterUnit
        self.sourceAxisDistanceMM = sourceAxisDistanceMM
        self.limitingDevices = limitingDevices
        self.finalCumulativeMetersetWeight = finalCumulativeMetersetWeight
        self.controlPoints = controlPoints
        self.fluenceMode = fluenceMode
        self.patientPosition = patientPosition
    }
}

/// A beam's primary fluence mode (PS3.3 C.8.8.14, Primary Fluence Mode Sequence (3002,0050)): how the machine
/// shapes the beam, e.g. with its flattening filter removed. The identifiers of non-standard modes are the
/// vendor's (Varian TrueBeam writes `FFF` for its flattening-filter-free beams, `SRS` for 6X SRS).
public struct FluenceMode: Sendable, Equatable {
    /// Fluence Mode (3002,0051): `STANDARD` or `NON_STANDARD`.
    public let mode: String
    /// Fluence Mode ID (3002,0052), given for a `NON_STANDARD` mode.
    public let identifier: String?

    /// Creates a fluence mode.
    public init(mode: String, identifier: String?) {
        self.mode = mode
        self.identifier = identifier
    }

    /// True for the standard (flattened) fluence.
    public var isStandard: Bool { mode == "STANDARD" }
}

/// A beam-limiting device: jaws (X, Y, ASYMX, ASYMY) or an MLC (MLCX, MLCY) (PS3.3 C.8.8.14.2).
public struct BeamLimitingDevice: Sendable {
    /// RT Beam Limiting Device Type (300A,00B8).
    public let type: String
    /// Source to Beam Limiting Device Distance (300A,00BA), mm, when given.
    public let sourceDistanceMM: Double?
    /// Number of Leaf/Jaw Pairs (300A,00BC).
    public let pairCount: Int
    /// Leaf Position Boundaries (300A,00BE), mm at the isocentre plane: `pairCount + 1` values (MLC only).
    public let leafBoundariesMM: [Double]

    /// Creates a beam-limiting device.
    public init(type: String, sourceDistanceMM: Double?, pairCount: Int, leafBoundariesMM: [Double]) {
        self.type = type
        self.sourceDistanceMM = sourceDistanceMM
        self.pairCount = pairCount
        self.leafBoundariesMM = leafBoundariesMM
    }
}

/// One control point with the full machine state (PS3.3 C.8.8.14.5).
public struct ControlPoint: Sendable {
    /// Control Point Index (300A,0112).
    public let index: Int
    /// Cumulative Meterset Weight (300A,0134).
    public let cumulativeMetersetWeight: Double
    /// Nominal Beam Energy (300A,0114), MV or MeV.
    public let nominalBeamEnergy: Double?
    /// Dose Rate Set (300A,0115), MU/min.
    public let doseRate: Double?
    /// Gantry Angle (300A,011E), degrees (IEC 61217).
    public let gantryAngleDeg: Double
    /// Gantry Rotation Direction (300A,011F).
    public let gantryRotation: RotationDirection
    /// Beam Limiting Device Angle (300A,0120), degrees.
    public let collimatorAngleDeg: Double
    /// Beam Limiting Device Rotation Direction (300A,0121).
    public let collimatorRotation: RotationDirection
    /// Patient Support Angle (300A,0122), degrees.
    public let couchAngleDeg: Double
    /// Patient Support Rotation Direction (300A,0123).
    public let couchRotation: RotationDirection
    /// Isocenter Position (300A,012C), patient coordinates, mm.
    public let isocentreMM: Vec3?
    /// Leaf/Jaw Positions (300A,011C) per device type, mm at the isocentre plane; for jaws [1, 2],
    /// for an MLC all bank-A leaves then all bank-B leaves.
    public let devicePositionsMM: [String: [Double]]
    /// Table Top Eccentric Angle (300A,0125), Table Top Pitch Angle (300A,0140) and Table Top Roll Angle
    /// (300A,0144), degrees: the couch top's own rotations (a 6-degree-of-freedom couch's corrections), 0 when absent.
    public let tableTopAnglesDeg: (eccentric: Double, pitch: Double, roll: Double)

    /// Creates a control point.
    public init(
        index: Int, cumulativeMetersetWeight: Double, nominalBeamEnergy: Double?, doseRate: Double?,
        gantryAngleDeg: Double,
        gantryRotation: RotationDirection = .NONE, collimatorAngleDeg: Double = 0,
        collimatorRotation: RotationDirection = .NONE,
        couchAngleDeg: Double = 0, couchRotation: RotationDirection = .NONE, isocentreMM: Vec3?,
        devicePositionsMM: [String: [Double]], tableTopAnglesDeg: (eccentric: Double, pitch: Double, roll: Double) = (0, 0, 0)
    ) {
        self.index = index
        self.cumulativeMetersetWeight = cumulativeMetersetWeight
        self.nominalBeamEnergy = nominalBeamEnergy
        self.doseRate = doseRate
        self.gantryAngleDeg = gantryAngleDeg
        self.gantryRotation = gantryRotation
        self.collimatorAngleDeg = collimatorAngleDeg
        self.collimatorRotation = collimatorRotation
        self.couchAngleDeg = couchAngleDeg
        self.couchRotation = couchRotation
        self.isocentreMM = isocentreMM
        self.devicePositionsMM = devicePositionsMM
        self.tableTopAnglesDeg = tableTopAnglesDeg
    }
}

// MARK: - Reading

extension Plan {
    /// Reads an RT Plan from a file.
    public init(contentsOf url: URL) throws {
        let file = try DICOMFile.read(contentsOf: url)
        do { try self.init(file.dataSet) } catch let e as DICOMError { throw e.inFile(url.path) }
        notes = file.notes + notes
    }

    /// Builds a plan from a parsed data set.
    /// - Throws: `DICOMError` naming the beam and control point of the first inconsistency.
    public init(_ d: DataSet) throws {
        let sopClass = d.string("SOPClassUID")
        guard sopClass == Self.sopClassUID || d.string("Modality") == "RTPLAN" else {
            throw DICOMError(
                .unsupported,
                "not an RT Plan (SOP Class \(sopClass ?? "missing")); Penumbra reads RT Plan Storage (\(Self.sopClassUID))"
            )
        }
        sopInstanceUID = d.string("SOPInstanceUID") ?? ""
        label = d.string("RTPlanLabel") ?? ""
        studyInstanceUID = d.string("StudyInstanceUID") ?? ""
        frameOfReferenceUID = d.string("FrameOfReferenceUID")
        referencedStructureSetUID = try d.sequence("ReferencedStructureSetSequence")?.first?.string(
            "ReferencedSOPInstanceUID")
        patient = PatientIdentity(d)
        var groups: [FractionGroup] = []
        for (n, g) in (try d.sequence("FractionGroupSequence") ?? []).enumerated() {
            var mu: [Int: Double] = [:], gy: [Int: Double] = [:], referenced: Set<Int> = []
            for (m, ref) in (try g.sequence("ReferencedBeamSequence") ?? []).enumerated() {
                let context = "FractionGroupSequence item \(n), ReferencedBeamSequence item \(m)"
                let beam = try ref.requiredInt("ReferencedBeamNumber", for: context)
                referenced.insert(beam)
                if let v = try ref.double("BeamMeterset") {
                    guard v >= 0 else { throw DICOMError(.invalidValue, "\(context): Beam Meterset \(v) is negative") }
                    mu[beam] = v
                }
                if let v = try ref.double("BeamDose") { gy[beam] = v }
            }
            groups.append(
                FractionGroup(
                    number: try g.int("FractionGroupNumber") ?? n + 1,
                    fractionsPlanned: try g.int("NumberOfFractionsPlanned"), beamMetersetsMU: mu, beamDosesGy: gy,
                    referencedBeams: referenced))
        }
        fractionGroups = groups
        var unsupported: [String] = []
        var boli: [BeamBoli] = []
        var notes: [String] = []
        var setups: [Int: String] = [:]
        for (n, s) in (try d.sequence("PatientSetupSequence") ?? []).enumerated() {
            if let position = s.string("PatientPosition") ?? s.string("PatientAdditionalPosition") {
                setups[try s.int("PatientSetupNumber") ?? n + 1] = position
            }
        }
        var beams: [Beam] = []
        for (n, b) in (try d.sequence("BeamSequence") ?? []).enumerated() {
            beams.append(try Self.beam(b, item: n, setups: setups, unsupported: &unsupported, boli: &boli, notes: &notes))
        }
        // A fraction group that delivers a beam the plan does not hold would lose that beam's dose.
        for group in groups {
            let missing = group.referencedBeams.subtracting(beams.map(\.number)).sorted()
            if !missing.isEmpty {
                throw DICOMError(
                    .invalidValue,
                    "fraction group \(group.number) references beam\(missing.count == 1 ? "" : "s") "
                        + "\(missing.map(String.init).joined(separator: ", ")) that the Beam Sequence does not hold "
                        + "(beams: \(beams.map { String($0.number) }.joined(separator: ", "))); export the complete plan")
            }
        }
        self.beams = beams
        unsupportedFeatures = unsupported
        self.boli = boli
        self.notes = notes
    }

    private static func beam(
        _ b: DataSet, item: Int, setups: [Int: String], unsupported: inout [String], boli: inout [BeamBoli],
        notes: inout [String]
    ) throws -> Beam {
        let number = try b.requiredInt("BeamNumber", for: "BeamSequence item \(item)")
        let name = b.string("BeamName") ?? "beam \(number)"
        let context = "beam \(number) '\(name)'"
        for (keyword, sequence, what) in [
            ("NumberOfWedges", "WedgeSequence", "wedge"), ("NumberOfBlocks", "BlockSequence", "block"),
            ("NumberOfCompensators", "CompensatorSequence", "compensator"),
        ] {
            let count = max(try b.int(keyword) ?? 0, try b.sequence(sequence)?.count ?? 0)
            if count > 0 {
                unsupported.append("\(context): \(count) \(what)\(count == 1 ? "" : "s") (not modelled by Penumbra)")
            }
        }
        let bolusROIs = try (b.sequence("ReferencedBolusSequence") ?? []).enumerated().map { k, item in
            try item.requiredInt("ReferencedROINumber", for: "\(context), ReferencedBolusSequence item \(k)")
        }
        let bolusCount = max(try b.int("NumberOfBoli") ?? 0, bolusROIs.count)
        if bolusCount > 0 {
            boli.append(BeamBoli(beam: context, count: bolusCount, roiNumbers: bolusROIs))
        }

        var devices: [BeamLimitingDevice] = []
        for (m, dev) in (try b.sequence("BeamLimitingDeviceSequence") ?? []).enumerated() {
            let where_ = "\(context), BeamLimitingDeviceSequence item \(m)"
            let type = try dev.requiredString("RTBeamLimitingDeviceType", for: where_)
            let pairs = try dev.requiredInt("NumberOfLeafJawPairs", for: where_)
            let boundaries = try dev.doubles("LeafPositionBoundaries") ?? []
            if type.hasPrefix("MLC") {
                guard pairs > 0, boundaries.count == pairs + 1 else {
                    throw DICOMError(
                        .invalidValue,
                        "\(where_): \(type) has \(pairs) leaf pairs but \(boundaries.count) Leaf Position Boundaries (expected \(pairs + 1))"
                    )
                }
                guard zip(boundaries.dropFirst(), boundaries).allSatisfy({ $0 > $1 }) else {
                    throw DICOMError(.invalidValue, "\(where_): Leaf Position Boundaries of \(type) are not increasing")
                }
            }
            devices.append(
                BeamLimitingDevice(
                    type: type, sourceDistanceMM: try dev.double("SourceToBeamLimitingDeviceDistance"),
                    pairCount: pairs, leafBoundariesMM: boundaries))
        }
        let items = try b.sequence("ControlPointSequence") ?? []
        guard !items.isEmpty else {
            throw DICOMError(.missingAttribute, "\(context) has no control points (300A,0111)")
        }
        if let declared = try b.int("NumberOfControlPoints"), declared != items.count {
            throw DICOMError(
                .invalidValue,
                "\(context): Number of Control Points says \(declared) but the sequence holds \(items.count)")
        }
        var points: [ControlPoint] = []
        var energy: Double?, rate: Double?, gantry: Double?, collimator: Double?, couch: Double?
        var gantryDir = RotationDirection.NONE, collimatorDir = RotationDirection.NONE,
            couchDir = RotationDirection.NONE
        var iso: Vec3?
        var positions: [String: [Double]] = [:]
        var eccentric = 0.0, pitch = 0.0, roll = 0.0
        for (k, cp) in items.enumerated() {
            let where_ = "\(context), control point \(k)"
            energy = try cp.double("NominalBeamEnergy") ?? energy
            rate = try cp.double("DoseRateSet") ?? rate
            gantry = try cp.double("GantryAngle") ?? gantry
            collimator = try cp.double("BeamLimitingDeviceAngle") ?? collimator
            couch = try cp.double("PatientSupportAngle") ?? couch
            eccentric = try cp.double("TableTopEccentricAngle") ?? eccentric
            pitch = try cp.double("TableTopPitchAngle") ?? pitch
            roll = try cp.double("TableTopRollAngle") ?? roll
            if let s = cp.string("GantryRotationDirection") { gantryDir = try direction(s, where_) }
            if let s = cp.string("BeamLimitingDeviceRotationDirection") { collimatorDir = try direction(s, where_) }
            if let s = cp.string("PatientSupportRotationDirection") { couchDir = try direction(s, where_) }
            if let p = try cp.doubles("IsocenterPosition") {
                guard p.count == 3 else {
                    throw DICOMError(.invalidValue, "\(where_): Isocenter Position has \(p.count) values, not 3")
                }
                iso = Vec3(p[0], p[1], p[2])
            }
            for dev in try cp.sequence("BeamLimitingDevicePositionSequence") ?? [] {
                let type = try dev.requiredString("RTBeamLimitingDeviceType", for: where_)
                let values = try dev.requiredDoubles("LeafJawPositions", for: "\(where_) (\(type))")
                // Positions of a device the beam does not declare cannot be placed (no leaf boundaries, no pair
                // count); leaving them out would compute the beam without that collimation.
                guard let device = devices.first(where: { $0.type == type }) else {
                    throw DICOMError(
                        .invalidValue,
                        "\(where_): Leaf/Jaw Positions for \(type), which the beam's Beam Limiting Device Sequence "
                            + "(300A,00B6) does not declare (it has \(devices.map(\.type).joined(separator: ", "))); "
                            + "export the plan again with its complete collimator description")
                }
                if values.count != 2 * device.pairCount {
                    throw DICOMError(
                        .invalidValue,
                        "\(where_): \(type) has \(values.count) Leaf/Jaw Positions for \(device.pairCount) pairs (expected \(2 * device.pairCount))"
                    )
                }
                let half = values.count / 2
                if let bad = (0..<half).first(where: { values[$0] > values[$0 + half] + 1e-6 }) {
                    throw DICOMError(
                        .invalidValue,
                        "\(where_): \(type) pair \(bad + 1) has bank A at \(values[bad]) mm beyond bank B at \(values[bad + half]) mm"
                    )
                }
                positions[type] = values
            }
            guard let g = gantry else {
                throw DICOMError(
                    .missingAttribute,
                    "\(where_): Gantry Angle (300A,011E) is missing; the first control point must give it (PS3.3 C.8.8.14.5)"
                )
            }
            if k == 0 && collimator == nil { notes.append("\(context): no Beam Limiting Device Angle; using 0°") }
            if k == 0 && couch == nil { notes.append("\(context): no Patient Support Angle; using 0°") }
            guard let weight = try cp.double("CumulativeMetersetWeight") else {
                throw DICOMError(.missingAttribute, "\(where_): Cumulative Meterset Weight (300A,0134) is missing")
            }
            if let previous = points.last, weight < previous.cumulativeMetersetWeight - 1e-9 {
                throw DICOMError(
                    .invalidValue,
                    "\(where_): Cumulative Meterset Weight \(weight) decreases (previous \(previous.cumulativeMetersetWeight))"
                )
            }
            points.append(
                ControlPoint(
                    index: try cp.int("ControlPointIndex") ?? k, cumulativeMetersetWeight: weight,
                    nominalBeamEnergy: energy, doseRate: rate,
                    gantryAngleDeg: g, gantryRotation: gantryDir, collimatorAngleDeg: collimator ?? 0,
                    collimatorRotation: collimatorDir,
                    couchAngleDeg: couch ?? 0, couchRotation: couchDir, isocentreMM: iso, devicePositionsMM: positions,
                    tableTopAnglesDeg: (eccentric, pitch, roll)))
        }
        let final = try b.double("FinalCumulativeMetersetWeight") ?? points.last!.cumulativeMetersetWeight
        // PS3.3 C.8.8.14.1: the last control point's weight equals the final cumulative weight.
        if abs(points.last!.cumulativeMetersetWeight - final) > 1e-6 * max(1, abs(final)) {
            throw DICOMError(
                .invalidValue,
                "\(context): the last control point's Cumulative Meterset Weight \(points.last!.cumulativeMetersetWeight) differs from Final Cumulative Meterset Weight \(final)"
            )
        }
        let setupNumber = try b.int("ReferencedPatientSetupNumber")
        var position = setupNumber.flatMap { setups[$0] } ?? (setups.count == 1 ? setups.values.first : nil)
        if let setupNumber, setups[setupNumber] == nil, setups.count > 1 {
            position = nil
            notes.append(
                "\(context): its Patient Setup \(setupNumber) gives no patient position; the CT's is used")
        }
        let sad = try b.double("SourceAxisDistance")
        if sad == nil { notes.append("\(context): no Source-Axis Distance; using 1000 mm") }
        return Beam(
            number: number, name: name, type: b.string("BeamType") ?? "STATIC",
            radiationType: b.string("RadiationType") ?? "PHOTON",
            treatmentDeliveryType: b.string("TreatmentDeliveryType"), machineName: b.string("TreatmentMachineName"),
            primaryDosimeterUnit: b.string("PrimaryDosimeterUnit"), sourceAxisDistanceMM: sad ?? 1000,
            limitingDevices: devices, finalCumulativeMetersetWeight: final, controlPoints: points,
            fluenceMode: try fluenceMode(b, context), patientPosition: position)
    }

    /// The first item of the beam's Primary Fluence Mode Sequence, if any; NON_STANDARD needs its Fluence Mode ID
    /// (PS3.3 C.8.8.14: Type 1C "if Fluence Mode is NON_STANDARD").
    private static func fluenceMode(_ b: DataSet, _ context: String) throws -> FluenceMode? {
        guard let item = try b.sequence("PrimaryFluenceModeSequence")?.first else { return nil }
        let mode = try item.requiredString("FluenceMode", for: "\(context), Primary Fluence Mode Sequence")
        guard mode == "STANDARD" || mode == "NON_STANDARD" else {
            throw DICOMError(.invalidValue, "\(context): Fluence Mode (3002,0051) is '\(mode)', not STANDARD or NON_STANDARD")
        }
        let identifier = item.string("FluenceModeID")
        if mode == "NON_STANDARD" && (identifier ?? "").isEmpty {
            throw DICOMError(
                .missingAttribute, "\(context): Fluence Mode is NON_STANDARD but Fluence Mode ID (3002,0052) is missing")
        }
        return FluenceMode(mode: mode, identifier: identifier)
    }

    private static func direction(_ text: String, _ where_: String) throws -> RotationDirection {
        guard let d = RotationDirection(rawValue: text) else {
            throw DICOMError(.invalidValue, "\(where_): rotation direction '\(text)' is not CW, CC or NONE")
        }
        return d
    }
}
