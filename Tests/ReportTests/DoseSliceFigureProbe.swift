@testable import Report

/// Reaches the internal colour ramp of `DoseSliceFigure`.
enum DoseSliceFigureProbe {
    static func wash(_ fraction: Double) -> [UInt8] {
        let c = DoseSliceFigure.washColour(fraction)
        return [c.0, c.1, c.2]
    }
}
