# Two peers carrying the same entry give one stored entry recording both;
# a second poll of an unchanged peer gets a 304 and writes nothing; the
# merged listings are read by python3-feedparser as a real client.
import json
import subprocess
import sys

import fm

fm.watchdog(90)
srv = fm.PeerServer()
shared = {"id": "tag:ess-aura.example,2026:emploi-42",
          "title": "Chargé·e de mission ESS à Saint-Étienne",
          "link": "https://www.ess-aura.example/emploi/42",
          "kind": "job", "territory": "auvergne-rhone-alpes/loire",
          "updated": "2026-11-20T09:00:00Z"}
only_a = {"id": "tag:a,2026:1", "title": "Seulement sur A",
          "updated": "2026-11-19T09:00:00Z"}
only_b = {"id": "tag:b,2026:1", "title": "Seulement sur B",
          "updated": "2026-11-18T09:00:00Z"}
# The same job offer reached through another portal, under another id
# but the same permalink (with a tracking parameter): still one entry.
alias = dict(shared, id="https://emploi-ess.example/offre/42",
             link="https://www.ess-aura.example/emploi/42?utm_source=rss")
srv.route("/a.atom", body=fm.atom([shared, only_a], "urn:feed:a"),
          etag='"a1"')
srv.route("/b.atom", body=fm.atom([shared, only_b], "urn:feed:b"),
          etag='"b1"')
srv.route("/c.atom", body=fm.atom([alias], "urn:feed:c"), etag='"c1"')

node = fm.Node("loire", peers={
    "portail-a": {"url": srv.url("/a.atom"), "interval": 1},
    "portail-b": {"url": srv.url("/b.atom"), "interval": 1},
    "portail-c": {"url": srv.url("/c.atom"), "interval": 1,
                  "kind": "news"},
}).start()

ok = fm.wait_until(lambda: len(node.items()) == 3 and all(
    p["status"] == 200 or p["status"] == 304
    for p in node.peers().values()), 15)
items = node.items()
fm.is_eq(len(items), 3, "three distinct entries from four published")
job = [i for i in items if i["id"] == shared["id"]]
fm.ok(len(job) == 1, "the co-published entry is stored once",
      json.dumps(items, indent=1, ensure_ascii=False))
if job:
    peers = job[0].get("_feedmesh", {}).get("peers", [])
    fm.is_eq(sorted(peers), ["portail-a", "portail-b", "portail-c"],
             "it records every peer that carried it")
    fm.is_eq(job[0]["_feedmesh"].get("kind"), "job",
             "its own kind wins over the peer's default")
    fm.is_eq(job[0]["title"], shared["title"], "title kept in UTF-8")

# Conditional GET: the next polls carry If-None-Match and get 304.
fm.wait_until(lambda: len(srv.hits("/a.atom")) >= 3, 10)
hits = srv.hits("/a.atom")
fm.ok(len(hits) >= 3, "peer polled again without cron (%d polls)" % len(hits))
fm.ok(all(h[2].get("If-None-Match") == '"a1"' for h in hits[1:]),
      "later polls are conditional (If-None-Match)",
      [h[2].get("If-None-Match") for h in hits])
fm.ok("feedmesh/" in hits[0][2].get("User-Agent", "") and
      node.url in hits[0][2].get("User-Agent", ""),
      "User-Agent names feedmesh and the node's public URL",
      hits[0][2].get("User-Agent"))
peers = node.peers()
fm.is_eq(peers.get("portail-a", {}).get("status"), 304,
         "feedmeshctl peers shows the 304")
log_before = node.logtext().count("peer portail-a:")
fm.wait_until(lambda: len(srv.hits("/a.atom")) >= len(hits) + 2, 10)
fm.is_eq(node.logtext().count("peer portail-a:"), log_before,
         "a 304 writes nothing (no ingest line)")

# Filtered listings.
fm.is_eq([i["id"] for i in node.items("?kind=job")], [shared["id"]],
         "kind filter")
fm.is_eq(len(node.items("?territory=auvergne-rhone-alpes")), 1,
         "territory prefix filter")
fm.is_eq(len(node.items("?peer=portail-b")), 2, "peer filter")
s, _, body = fm.http_get(node.url + "/feeds/all.json?kind=nope")
fm.is_eq(s, 400, "unknown kind is a 400")

# A real client reads both merged listings without complaint.
check = r'''
import feedparser, sys
for url in sys.argv[1:]:
    d = feedparser.parse(url)
    print(url, d.bozo, d.get("bozo_exception"), len(d.entries), d.version)
    if d.bozo or len(d.entries) != 3:
        sys.exit(1)
    for e in d.entries:
        assert e.get("id") and e.get("title") and e.get("link"), e
'''
r = subprocess.run(["/usr/bin/python3", "-c", check,
                    node.url + "/feeds/all.atom",
                    node.url + "/feeds/all.json"],
                   capture_output=True, text=True, timeout=60)
fm.ok(r.returncode == 0, "python3-feedparser reads the merged Atom and "
      "JSON Feed without error", r.stdout + r.stderr)

fm.is_eq(node.stop(), 0, "SIGTERM stops the daemon cleanly")
fm.done()
