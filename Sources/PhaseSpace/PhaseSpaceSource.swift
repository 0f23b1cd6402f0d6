import Foundation
import Geometry
import Phantom
import Synchronization
import Transport

/// An IAEA phase space as the primary source of a simulation.
///
/// **Histories.** Engine history h is original history o = h mod N₀ of the file (N₀ = `$ORIG_HISTORIES`).
/// The file stores only the Nₛ ≤ N₀ histories that reached its scoring plane; stored history s stands
/// for original history ⌊s·N₀/Nₛ⌋, and the other original histories emit nothing. So `histories` = N₀
/// uses every stored particle exactly once, the dose comes out per original history (per incident
/// electron of the linac simulation) and its uncertainty counts the empty histories, as EGSnrc's
/// phase-space sources do. A history's primaries depend on h alone, never on which thread asks or in
/// what order: runs stay bit-identical for any thread count and block size.
///
/// **Recycling.** Beyond N₀ histories the file is used again from its start (pass 2, 3, …), each reuse
/// transported with fresh random numbers. The particles are then no longer independent: the
/// uncertainty the engine reports counts only the transport's variance below the scoring plane and
/// understates the latent variance of the phase space itself (Sempau et al. 2001, Phys. Med. Biol.
/// 46:1163). `recyclingWarning(histories:)` says so.
///
/// **Placement.** The file's x and y (cm) are the phantom's x and y (the beam axis at x = y = 0, as for
/// the other sources); the file's z `surfaceZCM` lands on the phantom's front face, and other z
/// follow (phantom z = front + z − `surfaceZCM`). A particle starting in front of the phantom travels
/// through vacuum to where it enters.
public struct PhaseSpaceSource: PrimarySource {
    /// The open phase space.
    public let file: IAEAPhaseSpaceFile
    /// Where its histories begin, and what the index pass found.
    public let index: IAEAHistoryIndex
    /// The file's z (cm) placed on the phantom's front face.
    public let surfaceZCM: Double
    /// The phantom's front face, z in cm.
    public let frontZCM: Double
    private let failure: FailureBox
    private let cache: PhaseSpaceBlockCache

    /// The first read failure during transport (the protocol's `emitPrimaries` cannot throw).
    final class FailureBox: Sendable {
        let error = Mutex<PhaseSpaceError?>(nil)
    }

    /// Opens a phase space and indexes its histories with one pass over the file.
    /// - Parameters:
    ///   - url: the `.IAEAheader`, the `.IAEAphsp`, or their base name.
    ///   - phantom: the phantom whose front face receives the scoring plane.
    ///   - surfaceZCM: the file's z placed on the front face; nil: the file's scoring plane, which must
    ///     then be a single z (constant z, or all particles at one z).
    ///   - stride: histories per index entry (memory 8 bytes per `stride` histories).
    /// - Throws: `PhaseSpaceError` for an unreadable, malformed or inconsistent file, or when the
    ///   scoring plane is not a single z and `surfaceZCM` is nil.
    public init(_ url: URL, on phantom: VoxelPhantom, surfaceZCM: Double? = nil, stride: Int = 32)
        throws(PhaseSpaceError)
    {
        file = try IAEAPhaseSpaceFile(url)
        index = try IAEAHistoryIndex(scanning: file, stride: stride)
        frontZCM = phantom.grid.originCM.z
        if let surfaceZCM {
            guard surfaceZCM.isFinite else { throw .placement("the phase space's surface z must be finite") }
            self.surfaceZCM = surfaceZCM
        } else {
            let z = index.zRangeCM
            guard z.lowerBound == z.upperBound else {
                throw .placement(
                    "the particles of \(file.dataURL.lastPathComponent) lie at z \(z.lowerBound)…"
                        + "\(z.upperBound) cm, not on one plane: give the file's z (cm) to place on the phantom's front "
                        + "face (--phase-space-z)")
            }
            self.surfaceZCM = z.lowerBound
        }
        failure = FailureBox()
        cache = PhaseSpaceBlockCache()
    }

    /// `$ORIG_HISTORIES`: the histories one pass over the file stands for.
    public var originalHistories: UInt64 { file.header.originalHistories }

    /// The largest particle energy in the file, MeV.
    public var maximumEnergyMeV: Double { index.maximumEnergyMeV }

    /// How many times a run of `histories` histories reuses the phase space (1: not at all).
    public func passes(histories: UInt64) -> Double { Double(histories) / Double(originalHistories) }

    /// The warning for a run that recycles the phase space, or nil.
    public func recyclingWarning(histories: UInt64) -> String? {
        guard histories > originalHistories else { return nil }
        let times = (passes(histories: histories) * 100).rounded() / 100
        return
            "\(histories) histories recycle the phase space \(file.headerURL.lastPathComponent) (\(originalHistories) "
            + "original histories) \(times) times: the reported uncertainty counts only the transport below the "
            + "scoring plane and understates the latent variance of the phase space; use a larger phase space (or "
            + "several) for a lower true uncertainty"
    }

    /// The stored history that stands for engine history `history`, or nil for an empty original history.
    public func storedHistory(for history: UInt64) -> UInt64? {
        let n0 = originalHistories, ns = index.storedHistories
        let o = history % n0
        if ns == n0 { return o }
        // s = ⌈o·Nₛ/N₀⌉ is the only stored history that can stand for o (full-width products: no overflow).
        let (q, r) = n0.dividingFullWidth(o.multipliedFullWidth(by: ns))
        let s = q + (r > 0 ? 1 : 0)
        guard s < ns else { return nil }
        let (slot, _) = ns.dividingFullWidth(s.multipliedFullWidth(by: n0))
        return slot == o ? s : nil
    }

    /// Appends the particles of the stored history that stands for `history` (none for an empty original
    /// history), placed on the phantom; draws nothing from `rng`.
    public func emitPrimaries(history: UInt64, rng: inout RandomStream, into primaries: inout [PrimaryParticle]) {
        guard let s = storedHistory(for: history) else { return }
        let entry = Int(s / UInt64(index.stride)), inBlock = Int(s % UInt64(index.stride))
        if cache.append(entry: entry, index: inBlock, into: &primaries) { return }
        do {
            if let block = try readBlock(entry) {
                cache.insert(block)
                primaries.append(contentsOf: block.primaries[block.offsets[inBlock]..<block.offsets[inBlock + 1]])
            } else {
                try index.forEachParticle(ofHistory: s, in: file) { p in
                    if let primary = place(p) { primaries.append(primary) }
                }
            }
        } catch {
            primaries.removeAll()
            failure.error.withLock { if $0 == nil { $0 = error } }
        }
    }

    /// The primary of a file particle, placed on the phantom, or nil for a particle without energy.
    func place(_ p: IAEAParticle) -> PrimaryParticle? {
        guard p.energyMeV > 0 else { return nil }
        let u = Double(p.u), v = Double(p.v)
        // w in double from u and v (the file keeps only its sign), then the direction renormalised.
        let w = max(0, 1 - u * u - v * v).squareRoot()
        return PrimaryParticle(
            positionCM: Vec3(Double(p.xCM), Double(p.yCM), Double(p.zCM) + frontZCM - surfaceZCM),
            direction: Vec3(u, v, p.w < 0 ? -w : w).normalized, energyMeV: Double(p.energyMeV), charge: p.type.charge,
            weight: Double(p.weight))
    }

    /// Reads and places the histories of index block `entry`, or nil for a block of more than 65 536
    /// records (such histories are streamed instead of held in memory).
    func readBlock(_ entry: Int) throws(PhaseSpaceError) -> PhaseSpaceBlockCache.Block? {
        let records = index.records(ofEntry: entry, in: file)
        guard records.count <= 1 << 16 else { return nil }
        let layout = file.header.layout, length = file.recordLength
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: records.count * length, alignment: 8)
        defer { buffer.deallocate() }
        try file.read(records: records, into: buffer)
        var placed: [PrimaryParticle] = [], offsets: [Int] = []
        placed.reserveCapacity(records.count)
        for i in 0..<records.count {
            guard let p = layout.decode(UnsafeRawBufferPointer(buffer), at: i * length, includeExtras: false) else {
                throw file.badType(record: records.lowerBound + UInt64(i), byte: buffer[i * length])
            }
            if p.isNewHistory || records.lowerBound + UInt64(i) == 0 { offsets.append(placed.count) }
            if let primary = place(p) { placed.append(primary) }
        }
        offsets.append(placed.count)
        return PhaseSpaceBlockCache.Block(entry: entry, primaries: placed, offsets: offsets)
    }

    /// Throws the first error met while reading the file during transport (the file shrank or became
    /// unreadable after it was indexed); a run that met one has missing histories and must be discarded.
    public func checkReads() throws(PhaseSpaceError) {
        if let error = failure.error.withLock({ $0 }) { throw error }
    }

    /// The particles' x and y must overlap the phantom's front face, and the scoring plane must not lie
    /// beyond the phantom's back.
    public func check(against phantom: VoxelPhantom) throws {
        let g = phantom.grid
        let x = index.xRangeCM, y = index.yRangeCM
        guard x.upperBound >= g.originCM.x, x.lowerBound <= g.endCM.x, y.upperBound >= g.originCM.y,
            y.lowerBound <= g.endCM.y
        else {
            throw PhaseSpaceError.placement(
                "the particles of \(file.dataURL.lastPathComponent) lie at x \(x.lowerBound)…\(x.upperBound), y "
                    + "\(y.lowerBound)…\(y.upperBound) cm, outside the phantom's front face x \(g.originCM.x)…"
                    + "\(g.endCM.x), y \(g.originCM.y)…\(g.endCM.y) cm: the file's beam axis is x = y = 0; check "
                    + "that the phantom is centred on it")
        }
        let zStart = index.zRangeCM.lowerBound + frontZCM - surfaceZCM
        guard zStart < g.endCM.z else {
            throw PhaseSpaceError.placement(
                "the phase space starts at z \(zStart) cm, beyond the phantom's back face z \(g.endCM.z) cm: check "
                    + "--phase-space-z (the file's z placed on the front face)")
        }
    }
}
