import ArgumentParser
import Cluster
import FileIO
import Foundation
import ZeroMQ

/// `penumbra keygen`: makes a CURVE key pair for a coordinator, worker or client.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Make a CURVE key pair: NAME.key (secret, mode 0600) and NAME.pub (public) in a directory.",
        discussion: """
            Give the coordinator its NAME.key with --curve-secret-key-file and every peer the coordinator's \
            NAME.pub content with --server-key; list the workers' and clients' public keys in the file named by \
            the coordinator's --allowed-keys.
            """)

    @Argument(help: "The base name of the two files.")
    var name: String

    @Option(name: .long, help: "The directory to write into (created if missing).")
    var out = "."

    @OptionGroup var logging: LoggingOptions

    func run() throws {
        logging.bootstrap()
        let directory = URL(fileURLWithPath: out)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let secretURL = directory.appendingPathComponent("\(name).key")
        guard !FileManager.default.fileExists(atPath: secretURL.path) else {
            throw ValidationError("\(secretURL.path) exists; remove it first to replace the key pair")
        }
        let keys = try CurveKeyPair.generate()
        // The secret key file is created private before any byte is written.
        let temporary = directory.appendingPathComponent(".\(name).key.tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: 0o600]) else {
            throw ValidationError("cannot write into \(directory.path)")
        }
        try Data((keys.secretKey + "\n").utf8).write(to: temporary)
        try FileManager.default.moveItem(at: temporary, to: secretURL)
        try AtomicFile.write(Array((keys.publicKey + "\n").utf8), to: directory.appendingPathComponent("\(name).pub"))
        print(keys.publicKey)
    }
}
