import Foundation

/// Writes output files whole or not at all (DESIGN.md invariant 4): a failed run never leaves a
/// half-written RT Dose, `.3ddose`, checkpoint or report behind.
///
/// The bytes go to a temporary file beside the destination, are flushed to disk, and the temporary file
/// is renamed over the destination with rename(2), which POSIX makes atomic within one file system.
/// (Foundation's `replaceItemAt` is not used: on Linux it fails when the destination already exists.)
public enum AtomicFile {
    /// Writes `bytes` to `url` atomically, replacing any existing file.
    /// - Throws: `AtomicFileError` naming the file and the system's reason; the temporary file is removed.
    public static func write(_ bytes: some Collection<UInt8>, to url: URL) throws(AtomicFileError) {
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).tmp-\(UUID().uuidString)")
        do {
            guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
                throw AtomicFileError(path: url.path, reason: "cannot create a temporary file in its folder")
            }
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            // Contiguous bytes (an array, `Data`) are written as they are; copying them into a new `Data`
            // went byte by byte through the generic initialiser (docs/performance.md session 8).
            let written = try bytes.withContiguousStorageIfAvailable { try handle.write(contentsOf: UnsafeRawBufferPointer($0)) }
            if written == nil { try handle.write(contentsOf: Data(bytes)) }
            try handle.synchronize()
            guard rename(temporary.path, url.path) == 0 else {
                throw AtomicFileError(path: url.path, reason: String(cString: strerror(errno)))
            }
        } catch let error as AtomicFileError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw AtomicFileError(path: url.path, reason: error.localizedDescription)
        }
    }

    /// Writes UTF-8 text to `url` atomically.
    /// - Throws: `AtomicFileError` naming the file.
    public static func write(text: String, to url: URL) throws(AtomicFileError) {
        try write(Array(text.utf8), to: url)
    }
}

/// Why an output file could not be written.
public struct AtomicFileError: Error, Equatable, CustomStringConvertible {
    /// The file that was being written.
    public let path: String
    /// The system's reason.
    public let reason: String

    public var description: String {
        "cannot write \(path): \(reason); check that the folder exists, is writable and has free space"
    }
}
