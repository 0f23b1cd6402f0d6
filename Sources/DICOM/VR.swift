/// A DICOM value representation (PS3.5 §6.2, Table 6.2-1).
public enum VR: String, Sendable, CaseIterable {
    case AE, AS, AT, CS, DA, DS, DT, FL, FD, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM
    case UC, UI, UL, UN, UR, US, UT, UV

    /// Whether explicit-VR encoding uses a 2-byte reserved field and a 4-byte length (PS3.5 §7.1.2,
    /// Table 7.1-1); the other VRs use a 2-byte length.
    public var hasLongLength: Bool {
        switch self {
        case .OB, .OD, .OF, .OL, .OV, .OW, .SQ, .UC, .UN, .UR, .UT, .SV, .UV: true
        default: false
        }
    }

    /// The size of one binary value, for VRs whose values are fixed-size numbers (PS3.5 §6.2), else nil.
    /// Byte swapping for big-endian transfer syntaxes works in units of this size.
    public var binaryUnitSize: Int? {
        switch self {
        case .US, .SS, .OW: 2
        case .UL, .SL, .FL, .AT, .OF, .OL: 4
        case .FD, .OD, .SV, .UV, .OV: 8
        default: nil
        }
    }

    /// Whether the value is character data (strings), padded with a space or, for UI, a NUL
    /// (PS3.5 §6.2).
    public var isString: Bool {
        switch self {
        case .AE, .AS, .CS, .DA, .DS, .DT, .IS, .LO, .LT, .PN, .SH, .ST, .TM, .UC, .UI, .UR, .UT: true
        default: false
        }
    }

    /// The byte that pads an odd-length value to even length (PS3.5 §6.2: NUL for UI and binary, space
    /// for other character data).
    public var paddingByte: UInt8 { isString && self != .UI ? 0x20 : 0x00 }

    /// Whether multiple values are separated by a backslash (every string VR except LT, ST, UT, UR,
    /// which PS3.5 §6.4 defines as single-valued).
    public var allowsBackslashSeparatedValues: Bool {
        isString && self != .LT && self != .ST && self != .UT && self != .UR
    }
}
