import FileIO
import Foundation
import Geometry

/// Reading and writing EGSnrc `.egsphant` voxel phantoms (the format DOSXYZnrc and ctcreate use).
///
/// Layout (DOSXYZnrc manual, NRCC PIRS-794, "phantom file" section), all free-format text:
/// 1. the number of media;
/// 2. one medium name per line;
/// 3. one ESTEPE value per medium (ignored by DOSXYZnrc since EGSnrc; kept on write as 0.25);
/// 4. `nx ny nz`;
/// 5. the `nx+1`, `ny+1`, `nz+1` voxel boundaries in cm;
/// 6. for each z slice, `ny` lines of `nx` medium characters (`1`–`9`, then `A`–`Z`, `a`–`z`), a blank
///    line after each slice;
/// 7. for each z slice, `ny·nx` densities in g/cm³ (x fastest).
///
/// Penumbra's grids are uniformly spaced (`VoxelGrid`), so boundaries must be equally spaced to
/// within 10⁻⁴ cm (the 4-decimal precision ctcreate writes them with).
public enum EGSPhantomFile {
    /// The characters that number media 1, 2, … in the medium map.
    static let mediumCharacters: [Character] = Array("123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// Boundary spacing tolerance in cm: ctcreate prints boundaries with 4 decimals.
    static let spacingToleranceCM = 1e-4

    /// Reads an `.egsphant` file.
    /// - Throws: `EGSPhantomError` naming the file, the section and what to fix.
    public static func read(_ url: URL) throws -> VoxelPhantom {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw EGSPhantomError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try parse(bytes: [UInt8](data), file: url.path)
    }

    /// Parses the text of an `.egsphant` file; `file` names it in error messages.
    public static func parse(_ text: String, file: String = "<text>") throws -> VoxelPhantom {
        try parse(bytes: Array(text.utf8), file: file)
    }

    /// Parses the UTF-8 bytes of an `.egsphant` file. Works on bytes, not `Character`s: a 223 260-voxel
    /// phantom's parsing was ≈ 6 % of a 300 000-history run (docs/performance.md, profile 8).
    static func parse(bytes: [UInt8], file: String) throws -> VoxelPhantom {
        var lines = LineCursor(bytes: bytes, file: file)
        let mediaCount = try lines.nextInt(section: "number of media")
        guard mediaCount >= 1, mediaCount <= mediumCharacters.count else {
            throw EGSPhantomError.badValue(file: file, section: "number of media", value: "\(mediaCount)",
                                           expected: "1 to \(mediumCharacters.count)")
        }
        var media: [String] = []
        for m in 0..<mediaCount {
            let name = try lines.nextNonEmptyLine(section: "medium name \(m + 1) of \(mediaCount)")
                .trimmingCharacters(in: .whitespaces)
            media.append(name)
        }
        // ESTEPE values: one per medium, possibly over several lines.
        _ = try lines.nextNumbers(count: mediaCount, section: "ESTEPE values")
        let counts = try lines.nextNumbers(count: 3, section: "voxel counts nx ny nz")
        guard counts.allSatisfy({ $0 >= 1 && $0 == $0.rounded() && $0 < 100_000 }) else {
            throw EGSPhantomError.badValue(file: file, section: "voxel counts nx ny nz",
                                           value: counts.map { "\($0)" }.joined(separator: " "),
                                           expected: "three positive integers")
        }
        let (nx, ny, nz) = (Int(counts[0]), Int(counts[1]), Int(counts[2]))
        let xb = try lines.nextNumbers(count: nx + 1, section: "x boundaries")
        let yb = try lines.nextNumbers(count: ny + 1, section: "y boundaries")
        let zb = try lines.nextNumbers(count: nz + 1, section: "z boundaries")
        let spacing = Vec3(
            try uniformSpacing(xb, axis: "x", file: file),
            try uniformSpacing(yb, axis: "y", file: file),
            try uniformSpacing(zb, axis: "z", file: file))
        let grid = VoxelGrid(counts: (nx, ny, nz), originCM: Vec3(xb[0], yb[0], zb[0]), spacingCM: spacing)

        var indices = [UInt8](repeating: 0, count: grid.voxelCount)
        let mediumOfByte = Self.mediumOfByte(mediaCount: mediaCount)
        for k in 0..<nz {
            for j in 0..<ny {
                let section = "medium map, slice \(k + 1), row \(j + 1)"
                let raw = try lines.nextNonEmptyLineBytes(section: section)
                if let row = LineCursor.trimmedASCII(raw), row.count == nx, row.allSatisfy({ mediumOfByte[Int($0)] != 0xFF }) {
                    let start = grid.index(0, j, k)
                    for (i, byte) in row.enumerated() { indices[start + i] = mediumOfByte[Int(byte)] }
                    continue
                }
                // A row that is not plain ASCII of the right length and media: the character-wise reading,
                // which names the error (and reads non-ASCII whitespace as the text reader did).
                let row = LineCursor.trimmed(raw).trimmingCharacters(in: .whitespaces)
                guard row.count == nx else {
                    throw EGSPhantomError.badMediumRow(file: file, line: lines.lineNumber, slice: k + 1, row: j + 1,
                                                       found: row.count, expected: nx)
                }
                for (i, ch) in row.enumerated() {
                    guard let m = mediumCharacters.firstIndex(of: ch), m < mediaCount else {
                        throw EGSPhantomError.unknownMediumCharacter(file: file, line: lines.lineNumber,
                                                                     character: ch, mediaCount: mediaCount)
                    }
                    indices[grid.index(i, j, k)] = UInt8(m)
                }
            }
        }
        let densities = try lines.nextNumbers(count: grid.voxelCount, section: "densities")
        if let bad = densities.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            let (i, j, k) = grid.ijk(ofIndex: bad)
            throw EGSPhantomError.badDensity(file: file, voxel: (i, j, k), value: densities[bad])
        }
        if let extra = lines.nextToken() {
            throw EGSPhantomError.trailingData(file: file, line: lines.lineNumber, token: String(decoding: extra, as: UTF8.self))
        }
        return try VoxelPhantom(grid: grid, media: media, mediumIndices: indices,
                                densitiesGPerCM3: densities.map { Float($0) })
    }

    /// The `.egsphant` text of a phantom.
    public static func format(_ phantom: VoxelPhantom) throws -> String {
        guard phantom.media.count <= mediumCharacters.count else {
            throw EGSPhantomError.badValue(file: "<output>", section: "number of media", value: "\(phantom.media.count)",
                                           expected: "at most \(mediumCharacters.count) for the .egsphant format")
        }
        let g = phantom.grid
        var out = "\(phantom.media.count)\n"
        for name in phantom.media { out += name + "\n" }
        out += Array(repeating: "0.25", count: phantom.media.count).joined(separator: " ") + "\n"
        out += "\(g.counts.x) \(g.counts.y) \(g.counts.z)\n"
        for bounds in [g.xBoundariesCM, g.yBoundariesCM, g.zBoundariesCM] {
            out += wrapped(bounds.map { String(format: "%.6f", $0) })
        }
        for k in 0..<g.counts.z {
            for j in 0..<g.counts.y {
                var row = ""
                for i in 0..<g.counts.x { row.append(mediumCharacters[Int(phantom.mediumIndices[g.index(i, j, k)])]) }
                out += row + "\n"
            }
            out += "\n"
        }
        for k in 0..<g.counts.z {
            for j in 0..<g.counts.y {
                let start = g.index(0, j, k)
                // %.9g keeps every Float digit so that a round trip is exact.
                out += (start..<(start + g.counts.x)).map { String(format: "%.9g", Double(phantom.densitiesGPerCM3[$0])) }
                    .joined(separator: " ") + "\n"
            }
            out += "\n"
        }
        return out
    }

    /// Writes a phantom to `url` through a temporary file and a rename, so a failure leaves no partial file.
    public static func write(_ phantom: VoxelPhantom, to url: URL) throws {
        try AtomicFile.write(Data(try format(phantom).utf8), to: url)
    }

    // MARK: - Helpers

    /// The medium index of each byte value for a file of `mediaCount` media; 0xFF where the byte names none.
    private static func mediumOfByte(mediaCount: Int) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (m, ch) in mediumCharacters.prefix(mediaCount).enumerated() { table[Int(ch.asciiValue!)] = UInt8(m) }
        return table
    }

    private static func wrapped(_ values: [String]) -> String {
        stride(from: 0, to: values.count, by: 10).map { values[$0..<min($0 + 10, values.count)].joined(separator: " ") }
            .joined(separator: "\n") + "\n"
    }

    private static func uniformSpacing(_ b: [Double], axis: String, file: String) throws -> Double {
        let d = (b[b.count - 1] - b[0]) / Double(b.count - 1)
        guard d > 0 else {
            throw EGSPhantomError.badBoundaries(file: file, axis: axis, reason: "boundaries must increase")
        }
        for n in 1..<b.count where abs(b[n] - b[n - 1] - d) > spacingToleranceCM {
            throw EGSPhantomError.badBoundaries(
                file: file, axis: axis,
                reason: "voxel \(n) is \(b[n] - b[n - 1]) cm wide but the mean width is \(d) cm; Penumbra needs equal spacing")
        }
        return d
    }
}

/// A cursor over the lines and whitespace-separated tokens of a text file, on its UTF-8 bytes.
///
/// Lines end at "\n" (a final line without one counts, and so does the empty line after a final "\n");
/// tokens are separated by spaces, tabs, commas and "\r". Reading a token moves to the next line when the
/// current one has none left; reading a line drops the current line's unread tokens.
struct LineCursor {
    private let bytes: [UInt8]
    /// Where the next unread line starts; nil after the last line.
    private var nextLineStart: Int? = 0
    /// The unread part of the current line's tokens.
    private var tokenPosition = 0
    private var tokenLineEnd = 0
    private var line = 0
    let file: String

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// The 1-based number of the line last read.
    var lineNumber: Int { line }

    /// The next whole line's bytes (without its "\n"), or nil after the last.
    private mutating func nextLine() -> ArraySlice<UInt8>? {
        guard let start = nextLineStart else { return nil }
        let end = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
        nextLineStart = end < bytes.count ? end + 1 : nil
        line += 1
        return bytes[start..<end]
    }

    /// ASCII whitespace as Foundation's `whitespacesAndNewlines` counts it.
    static func isASCIIWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// `raw` without leading and trailing whitespace, or nil if it holds a non-ASCII byte (whose whitespace
    /// only `trimmed` knows).
    static func trimmedASCII(_ raw: ArraySlice<UInt8>) -> ArraySlice<UInt8>? {
        guard raw.allSatisfy({ $0 < 0x80 }) else { return nil }
        guard let first = raw.firstIndex(where: { !isASCIIWhitespace($0) }) else { return raw[raw.startIndex..<raw.startIndex] }
        let last = raw.lastIndex(where: { !isASCIIWhitespace($0) })!
        return raw[first...last]
    }

    /// `raw` as text without leading and trailing whitespace and newlines (Unicode's).
    static func trimmed(_ raw: ArraySlice<UInt8>) -> String {
        String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The next line that is not blank, untrimmed (discarding unread tokens of the current one).
    mutating func nextNonEmptyLineBytes(section: String) throws -> ArraySlice<UInt8> {
        tokenPosition = tokenLineEnd
        while let raw = nextLine() {
            if let ascii = Self.trimmedASCII(raw) {
                if !ascii.isEmpty { return raw }
            } else if !Self.trimmed(raw).isEmpty {
                return raw
            }
        }
        throw EGSPhantomError.truncated(file: file, section: section)
    }

    /// The next non-blank line, trimmed (discarding unread tokens of the current one).
    mutating func nextNonEmptyLine(section: String) throws -> Substring {
        Substring(Self.trimmed(try nextNonEmptyLineBytes(section: section)))
    }

    static func isSeparator(_ b: UInt8) -> Bool {
        b == UInt8(ascii: " ") || b == UInt8(ascii: "\t") || b == UInt8(ascii: ",") || b == UInt8(ascii: "\r")
    }

    /// The next whitespace- or comma-separated token, or nil at the end of the file.
    mutating func nextToken() -> ArraySlice<UInt8>? {
        while true {
            while tokenPosition < tokenLineEnd && Self.isSeparator(bytes[tokenPosition]) { tokenPosition += 1 }
            if tokenPosition < tokenLineEnd { break }
            guard let raw = nextLine() else { return nil }
            (tokenPosition, tokenLineEnd) = (raw.startIndex, raw.endIndex)
        }
        let start = tokenPosition
        while tokenPosition < tokenLineEnd && !Self.isSeparator(bytes[tokenPosition]) { tokenPosition += 1 }
        return bytes[start..<tokenPosition]
    }

    mutating func nextNumbers(count: Int, section: String) throws -> [Double] {
        var values: [Double] = []
        values.reserveCapacity(count)
        for n in 0..<count {
            guard let t = nextToken() else {
                throw EGSPhantomError.truncated(file: file, section: "\(section) (read \(n) of \(count))")
            }
            guard let v = DecimalToken.value(t) ?? Double(String(decoding: t, as: UTF8.self)) else {
                throw EGSPhantomError.notANumber(file: file, line: line, section: section,
                                                 token: String(decoding: t, as: UTF8.self))
            }
            values.append(v)
        }
        return values
    }

    mutating func nextInt(section: String) throws -> Int {
        guard let t = nextToken() else { throw EGSPhantomError.truncated(file: file, section: section) }
        guard let v = Int(String(decoding: t, as: UTF8.self)) else {
            throw EGSPhantomError.notANumber(file: file, line: line, section: section,
                                             token: String(decoding: t, as: UTF8.self))
        }
        return v
    }
}

/// Why an `.egsphant` file could not be read.
public enum EGSPhantomError: Error, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case truncated(file: String, section: String)
    case notANumber(file: String, line: Int, section: String, token: String)
    case badValue(file: String, section: String, value: String, expected: String)
    case badBoundaries(file: String, axis: String, reason: String)
    case badMediumRow(file: String, line: Int, slice: Int, row: Int, found: Int, expected: Int)
    case unknownMediumCharacter(file: String, line: Int, character: Character, mediaCount: Int)
    case badDensity(file: String, voxel: (Int, Int, Int), value: Double)
    case trailingData(file: String, line: Int, token: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): "cannot read phantom \(f): \(r)"
        case .truncated(let f, let s): "phantom \(f) ends early, in the \(s); the file is truncated or its counts are wrong"
        case .notANumber(let f, let l, let s, let t): "phantom \(f) line \(l): '\(t)' in the \(s) is not a number"
        case .badValue(let f, let s, let v, let e): "phantom \(f): \(s) is \(v), expected \(e)"
        case .badBoundaries(let f, let a, let r): "phantom \(f): \(a) boundaries: \(r)"
        case .badMediumRow(let f, let l, let k, let j, let n, let e):
            "phantom \(f) line \(l): medium map slice \(k) row \(j) has \(n) characters, expected nx = \(e)"
        case .unknownMediumCharacter(let f, let l, let c, let n):
            "phantom \(f) line \(l): medium character '\(c)' does not name one of the \(n) media listed at the top "
                + "(valid: \(String(EGSPhantomFile.mediumCharacters.prefix(n))))"
        case .badDensity(let f, let v, let d):
            "phantom \(f): voxel (\(v.0), \(v.1), \(v.2)) has density \(d) g/cm³; densities must be finite and ≥ 0"
        case .trailingData(let f, let l, let t):
            "phantom \(f) line \(l): unexpected '\(t)' after the last density; the counts do not match the data"
        }
    }
}
