#!/usr/bin/env python3
"""The DuckDB peer of `journey bench rebuild`: what an analyst would do
instead of using JourneyStore — load the canonical JSONL of a store's events
into DuckDB and compute the same figures with SQL:

- per site x queue x interval: offered, answered, abandoned, short abandons,
  answered within the service-level threshold, wait of answered visits,
  handled visits and their handle time;
- per agent x day: handled visits, talk, hold and after-call work, transfers,
  closed visits and those followed by a repeat within the window;
- per site x day: contacts and the contacts that are repeats.

The rules are those of docs/kpi-definitions.md, written independently of the
Swift projection (visits are the stretches of a contact's events between two
queue entries, in seq order). Days and intervals are UTC: the bench's
simulated centre records no time zone.

Usage: duckdb-peer.py EVENTS.jsonl OUT.json --sl-ms N --short-ms N
                      --window-ms N --interval-ms N --duration-max-ms N [--threads N]
Writes OUT.json: {"seconds": {...}, "intervals": [...], "agentDays": [...], "repeatDays": [...]}
with rows sorted by their keys.
"""
import argparse
import json
import sys
import time

import duckdb

DAY_MS = 86_400_000


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("events")
    p.add_argument("out")
    for name in ("sl-ms", "short-ms", "window-ms", "interval-ms", "duration-max-ms"):
        p.add_argument("--" + name, type=int, required=True)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()

    con = duckdb.connect()
    con.execute(f"SET threads = {a.threads}")
    t0 = time.monotonic()
    # Only what the figures need; `data` stays JSON text until its fields are read.
    con.execute(
        """
        CREATE TABLE ev AS
        SELECT site, seq, epoch_ms(CAST("at" AS TIMESTAMP)) AS t, kind, contact, customer, queue, agent,
               TRY_CAST(json_extract_string(data, '$.waitMs') AS BIGINT) AS wait_ms,
               TRY_CAST(json_extract_string(data, '$.acwMs') AS BIGINT) AS acw_ms
        FROM read_json(?, format = 'newline_delimited',
                       columns = {site: 'VARCHAR', seq: 'BIGINT', "at": 'VARCHAR', kind: 'VARCHAR', contact: 'VARCHAR',
                                  customer: 'VARCHAR', queue: 'VARCHAR', agent: 'VARCHAR', data: 'JSON'})
        WHERE contact IS NOT NULL
        """,
        [a.events],
    )
    t1 = time.monotonic()
    params = dict(sl=a.sl_ms, short=a.short_ms, w=a.window_ms, len=a.interval_ms, dmax=a.duration_max_ms, day=DAY_MS)
    sql = """
    -- Each event numbered by the queue visit it belongs to: the count of queue entries up to it.
    CREATE TEMP TABLE seg AS
    SELECT *, SUM(CASE WHEN kind IN ('queue.entered', 'queue.refused') THEN 1 ELSE 0 END)
                OVER (PARTITION BY site, contact ORDER BY seq ROWS UNBOUNDED PRECEDING) AS n
    FROM ev;

    -- Hold: from each hold to the next resume, transfer or end in the same visit.
    CREATE TEMP TABLE holds AS
    SELECT site, contact, n, SUM(LEAST($dmax, GREATEST(0, nxt - t))) AS hold_ms
    FROM (SELECT site, contact, n, kind, t,
                 LEAD(t) OVER (PARTITION BY site, contact, n ORDER BY seq) AS nxt
          FROM seg WHERE kind IN ('contact.held', 'contact.resumed', 'contact.transferred', 'contact.ended'))
    WHERE kind = 'contact.held' AND nxt IS NOT NULL
    GROUP BY ALL;

    CREATE TEMP TABLE visit AS
    WITH v AS (
      SELECT site, contact, n,
             MIN(t) FILTER (WHERE kind IN ('queue.entered', 'queue.refused')) AS entered_at,
             BOOL_OR(kind = 'queue.refused') AS refused,
             MIN(seq) FILTER (WHERE kind = 'contact.answered') AS answer_seq,
             ARG_MIN(t, seq) FILTER (WHERE kind = 'contact.answered') AS answered_at,
             ARG_MIN(agent, seq) FILTER (WHERE kind = 'contact.answered') AS agent,
             ARG_MIN(wait_ms, seq) FILTER (WHERE kind IN ('contact.answered', 'queue.abandoned')) AS given_wait,
             ARG_MIN(t, seq) FILTER (WHERE kind = 'queue.abandoned') AS abandoned_at
      FROM seg WHERE n > 0 GROUP BY ALL),
    closing AS (  -- the first transfer or end after the answer closes the visit
      SELECT s.site, s.contact, s.n, ARG_MIN(s.t, s.seq) AS ended_at, ARG_MIN(s.kind, s.seq) = 'contact.transferred' AS transferred
      FROM seg s JOIN v USING (site, contact, n)
      WHERE s.kind IN ('contact.transferred', 'contact.ended') AND s.seq > v.answer_seq
      GROUP BY ALL)
    SELECT v.*, COALESCE(v.given_wait, LEAST($dmax, GREATEST(0, COALESCE(v.answered_at, v.abandoned_at) - v.entered_at))) AS wait_ms,
           c.ended_at, COALESCE(c.transferred, false) AS transferred, COALESCE(h.hold_ms, 0) AS hold_ms,
           v.entered_at // $len * $len AS interval_start, v.entered_at // $day AS day
    FROM v LEFT JOIN closing c USING (site, contact, n) LEFT JOIN holds h USING (site, contact, n)
    WHERE v.entered_at IS NOT NULL;

    -- After-call work goes to the agent's own answered visit that they closed, else the last answered one.
    CREATE TEMP TABLE acw AS
    SELECT w.site, w.contact,
           COALESCE((SELECT MAX(n) FROM visit v WHERE v.site = w.site AND v.contact = w.contact AND v.answered_at IS NOT NULL
                                                AND NOT v.transferred AND (v.agent = w.agent OR w.agent IS NULL)),
                    (SELECT MAX(n) FROM visit v WHERE v.site = w.site AND v.contact = w.contact AND v.answered_at IS NOT NULL)) AS n,
           LAST(w.acw_ms ORDER BY w.seq) AS acw_ms
    FROM seg w WHERE kind = 'wrapup.done' GROUP BY w.site, w.contact, w.agent;

    CREATE TEMP TABLE contact AS
    SELECT site, contact, FIRST(customer ORDER BY seq) FILTER (WHERE customer IS NOT NULL) AS customer,
           MIN(t) FILTER (WHERE kind = 'contact.started') AS started_at, MAX(t) FILTER (WHERE kind = 'contact.ended') AS ended_at
    FROM seg GROUP BY ALL;

    -- The rule of repeats: a contact is a repeat when another contact of the customer ended within
    -- the window before it started; a contact is followed by a repeat when the customer's next
    -- start after its end is within the window.
    CREATE TEMP TABLE contact_rep AS
    SELECT c.*,
           EXISTS (SELECT 1 FROM contact p WHERE p.customer = c.customer AND p.ended_at <= c.started_at
                   AND p.ended_at >= c.started_at - $w AND p.started_at <= c.started_at
                   AND NOT (p.site = c.site AND p.contact = c.contact)) AS is_repeat,
           (SELECT MIN(o.started_at) FROM contact o WHERE o.customer = c.customer AND o.started_at > c.ended_at) AS next_start
    FROM contact c;
    """
    for k, v in params.items():
        sql = sql.replace("$" + k, str(v))
    con.execute(sql)
    intervals = con.execute(
        f"""
        SELECT v.site, q.queue, v.interval_start,
               COUNT(*) FILTER (WHERE NOT v.refused) AS offered,
               COUNT(v.answered_at) AS answered,
               COUNT(*) FILTER (WHERE v.answered_at IS NULL AND v.abandoned_at IS NOT NULL AND v.wait_ms >= {a.short_ms}) AS abandoned,
               COUNT(*) FILTER (WHERE v.answered_at IS NULL AND v.abandoned_at IS NOT NULL AND v.wait_ms < {a.short_ms}) AS short_abandoned,
               COUNT(*) FILTER (WHERE v.answered_at IS NOT NULL AND v.wait_ms <= {a.sl_ms}) AS answered_in_sl,
               COALESCE(SUM(v.wait_ms) FILTER (WHERE v.answered_at IS NOT NULL), 0) AS wait_ms_answered,
               COUNT(*) FILTER (WHERE v.answered_at IS NOT NULL AND v.ended_at IS NOT NULL) AS handled,
               COALESCE(SUM(LEAST({a.duration_max_ms}, GREATEST(0, v.ended_at - v.answered_at)) + COALESCE(x.acw_ms, 0))
                        FILTER (WHERE v.answered_at IS NOT NULL AND v.ended_at IS NOT NULL), 0) AS handle_ms
        FROM visit v
        JOIN (SELECT site, contact, n, ARG_MIN(COALESCE(queue, 'unknown'), seq) AS queue FROM seg
              WHERE kind IN ('queue.entered', 'queue.refused') GROUP BY ALL) q USING (site, contact, n)
        LEFT JOIN acw x USING (site, contact, n)
        GROUP BY ALL ORDER BY 1, 2, 3
        """
    ).fetchall()
    agent_days = con.execute(
        f"""
        SELECT v.agent, v.day, COUNT(*) AS handled,
               SUM(LEAST({a.duration_max_ms}, GREATEST(0, COALESCE(v.ended_at, v.answered_at) - v.answered_at - v.hold_ms))) AS talk_ms,
               SUM(v.hold_ms) AS hold_ms, SUM(COALESCE(x.acw_ms, 0)) AS acw_ms,
               COUNT(*) FILTER (WHERE v.transferred) AS transferred,
               COUNT(*) FILTER (WHERE NOT v.transferred AND v.ended_at IS NOT NULL) AS closed,
               COUNT(*) FILTER (WHERE NOT v.transferred AND c.next_start IS NOT NULL AND c.next_start <= c.ended_at + {a.window_ms}) AS repeated
        FROM visit v JOIN contact_rep c USING (site, contact) LEFT JOIN acw x USING (site, contact, n)
        WHERE v.answered_at IS NOT NULL AND v.agent IS NOT NULL
        GROUP BY ALL ORDER BY 1, 2
        """
    ).fetchall()
    repeat_days = con.execute(
        f"""
        SELECT site, started_at // {DAY_MS} AS day, COUNT(*) AS contacts, COUNT(*) FILTER (WHERE is_repeat) AS repeats
        FROM contact_rep WHERE started_at IS NOT NULL GROUP BY ALL ORDER BY 1, 2
        """
    ).fetchall()
    t2 = time.monotonic()
    out = {
        "duckdb": duckdb.__version__,
        "threads": a.threads,
        "seconds": {"load": t1 - t0, "compute": t2 - t1, "total": t2 - t0},
        "contactEvents": con.execute("SELECT COUNT(*) FROM ev").fetchone()[0],
        "intervals": [list(r) for r in intervals],
        "agentDays": [list(r) for r in agent_days],
        "repeatDays": [list(r) for r in repeat_days],
    }
    with open(a.out, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
