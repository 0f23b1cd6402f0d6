/// Refills the random-number buffers of many particles' streams eight at a time with `PhiloxLanes`.
///
/// A `RandomStream` draws four 32-bit words per Philox block, computing the next block when its buffer is
/// used up. The event-based driver, before a stage in which each lane draws one word, refills exactly the
/// lanes whose buffer is empty, with the block their own stream would compute next (counter = (draw
/// block, stream id, history)): every particle then draws the same numbers as in the scalar driver.
struct StreamRefill {
    private var pending: [Int] = []

    init(capacity: Int) { pending.reserveCapacity(capacity) }

    /// Refills the exhausted streams among `lanes` of `particles`.
    mutating func refill(_ particles: inout [Particle], lanes: [Int]) {
        pending.removeAll(keepingCapacity: true)
        for l in lanes where particles[l].rng.used == 4 { pending.append(l) }
        guard let firstLane = pending.first else { return }
        let key = particles[firstLane].rng.key
        var start = 0
        while start < pending.count {
            var counter = PhiloxLanes.Block(x: .zero, y: .zero, z: .zero, w: .zero)
            let n = min(8, pending.count - start)
            for slot in 0..<n {
                let s = particles[pending[start + slot]].rng
                precondition(s.key == key, "StreamRefill: lanes of one run share the seed")
                counter.x[slot] = s.block
                counter.y[slot] = s.streamID
                counter.z[slot] = s.historyLow
                counter.w[slot] = s.historyHigh
            }
            let out = PhiloxLanes.block(counter, key: key)
            for slot in 0..<n {
                let l = pending[start + slot]
                particles[l].rng.buffer = out[lane: slot]
                particles[l].rng.block &+= 1
                particles[l].rng.used = 0
            }
            start += n
        }
    }
}
