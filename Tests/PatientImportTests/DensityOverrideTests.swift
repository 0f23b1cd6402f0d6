import DICOM
import Foundation
import Geometry
import Phantom
import Physics
import Testing

@testable import PatientImport

@Suite("Structure set density overrides and devices outside the EXTERNAL ROI")
struct DensityOverrideTests {
    static let physics = Result { try PhysicsData.bundled() }

    /// An ROI of the test structure sets: a box (mm, on the 5 mm voxel edges) on every slice, and its properties.
    struct Box {
        var name: String
        var type: String
        var xMM: ClosedRange<Double>
        var yMM: ClosedRange<Double>
        var properties: [(String, Double?)] = []
    }

    static let body = Box(name: "BODY", type: "EXTERNAL", xMM: -30...30, yMM: -30...30)
    /// 18 × 2 voxels per slice below the body: 144 voxels.
    static let couchBox = Box(name: "Couch", type: "SUPPORT", xMM: -45...45, yMM: 35...45)
    static let couchVoxels = 144

    /// The 20 × 20 × 4 volume of `PatientImportTests` (5 mm voxels, edges on multiples of 5 mm): 0 HU, −300 HU in the
    /// couch box, 1200 HU in the central 4 × 4 voxels.
    static let volume: Volume = {
        var hu = [Float](repeating: 0, count: 1600)
        for k in 0..<4 {
            for j in 0..<20 {
                for i in 0..<20 {
                    if (17...18).contains(j) && (1...18).contains(i) { hu[i + 20 * j + 400 * k] = -300 }
                    if (8...11).contains(j) && (8...11).contains(i) { hu[i + 20 * j + 400 * k] = 1200 }
                }
            }
        }
        return Volume(
            counts: (20, 20, 4), originMM: Vec3(-47.5, -47.5, -4.5), spacingMM: Vec3(5, 5, 3), huValues: hu,
            patientPosition: .headFirstSupine, seriesInstanceUID: "1.2.3.5", frameOfReferenceUID: "1.2.3.4",
            studyInstanceUID: "1.2.3")
    }()

    static func index(_ i: Int, _ j: Int, _ k: Int) -> Int { i + 20 * j + 400 * k }

    /// A structure set written by our writer, with ROI Physical Properties added to the RT ROI Observations.
    static func structureSet(_ boxes: [Box]) throws -> StructureSet {
        let context = StudyContext(
            patient: PatientIdentity(), studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4", studyDate: "",
            studyTime: "", description: "")
        var d = try StructureSetWriter.dataSet(
            rois: boxes.enumerated().map { n, b in
                let contours = [-4.5, -1.5, 1.5, 4.5].map { z in
                    [
                        Vec3(b.xMM.lowerBound, b.yMM.lowerBound, z), Vec3(b.xMM.upperBound, b.yMM.lowerBound, z),
                        Vec3(b.xMM.upperBound, b.yMM.upperBound, z), Vec3(b.xMM.lowerBound, b.yMM.upperBound, z),
                    ]
                }
                return ROIDefinition(number: n + 1, name: b.name, interpretedType: b.type, colour: (0, 255, 0), contoursMM: contours)
            },
            label: "T", context: context, ctSeriesUID: "1.2.3.5", ctSlices: [], sopInstanceUID: "1.2.3.6",
            seriesInstanceUID: "1.2.3.7")
        var observations = try #require(try d.sequence("RTROIObservationsSequence"))
        for (n, item) in observations.enumerated() {
            let box = boxes[try #require(try item.int("ReferencedROINumber")) - 1]
            guard !box.properties.isEmpty else { continue }
            observations[n].set(
                "ROIPhysicalPropertiesSequence",
                items: box.properties.map { name, value in
                    var p = DataSet()
                    p.set("ROIPhysicalProperty", name)
                    if let value { p.set("ROIPhysicalPropertyValue", decimals: [value]) }
                    return p
                })
        }
        d.set("RTROIObservationsSequence", items: observations)
        return try StructureSet(d)
    }

    static func electrons(_ calibration: HUCalibration) throws -> MediumElectrons {
        try MediumElectrons(calibration: calibration, physics: try physics.get())
    }

    /// AIR, WATER from −100 HU, ICRP bone from 300 HU; density 0.001 → 1.0 → 1.6 g/cm³ at −1000, 0, 1000 HU.
    static let waterCalibration = try! HUCalibration(
        name: "water-test",
        densityKnots: [.init(hu: -1000, densityGPerCM3: 0.001), .init(hu: 0, densityGPerCM3: 1), .init(hu: 1000, densityGPerCM3: 1.6)],
        media: [.init(medium: "AIR700ICRU", fromHU: -1024), .init(medium: "WATER", fromHU: -100), .init(medium: "ICRPBONE700ICRU", fromHU: 300)])

    func medium(_ p: VoxelPhantom, _ n: Int) -> String { p.media[Int(p.mediumIndices[n])] }

    @Test("a SUPPORT ROI outside the EXTERNAL keeps its MASS_DENSITY; without a property it keeps its CT numbers")
    func couch() throws {
        let calibration = HUCalibration.egsnrcCtcreate4
        var couch = Self.couchBox
        couch.properties = [("MASS_DENSITY", 0.6)]
        let set = try Self.structureSet([Self.body, couch])
        let r = try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: set, overrides: try Self.electrons(calibration))
        #expect(r.deviceVoxelsOutsideExternal == Self.couchVoxels)
        #expect(r.devicesInPhantom == [2])  // the couch (ROI 2): what lets a plan's bolus ROI count as computed
        #expect(r.voxelsOutsideExternal == 1600 - 4 * 144 - Self.couchVoxels)
        #expect(r.overrides == [
            PatientImport.AppliedOverride(
                roiNumber: 2, roi: "Couch", property: "MASS_DENSITY", value: 0.6, medium: "ICRUTISSUE700ICRU",
                densityGPerCM3: 0.6, voxels: Self.couchVoxels)
        ])
        let n = Self.index(5, 17, 2)
        #expect(r.phantom.densitiesGPerCM3[n] == 0.6 && medium(r.phantom, n) == "ICRUTISSUE700ICRU")
        #expect(medium(r.phantom, Self.index(5, 19, 2)) == "AIR700ICRU")  // beside the couch: air

        // REL_MASS_DENSITY is relative to water's 1.000 g/cm³.
        couch.properties = [("REL_MASS_DENSITY", 0.6)]
        let relative = try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: try Self.structureSet([Self.body, couch]),
            overrides: try Self.electrons(calibration))
        #expect(relative.phantom.densitiesGPerCM3 == r.phantom.densitiesGPerCM3)

        couch.properties = []
        let kept = try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: try Self.structureSet([Self.body, couch]),
            overrides: try Self.electrons(calibration))
        #expect(kept.overrides.isEmpty && kept.deviceVoxelsOutsideExternal == Self.couchVoxels)
        #expect(kept.phantom.densitiesGPerCM3[n] == Float(calibration.densityGPerCM3(hu: -300)))
        #expect(kept.notes.contains { $0.contains("144 voxels of SUPPORT ROI 2 'Couch' outside the EXTERNAL ROI are kept") })
    }

    @Test("REL_ELEC_DENSITY 1.0 over 1200 HU gives water's medium and density; 1.5 becomes bone's mass density by Z/A")
    func relativeElectronDensity() throws {
        let calibration = Self.waterCalibration
        let electrons = try Self.electrons(calibration)
        let implant = Box(name: "Implant", type: "ORGAN", xMM: -10...10, yMM: -10...10, properties: [("REL_ELEC_DENSITY", 1.0)])
        let r = try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: try Self.structureSet([Self.body, implant]),
            overrides: electrons)
        let n = Self.index(9, 9, 1)
        #expect(medium(r.phantom, n) == "WATER" && r.phantom.densitiesGPerCM3[n] == 1)
        #expect(r.overrides.map(\.voxels) == [64])
        // 1200 HU is above the calibration's last knot (1000 HU): metal, unless the override holds the voxels.
        #expect(r.voxelsAboveCalibration == 0)
        #expect(try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: try Self.structureSet([Self.body, implant])
        ).voxelsAboveCalibration == 64)

        // 1.5 lies on the bone bin (WATER's relative electron density ends at 1.3 at 300 HU): ρ = 1.5 (Z/A)_w / (Z/A)_bone.
        let bone = try #require(try DensityOverride.resolve(
            property: "REL_ELEC_DENSITY", value: 1.5, calibration: calibration, electrons: electrons))
        #expect(bone.medium == "ICRPBONE700ICRU" && !bone.beyondCalibration)
        let zA = try Self.physics.get()
        let expected = 1.5 * (try zA.material(named: "WATER").electronMolesPerGram)
            / (try zA.material(named: "ICRPBONE700ICRU").electronMolesPerGram)
        #expect(abs(bone.densityGPerCM3 - expected) < 1e-12)
        // The equivalent HU gives the calibration's density at the same relative electron density.
        #expect(abs(calibration.densityGPerCM3(hu: bone.equivalentHU) - expected) < 1e-9)

        // Schneider 2000: water's electron density is soft tissue or adipose (not bone), within 1 % of 1 g/cm³
        // (Z/A of those tissues is within 1 % of water's, Schneider et al. 2000 Table 6 compositions).
        let schneider = try #require(try DensityOverride.resolve(
            property: "REL_ELEC_DENSITY", value: 1, calibration: .schneider2000, electrons: try Self.electrons(.schneider2000)))
        #expect(!schneider.medium.contains("BONE") && abs(schneider.densityGPerCM3 - 1) < 0.01)
    }

    @Test("overlapping overrides: the smaller ROI wins whatever the order; equal sizes: the first in the set")
    func precedence() throws {
        let calibration = Self.waterCalibration
        let electrons = try Self.electrons(calibration)
        let large = Box(name: "Pelvis", type: "ORGAN", xMM: -25...25, yMM: -25...25, properties: [("MASS_DENSITY", 1.2)])
        let small = Box(name: "Bladder", type: "ORGAN", xMM: -10...10, yMM: -10...10, properties: [("MASS_DENSITY", 0.9)])
        for order in [[Self.body, large, small], [Self.body, small, large]] {
            let r = try PatientImport.phantom(
                from: Self.volume, calibration: calibration, structures: try Self.structureSet(order), overrides: electrons)
            #expect(r.phantom.densitiesGPerCM3[Self.index(9, 9, 0)] == 0.9)
            #expect(r.phantom.densitiesGPerCM3[Self.index(6, 6, 0)] == 1.2)
            // 10 × 10 × 4 voxels in the large box, 4 × 4 × 4 of them held by the small one.
            #expect(Dictionary(uniqueKeysWithValues: r.overrides.map { ($0.roi, $0.voxels) }) == ["Pelvis": 336, "Bladder": 64])
        }
        var twin = small
        twin.name = "Bladder copy"
        twin.properties = [("MASS_DENSITY", 1.1)]
        let tie = try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: try Self.structureSet([Self.body, small, twin]),
            overrides: electrons)
        #expect(tie.phantom.densitiesGPerCM3[Self.index(9, 9, 0)] == 0.9)
        #expect(tie.overrides.map(\.roi) == ["Bladder"])
        #expect(tie.notes.contains { $0.contains("'Bladder copy': its override is entirely covered") })
    }

    @Test("properties not applied, empty ROIs and ROIs off the grid are noted")
    func notes() throws {
        let calibration = Self.waterCalibration
        let set = try Self.structureSet([
            Self.body,
            Box(name: "Z", type: "ORGAN", xMM: -10...10, yMM: -10...10, properties: [("EFFECTIVE_Z", 7.4)]),
            Box(name: "Far", type: "ORGAN", xMM: 200...220, yMM: 200...220, properties: [("MASS_DENSITY", 1.1)]),
            Box(name: "Out", type: "ORGAN", xMM: -45...(-40), yMM: -45...(-40), properties: [("MASS_DENSITY", 1.1)]),
            Box(name: "Two", type: "ORGAN", xMM: -5...5, yMM: -5...5, properties: [("REL_ELEC_DENSITY", 1.0), ("MASS_DENSITY", 2), ("REL_MASS_DENSITY", nil)]),
        ])
        let r = try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: set, overrides: try Self.electrons(calibration))
        #expect(r.notes.contains { $0.contains("'Z': physical property EFFECTIVE_Z 7.4 is not applied") })
        #expect(r.notes.contains { $0.contains("'Far' has a density override (MASS_DENSITY 1.1) but lies outside the CT grid") })
        #expect(r.notes.contains { $0.contains("'Out' lies entirely outside the EXTERNAL ROI") })
        #expect(r.notes.contains { $0.contains("'Two': MASS_DENSITY 2.0 is not applied; the ROI's first density property, REL_ELEC_DENSITY, is") })
        #expect(r.overrides.map(\.roi) == ["Two"])
    }

    @Test("a medium the physics tables lack takes mass density overrides; a relative electron density one is refused")
    func unknownMedium() throws {
        let calibration = try HUCalibration(
            name: "pegs", densityKnots: [.init(hu: -1000, densityGPerCM3: 0.001), .init(hu: 1000, densityGPerCM3: 2)],
            media: [.init(medium: "AIR700ICRU", fromHU: -1024), .init(medium: "MY_PEGS_TISSUE", fromHU: -500)])
        let electrons = try Self.electrons(calibration)
        let mass = try #require(try DensityOverride.resolve(
            property: "MASS_DENSITY", value: 1.2, calibration: calibration, electrons: electrons))
        #expect(mass.medium == "MY_PEGS_TISSUE" && mass.densityGPerCM3 == 1.2)
        #expect(throws: PatientImportError.unknownMediumElectrons("MY_PEGS_TISSUE")) {
            try DensityOverride.resolve(property: "REL_ELEC_DENSITY", value: 1, calibration: calibration, electrons: electrons)
        }
    }

    @Test("without overrides (--ignore-density-overrides) the phantom is exactly the EXTERNAL-bounded CT of before")
    func ignored() throws {
        let calibration = HUCalibration.schneider2000
        var couch = Self.couchBox
        couch.properties = [("MASS_DENSITY", 0.6)]
        let implant = Box(name: "Implant", type: "ORGAN", xMM: -10...10, yMM: -10...10, properties: [("REL_ELEC_DENSITY", 1.0)])
        let withOverrides = try Self.structureSet([Self.body, couch, implant])
        let ctOnly = try PatientImport.phantom(from: Self.volume, calibration: calibration, structures: withOverrides)
        let before = try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: try Self.structureSet([Self.body]))
        #expect(ctOnly.phantom.media == before.phantom.media && ctOnly.phantom.mediumIndices == before.phantom.mediumIndices)
        #expect(ctOnly.phantom.densitiesGPerCM3 == before.phantom.densitiesGPerCM3)
        #expect(ctOnly.overrides.isEmpty && ctOnly.deviceVoxelsOutsideExternal == 0 && ctOnly.devicesInPhantom.isEmpty)
        let applied = try PatientImport.phantom(
            from: Self.volume, calibration: calibration, structures: withOverrides, overrides: try Self.electrons(calibration))
        #expect(applied.phantom.densitiesGPerCM3 != before.phantom.densitiesGPerCM3)
    }
}
