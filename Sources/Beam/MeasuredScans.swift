import Foundation

/// A clinic's water-tank scans for commissioning, read from a folder of CSV files:
///
/// * `pdd_<S>x<S>.csv` – a central-axis depth dose of an S×S cm field at SSD 100 cm; header
///   `depth_cm,dose`, any normalisation (it is renormalised to its maximum);
/// * `output_factors.csv` – header `field_cm,output_factor`: dose per MU at 10 cm depth, SSD 100 cm,
///   relative to 10×10.
///
/// Other files are ignored; a folder without any of these is an error.
public struct MeasuredScans: Sendable {
    /// One measured depth dose, percent of its maximum.
    public struct DepthDose: Sendable {
        public let fieldCM: Double
        public let depthCM: [Double]
        public let percent: [Double]

        /// Creates a depth dose, normalising `dose` to 100 % at its maximum.
        public init(fieldCM: Double, depthCM: [Double], dose: [Double]) {
            self.fieldCM = fieldCM
            self.depthCM = depthCM
            let m = dose.max() ?? 1
            percent = dose.map { 100 * $0 / m }
        }

        /// Linear interpolation at `depth` (cm), nil outside the scan.
        public func percent(atDepthCM depth: Double) -> Double? {
            guard let first = depthCM.first, let last = depthCM.last, depth >= first, depth <= last else { return nil }
            let j = min(max((depthCM.firstIndex { $0 >= depth } ?? 1) - 1, 0), depthCM.count - 2)
            let t = (depth - depthCM[j]) / (depthCM[j + 1] - depthCM[j])
            return percent[j] + t * (percent[j + 1] - percent[j])
        }
    }

    public let depthDoses: [DepthDose]
    public let outputFactors: [CommissioningTarget.OutputFactor]

    /// Creates scans from values.
    public init(depthDoses: [DepthDose], outputFactors: [CommissioningTarget.OutputFactor]) {
        self.depthDoses = depthDoses.sorted { $0.fieldCM < $1.fieldCM }
        self.outputFactors = outputFactors.sorted { $0.fieldCM < $1.fieldCM }
    }

    /// Reads the folder.
    /// - Throws: `BeamError.badMachine` naming the file and line of a bad value, or a folder without scans.
    public static func read(_ folder: URL) throws -> MeasuredScans {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() } catch {
            throw BeamError.badMachine("cannot list measured-data folder \(folder.path): \(error.localizedDescription)")
        }
        var pdds: [DepthDose] = [], factors: [CommissioningTarget.OutputFactor] = []
        for name in names {
            let url = folder.appendingPathComponent(name)
            if name == "output_factors.csv" {
                factors = try table(url, header: ["field_cm", "output_factor"]).map {
                    CommissioningTarget.OutputFactor(fieldCM: $0[0], value: $0[1])
                }
            } else if name.hasPrefix("pdd_"), name.hasSuffix(".csv") {
                let sides = name.dropFirst(4).dropLast(4).split(separator: "x").compactMap { Double($0) }
                guard sides.count == 2, sides[0] == sides[1], sides[0] > 0 else {
                    throw BeamError.badMachine("\(url.path): name a depth dose pdd_<S>x<S>.csv for an S×S cm square field")
                }
                let rows = try table(url, header: ["depth_cm", "dose"])
                guard rows.count >= 5, zip(rows.dropFirst(), rows).allSatisfy({ $0[0] > $1[0] }) else {
                    throw BeamError.badMachine("\(url.path): need at least 5 rows with increasing depth_cm")
                }
                pdds.append(DepthDose(fieldCM: sides[0], depthCM: rows.map { $0[0] }, dose: rows.map { $0[1] }))
            }
        }
        guard !pdds.isEmpty || !factors.isEmpty else {
            throw BeamError.badMachine("\(folder.path): no pdd_<S>x<S>.csv or output_factors.csv (docs/beam-model.md, Commissioning)")
        }
        return MeasuredScans(depthDoses: pdds, outputFactors: factors)
    }

    /// Rows of a two-column CSV with the given header, every value finite.
    static func table(_ url: URL, header: [String]) throws -> [[Double]] {
        let text: String
        do { text = try String(contentsOf: url, encoding: .utf8) } catch {
            throw BeamError.badMachine("cannot read \(url.path): \(error.localizedDescription)")
        }
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard let first = lines.first,
              first.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) == header else {
            throw BeamError.badMachine("\(url.path): first line must be the header '\(header.joined(separator: ","))'")
        }
        return try lines.dropFirst().enumerated().map { n, line in
            let v = line.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard v.count == 2, let a = v[0], let b = v[1], a.isFinite, b.isFinite, b >= 0 else {
                throw BeamError.badMachine("\(url.path) line \(n + 2): need two numbers, the second not negative: '\(line)'")
            }
            return [a, b]
        }
    }
}
