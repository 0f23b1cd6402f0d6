/// Particles handed from one slab of a decomposed run to another (`SlabTransport`): each with its full
/// state, its random stream's position and, when it crossed a slab face mid-flight, that flight's state.
public struct ParticleBank: Sendable {
    var particles: [BankedParticle]

    /// An empty bank.
    public init() { particles = [] }

    init(_ particles: [BankedParticle]) { self.particles = particles }

    /// The number of particles.
    public var count: Int { particles.count }
    /// True when the bank holds no particle.
    public var isEmpty: Bool { particles.isEmpty }

    /// Appends the particles of `other`.
    public mutating func append(contentsOf other: ParticleBank) { particles.append(contentsOf: other.particles) }

    /// The bank cut into consecutive banks of at most `n` particles (e.g. `maximumCount`, to encode a
    /// large bank as several).
    public func chunks(ofAtMost n: Int) -> [ParticleBank] {
        precondition(n > 0, "chunks need a positive size")
        return stride(from: 0, to: particles.count, by: n).map { ParticleBank(Array(particles[$0..<min($0 + n, particles.count)])) }
    }

    /// The particles of this bank that continue in `planes`, in bank order.
    public func filter(planes: Range<Int>) -> ParticleBank {
        ParticleBank(particles.filter { planes.contains($0.plane) })
    }
}

extension RandomStream {
    /// The primary history this stream belongs to.
    var history: UInt64 { UInt64(historyHigh) << 32 | UInt64(historyLow) }
}
