import Analysis
import ArgumentParser
import Beam
import DICOM
import FileIO
import Foundation
import Geometry
import Logging
import PatientImport
import Report
import Phantom
import Physics
import Transport

/// `penumbra run`: a plan's dose in Gy per fraction, in a virtual water tank or in the patient's CT.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Compute a plan's dose (Gy per fraction) with the linac beam model, in water or in the patient's CT.",
        discussion: """
            penumbra run --plan RP.dcm --water-phantom 60x60x60: a water tank (cm) centred on the first beam's \
            isocentre; summary.json gives each beam's dose at its isocentre. penumbra run PLAN_DIR: finds the \
            CT series, the structure set (its EXTERNAL ROI) and the RT Plan in the folder and computes the dose \
            in the CT, coarsened to --dose-voxel. Writes DIR/dose.3ddose, DIR/RD.dcm (RT Dose, PLAN, Gy) for \
            patient runs, and DIR/summary.json. The machine is generic for the plan's energy unless \
            --machine names one (docs/beam-model.md); it must be MU-calibrated. --decomposed N transports in N \
            slabs of the dose grid, handing particles between them (the same dose, the uncertainty from \
            --batches batches; docs/cluster.md).
            """)

    @Argument(help: "A folder with the CT series, RT Structure Set and RT Plan.") var planDirectory: String?
    @Option(help: "RT Plan file: the plan to compute in water (with --water-phantom), or the one of several in PLAN_DIR.") var plan: String?
    @Option(name: .customLong("water-phantom"), help: "Water tank size in cm, e.g. 60x60x60.") var waterPhantom: String?
    @Option(help: "Generic machine name or machine file.") var machine: String?
    @Option(name: .customLong("fraction-group"),
            help: "The fraction group to compute, for a plan with several (e.g. a sequential boost).")
    var fractionGroup: Int?
    @Flag(help: "Compute a plan with wedges, blocks, compensators or boluses without them (recorded in summary.json).")
    var ignoreUnmodelledDevices = false
    @Flag(name: .customLong("ignore-density-overrides"),
          help: "The CT alone: no structure set density override applied and SUPPORT/BOLUS/FIXATION ROIs outside the EXTERNAL air (docs/dicom.md).")
    var ignoreDensityOverrides = false
    @Option(help: "Target mean relative uncertainty above 50 % of the maximum dose, e.g. 2%.") var uncertainty: String = "2%"
    @Option(help: "Largest number of histories (proposals).") var histories: UInt64 = 200_000_000
    @Option(name: .customLong("first-round"), help: "Histories of the first round (later rounds are aimed at the target).")
    var firstRound: UInt64 = PlanDoseCalculation.firstRoundHistories
    @Option(name: .customLong("photon-splitting"),
            help: "Split each primary photon into N copies of weight 1/N (variance reduction; 1: off; 4 measured best on the thorax).")
    var photonSplitting: Int = 4
    @Option(name: .customLong("dose-voxel"), help: "Dose voxel size in cm.") var doseVoxelCM: Double = 0.5
    /// Schneider 2000's stoichiometric bins for patients (PHYSICS.md §3.1: keep the 4-medium ctcreate ramp for
    /// EGSnrc comparisons); the same default as `dicom import`.
    @Option(help: "HU calibration preset or file (docs/calibration.md); its media must be in the physics tables.")
    var calibration: String = "schneider-2000"
    @Option(help: "Random seed.") var seed: UInt64 = 1
    @Option(help: "Output directory (default: PLAN_DIR/penumbra or ./penumbra-run).") var out: String?
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var decomposition: DecompositionOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard planDirectory != nil || plan != nil else {
            throw ValidationError("give a PLAN_DIR, or --plan RP.dcm with --water-phantom")
        }
        if planDirectory == nil && waterPhantom == nil { throw ValidationError("--plan without PLAN_DIR needs --water-phantom LxWxH (cm)") }
        if planDirectory != nil && waterPhantom != nil { throw ValidationError("--water-phantom computes in water: give --plan RP.dcm, not PLAN_DIR") }
        _ = try targetUncertainty()
        guard doseVoxelCM > 0 && doseVoxelCM <= 2 else { throw ValidationError("--dose-voxel must be in (0, 2] cm") }
        guard firstRound >= 1 else { throw ValidationError("--first-round must be at least 1 history") }
        guard photonSplitting >= 1 && photonSplitting <= 1000 else {
            throw ValidationError("--photon-splitting must be 1…1000, got \(photonSplitting)")
        }
        if decomposition.decomposed != nil, UInt64(decomposition.batches) > firstRound {
            throw ValidationError("--batches \(decomposition.batches) is more than --first-round \(firstRound) histories")
        }
    }

    func targetUncertainty() throws -> Double { try percentage(uncertainty, option: "--uncertainty") }

    func run() throws {
        logging.bootstrap()
        let log = Logger(label: "penumbra.run")
        do {
            let inputs = try loadInputs()
            let rtPlan = inputs.plan
            let model = try BeamMode.machine(for: rtPlan, named: try machine.map(MachineLoader.load))
            log.info("machine \(model.name) (\(BeamMode(of: model)))")
            let unmodelled = rtPlan.unmodelledFeatures(bolusROIsInPhantom: inputs.devicesInPhantom)
            if !unmodelled.isEmpty {
                guard ignoreUnmodelledDevices else {
                    throw CommandFailure(
                        "the plan uses devices Penumbra does not model, so its dose would be wrong: "
                            + unmodelled.joined(separator: "; ")
                            + ". Pass --ignore-unmodelled-devices to compute the dose without them")
                }
                for line in unmodelled { log.warning("ignored: \(line)") }
            }
            for b in rtPlan.boli where !b.roiNumbers.isEmpty {
                let inPhantom = b.roiNumbers.filter(inputs.devicesInPhantom.contains)
                if !inPhantom.isEmpty {
                    log.info("\(b.beam): bolus ROI \(inPhantom.map(String.init).joined(separator: ", ")) computed in the phantom")
                }
            }
            let group = try PlanJob.fractionGroup(of: rtPlan, chosen: fractionGroup)
            let deliveries = try PlanJob.deliveries(of: rtPlan, machine: model, fractionGroup: group.number) {
                log.warning("\($0)")
            }
            if group.fractionsPlanned == nil && planDirectory != nil {
                log.warning("fraction group \(group.number) gives no Number of Fractions Planned (300A,0078); RD.dcm holds one fraction's dose")
            }
            let request = PlanDoseRequest(
                machine: model, deliveries: deliveries, fractionGroup: group.number, phantom: inputs.phantom,
                patientPosition: inputs.patientPosition, planBytes: Array(try Data(contentsOf: inputs.planURL)),
                targetUncertainty: try targetUncertainty(), maximumHistories: histories, firstRoundHistories: firstRound,
                photonSplitting: photonSplitting, seed: seed, compute: compute, logger: log)
            let result: ClusterPlanDose.Result
            var slabPlanes: [Range<Int>]?
            if let slabs = decomposition.decomposed {
                (result, slabPlanes) = try DecomposedPlanDose(request: request, slabs: slabs, batches: decomposition.batches).run()
            } else {
                result = try ClusterPlanDose(request: request).run()
            }
            let dir = URL(fileURLWithPath: out ?? (planDirectory.map { $0 + "/penumbra" } ?? "penumbra-run"))
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try ThreeDDoseFile.write(result.total, to: dir.appendingPathComponent("dose.3ddose"))
            var rtDose: String?
            if planDirectory != nil {
                let fractions = group.fractionsPlanned ?? 1
                try RTDoseWriter.write(
                    grid: result.total.grid, doseGy: result.total.doseGyPerHistory.map { $0 * Double(fractions) },
                    summation: rtPlan.fractionGroups.count > 1 ? .fractionGroup(group.number) : .plan,
                    references: try RTDoseWriter.References(plan: rtPlan),
                    comment: String(format: "Penumbra %@, %llu histories, %d fractions", PenumbraVersion.string, result.histories, fractions),
                    to: dir.appendingPathComponent("RD.dcm"))
                rtDose = "RD.dcm"
            }
            let dvhs = try inputs.structures.map { try Self.dvhSummaries(result.total, structures: $0, log: log) } ?? []
            let beams = zip(deliveries, result.beamDoses).map { d, dose -> RunSummary.BeamDose in
                let iso = d.states[0].isocentreCM
                let at = PlanDoseCalculation.dose(dose, at: iso)
                return RunSummary.BeamDose(number: d.number, name: d.name, monitorUnits: d.monitorUnits,
                                           isocentreDoseGy: at?.doseGy, isocentreRelativeUncertainty: at?.relativeUncertainty)
            }
            let summary = RunSummary(
                machine: model.name, histories: result.histories, seconds: result.seconds, threads: compute.threads, seed: seed,
                version: PenumbraVersion.string, doseUnit: "Gy per fraction (dose to medium)", rtDose: rtDose,
                planDirectory: planDirectory.map { URL(fileURLWithPath: $0).standardizedFileURL.path },
                fractionGroup: group.number, fractionsPlanned: group.fractionsPlanned,
                maximumDoseGy: result.total.maximumDose,
                meanRelativeUncertaintyAboveHalfMax: result.relativeUncertainty, rounds: result.rounds, beams: beams,
                ignoredDevices: unmodelled.isEmpty ? nil : unmodelled,
                densityOverrides: inputs.densityOverrides, devices: inputs.devices(boli: rtPlan.boli), dvhPerFraction: dvhs,
                uncertaintyEstimator: slabPlanes == nil ? "history by history" : "\(decomposition.batches) batches per beam and round",
                decomposedSlabPlanes: slabPlanes?.map { [$0.lowerBound, $0.upperBound] },
                tallyBytesPerThread: result.tallyMemory.map { Int($0.bytesPerThread) },
                tallyTouchedBytesPerThread: result.tallyMemory.map { Int($0.touchedBytesPerThread) })
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(summary), to: dir.appendingPathComponent("summary.json"))
            print(String(format: "%llu histories in %.1f s: maximum %.3f Gy per fraction, σ %.2f %%; wrote %@", result.histories,
                         result.seconds, result.total.maximumDose, 100 * summary.meanRelativeUncertaintyAboveHalfMax, dir.path))
        } catch let e as BeamError {
            throw CommandFailure(e.description)
        } catch let e as DICOMError {
            throw CommandFailure(e.description)
        } catch let e as PatientImportError {
            throw CommandFailure(e.description)
        } catch let e as PhysicsDataError {
            throw CommandFailure(e.description)
        } catch let e as AnalysisError {
            throw CommandFailure(e.description)
        }
    }

    /// Per-structure DVH metrics of the dose per fraction (structures rasterised on the dose grid).
    static func dvhSummaries(_ dose: DoseDistribution, structures: StructureSet, log: Logger) throws -> [DVHSummary] {
        let grid = try DoseGrid(grid: dose.grid, doseGy: dose.doseGyPerHistory)
        var out: [DVHSummary] = []
        for roi in structures.rois where !roi.planarStructureCM.isEmpty {
            let mask = try StructureMasks.rasterise(roi.planarStructureCM, alignedWith: dose.grid, supersampling: 2)
            guard mask.volumeCM3 > 0 else {
                log.warning("structure '\(roi.name)' encloses no volume; no DVH")
                continue
            }
            out.append(DVHSummary(try DoseVolumeHistogram(dose: grid, structure: mask)))
        }
        return out
    }

    struct Inputs {
        let structures: StructureSet?
        let plan: Plan
        /// The RT Plan file (its bytes travel to the workers).
        let planURL: URL
        let phantom: VoxelPhantom
        let patientPosition: PatientPosition
        /// The structure set's density overrides applied (nil in water or with `--ignore-density-overrides`).
        var densityOverrides: [PatientImport.AppliedOverride]? = nil
        /// ROI Numbers of the SUPPORT, BOLUS and FIXATION ROIs the phantom holds (a plan's boli are computed when
        /// their ROI is among them; empty in water or with `--ignore-density-overrides`).
        var devicesInPhantom: Set<Int> = []

        /// The SUPPORT, BOLUS and FIXATION ROIs the phantom holds, with the beams that name each as their bolus
        /// (for summary.json and the report); nil when the structure set's devices were not applied.
        func devices(boli: [BeamBoli]) -> [AnalysisReport.Device]? {
            guard densityOverrides != nil, let structures else { return nil }
            return structures.rois.filter { devicesInPhantom.contains($0.number) }.map { roi in
                AnalysisReport.Device(
                    roiNumber: roi.number, roi: roi.name, type: roi.interpretedType ?? "",
                    bolusOfBeams: boli.filter { $0.roiNumbers.contains(roi.number) }.map(\.beam))
            }
        }
    }

    func loadInputs() throws -> Inputs {
        if planDirectory == nil, let plan, let waterPhantom {
            let rtPlan = try Plan(contentsOf: URL(fileURLWithPath: plan))
            let size = waterPhantom.lowercased().split(separator: "x").compactMap { Double($0) }
            guard size.count == 3, size.allSatisfy({ $0 > 0 }) else {
                throw CommandFailure("--water-phantom must be three sizes in cm like 60x60x60, got '\(waterPhantom)'")
            }
            guard let iso = rtPlan.beams.first?.controlPoints.first?.isocentreMM else {
                throw CommandFailure("\(plan): the first beam has no Isocenter Position to place the water tank")
            }
            let tank = try WaterTank.phantom(sizeCM: Vec3(size[0], size[1], size[2]),
                                             voxelCM: Vec3(doseVoxelCM, doseVoxelCM, doseVoxelCM), centreCM: iso / 10)
            let position = try TreatmentPosition.resolve(plan: rtPlan, ctPosition: nil).position
            return Inputs(
                structures: nil, plan: rtPlan, planURL: URL(fileURLWithPath: plan), phantom: tank, patientPosition: position)
        }
        let found = try PlanFolder.load(
            URL(fileURLWithPath: planDirectory ?? "."), planURL: plan.map { URL(fileURLWithPath: $0) }, planOption: "--plan")
        let log = Logger(label: "penumbra.run")
        for w in found.warnings { log.warning("\(w)") }
        let position = try TreatmentPosition.resolve(plan: found.plan, ctPosition: found.volume.patientPosition)
        if let note = position.note { log.warning("\(note)") }
        // Without an EXTERNAL ROI the CT is computed as scanned; the structure set still gives the DVHs.
        let calibration = try HUCalibration.load(calibration)
        let electrons = ignoreDensityOverrides ? nil : try MediumElectrons(calibration: calibration, physics: PhysicsData.bundled())
        let imported = try PatientImport.phantom(
            from: found.volume, calibration: calibration, structures: found.structures, requireExternal: false,
            overrides: electrons)
        for note in imported.notes { log.warning("\(note)") }
        for o in imported.overrides { log.info("\(o.logLine)") }
        if let warning = imported.aboveCalibrationWarning { log.warning("\(warning)") }
        let phantom = try PhantomCoarsening.coarsened(
            imported.phantom, factors: PhantomCoarsening.factors(of: imported.phantom.grid, targetVoxelCM: doseVoxelCM))
        return Inputs(
            structures: found.structures, plan: found.plan, planURL: found.planURL, phantom: phantom,
            patientPosition: position.position, densityOverrides: electrons == nil ? nil : imported.overrides,
            devicesInPhantom: imported.devicesInPhantom)
    }
}

/// `summary.json` of a run.
struct RunSummary: Codable {
    struct BeamDose: Codable {
        let number: Int
        let name: String
        let monitorUnits: Double
        let isocentreDoseGy: Double?
        let isocentreRelativeUncertainty: Double?
    }
    let machine: String
    let histories: UInt64
    let seconds: Double
    let threads: Int
    let seed: UInt64
    let version: String
    let doseUnit: String
    let rtDose: String?
    /// The plan folder the run was computed for (absolute path; patient runs), for `penumbra report`.
    let planDirectory: String?
    /// The fraction group computed (nil in runs written before it was recorded).
    let fractionGroup: Int?
    let fractionsPlanned: Int?
    let maximumDoseGy: Double
    /// Over voxels of at least `PlanJob.minimumStopDensityGPerCM3` g/cm³ (the stop rule's figure).
    let meanRelativeUncertaintyAboveHalfMax: Double
    /// Histories of each round of the run (`ClusterPlanDose`), in order (nil in runs written before rounds).
    let rounds: [UInt64]?
    let beams: [BeamDose]
    /// Plan devices Penumbra does not model and left out (`--ignore-unmodelled-devices`); nil when there were none.
    let ignoredDevices: [String]?
    /// The structure set's density overrides applied (ROI, property, value, medium, density, voxels of the CT grid);
    /// nil in water, with `--ignore-density-overrides`, or in runs written before they were applied.
    let densityOverrides: [PatientImport.AppliedOverride]?
    /// The SUPPORT, BOLUS and FIXATION ROIs computed with the patient (nil as for `densityOverrides`).
    let devices: [AnalysisReport.Device]?
    /// DVH metrics per structure, Gy per fraction (patient runs).
    let dvhPerFraction: [DVHSummary]
    /// How the uncertainty was estimated: "history by history", or from batches for `--decomposed` (nil in runs
    /// written before it was recorded).
    let uncertaintyEstimator: String?
    /// With `--decomposed`: each slab's planes [first, end) of the dose grid.
    let decomposedSlabPlanes: [[Int]]?
    /// Bytes of one thread's tally on the workers (32 per voxel of a beam's grid; the beams share them), the
    /// largest any worker reported with its results, embedded or remote; nil for `--decomposed` and in runs
    /// written before it was recorded.
    let tallyBytesPerThread: Int?
    /// Of them, the most one thread's histories wrote, in 4 KiB blocks (`TallyPool.Footprint.touchedBytes`).
    let tallyTouchedBytesPerThread: Int?
}
