/// One element of a data set: a tag, its VR and its value (PS3.5 §7.1).
///
/// Binary values are held little endian whatever the file's byte order (the reader swaps big-endian
/// values by their VR's unit size, PS3.5 §7.3), so accessors never look at the source encoding.
public struct DataElement: Sendable {
    /// The element's tag.
    public let tag: Tag
    /// The element's VR (from the file if explicit, else from the dictionary).
    public var vr: VR
    /// The element's value.
    public var value: Value

    /// An element's value: raw bytes, or the items of a sequence.
    public enum Value: Sendable {
        /// The value bytes without padding removed (little endian for binary VRs).
        case bytes([UInt8])
        /// The items of a sequence (VR SQ), each a nested data set.
        case sequence([DataSet])
    }

    /// Creates an element.
    public init(tag: Tag, vr: VR, value: Value) {
        self.tag = tag
        self.vr = vr
        self.value = value
    }

    /// The value bytes, or nil for a sequence.
    public var bytes: [UInt8]? {
        if case .bytes(let b) = value { return b }
        return nil
    }

    /// The items, or nil when this is not a sequence.
    public var items: [DataSet]? {
        if case .sequence(let s) = value { return s }
        return nil
    }
}
