/// The part of the DICOM data dictionary (PS3.6 §6, Table 6-1) that Penumbra reads or writes.
///
/// Implicit-VR files carry no VR (PS3.5 §7.1.3): the reader looks the tag up here, and an unknown tag
/// becomes `UN` (its bytes are kept, never interpreted). Keywords are PS3.6's.
public enum DataDictionary {
    /// The VR and keyword of one tag.
    public struct Entry: Sendable {
        /// The value representation PS3.6 gives the tag (for "OB or OW", OW).
        public let vr: VR
        /// The PS3.6 keyword.
        public let keyword: String
    }

    /// The entry for a tag, or nil when the tag is not in this dictionary.
    public static func entry(for tag: Tag) -> Entry? {
        if tag.element == 0 { return Entry(vr: .UL, keyword: "GroupLength") }  // PS3.5 §7.2
        return table[tag]
    }

    /// The VR for a tag in an implicit-VR data set: the dictionary's, else `UN`.
    public static func vr(for tag: Tag) -> VR { entry(for: tag)?.vr ?? .UN }

    private static let table: [Tag: Entry] = {
        var t: [Tag: Entry] = [:]
        for (group, element, vr, keyword) in entries { t[Tag(group, element)] = Entry(vr: vr, keyword: keyword) }
        return t
    }()

    // PS3.6 Table 6-1 and Table 7-1 (File Meta), the tags used by Penumbra.
    private static let entries: [(UInt16, UInt16, VR, String)] = [
        // File Meta Information (PS3.6 Table 7-1; PS3.10 §7.1)
        (0x0002, 0x0001, .OB, "FileMetaInformationVersion"),
        (0x0002, 0x0002, .UI, "MediaStorageSOPClassUID"),
        (0x0002, 0x0003, .UI, "MediaStorageSOPInstanceUID"),
        (0x0002, 0x0010, .UI, "TransferSyntaxUID"),
        (0x0002, 0x0012, .UI, "ImplementationClassUID"),
        (0x0002, 0x0013, .SH, "ImplementationVersionName"),
        (0x0002, 0x0016, .AE, "SourceApplicationEntityTitle"),
        // Identification, SOP Common
        (0x0008, 0x0005, .CS, "SpecificCharacterSet"),
        (0x0008, 0x0008, .CS, "ImageType"),
        (0x0008, 0x0012, .DA, "InstanceCreationDate"),
        (0x0008, 0x0013, .TM, "InstanceCreationTime"),
        (0x0008, 0x0016, .UI, "SOPClassUID"),
        (0x0008, 0x0018, .UI, "SOPInstanceUID"),
        (0x0008, 0x0020, .DA, "StudyDate"),
        (0x0008, 0x0021, .DA, "SeriesDate"),
        (0x0008, 0x0023, .DA, "ContentDate"),
        (0x0008, 0x0030, .TM, "StudyTime"),
        (0x0008, 0x0031, .TM, "SeriesTime"),
        (0x0008, 0x0033, .TM, "ContentTime"),
        (0x0008, 0x0050, .SH, "AccessionNumber"),
        (0x0008, 0x0060, .CS, "Modality"),
        (0x0008, 0x0070, .LO, "Manufacturer"),
        (0x0008, 0x0080, .LO, "InstitutionName"),
        (0x0008, 0x0090, .PN, "ReferringPhysicianName"),
        (0x0008, 0x1030, .LO, "StudyDescription"),
        (0x0008, 0x103E, .LO, "SeriesDescription"),
        (0x0008, 0x1090, .LO, "ManufacturerModelName"),
        (0x0008, 0x1140, .SQ, "ReferencedImageSequence"),
        (0x0008, 0x1150, .UI, "ReferencedSOPClassUID"),
        (0x0008, 0x1155, .UI, "ReferencedSOPInstanceUID"),
        // Patient
        (0x0010, 0x0010, .PN, "PatientName"),
        (0x0010, 0x0020, .LO, "PatientID"),
        (0x0010, 0x0030, .DA, "PatientBirthDate"),
        (0x0010, 0x0040, .CS, "PatientSex"),
        // Acquisition
        (0x0018, 0x0050, .DS, "SliceThickness"),
        (0x0018, 0x0060, .DS, "KVP"),
        (0x0018, 0x0088, .DS, "SpacingBetweenSlices"),
        (0x0018, 0x1020, .LO, "SoftwareVersions"),
        (0x0018, 0x1120, .DS, "GantryDetectorTilt"),
        (0x0018, 0x5100, .CS, "PatientPosition"),
        // Study, series, frame of reference, image plane
        (0x0020, 0x000D, .UI, "StudyInstanceUID"),
        (0x0020, 0x000E, .UI, "SeriesInstanceUID"),
        (0x0020, 0x0010, .SH, "StudyID"),
        (0x0020, 0x0011, .IS, "SeriesNumber"),
        (0x0020, 0x0013, .IS, "InstanceNumber"),
        (0x0020, 0x0032, .DS, "ImagePositionPatient"),
        (0x0020, 0x0037, .DS, "ImageOrientationPatient"),
        (0x0020, 0x0052, .UI, "FrameOfReferenceUID"),
        (0x0020, 0x1040, .LO, "PositionReferenceIndicator"),
        (0x0020, 0x1041, .DS, "SliceLocation"),
        // Image pixel
        (0x0028, 0x0002, .US, "SamplesPerPixel"),
        (0x0028, 0x0004, .CS, "PhotometricInterpretation"),
        (0x0028, 0x0008, .IS, "NumberOfFrames"),
        (0x0028, 0x0009, .AT, "FrameIncrementPointer"),
        (0x0028, 0x0010, .US, "Rows"),
        (0x0028, 0x0011, .US, "Columns"),
        (0x0028, 0x0030, .DS, "PixelSpacing"),
        (0x0028, 0x0100, .US, "BitsAllocated"),
        (0x0028, 0x0101, .US, "BitsStored"),
        (0x0028, 0x0102, .US, "HighBit"),
        (0x0028, 0x0103, .US, "PixelRepresentation"),
        (0x0028, 0x0120, .US, "PixelPaddingValue"),  // US or SS (PS3.6): read as the pixels' representation
        (0x0028, 0x0121, .US, "PixelPaddingRangeLimit"),  // US or SS
        (0x0028, 0x1050, .DS, "WindowCenter"),
        (0x0028, 0x1051, .DS, "WindowWidth"),
        (0x0028, 0x1052, .DS, "RescaleIntercept"),
        (0x0028, 0x1053, .DS, "RescaleSlope"),
        (0x0028, 0x1054, .LO, "RescaleType"),
        // RT Dose (PS3.3 C.8.8.3)
        (0x3004, 0x0002, .CS, "DoseUnits"),
        (0x3004, 0x0004, .CS, "DoseType"),
        (0x3004, 0x0006, .LO, "DoseComment"),
        (0x3004, 0x000A, .CS, "DoseSummationType"),
        (0x3004, 0x000C, .DS, "GridFrameOffsetVector"),
        (0x3004, 0x000E, .DS, "DoseGridScaling"),
        (0x3004, 0x0001, .CS, "DVHType"),
        (0x3004, 0x0050, .SQ, "DVHSequence"),
        (0x3004, 0x0052, .DS, "DVHDoseScaling"),
        (0x3004, 0x0054, .CS, "DVHVolumeUnits"),
        (0x3004, 0x0056, .IS, "DVHNumberOfBins"),
        (0x3004, 0x0058, .DS, "DVHData"),
        (0x3004, 0x0060, .SQ, "DVHReferencedROISequence"),
        (0x3004, 0x0062, .CS, "DVHROIContributionType"),
        (0x3004, 0x0070, .DS, "DVHMinimumDose"),
        (0x3004, 0x0072, .DS, "DVHMaximumDose"),
        (0x3004, 0x0074, .DS, "DVHMeanDose"),
        // RT Structure Set, ROI Contour, RT ROI Observations (PS3.3 C.8.8.5, C.8.8.6, C.8.8.8)
        (0x3006, 0x0002, .SH, "StructureSetLabel"),
        (0x3006, 0x0004, .LO, "StructureSetName"),
        (0x3006, 0x0008, .DA, "StructureSetDate"),
        (0x3006, 0x0009, .TM, "StructureSetTime"),
        (0x3006, 0x0010, .SQ, "ReferencedFrameOfReferenceSequence"),
        (0x3006, 0x0012, .SQ, "RTReferencedStudySequence"),
        (0x3006, 0x0014, .SQ, "RTReferencedSeriesSequence"),
        (0x3006, 0x0016, .SQ, "ContourImageSequence"),
        (0x3006, 0x0020, .SQ, "StructureSetROISequence"),
        (0x3006, 0x0022, .IS, "ROINumber"),
        (0x3006, 0x0024, .UI, "ReferencedFrameOfReferenceUID"),
        (0x3006, 0x0026, .LO, "ROIName"),
        (0x3006, 0x0028, .ST, "ROIDescription"),
        (0x3006, 0x002A, .IS, "ROIDisplayColor"),
        (0x3006, 0x0036, .CS, "ROIGenerationAlgorithm"),
        (0x3006, 0x0039, .SQ, "ROIContourSequence"),
        (0x3006, 0x0040, .SQ, "ContourSequence"),
        (0x3006, 0x0042, .CS, "ContourGeometricType"),
        (0x3006, 0x0046, .IS, "NumberOfContourPoints"),
        (0x3006, 0x0048, .IS, "ContourNumber"),
        (0x3006, 0x0050, .DS, "ContourData"),
        (0x3006, 0x0080, .SQ, "RTROIObservationsSequence"),
        (0x3006, 0x0082, .IS, "ObservationNumber"),
        (0x3006, 0x0084, .IS, "ReferencedROINumber"),
        (0x3006, 0x00A4, .CS, "RTROIInterpretedType"),
        (0x3006, 0x00A6, .PN, "ROIInterpreter"),
        (0x3006, 0x00B0, .SQ, "ROIPhysicalPropertiesSequence"),
        (0x3006, 0x00B2, .CS, "ROIPhysicalProperty"),
        (0x3006, 0x00B4, .DS, "ROIPhysicalPropertyValue"),
        // RT Plan: general, prescription, fraction scheme, beams (PS3.3 C.8.8.9–C.8.8.14)
        (0x300A, 0x0002, .SH, "RTPlanLabel"),
        (0x300A, 0x0003, .LO, "RTPlanName"),
        (0x300A, 0x0006, .DA, "RTPlanDate"),
        (0x300A, 0x0007, .TM, "RTPlanTime"),
        (0x300A, 0x000C, .CS, "RTPlanGeometry"),
        (0x300A, 0x0010, .SQ, "DoseReferenceSequence"),
        (0x300A, 0x0012, .IS, "DoseReferenceNumber"),
        (0x300A, 0x0014, .CS, "DoseReferenceStructureType"),
        (0x300A, 0x0016, .LO, "DoseReferenceDescription"),
        (0x300A, 0x0018, .DS, "DoseReferencePointCoordinates"),
        (0x300A, 0x0020, .CS, "DoseReferenceType"),
        (0x300A, 0x0026, .DS, "TargetPrescriptionDose"),
        (0x300A, 0x0070, .SQ, "FractionGroupSequence"),
        (0x300A, 0x0071, .IS, "FractionGroupNumber"),
        (0x300A, 0x0078, .IS, "NumberOfFractionsPlanned"),
        (0x300A, 0x0080, .IS, "NumberOfBeams"),
        (0x300A, 0x0084, .DS, "BeamDose"),
        (0x300A, 0x0086, .DS, "BeamMeterset"),
        (0x300A, 0x00A0, .IS, "NumberOfBrachyApplicationSetups"),
        (0x300A, 0x00B0, .SQ, "BeamSequence"),
        (0x300A, 0x00B2, .SH, "TreatmentMachineName"),
        (0x300A, 0x00B3, .CS, "PrimaryDosimeterUnit"),
        (0x300A, 0x00B4, .DS, "SourceAxisDistance"),
        (0x300A, 0x00B6, .SQ, "BeamLimitingDeviceSequence"),
        (0x300A, 0x00B8, .CS, "RTBeamLimitingDeviceType"),
        (0x300A, 0x00BA, .DS, "SourceToBeamLimitingDeviceDistance"),
        (0x300A, 0x00BC, .IS, "NumberOfLeafJawPairs"),
        (0x300A, 0x00BE, .DS, "LeafPositionBoundaries"),
        (0x300A, 0x00C0, .IS, "BeamNumber"),
        (0x300A, 0x00C2, .LO, "BeamName"),
        (0x300A, 0x00C3, .ST, "BeamDescription"),
        (0x300A, 0x00C4, .CS, "BeamType"),
        (0x300A, 0x00C6, .CS, "RadiationType"),
        (0x300A, 0x00CE, .CS, "TreatmentDeliveryType"),
        (0x3002, 0x0050, .SQ, "PrimaryFluenceModeSequence"),
        (0x3002, 0x0051, .CS, "FluenceMode"),
        (0x3002, 0x0052, .SH, "FluenceModeID"),
        (0x300A, 0x00D0, .IS, "NumberOfWedges"),
        (0x300A, 0x00D1, .SQ, "WedgeSequence"),
        (0x300A, 0x00E0, .IS, "NumberOfCompensators"),
        (0x300A, 0x00E3, .SQ, "CompensatorSequence"),
        (0x300A, 0x00ED, .IS, "NumberOfBoli"),
        (0x300A, 0x00F0, .IS, "NumberOfBlocks"),
        (0x300A, 0x00F4, .SQ, "BlockSequence"),
        (0x300A, 0x010E, .DS, "FinalCumulativeMetersetWeight"),
        (0x300A, 0x0110, .IS, "NumberOfControlPoints"),
        (0x300A, 0x0111, .SQ, "ControlPointSequence"),
        (0x300A, 0x0112, .IS, "ControlPointIndex"),
        (0x300A, 0x0114, .DS, "NominalBeamEnergy"),
        (0x300A, 0x0115, .DS, "DoseRateSet"),
        (0x300A, 0x011A, .SQ, "BeamLimitingDevicePositionSequence"),
        (0x300A, 0x011C, .DS, "LeafJawPositions"),
        (0x300A, 0x011E, .DS, "GantryAngle"),
        (0x300A, 0x011F, .CS, "GantryRotationDirection"),
        (0x300A, 0x0120, .DS, "BeamLimitingDeviceAngle"),
        (0x300A, 0x0121, .CS, "BeamLimitingDeviceRotationDirection"),
        (0x300A, 0x0122, .DS, "PatientSupportAngle"),
        (0x300A, 0x0123, .CS, "PatientSupportRotationDirection"),
        (0x300A, 0x0125, .DS, "TableTopEccentricAngle"),
        (0x300A, 0x0126, .CS, "TableTopEccentricRotationDirection"),
        (0x300A, 0x0128, .DS, "TableTopVerticalPosition"),
        (0x300A, 0x0129, .DS, "TableTopLongitudinalPosition"),
        (0x300A, 0x012A, .DS, "TableTopLateralPosition"),
        (0x300A, 0x012C, .DS, "IsocenterPosition"),
        (0x300A, 0x0140, .FL, "TableTopPitchAngle"),
        (0x300A, 0x0144, .FL, "TableTopRollAngle"),
        (0x300A, 0x0130, .DS, "SourceToSurfaceDistance"),
        (0x300A, 0x0134, .DS, "CumulativeMetersetWeight"),
        (0x300A, 0x0180, .SQ, "PatientSetupSequence"),
        (0x300A, 0x0182, .IS, "PatientSetupNumber"),
        (0x300A, 0x0184, .LO, "PatientAdditionalPosition"),
        // Referenced RT objects (PS3.3 C.8.8.9, C.8.8.11, C.8.8.3)
        (0x300C, 0x0002, .SQ, "ReferencedRTPlanSequence"),
        (0x300C, 0x0004, .SQ, "ReferencedBeamSequence"),
        (0x300C, 0x0006, .IS, "ReferencedBeamNumber"),
        (0x300C, 0x0020, .SQ, "ReferencedFractionGroupSequence"),
        (0x300C, 0x0022, .IS, "ReferencedFractionGroupNumber"),
        (0x300C, 0x0060, .SQ, "ReferencedStructureSetSequence"),
        (0x300C, 0x006A, .IS, "ReferencedPatientSetupNumber"),
        (0x300C, 0x0080, .SQ, "ReferencedDoseSequence"),
        (0x300C, 0x00B0, .SQ, "ReferencedBolusSequence"),
        (0x300E, 0x0002, .CS, "ApprovalStatus"),
        // Pixel data (PS3.5 §8.1)
        (0x7FE0, 0x0010, .OW, "PixelData"),
    ]
}

// MARK: - Named tags

extension Tag {
    /// Looks a tag up by PS3.6 keyword in the dictionary; traps for an unknown keyword (a programming error).
    static func named(_ keyword: String) -> Tag { DataDictionary.tag(keyword) }
}

extension DataDictionary {
    private static let byKeyword: [String: Tag] = {
        var t: [String: Tag] = [:]
        for (group, element, _, keyword) in entries { t[keyword] = Tag(group, element) }
        return t
    }()

    /// The tag for a PS3.6 keyword, or nil when the dictionary lacks it.
    public static func knownTag(_ keyword: String) -> Tag? { byKeyword[keyword] }

    static func tag(_ keyword: String) -> Tag {
        guard let tag = byKeyword[keyword] else { preconditionFailure("keyword \(keyword) is not in the dictionary") }
        return tag
    }
}
