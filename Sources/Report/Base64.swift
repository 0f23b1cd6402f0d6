import Foundation

/// Base64 (RFC 4648) for data URIs.
enum Base64 {
    static func encode(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
