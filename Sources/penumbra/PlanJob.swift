import Beam
import Cluster
import DICOM
import Foundation
import Geometry
import Phantom
import Physics
import Synchronization
import Transport

/// `penumbra run` as a cluster job (workload `"plan"`): the machine and beam selection in
/// `JobSpec.parameters` (JSON); inputs 0 the phantom (`.egsphant` text), 1 the RT Plan (DICOM bytes),
/// 2 the stop rule's dose weights.
///
/// The plan's histories 0, 1, 2, … are dealt to the beams in a fixed cycle, `cycle[b]` histories to
/// beam b per cycle in proportion to MU_b × A_b (its share of the plan's proposals), so any range of
/// plan histories maps to one contiguous range of each beam's own histories. Beam b's history n runs the
/// random stream of index b·2⁴⁰ + n, as in `PlanDoseCalculation`. A job runs the plan's histories
/// `firstHistory ..< firstHistory + historyCount` (its history h is plan history firstHistory + h), so
/// consecutive jobs (the rounds of `ClusterPlanDose`) continue one sequence and their summed tallies equal
/// one job's over all of them, bit for bit. The tally grid stacks one block of
/// z planes per beam (`UncertaintyTarget.groups`), so per-beam doses come back apart.
struct PlanJob: Codable, Equatable, Sendable {
    /// The workload name in `JobSpec.workload`.
    static let workload = "plan"
    /// Histories per cycle, about this many per beam.
    static let cycleHistoriesPerBeam = 1_000.0
    /// Voxels lighter than this (g/cm³) are left out of the stop rule: air around and inside the patient
    /// (0.0012 g/cm³ in schneider-2000) turns a single electron's deposit into a dose far above the
    /// patient's, which made such voxels "the maximum" and the mean uncertainty above half of it ~100 %.
    /// The presets' lowest lung density is 0.044 g/cm³ (egsnrc-ctcreate-4 at −974 HU).
    static let minimumStopDensityGPerCM3: Float = 0.04

    /// The machine the beams run on.
    var machine: MachineModel
    /// The CT's patient position.
    var patientPosition: PatientPosition
    /// The plan's beams that run, in order (treatment photon beams with monitor units).
    var beamNumbers: [Int]
    /// Histories of each beam per cycle.
    var cycle: [UInt64]
    /// The plan history that the job's history 0 is.
    var firstHistory: UInt64 = 0
    /// How the beams' sources place their proposals (the same fluence either way).
    var sampling: PlanSource.Sampling
    /// Copies of each primary photon, of weight 1/N (`TransportSettings.photonSplitting`; 1: off).
    var photonSplitting: Int = 1
    /// The fraction group whose monitor units the beams deliver (`--fraction-group`); nil: the plan's only one.
    var fractionGroup: Int?

    /// Histories in one cycle.
    var cycleLength: UInt64 { cycle.reduce(0, +) }

    /// How many of the plan's first `n` histories belong to beam `b`.
    func histories(ofBeam b: Int, before n: UInt64) -> UInt64 {
        let start = cycle[..<b].reduce(0, +)
        let (q, r) = n.quotientAndRemainder(dividingBy: cycleLength)
        return q * cycle[b] + (r > start ? min(r - start, cycle[b]) : 0)
    }

    /// The random-stream indices of beam `b`'s histories among the job's histories `range`.
    func streams(ofBeam b: Int, in range: Range<UInt64>) -> Range<UInt64> {
        let base = UInt64(b) << 40
        return base + histories(ofBeam: b, before: firstHistory + range.lowerBound)..<base
            + histories(ofBeam: b, before: firstHistory + range.upperBound)
    }

    /// The fraction group a run computes: `chosen` (its Fraction Group Number), else the plan's only group, else
    /// the only one that gives monitor units to a treatment beam.
    /// - Throws: `BeamError.badPlan` for a plan without fraction groups, a `chosen` group the plan does not hold,
    ///   or several groups with monitor units (each has its own beams and number of fractions, e.g. a sequential
    ///   boost: summing them per fraction, or taking the first, would be wrong).
    static func fractionGroup(of plan: Plan, chosen: Int?) throws -> FractionGroup {
        func listed(_ groups: [FractionGroup]) -> String {
            groups.map { g in
                "group \(g.number) (\(g.fractionsPlanned.map { "\($0) fractions" } ?? "fractions not given"); beams "
                    + "\(g.referencedBeams.sorted().map(String.init).joined(separator: ", ")))"
            }.joined(separator: "; ")
        }
        if let chosen {
            guard let group = plan.fractionGroups.first(where: { $0.number == chosen }) else {
                throw BeamError.badPlan(
                    "the plan has no fraction group \(chosen); it has \(plan.fractionGroups.isEmpty ? "none" : listed(plan.fractionGroups))")
            }
            return group
        }
        guard !plan.fractionGroups.isEmpty else {
            throw BeamError.badPlan(
                "the plan has no Fraction Group Sequence (300A,0070), so no beam has monitor units; export the plan with its fraction scheme")
        }
        if plan.fractionGroups.count == 1 { return plan.fractionGroups[0] }
        let treatment = Set(try BeamMode.treatmentBeams(of: plan).map(\.number))
        let delivering = plan.fractionGroups.filter { g in g.beamMetersetsMU.contains { treatment.contains($0.key) && $0.value > 0 } }
        guard delivering.count == 1 else {
            throw BeamError.badPlan(
                "the plan has \(plan.fractionGroups.count) fraction groups: \(listed(plan.fractionGroups)); each has its own "
                    + "beams and fractions, so compute one at a time with --fraction-group N")
        }
        return delivering[0]
    }

    /// The treatment beams of `plan` (photon beams only: `BeamMode.treatmentBeams`) that deliver monitor units in
    /// the fraction group (`fractionGroup(of:chosen:)`), as deliveries on `machine`. Setup and imaging beams,
    /// beams of 0 MU and beams the group does not deliver are left out, each with a `warn` line.
    /// - Throws: `BeamError.badPlan` for a beam the group delivers without a Beam Meterset (its MU are unknown).
    static func deliveries(
        of plan: Plan, machine: MachineModel, fractionGroup chosen: Int? = nil, warn: (String) -> Void = { _ in }
    ) throws -> [BeamDelivery] {
        let group = try fractionGroup(of: plan, chosen: chosen)
        for beam in BeamMode.nonTreatmentBeams(of: plan) {
            warn("beam \(beam.number) '\(beam.name)' is a \(beam.treatmentDeliveryType ?? "") beam; left out of the dose")
        }
        var deliveries: [BeamDelivery] = []
        for beam in try BeamMode.treatmentBeams(of: plan) {
            let context = "beam \(beam.number) '\(beam.name)'"
            guard group.referencedBeams.contains(beam.number) else {
                warn("\(context) is not delivered in fraction group \(group.number); left out")
                continue
            }
            guard let mu = group.beamMetersetsMU[beam.number] else {
                throw BeamError.badPlan(
                    "\(context) is in fraction group \(group.number) without a Beam Meterset (300A,0086): its monitor "
                        + "units are unknown; export the plan with its beam metersets")
            }
            guard mu > 0 else {
                warn("\(context) has 0 MU; left out")
                continue
            }
            // Jaw and leaf positions are given at the plan's isocentre distance; on a machine of another SAD they
            // would be another field (1 mm: DS rounding of a 1000 mm SAD is far below it).
            guard abs(beam.sourceAxisDistanceMM - 10 * machine.sourceAxisDistanceCM) <= 1 else {
                throw BeamError.badPlan(
                    "\(context) has Source-Axis Distance \(beam.sourceAxisDistanceMM) mm but machine '\(machine.name)' "
                        + "has \(10 * machine.sourceAxisDistanceCM) mm; give --machine FILE with a machine of the plan's SAD")
            }
            deliveries.append(
                try BeamDelivery(beam: beam, monitorUnits: mu, maximumJawCM: machine.jaws.maximumOpeningCM))
        }
        return deliveries
    }

    /// One source per beam of the job.
    func sources(plan: Plan, physics: PhysicsData) throws -> [PlanSource] {
        let model = try SourceModel(machine: machine, physics: physics)
        let byNumber = Dictionary(
            try Self.deliveries(of: plan, machine: machine, fractionGroup: fractionGroup).map { ($0.number, $0) }
        ) { a, _ in a }
        return try beamNumbers.map { number in
            guard let delivery = byNumber[number] else { throw BeamError.badPlan("beam \(number) is not in the plan") }
            return try PlanSource(
                model: model, deliveries: [delivery], patientPosition: patientPosition, sampling: sampling)
        }
    }

    /// A job over `sources`' beams (all of one sampling), dealing histories in proportion to MU × area.
    init(machine: MachineModel, patientPosition: PatientPosition, beamNumbers: [Int], sources: [PlanSource]) {
        sampling = sources.first?.sampling ?? .jawRectangle
        self.machine = machine
        self.patientPosition = patientPosition
        self.beamNumbers = beamNumbers
        let total = sources.map(\.muAreaSum).reduce(0, +)
        let perCycle = Self.cycleHistoriesPerBeam * Double(sources.count)
        cycle = sources.map { UInt64(max(1, (perCycle * $0.muAreaSum / total).rounded())) }
    }

    /// The stop rule's dose per energy for each voxel of the stacked grid: Gy per history of beam b
    /// per unit energy (its calibration scale over its share of the cycle and the voxel's mass),
    /// normalised to a maximum of 1, and 0 where the density is below `minimumStopDensityGPerCM3`.
    func stopWeights(phantom: VoxelPhantom, sources: [PlanSource]) throws -> [Float] {
        let n = phantom.grid.voxelCount
        var weights = [Double](repeating: 0, count: n * sources.count)
        for (b, source) in sources.enumerated() {
            let perHistory = try source.gyPerHistoryScale() * Double(cycleLength) / Double(cycle[b])
            for v in 0..<n where phantom.densitiesGPerCM3[v] >= Self.minimumStopDensityGPerCM3 {
                weights[b * n + v] = perHistory / Double(phantom.densitiesGPerCM3[v])
            }
        }
        let largest = weights.max() ?? 0
        return weights.map { largest > 0 ? Float($0 / largest) : 0 }
    }
}

/// Runs plan units: each beam's share of the unit's histories through its own transport engine,
/// tallied into its block of the stacked grid.
final class PlanExecutor: UnitExecutor {
    let workloads = [PlanJob.workload]

    /// Prepared beams by job (less its `firstHistory`) and thread count: cross sections and engines are
    /// built once per plan. A plan's beams share the media's physics and one pool of thread tallies (they
    /// run one after another on one grid), kept from unit to unit.
    private let prepared = Mutex<[ContentDigest: [BeamSimulation]]>([:])

    func execute(_ unit: WorkUnit, inputs: [ContentDigest: [UInt8]], threads: Int) throws -> UnitResult {
        let spec = unit.spec
        let job = try JSONDecoder().decode(PlanJob.self, from: Data(spec.parameters))
        // The rounds of one plan differ only in `firstHistory`: they share the prepared beams.
        var shared = job
        shared.firstHistory = 0
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let key = ContentDigest(
            of: Array(try encoder.encode(shared)) + spec.inputs.flatMap(\.bytes) + [UInt8(clamping: threads)])
        let simulations = try prepared.withLock { cache in
            if let cached = cache[key] { return cached }
            guard spec.inputs.count >= 2, let phantomText = inputs[spec.inputs[0]],
                let planBytes = inputs[spec.inputs[1]]
            else {
                throw ClusterError.invalidJob("a plan job needs the phantom and the RT Plan as inputs 0 and 1")
            }
            let phantom = try EGSPhantomFile.parse(String(decoding: phantomText, as: UTF8.self), file: "phantom input")
            let rtPlan = try Plan(try DICOMFile.parse(planBytes).dataSet)
            let sources = try job.sources(plan: rtPlan, physics: try PhysicsData.bundled())
            var settings = TransportSettings()
            settings.photonSplitting = job.photonSplitting
            try settings.validate()
            let media = try PhysicsMedium.media(named: phantom.media, settings: settings)
            let tallies = TallyPool()
            let built = try sources.map {
                try BeamSimulation(source: $0, phantom: phantom, media: media, threads: threads, settings: settings)
                    .sharingTallies(tallies)
            }
            if cache.count >= 4 { cache.removeAll() }
            cache[key] = built
            return built
        }
        let perBeam = simulations.first?.engine.simulation.phantom.grid.voxelCount ?? 0
        guard perBeam * simulations.count == spec.layout.voxelCount else {
            throw ClusterError.invalidJob(
                "\(simulations.count) beams of \(perBeam) voxels do not fill the job's grid of \(spec.layout.voxelCount)"
            )
        }
        var slabs = SlabTallyBuilder(layout: spec.layout)
        for (b, simulation) in simulations.enumerated() {
            simulation.engine.runRange(job.streams(ofBeam: b, in: unit.histories), seed: spec.seed) { tally in
                slabs.append(tally, offset: b * perBeam)
            }
        }
        // The beams share one pool of thread tallies: the first beam's engine reports it.
        return UnitResult(
            key: unit.key, historyCount: UInt64(unit.histories.count), slabs: slabs.finish(),
            tallyMemory: simulations.first.map { TallyMemory($0.engine.tallyBytesPerThread) })
    }
}
