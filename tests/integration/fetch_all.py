# feedmeshctl fetch '*' fetches every peer at once, conditionally; status
# shows the fetcher's load; peers sharing a host may lift max_per_host.
import json
import os
import sqlite3
import time

import fm

fm.watchdog(120)
srv = fm.PeerServer()
names = ["p%d" % i for i in range(6)]
for n in names:
    srv.route("/%s.atom" % n, body=fm.atom([{"id": "tag:%s,2026:1" % n}],
                                           "urn:" + n), etag='"%s-1"' % n)
node = fm.Node("region", peers={n: {"url": srv.url("/%s.atom" % n),
                                    "interval": "1h"} for n in names},
               extra={"max_per_host": "1024", "max_fetches": "1024"})
node.start()
fm.ok(fm.wait_until(lambda: len(node.items()) == len(names), 10),
      "every peer is pulled once at start-up", node.logtext())
before = {n: len(srv.hits("/%s.atom" % n)) for n in names}
fm.is_eq(set(before.values()), {1}, "then no peer is polled before its "
         "interval (an hour)")

r = node.ctl("fetch", "*")
fm.ok(r.returncode == 0, "feedmeshctl fetch '*'", r.stdout + r.stderr)
fm.ok(fm.wait_until(lambda: all(len(srv.hits("/%s.atom" % n)) == 2
                                for n in names), 10),
      "every peer is fetched again at once")
fm.ok(all(srv.hits("/%s.atom" % n)[1][2].get("If-None-Match") ==
          '"%s-1"' % n for n in names),
      "each with its own ETag (a revalidation)")

r = node.ctl("-j", "status")
st = json.loads(r.stdout) if r.returncode == 0 else {}
fm.ok(st.get("fetches_running") == 0 and st.get("fetches_queued") == 0,
      "status shows no fetch running or queued once they are done", r.stdout)
r = node.ctl("fetch", "p9")
fm.ok(r.returncode != 0 and "no such peer" in r.stderr,
      "an unknown peer is still refused", r.stderr)

# States are written in batches shortly after the fetches (those of the
# 304s above, which change only times, up to a minute later): a node
# killed a second later restarts with the states of the first round (no
# peer due for an hour), then revalidates with the ETags it had.
time.sleep(1)            # the batch is written within 0.2 s
node.kill()
node.start()
time.sleep(1.5)          # a start-up round would come within a second
fm.ok(all(len(srv.hits("/%s.atom" % n)) == 2 for n in names),
      "after a crash no peer is fetched before its time (states kept)",
      {n: len(srv.hits("/%s.atom" % n)) for n in names})
t3 = int(time.time())
r = node.ctl("fetch", "*")
fm.ok(fm.wait_until(lambda: all(len(srv.hits("/%s.atom" % n)) == 3
                                for n in names), 10) and
      all(srv.hits("/%s.atom" % n)[2][2].get("If-None-Match") ==
          '"%s-1"' % n for n in names),
      "and revalidates with the stored ETags")

# A 304 after a 304 changes only the peer's times: that state is written
# up to a minute later (pull.c), but a node stopped by SIGTERM writes it
# before it exits.
fm.ok(fm.wait_until(lambda: all(p["last_fetch"] is not None
                                for p in node.peers().values()) and
                    not any(p["fetching"] for p in node.peers().values()),
                    10), "the third round is over")
fm.is_eq(node.stop(), 0, "SIGTERM stops the node")
db = sqlite3.connect(os.path.join(node.dir, "feedmesh.db"))
rows = {r[0]: r[1:] for r in db.execute(
    "SELECT peer, last_fetch, last_success, next_fetch, http_status, "
    "etag, failures FROM peer_state")}
db.close()
fm.ok(sorted(rows) == sorted(names) and
      all(rows[n][0] >= t3 and rows[n][1] >= t3 and
          rows[n][2] >= t3 + 3000 and rows[n][3] == 304 and
          rows[n][4] == '"%s-1"' % n and rows[n][5] == 0 for n in names),
      "the states of the last revalidations are in the store after "
      "SIGTERM", {"t3": t3, "rows": rows})
fm.done()
