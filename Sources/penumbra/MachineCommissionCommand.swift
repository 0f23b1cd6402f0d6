import ArgumentParser
import Beam
import FileIO
import Foundation
import Phantom
import Physics

/// `penumbra machine commission`: simulates a machine's open square fields in water at SSD 100 cm, reports
/// depth doses, d_max, PDD(10), output factors, and writes the MU-calibrated machine file.
struct MachineCommissionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commission",
        abstract: "Depth doses, output factors and MU calibration of a machine in a simulated water tank.",
        discussion: """
            Each field is an open square field at gantry 0, SSD 100 cm, in a water tank 30 cm deep and 31 cm wide \
            or wider (5 cm of water beyond the field edge at the bottom; depth \
            voxels 0.25 cm). Doses at 10 cm and at d_max come from quadratic fits of ln(dose) over ±1.5 cm and \
            ±0.6 cm. Output factors are doses at 10 cm depth per MU relative to 10×10. With --fit-pdd10 the \
            effective filtration is first fitted so that the reference field's PDD(10) meets that value \
            (simulate, update, repeat, as `penumbra commission --measured`); the other fields then use the fitted \
            machine. With --fit-output-factors the extra-focal (head-scatter) source's weight and width are then \
            fitted to the machine's documented output-factor table (`HeadScatterFit`: S_c from the source model \
            times the simulated S_p; the table's fields must all be simulated) and the MU calibration scaled to \
            match; the written machine's PDD(10) and calibration then need a check run. --batches K runs each field \
            as K history ranges and reports standard errors from their spread; --equal-axis-precision gives every \
            field the proposals that make its axis dose about as precise as the reference field's with \
            --histories. With --fit-off-axis-fluence the off-axis fluence table is first fitted to the machine's \
            published profile shapes (`ProfileTarget`; `OffAxisFluenceFit`: one kernel run per table radius and field \
            with --histories proposals each, under another seed than the fields), before --fit-pdd10; the targets' \
            depths are added to --profile-depths and every simulated profile with a target is compared with it. \
            Writes DIR/machine.json (calibrated) and DIR/commissioning.json.
            """)

    @Option(help: "Generic machine name or machine file (JSON).") var machine: String
    @Option(help: "Comma-separated square field sides in cm.") var fields: String = "10"
    @Option(help: "Proposals per field.") var histories: UInt64 = 2_000_000
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Worker threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Comma-separated depths (cm) for profiles along Xb (0.2 cm voxels across the field).")
    var profileDepths: String = ""
    @Option(help: "Fit the effective filtration to this PDD(10) (%) of the reference field before the other fields.")
    var fitPdd10: Double?
    @Option(help: "Largest number of reference-field simulations of the --fit-pdd10 fit.") var iterations: Int = 3
    @Flag(help: "Fit the extra-focal source to the machine's documented output factors after simulating the fields.")
    var fitOutputFactors = false
    @Flag(help: "Fit the off-axis fluence table to the machine's published profile shapes before anything else.")
    var fitOffAxisFluence = false
    @Option(help: "History ranges per field whose spread gives standard errors (1: none).") var batches: Int = 1
    @Flag(help: "Scale each field's proposals so that its axis dose is about as precise as the reference field's.")
    var equalAxisPrecision = false
    @Option(help: ArgumentHelp("A commissioning.json of an earlier run of the same machine (other seed) to pool with this run; "
                               + "repeatable. With --histories 0 nothing is simulated and the pooled runs alone are used."))
    var pool: [String] = []
    @Option(help: "Output directory.") var out: String
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        if histories == 0 {
            guard !pool.isEmpty && fitPdd10 == nil && !fitOffAxisFluence else {
                throw ValidationError("--histories 0 simulates nothing: it needs --pool and cannot --fit-pdd10 or --fit-off-axis-fluence")
            }
        } else if !(batches >= 1 && UInt64(batches) <= histories) {
            throw ValidationError("--batches must be between 1 and --histories (\(histories)), got \(batches)")
        }
        if let p = fitPdd10, !(p > 20 && p < 100) {
            throw ValidationError("--fit-pdd10: \(p) is not a PDD(10) in percent (20–100)")
        }
    }

    func run() throws {
        logging.bootstrap()
        var model = try MachineLoader.load(machine)
        let sides = try fields.split(separator: ",").map { s -> Double in
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v > 0, v <= 40 else {
                throw ValidationError("--fields: '\(s)' is not a field side in (0, 40] cm")
            }
            return v
        }
        var depths = try profileDepths.split(separator: ",").map { s -> Double in
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v > 0, v < 30 else {
                throw ValidationError("--profile-depths: '\(s)' is not a depth in (0, 30) cm")
            }
            return v
        }
        let physics = try PhysicsData.bundled()
        let profileTargets = ProfileTarget.forMachine(model.name)
        var offAxis: OffAxisFluenceFitting.Record?
        if fitOffAxisFluence {
            guard !profileTargets.isEmpty else {
                throw CommandFailure("--fit-off-axis-fluence: machine '\(model.name)' has no published profile shape (ProfileTarget); "
                                     + "use `penumbra commission --measured` with a clinic's profile_<S>x<S>_d<D>.csv")
            }
            let fit = try OffAxisFluenceFitting.fit(model: model, targets: OffAxisFluenceFit.Target.from(profileTargets),
                                                    histories: histories, seed: seed, threads: threads, physics: physics)
            model = fit.machine
            offAxis = fit.record
            depths = Array(Set(depths + profileTargets.flatMap { $0.points.map(\.depthCM) })).sorted()
        }
        let referenceCM = model.calibration.referenceFieldCM
        var fitSteps: [PenetrationFit.Step] = []
        var fitConverged: Bool?
        var fittedReference: (field: SimulatedField, seconds: Double)?
        if let target = fitPdd10 {
            var run = 0
            let fit = try PenetrationFit(machine: model, measuredPDD10Percent: target, physics: physics, iterations: iterations) { m in
                let start = Date()
                defer { run += 1 }
                let field = try SimulatedField(machine: m, fieldCM: referenceCM, histories: histories,
                                               seed: PenetrationFitting.seed(seed, run: run), threads: threads,
                                               physics: physics, profileDepthsCM: depths,
                                               batches: PenetrationFitting.batches(atLeast: batches, histories: histories))
                fittedReference = (field, Date().timeIntervalSince(start))
                let reading = try PenetrationFitting.reading(field)
                print(String(format: "filter %.2f / %.2f g/cm²: d_max %.2f cm, PDD(10) %.2f ± %.2f %% (target %.2f %%)",
                             m.spectrum.filterCentralGPerCM2, m.spectrum.filterEdgeGPerCM2, field.dMaxCM, field.pdd10Percent,
                             reading.standardErrorPercent, target))
                return reading
            }
            PenetrationFitting.report(fit, measuredPDD10Percent: target)
            model = fit.machine
            fitSteps = fit.steps
            fitConverged = fit.converged
        }
        var results: [FieldResult] = []
        for side in histories == 0 ? [] : Set(sides + [referenceCM]).sorted() {
            let start = Date()
            let simulated: (field: SimulatedField, seconds: Double)
            if side == referenceCM, let fitted = fittedReference {
                simulated = fitted
            } else {
                let proposals = equalAxisPrecision
                    ? try ReferenceSetup.proposals(fieldCM: side, machine: model, referenceFieldCM: referenceCM,
                                                   referenceProposals: histories)
                    : histories
                simulated = (try SimulatedField(machine: model, fieldCM: side, histories: proposals, seed: seed, threads: threads,
                                                physics: physics, profileDepthsCM: depths, batches: min(batches, Int(proposals))),
                             Date().timeIntervalSince(start))
            }
            let field = simulated.field
            results.append(FieldResult(
                fieldCM: side, histories: field.histories, dMaxCM: field.dMaxCM, pdd10Percent: field.pdd10Percent, dose10PerMUArea: field.dose10PerMUArea,
                doseRefPerMUArea: field.referenceDosePerMUArea, depthCM: field.depthCM, pddPercent: field.percent,
                relativeUncertainty: field.relativeUncertainty, seconds: simulated.seconds, batchUncertainty: field.batchUncertainty,
                outputFactor: nil, outputFactorUncertainty: nil, outputFactorAtReferenceDepth: nil,
                profiles: field.profiles.map { ProfileResult(depthCM: $0.depthCM, profile: $0.profile) }))
            print(String(format: "%5.1f cm: %llu proposals, d_max %.2f cm, PDD(10) %.2f %%, %.0f s", side, field.histories,
                         field.dMaxCM, field.pdd10Percent, results.last!.seconds)
                  + (field.batchUncertainty.map {
                      String(format: "; σ (%d batches): PDD(10) %.2f points, dose at 10 cm %.2f %%, at the reference depth %.2f %%",
                             $0.batches, $0.pdd10Points ?? .nan, 100 * ($0.dose10Relative ?? .nan),
                             100 * ($0.referenceDoseRelative ?? .nan))
                  } ?? ""))
            for p in results.last!.profiles {
                print(String(format: "        profile at %.1f cm: 50 %% width %.2f cm, penumbra 80–20 %% %.2f cm, flatness %.1f %%, "
                             + "horn %.3f, unflatness %.3f", p.depthCM, p.fieldWidthCM ?? .nan, p.penumbraCM ?? .nan,
                             p.flatnessPercent ?? .nan, p.hornRatio ?? .nan, p.unflatness ?? .nan))
            }
            for target in profileTargets where target.fieldCM == side {
                for case let c? in target.compare(profiles: field.profiles) {
                    print(String(format: "        profile target at %.1f cm (%.2f cm off axis): unflatness %.4f, target %.4f (%+.2f %%, %@)",
                                 c.point.depthCM, c.offAxisCM, c.simulated, c.point.unflatness, 100 * c.relativeDifference,
                                 c.passes ? "within 2 %" : "outside 2 %"))
                }
            }
        }
        if !pool.isEmpty {
            results = try CommissioningPool.pooled(results, machine: model, paths: pool)
            for r in results {
                print(String(format: "pooled %5.1f cm: %llu proposals, d_max %.2f cm, PDD(10) %.2f %%", r.fieldCM, r.histories, r.dMaxCM,
                             r.pdd10Percent)
                      + (r.batchUncertainty?.pdd10Points.map { String(format: " ± %.2f", $0) } ?? ""))
            }
        }
        guard let ref = results.first(where: { $0.fieldCM == referenceCM }) else {
            throw CommandFailure(String(format: "no run of the reference field (%g cm) to calibrate and normalise with", referenceCM))
        }
        model.calibration.proposalsPerCM2PerMU = model.calibration.doseGyPerMU / ref.doseRefPerMUArea
        for i in results.indices {
            results[i].outputFactor = results[i].dose10PerMUArea / ref.dose10PerMUArea
            if results[i].fieldCM != referenceCM, let a = results[i].batchUncertainty?.dose10Relative,
               let b = ref.batchUncertainty?.dose10Relative {
                results[i].outputFactorUncertainty = results[i].outputFactor! * (a * a + b * b).squareRoot()
            }
            results[i].outputFactorAtReferenceDepth = results[i].doseRefPerMUArea / ref.doseRefPerMUArea
            print(String(format: "output factor %5.1f cm: %.4f", results[i].fieldCM, results[i].outputFactor!)
                  + (results[i].outputFactorUncertainty.map { String(format: " ± %.4f", $0) } ?? "")
                  + String(format: " (at the reference depth %.1f cm: %.4f)", model.calibration.referenceDepthCM,
                           results[i].outputFactorAtReferenceDepth!))
        }
        let simulated = model
        var headScatter: CommissionCommand.HeadScatter?
        if fitOutputFactors {
            let fit = try fitHeadScatter(model: model, results: results, physics: physics)
            headScatter = fit.record
            model = fit.machine
        }
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(try model.jsonData(), to: dir.appendingPathComponent("machine.json"))
        let plots = try CommissioningPlots.write(CommissioningPlots.machine(model.name, fields: results, headScatter: headScatter),
                                                 into: dir)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(Commissioning(machine: model.name, histories: histories, seed: seed, fit: fitSteps,
                                                              fitConverged: fitConverged,
                                                              offAxisFluence: offAxis, fields: results, headScatter: headScatter, simulated: simulated,
                                                              pooled: pool, plots: plots)),
                             to: dir.appendingPathComponent("commissioning.json"))
    }

    /// `HeadScatterFit` of `model` (calibrated from the reference field) to its `CommissioningTarget` output factors, given
    /// the simulated ones in `results`: the fitted machine (Φ₀ scaled by the reference field's axis fluence) and its record.
    /// - Throws: `CommandFailure` when the machine has no documented table or a table field was not simulated.
    func fitHeadScatter(model: MachineModel, results: [FieldResult], physics: PhysicsData) throws
        -> (machine: MachineModel, record: CommissionCommand.HeadScatter) {
        guard let target = CommissioningTarget.forMachine(model.name), !target.outputFactors.isEmpty else {
            throw CommandFailure("--fit-output-factors: machine '\(model.name)' has no documented output-factor table "
                                 + "(CommissioningTarget); use `penumbra commission --measured` with a clinic's output_factors.csv")
        }
        let simulated = Dictionary(uniqueKeysWithValues: results.compactMap { r in r.outputFactor.map { (r.fieldCM, $0) } })
        let missing = target.outputFactors.map(\.fieldCM).filter { simulated[$0] == nil }
        guard missing.isEmpty else {
            throw CommandFailure("--fit-output-factors: the table of '\(model.name)' has fields "
                                 + "\(missing.map { String(format: "%g", $0) }.joined(separator: ", ")) cm that --fields does not simulate")
        }
        let fit = try HeadScatterFit(model: try SourceModel(machine: model, physics: physics), measured: target.outputFactors,
                                     simulated: simulated)
        let fitted = fit.machine.extraFocalSource
        print(String(format: "head scatter: extra-focal weight %.4f → %.4f, σ %.3f → %.3f cm; predicted within %.2f %% (rms)",
                     model.extraFocalSource.weight, fitted.weight, model.extraFocalSource.sigmaCM, fitted.sigmaCM,
                     100 * fit.rmsLogDifference))
        for f in fit.fields {
            print(String(format: "%5.1f cm: S_p %.4f, predicted output factor %.4f, table %.3f (%+.1f %%)", f.fieldCM, f.phantomScatter,
                         f.predicted, f.measured, 100 * (f.predicted / f.measured - 1)))
        }
        return (fit.machine, CommissionCommand.HeadScatter(
            startWeight: model.extraFocalSource.weight, startSigmaCM: model.extraFocalSource.sigmaCM, weight: fitted.weight,
            sigmaCM: fitted.sigmaCM, rmsLogDifference: fit.rmsLogDifference, fields: fit.fields))
    }

    struct FieldResult: Codable {
        let fieldCM: Double
        let histories: UInt64
        let dMaxCM: Double
        let pdd10Percent: Double
        let dose10PerMUArea: Double
        let doseRefPerMUArea: Double
        let depthCM: [Double]
        let pddPercent: [Double]
        let relativeUncertainty: [Double]
        let seconds: Double
        /// Standard errors from the batches (nil with one batch).
        let batchUncertainty: SimulatedField.BatchUncertainty?
        var outputFactor: Double?
        /// Standard error of the output factor, field and reference batches combined (nil with one batch).
        var outputFactorUncertainty: Double?
        /// Dose per MU at the calibration's reference depth relative to the reference field (the output factor at d_max
        /// for a machine calibrated there).
        var outputFactorAtReferenceDepth: Double?
        let profiles: [ProfileResult]
    }

    /// A profile and its numbers (`BeamProfile`).
    struct ProfileResult: Codable {
        let depthCM: Double
        let profile: BeamProfile
        let fieldWidthCM: Double?
        let penumbraCM: Double?
        let flatnessPercent: Double?
        let hornRatio: Double?
        let unflatness: Double?

        init(depthCM: Double, profile: BeamProfile) {
            self.depthCM = depthCM
            self.profile = profile
            fieldWidthCM = profile.fieldWidthCM
            penumbraCM = profile.penumbraCM
            flatnessPercent = profile.flatnessPercent
            hornRatio = profile.hornRatio
            unflatness = profile.unflatness
        }
    }

    struct Commissioning: Codable {
        let machine: String
        let histories: UInt64
        let seed: UInt64
        /// The --fit-pdd10 steps (empty without it); the last one is the written machine.
        let fit: [PenetrationFit.Step]
        /// Whether the --fit-pdd10 fit met its stop rule (nil without it, and in records written before 2026-11-30).
        let fitConverged: Bool?
        /// The --fit-off-axis-fluence fit (nil without it; before --fit-pdd10).
        let offAxisFluence: OffAxisFluenceFitting.Record?
        let fields: [FieldResult]
        /// The --fit-output-factors fit (nil without it).
        let headScatter: CommissionCommand.HeadScatter?
        /// The machine the fields were simulated with (after any --fit-pdd10, before any head-scatter fit); nil in
        /// records written before 2026-11-30.
        let simulated: MachineModel?
        /// The --pool files whose fields `fields` include (nil in older records).
        let pooled: [String]?
        /// The SVG plots written beside this record (nil in older records).
        let plots: [String]?
    }
}

/// Finds a machine: a generic machine's name or the path of a machine file.
enum MachineLoader {
    static func load(_ nameOrPath: String) throws -> MachineModel {
        if let generic = GenericMachines.named(nameOrPath) { return generic }
        guard FileManager.default.fileExists(atPath: nameOrPath) else {
            throw CommandFailure("'\(nameOrPath)' is neither a generic machine (\(GenericMachines.names.joined(separator: ", "))) nor a machine file")
        }
        return try MachineModel.read(URL(fileURLWithPath: nameOrPath))
    }
}
