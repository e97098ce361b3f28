# Publishing into a node (bearer tokens, POST/PUT/DELETE /entries,
# feedmeshctl publish/retract), tombstones a stale peer cannot undo,
# moderation (hold, queue, approve, reject), expiry into tombstones, and
# equal state digests on two nodes fed the same versions in other orders.
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request

import fm

fm.watchdog(150)

TOKEN = "s3cret-token-of-the-cms-0123456789"
OTHER = "another-publisher-token-abcdefgh"


def request(method, url, body=None, token=None, ctype=None):
    """(status, headers, body bytes); never raises on HTTP codes."""
    headers = {}
    if token is not None:
        headers["Authorization"] = "Bearer " + token
    if ctype is not None:
        headers["Content-Type"] = ctype
    data = body.encode("utf-8") if isinstance(body, str) else body
    req = urllib.request.Request(url, data=data, method=method,
                                 headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def find(items, eid):
    for it in items:
        if it.get("id") == eid:
            return it
    return None


def digest(node):
    r = node.ctl("-j", "digest")
    return json.loads(r.stdout) if r.returncode == 0 else None


ENTRY = """<?xml version="1.0" encoding="utf-8"?>
<entry xmlns="http://www.w3.org/2005/Atom">
 <title>Offre : animateur·rice</title>
 <link rel="alternate" href="https://cms.example/offres/42"/>
 <updated>2026-11-20T10:00:00Z</updated>
 <category scheme="https://feedmesh.org/ns/kind" term="job"/>
 <content type="html">&lt;p&gt;Bonjour&lt;script&gt;alert(1)&lt;/script&gt;&lt;/p&gt;</content>
</entry>
"""

# A publishers file others can read is refused, with a clear message.
d = fm.tmpdir()
pubfile = os.path.join(d, "publishers")
with open(pubfile, "w") as f:
    f.write("# name token\ncms %s\nother %s\n" % (TOKEN, OTHER))
os.chmod(pubfile, 0o644)
srv = fm.PeerServer()
node = fm.Node("pub", directory=d, extra={
    "publishers": "publishers", "expire_interval": "1"})
r = subprocess.run([fm.FEEDMESHD, "-n", "-f", node.conf],
                   capture_output=True, text=True, timeout=10)
fm.ok(r.returncode == 1 and "readable or writable by others" in r.stderr
      and "feedmesh.conf:" in r.stderr,
      "a publishers file with mode 0644 is refused", r.stderr)
os.chmod(pubfile, 0o600)
with open(os.path.join(d, "short"), "w") as f:
    f.write("cms short\n")
os.chmod(os.path.join(d, "short"), 0o600)
node.write_conf({"publishers": "short"})
r = subprocess.run([fm.FEEDMESHD, "-n", "-f", node.conf],
                   capture_output=True, text=True, timeout=10)
fm.ok(r.returncode == 1 and "short:1:" in r.stderr and "shorter" in r.stderr,
      "a short token is refused at file:line", r.stderr)

node.write_conf({"publishers": "publishers", "expire_interval": "1"})
node.start()
base = node.url + "/entries"

# Authentication.
s, h, _ = request("POST", base, ENTRY, None, "application/atom+xml")
fm.ok(s == 401 and 'Bearer realm="feedmesh"' in
      (h.get("WWW-Authenticate") or ""), "no token: 401 with a challenge")
s, _, _ = request("POST", base, ENTRY, "wrong-token-wrong-token",
                  "application/atom+xml")
fm.is_eq(s, 401, "a wrong token: 401")
os.chmod(pubfile, 0o644)
node.signal(signal.SIGHUP)
fm.ok(node.wait_log("reload refused") and "readable or writable by others"
      in node.logtext(), "a reload with a readable publishers file is "
      "refused", node.logtext())
os.chmod(pubfile, 0o600)
s, _, _ = request("POST", base, "<entry", OTHER, "application/atom+xml")
fm.is_eq(s, 400, "the running configuration's tokens still work")
s, _, body = request("POST", base, "<entry", TOKEN, "application/atom+xml")
fm.is_eq(s, 400, "a broken body: 400")

# POST: 201, Location, a tag URI, sanitized, listed.
s, h, body = request("POST", base, ENTRY, TOKEN, "application/atom+xml")
fm.is_eq(s, 201, "POST an Atom entry: 201 Created")
created = json.loads(body) if s == 201 else {}
eid = created.get("id", "")
loc = h.get("Location") or ""
fm.ok(eid.startswith("tag:127.0.0.1,") and ":pub/" in eid,
      "the entry gets a tag URI under the node's name", eid)
fm.is_eq(loc, base + "/" + urllib.parse.quote(eid, safe=""),
         "Location is public_url/entries/ID, percent-encoded")
fm.ok("script" not in json.dumps(created) and
      created.get("_feedmesh", {}).get("origin") == "pub",
      "the published entry is sanitized and its origin is this node",
      created)
fm.ok(fm.wait_until(lambda: find(node.items(), eid) is not None, 5),
      "the entry appears in /feeds/all.json")
s, _, body = fm.http_get(loc)
fm.ok(s == 200 and json.loads(body).get("id") == eid,
      "GET on the location: the entry, without a token")

# A JSON Feed item is accepted too.
item = {"id": "urn:cms:item-7", "title": "Événement",
        "url": "https://cms.example/agenda/7",
        "content_html": "<p>Le 12</p>",
        "date_modified": "2026-11-21T09:00:00Z"}
s, h, body = request("POST", base, json.dumps(item), TOKEN,
                     "application/feed+json")
fm.ok(s == 201 and h.get("Location", "").endswith("/entries/urn%3Acms%3A"
                                                  "item-7"),
      "POST a JSON Feed item keeps its own id", body)
s, _, _ = request("POST", base, json.dumps(item), TOKEN, "application/json")
fm.is_eq(s, 409, "POST the same id again: 409")

# PUT: a new version; only its publisher may.
s, _, body = request("PUT", loc, ENTRY.replace("animateur·rice",
                     "coordinateur·rice"), TOKEN, "application/atom+xml")
fm.ok(s == 200 and "coordinateur" in body.decode(), "PUT replaces: 200",
      body)
fm.ok(fm.wait_until(lambda: "coordinateur" in
                    (find(node.items(), eid) or {}).get("title", ""), 5),
      "the new version is listed")
s, _, _ = request("PUT", loc, ENTRY, OTHER, "application/atom+xml")
fm.is_eq(s, 403, "another publisher cannot PUT: 403")
s, _, _ = request("DELETE", loc, None, OTHER)
fm.is_eq(s, 403, "nor DELETE: 403")
s, _, _ = request("DELETE", base + "/urn%3Anone", None, TOKEN)
fm.is_eq(s, 404, "DELETE an unknown id: 404")

# A stale peer serves the first version of the entry.
stale = {"id": eid, "title": "Offre : animateur·rice",
         "link": "https://cms.example/offres/42",
         "updated": "2026-11-20T10:00:00Z"}
srv.route("/stale.atom", body=fm.atom([stale], "urn:stale"))
node.set_peer("stale", url=srv.url("/stale.atom"))
node.signal(signal.SIGHUP)
fm.ok(fm.wait_until(lambda: len(srv.hits("/stale.atom")) >= 1, 10),
      "the stale peer is pulled")

# DELETE: a tombstone in both formats; the stale peer cannot undo it.
s, _, _ = request("DELETE", loc, None, TOKEN)
fm.is_eq(s, 204, "DELETE retracts: 204")
fm.ok(fm.wait_until(lambda: (find(node.items(), eid) or {}).get(
      "_feedmesh", {}).get("deleted") is True, 5),
      "JSON Feed lists it as deleted")
s, _, atom = fm.http_get(node.url + "/feeds/all.atom")
fm.ok(s == 200 and b"at:deleted-entry" in atom and
      eid.encode() in atom, "Atom lists an at:deleted-entry")
srv.route("/stale.atom", body=fm.atom([stale], "urn:stale", "encore"))
n = len(srv.hits("/stale.atom"))
fm.ok(fm.wait_until(lambda: len(srv.hits("/stale.atom")) >= n + 2, 10),
      "the stale peer is pulled again")
fm.ok((find(node.items(), eid) or {}).get("_feedmesh", {}).get("deleted")
      is True, "a stale peer re-serving the old version does not "
      "resurrect it")
node.remove_peer("stale")
node.signal(signal.SIGHUP)

# feedmeshctl publish / retract / digest.
path = os.path.join(d, "entry.json")
with open(path, "w") as f:
    json.dump({"title": "Par la console", "url": "https://cms.example/c/1",
               "content_text": "texte"}, f)
r = node.ctl("-j", "publish", path)
cid = json.loads(r.stdout).get("id") if r.returncode == 0 else None
fm.ok(cid is not None and cid.startswith("tag:"),
      "feedmeshctl publish gives an id", r.stdout + r.stderr)
fm.ok(fm.wait_until(lambda: find(node.items(), cid) is not None, 5),
      "and the entry is listed")
dg = digest(node)
fm.ok(dg is not None and len(dg["digest"]) == 64 and dg["entries"] == 2
      and dg["tombstones"] == 1, "feedmeshctl digest: hex and counts", dg)
r = node.ctl("retract", cid)
fm.ok(r.returncode == 0 and "retracted" in r.stdout,
      "feedmeshctl retract", r.stdout + r.stderr)
dg2 = digest(node)
fm.ok(dg2 is not None and dg2["digest"] != dg["digest"] and
      dg2["tombstones"] == 2, "a retraction changes the digest", dg2)
r = node.ctl("retract", "urn:none")
fm.ok(r.returncode != 0, "feedmeshctl retract of an unknown id fails")

# Expiry: an entry whose end is past becomes a tombstone at that time.
def rfc3339(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


now = int(time.time())
ENDED = rfc3339(now - 60)
EXPIRING = ENTRY.replace(
    "<updated>2026-11-20T10:00:00Z</updated>",
    "<updated>%s</updated>"
    '<fm:expires xmlns:fm="https://feedmesh.org/ns/1.0">%s</fm:expires>'
    % (rfc3339(now - 3600), ENDED)).replace("offres/42", "offres/43")
s, h, body = request("POST", base, EXPIRING, TOKEN, "application/atom+xml")
xid = json.loads(body).get("id") if s == 201 else None
fm.ok(xid is not None and json.loads(body).get("_feedmesh", {}).get(
      "expires") == ENDED,
      "fm:expires of a published Atom entry is kept", body)
fm.ok(fm.wait_until(lambda: (find(node.items(), xid) or {}).get(
      "_feedmesh", {}).get("deleted") is True, 8),
      "after the sweep the expired entry is a tombstone", node.logtext())
s, _, body = fm.http_get(base + "/" + urllib.parse.quote(xid or "", safe=""))
t = json.loads(body) if s == 200 else {}
fm.ok(t.get("date_modified") == ENDED and
      "content_html" not in t, "made at the expiry time, without content",
      t)
node.stop()

# Moderation: a held peer's new entries wait for a moderator.
srv.route("/local.atom", body=fm.atom([
    {"id": "tag:local,2026:1", "title": "Un"},
    {"id": "tag:local,2026:2", "title": "Deux"},
    {"id": "tag:local,2026:3", "title": "Trois"}], "urn:local"))
srv.route("/trusted.atom", body=fm.atom([
    {"id": "tag:local,2026:3", "title": "Trois"}], "urn:trusted"))
mod = fm.Node("mod", peers={"local": {"url": srv.url("/local.atom"),
                                      "moderation": "hold"}})
mod.start()


def queue():
    r = mod.ctl("-j", "queue")
    return json.loads(r.stdout)["held"] if r.returncode == 0 else None


fm.ok(fm.wait_until(lambda: len(queue() or []) == 3, 10),
      "a held peer's entries wait in the queue", mod.logtext())
q = queue() or []
fm.ok(all(x["peer"] == "local" and x["title"] and x["first_seen"]
          for x in q), "queue: id, title, peer, first seen", q)
fm.is_eq(len(mod.items()), 0, "held entries are not listed")
fm.is_eq(digest(mod)["entries"], 0, "nor in the digest")
r = mod.ctl("queue")
fm.ok(r.returncode == 0 and "tag:local,2026:1\tlocal\t" in r.stdout,
      "feedmeshctl queue prints the held entries", r.stdout)
r = mod.ctl("approve", "tag:local,2026:1")
fm.ok(r.returncode == 0, "feedmeshctl approve", r.stderr)
fm.ok(fm.wait_until(lambda: [i["id"] for i in mod.items()] ==
                    ["tag:local,2026:1"], 5), "an approved entry is listed")
r = mod.ctl("reject", "tag:local,2026:2")
fm.ok(r.returncode == 0, "feedmeshctl reject", r.stderr)
fm.is_eq([x["id"] for x in queue() or []], ["tag:local,2026:3"],
         "the rejected entry leaves the queue")
srv.route("/local.atom", body=fm.atom([
    {"id": "tag:local,2026:1", "title": "Un"},
    {"id": "tag:local,2026:2", "title": "Deux"},
    {"id": "tag:local,2026:3", "title": "Trois"}], "urn:local", "bis"))
n = len(srv.hits("/local.atom"))
fm.ok(fm.wait_until(lambda: len(srv.hits("/local.atom")) >= n + 2, 10),
      "the held peer is pulled again")
fm.ok(find(mod.items(), "tag:local,2026:2") is None and
      "tag:local,2026:2" not in [x["id"] for x in queue() or []],
      "a rejected entry does not come back from that peer")
mod.set_peer("trusted", url=srv.url("/trusted.atom"))
mod.signal(signal.SIGHUP)
fm.ok(fm.wait_until(lambda: find(mod.items(), "tag:local,2026:3")
                    is not None, 10),
      "the same entry from a peer that is not held becomes visible")
fm.is_eq(queue(), [], "and leaves the queue")
r = mod.ctl("approve", "urn:none")
fm.ok(r.returncode != 0, "approve of an unknown id fails")
mod.stop()

# Two nodes fed the same versions in other orders: equal digests.
v1 = [{"id": "urn:a:1", "updated": "2026-11-20T10:00:00Z", "title": "v1",
       "link": "https://portail.example/same"},
      {"id": "tag:b,2026:2", "updated": "2026-11-20T10:00:00Z"}]
v2 = [{"id": "urn:z:1", "updated": "2026-11-21T10:00:00Z", "title": "v2",
       "link": "https://portail.example/same"},
      {"id": "tag:b,2026:3", "updated": "2026-11-20T10:00:00Z"}]
srv.route("/v1.atom", body=fm.atom(v1, "urn:v1"))
srv.route("/v2.atom", body=fm.atom(v2, "urn:v2"))
na = fm.Node("na", peers={"p1": {"url": srv.url("/v1.atom")}}).start()
nb = fm.Node("nb", peers={"p2": {"url": srv.url("/v2.atom")}}).start()
fm.ok(fm.wait_until(lambda: len(na.items()) == 2 and len(nb.items()) == 2,
                    10), "each node has its first peer's entries")
na.set_peer("p2", url=srv.url("/v2.atom"))
nb.set_peer("p1", url=srv.url("/v1.atom"))
na.signal(signal.SIGHUP)
nb.signal(signal.SIGHUP)
fm.ok(fm.wait_until(lambda: len(na.items()) == 3 and len(nb.items()) == 3,
                    10), "then the other's")
da = fm.wait_until(lambda: (lambda x, y: x if x and y and
                            x["digest"] == y["digest"] else None)(
    digest(na), digest(nb)), 5)
fm.ok(da is not None and da["entries"] == 3,
      "the two nodes have equal digests", (digest(na), digest(nb)))
fm.ok(find(na.items(), "urn:a:1") is not None and
      find(na.items(), "urn:a:1")["title"] == "v2",
      "the smallest id is kept, with the newest version")
na.stop()
nb.stop()
fm.done()
