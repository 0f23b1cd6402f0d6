import Foundation
import Report
import TestSupport
import Testing

@Suite struct PNGExportTests {
    /// A figure converts to a PNG of the SVG's size times the zoom, with more than one colour in it.
    @Test func plotBecomesAPNG() throws {
        try #require(PNGExport.converter != nil, "install rsvg-convert: apt-get install librsvg2-bin (make deps)")
        let plot = LinePlot(
            title: "Depth dose", x: .init(label: "Depth", unit: "cm"), y: .init(label: "Dose", unit: "Gy"),
            series: [.init(name: "6 MV", points: (0...20).map { (x: Double($0), y: 2 - 0.05 * Double($0)) })])
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("depth-dose.png")
        try PNGExport.write(svg: try plot.svg(), to: file, scale: 0.5)
        let png = [UInt8](try Data(contentsOf: file))
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        // IHDR: width and height, big-endian, at bytes 16–23.
        func be32(_ at: Int) -> Int { png[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        #expect(be32(16) == 360 && be32(20) == 240)
        // Not blank: undo the PNG row filters (PNG spec §9) and count distinct pixel colours; the plot has
        // white, black, grey grid lines and the first palette colour at least.
        let run = try runPython(
            """
            import sys, zlib, struct
            data = open(sys.argv[1], "rb").read()
            pos, idat = 8, b""
            while pos < len(data):
                n, kind = struct.unpack(">I4s", data[pos:pos + 8])
                if kind == b"IHDR": width, height, depth, colour = struct.unpack(">IIBB", data[pos + 8:pos + 18])
                if kind == b"IDAT": idat += data[pos + 8:pos + 8 + n]
                pos += 12 + n
            assert depth == 8 and colour in (2, 6), (depth, colour)
            bpp = 4 if colour == 6 else 3
            raw, stride, prev, colours = zlib.decompress(idat), width * bpp, bytearray(width * bpp), set()
            for y in range(height):
                f, row = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
                for i in range(stride):
                    a = row[i - bpp] if i >= bpp else 0
                    b, c = prev[i], prev[i - bpp] if i >= bpp else 0
                    p = a + b - c
                    pr = a if abs(p - a) <= abs(p - b) and abs(p - a) <= abs(p - c) else (b if abs(p - b) <= abs(p - c) else c)
                    row[i] = (row[i] + (0, a, b, (a + b) // 2, pr)[f]) & 255
                colours.update(bytes(row[i:i + bpp]) for i in range(0, stride, bpp * 7))
                prev = row
            print(len(colours) > 3)
            """, arguments: [file.path])
        #expect(run.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "True", "\(run.standardError)")
    }
}
