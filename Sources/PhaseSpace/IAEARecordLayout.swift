/// The byte order of an `.IAEAphsp` file, as the header's `$BYTE_ORDER` names it.
public enum IAEAByteOrder: Int, Sendable, Codable {
    case littleEndian = 1234
    case bigEndian = 4321
}

/// What an extra float of a record holds (the type codes the IAEA library writes after the counts in
/// `$RECORD_CONTENTS`).
public enum IAEAExtraFloatType: Int, Sendable, CaseIterable, Codable {
    case generic = 0
    case xLast = 1
    case yLast = 2
    case zLast = 3
}

/// What an extra long (32-bit integer) of a record holds.
public enum IAEAExtraLongType: Int, Sendable, CaseIterable, Codable {
    case generic = 0
    /// For a new history: how many original histories passed since the previous stored one.
    case incrementalHistoryNumber = 1
    case egsLatch = 2
    case penelopeILB5 = 3
    case penelopeILB4 = 4
    case penelopeILB3 = 5
    case penelopeILB2 = 6
    case penelopeILB1 = 7
}

/// Which quantities a record stores and which are constant for the whole file (`$RECORD_CONTENTS`,
/// `$RECORD_CONSTANT`, `$BYTE_ORDER`), and the byte layout that follows from it.
///
/// A record is, in this order (INDC(NDS)-0484 and the IAEA `iaea_phsp` library): one signed byte, the
/// particle type whose sign is the sign of w; a float32 energy in MeV whose negative sign marks the first
/// particle of a new original history; then float32 x, y, z (cm), u, v, weight, each only if stored; the
/// extra float32s; the extra int32s. w is never stored: like the IAEA library's reader, w is always
/// ±√(1 − u² − v²), whatever `$RECORD_CONTENTS` says about it.
public struct IAEARecordLayout: Sendable, Equatable {
    /// Whether each record stores its position (cm).
    public var storesX = true, storesY = true, storesZ = true
    /// Whether each record stores its direction cosines u and v.
    public var storesU = true, storesV = true
    /// Whether each record stores its statistical weight.
    public var storesWeight = true
    /// Values of the positions not stored, cm.
    public var constantXCM: Float = 0, constantYCM: Float = 0, constantZCM: Float = 0
    /// Values of the direction cosines not stored.
    public var constantU: Float = 0, constantV: Float = 0
    /// The weight of every particle when weights are not stored.
    public var constantWeight: Float = 1
    /// What each extra float of a record holds, in record order.
    public var extraFloats: [IAEAExtraFloatType] = []
    /// What each extra 32-bit integer of a record holds, in record order.
    public var extraLongs: [IAEAExtraLongType] = []
    /// The byte order of the floats and integers.
    public var byteOrder: IAEAByteOrder = .littleEndian

    /// A layout that stores every quantity (little endian, no extras).
    public init() {}

    /// The number of float32 values after the energy.
    public var storedFloatCount: Int {
        [storesX, storesY, storesZ, storesU, storesV, storesWeight].filter { $0 }.count + extraFloats.count
    }

    /// The bytes of one record: type byte, energy, stored floats, extra floats and extra longs.
    public var recordLength: Int { 1 + 4 + 4 * storedFloatCount + 4 * extraLongs.count }

    // MARK: - Decoding

    /// Decodes the record that starts at `offset` in `bytes` (at least `recordLength` bytes from there).
    /// - Parameter includeExtras: false skips the extra floats and longs (no allocation per particle).
    /// - Returns: nil if the type byte is not a known particle type (±1…±5).
    public func decode(_ bytes: UnsafeRawBufferPointer, at offset: Int, includeExtras: Bool = true) -> IAEAParticle? {
        let code = Int8(bitPattern: bytes[offset])
        guard code != .min, let type = IAEAParticleType(rawValue: code < 0 ? -code : code) else { return nil }
        var at = offset + 1
        func nextWord() -> UInt32 {
            let raw = bytes.loadUnaligned(fromByteOffset: at, as: UInt32.self)
            at += 4
            return byteOrder == .littleEndian ? UInt32(littleEndian: raw) : UInt32(bigEndian: raw)
        }
        func next() -> Float { Float(bitPattern: nextWord()) }
        let signedEnergy = next()
        var p = IAEAParticle(
            type: type, energyMeV: abs(signedEnergy), isNewHistory: signedEnergy < 0,
            xCM: storesX ? next() : constantXCM, yCM: storesY ? next() : constantYCM,
            zCM: storesZ ? next() : constantZCM,
            u: storesU ? next() : constantU, v: storesV ? next() : constantV, w: 0,
            weight: storesWeight ? next() : constantWeight)
        // w = ±√(1 − u² − v²), clamped at 0 when rounding makes u² + v² exceed 1.
        let w = Float(max(0, 1 - (Double(p.u) * Double(p.u) + Double(p.v) * Double(p.v))).squareRoot())
        p.w = code < 0 ? -w : w
        if includeExtras {
            if !extraFloats.isEmpty { p.extraFloats = extraFloats.map { _ in next() } }
            if !extraLongs.isEmpty { p.extraLongs = extraLongs.map { _ in Int32(bitPattern: nextWord()) } }
        }
        return p
    }

    /// Why a decoded particle cannot be transported, or nil: non-finite values, |(u, v)| > 1, a negative
    /// weight or a neutron/proton.
    public func problem(with p: IAEAParticle) -> String? {
        guard p.type.isTransported else {
            return "a \(p.type) (type \(p.type.rawValue)); Penumbra transports photons, electrons and positrons only"
        }
        for (name, value) in [
            ("energy", p.energyMeV), ("x", p.xCM), ("y", p.yCM), ("z", p.zCM), ("u", p.u),
            ("v", p.v), ("weight", p.weight),
        ] where !value.isFinite {
            return "\(name) is \(value)"
        }
        // 1e-5: a few float32 roundings of unit-norm cosines (ulp 6e-8) with room for a writer's double → float.
        let uv = Double(p.u) * Double(p.u) + Double(p.v) * Double(p.v)
        if uv > 1 + 1e-5 { return "u² + v² = \(uv) exceeds 1 (u \(p.u), v \(p.v))" }
        if p.weight < 0 { return "negative weight \(p.weight)" }
        return nil
    }

    // MARK: - Encoding

    /// Appends the record of `p` to `bytes` (w is kept only as the sign of the type byte).
    /// - Throws: `PhaseSpaceError.badParticle` if `p` differs from a constant of this layout, has the wrong
    ///   number of extras, or flags a new history with zero energy (the flag is the energy's sign).
    public func encode(_ p: IAEAParticle, into bytes: inout [UInt8]) throws(PhaseSpaceError) {
        for (name, stored, value, constant) in [
            ("x", storesX, p.xCM, constantXCM), ("y", storesY, p.yCM, constantYCM), ("z", storesZ, p.zCM, constantZCM),
            ("u", storesU, p.u, constantU), ("v", storesV, p.v, constantV),
            ("weight", storesWeight, p.weight, constantWeight),
        ] where !stored && value != constant {
            throw .badParticle(
                "particle \(name) = \(value) differs from the layout's constant \(name) \(constant): "
                    + "store \(name) in the layout or give every particle the constant")
        }
        guard p.extraFloats.count == extraFloats.count, p.extraLongs.count == extraLongs.count else {
            throw .badParticle(
                "particle has \(p.extraFloats.count) extra floats and \(p.extraLongs.count) extra longs; "
                    + "the layout has \(extraFloats.count) and \(extraLongs.count)")
        }
        guard p.energyMeV > 0 || !p.isNewHistory, p.energyMeV >= 0 else {
            throw .badParticle(
                "energy \(p.energyMeV) MeV: a phase-space particle needs a positive energy "
                    + "(its sign carries the new-history flag)")
        }
        bytes.append(UInt8(bitPattern: p.w < 0 ? -p.type.rawValue : p.type.rawValue))
        func putWord(_ word: UInt32) {
            withUnsafeBytes(of: byteOrder == .littleEndian ? word.littleEndian : word.bigEndian) {
                bytes.append(contentsOf: $0)
            }
        }
        func put(_ x: Float) { putWord(x.bitPattern) }
        put(p.isNewHistory ? -p.energyMeV : p.energyMeV)
        if storesX { put(p.xCM) }
        if storesY { put(p.yCM) }
        if storesZ { put(p.zCM) }
        if storesU { put(p.u) }
        if storesV { put(p.v) }
        if storesWeight { put(p.weight) }
        p.extraFloats.forEach(put)
        p.extraLongs.forEach { putWord(UInt32(bitPattern: $0)) }
    }
}
