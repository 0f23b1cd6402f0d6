import Foundation
import Geometry

/// Writes a computed dose grid as an RT Dose object (PS3.3 A.18 RT Dose IOD; C.8.8.3 RT Dose module).
///
/// Pixel data are 32-bit unsigned integers scaled by Dose Grid Scaling (3004,000E) so that the maximum
/// dose uses the full range; the scaling is written as a DS string and the pixels are quantised with the
/// value read back from that string, so `pixel × scaling` reproduces the dose to 1 part in 4·10⁹ of the
/// maximum. Frames are planes of constant z with a relative Grid Frame Offset Vector (first value 0).
public enum RTDoseWriter {
    /// What the dose sums.
    public enum Summation: Sendable, Equatable {
        /// The whole plan (Dose Summation Type PLAN).
        case plan
        /// One beam (BEAM), referenced by its Beam Number in fraction group `fractionGroup`.
        case beam(number: Int, fractionGroup: Int)
        /// One fraction group of a plan with several (FRACTION, PS3.3 C.8.8.3.2: "dose calculated for a single
        /// Fraction Group within RT Plan").
        case fractionGroup(Int)
    }

    /// The objects an RT Dose refers to and copies its patient and study from.
    public struct References: Sendable {
        /// The study the plan belongs to.
        public var studyInstanceUID: String
        /// The frame of reference of the CT and plan.
        public var frameOfReferenceUID: String
        /// The RT Plan the dose was computed for.
        public var planSOPInstanceUID: String
        /// Patient identity copied from the plan (Type 2: may be empty).
        public var patient: PatientIdentity

        /// Creates references.
        public init(
            studyInstanceUID: String, frameOfReferenceUID: String, planSOPInstanceUID: String, patient: PatientIdentity
        ) {
            self.studyInstanceUID = studyInstanceUID
            self.frameOfReferenceUID = frameOfReferenceUID
            self.planSOPInstanceUID = planSOPInstanceUID
            self.patient = patient
        }

        /// The references of a plan read from DICOM.
        /// - Throws: `missingAttribute` when the plan has no Frame of Reference UID.
        public init(plan: Plan) throws {
            guard let frame = plan.frameOfReferenceUID else {
                throw DICOMError(
                    .missingAttribute,
                    "the RT Plan has no Frame of Reference UID (0020,0052); the dose cannot be placed")
            }
            self.init(
                studyInstanceUID: plan.studyInstanceUID, frameOfReferenceUID: frame,
                planSOPInstanceUID: plan.sopInstanceUID, patient: plan.patient)
        }
    }

    /// Builds the RT Dose data set.
    /// - Parameters:
    ///   - grid: the dose grid, cm, corner origin (converted here to DICOM's mm and voxel centres).
    ///   - doseGy: dose per voxel, Gy, x fastest; finite and ≥ 0.
    ///   - summation: what the dose sums.
    ///   - references: plan, study and frame of reference.
    ///   - comment: Dose Comment (3004,0006), e.g. the number of histories and mean uncertainty.
    ///   - seriesInstanceUID, sopInstanceUID: new UIDs by default.
    /// - Throws: `invalidValue` for a dose array that does not fit the grid or holds negative or
    ///   non-finite values.
    public static func dataSet(
        grid: VoxelGrid, doseGy: [Double], summation: Summation, references: References, comment: String? = nil,
        seriesInstanceUID: String = UIDGenerator.make(), sopInstanceUID: String = UIDGenerator.make(),
        now: Date = Date()
    ) throws -> DataSet {
        guard doseGy.count == grid.voxelCount else {
            throw DICOMError(
                .invalidValue, "the dose array has \(doseGy.count) values for a grid of \(grid.voxelCount) voxels")
        }
        if let bad = doseGy.firstIndex(where: { !$0.isFinite || $0 < 0 }) {
            throw DICOMError(.invalidValue, "voxel \(bad) has dose \(doseGy[bad]) Gy; doses must be finite and ≥ 0")
        }
        let maximum = doseGy.max() ?? 0
        // DS text is what readers see: quantise with the value parsed back from it.
        let scalingText = DataSet.decimalString(maximum > 0 ? maximum / Double(UInt32.max - 1) : 1)
        let scaling = Double(scalingText)!
        var pixels = [UInt8](repeating: 0, count: doseGy.count * 4)
        for (n, d) in doseGy.enumerated() {
            let v = UInt32(min((d / scaling).rounded(), Double(UInt32.max)))
            pixels[4 * n] = UInt8(v & 0xFF)
            pixels[4 * n + 1] = UInt8((v >> 8) & 0xFF)
            pixels[4 * n + 2] = UInt8((v >> 16) & 0xFF)
            pixels[4 * n + 3] = UInt8(v >> 24)
        }
        let spacingMM = grid.spacingCM * 10
        let firstCentreMM = (grid.originCM + grid.spacingCM * 0.5) * 10
        let (date, time) = dateTime(now)

        var d = DataSet()
        d.characterSet = .latin1
        // SOP Common (C.12.1)
        d.set("SpecificCharacterSet", DICOMCharacterSet.latin1.definedTerm)
        d.set("SOPClassUID", DoseVolume.sopClassUID)
        d.set("SOPInstanceUID", sopInstanceUID)
        d.set("InstanceCreationDate", date)
        d.set("InstanceCreationTime", time)
        // Patient (C.7.1.1) and General Study (C.7.2.1): Type 2, copied from the plan.
        d.set("PatientName", references.patient.name)
        d.set("PatientID", references.patient.id)
        d.set("PatientBirthDate", references.patient.birthDate)
        d.set("PatientSex", references.patient.sex)
        d.set("StudyInstanceUID", references.studyInstanceUID)
        d.set("StudyDate", "")
        d.set("StudyTime", "")
        d.set("ReferringPhysicianName", "")
        d.set("StudyID", "")
        d.set("AccessionNumber", "")
        // RT Series (C.8.8.1), General Equipment (C.7.5.1), Frame of Reference (C.7.4.1)
        d.set("Modality", "RTDOSE")
        d.set("SeriesInstanceUID", seriesInstanceUID)
        d.set("SeriesNumber", "")
        d.set("SeriesDescription", "Penumbra Monte Carlo dose")
        d.set("Manufacturer", "Penumbra")
        d.set("ManufacturerModelName", "Penumbra Monte Carlo")
        d.set("SoftwareVersions", DataSetWriter.implementationVersionName)
        d.set("FrameOfReferenceUID", references.frameOfReferenceUID)
        d.set("PositionReferenceIndicator", "")
        // General Image (C.7.6.1), Image Plane (C.7.6.2), Image Pixel (C.7.6.3), Multi-frame (C.7.6.6)
        d.set("InstanceNumber", integers: [1])
        d.set("ContentDate", date)
        d.set("ContentTime", time)
        d.set("ImagePositionPatient", decimals: [firstCentreMM.x, firstCentreMM.y, firstCentreMM.z])
        d.set("ImageOrientationPatient", decimals: [1, 0, 0, 0, 1, 0])
        d.set("PixelSpacing", decimals: [spacingMM.y, spacingMM.x])  // row spacing (y) first, C.7.6.2.1.1
        d.set("SliceThickness", decimals: [spacingMM.z])
        d.set("SamplesPerPixel", uint16: [1])
        d.set("PhotometricInterpretation", "MONOCHROME2")
        d.set("Rows", uint16: [UInt16(grid.counts.y)])
        d.set("Columns", uint16: [UInt16(grid.counts.x)])
        d.set("BitsAllocated", uint16: [32])
        d.set("BitsStored", uint16: [32])
        d.set("HighBit", uint16: [31])
        d.set("PixelRepresentation", uint16: [0])
        d.set("NumberOfFrames", integers: [grid.counts.z])
        d.set("FrameIncrementPointer", tags: [Tag.named("GridFrameOffsetVector")])
        // RT Dose (C.8.8.3)
        d.set("DoseUnits", "GY")
        d.set("DoseType", "PHYSICAL")
        if let comment { d.set("DoseComment", String(comment.prefix(64))) }
        d.set("GridFrameOffsetVector", decimals: (0..<grid.counts.z).map { Double($0) * spacingMM.z })
        d.set("DoseGridScaling", scalingText)
        var planReference = DataSet()
        planReference.set("ReferencedSOPClassUID", Plan.sopClassUID)
        planReference.set("ReferencedSOPInstanceUID", references.planSOPInstanceUID)
        switch summation {
        case .plan:
            d.set("DoseSummationType", "PLAN")
        case .beam(let number, let group):
            d.set("DoseSummationType", "BEAM")
            var beam = DataSet()
            beam.set("ReferencedBeamNumber", integers: [number])
            var fractionGroup = DataSet()
            fractionGroup.set("ReferencedBeamSequence", items: [beam])
            fractionGroup.set("ReferencedFractionGroupNumber", integers: [group])
            planReference.set("ReferencedFractionGroupSequence", items: [fractionGroup])
        case .fractionGroup(let group):
            d.set("DoseSummationType", "FRACTION")
            var fractionGroup = DataSet()
            fractionGroup.set("ReferencedFractionGroupNumber", integers: [group])
            planReference.set("ReferencedFractionGroupSequence", items: [fractionGroup])
        }
        d.set("ReferencedRTPlanSequence", items: [planReference])
        d.set("PixelData", vr: .OW, bytes: pixels)
        return d
    }

    /// Writes an RT Dose file (through a temporary file and a rename).
    public static func write(
        grid: VoxelGrid, doseGy: [Double], summation: Summation, references: References, comment: String? = nil,
        to url: URL
    ) throws {
        let d = try dataSet(grid: grid, doseGy: doseGy, summation: summation, references: references, comment: comment)
        try DataSetWriter.write(d, to: url)
    }

    /// DA and TM strings (PS3.5 §6.2) for a moment, in UTC.
    static func dateTime(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ v: Int?) -> String { String(format: "%02d", v ?? 0) }
        return (
            String(format: "%04d", c.year ?? 1970) + two(c.month) + two(c.day),
            two(c.hour) + two(c.minute) + two(c.second)
        )
    }
}
