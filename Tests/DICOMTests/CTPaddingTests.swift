import Foundation
import Geometry
import TestSupport
import Testing

@testable import DICOM

/// Pixel Padding Value (0028,0120) and Pixel Padding Range Limit (0028,0121) mark pixels outside the
/// reconstructed field of view (PS3.3 C.7.5.1.1.2). Their stored value is the scanner's choice: with unsigned
/// pixels and intercept −1024 a padding of 0xFFFF rescaled to 64 511 HU, denser than any metal, around the patient.
@Suite("CT pixel padding becomes air")
struct CTPaddingTests {
    @Test("padding pixels read as air, in unsigned and signed series, with and without a range limit",
          arguments: [false, true])
    func padding(signed: Bool) throws {
        let v = CTSeriesCheckTests.volume()
        let folder = try CTSeriesCheckTests.write(v)
        defer { try? FileManager.default.removeItem(at: folder) }
        let padding: UInt16 = signed ? UInt16(bitPattern: -2000) : 0xFFFF
        let limit: UInt16 = signed ? UInt16(bitPattern: -3024) : 0xFF00
        try CTSeriesCheckTests.edit(folder) { d, _ in
            var pixels = d.bytes(Tag.named("PixelData"))!
            func store(_ n: Int, _ value: UInt16) {
                pixels[2 * n] = UInt8(value & 0xFF)
                pixels[2 * n + 1] = UInt8(value >> 8)
            }
            if !signed {
                // Unsigned pixels with intercept −1024 (the written HU are ≥ −1000, so stored values stay ≥ 0).
                for n in 0..<(pixels.count / 2) {
                    let hu = Int16(bitPattern: UInt16(pixels[2 * n]) | UInt16(pixels[2 * n + 1]) << 8)
                    store(n, UInt16(Int(hu) + 1024))
                }
                d.set("PixelRepresentation", uint16: [0])
                d.set("RescaleIntercept", decimals: [-1024])
            }
            store(0, padding)
            store(1, signed ? UInt16(bitPattern: -2500) : 0xFF80)  // inside the range to the limit
            d.set("PixelData", vr: .OW, bytes: pixels)
            let vr: VR = signed ? .SS : .US
            d.set("PixelPaddingValue", vr: vr, bytes: [UInt8(padding & 0xFF), UInt8(padding >> 8)])
            d.set("PixelPaddingRangeLimit", vr: vr, bytes: [UInt8(limit & 0xFF), UInt8(limit >> 8)])
        }
        let back = try CTSeriesReader.read(directory: folder).volume
        // The writer's first pixel is voxel (0, 0) of each slice (rows along +y, columns along +x).
        for k in 0..<v.counts.z {
            #expect(back[0, 0, k] == CTSliceHeader.paddingHU && back[1, 0, k] == CTSliceHeader.paddingHU)
            #expect(back[2, 0, k] == v[2, 0, k] && back[5, 3, k] == v[5, 3, k])
        }
    }
}
