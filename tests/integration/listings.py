# Finding things on a real node: q (accents, ranking), places (near,
# bbox, GeoJSON), paging across inserts, /stats.json, /metrics behind a
# trusted proxy, /peers.opml and feedmeshctl import-opml.
import json
import os
import re

import fm


def entry(eid, title, summary, updated, kind=None, point=None):
    cats = ""
    if kind:
        cats = ('<category scheme="https://feedmesh.org/ns/kind" '
                'term="%s"/>' % kind)
    geo = "<georss:point>%s %s</georss:point>" % point if point else ""
    return ("<entry><id>%s</id><title>%s</title>"
            '<link rel="alternate" href="https://portail.example/%s"/>'
            "<published>%s</published><updated>%s</updated>%s%s"
            "<summary>%s</summary></entry>" %
            (eid, title, eid, updated, updated, cats, geo, summary))


def feed(entries):
    return ('<?xml version="1.0" encoding="utf-8"?>'
            '<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:georss="http://www.georss.org/georss">'
            "<id>urn:test:listings</id><title>Portail</title>"
            "<updated>2026-11-20T10:00:00Z</updated>%s</feed>" %
            "".join(entries))


def get(path, headers=None):
    s, h, body = fm.http_get(node.url + path, headers=headers)
    return s, h, body


def ids(query):
    return [i["id"] for i in node.items(query)]


fm.watchdog(90)
srv = fm.PeerServer()
base = [
    entry("urn:body", "Rapport annuel", "Une offre d'emploi parmi d'autres",
          "2026-11-01T10:00:00Z"),
    entry("urn:title", "Emploi : chargée de mission",
          "Économie sociale et solidaire", "2026-10-01T10:00:00Z", "job"),
    entry("urn:in", "Café associatif", "Lieu", "2026-09-01T10:00:00Z",
          "actor", ("45.52", "4.3872")),
    entry("urn:out", "Ressourcerie", "Lieu", "2026-08-01T10:00:00Z",
          "actor", ("45.54", "4.3872")),
    entry("urn:far", "Épicerie", "Lieu", "2026-07-01T10:00:00Z",
          "actor", ("48.11", "-1.68")),
]
srv.route("/feed.atom", body=feed(base))
node = fm.Node("loire", peers={"portail": {"url": srv.url("/feed.atom"),
                                           "interval": 3600}},
               extra={"trusted_proxies": "127.0.0.1",
                      "metrics_allow": "10.9.9.9, ::1",
                      "listing_limit": "2"}).start()
fm.ok(fm.wait_until(lambda: len(node.items("?limit=50")) == 5, 15),
      "five entries stored")

# Search: accents and case both ways, ranking.
fm.is_eq(ids("?q=emploi"), ["urn:body", "urn:title"],
         "q=emploi finds Emploi and emploi, newest first")
fm.is_eq(ids("?q=emploi&sort=relevance"), ["urn:title", "urn:body"],
         "sort=relevance: the title match first")
fm.is_eq(ids("?q=economie"), ["urn:title"], "economie finds Économie")
fm.is_eq(ids("?q=%C3%89PICERIE"), ["urn:far"], "ÉPICERIE finds Épicerie")
s, _, body = get("/feeds/all.json?q=%22%29%20OR%20title%3A*")
fm.ok(s == 200 and json.loads(body)["items"] == [],
      "FTS5 syntax is not injectable", s)
s, _, _ = get("/feeds/all.atom?sort=relevance")
fm.is_eq(s, 400, "sort=relevance without q is refused")

# Places: a radius of 2 km around (45.5, 4.3872): 2.22 km is in at 2.3.
fm.is_eq(ids("?near=45.5,4.3872&radius=2.3"), ["urn:in"],
         "near: 2.2 km in, 4.4 km out")
fm.is_eq(ids("?near=45.5,4.3872&radius=4.5&limit=10"), ["urn:in", "urn:out"],
         "a larger radius takes both")
fm.is_eq(ids("?bbox=4,45,5,45.53"), ["urn:in"], "bbox")
s, h, body = get("/feeds/all.geojson?limit=10")
fm.is_eq(s, 200, "GeoJSON listing")
fm.ok(h.get("Content-Type", "").startswith("application/geo+json"),
      "application/geo+json", h.get("Content-Type"))
fm.ok(h.get("Access-Control-Allow-Origin") == "*" and h.get("ETag"),
      "CORS and ETag as for the other listings")
gj = json.loads(body)
fm.is_eq(gj["type"], "FeatureCollection", "a FeatureCollection")
fm.is_eq([f["properties"]["id"] for f in gj["features"]],
         ["urn:in", "urn:out", "urn:far"], "only entries with a point")
f0 = gj["features"][0]
fm.is_eq(f0["geometry"], {"type": "Point", "coordinates": [4.3872, 45.52]},
         "[lon, lat]")
fm.is_eq(sorted(f0["properties"]), ["id", "kind", "link", "published",
                                    "territory", "title"],
         "feature properties")
s, h, body = get("/actors.geojson?near=48.11,-1.68&radius=1")
fm.is_eq([f["id"] for f in json.loads(body)["features"]], ["urn:far"],
         "actors.geojson with near")
s, _, _ = get("/actors.geojson?kind=job")
fm.is_eq(s, 400, "actors.geojson is for actors")

# Paging across inserts: page 1, newer entries arrive, page 2 follows on.
page1 = node.listing("")
fm.is_eq([i["id"] for i in page1["items"]], ["urn:body", "urn:title"],
         "page 1")
srv.route("/feed.atom", body=feed(base + [
    entry("urn:new1", "Nouveau", "x", "2026-11-10T10:00:00Z"),
    entry("urn:new2", "Nouveau", "x", "2026-11-11T10:00:00Z")]))
node.ctl("fetch", "portail")
fm.ok(fm.wait_until(lambda: len(node.items("?limit=50")) == 7, 10),
      "newer entries stored between the pages")
nxt = page1["next_url"]
seen = [i["id"] for i in page1["items"]]
for _ in range(10):
    s, _, body = fm.http_get(nxt)
    doc = json.loads(body)
    seen += [i["id"] for i in doc["items"]]
    nxt = doc.get("next_url")
    if not nxt:
        break
fm.is_eq(seen, ["urn:body", "urn:title", "urn:in", "urn:out", "urn:far"],
         "pages after the insert: no duplicate, no gap")

# Stats.
s, _, body = get("/stats.json?from=2026-01-01&to=2026-12-31&by=kind")
st = json.loads(body) if s == 200 else {}
fm.is_eq(st.get("totals", {}).get("published"), 7, "7 published in 2026")
fm.is_eq(st.get("totals", {}).get("new_actors"), 3, "3 new actor profiles")
fm.ok(st.get("served", {}).get("json", 0) >= 10,
      "JSON listings served are counted", st.get("served"))
s, _, body = get("/stats.json?from=2025-01-01&to=2025-12-31")
fm.is_eq(json.loads(body)["totals"]["published"], 0, "none in 2025")
r = node.ctl("stats", "--from", "2026-01-01", "--by", "month")
fm.ok(r.returncode == 0 and re.search(r"2026-11\s+3\s", r.stdout),
      "feedmeshctl stats by month", r.stdout + r.stderr)

# Metrics: the proxy (127.0.0.1) is trusted; the client it names decides.
s, _, _ = get("/metrics")
fm.is_eq(s, 403, "/metrics refused to a client not in metrics_allow")
s, _, _ = get("/metrics", {"X-Forwarded-For": "10.9.9.8"})
fm.is_eq(s, 403, "refused to another forwarded client")
s, h, body = get("/metrics", {"X-Forwarded-For": "10.9.9.9, 127.0.0.1"})
fm.is_eq(s, 200, "allowed to the forwarded client in metrics_allow")
fm.ok(h.get("Content-Type", "").startswith("text/plain; version=0.0.4"),
      "Prometheus text format", h.get("Content-Type"))
text = body.decode()
samples = {}
for line in text.splitlines():
    if line.startswith("#") or not line:
        continue
    m = re.match(r'^([a-z_]+)(\{[^}]*\})? (\S+)$', line)
    fm.ok(m is not None, "sample line parses: " + line[:60]) if not m else 0
    if m:
        samples[m.group(1) + (m.group(2) or "")] = float(m.group(3))
key = 'feedmesh_fetches_total{peer="portail",outcome="ok"}'
fm.ok(samples.get(key, 0) >= 2, "fetches counted by peer and outcome")
fm.is_eq(samples.get('feedmesh_entries_ingested_total{result="inserted"}'),
         7.0, "entries ingested")
fm.is_eq(samples.get("feedmesh_entries"), 7.0, "entries gauge")
fm.ok(samples.get("feedmesh_store_bytes", 0) > 0, "store size")
before = samples.get('feedmesh_http_requests_total{route="json",code="2xx"}',
                     0)
node.items("?q=nouveau")
s, _, body = get("/metrics", {"Forwarded": 'for="[::1]:4711"'})
fm.is_eq(s, 200, "Forwarded: for= an IPv6 client in metrics_allow")
after = re.search(r'feedmesh_http_requests_total\{route="json",code="2xx"\} '
                  r'(\d+)', body.decode())
fm.ok(after and int(after.group(1)) == before + 1,
      "the request counter moved by one")
fm.ok("feedmesh_http_request_duration_seconds_bucket" in body.decode(),
      "request latency histogram")


# Idle upkeep: two fetched documents left two full-text segments; once
# nothing is written for a moment the node merges them, and searches
# answer as before.
def metric(name):
    s, _, body = get("/metrics", {"X-Forwarded-For": "10.9.9.9"})
    m = re.search(r"^%s (\S+)$" % name, body.decode(), re.M)
    return float(m.group(1)) if s == 200 and m else None


fm.ok(fm.wait_until(lambda: metric("feedmesh_fts_segments") == 1.0, 20,
                    0.2), "idle: the full-text index merged into one segment",
      metric("feedmesh_fts_segments"))
fm.ok((metric("feedmesh_fts_merge_steps_total") or 0) >= 1,
      "merge steps counted")
fm.is_eq(ids("?q=emploi"), ["urn:body", "urn:title"],
         "q=emploi after the merge")
fm.is_eq(ids("?q=nouveau&limit=1"), ["urn:new2"], "q=nouveau after it")

# OPML: export, import into a fresh directory, the same peer.
s, h, body = get("/peers.opml")
fm.is_eq(s, 200, "/peers.opml")
fm.ok(b'xmlUrl="%s"' % srv.url("/feed.atom").encode() in body,
      "the peer's feed URL")
opml = os.path.join(node.dir, "peers.opml")
with open(opml, "wb") as f:
    f.write(body)
dest = os.path.join(node.dir, "imported.d")
os.makedirs(dest)
r = node.ctl("import-opml", opml, "-d", dest)
fm.ok(r.returncode == 0 and "reload" in r.stdout, "import-opml", r.stdout)
with open(os.path.join(dest, "portail.conf")) as f:
    fm.ok("url = %s\n" % srv.url("/feed.atom") in f.read(),
          "round trip: portail.conf with the same url")
r = node.ctl("import-opml", opml, "-d", dest)
fm.ok("exists" in r.stdout, "a second import does not overwrite")

fm.ok(node.healthy(), "the node keeps serving")
fm.is_eq(node.stop(), 0, "clean stop")
fm.done()
