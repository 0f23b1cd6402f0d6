import Foundation
import Geometry
import Phantom
import TestSupport
import Testing
import Transport

/// Physics validation against EGSnrc-family reference doses (../shared/reference/README.md), run by
/// `make validate` (release build, `PENUMBRA_VALIDATE=1`). Default transport settings for every case.
/// Each case writes SVG figures and a text summary under `validation/out/`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["PENUMBRA_VALIDATE"] == "1"), .serialized)
struct ValidationTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let phantom: String
        let spectrum: String?
        let energyMeV: Double?
        let halfFieldCM: Double
        let reference: String
        /// Divide the reference file by this (DOSXYZnrc: Gy·cm² per fluence → per history, ÷ field area).
        let referenceDivisor: Double
        let profileDepthsCM: [Double]
        /// Dose tolerance as a fraction of D_max, distance tolerance in cm, first depth checked (cm).
        let doseTolerance: Double, distanceToleranceCM: Double, firstDepthCM: Double
        let histories: UInt64
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "water-6mv-10x10", phantom: "phantoms/water.egsphant", spectrum: "spectra/mohan6.spectrum", energyMeV: nil,
             halfFieldCM: 5, reference: "water-6mv-10x10/DOSXYZnrc_R1_12.5M_Gycm2.3ddose", referenceDivisor: 100,
             profileDepthsCM: [1.5, 5, 10, 20], doseTolerance: 0.01, distanceToleranceCM: 0.1, firstDepthCM: 1.5,
             histories: 5_000_000),
        Case(name: "water-2mev-5x5", phantom: "phantoms/water.egsphant", spectrum: nil, energyMeV: 2,
             halfFieldCM: 2.5, reference: "water-2mev-5x5/ompMC_R2.3ddose", referenceDivisor: 1,
             profileDepthsCM: [1.5, 5, 10, 20], doseTolerance: 0.01, distanceToleranceCM: 0.1, firstDepthCM: 1.5,
             histories: 5_000_000),
        Case(name: "slab-6mv-5x5", phantom: "phantoms/slab.egsphant", spectrum: "spectra/mohan6.spectrum", energyMeV: nil,
             halfFieldCM: 2.5, reference: "slab-6mv-5x5/ompMC_R3.3ddose", referenceDivisor: 1,
             profileDepthsCM: [8], doseTolerance: 0.02, distanceToleranceCM: 0.2, firstDepthCM: 0.5,
             histories: 5_000_000),
    ]

    static var outputDirectory: URL { TestEnvironment.packageRoot.appendingPathComponent("validation/out") }

    static var threads: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Independent batches per case (seeds 20260101 + b).
    static let batchCount = 10

    static func histories(_ c: Case) -> UInt64 {
        if let s = ProcessInfo.processInfo.environment["PENUMBRA_VALIDATE_HISTORIES"], let n = UInt64(s) { return n }
        return c.histories
    }

    @Test(arguments: cases)
    func agreesWithReference(_ c: Case) throws {
        let phantom = try EGSPhantomFile.read(TestEnvironment.reference(c.phantom))
        let energy: SourceEnergy = try c.spectrum.map { .spectrum(try PhotonSpectrum.read(TestEnvironment.reference($0))) }
            ?? .monoenergetic(MeV: c.energyMeV!)
        let field = try FieldRectangle(x1CM: -c.halfFieldCM, x2CM: c.halfFieldCM, y1CM: -c.halfFieldCM, y2CM: c.halfFieldCM)
        let settings = TransportSettings()
        let sim = try Simulation(phantom: phantom, mediumPhysics: PhysicsMedium.media(named: phantom.media, settings: settings),
                                 source: .pointSource(ssdCM: 100, field: field, energy: energy), settings: settings)
        let n = Self.histories(c)
        let start = Date()
        // Independent batches (seeds 20260101 + b): their merged tally gives the dose and the per-voxel
        // history-by-history σ; their scatter gives the σ of averaged quantities (BatchStatistics).
        let engine = try TransportEngine(simulation: sim, threads: Self.threads)
        var tally = EnergyTally(voxelCount: phantom.grid.voxelCount)
        var batches: [DoseMetrics] = []
        for b in 0..<Self.batchCount {
            let part = try engine.run(histories: n / UInt64(Self.batchCount), seed: 20_260_101 + UInt64(b), rounds: 1)
            tally.merge(part)
            batches.append(DoseMetrics(dose: DoseDistribution(tally: part, phantom: phantom)))
        }
        let seconds = Date().timeIntervalSince(start)
        let merged = DoseMetrics(dose: DoseDistribution(tally: tally, phantom: phantom))
        let statistics = BatchStatistics(merged: merged, batches: batches, profileDepthsCM: c.profileDepthsCM)
        let ours = DoseMetrics(dose: merged.dose, averageVarianceFactor: statistics.averageVarianceFactor)
        try FileManager.default.createDirectory(at: Self.outputDirectory, withIntermediateDirectories: true)
        try ThreeDDoseFile.write(ours.dose, to: Self.outputDirectory.appendingPathComponent("\(c.name)-penumbra.3ddose"))
        let raw = try ThreeDDoseFile.read(TestEnvironment.reference(c.reference))
        // The reference's averages carry the same voxel-to-voxel correlation (same geometry and physics).
        let ref = DoseMetrics(dose: DoseDistribution(
            grid: raw.grid, doseGyPerHistory: raw.doseGyPerHistory.map { $0 / c.referenceDivisor },
            relativeUncertainty: raw.relativeUncertainty, quantity: .medium),
            averageVarianceFactor: statistics.averageVarianceFactor)

        var report = "case \(c.name): \(n) histories on \(Self.threads) threads in \(String(format: "%.1f", seconds)) s "
            + "(\(String(format: "%.0f", Double(n) / seconds / Double(Self.threads))) histories/s per thread), "
            + "mean σ above 50 % max \(String(format: "%.2f", 100 * ours.dose.meanRelativeUncertaintyAboveHalfMax)) %\n"
        report += statistics.summary
        // The per-voxel history-by-history σ must agree with the batch scatter (χ²/dof of the batches
        // around their mean, pooled over ~10⁴ voxels × 9 dof: 1 ± 0.01; 0.9–1.1 allows for the batch
        // σ's own bias at this size).
        #expect(abs(statistics.voxelChiSquare - 1) < 0.1, "\(c.name): per-voxel σ disagrees with the batch scatter")

        // 1. Central-axis depth dose.
        let pddP = ours.depthDose(), pddR = ref.depthDose()
        let maxR = DoseMetrics.maximum(pddR), maxP = DoseMetrics.maximum(pddP)
        var checked = 0, passed = 0
        var diffs: [Double] = [], allow: [Double] = []
        for (p, r) in zip(pddP, pddR) {
            let sigma = (p.sigma * p.sigma + r.sigma * r.sigma).squareRoot()
            let tolerance = c.doseTolerance * maxR.dose + 2 * sigma
            diffs.append(100 * (p.dose - r.dose) / maxR.dose)
            allow.append(100 * tolerance / maxR.dose)
            if r.depthCM > c.firstDepthCM {
                checked += 1
                if abs(p.dose - r.dose) <= tolerance { passed += 1 }
            }
        }
        let fraction = Double(passed) / Double(checked)
        report += String(format: "  depth dose: %d of %d depths beyond %.1f cm within %.0f %% D_max + 2σ (%.1f %%); ",
                         passed, checked, c.firstDepthCM, 100 * c.doseTolerance, 100 * fraction)
        report += String(format: "D_max ratio %.4f; d_max %.2f cm (reference %.2f cm)\n", maxP.dose / maxR.dose, maxP.depthCM, maxR.depthCM)
        // Ratio Penumbra / reference summed over depth bands, with a σ from the batches (the band sum's batch
        // variance over its independent-voxel estimate also scales the reference's).
        let rawP = merged.depthDose()
        let rawR = DoseMetrics(dose: ref.dose).depthDose()
        let batchPdd = batches.map { $0.depthDose() }
        report += "  central-axis ratio by depth band (3×3 average, σ from batches):"
        for (lo, hi) in [(0.0, 1.0), (1, 2), (2, 4), (4, 8), (8, 12), (12, 20), (20, 30)] {
            let ks = pddR.indices.filter { pddR[$0].depthCM > lo && pddR[$0].depthCM < hi }
            let sumP = ks.map { pddP[$0].dose }.reduce(0, +), sumR = ks.map { pddR[$0].dose }.reduce(0, +)
            let bandSums = batchPdd.map { b in ks.map { b[$0].dose }.reduce(0, +) }
            let kb = Double(bandSums.count), meanB = bandSums.reduce(0, +) / kb
            let varP = bandSums.map { ($0 - meanB) * ($0 - meanB) }.reduce(0, +) / (kb * (kb - 1))
            let naiveP = ks.map { rawP[$0].sigma * rawP[$0].sigma }.reduce(0, +)
            let varR = varP / naiveP * ks.map { rawR[$0].sigma * rawR[$0].sigma }.reduce(0, +)
            let ratio = sumP / sumR
            report += String(format: " %.0f–%.0f cm %.4f ± %.4f;", lo, hi, ratio,
                             ratio * (varP / (sumP * sumP) + varR / (sumR * sumR)).squareRoot())
        }
        let chi = zip(pddP, pddR).filter { $1.depthCM > c.firstDepthCM }.map { p, r in
            (p.dose - r.dose) * (p.dose - r.dose) / (p.sigma * p.sigma + r.sigma * r.sigma)
        }
        report += String(format: "\n  χ²/N of depth-dose differences beyond %.1f cm (corrected σ): %.2f (N = %d)\n",
                         c.firstDepthCM, chi.reduce(0, +) / Double(chi.count), chi.count)
        let rmsBeyond = (zip(diffs, pddR).filter { $1.depthCM > c.firstDepthCM }.map { $0.0 * $0.0 }.reduce(0, +) / Double(checked)).squareRoot()
        report += String(format: "  depth dose rms difference beyond %.1f cm: %.2f %% of D_max\n", c.firstDepthCM, rmsBeyond)
        try write(SVGFigure(title: "\(c.name): central-axis depth dose (3×3 average)", xLabel: "depth (cm)",
                            yLabel: "Gy per history", x: pddR.map(\.depthCM), reference: pddR.map(\.dose),
                            penumbra: pddP.map(\.dose), differencePercent: diffs, allowancePercent: allow),
                  "\(c.name)-depth-dose.svg")
        var csv = "depth_cm,penumbra_dose,penumbra_sigma,reference_dose,reference_sigma,difference_percent_of_dmax\n"
        for (p, r) in zip(pddP, pddR) {
            csv += String(format: "%.3f,%.6e,%.3e,%.6e,%.3e,%.3f\n", r.depthCM, p.dose, p.sigma, r.dose, r.sigma,
                          100 * (p.dose - r.dose) / maxR.dose)
        }
        try write(csv, "\(c.name)-depth-dose.csv")
        #expect(fraction >= 0.95, "\(c.name): \(passed)/\(checked) depths within tolerance")
        #expect(abs(maxP.index - maxR.index) <= 1, "\(c.name): d_max \(maxP.depthCM) vs \(maxR.depthCM) cm")

        // 2. Dose summed over voxels above 50 % of the reference D_max.
        var sumP = 0.0, sumR = 0.0
        for v in 0..<ref.dose.doseGyPerHistory.count where ref.dose.doseGyPerHistory[v] > 0.5 * maxR.dose {
            sumP += ours.dose.doseGyPerHistory[v]
            sumR += ref.dose.doseGyPerHistory[v]
        }
        report += String(format: "  dose summed over voxels above 50 %% D_max: ratio %.4f\n", sumP / sumR)
        #expect(abs(sumP / sumR - 1) <= c.doseTolerance, "\(c.name): summed dose ratio \(sumP / sumR)")

        // 3. Profiles: 50 % edges and 80–20 % penumbrae.
        for depth in c.profileDepthsCM {
            for alongX in [true, false] {
                let pp = ours.profile(alongX: alongX, depthCM: depth), pr = ref.profile(alongX: alongX, depthCM: depth)
                let ep = DoseMetrics.edges(pp), er = DoseMetrics.edges(pr)
                let axisName = alongX ? "x" : "y"
                report += String(format: "  %@ profile at %.1f cm: 50%% edges %.3f/%.3f cm (ref %.3f/%.3f); 80–20 penumbra %.3f/%.3f cm (ref %.3f/%.3f)\n",
                                 axisName, depth, ep.left50, ep.right50, er.left50, er.right50,
                                 ep.leftPenumbra, ep.rightPenumbra, er.leftPenumbra, er.rightPenumbra)
                // Distance tolerance plus twice the combined statistical uncertainty of the landmark (the
                // same allowance the depth-dose criterion makes for noise).
                func within(_ a: Double, _ sa: Double, _ b: Double, _ sb: Double) -> Bool {
                    abs(a - b) <= c.distanceToleranceCM + 2 * (sa * sa + sb * sb).squareRoot()
                }
                report += String(format: "    σ: edges %.3f/%.3f cm, penumbrae %.3f/%.3f cm (Penumbra), %.3f/%.3f, %.3f/%.3f (reference)\n",
                                 ep.sigmaLeft50, ep.sigmaRight50, ep.sigmaLeftPenumbra, ep.sigmaRightPenumbra,
                                 er.sigmaLeft50, er.sigmaRight50, er.sigmaLeftPenumbra, er.sigmaRightPenumbra)
                #expect(within(ep.left50, ep.sigmaLeft50, er.left50, er.sigmaLeft50)
                        && within(ep.right50, ep.sigmaRight50, er.right50, er.sigmaRight50),
                        "\(c.name) \(axisName) \(depth) cm: edges")
                #expect(within(ep.leftPenumbra, ep.sigmaLeftPenumbra, er.leftPenumbra, er.sigmaLeftPenumbra)
                        && within(ep.rightPenumbra, ep.sigmaRightPenumbra, er.rightPenumbra, er.sigmaRightPenumbra),
                        "\(c.name) \(axisName) \(depth) cm: penumbrae")
                let centre = pr.count / 2
                let norm = pr[centre].dose
                let pdiff = zip(pp, pr).map { 100 * ($0.dose - $1.dose) / norm }
                let pallow = zip(pp, pr).map { 100 * (c.doseTolerance * norm + 2 * ($0.sigma * $0.sigma + $1.sigma * $1.sigma).squareRoot()) / norm }
                try write(SVGFigure(title: "\(c.name): \(axisName) profile at \(depth) cm", xLabel: "\(axisName) (cm)",
                                    yLabel: "Gy per history", x: pr.map(\.positionCM), reference: pr.map(\.dose),
                                    penumbra: pp.map(\.dose), differencePercent: pdiff, allowancePercent: pallow),
                          "\(c.name)-\(axisName)-profile-\(depth)cm.svg")
            }
        }
        try write(report, "\(c.name).txt")
        print(report)
    }

    func write(_ figure: SVGFigure, _ name: String) throws { try write(figure.render(), name) }

    func write(_ text: String, _ name: String) throws {
        try FileManager.default.createDirectory(at: Self.outputDirectory, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: Self.outputDirectory.appendingPathComponent(name))
    }
}
