import Geometry

/// The event-based driver's electrons and positrons in flight, struct of arrays: one lane per particle,
/// each field an array over lanes, with the resumable step state the scalar transport keeps in locals
/// (`ChargedStep`, `ChargedReader`). A lane that dies is kept as a free slot for the next particle rather
/// than filled by moving the last lane into it: a step is ≈ 280 bytes, and copying one per particle (plus
/// a placeholder per new lane) cost ≈ 2 % of the driver's time (`memmove`, docs/performance.md, session 7).
struct ChargedBank {
    /// Where a lane is in its transport.
    enum Stage: UInt8 {
        /// Needs a step set up (`Simulation.startChargedStep`).
        case setup
        /// Set up as far as the hard-event fuel (`start` holds the rest).
        case needsFuel
        /// In a step: flies its next segment.
        case inStep
        /// Stopped, annihilated or out of the phantom in this pass.
        case dead
        /// A free slot.
        case free
    }

    var particle: [Particle] = []
    var stage: [Stage] = []
    var reader: [ChargedReader] = []
    var start: [ChargedStepStart] = []
    var step: [ChargedStep] = []
    /// The voxel of the lane's current segment, read for all lanes before their segments fly.
    var voxel: [ChargedVoxel] = []
    /// The lane's current segment, measured out.
    var plan: [ChargedSegmentPlan] = []
    /// Free slots.
    private var free: [Int] = []
    /// Lanes in use (not free).
    private(set) var live = 0
    /// A step for new slots until their own is set up (never read).
    private let placeholder: ChargedStep

    init(capacity: Int, placeholder: ChargedStep) {
        self.placeholder = placeholder
        particle.reserveCapacity(capacity)
        stage.reserveCapacity(capacity)
        reader.reserveCapacity(capacity)
        start.reserveCapacity(capacity)
        step.reserveCapacity(capacity)
        voxel.reserveCapacity(capacity)
        plan.reserveCapacity(capacity)
        free.reserveCapacity(capacity)
    }

    /// Slots, free or not: the lanes are `0..<slots`.
    var slots: Int { particle.count }

    /// Adds a particle just set in motion, reading `tables` (the tables of `medium`, its voxel's).
    mutating func append(_ p: Particle, medium: Int, tables: MediumTables) {
        live += 1
        if let l = free.popLast() {
            particle[l] = p
            stage[l] = .setup
            reader[l] = ChargedReader(medium: medium, tables: tables)
            return
        }
        particle.append(p)
        stage.append(.setup)
        reader.append(ChargedReader(medium: medium, tables: tables))
        start.append(ChargedStepStart(medium0: 0, e0: 0, at0: (0, 0), range0: 0, sLoss: 0, sScatter: 0, sigmaMax0: 0))
        step.append(placeholder)
        voxel.append(ChargedVoxel(index: 0, density: 0, medium: 0))
        plan.append(ChargedSegmentPlan())
    }

    /// Frees the slots of the lanes that died.
    mutating func releaseDead() {
        for l in 0..<stage.count where stage[l] == .dead {
            stage[l] = .free
            free.append(l)
            live -= 1
        }
    }
    /// Calls `body` with the lanes' memory (valid for `count` lanes; the arrays must not be empty).
    @inline(__always)
    static func withLanes(
        _ particle: inout [Particle], _ stage: inout [Stage], _ reader: inout [ChargedReader], _ start: inout [ChargedStepStart],
        _ step: inout [ChargedStep], _ voxel: inout [ChargedVoxel], _ plan: inout [ChargedSegmentPlan],
        _ body: (UnsafeMutablePointer<Particle>, UnsafeMutablePointer<Stage>, UnsafeMutablePointer<ChargedReader>,
                 UnsafeMutablePointer<ChargedStepStart>, UnsafeMutablePointer<ChargedStep>, UnsafeMutablePointer<ChargedVoxel>,
                 UnsafeMutablePointer<ChargedSegmentPlan>) -> Void
    ) {
        particle.withUnsafeMutableBufferPointer { a in
            stage.withUnsafeMutableBufferPointer { b in
                reader.withUnsafeMutableBufferPointer { c in
                    start.withUnsafeMutableBufferPointer { d in
                        step.withUnsafeMutableBufferPointer { e in
                            voxel.withUnsafeMutableBufferPointer { f in
                                plan.withUnsafeMutableBufferPointer { g in
                                    body(a.baseAddress!, b.baseAddress!, c.baseAddress!, d.baseAddress!, e.baseAddress!, f.baseAddress!,
                                         g.baseAddress!)
                                }
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
