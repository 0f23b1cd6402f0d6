import Foundation

/// A leaf-end offset that depends on where the tip stands, for MLCs whose plan positions are not light-field calibrated
/// at every position.
///
/// A rounded tip's radiation edge is where the ray from the focus grazes the tip. Calibrated so that the tangent ray
/// meets the plan position (light-field calibration, the usual one) the offset barely moves with position; calibrated
/// by the tip's apex (or by a linear table that ignores the curvature) the tangent point moves up the arc as the tip
/// moves off axis and the edge shifts by R·(1/cos θ − 1)·SAD/z_MLC, tan θ = P/SAD (Boyer & Li, Med. Phys. 24, 757 (1997):
/// ≈ 0.8 mm at 10 cm for an 8 cm radius at 51 cm; docs/beam-model.md, "MLC: fluence modulation or geometry"). Rather than
/// one closed form for one tip shape, the table holds the offset measured (`MLCEdgeFit`) at the tip's plan positions,
/// linear in between and constant beyond the ends, so any tip shape and calibration fits.
///
/// Positions are measured from the axis along the travel towards the tip's own bank (bank B: Xb as it is; bank A: −Xb),
/// so the table serves both banks of a symmetric MLC: a bank A tip at plan position a reads the table at −a, a bank B tip
/// at b reads it at b. A positive offset puts the radiation edge beyond the plan position, into the leaf.
public struct LeafEndOffsetTable: Codable, Sendable, Equatable {
    /// Tip plan positions on the isocentre plane, cm, increasing.
    public var positionCM: [Double]
    /// The leaf-end offset at each position, cm.
    public var offsetCM: [Double]

    /// Creates a table.
    public init(positionCM: [Double], offsetCM: [Double]) {
        self.positionCM = positionCM
        self.offsetCM = offsetCM
    }

    /// The offset of a tip at `positionCM` (towards its own bank).
    public func callAsFunction(_ u: Double) -> Double {
        guard u > positionCM[0] else { return offsetCM[0] }
        for i in 1..<positionCM.count where u <= positionCM[i] {
            let t = (u - positionCM[i - 1]) / (positionCM[i] - positionCM[i - 1])
            return offsetCM[i - 1] + t * (offsetCM[i] - offsetCM[i - 1])
        }
        return offsetCM[offsetCM.count - 1]
    }

    /// Checks the table: equal lengths, at least one point, positions increasing, offsets within ±0.5 cm like the constant's.
    func validate(what: String) throws {
        guard !positionCM.isEmpty, positionCM.count == offsetCM.count else {
            throw BeamError.badMachine("\(what): needs equal-length, non-empty positionCM and offsetCM arrays")
        }
        guard zip(positionCM.dropFirst(), positionCM).allSatisfy({ $0 > $1 }), positionCM.allSatisfy(\.isFinite) else {
            throw BeamError.badMachine("\(what): positionCM must increase")
        }
        guard offsetCM.allSatisfy({ abs($0) < 0.5 }) else {
            throw BeamError.badMachine("\(what): every offsetCM must be within ±0.5 cm")
        }
    }
}

extension MachineModel.MultileafCollimator {
    /// The leaf-end offset of a tip at plan position `positionCM` (from the axis towards the tip's own bank): the table's
    /// value, or the constant `leafEndOffsetCM` without a table.
    public func leafEndOffsetCM(atPositionCM u: Double) -> Double {
        guard let table = leafEndOffsetTable else { return leafEndOffsetCM }
        return table(u)
    }

    /// The largest offset any tip position gets (the table's largest, or the constant): how far past the plan positions
    /// the MLC can be open.
    public var largestLeafEndOffsetCM: Double { leafEndOffsetTable?.offsetCM.max() ?? leafEndOffsetCM }

    /// Moves the offset by `deltaCM` at every position (the constant and, if there is one, the table).
    public mutating func shiftLeafEndOffset(byCM deltaCM: Double) {
        leafEndOffsetCM += deltaCM
        if var table = leafEndOffsetTable {
            table.offsetCM = table.offsetCM.map { $0 + deltaCM }
            leafEndOffsetTable = table
        }
    }
}
