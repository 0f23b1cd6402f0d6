import DICOM
import FileIO
import Foundation
import Geometry

// Reads a 512 × 512 × 100 CT series uncompressed, in JPEG Lossless SV1, JPEG-LS Lossless and RLE Lossless (all
// compressed by DCMTK) and reports the time per slice; checks that all four give the same Hounsfield units.
// usage: dicom-decode-benchmark [SLICES]   (docs/dicom.md quotes its numbers)

let slices = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 100 : 100
let n = 512
let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("dicom-decode-benchmark-\(getpid())")
defer { try? FileManager.default.removeItem(at: scratch) }

// A CT-like volume: air around an elliptic body of soft tissue with two lungs and a spine, plus seeded noise
// uniform in ±31 HU (σ ≈ 18 HU), so the compressed size is like a real CT's (≈ 2:1), not a flat image's.
var state: UInt64 = 12_345
func noise(_ state: inout UInt64) -> Float {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407  // Knuth's MMIX LCG
    return Float(Int(state >> 59)) * 2 - 31
}
var hu = [Float](repeating: -1000, count: n * n * slices)
for k in 0..<slices {
    for j in 0..<n {
        for i in 0..<n {
            let x = Double(i - n / 2) / 200, y = Double(j - n / 2) / 140
            var value: Float = -1000
            if x * x + y * y < 1 {
                value = 40
                let lx = (abs(Double(i - n / 2)) - 90) / 60, ly = Double(j - n / 2 + 10) / 90
                if lx * lx + ly * ly < 1 { value = -820 }
                let sx = Double(i - n / 2) / 25, sy = Double(j - n / 2 - 95) / 25
                if sx * sx + sy * sy < 1 { value = 700 }
                value += noise(&state)
            }
            hu[(k * n + j) * n + i] = value.rounded()
        }
    }
}
let volume = Volume(
    counts: (n, n, slices), originMM: Vec3(-250, -250, 0), spacingMM: Vec3(0.98, 0.98, 2.5), huValues: hu,
    patientPosition: .headFirstSupine, seriesInstanceUID: "1.2.3.5", frameOfReferenceUID: "1.2.3.4",
    studyInstanceUID: "1.2.3")
let context = StudyContext(
    patient: PatientIdentity(), studyInstanceUID: "1.2.3", frameOfReferenceUID: "1.2.3.4", studyDate: "",
    studyTime: "", description: "benchmark")
let native = scratch.appendingPathComponent("native")
try FileManager.default.createDirectory(at: native, withIntermediateDirectories: true)
try CTSeriesWriter.write(volume, context: context, to: native)

func compress(_ tool: String, into name: String) throws -> URL {
    let folder = scratch.appendingPathComponent(name)
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for file in try FileManager.default.contentsOfDirectory(atPath: native.path) {
        let child = try SpawnedProcess(
            URL(fileURLWithPath: "/usr/bin/\(tool)"),
            [native.appendingPathComponent(file).path, folder.appendingPathComponent(file).path])
        guard child.waitOrKill(timeout: .seconds(60)) == .exited(0) else { fatalError("\(tool) failed on \(file)") }
    }
    return folder
}

func size(_ folder: URL) throws -> Int {
    try FileManager.default.contentsOfDirectory(atPath: folder.path).reduce(0) {
        $0 + ((try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent($1).path)[.size] as? Int) ?? 0)
    }
}

let folders = [("uncompressed", native), ("JPEG Lossless SV1", try compress("dcmcjpeg", into: "jpeg")),
               ("JPEG-LS Lossless", try compress("dcmcjpls", into: "jpegls")),
               ("RLE Lossless", try compress("dcmcrle", into: "rle"))]
var reference: [Float]? = nil
for (name, folder) in folders {
    let clock = ContinuousClock()
    var best = Duration.seconds(1_000)
    for _ in 0..<3 {
        let start = clock.now
        let read = try CTSeriesReader.read(directory: folder).volume
        best = min(best, clock.now - start)
        if reference == nil { reference = read.huValues }
        guard read.huValues == reference else { fatalError("\(name) decodes to other HU than the uncompressed series") }
    }
    let seconds = Double(best.components.seconds) + Double(best.components.attoseconds) * 1e-18
    print(
        "\(name): \(slices) slices of \(n)×\(n) read in \(String(format: "%.2f", seconds)) s "
            + "(\(String(format: "%.1f", 1000 * seconds / Double(slices))) ms/slice), "
            + "\(String(format: "%.1f", Double(try size(folder)) / 1_048_576)) MiB on disk")
}
