/// Why a DICOM file or object could not be read or written.
///
/// Every error names the file, the byte offset and the element path where it is known, says what was
/// wrong, and what to do (DESIGN.md invariant 4).
public struct DICOMError: Error, CustomStringConvertible, Sendable {
    /// What kind of problem this is; tests and callers branch on it.
    public enum Kind: String, Sendable {
        /// The bytes are not a DICOM data set at all.
        case notDICOM
        /// The file ends inside an element header or value.
        case truncated
        /// An element's length runs past the end of the file or of its enclosing item or sequence.
        case lengthPastEnd
        /// A value length is odd (PS3.5 §7.1.1 requires even lengths).
        case oddLength
        /// Sequences nest deeper than the reader allows.
        case nestingTooDeep
        /// An explicit VR is not a DICOM VR, or a value does not fit its VR.
        case invalidVR
        /// Items or delimiters where they cannot be.
        case badStructure
        /// Compressed pixel data that does not decode: a damaged or truncated stream (bad Huffman code,
        /// missing marker, wrong segment count).
        case corruptPixelData
        /// A transfer syntax this codec does not decode (compressed, deflated, unknown).
        case unsupportedTransferSyntax
        /// A character set this codec does not decode.
        case unsupportedCharacterSet
        /// A required attribute is absent.
        case missingAttribute
        /// An attribute is present but its value is unusable.
        case invalidValue
        /// The object is valid DICOM but not something Penumbra can use (e.g. an oblique CT).
        case unsupported
        /// Reading or writing the file failed at the operating-system level.
        case io
    }

    /// The kind of problem.
    public let kind: Kind
    /// What was wrong and what to do.
    public let message: String
    /// The file, when known.
    public var file: String?
    /// The byte offset in the file, when known.
    public var offset: Int?
    /// The element path, e.g. `(300A,00B0) BeamSequence[2] > (300A,0111) ControlPointSequence[0]`.
    public var elementPath: String?

    /// Creates an error.
    public init(_ kind: Kind, _ message: String, file: String? = nil, offset: Int? = nil, elementPath: String? = nil) {
        self.kind = kind
        self.message = message
        self.file = file
        self.offset = offset
        self.elementPath = elementPath
    }

    /// The location (file, byte, element path) followed by the message.
    public var description: String {
        var where_: [String] = []
        if let file { where_.append(file) }
        if let offset { where_.append("byte \(offset)") }
        if let elementPath, !elementPath.isEmpty { where_.append(elementPath) }
        return where_.isEmpty ? message : "\(where_.joined(separator: ", ")): \(message)"
    }

    /// The same error with the file name filled in (when it was not already).
    public func inFile(_ path: String) -> DICOMError {
        var e = self
        if e.file == nil { e.file = path }
        return e
    }
}
