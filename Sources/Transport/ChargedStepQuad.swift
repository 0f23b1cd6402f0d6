extension Simulation {
    /// `chargedStep` for four lanes of the event driver's charged bank that start their steps in one medium
    /// with one charge, given their hard-event fuels: the step lengths, the three inversions (end, mid-range
    /// point, hinge) and the table reads between them as lane arithmetic (`TableLanes.swift`), the same
    /// operations in the same order as the scalar set-up, so each lane's step has the scalar step's bits
    /// (every inversion's result depends only on the interval it finds, and the lanes find the same one from
    /// their guesses; `TableLanesTests`). Each lane draws its hinge's number from its own stream, as the
    /// scalar set-up does.
    @inline(__always)
    func chargedStepQuad(_ l: SIMD4<Int>, hardFuel: SIMD4<Double>, particle: UnsafeMutablePointer<Particle>,
                         reader: UnsafeMutablePointer<ChargedReader>, start: UnsafeMutablePointer<ChargedStepStart>,
                         step: UnsafeMutablePointer<ChargedStep>, limits: ChargedLimits) {
        let q = particle[l[0]].charge > 0 ? 1 : 0
        let t0 = reader[l[0]].tables
        var i0 = SIMD4<Int64>(), w0 = SIMD4<Double>()
        var range0 = SIMD4<Double>(), sLoss = SIMD4<Double>(), sScatter = SIMD4<Double>(), sigmaMax0 = SIMD4<Double>()
        for k in 0..<4 {
            let s = start[l[k]]
            (i0[k], w0[k], range0[k]) = (Int64(s.at0.0), s.at0.1, s.range0)
            (sLoss[k], sScatter[k], sigmaMax0[k]) = (s.sLoss, s.sScatter, s.sigmaMax0)
        }
        var sHard = hardFuel / sigmaMax0
        sHard.replace(with: .infinity, where: .!(sigmaMax0 .> 0))
        let sStep = TableLanes.min(sLoss, TableLanes.min(sScatter, sHard))
        let endsAtHardEvent = sHard .<= TableLanes.min(sLoss, sScatter)
        // The guesses of the scalar set-up (`chargedStep`); only the interval each inversion finds matters.
        var lossShare = SIMD4<Double>(repeating: 1)
        lossShare.replace(with: sStep / sLoss, where: sStep .< sLoss)
        let endGuess = TableLanes.floor((TableLanes.double(i0) + limits.lnLossFactor * t0.inverseStep * lossShare)
            .clamped(lowerBound: .zero, upperBound: SIMD4(repeating: Double(t0.count))))
        let lnCut = SIMD4<Double>(repeating: limits.lnCut)
        let lnEndStep = TableLanes.max(t0.lnEnergy(forCumulative: t0.range[q], range0 - sStep, near: endGuess), lnCut)
        let strength0 = t0.value(t0.strength[q], (i0, w0))
        let atEnd = t0.locate(lnEnergies: lnEndStep)
        let kStep = strength0 - t0.value(t0.strength[q], atEnd)
        let span = i0 &- atEnd.0
        let atMid = t0.locate(lnEnergies: TableLanes.max(
            t0.lnEnergy(forCumulative: t0.range[q], range0 - 0.5 * sStep, near: atEnd.0 &+ (span &>> 1)), lnCut))
        let inverseLambda1 = t0.value(t0.inverseLambda1[q], atMid)
        let inverseLambda2 = t0.value(t0.inverseLambda2[q], atMid)
        var u = SIMD4<Double>()
        for k in 0..<4 { u[k] = particle[l[k]].rng.uniform() }
        let kHinge = u * kStep
        let hingeGuess = atEnd.0 &+ TableLanes.floor((u * TableLanes.double(span)).clamped(lowerBound: .zero,
                                                                                            upperBound: SIMD4(repeating: Double(t0.count))))
        let lnHinge = t0.lnEnergy(forCumulative: t0.strength[q], strength0 - kHinge, near: hingeGuess)
        for k in 0..<4 {
            step[l[k]] = chargedStep(start[l[k]], hardFuel: hardFuel[k], endsAtHardEvent: endsAtHardEvent[k],
                                     lnEndStep: lnEndStep[k], kStep: kStep[k], inverseLambda1: inverseLambda1[k],
                                     inverseLambda2: inverseLambda2[k], atMid: (Int(atMid.0[k]), atMid.1[k]),
                                     kHinge: kHinge[k], lnHingeTarget: lnHinge[k], particle[l[k]], &reader[l[k]], limits)
        }
    }
}
