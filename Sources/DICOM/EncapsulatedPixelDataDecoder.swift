/// Turns encapsulated (compressed) Pixel Data into native pixels: little-endian samples of Bits Allocated
/// each, frame after frame, exactly the bytes an Explicit VR Little Endian file would hold. The rest of the
/// reader (rescale, padding, signedness from Pixel Representation) then treats them as native.
///
/// Decoded: JPEG Lossless Process 14 (1.2.840.10008.1.2.4.57, any predictor, and .70, predictor 1) with
/// `JPEGLosslessDecoder`, JPEG-LS Lossless (.80) with `JPEGLSDecoder`, and RLE Lossless (1.2.840.10008.1.2.5)
/// with `RLELosslessDecoder`. Other encapsulated syntaxes (lossy JPEG, JPEG-LS near-lossless, JPEG 2000, …)
/// stay refused (docs/dicom.md).
public enum EncapsulatedPixelDataDecoder {
    /// Why a frame could not be decoded: the message, and whether the stream is valid but of a kind not
    /// decoded here (rather than damaged).
    public struct Failure: Error, Sendable {
        /// What is wrong.
        public let message: String
        /// True when the data is valid but uses a feature Penumbra does not decode.
        public var unsupported = false
        init(_ message: String, unsupported: Bool = false) {
            self.message = message
            self.unsupported = unsupported
        }
    }

    static let jpegLossless = "1.2.840.10008.1.2.4.57"
    static let jpegLosslessSV1 = "1.2.840.10008.1.2.4.70"
    static let jpegLSLossless = "1.2.840.10008.1.2.4.80"
    static let rleLossless = "1.2.840.10008.1.2.5"

    /// Whether pixel data in this transfer syntax is decoded.
    public static func decodes(_ uid: String) -> Bool {
        uid == jpegLossless || uid == jpegLosslessSV1 || uid == jpegLSLossless || uid == rleLossless
    }

    /// Decodes the encapsulated Pixel Data value that starts at `start` in `bytes`.
    /// - Parameters:
    ///   - bytes: a buffer holding the value (just after the Pixel Data element's undefined length).
    ///   - fileOffset: the file offset of `bytes[0]`, for messages.
    ///   - syntaxUID: the transfer syntax (one `decodes` accepts).
    ///   - dataSet: the image's attributes (Rows, Columns, Bits Allocated, Samples per Pixel, Number of Frames,
    ///     Extended Offset Table).
    /// - Returns: the native pixel bytes and the index just past the Sequence Delimitation Item.
    /// - Throws: `DICOMError` — `corruptPixelData` for a damaged stream, `unsupported` for a valid one
    ///   Penumbra does not decode, `missingAttribute`/`invalidValue` for unusable image attributes.
    public static func decode(
        _ bytes: [UInt8], start: Int, fileOffset: Int = 0, syntaxUID: String, dataSet: DataSet
    ) throws -> (pixels: [UInt8], end: Int) {
        let path = "(7FE0,0010) PixelData"
        let purpose = "decoding the compressed pixel data"
        let rows = try dataSet.requiredInt("Rows", for: purpose)
        let columns = try dataSet.requiredInt("Columns", for: purpose)
        let bitsAllocated = try dataSet.requiredInt("BitsAllocated", for: purpose)
        let samplesPerPixel = try dataSet.int("SamplesPerPixel") ?? 1
        let frameCount = try dataSet.int("NumberOfFrames") ?? 1
        guard rows > 0, columns > 0, frameCount > 0, rows * columns <= 1 << 28, frameCount <= 100_000,
            [8, 16, 32].contains(bitsAllocated), (1...4).contains(samplesPerPixel)
        else {
            throw DICOMError(
                .invalidValue,
                "\(columns)×\(rows) pixels, \(frameCount) frames, \(samplesPerPixel) samples of \(bitsAllocated) bits is not an image Penumbra decodes",
                elementPath: path)
        }
        let (encapsulated, end) = try EncapsulatedPixelData.parse(bytes, start: start, fileOffset: fileOffset)
        let extended = dataSet.bytes(Tag(0x7FE0, 0x0001)).map { b in
            stride(from: 0, to: b.count - 7, by: 8).map { at in
                (0..<8).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
            }
        }
        let isJPEG = syntaxUID != rleLossless
        let frames = try encapsulated.frames(count: frameCount, extendedOffsets: extended, framesStartWithSOI: isJPEG)
        let name = TransferSyntax(uid: syntaxUID, isExplicitVR: true, isBigEndian: false).name
        let pixels = rows * columns, bytesPerSample = bitsAllocated / 8
        var out: [UInt8] = []
        out.reserveCapacity(frames.count * pixels * samplesPerPixel * bytesPerSample)
        for (n, frame) in frames.enumerated() {
            func failure(_ f: Failure) -> DICOMError {
                DICOMError(
                    f.unsupported ? .unsupported : .corruptPixelData,
                    "\(name), frame \(n + 1) of \(frames.count): \(f.message)"
                        + (f.unsupported ? "" : "; the compressed pixel data is damaged — export the image again"),
                    offset: fileOffset + start, elementPath: path)
            }
            do throws(Failure) {
                if isJPEG {
                    let image =
                        syntaxUID == jpegLSLossless
                        ? try JPEGLSDecoder.decode(frame) : try JPEGLosslessDecoder.decode(frame)
                    guard samplesPerPixel == 1 else {
                        throw Failure("Samples per Pixel is \(samplesPerPixel) but the stream holds one component")
                    }
                    guard image.rows == rows, image.columns == columns else {
                        throw Failure(
                            "the JPEG frame is \(image.columns)×\(image.rows) but Columns × Rows is \(columns)×\(rows)")
                    }
                    guard image.precision <= bitsAllocated, bitsAllocated <= 16 else {
                        throw Failure(
                            "\(image.precision)-bit JPEG samples do not fit Bits Allocated \(bitsAllocated)")
                    }
                    if bitsAllocated == 8 {
                        out.append(contentsOf: image.samples.map { UInt8(truncatingIfNeeded: $0) })
                    } else {
                        image.samples.withUnsafeBytes { out.append(contentsOf: $0) }  // x86-64 is little endian
                    }
                } else {
                    out.append(
                        contentsOf: try RLELosslessDecoder.decode(
                            frame, pixels: pixels, bytesPerSample: bytesPerSample, samplesPerPixel: samplesPerPixel))
                }
            } catch {
                throw failure(error)
            }
        }
        return (out, end)
    }
}
