import Geometry

/// The machine at one moment of a beam: angles, isocentre and aperture (cm, degrees).
public struct MachineState: Sendable, Equatable {
    /// Gantry angle, degrees (IEC 61217).
    public var gantryDeg: Double
    /// Collimator angle, degrees.
    public var collimatorDeg: Double
    /// Couch angle, degrees.
    public var couchDeg: Double
    /// Isocentre in patient coordinates, cm.
    public var isocentreCM: Vec3
    /// Jaws and MLC.
    public var aperture: Aperture

    /// Creates a state.
    public init(gantryDeg: Double, collimatorDeg: Double, couchDeg: Double, isocentreCM: Vec3, aperture: Aperture) {
        self.gantryDeg = gantryDeg
        self.collimatorDeg = collimatorDeg
        self.couchDeg = couchDeg
        self.isocentreCM = isocentreCM
        self.aperture = aperture
    }

    /// The beam geometry of this state.
    public func geometry(sourceAxisDistanceCM: Double, patientPosition: PatientPosition) -> BeamGeometry {
        BeamGeometry(gantryDeg: gantryDeg, collimatorDeg: collimatorDeg, couchDeg: couchDeg, isocentreCM: isocentreCM,
                     sourceAxisDistanceCM: sourceAxisDistanceCM, patientPosition: patientPosition)
    }
}
