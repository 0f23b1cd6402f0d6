import ArgumentParser
import Beam
import Foundation
import Physics

/// `penumbra machine mlc --machine NAME`: measures the machine's MLC fluence model against explicit leaves
/// (`MLCModelComparison`) and prints the fluence-model parameters that follow from the leaf geometry.
struct MachineMLCCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mlc",
        abstract: "Compare the MLC fluence model with an explicit leaf geometry (in-air fluence; docs/beam-model.md).",
        discussion: """
            Traces rays from the machine's focal and extra-focal sources through tungsten-alloy leaves (height, \
            rounded tips, tongue-and-groove, interleaf gaps; attenuation from the bundled photon cross sections \
            over the machine's spectrum) and through the fluence model, and prints for both: closed-leaf \
            transmission, each tip position's radiation-edge offset and 80–20 % penumbra, the sweeping-gap \
            dosimetric leaf gap and the tongue-and-groove dip of two complementary picket fences. Then prints the \
            fluence-model parameters (transmission, leaf-end offset, tongue-and-groove width) equivalent to the \
            geometry, as JSON with --json.
            """)

    @Option(help: "Generic machine name or machine file (JSON).") var machine: String = "generic-6x"
    @Option(help: "Leaf height, cm.") var leafHeight: Double = LeafBankGeometry.Design.generic.heightCM
    @Option(help: "Tip radius, cm.") var tipRadius: Double = LeafBankGeometry.Design.generic.tipRadiusCM
    @Option(help: "Leaf alloy density, g/cm³.") var density: Double = LeafBankGeometry.Design.generic.densityGPerCM3
    @Option(help: "Tongue width on the isocentre plane, cm.") var tongueWidth: Double = LeafBankGeometry.Design.generic.tongueWidthCM
    @Option(help: "Tongue height, cm.") var tongueHeight: Double = LeafBankGeometry.Design.generic.tongueHeightCM
    @Option(help: "Interleaf gap on the isocentre plane, cm.") var interleafGap: Double = LeafBankGeometry.Design.generic.interleafGapCM
    @Option(help: "Tip calibration: lightField or projectedTip.") var calibration: String = "lightField"
    @Option(help: "Tip positions to measure, cm (comma-separated).") var tipPositions: String = "-10,-5,0,5,10"
    @Option(help: "Scan step, cm.") var scanStep: Double = 0.005
    @Option(help: "Height steps of the ray trace through the leaves.") var heightSteps: Int = 400
    @Option(help: "Points of the focal source (the extra-focal source gets four times as many).") var pointsPerSource: Int = 33
    @Option(help: "Gaussian σ (cm, comma-separated) standing in for the phantom's dose spread, applied to the profiles.")
    var blur: String = "0.15,0.25"
    @Option(help: "Photons of the leaf-scatter estimate (0: skip it).") var scatterPhotons: Int = 200_000
    @Option(help: "Proposals of a Monte Carlo picket fence in water with each collimation (0: skip it).")
    var monteCarloHistories: UInt64 = 0
    @Option(help: "Worker threads of the Monte Carlo.") var threads: Int = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Print the equivalent fluence-model parameters as JSON only.") var json = false
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        guard LeafBankGeometry.TipCalibration(rawValue: calibration) != nil else {
            throw ValidationError("--calibration must be lightField or projectedTip")
        }
        guard scanStep > 0, scanStep <= 0.05 else { throw ValidationError("--scan-step must be in (0, 0.05] cm") }
        guard heightSteps >= 10, pointsPerSource >= 1 else {
            throw ValidationError("--height-steps must be at least 10 and --points-per-source at least 1")
        }
        guard tipPositions.split(separator: ",").allSatisfy({ Double($0.trimmingCharacters(in: .whitespaces)) != nil }) else {
            throw ValidationError("--tip-positions must be numbers separated by commas")
        }
        guard blur.split(separator: ",").allSatisfy({ Double($0.trimmingCharacters(in: .whitespaces)).map { $0 >= 0 && $0 < 1 } ?? false })
        else { throw ValidationError("--blur must be σ values in [0, 1) cm separated by commas") }
    }

    func run() throws {
        logging.bootstrap()
        let physics = try PhysicsData.bundled()
        let model = try SourceModel(machine: try MachineLoader.load(machine), physics: physics)
        let design = LeafBankGeometry.Design(heightCM: leafHeight, tipRadiusCM: tipRadius, densityGPerCM3: density,
                                             tongueWidthCM: tongueWidth, tongueHeightCM: tongueHeight,
                                             interleafGapCM: interleafGap, calibration: .init(rawValue: calibration)!)
        let comparison = try MLCModelComparison(model: model, design: design, physics: physics, pointsPerSource: pointsPerSource,
                                                heightSteps: heightSteps, scanStepCM: scanStep)
        let equivalent = comparison.equivalentFluenceParameters()
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(equivalent), as: UTF8.self))
            return
        }
        var fitted = model.machine
        fitted.mlc = equivalent
        let equivalentComparison = try MLCModelComparison(model: try SourceModel(machine: fitted, physics: physics), design: design,
                                                          physics: physics, pointsPerSource: pointsPerSource,
                                                          heightSteps: heightSteps, scanStepCM: scanStep)
        let columns: [(String, MLCModelComparison, MLCModelComparison.Model)] = [
            ("fluence (machine)", comparison, .fluence), ("geometry", comparison, .geometry),
            ("fluence (equivalent)", equivalentComparison, .fluence),
        ]
        print("in-air fluence relative to the open beam; leaf \(design.heightCM) cm, tip radius \(design.tipRadiusCM) cm, "
              + "\(design.densityGPerCM3) g/cm³, tongue \(design.tongueWidthCM) × \(design.tongueHeightCM) cm, gap \(design.interleafGapCM) cm, "
              + "\(design.calibration.rawValue)")
        for (name, c, m) in columns {
            let t = c.closedTransmission(m)
            let dlg = c.dosimetricLeafGap(m)
            let tg = c.tongueAndGroove(m)
            print(String(format: "%-21@ transmission mean %.4f mid-leaf %.4f peak %.4f | DLG %.3f mm | T&G min %.3f, missing width %.3f mm",
                         name as NSString, t.mean, t.midLeaf, t.peak, 10 * dlg, tg.minimumRelative, 10 * tg.missingWidthCM))
            let positions = tipPositions.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            let sigmas = blur.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            for sigma in sigmas {
                let b = c.tongueAndGroove(m, blurSigmaCM: sigma)
                print(String(format: "    blurred σ %.2f cm: T&G min %.3f", sigma, b.minimumRelative))
            }
            for p in positions {
                let e = c.tipEdge(m, atCM: p)
                var line = String(format: "    tip at %+6.1f cm: 50 %% edge %+.3f mm beyond, 80–20 %% %.3f mm", p, 10 * e.offsetCM,
                                  10 * e.penumbraCM)
                for sigma in sigmas {
                    let d = c.tipEdge(m, atCM: p, blurSigmaCM: sigma)
                    line += String(format: " | σ %.2f: %+.3f mm, %.3f mm", sigma, 10 * d.offsetCM, 10 * d.penumbraCM)
                }
                print(line)
            }
        }
        if scatterPhotons > 0 {
            let scatter = try LeafScatterEstimate(spectrum: model.ringSpectra[0], physics: physics, heightCM: design.heightCM,
                                                  densityGPerCM3: design.densityGPerCM3, photons: scatterPhotons)
            print(String(format: "leaf scatter (slab, %d photons): unscattered %.5f, scattered %.5f per photon (ratio %.2f); energy %.5f, %.5f (ratio %.2f)",
                         scatter.photons, scatter.unscatteredPerPhoton, scatter.scatteredPerPhoton,
                         scatter.scatteredPerPhoton / scatter.unscatteredPerPhoton, scatter.unscatteredEnergyFraction,
                         scatter.scatteredEnergyFraction, scatter.scatteredEnergyFraction / scatter.unscatteredEnergyFraction))
        }
        if monteCarloHistories > 0 {
            // The geometry traced per proposal with 100 height steps (0.67 mm): the in-air scans use 400.
            var traced = try SourceModel(machine: fitted, physics: physics)
            traced.collimator.leafGeometry = try LeafBankGeometry(
                design: design, distanceCM: fitted.mlc.distanceCM, sourceAxisDistanceCM: fitted.sourceAxisDistanceCM,
                spectrum: model.ringSpectra[0], physics: physics, heightSteps: 100)
            let runs: [(String, SourceModel)] = [("fluence (machine)", model), ("geometry", traced),
                                                 ("fluence (equivalent)", try SourceModel(machine: fitted, physics: physics))]
            for (name, m) in runs {
                let d = try MLCPicketFenceDose(model: m, histories: monteCarloHistories, seed: 1, threads: threads)
                print(String(format: "Monte Carlo picket fence, %@: tips' 50 %% %+.3f mm beyond, 80–20 %% %.3f mm; across the pairs mean %.4g, min/mean %.4f, max/mean %.4f Gy/history",
                             name as NSString, 10 * d.tipEdgeOffsetCM, 10 * d.tipPenumbraCM, d.periodMean, d.periodMinimum / d.periodMean,
                             d.periodMaximum / d.periodMean))
            }
        }
        print(String(format: "equivalent fluence model: transmission %.4f, leaf-end offset %.3f mm, tongue-and-groove width %.3f mm",
                     equivalent.transmission, 10 * equivalent.leafEndOffsetCM, 10 * equivalent.tongueAndGrooveWidthCM))
    }
}
