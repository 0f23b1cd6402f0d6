import Geometry

/// The event-based driver's electrons and positrons in flight, struct of arrays: one lane per particle,
/// each field an array over lanes, with the resumable step state the scalar transport keeps in locals
/// (`ChargedStep`, `ChargedReader`). Lanes die in place and are compacted between passes.
struct ChargedBank {
    /// Where a lane is in its transport.
    enum Stage: UInt8 {
        /// Needs a step set up (`Simulation.startChargedStep`).
        case setup
        /// Set up as far as the hard-event fuel (`start` holds the rest).
        case needsFuel
        /// In a step: flies its next segment.
        case inStep
        /// Stopped, annihilated or out of the phantom.
        case dead
    }

    var particle: [Particle] = []
    var stage: [Stage] = []
    var reader: [ChargedReader] = []
    var start: [ChargedStepStart] = []
    var step: [ChargedStep] = []
    /// The voxel of the lane's current segment, read for all lanes before their segments fly.
    var voxel: [ChargedVoxel] = []
    /// A step for new lanes until their own is set up (never read).
    private let placeholder: ChargedStep

    init(capacity: Int, placeholder: ChargedStep) {
        self.placeholder = placeholder
        particle.reserveCapacity(capacity)
        stage.reserveCapacity(capacity)
        reader.reserveCapacity(capacity)
        start.reserveCapacity(capacity)
        step.reserveCapacity(capacity)
        voxel.reserveCapacity(capacity)
    }

    var count: Int { particle.count }

    /// Adds a particle just set in motion, reading `tables` (the tables of `medium`, its voxel's).
    mutating func append(_ p: Particle, medium: Int, tables: MediumTables) {
        particle.append(p)
        stage.append(.setup)
        reader.append(ChargedReader(medium: medium, tables: tables))
        start.append(ChargedStepStart(medium0: 0, e0: 0, at0: (0, 0), range0: 0, sLoss: 0, sScatter: 0, sigmaMax0: 0))
        step.append(placeholder)
        voxel.append(ChargedVoxel(index: 0, density: 0, medium: 0))
    }

    /// Removes the dead lanes (the last live lane moves into each hole: lane order carries no meaning).
    mutating func compact() {
        var l = 0
        while l < particle.count {
            if stage[l] != .dead {
                l += 1
                continue
            }
            let last = particle.count - 1
            if l != last {
                particle[l] = particle[last]
                stage[l] = stage[last]
                reader[l] = reader[last]
                start[l] = start[last]
                step[l] = step[last]
                voxel[l] = voxel[last]
            }
            particle.removeLast()
            stage.removeLast()
            reader.removeLast()
            start.removeLast()
            step.removeLast()
            voxel.removeLast()
        }
    }

    /// Calls `body` with the lanes' memory (valid for `count` lanes; the arrays must not be empty).
    @inline(__always)
    static func withLanes(
        _ particle: inout [Particle], _ stage: inout [Stage], _ reader: inout [ChargedReader], _ start: inout [ChargedStepStart],
        _ step: inout [ChargedStep], _ voxel: inout [ChargedVoxel],
        _ body: (UnsafeMutablePointer<Particle>, UnsafeMutablePointer<Stage>, UnsafeMutablePointer<ChargedReader>,
                 UnsafeMutablePointer<ChargedStepStart>, UnsafeMutablePointer<ChargedStep>, UnsafeMutablePointer<ChargedVoxel>) -> Void
    ) {
        particle.withUnsafeMutableBufferPointer { a in
            stage.withUnsafeMutableBufferPointer { b in
                reader.withUnsafeMutableBufferPointer { c in
                    start.withUnsafeMutableBufferPointer { d in
                        step.withUnsafeMutableBufferPointer { e in
                            voxel.withUnsafeMutableBufferPointer { f in
                                body(a.baseAddress!, b.baseAddress!, c.baseAddress!, d.baseAddress!, e.baseAddress!, f.baseAddress!)
                            }
                        }
                    }
                }
            }
        }
    }

    /// The lanes `0..<count` at `stage` of `stages`, into `lanes`.
    @inline(__always)
    static func collect(_ stage: Stage, _ stages: UnsafeMutablePointer<Stage>, count: Int, into lanes: inout [Int]) {
        lanes.removeAll(keepingCapacity: true)
        for l in 0..<count where stages[l] == stage { lanes.append(l) }
    }
}
