import Physics

/// The bundled physics data, loaded once for all tests (loading checks a 1.3 MB SHA-256, slow in debug).
enum Fixtures {
    private static let loaded = Result { try PhysicsData.bundled() }

    static func data() throws -> PhysicsData { try loaded.get() }
}
