/*
 * feedmesh: JSON Feed 1.0 and 1.1. JSON has no streaming form worth the
 * name here, so the bytes are kept (up to PARSE_MAX_JSON), checked for
 * nesting depth, then read with jansson at the end.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "entry.h"
#include "log.h"
#include "parse.h"
#include "parse_private.h"

#define PARSE_JSON_VERSION	"https://jsonfeed.org/version/"

struct parse_json {
	struct parser		*p;
	struct parse_decoder	*dec;
	struct buf		 data;
};

static int	 parse_json_depth_ok(const char *, size_t, size_t,
		    size_t *);
static const char *parse_json_str(const json_t *, const char *);
static void	 parse_json_meta(struct parse_json *, const json_t *);

struct parse_json *
parse_json_new(struct parser *p)
{
	struct parse_json	*j;

	if ((j = calloc(1, sizeof(*j))) == NULL)
		fatal("%s", __func__);
	j->p = p;
	/* RFC 8259: JSON exchanged between systems is UTF-8. */
	j->dec = parse_decoder_new(NULL);
	buf_init(&j->data);
	return (j);
}

void
parse_json_free(struct parse_json *j)
{
	if (j == NULL)
		return;
	parse_decoder_free(j->dec);
	buf_free(&j->data);
	free(j);
}

int
parse_json_feed(struct parse_json *j, const char *data, size_t len)
{
	if (parse_failed(j->p))
		return (-1);
	if (j->data.len + len > PARSE_MAX_JSON) {
		parse_fail(j->p, "JSON Feed larger than %d bytes",
		    PARSE_MAX_JSON);
		return (-1);
	}
	parse_decoder_feed(j->dec, data, len, 0, &j->data);
	return (0);
}

/*
 * 1 if arrays and objects nest at most max deep. jansson recurses once
 * per level (up to 2048): the document's own limit is checked first.
 * *nvalues gets a bound on the number of values (commas, arrays and
 * objects), which is what jansson's tree costs: up to 80 times the
 * bytes for a document of empty objects.
 */
static int
parse_json_depth_ok(const char *s, size_t len, size_t max, size_t *nvalues)
{
	size_t	 i, depth = 0;
	int	 instr = 0;

	*nvalues = 1;

	for (i = 0; i < len; i++) {
		if (instr) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				instr = 0;
			continue;
		}
		switch (s[i]) {
		case '"':
			instr = 1;
			break;
		case '[':
		case '{':
			if (++depth > max)
				return (0);
			/* FALLTHROUGH */
		case ',':
			(*nvalues)++;
			break;
		case ']':
		case '}':
			if (depth > 0)
				depth--;
			break;
		}
	}
	return (1);
}

static const char *
parse_json_str(const json_t *o, const char *key)
{
	const json_t	*v = json_object_get(o, key);

	return (json_is_string(v) ? json_string_value(v) : NULL);
}

/* Feed-level fields: title, home page, feed URL, hubs, icon, author. */
static void
parse_json_meta(struct parse_json *j, const json_t *root)
{
	struct feed_meta	*m = parse_meta_edit(j->p);
	const char		*base = parse_base(j->p), *s;
	const json_t		*a, *x;
	size_t			 i;

	m->title = parse_text(parse_json_str(root, "title"), 0);
	parse_set_url(&m->link, base, parse_json_str(root, "home_page_url"));
	parse_set_url(&m->self, base, parse_json_str(root, "feed_url"));
	parse_set_url(&m->next, base, parse_json_str(root, "next_url"));
	/* RFC 5005 archives, in feedmesh's extension (PROTOCOL.md 4). */
	if ((x = json_object_get(root, "_feedmesh")) != NULL &&
	    json_is_object(x))
		parse_set_url(&m->prev_archive, base,
		    parse_json_str(x, "prev_archive"));
	if ((s = parse_json_str(root, "icon")) == NULL)
		s = parse_json_str(root, "favicon");
	parse_set_url(&m->icon, base, s);
	if ((s = parse_json_str(root, "language")) != NULL &&
	    (m->lang = strdup(s)) == NULL)
		fatal("%s", __func__);
	if ((a = json_object_get(root, "authors")) != NULL &&
	    json_is_array(a) && json_array_size(a) > 0)
		x = json_array_get(a, 0);
	else
		x = json_object_get(root, "author");
	if (json_is_object(x))
		m->author = parse_text(parse_json_str(x, "name"), 0);
	if ((a = json_object_get(root, "hubs")) != NULL && json_is_array(a))
		json_array_foreach(a, i, x) {
			s = parse_json_str(x, "type");
			if (s != NULL && strcasecmp(s, "WebSub") == 0) {
				parse_set_url(&m->hub, base,
				    parse_json_str(x, "url"));
				break;
			}
		}
	parse_utf8_repair(&m->lang);
}

int
parse_json_finish(struct parse_json *j)
{
	struct parse_item	 it;
	json_t			*root, *items, *x;
	json_error_t		 err;
	const char		*s, *why;
	size_t			 i, skip, nvalues;

	if (parse_failed(j->p))
		return (-1);
	parse_decoder_feed(j->dec, NULL, 0, 1, &j->data);
	if (!parse_json_depth_ok(j->data.data, j->data.len,
	    parse_depth_limit(j->p), &nvalues)) {
		parse_fail(j->p, "JSON nested more than %zu deep",
		    parse_depth_limit(j->p));
		return (-1);
	}
	if (nvalues > PARSE_MAX_JSON_VALUES) {
		parse_fail(j->p, "JSON Feed of more than %d values",
		    PARSE_MAX_JSON_VALUES);
		return (-1);
	}
	/* A byte order mark is not JSON, but some servers send one. */
	skip = j->data.len >= 3 &&
	    memcmp(j->data.data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
	if ((root = json_loadb(j->data.data + skip, j->data.len - skip, 0,
	    &err)) == NULL) {
		parse_fail(j->p, "not a feed: JSON error at line %d: %s",
		    err.line, err.text);
		return (-1);
	}
	buf_free(&j->data);
	if (!json_is_object(root) ||
	    (s = parse_json_str(root, "version")) == NULL ||
	    strncmp(s, PARSE_JSON_VERSION, strlen(PARSE_JSON_VERSION)) != 0) {
		parse_fail(j->p, "not a feed: JSON without a JSON Feed "
		    "version");
		json_decref(root);
		return (-1);
	}
	parse_json_meta(j, root);
	items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		parse_fail(j->p, "not a feed: JSON Feed without items");
		json_decref(root);
		return (-1);
	}
	json_array_foreach(items, i, x) {
		memset(&it, 0, sizeof(it));
		if ((it.e = entry_from_json(x, &why)) == NULL) {
			log_debug("%s: item %zu skipped: %s", __func__, i, why);
			continue;
		}
		/* Not the peer's to say: the store fills these. */
		while (it.e->npeers > 0)
			free(it.e->peers[--it.e->npeers]);
		parse_emit(j->p, &it);
	}
	json_decref(root);
	return (0);
}
