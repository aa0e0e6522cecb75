import JourneyModel
import JourneySync

/// The frame every console page shares: navigation, who is signed in (with
/// sign-out), the page's content in a live `<main>`, and the position vector
/// and horizon the figures were computed from.
struct Layout {
    /// The pages, in navigation order: path and name.
    static let pages: [(path: String, name: String)] = [
        ("/today", "Today"), ("/repeats", "Repeats"), ("/people", "People"), ("/plan", "Plan"), ("/replication", "Replication"),
    ]

    var title: String
    var active: String
    var viewer: SyncConfig.Viewer
    var csrf: String?
    var site: String
    /// Least milliseconds between two live refreshes of the page.
    var liveEveryMs = 0

    /// The whole document: `content` inside the frame.
    func document(_ content: HTML) -> HTML {
        let nav = Layout.pages.map { p -> HTML in
            p.path == active ? "<a href=\"\(p.path)\" aria-current=\"page\">\(p.name)</a>" : "<a href=\"\(p.path)\">\(p.name)</a>"
        }
        let signOut: HTML = csrf.map { token in
            "<form method=\"post\" action=\"/logout\" class=\"inline\"><input type=\"hidden\" name=\"csrf\" value=\"\(token)\"><button type=\"submit\">Sign out</button></form>"
        } ?? ""
        return """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(title) · \(site) · JourneyStore</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/console.css"><script src="/assets/console.js" defer></script></head>
            <body><header><span class="brand">JourneyStore</span><span class="site">\(site)</span><nav>\(nav)</nav>
            <span class="who">\(viewer.name) · \(viewer.role.rawValue) \(signOut)</span></header>
            <main data-live="\(liveEveryMs)">\(content)</main>
            <footer>Figures are computed from the node's log; every one can be reproduced with the command shown beside it.</footer>
            </body></html>
            """
    }

    /// The stamp a page's content ends with: the positions and horizon its figures reflect (live updates compare them).
    static func stamp(positions: [String: UInt64], horizon: Timestamp?) -> HTML {
        let json = JSONWriter.string(ConsoleServer.positionsJSON(positions))
        let text = positions.keys.sorted().map { "\($0)=\(positions[$0] ?? 0)" }.joined(separator: ", ")
        let upTo = horizon.map { "Data up to \($0.rfc3339) · " } ?? ""
        return "<p class=\"stamp\" id=\"stamp\" data-positions=\"\(json)\">\(upTo)positions \(text)</p>"
    }

    /// The command that reproduces a figure, shown under it.
    static func command(_ text: String) -> HTML {
        "<p class=\"command\"><span>reproduce:</span> <code>\(text)</code></p>"
    }

    /// A site picker for `sites` that keeps the page's other fields.
    static func sitePicker(action: String, sites: [String], current: String, extra: [(String, String)] = []) -> HTML {
        let options = sites.map { s -> HTML in s == current ? "<option selected>\(s)</option>" : "<option>\(s)</option>" }
        let hidden = extra.map { k, v -> HTML in "<input type=\"hidden\" name=\"\(k)\" value=\"\(v)\">" }
        return "<form method=\"get\" action=\"\(action)\" class=\"picker\"><label>Site <select name=\"site\">\(options)</select></label>\(hidden)<button type=\"submit\">Show</button></form>"
    }

    /// A table of `columns` and `rows` (cells already HTML); numeric columns right-aligned.
    static func table(_ columns: [String], _ rows: [[HTML]], numeric: Set<Int> = [], caption: String? = nil) -> HTML {
        let head = columns.enumerated().map { i, c -> HTML in numeric.contains(i) ? "<th class=\"n\">\(c)</th>" : "<th>\(c)</th>" }
        let body = rows.map { row -> HTML in
            let cells = row.enumerated().map { i, c -> HTML in numeric.contains(i) ? "<td class=\"n\">\(c)</td>" : "<td>\(c)</td>" }
            return "<tr>\(cells)</tr>"
        }
        let cap: HTML = caption.map { "<caption>\($0)</caption>" } ?? ""
        return "<div class=\"scroll\"><table>\(cap)<thead><tr>\(head)</tr></thead><tbody>\(body)</tbody></table></div>"
    }
}
