import Foundation

/// Fits a position-dependent leaf-end offset (`LeafEndOffsetTable`) to measured leaf-tip edges (`mlc_edges.csv`), for
/// MLCs whose plan positions are not light-field calibrated at every position.
///
/// The table has a point at every measured tip position. The model's own edges at those positions (`predictEdges`, e.g.
/// the in-air 50 % points of `MLCModelComparison.tipEdge` with the machine's focal and extra-focal sources, or a stand-in
/// in tests) are compared with the measured ones, and each point's offset moves by its edge's difference (an edge moves
/// one for one with the offset where it stands) until every edge agrees within 0.001 cm or `iterations` predictions are
/// spent. The loop absorbs what the sources add to the edge (the extra-focal source shifts an in-air 50 % point by up to
/// 0.1 mm with position, docs/beam-model.md). Edges are compared as 50 % points: measured in water they also hold the
/// phantom's spread, which moves a 50 % point by up to ≈ 0.15 mm against the in-air one (the sixth session's blurred
/// columns); film at shallow depth or a small detector keeps that small.
public struct MLCEdgeFit: Sendable {
    /// One prediction of the fit.
    public struct Step: Sendable, Codable {
        /// The table's offsets at the measured positions, cm.
        public let offsetCM: [Double]
        /// The model's edges there, cm.
        public let predictedEdgeCM: [Double]
        /// Root mean square of predicted − measured edges, cm.
        public let rmsEdgeDifferenceCM: Double
    }

    /// The machine with the fitted table.
    public let machine: MachineModel
    public let edges: [MeasuredScans.LeafEdge]
    public let steps: [Step]

    /// Fits `start`'s leaf-end offset table to `edges`, starting from `start`'s offsets at those positions.
    /// - Throws: `BeamError.badMachine` without edges, with a position twice, with an edge more than 0.5 cm from its position,
    ///   or when an offset would leave the machine file's ±0.5 cm; what the predictor throws.
    public init(machine start: MachineModel, edges unsorted: [MeasuredScans.LeafEdge], iterations: Int = 4,
                predictEdges: (MachineModel.MultileafCollimator, _ positionsCM: [Double]) throws -> [Double]) throws {
        func fail(_ s: String) -> BeamError { .badMachine("leaf-end offset fit of '\(start.name)': " + s) }
        let edges = unsorted.sorted { $0.leafPositionCM < $1.leafPositionCM }
        let u = edges.map(\.leafPositionCM)
        guard !edges.isEmpty, Set(u).count == u.count else { throw fail("needs measured edges, each tip position once") }
        guard edges.allSatisfy({ abs($0.edgeCM - $0.leafPositionCM) < 0.5 }) else {
            throw fail("every edge must lie within 0.5 cm of its tip position (the machine file's offsets are within ±0.5 cm)")
        }
        var machine = start
        var offsets = u.map { start.mlc.leafEndOffsetCM(atPositionCM: $0) }
        var steps: [Step] = []
        for n in 0..<max(iterations, 1) {
            machine.mlc.leafEndOffsetTable = LeafEndOffsetTable(positionCM: u, offsetCM: offsets)
            let predicted = try predictEdges(machine.mlc, u)
            guard predicted.count == u.count, predicted.allSatisfy(\.isFinite) else {
                throw fail("the model gave \(predicted.count) finite edges for \(u.count) positions")
            }
            let difference = zip(edges, predicted).map { $0.edgeCM - $1 }
            let rms = (difference.reduce(0) { $0 + $1 * $1 } / Double(difference.count)).squareRoot()
            steps.append(Step(offsetCM: offsets, predictedEdgeCM: predicted, rmsEdgeDifferenceCM: rms))
            if difference.allSatisfy({ abs($0) < 0.001 }) || n == max(iterations, 1) - 1 { break }
            offsets = zip(offsets, difference).map { $0 + $1 }
            if let k = offsets.indices.first(where: { abs(offsets[$0]) >= 0.5 }) {
                throw fail(String(format: "the edge at %g cm needs an offset of %.3f cm; the machine file allows ±0.5 cm", u[k],
                                  offsets[k]))
            }
        }
        try machine.validate()
        self.machine = machine
        self.edges = edges
        self.steps = steps
    }
}
