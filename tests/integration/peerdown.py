# A peer down for a long time, then back: the node backs off (doubling,
# bounded by backoff_max, also after hours of failures carried over a
# restart), then catches up by following the feed's RFC 5005 pages, and
# stores every entry once.
import calendar
import os
import sqlite3
import time

import fm

fm.watchdog(150 * fm.SLOW)
BACKOFF_MAX = 4
HOURS = 5


def ident(n):
    return "tag:loin.example,2026:%d" % n


def entry(n, version=0):
    return {"id": ident(n), "title": "Annonce %d v%d" % (n, version),
            "updated": "2026-11-%02dT10:%02d:00Z" % (20 + version, n)}


def serve_pages(srv, entries, per_page=10):
    """The feed, newest first, in pages linked by rel="next"."""
    entries = sorted(entries, key=lambda e: e["updated"] + e["id"],
                     reverse=True)
    pages = [entries[i:i + per_page]
             for i in range(0, len(entries), per_page)]
    for i, page in enumerate(pages):
        doc = fm.atom(page, "urn:loin")
        if i + 1 < len(pages):
            doc = doc.replace("<title>", '<link rel="next" href="%s"/>'
                              "<title>" % srv.url("/feed-%d.atom" % (i + 2)),
                              1)
        srv.route("/feed.atom" if i == 0 else "/feed-%d.atom" % (i + 1),
                  body=doc)


def failing_hits(srv):
    return [t for t, path, _ in srv.hits("/feed.atom")]


srv = fm.PeerServer()
PORT = srv.port
first = [entry(n) for n in range(10)]
serve_pages(srv, first)
node = fm.Node("patient", peers={
    "loin": {"url": srv.url("/feed.atom"), "interval": 1}},
    extra={"backoff_max": BACKOFF_MAX, "min_interval": 1})
node.start()
fm.ok(fm.wait_until(lambda: len(node.items()) == 10, 15 * fm.SLOW),
      "the peer's ten entries are stored", node.logtext())

# Down, answering 503: each wait doubles, up to backoff_max.
srv.route("/feed.atom", status=503, body="en panne")
before = len(failing_hits(srv))
fm.wait_until(lambda: len(failing_hits(srv)) >= before + 6,
              40 * fm.SLOW, 0.2)
hits = failing_hits(srv)[before:]
gaps = [b - a for a, b in zip(hits, hits[1:])]
fm.diag("waits between attempts while the peer fails: %s s" %
        ", ".join("%.2f" % g for g in gaps))
want = [min(2 ** (i + 1), BACKOFF_MAX) for i in range(len(gaps))]
fm.ok(len(gaps) >= 5, "the failing peer is still tried (%d attempts)" %
      len(hits))
# Timers never fire early: lower bounds are exact (whole seconds kept
# by the schedule); the upper bound only shows the wait stops growing.
fm.ok(all(g >= w - 0.3 for g, w in zip(gaps, want)),
      "each wait is at least the doubled interval", (gaps, want))
fm.ok(len(gaps) >= 3 and gaps[1] > gaps[0] + 0.5,
      "the backoff grows", gaps)
fm.ok(all(g < BACKOFF_MAX + 5 * fm.SLOW for g in gaps),
      "and stays bounded by backoff_max", gaps)
p = node.peers().get("loin", {})
fm.ok(p.get("failures", 0) >= 5 and "503" in (p.get("last_error") or ""),
      "feedmeshctl peers: consecutive failures and the last error", p)

# Hours of downtime: the node is stopped, the stored state made what
# hours of failures leave (last success hours ago, a long failure
# count, a next fetch hours away), and the peer refuses connections.
srv.stop()
fm.is_eq(node.stop(), 0, "the node stops")
now = int(time.time())
db = sqlite3.connect(os.path.join(node.dir, "feedmesh.db"))
with db:
    db.execute("UPDATE peer_state SET last_success = ?, last_fetch = ?,"
               " next_fetch = ?, failures = 100000 WHERE peer = 'loin'",
               (now - HOURS * 3600, now - 60, now + HOURS * 3600))
db.close()
node.start()
fm.ok(fm.wait_until(lambda: node.peers().get("loin", {}).get(
    "failures", 0) > 100000, 10 * fm.SLOW),
    "after a restart the peer is tried again within its interval")
p = node.peers().get("loin", {})
fm.diag("peer after %d h: %s" % (HOURS, {k: p.get(k) for k in (
    "failures", "last_fetch", "next_fetch", "last_error")}))
fm.ok(p.get("last_error") and "HTTP status" not in p["last_error"],
      "a refused connection is a failure too", p)


def ts(v):
    if isinstance(v, (int, float)):
        return v
    if not isinstance(v, str):
        return 0
    return calendar.timegm(time.strptime(v, "%Y-%m-%dT%H:%M:%SZ"))


wait = ts(p.get("next_fetch")) - ts(p.get("last_fetch"))
fm.ok(0 < wait <= BACKOFF_MAX, "with 100000 failures the wait is still "
      "backoff_max (%s s)" % wait, p)

# Back, on the same port, with fifty entries more and three updated, in
# pages of ten: the newest page alone would miss most of them.
srv = fm.PeerServer(port=PORT)
later = [entry(n) for n in range(60)]
for n in (3, 4, 5):
    later[n] = entry(n, 1)
serve_pages(srv, later)
fm.ok(fm.wait_until(lambda: len(node.items("?limit=200")) == 60,
                    30 * fm.SLOW, 0.2),
      "back: the node catches up with all sixty entries",
      len(node.items("?limit=200")))
fm.ok(node.wait_log("not fetched for a while, following its next pages",
                    5 * fm.SLOW), "by following the next pages",
      node.logtext()[-3000:])
pages = [path for _, path, _ in srv.requests]
fm.ok("/feed-6.atom" in pages, "down to the oldest page", pages)
items = node.items("?limit=200")
ids = [i["id"] for i in items]
fm.is_eq(len(ids), len(set(ids)), "no entry is listed twice")
fm.is_eq(set(ids), {ident(n) for n in range(60)}, "every entry, once")
fm.ok(all(i["title"].endswith("v1") for i in items
          if i["id"] in {ident(n) for n in (3, 4, 5)}),
      "the entries updated while the node could not see them are at "
      "their new version")
p = node.peers().get("loin", {})
fm.ok(fm.wait_until(lambda: node.peers().get("loin", {}).get(
    "failures") == 0, 10 * fm.SLOW), "failures are back to zero", p)

# Polling goes on at the interval, and adds nothing.
n = len(srv.hits("/feed.atom"))
fm.ok(fm.wait_until(lambda: len(srv.hits("/feed.atom")) >= n + 3,
                    20 * fm.SLOW, 0.2),
      "polling is back at the interval")
ids = [i["id"] for i in node.items("?limit=200")]
fm.ok(len(ids) == 60 and len(set(ids)) == 60, "still sixty entries, once "
      "each", len(ids))
fm.is_eq(node.stop(), 0, "the node stops")
db = sqlite3.connect("file:%s?mode=ro" % os.path.join(node.dir,
                                                      "feedmesh.db"),
                     uri=True)
rows = db.execute("SELECT count(*), count(DISTINCT id),"
                  " count(DISTINCT link_canon) FROM entries").fetchone()
paths = db.execute("SELECT count(*) FROM paths").fetchone()[0]
db.close()
fm.ok(rows == (60, 60, 60) and paths == 60,
      "the store holds sixty entries, sixty paths", (rows, paths))
srv.stop()
fm.done()
