/// The console's style sheet and script, compiled into the binary: the
/// console works on a centre's closed network, with no CDN and no files to
/// install.
enum Assets {
    /// `/assets/console.css`.
    static let css = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dee7; --bg: #f6f7fa; --card: #fff; --accent: #2456c7;
                --good: #1f8a4c; --bad: #c23b22; --warn: #b7791f; font-family: system-ui, -apple-system, "Segoe UI", sans-serif; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: var(--bg); font-size: 15px; line-height: 1.4; }
        header { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .6rem 1.2rem; background: #16213e; color: #fff; }
        header a { color: #cfd8ff; text-decoration: none; margin-right: .9rem; }
        header a[aria-current] { color: #fff; font-weight: 600; border-bottom: 2px solid #fff; }
        .brand { font-weight: 700; letter-spacing: .02em; }
        .site { background: #2f3b63; padding: .1rem .5rem; border-radius: 4px; }
        .who { margin-left: auto; color: #cfd8ff; }
        .inline { display: inline; }
        button { font: inherit; padding: .25rem .7rem; border: 1px solid var(--line); border-radius: 4px; background: #fff; cursor: pointer; }
        button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
        main { padding: 1rem 1.2rem 2rem; max-width: 1280px; }
        h1 { font-size: 1.35rem; margin: .2rem 0 .8rem; }
        h2 { font-size: 1.1rem; margin: 1.4rem 0 .5rem; }
        .tiles { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: .7rem; margin: .6rem 0 1rem; }
        .tile { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .8rem; }
        .tile .label { color: var(--muted); font-size: .8rem; text-transform: uppercase; letter-spacing: .04em; }
        .tile .value { font-size: 1.6rem; font-weight: 650; }
        .tile.bad .value { color: var(--bad); } .tile.good .value { color: var(--good); }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 6px; padding: .8rem; margin: .6rem 0; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; background: var(--card); font-size: .9rem; }
        caption { text-align: left; color: var(--muted); padding: .3rem 0; }
        th, td { border-bottom: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; white-space: nowrap; }
        th { background: #eef1f6; font-weight: 600; }
        .n { text-align: right; font-variant-numeric: tabular-nums; }
        .command { color: var(--muted); font-size: .8rem; margin: .3rem 0 .8rem; }
        .command code { background: #eef1f6; padding: .1rem .3rem; border-radius: 3px; word-break: break-all; }
        .stamp { color: var(--muted); font-size: .8rem; margin-top: 2rem; }
        .picker { margin: .3rem 0 .8rem; display: flex; gap: .6rem; align-items: center; flex-wrap: wrap; }
        .notice { padding: .6rem .8rem; border-radius: 6px; background: #fff7e0; border: 1px solid #f0d58a; }
        .error { padding: .6rem .8rem; border-radius: 6px; background: #fde8e4; border: 1px solid #f2b8ab; }
        .flag { color: var(--bad); font-weight: 600; }
        .timeline { list-style: none; padding: 0; margin: 0; border-left: 3px solid var(--line); }
        .timeline li { position: relative; margin: 0 0 .8rem 0; padding-left: 1rem; }
        .timeline li::before { content: ""; position: absolute; left: -8px; top: .35rem; width: 13px; height: 13px; border-radius: 50%;
                               background: var(--accent); border: 2px solid #fff; }
        .timeline li.repeat::before { background: var(--bad); }
        .muted { color: var(--muted); }
        svg.chart { width: 100%; height: auto; background: var(--card); border: 1px solid var(--line); border-radius: 6px; }
        .legend { display: flex; gap: 1rem; font-size: .85rem; color: var(--muted); margin: .3rem 0; }
        .swatch { vertical-align: -1px; }
        footer { color: var(--muted); font-size: .75rem; padding: 1rem 1.2rem; }
        .login { max-width: 420px; margin: 8vh auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1.5rem; }
        .login input { width: 100%; font: inherit; padding: .4rem; margin: .4rem 0 .8rem; }
        """

    /// `/assets/console.js`: live updates. The page listens to `/v1/live`;
    /// when the positions it announces differ from those the page was
    /// computed from, the page's `<main>` is fetched again and replaced — at
    /// most once per `data-live` milliseconds (pages whose figures take
    /// long to compute refresh less often).
    static let js = """
        "use strict";
        (function () {
          var main = document.querySelector("main[data-live]");
          if (!main || !window.EventSource || !window.fetch) { return; }
          var busy = false, again = false, last = 0;
          var every = parseInt(main.getAttribute("data-live") || "0", 10) || 0;
          function shown() { var s = document.getElementById("stamp"); return s ? s.getAttribute("data-positions") : ""; }
          function refresh() {
            if (busy) { again = true; return; }
            var wait = last + every - Date.now();
            if (wait > 0) { busy = true; setTimeout(function () { busy = false; refresh(); }, wait); return; }
            busy = true;
            last = Date.now();
            fetch(location.href, { headers: { "X-Journey-Fragment": "1" }, credentials: "same-origin" })
              .then(function (r) { return r.ok ? r.text() : null; })
              .then(function (html) { if (html !== null) { main.innerHTML = html; main.setAttribute("data-updated", String(Date.now())); } })
              .catch(function () {})
              .then(function () { busy = false; if (again) { again = false; refresh(); } });
          }
          var source = new EventSource("/v1/live");
          source.addEventListener("update", function (e) {
            try { if (JSON.stringify(JSON.parse(e.data).positions) === JSON.stringify(JSON.parse(shown()))) { return; } } catch (x) {}
            refresh();
          });
        })();
        """
}
