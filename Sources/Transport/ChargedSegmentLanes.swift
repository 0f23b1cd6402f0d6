import Foundation

/// One medium's charged-particle tables for one charge, as the charged lanes read them: the grid, the
/// range and strength columns, and the range at the cut-off energy (the same every segment; computed here
/// with the scalar step's own operations, so the same bits).
struct ChargedLaneTable {
    let lnMin: Double
    let inverseStep: Double
    let step: Double
    /// count − 1 and count − 2 of the grid, as Doubles (exact).
    let last: Double
    let secondLast: Double
    let range: TableColumn
    let strength: TableColumn
    let rangeAtCut: Double
    /// The medium's tables, for the inversions that leave the fixed-iteration search (below the first
    /// point, or a bracket longer than `range.scanLength`).
    let tables: MediumTables

    init(_ t: MediumTables, charge q: Int, limits: ChargedLimits) {
        (lnMin, inverseStep, step) = (t.lnMin, t.inverseStep, t.step)
        (last, secondLast) = (Double(t.count - 1), Double(t.count - 2))
        (range, strength) = (t.range[q], t.strength[q])
        rangeAtCut = t.value(t.range[q], t.locate(lnEnergy: limits.lnCut))
        tables = t
    }

    /// Every medium's tables for electrons (index 2m) and positrons (2m + 1).
    static func all(_ tables: [MediumTables], limits: ChargedLimits) -> [ChargedLaneTable] {
        tables.flatMap { t in [0, 1].map { ChargedLaneTable(t, charge: $0, limits: limits) } }
    }
}

/// Four lanes' segments measured out at once (`Simulation.planChargedSegments`), a `ChargedSegmentPlan`
/// per lane as vector lanes: held in registers between the planning and the flight of a group of four.
struct ChargedSegmentQuad {
    var voxel = SIMD4<Int>()
    var density = SIMD4<Double>()
    var sigmaMax = SIMD4<Double>()
    var kTarget = SIMD4<Double>()
    var strengthHere = SIMD4<Double>()
    var ds = SIMD4<Double>()
    var dsScatter = SIMD4<Double>()
    var dsHard = SIMD4<Double>()
    var dsStop = SIMD4<Double>()
    var lnEnd = SIMD4<Double>()
    var eEnd = SIMD4<Double>()
    var needsExp = SIMDMask<SIMD4<Int64>>()

    /// Lane `q`'s plan.
    @inline(__always)
    subscript(_ q: Int) -> ChargedSegmentPlan {
        get { plan(q) }
        set {
            (voxel[q], density[q], sigmaMax[q], kTarget[q], strengthHere[q]) =
                (newValue.voxel, newValue.density, newValue.sigmaMax, newValue.kTarget, newValue.strengthHere)
            (ds[q], dsScatter[q], dsHard[q], dsStop[q]) = (newValue.ds, newValue.dsScatter, newValue.dsHard, newValue.dsStop)
            (lnEnd[q], eEnd[q], needsExp[q]) = (newValue.lnEnd, newValue.eEnd, newValue.needsExp)
        }
    }

    @inline(__always)
    func plan(_ q: Int) -> ChargedSegmentPlan {
        ChargedSegmentPlan(voxel: voxel[q], density: density[q], sigmaMax: sigmaMax[q], kTarget: kTarget[q],
                           strengthHere: strengthHere[q], ds: ds[q], dsScatter: dsScatter[q], dsHard: dsHard[q],
                           dsStop: dsStop[q], lnEnd: lnEnd[q], eEnd: eEnd[q], needsExp: needsExp[q])
    }
}

/// Lane arithmetic of the charged segment: Swift's `min`/`max` (which decide ties and signed zeros their
/// own way) and the tables' `locate`, `value` and range inversion, lane by lane with the same operations
/// in the same order as the scalar functions, so every lane's result has the scalar result's bits.
enum ChargedLaneMath {
    /// 1.5·2⁵²: adding it rounds a double of magnitude < 2⁵¹ to an integer held in the low mantissa bits.
    static let magic = 0x1.8p52
    static let magicBits = SIMD4<Int64>(repeating: Int64(bitPattern: 0x1.8p52.bitPattern))

    /// `Swift.min(a, b)` lane by lane: b where b < a, else a.
    @inline(__always)
    static func min(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> { a.replacing(with: b, where: b .< a) }

    /// `Swift.max(a, b)` lane by lane: b where b ≥ a, else a.
    @inline(__always)
    static func max(_ a: SIMD4<Double>, _ b: SIMD4<Double>) -> SIMD4<Double> { a.replacing(with: b, where: b .>= a) }

    /// ⌊x⌋ of 0 ≤ x < 2⁵¹, and that integer.
    @inline(__always)
    static func floor(_ x: SIMD4<Double>) -> (SIMD4<Double>, SIMD4<Int64>) {
        var shifted = x + magic
        var n = shifted - magic
        let over = n .> x
        n.replace(with: n - 1, where: over)
        shifted.replace(with: shifted - 1, where: over)
        return (n, unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- magicBits)
    }

    /// Exact Double of integers below 2⁵¹.
    @inline(__always)
    static func double(_ n: SIMD4<Int64>) -> SIMD4<Double> { unsafeBitCast(n &+ magicBits, to: SIMD4<Double>.self) - magic }

    /// `MediumTables.locate(lnEnergy:)` lane by lane, in the tables `table[t[q]]`: (index, weight).
    @inline(__always)
    static func locate(_ ln: SIMD4<Double>, _ lnMin: SIMD4<Double>, _ inverseStep: SIMD4<Double>, _ last: SIMD4<Double>,
                       _ secondLast: SIMD4<Double>) -> (SIMD4<Int64>, SIMD4<Double>) {
        let f = (ln - lnMin) * inverseStep
        let low = f .<= 0
        let high = f .>= last
        let (fi, _) = floor(f.clamped(lowerBound: .zero, upperBound: last))
        var index = fi, weight = f - fi
        index.replace(with: 0, where: low)
        weight.replace(with: 0, where: low)
        index.replace(with: secondLast, where: high)
        weight.replace(with: 1, where: high)
        return (unsafeBitCast(index + magic, to: SIMD4<Int64>.self) &- magicBits, weight)
    }

    /// c[i] + w (c[i + 1] − c[i]) lane by lane (`MediumTables.value`), c the column `column(q)` of lane q.
    @inline(__always)
    static func value(_ column: (Int) -> TableColumn, _ at: (SIMD4<Int64>, SIMD4<Double>)) -> SIMD4<Double> {
        var lo = SIMD4<Double>(), hi = SIMD4<Double>()
        for q in 0..<4 {
            let c = column(q), i = Int(at.0[q])
            (lo[q], hi[q]) = (c[i], c[i + 1])
        }
        return lo + at.1 * (hi - lo)
    }
}

extension Simulation {
    /// Measures out the segments of up to four charged lanes (`lanes[0..<n]`) at once, the vector form of
    /// `planChargedSegment` for the common case: a lane whose segment lies in its step's own medium, every
    /// segment so far too (`inStartMedium`), with a positive density and its energy's ln cached by its
    /// reader. Then the step's strength targets are its own, and the segment's distances (voxel face,
    /// strength target, hard event, stop), their minimum and the end energy's ln are lane arithmetic, the
    /// table reads gathers; a segment that ends at a face or a hard event inverts the range with a
    /// fixed number of compares from its guide bucket (`ChargedLaneTable`). Returns the lanes done (bit q:
    /// lane q), their plans in `quad`; the others need the scalar `planChargedSegment`. The plans are
    /// bit for bit the scalar function's: same operations in the same order per lane.
    @inline(__always)
    func planChargedSegments(_ lanes: UnsafePointer<Int>, _ n: Int, _ particle: UnsafeMutablePointer<Particle>,
                             _ step: UnsafeMutablePointer<ChargedStep>, _ reader: UnsafeMutablePointer<ChargedReader>,
                             _ voxel: UnsafeMutablePointer<ChargedVoxel>, _ laneTables: UnsafePointer<ChargedLaneTable>,
                             _ limits: ChargedLimits, into quad: inout ChargedSegmentQuad) -> UInt8 {
        var done: UInt8 = 0
        var first = -1
        for q in 0..<n {
            let l = lanes[q]
            let st = step[l]
            if voxel[l].density > 0 && voxel[l].medium == st.medium0 && st.inStartMedium && reader[l].medium == st.medium0
                && reader[l].ln.x == particle[l].e {
                done |= 1 << q
                if first < 0 { first = l }
            }
        }
        if done == 0 { return 0 }
        // Inputs gathered per lane (a lane not done reads the first done lane's; its results are dropped).
        var table = SIMD4<Int>()
        var e = SIMD4<Double>(), lnHere = SIMD4<Double>(), dsVoxel = SIMD4<Double>(), rho = SIMD4<Double>()
        var sigmaMax = SIMD4<Double>(), hardFuel = SIMD4<Double>(), kTarget = SIMD4<Double>(), lnTarget = SIMD4<Double>()
        for q in 0..<4 {
            let l = done & (1 << q) != 0 ? lanes[q] : first
            let st = step[l]
            table[q] = 2 * st.medium0 + (particle[l].charge > 0 ? 1 : 0)
            (e[q], lnHere[q]) = (particle[l].e, reader[l].ln.lnX)
            dsVoxel[q] = st.walk.exitDistance - st.s
            (rho[q], quad.voxel[q]) = (voxel[l].density, voxel[l].index)
            (sigmaMax[q], hardFuel[q]) = (st.sigmaMax0, st.hardFuel)
            kTarget[q] = st.hinged ? (st.endsAtHardEvent || st.stopsInStep ? Double.infinity : st.kStep) : st.kHinge
            lnTarget[q] = st.hinged ? st.lnEndTarget : st.lnHingeTarget
        }
        var lnMin = SIMD4<Double>(), inverseStep = SIMD4<Double>(), last = SIMD4<Double>(), secondLast = SIMD4<Double>()
        var rangeAtCut = SIMD4<Double>()
        for q in 0..<4 {
            let t = laneTables[table[q]]
            (lnMin[q], inverseStep[q], last[q], secondLast[q], rangeAtCut[q]) = (t.lnMin, t.inverseStep, t.last, t.secondLast, t.rangeAtCut)
        }
        typealias M = ChargedLaneMath
        let range = { (q: Int) in laneTables[table[q]].range }
        let at = M.locate(lnHere, lnMin, inverseStep, last, secondLast)
        let rangeHere = M.value(range, at)
        let strengthHere = M.value({ laneTables[table[$0]].strength }, at)
        // The strength target's distance (where the target is finite): the step's own target energy, located.
        let finite = kTarget .< .infinity
        let lnK = lnHere.replacing(with: lnTarget, where: finite)
        let rangeK = M.value(range, M.locate(lnK, lnMin, inverseStep, last, secondLast))
        let dsScatter = SIMD4<Double>(repeating: .infinity).replacing(with: M.max(.zero, rangeHere - rangeK) / rho, where: finite)
        let dsHard = SIMD4<Double>(repeating: .infinity).replacing(with: hardFuel / (rho * sigmaMax), where: sigmaMax .> 0)
        let dsStop = M.max(.zero, rangeHere - rangeAtCut) / rho
        let ds = M.max(.zero, M.min(M.min(dsVoxel, dsScatter), M.min(dsHard, dsStop)))
        // The end energy: the cut-off, the strength target (none below the particle's own energy), or the
        // range left after the segment inverted.
        let stops = ds .>= dsStop
        let scatters = .!stops .& (ds .== dsScatter)
        let inverts = .!stops .& .!scatters
        var lnEnd = SIMD4<Double>(repeating: limits.lnCut), eEnd = SIMD4<Double>(repeating: limits.eCut)
        let below = scatters .& (lnK .< lnHere)
        lnEnd.replace(with: lnK, where: below)
        lnEnd.replace(with: lnHere, where: scatters .& .!below)
        eEnd.replace(with: e, where: scatters .& .!below)
        let invertsDone = inverts .& Self.laneMask(done)
        if any(invertsDone) {
            lnEnd.replace(with: lnEnergyForRange(rangeHere - rho * ds, table, laneTables, invertsDone), where: inverts)
        }
        quad.density = rho
        quad.sigmaMax = sigmaMax
        quad.kTarget = kTarget
        quad.strengthHere = strengthHere
        (quad.ds, quad.dsScatter, quad.dsHard, quad.dsStop) = (ds, dsScatter, dsHard, dsStop)
        (quad.lnEnd, quad.eEnd, quad.needsExp) = (lnEnd, eEnd, below .| inverts)
        return done
    }

    /// The mask of the lanes whose bit is set in `bits`.
    @inline(__always)
    static func laneMask(_ bits: UInt8) -> SIMDMask<SIMD4<Int64>> {
        (SIMD4<Int64>(repeating: Int64(bits)) & SIMD4<Int64>(1, 2, 4, 8)) .!= 0
    }

    /// `MediumTables.lnEnergy(forRange:)` of `value` lane by lane (lanes of `active`; the others give
    /// garbage). The interval is the last point whose range is ≤ the value, as the scalar search finds it:
    /// from one point below the guide bucket's first, a fixed number of compares (`scanLength`) counts the
    /// points after it that are ≤ the value (the range increases, so these come first). A lane below the
    /// first point, or whose interval lies beyond the compares, takes the scalar inversion.
    @inline(__always)
    func lnEnergyForRange(_ value: SIMD4<Double>, _ table: SIMD4<Int>, _ laneTables: UnsafePointer<ChargedLaneTable>,
                          _ active: SIMDMask<SIMD4<Int64>>) -> SIMD4<Double> {
        var result = SIMD4<Double>()
        var start = SIMD4<Int>(), scan = 0
        var fallback: UInt8 = 0
        var index = SIMD4<Double>(), first = SIMD4<Double>(), top = SIMD4<Double>()
        for q in 0..<4 where active[q] {
            let t = laneTables[table[q]]
            let c = t.range
            let v = value[q]
            if v <= c[0] {
                fallback |= 1 << q
                continue
            }
            if v >= c[Int(t.last)] {
                top[q] = 1
                result[q] = t.lnMin + t.last * t.step
                continue
            }
            index[q] = (TableColumn.pseudoLog2(v) - c.lnFirst) * c.bucketsPerLn
            first[q] = Double(c.bucketCount - 1)
            scan = Swift.max(scan, c.scanLength)
        }
        let k = ChargedLaneMath.max(.zero, ChargedLaneMath.min(index, first))
        let (_, bucket) = ChargedLaneMath.floor(k)
        var lo = SIMD4<Int>()
        for q in 0..<4 where active[q] && fallback & (1 << q) == 0 && top[q] == 0 {
            let t = laneTables[table[q]]
            let c = t.range
            start[q] = Swift.max(Int(c.buckets![Int(bucket[q])]) - 1, 0)
            let limit = Int(t.last)
            var below = 0
            for j in 1...scan { below += c[Swift.min(start[q] + j, limit)] <= value[q] ? 1 : 0 }
            if below == scan || c[start[q]] > value[q] { fallback |= 1 << q; continue }
            lo[q] = start[q] + below
        }
        var w = SIMD4<Double>(), base = SIMD4<Double>(), lnMin = SIMD4<Double>(), step = SIMD4<Double>()
        for q in 0..<4 where active[q] && fallback & (1 << q) == 0 && top[q] == 0 {
            let t = laneTables[table[q]]
            let c = t.range
            w[q] = (value[q] - c[lo[q]]) * c.inverseWidth(lo[q])
            (base[q], lnMin[q], step[q]) = (Double(lo[q]), t.lnMin, t.step)
        }
        let interior = active .& (top .== 0)
        result.replace(with: lnMin + (base + w) * step, where: interior)
        for q in 0..<4 where fallback & (1 << q) != 0 {
            let t = laneTables[table[q]]
            result[q] = t.tables.lnEnergy(forCumulative: t.range, value[q])
        }
        return result
    }
}
