/*
 * feedmesh: a merged listing written as an Atom 1.0 feed (RFC 4287) with
 * RFC 5005 paging, RFC 6721 tombstones, GeoRSS points and the feedmesh
 * extension namespace, straight into a buffer (no DOM: this is the hot
 * path of serving).
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "buf.h"
#include "date.h"
#include "entry.h"
#include "render.h"
#include "sanitize.h"

#define RENDER_NS_ATOM		"http://www.w3.org/2005/Atom"
#define RENDER_NS_FM		"https://feedmesh.org/ns/1.0"
#define RENDER_NS_GEORSS	"http://www.georss.org/georss"
#define RENDER_NS_AT		"http://purl.org/atompub/tombstones/1.0"
#define RENDER_NS_MEDIA		"http://search.yahoo.com/mrss/"
#define RENDER_NS_FH		"http://purl.org/syndication/history/1.0"

static void	 render_xml_escape(struct buf *, const char *);
static void	 render_elem(struct buf *, const char *, const char *,
		    const char *);
static void	 render_attr(struct buf *, const char *, const char *);
static void	 render_time(struct buf *, const char *, int64_t,
		    const char *);
static void	 render_link(struct buf *, const char *, const char *,
		    const char *, const char *, int64_t);
static void	 render_feed_link(struct buf *, const char *, const char *);
static void	 render_category(struct buf *, const char *, const char *,
		    const char *);
static void	 render_person(struct buf *, const struct entry_person *);
static void	 render_entry(struct buf *, const struct entry *, int64_t);
static void	 render_tombstone(struct buf *, const struct entry *,
		    int64_t);
static int64_t	 render_entry_updated(const struct entry *, int64_t);
static int	 render_lang_ok(const char *);

/*
 * Writes s as XML 1.0 character data, valid in text and in double-quoted
 * attributes: markup characters as entities, CR, LF and tab as character
 * references (attribute normalization would eat them), characters XML 1.0
 * forbids (C0 controls, U+FFFE, U+FFFF) dropped and malformed UTF-8 replaced
 * by U+FFFD. Runs of plain bytes are copied at once.
 */
static void
render_xml_escape(struct buf *b, const char *str)
{
	const char	*s = str, *run, *rep;
	size_t		 n, len;
	uint32_t	 c;

	len = strlen(str);
	run = s;
	while (*s != '\0') {
		c = (unsigned char)*s;
		if (c >= 0x20 && c < 0x80 && c != '&' && c != '<' &&
		    c != '>' && c != '"') {
			s++;
			continue;
		}
		buf_add(b, run, (size_t)(s - run));
		rep = NULL;
		n = 1;
		switch (c) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\t':
			rep = "&#9;";
			break;
		case '\n':
			rep = "&#10;";
			break;
		case '\r':
			rep = "&#13;";
			break;
		default:
			if (c < 0x80)
				/* Other C0 controls: not XML characters. */
				break;
			n = sanitize_utf8_next(s, len - (size_t)(s - str), &c);
			if (c == 0xfffd)
				rep = "\xef\xbf\xbd";
			else if (c != 0xfffe && c != 0xffff)
				buf_add(b, s, n);
			break;
		}
		if (rep != NULL)
			buf_addstr(b, rep);
		s += n;
		run = s;
	}
	buf_add(b, run, (size_t)(s - run));
}

/* <name attrs>escaped text</name>; nothing when text is NULL. */
static void
render_elem(struct buf *b, const char *name, const char *attrs,
    const char *text)
{
	if (text == NULL)
		return;
	buf_addc(b, '<');
	buf_addstr(b, name);
	if (attrs != NULL)
		buf_addstr(b, attrs);
	buf_addc(b, '>');
	render_xml_escape(b, text);
	buf_addstr(b, "</");
	buf_addstr(b, name);
	buf_addstr(b, ">\n");
}

/* name="escaped value" with a leading space; nothing when value is NULL. */
static void
render_attr(struct buf *b, const char *name, const char *value)
{
	if (value == NULL)
		return;
	buf_addc(b, ' ');
	buf_addstr(b, name);
	buf_addstr(b, "=\"");
	render_xml_escape(b, value);
	buf_addc(b, '"');
}

static void
render_time(struct buf *b, const char *name, int64_t t, const char *indent)
{
	char	 ts[DATE_RFC3339_LEN];

	if (t == ENTRY_NO_TIME)
		return;
	date_format_rfc3339(t, ts, sizeof(ts));
	buf_addstr(b, indent);
	render_elem(b, name, NULL, ts);
}

static void
render_link(struct buf *b, const char *rel, const char *href,
    const char *type, const char *title, int64_t length)
{
	if (href == NULL)
		return;
	buf_addstr(b, "  <link");
	render_attr(b, "rel", rel);
	render_attr(b, "href", href);
	render_attr(b, "type", type);
	render_attr(b, "title", title);
	if (length >= 0)
		buf_printf(b, " length=\"%lld\"", (long long)length);
	buf_addstr(b, "/>\n");
}

/* A feed-level link to another Atom document of the feed, if href. */
static void
render_feed_link(struct buf *b, const char *rel, const char *href)
{
	if (href == NULL)
		return;
	buf_addstr(b, " <link");
	render_attr(b, "rel", rel);
	buf_addstr(b, " type=\"application/atom+xml\"");
	render_attr(b, "href", href);
	buf_addstr(b, "/>\n");
}

static void
render_category(struct buf *b, const char *term, const char *scheme,
    const char *label)
{
	if (term == NULL)
		return;
	buf_addstr(b, "  <category");
	render_attr(b, "term", term);
	render_attr(b, "scheme", scheme);
	render_attr(b, "label", label);
	buf_addstr(b, "/>\n");
}

/* atom:author needs a name: the e-mail or URI stands in for a missing one. */
static void
render_person(struct buf *b, const struct entry_person *p)
{
	const char	*name;

	name = p->name != NULL && *p->name != '\0' ? p->name :
	    p->email != NULL ? p->email : p->uri != NULL ? p->uri :
	    "anonymous";
	buf_addstr(b, "  <author>\n   ");
	render_elem(b, "name", NULL, name);
	if (p->email != NULL) {
		buf_addstr(b, "   ");
		render_elem(b, "email", NULL, p->email);
	}
	if (p->uri != NULL) {
		buf_addstr(b, "   ");
		render_elem(b, "uri", NULL, p->uri);
	}
	buf_addstr(b, "  </author>\n");
}

/*
 * atom:updated is required: the entry's own, else its publication, else
 * the listing's, so that the same listing always renders the same bytes.
 */
static int64_t
render_entry_updated(const struct entry *e, int64_t fallback)
{
	if (e->updated != ENTRY_NO_TIME)
		return (e->updated);
	if (e->published != ENTRY_NO_TIME)
		return (e->published);
	return (fallback);
}

static int
render_lang_ok(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
			return (0);
	return (i > 0 && i <= 35);
}

/* RFC 6721: a deleted entry is announced, not served. */
static void
render_tombstone(struct buf *b, const struct entry *e, int64_t fallback)
{
	char	 ts[DATE_RFC3339_LEN];

	date_format_rfc3339(render_entry_updated(e, fallback), ts, sizeof(ts));
	buf_addstr(b, " <at:deleted-entry");
	render_attr(b, "ref", e->id);
	render_attr(b, "when", ts);
	buf_addstr(b, "/>\n");
}

static void
render_entry(struct buf *b, const struct entry *e, int64_t fallback)
{
	const struct entry_link	*l;
	const char		*rel;
	size_t			 i;

	buf_addstr(b, " <entry");
	if (e->lang != NULL && render_lang_ok(e->lang))
		render_attr(b, "xml:lang", e->lang);
	buf_addstr(b, ">\n  ");
	render_elem(b, "id", NULL, e->id);
	buf_addstr(b, "  ");
	render_elem(b, "title", " type=\"text\"",
	    e->title != NULL ? e->title : "");
	render_time(b, "updated", render_entry_updated(e, fallback), "  ");
	render_time(b, "published", e->published, "  ");
	render_link(b, "alternate", e->link, NULL, NULL, -1);
	for (i = 0; i < e->nlinks; i++) {
		l = &e->links[i];
		rel = l->rel != NULL ? l->rel : "alternate";
		/*
		 * RFC 4287 allows one alternate per type and language: an
		 * untyped one would clash with the permalink.
		 */
		if (strcmp(rel, "alternate") == 0 && e->link != NULL &&
		    (l->type == NULL || (l->href != NULL &&
		    strcmp(l->href, e->link) == 0)))
			continue;
		render_link(b, rel, l->href, l->type, l->title, -1);
	}
	for (i = 0; i < e->nenclosures; i++)
		render_link(b, "enclosure", e->enclosures[i].url,
		    e->enclosures[i].type, NULL, e->enclosures[i].length);
	for (i = 0; i < e->nauthors; i++)
		render_person(b, &e->authors[i]);
	if (e->kind != NULL)
		render_category(b, e->kind, ENTRY_SCHEME_KIND, NULL);
	if (e->territory != NULL)
		render_category(b, e->territory, ENTRY_SCHEME_TERRITORY, NULL);
	for (i = 0; i < e->ncategories; i++)
		render_category(b, e->categories[i].term,
		    e->categories[i].scheme, e->categories[i].label);
	if (e->summary != NULL) {
		buf_addstr(b, "  ");
		render_elem(b, "summary", " type=\"html\"", e->summary);
	} else if (e->summary_text != NULL) {
		buf_addstr(b, "  ");
		render_elem(b, "summary", " type=\"text\"", e->summary_text);
	}
	if (e->content != NULL) {
		buf_addstr(b, "  ");
		render_elem(b, "content", e->content_type != NULL &&
		    strcmp(e->content_type, "text") == 0 ? " type=\"text\"" :
		    " type=\"html\"", e->content);
	}
	/*
	 * The picture goes as a Media RSS thumbnail rather than an
	 * enclosure: readers show thumbnails, while podcast clients would
	 * download enclosures.
	 */
	if (e->image != NULL) {
		buf_addstr(b, "  <media:thumbnail");
		render_attr(b, "url", e->image);
		buf_addstr(b, "/>\n");
	}
	if (e->has_geo)
		buf_printf(b, "  <georss:point>%.6f %.6f</georss:point>\n",
		    e->lat, e->lon);
	if (e->source.id != NULL || e->source.title != NULL ||
	    e->source.link != NULL) {
		buf_addstr(b, "  <source>\n   ");
		render_elem(b, "id", NULL, e->source.id);
		if (e->source.title != NULL) {
			buf_addstr(b, "   ");
			render_elem(b, "title", " type=\"text\"",
			    e->source.title);
		}
		if (e->source.link != NULL) {
			buf_addstr(b, "   <link rel=\"alternate\"");
			render_attr(b, "href", e->source.link);
			buf_addstr(b, "/>\n");
		}
		buf_addstr(b, "  </source>\n");
	}
	if (e->origin != NULL) {
		buf_addstr(b, "  ");
		render_elem(b, "fm:origin", NULL, e->origin);
	}
	render_time(b, "fm:expires", e->expires, "  ");
	for (i = 0; i < e->npeers; i++) {
		buf_addstr(b, "  ");
		render_elem(b, "fm:peer", NULL, e->peers[i]);
	}
	buf_addstr(b, " </entry>\n");
}

int
render_atom_needs_author(const struct entry *e)
{
	return (!e->deleted && e->nauthors == 0);
}

int
render_atom_entry(struct buf *b, const struct entry *e, int64_t updated)
{
	if (e->id == NULL)
		return (-1);
	if (e->deleted)
		render_tombstone(b, e, updated);
	else
		render_entry(b, e, updated);
	return (0);
}

int
render_atom_entry_own(const struct entry *e)
{
	return (e->updated != ENTRY_NO_TIME || e->published != ENTRY_NO_TIME);
}

void
render_atom_tail(struct buf *b)
{
	buf_addstr(b, "</feed>\n");
}

/* Appends the listing as an Atom feed document to b. */
void
render_atom(struct buf *b, const struct render_feed *f,
    struct entry *const *entries, size_t n)
{
	struct render_feed	 g = *f;
	int64_t			 updated = f->updated, t;
	size_t			 i;
	int			 need_author = 1;

	/* The feed's date, if not given, is its newest entry's. */
	if (updated == ENTRY_NO_TIME) {
		for (i = 0; i < n; i++) {
			t = render_entry_updated(entries[i], ENTRY_NO_TIME);
			if (t != ENTRY_NO_TIME && (updated == ENTRY_NO_TIME ||
			    t > updated))
				updated = t;
		}
		if (updated == ENTRY_NO_TIME)
			updated = 0;
	}
	/*
	 * A feed-level author is required unless every entry has its own;
	 * the node speaks for the entries that have none.
	 */
	for (i = 0; i < n; i++)
		if (render_atom_needs_author(entries[i]))
			break;
	if (n > 0 && i == n)
		need_author = 0;
	g.updated = updated;
	render_atom_head(b, &g, need_author);
	for (i = 0; i < n; i++)
		render_atom_entry(b, entries[i], updated);
	render_atom_tail(b);
}

void
render_atom_head(struct buf *b, const struct render_feed *f, int need_author)
{
	int64_t		 updated = f->updated;

	buf_addstr(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"" RENDER_NS_ATOM "\"\n"
	    "      xmlns:fm=\"" RENDER_NS_FM "\"\n"
	    "      xmlns:georss=\"" RENDER_NS_GEORSS "\"\n"
	    "      xmlns:at=\"" RENDER_NS_AT "\"\n"
	    "      xmlns:media=\"" RENDER_NS_MEDIA "\"");
	if (f->archive)
		buf_addstr(b, "\n      xmlns:fh=\"" RENDER_NS_FH "\"");
	buf_addstr(b, ">\n ");
	render_elem(b, "id", NULL, f->id != NULL ? f->id : f->self_url);
	buf_addstr(b, " ");
	render_elem(b, "title", " type=\"text\"",
	    f->title != NULL ? f->title : "");
	render_time(b, "updated", updated, " ");
	buf_addstr(b, " <link rel=\"self\" type=\"application/atom+xml\"");
	render_attr(b, "href", f->self_url);
	buf_addstr(b, "/>\n");
	if (f->alternate_url != NULL) {
		buf_addstr(b, " <link rel=\"alternate\" type=\"text/html\"");
		render_attr(b, "href", f->alternate_url);
		buf_addstr(b, "/>\n");
	}
	if (f->hub_url != NULL) {
		buf_addstr(b, " <link rel=\"hub\"");
		render_attr(b, "href", f->hub_url);
		buf_addstr(b, "/>\n");
	}
	if (f->next_url != NULL) {
		buf_addstr(b, " <link rel=\"next\" "
		    "type=\"application/atom+xml\"");
		render_attr(b, "href", f->next_url);
		buf_addstr(b, "/>\n");
	}
	render_feed_link(b, "current", f->current_url);
	render_feed_link(b, "prev-archive", f->prev_archive_url);
	render_feed_link(b, "next-archive", f->next_archive_url);
	/* RFC 5005 4: this document is an archive, its contents stable. */
	if (f->archive)
		buf_addstr(b, " <fh:archive/>\n");
	if (need_author) {
		buf_addstr(b, " <author>\n  ");
		render_elem(b, "name", NULL, f->title != NULL ? f->title :
		    f->node != NULL ? f->node : "feedmesh");
		if (f->alternate_url != NULL) {
			buf_addstr(b, "  ");
			render_elem(b, "uri", NULL, f->alternate_url);
		}
		buf_addstr(b, " </author>\n");
	}
	buf_addstr(b, " <generator uri=\"https://feedmesh.org/\" version=\""
	    PACKAGE_VERSION "\">feedmesh</generator>\n");
	if (f->node != NULL) {
		buf_addstr(b, " ");
		render_elem(b, "fm:node", NULL, f->node);
	}
}
