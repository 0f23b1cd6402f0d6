// Micro-benchmarks of the SIMD building blocks against their scalar counterparts (issue 5), as ratios
// measured in one process on the same core: Philox4x32-10 blocks (scalar vs eight lanes) and log, exp,
// sincos (glibc per number vs `VectorMath` on four lanes). Times are thread CPU seconds, so other
// processes on a shared machine slow both sides alike. Usage: .build/release/transport-microbenchmark
import Foundation
import Transport

func cpuSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Best of five timings of `body` (seconds), to skip preemptions.
func measure(_ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<5 {
        let start = cpuSeconds()
        body()
        best = min(best, cpuSeconds() - start)
    }
    return best
}

@inline(never) func sink<T>(_ x: T) { withExtendedLifetime(x) {} }

let blocks = 4_000_000
let key = SIMD2<UInt32>(0x1234_5678, 0x9ABC_DEF0)
let scalarPhilox = measure {
    var acc = SIMD4<UInt32>()
    for i in 0..<UInt32(blocks) { acc ^= Philox4x32.block(SIMD4(i, 1, 2, 3), key: key) }
    sink(acc)
}
let lanePhilox = measure {
    var acc = SIMD8<UInt32>()
    let lane = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
    for i in stride(from: 0, to: UInt32(blocks), by: 8) {
        let c = PhiloxLanes.Block(x: lane &+ SIMD8(repeating: i), y: SIMD8(repeating: 1), z: SIMD8(repeating: 2), w: SIMD8(repeating: 3))
        let out = PhiloxLanes.block(c, key: key)
        acc ^= out.x ^ out.y ^ out.z ^ out.w
    }
    sink(acc)
}
print(String(format: "Philox4x32-10: scalar %.1f ns/block, 8 lanes %.1f ns/block, speed-up %.2fx",
             1e9 * scalarPhilox / Double(blocks), 1e9 * lanePhilox / Double(blocks), scalarPhilox / lanePhilox))

let n = 8_000_000
let xs = (0..<4096).map { 1e-6 + Double($0) / 4096 }
func compare(_ name: String, scalar: (Double) -> Double, vector: (SIMD4<Double>) -> SIMD4<Double>) {
    let s = measure {
        var acc = 0.0
        for i in 0..<n { acc += scalar(xs[i & 4095]) }
        sink(acc)
    }
    let v = measure {
        var acc = SIMD4<Double>()
        for i in stride(from: 0, to: n, by: 4) {
            let j = i & 4095
            acc += vector(SIMD4(xs[j], xs[j + 1], xs[j + 2], xs[j + 3]))
        }
        sink(acc)
    }
    print(String(format: "%@: glibc %.2f ns/value, VectorMath %.2f ns/value, speed-up %.2fx", name,
                 1e9 * s / Double(n), 1e9 * v / Double(n), s / v))
}
compare("log", scalar: { Foundation.log($0) }, vector: VectorMath.log)
compare("exp", scalar: { Foundation.exp(-$0) }, vector: { VectorMath.exp(-$0) })
compare("sincos", scalar: { Foundation.sin(6 * $0) + Foundation.cos(6 * $0) }, vector: { let r = VectorMath.sincos(6 * $0); return r.sin + r.cos })
