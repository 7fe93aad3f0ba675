import Glibc

/// Seconds on the monotonic clock, for deadlines and durations that wall-clock changes must not bend.
func monotonicSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}
