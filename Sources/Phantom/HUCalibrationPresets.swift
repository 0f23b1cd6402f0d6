import Foundation

// MARK: - Presets

extension HUCalibration {
    /// The preset names, default first.
    public static let presetNames = ["schneider-2000", "egsnrc-ctcreate-4"]

    /// A preset by name.
    /// - Throws: `CalibrationError.unknownPreset`.
    public static func preset(named name: String) throws -> HUCalibration {
        switch name.lowercased() {
        case "schneider-2000": schneider2000
        case "egsnrc-ctcreate-4": egsnrcCtcreate4
        default: throw CalibrationError.unknownPreset(name)
        }
    }

    /// EGSnrc `ctcreate`'s default 4-medium ramp (PHYSICS.md §3.1; `ctcreate.mortran` GETRAMPS defaults):
    /// density linear in HU within each medium, continuous across media. For comparisons with DOSXYZnrc.
    public static let egsnrcCtcreate4 = try! HUCalibration(
        name: "egsnrc-ctcreate-4",
        densityKnots: [(-1024, 0.001), (-974, 0.044), (-724, 0.302), (101, 1.101), (1976, 2.088)].map {
            DensityKnot(hu: $0.0, densityGPerCM3: $0.1)
        },
        media: [("AIR700ICRU", -1024), ("LUNG700ICRU", -974), ("ICRUTISSUE700ICRU", -724), ("ICRPBONE700ICRU", 101)].map
        {
            MediumBin(medium: $0.0, fromHU: $0.1)
        })

    /// Schneider, Bortfeld & Schlegel 2000 (Phys. Med. Biol. 45:459): the HU → density knots and the
    /// composition bins as tabulated in PHYSICS.md §3.1 (from the paper's tissue lines and its
    /// 71-tissue binning, Table 6). The media are named `SCHNEIDER2000_<BIN>`; their compositions are in the
    /// physics tables (`tools/physics-data/materials.py` `SCHNEIDER_2000_BINS`, same bounds; a test checks).
    public static let schneider2000 = try! HUCalibration(
        name: "schneider-2000",
        densityKnots: [
            (-1000, 0.00121), (-98, 0.93), (-97, 0.930486), (14, 1.03), (23, 1.031), (100, 1.1199), (101, 1.0762),
            (1600, 1.9642), (3000, 2.8),
        ].map { DensityKnot(hu: $0.0, densityGPerCM3: $0.1) },
        media: schneiderBins)

    private static let schneiderBins: [MediumBin] = {
        var bins: [(String, Double)] = [("AIR", -1050), ("LUNG", -950)]
        for (n, hu) in [-120.0, -82, -52, -22, 8].enumerated() { bins.append(("ADIPOSE_\(n + 1)", hu)) }
        bins += [("SOFT_TISSUE", 19), ("CONNECTIVE_TISSUE", 80)]
        let boneBounds: [Double] = [120] + stride(from: 200.0, through: 1500, by: 100)
        for (n, hu) in boneBounds.enumerated() { bins.append(("BONE_\(n + 1 < 10 ? "0" : "")\(n + 1)", hu)) }
        bins += [("AMALGAM", 1640), ("METAL_1", 2300), ("METAL_2", 3000)]
        return bins.map { MediumBin(medium: "SCHNEIDER2000_\($0.0)", fromHU: $0.1) }
    }()
}

// MARK: - Files

extension HUCalibration {
    /// Loads a preset name, or a calibration file: JSON (this type's Codable form) or CSV.
    ///
    /// CSV: a header line, then one row per medium, `medium,hu_from,hu_to,density_from,density_to`
    /// (a ctcreate-style ramp, density linear within each medium). `#` starts a comment line.
    public static func load(_ nameOrPath: String) throws -> HUCalibration {
        if presetNames.contains(nameOrPath.lowercased()) { return try preset(named: nameOrPath) }
        let url = URL(fileURLWithPath: nameOrPath)
        guard FileManager.default.fileExists(atPath: url.path) else { throw CalibrationError.unknownPreset(nameOrPath) }
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw CalibrationError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        if url.pathExtension.lowercased() == "json" {
            do {
                let calibration = try JSONDecoder().decode(HUCalibration.self, from: data)
                try calibration.validate()
                return calibration
            } catch let e as CalibrationError {
                throw e
            } catch {
                throw CalibrationError.unreadable(file: url.path, reason: "not a calibration in JSON: \(error)")
            }
        }
        return try parseCSV(String(decoding: data, as: UTF8.self), name: url.lastPathComponent, file: url.path)
    }

    /// Parses the CSV ramp form (see `load`).
    public static func parseCSV(_ text: String, name: String, file: String = "<csv>") throws -> HUCalibration {
        var knots: [DensityKnot] = []
        var bins: [MediumBin] = []
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        for (n, line) in lines.enumerated() where !line.isEmpty && !line.hasPrefix("#") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if bins.isEmpty && knots.isEmpty && Double(fields.dropFirst().first ?? "") == nil { continue }  // header
            guard fields.count == 5, let h0 = Double(fields[1]), let h1 = Double(fields[2]), let d0 = Double(fields[3]),
                let d1 = Double(fields[4]), h1 > h0
            else {
                throw CalibrationError.unreadable(
                    file: file,
                    reason:
                        "line \(n + 1): expected medium,hu_from,hu_to,density_from,density_to with hu_to > hu_from, found '\(line)'"
                )
            }
            bins.append(MediumBin(medium: fields[0], fromHU: h0))
            if let last = knots.last, last.hu == h0, last.densityGPerCM3 == d0 {
                knots.append(DensityKnot(hu: h1, densityGPerCM3: d1)); continue
            }
            knots += [DensityKnot(hu: h0, densityGPerCM3: d0), DensityKnot(hu: h1, densityGPerCM3: d1)]
        }
        return try HUCalibration(name: name, densityKnots: knots, media: bins)
    }
}
