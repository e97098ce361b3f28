#!/usr/bin/python3
# feedmesh tests: python3-feedparser, a widely used feed reader library,
# reads the Atom that render_test writes without complaint (bozo=0).
import os
import subprocess
import sys
import tempfile

n = 0
failed = 0


def ok(cond, what):
    global n, failed
    n += 1
    print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
    if not cond:
        failed += 1


def main():
    try:
        import feedparser
    except ImportError:
        print("1..0 # SKIP python3-feedparser not installed")
        return 0
    prog = os.path.join(os.getcwd(), "tests", "render_test")
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([prog, "-w", tmp], timeout=60)
        ok(r.returncode == 0, "render_test -w wrote the documents")
        if r.returncode != 0:
            print("1..%d" % n)
            return 1
        d = feedparser.parse(os.path.join(tmp, "feed.atom"))
        ok(d.bozo == 0, "feed.atom: bozo=0 %s" % d.get("bozo_exception", ""))
        ok(d.version == "atom10", "read as Atom 1.0 (%s)" % d.version)
        ok(d.feed.title == "N\u0153ud <ESS> & co", "feed title")
        rels = {link.rel: link.href for link in d.feed.links}
        ok(rels.get("hub") == "https://hub.example/", "hub link")
        ok(rels.get("next") == "https://node.example/feeds/all.atom?page=2",
           "next link")
        ok(len(d.entries) == 2, "two entries (the tombstone is not one)")
        e = d.entries[0]
        ok(e.id == "tag:example.org,2026:job/1?a=1&b=2", "entry id")
        ok(e.title.startswith("Caf\u00e9 & <b>\"solidaire\"</b>"),
           "entry title %r" % e.title)
        ok(e.link == "https://example.org/emploi/1?a=1&b=2", "permalink")
        terms = [t.term for t in e.tags]
        ok("job" in terms and "insertion" in terms, "categories %r" % terms)
        ok(e.get("where", {}).get("coordinates") == (4.3872, 45.4397),
           "georss point %r" % e.get("where"))
        ok(e.get("media_thumbnail", [{}])[0].get("url") ==
           "https://example.org/i.png", "media thumbnail")
        encl = [link for link in e.links if link.rel == "enclosure"]
        ok(len(encl) == 1 and encl[0].length == "1234", "enclosure")
        ok(e.authors[0].get("name") == "Cress AURA" and
           e.authors[0].get("email") == "contact@example.org",
           "author %r" % e.get("authors"))
        ok(d.feed.get("author_detail", {}).get("name") ==
           "N\u0153ud <ESS> & co", "feed author for entries without one")
        d = feedparser.parse(os.path.join(tmp, "empty.atom"))
        ok(d.bozo == 0 and len(d.entries) == 0, "empty.atom: bozo=0")
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        rc = main()
    except Exception as exc:
        ok(False, "feedparser check raised %r" % exc)
        print("1..%d" % n)
        rc = 1
    sys.exit(rc)
