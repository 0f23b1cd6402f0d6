import FileIO
import Foundation

/// Writing result files: whole or not at all (a temporary file renamed into place).
public enum OutputFile {
    /// Writes bytes atomically, creating the parent folder if needed.
    /// - Throws: `ReportError.cannotWrite` naming the file.
    public static func write(_ data: Data, to url: URL) throws {
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try AtomicFile.write(data, to: url)
        } catch let error as AtomicFileError {
            throw ReportError.cannotWrite(path: url.path, reason: error.reason)
        } catch {
            throw ReportError.cannotWrite(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(_ text: String, to url: URL) throws {
        try write(Data(text.utf8), to: url)
    }

    /// Pretty-printed JSON with sorted keys (stable for diffs and overnight pipelines).
    public static func json<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }
}

/// Why a report output could not be made.
public enum ReportError: Error, Equatable, CustomStringConvertible {
    /// A file could not be written.
    case cannotWrite(path: String, reason: String)
    /// A plot has nothing to draw or a bad axis range.
    case badPlot(String)

    public var description: String {
        switch self {
        case .cannotWrite(let path, let reason): "cannot write \(path): \(reason); check the folder exists and is writable"
        case .badPlot(let reason): "cannot draw the plot: \(reason)"
        }
    }
}
