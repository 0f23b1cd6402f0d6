import Cluster
import Foundation

/// The wire decoder as a libFuzzer target (docs/protocol.md: the decoder takes untrusted frames).
/// An input is a frame list packed as the job store packs it (`FramePacking`: each frame a UInt32
/// little-endian length, then its bytes); the first frame gets the magic and the current version in
/// front, so the fuzzer spends its time on kinds and fields, not on finding the magic. Whatever
/// decodes must encode and decode back to itself; anything else must be refused with a `WireError`,
/// never a trap.
///
/// Built with `make fuzz-wire` (`-sanitize=fuzzer -D FUZZING`) it runs under libFuzzer; built
/// plainly it replays input files given as arguments (a crash found by the fuzzer, a corpus).
enum WireFuzz {
    /// Magic and version: the first six bytes of any message's first frame.
    static let prefix = Array(WireCodec.encode(.heartbeat)[0].prefix(6))

    /// Checks one input; traps on a round-trip mismatch (a decoder bug the fuzzer reports).
    static func check(_ bytes: [UInt8]) {
        guard var frames = try? FramePacking.unpack(bytes), !frames.isEmpty else { return }
        frames[0] = prefix + frames[0]
        guard let message = try? WireCodec.decode(frames) else { return }
        let again: WireMessage
        do {
            again = try WireCodec.decode(WireCodec.encode(message))
        } catch {
            fatalError("\(message) decoded, but its own encoding is refused: \(error)")
        }
        precondition(again == message, "\(message) does not survive encode → decode")
    }
}

/// libFuzzer's driver (compiler-rt; linked with `-sanitize=fuzzer`), called from this program's own
/// `main`: SwiftPM names an executable's entry point itself, so libFuzzer's `main` is not used.
#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    WireFuzz.check(data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? [])
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
private func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt
#endif

@main
enum WireFuzzMain {
    static func main() throws {
        #if FUZZING
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(runFuzzerDriver(&argc, &argv, fuzzOne))
        #else
        for path in CommandLine.arguments.dropFirst() {
            WireFuzz.check(Array(try Data(contentsOf: URL(fileURLWithPath: path))))
            print("\(path): ok")
        }
        #endif
    }
}
