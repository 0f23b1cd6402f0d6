import Foundation
import Physics
import Transport

/// A machine model made ready for sampling: its spectra generated (one per radial ring, for off-axis
/// softening) and its collimator.
public struct SourceModel: Sendable {
    /// The machine file this model comes from.
    public let machine: MachineModel
    /// Spectrum of each ring; ring `i` is centred on radius `ringRadiiCM[i]` on the isocentre plane.
    public let ringSpectra: [PhotonSpectrum]
    /// Radii of the rings, cm.
    public let ringRadiiCM: [Double]
    /// The jaws and MLC.
    public var collimator: Collimator

    /// Generates the spectra with the Physics cross sections of `physics`.
    /// - Throws: `BeamError.badMachine` for an invalid machine or an unknown target/filter material.
    public init(machine: MachineModel, physics: PhysicsData) throws {
        try machine.validate()
        let s = machine.spectrum
        let target: PhotonCrossSections, filter: PhotonCrossSections
        do {
            target = physics.photonCrossSections(for: try physics.material(named: s.targetMaterial))
            filter = physics.photonCrossSections(for: try physics.material(named: s.filterMaterial))
        } catch {
            throw BeamError.badMachine("machine '\(machine.name)': \(error)")
        }
        let generator = BremsstrahlungSpectrumGenerator(electronEnergyMeV: s.electronEnergyMeV)
        var radii: [Double] = [], spectra: [PhotonSpectrum] = []
        for i in 0..<s.rings {
            let r = s.rings == 1 ? 0 : s.filterEdgeRadiusCM * Double(i) / Double(s.rings - 1)
            let filterGPerCM2 = s.filterCentralGPerCM2 + (s.filterEdgeGPerCM2 - s.filterCentralGPerCM2) * r / s.filterEdgeRadiusCM
            radii.append(r)
            spectra.append(try generator.spectrum(
                title: "\(machine.name) r=\(r) cm",
                layers: [(target, s.targetSelfAttenuationGPerCM2), (filter, filterGPerCM2)]))
        }
        self.machine = machine
        ringRadiiCM = radii
        ringSpectra = spectra
        collimator = Collimator(jaws: machine.jaws, mlc: machine.mlc, stackedMLCLayers: machine.stackedMLCLayers ?? [])
    }

    /// The largest photon or electron energy emitted, MeV.
    public var maximumEnergyMeV: Double {
        max(ringSpectra.map(\.maximumEnergyMeV).max() ?? 0, machine.electronContamination.maximumEnergyMeV)
    }

    /// Samples a primary photon energy at radius `r` (cm on the isocentre plane), interpolating between
    /// the two rings around `r` by choosing one of them with the linear weight.
    func samplePhotonEnergyMeV(radiusCM r: Double, _ rng: inout RandomStream) -> Double {
        let n = ringRadiiCM.count
        guard n > 1 else { return ringSpectra[0].sampleEnergyMeV(&rng) }
        let step = ringRadiiCM[1]
        let x = min(r / step, Double(n - 1))
        let i = min(Int(x), n - 2)
        let ring = rng.uniform() < x - Double(i) ? i + 1 : i
        return ringSpectra[ring].sampleEnergyMeV(&rng)
    }

    /// The extra-focal source's spectrum: the outermost ring's (photons scattered in the filter and
    /// primary collimator are softer than the central primary beam).
    func sampleExtraFocalEnergyMeV(_ rng: inout RandomStream) -> Double {
        ringSpectra[ringSpectra.count - 1].sampleEnergyMeV(&rng)
    }

    /// A contaminant electron's kinetic energy: exponential with the machine's mean, truncated at the maximum.
    func sampleElectronEnergyMeV(_ rng: inout RandomStream) -> Double {
        let c = machine.electronContamination
        while true {
            let e = -c.meanEnergyMeV * log(1 - rng.uniform())
            if e <= c.maximumEnergyMeV && e > 0.2 { return e }
        }
    }
}
