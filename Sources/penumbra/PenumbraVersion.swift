/// The software version, written into every output (`summary.json`, RT Dose, logs).
enum PenumbraVersion {
    /// Semantic version of this build.
    static let string = "0.1.0"
}
