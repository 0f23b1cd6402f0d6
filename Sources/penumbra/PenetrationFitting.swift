import Beam

/// The spectrum-penetration fit (`PenetrationFit`) as both commissioning commands run it: the reference field in
/// batches so that each reading carries a standard error the fit can weigh, and the fit's outcome printed.
enum PenetrationFitting {
    /// Batches of each reference-field run of the fit: a standard error from 8 batches is itself good to ≈ 27 %
    /// (1/√(2·7)), from 4 only to ≈ 41 %, and the fit's stop rule leans on it; the merged dose is the same either way.
    static func batches(atLeast requested: Int, histories: UInt64) -> Int {
        Int(min(UInt64(max(requested, 8)), histories))
    }

    /// The seed of the fit's run `run` (0 first): the runs must be independent, since the fit pools them as such (one
    /// seed for all would repeat most of one run's noise in every run); the first keeps the command's own seed, the
    /// others step by 2⁶⁴/φ, so that they meet no small seed a user would choose for a check run.
    static func seed(_ seed: UInt64, run: Int) -> UInt64 {
        seed &+ UInt64(run) &* 0x9E37_79B9_7F4A_7C15
    }

    /// The run's PDD(10) with its standard error from the batches.
    /// - Throws: `CommandFailure` when the batches gave none (too few proposals per batch for their own fit).
    static func reading(_ field: SimulatedField) throws -> PenetrationFit.Reading {
        guard let sigma = field.batchUncertainty?.pdd10Points else {
            throw CommandFailure("the PDD(10) fit needs a standard error of each run from its batches, and "
                                 + "\(field.histories) proposals in batches gave none; raise --histories")
        }
        return PenetrationFit.Reading(pdd10Percent: field.pdd10Percent, standardErrorPercent: sigma)
    }

    /// Prints where the fit ended: the pooled PDD(10) at the written machine and whether it met the stop rule.
    static func report(_ fit: PenetrationFit, measuredPDD10Percent measured: Double) {
        guard let last = fit.steps.last, let pooled = last.pooledPDD10Percent, let sigma = last.pooledStandardErrorPercent else {
            return
        }
        let format = "PDD(10) fit: filter %.2f g/cm² after %d simulations, all steps pooled %.2f ± %.2f %% (target %.2f %%)"
        let unmet = "; not converged within the tolerance: raise --iterations or --histories, or check the written machine "
            + "with a longer run"
        print(String(format: format, fit.machine.spectrum.filterCentralGPerCM2, fit.steps.count, pooled, sigma, measured)
              + (fit.converged ? "" : unmet))
    }
}
