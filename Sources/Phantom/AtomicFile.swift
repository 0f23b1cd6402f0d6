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
            if FileManager.default.fileExists(atPath: url.path) {
                _ = try FileManager.default.replaceItemAt(url, withItemAt: tmp)
            } else {
                try FileManager.default.moveItem(at: tmp, to: url)
            }
        } catch {
            try? FileManager.default.removeItem(at: tmp)
            throw error
        }
    }
}
