/// A point or direction in 3-D space.
///
/// The unit is the caller's: inside the engine positions are in cm (DESIGN.md invariant 3);
/// the DICOM module converts from mm at its boundary.
public struct Vec3: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The x component.
    public var x: Double
    /// The y component.
    public var y: Double
    /// The z component.
    public var z: Double

    /// Creates a vector from its three components.
    @inlinable
    public init(_ x: Double, _ y: Double, _ z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// The zero vector.
    public static let zero = Vec3(0, 0, 0)

    /// The Euclidean length.
    @inlinable
    public var length: Double { (x * x + y * y + z * z).squareRoot() }

    /// The vector scaled to unit length; the zero vector stays zero.
    @inlinable
    public var normalized: Vec3 {
        let l = length
        return l > 0 ? self / l : self
    }

    /// The dot product.
    @inlinable
    public func dot(_ other: Vec3) -> Double { x * other.x + y * other.y + z * other.z }

    /// The cross product `self × other`.
    @inlinable
    public func cross(_ other: Vec3) -> Vec3 {
        Vec3(y * other.z - z * other.y, z * other.x - x * other.z, x * other.y - y * other.x)
    }

    public var description: String { "(\(x), \(y), \(z))" }
}

// MARK: - Arithmetic

extension Vec3 {
    @inlinable public static func + (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x + b.x, a.y + b.y, a.z + b.z) }
    @inlinable public static func - (a: Vec3, b: Vec3) -> Vec3 { Vec3(a.x - b.x, a.y - b.y, a.z - b.z) }
    @inlinable public static prefix func - (a: Vec3) -> Vec3 { Vec3(-a.x, -a.y, -a.z) }
    @inlinable public static func * (a: Vec3, s: Double) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func * (s: Double, a: Vec3) -> Vec3 { Vec3(a.x * s, a.y * s, a.z * s) }
    @inlinable public static func / (a: Vec3, s: Double) -> Vec3 { Vec3(a.x / s, a.y / s, a.z / s) }
    @inlinable public static func += (a: inout Vec3, b: Vec3) { a = a + b }
    @inlinable public static func -= (a: inout Vec3, b: Vec3) { a = a - b }
}
