import Foundation

/// Writes files so that readers never see a partial one (DESIGN.md invariant 4).
public enum AtomicFile {
    /// Writes `data` to a temporary file beside `url`, then renames it over `url`.
    /// - Throws: the underlying file-system error, after removing the temporary file.
    public static func write(_ data: Data, to url: URL) throws {
        let dir = url.deletingLastPathComponent()
        let tmp = dir.appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try data.write(to: tmp)
            // rename(2) replaces an existing file atomically; Foundation's replaceItemAt fails on Linux
            // when the destination exists ("The file doesn't exist").
            guard rename(tmp.path, url.path) == 0 else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: url.path])
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }
}
