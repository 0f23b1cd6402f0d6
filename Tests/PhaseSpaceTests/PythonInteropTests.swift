import Foundation
import PhaseSpace
import TestSupport
import Testing

/// An IAEA phase space written by an independent NumPy implementation of INDC(NDS)-0484 reads back
/// identically in Penumbra, and one Penumbra writes reads back identically in NumPy.
@Suite struct PythonInteropTests {
    /// Writes `argv[1]`.IAEAheader/.IAEAphsp with byte order `argv[2]` ('<' or '>'): x, y, u, v and
    /// weight stored, z constant at 90 cm, one extra long (incremental history number); prints the
    /// particles as JSON (float32 values converted exactly to double).
    static let pythonWriter = #"""
        import json, sys
        import numpy as np
        base, order = sys.argv[1], sys.argv[2]
        rng = np.random.default_rng(7)
        dt = np.dtype([('t', 'i1'), ('e', order + 'f4'), ('x', order + 'f4'), ('y', order + 'f4'),
                       ('u', order + 'f4'), ('v', order + 'f4'), ('wt', order + 'f4'), ('n', order + 'i4')])
        rows = []
        for h in range(50):
            for i in range(1 + h % 3):
                kind = 1 + (h + i) % 3
                mu = rng.uniform(-1, 1)
                phi = rng.uniform(0, 2 * np.pi)
                s = np.sqrt(1 - mu * mu)
                e = np.float32(rng.uniform(0.05, 6))
                rows.append((kind if mu >= 0 else -kind, -e if i == 0 else e, rng.uniform(-10, 10),
                             rng.uniform(-10, 10), s * np.cos(phi), s * np.sin(phi), rng.uniform(0.5, 2),
                             3 * h + 1 if i == 0 else 0))
        a = np.array(rows, dtype=dt)
        assert dt.itemsize == 29
        a.tofile(base + '.IAEAphsp')
        kinds = np.abs(a['t'])
        header = ['$IAEA_INDEX:', '0', '', '$TITLE:', 'numpy interop', '', '$FILE_TYPE:', '0', '',
                  '$CHECKSUM:', str(29 * len(a)), '', '$RECORD_CONTENTS:']
        header += ['1 // x', '1 // y', '0 // z', '1 // u', '1 // v', '1 // w', '1 // weight', '0 // floats',
                   '1 // longs', '1 // incremental history number', '']
        header += ['$RECORD_CONSTANT:', '90.0 // z', '', '$RECORD_LENGTH:', '29', '',
                   '$BYTE_ORDER:', '1234' if order == '<' else '4321', '', '$ORIG_HISTORIES:', '200', '',
                   '$PARTICLES:', str(len(a)), '']
        for code, name in [(1, 'PHOTONS'), (2, 'ELECTRONS'), (3, 'POSITRONS')]:
            header += ['$' + name + ':', str(int((kinds == code).sum())), '']
        open(base + '.IAEAheader', 'w').write('\n'.join(header))
        print(json.dumps({'type': kinds.tolist(), 'wNegative': (a['t'] < 0).tolist(),
                          'newHistory': (a['e'] < 0).tolist(), 'energy': np.abs(a['e']).astype(float).tolist(),
                          'x': a['x'].astype(float).tolist(), 'y': a['y'].astype(float).tolist(),
                          'u': a['u'].astype(float).tolist(), 'v': a['v'].astype(float).tolist(),
                          'weight': a['wt'].astype(float).tolist(), 'long0': a['n'].tolist()}))
        """#

    /// Reads the phase space `argv[1]` with its own header parser and NumPy's structured arrays and
    /// prints the particles as JSON.
    static let pythonReader = #"""
        import json, sys
        import numpy as np
        base = sys.argv[1]
        sections, name = {}, None
        for line in open(base + '.IAEAheader'):
            stripped = line.strip()
            if stripped.startswith('$') and ':' in stripped:
                name = stripped[1:stripped.index(':')]
                sections[name] = []
            elif name is not None and stripped.split('//')[0].strip():
                sections[name].append(stripped.split('//')[0].strip())
        ints = lambda key: [int(t) for line in sections[key] for t in line.split()]
        contents = ints('RECORD_CONTENTS')
        order = {1234: '<', 4321: '>'}[ints('BYTE_ORDER')[0]]
        fields = [('t', 'i1'), ('e', order + 'f4')]
        for flag, key in zip(contents[:7], ['x', 'y', 'z', 'u', 'v', 'w', 'weight']):
            if flag == 1 and key != 'w':
                fields.append((key, order + 'f4'))
        fields += [('float%d' % i, order + 'f4') for i in range(contents[7])]
        fields += [('long%d' % i, order + 'i4') for i in range(contents[8])]
        dt = np.dtype(fields)
        assert dt.itemsize == ints('RECORD_LENGTH')[0], (dt.itemsize, sections['RECORD_LENGTH'])
        a = np.fromfile(base + '.IAEAphsp', dtype=dt)
        assert len(a) == ints('PARTICLES')[0]
        u, v = a['u'].astype(np.float64), a['v'].astype(np.float64)
        w = np.where(a['t'] < 0, -1.0, 1.0) * np.sqrt(np.maximum(0.0, 1 - u * u - v * v))
        print(json.dumps({'type': np.abs(a['t']).tolist(), 'wNegative': (a['t'] < 0).tolist(),
                          'newHistory': (a['e'] < 0).tolist(), 'energy': np.abs(a['e']).astype(float).tolist(),
                          'x': a['x'].astype(float).tolist(), 'y': a['y'].astype(float).tolist(),
                          'z': a['z'].astype(float).tolist(), 'u': u.tolist(), 'v': v.tolist(), 'w': w.tolist(),
                          'weight': a['weight'].astype(float).tolist(), 'float0': a['float0'].astype(float).tolist(),
                          'long0': a['long0'].tolist(), 'long1': a['long1'].tolist(),
                          'originalHistories': ints('ORIG_HISTORIES')[0], 'photons': ints('PHOTONS')[0]}))
        """#

    struct Particles: Decodable {
        let type: [Int8], wNegative: [Bool], newHistory: [Bool]
        let energy: [Double], x: [Double], y: [Double], u: [Double], v: [Double], weight: [Double], long0: [Int32]
        let z: [Double]?, w: [Double]?, float0: [Double]?, long1: [Int32]?
        let originalHistories: UInt64?, photons: UInt64?
    }

    @Test(arguments: ["<", ">"])
    func penumbraReadsWhatNumpyWrites(_ order: String) throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let base = directory.appendingPathComponent("numpy")
        let run = try runPython(Self.pythonWriter, arguments: [base.path, order])
        try #require(run.status == 0, "\(run.standardError)")
        let expected = try JSONDecoder().decode(Particles.self, from: Data(run.standardOutput.utf8))
        let file = try IAEAPhaseSpaceFile(base.appendingPathExtension("IAEAphsp"))
        #expect(file.header.layout.byteOrder == (order == "<" ? .littleEndian : .bigEndian))
        #expect(file.header.layout.extraLongs == [.incrementalHistoryNumber])
        let read = try file.particles(0..<file.particles)
        try #require(read.count == expected.type.count)
        for (i, p) in read.enumerated() {
            // Every value bit for bit: float32 → double is exact, so == compares the stored bits.
            #expect(p.type.rawValue == expected.type[i] && p.isNewHistory == expected.newHistory[i])
            #expect(Double(p.energyMeV) == expected.energy[i] && Double(p.weight) == expected.weight[i])
            #expect(Double(p.xCM) == expected.x[i] && Double(p.yCM) == expected.y[i] && p.zCM == 90)
            #expect(Double(p.u) == expected.u[i] && Double(p.v) == expected.v[i])
            #expect((p.w < 0) == expected.wNegative[i])
            #expect(p.extraLongs == [expected.long0[i]])
        }
        let index = try IAEAHistoryIndex(scanning: file)
        #expect(index.storedHistories == 50)
        #expect(file.header.originalHistories == 200)
    }

    @Test func numpyReadsWhatPenumbraWrites() throws {
        let directory = try TestEnvironment.makeScratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var layout = IAEARecordLayout()
        layout.extraFloats = [.zLast]
        layout.extraLongs = [.incrementalHistoryNumber, .egsLatch]
        layout.byteOrder = .bigEndian
        let written = Array(IAEAFileTests.particles(histories: 40, layout: layout).joined())
        let base = directory.appendingPathComponent("penumbra")
        let writer = try IAEAPhaseSpaceWriter(base, layout: layout)
        for p in written { try writer.append(p) }
        try writer.finish(originalHistories: 77)
        let run = try runPython(Self.pythonReader, arguments: [base.path])
        try #require(run.status == 0, "\(run.standardError)")
        let got = try JSONDecoder().decode(Particles.self, from: Data(run.standardOutput.utf8))
        try #require(got.type.count == written.count)
        #expect(got.originalHistories == 77)
        #expect(got.photons == UInt64(written.filter { $0.type == .photon }.count))
        for (i, p) in written.enumerated() {
            #expect(p.type.rawValue == got.type[i] && p.isNewHistory == got.newHistory[i])
            #expect(Double(p.energyMeV) == got.energy[i] && Double(p.weight) == got.weight[i])
            #expect(Double(p.xCM) == got.x[i] && Double(p.yCM) == got.y[i] && Double(p.zCM) == got.z?[i])
            #expect(Double(p.u) == got.u[i] && Double(p.v) == got.v[i])
            // w: NumPy rebuilds it in double from the stored u, v; the particle's w is float32 (≤ 1e-6 apart).
            #expect(abs(Double(p.w) - (got.w?[i] ?? 9)) < 1e-6)
            #expect(Double(p.extraFloats[0]) == got.float0?[i])
            #expect(p.extraLongs == [got.long0[i], got.long1?[i] ?? 0])
        }
    }
}
