import Analysis

/// What the phantom of a Penumbra run held besides the CT numbers: the planning system's density overrides and
/// the devices outside the patient (couch, bolus, immobilisation), from the run's `summary.json`. A physicist
/// comparing with the planning system's dose needs both: each changes the dose the way it changed the TPS's.
extension AnalysisReport {
    /// A density override the run applied (an ROI Physical Property of the structure set; docs/dicom.md).
    public struct DensityOverride: Sendable, Codable, Equatable {
        /// ROI Number and Name.
        public var roiNumber: Int, roi: String
        /// The property and its value as the structure set gives them (e.g. REL_ELEC_DENSITY 1.0).
        public var property: String, value: Double
        /// The medium and mass density (g/cm³) its voxels got.
        public var medium: String, densityGPerCM3: Double
        /// Voxels of the CT grid that hold it.
        public var voxels: Int

        /// Creates a row.
        public init(
            roiNumber: Int, roi: String, property: String, value: Double, medium: String, densityGPerCM3: Double, voxels: Int
        ) {
            (self.roiNumber, self.roi, self.property, self.value) = (roiNumber, roi, property, value)
            (self.medium, self.densityGPerCM3, self.voxels) = (medium, densityGPerCM3, voxels)
        }
    }

    /// A SUPPORT, BOLUS or FIXATION ROI the phantom holds: computed with the patient, as the planning system does.
    public struct Device: Sendable, Codable, Equatable {
        /// ROI Number, Name and RT ROI Interpreted Type.
        public var roiNumber: Int, roi: String, type: String
        /// The beams that reference it as their bolus (empty for couches and immobilisation).
        public var bolusOfBeams: [String]

        /// Creates a row.
        public init(roiNumber: Int, roi: String, type: String, bolusOfBeams: [String]) {
            (self.roiNumber, self.roi, self.type, self.bolusOfBeams) = (roiNumber, roi, type, bolusOfBeams)
        }
    }

    /// The density-override and device tables, when the report is of a run that recorded them.
    var phantomContentTables: [Table] {
        var tables: [Table] = []
        if let densityOverrides {
            tables.append(
                Table(
                    name: "density-overrides", title: "Density overrides from the structure set",
                    header: ["ROI", "property", "value", "medium", "density (g/cm³)", "voxels"],
                    rows: densityOverrides.isEmpty
                        ? [["none in the structure set", "", "", "", "", ""]]
                        : densityOverrides.map { o in
                            ["\(o.roiNumber) \(o.roi)", o.property, CSVTable.number(o.value, decimals: 3), o.medium,
                                CSVTable.number(o.densityGPerCM3, decimals: 4), String(o.voxels)]
                        }))
        }
        if let devices {
            tables.append(
                Table(
                    name: "devices", title: "Devices computed with the patient",
                    header: ["ROI", "type", "bolus of"],
                    rows: devices.isEmpty
                        ? [["none in the phantom", "", ""]]
                        : devices.map { d in
                            ["\(d.roiNumber) \(d.roi)", d.type, d.bolusOfBeams.isEmpty ? "—" : d.bolusOfBeams.joined(separator: ", ")]
                        }))
        }
        return tables
    }
}
