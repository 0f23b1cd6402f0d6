import Foundation
import Geometry

extension Simulation {
    /// Transports an electron or positron with class II condensed history until it stops, falls below
    /// the cut-off or leaves the phantom or the active slab (PHYSICS.md §2.5, after DPM: Sempau, Wilderman & Bielajew 2000,
    /// PMB 45:2263).
    ///
    /// Each step is set in the current medium by the smallest of: the multiple-scattering strength
    /// s/λ₁ ≤ `maximumScatteringStrength`, the continuous energy loss ≤ `maximumEnergyLossFraction`, and
    /// the distance to the next candidate hard event. The particle then flies straight from voxel face to
    /// voxel face, spending three "fuels" with each voxel's own medium and density: scattering strength,
    /// hard-event mean free paths (against a majorant, so hard cross sections follow the energy: rejected
    /// candidates are fictitious events), and energy through the restricted range. No scattering is
    /// sampled at voxel faces. At a random point of the step (the random hinge; Kawrakow & Bielajew 1998,
    /// NIM B 142:253) the direction is turned by a multiple-scattering deflection for the whole step's
    /// strength. Energy lost continuously is deposited in the voxel where it is lost.
    ///
    /// A step that enters a voxel outside the active slab stops there and is banked in `scratch.outgoing`.
    func transportCharged(_ p: inout Particle, tally: inout EnergyTally, scratch: inout Scratch) {
        chargedTransport(&p, tally: &tally, scratch: &scratch, resuming: nil)
    }

    /// Finishes a step that stopped at a slab face (`BankedParticle`), then transports the particle on.
    func transportCharged(_ p: inout Particle, tally: inout EnergyTally, scratch: inout Scratch,
                          resuming: ChargedStep) {
        chargedTransport(&p, tally: &tally, scratch: &scratch, resuming: resuming)
    }

    /// The body of both entries: steps set up (`startChargedStep`, the hard-event fuel −ln u with the
    /// scalar `log`, `chargedStep`) and their segments flown (`chargedSegment`) until the particle is
    /// gone; the event driver's charged lanes call the same three (`EventDriver.chargedEvent`). Inlined
    /// into each entry, so that a fresh particle's call builds and copies no optional step (a ≈ 280-byte
    /// `ChargedStep?` copied per electron was 1.7 % of the CPU time, docs/performance.md, profile 5); each
    /// step is built where it lives (a declared, not yet initialised `st`), not copied into it.
    @inline(__always)
    private func chargedTransport(_ p: inout Particle, tally: inout EnergyTally, scratch: inout Scratch,
                                  resuming: ChargedStep?) {
        let limits = ChargedLimits(settings)
        let m = resuming?.medium0 ?? medium[voxelIndex(p)]
        var reader = ChargedReader(medium: m, tables: tables[m])
        var resumed = resuming
        step: while true {
            var st: ChargedStep
            if let r = resumed {
                st = r
                reader.ln.remember(p.e, ln: r.lnEnergy)
                resumed = nil
            } else {
                guard let start = startChargedStep(&p, &reader, limits, tally: &tally, scratch: &scratch) else { return }
                st = chargedStep(start, hardFuel: -log(p.rng.uniform()), &p, &reader, limits)
            }
            while true {
                let v = region.dataIndex(st.walk.i, st.walk.j, st.walk.k)
                let voxel = ChargedVoxel(index: v, density: density[v], medium: medium[v])
                switch chargedSegment(&p, &st, &reader, limits, in: voxel, tally: &tally, scratch: &scratch) {
                case .sameStep: continue
                case .hinge(let cosTheta, let phi): hinge(&p, &st, cosTheta: cosTheta, cosPhi: cos(phi), sinPhi: sin(phi))
                case .nextStep: continue step
                case .gone: return
                }
            }
        }
    }

    /// The first part of a step's set-up, up to its first random number: a particle at or below the
    /// cut-off stops, one that cannot leave its voxel is absorbed there (range rejection; both return nil),
    /// otherwise the step's limits by energy loss and scattering strength and its hard-event majorant.
    @inline(__always)
    func startChargedStep(_ p: inout Particle, _ reader: inout ChargedReader, _ limits: ChargedLimits,
                          tally: inout EnergyTally, scratch: inout Scratch) -> ChargedStepStart? {
        if p.e <= limits.eCut {
            stopCharged(&p, tally: &tally, scratch: &scratch)
            return nil
        }
        let q = p.charge > 0 ? 1 : 0
        let v0 = voxelIndex(p)
        let rho0 = density[v0]
        let m0 = medium[v0]
        reader.use(m0, tables)
        let t0 = reader.tables
        let e0 = p.e
        let at0 = t0.locate(lnEnergy: reader.ln(e0))
        let range0 = t0.value(t0.range[q], at0)
        if rho0 > 0 && e0 < settings.rangeRejectionBelowMeV {
            // Range rejection: the restricted range (longer than the CSDA range) cannot reach a face.
            let g = region.grid
            let lo = g.originCM
            let h = g.spacingCM
            let dx = min(p.r.x - (lo.x + Double(p.i) * h.x), lo.x + Double(p.i + 1) * h.x - p.r.x)
            let dy = min(p.r.y - (lo.y + Double(p.j) * h.y), lo.y + Double(p.j + 1) * h.y - p.r.y)
            let dz = min(p.r.z - (lo.z + Double(p.k) * h.z), lo.z + Double(p.k + 1) * h.z - p.r.z)
            if range0 < rho0 * min(dx, min(dy, dz)) {
                depositLocally(e0, p, &tally, atEnergyMeV: 0.5 * e0)
                if q == 1 { annihilateAtRest(at: &p, scratch: &scratch) }
                return nil
            }
        }
        // Step length (g/cm², current medium) from the energy-loss and strength limits.
        return ChargedStepStart(
            medium0: m0, e0: e0, at0: at0, range0: range0,
            sLoss: range0 - t0.value(t0.range[q], t0.locate(lnEnergy: reader.ln(e0) + limits.lnLossFactor)),
            sScatter: limits.kMax / t0.value(t0.inverseLambda1[q], at0),
            sigmaMax0: t0.value(t0.hardMajorant[q], at0))
    }

    /// The rest of a step's set-up, given its hard-event fuel (−ln u of the particle's next number):
    /// the step length, its scattering strength (exact along the slowing-down, from the strength table),
    /// λ₂/λ₁ at its mid-range energy and the random hinge (the particle's number after the fuel's).
    /// `reader` is still at the start's medium.
    @inline(__always)
    func chargedStep(_ start: ChargedStepStart, hardFuel: Double, _ p: inout Particle, _ reader: inout ChargedReader,
                     _ limits: ChargedLimits) -> ChargedStep {
        let q = p.charge > 0 ? 1 : 0
        let t0 = reader.tables
        let (at0, range0, sLoss, sScatter, sigmaMax0) = (start.at0, start.range0, start.sLoss, start.sScatter, start.sigmaMax0)
        let sHard = sigmaMax0 > 0 ? hardFuel / sigmaMax0 : .infinity
        let sStep = min(sLoss, min(sScatter, sHard))
        // The three inversions of the set-up step from a guess of their grid point instead of searching
        // (the same bits: `MediumTables.lnEnergy(forCumulative:_:near:)`). The end lies at most the loss
        // limit's ln(1 − f)/Δ ≈ 12 points below the start, about in proportion to the step's share of
        // sLoss (the range is near linear over so few points); the mid-range point and the hinge lie
        // between the end and the start.
        let lossShare = sStep < sLoss ? sStep / sLoss : 1
        let endGuess = at0.0 + Int(limits.lnLossFactor * t0.inverseStep * lossShare)
        let lnEndStep = max(t0.lnEnergy(forCumulative: t0.range[q], range0 - sStep, near: endGuess), limits.lnCut)
        let strength0 = t0.value(t0.strength[q], at0)
        let atEnd = t0.locate(lnEnergy: lnEndStep)
        let kStep = strength0 - t0.value(t0.strength[q], atEnd)
        let (iEnd, span) = (atEnd.0, at0.0 - atEnd.0)
        let atMid = t0.locate(lnEnergy: max(t0.lnEnergy(forCumulative: t0.range[q], range0 - 0.5 * sStep, near: iEnd + span / 2),
                                            limits.lnCut))
        let u = p.rng.uniform()
        let kHinge = u * kStep
        return ChargedStep(
            medium0: start.medium0, e0: start.e0, sigmaMax0: sigmaMax0, hardFuel: hardFuel,
            endsAtHardEvent: sHard <= min(sLoss, sScatter),
            // A step that reaches the cut-off ends where the particle stops, not at a strength target.
            stopsInStep: lnEndStep <= limits.lnCut,
            kStep: kStep,
            inverseLambda1: t0.value(t0.inverseLambda1[q], atMid),
            inverseLambda2: t0.value(t0.inverseLambda2[q], atMid),
            // Read only for the Goudsmit–Saunderson model, the one that uses it.
            rutherfordRatio: scattering.goudsmitSaunderson == nil ? 0 : t0.value(t0.rutherfordMomentRatio, atMid),
            kHinge: kHinge,
            lnHingeTarget: t0.lnEnergy(forCumulative: t0.strength[q], strength0 - kHinge, near: iEnd + Int(u * Double(span))),
            // S(E₀) − k_step is the strength at the step's end energy itself.
            lnEndTarget: lnEndStep, inStartMedium: true, hinged: false, kUsed: 0, lnEnergy: reader.ln(start.e0),
            walk: VoxelWalk(grid: region.grid, voxel: (p.i, p.j, p.k), pointCM: p.r, direction: p.u),
            s: 0,  // cm flown along the current straight line
            origin: p.r)
    }

    /// Flies one segment of step `st` in `voxel` (the step walk's current voxel): straight on to the first
    /// of the voxel face, the point where the remaining scattering strength is spent (the hinge or the
    /// step's end), the next candidate hard event and the point where the particle stops, depositing the
    /// continuous loss in the voxel; then acts there (deflection at the hinge, hard event, stop). The
    /// three parts (`planChargedSegment`, the end energy's `exp`, `finishChargedSegment`) are what the
    /// event driver runs lane by lane, the `exp` four lanes at a time.
    @inline(__always)
    func chargedSegment(_ p: inout Particle, _ st: inout ChargedStep, _ reader: inout ChargedReader,
                        _ limits: ChargedLimits, in voxel: ChargedVoxel, tally: inout EnergyTally,
                        scratch: inout Scratch) -> ChargedSegmentEnd {
        var plan = ChargedSegmentPlan()
        if let end = planChargedSegment(&p, &st, &reader, limits, in: voxel, plan: &plan, scratch: &scratch) { return end }
        return finishChargedSegment(&p, &st, &reader, limits, plan, eEnd: plan.needsExp ? exp(plan.lnEnd) : plan.eEnd,
                                    tally: &tally, scratch: &scratch)
    }

    /// The first part of a segment: its length and its end energy's ln (`plan`); nil when the particle
    /// flies on to its end energy, else what a segment in vacuum (which only crosses it) left to do.
    @inline(__always)
    func planChargedSegment(_ p: inout Particle, _ st: inout ChargedStep, _ reader: inout ChargedReader,
                            _ limits: ChargedLimits, in voxel: ChargedVoxel, plan: inout ChargedSegmentPlan,
                            scratch: inout Scratch) -> ChargedSegmentEnd? {
        let q = p.charge > 0 ? 1 : 0
        let (eCut, lnCut) = (limits.eCut, limits.lnCut)
        let v = voxel.index
        let rho = voxel.density
        let dsVoxel = st.walk.exitDistance - st.s
        if rho <= 0 {
            st.s = st.walk.exitDistance
            if !st.walk.advance() { return .gone }
            if !region.planes.contains(st.walk.k) { bank(p, st, lnEnergy: reader.ln(p.e), &scratch); return .gone }
            return .sameStep
        }
        let m = voxel.medium
        reader.use(m, tables)
        let t = reader.tables
        if m != st.medium0 { st.inStartMedium = false }
        let lnHere = reader.ln(p.e)
        let at = t.locate(lnEnergy: lnHere)
        // The step's majorant in this voxel's medium: the step's own (already located) in its
        // starting medium, which is every voxel of a one-medium phantom.
        let sigmaMax = m == st.medium0 ? st.sigmaMax0 : t.value(t.hardMajorant[q], t.locate(lnEnergy: reader.ln(st.e0)))
        let kTarget = st.hinged ? (st.endsAtHardEvent || st.stopsInStep ? Double.infinity : st.kStep) : st.kHinge
        let rangeHere = t.value(t.range[q], at)
        let strengthHere = t.value(t.strength[q], at)
        // Distance to spend the remaining strength: down to the energy lnK where S has dropped by it
        // (in the starting medium the step's own target, inverted once per step).
        var dsScatter = Double.infinity
        var lnK = lnHere
        if kTarget < .infinity {
            lnK = !st.inStartMedium ? t.lnEnergy(forCumulative: t.strength[q], strengthHere - (kTarget - st.kUsed))
                : st.hinged ? st.lnEndTarget : st.lnHingeTarget
            dsScatter = max(0, rangeHere - t.value(t.range[q], t.locate(lnEnergy: lnK))) / rho
        }
        let dsHard = sigmaMax > 0 ? st.hardFuel / (rho * sigmaMax) : .infinity
        let dsStop = max(0, rangeHere - t.value(t.range[q], t.locate(lnEnergy: lnCut))) / rho
        // Two-argument min only: the variadic one allocates an array per call (measured: 11 mallocs per history).
        let ds = max(0, min(min(dsVoxel, dsScatter), min(dsHard, dsStop)))
        // Continuous loss over the segment, deposited in this voxel. A segment that spends its strength
        // ends at the target energy itself (no second inversion); none below the particle's own.
        plan.needsExp = false
        if ds >= dsStop {
            (plan.lnEnd, plan.eEnd) = (lnCut, eCut)
        } else if ds == dsScatter {
            if lnK < lnHere { (plan.lnEnd, plan.needsExp) = (lnK, true) } else { (plan.lnEnd, plan.eEnd) = (lnHere, p.e) }
        } else {
            // The segment ends below its start and above its targets, mostly in the start's interval.
            (plan.lnEnd, plan.needsExp) = (t.lnEnergy(forCumulative: t.range[q], rangeHere - rho * ds, near: at.0), true)
        }
        (plan.voxel, plan.density, plan.sigmaMax, plan.kTarget, plan.strengthHere) = (v, rho, sigmaMax, kTarget, strengthHere)
        (plan.ds, plan.dsScatter, plan.dsHard, plan.dsStop) = (ds, dsScatter, dsHard, dsStop)
        return nil
    }

    /// The rest of a segment, given its end energy `eEnd` (`exp` of `plan.lnEnd` when `plan.needsExp`, else
    /// `plan.eEnd`): the continuous loss deposited in the voxel, the fuels spent, and what happens where the
    /// segment ends.
    @inline(__always)
    func finishChargedSegment(_ p: inout Particle, _ st: inout ChargedStep, _ reader: inout ChargedReader,
                              _ limits: ChargedLimits, _ plan: ChargedSegmentPlan, eEnd: Double, tally: inout EnergyTally,
                              scratch: inout Scratch) -> ChargedSegmentEnd {
        let q = p.charge > 0 ? 1 : 0
        let t = reader.tables
        let (v, rho, sigmaMax, kTarget, strengthHere) = (plan.voxel, plan.density, plan.sigmaMax, plan.kTarget, plan.strengthHere)
        let (ds, dsScatter, dsHard, dsStop) = (plan.ds, plan.dsScatter, plan.dsHard, plan.dsStop)
        let lnEnd = plan.lnEnd
        let factor = settings.doseQuantity == .water ? t.value(t.doseFactor[q], t.locate(lnEnergy: reader.ln(0.5 * (p.e + eEnd)))) : 1
        tally.deposit((p.e - eEnd) * factor * p.weight, voxel: v)
        p.e = eEnd
        reader.ln.remember(eEnd, ln: lnEnd)
        st.kUsed = ds == dsScatter ? kTarget : st.kUsed + strengthHere - t.value(t.strength[q], t.locate(lnEnergy: reader.ln(eEnd)))
        st.hardFuel -= rho * ds * sigmaMax
        st.s += ds
        if ds >= dsStop {
            p.r = st.origin + p.u * st.s
            (p.i, p.j, p.k) = (st.walk.i, st.walk.j, st.walk.k)
            stopCharged(&p, tally: &tally, scratch: &scratch)
            return .gone
        }
        if ds == dsScatter {
            p.r = st.origin + p.u * st.s
            (p.i, p.j, p.k) = (st.walk.i, st.walk.j, st.walk.k)
            if st.hinged {
                // A zero-length step would repeat forever: such a particle is at its cut-off.
                if st.kStep <= 0 { stopCharged(&p, tally: &tally, scratch: &scratch); return .gone }
                return .nextStep
            }
            // The hinge: deflect by the whole step's multiple scattering (the caller turns the particle, `hinge`).
            let cosTheta = scattering.sampleCosTheta(g1: st.kStep, g2: st.kStep * st.inverseLambda2 / st.inverseLambda1,
                                                     rutherfordMomentRatio: st.rutherfordRatio, rng: &p.rng)
            return .hinge(cosTheta: cosTheta, phi: 2 * .pi * p.rng.uniform())
        }
        if ds == dsHard {
            p.r = st.origin + p.u * st.s
            (p.i, p.j, p.k) = (st.walk.i, st.walk.j, st.walk.k)
            let atEvent = t.locate(lnEnergy: reader.ln(p.e))
            let sigma = t.value(t.hardTotal[q], atEvent)
            if p.rng.uniform() * sigmaMax < sigma {
                if !st.hinged {
                    // A step cut short before its hinge: scatter for the strength used so far.
                    let cosTheta = scattering.sampleCosTheta(g1: st.kUsed, g2: st.kUsed * st.inverseLambda2 / st.inverseLambda1,
                                                             rutherfordMomentRatio: st.rutherfordRatio, rng: &p.rng)
                    p.u = p.u.rotated(cosTheta: cosTheta, phi: 2 * .pi * p.rng.uniform())
                }
                if !hardEvent(&p, table: t, at: atEvent, positron: q == 1, tally: &tally, scratch: &scratch) { return .gone }
                return .nextStep
            }
            // Fictitious event: the flight goes on.
            if st.hinged && st.endsAtHardEvent { return .nextStep }
            st.hardFuel = -log(p.rng.uniform())
            return .sameStep
        }
        // Voxel face.
        st.s = st.walk.exitDistance
        if !st.walk.advance() { return .gone }
        if !region.planes.contains(st.walk.k) { bank(p, st, lnEnergy: reader.ln(p.e), &scratch); return .gone }
        return .sameStep
    }

    /// Turns the particle at its step's hinge by the sampled deflection (polar angle, cos and sin of the
    /// azimuth) and starts the step's second straight line there.
    @inline(__always)
    func hinge(_ p: inout Particle, _ st: inout ChargedStep, cosTheta: Double, cosPhi: Double, sinPhi: Double) {
        p.u = p.u.rotated(cosTheta: cosTheta, cosPhi: cosPhi, sinPhi: sinPhi)
        st.hinged = true
        st.origin = p.r
        st.s = 0
        st.walk = VoxelWalk(grid: region.grid, voxel: (p.i, p.j, p.k), pointCM: p.r, direction: p.u)
    }

    /// Hands a step that crossed a face of the active slab to the slab it entered, with the ln of the
    /// particle's energy that the step would read next.
    private func bank(_ p: Particle, _ step: ChargedStep, lnEnergy: Double, _ scratch: inout Scratch) {
        var step = step
        step.lnEnergy = lnEnergy
        scratch.outgoing.append(BankedParticle(particle: p, flight: .charged(step), plane: step.walk.k))
    }

    /// A hard Møller/Bhabha collision, bremsstrahlung emission or (positrons) two-photon annihilation in
    /// flight at the particle's position; `at` is the particle's energy located in `t` (the caller has
    /// it from the rejection test). Returns false when the particle is gone (annihilated).
    func hardEvent(_ p: inout Particle, table t: MediumTables, at: (Int, Double), positron: Bool,
                   tally: inout EnergyTally, scratch: inout Scratch) -> Bool {
        let m = MultipleScattering.electronMassMeV
        let r = p.rng.uniform()
        let brems = t.value(t.bremsFraction[positron ? 1 : 0], at)
        if positron && r >= brems && r < brems + t.value(t.annihilationFraction[1], at) {
            let (first, second) = PositronAnnihilation.sample(kineticEnergyMeV: p.e, rng: &p.rng)
            let phi = 2 * Double.pi * p.rng.uniform()
            emitPhoton(energyMeV: first.energyMeV, direction: p.u.rotated(cosTheta: first.cosTheta, phi: phi),
                       from: &p, scratch: &scratch)
            emitPhoton(energyMeV: second.energyMeV, direction: p.u.rotated(cosTheta: second.cosTheta, phi: phi + .pi),
                       from: &p, scratch: &scratch)
            p.e = 0
            return false
        }
        if r < brems {
            let k = min(t.physics.sampleBremsstrahlung(kineticEnergyMeV: p.e, rng: &p.rng), p.e)
            // Photon polar angle from the leading Koch–Motz term, p(w) ∝ w/(1+w²)², w = θE/mc²
            // (Koch & Motz 1959, RMP 31:920, 2BS small-angle form): w = √(r/(1−r)).
            let r = p.rng.uniform()
            let theta = min((r / (1 - r)).squareRoot() * m / (p.e + m), .pi)
            let u = p.u.rotated(cosTheta: cos(theta), phi: 2 * .pi * p.rng.uniform())
            emitPhoton(energyMeV: k, direction: u, from: &p, scratch: &scratch)
            p.e -= k
            return true
        }
        let e = p.e
        let w = min(t.physics.sampleHardCollision(positron: positron, kineticEnergyMeV: e, rng: &p.rng), e)
        let rest = e - w
        // Two-body kinematics on a free electron at rest: cos²θ = T′(T + 2m) / (T(T′ + 2m)).
        let cosSecondary = min(1, (w * (e + 2 * m) / (e * (w + 2 * m))).squareRoot())
        let cosPrimary = min(1, (rest * (e + 2 * m) / (e * (rest + 2 * m))).squareRoot())
        let phi = 2 * Double.pi * p.rng.uniform()
        let uSecondary = p.u.rotated(cosTheta: cosSecondary, phi: phi + .pi)
        emitElectron(energyMeV: w, direction: uSecondary, charge: -1, from: &p, tally: &tally, scratch: &scratch)
        p.u = p.u.rotated(cosTheta: cosPrimary, phi: phi)
        p.e = rest
        return true
    }

    /// Absorbs a charged particle's remaining kinetic energy where it is; a positron then annihilates.
    func stopCharged(_ p: inout Particle, tally: inout EnergyTally, scratch: inout Scratch) {
        depositLocally(p.e, p, &tally)
        p.e = 0
        if p.charge > 0 { annihilateAtRest(at: &p, scratch: &scratch) }
    }
}
