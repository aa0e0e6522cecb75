#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JourneyModel
import JourneyTestSupport

/// A TCP proxy for tests that sits between a sync client and server and
/// damages what the server sends back, chosen per connection by a seeded
/// generator: pass it through, reset the connection at a random byte (RST),
/// stall mid-stream, end it cleanly early (FIN: a truncated response),
/// duplicate a chunk, or flip a bit. The fault schedule (which fault, at
/// which byte) is drawn from the seed in connection order; a fault is counted
/// in ``faultsInjected`` only when the response reached its byte and it was
/// applied.
final class FaultProxy: @unchecked Sendable {
    enum Fault: CaseIterable { case pass, cut, stall, truncate, duplicate, flip }

    let upstreamPort: UInt16
    private var server: LoopbackServer?
    private let lock = NSLock()
    private var rng: SplitMix64
    private var applied: [Fault: Int] = [:]
    /// Faults actually applied, by kind (`pass` counts connections passed through whole).
    var faultsInjected: [Fault: Int] { lock.withLock { applied } }
    func record(_ f: Fault) { lock.withLock { applied[f, default: 0] += 1 } }
    private var stopped = false

    init(upstreamPort: Int, seed: UInt64) throws {
        self.upstreamPort = UInt16(upstreamPort)
        rng = SplitMix64(seed: seed)
        let box = Unowned()
        server = try LoopbackServer { client in box.proxy?.accepted(client) }
        box.proxy = self
    }

    var port: UInt16 { server?.port ?? 0 }

    func stop() {
        lock.withLock { stopped = true }
        server?.stop()
    }

    /// The proxy, for the server's accept thread (set once the proxy exists).
    private final class Unowned: @unchecked Sendable { weak var proxy: FaultProxy? }

    private func accepted(_ client: Int32) {
        let (fault, cutAt, seed) = lock.withLock { () -> (Fault, Int, UInt64) in
            let f = Fault.allCases[Int(rng.next() % UInt64(Fault.allCases.count))]
            return (f, Int(rng.next() % 12_000), rng.next())
        }
        let upstream = connectUpstream()
        guard upstream >= 0 else { close(client); return }
        let pair = SocketPair(client, upstream)
        Thread.detachNewThread { FaultProxy.pump(from: client, to: upstream, fault: .pass, cutAt: 0, seed: 0, pair: pair) { _ in } }
        Thread.detachNewThread { [self] in
            FaultProxy.pump(from: upstream, to: client, fault: fault, cutAt: cutAt, seed: seed, pair: pair) { record($0) }
        }
    }

    private func connectUpstream() -> Int32 { Loopback.connect(port: upstreamPort) }

    /// Copies bytes from `source` to `target`, damaging them as `fault` says once `cutAt` bytes have passed.
    static func pump(from source: Int32, to target: Int32, fault: Fault, cutAt: Int, seed: UInt64, pair: SocketPair,
                     applied: (Fault) -> Void) {
        var rng = SplitMix64(seed: seed)
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var passed = 0
        var damaged = false
        // Shut both directions down (which wakes the other pump), but close the
        // descriptors only once, when both pumps are done: closing twice could
        // close a number the process has meanwhile reused for something else.
        defer {
            shutdown(source, Int32(SHUT_RDWR)); shutdown(target, Int32(SHUT_RDWR))
            pair.finished()
        }
        while true {
            let n = buffer.withUnsafeMutableBytes { read(source, $0.baseAddress, $0.count) }
            if n <= 0 {
                // The response ended before its fault's byte: it passed whole.
                if !damaged { applied(.pass) }
                return
            }
            var chunk = Array(buffer[0..<n])
            if !damaged && passed + n > cutAt {
                let at = max(0, cutAt - passed)
                damaged = true
                applied(fault)
                switch fault {
                case .pass: break
                case .cut:
                    // Reset: SO_LINGER 0 makes close send RST, as a crashed peer or a middlebox would.
                    _ = send(target, Array(chunk[0..<at]))
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(target, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                    return
                case .truncate:
                    // A clean early end (FIN) in the middle of the body.
                    _ = send(target, Array(chunk[0..<at]))
                    return
                case .stall: usleep(UInt32(200_000 + rng.next() % 600_000))
                case .duplicate: chunk = Array(chunk[0..<at]) + Array(chunk[0..<at]).suffix(512) + Array(chunk[at...])
                case .flip: if at < chunk.count { chunk[at] ^= UInt8(1 << (rng.next() % 8)) }
                }
            }
            passed += n
            if !send(target, chunk) { return }
        }
    }

    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + done, bytes.count - done) }  // non-empty while looping
            if n <= 0 { return false }
            done += n
        }
        return true
    }
}

/// The two sockets of one proxied connection, closed once both pumps have stopped.
final class SocketPair: @unchecked Sendable {
    private let lock = NSLock()
    private var running = 2
    private let a: Int32, b: Int32
    init(_ a: Int32, _ b: Int32) {
        self.a = a
        self.b = b
    }
    func finished() {
        let last = lock.withLock { () -> Bool in
            running -= 1
            return running == 0
        }
        if last {
            close(a)
            close(b)
        }
    }
}
