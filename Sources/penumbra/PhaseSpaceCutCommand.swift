import ArgumentParser
import Foundation
import PhaseSpace

/// `penumbra phase-space cut`: keep some particle types and/or a rectangle of x, y.
struct PhaseSpaceCutCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cut",
        abstract: "Write the particles of chosen types inside a rectangle of x, y to a new phase space.",
        discussion: """
            The cut keeps the file's $ORIG_HISTORIES, so doses from it stay per original history. Negative \
            bounds need the = form: --box=-5,5,-5,5.
            """)

    @Argument(help: "The phase space to cut (.IAEAheader, .IAEAphsp or their base name).") var file: String
    @Option(help: "The new phase space (base name or either file name).") var out: String
    @Option(help: "Particle types to keep, comma-separated: photon, electron, positron (default: all).")
    var types: String?
    @Option(help: "Keep particles with X1 ≤ x ≤ X2 and Y1 ≤ y ≤ Y2, in cm: X1,X2,Y1,Y2.") var box: String?
    @OptionGroup var logging: LoggingOptions

    func validate() throws {
        _ = try parsedTypes()
        _ = try parsedBox()
        guard types != nil || box != nil else { throw ValidationError("give --types and/or --box: what to keep") }
    }

    func parsedTypes() throws -> Set<IAEAParticleType>? {
        guard let types else { return nil }
        let names = ["photon": IAEAParticleType.photon, "electron": .electron, "positron": .positron]
        return Set(
            try types.split(separator: ",").map {
                let name = $0.trimmingCharacters(in: .whitespaces).lowercased()
                guard let type = names[name] else {
                    throw ValidationError("--types: '\(name)' is not photon, electron or positron")
                }
                return type
            })
    }

    func parsedBox() throws -> (x: ClosedRange<Float>, y: ClosedRange<Float>)? {
        guard let box else { return nil }
        let v = box.split(separator: ",").compactMap { Float($0.trimmingCharacters(in: .whitespaces)) }
        guard v.count == 4, v[0] <= v[1], v[2] <= v[3], v.allSatisfy(\.isFinite) else {
            throw ValidationError("--box must be four numbers X1,X2,Y1,Y2 in cm with X1 ≤ X2 and Y1 ≤ Y2, got '\(box)'")
        }
        return (v[0]...v[1], v[2]...v[3])
    }

    func run() throws {
        logging.bootstrap()
        let types = try parsedTypes(), box = try parsedBox()
        let phsp = try IAEAPhaseSpaceFile(URL(fileURLWithPath: file))
        let header = try phsp.cut(to: URL(fileURLWithPath: out)) { p in
            (types?.contains(p.type) ?? true) && (box.map { $0.x.contains(p.xCM) && $0.y.contains(p.yCM) } ?? true)
        }
        print("kept \(header.particles) of \(phsp.particles) particles; $ORIG_HISTORIES \(header.originalHistories)")
    }
}
