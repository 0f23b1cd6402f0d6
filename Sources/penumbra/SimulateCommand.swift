import ArgumentParser
import Cluster
import FileIO
import Foundation
import Logging
import Phantom
import PhaseSpace
import Report
import Transport

/// `penumbra simulate`: Monte Carlo dose in an EGSnrc voxel phantom from a validation beam.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Compute the dose of a photon beam in an .egsphant phantom with coupled photon–electron Monte Carlo.",
        discussion: """
            The beam is a point source on the z axis at --ssd cm in front of the phantom's front face, \
            collimated to the rectangle --field X1,X2,Y1,Y2 (cm) on that face (DOSXYZnrc isource 3), or a \
            parallel beam with --parallel. Writes DIR/dose.3ddose (Gy per incident history and relative \
            uncertainty), DIR/dose.npy (nz, ny, nx) and DIR/summary.json. Dose is dose to medium unless \
            --dose-to-water is given; summary.json says which. Negative field bounds need the = form: \
            --field=-5,5,-5,5. With --phase-space FILE the particles of an IAEA phase space are the source \
            instead of a beam (docs/phase-space.md); dose is then per original history of the phase space.
            """)

    @Option(help: "EGSnrc .egsphant voxel phantom.") var phantom: String
    @Option(help: "EGSnrc .spectrum photon spectrum (modes 0 and 1).") var spectrum: String?
    @Option(help: "Monoenergetic photon energy in MeV (instead of --spectrum).") var energy: Double?
    @Option(help: "IAEA phase space (.IAEAheader, .IAEAphsp or their base name) as the source instead of a beam.")
    var phaseSpace: String?
    @Option(help: "The phase space's z (cm) placed on the phantom's front face (default: its scoring plane).")
    var phaseSpaceZ: Double?
    @Option(help: "Field on the front face, X1,X2,Y1,Y2 in cm.") var field: String?
    @Option(help: "Source-to-surface distance in cm (point source).") var ssd: Double = 100
    @Flag(help: "Use a parallel beam instead of a point source.") var parallel = false
    @Flag(help: "Report dose to water in medium (Siebers stopping-power ratios per energy-loss step) instead of dose to medium.")
    var doseToWater = false
    @Option(help: "Split each primary photon into N copies of weight 1/N (variance reduction; 1: off; 4, as `run`: 1.2× the efficiency of 1 in water, docs/performance.md).")
    var photonSplitting: Int = 4
    @Flag(inversion: .prefixedNo, help: "Russian roulette of weighted photons (scattered split photons); only acts with --photon-splitting.")
    var russianRoulette = true
    @Flag(inversion: .prefixedNo, help: "Range rejection of electrons below 1 MeV that cannot leave their voxel.")
    var rangeRejection = true
    @Option(help: "Transport driver: scalar (history by history, the reference) or simd (event based, photons in lanes; statistically the same dose).")
    var driver: TransportDriver = .scalar
    @Option(help: "Multiple-scattering angular distribution: modifiedWentzel (default) or goudsmitSaunderson.")
    var multipleScattering: MultipleScatteringModel = TransportSettings().multipleScattering
    @Option(help: "Number of primary histories.") var histories: UInt64
    @Option(help: "Random seed (64-bit).") var seed: UInt64 = 1
    @Option(help: "Output directory (created if missing).") var out: String
    @OptionGroup var compute: ComputeOptions
    @OptionGroup var decomposition: DecompositionOptions
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard [spectrum != nil, energy != nil, phaseSpace != nil].filter({ $0 }).count == 1 else {
            throw ValidationError("give exactly one of --spectrum FILE, --energy MeV or --phase-space FILE")
        }
        if phaseSpace != nil {
            guard field == nil, !parallel else {
                throw ValidationError("--field and --parallel describe a beam; a phase space brings its own particles")
            }
            guard !compute.namesCluster || decomposition.decomposed != nil else {
                throw ValidationError(
                    "--phase-space runs on the cluster decomposed only (the workers fetch the file with the slabs): add --decomposed N, or drop --workers and --coordinator")
            }
        } else if phaseSpaceZ != nil {
            throw ValidationError("--phase-space-z needs --phase-space")
        }
        if let e = energy, !(e > 0 && e <= 25) {
            throw ValidationError("--energy must be in (0, 25] MeV, got \(e)")
        }
        guard histories > 0 else { throw ValidationError("--histories must be positive") }
        guard photonSplitting >= 1 && photonSplitting <= 1000 else {
            throw ValidationError("--photon-splitting must be 1…1000, got \(photonSplitting)")
        }
        guard ssd > 0, ssd.isFinite else { throw ValidationError("--ssd must be positive, got \(ssd)") }
        if phaseSpace == nil { _ = try parseField() }
        if decomposition.decomposed != nil {
            guard driver == .scalar else {
                throw ValidationError("--driver simd does not run decomposed; decomposed slabs use the scalar driver")
            }
            guard UInt64(decomposition.batches) <= histories else {
                throw ValidationError("--batches \(decomposition.batches) is more than --histories \(histories)")
            }
        }
    }

    func parseField() throws -> FieldRectangle {
        guard let field else { throw ValidationError("--field X1,X2,Y1,Y2 (cm) is required for a beam") }
        let parts = field.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, let x1 = parts[0], let x2 = parts[1], let y1 = parts[2], let y2 = parts[3] else {
            throw ValidationError("--field must be four numbers X1,X2,Y1,Y2 in cm, got '\(field)'")
        }
        do { return try FieldRectangle(x1CM: x1, x2CM: x2, y1CM: y1, y2CM: y2) } catch {
            throw ValidationError("\(error)")
        }
    }

    /// The validation beam of --field, --ssd and --parallel.
    func beam(energy: SourceEnergy) throws -> BeamSource {
        let rect = try parseField()
        return parallel ? .parallel(field: rect, energy: energy) : .pointSource(ssdCM: ssd, field: rect, energy: energy)
    }

    func run() throws {
        logging.bootstrap()
        let log = Logger(label: "penumbra.simulate")
        let phantomURL = URL(fileURLWithPath: phantom)
        let voxels = try EGSPhantomFile.read(phantomURL)
        var inputs: [String: String] = ["phantom": try FileDigest.sha256Hex(contentsOf: phantomURL)]
        let sourceEnergy: SourceEnergy
        if let spectrum {
            let url = URL(fileURLWithPath: spectrum)
            sourceEnergy = .spectrum(try PhotonSpectrum.read(url))
            inputs["spectrum"] = try FileDigest.sha256Hex(contentsOf: url)
        } else {
            sourceEnergy = .monoenergetic(MeV: energy ?? 0)
        }
        let phaseSpaceSource = try phaseSpace.map {
            try PhaseSpaceSource(URL(fileURLWithPath: $0), on: voxels, surfaceZCM: phaseSpaceZ)
        }
        if let phaseSpaceSource {
            inputs["phaseSpaceHeader"] = try FileDigest.sha256Hex(contentsOf: phaseSpaceSource.file.headerURL)
            if let warning = phaseSpaceSource.recyclingWarning(histories: histories) { log.warning("\(warning)") }
        }
        let rect = phaseSpaceSource == nil ? try parseField() : nil
        let source: any PrimarySource = try phaseSpaceSource ?? FrontFaceBeam(beam(energy: sourceEnergy), on: voxels)
        var settings = TransportSettings()
        settings.doseQuantity = doseToWater ? .water : .medium
        settings.photonSplitting = photonSplitting
        settings.russianRoulette = russianRoulette
        if !rangeRejection { settings.rangeRejectionBelowMeV = 0 }
        settings.multipleScattering = multipleScattering
        let media = try PhysicsMedium.media(named: voxels.media, settings: settings)
        let start = Date()
        let cpuStart = ProcessUsage.now()
        // One of the two: a history-by-history tally, or a decomposed run's batches.
        var tally: EnergyTally?
        var decomposed: BatchTally?
        var slabPlanes: [Range<Int>]?
        var threadUsage: TransportEngine.ThreadUsage?
        var tallyMemory: TallyMemory?
        let threads = compute.threads
        let water = doseToWater ? try PhysicsMedium.water(settings: settings) : nil
        if let slabs = decomposition.decomposed {
            if compute.namesCluster {
                let boundaries = try DecompositionOptions.boundaries(
                    planes: voxels.grid.counts.z, slabs: slabs, edge: settings.majorantBlockVoxels)
                let workload: String, parameters: [UInt8], common: [[UInt8]]
                if let phaseSpaceSource {
                    // Checked here against the whole phantom: a worker sees one slab.
                    try phaseSpaceSource.check(against: voxels)
                    workload = PhaseSpaceSlabJob.workload
                    parameters = try PhaseSpaceSlabJob(surfaceZCM: phaseSpaceSource.surfaceZCM, settings: settings).parameters()
                    common = try PhaseSpaceSlabJob.inputs(of: phaseSpaceSource.file)
                } else {
                    let rect = try parseField()
                    workload = SlabTransportExecutor.workload
                    parameters = try TransportJob(
                        fieldCM: [rect.x1CM, rect.x2CM, rect.y1CM, rect.y2CM], ssdCM: parallel ? nil : ssd, energyMeV: energy,
                        settings: settings
                    ).parameters()
                    common = try spectrum.map { [Array(try Data(contentsOf: URL(fileURLWithPath: $0)))] } ?? []
                }
                decomposed = try ClusterDecomposedSimulation(
                    workload: workload, parameters: parameters, phantom: voxels, commonInputs: common,
                    boundaries: boundaries, batches: decomposition.batches, histories: histories, seed: seed,
                    compute: compute, logger: log
                ).run()
                slabPlanes = zip([0] + boundaries, boundaries + [voxels.grid.counts.z]).map { $0..<$1 }
            } else {
                let simulation = try Simulation(phantom: voxels, mediumPhysics: media, source: source, settings: settings, water: water)
                (decomposed, slabPlanes) = try decomposition.run(
                    simulation, slabs: slabs, histories: histories, seed: seed, threads: threads, logger: log)
            }
        } else if compute.namesCluster, let rect {
            guard driver == .scalar else {
                throw ValidationError("--driver simd runs on this machine only; cluster workers use the scalar driver")
            }
            let job = TransportJob(
                fieldCM: [rect.x1CM, rect.x2CM, rect.y1CM, rect.y2CM], ssdCM: parallel ? nil : ssd, energyMeV: energy,
                settings: settings)
            var jobInputs = [Array(try Data(contentsOf: phantomURL))]
            if let spectrum { jobInputs.append(Array(try Data(contentsOf: URL(fileURLWithPath: spectrum)))) }
            (tally, tallyMemory) = try ClusterSimulation(
                job: job, inputs: jobInputs, grid: voxels.grid, histories: histories, seed: seed, compute: compute,
                logger: log
            ).run()
        } else {
            let simulation = try Simulation(
                phantom: voxels, mediumPhysics: media, source: source, settings: settings,
                water: water)
            let engine = try TransportEngine(simulation: simulation, threads: threads, driver: driver)
            log.info("simulating \(histories) histories on \(threads) threads, phantom \(phantomURL.lastPathComponent)")
            let display = ProgressDisplay()
            let rounds = TransportEngine.progressRounds(histories: histories)
            tally = try engine.run(histories: histories, seed: seed, rounds: rounds, progress: { p in
                threadUsage = p.usage
                let left = p.historiesDone > 0
                    ? p.seconds * Double(p.historiesTotal - p.historiesDone) / Double(p.historiesDone) : 0
                display.show(String(format: "%llu/%llu histories, σ(>50%% max) %.2f %%, %.1f s, ~%.0f s left",
                                  p.historiesDone, p.historiesTotal, 100 * p.meanRelativeUncertainty, p.seconds, left))
            })
            display.finish()
            tallyMemory = TallyMemory(engine.tallyBytesPerThread)
        }
        try phaseSpaceSource?.checkReads()
        let seconds = Date().timeIntervalSince(start)
        let usage = ProcessUsage.now()
        let dose: DoseDistribution
        let historiesRun: UInt64
        if let decomposed {
            dose = DoseDistribution(batches: decomposed, phantom: voxels, quantity: settings.doseQuantity)
            historiesRun = decomposed.histories
        } else if let tally {
            dose = DoseDistribution(tally: tally, phantom: voxels, quantity: settings.doseQuantity)
            historiesRun = tally.histories
        } else {
            preconditionFailure("simulate: no tally from any branch")
        }
        let sigma = dose.meanRelativeUncertaintyAboveHalfMax
        let summary = SimulationSummary(
            histories: historiesRun, seconds: seconds, transportCPUSeconds: usage.cpuSeconds - cpuStart.cpuSeconds,
            peakResidentMB: usage.peakResidentMB, threads: threads, driver: driver.rawValue,
            meanRelativeUncertaintyAboveHalfMax: sigma,
            efficiency: sigma > 0 ? 1 / (sigma * sigma * seconds) : 0,
            seed: seed, version: PenumbraVersion.string, doseQuantity: dose.quantity.rawValue,
            doseUnit: phaseSpaceSource == nil ? "Gy per incident history" : "Gy per original history of the phase space",
            source: phaseSpaceSource.map { "IAEA phase space \($0.file.headerURL.lastPathComponent)" }
                ?? (parallel ? "parallel" : "point source (DOSXYZnrc isource 3)"),
            fieldCM: rect.map { [$0.x1CM, $0.x2CM, $0.y1CM, $0.y2CM] }, ssdCM: parallel || rect == nil ? nil : ssd,
            energyMeV: energy, phaseSpaceZCM: phaseSpaceSource?.surfaceZCM,
            phaseSpacePasses: phaseSpaceSource?.passes(histories: histories), inputSHA256: inputs, settings: settings,
            uncertaintyEstimator: decomposed.map { "\($0.batches) batches" } ?? "history by history",
            decomposedSlabPlanes: slabPlanes?.map { [$0.lowerBound, $0.upperBound] },
            busyThreadSeconds: threadUsage?.busyThreadSeconds, parallelSeconds: threadUsage?.parallelSeconds,
            tallyBytesPerThread: tallyMemory.map { Int($0.bytesPerThread) },
            tallyTouchedBytesPerThread: tallyMemory.map { Int($0.touchedBytesPerThread) })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(summary)

        let dir = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try ThreeDDoseFile.write(dose, to: dir.appendingPathComponent("dose.3ddose"))
        try NumPyArray(shape: [dose.grid.counts.z, dose.grid.counts.y, dose.grid.counts.x], values: dose.doseGyPerHistory)
            .write(to: dir.appendingPathComponent("dose.npy"))
        try AtomicFile.write(json, to: dir.appendingPathComponent("summary.json"))
        print(String(format: "%llu histories in %.1f s: mean σ above 50%% of max %.2f %%, efficiency %.3g s⁻¹",
                     historiesRun, seconds, 100 * sigma, summary.efficiency))
    }

}

/// The machine-readable record of a `simulate` run (`summary.json`).
struct SimulationSummary: Codable {
    let histories: UInt64
    let seconds: Double
    /// CPU seconds of all threads during the transport (this process only; excludes reading inputs and
    /// writing outputs; for a cluster run, only the embedded workers count).
    let transportCPUSeconds: Double
    /// Peak resident memory of the process, MB.
    let peakResidentMB: Double
    let threads: Int
    /// `scalar` or `simd` (`--driver`).
    let driver: String
    let meanRelativeUncertaintyAboveHalfMax: Double
    /// 1/(σ²T) with σ the mean relative uncertainty above 50 % of the maximum and T the wall time.
    let efficiency: Double
    let seed: UInt64
    let version: String
    let doseQuantity: String
    let doseUnit: String
    let source: String
    let fieldCM: [Double]?
    let ssdCM: Double?
    let energyMeV: Double?
    /// The phase space's z placed on the phantom's front face, cm.
    let phaseSpaceZCM: Double?
    /// Histories over the phase space's original histories: above 1 the phase space was recycled.
    let phaseSpacePasses: Double?
    let inputSHA256: [String: String]
    let settings: TransportSettings
    /// How the uncertainty was estimated: "history by history", or "N batches" for a decomposed run.
    let uncertaintyEstimator: String
    /// With `--decomposed`: each slab's planes [first, end).
    let decomposedSlabPlanes: [[Int]]?
    /// Seconds of all threads spent running histories (`TransportEngine.ThreadUsage`; this machine's
    /// engine only): with `seconds` and `threads`, the share of thread time the engine kept busy.
    let busyThreadSeconds: Double?
    /// Wall seconds of the engine's parallel phases (the rest of `seconds` is serial).
    let parallelSeconds: Double?
    /// Bytes of one thread's tally (32 per voxel; `TransportEngine.tallyBytesPerThread`): this process's engine,
    /// or with `--workers N` / `--coordinator URL` the largest the workers reported (nil with `--decomposed`).
    let tallyBytesPerThread: Int?
    /// Of them, the most one thread's histories wrote, in 4 KiB blocks of 128 voxels: how much of the grid
    /// they reach (what a tally allocated on first touch would hold).
    let tallyTouchedBytesPerThread: Int?
}

extension TransportDriver: ExpressibleByArgument {}
extension MultipleScatteringModel: ExpressibleByArgument {}
