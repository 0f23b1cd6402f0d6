import Foundation
import Physics
import Testing
import TestSupport
@testable import Beam

/// The commissioning fit without transport (debug-fast): "measured" scans made by a stand-in simulator from a
/// known filtration must give that filtration back; the CSV reader rejects bad files with their line.
@Suite struct PenetrationFitTests {
    /// A stand-in for the Monte Carlo: PDD(10) that, like the real one, grows with the spectrum's primary ratio
    /// but not in proportion to it (a scatter part that does not depend on the spectrum), so the fit's
    /// update with the default sensitivity 0.75 (here it is 0.62) needs several steps.
    static func standIn(_ quality: BeamQuality, _ physics: PhysicsData) -> (MachineModel) throws -> Double {
        { m in 25 + 65 * (try quality.primaryRatio(of: m, physics: physics)) }
    }

    @Test func fitRecoversTheFiltrationThatMadeTheMeasurement() throws {
        let physics = try PhysicsData.bundled()
        let quality = try BeamQuality(physics: physics)
        let simulate = Self.standIn(quality, physics)
        var known = GenericMachines.sixMV
        known.spectrum.filterCentralGPerCM2 = 24
        known.spectrum.filterEdgeGPerCM2 = 14
        let measured = try simulate(known)
        var start = known
        start.spectrum.filterCentralGPerCM2 = 10
        start.spectrum.filterEdgeGPerCM2 = 0
        let fit = try PenetrationFit(machine: start, measuredPDD10Percent: measured, physics: physics, iterations: 12,
                                     tolerance: 1e-5, simulatePDD10: simulate)
        // Converged within the requested 1e-5 relative PDD(10): the filtration within 0.1 g/cm² (the stand-in's
        // PDD(10) changes by ≈ 0.05 % per g/cm² here).
        #expect(fit.steps.count > 1 && fit.steps.count <= 12)
        #expect(abs(fit.steps.last!.simulatedPDD10Percent / measured - 1) <= 1e-5)
        #expect(abs(fit.machine.spectrum.filterCentralGPerCM2 - 24) < 0.1)
    }

    @Test func scansAreReadAndBadFilesNamed() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("scans-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let rows = (0...20).map { "\(Double($0)),\(exp(-0.05 * Double($0)) * 2)" }.joined(separator: "\n")
        try "depth_cm,dose\n\(rows)\n".write(to: dir.appendingPathComponent("pdd_10x10.csv"), atomically: true, encoding: .utf8)
        try "field_cm,output_factor\n4,0.88\n10,1\n".write(to: dir.appendingPathComponent("output_factors.csv"), atomically: true,
                                                            encoding: .utf8)
        let scans = try MeasuredScans.read(dir)
        #expect(scans.depthDoses.count == 1 && scans.outputFactors.map(\.fieldCM) == [4, 10])
        #expect(scans.depthDoses[0].percent(atDepthCM: 0) == 100)
        #expect(abs(scans.depthDoses[0].percent(atDepthCM: 10)! - 100 * exp(-0.5)) < 1e-9)
        try "depth_cm,dose\n1,2\n2,x\n".write(to: dir.appendingPathComponent("pdd_5x5.csv"), atomically: true, encoding: .utf8)
        #expect(throws: BeamError.self) { try MeasuredScans.read(dir) }
        do { _ = try MeasuredScans.read(dir) } catch { #expect("\(error)".contains("pdd_5x5.csv line 3")) }
    }
}
