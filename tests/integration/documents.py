# What the pulling loop hands to the parser: the HTTP charset, the URL
# after redirects as the base of relative links; an empty or non-feed
# body is a failure that says why, not a crash or a silent success.
import fm

fm.watchdog(60)
srv = fm.PeerServer()
latin1 = ("<rss version=\"2.0\"><channel><title>Portail</title>"
          "<link>http://portail.example/</link>"
          "<item><guid>tag:latin1,1</guid><title>Économie solidaire à "
          "Roanne</title><link>actu/1.html</link></item>"
          "</channel></rss>").encode("iso-8859-1")
srv.route("/old/feed.rss", status=302, body="",
          headers={"Location": "/dir/feed.rss"})
srv.route("/dir/feed.rss", body=latin1,
          ctype="application/rss+xml; charset=iso-8859-1")
srv.route("/empty.atom", body="")
srv.route("/html.atom", body="<html><body>Pas un flux</body></html>",
          ctype="text/html")

node = fm.Node("loire", peers={
    "latin1": {"url": srv.url("/old/feed.rss")},
    "empty": {"url": srv.url("/empty.atom")},
    "html": {"url": srv.url("/html.atom")},
}).start()

fm.ok(fm.wait_until(lambda: len(node.items()) == 1, 10), "entry stored")
items = node.items()
if items:
    fm.is_eq(items[0]["title"], "Économie solidaire à Roanne",
             "the HTTP charset decodes ISO-8859-1 bytes")
    fm.is_eq(items[0].get("url"), srv.url("/dir/actu/1.html"),
             "relative links resolve against the URL after redirects")
fm.ok(fm.wait_until(lambda: node.peers().get("empty", {}).get("failures",
                                                              0) > 0, 10),
      "an empty 200 is a failure", node.peers().get("empty"))
p = node.peers().get("html", {})
fm.ok(fm.wait_until(lambda: "not a feed" in (node.peers().get("html", {})
                                             .get("last_error") or ""), 10),
      "an HTML page is reported as not a feed", p)
fm.ok(node.healthy(), "the node keeps serving")
fm.is_eq(node.stop(), 0, "clean stop")
fm.done()
