/// Decodes one frame of JPEG Lossless, Non-Hierarchical (Process 14) — ITU-T T.81 Annex H, the
/// "JPEG Lossless" of DICOM transfer syntaxes 1.2.840.10008.1.2.4.57 (any predictor) and .70 (predictor
/// 1, "SV1") — for one component of 2–16 bits.
///
/// The stream (T.81 Annex B): SOI, tables and miscellaneous segments (DHT, DRI, APPn, COM, DQT), a
/// lossless Huffman frame header SOF3 (§B.2.2), one scan (SOS, §B.2.3) whose start of spectral selection
/// Ss is the predictor (Table H.1) and whose Al is the point transform Pt, and EOI. Each sample's
/// difference from its prediction is Huffman coded as a category SSSS (Table H.2) followed by SSSS extra
/// bits (§H.1.2.2; category 16 has none and means 32768). Prediction (§H.1.2.1): the first sample of the
/// scan and of each restart interval is 2^(P−Pt−1), the rest of that first line uses Ra (the sample to
/// the left), the first sample of every other line uses Rb (the sample above), all others the predictor
/// chosen. Reconstruction is modulo 2^16; the output is the reconstructed value shifted left by Pt.
///
/// Restart intervals (DRI, §B.2.4.4; Ri counts samples, the MCUs of a one-component lossless scan) are
/// followed by RST0…RST7 in turn. §H.1.2.1 predicts "the first line of samples … at the beginning of each
/// restart interval" with Ra and its first sample with 2^(P−Pt−1): an interval that starts inside a line
/// predicts the rest of that line from the left, and the following lines as usual (Rb at each line's start,
/// the selected predictor elsewhere, even where the line above lies in the previous interval). For intervals
/// of whole lines — what encoders write — this is the scan's first-line rule.
enum JPEGLosslessDecoder {
    typealias Failure = EncapsulatedPixelDataDecoder.Failure

    /// A decoded frame.
    struct Image {
        /// Sample precision P, bits.
        var precision: Int
        /// Samples per line and lines.
        var columns: Int, rows: Int
        /// The samples, row by row.
        var samples: [UInt16]
    }

    /// Decodes a stream.
    /// - Throws: `Failure` naming what is wrong and the byte where it was found.
    static func decode(_ data: [UInt8]) throws(Failure) -> Image {
        var stream = try JPEGMarkerSegments(data, format: "JPEG")
        var tables: [JPEGLosslessHuffmanTable?] = [nil, nil, nil, nil]
        var restartInterval = 0
        var frame: (precision: Int, rows: Int, columns: Int, component: UInt8)? = nil

        while true {
            let (code, markerAt) = try stream.nextMarker()
            switch code {
            case 0xD9:  // EOI
                throw Failure("the stream ends (EOI) before any scan")
            case 0xC3:  // SOF3: lossless, Huffman, non-hierarchical
                let s = try stream.segment()
                guard frame == nil else { throw Failure("a second frame header at byte \(markerAt)") }
                guard s.count >= 6 else { throw Failure("the SOF3 segment is too short") }
                let p = Int(data[s.lowerBound])
                let rows = stream.uint16(at: s.lowerBound + 1)
                let columns = stream.uint16(at: s.lowerBound + 3)
                let components = Int(data[s.lowerBound + 5])
                guard (2...16).contains(p) else {
                    throw Failure("sample precision \(p) bits is outside 2–16 (T.81 Table B.2)")
                }
                guard components == 1 else {
                    throw Failure(
                        "the frame has \(components) components; Penumbra decodes single-component (greyscale) images",
                        unsupported: true)
                }
                guard s.count >= 9 else { throw Failure("the SOF3 segment is too short for its component") }
                guard rows > 0, columns > 0 else {
                    throw Failure(
                        "the frame header gives \(columns)×\(rows) samples (a line count set by a later DNL marker is not supported)",
                        unsupported: rows == 0)
                }
                frame = (p, rows, columns, data[s.lowerBound + 6])
            case 0xC0, 0xC1, 0xC2, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF:
                throw Failure(
                    "the stream is \(processName(code)) (SOF\(code & 0x0F)), not lossless Process 14 (SOF3)",
                    unsupported: true)
            case 0xC4:  // DHT
                let s = try stream.segment()
                var at = s.lowerBound
                while at < s.upperBound {
                    guard at + 17 <= s.upperBound else { throw Failure("a Huffman table segment is too short") }
                    let tc = data[at] >> 4, th = Int(data[at] & 0x0F)
                    guard tc == 0, th < 4 else {
                        throw Failure("Huffman table class \(tc) / destination \(th): lossless uses class 0, destinations 0–3")
                    }
                    let counts = (1...16).map { Int(data[at + $0]) }
                    let total = counts.reduce(0, +)
                    guard total <= 256, at + 17 + total <= s.upperBound else {
                        throw Failure("a Huffman table lists \(total) codes, more than its segment holds")
                    }
                    tables[th] = try JPEGLosslessHuffmanTable(
                        counts: counts, values: Array(data[(at + 17)..<(at + 17 + total)]))
                    at += 17 + total
                }
            case 0xDD:  // DRI
                let s = try stream.segment()
                guard s.count == 2 else { throw Failure("the DRI segment is not 4 bytes long") }
                restartInterval = stream.uint16(at: s.lowerBound)
            case 0xDA:  // SOS
                let s = try stream.segment()
                guard let f = frame else { throw Failure("a scan (SOS) before the frame header (SOF3): the frame header is missing") }
                guard s.count == 6, data[s.lowerBound] == 1 else {
                    throw Failure("the scan header must code exactly one component")
                }
                guard data[s.lowerBound + 1] == f.component else {
                    throw Failure("the scan codes component \(data[s.lowerBound + 1]) but the frame declares \(f.component)")
                }
                let table = Int(data[s.lowerBound + 2] >> 4)
                let predictor = Int(data[s.lowerBound + 3])
                let pointTransform = Int(data[s.lowerBound + 5] & 0x0F)
                guard let huffman = tables[table] else {
                    throw Failure("the scan uses Huffman table \(table), which no DHT segment defined")
                }
                guard (1...7).contains(predictor) else {
                    throw Failure("predictor (Ss) \(predictor) is not 1–7 (T.81 Table H.1)")
                }
                guard pointTransform < f.precision else {
                    throw Failure("point transform \(pointTransform) is not below the precision \(f.precision)")
                }
                var reader = JPEGLosslessBitReader(data: data, position: s.upperBound)
                let samples = try decodeScan(
                    &reader, huffman: huffman, rows: f.rows, columns: f.columns, precision: f.precision,
                    predictor: predictor, pointTransform: pointTransform, restartInterval: restartInterval)
                let image = Image(precision: f.precision, columns: f.columns, rows: f.rows, samples: samples)
                // One scan codes the one component; EOI follows (or the data ends: every sample was decoded).
                guard let marker = reader.nextMarker() else { return image }
                guard marker == 0xD9 else {
                    throw Failure("unexpected marker FF \(hex(marker)) after the scan")
                }
                return image
            case 0xD0...0xD7:
                throw Failure("a restart marker RST\(code - 0xD0) outside a scan at byte \(markerAt)")
            case 0xD8:
                throw Failure("a second Start of Image marker at byte \(markerAt)")
            case 0x01:  // TEM: no segment
                continue
            case 0xDC, 0xDB, 0xDE, 0xDF, 0xCC, 0xE0...0xEF, 0xF0...0xFE:
                // DNL, DQT, DHP, EXP, DAC, APPn, JPGn, COM: skipped (none changes a lossless single-frame decode
                // here; DNL after the scan is unreachable since the frame must give its lines).
                _ = try stream.segment()
            default:
                throw Failure("unknown marker FF \(hex(code)) at byte \(markerAt)")
            }
        }
    }

    /// Decodes the entropy-coded data of a one-component scan.
    private static func decodeScan(
        _ reader: inout JPEGLosslessBitReader, huffman: JPEGLosslessHuffmanTable, rows: Int, columns: Int,
        precision: Int, predictor: Int, pointTransform: Int, restartInterval: Int
    ) throws(Failure) -> [UInt16] {
        var out = [UInt16](repeating: 0, count: rows * columns)
        let initial = 1 << (precision - pointTransform - 1)
        let lookup = huffman.lookup
        var nextRestart = 0
        var failure: Failure? = nil
        lookup.withUnsafeBufferPointer { lut in
            out.withUnsafeMutableBufferPointer { samples in
                // The line above and the current line (reconstructed values before the point transform).
                let lines = UnsafeMutableBufferPointer<Int>.allocate(capacity: 2 * columns)
                lines.initialize(repeating: 0)
                defer { lines.deallocate() }
                var previous = UnsafeMutableBufferPointer(rebasing: lines[0..<columns])
                var current = UnsafeMutableBufferPointer(rebasing: lines[columns..<(2 * columns)])
                // The line holding the start of the current restart interval (the "first line" of §H.1.2.1),
                // the samples left in the interval, and whether the next sample starts one.
                var firstLine = 0
                var remaining = restartInterval
                var intervalStart = true
                rowLoop: for row in 0..<rows {
                    for column in 0..<columns {
                        if restartInterval > 0 {
                            if remaining == 0 {
                                if reader.overrun { break rowLoop }
                                let expected = UInt8(0xD0 + nextRestart)
                                guard let marker = reader.nextMarker(), marker == expected else {
                                    failure = Failure(
                                        "restart marker RST\(nextRestart) expected before line \(row), sample \(column) was not found (T.81 §B.2.4.4)")
                                    return
                                }
                                nextRestart = (nextRestart + 1) & 7
                                remaining = restartInterval
                                firstLine = row
                                intervalStart = true
                            }
                            remaining -= 1
                        }
                        let window = reader.peek16()
                        let entry = Int(lut[window])
                        let length = entry >> 8
                        guard length > 0 else {
                            failure = Failure("no Huffman code matches the bits at line \(row), sample \(column): the data is corrupt")
                            return
                        }
                        reader.skip(length)
                        let category = entry & 0xFF
                        var difference: Int
                        switch category {
                        case 0: difference = 0
                        case 16: difference = 32768
                        case 1...15:
                            let bits = reader.receive(category)
                            // T.81 §F.2.2.1 EXTEND: values below 2^(SSSS−1) are negative.
                            difference = bits < 1 << (category - 1) ? bits - (1 << category) + 1 : bits
                        default:
                            failure = Failure("difference category \(category) is not 0–16 (T.81 Table H.2): the Huffman table is corrupt")
                            return
                        }
                        let prediction: Int
                        if intervalStart {
                            prediction = initial
                            intervalStart = false
                        } else if row == firstLine && column > 0 {
                            prediction = current[column - 1]
                        } else if column == 0 {
                            prediction = previous[0]
                        } else {
                            let ra = current[column - 1], rb = previous[column], rc = previous[column - 1]
                            switch predictor {
                            case 1: prediction = ra
                            case 2: prediction = rb
                            case 3: prediction = rc
                            case 4: prediction = ra + rb - rc
                            case 5: prediction = ra + ((rb - rc) >> 1)
                            case 6: prediction = rb + ((ra - rc) >> 1)
                            default: prediction = (ra + rb) >> 1
                            }
                        }
                        let value = (prediction + difference) & 0xFFFF
                        current[column] = value
                        samples[row * columns + column] = UInt16(truncatingIfNeeded: value << pointTransform)
                    }
                    swap(&previous, &current)
                }
            }
        }
        if let failure { throw failure }
        if reader.overrun {
            throw Failure("the scan data ends before all \(rows)×\(columns) samples are decoded: the stream is truncated")
        }
        return out
    }

    private static func processName(_ code: UInt8) -> String {
        switch code {
        case 0xC0: "baseline DCT (lossy)"
        case 0xC1: "extended sequential DCT (lossy)"
        case 0xC2: "progressive DCT (lossy)"
        case 0xC5, 0xC6, 0xC7: "hierarchical JPEG"
        default: "arithmetic-coded JPEG"
        }
    }

    private static func hex(_ b: UInt8) -> String {
        let s = String(b, radix: 16, uppercase: true)
        return s.count == 1 ? "0" + s : s
    }
}
