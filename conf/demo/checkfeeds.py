#!/usr/bin/python3
# feedmesh: checks the demo portals' feeds and lists what they co-publish.
#
# usage: checkfeeds.py [-q] FEEDS-DIRECTORY
#
# Each feed must be well-formed, every entry must carry a known kind, a
# valid territory path, an absolute permalink, parsable dates and points
# inside France; with python3-feedparser installed, the Atom and RSS feeds
# must also read without complaint. Then the entries that several feeds
# carry (same id, or same canonical permalink) are listed, with the
# number of distinct entries a federation of all three should end up with.
# Standard library only (feedparser is optional).

import email.utils
import json
import os
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET
from datetime import datetime

KINDS = {"news", "job", "event", "actor", "initiative", "legal", "resource"}
SCHEME_KIND = "https://feedmesh.org/ns/kind"
SCHEME_TERRITORY = "https://feedmesh.org/ns/territory"
TERRITORY = re.compile(r"^[a-z0-9-]+(/[a-z0-9-]+)*$")
TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid)$")

ATOM = "{http://www.w3.org/2005/Atom}"
CONTENT = "{http://purl.org/rss/1.0/modules/content/}"
GEORSS = "{http://www.georss.org/georss}"
XMLBASE = "{http://www.w3.org/XML/1998/namespace}base"

FEEDS = (
    ("region", "region/actualites.atom", "atom"),
    ("loire", "loire/portail.rss", "rss"),
    ("emploi", "emploi/offres.json", "json"),
)

errors = []


def fail(where, msg):
    errors.append("%s: %s" % (where, msg))


def canonical(url):
    """The deduplication key of a permalink, as PROTOCOL.md describes it."""
    u = urllib.parse.urlsplit(url)
    host = (u.hostname or "").lower()
    if u.port and not (u.scheme == "http" and u.port == 80 or
                       u.scheme == "https" and u.port == 443):
        host += ":%d" % u.port
    path = u.path or "/"
    if len(path) > 1 and path.endswith("/"):
        path = path.rstrip("/")
    query = [(k, v) for k, v in urllib.parse.parse_qsl(u.query, True)
             if not TRACKING.match(k)]
    return urllib.parse.urlunsplit((u.scheme.lower(), host, path,
                                    urllib.parse.urlencode(query), ""))


def check_entry(where, e):
    if e["kind"] not in KINDS:
        fail(where, "kind %r is not in the vocabulary" % e["kind"])
    if not e["territory"] or not TERRITORY.match(e["territory"]):
        fail(where, "territory %r is not a path" % e["territory"])
    if not e["id"]:
        fail(where, "no id")
    u = urllib.parse.urlsplit(e["link"] or "")
    if u.scheme not in ("http", "https") or not u.hostname:
        fail(where, "permalink %r is not absolute" % e["link"])
    if e["published"] is None:
        fail(where, "no parsable date")
    if e["geo"] is not None:
        lat, lon = e["geo"]
        # Metropolitan France, loosely.
        if not (41 <= lat <= 52 and -6 <= lon <= 10):
            fail(where, "point %s %s is not in France" % (lat, lon))


def rfc3339(s):
    try:
        return datetime.fromisoformat(s.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return None


def georss(element):
    """The georss:point of an entry as (lat, lon); out of range if bad."""
    text = element.findtext(GEORSS + "point")
    if text is None:
        return None
    try:
        lat, lon = (float(x) for x in text.split())
        return (lat, lon)
    except ValueError:
        return (999, 999)


def classify(e, scheme, term):
    """Reads kind and territory from a category in their schemes."""
    if scheme == SCHEME_KIND:
        e["kind"] = term
    elif scheme == SCHEME_TERRITORY:
        e["territory"] = term


def read_atom(path):
    root = ET.parse(path).getroot()
    base = root.get(XMLBASE)
    for entry in root.iter(ATOM + "entry"):
        e = {"id": entry.findtext(ATOM + "id"), "kind": None,
             "territory": None, "link": None, "geo": None,
             "title": entry.findtext(ATOM + "title")}
        for link in entry.findall(ATOM + "link"):
            if link.get("rel", "alternate") == "alternate":
                e["link"] = urllib.parse.urljoin(base or "", link.get("href"))
        for cat in entry.findall(ATOM + "category"):
            classify(e, cat.get("scheme"), cat.get("term"))
        e["published"] = rfc3339(entry.findtext(ATOM + "published"))
        if rfc3339(entry.findtext(ATOM + "updated")) is None:
            e["published"] = None
        if entry.find(ATOM + "content") is None:
            fail(e["id"], "no content")
        e["geo"] = georss(entry)
        yield e


def read_rss(path):
    root = ET.parse(path).getroot()
    for item in root.iter("item"):
        guid = item.find("guid")
        e = {"id": guid.text if guid is not None else None, "kind": None,
             "territory": None, "link": item.findtext("link"), "geo": None,
             "title": item.findtext("title")}
        if guid is not None and guid.get("isPermaLink") == "true" and \
                guid.text != e["link"]:
            fail(e["id"], "permalink guid differs from link")
        for cat in item.findall("category"):
            classify(e, cat.get("domain"), cat.text)
        try:
            e["published"] = email.utils.parsedate_to_datetime(
                item.findtext("pubDate"))
        except (TypeError, ValueError):
            e["published"] = None
        if item.find(CONTENT + "encoded") is None:
            fail(e["id"], "no content:encoded")
        e["geo"] = georss(item)
        yield e


def read_json(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    if doc.get("version") != "https://jsonfeed.org/version/1.1":
        fail(path, "not a JSON Feed 1.1 document")
    if not isinstance(doc.get("title"), str):
        fail(path, "no title")
    for item in doc.get("items", []):
        fm = item.get("_feedmesh", {})
        e = {"id": item.get("id"), "kind": fm.get("kind"),
             "territory": fm.get("territory"), "link": item.get("url"),
             "geo": None, "title": item.get("title")}
        if not isinstance(e["id"], str):
            fail(path, "item id %r is not a string" % (e["id"],))
        if "content_html" not in item and "content_text" not in item:
            fail(e["id"], "no content")
        e["published"] = rfc3339(item.get("date_published"))
        if "date_modified" in item and rfc3339(item["date_modified"]) is None:
            e["published"] = None
        geo = fm.get("geo")
        if geo is not None:
            e["geo"] = (geo.get("lat", 999), geo.get("lon", 999))
        yield e


def feedparser_check(path):
    try:
        import feedparser
    except ImportError:
        return
    d = feedparser.parse(path)
    if d.bozo or not d.entries:
        fail(path, "feedparser: %s" % d.get("bozo_exception", "no entries"))


def main():
    args = sys.argv[1:]
    quiet = args[:1] == ["-q"]
    if quiet:
        args = args[1:]
    if len(args) != 1:
        sys.exit("usage: checkfeeds.py [-q] FEEDS-DIRECTORY")
    readers = {"atom": read_atom, "rss": read_rss, "json": read_json}
    entries = []
    for name, rel, fmt in FEEDS:
        path = os.path.join(args[0], rel)
        try:
            got = list(readers[fmt](path))
        except (OSError, ET.ParseError, ValueError) as exc:
            fail(path, str(exc))
            continue
        if fmt != "json":
            feedparser_check(path)
        for e in got:
            check_entry("%s: %s" % (rel, e["id"]), e)
            e["portal"] = name
        entries.extend(got)
        if not quiet:
            print("%-24s %2d entries" % (rel, len(got)))

    # Union-find over "same id" and "same canonical permalink".
    parent = list(range(len(entries)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    seen = {}
    for i, e in enumerate(entries):
        for key in (("id", e["id"]), ("link", canonical(e["link"] or ""))):
            if key in seen:
                parent[find(i)] = find(seen[key])
            else:
                seen[key] = i
    groups = {}
    for i in range(len(entries)):
        groups.setdefault(find(i), []).append(entries[i])
    shared = [g for g in groups.values() if len(g) > 1]
    if not quiet:
        print("co-published entries: %d" % len(shared))
        for g in shared:
            print("  %s" % g[0]["title"])
            for e in g:
                print("    %-7s %s" % (e["portal"], e["id"]))
        print("distinct entries in all three feeds: %d" % len(groups))

    for msg in errors:
        print(msg, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
