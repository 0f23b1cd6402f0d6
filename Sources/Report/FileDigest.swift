import Crypto
import Foundation

/// SHA-256 of input files, recorded in reports and summaries so that a result can be traced to the exact
/// files it came from (swift-crypto's FIPS 180-4 implementation).
public enum FileDigest {
    /// The SHA-256 of some bytes as 64 lowercase hexadecimal digits.
    public static func sha256Hex(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// The SHA-256 of a file's contents as 64 lowercase hexadecimal digits.
    /// - Throws: the file-system error when the file cannot be read.
    public static func sha256Hex(contentsOf url: URL) throws -> String { sha256Hex(try Data(contentsOf: url)) }
}
