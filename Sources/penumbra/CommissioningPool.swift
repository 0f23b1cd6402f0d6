import Beam
import Foundation

/// `penumbra machine commission --pool FILE`: earlier runs of the same machine (other seeds) pooled with this one, so
/// that output factors, the head-scatter fit, PDD(10) and the MU calibration rest on all their histories.
///
/// Runs with different seeds are independent, and runs of one machine and field estimate the same doses, so each
/// field's numbers are combined as means weighted by proposals (the variance of a run's dose falls as 1/proposals);
/// standard errors from batches combine as σ² = Σ (wᵢ σᵢ)². A pooled file must be a `commissioning.json` of the
/// machine being commissioned: its recorded `simulated` machine has to equal it (the calibration aside, which the
/// pooled doses set). Records written before that field existed carry only the machine's name; they are pooled on
/// the caller's word, with a warning.
enum CommissioningPool {
    typealias FieldResult = MachineCommissionCommand.FieldResult

    /// This run's `results` with the fields of the `commissioning.json` files at `paths` pooled in, sorted by field.
    /// - Throws: `CommandFailure` when a file cannot be read, is of another machine, or has depth doses on another grid.
    static func pooled(_ results: [FieldResult], machine: MachineModel, paths: [String]) throws -> [FieldResult] {
        var byField = Dictionary(grouping: results, by: \.fieldCM)
        for path in paths {
            let record: MachineCommissionCommand.Commissioning
            do {
                record = try JSONDecoder().decode(MachineCommissionCommand.Commissioning.self,
                                                  from: Data(contentsOf: URL(fileURLWithPath: path)))
            } catch {
                throw CommandFailure("--pool \(path): not a commissioning.json of `penumbra machine commission` (\(error)); "
                                     + "give the commissioning.json that an earlier run wrote into its --out folder")
            }
            if var simulated = record.simulated {
                simulated.calibration = machine.calibration
                guard simulated == machine else {
                    throw CommandFailure("--pool \(path): that run simulated another machine than '\(machine.name)' as given to "
                                         + "--machine (source, spectrum, jaws or MLC differ); pool only runs of the same machine")
                }
            } else {
                guard record.machine == machine.name else {
                    throw CommandFailure("--pool \(path): a run of '\(record.machine)', not of '\(machine.name)'")
                }
                print("warning: --pool \(path) does not record the machine it simulated (written before 2026-11-30); "
                      + "pooled as a run of '\(machine.name)' exactly as given to --machine")
            }
            for field in record.fields { byField[field.fieldCM, default: []].append(field) }
        }
        return try byField.keys.sorted().map { try combine(byField[$0]!) }
    }

    /// One field's runs combined (weights ∝ proposals). Profiles are the first run's that has any.
    static func combine(_ runs: [FieldResult]) throws -> FieldResult {
        guard let first = runs.first else { throw CommandFailure("--pool: no run of a field to pool") }
        guard runs.count > 1 else { return first }
        guard runs.allSatisfy({ $0.depthCM == first.depthCM }) else {
            throw CommandFailure(String(format: "--pool: the %g cm field's runs scored depth doses on different depth grids", first.fieldCM))
        }
        let total = runs.reduce(0) { $0 + $1.histories }
        let w = runs.map { Double($0.histories) / Double(total) }
        func mean(_ value: (FieldResult) -> Double) -> Double { zip(w, runs).reduce(0) { $0 + $1.0 * value($1.1) } }
        func quadrature(_ value: (FieldResult) -> Double?) -> Double? {
            var sum = 0.0
            for (wi, run) in zip(w, runs) {
                guard let v = value(run) else { return nil }
                sum += wi * wi * v * v
            }
            return sum.squareRoot()
        }
        let dose10 = mean(\.dose10PerMUArea), doseRef = mean(\.doseRefPerMUArea)
        var batch: SimulatedField.BatchUncertainty?
        if runs.allSatisfy({ $0.batchUncertainty != nil }) {
            batch = SimulatedField.BatchUncertainty(
                batches: runs.reduce(0) { $0 + $1.batchUncertainty!.batches },
                pdd10Points: quadrature { $0.batchUncertainty!.pdd10Points },
                dose10Relative: quadrature { r in r.batchUncertainty!.dose10Relative.map { $0 * r.dose10PerMUArea } }.map { $0 / dose10 },
                referenceDoseRelative: quadrature { r in r.batchUncertainty!.referenceDoseRelative.map { $0 * r.doseRefPerMUArea } }
                    .map { $0 / doseRef })
        }
        return FieldResult(
            fieldCM: first.fieldCM, histories: total, dMaxCM: mean(\.dMaxCM), pdd10Percent: mean(\.pdd10Percent),
            dose10PerMUArea: dose10, doseRefPerMUArea: doseRef, depthCM: first.depthCM,
            pddPercent: first.depthCM.indices.map { k in mean { $0.pddPercent[k] } },
            relativeUncertainty: first.depthCM.indices.map { k in quadrature { $0.relativeUncertainty[k] } ?? .nan },
            seconds: runs.reduce(0) { $0 + $1.seconds }, batchUncertainty: batch, outputFactor: nil, outputFactorUncertainty: nil,
            outputFactorAtReferenceDepth: nil, profiles: runs.first { !$0.profiles.isEmpty }?.profiles ?? [])
    }
}
