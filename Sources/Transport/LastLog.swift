import Foundation

/// ln x of the last x asked for, kept: the electron step reads its tables at the energy where the
/// previous segment ended (its end energy, then the next segment's start, then the next step's start), and
/// each read took the log again (`log` was 8 % of the CPU time, docs/performance.md). The cached value is
/// `log(x)`, or the ln E a table inversion gave for an energy it returned as `exp` of it (`remember`).
struct LastLog {
    private var x = -1.0
    private var lnX = 0.0

    /// `log(value)`, computed only when `value` differs from the previous call's.
    @inline(__always)
    mutating func callAsFunction(_ value: Double) -> Double {
        if value != x {
            x = value
            lnX = log(value)
        }
        return lnX
    }

    /// Takes `lnValue` (whose `exp` is `value`) as the log of `value`.
    @inline(__always)
    mutating func remember(_ value: Double, ln lnValue: Double) {
        x = value
        lnX = lnValue
    }
}
