import Geometry

/// A photon's Woodcock flight between two real interactions, as far as it has gone: enough to go on
/// from exactly where it stopped (a slab face in a decomposed run) with the same operations on the
/// same numbers as an uninterrupted flight.
struct PhotonFlight: Sendable {
    /// Majorant mean free paths left to the next candidate collision.
    var tau: Double
    /// cm flown from the flight's start (the particle's position).
    var travelled: Double
    /// The walk over majorant blocks.
    var walk: VoxelWalk
}

/// An electron or positron condensed-history step as far as it has gone (`ChargedKernel.swift` names
/// each quantity): enough to finish the step exactly as an uninterrupted one.
struct ChargedStep: Sendable {
    /// The medium of the voxel the step started in, its energy there and its hard-event majorant.
    var medium0: Int
    var e0: Double
    var sigmaMax0: Double
    var hardFuel: Double
    var endsAtHardEvent: Bool
    var stopsInStep: Bool
    var kStep: Double
    var inverseLambda1: Double
    var inverseLambda2: Double
    /// The medium's Rutherford moment ratio at the step's mid-range energy (Goudsmit–Saunderson screening).
    var rutherfordRatio: Double
    var kHinge: Double
    /// ln E where the hinge's and the step's own strength targets lie in `medium0`: S(E) = S(E₀) − k_hinge
    /// and S(E₀) − k_step, inverted once per step. While every segment is in `medium0`, S(E) + k_used =
    /// S(E₀) (S is per gram, whatever the density), so every segment's target is one of these energies.
    var lnHingeTarget: Double
    var lnEndTarget: Double
    /// Every segment so far was in `medium0`, so that the two targets above hold.
    var inStartMedium: Bool
    var hinged: Bool
    var kUsed: Double
    /// ln of the particle's energy as the step last read it (`LastLog`): a resumed step takes it up so that
    /// its table reads are bit for bit those of the uninterrupted step.
    var lnEnergy: Double
    /// The walk over voxels along the current straight line, from `origin`, and the cm flown on it.
    var walk: VoxelWalk
    var s: Double
    var origin: Vec3
}

/// A charged step set up as far as its first random number (`Simulation.startChargedStep`): the event
/// driver draws the hard-event fuel of many lanes at once between this and `Simulation.chargedStep`.
struct ChargedStepStart {
    var medium0: Int
    var e0: Double
    /// e0 located in the medium's tables, the restricted range there, and the step's limits in g/cm²
    /// by energy loss and by scattering strength; the hard-event majorant at e0.
    var at0: (Int, Double)
    var range0: Double
    var sLoss: Double
    var sScatter: Double
    var sigmaMax0: Double
}

/// The voxel a charged step's current segment lies in: its data index, density and medium.
struct ChargedVoxel {
    var index: Int
    var density: Double
    var medium: Int
}

/// A segment of a charged step measured out (`Simulation.planChargedSegment`): its voxel, the step's
/// majorant and strength target there, the strength at its start, its length and the distances it was
/// the least of, and ln of its end energy; the end energy itself is `exp` of that when `needsExp`, else
/// `eEnd`.
struct ChargedSegmentPlan {
    var voxel = 0
    var density = 0.0
    var sigmaMax = 0.0
    var kTarget = 0.0
    var strengthHere = 0.0
    var ds = 0.0
    var dsScatter = 0.0
    var dsHard = 0.0
    var dsStop = 0.0
    var lnEnd = 0.0
    var eEnd = 0.0
    var needsExp = false
}

/// What follows a segment of a charged step (`Simulation.chargedSegment`).
enum ChargedSegmentEnd {
    /// The step goes on with its next segment.
    case sameStep
    /// The step is over; the particle's next step needs setting up.
    case nextStep
    /// The segment ended at the step's hinge, whose deflection is sampled: polar angle and azimuth φ. The
    /// caller turns the particle by them (`Simulation.hinge`) with cos φ and sin φ from the scalar functions
    /// or from the vector ones four lanes at a time; then the step goes on.
    case hinge(cosTheta: Double, phi: Double)
    /// The particle stopped, annihilated, left the phantom or was banked for another slab.
    case gone
}

/// A particle handed from one slab to the next: its state and, when it crossed a slab face mid-flight,
/// the state of that flight. Mid-flight, the particle's position and voxel are still those where the
/// flight (or the current straight line of the step) began, perhaps in the slab it came from: the
/// kernels read only the walk until the next event sets them, exactly as in an uninterrupted flight.
struct BankedParticle: Sendable {
    /// Where a banked particle is in its transport.
    enum Flight: Sendable {
        /// Not started (a primary where it enters the phantom).
        case start
        case photon(PhotonFlight)
        case charged(ChargedStep)
    }

    var particle: Particle
    var flight: Flight
    /// A z plane of the slab that continues this particle (for a photon, the first plane of the
    /// majorant block it is entering).
    var plane: Int
}
