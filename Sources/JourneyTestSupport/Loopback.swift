#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Plain TCP sockets on 127.0.0.1 for tests that stand in for a network
/// peer (a fault-injecting proxy, a hostile peer).
public enum Loopback {
    /// Problems opening a socket.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// A socket listening on a free loopback port: its descriptor and port.
    public static func listen(backlog: Int32 = 64) throws -> (fd: Int32, port: UInt16) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket() failed: errno \(errno)") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = address(port: 0)
        let bound = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard bound == 0, Glibc.listen(fd, backlog) == 0 else {
            close(fd)
            throw Failure(description: "cannot listen on 127.0.0.1: errno \(errno)")
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return (fd, UInt16(bigEndian: addr.sin_port))
    }

    /// A connected socket to `port` on 127.0.0.1, or -1.
    public static func connect(port: UInt16) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = address(port: port)
        let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        if ok != 0 { close(fd); return -1 }
        return fd
    }

    static func address(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        return addr
    }
}

/// A loopback server that hands each accepted connection to `handle` on its
/// own thread until stopped.
public final class LoopbackServer: Sendable {
    /// The port it listens on.
    public let port: UInt16
    private let listener: Int32

    /// A server on a free loopback port that hands each accepted socket to `handle`.
    public init(backlog: Int32 = 64, handle: @escaping @Sendable (Int32) -> Void) throws {
        (listener, port) = try Loopback.listen(backlog: backlog)
        let fd = listener
        Thread.detachNewThread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                handle(client)
            }
        }
    }

    /// Stops accepting; connections already handed over run on.
    public func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
