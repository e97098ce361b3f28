# Power cuts: the node is killed with SIGKILL at random moments (seeded;
# FEEDMESH_SEED=N repeats the moments) while it ingests a big feed that
# changes under it, receives WebSub content distributions from a hub,
# takes publications (POST /entries) and, as a hub itself, sends
# distributions to a subscriber. After each kill, with the daemon down:
# PRAGMA integrity_check is ok and every entry whose publication (201)
# or distribution (2xx) was acknowledged is in the store. At the end the
# subscriber has received every publication: queued deliveries resumed.
import json
import os
import random
import sqlite3
import threading
import time
import urllib.error
import urllib.request

import fm
import websub_subscriber
from websub_hub_stub import StubHub

fm.watchdog(200 * fm.SLOW)
SEED = int(os.environ.get("FEEDMESH_SEED") or
           (time.time_ns() // 1000) % 1000000007)
fm.diag("seed %d (FEEDMESH_SEED=%d repeats the kill moments)" %
        (SEED, SEED))
rng = random.Random(SEED)
# Under valgrind (FEEDMESH_WRAPPER) a cycle takes seconds: fewer kills.
KILLS = 50 if not fm.WRAPPER else 4
LOOP_BUDGET = 95 * fm.SLOW         # seconds for all the kill cycles
TOKEN = "powercut-token-0123456789abcdef"
BIG = 300                          # entries in the big feed's window
BASE = 1795168800                  # 2026-11-20T10:00:00Z

stop = threading.Event()
lock = threading.Lock()
acked_pub = set()      # publications answered 201
acked_push = set()     # entries in distributions answered 2xx
push_status = {}       # status -> count of distributions sent
pub_status = {}


def stamp(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


# The big feed: a window of BIG entries of about 1.5 kB each; every
# 0.25 s a few entries get a newer version and new ones push the oldest
# out, so that each poll (interval 1) stores a changed document.
srv = fm.PeerServer()
big = {}
serial = [0]
frng = random.Random(SEED + 1)


def big_entry(n, version):
    return {"id": "tag:big.example,2026:%d" % n, "kind": "news",
            "title": "Article %d v%d" % (n, version),
            "updated": stamp(BASE + n * 60 + version),
            "summary": ("Entrée %d, version %d. " % (n, version)) +
            "économie sociale et solidaire " * 48}


def big_publish():
    doc = fm.atom([big[k] for k in sorted(big)], "urn:big", "Gros flux")
    srv.route("/big.atom", body=doc)
    # A mirror: the same entries by a second path (merges).
    srv.route("/mirror.atom", body=doc)


for n in range(BIG):
    big[n] = big_entry(n, 0)
serial[0] = BIG
big_publish()


def mutate():
    end = time.monotonic() + 400 * fm.SLOW
    while not stop.is_set() and time.monotonic() < end:
        for n in frng.sample(sorted(big), 8):
            v = int(big[n]["title"].rsplit("v", 1)[1]) + 1
            big[n] = big_entry(n, v)
        for _ in range(3):
            big[serial[0]] = big_entry(serial[0], 0)
            del big[min(big)]
            serial[0] += 1
        big_publish()
        stop.wait(0.25)


# A hub (not feedmesh) for peer "pushed": the node subscribes to it and
# the test sends it distributions, one new entry each.
hub = StubHub()
# A request cut by a kill is expected here: no tracebacks in the log.
for server in (srv.httpd, hub.httpd):
    server.handle_error = lambda request, address: None
pushed_url = srv.route("/pushed.atom", body=fm.atom(
    [{"id": "tag:pushed.example,2026:0", "kind": "event"}], "urn:pushed"),
    headers={"Link": '<%s>; rel="hub"' % hub.url})

d = fm.tmpdir()
with open(os.path.join(d, "publishers"), "w") as f:
    f.write("cms %s\n" % TOKEN)
os.chmod(os.path.join(d, "publishers"), 0o600)
node = fm.Node("coupure", directory=d, peers={
    "big": {"url": srv.url("/big.atom"), "interval": 1},
    "mirror": {"url": srv.url("/mirror.atom"), "interval": 1},
    "pushed": {"url": pushed_url, "push": "websub", "interval": 1}},
    extra={"publishers": "publishers", "push_poll_interval": "5",
           "backoff_max": "2", "push_timeout": "3"})
STORE = os.path.join(d, "feedmesh.db")
node.start()
fm.ok(fm.wait_until(lambda: hub.active(pushed_url), 20 * fm.SLOW),
      "the node subscribed to the peer's hub", node.logtext())

# A subscriber (not feedmesh) to the node's job listing: it gets every
# publication by push.
sub = websub_subscriber.Subscriber()
sub.httpd.handle_error = lambda request, address: None
fm._cleanups.append(sub.stop)
# A subscriber a little slow to answer: distributions queue up.
sub.callback("jobs", secret="subscriber-secret", delay=0.05)
TOPIC = node.url + "/feeds/all.json?kind=job"
s, _ = sub.subscribe(node.url + "/hub", TOPIC, "jobs",
                     secret="subscriber-secret")
fm.is_eq(s, 202, "the subscriber's request is accepted")
fm.ok(fm.wait_until(lambda: sub.verified("jobs"), 10 * fm.SLOW) and
      fm.wait_until(lambda: node.ctl("-j", "subscriptions").stdout.count(
          "active") >= 1, 10 * fm.SLOW), "the subscription is verified")


def received():
    """Ids in the distributions the subscriber got (signed right)."""
    ids = set()
    for dist in sub.delivered("jobs"):
        if dist["sig_ok"]:
            try:
                ids |= {i["id"] for i in json.loads(dist["body"])["items"]}
            except (ValueError, KeyError):
                pass
    return ids


def count(table, status):
    with lock:
        table[status] = table.get(status, 0) + 1


def publisher():
    """POSTs a job every few tens of ms; 201s are acknowledged."""
    n = 0
    end = time.monotonic() + 400 * fm.SLOW
    while not stop.is_set() and time.monotonic() < end:
        n += 1
        ident = "tag:cms.example,2026:pc-%d" % n
        item = {"id": ident, "title": "Offre %d" % n,
                "url": "https://cms.example/offres/%d" % n,
                "content_text": "Poste %d" % n,
                "_feedmesh": {"kind": "job"}}
        req = urllib.request.Request(
            node.url + "/entries", data=json.dumps(item).encode(),
            method="POST", headers={"Authorization": "Bearer " + TOKEN,
                                    "Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=5) as r:
                status = r.status
                r.read()
        except urllib.error.HTTPError as e:
            status = e.code
        except OSError:
            status = "down"
        count(pub_status, status)
        if status == 201:
            with lock:
                acked_pub.add(ident)
        stop.wait(0.03 if status != "down" else 0.05)


def pusher():
    """Distributes a new entry of peer "pushed" every few tens of ms."""
    n = 0
    end = time.monotonic() + 400 * fm.SLOW
    while not stop.is_set() and time.monotonic() < end:
        n += 1
        ident = "tag:pushed.example,2026:%d" % n
        body = fm.atom([{"id": ident, "kind": "event",
                         "title": "Rencontre %d" % n,
                         "updated": stamp(BASE + n)}], "urn:pushed")
        got = []
        for s in hub.active(pushed_url):
            try:
                got.append(hub.distribute(s, body))
            except OSError:
                got.append("down")
        for status in got:
            count(push_status, status)
        if any(isinstance(x, int) and 200 <= x < 300 for x in got):
            with lock:
                acked_push.add(ident)
        stop.wait(0.04)


def stored_ids():
    """(integrity_check result, foreign key problems, live ids + aliases),
    read with the daemon down, read-only."""
    db = sqlite3.connect("file:%s?mode=ro" % STORE, uri=True, timeout=5)
    try:
        integrity = [r[0] for r in db.execute("PRAGMA integrity_check")]
        fk = db.execute("PRAGMA foreign_key_check").fetchall()
        ids = {r[0] for r in db.execute(
            "SELECT id FROM entries WHERE deleted = 0")}
        ids |= {r[0] for r in db.execute(
            "SELECT a.alias FROM aliases a JOIN entries e USING (seq)"
            " WHERE e.deleted = 0")}
        queued = db.execute("SELECT count(*) FROM hub_deliveries"
                            ).fetchone()[0]
    finally:
        db.close()
    return integrity, fk, ids, queued


threads = [threading.Thread(target=fn, daemon=True)
           for fn in (mutate, publisher, pusher)]
for t in threads:
    t.start()
fm._cleanups.append(stop.set)

kills = 0
kill_times = []
bad_integrity = []
missing = []
max_queued = 0
started = time.monotonic()
while kills < KILLS and time.monotonic() - started < LOOP_BUDGET:
    if kills > 0:
        node.start()
    # The moment of the cut: not a readiness wait.
    time.sleep(rng.uniform(0.05, 1.0) * fm.SLOW)
    node.kill()
    kills += 1
    kill_times.append(time.monotonic())
    with lock:
        want_pub = set(acked_pub)
        want_push = set(acked_push)
    try:
        integrity, fk, ids, queued = stored_ids()
    except sqlite3.Error as e:
        integrity, fk, ids, queued = ["open: %s" % e], [], set(), 0
    max_queued = max(max_queued, queued)
    if integrity != ["ok"] or fk:
        bad_integrity.append((kills, integrity[:5], fk[:5]))
    lost = (want_pub | want_push) - ids
    if lost:
        missing.append((kills, sorted(lost)[:5], len(lost)))
    if bad_integrity and len(bad_integrity) + len(missing) > 3:
        break
elapsed = time.monotonic() - started
fetches = [h[0] for p in ("/big.atom", "/mirror.atom") for h in srv.hits(p)]
mid = sum(1 for k in kill_times if any(0 <= k - t < 0.5 for t in fetches))
fm.diag("%d kills in %.1f s, %d of them within 0.5 s of a fetch of a big "
        "feed; %d fetches of the big feeds; at most %d distributions "
        "queued at a cut" % (kills, elapsed, mid, len(fetches), max_queued))
fm.ok(kills >= KILLS, "at least %d SIGKILLs (%d)" % (KILLS, kills))
fm.ok(not bad_integrity, "integrity_check ok after every cut",
      bad_integrity)
fm.ok(not missing, "every acknowledged publication and push is stored "
      "after every cut", missing)

node.start()
time.sleep(0.5)            # a little more of all three, on a live node
stop.set()
for t in threads:
    t.join(15)
with lock:
    fm.diag("publications: %s; pushes into the node: %s" %
            (pub_status, push_status))
    want_pub = set(acked_pub)
    want_push = set(acked_push)
log = node.logtext()
ingests = log.count("peer big: ") + log.count("peer mirror: ")
fm.diag("%d publications and %d pushes acknowledged; %d ingests of "
        "the big feeds logged" % (len(want_pub), len(want_push), ingests))
fm.ok(len(want_pub) >= 2 * KILLS // 5 and len(want_push) >= 2 * KILLS // 5,
      "publications and pushes were acknowledged throughout")
fm.ok("peer big: %d entries" % BIG in log, "the big feed was ingested")
fm.ok(fm.wait_until(lambda: want_pub <= received(), 40 * fm.SLOW, 0.2),
      "the subscriber received every acknowledged publication: queued "
      "distributions resumed after the cuts",
      sorted(want_pub - received())[:10])
fm.is_eq(node.stop(), 0, "the node stops cleanly after the last cut")
integrity, fk, ids, queued = stored_ids()
fm.ok(integrity == ["ok"] and not fk, "integrity_check ok at the end",
      integrity[:5])
fm.ok((want_pub | want_push) <= ids, "every acknowledged entry is stored "
      "at the end", sorted((want_pub | want_push) - ids)[:10])
fm.done()
