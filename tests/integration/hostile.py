# Hostile peers and clients against the real daemon: entity expansion,
# external entities, oversized, compressed, slow, silent and redirecting
# peers, malformed documents; oversized, idle and malicious requests. For
# each, a healthy peer keeps being ingested, /health and the listings
# answer, memory stays bounded, and a log line names the peer.
# (Empty 200s, HTML instead of a feed, 410 and 5xx are in documents.py
# and polite.py.)
import gzip
import json
import os
import re
import resource
import socket
import threading
import time
import zlib

import fm

fm.watchdog(240)
LIMIT = 32 * 1024 * 1024		# max_document_size below
FETCH_TIMEOUT = 12
RSS_MAX_KB = 400 * 1024			# bound on the daemon's VmRSS


class RawServer:
    """A listener on 127.0.0.1 whose connections a function handles.

    It counts connections and the bytes the handler managed to send; the
    handler gets (socket, server) and must end within its own bounds.
    """

    def __init__(self, handler):
        self.handler = handler
        self.connections = 0
        self.sent = 0
        self.most = 0			# most bytes sent on one connection
        self.closed_at = []
        self.lock = threading.Lock()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.sock.settimeout(0.5)
        self.port = self.sock.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self.loop, daemon=True)
        self.thread.start()
        fm._cleanups.append(self.stop)

    def url(self, path="/"):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def loop(self):
        while self.running:
            try:
                c, _ = self.sock.accept()
            except OSError:
                continue
            with self.lock:
                self.connections += 1
            threading.Thread(target=self.serve, args=(c,),
                             daemon=True).start()

    def serve(self, c):
        try:
            self.handler(c, self)
        except OSError:
            pass
        finally:
            with self.lock:
                self.closed_at.append(time.monotonic())
            c.close()

    def count(self, n, total):
        with self.lock:
            self.sent += n
            self.most = max(self.most, total)

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


def read_request(c, limit=65536):
    """Reads a request's head (bounded); returns it as bytes."""
    data = b""
    c.settimeout(10)
    while b"\r\n\r\n" not in data and len(data) < limit:
        chunk = c.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


def endless_handler(c, srv):
    """A 200 whose body never ends: the daemon must hang up at the limit."""
    read_request(c)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n"
              b"Connection: close\r\n\r\n<feed xmlns=\"http://www.w3.org/"
              b"2005/Atom\"><title>")
    chunk = b"x" * 65536
    c.settimeout(10)
    for i in range(4 * LIMIT // len(chunk)):	# bounded: 4x the limit
        c.sendall(chunk)
        srv.count(len(chunk), (i + 1) * len(chunk))


def slow_handler(c, srv):
    """One byte a second, at most 60 of them."""
    read_request(c)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/atom+xml\r\n"
              b"Content-Length: 100000\r\n\r\n")
    for i in range(60):
        c.sendall(b"<")
        srv.count(1, i + 1)
        time.sleep(1)


def silent_handler(c, srv):
    """Reads the request and never answers (until the daemon leaves)."""
    read_request(c)
    c.settimeout(60)
    c.recv(1)


def record_handler(c, srv):
    """A listener nothing may connect to: any connection is a failure."""
    c.settimeout(2)
    c.recv(4096)


def gzip_bomb():
    """A gzip body a few hundred KB long that inflates to 256 MB."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [z.compress(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>')]
    block = b" " * (1024 * 1024)
    for _ in range(256):
        out.append(z.compress(block))
    out.append(z.flush())
    return b"".join(out)


def atom_doc(inner, prolog=""):
    return ('<?xml version="1.0" encoding="utf-8"?>%s\n'
            '<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:h</id>'
            '<title>h</title><updated>2026-11-20T10:00:00Z</updated>%s'
            '</feed>' % (prolog, inner))


def entry(eid, title="t", extra=""):
    return ('<entry><id>%s</id><title>%s</title>'
            '<link href="https://hostile.example/%s"/>'
            '<updated>2026-11-20T10:00:00Z</updated>%s'
            '<summary>s</summary></entry>' %
            (eid, title, re.sub(r"[^a-z0-9]", "-", eid), extra))


work = fm.tmpdir()
secret = "FEEDMESH-SECRET-%d" % os.getpid()
secret_file = os.path.join(work, "secret.txt")
with open(secret_file, "w") as f:
    f.write(secret + "\n")
with open(os.path.join(work, "secret.dtd"), "w") as f:
    f.write('<!ENTITY leak "%s">\n' % secret)

trap = RawServer(record_handler)	# XXE URLs and gopher point here
endless = RawServer(endless_handler)
slow = RawServer(slow_handler)
silent = RawServer(silent_handler)
srv = fm.PeerServer()

laughs = ('<!DOCTYPE feed [<!ENTITY a "lollollollollollollollollollol">' +
          "".join('<!ENTITY %s "%s">' % (chr(ord("b") + i),
                                         ("&%s;" % chr(ord("a") + i)) * 10)
                  for i in range(9)) + "]>")
big = "x" * 50000
quadratic = '<!DOCTYPE feed [<!ENTITY q "%s">]>' % big
xxe_file = ('<!DOCTYPE feed [<!ENTITY xf SYSTEM "file://%s">'
            '<!ENTITY %% pe SYSTEM "file://%s/secret.dtd"> %%pe;]>' %
            (secret_file, work))
xxe_url = ('<!DOCTYPE feed SYSTEM "%s" [<!ENTITY xu SYSTEM "%s">'
           '<!ENTITY %% pu SYSTEM "%s"> %%pu;]>' %
           (trap.url("/dtd"), trap.url("/entity"), trap.url("/param")))
deep_xml = atom_doc(entry("tag:deep,1", extra="<x>" * 100000 +
                          "</x>" * 100000))
deep_json = ('{"version":"https://jsonfeed.org/version/1.1","title":"d",'
             '"items":[{"id":"tag:deepjson,1","content_text":"t","_x":' +
             "[" * 100000 + "]" * 100000 + "}]}")
def json_numbers(values):
    """A JSON Feed whose attachments carry the given sizes and durations."""
    return json.dumps({
        "version": "https://jsonfeed.org/version/1.1", "title": "n",
        "items": [{"id": "tag:numbers,%d" % i,
                   "url": "https://n.example/%d" % i, "content_text": "n",
                   "attachments": [{"url": "https://n.example/a.mp3",
                                    "mime_type": "audio/mpeg",
                                    "size_in_bytes": v,
                                    "duration_in_seconds": v}]}
                  for i, v in enumerate(values)]})


# Numbers JSON can carry: negative, fractional, beyond 2^53 and 2^63,
# and (bignum) beyond what any C type holds.
numbers = json_numbers([-1, -9223372036854775807, 9223372036854775807,
                        1e308, -1e308, 0.5, 2 ** 53 + 1])
bignum = json_numbers([-9223372036854775809, 10 ** 30, 0]).replace(
    '"duration_in_seconds": 0', '"duration_in_seconds": 1e999')

routes = {
    "laughs": dict(body=atom_doc(entry("tag:laughs,1", "&j;"), laughs)),
    "quadratic": dict(body=atom_doc(entry("tag:quad,1", "&q;" * 20000),
                                    quadratic)),
    "xxefile": dict(body=atom_doc(entry("tag:xxefile,1", "&xf;",
                                        "<content>&leak;</content>"),
                                  xxe_file)),
    "xxeurl": dict(body=atom_doc(entry("tag:xxeurl,1", "&xu;"), xxe_url)),
    "gzipbomb": dict(body=gzip_bomb(), headers={"Content-Encoding": "gzip"}),
    "loop": dict(body="", status=302, headers={"Location": "/loop.atom"}),
    "tofile": dict(body="", status=302,
                   headers={"Location": "file://%s" % secret_file}),
    "togopher": dict(body="", status=302,
                     headers={"Location": "gopher://127.0.0.1:%d/1" %
                              trap.port}),
    "ctype": dict(body=atom_doc(entry("tag:ctype,1")), ctype="image/png"),
    "badutf8": dict(body=atom_doc(entry("tag:badutf8,1")).encode()
                    .replace(b"<title>t</title>",
                             b"<title>a\xff\xfe b\xc3 c\xed\xa0\x80 d"
                             b"</title>")
                    .replace(b"<summary>s</summary>",
                             b"<summary>n\x00ul</summary>")),
    "deepxml": dict(body=deep_xml),
    "deepjson": dict(body=deep_json, ctype="application/feed+json"),
    "bigattr": dict(body=atom_doc(entry("tag:bigattr,1", extra='<link rel='
                                        '"related" href="https://b.example/' +
                                        "a" * (10 * 1024 * 1024) + '"/>'))),
    "dupids": dict(body=atom_doc("".join(entry("tag:dup,1", "copie %d" % i)
                                         for i in range(3)))),
    "dates": dict(body=atom_doc(
        entry("tag:dates,0").replace("2026-11-20T10:00:00Z",
                                     "0000-01-01T00:00:00Z") +
        entry("tag:dates,99999").replace("2026-11-20T10:00:00Z",
                                         "99999-12-31T23:59:59Z"))),
    "numbers": dict(body=numbers, ctype="application/feed+json"),
    "bignum": dict(body=bignum, ctype="application/feed+json"),
    "jsonbomb": dict(body='{"version":"https://jsonfeed.org/version/1.1",'
                     '"title":"b","items":[' + ",".join(["{}"] * 5000000) +
                     "]}", ctype="application/feed+json"),
    "million": dict(body="<rss version=\"2.0\"><channel><title>m</title>" +
                    "".join("<item><guid>%x</guid></item>" % i
                            for i in range(1000000)) + "</channel></rss>",
                    ctype="application/rss+xml"),
}
peers = {}
for name, kw in routes.items():
    peers[name] = {"url": srv.route("/%s.atom" % name, **kw)}
peers["endless"] = {"url": endless.url("/feed.atom")}
peers["slow"] = {"url": slow.url("/feed.atom")}
peers["silent"] = {"url": silent.url("/feed.atom")}
good = [{"id": "tag:good,2026:1"}]
peers["good"] = {"url": srv.route("/good.atom",
                                  body=fm.atom(good, "urn:good"))}
# Every hostile peer should fail for its own reason, not another's.
FAIL = ["endless", "gzipbomb", "slow", "silent", "loop", "tofile",
        "togopher"]

node = fm.Node("hostile", peers=peers, extra={
    # fetch_timeout leaves a loaded (or sanitized) machine the time to
    # receive max_document_size from the endless peer before it expires.
    "max_document_size": "32M", "connect_timeout": 2,
    "fetch_timeout": FETCH_TIMEOUT,
    "max_redirects": 3, "max_fetches": 32, "max_connections": 64,
    "max_body_size": "64K", "backoff_max": 2}).start()
pid = node.proc.pid

rss = {"max": 0, "run": True, "health": True}


def sample_rss():
    """Highest VmRSS of the daemon, sampled every 100 ms (bounded)."""
    for _ in range(3000):
        if not rss["run"]:
            return
        try:
            with open("/proc/%d/status" % pid) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        rss["max"] = max(rss["max"], int(line.split()[1]))
        except OSError:
            return
        time.sleep(0.1)


def sample_health():
    """Slowest /health answer while the peers are read (bounded)."""
    for _ in range(600):
        if not rss["health"]:
            return
        t = time.monotonic()
        try:
            fm.http_get(node.url + "/health", timeout=30)
        except OSError:
            pass
        rss["slowest"] = max(rss.get("slowest", 0), time.monotonic() - t)
        time.sleep(0.1)


sampler = threading.Thread(target=sample_rss, daemon=True)
sampler.start()
health = threading.Thread(target=sample_health, daemon=True)
health.start()


def peer(name):
    return node.peers().get(name, {})


def ids():
    return {i["id"] for i in node.items("?peer=good")}


# The healthy peer is ingested, then keeps being ingested while the
# others attack: a second entry appears after every hostile one was tried.
fm.ok(fm.wait_until(lambda: "tag:good,2026:1" in ids(), 15),
      "the healthy peer is ingested")
fm.ok(fm.wait_until(lambda: all(peer(n).get("failures", 0) > 0
                                for n in FAIL), 30),
      "every hostile peer was tried and failed",
      {n: peer(n).get("last_error") for n in FAIL})
good.append({"id": "tag:good,2026:2"})
srv.route("/good.atom", body=fm.atom(good, "urn:good"))
fm.ok(fm.wait_until(lambda: "tag:good,2026:2" in ids(), 15),
      "the healthy peer keeps being ingested meanwhile")

fm.ok(fm.wait_until(lambda: "values" in (peer("jsonbomb").get("last_error")
                                         or ""), 20),
      "a JSON Feed of 5,000,000 empty objects is refused before loading",
      peer("jsonbomb").get("last_error"))
fm.ok(fm.wait_until(lambda: "peer million: more than 5000 entries" in
                    node.logtext(), 20),
      "a document of 1,000,000 entries: the first 5000 are kept, and said")
rss["health"] = False
health.join(35)
fm.ok(rss.get("slowest", 99) < 10,
      "/health keeps answering while hostile peers are read (slowest "
      "%.1f s)" % rss.get("slowest", 99))
log = node.logtext()
table = node.peers()
for name in FAIL:
    p = table.get(name, {})
    fm.ok(re.search(r"warning: (peer )?%s: " % name, log),
          "a log line names the failing peer %s: %s" %
          (name, p.get("last_error")), log[-3000:])

# Reasons: each limit is the one that stopped the peer.
fm.ok("larger" in (peer("endless").get("last_error") or ""),
      "an endless body stops at max_document_size",
      peer("endless").get("last_error"))
# What the server could hand to the kernel beyond what the node read is
# bounded by the two socket buffers, which Linux grows on a loaded
# machine up to tcp_rmem's and tcp_wmem's maximum (32 MB and 4 MB on
# Debian): a node that read on would take all 4x LIMIT the server sends.
def sysctl_max(name, default):
    try:
        with open("/proc/sys/net/ipv4/" + name) as f:
            return int(f.read().split()[2])
    except (OSError, ValueError, IndexError):
        return default


BUFFERED = (sysctl_max("tcp_rmem", 6 << 20) + sysctl_max("tcp_wmem", 4 << 20)
            + (1 << 20))
fm.ok(0 < endless.most < min(LIMIT + BUFFERED, 4 * LIMIT),
      "it is aborted when the limit is crossed (%d MB sent, at most %d "
      "MB of it in socket buffers)" % (endless.most // 1048576,
                                       BUFFERED // 1048576))
fm.ok("larger" in (peer("gzipbomb").get("last_error") or ""),
      "a gzip bomb stops at max_document_size (decoded bytes count)",
      peer("gzipbomb").get("last_error"))
fm.ok(0 < slow.most <= FETCH_TIMEOUT + 3, "one byte a second is cut at "
      "fetch_timeout "
      "(%d bytes sent)" % slow.most)
fm.ok(re.search("time", peer("silent").get("last_error") or "", re.I),
      "a peer that never answers times out",
      peer("silent").get("last_error"))
hits = len(srv.hits("/loop.atom"))
fm.ok(0 < hits <= 4 * peer("loop").get("failures", 1) + 4,
      "an endless redirect stops at max_redirects (%d requests)" % hits)
fm.ok(fm.wait_until(lambda: peer("tofile").get("failures", 0) > 0 and
                    peer("togopher").get("failures", 0) > 0, 5),
      "redirects to file:// and gopher:// are refused",
      (peer("tofile").get("last_error"), peer("togopher").get("last_error")))

# The documents that parse: nothing expanded, read or fetched.
# Per peer: the 5000 entries of "million" would fill any one page.
items = [i for name in routes if name != "million"
         for i in node.items("?peer=%s&limit=500" % name)]
text = json.dumps(items)
fm.ok("lollollollollollollol" not in text and
      all(len(i.get("title") or "") < 100000 for i in items),
      "entities are not expanded (billion laughs, quadratic blow-up)")
bombs = [i for i in items if i["id"] in ("tag:laughs,1", "tag:quad,1")]
# (Expanded, the quadratic title would be 1 GB; its 20,000 references
# as written take 60 KB.)
fm.ok(len(bombs) == 2 and all(len(json.dumps(i)) < 100000 for i in bombs),
      "the entries around the entity bombs are kept, unexpanded",
      [len(json.dumps(i)) for i in bombs])
fm.is_eq(trap.connections, 0,
         "no connection to URLs of external entities, DTDs or gopher")


def store_bytes():
    out = b""
    for suffix in ("", "-wal"):
        try:
            with open(os.path.join(node.dir, "feedmesh.db" + suffix),
                      "rb") as f:
                out += f.read()
        except OSError:
            pass
    return out


s, _, atom_body = fm.http_get(node.url + "/feeds/all.atom?limit=500")
fm.ok(secret not in text and secret.encode() not in atom_body and
      secret.encode() not in store_bytes(),
      "a local file named by an external entity is never read")

# Malformed documents: what is kept is valid, nothing else is lost.
for q, what in (("?peer=dates", "dates of year 0 and 99999"),
                ("?peer=numbers", "numbers out of range"),
                ("?peer=badutf8", "invalid UTF-8 and NUL bytes"),
                ("?limit=500", "everything")):
    doc = node.listing(q)
    fm.is_eq(fm.jsonfeed_problems(doc) if doc and doc["items"] else
             ["no listing"], [], "the listing stays valid JSON Feed: %s" %
             what)
dated = node.items("?peer=dates")
fm.ok(len(dated) == 2 and all(i.get("date_published", "2")[0] in "012"
                              for i in dated),
      "dates of year 0 and 99999 are stored, shown within 4 digits",
      [(i["id"], i.get("date_published"), i.get("date_modified"))
       for i in dated])
bad = [i for i in items if i["id"] == "tag:badutf8,1"]
fm.ok(len(bad) == 1 and "\x00" not in json.dumps(bad[0], ensure_ascii=False)
      and "\ufffd" in bad[0].get("title", ""),
      "invalid UTF-8 is replaced and NUL bytes dropped", bad)
# Ids that are not unique in a document are not identities (ingest.c
# falls back to the link, then to a digest): the copies are one entry.
fm.is_eq(sum(1 for i in items if i.get("title", "").startswith("copie")), 1,
         "duplicate ids in one document give one entry")
sizes = [a.get("size_in_bytes") for i in items
         if i["id"].startswith("tag:numbers,")
         for a in i.get("attachments", [])]
fm.ok(len(sizes) == 7 and all(v is None or (isinstance(v, int) and v >= 0)
                              for v in sizes),
      "out-of-range sizes are dropped, not stored negative or fractional",
      sizes)
for name in ("deepxml", "deepjson", "bigattr", "bignum", "ctype",
             "dates"):
    p = table.get(name, {})
    fm.ok(p.get("failures", 0) > 0 or p.get("last_error") is None,
          "%s: handled (%s)" % (name, p.get("last_error") or "read"))
big_links = [lnk for i in items for lnk in i.get("_feedmesh", {})
             .get("links", []) if len(lnk.get("href", "")) > 1048576]
fm.is_eq(big_links, [], "a 10 MB attribute is not stored")

# The attacks stop (every hostile peer now answers a small empty feed),
# so that what follows measures the HTTP side, not a busy parser.
calm = fm.atom([], "urn:calm")
for name in routes:
    srv.route("/%s.atom" % name, body=calm)


def calm_handler(c, srv):
    read_request(c)
    c.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
              b"Connection: close\r\n\r\n")


for raw in (endless, slow, silent):
    raw.handler = calm_handler

# HTTP side: the daemon's own limits.
# (Refusals first: the log rate-limits warnings per client address, and
# every request here comes from 127.0.0.1.)


def raw_request(data, timeout=10, read=65536):
    """Sends bytes, returns what comes back before the close (bounded)."""
    c = socket.create_connection(("127.0.0.1", node.port), timeout=timeout)
    try:
        c.sendall(data)
        out = b""
        while len(out) < read:
            chunk = c.recv(65536)
            if not chunk:
                break
            out += chunk
        return out
    except OSError as e:
        return ("error %s" % e).encode()
    finally:
        c.close()


def status_of(resp):
    m = re.match(rb"HTTP/1\.[01] (\d{3})", resp)
    return int(m.group(1)) if m else None


# More than max_connections (64) keeping their connection open: the
# extra ones are told 503, and the node recovers once they leave.
kept = []
codes = []
for _ in range(80):
    c = socket.create_connection(("127.0.0.1", node.port), timeout=5)
    c.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    resp = b""
    while b"\r\n\r\n" not in resp and len(resp) < 65536:
        chunk = c.recv(4096)
        if not chunk:
            break
        resp += chunk
    codes.append(status_of(resp))
    kept.append(c)
fm.ok(codes.count(200) <= 64 and 503 in codes,
      "over max_connections, requests are refused with 503",
      codes)
for c in kept:
    c.close()
fm.ok(fm.wait_until(node.healthy, 10), "the node recovers afterwards")
fm.ok("max_connections" in node.logtext(),
      "a log line says why clients were refused")

r = raw_request(b"GET /" + b"a" * 100000 + b" HTTP/1.1\r\nHost: x\r\n\r\n")
fm.ok(status_of(r) in (None, 400, 413, 414, 431) and node.healthy(),
      "an oversized request line is refused (%s)" % status_of(r))
r = raw_request(b"GET /health HTTP/1.1\r\nHost: x\r\n" +
                b"".join(b"X-H%d: %s\r\n" % (i, b"v" * 100)
                         for i in range(1000)) + b"\r\n")
fm.ok(status_of(r) in (None, 400, 413, 431) and node.healthy(),
      "oversized headers are refused (%s)" % status_of(r))
r = raw_request(b"POST /feeds/all.json HTTP/1.1\r\nHost: x\r\n"
                b"Content-Length: 10000000\r\n\r\n" + b"a" * 100000)
fm.ok(status_of(r) in (None, 405, 413) and node.healthy(),
      "an oversized POST body is refused (%s)" % status_of(r))

for q in ("?limit=%ZZ", "?%00=1", "?kind=<script>alert(1)</script>",
          "?" + "a=1&" * 2000, "?since=%FF%FE", "?limit=1e9&limit=2",
          "?territory=../../etc"):
    s, h, body = fm.http_get(node.url + "/feeds/all.json" + q)
    fm.ok(s == 400 and b"<script" not in body and b"alert(1)" not in body
          and h.get("X-Content-Type-Options") == "nosniff",
          "malformed query %r: 400, input not echoed" % q[:30],
          (s, body[:200]))

for path in ("/../../../../etc/passwd", "/feeds/../../etc/passwd",
             "/%2e%2e/%2e%2e/etc/passwd", "/feeds/all.json/../../x",
             "/feeds/%2e%2e%2f%2e%2e%2fetc%2fpasswd"):
    r = raw_request(b"GET " + path.encode() + b" HTTP/1.1\r\nHost: x\r\n"
                    b"Connection: close\r\n\r\n")
    fm.ok(b"root:" not in r and status_of(r) in (None, 400, 404),
          "path traversal %s refused (%s)" % (path, status_of(r)))
r = raw_request(b"GET /<script>alert(1)</script> HTTP/1.1\r\nHost: x\r\n"
                b"Connection: close\r\n\r\n")
fm.ok(b"<script>" not in r, "a 404 does not echo the path unescaped")

for path in ("/health", "/feeds/all.json", "/feeds/all.atom", "/nope",
             "/feeds/all.json?kind=nope"):
    s, h, _ = fm.http_get(node.url + path)
    fm.is_eq(h.get("X-Content-Type-Options"), "nosniff",
             "nosniff on %s (%d)" % (path, s))
for method in (b"PUT", b"DELETE", b"PATCH", b"TRACE", b"POST"):
    r = raw_request(method + b" /feeds/all.json HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Length: 0\r\nConnection: close\r\n\r\n")
    fm.ok(status_of(r) == 405 and
          b"\r\nX-Content-Type-Options: nosniff\r\n" in r,
          "%s: 405 with nosniff" % method.decode(), r[:300])
# (evhttp's own 400 and 413, for requests it cannot parse, are fixed
# bodies without nosniff: libevent 2.1 has no hook to add a header.)

# Slowloris: many connections that never finish their request; the node
# still answers, and drops them at its timeout.
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
want = 2000
if soft < want + 200 and hard >= want + 200:
    resource.setrlimit(resource.RLIMIT_NOFILE, (want + 200, hard))
    soft = want + 200
nidle = min(want, soft - 200)
idle = []
for _ in range(nidle):
    try:
        c = socket.create_connection(("127.0.0.1", node.port), timeout=5)
        c.sendall(b"GET /feeds/all.json HTTP/1.1\r\nHost: x\r\n")
        idle.append(c)
    except OSError:
        break
fm.ok(len(idle) == nidle, "%d idle connections opened" % len(idle))
fm.ok(fm.wait_until(node.healthy, 10),
      "the node answers /health with %d idle connections" % len(idle))
fm.ok(node.listing() is not None, "and its listings")
for c in idle:
    c.close()
idle = []

rss["run"] = False
sampler.join(2)
# AddressSanitizer keeps freed memory in quarantine and adds shadow
# memory: under it, the bound is looser.
with open("/proc/%d/maps" % pid) as f:
    asan = "libasan" in f.read()
fm.ok(0 < rss["max"] < RSS_MAX_KB * (4 if asan else 1),
      "the daemon's memory stays bounded (VmRSS peak %d MB%s)" %
      (rss["max"] // 1024, ", AddressSanitizer" if asan else ""))
fm.ok(fm.wait_until(node.healthy, 10), "the node is still up")
fm.is_eq(node.stop(), 0, "clean stop")
fm.done()
