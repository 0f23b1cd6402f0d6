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
///   its reading over the open-field reading, same MU (LoSasso et al., Med. Phys. 25, 1919 (1998));
/// * `picket_fence_p<P>.csv` – header `position_cm,ratio`: the tongue-and-groove test of two complementary exposures
///   (Sykes & Williams, Phys. Med. Biol. 43, 3157 (1998); Deng et al., Phys. Med. Biol. 46, 1039 (2001)): alternate
///   pairs open to a gap around the axis with the others closed, then the reverse, same MU each; the summed dose along
///   Yb (across pairs of P cm on the isocentre plane) at x = 0, over the dose of one exposure's MU with every pair open to
///   the same gap; positions on the isocentre plane, increasing, spanning at least two pairs (`PicketFence`);
/// * `mlc_edges.csv` – header `leaf_position_cm,edge_cm`: the 50 % radiation edge of one bank's tips at several plan
///   positions, both on the isocentre plane and measured from the axis along the travel, positive towards the bank's
///   own side (bank B: Xb as it is; bank A: −Xb), with the opposite bank far away (`MLCEdgeFit`).
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

    /// A picket-fence scan across leaf pairs (`picket_fence_p<P>.csv`).
    public struct PicketFence: Sendable {
        /// Width of a leaf pair on the isocentre plane, cm: the pattern's period.
        public let pairWidthCM: Double
        public let positionCM: [Double]
        /// Summed dose of the two exposures over the open reading of one exposure.
        public let ratio: [Double]

        /// Creates a scan.
        public init(pairWidthCM: Double, positionCM: [Double], ratio: [Double]) {
            self.pairWidthCM = pairWidthCM
            self.positionCM = positionCM
            self.ratio = ratio
        }

        /// The missing width per leaf boundary, cm: without tongue-and-groove every point would read 1 + T (open once,
        /// closed once), so over whole periods P·(1 − mean / (1 + T)) is the width of a fully shielded band with the same
        /// missing dose. Dose is the fluence convolved with a normalised kernel, which keeps a periodic pattern's mean, so
        /// the number holds at any depth and for any detector size, and compares directly with the in-air fluence's
        /// (`MLCModelComparison.TongueAndGroove.missingWidthCM`). The mean is taken over the whole periods from the first
        /// position (trapezoids, linear interpolation at the window's end).
        public func missingWidthCM(transmission t: Double) -> Double {
            let p = pairWidthCM, start = positionCM[0]
            let periods = ((positionCM[positionCM.count - 1] - start) / p + 1e-9).rounded(.down)
            let end = start + periods * p
            var area = 0.0
            for k in 1..<positionCM.count where positionCM[k - 1] < end {
                let x1 = min(positionCM[k], end)
                let y1 = PiecewiseLinear.valueWithin(at: x1, xs: positionCM, ys: ratio) ?? ratio[k]
                area += 0.5 * (ratio[k - 1] + y1) * (x1 - positionCM[k - 1])
            }
            return p * (1 - area / (end - start) / (1 + t))
        }
    }

    /// One measured leaf-tip edge (`mlc_edges.csv`).
    public struct LeafEdge: Sendable, Codable, Equatable {
        /// The tips' plan position, cm from the axis towards their bank's side.
        public let leafPositionCM: Double
        /// The 50 % point, same axis, cm.
        public let edgeCM: Double

        /// Creates a reading.
        public init(leafPositionCM: Double, edgeCM: Double) {
            self.leafPositionCM = leafPositionCM
            self.edgeCM = edgeCM
        }
    }

    public let depthDoses: [DepthDose]
    public let outputFactors: [CommissioningTarget.OutputFactor]
    public let profiles: [Profile]
    /// Closed-leaf over open readings (`mlc_transmission.csv`), empty if not measured.
    public let closedLeafRatios: [Double]
    /// Sweeping-gap readings, by increasing gap; empty if not measured.
    public let sweepingGaps: [SweepingGap]
    /// The picket-fence scan, nil if not measured.
    public let picketFence: PicketFence?
    /// Leaf-tip edges by increasing position; empty if not measured.
    public let leafEdges: [LeafEdge]

    /// Creates scans from values.
    public init(depthDoses: [DepthDose], outputFactors: [CommissioningTarget.OutputFactor], profiles: [Profile] = [],
                closedLeafRatios: [Double] = [], sweepingGaps: [SweepingGap] = [], picketFence: PicketFence? = nil,
                leafEdges: [LeafEdge] = []) {
        self.depthDoses = depthDoses.sorted { $0.fieldCM < $1.fieldCM }
        self.outputFactors = outputFactors.sorted { $0.fieldCM < $1.fieldCM }
        self.profiles = profiles.sorted { ($0.fieldCM, $0.depthCM) < ($1.fieldCM, $1.depthCM) }
        self.closedLeafRatios = closedLeafRatios
        self.sweepingGaps = sweepingGaps.sorted { $0.gapCM < $1.gapCM }
        self.picketFence = picketFence
        self.leafEdges = leafEdges.sorted { $0.leafPositionCM < $1.leafPositionCM }
    }

    /// Reads the folder.
    /// - Throws: `BeamError.badMachine` naming the file and line of a bad value, or a folder without scans.
    public static func read(_ folder: URL) throws -> MeasuredScans {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() } catch {
            throw BeamError.badMachine("cannot list measured-data folder \(folder.path): \(error.localizedDescription)")
        }
        var pdds: [DepthDose] = [], factors: [CommissioningTarget.OutputFactor] = [], profiles: [Profile] = []
        var closed: [Double] = [], gaps: [SweepingGap] = [], fence: PicketFence?, edges: [LeafEdge] = []
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
            } else if name.hasPrefix("picket_fence"), name.hasSuffix(".csv") {
                guard fence == nil else {
                    throw BeamError.badMachine("\(url.path): a second picket_fence_p<P>.csv; keep one scan in the folder")
                }
                fence = try picketFence(url, name: name)
            } else if name == "mlc_edges.csv" {
                edges = try table(url, header: ["leaf_position_cm", "edge_cm"], nonNegativeFrom: 2).map {
                    LeafEdge(leafPositionCM: $0[0], edgeCM: $0[1])
                }
                guard !edges.isEmpty, Set(edges.map(\.leafPositionCM)).count == edges.count,
                      edges.allSatisfy({ abs($0.edgeCM - $0.leafPositionCM) < 0.5 }) else {
                    throw BeamError.badMachine("\(url.path): need at least one row, each leaf_position_cm once, every edge_cm within "
                                               + "0.5 cm of its leaf_position_cm (the same axis: from the axis towards the bank's side)")
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
        guard !pdds.isEmpty || !factors.isEmpty || !profiles.isEmpty || !closed.isEmpty || !gaps.isEmpty || fence != nil
                || !edges.isEmpty else {
            throw BeamError.badMachine("\(folder.path): no pdd_<S>x<S>.csv, output_factors.csv, profile_<S>x<S>_d<D>.csv, "
                                       + "mlc_transmission.csv, sweeping_gap.csv, picket_fence_p<P>.csv or mlc_edges.csv "
                                       + "(docs/beam-model.md, Commissioning)")
        }
        return MeasuredScans(depthDoses: pdds, outputFactors: factors, profiles: profiles, closedLeafRatios: closed,
                             sweepingGaps: gaps, picketFence: fence, leafEdges: edges)
    }

    /// A `picket_fence_p<P>.csv`.
    static func picketFence(_ url: URL, name: String) throws -> PicketFence {
        let tail = name.dropFirst("picket_fence".count).dropLast(4)
        guard tail.hasPrefix("_p"), let p = Double(tail.dropFirst(2)), p > 0, p <= 5 else {
            throw BeamError.badMachine("\(url.path): name a picket fence picket_fence_p<P>.csv for leaf pairs P cm wide on the "
                                       + "isocentre plane (0 < P ≤ 5)")
        }
        let rows = try table(url, header: ["position_cm", "ratio"])
        guard rows.count >= 5, zip(rows.dropFirst(), rows).allSatisfy({ $0[0] > $1[0] }),
              rows[rows.count - 1][0] - rows[0][0] >= 2 * p - 1e-9 else {
            throw BeamError.badMachine("\(url.path): need at least 5 rows with increasing position_cm spanning at least two pairs "
                                       + "(\(2 * p) cm)")
        }
        for (n, row) in rows.enumerated() where !(row[1] > 0 && row[1] < 1.5) {
            throw BeamError.badMachine("\(url.path) line \(n + 2): ratio \(row[1]) is not in (0, 1.5): the two exposures' sum over "
                                       + "one exposure's open reading lies near 1 + the leaves' transmission")
        }
        return PicketFence(pairWidthCM: p, positionCM: rows.map { $0[0] }, ratio: rows.map { $0[1] })
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
                let signs = nonNegativeFrom >= header.count ? "" : ", " + header.dropFirst(nonNegativeFrom).joined(separator: " and ")
                    + " not negative"
                throw BeamError.badMachine("\(url.path) line \(n + 2): need \(header.count) numbers (\(header.joined(separator: ",")))"
                                           + "\(signs): '\(line)'")
            }
            return values
        }
    }
}
