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

    /// The vector of `lane(0)`, …, `lane(3)`: built in registers, where writing lanes one by one into a
    /// vector in memory and loading it whole stalls the load on the stores (store forwarding fails).
    @inline(__always)
    static func gather<T: SIMDScalar>(_ lane: (Int) -> T) -> SIMD4<T> { SIMD4(lane(0), lane(1), lane(2), lane(3)) }

    /// c[i] + w (c[i + 1] − c[i]) lane by lane (`MediumTables.value`), c the column `column(q)` of lane q.
    @inline(__always)
    static func value(_ column: (Int) -> TableColumn, _ at: (SIMD4<Int64>, SIMD4<Double>)) -> SIMD4<Double> {
        let lo = gather { column($0)[Int(at.0[$0])] }
        let hi = gather { column($0)[Int(at.0[$0]) + 1] }
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
        typealias M = ChargedLaneMath
        let source = M.gather { done & (1 << $0) != 0 ? lanes[$0] : first }
        let table = M.gather { 2 * step[source[$0]].medium0 + (particle[source[$0]].charge > 0 ? 1 : 0) }
        let e = M.gather { particle[source[$0]].e }
        let lnHere = M.gather { reader[source[$0]].ln.lnX }
        let dsVoxel = M.gather { step[source[$0]].walk.exitDistance - step[source[$0]].s }
        let rho = M.gather { voxel[source[$0]].density }
        let sigmaMax = M.gather { step[source[$0]].sigmaMax0 }
        let hardFuel = M.gather { step[source[$0]].hardFuel }
        let kTarget = M.gather { q in
            let st = step + source[q]
            return st.pointee.hinged ? (st.pointee.endsAtHardEvent || st.pointee.stopsInStep ? Double.infinity : st.pointee.kStep)
                : st.pointee.kHinge
        }
        let lnTarget = M.gather { step[source[$0]].hinged ? step[source[$0]].lnEndTarget : step[source[$0]].lnHingeTarget }
        let lnMin = M.gather { laneTables[table[$0]].lnMin }
        let inverseStep = M.gather { laneTables[table[$0]].inverseStep }
        let last = M.gather { laneTables[table[$0]].last }
        let secondLast = M.gather { laneTables[table[$0]].secondLast }
        let rangeAtCut = M.gather { laneTables[table[$0]].rangeAtCut }
        quad.voxel = M.gather { voxel[source[$0]].index }
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
        typealias M = ChargedLaneMath
        let (t0, t1, t2, t3) = (laneTables + table[0], laneTables + table[1], laneTables + table[2], laneTables + table[3])
        let lane = { (q: Int) in q == 0 ? t0 : q == 1 ? t1 : q == 2 ? t2 : t3 }
        let column = { (q: Int) in lane(q).pointee.range }
        let last = M.gather { Int(lane($0).pointee.last) }
        let bottom = value .<= M.gather { column($0)[0] }
        let top = value .>= M.gather { column($0)[last[$0]] }
        // The guide bucket (`TableColumn.bracket`), one point below its first, and the points after that.
        let position = (M.gather { TableColumn.pseudoLog2(value[$0]) } - M.gather { column($0).lnFirst })
            * M.gather { column($0).bucketsPerLn }
        let (_, bucket) = M.floor(M.max(.zero, M.min(position, M.gather { Double(column($0).bucketCount - 1) })))
        let start = M.gather { Swift.max(Int(column($0).buckets![Int(bucket[$0])]) - 1, 0) }
        let scanLengths = M.gather { column($0).scanLength }
        let scan = Swift.max(Swift.max(scanLengths[0], scanLengths[1]), Swift.max(scanLengths[2], scanLengths[3]))
        var below = SIMD4<Int64>()
        for j in 1...scan {
            let c = M.gather { column($0)[Swift.min(start[$0] + j, last[$0])] }
            below &+= SIMD4<Int64>(repeating: 0).replacing(with: 1, where: c .<= value)
        }
        let lo = SIMD4<Int64>(truncatingIfNeeded: start) &+ below
        let w = (value - M.gather { column($0)[Int(lo[$0])] }) * M.gather { column($0).inverseWidths![Int(lo[$0])] }
        let lnMin = M.gather { lane($0).pointee.lnMin }, step = M.gather { lane($0).pointee.step }
        var result = lnMin + (M.double(lo) + w) * step
        result.replace(with: lnMin + M.gather { lane($0).pointee.last } * step, where: top)
        // Below the first point (a logarithm), or an interval beyond the compares: the scalar inversion.
        let beyond = (below .== Int64(scan)) .| (M.gather { column($0)[start[$0]] } .> value)
        let fallback = active .& (bottom .| (.!top .& beyond))
        if any(fallback) {
            for q in 0..<4 where fallback[q] {
                result[q] = lane(q).pointee.tables.lnEnergy(forCumulative: column(q), value[q])
            }
        }
        return result
    }
}
