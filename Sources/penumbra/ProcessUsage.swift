import Foundation

/// The process's CPU time (all threads, user + system) and peak resident memory, from getrusage(2).
struct ProcessUsage {
    let cpuSeconds: Double
    let peakResidentMB: Double

    static func now() -> ProcessUsage {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
        // Linux reports ru_maxrss in KiB.
        return ProcessUsage(cpuSeconds: seconds(u.ru_utime) + seconds(u.ru_stime), peakResidentMB: Double(u.ru_maxrss) / 1024)
    }
}
