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
            machine. Writes DIR/machine.json (calibrated) and DIR/commissioning.json.
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
    @Option(help: "Output directory.") var out: String
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard iterations >= 1 else { throw ValidationError("--iterations must be at least 1") }
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
        let depths = try profileDepths.split(separator: ",").map { s -> Double in
            guard let v = Double(s.trimmingCharacters(in: .whitespaces)), v > 0, v < 30 else {
                throw ValidationError("--profile-depths: '\(s)' is not a depth in (0, 30) cm")
            }
            return v
        }
        let physics = try PhysicsData.bundled()
        let referenceCM = model.calibration.referenceFieldCM
        var fitSteps: [PenetrationFit.Step] = []
        var fittedReference: (field: SimulatedField, seconds: Double)?
        if let target = fitPdd10 {
            let fit = try PenetrationFit(machine: model, measuredPDD10Percent: target, physics: physics, iterations: iterations) { m in
                let start = Date()
                let field = try SimulatedField(machine: m, fieldCM: referenceCM, histories: histories, seed: seed, threads: threads,
                                               physics: physics, profileDepthsCM: depths)
                fittedReference = (field, Date().timeIntervalSince(start))
                print(String(format: "filter %.2f / %.2f g/cm²: d_max %.2f cm, PDD(10) %.2f %% (target %.2f %%)",
                             m.spectrum.filterCentralGPerCM2, m.spectrum.filterEdgeGPerCM2, field.dMaxCM, field.pdd10Percent, target))
                return field.pdd10Percent
            }
            model = fit.machine
            fitSteps = fit.steps
        }
        var results: [FieldResult] = []
        for side in Set(sides + [referenceCM]).sorted() {
            let start = Date()
            let simulated: (field: SimulatedField, seconds: Double)
            if side == referenceCM, let fitted = fittedReference {
                simulated = fitted
            } else {
                simulated = (try SimulatedField(machine: model, fieldCM: side, histories: histories, seed: seed, threads: threads,
                                                physics: physics, profileDepthsCM: depths), Date().timeIntervalSince(start))
            }
            let field = simulated.field
            results.append(FieldResult(
                fieldCM: side, dMaxCM: field.dMaxCM, pdd10Percent: field.pdd10Percent, dose10PerMUArea: field.dose10PerMUArea,
                doseRefPerMUArea: field.referenceDosePerMUArea, depthCM: field.depthCM, pddPercent: field.percent,
                relativeUncertainty: field.relativeUncertainty, seconds: simulated.seconds, outputFactor: nil,
                profiles: field.profiles.map { ProfileResult(depthCM: $0.depthCM, profile: $0.profile) }))
            print(String(format: "%5.1f cm: d_max %.2f cm, PDD(10) %.2f %%, %.0f s", side, field.dMaxCM, field.pdd10Percent,
                         results.last!.seconds))
            for p in results.last!.profiles {
                print(String(format: "        profile at %.1f cm: 50 %% width %.2f cm, penumbra 80–20 %% %.2f cm, flatness %.1f %%, "
                             + "horn %.3f, unflatness %.3f", p.depthCM, p.fieldWidthCM ?? .nan, p.penumbraCM ?? .nan,
                             p.flatnessPercent ?? .nan, p.hornRatio ?? .nan, p.unflatness ?? .nan))
            }
        }
        guard let ref = results.first(where: { $0.fieldCM == referenceCM }) else { return }
        model.calibration.proposalsPerCM2PerMU = model.calibration.doseGyPerMU / ref.doseRefPerMUArea
        for i in results.indices {
            results[i].outputFactor = results[i].dose10PerMUArea / ref.dose10PerMUArea
            print(String(format: "output factor %5.1f cm: %.3f", results[i].fieldCM, results[i].outputFactor!))
        }
        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try AtomicFile.write(try model.jsonData(), to: dir.appendingPathComponent("machine.json"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(Commissioning(machine: model.name, histories: histories, seed: seed, fit: fitSteps, fields: results)),
                             to: dir.appendingPathComponent("commissioning.json"))
    }

    struct FieldResult: Codable {
        let fieldCM: Double
        let dMaxCM: Double
        let pdd10Percent: Double
        let dose10PerMUArea: Double
        let doseRefPerMUArea: Double
        let depthCM: [Double]
        let pddPercent: [Double]
        let relativeUncertainty: [Double]
        let seconds: Double
        var outputFactor: Double?
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
        let fields: [FieldResult]
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
