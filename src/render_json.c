/*
 * feedmesh: a merged listing written as a JSON Feed 1.1 document, each item
 * in the canonical form of entry_to_json() (feedmesh fields in "_feedmesh").
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "render.h"

static int	 render_json_write_cb(const char *, size_t, void *);
static void	 render_json_key(struct buf *, size_t *, const char *);
static void	 render_json_member(struct buf *, size_t *, const char *,
		    const char *);

/* jansson's dump callback: bytes go straight into the reply buffer. */
static int
render_json_write_cb(const char *p, size_t len, void *arg)
{
	buf_add(arg, p, len);
	return (0);
}

/* Appends the listing as a JSON Feed 1.1 document to b. */
void
render_json(struct buf *b, const struct render_feed *f,
    struct entry *const *entries, size_t n)
{
	size_t	 i;
	int	 first = 1;

	render_json_head(b, f);
	for (i = 0; i < n; i++) {
		if (!first)
			buf_addc(b, ',');
		if (render_json_entry(b, entries[i]) == 0)
			first = 0;
		else if (!first)
			b->len--, b->data[b->len] = '\0';
	}
	render_json_tail(b);
}

/*
 * One item as the document has it: jansson writes a compact array as
 * its members' compact forms joined by commas, so that pieces rendered
 * alone make the same bytes as the whole tree dumped at once.
 */
int
render_json_entry(struct buf *b, const struct entry *e)
{
	json_t	*item;
	int	 rc;

	if (e->id == NULL || (item = entry_to_json(e)) == NULL)
		return (-1);
	rc = json_dump_callback(item, render_json_write_cb, b, JSON_COMPACT);
	json_decref(item);
	if (rc == -1) {
		log_warnx("%s: json_dump_callback failed", __func__);
		return (-1);
	}
	return (0);
}

void
render_json_tail(struct buf *b)
{
	buf_addstr(b, "]}\n");
}

/*
 * The document up to its items' opening bracket, the bytes jansson
 * writes for the tree with an empty items array (last member) without
 * its "]}": members in that order, each string as render_json_member()
 * writes it. Written directly: building and dumping the tree cost a
 * tenth of an uncached listing's instructions.
 */
void
render_json_head(struct buf *b, const struct render_feed *f)
{
	char	 ts[DATE_RFC3339_LEN];
	size_t	 n = 0, m = 0;

	buf_addc(b, '{');
	render_json_member(b, &n, "version", "https://jsonfeed.org/version/1.1");
	render_json_member(b, &n, "title", f->title != NULL ? f->title : "");
	render_json_member(b, &n, "home_page_url", f->alternate_url);
	render_json_member(b, &n, "feed_url", f->self_url);
	render_json_member(b, &n, "next_url", f->next_url);
	if (f->hub_url != NULL) {
		render_json_key(b, &n, "hubs");
		buf_addstr(b, "[{");
		render_json_member(b, &m, "type", "WebSub");
		render_json_member(b, &m, "url", f->hub_url);
		buf_addstr(b, "}]");
	}
	render_json_key(b, &n, "_feedmesh");
	buf_addc(b, '{');
	m = 0;
	render_json_member(b, &m, "node", f->node);
	render_json_member(b, &m, "id", f->id);
	if (f->updated != ENTRY_NO_TIME) {
		date_format_rfc3339(f->updated, ts, sizeof(ts));
		render_json_member(b, &m, "updated", ts);
	}
	/* RFC 5005 section 4, in the extension: JSON Feed has no archives. */
	if (f->archive) {
		render_json_key(b, &m, "archive");
		buf_addstr(b, "true");
	}
	render_json_member(b, &m, "current", f->current_url);
	render_json_member(b, &m, "prev_archive", f->prev_archive_url);
	render_json_member(b, &m, "next_archive", f->next_archive_url);
	buf_addc(b, '}');
	render_json_key(b, &n, "items");
	buf_addc(b, '[');
}

/* The n-th key of an object being written (keys are plain ASCII). */
static void
render_json_key(struct buf *b, size_t *n, const char *key)
{
	if ((*n)++ > 0)
		buf_addc(b, ',');
	buf_addc(b, '"');
	buf_addstr(b, key);
	buf_add(b, "\":", 2);
}

/*
 * A string member of an object being written, as jansson's compact dump
 * writes it; a NULL or non-UTF-8 value is left out.
 * Printable ASCII without quote nor backslash is written as it is (the
 * URLs, mostly); anything else is encoded by jansson itself, so that
 * escapes and UTF-8 checks stay its own.
 */
static void
render_json_member(struct buf *b, size_t *n, const char *key,
    const char *value)
{
	json_t			*s;
	const unsigned char	*p;

	if (value == NULL)
		return;
	for (p = (const unsigned char *)value; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			break;
	if (*p == '\0') {
		render_json_key(b, n, key);
		buf_addc(b, '"');
		buf_add(b, value, (size_t)(p - (const unsigned char *)value));
		buf_addc(b, '"');
		return;
	}
	if ((s = json_string(value)) == NULL) {
		log_debug("%s: %s is not UTF-8, left out", __func__, key);
		return;
	}
	render_json_key(b, n, key);
	if (json_dump_callback(s, render_json_write_cb, b,
	    JSON_ENCODE_ANY | JSON_COMPACT) == -1)
		log_warnx("%s: json_dump_callback failed", __func__);
	json_decref(s);
}
