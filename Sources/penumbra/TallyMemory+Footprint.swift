import Cluster
import Transport

extension TallyMemory {
    /// What a worker reports of an engine's thread tallies (`TransportEngine.tallyBytesPerThread`).
    init(_ footprint: TallyPool.Footprint) {
        self.init(
            bytesPerThread: UInt64(footprint.recordBytes), touchedBytesPerThread: UInt64(footprint.touchedBytes))
    }
}
