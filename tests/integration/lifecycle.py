# SIGHUP adds and removes peers and refuses an invalid configuration; a
# restart keeps entries and fetch state; -n checks the configuration.
import os
import signal
import subprocess

import fm

fm.watchdog(120)
srv = fm.PeerServer()
srv.route("/one.atom", body=fm.atom([{"id": "tag:one,2026:1"}], "urn:one"),
          etag='"one-1"')
srv.route("/two.atom", body=fm.atom([{"id": "tag:two,2026:1"},
                                     {"id": "tag:two,2026:2"}], "urn:two"),
          etag='"two-1"')

node = fm.Node("region", peers={"one": {"url": srv.url("/one.atom")}})

r = subprocess.run([fm.FEEDMESHD, "-n", "-f", node.conf],
                   capture_output=True, text=True, timeout=10)
fm.ok(r.returncode == 0 and "configuration OK" in r.stdout,
      "feedmeshd -n accepts a good configuration", r.stdout + r.stderr)

node.start()
fm.ok(fm.wait_until(lambda: len(node.items()) == 1, 10),
      "the first peer is pulled")

# SIGHUP: a new peer is added without dropping the listener.
node.set_peer("two", url=srv.url("/two.atom"))
node.signal(signal.SIGHUP)
fm.ok(fm.wait_until(lambda: len(node.items()) == 3, 10),
      "SIGHUP adds a peer", node.logtext())
fm.ok("two" in node.peers(), "feedmeshctl peers lists the new peer")
ps = node.peers()
fm.ok(ps.get("one", {}).get("entries") == 1 and
      ps.get("two", {}).get("entries") == 2,
      "feedmeshctl peers counts each peer's entries", ps)

# An invalid configuration is refused and the old one keeps running.
with open(node.conf, "a") as f:
    f.write("no_such_key = 1\n")
node.signal(signal.SIGHUP)
fm.ok(node.wait_log("reload refused"), "an invalid reload is refused",
      node.logtext())
fm.ok("no_such_key" in node.logtext() and "feedmesh.conf:" in
      node.logtext(), "the log names the file, line and key")
n = len(srv.hits("/two.atom"))
fm.ok(node.healthy() and fm.wait_until(
    lambda: len(srv.hits("/two.atom")) > n + 1, 10),
    "the old configuration keeps running")
with open(node.conf) as f:
    lines = [l for l in f if not l.startswith("no_such_key")]
with open(node.conf, "w") as f:
    f.writelines(lines)

# SIGHUP removes a peer: it is no longer polled.
node.remove_peer("one")
r = node.ctl("reload")
fm.ok(r.returncode == 0, "feedmeshctl reload", r.stdout + r.stderr)
fm.ok(fm.wait_until(lambda: "one" not in node.peers(), 5),
      "reload removes the peer")
n = len(srv.hits("/one.atom"))
fm.wait_until(lambda: len(srv.hits("/two.atom")) >= 4, 10)
fm.is_eq(len(srv.hits("/one.atom")), n, "a removed peer is not polled")

# Restart: entries and fetch state (the ETag) survive.
fm.is_eq(node.stop(), 0, "SIGTERM stops the daemon")
before = len(srv.hits("/two.atom"))
node.start()
fm.is_eq(len(node.items()), 3, "entries survive a restart")
fm.ok(fm.wait_until(lambda: len(srv.hits("/two.atom")) > before, 10),
      "polling resumes after a restart")
fm.is_eq(node.peers().get("two", {}).get("entries"), 2,
         "after a restart, the count is read from the store")
first = srv.hits("/two.atom")[before]
fm.is_eq(first[2].get("If-None-Match"), '"two-1"',
         "the first poll after a restart is conditional (state kept)")

r = node.ctl("status")
fm.ok(r.returncode == 0 and "region" in r.stdout and "entries:    3" in
      r.stdout, "feedmeshctl status", r.stdout + r.stderr)
srv.route("/two.atom", body=fm.atom([{"id": "tag:two,2026:1"},
                                     {"id": "tag:two,2026:2"},
                                     {"id": "tag:two,2026:3"}], "urn:two"),
          etag='"two-2"')
r = node.ctl("fetch", "two")
fm.ok(r.returncode == 0, "feedmeshctl fetch", r.stdout + r.stderr)
fm.ok(fm.wait_until(lambda: node.peers().get("two", {}).get("entries") == 3,
                    10), "a new entry of the peer is counted",
      node.peers().get("two"))
r = node.ctl("fetch", "nobody")
fm.ok(r.returncode != 0 and "no such peer" in r.stderr,
      "feedmeshctl fetch of an unknown peer fails clearly", r.stderr)
node.stop()

# Detached mode: the daemon writes its pidfile and stops by it.
d = subprocess.run([fm.FEEDMESHD, "-f", node.conf], capture_output=True,
                   text=True, timeout=10)
pidfile = os.path.join(node.dir, "feedmeshd.pid")
fm.ok(d.returncode == 0 and fm.wait_until(
    lambda: os.path.exists(pidfile) and open(pidfile).read().strip(), 5),
    "without -d the daemon detaches and writes its pidfile", d.stderr)
try:
    pid = int(open(pidfile).read())
    fm.ok(fm.wait_until(lambda: fm.http_get(node.url + "/health")[0] == 200,
                        10), "the detached daemon serves")
    os.kill(pid, signal.SIGTERM)
    fm.ok(fm.wait_until(lambda: not os.path.exists(pidfile), 10),
          "SIGTERM removes the pidfile")
except (OSError, ValueError) as e:
    fm.ok(False, "detached daemon: %s" % e)
fm.done()
