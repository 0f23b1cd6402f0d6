import Foundation
import TestSupport
import Testing

/// pydicom's independent reading of an RT object, as JSON, to compare ours against.
enum PydicomSummary {
    static let script = """
        import sys, json, pydicom, numpy as np
        d = pydicom.dcmread(sys.argv[1], force=True)
        out = {}
        if 'BeamSequence' in d:
            mu = {}
            for g in d.get('FractionGroupSequence', []):
                for r in g.get('ReferencedBeamSequence', []):
                    if 'BeamMeterset' in r: mu[int(r.ReferencedBeamNumber)] = float(r.BeamMeterset)
            beams = []
            for b in d.BeamSequence:
                cps = b.ControlPointSequence
                mlc = [x for x in b.get('BeamLimitingDeviceSequence', []) if x.RTBeamLimitingDeviceType.startswith('MLC')]
                beams.append(dict(number=int(b.BeamNumber), name=str(b.get('BeamName', '')), ncp=len(cps),
                    gantry=[float(c.GantryAngle) for c in cps if 'GantryAngle' in c],
                    energy=float(cps[0].NominalBeamEnergy) if 'NominalBeamEnergy' in cps[0] else None,
                    mu=mu.get(int(b.BeamNumber)), pairs=int(mlc[0].NumberOfLeafJawPairs) if mlc else 0,
                    final=float(b.FinalCumulativeMetersetWeight) if 'FinalCumulativeMetersetWeight' in b else None))
            out['beams'] = beams
        if 'StructureSetROISequence' in d:
            contours = {int(c.ReferencedROINumber): c.get('ContourSequence', []) for c in d.get('ROIContourSequence', [])}
            out['rois'] = [dict(number=int(r.ROINumber), name=str(r.ROIName), contours=len(contours.get(int(r.ROINumber), [])),
                points=sum(len(c.ContourData) // 3 for c in contours.get(int(r.ROINumber), []))) for r in d.StructureSetROISequence]
        if d.get('Modality') == 'RTDOSE':
            a = d.pixel_array.astype(np.float64) * float(d.DoseGridScaling)
            if a.ndim == 2: a = a[None]
            out['dose'] = dict(columns=int(d.Columns), rows=int(d.Rows), frames=a.shape[0], max=float(a.max()), sum=float(a.sum()),
                position=[float(x) for x in d.ImagePositionPatient], spacing=[float(x) for x in d.PixelSpacing],
                offsets=[float(x) for x in d.GridFrameOffsetVector])
        print(json.dumps(out))
        """

    /// Runs the script on a file and decodes its JSON.
    static func of(_ url: URL) throws -> [String: Any] {
        let out = try runPython(script, arguments: [url.path])
        guard out.status == 0, let data = out.standardOutput.data(using: .utf8),
            let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else {
            throw PythonFailure(message: "pydicom could not read \(url.lastPathComponent): \(out.standardError)")
        }
        return json
    }

    struct PythonFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
