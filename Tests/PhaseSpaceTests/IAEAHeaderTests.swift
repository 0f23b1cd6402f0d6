import PhaseSpace
import Testing

/// The `.IAEAheader` parser on headers laid out as the IAEA library writes them (INDC(NDS)-0484).
@Suite struct IAEAHeaderTests {
    /// A header in the library's layout: constant z, 1 extra float (ZLAST) and 2 extra longs
    /// (incremental history number, EGS LATCH), comments after values.
    static let libraryStyle = """
        $IAEA_INDEX:
        1001   // test header

        $TITLE:
        Test beam, 6 MV

        $FILE_TYPE:
        0

        $CHECKSUM:
        1700

        $RECORD_CONTENTS:
            1     // X is stored ?
            1     // Y is stored ?
            0     // Z is stored ?
            1     // U is stored ?
            1     // V is stored ?
            1     // W is stored ?
            1     // Weight is stored ?
            1     // Extra floats stored ?
            2     // Extra longs stored ?
            3     // ZLAST
            1     // incremental history number
            2     // LATCH

        $RECORD_CONSTANT:
           78.5000     // Constant Z

        $RECORD_LENGTH:
        37

        $BYTE_ORDER:
        4321

        $ORIG_HISTORIES:
        1000000

        $PARTICLES:
        46

        $PHOTONS:
        40

        $ELECTRONS:
        6

        $COORDINATE_SYSTEM_DESCRIPTION:
        z from the target, cm

        $STATISTICAL_INFORMATION_PARTICLES:
        //    Weight     Wmin    Wmax       <E>       Emin        Emax    Particle
                 40.00 1.00000   1.00       1.50    0.01000        6.00   PHOTONS
        """

    @Test func parsesTheLibraryLayout() throws {
        let h = try IAEAHeader.parse(Self.libraryStyle, file: "t.IAEAheader")
        let l = h.layout
        #expect(l.storesX && l.storesY && !l.storesZ && l.storesU && l.storesV && l.storesWeight)
        #expect(l.constantZCM == 78.5)
        #expect(l.extraFloats == [.zLast])
        #expect(l.extraLongs == [.incrementalHistoryNumber, .egsLatch])
        #expect(l.byteOrder == .bigEndian)
        // 1 type byte + energy + x, y, u, v, weight + 1 extra float + 2 extra longs, 4 bytes each.
        #expect(l.recordLength == 1 + 4 + 4 * 5 + 4 + 8)
        #expect(h.originalHistories == 1_000_000)
        #expect(h.particles == 46)
        #expect(h.particleCounts == [.photon: 40, .electron: 6])
        #expect(h.checksum == 1700)
        #expect(h.section("TITLE") == "Test beam, 6 MV")
        #expect(h.section("IAEA_INDEX") == "1001   // test header")
        #expect(h.section("COORDINATE_SYSTEM_DESCRIPTION") == "z from the target, cm")
    }

    @Test func renderedHeaderParsesBackToTheSameHeader() throws {
        let h = try IAEAHeader.parse(Self.libraryStyle, file: "t.IAEAheader")
        let again = try IAEAHeader.parse(h.rendered(), file: "again.IAEAheader")
        #expect(again.layout == h.layout)
        #expect(again.originalHistories == h.originalHistories)
        #expect(again.particles == h.particles)
        #expect(again.particleCounts == h.particleCounts)
        #expect(again.otherSections.map(\.name) == h.otherSections.map(\.name))
    }

    /// Headers of the 2006 library list no extra types, and may mark w as not stored with no constant.
    @Test func acceptsHeadersWithoutExtraTypesAndWithoutAWConstant() throws {
        let text = Self.libraryStyle
            .replacingOccurrences(
                of: "    3     // ZLAST\n    1     // incremental history number\n    2     // LATCH\n", with: ""
            )
            .replacingOccurrences(of: "    1     // W is stored ?", with: "    0     // W is stored ?")
        let h = try IAEAHeader.parse(text, file: "old.IAEAheader")
        #expect(h.layout.extraFloats == [.generic])
        #expect(h.layout.extraLongs == [.generic, .generic])
        #expect(h.layout.constantZCM == 78.5)
    }

    /// Each malformed header gives a typed error that names the section at fault.
    @Test(arguments: [
        ("$RECORD_CONTENTS:", "$RECORD_KONTENTS:", "RECORD_CONTENTS"),
        ("$RECORD_LENGTH:\n37", "$RECORD_LENGTH:\n41", "RECORD_LENGTH is 41"),
        ("$BYTE_ORDER:\n4321", "$BYTE_ORDER:\n3412", "BYTE_ORDER 3412"),
        ("$FILE_TYPE:\n0", "$FILE_TYPE:\n1", "event generator"),
        ("   78.5000     // Constant Z", "", "RECORD_CONSTANT holds 0 values"),
        ("$ELECTRONS:\n6", "$ELECTRONS:\n7", "add up to 47"),
        ("$PARTICLES:\n46", "$PARTICLES:\nmany", "'many' is not an integer"),
        ("    3     // ZLAST", "    9     // ?", "unknown extra float type 9"),
        ("    1     // X is stored ?", "    2     // X is stored ?", "stored flag of x is 2"),
    ])
    func rejectsMalformedHeaders(_ change: (String, String, String)) throws {
        let text = Self.libraryStyle.replacingOccurrences(of: change.0, with: change.1)
        #expect(text != Self.libraryStyle)
        #expect {
            try IAEAHeader.parse(text, file: "bad.IAEAheader")
        } throws: { error in
            let message = "\(error)"
            return error is PhaseSpaceError && message.contains(change.2) && message.contains("bad.IAEAheader")
        }
    }
}
