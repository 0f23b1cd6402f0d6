/// Where a beam's focal photons may pass every device fully open, as disjoint rectangles on the
/// isocentre plane (IEC "b" coordinates, cm), clipped to the beam's sampling rectangle.
///
/// A superset, never a subset: for every moment of the beam (jaws and leaves lie between the values
/// of the two control points around it) and every focal-source point within `sourceHalfWidthCM` of the
/// axis in x and in y, a ray from the source point to an isocentre-plane point p outside the envelope
/// crosses at least one closed device (jaw or leaf). Such a source point shifts where the ray meets a
/// device plane at distance d from the target, projected to the isocentre plane, by at most
/// h·(SAD/d − 1) (`PlanSource.emitPrimaries`' projection), so each device's opening is widened by that
/// much: jaws over the union of their positions, each MLC pair over the hull of its two banks' radiation
/// edges (tips minus/plus the leaf-end offset) per pair of consecutive control points, and across the
/// leaves by the pairs the shifted point can reach. Tongue-and-groove only closes more, so it is ignored.
/// Outside the MLC's pairs the leaves do not shield (as in `Collimator`). A stacked MLC's layers each give such
/// an envelope at their own distance and the beam's is their intersection: a ray outside any one of them crosses
/// a closed leaf of that layer.
struct ApertureEnvelope: Sendable {
    /// One band across the direction of leaf travel with its open intervals along it.
    struct Strip: Sendable {
        var acrossLowCM: Double, acrossHighCM: Double
        /// Disjoint, increasing.
        var along: [(low: Double, high: Double)]
    }

    /// Bands in increasing order, disjoint.
    let strips: [Strip]
    /// True when "along" is Xb (MLCX or no MLC), false for MLCY.
    let alongIsX: Bool
    /// The rectangles, strip by strip and interval by interval: (along low, along high, across low, across high).
    let rectangles: [(alongLow: Double, alongHigh: Double, acrossLow: Double, acrossHigh: Double)]
    /// Cumulative area of `rectangles`, cm².
    let cumulativeAreaCM2: [Double]
    /// The envelope's area, cm².
    var areaCM2: Double { cumulativeAreaCM2.last ?? 0 }

    /// The envelope of `states` (a beam's control points in order) inside `bounds`.
    init(states: [MachineState], machine: MachineModel, sourceHalfWidthCM h: Double, bounds: Aperture) {
        let sad = machine.sourceAxisDistanceCM
        func widening(_ d: Double) -> Double { h * abs(sad / d - 1) }
        let jawX = widening(machine.jaws.xDistanceCM), jawY = widening(machine.jaws.yDistanceCM)
        let jaws = states.dropFirst().reduce(states[0].aperture) { $0.unionBounds($1.aperture) }
        let x = (max(jaws.x1CM - jawX, bounds.x1CM), min(jaws.x2CM + jawX, bounds.x2CM))
        let y = (max(jaws.y1CM - jawY, bounds.y1CM), min(jaws.y2CM + jawY, bounds.y2CM))
        var strips: [Strip] = []
        var alongIsX = true
        if let leaves = Self.commonLeaves(states, layer: 0) {
            alongIsX = leaves.travelAlongX
            let (along, across) = alongIsX ? (x, y) : (y, x)
            strips = Self.mlcStrips(leaves: states.map { $0.aperture.leaves! }, offsetCM: machine.mlc.largestLeafEndOffsetCM,
                                    wideningCM: widening(machine.mlc.distanceCM), along: along, across: across)
            for (k, layer) in (machine.stackedMLCLayers ?? []).enumerated() {
                // A layer of another layout or direction is left out: the envelope stays a superset.
                guard let stacked = Self.commonLeaves(states, layer: k + 1), stacked.travelAlongX == alongIsX else { continue }
                let layerStrips = Self.mlcStrips(
                    leaves: states.map { $0.aperture.stackedLeaves[k] }, offsetCM: layer.largestLeafEndOffsetCM,
                    wideningCM: widening(layer.distanceCM), along: along, across: across)
                strips = Self.intersection(strips, layerStrips)
            }
        } else if x.0 < x.1 && y.0 < y.1 {
            strips = [Strip(acrossLowCM: y.0, acrossHighCM: y.1, along: [(x.0, x.1)])]
        }
        rectangles = strips.flatMap { s in s.along.map { ($0.low, $0.high, s.acrossLowCM, s.acrossHighCM) } }
        var sum = 0.0
        cumulativeAreaCM2 = rectangles.map { r in
            sum += (r.alongHigh - r.alongLow) * (r.acrossHigh - r.acrossLow)
            return sum
        }
        self.strips = strips
        self.alongIsX = alongIsX
    }

    /// The leaf layout of MLC layer `layer` (0: `leaves`, k: `stackedLeaves[k − 1]`) that every state shares, or nil
    /// when a state lacks that layer or has another layout (then the envelope ignores the layer: still a superset).
    static func commonLeaves(_ states: [MachineState], layer: Int) -> LeafPositions? {
        func leaves(_ s: MachineState) -> LeafPositions? {
            layer == 0 ? s.aperture.leaves : (layer <= s.aperture.stackedLeaves.count ? s.aperture.stackedLeaves[layer - 1] : nil)
        }
        guard let first = leaves(states[0]) else { return nil }
        let pairs = first.boundariesCM.count - 1
        for s in states {
            guard let l = leaves(s), l.travelAlongX == first.travelAlongX, l.boundariesCM == first.boundariesCM,
                  l.bankACM.count == pairs, l.bankBCM.count == pairs else { return nil }
        }
        return pairs > 0 ? first : nil
    }

    /// The strips of an MLC layer's envelope from its leaves at each state (one layout, `commonLeaves`): the across
    /// axis cut at every pair boundary and at the boundaries ± `wideningCM`, each piece open where any pair its
    /// shifted points can reach is open.
    static func mlcStrips(leaves: [LeafPositions], offsetCM: Double, wideningCM w: Double,
                          along: (Double, Double), across: (Double, Double)) -> [Strip] {
        let b = leaves[0].boundariesCM
        let pairs = b.count - 1
        // Each pair's open hull per pair of consecutive states, merged.
        var open = [[(low: Double, high: Double)]](repeating: [], count: pairs)
        let segments = leaves.count == 1 ? [(0, 0)] : (0..<leaves.count - 1).map { ($0, $0 + 1) }
        for (k0, k1) in segments {
            let l0 = leaves[k0], l1 = leaves[k1]
            for i in 0..<pairs {
                let low = min(l0.bankACM[i], l1.bankACM[i]) - offsetCM - w
                let high = max(l0.bankBCM[i], l1.bankBCM[i]) + offsetCM + w
                if low < high { open[i].append((low, high)) }
            }
        }
        open = open.map(merged)
        var cuts = [across.0, across.1]
        for v in b { cuts += [v - w, v, v + w] }
        cuts = Array(Set(cuts.filter { $0 >= across.0 && $0 <= across.1 })).sorted()
        var strips: [Strip] = []
        for (lo, hi) in zip(cuts, cuts.dropFirst()) where lo < hi {
            // The pairs a point of [lo, hi) shifted by at most w can land in; outside the bank: open.
            let reachLow = lo - w, reachHigh = hi + w
            var intervals: [(low: Double, high: Double)]
            if reachLow < b[0] || reachHigh > b[pairs] {
                intervals = [along]
            } else {
                intervals = []
                for i in 0..<pairs where b[i + 1] > reachLow && b[i] < reachHigh { intervals += open[i] }
                intervals = merged(intervals)
            }
            let clipped = intervals.compactMap { iv -> (low: Double, high: Double)? in
                let l = max(iv.low, along.0), h = min(iv.high, along.1)
                return l < h ? (l, h) : nil
            }
            if !clipped.isEmpty { strips.append(Strip(acrossLowCM: lo, acrossHighCM: hi, along: clipped)) }
        }
        return strips
    }

    /// Where two strip sets (each disjoint and increasing across) are both open: the across axis cut at every strip
    /// edge of either, each piece open along the intersection of the two sets' intervals there.
    static func intersection(_ a: [Strip], _ b: [Strip]) -> [Strip] {
        var out: [Strip] = []
        var i = 0, j = 0
        while i < a.count && j < b.count {
            let low = max(a[i].acrossLowCM, b[j].acrossLowCM), high = min(a[i].acrossHighCM, b[j].acrossHighCM)
            if low < high {
                var along: [(low: Double, high: Double)] = []
                var p = 0, q = 0
                let u = a[i].along, v = b[j].along
                while p < u.count && q < v.count {
                    let l = max(u[p].low, v[q].low), h = min(u[p].high, v[q].high)
                    if l < h { along.append((l, h)) }
                    if u[p].high < v[q].high { p += 1 } else { q += 1 }
                }
                if !along.isEmpty { out.append(Strip(acrossLowCM: low, acrossHighCM: high, along: along)) }
            }
            if a[i].acrossHighCM < b[j].acrossHighCM { i += 1 } else { j += 1 }
        }
        return out
    }

    /// Overlapping or touching intervals joined, in increasing order.
    static func merged(_ intervals: [(low: Double, high: Double)]) -> [(low: Double, high: Double)] {
        var out: [(low: Double, high: Double)] = []
        for iv in intervals.sorted(by: { $0.low < $1.low }) {
            if let last = out.last, iv.low <= last.high {
                out[out.count - 1].high = max(last.high, iv.high)
            } else {
                out.append(iv)
            }
        }
        return out
    }

    /// Whether the isocentre-plane point (x, y) lies in the envelope (half-open rectangles).
    func contains(x: Double, y: Double) -> Bool {
        let (along, across) = alongIsX ? (x, y) : (y, x)
        var lo = 0, hi = strips.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if strips[mid].acrossHighCM <= across { lo = mid + 1 } else { hi = mid }
        }
        guard lo < strips.count, strips[lo].acrossLowCM <= across else { return false }
        return strips[lo].along.contains { along >= $0.low && along < $0.high }
    }

    /// A point uniform over the envelope from three uniforms in [0, 1): (x, y) on the isocentre plane.
    /// - Precondition: the envelope is not empty.
    func point(_ u0: Double, _ u1: Double, _ u2: Double) -> (x: Double, y: Double) {
        let target = u0 * areaCM2
        var lo = 0, hi = cumulativeAreaCM2.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulativeAreaCM2[mid] <= target { lo = mid + 1 } else { hi = mid }
        }
        let r = rectangles[lo]
        let along = r.alongLow + u1 * (r.alongHigh - r.alongLow)
        let across = r.acrossLow + u2 * (r.acrossHigh - r.acrossLow)
        return alongIsX ? (along, across) : (across, along)
    }
}
