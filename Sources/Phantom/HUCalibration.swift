import Foundation
import Geometry

/// A CT calibration: Hounsfield units → mass density and medium (PHYSICS.md §3.1).
///
/// Density is piecewise linear between `densityKnots` (sorted by HU; two knots at the same HU make a
/// step, as Schneider et al.'s tissue lines have at 100/101 HU); below the first knot and above the last
/// the density is held at the end value. The medium is the last bin whose `fromHU` is ≤ the voxel's HU;
/// HU below the first bin's bound take the first medium.
///
/// EGSnrc's `ctcreate` makes voxels below its first bound vacuum; Penumbra keeps them as the first
/// medium (air) at the lowest density, which differs only for padding outside the scan's field of view.
public struct HUCalibration: Codable, Sendable, Equatable {
    /// One point of the HU → density curve.
    public struct DensityKnot: Codable, Sendable, Equatable {
        /// Hounsfield units.
        public var hu: Double
        /// Mass density, g/cm³.
        public var densityGPerCM3: Double

        /// Creates a knot.
        public init(hu: Double, densityGPerCM3: Double) {
            self.hu = hu
            self.densityGPerCM3 = densityGPerCM3
        }
    }

    /// A medium and the lowest HU it is used from.
    public struct MediumBin: Codable, Sendable, Equatable {
        /// The medium name (as in `.egsphant` files and the physics tables).
        public var medium: String
        /// The lowest HU of the bin.
        public var fromHU: Double

        /// Creates a bin.
        public init(medium: String, fromHU: Double) {
            self.medium = medium
            self.fromHU = fromHU
        }
    }

    /// The calibration's name (a preset name or the user's).
    public var name: String
    /// The HU → density curve, sorted by HU.
    public var densityKnots: [DensityKnot]
    /// The HU → medium bins, sorted by `fromHU`.
    public var media: [MediumBin]

    /// Creates a calibration and validates it.
    public init(name: String, densityKnots: [DensityKnot], media: [MediumBin]) throws {
        self.name = name
        self.densityKnots = densityKnots
        self.media = media
        try validate()
    }

    /// Checks that knots and bins are sorted, finite, non-negative and non-empty.
    /// - Throws: `CalibrationError.invalid` saying what to fix.
    public func validate() throws {
        guard !densityKnots.isEmpty else { throw CalibrationError.invalid(name, "it has no density knots") }
        guard !media.isEmpty else { throw CalibrationError.invalid(name, "it has no media") }
        for (n, k) in densityKnots.enumerated() {
            guard k.hu.isFinite, k.densityGPerCM3.isFinite, k.densityGPerCM3 >= 0 else {
                throw CalibrationError.invalid(
                    name,
                    "density knot \(n + 1) (\(k.hu) HU, \(k.densityGPerCM3) g/cm³) must be finite with density ≥ 0")
            }
            if n > 0, k.hu < densityKnots[n - 1].hu {
                throw CalibrationError.invalid(
                    name,
                    "density knots must be sorted by HU (knot \(n + 1) at \(k.hu) HU comes after \(densityKnots[n - 1].hu) HU)"
                )
            }
        }
        for (n, b) in media.enumerated() {
            guard !b.medium.isEmpty, !b.medium.contains(where: \.isWhitespace), b.fromHU.isFinite else {
                throw CalibrationError.invalid(
                    name, "medium bin \(n + 1) needs a name without spaces and a finite lower HU")
            }
            if n > 0, b.fromHU <= media[n - 1].fromHU {
                throw CalibrationError.invalid(
                    name,
                    "medium bins must have increasing lower HU (\(b.medium) at \(b.fromHU) after \(media[n - 1].medium) at \(media[n - 1].fromHU))"
                )
            }
        }
    }

    /// The density for a HU value, g/cm³.
    public func densityGPerCM3(hu: Double) -> Double {
        let k = densityKnots
        if hu <= k[0].hu { return k[0].densityGPerCM3 }
        if hu >= k[k.count - 1].hu { return k[k.count - 1].densityGPerCM3 }
        // The segment [k[i], k[i+1]) with k[i].hu ≤ hu < k[i+1].hu; at a step the upper value wins.
        var lo = 0, hi = k.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if k[mid].hu <= hu { lo = mid } else { hi = mid }
        }
        let a = k[lo], b = k[hi]
        return a.densityGPerCM3 + (hu - a.hu) / (b.hu - a.hu) * (b.densityGPerCM3 - a.densityGPerCM3)
    }

    /// The index into `media` for a HU value.
    public func mediumIndex(hu: Double) -> Int {
        // The last bin with fromHU ≤ hu (bins are sorted), or the first bin below them all.
        var lo = 0, hi = media.count
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if media[mid].fromHU <= hu { lo = mid } else { hi = mid }
        }
        return lo
    }

    /// Converts a HU volume into a voxel phantom, listing only the media that occur (in calibration order).
    /// - Parameters:
    ///   - grid: the phantom grid (cm).
    ///   - hu: HU per voxel, x fastest, `grid.voxelCount` values.
    /// - Throws: `CalibrationError` or `VoxelPhantomError` when the arrays do not fit.
    public func phantom(grid: VoxelGrid, hu: [Float]) throws -> VoxelPhantom {
        guard hu.count == grid.voxelCount else {
            throw CalibrationError.invalid(
                name, "the HU array has \(hu.count) values for a grid of \(grid.voxelCount) voxels")
        }
        if let bad = hu.firstIndex(where: { !$0.isFinite }) {
            throw CalibrationError.invalid(name, "voxel \(bad) has HU \(hu[bad]), which is not a number")
        }
        var binOfVoxel = [Int](repeating: 0, count: hu.count)
        var used = [Bool](repeating: false, count: media.count)
        var density = [Float](repeating: 0, count: hu.count)
        for n in hu.indices {
            let h = Double(hu[n])
            let bin = mediumIndex(hu: h)
            binOfVoxel[n] = bin
            used[bin] = true
            density[n] = Float(densityGPerCM3(hu: h))
        }
        let usedBins = used.indices.filter { used[$0] }
        var compact = [Int](repeating: 0, count: media.count)
        for (newIndex, bin) in usedBins.enumerated() { compact[bin] = newIndex }
        return try VoxelPhantom(
            grid: grid, media: usedBins.map { media[$0].medium }, mediumIndices: binOfVoxel.map { UInt8(compact[$0]) },
            densitiesGPerCM3: density)
    }
}

/// Why a calibration cannot be used.
public enum CalibrationError: Error, CustomStringConvertible, Equatable {
    /// The calibration's content is inconsistent.
    case invalid(String, String)
    /// No preset has this name.
    case unknownPreset(String)
    /// The file could not be read or parsed.
    case unreadable(file: String, reason: String)

    /// What is wrong and what to do.
    public var description: String {
        switch self {
        case .invalid(let name, let why): "calibration '\(name)' is not usable: \(why)"
        case .unknownPreset(let name):
            "no calibration preset named '\(name)'; use \(HUCalibration.presetNames.joined(separator: " or ")), or a JSON or CSV file"
        case .unreadable(let file, let reason): "\(file): \(reason)"
        }
    }
}
