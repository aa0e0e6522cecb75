#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import JourneyModel

/// A fast, seeded generator of plausible contact-centre event streams: whole
/// contact lifecycles (IVR, queue, answer or abandon, hold, transfer, wrap-up,
/// survey) interleaved in time the way concurrent contacts interleave in a
/// real log. It is the workload of the log benchmarks and tests; it does not
/// model queueing against staffed agents (that is the simulator's job).
public struct SyntheticTraffic: Sendable {
    /// The site of the events.
    public var site: String
    /// The generator seed.
    public var seed: UInt64
    /// Start of the generated traffic.
    public var start: Timestamp
    /// Mean seconds between contact arrivals.
    public var interArrivalSeconds: Double = 1.5
    /// Agents the contacts are spread over.
    public var agents = 200
    /// Customers the contacts are spread over.
    public var customers = 150_000
    /// Queues the contacts enter.
    public var queues = ["billing", "technical", "sales", "complaints"]
    /// Contact reasons.
    public var reasons = ["bill-query", "payment", "outage", "slow-internet", "upgrade", "new-line", "cancel", "complaint"]

    /// Traffic for `site` from `seed`, starting at `start`.
    public init(site: String, seed: UInt64, start: Timestamp = Timestamp(ms: 1_772_438_400_000)) {
        self.site = site
        self.seed = seed
        self.start = start
    }

    /// Generates at least `count` events (whole contacts, so up to ~15 more), in time order.
    public func events(count: Int) -> [Event] {
        var out: [Event] = []
        out.reserveCapacity(count + 16)
        generate(count: count) { out.append(contentsOf: $0) }
        if out.count > count { out.removeLast(out.count - count) }
        return out
    }

    /// Streams events in time-ordered chunks to `sink`, stopping after `count`.
    public func generate(count: Int, _ sink: ([Event]) -> Void) {
        var rng = SplitMix64(seed: seed)
        var produced = 0
        var contactNumber = 0
        var clock = Double(start.ms)
        let window = 256
        var carried: [Event] = []
        while produced < count {
            var batch = carried
            carried.removeAll(keepingCapacity: true)
            for _ in 0..<window {
                clock += exponential(&rng, mean: interArrivalSeconds * 1000)
                contactNumber += 1
                batch.append(contentsOf: contact(number: contactNumber, at: clock, rng: &rng))
            }
            batch.sort { ($0.at.ms, $0.id) < ($1.at.ms, $1.id) }
            // Events later than the window's last arrival wait for the next window so time stays ordered.
            let cut = batch.partitioningIndex { $0.at.ms > Int64(clock) }
            carried = Array(batch[cut...])
            let ready = Array(batch[..<cut])
            produced += ready.count
            sink(ready)
        }
    }

    private func contact(number: Int, at startMs: Double, rng: inout SplitMix64) -> [Event] {
        let contact = "\(site)-c\(pad(number, 9))"
        let customer = "cu-" + hex(UInt64(Double(customers) * pow(unit(&rng), 2.2)) &* 0x9E37_79B9_7F4A_7C15 >> 16)
        let roll = unit(&rng)
        let channel: Channel = roll < 0.55 ? .voice : roll < 0.7 ? .chat : roll < 0.8 ? .app : roll < 0.87 ? .web : roll < 0.94 ? .email : .sms
        let queue = queues[Int(rng.next() % UInt64(queues.count))]
        let reason = reasons[Int(rng.next() % UInt64(reasons.count))]
        let agent = "\(site)-a\(pad(Int(rng.next() % UInt64(agents)), 4))"
        var t = startMs
        var events: [Event] = []
        var n = 0
        func add(_ kind: EventKind, _ data: JSONObject = JSONObject(), agent: String? = nil, queue: String? = nil, channel ch: Channel? = nil) {
            n += 1
            events.append(Event(site: site, id: "\(contact)-\(n)", at: Timestamp(ms: Int64(t)), kind: kind, contact: contact,
                                customer: customer, channel: ch ?? channel, queue: queue, agent: agent, data: data))
        }
        add(.contactStarted, ["direction": "inbound", "initiation": "customer", "reason": .string(reason)])
        if channel == .voice {
            t += 4000 + unit(&rng) * 20_000
            add(.ivrInput, ["menu": "main", "key": .string(String(1 + rng.next() % 4))], channel: .ivr)
            if unit(&rng) < 0.3 {
                t += 30_000 + unit(&rng) * 60_000
                add(.contactSelfserved, ["reason": .string(reason)], channel: .ivr)
                add(.contactEnded, ["by": "customer"], channel: .ivr)
                return events
            }
        } else if channel == .app || channel == .web {
            if unit(&rng) < 0.6 {
                t += 60_000 + unit(&rng) * 120_000
                add(.contactSelfserved, ["reason": .string(reason)])
                add(.contactEnded, ["by": "customer"])
                return events
            }
        }
        t += 1000
        add(.queueEntered, ["priority": .integer(Int64(rng.next() % 3))], queue: queue)
        let waitMs = exponential(&rng, mean: 25_000)
        if unit(&rng) < 0.08 {
            t += waitMs * 2
            add(.queueAbandoned, ["waitMs": .integer(Int64(waitMs * 2))], queue: queue)
            add(.contactEnded, ["by": "customer"], queue: queue)
            return events
        }
        t += waitMs
        add(.agentOffered, agent: agent, queue: queue)
        t += 3000
        add(.contactAnswered, ["waitMs": .integer(Int64(waitMs))], agent: agent, queue: queue)
        let talk = lognormal(&rng, median: 240_000, sigma: 0.6)
        if unit(&rng) < 0.15 {
            t += talk / 3
            add(.contactHeld, agent: agent, queue: queue)
            t += 20_000 + unit(&rng) * 60_000
            add(.contactResumed, agent: agent, queue: queue)
        }
        t += talk
        let resolved = unit(&rng) < 0.72
        if unit(&rng) < 0.06 {
            add(.contactTransferred, ["toQueue": "technical", "mode": "blind"], agent: agent, queue: queue)
        }
        add(.contactEnded, ["by": unit(&rng) < 0.7 ? "customer" : "agent"], agent: agent, queue: queue)
        t += lognormal(&rng, median: 30_000, sigma: 0.5)
        add(.wrapupDone, ["acwMs": .integer(Int64(lognormal(&rng, median: 30_000, sigma: 0.5))),
                          "disposition": resolved ? "resolved" : "follow-up", "resolved": .bool(resolved)],
            agent: agent, queue: queue)
        if unit(&rng) < 0.2 {
            t += 60_000
            let csat = resolved ? 3 + rng.next() % 3 : 1 + rng.next() % 3
            add(.surveyAnswered, ["csat": .integer(Int64(csat)), "nps": .integer(Int64(resolved ? 6 + rng.next() % 5 : rng.next() % 7))],
                agent: agent, queue: queue)
        }
        return events
    }
}

@inline(__always) func unit(_ rng: inout SplitMix64) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

@inline(__always) func exponential(_ rng: inout SplitMix64, mean: Double) -> Double {
    -mean * log(max(1e-12, 1 - unit(&rng)))
}

func lognormal(_ rng: inout SplitMix64, median: Double, sigma: Double) -> Double {
    // Box–Muller from two uniforms.
    let u1 = max(1e-12, unit(&rng)), u2 = unit(&rng)
    let z = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    return median * exp(sigma * z)
}

func pad(_ n: Int, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

func hex(_ v: UInt64) -> String {
    let s = String(v & 0xFFFF_FFFF_FFFF, radix: 16)
    return String(repeating: "0", count: max(0, 12 - s.count)) + s
}

extension Array {
    /// First index whose element satisfies `belongs`, given the array is partitioned by it.
    func partitioningIndex(where belongs: (Element) -> Bool) -> Int {
        var lo = 0, hi = count
        while lo < hi {
            let mid = (lo + hi) / 2
            if belongs(self[mid]) { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}
