import Foundation

/// A DICOM data set: elements keyed by tag (PS3.5 §7), with typed accessors.
///
/// Accessors return nil when an element is absent or empty (PS3.5 §7.4: a zero-length value is
/// "no value") and throw `DICOMError.Kind.invalidValue` when a value is present but cannot be read
/// as asked; the error names the tag.
public struct DataSet: Sendable {
    /// The elements, keyed by tag.
    public private(set) var elements: [Tag: DataElement] = [:]
    /// The character set text values are decoded with; items inherit their parent's (PS3.5 §6.1.2.5.2).
    public var characterSet: DICOMCharacterSet = .default

    /// Creates an empty data set.
    public init() {}

    /// The element with a tag, or nil.
    public subscript(tag: Tag) -> DataElement? {
        get { elements[tag] }
        set { elements[tag] = newValue }
    }

    /// Whether an element with this keyword is present.
    public func contains(_ keyword: String) -> Bool { elements[Tag.named(keyword)] != nil }

    /// Removes an element.
    public mutating func remove(_ tag: Tag) { elements[tag] = nil }

    /// The tags in ascending order (the order they are written in).
    public var sortedTags: [Tag] { elements.keys.sorted() }
}

// MARK: - Reading values

extension DataSet {
    /// The element for a keyword, or nil.
    public func element(_ keyword: String) -> DataElement? { elements[Tag.named(keyword)] }

    /// The raw value bytes for a tag, or nil when absent, empty or a sequence.
    public func bytes(_ tag: Tag) -> [UInt8]? {
        guard let b = elements[tag]?.bytes, !b.isEmpty else { return nil }
        return b
    }

    /// The text values of a string element, split at backslashes and with padding removed.
    public func strings(_ tag: Tag) -> [String]? {
        guard let element = elements[tag], let b = element.bytes, !b.isEmpty else { return nil }
        let text = characterSet.decode(b, vr: element.vr).text
        let parts =
            element.vr.allowsBackslashSeparatedValues
            ? text.split(separator: "\\", omittingEmptySubsequences: false).map(String.init) : [text]
        return parts.map { $0.trimmingSpaces() }
    }

    /// The text values for a keyword.
    public func strings(_ keyword: String) -> [String]? { strings(Tag.named(keyword)) }

    /// The first text value, or nil when absent or empty.
    public func string(_ keyword: String) -> String? { string(Tag.named(keyword)) }

    /// The first text value of a tag, or nil when absent or empty.
    public func string(_ tag: Tag) -> String? {
        guard let first = strings(tag)?.first, !first.isEmpty else { return nil }
        return first
    }

    /// Numeric values of a DS, IS, FL, FD, US, SS, UL or SL element.
    /// - Throws: `invalidValue` when a value is not a number.
    public func doubles(_ tag: Tag) throws -> [Double]? {
        guard let element = elements[tag], let b = element.bytes, !b.isEmpty else { return nil }
        switch element.vr {
        case .DS, .IS:
            guard let parts = strings(tag) else { return nil }
            return try parts.map { text in
                guard let v = Double(text), v.isFinite else {
                    throw DICOMError(
                        .invalidValue, "\(tag) holds '\(text)', which is not a number (\(element.vr.rawValue))")
                }
                return v
            }
        case .FD: return try binary(element, as: Double.self)
        case .FL: return try binary(element, as: Float.self).map(Double.init)
        case .US, .OW: return try binary(element, as: UInt16.self).map(Double.init)
        case .SS: return try binary(element, as: Int16.self).map(Double.init)
        case .UL: return try binary(element, as: UInt32.self).map(Double.init)
        case .SL: return try binary(element, as: Int32.self).map(Double.init)
        default:
            throw DICOMError(.invalidVR, "\(tag) has VR \(element.vr.rawValue), which is not numeric")
        }
    }

    /// Numeric values for a keyword.
    public func doubles(_ keyword: String) throws -> [Double]? { try doubles(Tag.named(keyword)) }

    /// The first numeric value for a keyword.
    public func double(_ keyword: String) throws -> Double? { try doubles(Tag.named(keyword))?.first }

    /// The first value for a keyword as an integer.
    /// - Throws: `invalidValue` when the value is not a whole number.
    public func int(_ keyword: String) throws -> Int? {
        let tag = Tag.named(keyword)
        guard let v = try doubles(tag)?.first else { return nil }
        guard v == v.rounded(), abs(v) < 1e15 else {
            throw DICOMError(.invalidValue, "\(tag) holds \(v), which is not a whole number")
        }
        return Int(v)
    }

    /// The items of a sequence for a keyword; nil when absent, empty when it has no items.
    /// - Throws: `invalidVR` when the element is not a sequence.
    public func sequence(_ keyword: String) throws -> [DataSet]? {
        let tag = Tag.named(keyword)
        guard let element = elements[tag] else { return nil }
        if let items = element.items { return items }
        if element.bytes?.isEmpty ?? true { return [] }
        throw DICOMError(.invalidVR, "\(tag) should be a sequence (SQ) but holds \(element.vr.rawValue) data")
    }

    /// The text value for a keyword, or a `missingAttribute` error naming what it is needed for.
    public func requiredString(_ keyword: String, for purpose: String) throws -> String {
        guard let s = string(keyword) else { throw DICOMError.missing(keyword, for: purpose) }
        return s
    }

    /// The numeric values for a keyword, or a `missingAttribute` error; optionally checks the count.
    public func requiredDoubles(_ keyword: String, count: Int? = nil, for purpose: String) throws -> [Double] {
        guard let v = try doubles(keyword) else { throw DICOMError.missing(keyword, for: purpose) }
        if let count, v.count != count {
            throw DICOMError(
                .invalidValue, "\(Tag.named(keyword)) has \(v.count) values where \(purpose) needs \(count)")
        }
        return v
    }

    /// The first numeric value for a keyword, or a `missingAttribute` error.
    public func requiredDouble(_ keyword: String, for purpose: String) throws -> Double {
        try requiredDoubles(keyword, for: purpose)[0]
    }

    /// The integer value for a keyword, or a `missingAttribute` error.
    public func requiredInt(_ keyword: String, for purpose: String) throws -> Int {
        guard let v = try int(keyword) else { throw DICOMError.missing(keyword, for: purpose) }
        return v
    }

    private func binary<T: FixedWidthInteger>(_ element: DataElement, as: T.Type) throws -> [T] {
        let b = element.bytes ?? []
        let size = MemoryLayout<T>.size
        guard b.count % size == 0 else {
            throw DICOMError(
                .invalidVR, "\(element.tag) (\(element.vr.rawValue)) has \(b.count) bytes, not a multiple of \(size)")
        }
        return stride(from: 0, to: b.count, by: size).map { start in
            var v: T = 0
            for k in 0..<size { v |= T(truncatingIfNeeded: b[start + k]) << (8 * k) }
            return v
        }
    }

    private func binary<T: BinaryFloatingPoint>(_ element: DataElement, as: T.Type) throws -> [T] {
        if T.self == Double.self {
            return try binary(element, as: UInt64.self).map { T(Double(bitPattern: $0)) }
        }
        return try binary(element, as: UInt32.self).map { T(Float(bitPattern: $0)) }
    }
}

extension DICOMError {
    static func missing(_ keyword: String, for purpose: String) -> DICOMError {
        DICOMError(.missingAttribute, "\(Tag.named(keyword)) is missing; \(purpose) needs it")
    }
}

// MARK: - Setting values

extension DataSet {
    /// Sets a string element (single or backslash-joined values) with the dictionary's VR.
    public mutating func set(_ keyword: String, _ values: String...) { set(keyword, strings: values) }

    /// Sets a string element from several values.
    public mutating func set(_ keyword: String, strings values: [String]) {
        let tag = Tag.named(keyword)
        let vr = DataDictionary.vr(for: tag)
        elements[tag] = DataElement(
            tag: tag, vr: vr, value: .bytes(characterSet.encode(values.joined(separator: "\\"))))
    }

    /// Sets a DS element (decimal strings of at most 16 characters, PS3.5 §6.2).
    public mutating func set(_ keyword: String, decimals values: [Double]) {
        set(keyword, strings: values.map(Self.decimalString))
    }

    /// Sets an IS element (integer strings).
    public mutating func set(_ keyword: String, integers values: [Int]) {
        set(keyword, strings: values.map(String.init))
    }

    /// Sets a US element.
    public mutating func set(_ keyword: String, uint16 values: [UInt16]) {
        let tag = Tag.named(keyword)
        elements[tag] = DataElement(
            tag: tag, vr: .US, value: .bytes(values.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }))
    }

    /// Sets an AT element (a list of tags, PS3.5 §6.2: each as group then element, 16-bit each).
    public mutating func set(_ keyword: String, tags values: [Tag]) {
        let tag = Tag.named(keyword)
        let bytes = values.flatMap { t in
            [UInt8(t.group & 0xFF), UInt8(t.group >> 8), UInt8(t.element & 0xFF), UInt8(t.element >> 8)]
        }
        elements[tag] = DataElement(tag: tag, vr: .AT, value: .bytes(bytes))
    }

    /// Sets a sequence element.
    public mutating func set(_ keyword: String, items: [DataSet]) {
        let tag = Tag.named(keyword)
        elements[tag] = DataElement(tag: tag, vr: .SQ, value: .sequence(items))
    }

    /// Sets a binary element with an explicit VR (bytes little endian).
    public mutating func set(_ keyword: String, vr: VR, bytes: [UInt8]) {
        let tag = Tag.named(keyword)
        elements[tag] = DataElement(tag: tag, vr: vr, value: .bytes(bytes))
    }

    /// A DS value of at most 16 characters (PS3.5 §6.2) that round-trips as closely as 16 characters allow.
    static func decimalString(_ value: Double) -> String {
        precondition(value.isFinite, "DS values must be finite; callers validate before writing")
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let shortest = "\(value)"
        if shortest.count <= 16, !shortest.contains("e") { return shortest }
        for precision in stride(from: 15, through: 1, by: -1) {
            let text = String(format: "%.\(precision)g", value)
            if text.count <= 16 { return text }
        }
        return "0"
    }
}
