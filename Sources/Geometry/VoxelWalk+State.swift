extension VoxelWalk {
    /// A walk's complete state, so that a walk stopped in one process (a particle handed to another
    /// slab's owner) goes on in another exactly as it would have: same voxels, same distances, same bits.
    public struct State: Hashable, Sendable {
        /// The current voxel.
        public var voxel: SIMD3<Int32>
        /// Distance from the start to where the current voxel is left.
        public var exitDistance: Double
        /// Distance from the start to the next face crossed along each axis.
        public var nextFace: Vec3
        /// Distance between faces along each axis.
        public var faceSpacing: Vec3
        /// −1, 0 or +1 per axis.
        public var step: SIMD3<Int8>
        /// The grid's voxel counts.
        public var counts: SIMD3<Int32>

        /// Creates a state from its fields (e.g. decoded from a particle bank).
        public init(voxel: SIMD3<Int32>, exitDistance: Double, nextFace: Vec3, faceSpacing: Vec3, step: SIMD3<Int8>,
                    counts: SIMD3<Int32>) {
            self.voxel = voxel
            self.exitDistance = exitDistance
            self.nextFace = nextFace
            self.faceSpacing = faceSpacing
            self.step = step
            self.counts = counts
        }

        /// Whether the state is one a walk can be in: positive counts, the voxel inside them, steps of
        /// −1, 0 or +1, and no NaN distance (a decoder's check on foreign bytes).
        public var isValid: Bool {
            let inside = (0..<3).allSatisfy { voxel[$0] >= 0 && voxel[$0] < counts[$0] }
            let steps = (0..<3).allSatisfy { abs(Int(step[$0])) <= 1 }
            let numbers = [exitDistance, nextFace.x, nextFace.y, nextFace.z, faceSpacing.x, faceSpacing.y, faceSpacing.z]
            return inside && steps && !numbers.contains { $0.isNaN }
        }
    }

    /// This walk's state.
    public var state: State {
        State(voxel: SIMD3(Int32(vi), Int32(vj), Int32(vk)), exitDistance: exit, nextFace: Vec3(tMax.x, tMax.y, tMax.z),
              faceSpacing: Vec3(tDelta.x, tDelta.y, tDelta.z), step: SIMD3(Int8(step.x), Int8(step.y), Int8(step.z)),
              counts: SIMD3(Int32(counts.x), Int32(counts.y), Int32(counts.z)))
    }

    /// The walk in state `state`.
    /// - Precondition: `state.isValid`.
    public init(state: State) {
        precondition(state.isValid, "an invalid voxel walk state")
        vi = Int(state.voxel.x)
        vj = Int(state.voxel.y)
        vk = Int(state.voxel.z)
        exit = state.exitDistance
        tMax = (state.nextFace.x, state.nextFace.y, state.nextFace.z)
        tDelta = (state.faceSpacing.x, state.faceSpacing.y, state.faceSpacing.z)
        step = (Int(state.step.x), Int(state.step.y), Int(state.step.z))
        counts = (Int(state.counts.x), Int(state.counts.y), Int(state.counts.z))
    }
}
