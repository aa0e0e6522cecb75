#if canImport(Glibc)
import Glibc
#endif

/// The lock that lets one process at a time bring a projection file up to
/// date (catch up or rebuild), so two processes never apply the same events
/// twice. Others wait for it — they never fail with "database is locked" —
/// and then find the work done. An advisory `flock` on `<projection>.lock`:
/// the kernel releases it when the process dies, so a killed rebuild never
/// leaves it held.
final class ProjectionLock {
    private let fd: Int32

    /// Takes the lock, calling `waiting` once (with the holder's pid when known) if another process holds it.
    init(path: String, waiting: (String) -> Void) throws {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ProjectionError(.io, "cannot open the projection lock \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var holder = [UInt8](repeating: 0, count: 32)
            let n = holder.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 32, 0) }
            let pid = n > 0 ? String(decoding: holder.prefix(n), as: UTF8.self) : "?"
            waiting("waiting for process \(pid), which is updating this projection")
            while flock(fd, LOCK_EX) != 0 {
                guard errno == EINTR else {
                    close(fd)
                    throw ProjectionError(.io, "cannot lock the projection \(path): \(String(cString: strerror(errno)))")
                }
            }
        }
        ftruncate(fd, 0)
        let pid = Array(String(getpid()).utf8)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        self.fd = fd
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
