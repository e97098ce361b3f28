#!/usr/bin/python3
# feedmesh tests: writes the generated part of the parser corpus, small
# documents each named for the one thing it checks (formats and versions,
# extensions, dates, encodings, xml:base, ill-formed input, sanitizing).
# The documents are committed; run this again after changing a case, then
# `UPDATE_EXPECTED=1 tests/parse_test` and review the expectations by eye.
# Hand-written fixtures (those this script does not name) are left alone.
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# The hand-written fixtures, never overwritten.
HAND = ("atom03", "atom10-basic", "atom10-georss", "atom10-source",
        "atom10-text-types", "atom10-tombstone", "atom10-xhtml",
        "atom10-xmlbase", "bom-utf16", "bom-utf8", "cdata", "enclosures",
        "html-entities", "illformed", "invalid-utf8", "iso88591-http",
        "json-bad-version", "json-feedmesh", "json-relative", "json10",
        "json11", "not-a-feed", "relative-links", "rss-title-html",
        "rss091", "rss10-rdf", "rss20-basic", "rss20-dublincore",
        "rss20-geo", "rss20-kind-territory", "truncated", "windows1252")

NS = {
    "dc": 'xmlns:dc="http://purl.org/dc/elements/1.1/"',
    "dcterms": 'xmlns:dcterms="http://purl.org/dc/terms/"',
    "content": 'xmlns:content="http://purl.org/rss/1.0/modules/content/"',
    "media": 'xmlns:media="http://search.yahoo.com/mrss/"',
    "georss": 'xmlns:georss="http://www.georss.org/georss"',
    "gml": 'xmlns:gml="http://www.opengis.net/gml"',
    "geo": 'xmlns:geo="http://www.w3.org/2003/01/geo/wgs84_pos#"',
    "atom": 'xmlns:atom="http://www.w3.org/2005/Atom"',
}
DECL = '<?xml version="1.0" encoding="utf-8"?>\n'
SITE = "https://asso.example.org"

cases = {}


def add(name, data, options=None):
    """Records one document; data is str (UTF-8) or bytes."""
    stem = name[:name.rindex(".")]
    if stem in HAND or any(n[:n.rindex(".")] == stem for n in cases):
        sys.exit("make-corpus: %s twice" % name)
    if isinstance(data, str):
        data = data.encode("utf-8")
    cases[name] = (data, options)


def nsdecl(names):
    return "".join(" " + NS[n] for n in names)


def rss(items, chan="", ns=(), version="2.0", decl=DECL, title="Flux"):
    return ('%s<rss version="%s"%s>\n<channel>\n<title>%s</title>\n'
            '<link>%s/</link>\n<description>Nouvelles</description>\n'
            '%s%s</channel>\n</rss>\n' % (decl, version, nsdecl(ns), title,
                                          SITE, chan, items))


def item(body="", title="Article", link=SITE + "/a/1", guid=None):
    s = "<item>\n"
    if title is not None:
        s += "<title>%s</title>\n" % title
    if link is not None:
        s += "<link>%s</link>\n" % link
    if guid is not None:
        s += "<guid>%s</guid>\n" % guid
    return s + body + "</item>\n"


def atom(entries, feed="", ns=(), attrs="", decl=DECL):
    return ('%s<feed xmlns="http://www.w3.org/2005/Atom"%s%s>\n'
            '<title>Flux Atom</title>\n<id>urn:uuid:feed-1</id>\n'
            '<link href="%s/"/>\n<updated>2026-11-24T10:00:00Z</updated>\n'
            '%s%s</feed>\n' %
            (decl, nsdecl(ns), attrs, SITE, feed, entries))


def entry(body="", title="Entrée", eid="urn:uuid:e-1",
          link=SITE + "/e/1", updated="2026-11-24T09:00:00Z"):
    s = "<entry>\n"
    if title is not None:
        s += "<title>%s</title>\n" % title
    if eid is not None:
        s += "<id>%s</id>\n" % eid
    if link is not None:
        s += '<link rel="alternate" type="text/html" href="%s"/>\n' % link
    if updated is not None:
        s += "<updated>%s</updated>\n" % updated
    return s + body + "</entry>\n"


def rdf(items, chan="", ns=(), rssns="http://purl.org/rss/1.0/"):
    return ('%s<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax'
            '-ns#" xmlns="%s"%s>\n<channel rdf:about="%s/">\n'
            '<title>Flux RDF</title>\n<link>%s/</link>\n'
            '<description>d</description>\n%s</channel>\n%s</rdf:RDF>\n' %
            (DECL, rssns, nsdecl(ns), SITE, SITE, chan, items))


def rdfitem(body="", title="Article RDF", link=SITE + "/r/1"):
    return ('<item rdf:about="%s">\n<title>%s</title>\n<link>%s</link>\n'
            '%s</item>\n' % (link, title, link, body))


def jsonfeed(items, version="1.1", **top):
    d = {"version": "https://jsonfeed.org/version/%s" % version,
         "title": "Flux JSON", "home_page_url": SITE + "/"}
    d.update(top)
    d["items"] = items
    return json.dumps(d, ensure_ascii=False, indent=1) + "\n"


def atom03(entries, feed=""):
    return ('%s<feed version="0.3" xmlns="http://purl.org/atom/ns#">\n'
            '<title>Flux Atom 0.3</title>\n'
            '<link rel="alternate" type="text/html" href="%s/"/>\n'
            '<modified>2026-11-24T10:00:00Z</modified>\n%s%s</feed>\n' %
            (DECL, SITE, feed, entries))


def entry03(body="", title="Entrée 0.3", eid="tag:asso.example.org,2026:1",
            link=SITE + "/o/1"):
    return ('<entry>\n<title>%s</title>\n<id>%s</id>\n'
            '<link rel="alternate" type="text/html" href="%s"/>\n'
            '<issued>2026-11-24T09:00:00+01:00</issued>\n'
            '<modified>2026-11-24T10:00:00Z</modified>\n%s</entry>\n' %
            (title, eid, link, body))


# ---------------------------------------------------------------------
# Formats and versions.

add("rss090-basic.rdf", rdf(rdfitem(), rssns="http://my.netscape.com/rdf/"
                            "simple/0.9/").replace(
    '<channel rdf:about="%s/">' % SITE, "<channel>").replace(
    '<item rdf:about="%s/r/1">' % SITE, "<item>"))
add("rss091-netscape.rss",
    '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE rss PUBLIC '
    '"-//Netscape Communications//DTD RSS 0.91//EN" '
    '"http://my.netscape.com/publish/formats/rss-0.91.dtd">\n' +
    rss(item("<description>Texte</description>\n"), version="0.91",
        chan="<language>fr</language>\n", decl=""))
add("rss091-userland.rss", rss(item("<description>Texte</description>\n"),
                               version="0.91"))
add("rss092-basic.rss", rss(item(
    '<description>Texte &lt;b&gt;gras&lt;/b&gt;</description>\n'
    '<category domain="http://x.example/">Vie locale</category>\n'
    '<enclosure url="%s/a.mp3" length="1234" type="audio/mpeg"/>\n'
    '<source url="%s/src.xml">Source</source>\n' % (SITE, SITE)),
    version="0.92"))
add("rss092-item-without-title.rss", rss(item(
    "<description>Seulement une description</description>\n", title=None),
    version="0.92"))
add("rss093-basic.rss", rss(item("<description>Texte</description>\n"
                                 "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT"
                                 "</pubDate>\n"), version="0.93"))
add("rss094-basic.rss", rss(item(
    '<description>Texte</description>\n<guid isPermaLink="true">%s/a/94'
    '</guid>\n<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>\n' % SITE,
    link=None), version="0.94"))
add("rss20-minimal.rss", rss(item()))
add("rss20-no-version.rss", rss(item()).replace(' version="2.0"', ""))
add("rss20-userland-namespace.rss", rss(item()).replace(
    '<rss version="2.0"',
    '<rss version="2.0" xmlns="http://backend.userland.com/rss2"'))
add("rss20-empty-channel.rss", rss(""))
add("rss20-many-items.rss", rss("".join(
    item(title="Article %d" % i, link="%s/a/%d" % (SITE, i),
         body="<pubDate>Tue, %02d Nov 2026 10:00:00 GMT</pubDate>\n" % i)
    for i in range(1, 21))))
add("rss10-basic.rdf", rdf(rdfitem("<description>Résumé</description>\n")))
add("rss10-items-seq.rdf", rdf(
    rdfitem(title="Un", link=SITE + "/r/1") +
    rdfitem(title="Deux", link=SITE + "/r/2"),
    chan='<items><rdf:Seq><rdf:li resource="%s/r/1"/><rdf:li resource='
         '"%s/r/2"/></rdf:Seq></items>\n' % (SITE, SITE)))
add("rss10-content-encoded.rdf", rdf(rdfitem(
    "<description>Court</description>\n<content:encoded><![CDATA[<p>Long "
    "<em>texte</em></p>]]></content:encoded>\n"), ns=("content",)))
add("rdf-dc-creator.rdf", rdf(rdfitem(
    "<dc:creator>Marie Curie</dc:creator>\n"), ns=("dc",)))
add("rdf-dc-date.rdf", rdf(rdfitem(
    "<dc:date>2026-11-24T10:00:00+01:00</dc:date>\n"), ns=("dc",)))
add("rdf-dc-subject.rdf", rdf(rdfitem(
    "<dc:subject>Économie sociale</dc:subject>\n"), ns=("dc",)))
add("rdf-dc-identifier.rdf", rdf(rdfitem(
    "<dc:identifier>urn:isbn:123</dc:identifier>\n"), ns=("dc",)))
add("rdf-dc-language.rdf", rdf(rdfitem(), ns=("dc",),
                               chan="<dc:language>fr-FR</dc:language>\n"))
add("rdf-channel-dc-date.rdf", rdf(rdfitem(), ns=("dc",),
                                   chan="<dc:date>2026-11-24T10:00:00Z"
                                        "</dc:date>\n"))
add("rdf-item-about-only.rdf", rdf('<item rdf:about="%s/r/9">\n<title>Sans '
                                   'lien</title>\n</item>\n' % SITE))
add("atom10-minimal.atom", atom(entry()))
add("atom10-no-entries.atom", atom(""))
add("atom10-many-entries.atom", atom("".join(
    entry(title="Entrée %d" % i, eid="urn:uuid:e-%d" % i,
          link="%s/e/%d" % (SITE, i),
          updated="2026-11-%02dT10:00:00Z" % i) for i in range(1, 16))))
add("atom10-published-and-updated.atom", atom(entry(
    "<published>2026-11-20T08:00:00+01:00</published>\n")))
add("atom10-summary-only.atom", atom(entry(
    "<summary>Un résumé</summary>\n")))
add("atom10-content-text.atom", atom(entry(
    '<content type="text">Texte &lt;pas du HTML&gt;</content>\n')))
add("atom10-content-html.atom", atom(entry(
    '<content type="html">&lt;p&gt;Du &lt;b&gt;HTML&lt;/b&gt;&lt;/p&gt;'
    '</content>\n')))
add("atom10-xhtml-content.atom", atom(entry(
    '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
    '<p>Du <em>XHTML</em> en ligne</p></div></content>\n')))
add("atom10-xhtml-prefixed.atom", atom(entry(
    '<content type="xhtml"><xh:div xmlns:xh="http://www.w3.org/1999/xhtml">'
    '<xh:p>Préfixé <xh:b>gras</xh:b></xh:p></xh:div></content>\n')))
add("atom10-content-src.atom", atom(entry(
    '<summary>Voir ailleurs</summary>\n<content type="video/mp4" '
    'src="%s/v.mp4"/>\n' % SITE)))
add("atom10-content-base64.atom", atom(entry(
    '<summary>Image</summary>\n<content type="image/png">iVBORw0KGgo='
    '</content>\n')))
add("atom10-content-mime-html.atom", atom(entry(
    '<content type="text/html">&lt;p&gt;Type MIME&lt;/p&gt;</content>\n')))
add("atom10-content-mime-plain.atom", atom(entry(
    '<content type="text/plain">Texte &amp; MIME</content>\n')))
add("atom10-title-html.atom", atom(entry(
    title='<![CDATA[Des <em>mots</em> &amp; des choses]]>').replace(
    "<title><![CDATA", '<title type="html"><![CDATA')))
add("atom10-title-xhtml.atom", atom(entry(title=None) .replace(
    "<entry>\n", '<entry>\n<title type="xhtml"><div xmlns="http://www.w3.org/'
    '1999/xhtml">Titre <b>XHTML</b></div></title>\n')))
add("atom10-title-text-markup.atom", atom(entry(
    title="Moins &lt; plus &amp; égal")))
add("atom10-title-whitespace.atom", atom(entry(
    title="\n   Titre   sur\n   plusieurs   lignes\n")))
add("atom10-link-no-rel.atom", atom(entry(link=None) .replace(
    "</entry>", '<link href="%s/e/norel"/>\n</entry>' % SITE)))
add("atom10-link-multiple.atom", atom(entry(link=None).replace(
    "</entry>", '<link rel="enclosure" type="audio/mpeg" length="99" '
    'href="%s/p.mp3"/>\n<link rel="related" href="%s/rel"/>\n'
    '<link rel="alternate" type="text/html" href="%s/e/alt"/>\n'
    '<link rel="replies" type="application/atom+xml" href="%s/c.atom"/>\n'
    '</entry>' % (SITE, SITE, SITE, SITE))))
add("atom10-link-alternate-types.atom", atom(entry(link=None).replace(
    "</entry>", '<link rel="alternate" type="application/pdf" '
    'href="%s/e/1.pdf"/>\n<link rel="alternate" type="text/html" '
    'href="%s/e/1.html"/>\n</entry>' % (SITE, SITE))))
add("atom10-link-enclosure.atom", atom(entry(
    '<link rel="enclosure" type="image/jpeg" length="2048" '
    'href="%s/photo.jpg"/>\n' % SITE)))
add("atom10-link-self-only.atom", atom(entry(link=None).replace(
    "</entry>", '<link rel="self" href="%s/e/self.atom"/>\n</entry>' %
    SITE)))
add("atom10-author-full.atom", atom(entry(
    "<author><name>Louise Michel</name><email>louise@example.org</email>"
    "<uri>https://louise.example.org/</uri></author>\n")))
add("atom10-author-email-only.atom", atom(entry(
    "<author><email>anonyme@example.org</email></author>\n")))
add("atom10-author-multiple.atom", atom(entry(
    "<author><name>Première</name></author>\n<author><name>Seconde</name>"
    "</author>\n")))
add("atom10-author-inherited.atom", atom(entry(), feed=
    "<author><name>Réseau</name></author>\n"))
add("atom10-author-entry-overrides-feed.atom", atom(entry(
    "<author><name>Entrée</name></author>\n"), feed=
    "<author><name>Réseau</name></author>\n"))
add("atom10-contributor.atom", atom(entry(
    "<contributor><name>Aide</name></contributor>\n")))
add("atom10-category-term-scheme-label.atom", atom(entry(
    '<category term="ess" scheme="https://asso.example.org/tags" '
    'label="Économie sociale"/>\n<category term="coop"/>\n')))
add("atom10-source-full.atom", atom(entry(
    "<source><id>urn:uuid:origin</id><title>Flux d'origine</title>"
    '<link href="https://origin.example.org/"/><updated>2026-11-01T00:00:00Z'
    "</updated><author><name>Origine</name></author></source>\n")))
add("atom10-source-author-not-entry.atom", atom(entry(
    "<source><title>Origine</title><author><name>Auteur de la source</name>"
    "</author></source>\n")))
add("atom10-rights-and-generator.atom", atom(entry(
    "<rights>CC BY-SA</rights>\n"), feed='<rights>© Réseau</rights>\n'
    '<generator uri="https://wordpress.org/">WordPress</generator>\n'))
add("atom10-feed-icon-logo.atom", atom(entry(), feed=
    "<icon>/favicon.ico</icon>\n<logo>%s/logo.png</logo>\n" % SITE))
add("atom10-feed-subtitle.atom", atom(entry(), feed=
    "<subtitle type=\"html\">&lt;b&gt;Sous-titre&lt;/b&gt;</subtitle>\n"))
add("atom10-no-id.atom", atom(entry(eid=None)))
add("atom10-no-link.atom", atom(entry(link=None)))
add("atom10-no-title.atom", atom(entry(title=None)))
add("atom10-no-updated.atom", atom(entry(updated=None)))
add("atom10-id-whitespace.atom", atom(entry(eid="\n  urn:uuid:spaced  \n")))
add("atom10-id-url.atom", atom(entry(eid=SITE + "/e/1")))
add("atom10-default-prefix.atom", atom(entry()).replace(
    'xmlns="http://www.w3.org/2005/Atom"',
    'xmlns:a="http://www.w3.org/2005/Atom"').replace("<", "<a:").replace(
    "<a:/", "</a:").replace("<a:?xml", "<?xml"))
add("atom10-unknown-extension.atom", atom(entry(
    '<x:rating xmlns:x="http://x.example/ns">5</x:rating>\n'
    '<x:title xmlns:x="http://x.example/ns">Pas le titre</x:title>\n')))
add("atom03-basic.atom", atom03(entry03(
    '<summary>Résumé</summary>\n<author><name>Jean</name>'
    '<email>jean@example.org</email></author>\n')))
add("atom03-content-escaped.atom", atom03(entry03(
    '<content type="text/html" mode="escaped">&lt;p&gt;Échappé&lt;/p&gt;'
    '</content>\n')))
add("atom03-content-xml.atom", atom03(entry03(
    '<content type="application/xhtml+xml" mode="xml"><div xmlns="http://'
    'www.w3.org/1999/xhtml"><p>En <b>ligne</b></p></div></content>\n')))
add("atom03-content-base64.atom", atom03(entry03(
    '<summary>S</summary>\n<content type="text/html" mode="base64">'
    'PHA+YmFzZTY0PC9wPg==</content>\n')))
add("atom03-created.atom", atom03(entry03(
    "<created>2026-11-23T09:00:00Z</created>\n")))
add("atom03-feed-author.atom", atom03(entry03(), feed=
    "<author><name>Auteur du flux</name></author>\n"))
add("atom03-tagline.atom", atom03(entry03(), feed=
    "<tagline>Slogan</tagline>\n<id>tag:asso.example.org,2026:feed</id>\n"))

# JSON Feed.
J1 = {"id": "j1", "url": SITE + "/j/1", "title": "Élément",
      "content_html": "<p>Contenu</p>",
      "date_published": "2026-11-24T10:00:00+01:00"}


def jitem(**kw):
    d = dict(J1)
    for k, v in kw.items():
        if v is None:
            d.pop(k, None)
        else:
            d[k] = v
    return d


add("jsonfeed10-minimal.json", jsonfeed([jitem()], version="1"))
add("jsonfeed11-minimal.json", jsonfeed([jitem()]))
add("jsonfeed10-author.json", jsonfeed([jitem(author={
    "name": "Ada", "url": "https://ada.example.org/"})], version="1"))
add("jsonfeed11-authors.json", jsonfeed([jitem(authors=[
    {"name": "Ada"}, {"name": "Grace", "url": "mailto:g@example.org"}])]))
add("jsonfeed11-feed-authors.json", jsonfeed([jitem()],
                                             authors=[{"name": "Flux"}]))
add("jsonfeed11-content-text.json", jsonfeed([jitem(
    content_html=None, content_text="Texte <brut> & simple")]))
add("jsonfeed11-content-both.json", jsonfeed([jitem(
    content_text="Texte", content_html="<p>HTML</p>")]))
add("jsonfeed11-summary.json", jsonfeed([jitem(summary="Résumé")]))
add("jsonfeed11-tags.json", jsonfeed([jitem(tags=["ess", "coop", ""])]))
add("jsonfeed11-attachments.json", jsonfeed([jitem(attachments=[
    {"url": "/a.mp3", "mime_type": "audio/mpeg", "size_in_bytes": 1000,
     "duration_in_seconds": 60},
    {"url": "javascript:alert(1)", "mime_type": "text/html"}])]))
add("jsonfeed11-image.json", jsonfeed([jitem(
    image="/i.png", banner_image=SITE + "/b.png")]))
add("jsonfeed11-external-url.json", jsonfeed([jitem(
    external_url="https://ailleurs.example.org/x")]))
add("jsonfeed11-date-modified.json", jsonfeed([jitem(
    date_modified="2026-11-25T10:00:00Z")]))
add("jsonfeed11-date-bad.json", jsonfeed([jitem(
    date_published="le 24 du mois")]))
add("jsonfeed11-id-number.json", jsonfeed([jitem(id=42)]))
add("jsonfeed11-no-id.json", jsonfeed([jitem(id=None)]))
add("jsonfeed11-language.json", jsonfeed([jitem(language="de")],
                                         language="fr"))
add("jsonfeed11-relative-url.json", jsonfeed([jitem(url="/j/rel")]),
    {"base_url": SITE + "/feed.json"})
add("jsonfeed11-xss-content.json", jsonfeed([jitem(
    content_html='<p onclick="x()">a</p><script>alert(1)</script>'
                 '<a href="javascript:x">b</a>')]))
add("jsonfeed11-title-html.json", jsonfeed([jitem(
    title="Titre avec <b>balises</b> &amp;")]))
add("jsonfeed11-icon-favicon.json", jsonfeed([jitem()],
                                            icon=SITE + "/icon.png",
                                            favicon=SITE + "/fav.ico",
                                            feed_url=SITE + "/feed.json"))
add("jsonfeed11-next-url.json", jsonfeed([jitem()],
                                         next_url=SITE + "/feed.json?p=2"))
add("jsonfeed11-hubs.json", jsonfeed([jitem()], hubs=[
    {"type": "WebSub", "url": "https://hub.example.org/"}]))
add("jsonfeed11-expired.json", jsonfeed([jitem()], expired=True))
add("jsonfeed11-items-not-array.json",
    '{"version":"https://jsonfeed.org/version/1.1","title":"x",'
    '"items":{"id":"1"}}\n')
add("jsonfeed11-item-not-object.json", jsonfeed(["texte", jitem()]))
add("jsonfeed11-truncated.json", jsonfeed([jitem()])[:120])
add("jsonfeed11-bom.json", b"\xef\xbb\xbf" + jsonfeed([jitem()]).encode())
add("jsonfeed11-escapes.json",
    '{"version":"https://jsonfeed.org/version/1.1","title":"\\u00c9",'
    '"items":[{"id":"e","title":"Caf\\u00e9 \\ud83d\\ude00 \\"cit\\u00e9\\"",'
    '"content_text":"x"}]}\n')
add("jsonfeed11-unknown-fields.json", jsonfeed([jitem(_ext={"a": 1})],
                                               _ext={"b": 2}))

# ---------------------------------------------------------------------
# Extensions.

add("rss20-dc-creator.rss", rss(item("<dc:creator>Olympe de Gouges"
                                     "</dc:creator>\n"), ns=("dc",)))
add("rss20-dc-creator-multiple.rss", rss(item(
    "<dc:creator>Un</dc:creator>\n<dc:creator>Deux</dc:creator>\n"),
    ns=("dc",)))
add("rss20-dc-date.rss", rss(item("<dc:date>2026-11-24T10:00:00+01:00"
                                  "</dc:date>\n"), ns=("dc",)))
add("rss20-dc-date-and-pubdate.rss", rss(item(
    "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>\n"
    "<dc:date>2026-11-25T10:00:00Z</dc:date>\n"), ns=("dc",)))
add("rss20-dc-subject.rss", rss(item("<dc:subject>Coopératives"
                                     "</dc:subject>\n"), ns=("dc",)))
add("rss20-dcterms-modified.rss", rss(item(
    "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>\n<dcterms:modified>"
    "2026-11-26T10:00:00Z</dcterms:modified>\n"), ns=("dcterms",)))
add("rss20-content-encoded.rss", rss(item(
    "<description>Court</description>\n<content:encoded><![CDATA[<p>Le "
    "<strong>texte</strong> entier</p>]]></content:encoded>\n"),
    ns=("content",)))
add("rss20-content-encoded-only.rss", rss(item(
    "<content:encoded>&lt;p&gt;Seul&lt;/p&gt;</content:encoded>\n"),
    ns=("content",)))
add("rss20-media-content.rss", rss(item(
    '<media:content url="%s/v.mp4" type="video/mp4" fileSize="5000" '
    'medium="video"/>\n' % SITE), ns=("media",)))
add("rss20-media-content-image.rss", rss(item(
    '<media:content url="%s/p.jpg" medium="image" width="640"/>\n' % SITE),
    ns=("media",)))
add("rss20-media-thumbnail.rss", rss(item(
    '<media:thumbnail url="%s/t.jpg" width="120" height="90"/>\n' % SITE),
    ns=("media",)))
add("rss20-media-group.rss", rss(item(
    '<media:group><media:content url="%s/a.jpg" type="image/jpeg"/>'
    '<media:content url="%s/b.jpg" type="image/jpeg"/>'
    '<media:thumbnail url="%s/t.jpg"/></media:group>\n' % (SITE, SITE, SITE)),
    ns=("media",)))
add("rss20-media-title-description.rss", rss(item(
    "<media:title>Titre média</media:title>\n<media:description>Desc"
    "</media:description>\n"), ns=("media",)))
add("rss20-enclosure.rss", rss(item(
    '<enclosure url="%s/e.mp3" length="123456" type="audio/mpeg"/>\n' %
    SITE)))
add("rss20-enclosure-no-length.rss", rss(item(
    '<enclosure url="%s/e.mp3" type="audio/mpeg"/>\n' % SITE)))
add("rss20-enclosure-bad-length.rss", rss(item(
    '<enclosure url="%s/e.mp3" length="beaucoup" type="audio/mpeg"/>\n' %
    SITE)))
add("rss20-enclosure-multiple.rss", rss(item(
    '<enclosure url="%s/1.mp3" length="1" type="audio/mpeg"/>\n'
    '<enclosure url="%s/2.ogg" length="2" type="audio/ogg"/>\n' %
    (SITE, SITE))))
add("rss20-enclosure-relative.rss", rss(item(
    '<enclosure url="/media/e.pdf" length="10" type="application/pdf"/>\n')),
    {"base_url": SITE + "/feed/rss.xml"})
add("rss20-enclosure-javascript.rss", rss(item(
    '<enclosure url="javascript:alert(1)" length="1" type="text/html"/>\n')))
add("rss20-georss-point.rss", rss(item(
    "<georss:point>45.256 -71.92</georss:point>\n"), ns=("georss",)))
add("rss20-georss-point-comma.rss", rss(item(
    "<georss:point>48.85,2.35</georss:point>\n"), ns=("georss",)))
add("rss20-georss-point-out-of-range.rss", rss(item(
    "<georss:point>95.0 200.0</georss:point>\n"), ns=("georss",)))
add("rss20-georss-point-garbage.rss", rss(item(
    "<georss:point>nord sud</georss:point>\n"), ns=("georss",)))
add("rss20-gml-pos.rss", rss(item(
    "<georss:where><gml:Point><gml:pos>43.6 1.44</gml:pos></gml:Point>"
    "</georss:where>\n"), ns=("georss", "gml")))
add("atom10-gml-pos.atom", atom(entry(
    "<georss:where><gml:Point><gml:pos>-33.86 151.2</gml:pos></gml:Point>"
    "</georss:where>\n"), ns=("georss", "gml")))
add("atom10-georss-point.atom", atom(entry(
    "<georss:point>47.21 -1.55</georss:point>\n"), ns=("georss",)))
add("rss20-geo-lat-long.rss", rss(item(
    "<geo:lat>45.75</geo:lat>\n<geo:long>4.85</geo:long>\n"), ns=("geo",)))
add("rss20-geo-point-element.rss", rss(item(
    "<geo:Point><geo:lat>50.63</geo:lat><geo:long>3.06</geo:long>"
    "</geo:Point>\n"), ns=("geo",)))
add("rss20-geo-lat-only.rss", rss(item("<geo:lat>45.75</geo:lat>\n"),
                                  ns=("geo",)))
add("rdf-geo-lat-long.rdf", rdf(rdfitem(
    "<geo:lat>43.3</geo:lat>\n<geo:long>5.37</geo:long>\n"), ns=("geo",)))
add("rss20-atom-link.rss", rss(item(
    '<atom:link rel="alternate" href="%s/a/atomlink"/>\n' % SITE,
    link=None), ns=("atom",)))
add("rss20-atom-self-hub.rss", rss(item(), ns=("atom",), chan=
    '<atom:link rel="self" href="%s/feed/"/>\n<atom:link rel="hub" '
    'href="https://hub.example.org/"/>\n<atom:link rel="next" '
    'href="%s/feed/?paged=2"/>\n' % (SITE, SITE)))
add("rss20-atom-author.rss", rss(item(
    "<atom:author><atom:name>Via Atom</atom:name></atom:author>\n"),
    ns=("atom",)))
add("rss20-source.rss", rss(item(
    '<source url="https://origin.example.org/rss">Origine</source>\n')))
add("rss20-xml-lang-channel.rss", rss(item()).replace(
    "<channel>", '<channel xml:lang="es">'))
add("rss20-language.rss", rss(item(), chan="<language>fr-CA</language>\n"))
add("rss20-language-invalid.rss", rss(item(),
                                      chan="<language>fr ça va</language>\n"))
add("atom10-xml-lang-feed.atom", atom(entry(), attrs=' xml:lang="fr"'))
add("atom10-xml-lang-entry.atom", atom(entry().replace(
    "<entry>", '<entry xml:lang="en-GB">'), attrs=' xml:lang="fr"'))
add("atom10-xml-lang-content.atom", atom(entry(
    '<content type="text" xml:lang="de">Inhalt</content>\n')))
add("atom10-xml-lang-empty.atom", atom(entry().replace(
    "<entry>", '<entry xml:lang="">'), attrs=' xml:lang="fr"'))
add("rss20-comments.rss", rss(item(
    "<comments>%s/a/1#comments</comments>\n" % SITE)))
add("rss20-category-domain.rss", rss(item(
    '<category domain="https://asso.example.org/cat">Emploi</category>\n'
    '<category>  Insertion  </category>\n<category></category>\n')))
add("rss20-category-kind.rss", rss(item(
    '<category domain="https://feedmesh.org/ns/kind">Event</category>\n'
    '<category domain="https://feedmesh.org/ns/territory">fr/bretagne'
    '</category>\n')))
add("rss20-ttl-image.rss", rss(item(), chan=
    "<ttl>30</ttl>\n<image><url>%s/logo.png</url><title>Logo</title>"
    "<link>%s/</link></image>\n" % (SITE, SITE)))
add("rss20-channel-dates.rss", rss(item(), chan=
    "<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate>\n<lastBuildDate>"
    "Tue, 24 Nov 2026 10:00:00 GMT</lastBuildDate>\n"))

# RSS fields.
add("rss20-guid-permalink-default.rss", rss(item(
    guid=SITE + "/a/guid", link=None)))
add("rss20-guid-permalink-false.rss", rss(item(link=None).replace(
    "</item>", '<guid isPermaLink="false">tag:asso,2026:1</guid>\n'
    "</item>")))
add("rss20-guid-permalink-false-url.rss", rss(item(link=None).replace(
    "</item>", '<guid isPermaLink="false">%s/a/notperma</guid>\n'
    "</item>" % SITE)))
add("rss20-guid-and-link.rss", rss(item(guid="id-123")))
add("rss20-guid-whitespace.rss", rss(item(guid="\n   id-spaced   \n")))
add("rss20-guid-relative.rss", rss(item(guid="/a/relguid", link=None)),
    {"base_url": SITE + "/rss"})
add("rss20-no-guid-no-link.rss", rss(item(
    "<description>Ni guid ni lien</description>\n", link=None)))
add("rss20-link-whitespace.rss", rss(item(link="\n   %s/a/ws   \n" % SITE)))
add("rss20-link-relative.rss", rss(item(link="../a/rel")),
    {"base_url": SITE + "/feed/rss.xml"})
add("rss20-link-javascript.rss", rss(item(link="javascript:alert(1)")))
add("rss20-link-ampersand.rss", rss(item(
    link="%s/index.php?p=1&amp;lang=fr" % SITE)))
add("rss20-author-email-name.rss", rss(item(
    "<author>marie@example.org (Marie)</author>\n")))
add("rss20-author-name-email.rss", rss(item(
    "<author>Marie &lt;marie@example.org&gt;</author>\n")))
add("rss20-author-email-only.rss", rss(item(
    "<author>marie@example.org</author>\n")))
add("rss20-author-name-only.rss", rss(item("<author>Marie Dupont</author>\n")))
add("rss20-managing-editor.rss", rss(item(), chan=
    "<managingEditor>ed@example.org (Rédaction)</managingEditor>\n"))
add("rss20-description-text.rss", rss(item(
    "<description>Texte simple, sans balise.</description>\n")))
add("rss20-description-escaped-html.rss", rss(item(
    "<description>&lt;p&gt;Un &lt;a href=\"/x\"&gt;lien&lt;/a&gt;&lt;/p&gt;"
    "</description>\n")))
add("rss20-description-cdata.rss", rss(item(
    "<description><![CDATA[<p>En <i>CDATA</i> &amp; co</p>]]>"
    "</description>\n")))
add("rss20-description-double-escaped.rss", rss(item(
    "<description>&amp;lt;p&amp;gt;double&amp;lt;/p&amp;gt;</description>"
    "\n")))
add("rss20-description-unescaped-markup.rss", rss(item(
    "<description><p>Balises <b>non échappées</b></p></description>\n")))
add("rss20-description-paragraphs.rss", rss(item(
    "<description>Premier paragraphe.\n\nSecond paragraphe.</description>"
    "\n")))
add("rss20-title-cdata.rss", rss(item(title="<![CDATA[Titre en CDATA]]>")))
add("rss20-title-entities.rss", rss(item(
    title="L&#8217;été &#x26; l&apos;hiver &quot;ensemble&quot;")))
add("rss20-title-escaped-html.rss", rss(item(
    title="&lt;b&gt;Gras&lt;/b&gt; dans le titre")))
add("rss20-title-lt-text.rss", rss(item(title="3 &lt; 4 et 5 &gt; 2")))
add("rss20-title-whitespace.rss", rss(item(title="\n  Titre\n\tindenté  \n")))
add("rss20-title-empty.rss", rss(item(title="")))
add("rss20-title-long.rss", rss(item(title="Long " * 300)))

# ---------------------------------------------------------------------
# Dates. RSS pubDate first: RFC 822 and its real-world variants.
RFC822 = [
    ("rfc822-gmt", "Tue, 24 Nov 2026 10:00:00 GMT"),
    ("rfc822-ut", "Tue, 24 Nov 2026 10:00:00 UT"),
    ("rfc822-utc", "Tue, 24 Nov 2026 10:00:00 UTC"),
    ("rfc822-numeric-plus", "Tue, 24 Nov 2026 10:00:00 +0100"),
    ("rfc822-numeric-minus", "Tue, 24 Nov 2026 10:00:00 -0500"),
    ("rfc822-numeric-half-hour", "Tue, 24 Nov 2026 10:00:00 +0530"),
    ("rfc822-numeric-colon", "Tue, 24 Nov 2026 10:00:00 +01:00"),
    ("rfc822-minus-zero", "Tue, 24 Nov 2026 10:00:00 -0000"),
    ("rfc822-est", "Tue, 24 Nov 2026 10:00:00 EST"),
    ("rfc822-edt", "Tue, 24 Nov 2026 10:00:00 EDT"),
    ("rfc822-cst", "Tue, 24 Nov 2026 10:00:00 CST"),
    ("rfc822-cdt", "Tue, 24 Nov 2026 10:00:00 CDT"),
    ("rfc822-mst", "Tue, 24 Nov 2026 10:00:00 MST"),
    ("rfc822-mdt", "Tue, 24 Nov 2026 10:00:00 MDT"),
    ("rfc822-pst", "Tue, 24 Nov 2026 10:00:00 PST"),
    ("rfc822-pdt", "Tue, 24 Nov 2026 10:00:00 PDT"),
    ("rfc822-met", "Tue, 24 Nov 2026 10:00:00 MET"),
    ("rfc822-cet", "Tue, 24 Nov 2026 10:00:00 CET"),
    ("rfc822-military-z", "Tue, 24 Nov 2026 10:00:00 Z"),
    ("rfc822-military-a", "Tue, 24 Nov 2026 10:00:00 A"),
    ("rfc822-military-n", "Tue, 24 Nov 2026 10:00:00 N"),
    ("rfc822-military-y", "Tue, 24 Nov 2026 10:00:00 Y"),
    ("rfc822-two-digit-year", "Tue, 24 Nov 26 10:00:00 GMT"),
    ("rfc822-two-digit-year-1900s", "Wed, 24 Nov 99 10:00:00 GMT"),
    ("rfc822-missing-seconds", "Tue, 24 Nov 2026 10:00 +0100"),
    ("rfc822-missing-zone", "Tue, 24 Nov 2026 10:00:00"),
    ("rfc822-missing-time", "Tue, 24 Nov 2026"),
    ("rfc822-no-day-name", "24 Nov 2026 10:00:00 +0100"),
    ("rfc822-no-comma", "Tue 24 Nov 2026 10:00:00 GMT"),
    ("rfc822-single-digit-day", "Thu, 3 Dec 2026 10:00:00 GMT"),
    ("rfc822-zero-padded-day", "Thu, 03 Dec 2026 10:00:00 GMT"),
    ("rfc822-single-digit-hour", "Tue, 24 Nov 2026 9:05:00 GMT"),
    ("rfc822-extra-spaces", "Tue,  24   Nov  2026   10:00:00    GMT"),
    ("rfc822-leading-trailing-space", "   Tue, 24 Nov 2026 10:00:00 GMT  "),
    ("rfc822-newlines", "\n   Tue, 24 Nov 2026 10:00:00 GMT\n   "),
    ("rfc822-lowercase", "tue, 24 nov 2026 10:00:00 gmt"),
    ("rfc822-uppercase", "TUE, 24 NOV 2026 10:00:00 GMT"),
    ("rfc822-full-month", "Tuesday, 24 November 2026 10:00:00 GMT"),
    ("rfc822-full-day-name", "Tuesday, 24 Nov 2026 10:00:00 GMT"),
    ("rfc822-wrong-day-name", "Sun, 24 Nov 2026 10:00:00 GMT"),
    ("rfc822-sept", "Thu, 24 Sept 2026 10:00:00 GMT"),
    ("rfc822-leap-day", "Sat, 29 Feb 2028 12:00:00 GMT"),
    ("rfc822-end-of-year", "Thu, 31 Dec 2026 23:59:59 -0100"),
    ("rfc822-dashes", "24-Nov-2026 10:00:00 GMT"),
    ("rfc850", "Tuesday, 24-Nov-26 10:00:00 GMT"),
    ("asctime", "Tue Nov 24 10:00:00 2026"),
    ("month-first", "Nov 24, 2026 10:00:00 GMT"),
    ("french-month", "24 novembre 2026 10:00:00 +0100"),
    ("french-day-and-month", "mardi, 24 novembre 2026 10:00:00 +0100"),
    ("french-abbreviated", "mar., 24 nov. 2026 10:00:00 +0100"),
    ("french-accents", "lun., 24 août 2026 10:00:00 +0200"),
    ("french-fevrier", "mer., 24 février 2027 10:00:00 +0100"),
    ("french-decembre", "jeu., 24 décembre 2026 10:00:00 +0100"),
    ("iso-in-pubdate", "2026-11-24T10:00:00+01:00"),
    ("iso-date-only-in-pubdate", "2026-11-24"),
    ("unparsable-words", "demain matin"),
    ("unparsable-empty", ""),
    ("unparsable-day-32", "Tue, 32 Nov 2026 10:00:00 GMT"),
    ("unparsable-feb-30", "Mon, 30 Feb 2026 10:00:00 GMT"),
    ("unparsable-hour-25", "Tue, 24 Nov 2026 25:00:00 GMT"),
    ("rfc822-unknown-zone", "Tue, 24 Nov 2026 10:00:00 XYZT"),
    ("unparsable-number", "1700000000"),
]
for slug, value in RFC822:
    add("rss20-date-%s.rss" % slug, rss(item(
        "<pubDate>%s</pubDate>\n" % value)))

# Atom dates: RFC 3339, W3CDTF, ISO 8601 variants.
ISO = [
    ("rfc3339-z", "2026-11-24T10:00:00Z"),
    ("rfc3339-offset", "2026-11-24T10:00:00+01:00"),
    ("rfc3339-negative-offset", "2026-11-24T10:00:00-05:30"),
    ("rfc3339-fraction", "2026-11-24T10:00:00.123456Z"),
    ("rfc3339-lowercase", "2026-11-24t10:00:00z"),
    ("rfc3339-space", "2026-11-24 10:00:00Z"),
    ("rfc3339-leap-second", "2026-12-31T23:59:60Z"),
    ("rfc3339-minus-zero", "2026-11-24T10:00:00-00:00"),
    ("rfc3339-day-rollover", "2026-12-31T23:30:00-01:00"),
    ("w3cdtf-year", "2026"),
    ("w3cdtf-year-month", "2026-11"),
    ("w3cdtf-date", "2026-11-24"),
    ("w3cdtf-minutes", "2026-11-24T10:00Z"),
    ("w3cdtf-minutes-offset", "2026-11-24T10:00+01:00"),
    ("iso8601-no-zone", "2026-11-24T10:00:00"),
    ("iso8601-compact", "20261124T100000Z"),
    ("iso8601-compact-date", "20261124"),
    ("iso8601-offset-no-colon", "2026-11-24T10:00:00+0100"),
    ("iso8601-offset-hours", "2026-11-24T10:00:00+01"),
    ("iso8601-hour-24", "2026-11-24T24:00:00Z"),
    ("iso8601-ordinal", "2026-328"),
    ("unparsable-month-13", "2026-13-01T10:00:00Z"),
    ("unparsable-garbage", "2026-xx-yyT10:00:00Z"),
    ("unparsable-words", "hier"),
]
for slug, value in ISO:
    add("atom10-date-%s.atom" % slug, atom(entry(updated=value)))
for slug, value in [("w3cdtf-offset", "2026-11-24T10:00:00+01:00"),
                    ("w3cdtf-date", "2026-11-24"),
                    ("w3cdtf-fraction", "2026-11-24T10:00:00.5Z"),
                    ("rfc822", "Tue, 24 Nov 2026 10:00:00 GMT"),
                    ("unparsable", "bientôt")]:
    add("rss20-dc-date-%s.rss" % slug, rss(item(
        "<dc:date>%s</dc:date>\n" % value), ns=("dc",)))
for slug, value in [("rfc3339", "2026-11-24T10:00:00Z"),
                    ("fraction", "2026-11-24T10:00:00.000+01:00"),
                    ("no-zone", "2026-11-24T10:00:00"),
                    ("rfc822", "Tue, 24 Nov 2026 10:00:00 GMT")]:
    add("jsonfeed11-date-%s.json" % slug,
        jsonfeed([jitem(date_published=value)]))
add("atom03-date-issued-no-zone.atom", atom03(entry03()).replace(
    "2026-11-24T09:00:00+01:00", "2026-11-24T09:00:00"))

# ---------------------------------------------------------------------
# Character encodings.
LATIN = "Été à Noël: «crème brûlée»"
W1252 = "L’été “cité” – œuvre €"


def enc_rss(title, decl_enc):
    decl = ('<?xml version="1.0" encoding="%s"?>\n' % decl_enc
            if decl_enc else "")
    return rss(item("<description>%s</description>\n" % title, title=title),
               decl=decl)


add("rss20-iso88591-decl.rss", enc_rss(LATIN, "ISO-8859-1").encode(
    "iso-8859-1"))
add("rss20-iso88591-decl-lowercase.rss", enc_rss(LATIN, "iso-8859-1")
    .encode("iso-8859-1"))
add("rss20-iso885915-decl.rss", enc_rss("Œuvre 10 €", "ISO-8859-15")
    .encode("iso-8859-15"))
add("rss20-win1252-decl.rss", enc_rss(W1252, "windows-1252").encode(
    "cp1252"))
add("rss20-win1252-no-decl.rss", enc_rss(W1252, None).encode("cp1252"))
add("rss20-win1252-decl-utf8.rss", enc_rss(W1252, "utf-8").encode(
    "cp1252"))
add("rss20-win1252-labelled-latin1.rss", enc_rss(W1252, "ISO-8859-1")
    .encode("cp1252"))
add("rss20-utf8-no-decl.rss", enc_rss(LATIN, None))
add("rss20-utf8-decl-single-quotes.rss", enc_rss(LATIN, "UTF-8").replace(
    '"1.0" encoding="UTF-8"', "'1.0' encoding='UTF-8'"))
add("rss20-utf8-bom.rss", b"\xef\xbb\xbf" + enc_rss(LATIN, "utf-8")
    .encode())
add("rss20-utf8-bom-decl-latin1.rss", b"\xef\xbb\xbf" +
    enc_rss(LATIN, "iso-8859-1").encode())
add("rss20-utf16le-bom.rss", b"\xff\xfe" + enc_rss(LATIN, "utf-16")
    .encode("utf-16-le"))
add("rss20-utf16be-bom.rss", b"\xfe\xff" + enc_rss(LATIN, "utf-16")
    .encode("utf-16-be"))
add("rss20-utf16le-no-bom.rss", enc_rss(LATIN, "utf-16le")
    .encode("utf-16-le"))
add("rss20-http-charset-latin1.rss", enc_rss(LATIN, None)
    .encode("iso-8859-1"),
    {"content_type": "application/rss+xml; charset=iso-8859-1"})
add("rss20-http-charset-overrides-decl.rss", enc_rss(LATIN, "utf-8")
    .encode("iso-8859-1"),
    {"content_type": "text/xml; charset=ISO-8859-1"})
add("rss20-http-charset-quoted.rss", enc_rss(LATIN, None)
    .encode("iso-8859-1"),
    {"content_type": 'application/xml; charset="iso-8859-1"'})
add("rss20-http-no-charset-decl-wins.rss", enc_rss(LATIN, "iso-8859-1")
    .encode("iso-8859-1"), {"content_type": "application/rss+xml"})
add("rss20-http-charset-utf8-bom-wins.rss", b"\xef\xbb\xbf" +
    enc_rss(LATIN, None).encode(),
    {"content_type": "application/rss+xml; charset=iso-8859-1"})
add("rss20-koi8r-decl.rss", enc_rss("Привет мир", "KOI8-R").encode("koi8-r"))
add("rss20-shift-jis-decl.rss", enc_rss("日本語のタイトル", "Shift_JIS")
    .encode("shift_jis"))
add("rss20-unknown-charset.rss", enc_rss("Titre", "x-nonexistent-8"))
add("rss20-invalid-utf8-bytes.rss", enc_rss("AAA", "utf-8").encode()
    .replace(b"AAA", b"Caf\xe9 cr\xe8me \xff\xfe fin", 1))
add("rss20-invalid-utf8-truncated-seq.rss", enc_rss("AAA", "utf-8")
    .encode().replace(b"AAA", b"coupe \xe2\x82 ici", 1))
add("rss20-invalid-utf8-overlong.rss", enc_rss("AAA", "utf-8").encode()
    .replace(b"AAA", b"long \xc0\xaf slash", 1))
add("rss20-control-characters.rss", enc_rss("AAA", "utf-8").encode()
    .replace(b"AAA", b"bip\x07 \x0b tab\tfin", 1))
add("rss20-char-ref-cp1252-range.rss", rss(item(
    title="l&#146;apostrophe &#150; tiret &#128;")))
add("rss20-char-ref-invalid.rss", rss(item(
    title="nul &#0; surrogate &#xD800; loin &#x110000; ok")))
add("atom10-iso88591-decl.atom", atom(entry(title=LATIN)).replace(
    "utf-8", "iso-8859-1").encode("iso-8859-1"))
add("rdf-win1252-decl.rdf", rdf(rdfitem(title=W1252)).replace(
    "utf-8", "windows-1252").encode("cp1252"))

# ---------------------------------------------------------------------
# xml:base at every level, and the document's URL as the last base.
BASED = {"base_url": "https://feeds.example.net/dir/feed.atom"}
add("atom10-xmlbase-feed.atom", atom(entry(link="e/1"),
                                     attrs=' xml:base="%s/base/"' % SITE))
add("atom10-xmlbase-entry.atom", atom(entry(link="e/2").replace(
    "<entry>", '<entry xml:base="https://entry.example.org/x/">')))
add("atom10-xmlbase-nested.atom", atom(entry(link="c/3").replace(
    "<entry>", '<entry xml:base="sub/">'),
    attrs=' xml:base="https://nest.example.org/a/"'))
add("atom10-xmlbase-link-element.atom", atom(entry(link=None).replace(
    "</entry>", '<link xml:base="https://link.example.org/l/" href="p"/>\n'
    "</entry>")))
add("atom10-xmlbase-content.atom", atom(entry(
    '<content type="html" xml:base="https://content.example.org/c/">'
    '&lt;a href="x"&gt;lien&lt;/a&gt; &lt;img src="i.png"&gt;</content>\n')))
add("atom10-xmlbase-xhtml-div.atom", atom(entry(
    '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml" '
    'xml:base="https://div.example.org/d/"><a href="y">lien</a></div>'
    "</content>\n")))
add("atom10-xmlbase-relative-to-document.atom", atom(entry(link="e/4"),
                                                     attrs=' xml:base="b/"'),
    BASED)
add("atom10-xmlbase-absent-document-url.atom", atom(entry(link="/e/5")),
    BASED)
add("atom10-xmlbase-dotdot.atom", atom(entry(link="../../up"),
                                       attrs=' xml:base="%s/a/b/c/"' % SITE))
add("atom10-xmlbase-query-fragment.atom", atom(entry(link="?q=1#f"),
                                               attrs=' xml:base="%s/p/'
                                                     'page"' % SITE))
add("atom10-xmlbase-enclosure.atom", atom(entry(
    '<link rel="enclosure" type="audio/mpeg" href="pod.mp3"/>\n'),
    attrs=' xml:base="https://media.example.org/m/"'))
add("atom10-xmlbase-author-uri.atom", atom(entry(
    "<author><name>A</name><uri>/people/a</uri></author>\n"),
    attrs=' xml:base="%s/"' % SITE))
add("atom10-xmlbase-scope-ends.atom", atom(
    entry(link="in").replace("<entry>",
                             '<entry xml:base="https://one.example.org/">') +
    entry(eid="urn:uuid:e-2", link="out")), BASED)
add("atom10-xmlbase-javascript.atom", atom(entry(link="x"),
                                           attrs=' xml:base="javascript:'
                                                 'alert(1)//"'), BASED)
add("rss20-xmlbase-channel.rss", rss(item(link="a/rel")).replace(
    "<channel>", '<channel xml:base="https://chan.example.org/c/">'))
add("rss20-xmlbase-item.rss", rss(item(link="a/rel").replace(
    "<item>", '<item xml:base="https://item.example.org/i/">')))
add("rss20-xmlbase-description.rss", rss(item(
    '<description xml:base="https://desc.example.org/">&lt;a href="/z"&gt;'
    "z&lt;/a&gt;</description>\n")))
add("rss20-relative-in-content.rss", rss(item(
    '<description>&lt;a href="../doc.pdf"&gt;doc&lt;/a&gt; &lt;img '
    'src="img/p.png" srcset="a.png 1x"&gt;</description>\n')),
    {"base_url": "https://site.example.org/blog/feed/"})
add("rss20-protocol-relative-link.rss", rss(item(link="//cdn.example.org/a")),
    {"base_url": "https://site.example.org/feed"})
add("rdf-xmlbase-item.rdf", rdf(rdfitem(link="r/rel").replace(
    '<item rdf:about="r/rel">',
    '<item rdf:about="r/rel" xml:base="https://rdf.example.org/">')))

# ---------------------------------------------------------------------
# Ill-formed documents: recovery, entities, prefixes, the bozo flag.
add("illformed-unclosed-item.rss", rss(item() + "<item><title>Deux</title>"
                                       "<link>%s/a/2</link>\n" % SITE))
add("illformed-mismatched-tags.rss", rss(item(
    "<description>texte <b>gras</i></description>\n")))
add("illformed-bare-ampersand.rss", rss(item(title="Sport & loisirs")))
add("illformed-bare-ampersand-url.rss", rss(item(
    link="%s/?a=1&b=2" % SITE)))
add("illformed-lt-in-text.rss", rss(item(title="a < b")))
add("illformed-html-named-entities.rss", rss(item(
    title="&eacute;t&eacute; &nbsp;&mdash; &copy; &hellip; &euro;")))
add("illformed-unknown-entity.rss", rss(item(title="&foo; et &bar;")))
add("illformed-undeclared-prefix.rss", rss(item(
    "<dc:creator>Sans déclaration</dc:creator>\n"
    "<content:encoded>&lt;p&gt;Contenu&lt;/p&gt;</content:encoded>\n")))
add("illformed-undeclared-prefix-atom.atom", atom(entry(
    "<georss:point>45 5</georss:point>\n")))
add("illformed-truncated-mid-item.rss", rss(item() + item(
    title="Deux", link=SITE + "/a/2"))[:-60])
add("illformed-truncated-mid-entry.atom", atom(entry() + entry(
    eid="urn:uuid:e-2", title="Deux"))[:-40])
add("illformed-garbage-after-root.rss", rss(item()) + "<extra>déchets</x>")
add("illformed-two-roots.atom", atom(entry()) + atom(entry(
    eid="urn:uuid:e-2")).replace(DECL, ""))
add("illformed-doctype-html-entities.rss",
    '<?xml version="1.0"?>\n<!DOCTYPE rss [<!ENTITY eacute "&#233;">]>\n' +
    rss(item(title="caf&eacute;"), decl=""))
add("illformed-whitespace-before-decl.rss", "\n  " + rss(item()))
add("illformed-text-before-root.rss", "oops " + rss(item(), decl=""))
add("illformed-attribute-unquoted.rss", rss(item(
    "<enclosure url=%s/u.mp3 length=5 type=audio/mpeg/>\n" % SITE)))
add("illformed-duplicate-attribute.atom", atom(entry(link=None).replace(
    "</entry>", '<link href="%s/d1" href="%s/d2"/>\n</entry>' %
    (SITE, SITE))))
add("illformed-nul-byte.rss", rss(item(title="AAA")).encode().replace(
    b"AAA", b"nul\x00 ici"))
add("illformed-cdata-unclosed.rss", rss(item(
    "<description><![CDATA[<p>jamais fermé</p></description>\n")))
add("illformed-comment-unclosed.rss", rss(item()).replace(
    "</channel>", "<!-- pas fini </channel>"))
add("illformed-uppercase-tags.rss", rss(item()).replace(
    "<title>Article</title>", "<TITLE>Article</TITLE>"))
add("illformed-html-in-title-unescaped.rss", rss(item(
    title="Titre <br> cassé")))
add("illformed-missing-channel-close.rss", rss(item()).replace(
    "</channel>\n</rss>\n", ""))
add("illformed-xml-decl-not-first.rss", rss(item(), decl="") + DECL)
add("illformed-rss-in-html.xml", "<html><body>" + rss(item(), decl="") +
    "</body></html>")
add("wellformed-no-bozo.rss", rss(item()))

# ---------------------------------------------------------------------
# Sanitizing, through the feed (the XSS list is in tests/sanitize/).
SAN = [
    ("script", "<p>a</p><script>alert(1)</script><p>b</p>"),
    ("style-element", "<style>p{color:red}</style><p>texte</p>"),
    ("style-attribute", '<p style="color:red;background:url(javascript:x)">'
                        "t</p>"),
    ("event-handler", '<img src="/i.png" onerror="alert(1)" alt="i">'),
    ("javascript-href", '<a href="javascript:alert(1)">x</a>'),
    ("javascript-href-entities", '<a href="jav&#x09;ascript:alert(1)">x</a>'),
    ("vbscript-href", '<a href="vbscript:msgbox(1)">x</a>'),
    ("data-href", '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>'),
    ("data-image-kept", '<img src="data:image/png;base64,iVBORw0KGgo=" '
                        'alt="p">'),
    ("iframe-evil", '<iframe src="https://evil.example.com/"></iframe>'
                    "<p>après</p>"),
    ("iframe-youtube", '<iframe src="https://www.youtube.com/embed/abc" '
                       'width="560"></iframe>'),
    ("iframe-http-youtube", '<iframe src="http://www.youtube.com/embed/abc">'
                            "</iframe>"),
    ("form", '<form action="/x"><input name="a"><button>go</button></form>'),
    ("object-embed", '<object data="x.swf"></object><embed src="y.swf">'),
    ("meta-refresh", '<meta http-equiv="refresh" content="0;url=javascript:'
                     'x"><p>t</p>'),
    ("base-element", '<base href="https://evil.example.com/"><a href="x">'
                     "l</a>"),
    ("svg-onload", '<svg onload="alert(1)"><circle r="1"/></svg>'),
    ("math-href", '<math href="javascript:alert(1)">x</math>'),
    ("noscript-mutation", '<noscript><p title="</noscript><img src=x '
                          'onerror=alert(1)>"></noscript>'),
    ("comment", "<p>a<!-- <script>x</script> -->b</p>"),
    ("allowed-markup", '<h2>T</h2><p><a href="https://x.example/" '
                       'title="t">l</a> <em>e</em> <strong>s</strong><br>'
                       "<code>c</code></p><ul><li>1</li></ul>"
                       "<blockquote>q</blockquote><table><tr><td>c</td></tr>"
                       "</table>"),
    ("img-attributes", '<img src="/i.png" width="10" height="20" alt="a" '
                       'class="c" id="i" srcset="/a.png 2x">'),
    ("unclosed-tags", "<p>un <b>deux <i>trois"),
    ("css-expression", '<div style="width:expression(alert(1))">x</div>'),
    ("link-target-blank", '<a href="https://x.example/" target="_blank">'
                          "x</a>"),
    ("entities-kept", "<p>&lt;script&gt; est du texte &amp; reste</p>"),
    ("relative-href", '<a href="../page">p</a><img src="img.png">'),
    ("mailto-href", '<a href="mailto:a@example.org">m</a>'),
    ("ftp-href", '<a href="ftp://ftp.example.org/f">f</a>'),
    ("template", "<template><script>alert(1)</script></template><p>v</p>"),
]
for slug, html in SAN:
    esc = html.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;")
    add("rss20-sanitize-%s.rss" % slug, rss(item(
        "<description>%s</description>\n" % esc)),
        {"base_url": SITE + "/feed/"})
add("atom10-sanitize-xhtml-script.atom", atom(entry(
    '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
    '<p onclick="x()">a</p><script>alert(1)</script></div></content>\n')))
add("atom10-sanitize-summary-html.atom", atom(entry(
    '<summary type="html">&lt;b onmouseover="x"&gt;s&lt;/b&gt;&lt;script'
    "&gt;y&lt;/script&gt;</summary>\n")))
add("atom10-sanitize-title-script.atom", atom(entry(
    title="Titre &lt;script&gt;alert(1)&lt;/script&gt;").replace(
    "<title>", '<title type="html">')))
add("rss20-sanitize-content-encoded.rss", rss(item(
    '<content:encoded><![CDATA[<p>ok</p><img src=x onerror=alert(1)>'
    '<a href=" javascript:x">y</a>]]></content:encoded>\n'),
    ns=("content",)))


def main():
    stale = 0
    for name, (data, options) in sorted(cases.items()):
        path = os.path.join(HERE, name)
        stem = path[:path.rindex(".")]
        with open(path, "wb") as f:
            f.write(data)
        if options:
            with open(stem + ".options", "w") as f:
                for k, v in sorted(options.items()):
                    f.write("%s=%s\n" % (k, v))
        elif os.path.exists(stem + ".options"):
            os.unlink(stem + ".options")
        if not os.path.exists(stem + ".expected.json"):
            stale += 1
    print("make-corpus: %d documents written, %d without expectation" %
          (len(cases), stale))


if __name__ == "__main__":
    main()
