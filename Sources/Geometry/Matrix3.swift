import Foundation

/// A 3 × 3 matrix of doubles, row-major, for rotations between coordinate systems.
public struct Matrix3: Hashable, Sendable {
    /// The three rows.
    public var rows: (Vec3, Vec3, Vec3)

    /// Creates a matrix from its rows.
    public init(rows r0: Vec3, _ r1: Vec3, _ r2: Vec3) { rows = (r0, r1, r2) }

    /// Creates a matrix from its columns.
    public init(columns c0: Vec3, _ c1: Vec3, _ c2: Vec3) {
        rows = (Vec3(c0.x, c1.x, c2.x), Vec3(c0.y, c1.y, c2.y), Vec3(c0.z, c1.z, c2.z))
    }

    /// The identity.
    public static let identity = Matrix3(rows: Vec3(1, 0, 0), Vec3(0, 1, 0), Vec3(0, 0, 1))

    /// A right-handed rotation by `angleDeg` about the x axis.
    public static func rotationX(degrees angleDeg: Double) -> Matrix3 {
        let (s, c) = sinCos(degrees: angleDeg)
        return Matrix3(rows: Vec3(1, 0, 0), Vec3(0, c, -s), Vec3(0, s, c))
    }

    /// A right-handed rotation by `angleDeg` about the y axis (z turns towards x).
    public static func rotationY(degrees angleDeg: Double) -> Matrix3 {
        let (s, c) = sinCos(degrees: angleDeg)
        return Matrix3(rows: Vec3(c, 0, s), Vec3(0, 1, 0), Vec3(-s, 0, c))
    }

    /// A right-handed rotation by `angleDeg` about the z axis (x turns towards y).
    public static func rotationZ(degrees angleDeg: Double) -> Matrix3 {
        let (s, c) = sinCos(degrees: angleDeg)
        return Matrix3(rows: Vec3(c, -s, 0), Vec3(s, c, 0), Vec3(0, 0, 1))
    }

    /// The transpose (the inverse, for a rotation).
    public var transposed: Matrix3 { Matrix3(columns: rows.0, rows.1, rows.2) }

    /// The matrix applied to a vector.
    public static func * (m: Matrix3, v: Vec3) -> Vec3 { Vec3(m.rows.0.dot(v), m.rows.1.dot(v), m.rows.2.dot(v)) }

    /// The matrix product.
    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        let t = b.transposed
        return Matrix3(
            rows: Vec3(a.rows.0.dot(t.rows.0), a.rows.0.dot(t.rows.1), a.rows.0.dot(t.rows.2)),
            Vec3(a.rows.1.dot(t.rows.0), a.rows.1.dot(t.rows.1), a.rows.1.dot(t.rows.2)),
            Vec3(a.rows.2.dot(t.rows.0), a.rows.2.dot(t.rows.1), a.rows.2.dot(t.rows.2)))
    }

    /// Sine and cosine of an angle in degrees, exact at multiples of 90° so that cardinal beams map
    /// voxel-exactly (a lateral beam must not drift by 1e-16 into a neighbouring row).
    private static func sinCos(degrees: Double) -> (sin: Double, cos: Double) {
        let reduced = degrees.truncatingRemainder(dividingBy: 360)
        let wrapped = reduced < 0 ? reduced + 360 : reduced
        switch wrapped {
        case 0: return (0, 1)
        case 90: return (1, 0)
        case 180: return (0, -1)
        case 270: return (-1, 0)
        default:
            let r = wrapped * .pi / 180
            return (sin(r), cos(r))
        }
    }
}

extension Matrix3 {
    public static func == (a: Matrix3, b: Matrix3) -> Bool {
        a.rows.0 == b.rows.0 && a.rows.1 == b.rows.1 && a.rows.2 == b.rows.2
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(rows.0)
        hasher.combine(rows.1)
        hasher.combine(rows.2)
    }
}
