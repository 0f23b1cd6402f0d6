@testable import Analysis

/// Reaches the internal search lattice of `GammaIndex`.
enum GammaIndexProbe {
    static func offsets(stepCM: Double, radiusCM: Double) -> [Double] {
        GammaIndex.searchOffsets(stepCM: stepCM, radiusCM: radiusCM).map { ($0.distance2 / (stepCM * stepCM)).rounded() }
    }
}
