import JourneyModel
#if canImport(Glibc)
import Glibc
#endif

/// Process resource figures for benchmark reports.
public enum ResourceUsage {
    /// Peak resident set size of this process so far, in bytes.
    public static var peakRSSBytes: Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }

    /// User + system CPU seconds this process has used so far (all threads).
    public static var cpuSeconds: Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// A monotonic clock in seconds.
    public static var now: Double { SystemClock.monotonicSeconds() }
}
