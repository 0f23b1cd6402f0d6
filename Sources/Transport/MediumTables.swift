import Foundation

/// One medium's smooth functions tabulated on a uniform ln E grid, per gram (multiply by ρ), for the
/// hot loops: photon coefficients and branching, restricted stopping power and range, hard-event cross
/// sections with their majorant, and multiple-scattering transport paths.
///
/// Values are interpolated linearly in ln E. With 128 points per decade the interpolation error of
/// these smooth functions is below 10⁻⁴ relative (their second log-derivatives are O(1)).
///
/// A final class (immutable, so `Sendable`): the kernels pick a medium's tables per voxel, and copying a
/// struct of twenty arrays retained and released every one of them (18 % of the CPU time in the first
/// profile, docs/performance.md); a class reference costs one.
public final class MediumTables: Sendable {
    public let physics: any MediumPhysics
    let lnMin: Double
    let inverseStep: Double
    /// The ln E spacing of the grid (1/`inverseStep`): inversions multiply by it rather than divide.
    let step: Double
    let count: Int
    /// The memory every column below points into (kept alive with the tables).
    let store: ColumnStore
    let energies: TableColumn

    // Photons (cm²/g) and cumulative branching fractions photo | +Compton | +Rayleigh | pair.
    let muTotal: TableColumn
    let fractionPhoto: TableColumn
    let fractionPhotoCompton: TableColumn
    let fractionNoPair: TableColumn

    /// Charged particles, index 0 electrons, 1 positrons.
    let stopping: ChargePair
    let range: ChargePair
    /// Cumulative scattering strength S(E) = ∫ (1/λ₁)/L dE (dimensionless): the strength spent while
    /// slowing down from E to E′ is S(E) − S(E′), whatever the density and path.
    let strength: ChargePair
    let hardTotal: ChargePair
    let hardMajorant: ChargePair
    let bremsFraction: ChargePair
    /// Fraction of the hard positron events that are two-photon annihilations in flight (index 1; 0 for
    /// electrons).
    let annihilationFraction: ChargePair
    /// Factor applied to energy deposited by charged particles: 1 for dose to medium, the collision
    /// stopping-power ratio s_w,m(E) = L_w(E)/L_m(E) for dose to water (index 0 e⁻, 1 e⁺).
    let doseFactor: ChargePair
    /// 1/λ₁ and 1/λ₂ in cm²/g (index 0 e⁻, 1 e⁺: the spin correction depends on the charge).
    let inverseLambda1: ChargePair
    let inverseLambda2: ChargePair
    /// λ₁/λ₂ of the medium's screened Rutherford cross section without spin: it sets the screening of the
    /// Goudsmit–Saunderson distribution (`GoudsmitSaundersonTable`).
    let rutherfordMomentRatio: TableColumn

    /// Points per decade of energy.
    static let pointsPerDecade = 128.0

    /// Tabulates `physics` from `minimumMeV` to `maximumMeV`.
    /// - Parameters:
    ///   - water: the reference medium for dose to water, or nil for dose to medium.
    ///   - spinEffects: apply the Mott/Rutherford correction to the elastic transport paths.
    public init(physics: any MediumPhysics, minimumMeV: Double, maximumMeV: Double, water: (any MediumPhysics)? = nil,
                spinEffects: Bool = true) {
        self.physics = physics
        lnMin = log(minimumMeV)
        let lnMax = log(maximumMeV)
        let step = log(10.0) / Self.pointsPerDecade
        count = max(Int(((lnMax - lnMin) / step).rounded(.up)) + 1, 2)
        self.step = step
        inverseStep = 1 / step
        let e = (0..<count).map { exp(log(minimumMeV) + Double($0) * step) }
        let store = ColumnStore()
        self.store = store
        energies = store.add(e)
        var mu = [Double](), fp = [Double](), fpc = [Double](), fnp = [Double]()
        for energy in e {
            let c = physics.photonCoefficients(energyMeV: energy)
            let t = max(c.total, 1e-300)
            mu.append(c.total)
            fp.append(c.photoelectric / t)
            fpc.append((c.photoelectric + c.compton) / t)
            fnp.append((c.photoelectric + c.compton + c.rayleigh) / t)
        }
        muTotal = store.add(mu)
        fractionPhoto = store.add(fp)
        fractionPhotoCompton = store.add(fpc)
        fractionNoPair = store.add(fnp)
        // Electrons per gram, for annihilation in flight on the medium's electrons.
        let electronsPerGram = physics.composition.reduce(0.0) {
            $0 + MultipleScattering.avogadro * $1.massFraction * Double($1.atomicNumber) / $1.atomicWeight
        }
        var s = [[Double]](), r = [[Double]](), h = [[Double]](), hm = [[Double]](), bf = [[Double]]()
        var st = [[Double]](), af = [[Double]](), l1 = [[Double]](), l2 = [[Double]]()
        rutherfordMomentRatio = store.add(e.map {
            let ms = MultipleScattering.inverseTransportPaths(composition: physics.composition, kineticEnergyMeV: $0)
            return ms.second / ms.first
        })
        for positron in [false, true] {
            let ms = e.map {
                MultipleScattering.inverseTransportPaths(composition: physics.composition, kineticEnergyMeV: $0,
                                                         spin: spinEffects, positron: positron)
            }
            l1.append(ms.map(\.first))
            l2.append(ms.map(\.second))
            let sp = e.map { physics.restrictedStoppingPower(positron: positron, kineticEnergyMeV: $0) }
            // Restricted range R(E) = E₀/L(E₀) + ∫_{E₀}^{E} dE/L, trapezoid in ln E (dE = E d ln E).
            var rr = [e[0] / sp[0]]
            for k in 1..<count {
                rr.append(rr[k - 1] + 0.5 * step * (e[k - 1] / sp[k - 1] + e[k] / sp[k]))
            }
            var ss = [e[0] * ms[0].first / sp[0]]
            for k in 1..<count {
                ss.append(ss[k - 1] + 0.5 * step * (e[k - 1] * ms[k - 1].first / sp[k - 1] + e[k] * ms[k].first / sp[k]))
            }
            st.append(ss)
            let hc = e.map { physics.hardCollisionCrossSection(positron: positron, kineticEnergyMeV: $0) }
            let hb = e.map { physics.hardBremsstrahlungCrossSection(kineticEnergyMeV: $0) }
            let ha = e.map { positron ? electronsPerGram * PositronAnnihilation.crossSectionPerElectronCM2(kineticEnergyMeV: $0) : 0 }
            let total = (0..<count).map { hc[$0] + hb[$0] + ha[$0] }
            // Majorant: the running maximum from below, so M(E) ≥ Σ(E') for every E' ≤ E; 1 % margin
            // covers linear interpolation between grid points.
            var running = 0.0
            let major = total.map { running = max(running, $0); return running * 1.01 }
            s.append(sp)
            r.append(rr)
            h.append(total)
            hm.append(major)
            bf.append(zip(hb, total).map { $1 > 0 ? $0 / $1 : 0 })
            af.append(zip(ha, total).map { $1 > 0 ? $0 / $1 : 0 })
        }
        stopping = store.pair(s)
        range = store.pair(r, searchable: true)
        hardTotal = store.pair(h)
        hardMajorant = store.pair(hm)
        bremsFraction = store.pair(bf)
        annihilationFraction = store.pair(af)
        inverseLambda1 = store.pair(l1)
        inverseLambda2 = store.pair(l2)
        strength = store.pair(st, searchable: true)
        doseFactor = store.pair([false, true].map { positron in
            e.map { energy in
                guard let water else { return 1 }
                return water.collisionStoppingPower(positron: positron, kineticEnergyMeV: energy)
                    / physics.collisionStoppingPower(positron: positron, kineticEnergyMeV: energy)
            }
        })
    }

    /// Grid position of an energy: (index, weight of index + 1).
    @inline(__always)
    func locate(_ energyMeV: Double) -> (Int, Double) { locate(lnEnergy: log(energyMeV)) }

    /// Grid position of the energy whose natural log is `lnEnergy`: a caller that reads several tables
    /// (or several media) at one energy takes the log once (`log` was 8 % of the CPU time,
    /// docs/performance.md). Same result as `locate(exp(lnEnergy))` when `lnEnergy` is `log(E)`.
    @inline(__always)
    func locate(lnEnergy: Double) -> (Int, Double) {
        let f = (lnEnergy - lnMin) * inverseStep
        if f <= 0 { return (0, 0) }
        let i = Int(f)
        if i >= count - 1 { return (count - 2, 1) }
        return (i, f - Double(i))
    }

    @inline(__always)
    func value(_ table: TableColumn, _ at: (Int, Double)) -> Double {
        table[at.0] + at.1 * (table[at.0 + 1] - table[at.0])
    }

    /// Total photon mass attenuation coefficient, cm²/g.
    @inline(__always)
    func photonMu(lnEnergy: Double) -> Double { value(muTotal, locate(lnEnergy: lnEnergy)) }

    /// ln of the energy at which the increasing cumulative table `c` (range or strength) takes `value`,
    /// linear in ln E between the bracketing points. The electron step mostly needs only the grid
    /// position of that energy (`locate(lnEnergy:)` of the result, no `log`) and, once per segment, the
    /// energy itself (`exp`): an `exp` and a `log` per inversion before (docs/performance.md). No
    /// division: the interval's inverse width is tabulated and the grid step multiplies (the two
    /// divisions were a third of the inversion's time, docs/performance.md, session 5).
    func lnEnergy(forCumulative c: TableColumn, _ value: Double) -> Double {
        // Below the first point: proportional to the value (zero range at zero energy).
        if value <= c[0] { return log(energies[0] * max(value, 0) / c[0]) }
        if value >= c[count - 1] { return lnMin + Double(count - 1) * step }
        var (lo, hi) = c.bracket(value, count: count)
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if c[mid] <= value { lo = mid } else { hi = mid }
        }
        // c[lo] ≤ value < c[lo + 1]: the interval is never empty.
        let w = (value - c[lo]) * c.inverseWidth(lo)
        return lnMin + (Double(lo) + w) * step
    }

    /// `lnEnergy(forCumulative: c, value)`, the same Double, for a caller that knows an index `hint` near
    /// the answer's interval (the electron step's mid-point and hinge lie between its start and end, whose
    /// grid positions it has): the interval is found by stepping from the hint, without the guide buckets
    /// and the search. Both find the one interval with c[lo] ≤ value < c[lo + 1] and then compute the same
    /// expression, so the result has the same bits for any hint (`TableInversionTests`); a hint k points
    /// from the answer cost k steps (the set-up's three inversions were 6.7 % of a run, docs/performance.md,
    /// session 9).
    @inline(__always)
    func lnEnergy(forCumulative c: TableColumn, _ value: Double, near hint: Int) -> Double {
        if value <= c[0] { return log(energies[0] * max(value, 0) / c[0]) }
        if value >= c[count - 1] { return lnMin + Double(count - 1) * step }
        var lo = min(max(hint, 0), count - 2)
        // c[0] < value < c[count − 1]: neither walk leaves the table.
        while c[lo] > value { lo &-= 1 }
        while c[lo &+ 1] <= value { lo &+= 1 }
        let w = (value - c[lo]) * c.inverseWidth(lo)
        return lnMin + (Double(lo) + w) * step
    }
}

/// One tabulated column of a `MediumTables`, read through a pointer into its `ColumnStore`: the
/// kernels read a table per voxel and per step, and array columns cost a retain and a release each time
/// (13 % of the CPU time in the second profile, docs/performance.md).
struct TableColumn: @unchecked Sendable {
    let base: UnsafePointer<Double>
    /// For cumulative (increasing, positive) columns: per bucket of `pseudoLog2(value)`, the last index
    /// whose value is ≤ the bucket's lower edge, so a search starts within a point or two of its answer.
    let buckets: UnsafePointer<Int32>?
    /// For cumulative columns: 1/(c[i + 1] − c[i]) per interval i, so an inversion multiplies.
    let inverseWidths: UnsafePointer<Double>?
    let lnFirst: Double
    let bucketsPerLn: Double
    let bucketCount: Int

    @inline(__always)
    subscript(_ i: Int) -> Double { base[i] }

    /// 1/(c[i + 1] − c[i]) of a cumulative column.
    @inline(__always)
    func inverseWidth(_ i: Int) -> Double { inverseWidths.map { $0[i] } ?? 1 / (base[i + 1] - base[i]) }

    /// log₂ x to within 0.09, increasing, from the bits of x alone (exponent + mantissa − 1, Mitchell
    /// 1962): the bucket position without a call to `log` (which cost as much as the binary search).
    @inline(__always)
    static func pseudoLog2(_ x: Double) -> Double { Double(x.bitPattern) * 0x1p-52 - 1023 }

    /// Indices (lo, hi) with c[lo] ≤ value < c[hi] for c[0] < value < c[count − 1] (the whole table for
    /// a column without buckets). The search between them then finds exactly what a search of the whole
    /// table finds: the last index whose value is ≤ `value`.
    @inline(__always)
    func bracket(_ value: Double, count: Int) -> (Int, Int) {
        guard let buckets else { return (0, count - 1) }
        let k = Int(max(0, min((Self.pseudoLog2(value) - lnFirst) * bucketsPerLn, Double(bucketCount - 1))))
        var lo = Int(buckets[k]), hi = k + 1 < bucketCount ? Int(buckets[k + 1]) + 1 : count - 1
        // Rounding of the bucket position can be one bucket off: widen until the bracket holds.
        while lo > 0 && base[lo] > value { lo -= 1 }
        while hi < count - 1 && base[hi] <= value { hi += 1 }
        return (lo, max(hi, lo + 1))
    }
}

/// Electron (0) and positron (1) columns.
struct ChargePair: Sendable {
    let electron: TableColumn
    let positron: TableColumn

    @inline(__always)
    subscript(_ q: Int) -> TableColumn { q == 0 ? electron : positron }
}

/// The memory behind a medium's columns, freed with it. Written only while the tables are built.
final class ColumnStore: @unchecked Sendable {
    private var blocks: [UnsafeMutableRawPointer] = []

    func add(_ values: [Double], searchable: Bool = false) -> TableColumn {
        let p = UnsafeMutablePointer<Double>.allocate(capacity: values.count)
        p.initialize(from: values, count: values.count)
        blocks.append(UnsafeMutableRawPointer(p))
        guard searchable, let first = values.first, first > 0, values.count > 1 else {
            return TableColumn(base: p, buckets: nil, inverseWidths: nil, lnFirst: 0, bucketsPerLn: 0, bucketCount: 0)
        }
        let widths = UnsafeMutablePointer<Double>.allocate(capacity: values.count - 1)
        for i in 0..<(values.count - 1) { widths[i] = 1 / (values[i + 1] - values[i]) }
        blocks.append(UnsafeMutableRawPointer(widths))
        // Four buckets per table point on average, uniform in pseudo-log₂ of the value. A value belongs
        // to bucket k when its pseudo-log lies in [k, k + 1) / perLn above the first's.
        let lnFirst = TableColumn.pseudoLog2(first), lnLast = TableColumn.pseudoLog2(values[values.count - 1])
        let n = 4 * values.count
        let perLn = Double(n) / max(lnLast - lnFirst, 1e-300)
        let b = UnsafeMutablePointer<Int32>.allocate(capacity: n)
        var i = 0
        for k in 0..<n {
            // The last index whose pseudo-log is at most the bucket's lower edge (monotone in the value).
            let edge = lnFirst + Double(k) / perLn
            while i + 1 < values.count && TableColumn.pseudoLog2(values[i + 1]) <= edge { i += 1 }
            b[k] = Int32(i)
        }
        blocks.append(UnsafeMutableRawPointer(b))
        return TableColumn(base: p, buckets: b, inverseWidths: widths, lnFirst: lnFirst, bucketsPerLn: perLn, bucketCount: n)
    }

    func pair(_ columns: [[Double]], searchable: Bool = false) -> ChargePair {
        ChargePair(electron: add(columns[0], searchable: searchable), positron: add(columns[1], searchable: searchable))
    }

    deinit {
        for p in blocks { p.deallocate() }
    }
}
