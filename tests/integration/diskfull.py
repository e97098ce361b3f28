# A full disk and a read-only store. The store sits on a small tmpfs
# (mounted here: root only; skipped otherwise) that the test fills:
# ingest fails with a log line naming the store and the errno text, the
# node keeps serving what it has, a publication gets a 5xx and a pushed
# distribution a 503 (so the hub retries); once space returns the node
# stores again without a restart. Documents fetched together, whose
# shared transaction fails, are each tried alone and each reported. A
# store on a read-only mount is refused at start-up with a clear line.
import errno
import json
import os
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request

import fm
from websub_hub_stub import StubHub

fm.watchdog(150 * fm.SLOW)
TOKEN = "diskfull-token-0123456789abcdef"

d = fm.tmpdir()
mnt = os.path.join(d, "store")
os.mkdir(mnt)
r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0700",
                    "tmpfs", mnt], capture_output=True, text=True)
if r.returncode != 0:
    print("1..0 # SKIP cannot mount a tmpfs (needs root): %s" %
          (r.stderr.strip() or r.returncode), flush=True)
    sys.exit(0)
# Runs after the node is killed (cleanups run in reverse order).
fm._cleanups.append(lambda: subprocess.run(["umount", "-l", mnt],
                                           capture_output=True))
STORE = os.path.join(mnt, "feedmesh.db")
FILLER = os.path.join(mnt, "filler")


def request(method, url, body, token=TOKEN):
    req = urllib.request.Request(url, data=json.dumps(body).encode(),
                                 method=method, headers={
                                     "Authorization": "Bearer " + token,
                                     "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def job(n):
    return {"id": "tag:cms.example,2026:full-%d" % n, "title": "Offre %d" % n,
            "url": "https://cms.example/offres/full-%d" % n,
            "content_text": "Poste %d " % n + "x" * 2000,
            "_feedmesh": {"kind": "job"}}


def feed(first, count):
    return fm.atom([{"id": "tag:src.example,2026:%d" % n,
                     "summary": "Entrée %d " % n + "économie " * 200}
                    for n in range(first, first + count)], "urn:src")


def fill():
    """Writes the filler until the tmpfs is full; bytes written."""
    n = 0
    with open(FILLER, "ab") as f:
        try:
            while n < 64 << 20:
                f.write(b"\0" * 65536)
                f.flush()
                n += 65536
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
    return n


def group(g, first, count):
    return fm.atom([{"id": "tag:g%d.example,2026:%d" % (g, n)}
                    for n in range(first, first + count)], "urn:g%d" % g)


def ids(node):
    return {i["id"] for i in node.items("?limit=500")}


srv = fm.PeerServer()
hub = StubHub()
srv.route("/src.atom", body=feed(0, 10))
GROUP = ["g%d" % g for g in range(6)]
for g in range(6):
    srv.route("/g%d.atom" % g, body=group(g, 0, 2))
pushed_url = srv.route("/pushed.atom", body=fm.atom(
    [{"id": "tag:pushed.example,2026:0", "kind": "event"}], "urn:pushed"),
    headers={"Link": '<%s>; rel="hub"' % hub.url})
with open(os.path.join(d, "publishers"), "w") as f:
    f.write("cms %s\n" % TOKEN)
os.chmod(os.path.join(d, "publishers"), 0o600)
node = fm.Node("plein", directory=d, peers={
    "src": {"url": srv.url("/src.atom"), "interval": 1},
    "pushed": {"url": pushed_url, "push": "websub", "interval": 60},
    **{n: {"url": srv.url("/%s.atom" % n), "interval": "1h"}
       for n in GROUP}},
    extra={"store": "store/feedmesh.db", "publishers": "publishers",
           "backoff_max": "2", "max_per_host": "64"})
node.start()
fm.ok(fm.wait_until(lambda: len(ids(node)) == 23, 15 * fm.SLOW),
      "the node stores its peers' entries", node.logtext())
fm.ok(fm.wait_until(lambda: hub.active(pushed_url), 15 * fm.SLOW),
      "the node subscribed to the peer's hub")
s, _ = request("POST", node.url + "/entries", job(0))
fm.is_eq(s, 201, "a publication before the disk fills: 201")

# The WAL is reused in place after a checkpoint: empty it, so that the
# next write needs new space, then take all the space there is.
db = sqlite3.connect(STORE, timeout=10)
db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
db.close()
filled = fill()
fm.diag("filler: %d kB" % (filled // 1024))
logpos = len(node.logtext())

# Ingest fails: a new version of the peer's feed is not stored.
srv.route("/src.atom", body=feed(0, 60))
fm.ok(fm.wait_until(lambda: "No space left on device" in
                    node.logtext()[logpos:], 15 * fm.SLOW),
      "a failed write is logged with the errno text",
      node.logtext()[logpos:][-2000:])
new = node.logtext()[logpos:]
fm.ok(STORE in new, "the line names the store", new[-2000:])
fm.ok(fm.wait_until(lambda: "peer src: not stored" in
                    node.logtext()[logpos:], 10 * fm.SLOW),
      "the peer's document is reported not stored",
      node.logtext()[logpos:][-2000:])
held = ids(node)
fm.ok(len(held) == 24, "listings still serve what the store holds (%d)" %
      len(held))
s, _, _ = fm.http_get(node.url + "/feeds/all.atom")
fm.is_eq(s, 200, "the Atom listing is served")
s, body = request("POST", node.url + "/entries", job(1))
fm.ok(500 <= s < 600, "a publication gets a 5xx (%d)" % s, body)
fm.ok("tag:cms.example,2026:full-1" not in ids(node),
      "and is not listed")
subs = hub.active(pushed_url)
push = fm.atom([{"id": "tag:pushed.example,2026:1", "kind": "event",
                 "summary": "z" * 3000}], "urn:pushed")
statuses = [hub.distribute(x, push) for x in subs]
fm.ok(statuses and all(x == 503 for x in statuses),
      "a pushed distribution gets a 503: the hub will retry", statuses)
fm.is_eq(hub.last_reply_headers.get("Retry-After"), "30",
         "and a Retry-After, so that it does not come back at once")
fm.ok(node.healthy(), "the node is up")
p = node.peers().get("src", {})
fm.ok(p.get("failures", 0) == 0, "a store failure is not counted "
      "against the peer (no backoff for it)", p)

# Six new documents answered at once share a transaction, which fails:
# each is then tried alone, and each peer is told so, none blamed.
gate = threading.Event()
for g in range(6):
    srv.route("/g%d.atom" % g, body=group(g, 0, 3), gate=gate)
r = node.ctl("fetch", "*")
fm.ok(fm.wait_until(lambda: all(len(srv.hits("/%s.atom" % n)) == 2
                                for n in GROUP), 10 * fm.SLOW),
      "the six peers are asked again at once", r.stderr)
gate.set()
fm.ok(fm.wait_until(lambda: "could not be stored together" in
                    node.logtext()[logpos:], 10 * fm.SLOW),
      "the shared transaction fails, and each document is tried alone",
      node.logtext()[logpos:][-2000:])


def group_reported():
    p = node.peers()
    return all(p[n]["failures"] == 0 and not p[n]["fetching"] and
               p[n]["last_error"] == "store write failed" for n in GROUP)


fm.ok(fm.wait_until(group_reported, 10 * fm.SLOW), "each of the six is "
      "reported not stored, none counted as failing",
      {n: node.peers().get(n) for n in GROUP})

# Space returns: the node stores again, without a restart.
os.unlink(FILLER)
fm.ok(fm.wait_until(lambda: len(ids(node)) == 74, 15 * fm.SLOW, 0.2),
      "space back: the next poll stores the peer's new entries",
      node.logtext()[-2000:])
node.ctl("fetch", "*")
fm.ok(fm.wait_until(lambda: len(ids(node)) == 80, 15 * fm.SLOW, 0.2),
      "and the six documents are stored at their next fetch",
      node.logtext()[-2000:])
s, _ = request("POST", node.url + "/entries", job(2))
fm.is_eq(s, 201, "a publication is stored again")
statuses = [hub.distribute(x, push) for x in subs]
fm.ok(statuses and all(x == 200 for x in statuses),
      "the hub's retry is taken", statuses)
fm.ok("tag:pushed.example,2026:1" in ids(node), "and stored")
fm.diag("the node's warnings:\n" + "\n".join(
    line for line in node.logtext().splitlines() if "warning" in line))
fm.is_eq(node.stop(), 0, "the node stops")
db = sqlite3.connect("file:%s?mode=ro" % STORE, uri=True)
fm.is_eq(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)],
         "integrity_check ok after the full disk")
db.close()

# A read-only store: refused at start-up, with the reason.
r = subprocess.run(["mount", "-o", "remount,ro", mnt], capture_output=True,
                   text=True)
if fm.ok(r.returncode == 0, "the tmpfs is remounted read-only", r.stderr):
    logpos = len(node.logtext())
    node.start(wait=False)
    try:
        rc = node.proc.wait(15 * fm.SLOW)
    except subprocess.TimeoutExpired:
        rc = None
    out = node.logtext()[logpos:]
    fm.ok(rc not in (None, 0), "the daemon does not start on a read-only "
          "store (exit %s)" % rc, out)
    fm.ok(STORE in out and "read-only" in out,
          "its log names the store and says it is read-only", out)
fm.done()
