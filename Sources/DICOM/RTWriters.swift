import Foundation
import Geometry

/// What every object of one synthetic or exported study shares: patient, study and frame of reference.
public struct StudyContext: Sendable {
    /// The patient (Type 2 attributes, may be empty).
    public var patient: PatientIdentity
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Frame of Reference UID shared by CT, structures, plan and dose.
    public var frameOfReferenceUID: String
    /// Study Date (DA) and Time (TM).
    public var studyDate: String, studyTime: String
    /// Study Description.
    public var description: String

    /// Creates a context.
    public init(
        patient: PatientIdentity, studyInstanceUID: String, frameOfReferenceUID: String, studyDate: String,
        studyTime: String, description: String
    ) {
        self.patient = patient
        self.studyInstanceUID = studyInstanceUID
        self.frameOfReferenceUID = frameOfReferenceUID
        self.studyDate = studyDate
        self.studyTime = studyTime
        self.description = description
    }

    /// Patient, General Study, Frame of Reference, General Equipment and SOP Common attributes
    /// (PS3.3 C.7.1.1, C.7.2.1, C.7.4.1, C.7.5.1, C.12.1).
    func common(
        modality: String, sopClassUID: String, sopInstanceUID: String, seriesInstanceUID: String, seriesNumber: Int,
        seriesDescription: String
    ) -> DataSet {
        var d = DataSet()
        d.characterSet = .latin1
        d.set("SpecificCharacterSet", DICOMCharacterSet.latin1.definedTerm)
        d.set("SOPClassUID", sopClassUID)
        d.set("SOPInstanceUID", sopInstanceUID)
        d.set("StudyDate", studyDate)
        d.set("StudyTime", studyTime)
        d.set("AccessionNumber", "")
        d.set("Modality", modality)
        d.set("Manufacturer", "Penumbra")
        d.set("ReferringPhysicianName", "")
        d.set("StudyDescription", description)
        d.set("SeriesDescription", seriesDescription)
        d.set("PatientName", patient.name)
        d.set("PatientID", patient.id)
        d.set("PatientBirthDate", patient.birthDate)
        d.set("PatientSex", patient.sex)
        d.set("SoftwareVersions", DataSetWriter.implementationVersionName)
        d.set("StudyInstanceUID", studyInstanceUID)
        d.set("SeriesInstanceUID", seriesInstanceUID)
        d.set("StudyID", "1")
        d.set("SeriesNumber", integers: [seriesNumber])
        d.set("FrameOfReferenceUID", frameOfReferenceUID)
        d.set("PositionReferenceIndicator", "")
        return d
    }
}

/// Writes a `Volume` as a CT series, one CT Image Storage file per slice (PS3.3 A.3 CT Image IOD),
/// 16-bit signed pixels holding HU (slope 1, intercept 0).
public enum CTSeriesWriter {
    /// Writes `CT_0001.dcm`, … into a folder (each through a temporary file and a rename).
    /// - Returns: the SOP Instance UIDs of the slices, in z order.
    /// - Throws: `invalidValue` for non-finite HU or geometry, `io` when a file cannot be written.
    @discardableResult
    public static func write(_ volume: Volume, context: StudyContext, to folder: URL, seriesDescription: String = "CT")
        throws -> [String]
    {
        try requireFinite(volume.huValues.lazy.map(Double.init), "HU values")
        try requireFinite(
            [
                volume.originMM.x, volume.originMM.y, volume.originMM.z, volume.spacingMM.x, volume.spacingMM.y,
                volume.spacingMM.z,
            ], "volume geometry")
        guard volume.counts.x <= 65535, volume.counts.y <= 65535 else {
            throw DICOMError(.invalidValue, "a CT slice holds at most 65535 rows and columns (US, PS3.5 §6.2)")
        }
        let seriesUID = volume.seriesInstanceUID
        var uids: [String] = []
        let plane = volume.counts.x * volume.counts.y
        for k in 0..<volume.counts.z {
            let uid = UIDGenerator.uid(derivedFrom: "\(seriesUID).\(k + 1)")
            uids.append(uid)
            var d = context.common(
                modality: "CT", sopClassUID: CTSeriesReader.ctImageStorage, sopInstanceUID: uid,
                seriesInstanceUID: seriesUID, seriesNumber: 1, seriesDescription: seriesDescription)
            let z = volume.originMM.z + Double(k) * volume.spacingMM.z
            d.set("ImageType", strings: ["ORIGINAL", "PRIMARY", "AXIAL"])
            d.set("PatientPosition", volume.patientPosition.rawValue)
            d.set("KVP", decimals: [120])
            d.set("SliceThickness", decimals: [volume.spacingMM.z])
            d.set("InstanceNumber", integers: [k + 1])
            d.set("ImagePositionPatient", decimals: [volume.originMM.x, volume.originMM.y, z])
            d.set("ImageOrientationPatient", decimals: [1, 0, 0, 0, 1, 0])
            d.set("SliceLocation", decimals: [z])
            d.set("SamplesPerPixel", uint16: [1])
            d.set("PhotometricInterpretation", "MONOCHROME2")
            d.set("Rows", uint16: [UInt16(volume.counts.y)])
            d.set("Columns", uint16: [UInt16(volume.counts.x)])
            d.set("PixelSpacing", decimals: [volume.spacingMM.y, volume.spacingMM.x])
            d.set("BitsAllocated", uint16: [16])
            d.set("BitsStored", uint16: [16])
            d.set("HighBit", uint16: [15])
            d.set("PixelRepresentation", uint16: [1])
            d.set("RescaleIntercept", decimals: [0])
            d.set("RescaleSlope", decimals: [1])
            d.set("RescaleType", "HU")
            d.set("WindowCenter", decimals: [40])
            d.set("WindowWidth", decimals: [400])
            var pixels = [UInt8](repeating: 0, count: plane * 2)
            for n in 0..<plane {
                let v = Int16(max(-32768, min(32767, volume.huValues[k * plane + n].rounded())))
                let u = UInt16(bitPattern: v)
                pixels[2 * n] = UInt8(u & 0xFF)
                pixels[2 * n + 1] = UInt8(u >> 8)
            }
            d.set("PixelData", vr: .OW, bytes: pixels)
            try DataSetWriter.write(d, to: folder.appendingPathComponent(String(format: "CT_%04d.dcm", k + 1)))
        }
        return uids
    }
}

/// An ROI to write into an RT Structure Set: closed planar contours in patient mm.
public struct ROIDefinition: Sendable {
    /// ROI Number.
    public var number: Int
    /// ROI Name.
    public var name: String
    /// RT ROI Interpreted Type (EXTERNAL, ORGAN, GTV, PTV, …).
    public var interpretedType: String
    /// Display colour, RGB 0–255.
    public var colour: (red: Int, green: Int, blue: Int)
    /// Closed planar contours, each a list of points with the same z (mm).
    public var contoursMM: [[Vec3]]

    /// Creates an ROI definition.
    public init(
        number: Int, name: String, interpretedType: String, colour: (red: Int, green: Int, blue: Int),
        contoursMM: [[Vec3]]
    ) {
        self.number = number
        self.name = name
        self.interpretedType = interpretedType
        self.colour = colour
        self.contoursMM = contoursMM
    }
}

/// Writes RT Structure Sets (PS3.3 A.19 RT Structure Set IOD).
public enum StructureSetWriter {
    /// The RT Structure Set data set.
    /// - Throws: `invalidValue` for a non-finite contour point.
    /// - Parameters:
    ///   - ctSliceUIDs: SOP Instance UIDs of the CT slices (in z order) with their z, for the
    ///     Contour Image Sequence references (C.8.8.5.3).
    public static func dataSet(
        rois: [ROIDefinition], label: String, context: StudyContext, ctSeriesUID: String,
        ctSlices: [(uid: String, zMM: Double)],
        sopInstanceUID: String, seriesInstanceUID: String
    ) throws -> DataSet {
        for roi in rois {
            try requireFinite(roi.contoursMM.joined().flatMap { [$0.x, $0.y, $0.z] }, "contour points of \(roi.name)")
        }
        var d = context.common(
            modality: "RTSTRUCT", sopClassUID: StructureSet.sopClassUID, sopInstanceUID: sopInstanceUID,
            seriesInstanceUID: seriesInstanceUID, seriesNumber: 2, seriesDescription: label)
        d.set("StructureSetLabel", label)
        d.set("StructureSetDate", context.studyDate)
        d.set("StructureSetTime", context.studyTime)
        func imageReference(_ uid: String) -> DataSet {
            var r = DataSet()
            r.set("ReferencedSOPClassUID", CTSeriesReader.ctImageStorage)
            r.set("ReferencedSOPInstanceUID", uid)
            return r
        }
        var series = DataSet()
        series.set("SeriesInstanceUID", ctSeriesUID)
        series.set("ContourImageSequence", items: ctSlices.map { imageReference($0.uid) })
        var study = DataSet()
        study.set("ReferencedSOPClassUID", "1.2.840.10008.3.1.2.3.1")  // Detached Study Management (C.8.8.5 convention)
        study.set("ReferencedSOPInstanceUID", context.studyInstanceUID)
        study.set("RTReferencedSeriesSequence", items: [series])
        var frame = DataSet()
        frame.set("FrameOfReferenceUID", context.frameOfReferenceUID)
        frame.set("RTReferencedStudySequence", items: [study])
        d.set("ReferencedFrameOfReferenceSequence", items: [frame])

        var roiItems: [DataSet] = [], contourItems: [DataSet] = [], observationItems: [DataSet] = []
        for roi in rois {
            var r = DataSet()
            r.set("ROINumber", integers: [roi.number])
            r.set("ReferencedFrameOfReferenceUID", context.frameOfReferenceUID)
            r.set("ROIName", roi.name)
            r.set("ROIGenerationAlgorithm", "AUTOMATIC")
            roiItems.append(r)
            var c = DataSet()
            c.set("ROIDisplayColor", integers: [roi.colour.red, roi.colour.green, roi.colour.blue])
            c.set("ReferencedROINumber", integers: [roi.number])
            var contours: [DataSet] = []
            for (n, points) in roi.contoursMM.enumerated() where !points.isEmpty {
                var item = DataSet()
                if let slice = ctSlices.min(by: { abs($0.zMM - points[0].z) < abs($1.zMM - points[0].z) }),
                    abs(slice.zMM - points[0].z) < 1e-3
                {
                    item.set("ContourImageSequence", items: [imageReference(slice.uid)])
                }
                item.set("ContourGeometricType", "CLOSED_PLANAR")
                item.set("NumberOfContourPoints", integers: [points.count])
                item.set("ContourNumber", integers: [n + 1])
                item.set(
                    "ContourData",
                    decimals: points.flatMap { [($0.x * 100).rounded() / 100, ($0.y * 100).rounded() / 100, $0.z] })
                contours.append(item)
            }
            if !contours.isEmpty { c.set("ContourSequence", items: contours) }
            contourItems.append(c)
            var o = DataSet()
            o.set("ObservationNumber", integers: [roi.number])
            o.set("ReferencedROINumber", integers: [roi.number])
            o.set("RTROIInterpretedType", roi.interpretedType)
            o.set("ROIInterpreter", "")
            observationItems.append(o)
        }
        d.set("StructureSetROISequence", items: roiItems)
        d.set("ROIContourSequence", items: contourItems)
        d.set("RTROIObservationsSequence", items: observationItems)
        d.set("ApprovalStatus", "UNAPPROVED")
        return d
    }
}

/// Writes RT Plans (PS3.3 A.20 RT Plan IOD) from a `Plan` value.
public enum PlanWriter {
    /// The RT Plan data set.
    /// - Parameters:
    ///   - prescriptionGy: the target prescription for the Dose Reference Sequence, when known.
    ///   - patientPosition: the Patient Setup Sequence's position.
    /// - Throws: `invalidValue` for a non-finite number anywhere in the plan.
    public static func dataSet(
        _ plan: Plan, context: StudyContext, seriesInstanceUID: String, prescriptionGy: Double?,
        patientPosition: PatientPosition
    ) throws -> DataSet {
        let fractionNumbers: [Double] = plan.fractionGroups.flatMap {
            Array($0.beamMetersetsMU.values) + Array($0.beamDosesGy.values)
        }
        try requireFinite(fractionNumbers + [prescriptionGy ?? 0], "fraction groups")
        for beam in plan.beams {
            var numbers: [Double] = [beam.sourceAxisDistanceMM, beam.finalCumulativeMetersetWeight]
            for device in beam.limitingDevices { numbers += device.leafBoundariesMM + [device.sourceDistanceMM ?? 0] }
            for cp in beam.controlPoints {
                numbers += [
                    cp.cumulativeMetersetWeight, cp.nominalBeamEnergy ?? 0, cp.doseRate ?? 0, cp.gantryAngleDeg,
                    cp.collimatorAngleDeg, cp.couchAngleDeg,
                ]
                numbers += [cp.isocentreMM?.x ?? 0, cp.isocentreMM?.y ?? 0, cp.isocentreMM?.z ?? 0]
                numbers += cp.devicePositionsMM.values.flatMap { $0 }
            }
            try requireFinite(numbers, "beam \(beam.number) '\(beam.name)'")
        }
        var d = context.common(
            modality: "RTPLAN", sopClassUID: Plan.sopClassUID, sopInstanceUID: plan.sopInstanceUID,
            seriesInstanceUID: seriesInstanceUID, seriesNumber: 3, seriesDescription: plan.label)
        d.set("RTPlanLabel", plan.label)
        d.set("RTPlanDate", context.studyDate)
        d.set("RTPlanTime", context.studyTime)
        d.set("RTPlanGeometry", plan.referencedStructureSetUID == nil ? "TREATMENT_DEVICE" : "PATIENT")
        if let ss = plan.referencedStructureSetUID {
            var r = DataSet()
            r.set("ReferencedSOPClassUID", StructureSet.sopClassUID)
            r.set("ReferencedSOPInstanceUID", ss)
            d.set("ReferencedStructureSetSequence", items: [r])
        }
        if let prescriptionGy {
            var r = DataSet()
            r.set("DoseReferenceNumber", integers: [1])
            r.set("DoseReferenceStructureType", "SITE")
            r.set("DoseReferenceDescription", "PTV")
            r.set("DoseReferenceType", "TARGET")
            r.set("TargetPrescriptionDose", decimals: [prescriptionGy])
            d.set("DoseReferenceSequence", items: [r])
        }
        d.set(
            "FractionGroupSequence",
            items: plan.fractionGroups.map { g in
                var f = DataSet()
                f.set("FractionGroupNumber", integers: [g.number])
                if let n = g.fractionsPlanned { f.set("NumberOfFractionsPlanned", integers: [n]) }
                f.set("NumberOfBeams", integers: [g.beamMetersetsMU.count])
                f.set("NumberOfBrachyApplicationSetups", integers: [0])
                f.set(
                    "ReferencedBeamSequence",
                    items: g.beamMetersetsMU.keys.sorted().map { beam in
                        var r = DataSet()
                        r.set("ReferencedBeamNumber", integers: [beam])
                        if let gy = g.beamDosesGy[beam] { r.set("BeamDose", decimals: [gy]) }
                        r.set("BeamMeterset", decimals: [g.beamMetersetsMU[beam]!])
                        return r
                    })
                return f
            })
        var setup = DataSet()
        setup.set("PatientPosition", patientPosition.rawValue)
        setup.set("PatientSetupNumber", integers: [1])
        d.set("PatientSetupSequence", items: [setup])
        d.set("BeamSequence", items: plan.beams.map(beamItem))
        d.set("ApprovalStatus", "UNAPPROVED")
        return d
    }

    private static func beamItem(_ beam: Beam) -> DataSet {
        var b = DataSet()
        b.set("BeamNumber", integers: [beam.number])
        b.set("BeamName", beam.name)
        b.set("BeamType", beam.type)
        b.set("RadiationType", beam.radiationType)
        if let m = beam.machineName { b.set("TreatmentMachineName", m) }
        if let u = beam.primaryDosimeterUnit { b.set("PrimaryDosimeterUnit", u) }
        b.set("SourceAxisDistance", decimals: [beam.sourceAxisDistanceMM])
        b.set(
            "BeamLimitingDeviceSequence",
            items: beam.limitingDevices.map { dev in
                var x = DataSet()
                x.set("RTBeamLimitingDeviceType", dev.type)
                if let s = dev.sourceDistanceMM { x.set("SourceToBeamLimitingDeviceDistance", decimals: [s]) }
                x.set("NumberOfLeafJawPairs", integers: [dev.pairCount])
                if !dev.leafBoundariesMM.isEmpty { x.set("LeafPositionBoundaries", decimals: dev.leafBoundariesMM) }
                return x
            })
        if let t = beam.treatmentDeliveryType { b.set("TreatmentDeliveryType", t) }
        if let fluence = beam.fluenceMode {
            var mode = DataSet()
            mode.set("FluenceMode", fluence.mode)
            if let id = fluence.identifier { mode.set("FluenceModeID", id) }
            b.set("PrimaryFluenceModeSequence", items: [mode])
        }
        b.set("NumberOfWedges", integers: [0])
        b.set("NumberOfCompensators", integers: [0])
        b.set("NumberOfBoli", integers: [0])
        b.set("NumberOfBlocks", integers: [0])
        b.set("FinalCumulativeMetersetWeight", decimals: [beam.finalCumulativeMetersetWeight])
        b.set("NumberOfControlPoints", integers: [beam.controlPoints.count])
        b.set("ReferencedPatientSetupNumber", integers: [1])
        // PS3.3 C.8.8.14.5: the first control point states everything; later ones only what changes.
        var previous: ControlPoint?
        b.set(
            "ControlPointSequence",
            items: beam.controlPoints.map { cp in
                var c = DataSet()
                c.set("ControlPointIndex", integers: [cp.index])
                if previous == nil, let e = cp.nominalBeamEnergy { c.set("NominalBeamEnergy", decimals: [e]) }
                if previous == nil, let r = cp.doseRate { c.set("DoseRateSet", decimals: [r]) }
                let changed = cp.devicePositionsMM.keys.sorted().filter {
                    previous?.devicePositionsMM[$0] != cp.devicePositionsMM[$0]
                }
                if !changed.isEmpty {
                    let order = beam.limitingDevices.map(\.type)
                    c.set(
                        "BeamLimitingDevicePositionSequence",
                        items: changed.sorted { (order.firstIndex(of: $0) ?? 99) < (order.firstIndex(of: $1) ?? 99) }
                            .map { type in
                                var p = DataSet()
                                p.set("RTBeamLimitingDeviceType", type)
                                p.set("LeafJawPositions", decimals: cp.devicePositionsMM[type]!)
                                return p
                            })
                }
                if previous == nil || previous!.gantryAngleDeg != cp.gantryAngleDeg
                    || previous!.gantryRotation != cp.gantryRotation
                {
                    c.set("GantryAngle", decimals: [cp.gantryAngleDeg])
                    c.set("GantryRotationDirection", cp.gantryRotation.rawValue)
                }
                if previous == nil || previous!.collimatorAngleDeg != cp.collimatorAngleDeg {
                    c.set("BeamLimitingDeviceAngle", decimals: [cp.collimatorAngleDeg])
                    c.set("BeamLimitingDeviceRotationDirection", cp.collimatorRotation.rawValue)
                }
                if previous == nil || previous!.couchAngleDeg != cp.couchAngleDeg {
                    c.set("PatientSupportAngle", decimals: [cp.couchAngleDeg])
                    c.set("PatientSupportRotationDirection", cp.couchRotation.rawValue)
                }
                if previous == nil {
                    c.set("TableTopEccentricAngle", decimals: [0])
                    c.set("TableTopEccentricRotationDirection", "NONE")
                    if let iso = cp.isocentreMM { c.set("IsocenterPosition", decimals: [iso.x, iso.y, iso.z]) }
                }
                c.set("CumulativeMetersetWeight", decimals: [cp.cumulativeMetersetWeight])
                previous = cp
                return c
            })
        return b
    }
}

/// Throws `invalidValue` when a value is NaN or infinite (DS text cannot hold them, PS3.5 §6.2).
func requireFinite(_ values: some Sequence<Double>, _ what: String) throws {
    if let bad = values.first(where: { !$0.isFinite }) {
        throw DICOMError(.invalidValue, "\(what) hold \(bad), which DICOM cannot encode; every number must be finite")
    }
}
