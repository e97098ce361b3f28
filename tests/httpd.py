#!/usr/bin/python3
# feedmesh tests: a scripted HTTP/1.1 server for fetch_test, on 127.0.0.1.
#
# Binds port 0, prints the port on the first line of stdout, then serves
# until killed. Everything is stdlib; /stats reports what the server saw.

import email.utils
import gzip
import json
import os
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

HERE = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(HERE, "fetch", "feed.xml"), "rb") as fp:
    FEED = fp.read()
FEED_GZ = gzip.compress(FEED)
ETAG = '"v1"'
LAST_MODIFIED = "Wed, 21 Oct 2015 07:28:00 GMT"
REDIRECTS = {
    "/redirect301": (301, "/feed"),
    "/redirect302": (302, "/feed"),
    "/redirect308": (308, "/feed"),
    "/chain": (302, "/redirect301"),
    "/perm2": (301, "/redirect301"),
    "/perm302": (301, "/redirect302"),
    "/loop": (302, "/loop"),
    "/ftp": (302, "ftp://127.0.0.1/feed"),
}
HANG_SECONDS = 60

lock = threading.Lock()
stats = {}
bomb = None


def stats_reset():
    with lock:
        stats.clear()
        stats.update(current=0, max_concurrent=0, starts=[], count=0,
                     big_sent=0)


def bomb_body():
    """A gzip stream of 100 MB of zeros, built once, chunk by chunk."""
    global bomb
    with lock:
        if bomb is None:
            c = zlib.compressobj(9, zlib.DEFLATED, 31)
            zeros = bytes(1 << 20)
            parts = [c.compress(zeros) for _ in range(100)]
            parts.append(c.flush())
            bomb = b"".join(parts)
        return bomb


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "feedmesh-test"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body=b"", headers=(), ctype="text/plain"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        u = urlsplit(self.path)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        path = u.path
        if path in REDIRECTS:
            status, to = REDIRECTS[path]
            self.reply(status, b"moved\n", [("Location", to)])
        elif path == "/feed":
            self.route_feed()
        elif path == "/gzip":
            self.reply(200, FEED_GZ, [("Content-Encoding", "gzip")],
                       "application/atom+xml")
        elif path == "/big":
            self.route_big(int(q.get("n", "0")), q.get("cl") == "1")
        elif path == "/bomb":
            self.reply(200, bomb_body(), [("Content-Encoding", "gzip")])
        elif path == "/slow":
            self.route_slow()
        elif path == "/hang":
            time.sleep(HANG_SECONDS)
            self.close_connection = True
        elif path == "/retry":
            self.reply(429, b"slow down\n", [("Retry-After", "7")])
        elif path == "/retrydate":
            when = email.utils.formatdate(time.time() + 120, usegmt=True)
            self.reply(503, b"later\n", [("Retry-After", when)])
        elif path == "/maxage":
            self.reply(200, b"x", [("Cache-Control", "public, max-age=600")])
        elif path == "/expires":
            when = email.utils.formatdate(time.time() + 300, usegmt=True)
            self.reply(200, b"x", [("Expires", when)])
        elif path == "/nocache":
            self.reply(200, b"x",
                       [("Cache-Control", "max-age=600, no-cache")])
        elif path == "/link":
            self.reply(200, b"x", [
                ("Link", '<http://hub.example/>; rel="hub"'),
                ("Link", '<http://127.0.0.1/self>; rel="self"')])
        elif path == "/hugeheaders":
            self.reply(200, b"x",
                       [("X-Filler-%d" % i, "f" * 1000) for i in range(100)])
        elif path == "/sleep":
            self.route_sleep(int(q.get("ms", "100")))
        elif path == "/count":
            with lock:
                stats["count"] += 1
                n = stats["count"]
            self.reply(200, b"%d\n" % n)
        elif path == "/stats":
            with lock:
                body = json.dumps(stats).encode()
            self.reply(200, body, ctype="application/json")
        elif path == "/reset":
            stats_reset()
            self.reply(200, b"ok\n")
        else:
            self.reply(404, b"<html><body>not found</body></html>\n",
                       ctype="text/html")

    def do_echo(self):
        # /echo answers with the method, the headers asked for and the body.
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(min(n, 1 << 20)) if n > 0 else b""
        out = {"method": self.command, "body": body.decode("latin-1"),
               "content_type": self.headers.get("Content-Type"),
               "signature": self.headers.get("X-Hub-Signature"),
               "expect": self.headers.get("Expect")}
        self.reply(200, json.dumps(out).encode(), ctype="application/json")

    do_POST = do_PUT = do_DELETE = do_echo

    def route_feed(self):
        inm = self.headers.get("If-None-Match")
        ims = self.headers.get("If-Modified-Since")
        hdrs = [("ETag", ETAG), ("Last-Modified", LAST_MODIFIED)]
        if (inm is not None and (inm == ETAG or inm == "*")) or \
                (inm is None and ims == LAST_MODIFIED):
            self.send_response(304)
            for k, v in hdrs:
                self.send_header(k, v)
            self.end_headers()
            return
        self.reply(200, FEED, hdrs, "application/atom+xml")

    def route_big(self, n, with_length):
        """Streams n bytes, counting what the peer accepted."""
        self.send_response(200)
        if with_length:
            self.send_header("Content-Length", str(n))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        chunk = b"x" * 8192
        sent = 0
        try:
            while sent < n:
                part = chunk[:min(len(chunk), n - sent)]
                self.wfile.write(part)
                sent += len(part)
                with lock:
                    stats["big_sent"] = sent
        except OSError:
            self.close_connection = True

    def route_slow(self):
        self.send_response(200)
        self.send_header("Content-Length", "1000")
        self.end_headers()
        try:
            for _ in range(1000):
                self.wfile.write(b"s")
                self.wfile.flush()
                time.sleep(1)
        except OSError:
            pass
        self.close_connection = True

    def route_sleep(self, ms):
        with lock:
            stats["current"] += 1
            stats["max_concurrent"] = max(stats["max_concurrent"],
                                          stats["current"])
            stats["starts"].append(time.monotonic())
        try:
            time.sleep(ms / 1000.0)
        finally:
            with lock:
                stats["current"] -= 1
        self.reply(200, b"slept\n")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients hang up on purpose (size limits, timeouts, cancels).
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def main():
    stats_reset()
    srv = Server(("127.0.0.1", 0), Handler)
    sys.stdout.write("%d\n" % srv.server_address[1])
    sys.stdout.flush()
    srv.serve_forever()


if __name__ == "__main__":
    main()
