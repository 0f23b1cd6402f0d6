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

    /// The body of both entries. Inlined into each, so that a fresh particle's call builds and copies no
    /// optional step (a ≈ 280-byte `ChargedStep?` copied per electron was 1.7 % of the CPU time,
    /// docs/performance.md, profile 5).
    @inline(__always)
    private func chargedTransport(_ p: inout Particle, tally: inout EnergyTally, scratch: inout Scratch,
                                  resuming: ChargedStep?) {
        let g = region.grid
        let q = p.charge > 0 ? 1 : 0
        let positron = q == 1
        let eCut = settings.electronCutoffMeV
        let fLoss = settings.maximumEnergyLossFraction
        let kMax = settings.maximumScatteringStrength
        var ln = LastLog()
        let lnCut = log(eCut)
        let lnLossFactor = log(1 - fLoss)
        var resumed = resuming
        // The tables of the medium last read, replaced only when a segment enters another medium: a fresh
        // `tables[m]` per step and per voxel cost a retain and a release each (docs/performance.md, profile 5).
        var tablesMedium = resuming?.medium0 ?? medium[voxelIndex(p)]
        var t = tables[tablesMedium]
        step: while true {
            var st: ChargedStep
            if let r = resumed {
                st = r
                ln.remember(p.e, ln: r.lnEnergy)
                resumed = nil
            } else {
                if p.e <= eCut {
                    stopCharged(&p, tally: &tally, scratch: &scratch)
                    return
                }
                let v0 = voxelIndex(p)
                let rho0 = density[v0]
                let m0 = medium[v0]
                if m0 != tablesMedium { (tablesMedium, t) = (m0, tables[m0]) }
                let t0 = t
                let e0 = p.e
                let at0 = t0.locate(lnEnergy: ln(e0))
                let range0 = t0.value(t0.range[q], at0)
                if rho0 > 0 && e0 < settings.rangeRejectionBelowMeV {
                    // Range rejection: the restricted range (longer than the CSDA range) cannot reach a face.
                    let lo = g.originCM
                    let h = g.spacingCM
                    let dx = min(p.r.x - (lo.x + Double(p.i) * h.x), lo.x + Double(p.i + 1) * h.x - p.r.x)
                    let dy = min(p.r.y - (lo.y + Double(p.j) * h.y), lo.y + Double(p.j + 1) * h.y - p.r.y)
                    let dz = min(p.r.z - (lo.z + Double(p.k) * h.z), lo.z + Double(p.k + 1) * h.z - p.r.z)
                    if range0 < rho0 * min(dx, min(dy, dz)) {
                        depositLocally(e0, p, &tally, atEnergyMeV: 0.5 * e0)
                        if positron { annihilateAtRest(at: &p, scratch: &scratch) }
                        return
                    }
                }
                // Step length (g/cm², current medium) from the three limits.
                let sLoss = range0 - t0.value(t0.range[q], t0.locate(lnEnergy: ln(e0) + lnLossFactor))
                let sScatter = kMax / t0.value(t0.inverseLambda1[q], at0)
                let sigmaMax0 = t0.value(t0.hardMajorant[q], at0)
                let hardFuel = -log(p.rng.uniform())
                let sHard = sigmaMax0 > 0 ? hardFuel / sigmaMax0 : .infinity
                let sStep = min(sLoss, min(sScatter, sHard))
                // Scattering strength of the step from the strength table (exact along the slowing-down), and
                // λ₂/λ₁ at the step's mid-range energy.
                let lnEndStep = max(t0.lnEnergy(forRange: range0 - sStep, q), lnCut)
                let strength0 = t0.value(t0.strength[q], at0)
                let kStep = strength0 - t0.value(t0.strength[q], t0.locate(lnEnergy: lnEndStep))
                let atMid = t0.locate(lnEnergy: max(t0.lnEnergy(forRange: range0 - 0.5 * sStep, q), lnCut))
                let kHinge = p.rng.uniform() * kStep
                st = ChargedStep(
                    medium0: m0, e0: e0, sigmaMax0: sigmaMax0, hardFuel: hardFuel,
                    endsAtHardEvent: sHard <= min(sLoss, sScatter),
                    // A step that reaches the cut-off ends where the particle stops, not at a strength target.
                    stopsInStep: lnEndStep <= lnCut,
                    kStep: kStep,
                    inverseLambda1: t0.value(t0.inverseLambda1[q], atMid),
                    inverseLambda2: t0.value(t0.inverseLambda2[q], atMid),
                    // Read only for the Goudsmit–Saunderson model, the one that uses it.
                    rutherfordRatio: scattering.goudsmitSaunderson == nil ? 0 : t0.value(t0.rutherfordMomentRatio, atMid),
                    kHinge: kHinge, lnHingeTarget: t0.lnEnergy(forCumulative: t0.strength[q], strength0 - kHinge),
                    // S(E₀) − k_step is the strength at the step's end energy itself.
                    lnEndTarget: lnEndStep, inStartMedium: true, hinged: false, kUsed: 0, lnEnergy: ln(e0),
                    walk: VoxelWalk(grid: g, voxel: (p.i, p.j, p.k), pointCM: p.r, direction: p.u),
                    s: 0,  // cm flown along the current straight line
                    origin: p.r)
            }
            while true {
                let v = region.dataIndex(st.walk.i, st.walk.j, st.walk.k)
                let rho = density[v]
                let dsVoxel = st.walk.exitDistance - st.s
                if rho <= 0 {
                    st.s = st.walk.exitDistance
                    if !st.walk.advance() { return }
                    if !region.planes.contains(st.walk.k) { bank(p, st, lnEnergy: ln(p.e), &scratch); return }
                    continue
                }
                let m = medium[v]
                if m != tablesMedium { (tablesMedium, t) = (m, tables[m]) }
                if m != st.medium0 { st.inStartMedium = false }
                let lnHere = ln(p.e)
                let at = t.locate(lnEnergy: lnHere)
                // The step's majorant in this voxel's medium: the step's own (already located) in its
                // starting medium, which is every voxel of a one-medium phantom.
                let sigmaMax = m == st.medium0 ? st.sigmaMax0 : t.value(t.hardMajorant[q], t.locate(lnEnergy: ln(st.e0)))
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
                let lnEnd: Double, eEnd: Double
                if ds >= dsStop {
                    (lnEnd, eEnd) = (lnCut, eCut)
                } else if ds == dsScatter {
                    (lnEnd, eEnd) = lnK < lnHere ? (lnK, exp(lnK)) : (lnHere, p.e)
                } else {
                    lnEnd = t.lnEnergy(forRange: rangeHere - rho * ds, q)
                    eEnd = exp(lnEnd)
                }
                let factor = settings.doseQuantity == .water ? t.value(t.doseFactor[q], t.locate(lnEnergy: ln(0.5 * (p.e + eEnd)))) : 1
                tally.deposit((p.e - eEnd) * factor * p.weight, voxel: v)
                p.e = eEnd
                ln.remember(eEnd, ln: lnEnd)
                st.kUsed = ds == dsScatter ? kTarget : st.kUsed + strengthHere - t.value(t.strength[q], t.locate(lnEnergy: ln(eEnd)))
                st.hardFuel -= rho * ds * sigmaMax
                st.s += ds
                if ds >= dsStop {
                    p.r = st.origin + p.u * st.s
                    (p.i, p.j, p.k) = (st.walk.i, st.walk.j, st.walk.k)
                    stopCharged(&p, tally: &tally, scratch: &scratch)
                    return
                }
                if ds == dsScatter {
                    p.r = st.origin + p.u * st.s
                    (p.i, p.j, p.k) = (st.walk.i, st.walk.j, st.walk.k)
                    if st.hinged {
                        // A zero-length step would repeat forever: such a particle is at its cut-off.
                        if st.kStep <= 0 { stopCharged(&p, tally: &tally, scratch: &scratch); return }
                        continue step
                    }
                    // The hinge: deflect by the whole step's multiple scattering.
                    let cosTheta = scattering.sampleCosTheta(g1: st.kStep, g2: st.kStep * st.inverseLambda2 / st.inverseLambda1,
                                                             rutherfordMomentRatio: st.rutherfordRatio, rng: &p.rng)
                    p.u = p.u.rotated(cosTheta: cosTheta, phi: 2 * .pi * p.rng.uniform())
                    st.hinged = true
                    st.origin = p.r
                    st.s = 0
                    st.walk = VoxelWalk(grid: g, voxel: (p.i, p.j, p.k), pointCM: p.r, direction: p.u)
                    continue
                }
                if ds == dsHard {
                    p.r = st.origin + p.u * st.s
                    (p.i, p.j, p.k) = (st.walk.i, st.walk.j, st.walk.k)
                    let atEvent = t.locate(lnEnergy: ln(p.e))
                    let sigma = t.value(t.hardTotal[q], atEvent)
                    if p.rng.uniform() * sigmaMax < sigma {
                        if !st.hinged {
                            // A step cut short before its hinge: scatter for the strength used so far.
                            let cosTheta = scattering.sampleCosTheta(g1: st.kUsed, g2: st.kUsed * st.inverseLambda2 / st.inverseLambda1,
                                                                     rutherfordMomentRatio: st.rutherfordRatio, rng: &p.rng)
                            p.u = p.u.rotated(cosTheta: cosTheta, phi: 2 * .pi * p.rng.uniform())
                        }
                        if !hardEvent(&p, table: t, at: atEvent, positron: positron, tally: &tally, scratch: &scratch) { return }
                        continue step
                    }
                    // Fictitious event: the flight goes on.
                    if st.hinged && st.endsAtHardEvent { continue step }
                    st.hardFuel = -log(p.rng.uniform())
                    continue
                }
                // Voxel face.
                st.s = st.walk.exitDistance
                if !st.walk.advance() { return }
                if !region.planes.contains(st.walk.k) { bank(p, st, lnEnergy: ln(p.e), &scratch); return }
            }
        }
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
