# RFC 5005 archived feeds: a node holding entries over several months
# serves one archive document per UTC month (/feeds/archive/YYYY-MM.atom
# and .json) with fh:archive, current, prev-archive and next-archive
# links chained over the months that have entries, HTTP caching for past
# months, filters and keyset pages inside a month; python3-feedparser
# reads one; and a new peer node, whose next pages run out first,
# backfills every month through the prev-archive links.
import calendar
import json
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET

import feedparser

import fm

fm.watchdog(150)

A = "{http://www.w3.org/2005/Atom}"
FH = "{http://purl.org/syndication/history/1.0}"
PER_MONTH = 16


def month_add(y, m, k):
    n = y * 12 + (m - 1) + k
    return n // 12, n % 12 + 1


def get(url, headers=None):
    """(status, headers, body); never raises on HTTP codes."""
    req = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def links(root):
    return {ln.get("rel"): ln.get("href") for ln in root.findall(A + "link")}


# Four past months of entries and two in the current month (UTC).
now = time.gmtime()
cur = (now.tm_year, now.tm_mon)
months = [month_add(cur[0], cur[1], k) for k in (-5, -4, -2, -1)]
entries = []
for (y, m) in months:
    for i in range(PER_MONTH):
        entries.append({"id": "urn:arch:%04d-%02d:%d" % (y, m, i),
                        "updated": "%04d-%02d-%02dT10:%02d:00Z" %
                        (y, m, 1 + i, i),
                        "kind": "job" if i % 2 == 0 else "event"})
start = "%04d-%02d-01T00:00:0" % cur
for i in range(2):
    entries.append({"id": "urn:arch:current:%d" % i,
                    "updated": start + str(i + 1) + "Z", "kind": "job"})
TOTAL = len(entries)
name = ["%04d-%02d" % ym for ym in months]
current_name = "%04d-%02d" % cur

srv = fm.PeerServer()
srv.route("/feed.atom", body=fm.atom(entries).encode("utf-8"))
# One entry a page: a new peer's 50 next pages cannot hold the history.
a = fm.Node("arch-a", peers={"src": {"url": srv.url("/feed.atom")}},
            extra={"listing_limit": "1"}).start()
fm.wait_until(lambda: len(a.items("?limit=500")) == TOTAL, 20)
fm.ok(len(a.items("?limit=500")) == TOTAL,
      "node a holds %d entries over %d months" % (TOTAL, len(months) + 1))

base = a.url + "/feeds/archive/"
s, h, body = get(a.url + "/feeds/all.atom")
live = ET.fromstring(body)
fm.is_eq(links(live).get("prev-archive"), base + name[-1] + ".atom",
         "live listing: prev-archive is the newest past month")
fm.ok(live.find(FH + "archive") is None, "live listing: no fh:archive")

# The chain, from the newest past month back.
url, seen, ok_docs = links(live).get("prev-archive"), [], True
while url is not None and len(seen) < 10:
    s, h, body = get(url)
    if s != 200:
        ok_docs = False
        break
    root = ET.fromstring(body)
    ln = links(root)
    seen.append(url.rsplit("/", 1)[1])
    ids = [e.findtext(A + "id") for e in root.findall(A + "entry")]
    month = seen[-1][:7]
    ok_docs = ok_docs and root.find(FH + "archive") is not None and \
        ln.get("current") == a.url + "/feeds/all.atom" and \
        ln.get("self") == url and len(ids) == PER_MONTH and \
        all(i.startswith("urn:arch:" + month) for i in ids) and \
        "hub" not in ln and "next" not in ln
    url = ln.get("prev-archive")
fm.is_eq(seen, [n + ".atom" for n in reversed(name)],
         "prev-archive links chain the months with entries, newest first")
fm.ok(ok_docs, "each archive: fh:archive, current, self, its month's "
      "%d entries, no hub nor next" % PER_MONTH)

# next-archive: forward over the gap, then the current month.
s, h, body = get(base + name[1] + ".atom")
fm.is_eq(links(ET.fromstring(body)).get("next-archive"),
         base + name[2] + ".atom", "next-archive skips an empty month")
s, h, body = get(base + name[-1] + ".atom")
fm.is_eq(links(ET.fromstring(body)).get("next-archive"),
         base + current_name + ".atom",
         "the newest past month's next-archive: the current month")
s, h, body = get(base + current_name + ".atom")
root = ET.fromstring(body)
fm.ok(s == 200 and len(root.findall(A + "entry")) == 2 and
      "next-archive" not in links(root) and
      links(root).get("prev-archive") == base + name[-1] + ".atom",
      "current month: its entries, prev-archive, no next-archive")
fm.is_eq(h.get("Cache-Control"), "public, max-age=60",
         "current month: cached like listings")
s, h, body = get(base + name[0] + ".atom")
fm.ok("prev-archive" not in links(ET.fromstring(body)),
      "the oldest month has no prev-archive")
fm.is_eq(h.get("Cache-Control"), "public, max-age=86400",
         "a past month: cached for a day")
etag = h.get("ETag")
s2, _, _ = get(base + name[0] + ".atom", {"If-None-Match": etag})
fm.is_eq(s2, 304, "a past month revalidates with its ETag")
# A change elsewhere leaves a past month's document (and ETag) alone.
srv.route("/feed.atom", body=fm.atom(entries + [{
    "id": "urn:arch:current:late", "updated": start + "9Z"}]).encode())
fm.ok(fm.wait_until(lambda: len(a.items("?limit=500")) == TOTAL + 1, 20),
      "a new entry of the current month arrives")
s2, h2, _ = get(base + name[0] + ".atom", {"If-None-Match": etag})
fm.ok(s2 == 304 and h2.get("ETag") == etag,
      "a past month's ETag survives a change in another month")
TOTAL += 1

for bad in ("2000-01.atom", "2025-13.atom", "2025-1.atom", "2025-01.html",
            "2025-01.atom.x", "../all.atom"):
    s, _, _ = get(base + bad)
    fm.is_eq(s, 404, "archive %s: 404" % bad)
s, _, _ = get(base + name[0] + ".atom?q=emploi&sort=relevance")
fm.is_eq(s, 400, "archives refuse sort=relevance")

# Filters: the listing's parameters, links keep them.
s, h, body = get(base + name[0] + ".atom?kind=job")
root = ET.fromstring(body)
ln = links(root)
fm.ok(s == 200 and len(root.findall(A + "entry")) == PER_MONTH // 2,
      "kind=job: half of the month")
fm.is_eq(ln.get("current"), a.url + "/feeds/all.atom?kind=job",
         "filtered archive: current keeps the filter")
fm.is_eq(ln.get("next-archive"), base + name[1] + ".atom?kind=job",
         "filtered archive: next-archive keeps the filter")

# A month past a page's size is paged with the keyset cursor.
url, ids, pages = base + name[1] + ".atom?limit=5", [], 0
while url is not None and pages < 10:
    s, h, body = get(url)
    root = ET.fromstring(body)
    ids += [e.findtext(A + "id") for e in root.findall(A + "entry")]
    pages += 1
    nxt = links(root).get("next")
    fm.ok(root.find(FH + "archive") is not None and
          (nxt is None or nxt.startswith(base + name[1] + ".atom?")),
          "page %d of a month: an archive, next in the same month" % pages)
    url = nxt
fm.ok(pages == 4 and len(ids) == PER_MONTH and len(set(ids)) == PER_MONTH,
      "a month in pages of 5: %d pages, every entry once" % pages)

# JSON Feed: the same links in _feedmesh.
s, h, body = get(base + name[1] + ".json")
doc = json.loads(body)
ext = doc.get("_feedmesh", {})
fm.ok(s == 200 and ext.get("archive") is True and
      ext.get("current") == a.url + "/feeds/all.json" and
      ext.get("prev_archive") == base + name[0] + ".json" and
      ext.get("next_archive") == base + name[2] + ".json" and
      len(doc["items"]) == PER_MONTH and "hubs" not in doc,
      "JSON archive: _feedmesh archive, current, prev/next_archive")
fm.ok(not fm.jsonfeed_problems(doc), "JSON archive is valid JSON Feed")
s, h, body = get(a.url + "/feeds/all.json")
fm.is_eq(json.loads(body).get("_feedmesh", {}).get("prev_archive"),
         base + name[-1] + ".json", "JSON live listing: prev_archive")

# A feed reader's view.
s, h, body = get(base + name[2] + ".atom")
fp = feedparser.parse(body)
fm.ok(not fp.bozo and len(fp.entries) == PER_MONTH and
      any(ln.get("rel") == "prev-archive" for ln in fp.feed.links),
      "feedparser reads an archive document (%d entries)" %
      len(fp.entries))

# A new peer: 50 pages of one entry, then the archives.
b = fm.Node("arch-b", peers={"a": {"url": a.url + "/feeds/all.atom"}})
b.start()
fm.ok(fm.wait_until(lambda: len(b.items("?limit=500")) == TOTAL, 60),
      "a new peer node backfills every month (%d of %d entries)" %
      (len(b.items("?limit=500")), TOTAL))
fm.ok(b.wait_log("following its archives", 5),
      "it followed the prev-archive links after its next pages")
fm.ok(b.wait_log("backfill done (oldest archive reached)", 10),
      "down to the oldest archive")
got = {i["id"] for i in b.items("?limit=500")}
fm.ok(all(("urn:arch:%s:0" % n) in got for n in name),
      "the oldest entry of each month is there")

b.stop()
a.stop()
srv.stop()
fm.done()
