import Foundation
import Physics

/// Fits a machine's off-axis fluence table (`MachineModel.offAxisFluence`) to profile shapes: off-axis ratios (the dose
/// at ±x over the central-axis dose) of open square fields, published (`ProfileTarget`) or measured.
///
/// Method: the table f(r) = Σᵢ vᵢ·hᵢ(r) is linear in its values (hᵢ the hat function of radius i), so the dose of any
/// table is Σᵢ vᵢ·Kᵢ + E with one simulated kernel per table radius and one for the parts that do not see the table
/// (`OffAxisFluenceKernel`). One set of kernel runs per field (the cost of about one ordinary run: each kernel run
/// rejects the focal photons outside its hat) turns the fit into a small least-squares problem instead of an iteration
/// of simulations. A target's ratio N(v)/C(v) = ρ becomes the linear residual (N − ρC)/(ρ·C̄·σ), C̄ the central dose of
/// the previous iterate (Gauss–Newton on the relative difference, a few passes). Regularisation, because a few
/// profile points do not determine a table of many radii: a weak prior towards the starting table (each value may
/// move by `Regularisation.priorRelative` at the cost of one target σ) and a curvature penalty (second divided
/// differences in cm⁻², one σ per `curvaturePerCM2`). Shape `.nonIncreasing` (FFF: the fluence falls from the axis)
/// solves for the non-negative decrements between radii (Lawson–Hanson non-negative least squares) with the axis
/// value 1; `.free` solves the unconstrained problem with the starting table's largest value held at 1. Since the
/// source normalises the table by its largest value while E does not see it, the fit scales E by the iterate's
/// largest value, so the written table means what was fitted. The fitted machine needs a fresh simulation to verify
/// it and a new MU calibration: the shoulders scatter onto the axis.
///
/// Noisy kernels (few proposals per kernel run): when the kernels carry their standard uncertainties (`KernelSigmas`,
/// from the runs' voxel uncertainties), each target's σ becomes √(σ_target² + σ_kernels²), σ_kernels the relative
/// uncertainty of the start table's ratio through the kernels, and the prior's scale `priorRelative` is multiplied by the
/// median of σ_target/σ. Noise in the kernels is also noise in the sensitivities the solve follows (a small difference
/// of noisy doses), which weighting the residuals alone does not tame; so kernels as precise as the targets leave the
/// fit as it was, and kernels that are noise pin the table to the start instead of a wild table that the positivity
/// check refuses by chance. Whether the problem is posed at all is still judged on the targets' own σ and the unscaled
/// prior (a question of where the points lie, not of the noise).
public struct OffAxisFluenceFit: Sendable {
    /// The shape the fitted table is held to.
    public enum Shape: String, Sendable, Codable {
        /// Non-increasing from the axis (flattening-filter-free beams).
        case nonIncreasing
        /// Any shape (flattened beams with horns); only positivity is checked.
        case free
    }

    /// One profile ratio to meet.
    public struct Target: Sendable, Codable, Equatable {
        /// Side of the open square field at the isocentre, cm (SSD 100 cm).
        public let fieldCM: Double
        /// Depth of the profile, cm.
        public let depthCM: Double
        /// Distance from the axis where the dose is read (both sides averaged), cm.
        public let offAxisCM: Double
        /// Dose at ±`offAxisCM` over the central-axis dose (`BeamProfile.offAxisRatio`).
        public let ratio: Double
        /// Relative 1σ of the ratio: its weight in the fit.
        public let relativeUncertainty: Double
        /// Where the number comes from.
        public let source: String

        /// Creates a target.
        public init(fieldCM: Double, depthCM: Double, offAxisCM: Double, ratio: Double, relativeUncertainty: Double,
                    source: String) {
            self.fieldCM = fieldCM
            self.depthCM = depthCM
            self.offAxisCM = offAxisCM
            self.ratio = ratio
            self.relativeUncertainty = relativeUncertainty
            self.source = source
        }

        /// The points of published profile targets as ratios (1 / unflatness at 0.8 of the projected half field), each
        /// with relative σ 0.01: Fogliata's ± 0.01 on unflatness ≈ 1.1–1.25, and the rounding of a two-decimal table.
        public static func from(_ targets: [ProfileTarget]) -> [Target] {
            targets.flatMap { t in
                t.points.map {
                    Target(fieldCM: t.fieldCM, depthCM: $0.depthCM, offAxisCM: t.offAxisCM(depthCM: $0.depthCM),
                           ratio: 1 / $0.unflatness, relativeUncertainty: 0.01, source: t.source)
                }
            }
        }
    }

    /// The standard uncertainties of a target's kernel doses (same layout as `TargetKernels`).
    public struct KernelSigmas: Sendable, Codable {
        public let offAxisFocal: [Double]
        public let centralFocal: [Double]
        public let offAxisNonFocal: Double
        public let centralNonFocal: Double

        /// Creates a target's kernel uncertainties.
        public init(offAxisFocal: [Double], centralFocal: [Double], offAxisNonFocal: Double, centralNonFocal: Double) {
            self.offAxisFocal = offAxisFocal
            self.centralFocal = centralFocal
            self.offAxisNonFocal = offAxisNonFocal
            self.centralNonFocal = centralNonFocal
        }
    }

    /// One kernel run's profile at one depth and, when the simulation gives it, each point's standard uncertainty.
    public struct KernelProfile: Sendable {
        public let dose: BeamProfile
        /// Same positions, the standard uncertainty of each dose; nil: the kernels are taken as exact.
        public let sigma: BeamProfile?

        /// Creates a kernel profile.
        public init(dose: BeamProfile, sigma: BeamProfile? = nil) {
            self.dose = dose
            self.sigma = sigma
        }
    }

    /// A target's two doses per kernel, per proposal of the kernel runs.
    public struct TargetKernels: Sendable, Codable {
        /// Dose at ±offAxis of each focal kernel (one per table radius).
        public let offAxisFocal: [Double]
        /// Central-axis dose of each focal kernel.
        public let centralFocal: [Double]
        /// Dose at ±offAxis of the extra-focal and electron components.
        public let offAxisNonFocal: Double
        /// Their central-axis dose.
        public let centralNonFocal: Double
        /// The standard uncertainties of these doses; nil: exact.
        public let sigma: KernelSigmas?

        /// Creates a target's kernels.
        public init(offAxisFocal: [Double], centralFocal: [Double], offAxisNonFocal: Double, centralNonFocal: Double,
                    sigma: KernelSigmas? = nil) {
            self.offAxisFocal = offAxisFocal
            self.centralFocal = centralFocal
            self.offAxisNonFocal = offAxisNonFocal
            self.centralNonFocal = centralNonFocal
            self.sigma = sigma
        }

        /// The relative standard uncertainty of the off-axis ratio of table values `v` that the kernels' noise gives
        /// (off-axis and central doses taken as independent, which overstates it: they share proposals); 0 without sigmas.
        public func relativeRatioUncertainty(_ v: [Double]) -> Double {
            guard let s = sigma else { return 0 }
            let m = v.max() ?? 1
            func relativeVariance(_ k: [Double], _ e: Double, _ sk: [Double], _ se: Double) -> Double {
                let d = zip(v, k).reduce(0) { $0 + $1.0 * $1.1 } + m * e
                let variance = zip(v, sk).reduce(0) { $0 + $1.0 * $1.0 * $1.1 * $1.1 } + m * m * se * se
                return d > 0 ? variance / (d * d) : .infinity
            }
            return (relativeVariance(offAxisFocal, offAxisNonFocal, s.offAxisFocal, s.offAxisNonFocal)
                + relativeVariance(centralFocal, centralNonFocal, s.centralFocal, s.centralNonFocal)).squareRoot()
        }

        /// The off-axis and central doses of table values `v` as the source uses them (normalised by their largest).
        public func doses(_ v: [Double]) -> (offAxis: Double, central: Double) {
            let m = v.max() ?? 1
            return ((zip(v, offAxisFocal).reduce(0) { $0 + $1.0 * $1.1 } + m * offAxisNonFocal) / m,
                    (zip(v, centralFocal).reduce(0) { $0 + $1.0 * $1.1 } + m * centralNonFocal) / m)
        }

        /// The off-axis ratio of table values `v`.
        public func ratio(_ v: [Double]) -> Double {
            let d = doses(v)
            return d.offAxis / d.central
        }
    }

    /// How strongly the table is held (see the type's description).
    public struct Regularisation: Sendable, Codable {
        /// Relative change of a table value from the start that costs as much as one target σ.
        public var priorRelative: Double
        /// Second divided difference of the table (cm⁻²) that costs one target σ.
        public var curvaturePerCM2: Double

        /// Defaults: 0.25 and 0.02 cm⁻² (a typical FFF table curves by ≈ 0.002 cm⁻² on 5 cm radii, a kink of 0.1 between
        /// 3 cm radii is 0.01 cm⁻²; a 5 % profile miss costs 25× a 5 % move of a value), so the targets decide wherever they
        /// see the table and the penalties only keep it from wiggling where they do not.
        public init(priorRelative: Double = 0.25, curvaturePerCM2: Double = 0.02) {
            self.priorRelative = priorRelative
            self.curvaturePerCM2 = curvaturePerCM2
        }
    }

    /// A solved table and what it predicts.
    public struct Solution: Sendable, Codable {
        /// The fitted table (its largest value 1).
        public let table: RadialTable
        /// Each target's ratio with the starting table and with the fitted one (from the kernels).
        public let startRatio: [Double]
        public let predictedRatio: [Double]
        /// Root mean square of predicted / target − 1 over the targets.
        public let rmsRelativeDifference: Double
        /// Each target's relative σ from its kernels' noise (0 for exact kernels), added in quadrature to its own.
        public let kernelRelativeUncertainty: [Double]
    }

    /// The starting machine and the one with the fitted table (everything else unchanged, Φ₀ too: recalibrate).
    public let start: MachineModel
    public let machine: MachineModel
    public let targets: [Target]
    public let kernels: [TargetKernels]
    public let solution: Solution

    /// Simulates the kernels of every target's field and depth with `simulateProfiles` (the profiles along Xb at the
    /// given depths of one kernel run of a field, per proposal, all runs with the same proposals) and solves for the table.
    /// Hats that begin beyond the corners of the field's sampling rectangle (jaws plus `PlanSource.defaultMarginCM`, as
    /// `simulateProfiles` sets it up) score nothing and are not simulated.
    /// - Throws: `BeamError.badMachine` for ill-posed input (`solve`), or when a target's point lies outside a profile;
    ///   what the simulator throws.
    public init(machine start: MachineModel, targets: [Target], shape: Shape, regularisation: Regularisation = Regularisation(),
                simulateProfiles: (OffAxisFluenceKernel, _ fieldCM: Double, _ depthsCM: [Double]) throws -> [KernelProfile]) throws {
        let kernels = try Self.kernels(machine: start, targets: targets, simulateProfiles: simulateProfiles)
        self.start = start
        self.targets = targets
        self.kernels = kernels
        solution = try Self.solve(start: start.offAxisFluence, targets: targets, kernels: kernels, shape: shape,
                                  regularisation: regularisation, what: start.name)
        var fitted = start
        fitted.offAxisFluence = solution.table
        machine = fitted
    }

    /// The kernels of every target (the simulation part of `init`).
    public static func kernels(machine start: MachineModel, targets: [Target],
                               simulateProfiles: (OffAxisFluenceKernel, _ fieldCM: Double, _ depthsCM: [Double]) throws -> [KernelProfile])
        throws -> [TargetKernels] {
        try Self.check(start: start.offAxisFluence, targets: targets, what: start.name)
        let n = start.offAxisFluence.radiusCM.count
        var kernels = [TargetKernels?](repeating: nil, count: targets.count)
        for fieldCM in Set(targets.map(\.fieldCM)).sorted() {
            let indices = targets.indices.filter { targets[$0].fieldCM == fieldCM }
            let depths = Array(Set(indices.map { targets[$0].depthCM })).sorted()
            typealias Reading = (offAxis: Double, central: Double, sigma: (offAxis: Double, central: Double)?)
            func read(_ kernel: OffAxisFluenceKernel) throws -> [Reading] {
                let profiles = try simulateProfiles(kernel, fieldCM, depths)
                guard profiles.count == depths.count else {
                    throw BeamError.badMachine("off-axis fluence fit of '\(start.name)': the simulation gave \(profiles.count) "
                                               + "profiles for \(depths.count) depths")
                }
                return try indices.map { t in
                    let p = profiles[depths.firstIndex(of: targets[t].depthCM)!]
                    guard let d = p.dose.symmetricDose(atCM: targets[t].offAxisCM) else {
                        throw BeamError.badMachine(String(format: "off-axis fluence fit of '%@': %.2f cm off axis lies outside the "
                                                          + "simulated %g cm profile", start.name, targets[t].offAxisCM, fieldCM))
                    }
                    return (d, p.dose.centralDose, p.sigma.map { Self.sigmas($0, offAxisCM: targets[t].offAxisCM) })
                }
            }
            let nonFocal = try read(.nonFocal)
            // A hat wholly outside the sampling rectangle's corners scores nothing: not simulated.
            let reach = 2.squareRoot() * (fieldCM / 2 + PlanSource.defaultMarginCM)
            let r = start.offAxisFluence.radiusCM
            let focal = try (0..<n).map { i -> [Reading] in
                i > 0 && r[i - 1] >= reach ? indices.map { _ in (0, 0, (0, 0)) } : try read(.focalBasis(i))
            }
            for (k, t) in indices.enumerated() {
                var sigma: KernelSigmas?
                if let e = nonFocal[k].sigma, focal.allSatisfy({ $0[k].sigma != nil }) {
                    sigma = KernelSigmas(offAxisFocal: focal.map { $0[k].sigma!.offAxis }, centralFocal: focal.map { $0[k].sigma!.central },
                                         offAxisNonFocal: e.offAxis, centralNonFocal: e.central)
                }
                kernels[t] = TargetKernels(offAxisFocal: focal.map { $0[k].offAxis }, centralFocal: focal.map { $0[k].central },
                                           offAxisNonFocal: nonFocal[k].offAxis, centralNonFocal: nonFocal[k].central, sigma: sigma)
            }
        }
        return kernels.map { $0! }
    }

    /// Profiles along Xb of one kernel run: `fieldCM` open square field at SSD 100 cm in `ReferenceSetup`'s tank (0.2 cm
    /// voxels across), `histories` proposals under `seed`, per proposal, at each of `depthsCM`, with their uncertainties.
    public static func simulateProfiles(machine: MachineModel, kernel: OffAxisFluenceKernel, fieldCM: Double, depthsCM: [Double],
                                        histories: UInt64, seed: UInt64, threads: Int, physics: PhysicsData) throws -> [KernelProfile] {
        let setup = try ReferenceSetup(machine: machine, fieldCM: fieldCM, ssdCM: 100, profileVoxelCM: 0.2)
        let source = try PlanSource(model: try SourceModel(machine: machine, physics: physics), deliveries: [try setup.delivery()],
                                    patientPosition: .headFirstSupine, kernel: kernel)
        let dose = try BeamSimulation(source: source, phantom: setup.phantom, threads: threads).run(histories: histories, seed: seed)
        return depthsCM.map { KernelProfile(dose: setup.profile(dose, depthCM: $0), sigma: setup.profileUncertainty(dose, depthCM: $0)) }
    }

    /// The standard uncertainties of `BeamProfile.symmetricDose(atCM:)` and `centralDose` from a profile of point
    /// uncertainties: the three-point smoothing and the two sides averaged (points taken as independent).
    static func sigmas(_ sigma: BeamProfile, offAxisCM x: Double) -> (offAxis: Double, central: Double) {
        let s = sigma.positionCM.indices.map { i in
            ((max(i - 1, 0)...min(i + 1, sigma.dose.count - 1)).reduce(0.0) { $0 + sigma.dose[$1] * sigma.dose[$1] }).squareRoot() / 3
        }
        let minus = PiecewiseLinear.valueWithin(at: -x, xs: sigma.positionCM, ys: s) ?? 0
        let plus = PiecewiseLinear.valueWithin(at: x, xs: sigma.positionCM, ys: s) ?? 0
        let inner = sigma.positionCM.indices.filter { abs(sigma.positionCM[$0]) <= 0.5 + 1e-9 }
        let central = (inner.reduce(0.0) { $0 + sigma.dose[$1] * sigma.dose[$1] }).squareRoot() / Double(max(inner.count, 1))
        return (0.5 * (minus * minus + plus * plus).squareRoot(), central)
    }

    static func check(start: RadialTable, targets: [Target], what: String) throws {
        guard start.radiusCM.count >= 2, start.radiusCM.count == start.value.count, start.value.allSatisfy({ $0 > 0 && $0.isFinite })
        else {
            throw BeamError.badMachine("off-axis fluence fit of '\(what)': the starting table needs at least two radii and "
                                       + "positive values")
        }
        guard !targets.isEmpty else {
            throw BeamError.badMachine("off-axis fluence fit of '\(what)': needs at least one profile ratio to fit to")
        }
        for t in targets where !(t.ratio > 0 && t.ratio.isFinite && t.relativeUncertainty > 0 && t.offAxisCM > 0 && t.fieldCM > 0) {
            throw BeamError.badMachine(String(format: "off-axis fluence fit of '%@': the target of the %g cm field at %g cm depth, "
                                              + "%g cm off axis, needs a positive ratio, σ and distance (got ratio %g, σ %g)",
                                              what, t.fieldCM, t.depthCM, t.offAxisCM, t.ratio, t.relativeUncertainty))
        }
    }

    /// Solves for the table given each target's kernels (the algorithm without transport).
    /// - Throws: `BeamError.badMachine` when the input is ill-posed: no targets, kernels that do not match the table or are
    ///   not finite and non-negative, a zero central dose, targets that no table value but the fixed one affects, or a
    ///   solution that would need a non-positive fluence.
    public static func solve(start: RadialTable, targets: [Target], kernels: [TargetKernels], shape: Shape,
                             regularisation: Regularisation = Regularisation(), what: String = "machine") throws -> Solution {
        try check(start: start, targets: targets, what: what)
        let n = start.radiusCM.count, r = start.radiusCM
        func fail(_ s: String) -> BeamError { .badMachine("off-axis fluence fit of '\(what)': " + s) }
        guard kernels.count == targets.count else { throw fail("\(kernels.count) kernel sets for \(targets.count) targets") }
        for (t, k) in zip(targets, kernels) {
            let all = k.offAxisFocal + k.centralFocal + [k.offAxisNonFocal, k.centralNonFocal]
            guard k.offAxisFocal.count == n, k.centralFocal.count == n, all.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
                throw fail(String(format: "the kernels of the %g cm field at %g cm need %d finite non-negative doses each", t.fieldCM,
                                  t.depthCM, n))
            }
        }
        let scale = regularisation
        guard scale.priorRelative > 0, scale.curvaturePerCM2 > 0 else { throw fail("regularisation weights must be positive") }
        let v0 = start.value.map { $0 / start.maximum }
        // Each target's σ with its kernels' noise at the start table in quadrature (fixed over the passes), and the prior's
        // scale shrunk by the median of σ_target/σ: the table moves only as far as the kernels resolve.
        let kernelSigma = kernels.map { $0.relativeRatioUncertainty(v0) }
        guard kernelSigma.allSatisfy(\.isFinite) else { throw fail("a target's kernels have no dose at the start table") }
        let sigma = zip(targets, kernelSigma).map { ($0.relativeUncertainty * $0.relativeUncertainty + $1 * $1).squareRoot() }
        let resolved = zip(targets, sigma).map { $0.relativeUncertainty / $1 }.sorted()
        let priorRelative = scale.priorRelative * 0.5 * (resolved[(resolved.count - 1) / 2] + resolved[resolved.count / 2])
        let fixed = shape == .nonIncreasing ? 0 : v0.firstIndex(of: 1)!
        if shape == .nonIncreasing, v0[0] != 1 {
            throw fail("a non-increasing fit starts from a table whose largest value is on the axis")
        }
        // Rows of the linear least-squares problem in v: the targets (relinearised each pass), the prior, the curvature.
        func rows(_ current: [Double]) throws -> (a: [[Double]], b: [Double], data: Int) {
            let m = current.max()!
            var a: [[Double]] = [], b: [Double] = []
            for (t, (k, sd)) in zip(targets, zip(kernels, sigma)) {
                let central = k.doses(current).central * m
                guard central > 0 else {
                    throw fail(String(format: "the %g cm field has no central-axis dose at %g cm in its kernels", t.fieldCM, t.depthCM))
                }
                let w = 1 / (t.ratio * central * sd)
                a.append((0..<n).map { (k.offAxisFocal[$0] - t.ratio * k.centralFocal[$0]) * w })
                b.append(-m * (k.offAxisNonFocal - t.ratio * k.centralNonFocal) * w)
            }
            let data = a.count
            for i in 0..<n where i != fixed {
                a.append((0..<n).map { $0 == i ? 1 / (priorRelative * v0[i]) : 0 })
                b.append(1 / priorRelative)
            }
            for i in 1..<max(n - 1, 1) {
                let h1 = r[i] - r[i - 1], h2 = r[i + 1] - r[i], c = 2 / ((h1 + h2) * scale.curvaturePerCM2)
                a.append((0..<n).map { j in j == i - 1 ? c / h1 : j == i ? -c / h1 - c / h2 : j == i + 1 ? c / h2 : 0 })
                b.append(0)
            }
            return (a, b, data)
        }
        // Is the problem posed? Some free value must move some target by a noticeable share of its own σ (without the
        // kernels' noise: where the points lie decides this, not how well the kernels are known).
        let first = try rows(v0)
        let sensitivity = (0..<first.data).flatMap { t in
            (0..<n).filter { $0 != fixed }.map { abs(first.a[t][$0]) * scale.priorRelative * sigma[t] / targets[t].relativeUncertainty }
        }
        guard sensitivity.max() ?? 0 > 0.05 else {
            throw fail(String(format: "the profile points do not depend on the table's free values (radii other than %g cm): "
                              + "read the profiles farther off axis or give the table radii inside the fields", r[fixed]))
        }
        var v = v0
        for _ in 0..<8 {
            let (a, b, _) = try rows(v)
            // The part of v that is not solved for moves to the right-hand side: the fixed value 1 (`.free`), or a table
            // of ones less the decrements (`.nonIncreasing`).
            let rhs = zip(a, b).map { row, bi in bi - (shape == .free ? row[fixed] : row.reduce(0, +)) }
            let free = (0..<n).filter { $0 != fixed }
            let next: [Double]
            switch shape {
            case .free:
                let x = try leastSquares(a.map { row in free.map { row[$0] } }, rhs, fail)
                var w = [Double](repeating: 1, count: n)
                for (j, i) in free.enumerated() { w[i] = x[j] }
                next = w
            case .nonIncreasing:
                // v_i = 1 − Σ_{j ≤ i} d_j, d ≥ 0: columns −Σ_{i ≥ j} a_i.
                let e = a.map { row in free.map { j in -(j..<n).reduce(0) { $0 + row[$1] } } }
                let d = try nonNegativeLeastSquares(e, rhs, fail)
                var w = [Double](repeating: 1, count: n)
                for i in 1..<n { w[i] = w[i - 1] - d[i - 1] }
                next = w
            }
            let low = next.indices.min { next[$0] < next[$1] }!
            guard next[low] > 0 else {
                throw fail(String(format: "the profiles would need a fluence of %.3f at %g cm: they are inconsistent with the "
                                  + "kernels (check the targets' depths, fields and ratios)", next[low], r[low]))
            }
            v = next
        }
        let m = v.max()!
        let predicted = kernels.map { $0.ratio(v) }
        let rms = (zip(predicted, targets).reduce(0) { $0 + pow($1.0 / $1.1.ratio - 1, 2) } / Double(targets.count)).squareRoot()
        return Solution(table: RadialTable(radiusCM: r, value: v.map { $0 / m }), startRatio: kernels.map { $0.ratio(v0) },
                        predictedRatio: predicted, rmsRelativeDifference: rms, kernelRelativeUncertainty: kernelSigma)
    }

    /// min ‖A x − b‖ by the normal equations (A has full column rank here: the prior rows).
    static func leastSquares(_ a: [[Double]], _ b: [Double], _ fail: (String) -> BeamError) throws -> [Double] {
        let n = a.first?.count ?? 0
        var m = (0..<n).map { i in (0..<n).map { j in a.reduce(0) { $0 + $1[i] * $1[j] } } }
        var y = (0..<n).map { i in zip(a, b).reduce(0) { $0 + $1.0[i] * $1.1 } }
        // Gaussian elimination with partial pivoting.
        for c in 0..<n {
            let p = (c..<n).max { abs(m[$0][c]) < abs(m[$1][c]) }!
            guard abs(m[p][c]) > 1e-300 else { throw fail("the least-squares system is singular") }
            m.swapAt(c, p)
            y.swapAt(c, p)
            for r in (c + 1)..<max(n, c + 1) {
                let f = m[r][c] / m[c][c]
                for k in c..<n { m[r][k] -= f * m[c][k] }
                y[r] -= f * y[c]
            }
        }
        var x = [Double](repeating: 0, count: n)
        for c in stride(from: n - 1, through: 0, by: -1) {
            x[c] = (y[c] - ((c + 1)..<n).reduce(0) { $0 + m[c][$1] * x[$1] }) / m[c][c]
        }
        return x
    }

    /// min ‖A x − b‖ subject to x ≥ 0 (Lawson & Hanson, "Solving Least Squares Problems" (1974), algorithm NNLS).
    static func nonNegativeLeastSquares(_ a: [[Double]], _ b: [Double], _ fail: (String) -> BeamError) throws -> [Double] {
        let n = a.first?.count ?? 0
        var x = [Double](repeating: 0, count: n)
        var passive = Set<Int>()
        func gradient() -> [Double] {
            let residual = zip(a, b).map { row, bi in bi - zip(row, x).reduce(0) { $0 + $1.0 * $1.1 } }
            return (0..<n).map { j in zip(a, residual).reduce(0) { $0 + $1.0[j] * $1.1 } }
        }
        func solvePassive() throws -> [Double] {
            let cols = passive.sorted()
            let z = try leastSquares(a.map { row in cols.map { row[$0] } }, b, fail)
            var full = [Double](repeating: 0, count: n)
            for (k, j) in cols.enumerated() { full[j] = z[k] }
            return full
        }
        for _ in 0..<(3 * n + 3) {
            let w = gradient()
            guard let j = (0..<n).filter({ !passive.contains($0) }).max(by: { w[$0] < w[$1] }), w[j] > 1e-12 else { break }
            passive.insert(j)
            while true {
                let z = try solvePassive()
                if passive.allSatisfy({ z[$0] > 0 }) {
                    x = z
                    break
                }
                let alpha = passive.filter { z[$0] <= 0 }.map { x[$0] / (x[$0] - z[$0]) }.min()!
                for i in 0..<n { x[i] += alpha * (z[i] - x[i]) }
                passive = passive.filter { x[$0] > 1e-15 }
                for i in 0..<n where !passive.contains(i) { x[i] = 0 }
            }
        }
        return x
    }
}
