import Foundation

/// The synthetic thorax's anatomy: analytic shapes giving, for any axial plane z (mm, DICOM patient
/// coordinates, patient head-first supine), the closed polygons of each organ.
///
/// Coordinates: x towards the patient's left, y posterior, z superior. The shapes are simple on
/// purpose (ellipses, ellipsoids, ring sectors) and do not overlap, except the GTV and PTV inside the
/// left lung and the cord inside the vertebra's canal, so that each CT voxel has one tissue.
struct ThoraxAnatomy {
    /// One organ: its structure properties, its CT number and its outline on a plane.
    struct Organ {
        let name: String
        let interpretedType: String
        let colour: (red: Int, green: Int, blue: Int)
        /// Whether the organ is exported as an ROI (some outlines only shape the CT).
        let isStructure: Bool
        /// HU painted inside the outline.
        let hu: Float
        /// The closed polygons (x, y in mm) on the plane z (mm); empty where the organ is absent.
        let outline: @Sendable (Double) -> [[SIMD2<Double>]]
    }

    /// The GTV's centre, mm.
    static let gtvCentreMM = SIMD3<Double>(100, -15, 25)

    /// Organs in painting order (later ones overwrite earlier ones in the CT).
    let organs: [Organ] = [
        Organ(name: "BODY", interpretedType: "EXTERNAL", colour: (0, 200, 0), isStructure: true, hu: -90) { _ in
            [ellipse(0, 0, 170, 118)]
        },
        Organ(name: "MUSCLE", interpretedType: "ORGAN", colour: (0, 0, 0), isStructure: false, hu: 40) { _ in
            [ellipse(0, 0, 160, 108)]
        },
        Organ(name: "LUNG_L", interpretedType: "ORGAN", colour: (80, 160, 255), isStructure: true, hu: -780) { z in
            lung(z, cx: 95)
        },
        Organ(name: "LUNG_R", interpretedType: "ORGAN", colour: (0, 120, 255), isStructure: true, hu: -780) { z in
            lung(z, cx: -95)
        },
        Organ(name: "HEART", interpretedType: "ORGAN", colour: (220, 0, 0), isStructure: true, hu: 45) { z in
            let s = ellipsoidScale(z, centre: -45, halfLength: 55)
            return s < 0.2 ? [] : [ellipse(10, -35, 40 * s, 40 * s)]
        },
        Organ(name: "ESOPHAGUS", interpretedType: "ORGAN", colour: (255, 160, 0), isStructure: true, hu: 40) { z in
            z < -100 ? [] : [ellipse(8, 35, 9, 9)]
        },
        Organ(name: "ESOPHAGUS_LUMEN", interpretedType: "CAVITY", colour: (0, 0, 0), isStructure: false, hu: -800) {
            z in
            z < -100 ? [] : [ellipse(8, 35, 3, 3)]
        },
        // Vertebral body and neural arch: the arch is a ring (outer and inner circle, even–odd rule).
        Organ(name: "VERTEBRA", interpretedType: "ORGAN", colour: (255, 255, 180), isStructure: true, hu: 300) { _ in
            [ellipse(0, 68, 15, 15), ellipse(0, 98, 14, 14), ellipse(0, 98, 7, 7)]
        },
        Organ(name: "VERTEBRAL_CORTEX", interpretedType: "ORGAN", colour: (0, 0, 0), isStructure: false, hu: 900) { _ in
            [ellipse(0, 98, 14, 14), ellipse(0, 98, 7, 7)]
        },
        Organ(name: "SPINAL_CORD", interpretedType: "ORGAN", colour: (255, 255, 0), isStructure: true, hu: 35) { _ in
            [ellipse(0, 98, 5, 5)]
        },
        Organ(name: "RIBS", interpretedType: "ORGAN", colour: (230, 230, 230), isStructure: true, hu: 800) { z in
            // Ten ribs 10 mm thick every 24 mm, each a pair of ring sectors with gaps at sternum and spine.
            let onRib = (0..<10).contains { abs(z - (-100 + 24 * Double($0))) <= 5 }
            return onRib ? [ringSector(fromDeg: -75, toDeg: 70), ringSector(fromDeg: 110, toDeg: 255)] : []
        },
        Organ(name: "GTV", interpretedType: "GTV", colour: (255, 0, 255), isStructure: true, hu: 30) { z in
            let r = (0..<120).map { gtvRadius(theta: 2 * .pi * Double($0) / 120, z: z) }
            return r.allSatisfy({ $0 > 0 }) ? [polygon(radii: r)] : []
        },
        Organ(name: "PTV", interpretedType: "PTV", colour: (255, 100, 100), isStructure: true, hu: .nan) { z in
            let r = (0..<120).map { ptvRadius(theta: 2 * .pi * Double($0) / 120, z: z) }
            return r.allSatisfy({ $0 > 0 }) ? [polygon(radii: r)] : []
        },
    ]

    // MARK: - Shapes

    /// An ellipse with 96 vertices.
    static func ellipse(_ cx: Double, _ cy: Double, _ a: Double, _ b: Double) -> [SIMD2<Double>] {
        (0..<96).map { k in
            let t = 2 * Double.pi * Double(k) / 96
            return SIMD2(cx + a * cos(t), cy + b * sin(t))
        }
    }

    /// The in-plane scale of an ellipsoid at z: √(1 − ((z − centre)/halfLength)²), 0 outside.
    static func ellipsoidScale(_ z: Double, centre: Double, halfLength: Double) -> Double {
        let u = (z - centre) / halfLength
        return u * u >= 1 ? 0 : (1 - u * u).squareRoot()
    }

    /// A lung: an ellipse whose size follows a half-ellipsoid along z (apex at the top, base at the bottom).
    static func lung(_ z: Double, cx: Double) -> [[SIMD2<Double>]] {
        let s = ellipsoidScale(z, centre: 10, halfLength: 125)
        return s < 0.3 ? [] : [ellipse(cx, -5, 45 * s, 72 * s)]
    }

    /// A sector of the rib ring between two angles (degrees; y = b·sin φ, so 90° is posterior).
    static func ringSector(fromDeg: Double, toDeg: Double) -> [SIMD2<Double>] {
        let steps = 40
        let angles = (0...steps).map { (fromDeg + (toDeg - fromDeg) * Double($0) / Double(steps)) * .pi / 180 }
        let outer = angles.map { SIMD2(160 * cos($0), 112 * sin($0)) }
        let inner = angles.reversed().map { SIMD2(152 * cos($0), 104 * sin($0)) }
        return outer + inner
    }

    /// The GTV's radius from its centre line at angle θ on plane z: a lobulated ellipsoid
    /// (semi-axes 18, 15, 20 mm), 0 where absent.
    static func gtvRadius(theta: Double, z: Double) -> Double {
        let s = ellipsoidScale(z, centre: gtvCentreMM.z, halfLength: 20)
        guard s >= 0.2 else { return 0 }
        let a = 18.0, b = 15.0
        let ellipse = a * b / ((b * cos(theta)) * (b * cos(theta)) + (a * sin(theta)) * (a * sin(theta))).squareRoot()
        return s * ellipse * (1 + 0.12 * sin(3 * theta + 0.5))
    }

    /// The PTV: the GTV grown by 10 mm, radially in each plane and across planes (the largest of
    /// r_GTV(θ, z + dz) + √(10² − dz²) over |dz| ≤ 10 mm).
    static func ptvRadius(theta: Double, z: Double) -> Double {
        var best = 0.0
        for step in -20...20 {
            let dz = Double(step) / 2
            let r = gtvRadius(theta: theta, z: z + dz)
            if r > 0 { best = max(best, r + (100 - dz * dz).squareRoot()) }
        }
        return best
    }

    /// A star-shaped polygon around the GTV centre from radii at equal angles.
    static func polygon(radii: [Double]) -> [SIMD2<Double>] {
        radii.enumerated().map { k, r in
            let t = 2 * Double.pi * Double(k) / Double(radii.count)
            return SIMD2(gtvCentreMM.x + r * cos(t), gtvCentreMM.y + r * sin(t))
        }
    }
}
