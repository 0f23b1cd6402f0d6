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
    /// A step for new lanes until their own is set up (never read).
    private let placeholder: ChargedStep

    init(capacity: Int, placeholder: ChargedStep) {
        self.placeholder = placeholder
        particle.reserveCapacity(capacity)
        stage.reserveCapacity(capacity)
        reader.reserveCapacity(capacity)
        start.reserveCapacity(capacity)
        step.reserveCapacity(capacity)
    }

    var count: Int { particle.count }

    /// Adds a particle just set in motion, reading `tables` (the tables of `medium`, its voxel's).
    mutating func append(_ p: Particle, medium: Int, tables: MediumTables) {
        particle.append(p)
        stage.append(.setup)
        reader.append(ChargedReader(medium: medium, tables: tables))
        start.append(ChargedStepStart(medium0: 0, e0: 0, at0: (0, 0), range0: 0, sLoss: 0, sScatter: 0, sigmaMax0: 0))
        step.append(placeholder)
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
                particle.swapAt(l, last)
                stage.swapAt(l, last)
                reader.swapAt(l, last)
                start.swapAt(l, last)
                step.swapAt(l, last)
            }
            particle.removeLast()
            stage.removeLast()
            reader.removeLast()
            start.removeLast()
            step.removeLast()
        }
    }
}
