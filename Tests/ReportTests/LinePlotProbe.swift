@testable import Report

/// Reaches the internal tick placement of `LinePlot`.
enum LinePlotProbe {
    static func ticks(_ range: ClosedRange<Double>) -> [Double] { LinePlot.ticks(range) }
}
