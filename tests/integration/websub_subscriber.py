# A standalone WebSub subscriber, written from the W3C Recommendation
# (https://www.w3.org/TR/websub/) and nothing of feedmesh: it sends
# subscription requests (5.1), answers verifications of intent by echoing
# hub.challenge (5.3), receives content distributions (7) and checks
# X-Hub-Signature (8). Only the Python standard library; 127.0.0.1 only.
import hashlib
import hmac
import http.server
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


class Callback:
    """One callback URL: how it answers and what it received."""

    def __init__(self, secret=None, verify="echo", delay=0):
        self.secret = secret
        self.verify = verify          # "echo", "wrong" or "404"
        self.delay = delay            # seconds before answering a POST
        self.statuses = []            # answers to the next POSTs; then 200
        self.verifications = []       # query dicts of the GETs
        self.distributions = []       # dicts: time, headers, body, sig_ok


class Subscriber:
    def __init__(self):
        self.callbacks = {}
        self.routes = {}              # GET path -> (ctype, body), a feed
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def answer(self, status, body=b"", ctype="text/plain"):
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    self.close_connection = True  # the hub gave up

            def callback(self):
                path = urllib.parse.urlsplit(self.path).path
                if not path.startswith("/cb/"):
                    return None
                with outer.lock:
                    return outer.callbacks.get(path[4:])

            def do_GET(self):
                with outer.lock:
                    route = outer.routes.get(self.path)
                if route is not None:
                    return self.answer(200, route[1], route[0])
                cb = self.callback()
                if cb is None:
                    return self.answer(404)
                q = dict(urllib.parse.parse_qsl(
                    urllib.parse.urlsplit(self.path).query))
                with outer.lock:
                    cb.verifications.append(q)
                if cb.verify == "404" or "hub.challenge" not in q:
                    return self.answer(404)
                if cb.verify == "wrong":
                    return self.answer(200, b"not the challenge")
                self.answer(200, q["hub.challenge"].encode())

            def do_POST(self):
                cb = self.callback()
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                if cb is None:
                    return self.answer(404)
                sig_ok = None
                sig = self.headers.get("X-Hub-Signature")
                if cb.secret is not None:
                    sig_ok = False
                    if sig and "=" in sig:
                        method, _, hexd = sig.partition("=")
                        if method in ("sha1", "sha256", "sha384",
                                      "sha512"):
                            want = hmac.new(cb.secret.encode(), body,
                                            getattr(hashlib, method))
                            sig_ok = hmac.compare_digest(
                                want.hexdigest(), hexd)
                with outer.lock:
                    status = cb.statuses.pop(0) if cb.statuses else 200
                    cb.distributions.append({
                        "time": time.monotonic(),
                        "headers": self.headers,
                        "links": self.headers.get_all("Link") or [],
                        "body": body, "sig": sig, "sig_ok": sig_ok,
                        "status": status})
                if cb.delay:
                    # A slow subscriber, not a readiness wait.
                    time.sleep(cb.delay)
                self.answer(status)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()

    def url(self, path):
        return "http://127.0.0.1:%d%s" % (self.port, path)

    def callback(self, name, **kw):
        """Declares a callback; returns its URL."""
        with self.lock:
            self.callbacks[name] = Callback(**kw)
        return self.url("/cb/" + name)

    def get(self, name):
        with self.lock:
            return self.callbacks[name]

    def delivered(self, name):
        with self.lock:
            return list(self.callbacks[name].distributions)

    def verified(self, name):
        with self.lock:
            return list(self.callbacks[name].verifications)

    def request(self, hub, params):
        """POSTs a form to the hub; returns (status, body text)."""
        data = urllib.parse.urlencode(params).encode()
        req = urllib.request.Request(hub, data=data, headers={
            "Content-Type": "application/x-www-form-urlencoded"})
        try:
            with urllib.request.urlopen(req, timeout=10) as r:
                return r.status, r.read().decode(errors="replace")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(errors="replace")

    def subscribe(self, hub, topic, name, secret=None, lease=None,
                  mode="subscribe", extra=None):
        params = {"hub.mode": mode, "hub.topic": topic,
                  "hub.callback": self.url("/cb/" + name)}
        if secret is not None:
            params["hub.secret"] = secret
        if lease is not None:
            params["hub.lease_seconds"] = str(lease)
        params.update(extra or {})
        return self.request(hub, params)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
