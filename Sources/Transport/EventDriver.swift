import Foundation
import Geometry

/// Which history loop transports the particles (`penumbra simulate --driver`).
public enum TransportDriver: String, Sendable, CaseIterable {
    /// History by history, one particle at a time (`Simulation.runHistory`): the reference.
    case scalar
    /// Event based (`Simulation.runEventBased`): photons of many histories advance together in lanes.
    case simd
}

extension Simulation {
    /// One thread's working memory for the event-based driver.
    public struct EventScratch: Sendable {
        var bank: PhotonBank
        var charged: ChargedBank
        let limits: ChargedLimits
        var refill: StreamRefill
        var lanes: [Int] = []
        var scalar: Scratch
        let capacity: Int
        let chargedCapacity: Int
        let walkPlaceholder: VoxelWalk
        /// Foundation's scalar `log` instead of `VectorMath.log` for ln E and free paths: the driver then
        /// computes exactly what the scalar driver does, bit for bit (a test of the event machinery).
        var exactLogarithms = false

        /// Scratch for `simulation` with `capacity` photon lanes and `chargedCapacity` charged ones (new
        /// histories start while both banks have room).
        public init(for simulation: Simulation, capacity: Int = 128, chargedCapacity: Int = 256) {
            self.capacity = capacity
            self.chargedCapacity = chargedCapacity
            bank = PhotonBank(media: simulation.tables.count, capacity: 2 * capacity)
            let lanesReserved = 2 * max(capacity, chargedCapacity)
            refill = StreamRefill(capacity: lanesReserved)
            lanes.reserveCapacity(lanesReserved)
            scalar = Scratch(for: simulation)
            let g = simulation.majorant.blocks
            walkPlaceholder = VoxelWalk(grid: g, voxel: (0, 0, 0), pointCM: g.originCM, direction: Vec3(0, 0, 1))
            let grid = simulation.region.grid
            let step = ChargedStep(
                medium0: 0, e0: 0, sigmaMax0: 0, hardFuel: 0, endsAtHardEvent: false, stopsInStep: false, kStep: 0,
                inverseLambda1: 0, inverseLambda2: 0, rutherfordRatio: 0, kHinge: 0, lnHingeTarget: 0, lnEndTarget: 0,
                inStartMedium: true, hinged: false, kUsed: 0, lnEnergy: 0,
                walk: VoxelWalk(grid: grid, voxel: (0, 0, 0), pointCM: grid.originCM, direction: Vec3(0, 0, 1)),
                s: 0, origin: grid.originCM)
            charged = ChargedBank(capacity: 2 * chargedCapacity, placeholder: step)
            limits = ChargedLimits(simulation.settings)
        }
    }

    /// Runs histories `histories` with the event-based driver, adding them to `tally`.
    ///
    /// Photons fly in lanes, one Woodcock event per lane per pass: free paths (−ln u, `VectorMath.log` four
    /// lanes at a time) and the random refills (`PhiloxLanes`, eight streams per block call) run over all
    /// lanes; the walk to the next candidate point, the real-or-virtual test and the interactions are per
    /// lane through the same functions as the scalar driver (`voxelInBlock`, `interact`). Electrons and
    /// positrons fly in lanes of their own, one condensed-history segment per lane per pass, through the
    /// scalar transport's step functions (`chargedEvent`). Each particle draws from its own stream
    /// exactly what it draws in the scalar driver, so the deposits of a history differ from the scalar
    /// driver's only through the last bits of the vector logarithm (none with `exactLogarithms`); they are
    /// recorded and folded in history order at the end (`EnergyTally.foldRecorded`), so the tally is
    /// bit-identical for any thread count or block size.
    public func runEventBased(_ histories: Range<UInt64>, seed: UInt64, tally: inout EnergyTally,
                              scratch: inout EventScratch) {
        tally.beginRecording(from: histories.lowerBound)
        var next = histories.lowerBound
        while true {
            while scratch.bank.count < scratch.capacity && scratch.charged.live < scratch.chargedCapacity
                    && next < histories.upperBound {
                startHistory(next, seed: seed, tally: &tally, scratch: &scratch)
                next += 1
            }
            if scratch.bank.count == 0 && scratch.charged.live == 0 {
                if next >= histories.upperBound { break }
                continue
            }
            if scratch.bank.count > 0 {
                photonEvent(tally: &tally, scratch: &scratch)
                scratch.bank.compact()
            }
            if scratch.charged.live > 0 {
                scratch.scalar.stack.removeAll(keepingCapacity: true)
                chargedEvent(&scratch.charged, lanes: &scratch.lanes, refill: &scratch.refill, scalar: &scratch.scalar,
                             limits: scratch.limits, exact: scratch.exactLogarithms, tally: &tally)
                drain(tally: &tally, scratch: &scratch)
                scratch.charged.releaseDead()
            }
        }
        tally.foldRecorded(histories)
    }

    /// The history a particle belongs to (its stream's history words).
    @inline(__always)
    func history(of p: Particle) -> UInt64 { UInt64(p.rng.historyHigh) << 32 | UInt64(p.rng.historyLow) }

    /// Samples history `history`'s primaries and admits them into the banks.
    func startHistory(_ history: UInt64, seed: UInt64, tally: inout EnergyTally, scratch: inout EventScratch) {
        tally.recordHistory(history)
        scratch.scalar.stack.removeAll(keepingCapacity: true)
        pushStartParticles(history, seed: seed, scratch: &scratch.scalar)
        drain(tally: &tally, scratch: &scratch)
    }

    /// Empties the scalar stack into the banks (photons below the cut-off deposit their energy at once).
    func drain(tally: inout EnergyTally, scratch: inout EventScratch) {
        while let p = scratch.scalar.stack.popLast() {
            if p.charge != 0 {
                let m = medium[voxelIndex(p)]
                scratch.charged.append(p, medium: m, tables: tables[m])
            } else if p.e < settings.photonCutoffMeV {
                tally.recordHistory(history(of: p))
                depositLocally(p.e, p, &tally)
            } else {
                scratch.bank.append(p, walkPlaceholder: scratch.walkPlaceholder)
            }
        }
    }

    /// One pass over the bank: set up new photons, draw free paths, walk to candidate points, test them,
    /// and carry out the real interactions.
    func photonEvent(tally: inout EnergyTally, scratch: inout EventScratch) {
        let exact = scratch.exactLogarithms
        let blocks = majorant.blocks
        let edge = majorant.edge
        let media = tables.count

        // New energy or direction: ln E (four lanes at a time), μ per medium, a fresh block walk.
        collect(.setup, into: &scratch)
        forEachQuad(scratch.lanes, exact: exact, read: { scratch.bank.particle[$0].e }) { lane, lnE in
            scratch.bank.lnEnergy[lane] = lnE
        }
        for l in scratch.lanes {
            let lnE = scratch.bank.lnEnergy[l]
            for m in 0..<media { scratch.bank.muPerMedium[l * media + m] = tables[m].photonMu(lnEnergy: lnE) }
            let p = scratch.bank.particle[l]
            scratch.bank.walk[l] = VoxelWalk(grid: blocks, voxel: (p.i / edge, p.j / edge, p.k / edge), pointCM: p.r, direction: p.u)
            scratch.bank.travelled[l] = 0
            scratch.bank.stage[l] = .needsPath
        }

        // Free paths in majorant mean free paths: −ln u.
        collect(.needsPath, into: &scratch)
        scratch.refill.refill(&scratch.bank.particle, lanes: scratch.lanes)
        forEachQuad(scratch.lanes, exact: exact, read: { scratch.bank.particle[$0].rng.uniform() }) { lane, lnU in
            scratch.bank.tau[lane] = -lnU
        }

        // The walk to the next candidate point (the scalar kernel's loop, lane by lane).
        for l in scratch.lanes {
            var walk = scratch.bank.walk[l]
            var tau = scratch.bank.tau[l]
            var travelled = scratch.bank.travelled[l]
            let p = scratch.bank.particle[l]
            let found: Bool = scratch.bank.muPerMedium.withUnsafeBufferPointer { all in
                let mu = UnsafeBufferPointer(rebasing: all[(l * media)..<(l * media + media)])
                while true {
                    let b = blocks.index(walk.i, walk.j, walk.k) - majorant.blockOffset
                    let muB = majorant.mu(block: b, muPerMedium: mu)
                    let exit = walk.exitDistance
                    if muB > 0 && tau <= muB * (exit - travelled) {
                        travelled += tau / muB
                        let q = p.r + p.u * travelled
                        let c = candidateVoxel(at: q, inBlock: walk)
                        scratch.bank.muBlock[l] = muB
                        scratch.bank.candidate[l] = q
                        scratch.bank.candidateVoxel[l] = SIMD3(Int32(c.0), Int32(c.1), Int32(c.2))
                        return true
                    }
                    tau -= muB * (exit - travelled)
                    travelled = exit
                    if !walk.advance() { return false }
                }
            }
            scratch.bank.walk[l] = walk
            scratch.bank.travelled[l] = travelled
            // Not found: the photon left the phantom.
            scratch.bank.stage[l] = found ? .candidate : .dead
        }

        // Real or virtual: a real interaction with probability μ/μ_block. μ at every lane's candidate first,
        // in a loop of independent loads: the candidates' voxel data mostly miss the cache (43 % of the
        // scalar flight's samples wait on that one load, docs/performance.md, session 5), and here the
        // lanes' misses overlap.
        collect(.candidate, into: &scratch)
        scratch.bank.muPerMedium.withUnsafeBufferPointer { all in
            for l in scratch.lanes {
                let c = scratch.bank.candidateVoxel[l]
                scratch.bank.muReal[l] = realMu((Int(c.x), Int(c.y), Int(c.z)),
                                                mu: UnsafeBufferPointer(rebasing: all[(l * media)..<(l * media + media)]))
            }
        }
        scratch.refill.refill(&scratch.bank.particle, lanes: scratch.lanes)
        for l in scratch.lanes {
            if scratch.bank.particle[l].rng.uniform() * scratch.bank.muBlock[l] < scratch.bank.muReal[l] {
                let c = scratch.bank.candidateVoxel[l]
                scratch.bank.particle[l].r = scratch.bank.candidate[l]
                (scratch.bank.particle[l].i, scratch.bank.particle[l].j, scratch.bank.particle[l].k) = (Int(c.x), Int(c.y), Int(c.z))
                scratch.bank.stage[l] = .interacts
            } else {
                scratch.bank.stage[l] = .needsPath
            }
        }

        // Real interactions, through the scalar driver's `interact`; secondaries are admitted at once.
        collect(.interacts, into: &scratch)
        for l in scratch.lanes {
            var p = scratch.bank.particle[l]
            tally.recordHistory(history(of: p))
            scratch.scalar.stack.removeAll(keepingCapacity: true)
            var alive = interact(&p, lnEnergy: scratch.bank.lnEnergy[l], tally: &tally, scratch: &scratch.scalar)
            if alive && p.e < settings.photonCutoffMeV {
                depositLocally(p.e, p, &tally)
                alive = false
            }
            scratch.bank.particle[l] = p
            scratch.bank.stage[l] = alive ? .setup : .dead
            drain(tally: &tally, scratch: &scratch)
        }
    }

    /// One pass over the charged lanes: set up the steps of the lanes that need one (hard-event fuels −ln u
    /// four lanes at a time), then fly one segment of every lane's step, every lane's voxel read first in
    /// a loop of independent loads (as `photonEvent` reads its candidates'), the segments' end energies
    /// (`exp`) four lanes at a time. The physics is the scalar transport's own (`startChargedStep`,
    /// `chargedStep`, `planChargedSegment`, `finishChargedSegment`); secondaries are left on `scalar.stack`
    /// for `drain`.
    func chargedEvent(_ bank: inout ChargedBank, lanes: inout [Int], refill: inout StreamRefill, scalar: inout Scratch,
                      limits: ChargedLimits, exact: Bool, tally: inout EnergyTally) {
        let count = bank.slots
        lanes.removeAll(keepingCapacity: true)
        for l in 0..<count where bank.stage[l] == .setup { lanes.append(l) }
        refill.refill(&bank.particle, lanes: lanes)
        // Lane memory through pointers: an array element's in-place access checks uniqueness every time.
        ChargedBank.withLanes(&bank.particle, &bank.stage, &bank.reader, &bank.start, &bank.step, &bank.voxel, &bank.plan) {
            particle, stage, reader, start, step, voxel, plan in
            for l in lanes {
                tally.recordHistory(history(of: particle[l]))
                if let s = startChargedStep(&particle[l], &reader[l], limits, tally: &tally, scratch: &scalar) {
                    start[l] = s
                    stage[l] = .needsFuel
                } else {
                    stage[l] = .dead
                }
            }
            // A lane stopped above draws nothing; the refill gave it the block its stream computes next anyway.
            ChargedBank.collect(.needsFuel, stage, count: count, into: &lanes)
            forEachQuad(lanes, exact: exact, read: { particle[$0].rng.uniform() }) { l, lnU in
                step[l] = chargedStep(start[l], hardFuel: -lnU, &particle[l], &reader[l], limits)
                stage[l] = .inStep
            }

            ChargedBank.collect(.inStep, stage, count: count, into: &lanes)
            for l in lanes {
                voxel[l].index = region.dataIndex(step[l].walk.i, step[l].walk.j, step[l].walk.k)
            }
            for l in lanes {
                let v = voxel[l].index
                voxel[l].density = density[v]
                voxel[l].medium = medium[v]
            }
            // Four lanes at a time: their segments measured out, their end energies (`VectorMath.exp`, one
            // call; the scalar `exp` when `exact`), then flown, so that the four lanes' state is still in L1.
            var c = 0
            while c < lanes.count {
                let n = min(4, lanes.count - c)
                var flying: UInt8 = 0  // bit q: lane c + q flies (a bit mask: byte stores into a vector stall its load)
                for q in 0..<n {
                    let l = lanes[c + q]
                    if let end = planChargedSegment(&particle[l], &step[l], &reader[l], limits, in: voxel[l], plan: &plan[l],
                                                    scratch: &scalar) {
                        // In vacuum: nothing deposited, the step only crossed the voxel.
                        switch end {
                        case .sameStep, .hinge: stage[l] = .inStep
                        case .nextStep: stage[l] = .setup
                        case .gone: stage[l] = .dead
                        }
                    } else {
                        flying |= 1 << q
                    }
                }
                let lnEnd = SIMD4(plan[lanes[c]].lnEnd, plan[lanes[c + min(1, n - 1)]].lnEnd,
                                  plan[lanes[c + min(2, n - 1)]].lnEnd, plan[lanes[c + min(3, n - 1)]].lnEnd)
                let eEnd = exact ? .zero : VectorMath.exp(lnEnd)
                // The lanes that reach their hinge: deflection sampled here, turned below with the azimuths'
                // cos and sin four at a time (`VectorMath.sincos`; the scalar functions when `exact`).
                var hinging: UInt8 = 0
                var cosTheta = SIMD4<Double>(), phi = SIMD4<Double>()
                for q in 0..<n where flying & (1 << q) != 0 {
                    let l = lanes[c + q]
                    let e = !plan[l].needsExp ? plan[l].eEnd : exact ? exp(plan[l].lnEnd) : eEnd[q]
                    tally.recordHistory(history(of: particle[l]))
                    switch finishChargedSegment(&particle[l], &step[l], &reader[l], limits, plan[l], eEnd: e, tally: &tally,
                                                scratch: &scalar) {
                    case .sameStep: break
                    case .hinge(let theta, let azimuth):
                        hinging |= 1 << q
                        (cosTheta[q], phi[q]) = (theta, azimuth)
                    case .nextStep: stage[l] = .setup
                    case .gone: stage[l] = .dead
                    }
                }
                if hinging != 0 {
                    let vector = exact ? nil : VectorMath.sincos(phi)
                    for q in 0..<n where hinging & (1 << q) != 0 {
                        let (sinPhi, cosPhi) = vector.map { ($0.sin[q], $0.cos[q]) } ?? (sin(phi[q]), cos(phi[q]))
                        let l = lanes[c + q]
                        hinge(&particle[l], &step[l], cosTheta: cosTheta[q], cosPhi: cosPhi, sinPhi: sinPhi)
                    }
                }
                c += n
            }
        }
    }

    /// The bank's lanes at `stage`, into `scratch.lanes`.
    @inline(__always)
    func collect(_ stage: PhotonBank.Stage, into scratch: inout EventScratch) {
        scratch.lanes.removeAll(keepingCapacity: true)
        for l in 0..<scratch.bank.count where scratch.bank.stage[l] == stage { scratch.lanes.append(l) }
    }

    /// ln of `read(lane)` for every lane of `lanes`, four at a time with `VectorMath.log` (or Foundation's
    /// scalar `log` when `exact`), handed to `write(lane, ln)` in the order of `lanes`.
    func forEachQuad(_ lanes: [Int], exact: Bool, read: (Int) -> Double, write: (Int, Double) -> Void) {
        var start = 0
        while start < lanes.count {
            let n = min(4, lanes.count - start)
            var x = SIMD4<Double>(repeating: 1)
            for s in 0..<n { x[s] = read(lanes[start + s]) }
            if exact {
                for s in 0..<n { write(lanes[start + s], log(x[s])) }
            } else {
                let y = VectorMath.log(x)
                for s in 0..<n { write(lanes[start + s], y[s]) }
            }
            start += n
        }
    }
}
