# Documents fetched in the same turn of the loop are stored in one
# transaction (pull.c): forty peers pulled at once all land, each with
# its own entries, state and validators, one that is not a feed fails
# alone, and /metrics shows documents stored together.
import os
import re
import sqlite3
import threading

import fm

fm.watchdog(120)
srv = fm.PeerServer()
names = ["b%02d" % i for i in range(40)]
# The answers wait until every peer has been asked: they then arrive
# together, as they do on a busy node.
gate = threading.Event()
for n in names:
    srv.route("/%s.atom" % n,
              body=fm.atom([{"id": "tag:%s,2026:%d" % (n, k)}
                            for k in range(3)], "urn:" + n),
              etag='"%s-1"' % n, gate=gate)
srv.route("/bad.atom", body="<html><body>Pas un flux</body></html>",
          ctype="text/html")
peers = {n: {"url": srv.url("/%s.atom" % n), "interval": "1h"}
         for n in names}
peers["bad"] = {"url": srv.url("/bad.atom"), "interval": "1h"}
node = fm.Node("region", peers=peers,
               extra={"max_per_host": "1024", "max_fetches": "1024"})
node.start()
fm.ok(fm.wait_until(lambda: all(srv.hits("/%s.atom" % n) for n in names),
                    20), "the forty peers are asked at once")
gate.set()


def settled():
    p = node.peers()
    return (len(p) == len(peers) and
            all(p[n]["entries"] == 3 for n in names) and
            p["bad"]["failures"] == 1 and
            not any(x["fetching"] for x in p.values()))


fm.ok(fm.wait_until(settled, 20), "forty peers pulled at once: each has "
      "its three entries, the peer that is not a feed one failure",
      node.peers())
p = node.peers()
fm.ok(all(p[n]["failures"] == 0 and p[n]["last_error"] is None
          for n in names) and "not a feed" in (p["bad"]["last_error"] or ""),
      "the document that is not a feed failed alone",
      {n: (x["failures"], x["last_error"]) for n, x in p.items()})

s, _, body = fm.http_get(node.url + "/metrics")
text = body.decode("utf-8", "replace")
m = {t: int(float(v)) for t, v in re.findall(
    r'^feedmesh_documents_stored_total\{transaction="(\w+)"\} (\S+)$',
    text, re.M)}
fm.ok(s == 200 and m.get("shared", 0) >= 2 and
      m.get("shared", 0) + m.get("own", 0) >= len(names),
      "documents were stored together, and every one was stored (%s)" % m)

fm.is_eq(node.stop(), 0, "SIGTERM stops the node")
db = sqlite3.connect(os.path.join(node.dir, "feedmesh.db"))
states = {r[0]: r[1:] for r in db.execute(
    "SELECT peer, etag, http_status, failures FROM peer_state")}
paths = {r[0]: r[1] for r in db.execute(
    "SELECT peer, count(*) FROM paths GROUP BY peer")}
db.close()
fm.ok(all(states.get(n) == ('"%s-1"' % n, 200, 0) and paths.get(n) == 3
          for n in names) and "bad" not in paths,
      "each peer's validators and paths are in the store",
      {"states": states, "paths": paths})
fm.done()
