# feedmesh tests: the benchmark harness runs end to end on a tiny corpus,
# so that it cannot rot. Its figures are not looked at: no timed assertion.
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "integration"))
import fm  # noqa: E402

SRCDIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

fm.watchdog(600)
out = os.path.join(tempfile.mkdtemp(prefix="feedmesh-bench-smoke."),
                   "BENCHMARKS.md")
r = subprocess.run(["/usr/bin/python3", os.path.join(SRCDIR, "bench", "run"),
                    "--smoke", "--out", out], capture_output=True, text=True,
                   timeout=540)
fm.ok(r.returncode == 0, "bench/run --smoke exits 0", r.stderr)
text = open(out).read() if os.path.exists(out) else ""
fm.ok(text.startswith("# feedmesh benchmarks"), "a report is written")
fm.ok("bench/run --smoke" in text, "the report says how to reproduce it")
rows = [l for l in text.splitlines() if l.startswith("| ") and
        not l.startswith("| scenario")]
# fetch and footprint need nginx (and curl); bench/run notes their absence.
NGINX = (shutil.which("nginx") or os.path.exists("/usr/sbin/nginx")) and \
    shutil.which("curl")
for sc in ("parse", "ingest", "query", "scale") + (("fetch", "footprint")
                                                   if NGINX else ()):
    fm.ok(any(l.startswith("| %s |" % sc) for l in rows),
          "scenario %s reported" % sc, text)
fm.ok(any("xmlReader pass" in l and l.rstrip(" |").split("|")[-1].strip()
          for l in rows), "ratios to the xmlReader pass computed", text)
fm.ok(any(l.startswith("| ingest | floor") and
          l.rstrip(" |").split("|")[-1].strip() for l in rows),
      "ingest's floor (SQLite and FTS5 alone) measured", text)
fm.ok(any(l.startswith("| ingest |") and "ingest_finish() alone" in l and
          l.rstrip(" |").split("|")[-1].strip() for l in rows),
      "ingest's store part alone (parse timed apart) measured", text)
fm.ok(any(l.startswith("| parse |") and "SAX2 pass" in l and
          l.rstrip(" |").split("|")[-1].strip() for l in rows),
      "parse compared with libxml2's SAX2 pass", text)
fm.ok(not NGINX or any(l.startswith("| fetch |") and "curl" in l and
                      l.rstrip(" |").split("|")[-1].strip() for l in rows),
      "fetch rates compared with curl's", text)
fm.ok(not NGINX or any(l.startswith("| footprint |") and "MB" in l
                       for l in rows), "resident memory reported", text)
fm.ok(any(l.startswith("| scale |") and "one host" in l and
          l.rstrip(" |").split("|")[-1].strip() for l in rows),
      "fetches over many hosts compared with one host", text)
fm.ok("Machine:" in text and "libxml2:" in text,
      "machine and versions recorded")
os.unlink(out)
fm.done()
