extension Simulation {
    /// Photon splitting of a primary photon (`TransportSettings.photonSplitting` = N > 1): N copies with
    /// weight 1/N, each with its own stream spawned from the primary's, so the history's deposits are the
    /// mean of N independent photon tracks from the same source sample. Unbiased: each copy is an
    /// unbiased estimate of the photon's dose, and their mean is too. The gain is the cheaper variance of
    /// the primary interactions (N interaction sites per sampled photon); the cost of the scattered
    /// radiation is kept at one photon's worth by Russian roulette (`survivesRoulette`).
    func pushSplitCopies(of primary: Particle, scratch: inout Scratch) {
        let n = settings.photonSplitting
        var parent = primary
        let weight = 1 / Double(n)
        for _ in 0..<n {
            var copy = primary
            copy.rng = parent.rng.spawn()
            copy.weight = primary.weight * weight
            scratch.stack.append(copy)
        }
    }

    /// Russian roulette of a photon of weight w < 1 (a split photon after it scattered, or a photon made
    /// by a weighted charged particle), when `TransportSettings.russianRoulette` is on: it survives with
    /// probability w and then carries weight 1, otherwise it is dropped. The expected weight, w, is
    /// unchanged, so every tally's mean is too (Kahn 1956, RAND P-766; the rule DOSXYZnrc applies to
    /// the scattered photons of split primaries). Photons of weight 1 never play.
    @inline(__always)
    func survivesRoulette(_ photon: inout Particle) -> Bool {
        guard photon.weight < 1, settings.russianRoulette else { return true }
        if photon.rng.uniform() < photon.weight {
            photon.weight = 1
            return true
        }
        return false
    }
}
