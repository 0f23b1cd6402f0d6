import Foundation

/// The ASCII `.IAEAheader` of an IAEA phase space (Capote et al., INDC(NDS)-0484, IAEA 2006).
///
/// The text is a list of sections, each opened by a line `$NAME:`; `//` starts a comment. The sections
/// that say how to read the records are parsed into `layout`, `originalHistories`, `particles` and
/// `particleCounts`; every other section (`$IAEA_INDEX`, `$TITLE`, `$COORDINATE_SYSTEM_DESCRIPTION`,
/// statistics, …) is kept verbatim in `otherSections` so that a header written back keeps them.
public struct IAEAHeader: Sendable, Equatable {
    /// A section this reader does not interpret: its name (without `$` and `:`) and its text.
    public struct Section: Sendable, Equatable {
        /// The section's name, without `$` and `:`.
        public var name: String
        /// The lines after the name, verbatim.
        public var text: String

        /// Creates a section.
        public init(name: String, text: String) {
            self.name = name
            self.text = text
        }
    }

    /// What a record holds and how its bytes are laid out.
    public var layout: IAEARecordLayout
    /// `$ORIG_HISTORIES`: the number of histories of the simulation that scored the phase space,
    /// including those that left no particle in it.
    public var originalHistories: UInt64
    /// `$PARTICLES`: the number of records.
    public var particles: UInt64
    /// `$PHOTONS`, `$ELECTRONS`, …: the declared count of each particle type (absent types are absent).
    public var particleCounts: [IAEAParticleType: UInt64]
    /// `$CHECKSUM` as written (the library's record length × particles, which 32-bit writers overflow), or nil.
    public var checksum: UInt64?
    /// The other sections, in file order.
    public var otherSections: [Section]

    /// Creates a header.
    public init(
        layout: IAEARecordLayout, originalHistories: UInt64, particles: UInt64,
        particleCounts: [IAEAParticleType: UInt64] = [:], checksum: UInt64? = nil, otherSections: [Section] = []
    ) {
        self.layout = layout
        self.originalHistories = originalHistories
        self.particles = particles
        self.particleCounts = particleCounts
        self.checksum = checksum
        self.otherSections = otherSections
    }

    /// The sections the structure of the file depends on (parsed, never kept as text).
    static let structuralSections: Set<String> = [
        "FILE_TYPE", "CHECKSUM", "RECORD_CONTENTS", "RECORD_CONSTANT", "RECORD_LENGTH", "BYTE_ORDER",
        "ORIG_HISTORIES", "PARTICLES", "PHOTONS", "ELECTRONS", "POSITRONS", "NEUTRONS", "PROTONS",
    ]

    /// The text of section `name` among `otherSections`, trimmed, or nil.
    public func section(_ name: String) -> String? {
        otherSections.first { $0.name == name }?.text.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

// MARK: - Parsing

extension IAEAHeader {
    /// Parses header text.
    /// - Parameter file: the header's name, for messages.
    /// - Throws: `PhaseSpaceError.badHeader` for a missing or malformed mandatory section,
    ///   `.unsupported` for a generator file, an unknown byte order or unknown extra types.
    public static func parse(_ text: String, file: String) throws(PhaseSpaceError) -> IAEAHeader {
        var sections: [(name: String, lines: [String])] = []
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            let line = String(rawLine)
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if trimmed.hasPrefix("$"), let colon = trimmed.firstIndex(of: ":") {
                let name = String(trimmed[trimmed.index(after: trimmed.startIndex)..<colon]).trimmingCharacters(
                    in: .whitespacesAndNewlines)
                let rest = String(trimmed[trimmed.index(after: colon)...])
                sections.append((name, rest.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? [] : [rest]))
            } else if !sections.isEmpty {
                sections[sections.count - 1].lines.append(line)
            }
        }
        var byName: [String: [String]] = [:]
        for s in sections where byName[s.name] == nil { byName[s.name] = s.lines }

        func required(_ name: String, _ hint: String) throws(PhaseSpaceError) -> [String] {
            guard let lines = byName[name] else {
                throw .badHeader(file: file, "the mandatory section $\(name): is missing; \(hint)")
            }
            return lines
        }
        func integers(_ name: String, _ lines: [String]) throws(PhaseSpaceError) -> [Int64] {
            var values: [Int64] = []
            for token in lines.flatMap({ tokens($0) }) {
                guard let v = Int64(token) else {
                    throw .badHeader(file: file, "section $\(name): '\(token)' is not an integer")
                }
                values.append(v)
            }
            return values
        }
        func count(_ name: String, _ lines: [String]) throws(PhaseSpaceError) -> UInt64 {
            let values = try integers(name, lines)
            guard let first = values.first, first >= 0 else {
                throw .badHeader(
                    file: file,
                    "section $\(name): expected one non-negative integer, found "
                        + "'\(lines.joined(separator: " ").trimmingCharacters(in: .whitespacesAndNewlines))'")
            }
            return UInt64(first)
        }

        let fileType = try count(
            "FILE_TYPE", try required("FILE_TYPE", "add '$FILE_TYPE:' with 0 (a phase-space file)"))
        guard fileType == 0 else {
            throw .unsupported(
                file: file,
                "$FILE_TYPE is \(fileType) (an event generator); only phase-space files "
                    + "(FILE_TYPE 0) can be read: convert the generator's output to a phase-space file")
        }
        let contentsLines = try required(
            "RECORD_CONTENTS", "it lists which of x, y, z, u, v, w, weight are stored and the extra floats and longs")
        let contents = try integers("RECORD_CONTENTS", contentsLines)
        guard contents.count >= 9 else {
            throw .badHeader(
                file: file,
                "$RECORD_CONTENTS holds \(contents.count) integers; it needs 9 (stored flags "
                    + "of x, y, z, u, v, w, weight, then the numbers of extra floats and of extra longs)")
        }
        for (i, name) in ["x", "y", "z", "u", "v", "w", "weight"].enumerated() where !(0...1).contains(contents[i]) {
            throw .badHeader(
                file: file, "$RECORD_CONTENTS: the stored flag of \(name) is \(contents[i]); it must be 0 or 1")
        }
        let floatCount = Int(contents[7]), longCount = Int(contents[8])
        guard (0...64).contains(floatCount), (0...64).contains(longCount) else {
            throw .badHeader(
                file: file,
                "$RECORD_CONTENTS declares \(floatCount) extra floats and \(longCount) extra "
                    + "longs; each must be 0…64")
        }
        var layout = IAEARecordLayout()
        layout.storesX = contents[0] == 1
        layout.storesY = contents[1] == 1
        layout.storesZ = contents[2] == 1
        layout.storesU = contents[3] == 1
        layout.storesV = contents[4] == 1
        layout.storesWeight = contents[6] == 1
        let typeCodes = Array(contents.dropFirst(9))
        if typeCodes.isEmpty {
            // Headers of the 2006 library list no extra types: the extras are of the generic type.
            layout.extraFloats = Array(repeating: .generic, count: floatCount)
            layout.extraLongs = Array(repeating: .generic, count: longCount)
        } else {
            guard typeCodes.count == floatCount + longCount else {
                throw .badHeader(
                    file: file,
                    "$RECORD_CONTENTS lists \(typeCodes.count) extra types after its 9 counts; "
                        + "it declares \(floatCount) extra floats and \(longCount) extra longs, so it needs "
                        + "\(floatCount + longCount) (or none)")
            }
            layout.extraFloats = try typeCodes.prefix(floatCount).map { (code) throws(PhaseSpaceError) in
                guard let t = IAEAExtraFloatType(rawValue: Int(code)) else {
                    throw .unsupported(
                        file: file,
                        "unknown extra float type \(code) in $RECORD_CONTENTS (known: 0 generic, "
                            + "1 XLAST, 2 YLAST, 3 ZLAST)")
                }
                return t
            }
            layout.extraLongs = try typeCodes.suffix(longCount).map { (code) throws(PhaseSpaceError) in
                guard let t = IAEAExtraLongType(rawValue: Int(code)) else {
                    throw .unsupported(
                        file: file,
                        "unknown extra long type \(code) in $RECORD_CONTENTS (known: 0 generic, "
                            + "1 incremental history number, 2 EGS LATCH, 3…7 PENELOPE ILB5…ILB1)")
                }
                return t
            }
        }
        try assignConstants(&layout, flags: contents, lines: byName["RECORD_CONSTANT"], file: file)

        let declaredLength = try count("RECORD_LENGTH", try required("RECORD_LENGTH", "add the record length in bytes"))
        guard declaredLength == UInt64(layout.recordLength) else {
            throw .unsupported(
                file: file,
                "$RECORD_LENGTH is \(declaredLength) bytes but $RECORD_CONTENTS implies "
                    + "\(layout.recordLength) (1 type byte, 4-byte energy, \(layout.storedFloatCount) floats and "
                    + "\(layout.extraLongs.count) 4-byte longs); the record contents are unknown to this reader: check the "
                    + "header against the file's writer")
        }
        let order = try count("BYTE_ORDER", try required("BYTE_ORDER", "add 1234 (little endian) or 4321 (big endian)"))
        guard let byteOrder = IAEAByteOrder(rawValue: Int(order)) else {
            throw .unsupported(
                file: file,
                "$BYTE_ORDER \(order) is not supported; it must be 1234 (little endian) or "
                    + "4321 (big endian)")
        }
        layout.byteOrder = byteOrder

        let original = try count(
            "ORIG_HISTORIES", try required("ORIG_HISTORIES", "add the number of original histories"))
        let particles = try count("PARTICLES", try required("PARTICLES", "add the number of particles (records)"))
        var counts: [IAEAParticleType: UInt64] = [:]
        for type in IAEAParticleType.allCases {
            if let lines = byName[type.headerSection] { counts[type] = try count(type.headerSection, lines) }
        }
        if !counts.isEmpty {
            let sum = counts.values.reduce(0, &+)
            guard sum == particles else {
                throw .badHeader(
                    file: file,
                    "the particle counts per type add up to \(sum) but $PARTICLES is \(particles); "
                        + "correct the header's counts")
            }
        }
        let checksum: UInt64? = try byName["CHECKSUM"].map { (lines) throws(PhaseSpaceError) in
            try count("CHECKSUM", lines)
        }
        let others = sections.filter { !structuralSections.contains($0.name) }
            .map { Section(name: $0.name, text: $0.lines.joined(separator: "\n")) }
        return IAEAHeader(
            layout: layout, originalHistories: original, particles: particles, particleCounts: counts,
            checksum: checksum, otherSections: others)
    }

    /// Reads `$RECORD_CONSTANT`: one value for each of x, y, z, u, v, w, weight whose stored flag is 0, in
    /// that order. The value for w may be missing (w is always rebuilt from u and v).
    private static func assignConstants(
        _ layout: inout IAEARecordLayout, flags: [Int64], lines: [String]?,
        file: String
    ) throws(PhaseSpaceError) {
        let constantIndices = (0..<7).filter { flags[$0] == 0 }
        guard !constantIndices.isEmpty else { return }
        guard let lines else {
            throw .badHeader(
                file: file,
                "$RECORD_CONTENTS marks \(constantIndices.count) quantities as constant but "
                    + "the section $RECORD_CONSTANT: giving their values is missing")
        }
        var values: [Float] = []
        for token in lines.flatMap({ tokens($0) }) {
            guard let v = Float(token), v.isFinite else {
                throw .badHeader(file: file, "section $RECORD_CONSTANT: '\(token)' is not a finite number")
            }
            values.append(v)
        }
        var indices = constantIndices
        if values.count == indices.count - 1, flags[5] == 0 { indices.removeAll { $0 == 5 } }
        guard values.count == indices.count else {
            let names = constantIndices.map { ["x", "y", "z", "u", "v", "w", "weight"][$0] }
            throw .badHeader(
                file: file,
                "$RECORD_CONSTANT holds \(values.count) values but \(names.count) quantities "
                    + "are constant (\(names.joined(separator: ", "))): give one value per constant quantity, in that order"
            )
        }
        for (i, value) in zip(indices, values) {
            switch i {
            case 0: layout.constantXCM = value
            case 1: layout.constantYCM = value
            case 2: layout.constantZCM = value
            case 3: layout.constantU = value
            case 4: layout.constantV = value
            case 6: layout.constantWeight = value
            default: break  // w: rebuilt from u and v
            }
        }
    }

    /// The whitespace-separated tokens of a header line, without its `//` comment.
    static func tokens(_ line: String) -> [String] {
        let code = line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? line
        return code.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," || $0 == "\r" }).map(String.init)
    }
}

// MARK: - Writing

extension IAEAHeader {
    /// The header text, in the section order of the IAEA library's writer, with the library's comments.
    public func rendered() -> String {
        var out = ""
        func section(_ name: String, _ body: String) { out += "$\(name):\n\(body)\n\n" }
        let leading = ["IAEA_INDEX", "TITLE"]
        for name in leading { if let s = otherSections.first(where: { $0.name == name }) { section(name, s.text) } }
        section("FILE_TYPE", "0")
        section("CHECKSUM", "\(UInt64(layout.recordLength) &* particles)")
        let l = layout
        var contents = [
            (l.storesX, "X"), (l.storesY, "Y"), (l.storesZ, "Z"), (l.storesU, "U"), (l.storesV, "V"), (true, "W"),
            (l.storesWeight, "Weight"),
        ].map { "     \($0.0 ? 1 : 0)     // \($0.1) is stored ?" }
        contents.append("     \(l.extraFloats.count)     // Extra floats stored ?")
        contents.append("     \(l.extraLongs.count)     // Extra longs stored ?")
        contents += l.extraFloats.enumerated().map {
            "     \($0.element.rawValue)     // extra float \($0.offset): \($0.element)"
        }
        contents += l.extraLongs.enumerated().map {
            "     \($0.element.rawValue)     // extra long \($0.offset): \($0.element)"
        }
        section("RECORD_CONTENTS", contents.joined(separator: "\n"))
        let constants = [
            (l.storesX, l.constantXCM, "X"), (l.storesY, l.constantYCM, "Y"), (l.storesZ, l.constantZCM, "Z"),
            (l.storesU, l.constantU, "U"), (l.storesV, l.constantV, "V"), (l.storesWeight, l.constantWeight, "Weight"),
        ].filter { !$0.0 }.map { "     \($0.1)     // Constant \($0.2)" }
        section("RECORD_CONSTANT", constants.joined(separator: "\n"))
        section("RECORD_LENGTH", "\(l.recordLength)")
        section("BYTE_ORDER", "\(l.byteOrder.rawValue)")
        section("ORIG_HISTORIES", "\(originalHistories)")
        section("PARTICLES", "\(particles)")
        for type in IAEAParticleType.allCases {
            if let n = particleCounts[type], n > 0 { section(type.headerSection, "\(n)") }
        }
        for s in otherSections where !leading.contains(s.name) { section(s.name, s.text) }
        return out
    }
}
