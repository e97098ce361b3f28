/*
 * feedmesh tests: listings rendered as Atom and JSON Feed parse back with
 * libxml2 and jansson and carry every field. With "-w dir" it only writes
 * the documents there, for tests/feedparser_check.py.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "parse.h"
#include "render.h"
#include "store_doc_ref.h"
#include "tap.h"

#define NASTY_TITLE	"Caf\xc3\xa9 & <b>\"solidaire\"</b> \x01\x0b\xef\xbf\xbe" \
			"\xff\tfin\r\n\xf0\x9f\x8c\xb1"
/* The same in valid UTF-8, for JSON (jansson refuses anything else). */
#define NASTY_UTF8	"Caf\xc3\xa9 & <b>\"solidaire\"</b> \x01\x0b\xef\xbf\xbe" \
			"\tfin\r\n\xf0\x9f\x8c\xb1"
/* What an XML parser gives back for NASTY_TITLE. */
#define NASTY_BACK	"Caf\xc3\xa9 & <b>\"solidaire\"</b> " \
			"\xef\xbf\xbd\tfin\r\n\xf0\x9f\x8c\xb1"

static void	 quiet_cb(void *, xmlErrorPtr);
static struct entry *make_job(void);
static struct entry *make_plain(void);
static struct entry *make_tombstone(void);
static void	 feed_init(struct render_feed *);
static xmlXPathContextPtr xpath_new(xmlDocPtr);
static char	*xp_str(xmlXPathContextPtr, const char *);
static int	 xp_count(xmlXPathContextPtr, const char *);
static void	 test_atom(struct entry *const *, size_t);
static void	 test_json(struct entry *const *, size_t);
static int	 head_write_cb(const char *, size_t, void *);
static void	 head_set(json_t *, const char *, const char *);
static void	 head_reference(struct buf *, const struct render_feed *);
static void	 test_json_head(void);
static void	 test_archive(struct entry *const *, size_t);
static void	 test_empty(void);
static void	 collect_cb(struct entry *, const struct feed_meta *, void *);
static void	 test_round_trip(void);
static int	 write_files(const char *, struct entry *const *, size_t);

static void
quiet_cb(void *arg, xmlErrorPtr err)
{
	(void)arg;
	(void)err;
}

static struct entry *
make_job(void)
{
	struct entry	*e;

	e = entry_new();
	entry_set(&e->id, "tag:example.org,2026:job/1?a=1&b=2");
	entry_set(&e->title, NASTY_TITLE);
	entry_set(&e->link, "https://example.org/emploi/1?a=1&b=2");
	entry_set(&e->summary, "<p>Un <em>poste</em> &amp; plus</p>");
	entry_set(&e->summary_text, "Un poste & plus");
	entry_set(&e->content, "<p>Contenu ]]> </p>");
	entry_set(&e->content_type, "html");
	entry_set(&e->image, "https://example.org/i.png");
	entry_set(&e->lang, "fr-FR");
	entry_set(&e->kind, "job");
	entry_set(&e->territory, "auvergne-rhone-alpes/loire");
	e->published = 1764000000;
	e->updated = 1764003600;
	e->expires = 1766000000;
	e->has_geo = 1;
	e->lat = 45.4397;
	e->lon = 4.3872;
	entry_add_author(e, "Cress AURA", "contact@example.org",
	    "https://example.org/");
	entry_add_category(e, "insertion", "https://example.org/cat",
	    "Insertion & emploi");
	entry_add_enclosure(e, "https://example.org/a.pdf", "application/pdf",
	    1234);
	entry_add_link(e, "https://example.org/c", "replies", "text/html",
	    "Comments");
	entry_add_link(e, "https://example.org/dup", NULL, NULL, NULL);
	entry_set(&e->source.id, "urn:feed:1");
	entry_set(&e->source.title, "Portail r\xc3\xa9gional");
	entry_set(&e->source.link, "https://example.org/");
	entry_set(&e->origin, "region");
	entry_add_peer(e, "region");
	entry_add_peer(e, "dept-42");
	return (e);
}

/* No author, no dates but published, text content. */
static struct entry *
make_plain(void)
{
	struct entry	*e;

	e = entry_new();
	entry_set(&e->id, "https://other.example/2");
	entry_set(&e->title, "Plain");
	entry_set(&e->content, "a < b");
	entry_set(&e->content_type, "text");
	e->published = 1763000000;
	return (e);
}

static struct entry *
make_tombstone(void)
{
	struct entry	*e;

	e = entry_new();
	entry_set(&e->id, "tag:example.org,2026:job/0");
	e->deleted = 1;
	e->updated = 1764007200;
	return (e);
}

static void
feed_init(struct render_feed *f)
{
	memset(f, 0, sizeof(*f));
	f->id = "tag:node.example,2026:all";
	f->title = "N\xc5\x93ud <ESS> & co";
	f->node = "node";
	f->self_url = "https://node.example/feeds/all.atom?page=1&x=\"";
	f->alternate_url = "https://node.example/";
	f->hub_url = "https://hub.example/";
	f->next_url = "https://node.example/feeds/all.atom?page=2";
	f->updated = 1764010000;
}

static xmlXPathContextPtr
xpath_new(xmlDocPtr doc)
{
	xmlXPathContextPtr	 x;

	x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST "a", BAD_CAST
	    "http://www.w3.org/2005/Atom");
	xmlXPathRegisterNs(x, BAD_CAST "fm", BAD_CAST
	    "https://feedmesh.org/ns/1.0");
	xmlXPathRegisterNs(x, BAD_CAST "g", BAD_CAST
	    "http://www.georss.org/georss");
	xmlXPathRegisterNs(x, BAD_CAST "at", BAD_CAST
	    "http://purl.org/atompub/tombstones/1.0");
	xmlXPathRegisterNs(x, BAD_CAST "m", BAD_CAST
	    "http://search.yahoo.com/mrss/");
	xmlXPathRegisterNs(x, BAD_CAST "fh", BAD_CAST
	    "http://purl.org/syndication/history/1.0");
	return (x);
}

/* The string value of an XPath expression (static buffer). */
static char *
xp_str(xmlXPathContextPtr x, const char *expr)
{
	static char		 s[1024];
	xmlXPathObjectPtr	 o;
	xmlChar			*v;

	s[0] = '\0';
	if ((o = xmlXPathEvalExpression(BAD_CAST expr, x)) == NULL)
		return (s);
	if ((v = xmlXPathCastToString(o)) != NULL) {
		snprintf(s, sizeof(s), "%s", (char *)v);
		xmlFree(v);
	}
	xmlXPathFreeObject(o);
	return (s);
}

static int
xp_count(xmlXPathContextPtr x, const char *expr)
{
	char	 e[512];

	snprintf(e, sizeof(e), "count(%s)", expr);
	return (atoi(xp_str(x, e)));
}

static void
test_atom(struct entry *const *entries, size_t n)
{
	struct render_feed	 f;
	struct buf		 b;
	xmlDocPtr		 doc;
	xmlXPathContextPtr	 x;

	feed_init(&f);
	buf_init(&b);
	render_atom(&b, &f, entries, n);
	doc = xmlReadMemory(b.data, (int)b.len, "feed.atom", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok(doc != NULL, "Atom is well-formed XML");
	if (doc == NULL) {
		printf("# %s\n", b.data);
		buf_free(&b);
		return;
	}
	x = xpath_new(doc);
	is_int(xp_count(x, "/a:feed"), 1, "root is atom:feed");
	is_str(xp_str(x, "/a:feed/a:id"), f.id, "feed id");
	is_str(xp_str(x, "/a:feed/a:title"), f.title, "feed title escaped");
	is_str(xp_str(x, "/a:feed/a:updated"), "2025-11-24T18:46:40Z",
	    "feed updated");
	is_str(xp_str(x, "/a:feed/a:link[@rel='self']/@href"), f.self_url,
	    "self link");
	is_str(xp_str(x, "/a:feed/a:link[@rel='alternate']/@href"),
	    f.alternate_url, "alternate link");
	is_str(xp_str(x, "/a:feed/a:link[@rel='hub']/@href"), f.hub_url,
	    "hub link");
	is_str(xp_str(x, "/a:feed/a:link[@rel='next']/@href"), f.next_url,
	    "next link (RFC 5005)");
	is_str(xp_str(x, "/a:feed/a:generator"), "feedmesh", "generator");
	is_str(xp_str(x, "/a:feed/a:author/a:name"), f.title,
	    "feed author for the entry without one");
	is_int(xp_count(x, "/a:feed/a:entry"), 2, "two entries");
	is_int(xp_count(x, "/a:feed/at:deleted-entry"), 1, "one tombstone");
	is_str(xp_str(x, "/a:feed/at:deleted-entry/@ref"),
	    "tag:example.org,2026:job/0", "tombstone ref");
	is_str(xp_str(x, "/a:feed/at:deleted-entry/@when"),
	    "2025-11-24T18:00:00Z", "tombstone when");

	is_str(xp_str(x, "/a:feed/a:entry[1]/a:id"),
	    "tag:example.org,2026:job/1?a=1&b=2", "entry id");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:title"), NASTY_BACK,
	    "nasty title: escaped, forbidden characters removed");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:title/@type"), "text",
	    "title type text");
	is_str(xp_str(x, "/a:feed/a:entry[1]/@xml:lang"), "fr-FR", "xml:lang");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:updated"),
	    "2025-11-24T17:00:00Z", "entry updated");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:published"),
	    "2025-11-24T16:00:00Z", "entry published");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:link[@rel='alternate']/@href"),
	    "https://example.org/emploi/1?a=1&b=2", "permalink");
	is_int(xp_count(x, "/a:feed/a:entry[1]/a:link[@rel='alternate']"), 1,
	    "untyped extra alternate dropped");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:link[@rel='replies']/@title"),
	    "Comments", "other link with title");
	is_str(xp_str(x,
	    "/a:feed/a:entry[1]/a:link[@rel='enclosure']/@length"), "1234",
	    "enclosure length");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:author/a:email"),
	    "contact@example.org", "author email");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:category[@scheme="
	    "'https://feedmesh.org/ns/kind']/@term"), "job", "kind category");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:category[@scheme="
	    "'https://feedmesh.org/ns/territory']/@term"),
	    "auvergne-rhone-alpes/loire", "territory category");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:category[@term='insertion']"
	    "/@label"), "Insertion & emploi", "category label");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:summary"),
	    "<p>Un <em>poste</em> &amp; plus</p>", "summary HTML escaped");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:content"),
	    "<p>Contenu ]]> </p>", "content");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:content/@type"), "html",
	    "content type html");
	is_str(xp_str(x, "/a:feed/a:entry[1]/g:point"), "45.439700 4.387200",
	    "georss point");
	is_str(xp_str(x, "/a:feed/a:entry[1]/m:thumbnail/@url"),
	    "https://example.org/i.png", "image as media:thumbnail");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:source/a:id"), "urn:feed:1",
	    "source id");
	is_str(xp_str(x, "/a:feed/a:entry[1]/a:source/a:title"),
	    "Portail r\xc3\xa9gional", "source title");
	is_str(xp_str(x, "/a:feed/a:entry[1]/fm:origin"), "region",
	    "fm:origin");
	is_str(xp_str(x, "/a:feed/a:entry[1]/fm:expires"),
	    "2025-12-17T19:33:20Z", "fm:expires");
	is_int(xp_count(x, "/a:feed/a:entry[1]/fm:peer"), 2, "fm:peer each");
	is_str(xp_str(x, "/a:feed/a:entry[2]/a:updated"),
	    "2025-11-13T02:13:20Z", "updated falls back to published");
	is_str(xp_str(x, "/a:feed/a:entry[2]/a:content"), "a < b",
	    "text content");
	is_str(xp_str(x, "/a:feed/a:entry[2]/a:content/@type"), "text",
	    "content type text");
	xmlXPathFreeContext(x);
	xmlFreeDoc(doc);
	buf_free(&b);
}

static void
test_json(struct entry *const *entries, size_t n)
{
	struct render_feed	 f;
	struct buf		 b;
	json_error_t		 err;
	json_t			*j, *items, *it;

	feed_init(&f);
	buf_init(&b);
	render_json(&b, &f, entries, n);
	j = json_loads(b.data, 0, &err);
	ok(j != NULL, "JSON Feed parses: %s", j ? "" : err.text);
	if (j == NULL) {
		buf_free(&b);
		return;
	}
	ok(strchr(b.data, '\n') == b.data + b.len - 1, "compact");
	is_str(json_string_value(json_object_get(j, "version")),
	    "https://jsonfeed.org/version/1.1", "version");
	is_str(json_string_value(json_object_get(j, "title")), f.title,
	    "title");
	is_str(json_string_value(json_object_get(j, "home_page_url")),
	    f.alternate_url, "home_page_url");
	is_str(json_string_value(json_object_get(j, "feed_url")), f.self_url,
	    "feed_url");
	is_str(json_string_value(json_object_get(j, "next_url")), f.next_url,
	    "next_url");
	is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "hubs"), 0), "type")), "WebSub", "hub type");
	is_str(json_string_value(json_object_get(json_array_get(
	    json_object_get(j, "hubs"), 0), "url")), f.hub_url, "hub url");
	is_str(json_string_value(json_object_get(json_object_get(j,
	    "_feedmesh"), "node")), "node", "_feedmesh.node");
	items = json_object_get(j, "items");
	is_int(json_array_size(items), 3, "three items");
	it = json_array_get(items, 0);
	is_str(json_string_value(json_object_get(it, "title")), NASTY_UTF8,
	    "title survives (JSON can carry controls)");
	is_str(json_string_value(json_object_get(it, "url")),
	    "https://example.org/emploi/1?a=1&b=2", "url");
	ok(json_real_value(json_object_get(json_object_get(json_object_get(it,
	    "_feedmesh"), "geo"), "lat")) == 45.4397, "geo");
	is_int(json_array_size(json_object_get(json_object_get(it,
	    "_feedmesh"), "peers")), 2, "peers");
	ok(json_is_true(json_object_get(json_object_get(json_array_get(items,
	    2), "_feedmesh"), "deleted")), "tombstone marked deleted");
	json_decref(j);
	buf_free(&b);
}

/* RFC 5005 section 4: an archive month and the live listing's link. */
static void
test_archive(struct entry *const *entries, size_t n)
{
	struct render_feed	 f;
	struct buf		 b;
	xmlDocPtr		 doc;
	xmlXPathContextPtr	 x;
	json_t			*j, *fm;

	feed_init(&f);
	f.archive = 1;
	f.self_url = "https://node.example/feeds/archive/2025-10.atom";
	f.current_url = "https://node.example/feeds/all.atom";
	f.prev_archive_url = "https://node.example/feeds/archive/2025-08.atom";
	f.next_archive_url = "https://node.example/feeds/archive/2025-11.atom";
	buf_init(&b);
	render_atom(&b, &f, entries, n);
	doc = xmlReadMemory(b.data, (int)b.len, "archive.atom", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok(doc != NULL, "archive Atom is well-formed");
	if (doc != NULL) {
		x = xpath_new(doc);
		is_int(xp_count(x, "/a:feed/fh:archive"), 1,
		    "fh:archive in the history namespace");
		is_str(xp_str(x, "/a:feed/a:link[@rel='current']/@href"),
		    f.current_url, "current link");
		is_str(xp_str(x, "/a:feed/a:link[@rel='prev-archive']/@href"),
		    f.prev_archive_url, "prev-archive link");
		is_str(xp_str(x, "/a:feed/a:link[@rel='next-archive']/@href"),
		    f.next_archive_url, "next-archive link");
		is_str(xp_str(x, "/a:feed/a:link[@rel='next']/@href"),
		    f.next_url, "a month past the cap is paged with next");
		xmlXPathFreeContext(x);
		xmlFreeDoc(doc);
	}
	buf_reset(&b);
	render_json(&b, &f, entries, n);
	j = json_loads(b.data, 0, NULL);
	fm = json_object_get(j, "_feedmesh");
	ok(json_is_true(json_object_get(fm, "archive")),
	    "_feedmesh.archive true");
	is_str(json_string_value(json_object_get(fm, "current")),
	    f.current_url, "_feedmesh.current");
	is_str(json_string_value(json_object_get(fm, "prev_archive")),
	    f.prev_archive_url, "_feedmesh.prev_archive");
	is_str(json_string_value(json_object_get(fm, "next_archive")),
	    f.next_archive_url, "_feedmesh.next_archive");
	json_decref(j);

	/* The live listing: a prev-archive link, not an archive. */
	f.archive = 0;
	f.current_url = f.next_archive_url = NULL;
	buf_reset(&b);
	render_atom(&b, &f, entries, n);
	doc = xmlReadMemory(b.data, (int)b.len, "live.atom", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok(doc != NULL && strstr(b.data, "fh:") == NULL,
	    "live listing: no fh:archive nor its namespace");
	if (doc != NULL) {
		x = xpath_new(doc);
		is_str(xp_str(x, "/a:feed/a:link[@rel='prev-archive']/@href"),
		    f.prev_archive_url, "live listing: prev-archive link");
		is_int(xp_count(x, "/a:feed/a:link[@rel='current' or "
		    "@rel='next-archive']"), 0, "live listing: no current");
		xmlXPathFreeContext(x);
		xmlFreeDoc(doc);
	}
	buf_reset(&b);
	render_json(&b, &f, entries, n);
	j = json_loads(b.data, 0, NULL);
	fm = json_object_get(j, "_feedmesh");
	ok(j != NULL && json_object_get(fm, "archive") == NULL &&
	    json_object_get(fm, "current") == NULL,
	    "live JSON: no archive member");
	json_decref(j);
	buf_free(&b);
}

static void
test_empty(void)
{
	struct render_feed	 f;
	struct buf		 b;
	xmlDocPtr		 doc;
	xmlXPathContextPtr	 x;
	json_t			*j;

	feed_init(&f);
	f.hub_url = f.next_url = NULL;
	f.updated = ENTRY_NO_TIME;
	buf_init(&b);
	render_atom(&b, &f, NULL, 0);
	doc = xmlReadMemory(b.data, (int)b.len, "empty.atom", NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	ok(doc != NULL, "empty Atom is well-formed");
	if (doc != NULL) {
		x = xpath_new(doc);
		is_int(xp_count(x, "/a:feed/a:entry"), 0, "no entries");
		is_int(xp_count(x, "/a:feed/a:author"), 1, "feed author");
		is_str(xp_str(x, "/a:feed/a:updated"), "1970-01-01T00:00:00Z",
		    "updated of an empty listing");
		is_int(xp_count(x, "/a:feed/a:link[@rel='hub']"), 0,
		    "no hub link");
		xmlXPathFreeContext(x);
		xmlFreeDoc(doc);
	}
	buf_reset(&b);
	render_json(&b, &f, NULL, 0);
	j = json_loads(b.data, 0, NULL);
	ok(j != NULL && json_is_array(json_object_get(j, "items")) &&
	    json_array_size(json_object_get(j, "items")) == 0 &&
	    json_object_get(j, "hubs") == NULL, "empty JSON Feed");
	json_decref(j);
	buf_free(&b);
}

/* Writes feed.atom, feed.json and empty.atom into dir. */
static int
write_files(const char *dir, struct entry *const *entries, size_t n)
{
	static const char *const names[] = { "feed.atom", "feed.json",
	    "empty.atom" };
	struct render_feed	 f;
	struct buf		 b;
	char			 path[1024];
	FILE			*fp;
	int			 i;

	feed_init(&f);
	buf_init(&b);
	for (i = 0; i < 3; i++) {
		buf_reset(&b);
		if (i == 0)
			render_atom(&b, &f, entries, n);
		else if (i == 1)
			render_json(&b, &f, entries, n);
		else
			render_atom(&b, &f, NULL, 0);
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if ((fp = fopen(path, "w")) == NULL ||
		    fwrite(b.data, 1, b.len, fp) != b.len ||
		    fclose(fp) != 0) {
			perror(path);
			return (1);
		}
	}
	buf_free(&b);
	return (0);
}

static void
collect_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	struct entry	**v = arg;
	size_t		  i;

	(void)meta;
	for (i = 0; i < 2 && v[i] != NULL; i++)
		;
	if (i < 2)
		v[i] = e;
	else
		entry_free(e);
}

/*
 * A node's listing read by another node gives back the same entries as
 * the first node stores them, so that both compute the same digests:
 * origin and expiry travel (fm:origin, fm:expires), the node's name as
 * the feed's author is not inherited, and nothing is added.
 */
static void
test_round_trip(void)
{
	struct render_feed	 f;
	struct entry		*in[2], *out[2];
	struct buf		 b;
	char			*want, *got, *err;
	int			 fmt, i;

	in[0] = entry_new();
	entry_set(&in[0]->id, "tag:region.example,2026:1");
	entry_set(&in[0]->title, "Chargé·e de mission ESS");
	entry_set(&in[0]->link, "https://region.example/emploi/1");
	entry_set(&in[0]->summary, "<p>Un <em>poste</em> à Saint-Étienne</p>");
	entry_set(&in[0]->summary_text, "Un poste à Saint-Étienne");
	entry_set(&in[0]->content, "<p>Le <strong>contenu</strong>.</p>");
	entry_set(&in[0]->content_type, "html");
	entry_set(&in[0]->kind, "job");
	entry_set(&in[0]->territory, "auvergne-rhone-alpes/loire");
	entry_add_category(in[0], "insertion", NULL, NULL);
	in[0]->published = 1764000000;
	in[0]->updated = 1764003600;
	in[0]->expires = 1766000000;
	in[0]->has_geo = 1;
	in[0]->lat = 45.4397;
	in[0]->lon = 4.3872;
	entry_set(&in[0]->source.id, "https://region.example/feeds/all.atom");
	entry_set(&in[0]->source.title, "Portail régional");
	entry_set(&in[0]->source.link, "https://region.example/");
	entry_set(&in[0]->origin, "region");
	entry_add_peer(in[0], "loire");
	in[1] = entry_new();
	entry_set(&in[1]->id, "tag:region.example,2026:0");
	entry_set(&in[1]->origin, "region");
	in[1]->deleted = 1;
	in[1]->updated = 1764007200;

	for (fmt = 0; fmt < 2; fmt++) {
		feed_init(&f);
		buf_init(&b);
		if (fmt == 0)
			render_atom(&b, &f, in, 2);
		else
			render_json(&b, &f, in, 2);
		out[0] = out[1] = NULL;
		err = NULL;
		if (parse_buffer(b.data, b.len, NULL, collect_cb, out, NULL,
		    &err) == -1) {
			ok(0, "round trip %s: parsed (%s)", fmt ? "JSON" :
			    "Atom", err != NULL ? err : "?");
			free(err);
			buf_free(&b);
			continue;
		}
		free(err);
		for (i = 0; i < 2; i++) {
			want = store_doc_ref_write(in[i], NULL);
			got = out[i] != NULL ?
			    store_doc_ref_write(out[i], NULL) : NULL;
			is_str(got, want, "round trip %s: %s read back as "
			    "stored", fmt ? "JSON" : "Atom", i ? "tombstone" :
			    "entry");
			free(want);
			free(got);
			entry_free(out[i]);
		}
		buf_free(&b);
	}
	entry_free(in[0]);
	entry_free(in[1]);
}

static int
head_write_cb(const char *p, size_t len, void *arg)
{
	buf_add(arg, p, len);
	return (0);
}

static void
head_set(json_t *o, const char *key, const char *value)
{
	json_t	*s;

	if (value != NULL && (s = json_string(value)) != NULL)
		json_object_set_new(o, key, s);
}

/*
 * The JSON Feed head as jansson writes it: the tree with an empty items
 * array, dumped, without its "]}" (how render_json_head() made it before
 * it wrote the bytes itself).
 */
static void
head_reference(struct buf *b, const struct render_feed *f)
{
	json_t	*root, *fm, *hub, *hubs;
	char	 ts[DATE_RFC3339_LEN];

	root = json_object();
	json_object_set_new(root, "version",
	    json_string("https://jsonfeed.org/version/1.1"));
	head_set(root, "title", f->title != NULL ? f->title : "");
	head_set(root, "home_page_url", f->alternate_url);
	head_set(root, "feed_url", f->self_url);
	head_set(root, "next_url", f->next_url);
	if (f->hub_url != NULL) {
		hubs = json_array();
		hub = json_object();
		json_object_set_new(hub, "type", json_string("WebSub"));
		head_set(hub, "url", f->hub_url);
		json_array_append_new(hubs, hub);
		json_object_set_new(root, "hubs", hubs);
	}
	fm = json_object();
	head_set(fm, "node", f->node);
	head_set(fm, "id", f->id);
	if (f->updated != ENTRY_NO_TIME) {
		date_format_rfc3339(f->updated, ts, sizeof(ts));
		head_set(fm, "updated", ts);
	}
	if (f->archive)
		json_object_set_new(fm, "archive", json_true());
	head_set(fm, "current", f->current_url);
	head_set(fm, "prev_archive", f->prev_archive_url);
	head_set(fm, "next_archive", f->next_archive_url);
	json_object_set_new(root, "_feedmesh", fm);
	json_object_set_new(root, "items", json_array());
	json_dump_callback(root, head_write_cb, b, JSON_COMPACT);
	json_decref(root);
	if (b->len >= 2) {
		b->len -= 2;
		b->data[b->len] = '\0';
	}
}

/* The head written directly has jansson's bytes, whatever the strings. */
static void
test_json_head(void)
{
	struct render_feed	 f;
	struct buf		 got, want;
	int			 i;

	for (i = 0; i < 5; i++) {
		feed_init(&f);
		switch (i) {
		case 1:
			f.title = NASTY_UTF8;
			f.hub_url = NULL;
			f.next_url = NULL;
			f.updated = ENTRY_NO_TIME;
			break;
		case 2:
			/* Not UTF-8: left out, as jansson refuses them. */
			f.title = "\xff titre";
			f.hub_url = "https://hub.example/\xc3";
			f.node = NULL;
			f.id = "tag:a\\b/c\x7f\xe2\x80\xa8" "d\x1f";
			f.archive = 1;
			f.current_url = "https://node.example/feeds/all.json";
			f.prev_archive_url = "https://node.example/a/2026-01.json";
			f.next_archive_url = "\xed\xa0\x80";	/* a surrogate */
			break;
		case 3:
			f.title = NULL;
			f.alternate_url = "";
			break;
		case 4:
			f.self_url = "https://node.example/\"quoted\" "
			    "\\back\b\f\t\x01 \xf0\x9f\x8c\xb1";
			/* Printable ASCII, but for JSON's two escapes. */
			f.next_url = "https://node.example/a\\b";
			f.alternate_url = "https://node.example/?q=\"x\"";
			break;
		}
		buf_init(&got);
		buf_init(&want);
		render_json_head(&got, &f);
		head_reference(&want, &f);
		is_str(got.data, want.data, "JSON head %d: jansson's bytes", i);
		buf_free(&got);
		buf_free(&want);
	}
}

int
main(int argc, char **argv)
{
	struct entry	*entries[3];
	size_t		 i;
	int		 r;

	xmlSetStructuredErrorFunc(NULL, quiet_cb);
	entries[0] = make_job();
	entries[1] = make_plain();
	entries[2] = make_tombstone();
	if (argc == 3 && strcmp(argv[1], "-w") == 0) {
		entry_set(&entries[0]->title, NASTY_UTF8);
		r = write_files(argv[2], entries, 3);
	} else {
		test_atom(entries, 3);
		entry_set(&entries[0]->title, NASTY_UTF8);
		test_json(entries, 3);
		test_json_head();
		test_empty();
		test_archive(entries, 3);
		test_round_trip();
		r = tap_done();
	}
	for (i = 0; i < 3; i++)
		entry_free(entries[i]);
	return (r);
}
