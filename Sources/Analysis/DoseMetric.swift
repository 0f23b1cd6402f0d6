import Foundation

/// A dose–volume metric read off a DVH, written as clinicians write it: `D95%`, `D0.03cc`, `V20Gy`
/// (percent of volume), `V20Gy[cc]` (absolute volume), `Dmean`, `Dmin`, `Dmax`.
public enum DoseMetric: Hashable, Sendable, CustomStringConvertible {
    /// The minimum dose to the hottest x % of the volume, in Gy (`D95%`).
    case doseAtVolumePercent(Double)
    /// The minimum dose to the hottest x cm³, in Gy (`D0.03cc`).
    case doseAtVolumeCM3(Double)
    /// The percentage of the volume receiving at least x Gy (`V20Gy`).
    case volumePercentAtDose(Double)
    /// The volume receiving at least x Gy, in cm³ (`V20Gy[cc]`).
    case volumeCM3AtDose(Double)
    /// The mean dose, in Gy.
    case meanDose
    /// The minimum (point) dose, in Gy.
    case minDose
    /// The maximum (point) dose, in Gy.
    case maxDose

    /// Parses a metric such as `D95%`, `D95`, `D0.03cc`, `V20Gy`, `V20Gy%`, `V20Gy[cc]`, `Dmean`.
    /// - Throws: `AnalysisError.badMetric` when the text is none of these.
    public init(parsing text: String) throws {
        let t = text.trimmingCharacters(in: .whitespaces)
        switch t.lowercased() {
        case "dmean", "mean": self = .meanDose; return
        case "dmin", "min": self = .minDose; return
        case "dmax", "max": self = .maxDose; return
        default: break
        }
        let lower = t.lowercased()
        func number(_ body: Substring) throws -> Double {
            guard let value = Double(body), value.isFinite, value >= 0 else { throw AnalysisError.badMetric(text) }
            return value
        }
        if lower.hasPrefix("d") {
            var body = lower.dropFirst()
            if body.hasSuffix("cc") {
                body = body.dropLast(2)
                self = .doseAtVolumeCM3(try number(body))
            } else {
                if body.hasSuffix("%") { body = body.dropLast() }
                let value = try number(body)
                guard value <= 100 else { throw AnalysisError.badMetric(text) }
                self = .doseAtVolumePercent(value)
            }
        } else if lower.hasPrefix("v") {
            var body = lower.dropFirst()
            var absolute = false
            if body.hasSuffix("[cc]") {
                absolute = true
                body = body.dropLast(4)
            } else if body.hasSuffix("[%]") {
                body = body.dropLast(3)
            } else if body.hasSuffix("%") {
                body = body.dropLast()
            }
            guard body.hasSuffix("gy") else { throw AnalysisError.badMetric(text) }
            let value = try number(body.dropLast(2))
            self = absolute ? .volumeCM3AtDose(value) : .volumePercentAtDose(value)
        } else {
            throw AnalysisError.badMetric(text)
        }
    }

    /// The metric in its written form (parses back to itself).
    public var description: String {
        switch self {
        case .doseAtVolumePercent(let x): "D\(Self.format(x))%"
        case .doseAtVolumeCM3(let x): "D\(Self.format(x))cc"
        case .volumePercentAtDose(let x): "V\(Self.format(x))Gy"
        case .volumeCM3AtDose(let x): "V\(Self.format(x))Gy[cc]"
        case .meanDose: "Dmean"
        case .minDose: "Dmin"
        case .maxDose: "Dmax"
        }
    }

    /// Whether the metric is a dose (Gy) rather than a volume.
    public var isDose: Bool {
        switch self {
        case .volumePercentAtDose, .volumeCM3AtDose: false
        default: true
        }
    }

    /// The unit of the metric's value: `Gy`, `%` or `cc`.
    public var unit: String {
        switch self {
        case .volumePercentAtDose: "%"
        case .volumeCM3AtDose: "cc"
        default: "Gy"
        }
    }

    private static func format(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int(x)) : String(x)
    }
}

extension DoseMetric: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        do {
            try self.init(parsing: text)
        } catch {
            throw DecodingError.dataCorrupted(
                DecodingError.Context(codingPath: decoder.codingPath, debugDescription: "\(error)"))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension DoseVolumeHistogram {
    /// The value of a metric on this DVH, in the metric's unit, or nil when it is undefined (a D_x cc
    /// larger than the structure).
    public func value(of metric: DoseMetric) -> Double? {
        switch metric {
        case .doseAtVolumePercent(let x): doseGy(hottestPercent: x)
        case .doseAtVolumeCM3(let x): doseGy(hottestVolumeCM3: x)
        case .volumePercentAtDose(let x): volumePercent(atOrAbove: x)
        case .volumeCM3AtDose(let x): volumeCM3(atOrAbove: x)
        case .meanDose: meanDoseGy
        case .minDose: minDoseGy
        case .maxDose: maxDoseGy
        }
    }
}
