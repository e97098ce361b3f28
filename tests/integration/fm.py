# feedmesh integration tests: real daemons on 127.0.0.1, a scripted peer
# HTTP server, TAP output. Only the Python standard library (and Debian's
# python3-feedparser where a test asks for a real client).
import http.server
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

BUILDDIR = os.environ.get("FEEDMESH_BUILDDIR", os.getcwd())
FEEDMESHD = os.environ.get("FEEDMESHD", os.path.join(BUILDDIR, "feedmeshd"))
FEEDMESHCTL = os.environ.get("FEEDMESHCTL",
                             os.path.join(BUILDDIR, "feedmeshctl"))
# A command put before the daemon's (make check-valgrind sets it to
# valgrind); under it the daemon is slower, so waits for it stretch.
WRAPPER = shlex.split(os.environ.get("FEEDMESH_WRAPPER", ""))
SLOW = 10 if WRAPPER else 1

_n = 0
_failed = 0
_cleanups = []


def ok(cond, name, diag=None):
    global _n, _failed
    _n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", _n, name), flush=True)
    if not cond:
        _failed += 1
        if diag is not None:
            for line in str(diag).splitlines()[-40:]:
                print("#   " + line, flush=True)
    return cond


def is_eq(got, want, name):
    return ok(got == want, name, "got: %r\nexpected: %r" % (got, want))


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line, flush=True)


def done():
    for fn in reversed(_cleanups):
        try:
            fn()
        except Exception as e:  # cleanup must not hide results
            diag("cleanup: %s" % e)
    print("1..%d" % _n, flush=True)
    sys.exit(1 if _failed else 0)


def bail(msg):
    print("Bail out! %s" % msg, flush=True)
    for fn in reversed(_cleanups):
        try:
            fn()
        except Exception:
            pass
    sys.exit(1)


def watchdog(seconds):
    """Kills the whole test if it runs longer than it should."""
    def fire(*_):
        bail("watchdog: test ran longer than %d s" % seconds)
    signal.signal(signal.SIGALRM, fire)
    signal.alarm(seconds)


def wait_until(fn, timeout=10.0, step=0.02):
    """Polls fn until it returns a true value or timeout passes."""
    end = time.monotonic() + timeout
    while True:
        v = fn()
        if v:
            return v
        if time.monotonic() > end:
            return v
        time.sleep(step)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def tmpdir():
    d = tempfile.mkdtemp(prefix="feedmesh-test-")
    _cleanups.append(lambda: shutil.rmtree(d, ignore_errors=True))
    return d


def http_get(url, headers=None, timeout=10):
    """Returns (status, headers, body bytes); never raises on HTTP codes."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


class Route:
    """What the peer server answers on one path; the test changes it."""

    def __init__(self, body=b"", ctype="application/atom+xml",
                 status=200, etag=None, headers=None, gate=None):
        self.body = body
        self.ctype = ctype
        self.status = status
        self.etag = etag
        self.headers = headers or {}
        # A threading.Event: requests wait for it (at most 10 s), so that
        # a test can have many answers arrive at once.
        self.gate = gate


class PeerServer:
    """A scripted HTTP peer on 127.0.0.1 that records every request."""

    def __init__(self, port=0):
        self.routes = {}
        self.requests = []
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_GET(self):
                with outer.lock:
                    outer.requests.append(
                        (time.monotonic(), self.path, dict(self.headers)))
                    r = outer.routes.get(self.path)
                if r is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if r.gate is not None:
                    r.gate.wait(10)
                if (r.etag is not None and
                        self.headers.get("If-None-Match") == r.etag):
                    self.send_response(304)
                    self.send_header("ETag", r.etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                body = r.body if isinstance(r.body, bytes) else \
                    r.body.encode("utf-8")
                self.send_response(r.status)
                self.send_header("Content-Type", r.ctype)
                if r.etag is not None:
                    self.send_header("ETag", r.etag)
                for k, v in r.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        # A given port: a peer that comes back where it was.
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()
        self.stopped = False
        _cleanups.append(self.stop)

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def route(self, path, **kw):
        with self.lock:
            self.routes[path] = Route(**kw)
        return self.url(path)

    def hits(self, path):
        with self.lock:
            return [r for r in self.requests if r[1] == path]

    def stop(self):
        if self.stopped:
            return
        self.stopped = True
        self.httpd.shutdown()
        self.httpd.server_close()


class Node:
    """A real feedmeshd with its configuration in a temporary directory."""

    def __init__(self, name, peers=None, extra=None, directory=None):
        self.name = name
        self.dir = directory or tmpdir()
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.conf = os.path.join(self.dir, "feedmesh.conf")
        self.log = os.path.join(self.dir, "feedmeshd.log")
        self.proc = None
        os.makedirs(os.path.join(self.dir, "peers.d"), exist_ok=True)
        self.write_conf(extra or {})
        for pname, keys in (peers or {}).items():
            self.set_peer(pname, **keys)
        _cleanups.append(self.kill)

    def write_conf(self, extra):
        keys = {
            "node": self.name,
            "title": "Nœud %s" % self.name,
            "public_url": self.url,
            "listen": "127.0.0.1:%d" % self.port,
            "store": "feedmesh.db",
            "admin": "ctl.sock",
            "pidfile": "feedmeshd.pid",
            "allow_private": "yes",
            "log_level": "info",
            "host_gap_ms": "0",
            "max_per_host": "8",
            "jitter": "0",
        }
        keys.update(extra)
        with open(self.conf, "w") as f:
            f.write("# written by the test suite\n")
            for k, v in keys.items():
                if v is not None:
                    f.write("%s = %s\n" % (k, v))

    def set_peer(self, pname, **keys):
        keys.setdefault("interval", 1)
        with open(os.path.join(self.dir, "peers.d", pname + ".conf"),
                  "w") as f:
            for k, v in keys.items():
                f.write("%s = %s\n" % (k, v))

    def remove_peer(self, pname):
        os.unlink(os.path.join(self.dir, "peers.d", pname + ".conf"))

    def start(self, wait=True):
        self.logf = open(self.log, "ab")
        self.proc = subprocess.Popen(WRAPPER + [FEEDMESHD, "-d", "-f",
                                                self.conf],
                                     stdout=self.logf, stderr=self.logf)
        if wait and not wait_until(self.healthy, 15 * SLOW):
            bail("node %s did not answer /health; log:\n%s" %
                 (self.name, self.logtext()))
        return self

    def healthy(self):
        if self.proc.poll() is not None:
            bail("node %s exited with %s; log:\n%s" %
                 (self.name, self.proc.returncode, self.logtext()))
        try:
            s, _, _ = http_get(self.url + "/health", timeout=2)
            return s == 200
        except OSError:
            return False

    def signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, timeout=15):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        self.proc.send_signal(signal.SIGTERM)
        started = time.time()
        try:
            self.proc.wait(timeout * SLOW)
        except subprocess.TimeoutExpired:
            diag("node %s still running %d s after SIGTERM: killed" %
                 (self.name, timeout * SLOW))
            self.proc.kill()
            self.proc.wait()
        self.logf.close()
        if self.proc.returncode != 0:
            # Whatever the cause (a crash, a hang), CI shows only this
            # output: say how it ended and what the daemon said last.
            diag("node %s exited with %s after %.1f s; log tail:\n%s" %
                 (self.name, self.proc.returncode, time.time() - started,
                  "\n".join(self.logtext().splitlines()[-30:])))
        return self.proc.returncode

    def kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc is not None and not self.logf.closed:
            self.logf.close()

    def logtext(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def ctl(self, *args):
        return subprocess.run([FEEDMESHCTL, "-f", self.conf] + list(args),
                              capture_output=True, text=True, timeout=30)

    def peers(self):
        r = self.ctl("-j", "peers")
        if r.returncode != 0:
            return {}
        return {p["name"]: p for p in json.loads(r.stdout)}

    def listing(self, query=""):
        s, _, body = http_get(self.url + "/feeds/all.json" + query)
        if s != 200:
            return None
        return json.loads(body)

    def items(self, query=""):
        doc = self.listing(query)
        return doc["items"] if doc else []

    def wait_log(self, text, timeout=10):
        return wait_until(lambda: text in self.logtext(), timeout)


def atom(entries, feed_id="urn:test:feed", title="Flux de test"):
    """A small Atom 1.0 document; entries are dicts."""
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom">',
           "<id>%s</id><title>%s</title>" % (feed_id, title),
           "<updated>2026-11-20T10:00:00Z</updated>"]
    for e in entries:
        out.append("<entry><id>%s</id><title>%s</title>" %
                   (e["id"], e.get("title", e["id"])))
        # Each id gets its own permalink unless the test says otherwise:
        # entries sharing a permalink are one entry.
        out.append('<link rel="alternate" href="%s"/>' %
                   e.get("link", "https://portail.example/%s" %
                         "".join(c if c.isalnum() else "-"
                                 for c in e["id"])))
        out.append("<updated>%s</updated>" %
                   e.get("updated", "2026-11-20T10:00:00Z"))
        for scheme, term in (("kind", e.get("kind")),
                             ("territory", e.get("territory"))):
            if term:
                out.append('<category scheme="https://feedmesh.org/ns/%s"'
                           ' term="%s"/>' % (scheme, term))
        out.append("<summary>%s</summary></entry>" %
                   e.get("summary", "Résumé"))
    out.append("</feed>")
    return "\n".join(out)


def jsonfeed_problems(doc):
    """What a JSON Feed 1.1 document breaks of the specification's MUSTs.

    Debian's python3-feedparser (6.0.10) cannot read JSON Feed, so the
    suite checks the format itself, from https://jsonfeed.org/version/1.1.
    """
    import re
    rfc3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?"
                         r"(Z|[+-]\d\d:\d\d)$")
    bad = []
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        bad.append("version")
    if not isinstance(doc.get("title"), str):
        bad.append("title")
    if not isinstance(doc.get("items"), list):
        return bad + ["items"]
    for k in ("home_page_url", "feed_url", "next_url"):
        if k in doc and not isinstance(doc[k], str):
            bad.append(k)
    for i, it in enumerate(doc["items"]):
        if not isinstance(it.get("id"), str) or not it["id"]:
            bad.append("items[%d].id" % i)
        if not isinstance(it.get("content_html"), str) and \
                not isinstance(it.get("content_text"), str):
            bad.append("items[%d]: no content_html or content_text" % i)
        for k in ("date_published", "date_modified"):
            if k in it and not rfc3339.match(it[k]):
                bad.append("items[%d].%s: %r" % (i, k, it[k]))
        for k in ("tags", "authors", "attachments"):
            if k in it and not isinstance(it[k], list):
                bad.append("items[%d].%s" % (i, k))
        for a in it.get("attachments", []):
            if not isinstance(a.get("url"), str) or \
                    not isinstance(a.get("mime_type"), str):
                bad.append("items[%d].attachments" % i)
    return bad
