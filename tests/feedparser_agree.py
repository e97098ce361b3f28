#!/usr/bin/python3
# feedmesh tests: feedmeshctl parse and python3-feedparser agree on the
# parser corpus (tests/parse/compare-feedparser): on id, title, link,
# published, updated and author, every entry agrees or differs for a
# reason PROTOCOL.md gives, and the entries agree as they are at least as
# often as the floors below (the issue asks 98%; link and published stay
# under it by deliberate differences, PROTOCOL.md section 2.3).
import json
import os
import subprocess
import sys

FIELDS = ("id", "title", "link", "published", "updated", "author")
MIN_PERCENT = 100.0
# Raw agreement, explained differences left out, per field: what the
# corpus reaches (429 entry pairs), so that any new difference shows.
MIN_RAW_PERCENT = {"id": 98.0, "title": 98.0, "link": 96.5,
                   "published": 95.9, "updated": 99.0, "author": 98.0}


def main():
    try:
        import feedparser  # noqa: F401
    except ImportError:
        print("1..0 # SKIP python3-feedparser not installed")
        return 0
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    build = os.environ.get("FEEDMESH_BUILDDIR", os.getcwd())
    r = subprocess.run([os.path.join(top, "tests", "parse",
                                     "compare-feedparser"), "--json",
                        "--feedmeshctl", os.path.join(build, "feedmeshctl")],
                       capture_output=True, timeout=600)
    n = 0
    failed = 0

    def ok(cond, what):
        nonlocal n, failed
        n += 1
        print("%s %d - %s" % ("ok" if cond else "not ok", n, what))
        failed += 0 if cond else 1

    ok(r.returncode == 0, "compare-feedparser ran: %s" %
       r.stderr.decode(errors="replace").strip()[-200:])
    if r.returncode != 0:
        print("1..%d" % n)
        return 1
    res = json.loads(r.stdout)
    ok(res["documents"] >= 300, "%d documents compared (%d JSON Feed "
       "skipped)" % (res["documents"], res["skipped_json"]))
    for f in FIELDS:
        c = res["fields"][f]
        tot = c["agree"] + c["explained"] + c["differ"]
        pct = 100.0 * (c["agree"] + c["explained"]) / tot
        raw = 100.0 * c["agree"] / tot
        ok(pct >= MIN_PERCENT, "%s: %.1f%% agree or explained (%d agree, "
           "%d explained, %d differ)" % (f, pct, c["agree"], c["explained"],
                                         c["differ"]))
        ok(c["differ"] == 0, "%s: no unexplained difference" % f)
        ok(raw >= MIN_RAW_PERCENT[f], "%s: %.1f%% agree as they are "
           "(floor %.1f%%)" % (f, raw, MIN_RAW_PERCENT[f]))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
