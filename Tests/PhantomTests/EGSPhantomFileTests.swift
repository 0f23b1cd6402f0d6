import Foundation
import Geometry
import Phantom
import TestSupport
import Testing

@Suite struct EGSPhantomFileTests {
    @Test func readsReferenceWaterPhantom() throws {
        let p = try EGSPhantomFile.read(TestEnvironment.reference("phantoms/water.egsphant"))
        #expect(p.media == ["H2O700ICRU"])
        #expect(p.grid.counts == (61, 61, 60))
        // Reference README: x, y from −15.25 cm in 0.5 cm voxels; z from 0 to 30 cm.
        #expect(abs(p.grid.originCM.x + 15.25) < 1e-12)
        #expect(abs(p.grid.spacingCM.z - 0.5) < 1e-12)
        #expect(p.densitiesGPerCM3.allSatisfy { $0 == 1 })
    }

    @Test func readsReferenceSlabPhantom() throws {
        let p = try EGSPhantomFile.read(TestEnvironment.reference("phantoms/slab.egsphant"))
        #expect(p.media == ["H2O700ICRU", "ICRPBONE700ICRU", "LUNG700ICRU"])
        // Reference README: water 0–3 cm, bone 3–5 cm, lung 5–12 cm, water 12–30 cm.
        let expected: [(z: Double, medium: String, density: Float)] = [
            (1.25, "H2O700ICRU", 1), (3.25, "ICRPBONE700ICRU", 1.85), (8.25, "LUNG700ICRU", 0.26), (20.25, "H2O700ICRU", 1),
        ]
        for e in expected {
            let v = try #require(p.grid.voxel(containing: Vec3(0.1, 0.1, e.z)))
            let n = p.grid.index(v.i, v.j, v.k)
            #expect(p.media[Int(p.mediumIndices[n])] == e.medium)
            #expect(p.densitiesGPerCM3[n] == e.density)
        }
    }

    @Test func roundTripsExactly() throws {
        let p = try EGSPhantomFile.read(TestEnvironment.reference("phantoms/slab.egsphant"))
        let dir = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("slab.egsphant")
        try EGSPhantomFile.write(p, to: url)
        #expect(try EGSPhantomFile.read(url) == p)
    }

    static let small = """
        2
        WATER
        LUNG
        0.25 0.25
        2 1 1
        0 1 2
        0 1
        0 1
        12

        1.0 0.26
        """

    @Test func readsSmallText() throws {
        let p = try EGSPhantomFile.parse(Self.small)
        #expect(p.mediumIndices == [0, 1])
        #expect(p.densitiesGPerCM3 == [1, 0.26])
    }

    @Test(arguments: [
        ("short", String(small.dropLast(5)), "ends early"),
        ("bad count", small.replacingOccurrences(of: "2 1 1", with: "2 1 x"), "not a number"),
        ("negative density", small.replacingOccurrences(of: "1.0 0.26", with: "1.0 -0.26"), "density -0.26"),
        ("unknown medium", small.replacingOccurrences(of: "\n12\n", with: "\n13\n"), "medium character '3'"),
        ("extra data", small + " 5", "unexpected '5'"),
        ("row length", small.replacingOccurrences(of: "\n12\n", with: "\n121\n"), "has 3 characters"),
    ])
    func rejectsMalformedFiles(label: String, text: String, message: String) {
        do {
            _ = try EGSPhantomFile.parse(text, file: label)
            Issue.record("\(label) was accepted")
        } catch {
            #expect("\(error)".contains(message), "\(label): \(error)")
        }
    }
}
