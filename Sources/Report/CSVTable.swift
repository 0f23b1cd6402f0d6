import Foundation

/// A table written as CSV (RFC 4180: comma-separated, CRLF line ends, fields with commas, quotes or
/// line breaks quoted, quotes doubled).
public struct CSVTable: Sendable, Equatable {
    /// Column names.
    public let header: [String]
    /// Rows, each with one field per column.
    public let rows: [[String]]

    /// Creates a table.
    /// - Precondition: every row has as many fields as the header.
    public init(header: [String], rows: [[String]]) {
        precondition(rows.allSatisfy { $0.count == header.count }, "every CSV row needs one field per column")
        self.header = header
        self.rows = rows
    }

    /// The CSV text.
    public var text: String {
        ([header] + rows).map { $0.map(Self.quote).joined(separator: ",") + "\r\n" }.joined()
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// A number with a fixed number of decimals, or an empty field for nil.
    public static func number(_ value: Double?, decimals: Int = 3) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.\(decimals)f", value)
    }
}
