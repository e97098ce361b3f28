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
static void	 render_json_set(json_t *, const char *, const char *);

/* jansson's dump callback: bytes go straight into the reply buffer. */
static int
render_json_write_cb(const char *p, size_t len, void *arg)
{
	buf_add(arg, p, len);
	return (0);
}

/* Sets a string member; a NULL or non-UTF-8 value is left out. */
static void
render_json_set(json_t *o, const char *key, const char *value)
{
	json_t	*s;

	if (value == NULL)
		return;
	if ((s = json_string(value)) == NULL) {
		log_debug("%s: %s is not UTF-8, left out", __func__, key);
		return;
	}
	json_object_set_new(o, key, s);
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
 * The document up to its items' opening bracket: the tree with an
 * empty items array (last member), dumped, without its "]}".
 */
void
render_json_head(struct buf *b, const struct render_feed *f)
{
	json_t	*root, *items, *fm, *hub, *hubs;
	char	 ts[DATE_RFC3339_LEN];
	size_t	 start = b->len;

	root = json_object();
	json_object_set_new(root, "version",
	    json_string("https://jsonfeed.org/version/1.1"));
	render_json_set(root, "title", f->title != NULL ? f->title : "");
	render_json_set(root, "home_page_url", f->alternate_url);
	render_json_set(root, "feed_url", f->self_url);
	render_json_set(root, "next_url", f->next_url);
	if (f->hub_url != NULL) {
		hubs = json_array();
		hub = json_object();
		json_object_set_new(hub, "type", json_string("WebSub"));
		render_json_set(hub, "url", f->hub_url);
		json_array_append_new(hubs, hub);
		json_object_set_new(root, "hubs", hubs);
	}
	fm = json_object();
	render_json_set(fm, "node", f->node);
	render_json_set(fm, "id", f->id);
	if (f->updated != ENTRY_NO_TIME) {
		date_format_rfc3339(f->updated, ts, sizeof(ts));
		render_json_set(fm, "updated", ts);
	}
	/* RFC 5005 section 4, in the extension: JSON Feed has no archives. */
	if (f->archive)
		json_object_set_new(fm, "archive", json_true());
	render_json_set(fm, "current", f->current_url);
	render_json_set(fm, "prev_archive", f->prev_archive_url);
	render_json_set(fm, "next_archive", f->next_archive_url);
	json_object_set_new(root, "_feedmesh", fm);

	items = json_array();
	json_object_set_new(root, "items", items);

	/*
	 * Compact: this is served on every poll. jansson writes UTF-8 as is
	 * and escapes only what JSON requires.
	 */
	if (json_dump_callback(root, render_json_write_cb, b,
	    JSON_COMPACT) == -1 || b->len < start + 2 ||
	    memcmp(b->data + b->len - 2, "]}", 2) != 0) {
		log_warnx("%s: json_dump_callback failed", __func__);
		b->len = start;
		buf_addstr(b, "{\"items\":[");
	} else {
		b->len -= 2;
		b->data[b->len] = '\0';
	}
	json_decref(root);
}
