import Foundation
import Geometry

/// A particle in flight: photon (charge 0), electron (−1) or positron (+1), with the voxel it is in
/// and its own random stream.
struct Particle {
    var r: Vec3
    var u: Vec3
    /// Kinetic energy in MeV.
    var e: Double
    var charge: Int8
    var i: Int, j: Int, k: Int
    var rng: RandomStream
    /// Statistical weight: 1 without variance reduction, 1/N for the copies of a primary photon split N
    /// times and everything they set in motion (docs/performance.md). Deposits are energy × weight.
    var weight: Double = 1
}

extension Vec3 {
    /// This unit direction turned by polar angle θ (given as cos θ) and azimuth φ around itself
    /// (the standard rotation of EGS4's UPHI / PENELOPE's DIRECT).
    @inline(__always)
    func rotated(cosTheta: Double, phi: Double) -> Vec3 { rotated(cosTheta: cosTheta, cosPhi: cos(phi), sinPhi: sin(phi)) }

    /// `rotated(cosTheta:phi:)` given cos φ and sin φ (the event driver computes them four lanes at a time,
    /// `VectorMath.sincos`).
    @inline(__always)
    func rotated(cosTheta: Double, cosPhi cp: Double, sinPhi sp: Double) -> Vec3 {
        let sinTheta = max(0, 1 - cosTheta * cosTheta).squareRoot()
        let rho2 = x * x + y * y
        if rho2 > 1e-20 {
            let rho = rho2.squareRoot()
            let a = sinTheta / rho
            return Vec3(
                x * cosTheta + a * (x * z * cp - y * sp),
                y * cosTheta + a * (y * z * cp + x * sp),
                z * cosTheta - sinTheta * rho * cp)
        }
        let s = z >= 0 ? 1.0 : -1.0
        return Vec3(sinTheta * cp, sinTheta * sp * s, cosTheta * s)
    }

    /// A direction uniformly distributed on the unit sphere.
    static func isotropic(_ rng: inout RandomStream) -> Vec3 {
        let mu = 2 * rng.uniform() - 1
        let phi = 2 * Double.pi * rng.uniform()
        let s = max(0, 1 - mu * mu).squareRoot()
        return Vec3(s * cos(phi), s * sin(phi), mu)
    }
}
