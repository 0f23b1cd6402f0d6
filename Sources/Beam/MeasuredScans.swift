import Foundation

/// A clinic's water-tank scans for commissioning, read from a folder of CSV files:
///
/// * `pdd_<S>x<S>.csv` – a central-axis depth dose of an S×S cm field at SSD 100 cm; header
///   `depth_cm,dose`, any normalisation (it is renormalised to its maximum);
/// * `output_factors.csv` – header `field_cm,output_factor`: dose per MU at 10 cm depth, SSD 100 cm,
///   relative to 10×10;
/// * `profile_<S>x<S>_d<D>.csv` – a crossline (Xb, the X jaws' direction) profile of an S×S cm field at depth D cm,
///   SSD 100 cm, through the axis; header `position_cm,dose`, any normalisation (renormalised to its central dose),
///   positions increasing and reaching both edges (measured with a small detector: its size widens the penumbra);
/// * `mlc_transmission.csv` – header `depth_cm,ratio`: the reading under closed leaves (their tips abutting outside the
///   jaws' opening) over the open-field reading, same jaws and MU, on the axis;
/// * `sweeping_gap.csv` – header `gap_cm,sweep_cm,ratio`: a gap of width `gap_cm` (between the tips on the isocentre
///   plane) swept at constant speed so that its centre travels `sweep_cm` across the axis, every pair alike; `ratio` is
///   its reading over the open-field reading, same MU (LoSasso et al., Med. Phys. 25, 1919 (1998)).
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
            PiecewiseLinear.valueWithin(at: depth, xs: depthCM, ys: percent)
        }
    }

    /// One measured crossline profile.
    public struct Profile: Sendable {
        public let fieldCM: Double
        public let depthCM: Double
        /// The profile, as read.
        public let profile: BeamProfile
    }

    /// One sweeping-gap reading.
    public struct SweepingGap: Sendable, Codable, Equatable {
        public let gapCM: Double
        public let sweepCM: Double
        public let ratio: Double

        /// Creates a reading.
        public init(gapCM: Double, sweepCM: Double, ratio: Double) {
            self.gapCM = gapCM
            self.sweepCM = sweepCM
            self.ratio = ratio
        }
    }

    public let depthDoses: [DepthDose]
    public let outputFactors: [CommissioningTarget.OutputFactor]
    public let profiles: [Profile]
    /// Closed-leaf over open readings (`mlc_transmission.csv`), empty if not measured.
    public let closedLeafRatios: [Double]
    /// Sweeping-gap readings, by increasing gap; empty if not measured.
    public let sweepingGaps: [SweepingGap]

    /// Creates scans from values.
    public init(depthDoses: [DepthDose], outputFactors: [CommissioningTarget.OutputFactor], profiles: [Profile] = [],
                closedLeafRatios: [Double] = [], sweepingGaps: [SweepingGap] = []) {
        self.depthDoses = depthDoses.sorted { $0.fieldCM < $1.fieldCM }
        self.outputFactors = outputFactors.sorted { $0.fieldCM < $1.fieldCM }
        self.profiles = profiles.sorted { ($0.fieldCM, $0.depthCM) < ($1.fieldCM, $1.depthCM) }
        self.closedLeafRatios = closedLeafRatios
        self.sweepingGaps = sweepingGaps.sorted { $0.gapCM < $1.gapCM }
    }

    /// Reads the folder.
    /// - Throws: `BeamError.badMachine` naming the file and line of a bad value, or a folder without scans.
    public static func read(_ folder: URL) throws -> MeasuredScans {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() } catch {
            throw BeamError.badMachine("cannot list measured-data folder \(folder.path): \(error.localizedDescription)")
        }
        var pdds: [DepthDose] = [], factors: [CommissioningTarget.OutputFactor] = [], profiles: [Profile] = []
        var closed: [Double] = [], gaps: [SweepingGap] = []
        for name in names {
            let url = folder.appendingPathComponent(name)
            if name == "mlc_transmission.csv" {
                closed = try table(url, header: ["depth_cm", "ratio"]).map { $0[1] }
                guard !closed.isEmpty, closed.allSatisfy({ $0 < 0.2 }) else {
                    throw BeamError.badMachine("\(url.path): need at least one row, every ratio below 0.2 (closed over open leaves)")
                }
            } else if name == "sweeping_gap.csv" {
                gaps = try table(url, header: ["gap_cm", "sweep_cm", "ratio"]).map { SweepingGap(gapCM: $0[0], sweepCM: $0[1], ratio: $0[2]) }
                guard Set(gaps.map(\.gapCM)).count >= 2, gaps.allSatisfy({ $0.gapCM >= 0 && $0.sweepCM > $0.gapCM && $0.ratio <= 1 }) else {
                    throw BeamError.badMachine(
                        "\(url.path): need at least two different gaps, each gap_cm ≥ 0 and below sweep_cm, each ratio at most 1")
                }
            } else if name.hasPrefix("profile_"), name.hasSuffix(".csv") {
                profiles.append(try profile(url, name: name))
            } else if name == "output_factors.csv" {
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
        guard !pdds.isEmpty || !factors.isEmpty || !profiles.isEmpty || !closed.isEmpty || !gaps.isEmpty else {
            throw BeamError.badMachine("\(folder.path): no pdd_<S>x<S>.csv, output_factors.csv, profile_<S>x<S>_d<D>.csv, "
                                       + "mlc_transmission.csv or sweeping_gap.csv (docs/beam-model.md, Commissioning)")
        }
        return MeasuredScans(depthDoses: pdds, outputFactors: factors, profiles: profiles, closedLeafRatios: closed,
                             sweepingGaps: gaps)
    }

    /// A `profile_<S>x<S>_d<D>.csv`.
    static func profile(_ url: URL, name: String) throws -> Profile {
        let parts = name.dropFirst(8).dropLast(4).split(separator: "_")
        let sides = parts.first?.split(separator: "x").compactMap { Double($0) } ?? []
        guard parts.count == 2, sides.count == 2, sides[0] == sides[1], sides[0] > 0, parts[1].hasPrefix("d"),
              let depth = Double(parts[1].dropFirst()), depth > 0 else {
            throw BeamError.badMachine("\(url.path): name a profile profile_<S>x<S>_d<D>.csv for an S×S cm field at D cm depth")
        }
        let rows = try table(url, header: ["position_cm", "dose"], nonNegativeFrom: 1)
        guard rows.count >= 5, zip(rows.dropFirst(), rows).allSatisfy({ $0[0] > $1[0] }) else {
            throw BeamError.badMachine("\(url.path): need at least 5 rows with increasing position_cm")
        }
        let p = BeamProfile(positionCM: rows.map { $0[0] }, dose: rows.map { $0[1] })
        guard p.centralDose > 0, p.crossings(0.2) != nil else {
            throw BeamError.badMachine("\(url.path): the profile must cover the axis (|x| ≤ 0.5 cm, positive dose) and fall below 20 % "
                                       + "of it on both sides")
        }
        return Profile(fieldCM: sides[0], depthCM: depth, profile: p)
    }

    /// Rows of a CSV with the given header, every value finite and the values from column `nonNegativeFrom` on not
    /// negative.
    static func table(_ url: URL, header: [String], nonNegativeFrom: Int = 1) throws -> [[Double]] {
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
            let v = line.split(separator: ",", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
            let values = v.compactMap { $0 }.filter(\.isFinite)
            guard v.count == header.count, values.count == header.count, values.dropFirst(nonNegativeFrom).allSatisfy({ $0 >= 0 }) else {
                throw BeamError.badMachine("\(url.path) line \(n + 2): need \(header.count) numbers (\(header.joined(separator: ","))), "
                                           + "all but the first not negative: '\(line)'")
            }
            return values
        }
    }
}
