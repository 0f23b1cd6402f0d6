/// Decodes one frame of lossless JPEG-LS — ITU-T T.87 (ISO/IEC 14495-1) with NEAR = 0, DICOM transfer
/// syntax 1.2.840.10008.1.2.4.80 — for one component of 2–16 bits.
///
/// The stream: SOI, SOF55 (FF F7, §C.2.2), optional LSE preset parameters (FF F8 id 1, §C.2.4.1.1), SOS
/// (§C.2.3: NEAR, interleave mode, point transform), the coded samples, EOI. Each sample (Annex A) is
/// coded from its neighbours a (left), b (above), c (above left) and d (above right): when the local
/// gradients d − b, b − c, c − a are all 0 the coder is in run mode (§A.7: runs of a's value in blocks of
/// 2^J[RUNindex], ended by the line end or an interruption sample coded against a or b); otherwise the
/// gradients are quantised by the thresholds T1–T3 into one of 365 contexts (§A.3), the median edge
/// detector predicts (§A.4.1), the context's bias C corrects it, and the error is read as a
/// limited-length Golomb code with k from the context's A and N (§A.5), then the context adapts (§A.6).
/// The first line sees a line of zeros above it; the first sample of a line takes a = b and c = the first
/// sample of the line two above (§A.2.1 and Figure A.1's edge rules, as every conforming codec does).
enum JPEGLSDecoder {
    typealias Failure = EncapsulatedPixelDataDecoder.Failure

    /// J, the run-length order table (T.87 §A.7.1.1).
    static let runOrder: [Int] = [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 9, 10, 11, 12, 13, 14, 15]

    /// The coding parameters (T.87 §C.2.4.1.1, defaults of §C.2.4.1.1.1 for NEAR = 0).
    struct Parameters {
        var maxValue: Int, t1: Int, t2: Int, t3: Int, reset: Int

        static func defaults(precision: Int) -> Parameters {
            let maxValue = (1 << precision) - 1
            return Parameters(maxValue: maxValue, t1: 0, t2: 0, t3: 0, reset: 64).completed()
        }

        /// Fills thresholds left 0 (meaning "default") from MAXVAL (T.87 §C.2.4.1.1.1, NEAR = 0).
        func completed() -> Parameters {
            func clamp(_ i: Int, _ j: Int) -> Int { i > maxValue || i < j ? j : i }
            var p = self
            let d1: Int, d2: Int, d3: Int
            if maxValue >= 128 {
                let factor = (min(maxValue, 4095) + 128) >> 8
                d1 = clamp(factor * (3 - 2) + 2, 1)
                d2 = clamp(factor * (7 - 3) + 3, d1)
                d3 = clamp(factor * (21 - 4) + 4, d2)
            } else {
                let factor = 256 / (maxValue + 1)
                d1 = clamp(max(2, 3 / factor), 1)
                d2 = clamp(max(3, 7 / factor), d1)
                d3 = clamp(max(4, 21 / factor), d2)
            }
            if p.t1 == 0 { p.t1 = d1 }
            if p.t2 == 0 { p.t2 = d2 }
            if p.t3 == 0 { p.t3 = d3 }
            if p.reset == 0 { p.reset = 64 }
            return p
        }
    }

    /// Decodes a stream into samples (row by row) and its precision.
    static func decode(_ data: [UInt8]) throws(Failure) -> JPEGLosslessDecoder.Image {
        var stream = try JPEGMarkerSegments(data, format: "JPEG-LS")
        var frame: (precision: Int, rows: Int, columns: Int, component: UInt8)? = nil
        var preset: Parameters? = nil
        var restartInterval = 0
        while true {
            let (code, markerAt) = try stream.nextMarker()
            switch code {
            case 0xD9:
                throw Failure("the stream ends (EOI) before any scan")
            case 0xF7:  // SOF55
                let s = try stream.segment()
                guard s.count >= 9 else { throw Failure("the SOF55 segment is too short") }
                let p = Int(data[s.lowerBound]), rows = stream.uint16(at: s.lowerBound + 1), columns = stream.uint16(at: s.lowerBound + 3)
                let components = Int(data[s.lowerBound + 5])
                guard (2...16).contains(p) else { throw Failure("sample precision \(p) bits is outside 2–16 (T.87 §C.2.2)") }
                guard components == 1 else {
                    throw Failure(
                        "the frame has \(components) components; Penumbra decodes single-component (greyscale) images",
                        unsupported: true)
                }
                guard rows > 0, columns > 0 else {
                    throw Failure("the frame header gives \(columns)×\(rows) samples", unsupported: rows == 0)
                }
                frame = (p, rows, columns, data[s.lowerBound + 6])
            case 0xF8:  // LSE
                let s = try stream.segment()
                guard !s.isEmpty, data[s.lowerBound] == 1 else {
                    throw Failure(
                        "a JPEG-LS preset segment of type \(!s.isEmpty ? Int(data[s.lowerBound]) : 0) (mapping tables or oversize dimensions) is not supported",
                        unsupported: true)
                }
                guard s.count == 11 else { throw Failure("the JPEG-LS preset parameters segment is not 13 bytes") }
                guard let f = frame else { throw Failure("JPEG-LS preset parameters before the frame header") }
                var p = Parameters(
                    maxValue: stream.uint16(at: s.lowerBound + 1), t1: stream.uint16(at: s.lowerBound + 3), t2: stream.uint16(at: s.lowerBound + 5), t3: stream.uint16(at: s.lowerBound + 7),
                    reset: stream.uint16(at: s.lowerBound + 9))
                if p.maxValue == 0 { p.maxValue = (1 << f.precision) - 1 }
                p = p.completed()
                guard p.maxValue >= 1, p.t1 <= p.t2, p.t2 <= p.t3, p.t3 <= p.maxValue, p.reset >= 3 else {
                    throw Failure("JPEG-LS preset parameters MAXVAL \(p.maxValue), T1–T3 \(p.t1) \(p.t2) \(p.t3), RESET \(p.reset) are inconsistent (T.87 §C.2.4.1.1)")
                }
                preset = p
            case 0xDD:  // DRI (T.87 §C.2.5): Ri in 2, 3 or 4 bytes, in lines (a JPEG-LS MCU is one line)
                let s = try stream.segment()
                guard (2...4).contains(s.count) else { throw Failure("the DRI segment is not 4 to 6 bytes long") }
                restartInterval = s.reduce(0) { $0 << 8 | Int(data[$1]) }
            case 0xDA:
                let s = try stream.segment()
                guard let f = frame else {
                    throw Failure("a scan (SOS) before the frame header (SOF55): the frame header is missing")
                }
                guard s.count == 6, data[s.lowerBound] == 1, data[s.lowerBound + 1] == f.component else {
                    throw Failure("the scan header must code the frame's one component")
                }
                let near = Int(data[s.lowerBound + 3]), pointTransform = Int(data[s.lowerBound + 5] & 0x0F)
                guard near == 0 else {
                    throw Failure("NEAR = \(near): near-lossless JPEG-LS is not lossless and is not decoded", unsupported: true)
                }
                guard pointTransform == 0, data[s.lowerBound + 2] == 0 else {
                    throw Failure("a JPEG-LS point transform or mapping table is not supported", unsupported: true)
                }
                let parameters = preset ?? .defaults(precision: f.precision)
                guard parameters.maxValue < 1 << 16 else { throw Failure("MAXVAL \(parameters.maxValue) exceeds 16 bits") }
                var reader = JPEGLSBitReader(data: data, position: s.upperBound)
                var samples: [UInt16] = []
                samples.reserveCapacity(f.rows * f.columns)
                var row = 0, restarts = 0
                while true {
                    // Each restart interval starts as the scan does: the initialisations of T.87 §A.2.1 (contexts, run
                    // index) and a line of zeros above its first line — how CharLS 2.4 decodes them (the tests' check).
                    var scan = Scan(parameters: parameters, columns: f.columns)
                    let lines = restartInterval > 0 ? min(restartInterval, f.rows - row) : f.rows
                    samples += try scan.decode(&reader, rows: lines, firstRow: row, totalRows: f.rows)
                    row += lines
                    guard row < f.rows else { break }
                    let expected = UInt8(0xD0 + restarts % 8)
                    guard let marker = reader.markerAfterSegment(), marker.code == expected else {
                        throw Failure(
                            "restart marker RST\(restarts % 8) expected before line \(row) (restart interval \(restartInterval) lines) was not found (T.87 §C.2.5)"
                        )
                    }
                    restarts += 1
                    reader = JPEGLSBitReader(data: data, position: marker.next)
                }
                guard let next = reader.markerAfterSegment(), next.code == 0xD9 else {
                    throw Failure("the scan is not followed by End of Image (FF D9)")
                }
                return JPEGLosslessDecoder.Image(precision: f.precision, columns: f.columns, rows: f.rows, samples: samples)
            case 0xD8:
                throw Failure("a second Start of Image marker at byte \(markerAt)")
            case 0xC0...0xCF:
                throw Failure("the frame is JPEG (SOF\(code & 0x0F)), not JPEG-LS (SOF55)")
            case 0xE0...0xEF, 0xFE, 0xDB, 0xDC:
                _ = try stream.segment()
            default:
                throw Failure("unexpected marker FF \(String(code, radix: 16, uppercase: true)) at byte \(markerAt)")
            }
        }
    }

    /// The adaptive state of one scan (T.87 Annex A).
    struct Scan {
        let p: Parameters
        let columns: Int
        let range: Int, qbpp: Int, limit: Int
        var a: [Int], b: [Int], c: [Int], n: [Int]
        /// The two run-interruption contexts (indices 0 and 1 = RItype) and their Nn counts.
        var runA: [Int], runN: [Int], runNn: [Int]
        var runIndex = 0

        init(parameters: Parameters, columns: Int) {
            p = parameters
            self.columns = columns
            range = parameters.maxValue + 1
            var bits = 0
            while 1 << bits < range { bits += 1 }
            qbpp = bits
            let bpp = max(2, bits)
            limit = 2 * (bpp + max(8, bpp))
            let initialA = max(2, (range + 32) / 64)
            a = Array(repeating: initialA, count: 365)
            b = Array(repeating: 0, count: 365)
            c = Array(repeating: 0, count: 365)
            n = Array(repeating: 1, count: 365)
            runA = [initialA, initialA]
            runN = [1, 1]
            runNn = [0, 0]
        }

        /// T.87 §A.3.3: gradient quantisation for NEAR = 0.
        @inline(__always)
        func quantise(_ d: Int) -> Int {
            if d <= -p.t3 { return -4 }
            if d <= -p.t2 { return -3 }
            if d <= -p.t1 { return -2 }
            if d < 0 { return -1 }
            if d == 0 { return 0 }
            if d < p.t1 { return 1 }
            if d < p.t2 { return 2 }
            if d < p.t3 { return 3 }
            return 4
        }

        /// T.87 §A.5.3: a limited-length Golomb code.
        @inline(__always)
        func golomb(_ reader: inout JPEGLSBitReader, k: Int, limit: Int) -> Int {
            // The escape code is LIMIT − qbpp − 1 zeros and a 1, then qbpp bits of the value − 1.
            let high = reader.zeros(limit: limit - qbpp)
            if high >= limit - qbpp - 1 { return reader.read(qbpp) + 1 }
            return k == 0 ? high : high << k + reader.read(k)
        }

        @inline(__always)
        func reconstruct(_ value: Int) -> Int {
            value < 0 ? value + range : (value > p.maxValue ? value - range : value)
        }

        /// Decodes `rows` lines, lines `firstRow`… of `totalRows` (for messages).
        mutating func decode(_ reader: inout JPEGLSBitReader, rows: Int, firstRow: Int, totalRows: Int) throws(Failure)
            -> [UInt16]
        {
            let truncated = Failure(
                "the coded data ends before all \(totalRows)×\(columns) samples are decoded (in lines \(firstRow)–\(firstRow + rows - 1)): the stream is truncated")
            var out = [UInt16](repeating: 0, count: rows * columns)
            // Lines with one sample of margin on each side: index x + 1 holds sample x.
            var previous = [Int](repeating: 0, count: columns + 2)
            var current = [Int](repeating: 0, count: columns + 2)
            for row in 0..<rows {
                previous[columns + 1] = previous[columns]
                current[0] = previous[1]
                var x = 1
                while x <= columns {
                    let ra = current[x - 1], rb = previous[x], rc = previous[x - 1], rd = previous[x + 1]
                    let d1 = rd - rb, d2 = rb - rc, d3 = rc - ra
                    if d1 == 0 && d2 == 0 && d3 == 0 {
                        x = try run(&reader, line: &current, above: previous, from: x)
                        if reader.overrun { throw truncated }
                        continue
                    }
                    var q = (quantise(d1) * 9 + quantise(d2)) * 9 + quantise(d3)
                    let sign = q < 0 ? -1 : 1
                    q *= sign
                    let k = golombK(n[q], a[q])
                    // §A.4.1 median edge detector, then the bias correction, clamped to [0, MAXVAL].
                    var px = rc >= max(ra, rb) ? min(ra, rb) : (rc <= min(ra, rb) ? max(ra, rb) : ra + rb - rc)
                    px = min(p.maxValue, max(0, px + sign * c[q]))
                    let mapped = golomb(&reader, k: k, limit: limit)
                    var error = mapped & 1 == 0 ? mapped >> 1 : -((mapped + 1) >> 1)
                    if k == 0 && 2 * b[q] + n[q] - 1 < 0 { error = -error - 1 }  // §A.5.2 special mapping
                    update(q, error)
                    current[x] = reconstruct(px + sign * error)
                    x += 1
                }
                if reader.overrun { throw truncated }
                for column in 0..<columns { out[row * columns + column] = UInt16(truncatingIfNeeded: current[column + 1]) }
                swap(&previous, &current)
            }
            return out
        }

        @inline(__always)
        func golombK(_ count: Int, _ accumulated: Int) -> Int {
            var k = 0
            while count << k < accumulated && k < 24 { k += 1 }
            return k
        }

        /// §A.6: context update and bias correction.
        @inline(__always)
        mutating func update(_ q: Int, _ error: Int) {
            a[q] += abs(error)
            b[q] += error
            if n[q] == p.reset {
                a[q] >>= 1
                b[q] >>= 1
                n[q] >>= 1
            }
            n[q] += 1
            if b[q] + n[q] <= 0 {
                b[q] += n[q]
                if b[q] <= -n[q] { b[q] = -n[q] + 1 }
                if c[q] > -128 { c[q] -= 1 }
            } else if b[q] > 0 {
                b[q] -= n[q]
                if b[q] > 0 { b[q] = 0 }
                if c[q] < 127 { c[q] += 1 }
            }
        }

        /// §A.7: a run of the left sample's value from `x`, then (unless the line ends) the interruption
        /// sample. Returns the index after the last sample decoded.
        mutating func run(_ reader: inout JPEGLSBitReader, line: inout [Int], above: [Int], from start: Int) throws(Failure) -> Int {
            let ra = line[start - 1]
            let remaining = columns + 1 - start
            var length = 0
            while reader.bit() == 1 {
                let block = 1 << JPEGLSDecoder.runOrder[runIndex]
                let count = min(block, remaining - length)
                length += count
                if count == block { runIndex = min(31, runIndex + 1) }
                if length == remaining { break }
                if reader.overrun { return start + length }
            }
            if length != remaining {
                length += reader.read(JPEGLSDecoder.runOrder[runIndex])
            }
            guard length <= remaining else {
                throw Failure("a JPEG-LS run of \(length) samples passes the end of its line: the data is corrupt")
            }
            for k in 0..<length { line[start + k] = ra }
            let end = start + length
            guard end <= columns else { return end }
            // Run interruption sample (§A.7.2).
            let rb = above[end]
            let type = ra == rb ? 1 : 0
            let temp = runA[type] + (runN[type] >> 1) * type
            let k = golombK(runN[type], temp)
            let mapped = golomb(&reader, k: k, limit: limit - JPEGLSDecoder.runOrder[runIndex] - 1)
            let t = mapped + type
            let map = t & 1
            let magnitude = (t + map) / 2
            let error = ((k != 0 || 2 * runNn[type] >= runN[type]) ? 1 : 0) == map ? -magnitude : magnitude
            if error < 0 { runNn[type] += 1 }
            runA[type] += (mapped + 1 - type) >> 1
            if runN[type] == p.reset {
                runA[type] >>= 1
                runN[type] >>= 1
                runNn[type] >>= 1
            }
            runN[type] += 1
            line[end] = type == 1 ? reconstruct(ra + error) : reconstruct(rb + (rb >= ra ? error : -error))
            runIndex = max(0, runIndex - 1)
            return end + 1
        }
    }
}
