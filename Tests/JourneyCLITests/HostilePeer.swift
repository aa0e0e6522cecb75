#if canImport(Glibc)
import Glibc
#endif
import Foundation
import JourneyTestSupport

/// A sync peer that answers every request with what the test tells it: a
/// real HTTP/1.1 server on loopback, speaking just enough of the protocol to
/// deliver a crafted body (a hostile heads list, garbage frames) to a real
/// `journey sync`.
final class HostilePeer: @unchecked Sendable {
    /// The answer to a request path (without the query): status and body.
    typealias Answer = @Sendable (_ path: String) -> (status: Int, body: [UInt8])

    private var server: LoopbackServer?
    private let answer: Answer

    /// With `stalling`, each answer promises more body than it sends, sends
    /// what it has, and then holds the connection open, silent, for up to
    /// two minutes: a peer that stops in the middle of a response.
    init(stalling: Bool = false, answer: @escaping Answer) throws {
        self.answer = answer
        server = try LoopbackServer(backlog: 16) { [answer] fd in Thread.detachNewThread { HostilePeer.serve(fd, answer, stalling: stalling) } }
    }

    var url: String { "http://127.0.0.1:\(server?.port ?? 0)" }

    func stop() { server?.stop() }

    private static func serve(_ fd: Int32, _ answer: Answer, stalling: Bool) {
        defer { close(fd) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: [13, 10, 13, 10]) {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { return }
            request += buffer[0..<n]
            if request.count > 1 << 20 { return }
        }
        let firstLine = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self).split(separator: " ")
        let target = firstLine.count > 1 ? String(firstLine[1]) : "/"
        let path = String(target.split(separator: "?", maxSplits: 1).first ?? "")
        let (status, body) = answer(path)
        let head = "HTTP/1.1 \(status) X\r\nContent-Type: application/octet-stream\r\nContent-Length: \(body.count + (stalling ? 1_000 : 0))\r\nConnection: close\r\n\r\n"
        let out = Array(head.utf8) + body
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            sent += n
        }
        if stalling { sleep(120) }
    }
}

extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
