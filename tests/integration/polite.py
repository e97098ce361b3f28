# Politeness and failures: a peer that is down backs off and recovers;
# Retry-After is honoured; 410 stops polling; 301 is reported; private
# addresses are refused unless allowed.
import fm

fm.watchdog(120)
srv = fm.PeerServer()
doc = fm.atom([{"id": "tag:down,2026:1"}], "urn:down")
srv.route("/down.atom", body="panne", ctype="text/plain", status=500)
srv.route("/busy.atom", body="", status=429,
          headers={"Retry-After": "4"})
srv.route("/gone.atom", body="", status=410)
srv.route("/old.atom", body="", status=301,
          headers={"Location": srv.url("/new.atom")})
srv.route("/new.atom", body=fm.atom([{"id": "tag:new,2026:1"}], "urn:new"))

node = fm.Node("loire", peers={
    "down": {"url": srv.url("/down.atom"), "interval": 1},
    "busy": {"url": srv.url("/busy.atom"), "interval": 1},
    "gone": {"url": srv.url("/gone.atom"), "interval": 1},
    "moved": {"url": srv.url("/old.atom"), "interval": 1},
}, extra={"backoff_max": 8}).start()

# Backoff: gaps between polls of a failing peer double (1, 2, 4, 8 s).
fm.wait_until(lambda: len(srv.hits("/down.atom")) >= 4, 20)
t = [h[0] for h in srv.hits("/down.atom")]
gaps = [round(b - a, 1) for a, b in zip(t, t[1:])]
fm.ok(len(gaps) >= 3 and gaps[1] > gaps[0] * 1.5 and
      gaps[2] > gaps[1] * 1.5, "a failing peer backs off", gaps)
p = node.peers().get("down", {})
fm.ok(p.get("failures", 0) >= 3 and "500" in (p.get("last_error") or ""),
      "feedmeshctl peers shows failures and the last error", p)

# Recovery: the peer comes back, its entry arrives, failures reset.
srv.route("/down.atom", body=doc)
fm.ok(fm.wait_until(lambda: any(i["id"] == "tag:down,2026:1"
                                for i in node.items()), 20),
      "a peer that comes back is caught up")
fm.is_eq(node.peers().get("down", {}).get("failures"), 0,
         "failures reset after a success")

# Retry-After: 4 s between polls although interval is 1 s.
t = [h[0] for h in srv.hits("/busy.atom")]
fm.ok(len(t) >= 2 and all(b - a >= 3.5 for a, b in zip(t, t[1:])),
      "Retry-After is honoured on 429",
      [round(b - a, 1) for a, b in zip(t, t[1:])])

# 410: polled once, then never again, and said so.
n = len(srv.hits("/gone.atom"))
fm.is_eq(n, 1, "a 410 peer is polled once")
p = node.peers().get("gone", {})
fm.ok(p.get("gone") is True and "410" in node.logtext(),
      "410 stops polling and says so", p)

# 301: followed, entries read, and reported to the administrator.
p = node.peers().get("moved", {})
fm.is_eq(p.get("moved_to"), srv.url("/new.atom"),
         "a 301 is reported in feedmeshctl peers")
fm.ok("moved permanently" in node.logtext(), "and in the log")
fm.ok(any(i["id"] == "tag:new,2026:1" for i in node.items()),
      "the moved feed is read")
r = node.ctl("peers")
fm.ok("moved permanently to" in r.stdout, "peers table shows the move",
      r.stdout)
node.stop()

# Private addresses: refused unless allow_private = yes.
strict = fm.Node("strict", peers={"local": {"url": srv.url("/new.atom")}},
                 extra={"allow_private": "no"}).start()
fm.ok(fm.wait_until(lambda: "private" in (strict.peers().get("local", {})
                                          .get("last_error") or ""), 10),
      "a loopback peer is refused with allow_private = no",
      strict.peers())
fm.is_eq(strict.items(), [],
         "nothing is fetched from it")
strict.stop()
fm.done()
