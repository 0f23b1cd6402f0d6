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
            the measured PDD(10) of 10×10 (simulate, update, repeat); then every measured field is simulated \
            and compared: depth doses by a 1D gamma (2 %/2 mm global, 10 % threshold) and by differences beyond \
            d_max, output factors by their ratio. With output factors of two or more fields besides 10×10, the \
            extra-focal (head-scatter) source's weight and width are fitted to them (S_c from the source model \
            times the simulated S_p) and the MU calibration is scaled to match. Writes OUT/machine.json (fitted, \
            calibrated) and OUT/commissioning-report.json. Source sizes and MLC parameters are not fitted yet \
            (docs/beam-model.md).
            """)

    @Option(help: "Generic machine name or machine file (JSON) to start from.") var machine: String
    @Option(help: "Folder of measured scans (CSV).") var measured: String
    @Option(help: "Output directory.") var out: String
    @Option(help: "Proposals per simulated field.") var histories: UInt64 = 10_000_000
    @Option(help: "Largest number of 10×10 simulations of the fit.") var iterations: Int = 3
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Worker threads.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
        guard histories > 0 else { throw ValidationError("--histories must be positive") }
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
        logging.bootstrap()
        let start = try MachineLoader.load(machine)
        let scans = try MeasuredScans.read(URL(fileURLWithPath: measured))
        guard let pdd10x10 = scans.depthDoses.first(where: { $0.fieldCM == 10 }),
              let measured10 = pdd10x10.percent(atDepthCM: 10) else {
            throw CommandFailure("\(measured): pdd_10x10.csv reaching 10 cm depth is needed to fit the spectrum")
        }
        let physics = try PhysicsData.bundled()
        var reference: SimulatedField?
        let fit = try PenetrationFit(machine: start, measuredPDD10Percent: measured10, physics: physics, iterations: iterations) { m in
            let field = try SimulatedField(machine: m, fieldCM: 10, histories: histories, seed: seed, threads: threads, physics: physics)
            print(String(format: "filter %.2f g/cm²: PDD(10) %.2f %% (measured %.2f %%)",
                         m.spectrum.filterCentralGPerCM2, field.pdd10Percent, measured10))
            reference = field
            return field.pdd10Percent
        }
        guard let ref = reference else { return }
        var fitted = fit.machine
        fitted.calibration.proposalsPerCM2PerMU = fitted.calibration.doseGyPerMU / ref.referenceDosePerMUArea
        let sides = Set(scans.depthDoses.map(\.fieldCM) + scans.outputFactors.map(\.fieldCM)).subtracting([10]).sorted()
        var fields: [Double: SimulatedField] = [10: ref]
        for side in sides {
            fields[side] = try SimulatedField(machine: fitted, fieldCM: side, histories: histories, seed: seed, threads: threads,
                                              physics: physics)
        }
        var report = Report(machine: fitted.name, steps: fit.steps, depthDoses: [], outputFactors: [])
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
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(try fitted.jsonData(), to: dir.appendingPathComponent("machine.json"))
        report.plots = try CommissioningPlots.write(CommissioningPlots.measured(fitted.name, scans: scans, simulated: fields, report: report),
                                                    into: dir)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(report), to: dir.appendingPathComponent("commissioning-report.json"))
    }

    struct Report: Codable {
        let machine: String
        let steps: [PenetrationFit.Step]
        var depthDoses: [DepthDoseComparison]
        var outputFactors: [OutputFactorComparison]
        /// The extra-focal source fitted to the output factors (nil with fewer than two fields besides 10×10).
        var headScatter: HeadScatter? = nil
        /// The SVG plots written beside the report (`CommissioningPlots`).
        var plots: [String] = []
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
