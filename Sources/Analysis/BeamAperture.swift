/// The open area of a beam in the beam's-eye view: a union of axis-aligned rectangles in the isocentre
/// plane (Xb, Yb in cm), as jaws and MLC leaf pairs cut it.
///
/// Each open leaf pair is one rectangle (its band between two leaf boundaries, across the gap between
/// its two leaves), clipped by the jaws; without an MLC the jaws alone make one rectangle. A stacked MLC
/// (Halcyon/Ethos MLCX1 + MLCX2) is open only where every layer is: the intersection of the layers' open
/// rectangles, each layer's positions and boundaries given at the isocentre plane as the plan gives them. The union over
/// the control points of an arc is the union of their rectangles. The outline is traced exactly as the
/// boundary edges of the union (no rasterisation), so it sits on the jaw and leaf positions.
public struct BeamAperture: Sendable, Equatable {
    /// An open rectangle in the isocentre plane, cm.
    public struct Rectangle: Sendable, Equatable {
        /// Its extent along Xb and Yb, cm.
        public var xMinCM: Double, xMaxCM: Double, yMinCM: Double, yMaxCM: Double
        /// Creates a rectangle.
        public init(xMinCM: Double, xMaxCM: Double, yMinCM: Double, yMaxCM: Double) {
            self.xMinCM = xMinCM
            self.xMaxCM = xMaxCM
            self.yMinCM = yMinCM
            self.yMaxCM = yMaxCM
        }
    }

    /// The direction MLC leaves travel in (DICOM RT Beam Limiting Device Type MLCX or MLCY).
    public enum LeafTravel: Sendable, Equatable {
        /// Leaves move along Xb and are stacked along Yb (MLCX).
        case x
        /// Leaves move along Yb and are stacked along Xb (MLCY).
        case y
    }

    /// An MLC setting: the leaf boundaries across the direction of travel and each pair's two leaf tips.
    public struct LeafSetting: Sendable, Equatable {
        /// Which way the leaves travel.
        public var travel: LeafTravel
        /// The N + 1 boundaries of N leaf pairs, cm at the isocentre plane, ascending.
        public var boundariesCM: [Double]
        /// The tips of bank A (the negative side) and bank B, N each, cm.
        public var bankACM: [Double], bankBCM: [Double]
        /// Creates a setting; `AnalysisError.badParameter` when the counts do not match.
        public init(travel: LeafTravel, boundariesCM: [Double], bankACM: [Double], bankBCM: [Double]) throws {
            guard boundariesCM.count >= 2, bankACM.count == boundariesCM.count - 1, bankBCM.count == bankACM.count
            else {
                throw AnalysisError.badParameter(
                    name: "MLC leaves",
                    value: "\(boundariesCM.count) boundaries, \(bankACM.count) + \(bankBCM.count) leaf positions",
                    allowed: "N + 1 boundaries and N positions in each bank")
            }
            self.travel = travel
            self.boundariesCM = boundariesCM
            self.bankACM = bankACM
            self.bankBCM = bankBCM
        }
    }

    /// The open rectangles (possibly overlapping).
    public var rectangles: [Rectangle]

    /// Creates an aperture from rectangles.
    public init(rectangles: [Rectangle]) {
        self.rectangles = rectangles.filter { $0.xMaxCM > $0.xMinCM && $0.yMaxCM > $0.yMinCM }
    }

    /// The aperture of jaws and leaves: a missing jaw pair does not limit its axis.
    /// - Parameters:
    ///   - jawXCM: X1, X2 (cm), or nil.
    ///   - jawYCM: Y1, Y2 (cm), or nil.
    ///   - leaves: the MLC setting, or nil.
    /// - Throws: `AnalysisError.badParameter` when no device limits the field at all.
    public init(jawXCM: (Double, Double)?, jawYCM: (Double, Double)?, leaves: LeafSetting?) throws {
        try self.init(jawXCM: jawXCM, jawYCM: jawYCM, layers: leaves.map { [$0] } ?? [])
    }

    /// The aperture of jaws and one or more MLC layers, open only where the jaws and every layer are open.
    /// - Parameters:
    ///   - jawXCM: X1, X2 (cm), or nil.
    ///   - jawYCM: Y1, Y2 (cm), or nil.
    ///   - layers: the settings of the MLC's layers (none, one, or a stacked MLC's layers in any order).
    /// - Throws: `AnalysisError.badParameter` when no device limits the field at all.
    public init(jawXCM: (Double, Double)?, jawYCM: (Double, Double)?, layers: [LeafSetting]) throws {
        guard jawXCM != nil || !layers.isEmpty, jawYCM != nil || !layers.isEmpty else {
            throw AnalysisError.badParameter(
                name: "beam-limiting devices", value: "none along an axis",
                allowed: "jaws or an MLC limiting both Xb and Yb")
        }
        let x = jawXCM ?? (-Double.infinity, .infinity), y = jawYCM ?? (-Double.infinity, .infinity)
        var open = [Rectangle(xMinCM: x.0, xMaxCM: x.1, yMinCM: y.0, yMaxCM: y.1)]
        for layer in layers {
            // (⋃ aᵢ) ∩ (⋃ bⱼ) = ⋃ (aᵢ ∩ bⱼ): the rectangles open so far, cut by each open pair of this layer.
            open = Self.openPairs(of: layer).flatMap { pair in
                open.map { Self.intersection($0, pair) }.filter { $0.xMaxCM > $0.xMinCM && $0.yMaxCM > $0.yMinCM }
            }
        }
        self.init(rectangles: open)
    }

    /// One rectangle per leaf pair of a setting: its band across the travel, between its two tips.
    static func openPairs(of leaves: LeafSetting) -> [Rectangle] {
        leaves.bankACM.indices.map { n in
            let across = (leaves.boundariesCM[n], leaves.boundariesCM[n + 1])
            let along = (leaves.bankACM[n], leaves.bankBCM[n])
            return leaves.travel == .x
                ? Rectangle(xMinCM: along.0, xMaxCM: along.1, yMinCM: across.0, yMaxCM: across.1)
                : Rectangle(xMinCM: across.0, xMaxCM: across.1, yMinCM: along.0, yMaxCM: along.1)
        }
    }

    /// The common part of two rectangles (empty, i.e. max ≤ min on an axis, when they do not overlap).
    static func intersection(_ a: Rectangle, _ b: Rectangle) -> Rectangle {
        Rectangle(
            xMinCM: max(a.xMinCM, b.xMinCM), xMaxCM: min(a.xMaxCM, b.xMaxCM),
            yMinCM: max(a.yMinCM, b.yMinCM), yMaxCM: min(a.yMaxCM, b.yMaxCM))
    }

    /// The union of two apertures (e.g. two control points of an arc).
    public func union(_ other: BeamAperture) -> BeamAperture { BeamAperture(rectangles: rectangles + other.rectangles) }

    /// Whether a beam's-eye-view point (cm) lies in the open area.
    public func contains(x: Double, y: Double) -> Bool {
        rectangles.contains { x >= $0.xMinCM && x < $0.xMaxCM && y >= $0.yMinCM && y < $0.yMaxCM }
    }

    /// The smallest rectangle holding the open area, or nil when it is closed.
    public var boundingBox: Rectangle? {
        guard !rectangles.isEmpty else { return nil }
        return Rectangle(
            xMinCM: rectangles.map(\.xMinCM).min()!, xMaxCM: rectangles.map(\.xMaxCM).max()!,
            yMinCM: rectangles.map(\.yMinCM).min()!, yMaxCM: rectangles.map(\.yMaxCM).max()!)
    }

    /// The outline of the open area as line segments in cm: the edges between open and closed.
    ///
    /// The plane is cut into bands at every rectangle's Yb edges; within a band the open area is a set of
    /// Xb intervals, whose ends are vertical edges; between two bands, the horizontal edges are where
    /// exactly one of them is open (the symmetric difference of their interval sets).
    public var outlineSegmentsCM: [(from: (x: Double, y: Double), to: (x: Double, y: Double))] {
        let breaks = Set(rectangles.flatMap { [$0.yMinCM, $0.yMaxCM] }).sorted()
        guard breaks.count >= 2 else { return [] }
        let bands: [[(Double, Double)]] = zip(breaks, breaks.dropFirst()).map { lo, hi in
            Self.merged(rectangles.filter { $0.yMinCM <= lo && $0.yMaxCM >= hi }.map { ($0.xMinCM, $0.xMaxCM) })
        }
        var segments: [(from: (x: Double, y: Double), to: (x: Double, y: Double))] = []
        for (n, band) in bands.enumerated() {
            for (a, b) in band {
                segments.append(((a, breaks[n]), (a, breaks[n + 1])))
                segments.append(((b, breaks[n]), (b, breaks[n + 1])))
            }
        }
        for n in breaks.indices {
            let below = n > 0 ? bands[n - 1] : [], above = n < bands.count ? bands[n] : []
            for (a, b) in Self.symmetricDifference(below, above) {
                segments.append(((a, breaks[n]), (b, breaks[n])))
            }
        }
        return segments
    }

    /// Sorted, disjoint intervals covering the same points as `intervals`.
    static func merged(_ intervals: [(Double, Double)]) -> [(Double, Double)] {
        var out: [(Double, Double)] = []
        for (a, b) in intervals.sorted(by: { $0.0 < $1.0 }) {
            if let last = out.last, a <= last.1 {
                out[out.count - 1].1 = max(last.1, b)
            } else {
                out.append((a, b))
            }
        }
        return out
    }

    /// The points in exactly one of two sets of disjoint intervals, as merged intervals.
    static func symmetricDifference(_ p: [(Double, Double)], _ q: [(Double, Double)]) -> [(Double, Double)] {
        let cuts = Set((p + q).flatMap { [$0.0, $0.1] }).sorted()
        func inside(_ set: [(Double, Double)], _ x: Double) -> Bool { set.contains { x > $0.0 && x < $0.1 } }
        let pieces = zip(cuts, cuts.dropFirst()).filter { a, b in
            let m = (a + b) / 2
            return inside(p, m) != inside(q, m)
        }
        return merged(pieces.map { ($0.0, $0.1) })
    }
}
