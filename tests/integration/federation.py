# Federation by WebSub between real nodes: a chain carries a publication
# end to end by push (the time it takes is reported), a diamond stores one
# entry once with both paths, a cycle settles, a node killed during pushes
# converges with the others (equal digests, nothing acknowledged lost), and
# a retraction reaches every node and is not undone by a stale peer.
import json
import os
import signal
import statistics
import time
import urllib.error
import urllib.request

import fm

fm.watchdog(240)
TOKEN = "cms-token-0123456789abcdef"
POLL = 300      # pulls are the safety net: slow, so that pushes show


def make_node(name, follows=()):
    d = fm.tmpdir()
    with open(os.path.join(d, "publishers"), "w") as f:
        f.write("cms %s\n" % TOKEN)
    os.chmod(os.path.join(d, "publishers"), 0o600)
    n = fm.Node(name, directory=d, extra={"publishers": "publishers",
                                          "poll_interval": POLL,
                                          "push_poll_interval": POLL})
    for other in follows:
        n.set_peer(other.name, url=other.url + "/feeds/all.atom",
                   push="websub", interval=POLL)
    return n


def follow(node, other):
    node.set_peer(other.name, url=other.url + "/feeds/all.atom",
                  push="websub", interval=POLL)


def request(method, url, body=None, ctype="application/json"):
    data = json.dumps(body).encode() if isinstance(body, dict) else body
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": "Bearer " + TOKEN, "Content-Type": ctype})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def publish(node, ident, title, **fmext):
    item = {"id": ident, "title": title,
            "url": "https://portail.example/" + ident.split(":")[-1],
            "content_text": "Publié sur %s" % node.name,
            "_feedmesh": dict({"kind": "news"}, **fmext)}
    s, h, _ = request("POST", node.url + "/entries", item)
    return s, h.get("Location")


def ids(node, deleted=False):
    return {i["id"] for i in node.items("?limit=200")
            if bool(i.get("_feedmesh", {}).get("deleted")) == deleted}


def live(node, peer):
    """The node's subscription to peer is verified by the peer's hub."""
    p = node.peers().get(peer, {})
    push = p.get("push") or {}
    return isinstance(push, dict) and push.get("state") == "active"


def digest(node):
    r = node.ctl("-j", "digest")
    if r.returncode != 0:
        return None
    return json.loads(r.stdout).get("digest")


def pushes_sent(node):
    r = node.ctl("-j", "status")
    if r.returncode != 0:
        return -1
    st = json.loads(r.stdout)
    hub = st.get("hub") or {}
    return hub.get("pushes_sent", hub.get("sent", -1))


def wait_live(pairs, timeout=30):
    return fm.wait_until(lambda: all(live(n, p.name) for n, p in pairs),
                         timeout)


# Chain: region <- loire <- emploi.
region = make_node("region").start()
loire = make_node("loire", [region]).start()
emploi = make_node("emploi", [loire]).start()
fm.ok(wait_live([(loire, region), (emploi, loire)]),
      "chain: both subscriptions verified",
      json.dumps([loire.peers(), emploi.peers()], indent=1))

times = []
for i in range(5):
    ident = "tag:region.example,2026:chain-%d" % i
    t0 = time.monotonic()
    s, loc = publish(region, ident, "Offre %d" % i, kind="job")
    if s != 201:
        fm.ok(False, "chain: publication %d accepted (got %s)" % (i, s))
        break
    if fm.wait_until(lambda: ident in ids(emploi), 10, step=0.005):
        times.append(time.monotonic() - t0)
fm.is_eq(len(times), 5, "chain: every publication reached the third node")
if times:
    fm.diag("push propagation over two hops: median %.1f ms, max %.1f ms"
            % (statistics.median(times) * 1000, max(times) * 1000))
    fm.ok(statistics.median(times) < 1.0,
          "chain: within a second (median %.3f s)" % statistics.median(times))

# Retraction: a tombstone travels the chain.
ident = "tag:region.example,2026:chain-0"
loc = region.url + "/entries/" + urllib.request.quote(ident, safe="")
s, _, _ = request("DELETE", loc)
fm.is_eq(s, 204, "retraction accepted")
fm.ok(fm.wait_until(lambda: ident in ids(emploi, deleted=True), 10),
      "the tombstone reached the third node")
fm.ok(ident not in ids(emploi), "the entry is no longer listed as live")

# A stale peer re-serving the old version does not bring it back.
stale = fm.PeerServer()
stale.route("/old.atom", body=fm.atom([{
    "id": ident, "title": "Offre 0",
    "link": "https://portail.example/chain-0",
    "updated": "2026-01-01T00:00:00Z"}], "urn:feed:stale"))
emploi.set_peer("stale", url=stale.url("/old.atom"), interval=1)
emploi.signal(signal.SIGHUP)
fm.wait_until(lambda: len(stale.hits("/old.atom")) >= 2, 10)
fm.ok(ident in ids(emploi, deleted=True) and ident not in ids(emploi),
      "a stale peer does not resurrect a retracted entry")

# Every node holds the same entries and tombstones.
fm.ok(fm.wait_until(lambda: digest(region) is not None and
                    digest(region) == digest(loire), 10),
      "region and loire: equal digests")
emploi.remove_peer("stale")
emploi.signal(signal.SIGHUP)

# Diamond: a <- b, a <- c, b <- d, c <- d.
a = make_node("a").start()
b = make_node("b", [a]).start()
c = make_node("c", [a]).start()
d = make_node("d", [b, c]).start()
fm.ok(wait_live([(b, a), (c, a), (d, b), (d, c)]),
      "diamond: four subscriptions verified")
ident = "tag:a.example,2026:diamond"
publish(a, ident, "Par deux chemins")
fm.ok(fm.wait_until(lambda: any(
    i["id"] == ident and len(i["_feedmesh"].get("peers", [])) == 2
    for i in d.items()), 10), "diamond: the entry came by both paths")
got = [i for i in d.items() if i["id"] == ident]
fm.is_eq(len(got), 1, "diamond: stored once at the far node")
if got:
    fm.is_eq(sorted(got[0]["_feedmesh"]["peers"]), ["b", "c"],
             "diamond: both paths recorded")

# Cycle: x <- z, y <- x, z <- y.
# Each must be up before the others follow it (a first pull that fails
# backs off): start the three, then close the cycle with a reload.
x = make_node("x").start()
y = make_node("y").start()
z = make_node("z").start()
follow(x, z)
follow(y, x)
follow(z, y)
for n in (x, y, z):
    n.signal(signal.SIGHUP)
fm.ok(wait_live([(x, z), (y, x), (z, y)]), "cycle: subscriptions verified")
ident = "tag:x.example,2026:cycle"
publish(x, ident, "Tour de manège")
fm.ok(fm.wait_until(lambda: all(ident in ids(n) for n in (x, y, z)), 10),
      "cycle: every node has the entry")
time.sleep(1.5)
before = [pushes_sent(n) for n in (x, y, z)]
time.sleep(3)
after = [pushes_sent(n) for n in (x, y, z)]
fm.ok(before == after and all(v >= 0 for v in after),
      "cycle: deliveries stop growing (%s then %s)" % (before, after))
fm.ok(sum(after) <= 3, "cycle: at most one delivery per hop (%d)" % sum(after))

# A node killed during pushes converges and loses nothing acknowledged.
acked = []
for i in range(30):
    ident = "tag:region.example,2026:burst-%d" % i
    s, _ = publish(region, ident, "Rafale %d" % i)
    if s == 201:
        acked.append(ident)
    if i == 10:
        loire.kill()
    if i == 20:
        loire.start()
fm.is_eq(len(acked), 30, "every publication at the head was acknowledged")
fm.ok(fm.wait_until(lambda: set(acked) <= ids(emploi), 60),
      "after the restart every acknowledged entry reached the end",
      sorted(set(acked) - ids(emploi)))
fm.ok(fm.wait_until(lambda: len({digest(n) for n in
                                 (region, loire, emploi)}) == 1, 30),
      "the three nodes converge: equal digests",
      [digest(n) for n in (region, loire, emploi)])

for n in (region, loire, emploi, a, b, c, d, x, y, z):
    n.stop()
stale.stop()
fm.done()
