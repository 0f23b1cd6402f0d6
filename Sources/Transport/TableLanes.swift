/// Four lanes' table reads in one medium's tables at once, as lane arithmetic on `SIMD4<Double>` with the
/// scalar functions' operations in the same order, so every lane's result has the scalar Double's bits
/// (`locate(lnEnergy:)`, `value`, `lnEnergy(forCumulative:_:near:)`; `TableLanesTests`). The event driver's
/// step set-up reads them for a group of four charged lanes of one medium and charge
/// (`Simulation.chargedStepQuad`).
extension MediumTables {
    /// Grid positions (index, weight of index + 1) of four ln E: `locate(lnEnergy:)` lane by lane.
    @inline(__always)
    func locate(lnEnergies: SIMD4<Double>) -> (SIMD4<Int64>, SIMD4<Double>) {
        let f = (lnEnergies - lnMin) * inverseStep
        // ⌊f⌋ of the clamped f (the index is then exact in a Double, and for f > 0 it is `Int(f)`).
        let i = TableLanes.floor(f.clamped(lowerBound: .zero, upperBound: SIMD4(repeating: Double(count))))
        var w = f - TableLanes.double(i)
        var index = i
        let below = f .<= 0
        index.replace(with: 0, where: below)
        w.replace(with: 0, where: below)
        let above = i .>= Int64(count - 1)
        index.replace(with: Int64(count - 2), where: above)
        w.replace(with: 1, where: above)
        return (index, w)
    }

    /// `value(table, at)` lane by lane.
    @inline(__always)
    func value(_ table: TableColumn, _ at: (SIMD4<Int64>, SIMD4<Double>)) -> SIMD4<Double> {
        let lo = TableLanes.gather(table, at.0)
        let hi = TableLanes.gather(table, at.0 &+ 1)
        return lo + at.1 * (hi - lo)
    }

    /// `lnEnergy(forCumulative: c, values[k], near: hints[k])` lane by lane, the same Doubles. The interval
    /// c[lo] ≤ value < c[lo + 1] is counted, without a branch, among the `TableLanes.window` intervals from
    /// two below the hint (the set-up's guesses are a point or two off); a lane whose value lies outside
    /// that window or outside the table's inner range is inverted by the scalar walk.
    @inline(__always)
    func lnEnergy(forCumulative c: TableColumn, _ values: SIMD4<Double>, near hints: SIMD4<Int64>) -> SIMD4<Double> {
        let n = TableLanes.window
        guard count > n + 1 else {
            // A table too short for the window (test media): every lane by the scalar walk.
            var result = SIMD4<Double>()
            for k in 0..<4 { result[k] = lnEnergy(forCumulative: c, values[k], near: Int(hints[k])) }
            return result
        }
        let lo0 = (hints &- 2).clamped(lowerBound: .zero, upperBound: SIMD4(repeating: Int64(count - 1 - n)))
        let c0 = TableLanes.gather(c, lo0)
        let c1 = TableLanes.gather(c, lo0 &+ 1)
        let c2 = TableLanes.gather(c, lo0 &+ 2)
        let c3 = TableLanes.gather(c, lo0 &+ 3)
        let c4 = TableLanes.gather(c, lo0 &+ 4)
        // The column increases, so the points ≤ the value come first: their count past c0 is the interval.
        let one = SIMD4<Int64>(repeating: 1), none = SIMD4<Int64>.zero
        let lo = lo0 &+ none.replacing(with: one, where: c1 .<= values) &+ none.replacing(with: one, where: c2 .<= values)
            &+ none.replacing(with: one, where: c3 .<= values)
        var below = c0
        below.replace(with: c1, where: c1 .<= values)
        below.replace(with: c2, where: c2 .<= values)
        below.replace(with: c3, where: c3 .<= values)
        let w = (values - below) * TableLanes.gatherInverseWidth(c, lo)
        var result = lnMin + (TableLanes.double(lo) + w) * step
        let inWindow = (c0 .<= values) .& (values .< c4) .& (values .> c[0]) .& (values .< c[count - 1])
        if !all(inWindow) {
            for k in 0..<4 where !inWindow[k] {
                result[k] = lnEnergy(forCumulative: c, values[k], near: Int(hints[k]))
            }
        }
        return result
    }
}

/// Helpers of the lane arithmetic above.
enum TableLanes {
    /// Intervals a lane inversion counts in (from two below its hint): guesses up to two points either side.
    static let window = 4

    /// ⌊x⌋ for 0 ≤ x < 2⁵¹, by the 1.5·2⁵² rounding trick (baseline x86-64 has no vector rounding or
    /// double → int64 conversion): round to nearest, then one down where that rounded up.
    @inline(__always)
    static func floor(_ x: SIMD4<Double>) -> SIMD4<Int64> {
        let shifted = x + VectorMath.magic
        var i = unsafeBitCast(shifted, to: SIMD4<Int64>.self) &- VectorMath.magicBits
        let rounded = shifted - VectorMath.magic
        i.replace(with: i &- 1, where: rounded .> x)
        return i
    }

    /// `Double(i)` lane by lane for 0 ≤ i < 2⁵¹ (exact).
    @inline(__always)
    static func double(_ i: SIMD4<Int64>) -> SIMD4<Double> {
        unsafeBitCast(i &+ VectorMath.magicBits, to: SIMD4<Double>.self) - VectorMath.magic
    }

    /// Swift's `min(x, y)` lane by lane (`y < x ? y : x`: the same lane as the scalar set-up's on ties).
    @inline(__always)
    static func min(_ x: SIMD4<Double>, _ y: SIMD4<Double>) -> SIMD4<Double> { x.replacing(with: y, where: y .< x) }

    /// Swift's `max(x, y)` lane by lane (`y >= x ? y : x`).
    @inline(__always)
    static func max(_ x: SIMD4<Double>, _ y: SIMD4<Double>) -> SIMD4<Double> { x.replacing(with: y, where: y .>= x) }

    @inline(__always)
    static func gather(_ c: TableColumn, _ i: SIMD4<Int64>) -> SIMD4<Double> {
        SIMD4(c[Int(i[0])], c[Int(i[1])], c[Int(i[2])], c[Int(i[3])])
    }

    @inline(__always)
    static func gatherInverseWidth(_ c: TableColumn, _ i: SIMD4<Int64>) -> SIMD4<Double> {
        SIMD4(c.inverseWidth(Int(i[0])), c.inverseWidth(Int(i[1])), c.inverseWidth(Int(i[2])), c.inverseWidth(Int(i[3])))
    }
}
