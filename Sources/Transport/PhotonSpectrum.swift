import Foundation

/// A photon energy spectrum in EGSnrc's `.spectrum` format, sampled bin by bin.
///
/// Format (EGSnrc BEAMnrc/DOSXYZnrc manuals, "ensrc" spectrum input): a title line; `nbins, emin, mode`;
/// then one `E_upper, weight` pair per bin (MeV). Mode 0: weights are counts per bin; mode 1: counts per
/// MeV (multiplied by the bin width here). Energies are sampled uniformly inside the chosen bin, as
/// EGSnrc does for histogram spectra.
public struct PhotonSpectrum: Sendable, Equatable {
    /// Title line of the file.
    public let title: String
    /// Bin edges in MeV (`probabilities.count + 1` values, increasing).
    public let edgesMeV: [Double]
    /// Probability of each bin (sums to 1).
    public let probabilities: [Double]
    let cumulative: [Double]

    /// A spectrum from bin edges and per-bin weights (counts per bin).
    /// - Throws: `SpectrumError` if edges do not increase, weights are negative or all zero.
    public init(title: String, edgesMeV: [Double], countsPerBin: [Double], file: String = "<spectrum>") throws {
        guard edgesMeV.count == countsPerBin.count + 1, !countsPerBin.isEmpty else {
            throw SpectrumError.badValue(file: file, what: "bin count", detail: "needs at least one bin")
        }
        guard edgesMeV[0] >= 0 else {
            throw SpectrumError.badValue(file: file, what: "minimum energy", detail: "\(edgesMeV[0]) MeV is negative")
        }
        for b in 1..<edgesMeV.count where !(edgesMeV[b] > edgesMeV[b - 1]) {
            throw SpectrumError.badValue(
                file: file, what: "bin \(b) upper energy",
                detail: "\(edgesMeV[b]) MeV does not exceed the previous edge \(edgesMeV[b - 1]) MeV")
        }
        if let b = countsPerBin.firstIndex(where: { !($0 >= 0) || !$0.isFinite }) {
            throw SpectrumError.badValue(file: file, what: "bin \(b + 1) weight", detail: "\(countsPerBin[b]) is negative or not finite")
        }
        let total = countsPerBin.reduce(0, +)
        guard total > 0 else { throw SpectrumError.badValue(file: file, what: "weights", detail: "all bins are empty") }
        self.title = title
        self.edgesMeV = edgesMeV
        probabilities = countsPerBin.map { $0 / total }
        var c: [Double] = []
        var acc = 0.0
        for p in probabilities {
            acc += p
            c.append(acc)
        }
        c[c.count - 1] = 1
        cumulative = c
    }

    /// Reads an EGSnrc `.spectrum` file (modes 0 and 1).
    public static func read(_ url: URL) throws -> PhotonSpectrum {
        let text: String
        do { text = String(decoding: try Data(contentsOf: url), as: UTF8.self) } catch {
            throw SpectrumError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        return try parse(text, file: url.path)
    }

    /// Parses the text of a `.spectrum` file; `file` names it in errors.
    public static func parse(_ text: String, file: String = "<spectrum>") throws -> PhotonSpectrum {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { String($0) }
        while let last = lines.last, last.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { lines.removeLast() }
        guard lines.count >= 2 else { throw SpectrumError.truncated(file: file, detail: "no header line after the title") }
        func numbers(_ line: String, _ lineNumber: Int) throws -> [Double] {
            let tokens = line.split(whereSeparator: { $0 == "," || $0 == " " || $0 == "\t" || $0 == "\r" })
            return try tokens.map {
                guard let v = Double($0) else {
                    throw SpectrumError.notANumber(file: file, line: lineNumber, token: String($0))
                }
                return v
            }
        }
        let header = try numbers(lines[1], 2)
        guard header.count >= 3 else {
            throw SpectrumError.badValue(file: file, what: "line 2", detail: "expected 'nbins, emin, mode'")
        }
        guard header[0] >= 1, header[0] == header[0].rounded(), header[0] < 1e6 else {
            throw SpectrumError.badValue(file: file, what: "number of bins", detail: "\(header[0]) is not a positive integer")
        }
        let nbins = Int(header[0])
        let mode = header[2]
        guard mode == 0 || mode == 1 else {
            throw SpectrumError.badValue(file: file, what: "mode", detail: "\(mode) (Penumbra reads mode 0, counts/bin, and 1, counts/MeV)")
        }
        guard lines.count >= 2 + nbins else {
            throw SpectrumError.truncated(file: file, detail: "header says \(nbins) bins, file has \(lines.count - 2)")
        }
        guard lines.count == 2 + nbins else {
            throw SpectrumError.badValue(file: file, what: "bin count", detail: "header says \(nbins) bins but \(lines.count - 2) lines follow")
        }
        var edges = [header[1]]
        var weights: [Double] = []
        for b in 0..<nbins {
            let v = try numbers(lines[2 + b], 3 + b)
            guard v.count == 2 else {
                throw SpectrumError.badValue(file: file, what: "line \(3 + b)", detail: "expected 'E_upper, weight'")
            }
            edges.append(v[0])
            weights.append(v[1])
        }
        if mode == 1 { for b in 0..<nbins { weights[b] *= edges[b + 1] - edges[b] } }
        return try PhotonSpectrum(title: lines[0].trimmingCharacters(in: .whitespaces), edgesMeV: edges,
                                  countsPerBin: weights, file: file)
    }

    /// The largest energy the spectrum can emit, in MeV.
    public var maximumEnergyMeV: Double { edgesMeV[edgesMeV.count - 1] }

    /// The mean energy in MeV.
    public var meanEnergyMeV: Double {
        zip(probabilities.indices, probabilities).reduce(0) { $0 + $1.1 * 0.5 * (edgesMeV[$1.0] + edgesMeV[$1.0 + 1]) }
    }

    /// Samples an energy: a bin by its probability, then uniformly inside it.

    public func sampleEnergyMeV(_ rng: inout RandomStream) -> Double {
        let u = rng.uniform()
        let b = binIndex(u)
        return edgesMeV[b] + rng.uniform() * (edgesMeV[b + 1] - edgesMeV[b])
    }

    func binIndex(_ u: Double) -> Int {
        var lo = 0, hi = cumulative.count - 1
        while lo < hi {
            let mid = (lo + hi) / 2
            if cumulative[mid] < u { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}

/// Why a `.spectrum` file could not be used.
public enum SpectrumError: Error, CustomStringConvertible {
    case unreadable(file: String, reason: String)
    case truncated(file: String, detail: String)
    case notANumber(file: String, line: Int, token: String)
    case badValue(file: String, what: String, detail: String)

    public var description: String {
        switch self {
        case .unreadable(let f, let r): "cannot read spectrum \(f): \(r)"
        case .truncated(let f, let d): "spectrum \(f) is truncated: \(d)"
        case .notANumber(let f, let l, let t): "spectrum \(f) line \(l): '\(t)' is not a number"
        case .badValue(let f, let w, let d): "spectrum \(f): \(w): \(d)"
        }
    }
}
