import JourneyLog
import JourneyModel

/// Simulated logs whose keys are renamed so that pairs of different keys
/// become the same text written two ways, for tests that every part of the
/// product keeps a key by its bytes.
///
/// The `n`-th distinct agent id (in the order the events name them) becomes
/// `ag-é-k` with `k = n / 2`: the even one with a precomposed `é` (U+00E9),
/// the odd one with `e` and a combining acute accent (U+0065 U+0301). Swift's
/// `==` calls the two the same string; the log and SQLite keep them apart.
/// Queues (`q-`, also in `skills` and `toQueue`), teams (`tm-`), reasons
/// (`re-`), contacts (`co-`) and customers (`cu-`) are renamed the same way.
///
/// The ``Form/distinct`` spelling writes `P` and `D` in place of the two
/// forms: keys that are plainly different. A projection of the colliding log,
/// read through ``distinctText(_:)``, must equal the projection of the
/// distinct one.
public struct KeySpellings {
    /// How the pairs are written.
    public enum Form: Sendable {
        /// Precomposed and decomposed `é`: canonically equivalent pairs.
        case colliding
        /// `P` and `D`: plainly different pairs.
        case distinct
    }

    /// The spelling.
    public let form: Form
    /// Per kind of key, each original key's new name (originals are ASCII).
    private var names: [String: [String: String]] = [:]

    /// A renamer writing `form`.
    public init(_ form: Form) { self.form = form }

    /// The new name of `key` among the keys of `kind`.
    public mutating func name(_ key: String, kind: String) -> String {
        if let known = names[kind]?[key] { return known }
        let n = names[kind]?.count ?? 0
        let mark: String
        switch form {
        case .colliding: mark = n % 2 == 0 ? "\u{E9}" : "e\u{301}"
        case .distinct: mark = n % 2 == 0 ? "P" : "D"
        }
        let index = String(n / 2)
        let name = "\(kind)-\(mark)-" + String(repeating: "0", count: max(0, 5 - index.count)) + index
        names[kind, default: [:]][key] = name
        return name
    }

    /// `e` with its keys renamed.
    public mutating func rename(_ e: Event) -> Event {
        var out = e
        out.agent = e.agent.map { name($0, kind: "ag") }
        out.queue = e.queue.map { name($0, kind: "q") }
        out.contact = e.contact.map { name($0, kind: "co") }
        out.customer = e.customer.map { name($0, kind: "cu") }
        for (field, kind) in [("team", "tm"), ("reason", "re"), ("toQueue", "q")] {
            if let v = e.data[field]?.stringValue { out.data[field] = .string(name(v, kind: kind)) }
        }
        if case .array(let skills)? = e.data["skills"] {
            out.data["skills"] = .array(skills.map { v in v.stringValue.map { .string(name($0, kind: "q")) } ?? v })
        }
        return out
    }

    /// `text` with each precomposed `é` written `P` and each decomposed one `D`:
    /// what a colliding projection's output reads as in the distinct spelling.
    public static func distinctText(_ text: String) -> String {
        let b = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == 0xC3, i + 1 < b.count, b[i + 1] == 0xA9 {
                out.append(UInt8(ascii: "P")); i += 2
            } else if b[i] == 0x65, i + 2 < b.count, b[i + 1] == 0xCC, b[i + 2] == 0x81 {
                out.append(UInt8(ascii: "D")); i += 3
            } else {
                out.append(b[i]); i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// A store at `directory` for site `east` (`node`) holding a simulation
    /// of two centres, `west` replicated into it block by block from its own
    /// store beside it (`west`), with the keys spelt `form`. The same seed
    /// gives the same facts in both forms.
    public static func stores(directory: String, form: Form, seed: UInt64, days: Int = 5, agentsPerSite: Int = 12,
                              contactsPerDay: Int = 300, customersPerSite: Int = 400) throws -> (node: LogStore, west: LogStore) {
        var spelling = KeySpellings(form)
        return try SimulatedNode.twoCentreStores(directory: directory, seed: seed, days: days, agentsPerSite: agentsPerSite,
                                                 contactsPerDay: contactsPerDay, customersPerSite: customersPerSite,
                                                 eventsPerBlock: 200) { spelling.rename($0) }
    }
}
