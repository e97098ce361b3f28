# The pages people see, in a real browser (headless Chromium): the embed
# widget on another site's page under a strict Content-Security-Policy,
# the <iframe> form, the home page and the map page of a real feedmeshd.
# Screenshots go to tests/screenshots/ under the build directory.
import html.parser
import http.server
import os
import shutil
import struct
import subprocess
import threading
import urllib.parse
import zlib

import fm

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
if not os.access(CHROMIUM, os.X_OK):
    print("1..0 # SKIP chromium not installed (%s)" % CHROMIUM)
    raise SystemExit(0)

fm.watchdog(300)
SHOTS = os.path.join(fm.BUILDDIR, "tests", "screenshots")
os.makedirs(SHOTS, exist_ok=True)
profile = fm.tmpdir()

# Entries of several kinds, one date each: newest first is j3, e2, ...
LOIRE = "auvergne-rhone-alpes/loire"
ENTRIES = [
    ("j1", "job", "2026-11-01T09:00:00Z", "Animateur de réseau (H/F)", None),
    ("e1", "event", "2026-11-03T09:00:00Z", "Forum de l'ESS à Saint-Étienne",
     None),
    ("j2", "job", "2026-11-05T09:00:00Z", "Chargée de mission emploi",
     None),
    ("n1", "news", "2026-11-07T09:00:00Z", "Économie sociale : le bilan",
     None),
    ("a1", "actor", "2026-11-08T09:00:00Z", "Coopérative La Fabrique",
     (45.4397, 4.3872)),
    ("a2", "actor", "2026-11-09T09:00:00Z", "Association Terre & Liens",
     (45.7640, 4.8357)),
    ("j3", "job", "2026-11-10T09:00:00Z", "Comptable <b>&\"'</b> en SCOP",
     None),
    ("e2", "event", "2026-11-11T09:00:00Z", "Mois de l'ESS : ouverture",
     None),
]


def png():
    """A 4x3 green PNG, for the entries' pictures."""
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + \
            struct.pack(">I", zlib.crc32(t + d) & 0xffffffff)
    raw = b"".join(b"\0" + b"\x0b\x6e\x4f" * 4 for _ in range(3))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 3, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def feed(pic):
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<feed xmlns="http://www.w3.org/2005/Atom" '
           'xmlns:georss="http://www.georss.org/georss" '
           'xmlns:media="http://search.yahoo.com/mrss/">',
           "<id>urn:test:portail</id><title>Portail</title>",
           "<updated>2026-11-20T10:00:00Z</updated>"]
    for eid, kind, date, title, geo in ENTRIES:
        out.append("<entry><id>urn:test:%s</id><title>%s</title>" %
                   (eid, esc(title)))
        out.append('<link href="https://portail.example/%s"/>' % eid)
        out.append("<published>%s</published><updated>%s</updated>" %
                   (date, date))
        out.append('<category scheme="https://feedmesh.org/ns/kind" '
                   'term="%s"/>' % kind)
        out.append('<category scheme="https://feedmesh.org/ns/territory" '
                   'term="%s"/>' % LOIRE)
        if geo:
            out.append("<georss:point>%s %s</georss:point>" % geo)
        if eid in ("j3", "e2"):
            out.append('<media:thumbnail url="%s"/>' % pic)
        out.append("<summary>Résumé de %s, en texte.</summary></entry>" %
                   esc(title))
    out.append("</feed>")
    return "\n".join(out)


class Node_:
    """A parsed element: tag, attributes, children, text."""

    def __init__(self, tag, attrs, parent):
        self.tag, self.attrs, self.parent = tag, dict(attrs), parent
        self.children, self.parts = [], []

    def text(self):
        return "".join(p if isinstance(p, str) else p.text()
                       for p in self.parts)

    def cls(self):
        return (self.attrs.get("class") or "").split()

    def all(self, tag=None, cls=None):
        out = []
        for c in self.children:
            if (tag is None or c.tag == tag) and \
                    (cls is None or cls in c.cls()):
                out.append(c)
            out.extend(c.all(tag, cls))
        return out

    def byid(self, ident):
        for n in self.all():
            if n.attrs.get("id") == ident:
                return n
        return None


class DOM(html.parser.HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input",
            "link", "meta", "source", "track", "wbr"}

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.root = self.cur = Node_("#root", {}, None)
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        n = Node_(tag, attrs, self.cur)
        self.cur.children.append(n)
        self.cur.parts.append(n)
        if tag not in self.VOID:
            self.cur = n

    def handle_endtag(self, tag):
        n = self.cur
        while n is not None and n.tag != tag:
            n = n.parent
        if n is not None and n.parent is not None:
            self.cur = n.parent

    def handle_data(self, data):
        self.cur.parts.append(data)


def chromium(url, shot=None, size="1200,900"):
    """The DOM after scripts ran (and a screenshot when asked)."""
    base = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--no-first-run",
            "--disable-sync", "--disable-extensions", "--mute-audio",
            "--user-data-dir=" + profile, "--virtual-time-budget=5000",
            "--enable-logging=stderr", "--v=0"]
    r = subprocess.run(base + ["--dump-dom", url], capture_output=True,
                       text=True, timeout=90)
    if shot:
        subprocess.run(base + ["--hide-scrollbars",
                               "--window-size=" + size,
                               "--screenshot=" + os.path.join(SHOTS, shot),
                               url],
                       capture_output=True, timeout=90)
    return DOM(r.stdout).root, r.stderr


# The peer, the node, and the other site that embeds the widget.
srv = fm.PeerServer()
srv.route("/pic.png", body=png(), ctype="image/png")
srv.route("/feed.atom", body=feed(srv.url("/pic.png")))
node = fm.Node("web", extra={"cache_max_age": 0, "listing_limit": 20})
node.set_peer("portail", url=srv.url("/feed.atom"))
node.start()
if not fm.wait_until(lambda: len(node.items()) == len(ENTRIES), 30, 0.1):
    fm.bail("the node did not store the entries; log:\n" + node.logtext())

SITE_CSP = ("default-src 'none'; script-src %s; style-src %s; "
            "connect-src %s; img-src 'self' %s; base-uri 'none'" %
            ((node.url,) * 3 + (srv.url(""),)))
PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Un portail</title>
</head><body><h1>Un portail de l'ESS</h1>
<h2>Offres d'emploi</h2>
<div id="w1" data-feedmesh data-kind="job" data-territory="%s"
 data-limit="10"></div>
<h2 lang="en">Latest</h2>
<div id="w2" lang="en" data-feedmesh data-limit="3" data-layout="cards">
</div>
%s
<script src="%s/embed.js" defer></script>
</body></html>
"""
pages = {}


class Site(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        body = pages.get(self.path)
        if body is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        body = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Security-Policy", SITE_CSP)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


site = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Site)
site.daemon_threads = True
threading.Thread(target=site.serve_forever, daemon=True).start()
fm._cleanups.append(lambda: (site.shutdown(), site.server_close()))
SITE = "http://127.0.0.1:%d" % site.server_address[1]
pages["/"] = PAGE % (LOIRE, "", node.url)

# Search: the node knows q once full-text search is merged.
s_q, _, _ = fm.http_get(node.url + "/feeds/all.json?q=emploi")
has_q = s_q == 200
if has_q:
    pages["/q"] = PAGE % (LOIRE, '<div id="w3" data-feedmesh data-q="emploi"'
                          '></div>', node.url)

# 1. The widget on another site, under that site's strict CSP.
dom, log = chromium(SITE + "/", "widget.png", "900,900")
w1, w2 = dom.byid("w1"), dom.byid("w2")
fm.ok(w1 is not None and w2 is not None, "the test page rendered")
w1 = w1 or Node_("div", {}, None)
w2 = w2 or Node_("div", {}, None)
items = w1.all("li", "feedmesh-item")
jobs = sorted((e for e in ENTRIES if e[1] == "job"), key=lambda e: e[2],
              reverse=True)
fm.is_eq(len(items), len(jobs), "widget 1 lists the job offers only")
fm.ok(all("feedmesh-kind-job" in li.cls() for li in items),
      "widget 1: every item is a job offer")
titles = [li.all("h3")[0].text() if li.all("h3") else None for li in items]
fm.is_eq(titles, [e[3] for e in jobs],
         "widget 1: titles newest first, as plain text (markup escaped)")
times = [t.attrs.get("datetime") for li in items for t in li.all("time")]
fm.is_eq(times, [e[2] for e in jobs],
         "widget 1: each item has <time datetime>, newest first")
fm.ok(items and all(li.all("span", "feedmesh-kind")[0].text() ==
                    "Offre d\u2019emploi" for li in items),
      "widget 1 (lang fr): the kind's French label")
fm.ok(items and "novembre 2026" in items[0].all("time")[0].text(),
      "widget 1: the date in French",
      items[0].all("time")[0].text() if items else "")
fm.ok(items and all(li.all("span", "feedmesh-territory")[0].text() ==
                    "Loire" for li in items),
      "widget 1: the territory")
links = [li.all("a")[0] for li in items if li.all("a")]
fm.ok(len(links) == len(items) and all(
    a.text() == t for a, t in zip(links, titles)) and all(
    a.attrs.get("href", "").startswith("https://portail.example/")
    for a in links), "widget 1: each title links to the entry")
st = w1.all("p", "feedmesh-status")
fm.ok(st and st[0].attrs.get("aria-live") == "polite" and
      st[0].attrs.get("role") == "status",
      "widget 1: an aria-live status for loading and errors")
fm.ok(w1.all("ul", "feedmesh-items") and "feedmesh-list" in w1.cls(),
      "widget 1: a list, list layout")
more = w1.all("p", "feedmesh-more")
fm.ok(more and more[0].all("a") and more[0].all("a")[0].attrs.get(
    "href", "").startswith(node.url + "/?kind=job"),
    "widget 1: a more link to the node's page with the filters")
css = [n for n in dom.all("link") if n.attrs.get("href") ==
       node.url + "/embed.css"]
fm.is_eq(len(css), 1, "one stylesheet link to the node's embed.css")

items2 = w2.all("li", "feedmesh-item")
newest = sorted(ENTRIES, key=lambda e: e[2], reverse=True)[:3]
fm.is_eq([li.all("h3")[0].text() for li in items2 if li.all("h3")],
         [e[3] for e in newest],
         "widget 2: the 3 newest entries of every kind, newest first")
EN = {"job": "Job offer", "event": "Event", "news": "News",
      "actor": "Actor"}
fm.is_eq([li.all("span", "feedmesh-kind")[0].text() for li in items2
          if li.all("span", "feedmesh-kind")], [EN[e[1]] for e in newest],
         "widget 2 (lang en): English kind labels")
fm.ok("feedmesh-cards" in w2.cls() and
      len(w2.all("img", "feedmesh-image")) == 2,
      "widget 2: cards, with the entries' pictures")
fm.ok("Content Security Policy" not in log and
      "Refused to" not in log,
      "no CSP violation under the site's strict policy",
      "\n".join(l for l in log.splitlines() if "Refused" in l))

if has_q:
    dom, _ = chromium(SITE + "/q")
    w3 = dom.byid("w3")
    got = [li.all("h3")[0].text() for li in w3.all("li")] if w3 else []
    fm.ok(got and all("emploi" in t.lower() or "emploi" in li_text
                      for t, li_text in zip(got, [""] * len(got))),
          "widget 3 (data-q): search results", got)
else:
    print("ok %d # SKIP the node has no full-text search yet (q: %d)" %
          (fm._n + 1, s_q))
    fm._n += 1

# 2. The <iframe> form: server-rendered, framable, English.
url = node.url + "/embed?kind=event&lang=en&layout=cards"
s, h, body = fm.http_get(url)
fm.ok(s == 200 and "frame-ancestors *" in h.get(
    "Content-Security-Policy", ""), "/embed: 200 and framable by any site",
    "%s %s" % (s, h.get("Content-Security-Policy")))
raw = body.decode("utf-8")
fm.ok("<script" not in raw and "style=" not in raw and "<style" not in raw,
      "/embed: no script, no inline style")
dom, _ = chromium(url, "embed.png", "700,700")
li = dom.all("li", "feedmesh-item")
events = sorted((e for e in ENTRIES if e[1] == "event"), key=lambda e: e[2],
                reverse=True)
fm.is_eq([x.all("h3")[0].text() for x in li], [e[3] for e in events],
         "/embed?kind=event: the events, newest first")
fm.ok(li and all(x.all("span", "feedmesh-kind")[0].text() == "Event" and
                 x.all("time") and x.all("time")[0].attrs.get("datetime")
                 for x in li), "/embed?lang=en: English labels, <time>")
s, _, body = fm.http_get(node.url + "/embed?kind=job&lang=fr")
fm.ok(s == 200 and "Offre d\u2019emploi" in body.decode() and
      "&lt;b&gt;&amp;&quot;&#39;&lt;/b&gt;" in body.decode() and
      "<b>" not in body.decode(), "/embed?lang=fr: French labels, "
      "titles escaped")
s, _, _ = fm.http_get(node.url + "/embed?lang=de")
fm.is_eq(s, 400, "/embed?lang=de: 400")

# 3. The home page: filters, items, paging, without JavaScript.
s, h, body = fm.http_get(node.url + "/")
raw = body.decode("utf-8")
fm.ok(s == 200 and "frame-ancestors 'self'" in h.get(
    "Content-Security-Policy", "") and h.get("Content-Type", "").
    startswith("text/html"), "/: HTML with the CSP header")
fm.ok("<script" not in raw and "style=" not in raw and "<style" not in raw,
      "/: no script, no inline style")
dom, _ = chromium(node.url + "/?limit=5", "home.png", "1200,1100")
form = dom.all("form", "filters")
fm.ok(form and form[0].attrs.get("method") == "get" and
      [n.attrs.get("name") for n in form[0].all("select")] == ["kind"] and
      {n.attrs.get("name") for n in form[0].all("input")} >=
      {"q", "territory"}, "/: a GET form with kind, territory and search")
li = dom.all("li", "feedmesh-item")
fm.is_eq([x.all("h2")[0].text() for x in li],
         [e[3] for e in sorted(ENTRIES, key=lambda e: e[2],
                               reverse=True)[:5]],
         "/?limit=5: the 5 newest entries")
nxt = [a for a in dom.all("a") if a.attrs.get("rel") == "next"]
fm.ok(nxt and "before=" in nxt[0].attrs.get("href", ""),
      "/: a next link for the older entries")
if nxt:
    dom, _ = chromium(nxt[0].attrs["href"])
    fm.is_eq(len(dom.all("li", "feedmesh-item")), len(ENTRIES) - 5,
             "the next page holds the rest")
# What the form sends: blank fields, a chosen kind.
dom, _ = chromium(node.url + "/?q=&kind=event&territory=")
li = dom.all("li", "feedmesh-item")
sel = [o for o in dom.all("option") if "selected" in o.attrs]
fm.ok(len(li) == len(events) and sel and
      sel[0].attrs.get("value") == "event",
      "/?kind=event with blank fields: events only, kind kept selected")

# 4. The map page: Leaflet from the node, a marker per located actor.
s, h, body = fm.http_get(node.url + "/assets/leaflet/leaflet.js")
if s != 200:
    print("ok %d # SKIP libjs-leaflet not installed" % (fm._n + 1))
    fm._n += 1
else:
    dom, log = chromium(node.url + "/map", "map.png", "1200,900")
    box = dom.byid("map")
    markers = [n for n in dom.all("path") if "map-marker" in n.cls()]
    fm.ok(box is not None and box.attrs.get("data-markers") == "2" and
          len(markers) == 2, "/map: a marker per actor with a place",
          "data-markers=%s, paths=%d\n%s" % (
              box.attrs.get("data-markers") if box else None, len(markers),
              log[-2000:]))
s, _, body = fm.http_get(node.url + "/map")
raw = body.decode("utf-8")
fm.ok(s == 200 and "Coopérative La Fabrique" in raw and
      "Mois de l" not in raw, "/map without JavaScript: the actors listed")
s, h, _ = fm.http_get(node.url + "/assets/../../etc/passwd")
fm.ok(s in (400, 404), "/assets: no way out of assets_dir (%d)" % s)
s, h, body = fm.http_get(node.url + "/embed.js",
                         {"Accept-Encoding": "gzip"})
fm.ok(s == 200 and h.get("Content-Encoding") == "gzip" and
      zlib.decompress(body, 31).startswith(b"/*") and h.get("ETag"),
      "/embed.js: gzip, with an entity tag")
s, _, _ = fm.http_get(node.url + "/embed.js",
                      {"If-None-Match": h.get("ETag", "x")})
fm.is_eq(s, 304, "/embed.js: 304 when the client has it")

fm.done()
