import Foundation
import Physics
import Testing
@testable import Beam

@Suite struct MachineModelTests {
    @Test(arguments: GenericMachines.names)
    func genericMachinesAreValidAndRoundTripThroughJSON(name: String) throws {
        let m = try #require(GenericMachines.named(name))
        try m.validate()
        let back = try JSONDecoder().decode(MachineModel.self, from: try m.jsonData())
        #expect(back == m)
    }

    @Test func invalidValuesNameTheField() {
        var m = GenericMachines.sixMV
        m.mlc.transmission = 0.5
        #expect(throws: BeamError.badMachine("machine 'generic-6x': mlc.transmission must be in [0, 0.2)")) { try m.validate() }
    }

    @Test func generatedSpectraEndAtTheElectronEnergyAndHardenWithFiltration() throws {
        let physics = try PhysicsData.bundled()
        let model = try SourceModel(machine: GenericMachines.sixMV, physics: physics)
        let central = model.ringSpectra[0], edge = model.ringSpectra[model.ringSpectra.count - 1]
        #expect(abs(central.maximumEnergyMeV - 6.2) < 1e-9)
        // The thicker filter on the axis removes more low-energy photons: a harder spectrum (off-axis softening).
        #expect(central.meanEnergyMeV > edge.meanEnergyMeV)
        // A 6 MV bremsstrahlung beam's mean energy is roughly a third of the maximum (Attix, Introduction to
        // Radiological Physics and Radiation Dosimetry, 1986, §14: "average ≈ E_max/3"): a wide band.
        #expect(central.meanEnergyMeV > 1.3 && central.meanEnergyMeV < 2.6)
        let fff = try SourceModel(machine: GenericMachines.sixMVFFF, physics: physics)
        #expect(fff.ringSpectra[0].meanEnergyMeV < central.meanEnergyMeV)
    }
}
