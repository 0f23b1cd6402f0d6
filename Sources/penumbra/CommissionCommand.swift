import Analysis
import ArgumentParser
import Beam
import FileIO
import Foundation
import Geometry
import Physics

/// `penumbra commission --machine NAME --measured DIR`: fits a machine's spectrum penetration to a clinic's
/// water-tank scans, MU-calibrates it and reports what remains as gamma pass rates and differences.
struct CommissionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commission",
        abstract: "Fit a machine to measured water-tank scans (CSV) and report the remaining differences.",
        discussion: """
            DIR holds pdd_<S>x<S>.csv (depth_cm,dose; SSD 100 cm; pdd_10x10.csv required) and optionally \
            output_factors.csv (field_cm,output_factor at 10 cm depth). The effective filtration is fitted to \
            the measured PDD(10) of 10×10 (simulate in 8 batches, fit a line through all runs so far, update, repeat until \
            the line's PDD(10) is within 0.3 % of the measurement, its standard error included); then every measured field is simulated \
            and compared: depth doses by a 1D gamma (2 %/2 mm global, 10 % threshold) and by differences beyond \
            d_max, output factors by their ratio. With output factors of two or more fields besides 10×10, the \
            extra-focal (head-scatter) source's weight and width are fitted to them (S_c from the source model \
            times the simulated S_p) and the MU calibration is scaled to match. Writes OUT/machine.json (fitted, \
            calibrated) and OUT/commissioning-report.json. With crossline profiles (profile_<S>x<S>_d<D>.csv: \
            position_cm,dose) the focal source size is fitted to their 80–20 % penumbrae and each profile is \
            compared by a 1D gamma; with mlc_transmission.csv (depth_cm,ratio) and sweeping_gap.csv \
            (gap_cm,sweep_cm,ratio) the MLC transmission and leaf-end offset are fitted, with picket_fence_p<P>.csv \
            (position_cm,ratio: two complementary exposures across P cm pairs over one exposure's open reading) the \
            tongue-and-groove width, with mlc_edges.csv (leaf_position_cm,edge_cm) a leaf-end offset by tip position \
            (docs/beam-model.md). With \
            --fit-off-axis-fluence the off-axis fluence table is fitted first to the profiles' off-axis ratios \
            (every cm out to 80 % of the projected half field; `OffAxisFluenceFit`: one kernel run per table radius \
            and profile field with --histories proposals each).
            """)

    @Option(help: "Generic machine name or machine file (JSON) to start from.") var machine: String
    @Option(help: "Folder of measured scans (CSV).") var measured: String
    @Option(help: "Output directory.") var out: String
    @Option(help: "Proposals per simulated field.") var histories: UInt64 = 10_000_000
    @Option(help: "Largest number of 10×10 simulations of the fit.") var iterations: Int = 3
    @Option(help: "Largest number of simulations of the profile fields for the source-size fit.") var sourceIterations: Int = 3
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Worker threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Fit the off-axis fluence table to the measured profiles' shoulders before the spectrum.")
    var fitOffAxisFluence = false
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard iterations >= 1, sourceIterations >= 1 else { throw ValidationError("--iterations and --source-iterations must be at least 1") }
        guard histories > 0 else { throw ValidationError("--histories must be positive") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        logging.bootstrap()
        var start = try MachineLoader.load(machine)
        let scans = try MeasuredScans.read(URL(fileURLWithPath: measured))
        let physics = try PhysicsData.bundled()
        var offAxis: OffAxisFluenceFitting.Record?
        if fitOffAxisFluence {
            let targets = Self.offAxisTargets(scans.profiles)
            guard !targets.isEmpty else {
                throw CommandFailure("--fit-off-axis-fluence: \(measured) holds no profile_<S>x<S>_d<D>.csv reaching 1 cm off axis")
            }
            let fit = try OffAxisFluenceFitting.fit(model: start, targets: targets, histories: histories, seed: seed, threads: threads,
                                                    physics: physics)
            start = fit.machine
            offAxis = fit.record
        }
        // Depths of the measured profiles of each field, scored by that field's simulation.
        let profileDepths = Dictionary(grouping: scans.profiles, by: \.fieldCM).mapValues { $0.map(\.depthCM) }
        guard let pdd10x10 = scans.depthDoses.first(where: { $0.fieldCM == 10 }),
              let measured10 = pdd10x10.percent(atDepthCM: 10) else {
            throw CommandFailure("\(measured): pdd_10x10.csv reaching 10 cm depth is needed to fit the spectrum")
        }
        var reference: SimulatedField?
        var run = 0
        let fit = try PenetrationFit(machine: start, measuredPDD10Percent: measured10, physics: physics, iterations: iterations) { m in
            defer { run += 1 }
            let field = try SimulatedField(machine: m, fieldCM: 10, histories: histories, seed: PenetrationFitting.seed(seed, run: run),
                                           threads: threads, physics: physics,
                                           profileDepthsCM: profileDepths[10] ?? [],
                                           batches: PenetrationFitting.batches(atLeast: 1, histories: histories))
            let reading = try PenetrationFitting.reading(field)
            print(String(format: "filter %.2f g/cm²: PDD(10) %.2f ± %.2f %% (measured %.2f %%)",
                         m.spectrum.filterCentralGPerCM2, field.pdd10Percent, reading.standardErrorPercent, measured10))
            reference = field
            return reading
        }
        PenetrationFitting.report(fit, measuredPDD10Percent: measured10)
        guard let ref = reference else { return }
        var fitted = fit.machine
        fitted.calibration.proposalsPerCM2PerMU = fitted.calibration.doseGyPerMU / ref.referenceDosePerMUArea
        let sides = Set(scans.depthDoses.map(\.fieldCM) + scans.outputFactors.map(\.fieldCM) + scans.profiles.map(\.fieldCM))
            .subtracting([10]).sorted()
        var fields: [Double: SimulatedField] = [10: ref]
        for side in sides {
            fields[side] = try SimulatedField(machine: fitted, fieldCM: side, histories: histories, seed: seed, threads: threads,
                                              physics: physics, profileDepthsCM: profileDepths[side] ?? [])
        }
        var report = Report(machine: fitted.name, steps: fit.steps, converged: fit.converged, depthDoses: [], outputFactors: [], offAxisFluence: offAxis)
        for scan in scans.depthDoses {
            let sim = fields[scan.fieldCM]!
            let comparison = try DepthDoseComparison(measured: scan, simulated: sim)
            report.depthDoses.append(comparison)
            print(String(format: "%4.1f cm PDD: gamma 2%%/2 mm pass %.1f %%, max |difference| beyond d_max %.2f %%, d_max %.2f cm",
                         scan.fieldCM, comparison.gammaPassPercent, comparison.maximumDifferencePercent, sim.dMaxCM))
        }
        for of in scans.outputFactors {
            let simulated = fields[of.fieldCM]!.dose10PerMUArea / ref.dose10PerMUArea
            report.outputFactors.append(.init(fieldCM: of.fieldCM, measured: of.value, simulated: simulated))
            print(String(format: "%4.1f cm output factor: simulated %.3f, measured %.3f (%+.1f %%)", of.fieldCM, simulated,
                         of.value, 100 * (simulated / of.value - 1)))
        }
        if scans.outputFactors.filter({ $0.fieldCM != 10 }).count >= 2 {
            let simulated = fields.mapValues { $0.dose10PerMUArea / ref.dose10PerMUArea }
            let headScatter = try HeadScatterFit(model: try SourceModel(machine: fitted, physics: physics),
                                                 measured: scans.outputFactors, simulated: simulated)
            report.headScatter = .init(startWeight: fitted.extraFocalSource.weight, startSigmaCM: fitted.extraFocalSource.sigmaCM,
                                       weight: headScatter.machine.extraFocalSource.weight,
                                       sigmaCM: headScatter.machine.extraFocalSource.sigmaCM,
                                       rmsLogDifference: headScatter.rmsLogDifference, fields: headScatter.fields)
            print(String(format: "head scatter: extra-focal weight %.3f → %.3f, σ %.2f → %.2f cm; output factors predicted within %.1f %% (rms)",
                         fitted.extraFocalSource.weight, headScatter.machine.extraFocalSource.weight,
                         fitted.extraFocalSource.sigmaCM, headScatter.machine.extraFocalSource.sigmaCM,
                         100 * headScatter.rmsLogDifference))
            for f in headScatter.fields {
                print(String(format: "%4.1f cm: S_p %.3f, predicted output factor %.3f, measured %.3f", f.fieldCM, f.phantomScatter,
                             f.predicted, f.measured))
            }
            fitted = headScatter.machine
        }
        if !scans.profiles.isEmpty {
            let (machine, profiles, sourceSize) = try fitSourceSize(scans, start: fitted, fields: fields, profileDepths: profileDepths,
                                                                    physics: physics)
            fitted = machine
            report.profiles = profiles
            report.sourceSize = sourceSize
        }
        if !scans.closedLeafRatios.isEmpty || !scans.sweepingGaps.isEmpty {
            let mlc = try MLCFit(machine: fitted, closedLeafRatios: scans.closedLeafRatios, sweepingGaps: scans.sweepingGaps) { mlc, gaps in
                var m = fitted
                m.mlc = mlc
                return try Self.inAirSweepingGapReadings(m, gaps, physics: physics)
            }
            report.mlc = .init(startTransmission: fitted.mlc.transmission, startLeafEndOffsetCM: fitted.mlc.leafEndOffsetCM,
                               transmission: mlc.machine.mlc.transmission, leafEndOffsetCM: mlc.machine.mlc.leafEndOffsetCM,
                               measuredLeafGapCM: mlc.measuredLeafGapCM, steps: mlc.steps)
            print(String(format: "MLC: transmission %.4f → %.4f, leaf-end offset %.3f → %.3f mm", fitted.mlc.transmission,
                         mlc.machine.mlc.transmission, 10 * fitted.mlc.leafEndOffsetCM, 10 * mlc.machine.mlc.leafEndOffsetCM))
            if let gap = mlc.measuredLeafGapCM, let last = mlc.steps.last {
                print(String(format: "MLC: measured dosimetric leaf gap %.3f mm, model %.3f mm; sweeping-gap readings within %.4f (rms)",
                             10 * gap, 10 * last.predictedLeafGapCM, last.rmsReadingDifference))
            }
            fitted = mlc.machine
        }
        if let fence = scans.picketFence {
            let startWidth = fitted.mlc.tongueAndGrooveWidthCM
            let fit = try TongueAndGrooveFit(machine: fitted, picketFence: fence) { mlc in
                var m = fitted
                m.mlc = mlc
                return try Self.inAirPicketFence(m, pairWidthCM: fence.pairWidthCM, physics: physics)
            }
            report.mlc = report.mlc ?? Self.unfittedMLC(fitted.mlc)
            report.mlc?.tongueAndGroove = .init(pairWidthCM: fence.pairWidthCM, measuredMissingWidthCM: fit.measuredMissingWidthCM,
                                           startWidthCM: startWidth, widthCM: fit.machine.mlc.tongueAndGrooveWidthCM, steps: fit.steps)
            print(String(format: "MLC: tongue-and-groove %.3f → %.3f mm; picket fence's missing width per boundary %.3f mm measured, "
                         + "%.3f → %.3f mm modelled", 10 * startWidth, 10 * fit.machine.mlc.tongueAndGrooveWidthCM,
                         10 * fit.measuredMissingWidthCM, 10 * fit.steps[0].predictedMissingWidthCM,
                         10 * fit.steps[fit.steps.count - 1].predictedMissingWidthCM))
            fitted = fit.machine
        }
        if !scans.leafEdges.isEmpty {
            let fit = try MLCEdgeFit(machine: fitted, edges: scans.leafEdges) { mlc, positions in
                var m = fitted
                m.mlc = mlc
                return try Self.inAirTipEdges(m, positionsCM: positions, physics: physics)
            }
            report.mlc = report.mlc ?? Self.unfittedMLC(fitted.mlc)
            report.mlc?.leafEndOffsetTable = .init(edges: fit.edges, startOffsetCM: fit.steps[0].offsetCM,
                                                   table: fit.machine.mlc.leafEndOffsetTable!, steps: fit.steps)
            for (k, e) in fit.edges.enumerated() {
                print(String(format: "MLC: tip at %g cm: measured edge %.3f cm, leaf-end offset %.3f → %.3f mm "
                             + "(model edge %.3f → %.3f cm)",
                             e.leafPositionCM, e.edgeCM, 10 * fit.steps[0].offsetCM[k], 10 * fit.steps[fit.steps.count - 1].offsetCM[k],
                             fit.steps[0].predictedEdgeCM[k], fit.steps[fit.steps.count - 1].predictedEdgeCM[k]))
            }
            fitted = fit.machine
        }
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(try fitted.jsonData(), to: dir.appendingPathComponent("machine.json"))
        report.plots = try CommissioningPlots.write(CommissioningPlots.measured(fitted.name, scans: scans, simulated: fields, report: report),
                                                    into: dir)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(report), to: dir.appendingPathComponent("commissioning-report.json"))
    }

    /// The measured profiles' off-axis ratios as fit targets: every 1 cm from 1 cm out to 80 % of the half field projected
    /// to the profile's depth (inside the shoulders, away from the penumbra that the source size sets), relative σ 1 %.
    static func offAxisTargets(_ profiles: [MeasuredScans.Profile]) -> [OffAxisFluenceFit.Target] {
        var targets: [OffAxisFluenceFit.Target] = []
        for p in profiles {
            let outermost: Double = 0.4 * p.fieldCM * (100 + p.depthCM) / 100
            let name = String(format: "profile_%gx%g_d%g.csv", p.fieldCM, p.fieldCM, p.depthCM)
            for x in stride(from: 1.0, through: outermost + 1e-9, by: 1) {
                guard let ratio = p.profile.offAxisRatio(atCM: x) else { continue }
                targets.append(OffAxisFluenceFit.Target(fieldCM: p.fieldCM, depthCM: p.depthCM, offAxisCM: x, ratio: ratio,
                                                        relativeUncertainty: 0.01, source: name))
            }
        }
        return targets
    }

    /// Fits the focal source size to the measured profiles' penumbrae (`SourceSizeFit`; the first step uses the fields
    /// already simulated, later ones simulate the profile fields again) and compares every profile with the last simulation.
    func fitSourceSize(_ scans: MeasuredScans, start: MachineModel, fields: [Double: SimulatedField], profileDepths: [Double: [Double]],
                       physics: PhysicsData) throws -> (MachineModel, [ProfileComparison], SourceSize) {
        let used = scans.profiles.filter { $0.profile.penumbraCM != nil }
        guard !used.isEmpty else {
            throw CommandFailure("\(measured): no measured profile has both its 80 % and 20 % points on each side (needed for the penumbra)")
        }
        let targets = used.map { SourceSizeFit.Target(fieldCM: $0.fieldCM, depthCM: $0.depthCM, measuredPenumbraCM: $0.profile.penumbraCM!) }
        var simulated = fields
        func simulatedProfile(_ p: MeasuredScans.Profile) -> BeamProfile? {
            simulated[p.fieldCM]?.profiles.first { $0.depthCM == p.depthCM }?.profile
        }
        let fit = try SourceSizeFit(machine: start, targets: targets, iterations: sourceIterations) { m in
            if m != start {
                for side in Set(used.map(\.fieldCM)) {
                    simulated[side] = try SimulatedField(machine: m, fieldCM: side, histories: histories, seed: seed, threads: threads,
                                                         physics: physics, profileDepthsCM: profileDepths[side] ?? [])
                }
            }
            let penumbrae = used.map { simulatedProfile($0)?.penumbraCM ?? .nan }
            print("focal σ \(String(format: "%.3f", m.primarySource.sigmaCM)) cm: penumbra 80–20 % "
                  + zip(used, penumbrae).map { String(format: "%gx%g d%g %.3f cm (measured %.3f)", $0.fieldCM, $0.fieldCM, $0.depthCM, $1,
                                                      $0.profile.penumbraCM!) }.joined(separator: ", "))
            return penumbrae
        }
        var comparisons: [ProfileComparison] = []
        for p in scans.profiles {
            guard let sim = simulatedProfile(p) else { continue }
            let c = try ProfileComparison(measured: p, simulated: sim)
            comparisons.append(c)
            print(String(format: "%4.1f cm profile at %.1f cm: gamma 2%%/2 mm pass %.1f %%, 50 %% width %.2f cm (measured %.2f)",
                         p.fieldCM, p.depthCM, c.gammaPassPercent, c.simulatedWidthCM ?? .nan, c.measuredWidthCM ?? .nan))
        }
        return (fit.machine, comparisons, SourceSize(startSigmaCM: start.primarySource.sigmaCM, sigmaCM: fit.machine.primarySource.sigmaCM,
                                                     targets: targets, steps: fit.steps))
    }

    /// The fluence model's in-air sweeping-gap readings on the axis (`MLCModelComparison`, 0.01 cm steps).
    static func inAirSweepingGapReadings(_ m: MachineModel, _ gaps: [MeasuredScans.SweepingGap], physics: PhysicsData) throws -> [Double] {
        let comparison = try MLCModelComparison(model: try SourceModel(machine: m, physics: physics), design: .generic, physics: physics,
                                                pointsPerSource: 17, heightSteps: 10, scanStepCM: 0.01)
        return comparison.sweepingGapReadings(.fluence, gaps)
    }

    /// The fluence model's in-air picket fence (`MLCModelComparison.tongueAndGroove` on 0.001 cm points: the band's sampled
    /// width moves in steps of one): the missing width per leaf boundary, cm.
    static func inAirPicketFence(_ m: MachineModel, pairWidthCM: Double, physics: PhysicsData) throws -> Double {
        let comparison = try MLCModelComparison(model: try SourceModel(machine: m, physics: physics), design: .generic, physics: physics,
                                                pointsPerSource: 17, heightSteps: 10, scanStepCM: 0.001)
        return comparison.tongueAndGroove(.fluence, pairWidthCM: pairWidthCM).missingWidthCM
    }

    /// The fluence model's in-air 50 % edges of bank A's tips (`MLCModelComparison.tipEdge` on 0.001 cm points) at tip
    /// positions measured towards the bank's own side (bank A at −u), on the same axis.
    static func inAirTipEdges(_ m: MachineModel, positionsCM: [Double], physics: PhysicsData) throws -> [Double] {
        let comparison = try MLCModelComparison(model: try SourceModel(machine: m, physics: physics), design: .generic, physics: physics,
                                                pointsPerSource: 17, heightSteps: 10, scanStepCM: 0.001)
        return positionsCM.map { u in u + comparison.tipEdge(.fluence, atCM: -u).offsetCM }
    }

    struct Report: Codable {
        let machine: String
        let steps: [PenetrationFit.Step]
        /// Whether the PDD(10) fit met its stop rule within --iterations.
        let converged: Bool
        var depthDoses: [DepthDoseComparison]
        var outputFactors: [OutputFactorComparison]
        /// The off-axis fluence fit to the profiles (nil without --fit-off-axis-fluence).
        var offAxisFluence: OffAxisFluenceFitting.Record? = nil
        /// The extra-focal source fitted to the output factors (nil with fewer than two fields besides 10×10).
        var headScatter: HeadScatter? = nil
        /// Measured profiles against the last simulation of the source-size fit.
        var profiles: [ProfileComparison] = []
        /// The focal source size fitted to the profiles' penumbrae (nil without profiles).
        var sourceSize: SourceSize? = nil
        /// The MLC fitted to closed-leaf and sweeping-gap readings (nil without them).
        var mlc: MLC? = nil
        /// The SVG plots written beside the report (`CommissioningPlots`).
        var plots: [String] = []
    }

    struct SourceSize: Codable {
        let startSigmaCM: Double
        let sigmaCM: Double
        let targets: [SourceSizeFit.Target]
        let steps: [SourceSizeFit.Step]
    }

    /// The MLC fits: transmission and leaf-end offset (unchanged without closed-leaf or sweeping-gap readings), the
    /// tongue-and-groove width fitted to a picket fence and the leaf-end offset by tip position fitted to measured edges
    /// (each nil without its scan).
    struct MLC: Codable {
        var startTransmission: Double
        var startLeafEndOffsetCM: Double
        var transmission: Double
        var leafEndOffsetCM: Double
        var measuredLeafGapCM: Double?
        var steps: [MLCFit.Step]
        var tongueAndGroove: TongueAndGroove? = nil
        var leafEndOffsetTable: LeafEndOffsets? = nil
    }

    /// The leaf-end offset table fitted to measured tip edges.
    struct LeafEndOffsets: Codable {
        let edges: [MeasuredScans.LeafEdge]
        let startOffsetCM: [Double]
        let table: LeafEndOffsetTable
        let steps: [MLCEdgeFit.Step]
    }

    /// The MLC part of the report before any MLC fit: start and result alike.
    static func unfittedMLC(_ mlc: MachineModel.MultileafCollimator) -> MLC {
        MLC(startTransmission: mlc.transmission, startLeafEndOffsetCM: mlc.leafEndOffsetCM, transmission: mlc.transmission,
            leafEndOffsetCM: mlc.leafEndOffsetCM, measuredLeafGapCM: nil, steps: [])
    }

    struct TongueAndGroove: Codable {
        let pairWidthCM: Double
        let measuredMissingWidthCM: Double
        let startWidthCM: Double
        let widthCM: Double
        let steps: [TongueAndGrooveFit.Step]
    }

    struct HeadScatter: Codable {
        let startWeight: Double
        let startSigmaCM: Double
        let weight: Double
        let sigmaCM: Double
        let rmsLogDifference: Double
        let fields: [HeadScatterFit.Field]
    }

    struct OutputFactorComparison: Codable {
        let fieldCM: Double
        let measured: Double
        let simulated: Double
    }
}
