@testable import Report

/// Reaches the internal colour ramp of `DoseSliceFigure`.
enum DoseSliceFigureProbe {
    static func wash(_ fraction: Double) -> [UInt8] {
        guard let c = DoseSliceFigure.washColour(fraction) else { return [255, 255, 255] }
        return [c.0, c.1, c.2]
    }
}
