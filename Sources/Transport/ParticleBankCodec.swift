import Geometry

/// The bytes of a particle bank as it travels between slab owners (the BANK payload of
/// docs/protocol.md): little-endian, a 16-byte header — "PNBK", format version (UInt16), flags
/// (UInt16, 0), particle count (UInt32), record bytes (UInt32) — then one record per particle:
///
/// | field | bytes |
/// |---|---|
/// | position, direction (cm, unit), energy (MeV), weight: Float64 ×8 | 64 |
/// | charge Int8, voxel i, j, k Int32 ×3, continuing plane Int32 | 17 |
/// | random stream: key UInt32 ×2, history low/high, stream id, block, buffer UInt32 ×4, children | 44 |
/// | random stream: draws used of the buffer UInt8, flight kind UInt8 (0 start, 1 photon, 2 charged) | 2 |
/// | photon flight: τ, cm travelled Float64, block walk (below) | 16 + 83 |
/// | charged step: medium UInt32; e0, σmax0, fuel, k_step, 1/λ1, 1/λ2, k_hinge, k_used, s, ln E, Rutherford moment ratio, ln E of the hinge and end targets Float64; ends-at-hard-event, stops, hinged, in start medium UInt8; origin Float64 ×3; voxel walk | 4 + 104 + 4 + 24 + 83 |
///
/// A walk is its voxel (Int32 ×3), exit distance, next faces and face spacings (Float64 ×7), steps
/// (Int8 ×3) and counts (Int32 ×3). Records are whole particles rather than struct-of-arrays
/// columns: a bank is read once, particle by particle, and a record needs no second pass.
/// Decoding checks everything against the receiving slab, so foreign bytes give a `BankError`,
/// never a crash or a particle outside the slab.
extension ParticleBank {
    /// The format version written and read.
    public static let formatVersion: UInt16 = 2
    /// The most particles one encoded bank may hold (a record is at most 346 bytes, so a bank stays
    /// under 64 MiB, the wire's frame limit; a larger bank travels as several).
    public static let maximumCount = 190_000

    /// The bank's bytes (see the type's documentation for the layout).
    public func encoded() -> [UInt8] {
        var w = BankWriter()
        w.bytes.reserveCapacity(16 + particles.count * 160)
        w.bytes.append(contentsOf: Array("PNBK".utf8))
        w.u16(Self.formatVersion)
        w.u16(0)
        w.u32(UInt32(particles.count))
        let recordBytesAt = w.bytes.count
        w.u32(0)
        for b in particles {
            let p = b.particle
            for x in [p.r.x, p.r.y, p.r.z, p.u.x, p.u.y, p.u.z, p.e, p.weight] { w.f64(x) }
            w.bytes.append(UInt8(bitPattern: p.charge))
            for x in [p.i, p.j, p.k, b.plane] { w.u32(UInt32(bitPattern: Int32(x))) }
            let s = p.rng
            for x in [s.key.x, s.key.y, s.historyLow, s.historyHigh, s.streamID, s.block,
                      s.buffer[0], s.buffer[1], s.buffer[2], s.buffer[3], s.children] { w.u32(x) }
            w.bytes.append(UInt8(s.used))
            switch b.flight {
            case .start:
                w.bytes.append(0)
            case .photon(let f):
                w.bytes.append(1)
                w.f64(f.tau)
                w.f64(f.travelled)
                w.walk(f.walk.state)
            case .charged(let c):
                w.bytes.append(2)
                w.u32(UInt32(c.medium0))
                for x in [c.e0, c.sigmaMax0, c.hardFuel, c.kStep, c.inverseLambda1, c.inverseLambda2, c.kHinge, c.kUsed, c.s, c.lnEnergy, c.rutherfordRatio,
                          c.lnHingeTarget, c.lnEndTarget] {
                    w.f64(x)
                }
                for flag in [c.endsAtHardEvent, c.stopsInStep, c.hinged, c.inStartMedium] { w.bytes.append(flag ? 1 : 0) }
                for x in [c.origin.x, c.origin.y, c.origin.z] { w.f64(x) }
                w.walk(c.walk.state)
            }
        }
        let recordBytes = UInt32(w.bytes.count - 16)
        for n in 0..<4 { w.bytes[recordBytesAt + n] = UInt8(truncatingIfNeeded: recordBytes >> (8 * n)) }
        return w.bytes
    }

    /// Decodes a bank for `slab`: every particle must continue in the slab, in a voxel of the grid, with
    /// a random stream of `seed`, a flight that fits its charge and walks that fit the slab's grids.
    /// - Throws: `BankError` naming the first thing that does not fit.
    public init(decoding bytes: [UInt8], for slab: SlabTransport, seed: UInt64) throws(BankError) {
        var r = BankReader(bytes: bytes)
        guard Array(try r.take(4)) == Array("PNBK".utf8) else { throw .malformed("not a particle bank (no PNBK tag)") }
        let version = try r.u16()
        guard version == Self.formatVersion else {
            throw .malformed("bank format version \(version), this build reads \(Self.formatVersion)")
        }
        guard try r.u16() == 0 else { throw .malformed("unknown bank flags") }
        let count = Int(try r.u32())
        guard count <= Self.maximumCount else { throw .malformed("\(count) particles, at most \(Self.maximumCount)") }
        guard Int(try r.u32()) == bytes.count - 16 else { throw .malformed("record bytes do not match the bank's length") }
        let sim = slab.simulation
        let grid = sim.region.grid
        let key = SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(truncatingIfNeeded: seed >> 32))
        var particles: [BankedParticle] = []
        particles.reserveCapacity(count)
        for n in 0..<count {
            func bad(_ what: String) -> BankError { .malformed("particle \(n): \(what)") }
            let d = try (0..<8).map { _ throws(BankError) in try r.f64() }
            guard d.allSatisfy(\.isFinite), d[6] >= 0, d[7] > 0 else { throw bad("a position, direction, energy or weight is not finite and positive") }
            let charge = Int8(bitPattern: try r.u8())
            guard (-1...1).contains(charge) else { throw bad("charge \(charge)") }
            let ijk = try (0..<4).map { _ throws(BankError) in Int(Int32(bitPattern: try r.u32())) }
            guard ijk[0] >= 0, ijk[0] < grid.counts.x, ijk[1] >= 0, ijk[1] < grid.counts.y, ijk[2] >= 0, ijk[2] < grid.counts.z
            else { throw bad("voxel (\(ijk[0]), \(ijk[1]), \(ijk[2])) outside the grid") }
            guard slab.planes.contains(ijk[3]) else { throw bad("continues in plane \(ijk[3]), not in slab \(slab.planes)") }
            let w = try (0..<11).map { _ throws(BankError) in try r.u32() }
            guard SIMD2(w[0], w[1]) == key else { throw bad("its random stream is not of this job's seed") }
            let used = Int(try r.u8())
            guard used <= 4 else { throw bad("random buffer position \(used)") }
            var rng = RandomStream(key: key, historyLow: w[2], historyHigh: w[3], streamID: w[4])
            rng.block = w[5]
            rng.buffer = SIMD4(w[6], w[7], w[8], w[9])
            rng.used = used
            rng.children = w[10]
            let particle = Particle(r: Vec3(d[0], d[1], d[2]), u: Vec3(d[3], d[4], d[5]), e: d[6], charge: charge,
                                    i: ijk[0], j: ijk[1], k: ijk[2], rng: rng, weight: d[7])
            let flight: BankedParticle.Flight
            switch try r.u8() {
            case 0:
                guard particle.k == ijk[3] else { throw bad("a start particle continues in its own plane") }
                flight = .start
            case 1:
                guard charge == 0 else { throw bad("a photon flight for a charged particle") }
                let tau = try r.f64(), travelled = try r.f64()
                let walk = try r.walk()
                let b = sim.majorant.blocks.counts
                guard tau.isFinite, travelled.isFinite, walk.counts == SIMD3(Int32(b.x), Int32(b.y), Int32(b.z)),
                      Int(walk.voxel.z) * sim.majorant.edge == ijk[3]
                else { throw bad("a photon flight that does not fit the majorant blocks") }
                flight = .photon(PhotonFlight(tau: tau, travelled: travelled, walk: VoxelWalk(state: walk)))
            case 2:
                guard charge != 0 else { throw bad("a charged step for a photon") }
                let medium = Int(try r.u32())
                guard medium < sim.tables.count else { throw bad("medium \(medium) of \(sim.tables.count)") }
                let x = try (0..<13).map { _ throws(BankError) in try r.f64() }
                let flags = try (0..<4).map { _ throws(BankError) in try r.u8() }
                let o = try (0..<3).map { _ throws(BankError) in try r.f64() }
                let walk = try r.walk()
                guard (x + o).allSatisfy({ !$0.isNaN }), flags.allSatisfy({ $0 <= 1 }),
                      walk.counts == SIMD3(Int32(grid.counts.x), Int32(grid.counts.y), Int32(grid.counts.z)),
                      Int(walk.voxel.z) == ijk[3]
                else { throw bad("a charged step that does not fit the grid") }
                flight = .charged(ChargedStep(
                    medium0: medium, e0: x[0], sigmaMax0: x[1], hardFuel: x[2], endsAtHardEvent: flags[0] == 1,
                    stopsInStep: flags[1] == 1, kStep: x[3], inverseLambda1: x[4], inverseLambda2: x[5], rutherfordRatio: x[10], kHinge: x[6],
                    lnHingeTarget: x[11], lnEndTarget: x[12], inStartMedium: flags[3] == 1, hinged: flags[2] == 1, kUsed: x[7], lnEnergy: x[9], walk: VoxelWalk(state: walk), s: x[8], origin: Vec3(o[0], o[1], o[2])))
            case let kind:
                throw bad("flight kind \(kind)")
            }
            particles.append(BankedParticle(particle: particle, flight: flight, plane: ijk[3]))
        }
        guard r.offset == bytes.count else { throw .malformed("\(bytes.count - r.offset) bytes after the last particle") }
        self.init(particles)
    }
}

/// A particle bank that cannot be read.
public enum BankError: Error, CustomStringConvertible, Equatable {
    case malformed(String)

    public var description: String {
        switch self {
        case .malformed(let s): "particle bank: \(s)"
        }
    }
}

private struct BankWriter {
    var bytes: [UInt8] = []

    mutating func u16(_ x: UInt16) { for n in 0..<2 { bytes.append(UInt8(truncatingIfNeeded: x >> (8 * n))) } }
    mutating func u32(_ x: UInt32) { for n in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: x >> (8 * n))) } }
    mutating func f64(_ x: Double) {
        let b = x.bitPattern
        for n in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: b >> (8 * n))) }
    }
    mutating func walk(_ s: VoxelWalk.State) {
        for x in [s.voxel.x, s.voxel.y, s.voxel.z] { u32(UInt32(bitPattern: x)) }
        for x in [s.exitDistance, s.nextFace.x, s.nextFace.y, s.nextFace.z, s.faceSpacing.x, s.faceSpacing.y, s.faceSpacing.z] {
            f64(x)
        }
        for x in [s.step.x, s.step.y, s.step.z] { bytes.append(UInt8(bitPattern: x)) }
        for x in [s.counts.x, s.counts.y, s.counts.z] { u32(UInt32(bitPattern: x)) }
    }
}

private struct BankReader {
    let bytes: [UInt8]
    var offset = 0

    mutating func take(_ n: Int) throws(BankError) -> ArraySlice<UInt8> {
        guard bytes.count - offset >= n else { throw .malformed("truncated at byte \(offset)") }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }
    mutating func u8() throws(BankError) -> UInt8 { try take(1).first! }
    mutating func u16() throws(BankError) -> UInt16 {
        try take(2).reversed().reduce(0) { $0 << 8 | UInt16($1) }
    }
    mutating func u32() throws(BankError) -> UInt32 {
        try take(4).reversed().reduce(0) { $0 << 8 | UInt32($1) }
    }
    mutating func f64() throws(BankError) -> Double {
        Double(bitPattern: try take(8).reversed().reduce(0) { $0 << 8 | UInt64($1) })
    }
    mutating func walk() throws(BankError) -> VoxelWalk.State {
        let v = try (0..<3).map { _ throws(BankError) in Int32(bitPattern: try u32()) }
        let d = try (0..<7).map { _ throws(BankError) in try f64() }
        let s = try (0..<3).map { _ throws(BankError) in Int8(bitPattern: try u8()) }
        let c = try (0..<3).map { _ throws(BankError) in Int32(bitPattern: try u32()) }
        let state = VoxelWalk.State(voxel: SIMD3(v[0], v[1], v[2]), exitDistance: d[0], nextFace: Vec3(d[1], d[2], d[3]),
                                    faceSpacing: Vec3(d[4], d[5], d[6]), step: SIMD3(s[0], s[1], s[2]), counts: SIMD3(c[0], c[1], c[2]))
        guard state.isValid else { throw .malformed("an invalid voxel walk at byte \(offset)") }
        return state
    }
}
