import Testing
@testable import Beam

@Suite struct CollimationTests {
    let collimator = Collimator(jaws: GenericMachines.jaws, mlc: GenericMachines.mlc)

    /// Three 0.5 cm leaf pairs from y = −0.75 to 0.75 cm.
    func aperture(bankA: [Double], bankB: [Double]) -> Aperture {
        Aperture(x1CM: -5, x2CM: 5, y1CM: -5, y2CM: 5,
                 leaves: LeafPositions(travelAlongX: true, boundariesCM: [-0.75, -0.25, 0.25, 0.75], bankACM: bankA, bankBCM: bankB))
    }

    @Test func jawsTransmitTheirFractionOutsideTheOpening() {
        let a = Aperture(x1CM: -5, x2CM: 5, y1CM: -3, y2CM: 3)
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (0, 0)) == 1)
        #expect(collimator.transmission(a, xJaw: 6, yJaw: 0, atMLC: (6, 0)) == GenericMachines.jaws.transmission)
        #expect(collimator.transmission(a, xJaw: 6, yJaw: 4, atMLC: (6, 4))
                == GenericMachines.jaws.transmission * GenericMachines.jaws.transmission)
    }

    @Test func leavesOpenBetweenTheirRadiationEdges() {
        let a = aperture(bankA: [-1, -2, -1], bankB: [1, 2, 1])
        let offset = GenericMachines.mlc.leafEndOffsetCM
        // Middle pair: open from −2 − offset to 2 + offset.
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (2 + offset * 0.5, 0)) == 1)
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (2 + offset * 1.5, 0)) == GenericMachines.mlc.transmission)
        // Outer pair at y = 0.5: open only to ±(1 + offset).
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (1.5, 0.5)) == GenericMachines.mlc.transmission)
        // Outside the MLC's pairs the leaves do not shield.
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (3, 2)) == 1)
    }

    @Test func tongueAndGrooveShieldsTheBoundaryWhereTheNeighbourIsClosed() {
        let a = aperture(bankA: [-1, -2, -1], bankB: [1, 2, 1])
        let half = GenericMachines.mlc.tongueAndGrooveWidthCM / 2
        // At x = 1.5 the middle pair is open, the upper pair closed: the band next to y = 0.25 is shielded.
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (1.5, 0.25 - half / 2)) == GenericMachines.mlc.transmission)
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (1.5, 0.25 - 2 * half)) == 1)
    }

    @Test func mlcyLeavesTravelAlongY() {
        var a = aperture(bankA: [-1, -1, -1], bankB: [1, 1, 1])
        a.leaves!.travelAlongX = false
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (0, 2)) == GenericMachines.mlc.transmission)
        #expect(collimator.transmission(a, xJaw: 0, yJaw: 0, atMLC: (2, 0)) == 1)  // outside the pairs in x
    }
}
