import DICOM
import Geometry
import Phantom

extension PatientImport {
    /// The structure set's density overrides and the voxels each one gets, in the order to apply them.
    ///
    /// Precedence where ROIs overlap: the smaller ROI (fewer voxels) wins — the more specific structure, e.g. a
    /// contrast-filled bladder forced to water inside a larger region with its own override; between ROIs of equal
    /// size the one earlier in the structure set wins. The voxels each override lists are those it finally holds.
    /// - Parameters:
    ///   - allowed: whether a voxel may take an override (inside the EXTERNAL ROI, or in a device kept outside it).
    ///   - notes: gets a line for each property not applied and each override that reaches no voxel.
    static func overrideMasks(
        _ set: StructureSet, calibration: HUCalibration, electrons: MediumElectrons, grid: VoxelGrid, supersampling: Int,
        allowed: (Int) -> Bool, notes: inout [String]
    ) throws -> [(ROI, DensityOverride, [Int])] {
        var candidates: [(order: Int, roi: ROI, override: DensityOverride, voxels: [Int])] = []
        for (order, roi) in set.rois.enumerated() where !roi.physicalProperties.isEmpty {
            let label = "ROI \(roi.number) '\(roi.name)'"
            var chosen: DensityOverride?
            for p in roi.physicalProperties {
                let written = "\(p.property)\(p.value.map { " \($0)" } ?? "")"
                guard DensityOverride.appliedProperties.contains(p.property) else {
                    notes.append(
                        "\(label): physical property \(written) is not applied (Penumbra applies REL_MASS_DENSITY, "
                            + "MASS_DENSITY and REL_ELEC_DENSITY): its dose follows the CT numbers there")
                    continue
                }
                guard chosen == nil else {
                    notes.append("\(label): \(written) is not applied; the ROI's first density property, \(chosen!.property), is")
                    continue
                }
                guard let value = p.value,
                    let override = try DensityOverride.resolve(
                        property: p.property, value: value, calibration: calibration, electrons: electrons)
                else {
                    notes.append("\(label): \(written) has no usable value (a number ≥ 0); not applied")
                    continue
                }
                chosen = override
            }
            guard let override = chosen else { continue }
            guard !roi.planarStructureCM.isEmpty else {
                notes.append("\(label) has a density override (\(override.property) \(override.value)) but no closed contours: not applied")
                continue
            }
            let occupancy = StructureRasterizer.occupancy(of: roi.planarStructureCM, on: grid, supersampling: supersampling)
            let inGrid = occupancy.indices.filter { occupancy[$0] >= 0.5 }
            let voxels = inGrid.filter(allowed)
            if inGrid.isEmpty {
                notes.append(
                    "\(label) has a density override (\(override.property) \(override.value)) but lies outside the CT grid: not applied")
                continue
            }
            if voxels.count < inGrid.count {
                notes.append(
                    "\(label): \(inGrid.count - voxels.count) of its \(inGrid.count) voxels lie outside the EXTERNAL ROI "
                        + "and are air; its override applies to the rest")
            }
            if override.beyondCalibration {
                notes.append(
                    "\(label): \(override.property) \(override.value) lies beyond calibration \(calibration.name)'s curve: "
                        + "medium \(override.medium) (its nearest end), density \(override.densityGPerCM3) g/cm³")
            }
            candidates.append((order, roi, override, voxels))
        }
        // Applied largest first, so the smaller ROI is written last and wins; equal sizes: the earlier ROI last.
        candidates.sort { ($0.voxels.count, $0.order) > ($1.voxels.count, $1.order) }
        var owner = [Int?](repeating: nil, count: grid.voxelCount)
        for (k, c) in candidates.enumerated() { for n in c.voxels { owner[n] = k } }
        var held = [[Int]](repeating: [], count: candidates.count)
        for (n, k) in owner.enumerated() { if let k { held[k].append(n) } }
        for (k, c) in candidates.enumerated() where held[k].isEmpty && !c.voxels.isEmpty {
            notes.append("ROI \(c.roi.number) '\(c.roi.name)': its override is entirely covered by smaller ROIs' overrides")
        }
        for (k, c) in candidates.enumerated() where c.voxels.isEmpty {
            notes.append("ROI \(c.roi.number) '\(c.roi.name)' lies entirely outside the EXTERNAL ROI: its override is not applied")
            held[k] = []
        }
        return candidates.indices.compactMap { held[$0].isEmpty ? nil : (candidates[$0].roi, candidates[$0].override, held[$0]) }
    }
}
