# feedmesh integration tests: a small standalone WebSub hub written from the
# W3C Recommendation (https://www.w3.org/TR/websub/), not from feedmesh, to
# check that the subscriber works with any compliant hub: it accepts
# subscription requests (5.1) with 202, verifies intent (5.3) against the
# callback, and sends signed content distributions (7, 8) when the test
# asks. Binds 127.0.0.1 only; standard library only.
import hashlib
import hmac
import http.server
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import fm


def http_request(url, method="GET", body=None, headers=None, timeout=10,
                 reply_headers=None):
    """(status, body bytes); never raises on HTTP codes. The reply's
    headers go into the dict reply_headers when one is given."""
    req = urllib.request.Request(url, data=body, method=method,
                                 headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            if reply_headers is not None:
                reply_headers.update(r.headers.items())
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        if reply_headers is not None:
            reply_headers.update(e.headers.items())
        return e.code, e.read()


class StubHub:
    """A WebSub hub on 127.0.0.1; subscriptions keyed by (topic, callback)."""

    def __init__(self, lease=None):
        self.lease = lease          # lease granted; None: what was asked
        self.requests = []          # every form received, as dicts
        self.last_reply_headers = {}  # of the last distribution's reply
        self.subs = {}              # (topic, callback) -> dict
        self.verifications = []     # (mode, callback, status, echoed)
        self.lock = threading.Lock()
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def reply(self, code, text=b""):
                self.send_response(code)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(min(n, 65536)).decode("utf-8",
                                                            "replace")
                form = {k: v[0] for k, v in
                        urllib.parse.parse_qs(raw).items()}
                with outer.lock:
                    outer.requests.append(form)
                mode = form.get("hub.mode")
                if self.path != "/hub" or mode not in ("subscribe",
                                                       "unsubscribe") \
                        or not form.get("hub.topic") \
                        or not form.get("hub.callback"):
                    self.reply(400, b"bad request")
                    return
                if len(form.get("hub.secret", "")) >= 200:
                    self.reply(400, b"secret too long")
                    return
                # 5.1.2: the hub answers 202, then verifies on its own.
                self.reply(202, b"accepted")
                threading.Thread(target=outer.verify, args=(form,),
                                 daemon=True).start()

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d/hub" % self.port
        self.thread = threading.Thread(target=self.httpd.serve_forever,
                                       daemon=True)
        self.thread.start()
        fm._cleanups.append(self.stop)

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()

    def verify(self, form):
        """Verification of intent (5.3): a GET with a challenge."""
        mode = form["hub.mode"]
        cb = form["hub.callback"]
        challenge = secrets.token_urlsafe(24)
        q = {"hub.mode": mode, "hub.topic": form["hub.topic"],
             "hub.challenge": challenge}
        lease = None
        if mode == "subscribe":
            lease = self.lease or int(form.get("hub.lease_seconds") or 864000)
            q["hub.lease_seconds"] = str(lease)
        sep = "&" if "?" in cb else "?"
        status, body = http_request(cb + sep + urllib.parse.urlencode(q))
        echoed = status // 100 == 2 and body.decode("utf-8", "replace") \
            == challenge
        key = (form["hub.topic"], cb)
        with self.lock:
            self.verifications.append((mode, cb, status, echoed))
            if not echoed:
                return
            if mode == "subscribe":
                self.subs[key] = {"topic": form["hub.topic"],
                                  "callback": cb,
                                  "secret": form.get("hub.secret"),
                                  "lease": lease,
                                  "expires": time.time() + lease,
                                  "node": form.get("feedmesh.node"),
                                  "form": form}
            else:
                self.subs.pop(key, None)

    def active(self, topic=None):
        with self.lock:
            return [s for s in self.subs.values()
                    if (topic is None or s["topic"] == topic) and
                    s["expires"] > time.time()]

    def subscribes(self, topic=None):
        with self.lock:
            return [f for f in self.requests
                    if f.get("hub.mode") == "subscribe" and
                    (topic is None or f.get("hub.topic") == topic)]

    def unsubscribes(self, topic=None):
        with self.lock:
            return [f for f in self.requests
                    if f.get("hub.mode") == "unsubscribe" and
                    (topic is None or f.get("hub.topic") == topic)]

    def distribute(self, sub, body, ctype="application/atom+xml",
                   alg="sha256", secret=None, sign=True):
        """Content distribution (7) to one subscription; its status."""
        if isinstance(body, str):
            body = body.encode("utf-8")
        headers = {"Content-Type": ctype,
                   "Link": '<%s>; rel="hub", <%s>; rel="self"' %
                   (self.url, sub["topic"])}
        key = secret if secret is not None else sub["secret"]
        if sign and key:
            mac = hmac.new(key.encode("utf-8"), body,
                           getattr(hashlib, alg)).hexdigest()
            headers["X-Hub-Signature"] = "%s=%s" % (alg, mac)
        self.last_reply_headers = {}
        status, _ = http_request(sub["callback"], "POST", body, headers,
                                 reply_headers=self.last_reply_headers)
        return status

    def publish(self, topic, body, **kw):
        """Distributes to every active subscriber of topic; the statuses."""
        return [self.distribute(s, body, **kw) for s in self.active(topic)]
