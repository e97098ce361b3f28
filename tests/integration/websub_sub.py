# The WebSub subscriber against a standalone hub written from the
# Recommendation: discovery (Link header, document), subscription with a
# fresh callback and secret, verification only of requested
# subscriptions, signed distributions (sha1..sha512) ingested, wrong
# signatures ignored, 410 for unknown callbacks, renewal, resumption
# after a restart, slower pulls while live, the unreliable mark, and
# RFC 5005 backfill of a new peer.
import json
import re
import time
import urllib.parse

import fm
from websub_hub_stub import StubHub, http_request

fm.watchdog(150)
hub = StubHub()
short = StubHub(lease=4)          # renews every ~3 s
srv = fm.PeerServer()


def entry_ids(node):
    return {i["id"] for i in node.items("?limit=500")}


def has(node, eid):
    return eid in entry_ids(node)


# Peer a: the hub in the HTTP Link header (with a relative self link).
a_url = srv.route("/a.atom", body=fm.atom([{"id": "tag:a,2026:1"}], "urn:a"),
                  headers={"Link": '</a.atom>; rel="self", <%s>; '
                           'rel="hub"' % hub.url})
# Peer b: the hub inside the Atom document only.
b_self = srv.url("/b-feed")
b_doc = fm.atom([{"id": "tag:b,2026:1"}], "urn:b").replace(
    "<title>", '<link rel="hub" href="%s"/><link rel="self" href="%s"/>'
    "<title>" % (hub.url, b_self), 1)
b_url = srv.route("/b.atom", body=b_doc)
# Peer j: a JSON Feed with "hubs".
j_url = srv.url("/j.json")
srv.route("/j.json", ctype="application/feed+json", body=json.dumps({
    "version": "https://jsonfeed.org/version/1.1", "title": "J",
    "feed_url": j_url, "hubs": [{"type": "WebSub", "url": hub.url}],
    "items": [{"id": "tag:j,2026:1", "content_text": "j",
               "url": "https://portail.example/j1"}]}))
# Peer r: a hub that grants short leases.
r_url = srv.route("/r.atom", body=fm.atom([{"id": "tag:r,2026:1"}], "urn:r"),
                  headers={"Link": '<%s>; rel="hub"' % short.url})
# Peer n: a hub, but push not asked for.
n_url = srv.route("/n.atom", body=fm.atom([{"id": "tag:n,2026:1"}], "urn:n"),
                  headers={"Link": '<%s>; rel="hub"' % hub.url})
# Peer f: its "hub" refuses subscriptions (the PeerServer answers POST
# with 501).
f_url = srv.route("/f.atom", body=fm.atom([{"id": "tag:f,2026:1"}], "urn:f"),
                  headers={"Link": '<%s>; rel="hub"' % srv.url("/nohub")})
# Peer paged: three RFC 5005 pages.
for i in (1, 2, 3):
    doc = fm.atom([{"id": "tag:paged,2026:%d%d" % (i, k)} for k in (1, 2)],
                  "urn:paged")
    if i < 3:
        doc = doc.replace("<title>", '<link rel="next" href="%s"/><title>'
                          % srv.url("/paged%d.atom" % (i + 1)), 1)
    srv.route("/paged%d.atom" % i if i > 1 else "/paged.atom", body=doc)

node = fm.Node("loire", peers={
    "a": {"url": a_url, "push": "websub"},
    "b": {"url": b_url, "push": "websub"},
    "j": {"url": j_url, "push": "websub"},
    "r": {"url": r_url, "push": "websub"},
    "n": {"url": n_url},
    "f": {"url": f_url, "push": "websub"},
    "paged": {"url": srv.url("/paged.atom")},
}, extra={"push_poll_interval": "30", "websub_lease": "1d"}).start()

# Discovery and subscription.
fm.ok(fm.wait_until(lambda: hub.active(a_url), 15),
      "hub from the Link header: subscribed and verified", node.logtext())
fm.ok(fm.wait_until(lambda: hub.active(b_self), 15),
      "hub from the Atom document: subscribed to its self URL")
fm.ok(fm.wait_until(lambda: hub.active(j_url), 15),
      "hub from the JSON Feed hubs: subscribed")
fm.is_eq(hub.subscribes(n_url), [], "no subscription without push = websub")
sa = hub.active(a_url)[0]
form = sa["form"]
m = re.match(r"^%s/websub/([0-9a-f]{32})$" % re.escape(node.url),
             sa["callback"])
fm.ok(m is not None, "callback is public_url/websub/ and 128 random bits",
      sa["callback"])
fm.ok(len(form.get("hub.secret", "")) >= 32 and
      form["hub.secret"] != hub.active(b_self)[0]["secret"],
      "a secret of 32+ characters, one per subscription")
fm.is_eq(form.get("hub.lease_seconds"), "86400", "websub_lease is asked for")
fm.is_eq(form.get("feedmesh.node"), "loire", "feedmesh.node is sent")
fm.ok(sa["callback"] != hub.active(b_self)[0]["callback"],
      "each subscription has its own callback")

# Verification only for requested subscriptions.
cb = sa["callback"]
st, _ = http_request(cb + "?hub.mode=subscribe&hub.topic=" +
                     "http%3A%2F%2Fevil.example%2F&hub.challenge=x"
                     "&hub.lease_seconds=60")
fm.is_eq(st, 404, "verification for another topic: 404")
st, _ = http_request(node.url + "/websub/" + "0" * 32 +
                     "?hub.mode=subscribe&hub.topic=x&hub.challenge=x")
fm.is_eq(st, 404, "verification for an unknown token: 404")
st, _ = http_request(cb + "?hub.mode=unsubscribe&hub.topic=" +
                     urllib.parse.quote(a_url, safe="") +
                     "&hub.challenge=x")
fm.is_eq(st, 404, "unsubscribe that this node did not ask for: 404")

# Content distribution.
fm.ok(fm.wait_until(lambda: node.peers().get("a", {}).get("push", {})
                    .get("live"), 5), "feedmeshctl peers: push live")
p = node.peers()["a"]["push"]
fm.ok(p["state"] == "active" and p["hub"] == hub.url and p["lease_end"],
      "feedmeshctl peers shows hub, state, lease end", p)
out = node.ctl("peers").stdout
fm.ok(re.search(r"push active, lease ends in 2[34]h, last push -, hub "
                + re.escape(hub.url), out) is not None,
      "feedmeshctl peers prints the push state", out)
t0 = time.monotonic()
st = hub.publish(a_url, fm.atom([{"id": "tag:a,2026:push1"}], "urn:a"))
fm.is_eq(st, [200], "signed distribution acknowledged with 2xx")
fm.ok(fm.wait_until(lambda: has(node, "tag:a,2026:push1"), 1.0),
      "pushed entry listed within a second")
fm.diag("push to listing: %.3f s" % (time.monotonic() - t0))
fm.ok(node.peers()["a"]["push"]["last_push"] is not None,
      "last push recorded")

st = hub.publish(a_url, fm.atom([{"id": "tag:a,2026:forged"}], "urn:a"),
                 secret="not-the-secret")
fm.ok(len(st) == 1 and 200 <= st[0] < 300,
      "wrong signature still gets a 2xx", st)
st = hub.publish(a_url, fm.atom([{"id": "tag:a,2026:unsigned"}], "urn:a"),
                 sign=False)
fm.ok(len(st) == 1 and 200 <= st[0] < 300, "no signature gets a 2xx", st)
for alg in ("sha1", "sha384", "sha512"):
    hub.publish(a_url, fm.atom([{"id": "tag:a,2026:" + alg}], "urn:a"),
                alg=alg)
ids = entry_ids(node)
fm.ok("tag:a,2026:forged" not in ids and "tag:a,2026:unsigned" not in ids,
      "distributions with a wrong or no signature are ignored")
fm.ok(node.wait_log("signature ignored", 2), "and logged")
fm.ok(all("tag:a,2026:" + a in ids for a in ("sha1", "sha384", "sha512")),
      "sha1, sha384 and sha512 signatures accepted")
fm.ok("tag:a,2026:1" in ids and "tag:a,2026:push1" in ids,
      "a partial distribution deletes nothing")
st, _ = http_request(node.url + "/websub/" + "f" * 32, "POST", b"<feed/>",
                     {"Content-Type": "application/atom+xml"})
fm.is_eq(st, 410, "distribution to an unknown callback: 410")

# Slower pulls while live: interval 1 s, push_poll_interval 30 s.
n0 = len(srv.hits("/a.atom"))
time.sleep(3)  # a window of time to count pulls in, not a readiness wait
fm.ok(len(srv.hits("/a.atom")) - n0 <= 1,
      "a live peer is pulled at push_poll_interval",
      len(srv.hits("/a.atom")) - n0)
fm.ok(len([h for h in srv.hits("/n.atom") if h[0] > time.monotonic() - 3])
      >= 2, "a peer without push keeps its interval")
fp = node.peers().get("f", {}).get("push", {})
fm.ok(fp.get("state") == "failed" and not fp.get("live") and
      fp.get("failures", 0) >= 1, "a refused subscription is failed", fp)
fm.ok(len([h for h in srv.hits("/f.atom") if h[0] > time.monotonic() - 3])
      >= 2, "a peer whose subscription failed keeps its interval")
fm.ok(node.wait_log("subscription to %s failed: HTTP status 501" %
                    srv.url("/nohub"), 2), "the failure is logged")

# Renewal: a new callback and secret before the lease ends.
fm.ok(fm.wait_until(lambda: len(short.subscribes(r_url)) >= 2, 10),
      "a subscription is renewed before its lease ends")
subs = short.subscribes(r_url)
fm.ok(subs[0]["hub.callback"] != subs[1]["hub.callback"] and
      subs[0]["hub.secret"] != subs[1]["hub.secret"],
      "the renewal has a new callback and a new secret")
fm.ok(fm.wait_until(lambda: short.unsubscribes(r_url), 10),
      "the old callback is unsubscribed once the new one is verified")
fm.ok(fm.wait_until(lambda: len(short.active(r_url)) == 1, 5),
      "one subscription left at the hub", short.active(r_url))
# The lease is short: a further renewal may retire the callback the hub
# stub still lists between the check above and the publication. A 410 is
# then the right answer; publish again to the current one (bounded).
for _ in range(5):
    fm.wait_until(lambda: len(short.active(r_url)) == 1, 5)
    st = short.publish(r_url, fm.atom([{"id": "tag:r,2026:renewed"}],
                                      "urn:r"))
    if st != [410]:
        break
    time.sleep(0.5)
fm.ok(st == [200] and fm.wait_until(lambda: has(node, "tag:r,2026:renewed"),
                                    2), "the renewed subscription works", st)

# Backfill of a new peer: every page followed.
fm.ok(fm.wait_until(lambda: {"tag:paged,2026:%d%d" % (i, k) for i in (1, 2, 3)
                             for k in (1, 2)} <= entry_ids(node), 10),
      "a new peer's next pages are backfilled")
fm.is_eq(len(srv.hits("/paged3.atom")), 1, "each page fetched once")

# A restart resumes the subscription: no new request, the callback works.
before = len(hub.subscribes(a_url))
fm.is_eq(node.stop(), 0, "node stops")
node.start()
fm.ok(node.wait_log("subscription to %s resumed" % hub.url, 5),
      "the subscription is resumed after a restart")
st = hub.publish(a_url, fm.atom([{"id": "tag:a,2026:after"}], "urn:a"))
fm.ok(st == [200] and fm.wait_until(lambda: has(node, "tag:a,2026:after"),
                                    2), "the old callback works after the "
      "restart", st)
fm.is_eq(len(hub.subscribes(a_url)), before,
         "no new subscription request for a live lease")
fm.ok(fm.wait_until(lambda: node.peers().get("a", {}).get("push", {})
                    .get("live"), 5), "still live after the restart")
s, _, body = fm.http_get(node.url + "/metrics")
fm.ok(s == 200 and re.search(rb'^feedmesh_pushes_received_total'
                             rb'\{outcome="ingested"\} [1-9]', body, re.M)
      and re.search(rb'^feedmesh_websub_subscriptions [1-9]', body, re.M),
      "/metrics: pushes received, live subscriptions",
      [x for x in body.decode().splitlines() if "push" in x or "websub" in x])

# Missed push: a pull finds an entry no push brought.
srv.route("/a.atom", body=fm.atom([{"id": "tag:a,2026:1"},
                                   {"id": "tag:a,2026:missed"}], "urn:a"),
          headers={"Link": '<%s>; rel="hub"' % hub.url})
# A fetch may be running already: asked again until one is queued.
r = fm.wait_until(lambda: (lambda c: c if c.returncode == 0 else None)(
    node.ctl("fetch", "a")), 10, 0.2)
fm.ok(fm.wait_until(lambda: node.peers().get("a", {}).get("push", {})
                    .get("unreliable"), 15),
      "a pull that finds what pushes missed marks the peer unreliable",
      "%r\n%s" % (r, node.logtext()))
fm.ok(node.wait_log("push marked unreliable", 2), "and logs it")
n0 = len(srv.hits("/a.atom"))
fm.ok(fm.wait_until(lambda: len(srv.hits("/a.atom")) - n0 >= 2, 15),
      "an unreliable peer is pulled at its interval again")

# Push turned off: the node unsubscribes.
node.set_peer("b", url=b_url)
node.ctl("reload")
fm.ok(fm.wait_until(lambda: not hub.active(b_self), 10),
      "push = none after a reload unsubscribes")

fm.is_eq(node.stop(), 0, "node stops cleanly")
fm.done()
