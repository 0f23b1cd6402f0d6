import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An open IAEA phase space: its parsed header and its `.IAEAphsp` records, read on demand.
///
/// Opening reads only the header and checks that the data file holds exactly `$RECORD_LENGTH` ×
/// `$PARTICLES` bytes. Records are then read with `pread(2)` at explicit offsets, a chunk at a time, never
/// the whole file; `pread` moves no shared file position, so any number of threads can read at once.
public final class IAEAPhaseSpaceFile: Sendable {
    /// The parsed header.
    public let header: IAEAHeader
    /// The `.IAEAheader` file.
    public let headerURL: URL
    /// The `.IAEAphsp` file.
    public let dataURL: URL
    private let descriptor: Int32

    /// The bytes of one record.
    public var recordLength: Int { header.layout.recordLength }
    /// The number of records.
    public var particles: UInt64 { header.particles }

    /// The header and data files of a phase space named by either file or by their common base name.
    public static func files(of url: URL) -> (header: URL, data: URL) {
        let ext = url.pathExtension
        let base = ext == "IAEAheader" || ext == "IAEAphsp" ? url.deletingPathExtension() : url
        return (base.appendingPathExtension("IAEAheader"), base.appendingPathExtension("IAEAphsp"))
    }

    /// Opens a phase space.
    /// - Parameter url: the `.IAEAheader`, the `.IAEAphsp`, or their base name without extension.
    /// - Throws: `PhaseSpaceError` if a file is missing or unreadable, the header is malformed or
    ///   unsupported, or the data file is truncated or longer than the header says.
    public init(_ url: URL) throws(PhaseSpaceError) {
        (headerURL, dataURL) = Self.files(of: url)
        let headerName = headerURL.path
        let text: String
        do {
            let size = (try FileManager.default.attributesOfItem(atPath: headerName)[.size] as? NSNumber)?.intValue ?? 0
            // Headers are a few kB; a megabyte-sized one is not a header (e.g. the .IAEAphsp named twice).
            guard size <= 1 << 20 else {
                throw PhaseSpaceError.badHeader(
                    file: headerName, "is \(size) bytes; an IAEA header is a short text file")
            }
            let data = try Data(contentsOf: headerURL)
            guard let decoded = String(data: data, encoding: .utf8) ?? String(data: data, encoding: .isoLatin1) else {
                throw PhaseSpaceError.badHeader(file: headerName, "is not text")
            }
            text = decoded
        } catch let error as PhaseSpaceError {
            throw error
        } catch {
            throw .io(
                file: headerName,
                "cannot read the IAEA header (\(error.localizedDescription)); give the "
                    + ".IAEAheader file, or the .IAEAphsp with its header beside it")
        }
        header = try IAEAHeader.parse(text, file: headerURL.lastPathComponent)
        let fd = open(dataURL.path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw .io(
                file: dataURL.path,
                "cannot open the phase-space data (\(String(cString: strerror(errno)))); it "
                    + "must lie beside its header with the extension .IAEAphsp")
        }
        descriptor = fd
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw .io(file: dataURL.path, "cannot read its size (\(String(cString: strerror(errno))))")
        }
        try Self.checkSize(UInt64(info.st_size), header: header, file: dataURL.lastPathComponent)
    }

    deinit { close(descriptor) }

    /// Checks that a data file of `size` bytes holds exactly the records the header declares.
    static func checkSize(_ size: UInt64, header: IAEAHeader, file: String) throws(PhaseSpaceError) {
        let length = UInt64(header.layout.recordLength)
        let (expected, overflow) = length.multipliedReportingOverflow(by: header.particles)
        guard !overflow else {
            throw .sizeMismatch(
                file: file,
                "the header declares \(header.particles) particles of \(length) bytes, more "
                    + "than any file can hold: correct $PARTICLES")
        }
        guard header.particles > 0 else {
            throw .sizeMismatch(file: file, "the header declares no particles ($PARTICLES 0); nothing to transport")
        }
        let checksumNote = header.checksum.map { $0 == size ? "" : " ($CHECKSUM says \($0) bytes)" } ?? ""
        if size < expected {
            throw .sizeMismatch(
                file: file,
                "truncated: \(size) bytes hold \(size / length) whole records of \(length) "
                    + "bytes\(size % length == 0 ? "" : " and \(size % length) bytes of a partial one"), but the header "
                    + "declares \(header.particles) particles (\(expected) bytes)\(checksumNote); copy the file again, or "
                    + "regenerate it")
        }
        if size > expected {
            throw .sizeMismatch(
                file: file,
                "\(size) bytes is \(size - expected) bytes more than the \(header.particles) "
                    + "records of \(length) bytes the header declares (\(expected) bytes)\(checksumNote); the header does not "
                    + "belong to this file, or its $PARTICLES or $RECORD_CONTENTS is wrong")
        }
    }

    // MARK: - Reading records

    /// Reads the bytes of records `records` into the start of `buffer`.
    /// - Throws: `PhaseSpaceError.io` if the read fails, `.sizeMismatch` if the file has shrunk since it
    ///   was opened.
    public func read(records: Range<UInt64>, into buffer: UnsafeMutableRawBufferPointer) throws(PhaseSpaceError) {
        precondition(records.upperBound <= particles, "records \(records) beyond the \(particles) of the file")
        let count = Int(records.count) * recordLength
        precondition(buffer.count >= count, "buffer of \(buffer.count) bytes for \(count)")
        guard count > 0, let base = buffer.baseAddress else { return }
        let offset = records.lowerBound * UInt64(recordLength)
        var done = 0
        while done < count {
            let n = pread(descriptor, base + done, count - done, off_t(offset + UInt64(done)))
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(
                    file: dataURL.path,
                    "cannot read record \(records.lowerBound) onwards "
                        + "(\(String(cString: strerror(errno))))")
            }
            if n == 0 {
                throw .sizeMismatch(
                    file: dataURL.lastPathComponent,
                    "ends at byte \(offset + UInt64(done)) while "
                        + "reading record \(records.lowerBound) onwards: the file shrank after it was opened")
            }
            done += n
        }
    }

    /// Calls `body` with consecutive chunks of whole records, from the first record to the last, reading
    /// `recordsPerChunk` records at a time into one reused buffer.
    /// - Parameter body: receives the index of the chunk's first record and the chunk's bytes.
    public func forEachChunk(
        recordsPerChunk: Int = 1 << 15,
        _ body: (UInt64, UnsafeRawBufferPointer) throws(PhaseSpaceError) -> Void
    ) throws(PhaseSpaceError) {
        precondition(recordsPerChunk > 0)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: recordsPerChunk * recordLength, alignment: 8)
        defer { buffer.deallocate() }
        var first: UInt64 = 0
        while first < particles {
            let n = min(UInt64(recordsPerChunk), particles - first)
            try read(records: first..<first + n, into: buffer)
            try body(first, UnsafeRawBufferPointer(rebasing: buffer[0..<Int(n) * recordLength]))
            first += n
        }
    }

    /// The particles of records `records`, decoded with their extras (read in chunks).
    /// - Throws: `PhaseSpaceError.badRecord` for a record with an unknown particle type.
    public func particles(_ records: Range<UInt64>) throws(PhaseSpaceError) -> [IAEAParticle] {
        let chunk: UInt64 = 4096
        var out: [IAEAParticle] = []
        out.reserveCapacity(Int(records.count))
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(chunk) * recordLength, alignment: 8)
        defer { buffer.deallocate() }
        var first = records.lowerBound
        while first < records.upperBound {
            let n = min(chunk, records.upperBound - first)
            try read(records: first..<first + n, into: buffer)
            for i in 0..<Int(n) {
                guard let p = header.layout.decode(UnsafeRawBufferPointer(buffer), at: i * recordLength) else {
                    throw badType(record: first + UInt64(i), byte: buffer[i * recordLength])
                }
                out.append(p)
            }
            first += n
        }
        return out
    }

    /// The error for a record whose type byte is not a particle type.
    func badType(record: UInt64, byte: UInt8) -> PhaseSpaceError {
        .badRecord(
            file: dataURL.lastPathComponent, record: record,
            "particle type byte \(Int8(bitPattern: byte)) is not ±1…±5 (photon, electron, positron, neutron, proton)")
    }
}
