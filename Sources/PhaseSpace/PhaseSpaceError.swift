/// Why an IAEA phase-space file cannot be read, written or used. Every message says what is wrong,
/// where (file, section, record) and what to do.
public enum PhaseSpaceError: Error, CustomStringConvertible, Equatable {
    /// The `.IAEAheader` text is malformed or lacks a mandatory section.
    case badHeader(file: String, String)
    /// The header declares record contents, a byte order or a file type this reader does not support.
    case unsupported(file: String, String)
    /// The `.IAEAphsp` size disagrees with the header (truncated or with extra bytes).
    case sizeMismatch(file: String, String)
    /// A record holds a value no phase space can hold (unknown particle type, NaN, |u, v| > 1 …).
    case badRecord(file: String, record: UInt64, String)
    /// The file could not be opened, read or written.
    case io(file: String, String)
    /// A particle given to the writer does not fit the writer's record layout.
    case badParticle(String)
    /// The phase space does not fit the phantom or the run it is used for.
    case placement(String)

    /// What is wrong, where, and what to do.
    public var description: String {
        switch self {
        case .badHeader(let file, let s): "IAEA header \(file): \(s)"
        case .unsupported(let file, let s): "IAEA phase space \(file): \(s)"
        case .sizeMismatch(let file, let s): "IAEA phase space \(file): \(s)"
        case .badRecord(let file, let record, let s):
            "IAEA phase space \(file), record \(record) (counting from 0): \(s); the file is corrupt or was "
                + "written with a different header: regenerate it or fix its .IAEAheader"
        case .io(let file, let s): "\(file): \(s)"
        case .badParticle(let s), .placement(let s): s
        }
    }
}
