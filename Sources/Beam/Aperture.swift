/// The opening of the jaws and the MLC at one moment, on the isocentre plane in IEC 61217 "b"
/// coordinates, cm.
public struct Aperture: Sendable, Equatable {
    /// X jaws (X1 < X2).
    public var x1CM: Double, x2CM: Double
    /// Y jaws (Y1 < Y2).
    public var y1CM: Double, y2CM: Double
    /// The MLC's leaf positions, if the beam has an MLC: its one layer, or a stacked MLC's first layer (the machine's
    /// `mlc`; Halcyon/Ethos MLCX1).
    public var leaves: LeafPositions?
    /// A stacked MLC's further layers, in the order of the machine's `stackedMLCLayers` (Halcyon/Ethos: MLCX2); empty
    /// for a single-layer MLC.
    public var stackedLeaves: [LeafPositions]

    /// Creates an aperture.
    public init(x1CM: Double, x2CM: Double, y1CM: Double, y2CM: Double, leaves: LeafPositions? = nil,
                stackedLeaves: [LeafPositions] = []) {
        self.x1CM = x1CM
        self.x2CM = x2CM
        self.y1CM = y1CM
        self.y2CM = y2CM
        self.leaves = leaves
        self.stackedLeaves = stackedLeaves
    }

    /// Every MLC layer's leaves: `leaves`, then the stacked layers (empty without an MLC).
    public var leafLayers: [LeafPositions] { (leaves.map { [$0] } ?? []) + stackedLeaves }

    /// The jaw rectangle's bounds joined with another aperture's (for a beam's sampling area).
    func unionBounds(_ other: Aperture) -> Aperture {
        Aperture(x1CM: min(x1CM, other.x1CM), x2CM: max(x2CM, other.x2CM), y1CM: min(y1CM, other.y1CM),
                 y2CM: max(y2CM, other.y2CM))
    }

    /// Linear interpolation between two apertures of the same device layout (`t` in 0…1).
    func interpolated(to b: Aperture, _ t: Double) -> Aperture {
        func lerp(_ p: Double, _ q: Double) -> Double { p + (q - p) * t }
        var leaves = self.leaves
        if let la = self.leaves, let lb = b.leaves {
            leaves = la.interpolated(to: lb, t)
        }
        var stacked = stackedLeaves
        for k in stacked.indices where k < b.stackedLeaves.count {
            stacked[k] = stacked[k].interpolated(to: b.stackedLeaves[k], t)
        }
        return Aperture(x1CM: lerp(x1CM, b.x1CM), x2CM: lerp(x2CM, b.x2CM), y1CM: lerp(y1CM, b.y1CM),
                        y2CM: lerp(y2CM, b.y2CM), leaves: leaves, stackedLeaves: stacked)
    }
}

/// The leaves of an MLC: which way they move, where the pairs' boundaries are and where each bank's tips are.
public struct LeafPositions: Sendable, Equatable {
    /// True for MLCX (leaves travel along Xb, pairs stacked along Yb), false for MLCY.
    public var travelAlongX: Bool
    /// Pair boundaries across the direction of travel, cm on the isocentre plane (`pairs + 1`, increasing).
    public var boundariesCM: [Double]
    /// Bank A (the X1 or Y1 side) tip positions, cm.
    public var bankACM: [Double]
    /// Bank B (the X2 or Y2 side) tip positions, cm.
    public var bankBCM: [Double]

    /// Creates leaf positions; `bankACM` and `bankBCM` hold one value per pair.
    public init(travelAlongX: Bool, boundariesCM: [Double], bankACM: [Double], bankBCM: [Double]) {
        self.travelAlongX = travelAlongX
        self.boundariesCM = boundariesCM
        self.bankACM = bankACM
        self.bankBCM = bankBCM
    }

    func interpolated(to b: LeafPositions, _ t: Double) -> LeafPositions {
        var r = self
        for i in r.bankACM.indices {
            r.bankACM[i] += (b.bankACM[i] - r.bankACM[i]) * t
            r.bankBCM[i] += (b.bankBCM[i] - r.bankBCM[i]) * t
        }
        return r
    }

    /// The pair whose strip contains `across` (cm across the travel direction), or nil outside the MLC.
    func pair(containing across: Double) -> Int? {
        guard let first = boundariesCM.first, let last = boundariesCM.last, across >= first, across < last else {
            return nil
        }
        var lo = 0, hi = boundariesCM.count - 1
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if boundariesCM[mid] <= across { lo = mid } else { hi = mid }
        }
        return lo
    }
}
