import Foundation

/// One medium's smooth functions tabulated on a uniform ln E grid, per gram (multiply by ρ), for the
/// hot loops: photon coefficients and branching, restricted stopping power and range, hard-event cross
/// sections with their majorant, and multiple-scattering transport paths.
///
/// Values are interpolated linearly in ln E. With 128 points per decade the interpolation error of
/// these smooth functions is below 10⁻⁴ relative (their second log-derivatives are O(1)).
public struct MediumTables: Sendable {
    public let physics: any MediumPhysics
    let lnMin: Double
    let inverseStep: Double
    let count: Int
    let energies: [Double]

    // Photons (cm²/g) and cumulative branching fractions photo | +Compton | +Rayleigh | pair.
    let muTotal: [Double]
    let fractionPhoto: [Double]
    let fractionPhotoCompton: [Double]
    let fractionNoPair: [Double]

    /// Charged particles, index 0 electrons, 1 positrons.
    let stopping: [[Double]]
    let range: [[Double]]
    /// Cumulative scattering strength S(E) = ∫ (1/λ₁)/L dE (dimensionless): the strength spent while
    /// slowing down from E to E′ is S(E) − S(E′), whatever the density and path.
    let strength: [[Double]]
    let hardTotal: [[Double]]
    let hardMajorant: [[Double]]
    let bremsFraction: [[Double]]
    /// Fraction of the hard positron events that are two-photon annihilations in flight (index 1; 0 for
    /// electrons).
    let annihilationFraction: [[Double]]
    /// Factor applied to energy deposited by charged particles: 1 for dose to medium, the collision
    /// stopping-power ratio s_w,m(E) = L_w(E)/L_m(E) for dose to water (index 0 e⁻, 1 e⁺).
    let doseFactor: [[Double]]
    /// 1/λ₁ and 1/λ₂ in cm²/g (index 0 e⁻, 1 e⁺: the spin correction depends on the charge).
    let inverseLambda1: [[Double]]
    let inverseLambda2: [[Double]]

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
        inverseStep = 1 / step
        let e = (0..<count).map { exp(log(minimumMeV) + Double($0) * step) }
        energies = e
        var mu = [Double](), fp = [Double](), fpc = [Double](), fnp = [Double]()
        for energy in e {
            let c = physics.photonCoefficients(energyMeV: energy)
            let t = max(c.total, 1e-300)
            mu.append(c.total)
            fp.append(c.photoelectric / t)
            fpc.append((c.photoelectric + c.compton) / t)
            fnp.append((c.photoelectric + c.compton + c.rayleigh) / t)
        }
        muTotal = mu
        fractionPhoto = fp
        fractionPhotoCompton = fpc
        fractionNoPair = fnp
        // Electrons per gram, for annihilation in flight on the medium's electrons.
        let electronsPerGram = physics.composition.reduce(0.0) {
            $0 + MultipleScattering.avogadro * $1.massFraction * Double($1.atomicNumber) / $1.atomicWeight
        }
        var s = [[Double]](), r = [[Double]](), h = [[Double]](), hm = [[Double]](), bf = [[Double]]()
        var st = [[Double]](), af = [[Double]](), l1 = [[Double]](), l2 = [[Double]]()
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
        stopping = s
        range = r
        hardTotal = h
        hardMajorant = hm
        bremsFraction = bf
        annihilationFraction = af
        inverseLambda1 = l1
        inverseLambda2 = l2
        strength = st
        doseFactor = [false, true].map { positron in
            e.map { energy in
                guard let water else { return 1 }
                return water.collisionStoppingPower(positron: positron, kineticEnergyMeV: energy)
                    / physics.collisionStoppingPower(positron: positron, kineticEnergyMeV: energy)
            }
        }
    }

    /// Grid position of an energy: (index, weight of index + 1).
    @inline(__always)
    func locate(_ energyMeV: Double) -> (Int, Double) {
        let f = (log(energyMeV) - lnMin) * inverseStep
        if f <= 0 { return (0, 0) }
        let i = Int(f)
        if i >= count - 1 { return (count - 2, 1) }
        return (i, f - Double(i))
    }

    @inline(__always)
    func value(_ table: [Double], _ at: (Int, Double)) -> Double {
        table[at.0] + at.1 * (table[at.0 + 1] - table[at.0])
    }

    /// Total photon mass attenuation coefficient, cm²/g.
    @inline(__always)
    func photonMu(_ energyMeV: Double) -> Double { value(muTotal, locate(energyMeV)) }

    /// Restricted range in g/cm² (index 0 e⁻, 1 e⁺).
    @inline(__always)
    func restrictedRange(_ q: Int, _ energyMeV: Double) -> Double { value(range[q], locate(energyMeV)) }

    /// The energy whose restricted range is `rangeGPerCM2` (inverse of `restrictedRange`).
    func energy(forRange rangeGPerCM2: Double, _ q: Int) -> Double { energy(forCumulative: range[q], rangeGPerCM2) }

    /// The energy at which the increasing cumulative table `c` (range or strength) takes `value`.
    func energy(forCumulative c: [Double], _ value: Double) -> Double {
        if value <= c[0] { return energies[0] * max(value, 0) / c[0] }
        var lo = 0, hi = count - 1
        if value >= c[hi] { return energies[hi] }
        while hi - lo > 1 {
            let mid = (lo + hi) / 2
            if c[mid] <= value { lo = mid } else { hi = mid }
        }
        // Linear in ln E between the bracketing points.
        let w = (value - c[lo]) / (c[hi] - c[lo])
        return exp(lnMin + (Double(lo) + w) / inverseStep)
    }
}
