# The node as a WebSub hub, driven by a subscriber that is not feedmesh
# (websub_subscriber.py, written from the Recommendation): verification
# of intent, filtered topics, signed distributions of just the changed
# entries, retries, 410, the loop rule, a restart with a queue, bad
# requests, and publishers' pings.
import json
import re
import signal
import statistics
import time
import xml.etree.ElementTree as ET

import fm
import websub_subscriber

ATOM = "{http://www.w3.org/2005/Atom}"
LOIRE = "auvergne-rhone-alpes/loire"

fm.watchdog(170)
srv = fm.PeerServer()
entries = [{"id": "tag:src,2026:1", "kind": "job", "territory": LOIRE}]


def publish(e):
    """The peer's feed gains an entry; the node is told to fetch it."""
    entries.append(e)
    srv.route("/src.atom", body=fm.atom(entries, "urn:src"))
    r = node.ctl("fetch", "src")
    return r.returncode == 0


srv.route("/src.atom", body=fm.atom(entries, "urn:src"))
sub = websub_subscriber.Subscriber()
fm._cleanups.append(sub.stop)
# The subscriber is also a peer of the node: what it carries is never
# sent back to its own callbacks (the loop rule).
sub.routes["/own.atom"] = ("application/atom+xml", fm.atom(
    [{"id": "tag:sub,2026:1", "kind": "job", "territory": LOIRE}],
    "urn:sub").encode())

node = fm.Node("hubnode", peers={
    "src": {"url": srv.url("/src.atom"), "interval": 3600},
    "own": {"url": sub.url("/own.atom"), "interval": 3600}},
    extra={"push_timeout": "2"})
node.start()
HUB = node.url + "/hub"
TOPIC = node.url + "/feeds/all.atom?territory=auvergne-rhone-alpes&kind=job"
TOPIC_CANON = node.url + \
    "/feeds/all.atom?kind=job&territory=auvergne-rhone-alpes"
fm.ok(fm.wait_until(lambda: len(node.items()) == 2, 10),
      "the node holds its peers' entries")

# Listings advertise the hub and themselves.
s, h, _ = fm.http_get(TOPIC)
links = h.get_all("Link") or []
fm.ok(s == 200 and ('<%s>; rel="hub"' % HUB) in links and
      ('<%s>; rel="self"' % TOPIC_CANON) in links,
      "a listing advertises the hub and its canonical self", links)


def subscriptions():
    r = node.ctl("-j", "subscriptions")
    if r.returncode != 0:
        return []
    return json.loads(r.stdout)


def status():
    r = node.ctl("-j", "status")
    return json.loads(r.stdout)["hub"] if r.returncode == 0 else {}


# Subscriptions (5.1) and verification of intent (5.3).
good = sub.callback("good", secret="s3cret-value")
s, _ = sub.subscribe(HUB, TOPIC, "good", secret="s3cret-value", lease=60)
fm.is_eq(s, 202, "subscribe: 202 Accepted")
fm.ok(fm.wait_until(lambda: sub.verified("good"), 5),
      "the hub verifies the intent with a GET")
v = sub.verified("good")[0]
fm.ok(v.get("hub.mode") == "subscribe" and v.get("hub.topic") == TOPIC and
      len(v.get("hub.challenge", "")) >= 32,
      "verification: mode, topic as given, an unguessable challenge", v)
fm.is_eq(v.get("hub.lease_seconds"), "3600",
         "a lease shorter than hub_lease_min is raised to it")
fm.ok(fm.wait_until(lambda: any(x["topic"] == TOPIC_CANON and
                                x["state"] == "active"
                                for x in subscriptions()), 5),
      "the verified subscription counts (canonical topic)",
      subscriptions())

sub.callback("jsonjob", secret="other")
sub.subscribe(HUB, node.url + "/feeds/all.json?kind=job", "jsonjob",
              secret="other")
sub.callback("events")
sub.subscribe(HUB, node.url + "/feeds/all.atom?kind=event", "events")
sub.callback("loop")
sub.subscribe(HUB, node.url + "/feeds/all.atom", "loop")
# A full-text topic: only the entry whose title has the word, accents aside.
sub.callback("text")
sub.subscribe(HUB, node.url + "/feeds/all.atom?q=economie", "text")
# A subscriber slower than push_timeout must not delay the others.
sub.callback("slow", delay=4)
sub.subscribe(HUB, node.url + "/feeds/all.atom", "slow")
sub.callback("liar", verify="wrong")
s, _ = sub.subscribe(HUB, TOPIC, "liar")
fm.is_eq(s, 202, "the liar's request is accepted too")
fm.ok(fm.wait_until(lambda: len(subscriptions()) == 6 and
                    sub.verified("liar"), 5) and
      node.wait_log("not the challenge", 5),
      "a callback that does not echo the challenge does not count",
      subscriptions())
subs = subscriptions()
fm.ok(len(subs) == 6 and all(x["callback_host"] == "127.0.0.1" and
                             x["pending"] == 0 and x["failures"] == 0 and
                             x["expires"] > time.time() for x in subs),
      "feedmeshctl subscriptions: host, queue, failures, expiry", subs)
r = node.ctl("subscriptions")
fm.ok(r.returncode == 0 and "CALLBACK-HOST" in r.stdout and
      TOPIC_CANON in r.stdout, "feedmeshctl subscriptions prints a table",
      r.stdout + r.stderr)

# Content distribution (7, 8): just the new entry, signed, fast.
lat = []
for i in range(2, 5):
    n = len(sub.delivered("good"))
    t0 = time.monotonic()
    publish({"id": "tag:src,2026:%d" % i, "kind": "job",
             "territory": LOIRE + "/saint-etienne",
             "title": "Offre %d" % i if i != 3 else "Économie sociale"})
    fm.wait_until(lambda: len(sub.delivered("good")) > n, 5, 0.005)
    d = sub.delivered("good")
    if len(d) > n:
        lat.append(d[n]["time"] - t0)
fm.ok(len(lat) == 3, "each publication brings a distribution", lat)
if lat:
    fm.diag("distribution latency (fetch + ingest + push), median of %d:"
            " %.3f s; all: %s" % (len(lat), statistics.median(lat),
                                  ", ".join("%.3f" % x for x in lat)))
fm.ok(lat and max(lat) < 1.0, "distributions arrive within a second, "
      "while a slow subscriber times out", lat)
fm.ok(len(sub.delivered("slow")) >= 1, "the slow subscriber was tried")
d = sub.delivered("good")[0]
fm.ok(d["sig_ok"] is True and d["sig"].startswith("sha256="),
      "the distribution is signed with X-Hub-Signature sha256", d["sig"])
fm.ok(d["headers"].get("Content-Type", "").startswith(
    "application/atom+xml"), "Content-Type of the topic's format")
fm.ok(('<%s>; rel="hub"' % HUB) in d["links"] and
      ('<%s>; rel="self"' % TOPIC_CANON) in d["links"],
      "Link headers: hub and self", d["links"])
doc = ET.fromstring(d["body"])
ids = [e.findtext(ATOM + "id") for e in doc.findall(ATOM + "entry")]
fm.is_eq(ids, ["tag:src,2026:2"], "the document holds just that entry")
fm.ok(doc.find(ATOM + "link[@rel='self']") is not None and
      doc.find(ATOM + "link[@rel='self']").get("href") == TOPIC_CANON,
      "the document's self link is the topic")
fm.ok(fm.wait_until(lambda: len(sub.delivered("jsonjob")) == 3, 5),
      "the JSON Feed topic gets its distributions too")
jd = sub.delivered("jsonjob")[0]
fm.ok(jd["sig_ok"] is True and [it["id"] for it in json.loads(
    jd["body"])["items"]] == ["tag:src,2026:2"],
    "a JSON Feed distribution holds just the entry, signed")
time.sleep(0.3)  # a negative: give a wrong distribution time to show up
fm.is_eq(len(sub.delivered("events")), 0,
         "a non-matching topic gets nothing")
fm.is_eq(len(sub.delivered("liar")), 0, "an unverified callback gets nothing")
td = sub.delivered("text")
fm.ok(len(td) == 1 and [e.findtext(ATOM + "id") for e in ET.fromstring(
    td[0]["body"]).findall(ATOM + "entry")] == ["tag:src,2026:3"],
    "a full-text topic gets just the entry its words find", len(td))
fm.ok(len(sub.delivered("loop")) == 3,
      "the unfiltered topic gets every new entry", len(sub.delivered("loop")))

# The loop rule: what the subscriber's own feed carried is not sent back.
sub.routes["/own.atom"] = ("application/atom+xml", fm.atom(
    [{"id": "tag:sub,2026:1", "kind": "job", "territory": LOIRE},
     {"id": "tag:sub,2026:2", "kind": "job", "territory": LOIRE}],
    "urn:sub").encode())
n = len(sub.delivered("good"))
node.ctl("fetch", "own")
fm.ok(fm.wait_until(lambda: any(i["id"] == "tag:sub,2026:2"
                                for i in node.items()), 5),
      "the node ingests the subscriber's own entry")
time.sleep(0.3)
fm.is_eq(len(sub.delivered("good")), n,
         "an entry is not pushed back to the origin that carried it")

# 500, then the retry succeeds (after about 5 s).
sub.get("good").statuses = [500]
n = len(sub.delivered("good"))
publish({"id": "tag:src,2026:5", "kind": "job", "territory": LOIRE})
fm.ok(fm.wait_until(lambda: len(sub.delivered("good")) >= n + 2, 12),
      "a 500 is retried", len(sub.delivered("good")))
d = sub.delivered("good")
if len(d) >= n + 2:
    gap = d[n + 1]["time"] - d[n]["time"]
    fm.ok(d[n]["status"] == 500 and d[n + 1]["status"] == 200 and
          d[n]["body"] == d[n + 1]["body"] and 4 <= gap <= 8,
          "the same distribution is retried after about 5 s", gap)
fm.ok(fm.wait_until(lambda: status().get("pushes_failed", 0) >= 1, 3),
      "the failure is counted in /status", status())

# 410 Gone unsubscribes.
sub.get("jsonjob").statuses = [410]
publish({"id": "tag:src,2026:6", "kind": "job", "territory": LOIRE})
fm.ok(node.wait_log("410 Gone", 5) and fm.wait_until(
    lambda: not any(x["topic"].endswith("all.json?kind=job")
                    for x in subscriptions()), 5),
    "a subscriber answering 410 is unsubscribed", subscriptions())

# A restart with pending deliveries resumes them.
sub.get("good").statuses = [503] * 50
publish({"id": "tag:src,2026:7", "kind": "job", "territory": LOIRE})
fm.ok(fm.wait_until(lambda: status().get("pushes_pending", 0) >= 1 and
                    sub.delivered("good")[-1]["status"] == 503, 5),
      "a failing distribution stays queued", status())
fm.is_eq(node.stop(), 0, "the node stops cleanly with a queue")
sub.get("good").statuses = []
n = len(sub.delivered("good"))
node.start()
fm.ok(fm.wait_until(lambda: len(sub.delivered("good")) > n and
                    sub.delivered("good")[-1]["status"] == 200, 12),
      "after a restart the queued distribution is delivered")
d = sub.delivered("good")[-1]
fm.ok(b"tag:src,2026:7" in d["body"] and d["sig_ok"] is True,
      "it is the queued entry, signed")
fm.ok(fm.wait_until(lambda: [x["pending"] for x in subscriptions()
                             if x["topic"] == TOPIC_CANON] == [0], 5),
      "nothing left pending for it", subscriptions())

# Unsubscription is verified too.
s, _ = sub.subscribe(HUB, node.url + "/feeds/all.atom?kind=event", "events",
                     mode="unsubscribe")
fm.is_eq(s, 202, "unsubscribe: 202 Accepted")
fm.ok(fm.wait_until(lambda: not any(x["topic"].endswith("kind=event")
                                    for x in subscriptions()), 5) and
      sub.verified("events")[-1].get("hub.mode") == "unsubscribe",
      "a verified unsubscription removes the subscription")

# Bad requests.
for params, name in (
        ({"hub.topic": TOPIC, "hub.callback": good}, "missing hub.mode"),
        ({"hub.mode": "subscribe", "hub.callback": good},
         "missing hub.topic"),
        ({"hub.mode": "subscribe", "hub.topic":
          "http://elsewhere.example/feeds/all.atom", "hub.callback": good},
         "a foreign topic"),
        ({"hub.mode": "subscribe", "hub.topic": node.url + "/feeds/all.rss",
          "hub.callback": good}, "a path that is not a listing"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC + "&kind=nope",
          "hub.callback": good}, "a query the listing refuses"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC,
          "hub.callback": "ftp://127.0.0.1/x"}, "a non-http callback"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC,
          "hub.callback": "/relative"}, "a relative callback"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": good,
          "hub.secret": "x" * 200}, "a secret of 200 bytes"),
        ({"hub.mode": "subscribe", "hub.topic": TOPIC, "hub.callback": good,
          "hub.lease_seconds": "ten"}, "a lease that is not a number"),
        ({"hub.mode": "dance", "hub.topic": TOPIC, "hub.callback": good},
         "an unknown mode"),
        ({"hub.mode": "publish", "hub.url": "http://elsewhere.example/f"},
         "a ping for a feed that is not a peer's")):
    s, text = sub.request(HUB, params)
    fm.ok(s == 400 and text.strip(), "400 for %s" % name, (s, text))
s, _, _ = fm.http_get(HUB)
fm.is_eq(s, 405, "GET /hub: 405")

# A publisher's ping for a peer's feed triggers a fetch, rate-limited.
hits = len(srv.hits("/src.atom"))
s, _ = sub.request(HUB, {"hub.mode": "publish",
                         "hub.url": srv.url("/src.atom")})
fm.is_eq(s, 204, "publish ping for a peer's feed: 204")
fm.ok(fm.wait_until(lambda: len(srv.hits("/src.atom")) > hits, 5),
      "the ping makes the node fetch the feed")
hits = len(srv.hits("/src.atom"))
s, _ = sub.request(HUB, {"hub.mode": "publish",
                         "hub.topic": srv.url("/src.atom")})
time.sleep(0.3)
fm.ok(s == 204 and len(srv.hits("/src.atom")) == hits,
      "a second ping within 10 s fetches nothing more")

# Retries end after push_retry_for: the subscription is deactivated.
node.write_conf({"push_timeout": "2", "push_retry_for": "3"})
node.signal(signal.SIGHUP)
fm.ok(node.wait_log("configuration reloaded", 5), "reload", node.logtext())
sub.callback("dead")
sub.get("dead").statuses = [500] * 50
sub.subscribe(HUB, node.url + "/feeds/all.atom", "dead")
fm.ok(fm.wait_until(lambda: any(x["state"] == "active" and
                                x["topic"].endswith("/feeds/all.atom")
                                for x in subscriptions()), 5),
      "a subscriber that will fail")
publish({"id": "tag:src,2026:8", "kind": "event", "territory": LOIRE})
fm.ok(node.wait_log("subscription deactivated", 10),
      "failing for push_retry_for deactivates the subscription")
fm.ok(len(sub.delivered("dead")) >= 2, "after at least one retry",
      len(sub.delivered("dead")))
fm.ok(fm.wait_until(lambda: [x["state"] for x in subscriptions()
                             if x["pending"] > 0 and
                             x["state"] == "inactive"] == [], 3) and
      "inactive" in [x["state"] for x in subscriptions()],
      "feedmeshctl shows it inactive, its queue dropped", subscriptions())

s, _, body = fm.http_get(node.url + "/metrics")
m = body.decode() if isinstance(body, bytes) else body
fm.ok(s == 200 and re.search(r'^feedmesh_pushes_sent_total\{outcome="ok"\} '
                             r'[1-9]', m, re.M) and
      re.search(r'^feedmesh_pushes_sent_total\{outcome="failed"\} [1-9]', m,
                re.M) and re.search(r'^feedmesh_hub_subscriptions [0-9]', m,
                                    re.M) and
      "feedmesh_hub_pushes_pending" in m,
      "/metrics: distributions by outcome, subscriptions, queue",
      [x for x in m.splitlines() if "push" in x or "hub_" in x])
fm.ok("Sanitizer" not in node.logtext(), "no sanitizer report")
node.stop()

# hub = no: nothing advertised, nothing answered.
quiet = fm.Node("quiet", extra={"hub": "no"}).start()
s, h, _ = fm.http_get(quiet.url + "/feeds/all.atom")
fm.ok(s == 200 and not any('rel="hub"' in x for x in h.get_all("Link")),
      "hub = no: listings do not advertise a hub", h.get_all("Link"))
s, _ = sub.subscribe(quiet.url + "/hub", quiet.url + "/feeds/all.atom",
                     "good")
fm.is_eq(s, 404, "hub = no: POST /hub is 404")
quiet.stop()

# allow_private = no: the hub cannot be made to probe the node's own
# network; a callback on a loopback or private address is never called.
guarded = fm.Node("guarded", extra={"allow_private": "no"}).start()
sub.callback("inside")
s, _ = sub.subscribe(guarded.url + "/hub", guarded.url + "/feeds/all.atom",
                     "inside")
fm.ok(s in (202, 400, 403), "a loopback callback is taken or refused at "
      "once (%s)" % s)
fm.ok(guarded.wait_log("is private", 5),
      "the verification is refused before connecting, and logged")
time.sleep(0.5)
fm.is_eq(sub.verified("inside"), [], "the callback never received a request")
r = guarded.ctl("-j", "subscriptions")
fm.ok(r.returncode == 0 and json.loads(r.stdout) == [],
      "no subscription counts", r.stdout)
guarded.stop()
fm.done()
