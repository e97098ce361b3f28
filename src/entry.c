/*
 * feedmesh: the normalized entry and its canonical JSON form (a JSON Feed
 * 1.1 item whose feedmesh fields sit in the "_feedmesh" extension).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "log.h"

const char *const entry_kinds[] = {
	"news", "job", "event", "actor", "initiative", "legal", "resource",
	NULL
};

static char	*entry_strdup(const char *);
static void	*entry_grow(void *, size_t *, size_t);
static int	 entry_utf8_valid(const char *, size_t);
static json_t	*entry_json_string(const char *);
static void	 entry_json_set_str(json_t *, const char *, const char *);
static void	 entry_json_set_time(json_t *, const char *, int64_t);
static const char *entry_json_str(const json_t *, const char *);
static int64_t	 entry_json_time(const json_t *, const char *);

static char *
entry_strdup(const char *s)
{
	char	*d;

	if (s == NULL)
		return (NULL);
	if ((d = strdup(s)) == NULL)
		fatal("%s", __func__);
	return (d);
}

/* Grows an array of n elements of size sz by one; returns the new array. */
static void *
entry_grow(void *array, size_t *n, size_t sz)
{
	void	*p;

	if ((p = reallocarray(array, *n + 1, sz)) == NULL)
		fatal("%s", __func__);
	memset((char *)p + *n * sz, 0, sz);
	(*n)++;
	return (p);
}

struct entry *
entry_new(void)
{
	struct entry	*e;

	if ((e = calloc(1, sizeof(*e))) == NULL)
		fatal("%s", __func__);
	e->published = e->updated = e->expires = ENTRY_NO_TIME;
	return (e);
}

void
entry_set(char **field, const char *value)
{
	char	*old = *field;

	*field = entry_strdup(value);
	free(old);
}

void
entry_clear(struct entry *e)
{
	size_t	 i;

	free(e->id);
	free(e->title);
	free(e->link);
	free(e->summary);
	free(e->summary_text);
	free(e->content);
	free(e->content_type);
	free(e->image);
	free(e->lang);
	free(e->kind);
	free(e->territory);
	for (i = 0; i < e->nauthors; i++) {
		free(e->authors[i].name);
		free(e->authors[i].email);
		free(e->authors[i].uri);
	}
	free(e->authors);
	for (i = 0; i < e->ncategories; i++) {
		free(e->categories[i].term);
		free(e->categories[i].scheme);
		free(e->categories[i].label);
	}
	free(e->categories);
	for (i = 0; i < e->nenclosures; i++) {
		free(e->enclosures[i].url);
		free(e->enclosures[i].type);
	}
	free(e->enclosures);
	for (i = 0; i < e->nlinks; i++) {
		free(e->links[i].href);
		free(e->links[i].rel);
		free(e->links[i].type);
		free(e->links[i].title);
	}
	free(e->links);
	free(e->source.id);
	free(e->source.title);
	free(e->source.link);
	free(e->origin);
	for (i = 0; i < e->npeers; i++)
		free(e->peers[i]);
	free(e->peers);
	memset(e, 0, sizeof(*e));
	e->published = e->updated = e->expires = ENTRY_NO_TIME;
}

void
entry_free(struct entry *e)
{
	if (e == NULL)
		return;
	entry_clear(e);
	free(e);
}

void
entry_add_author(struct entry *e, const char *name, const char *email,
    const char *uri)
{
	struct entry_person	*p;

	e->authors = entry_grow(e->authors, &e->nauthors, sizeof(*p));
	p = &e->authors[e->nauthors - 1];
	p->name = entry_strdup(name);
	p->email = entry_strdup(email);
	p->uri = entry_strdup(uri);
}

void
entry_add_category(struct entry *e, const char *term, const char *scheme,
    const char *label)
{
	struct entry_category	*c;

	e->categories = entry_grow(e->categories, &e->ncategories, sizeof(*c));
	c = &e->categories[e->ncategories - 1];
	c->term = entry_strdup(term);
	c->scheme = entry_strdup(scheme);
	c->label = entry_strdup(label);
}

void
entry_add_enclosure(struct entry *e, const char *url, const char *type,
    int64_t length)
{
	struct entry_enclosure	*x;

	e->enclosures = entry_grow(e->enclosures, &e->nenclosures, sizeof(*x));
	x = &e->enclosures[e->nenclosures - 1];
	x->url = entry_strdup(url);
	x->type = entry_strdup(type);
	x->length = length;
}

void
entry_add_link(struct entry *e, const char *href, const char *rel,
    const char *type, const char *title)
{
	struct entry_link	*l;

	e->links = entry_grow(e->links, &e->nlinks, sizeof(*l));
	l = &e->links[e->nlinks - 1];
	l->href = entry_strdup(href);
	l->rel = entry_strdup(rel);
	l->type = entry_strdup(type);
	l->title = entry_strdup(title);
}

void
entry_add_peer(struct entry *e, const char *peer)
{
	e->peers = entry_grow(e->peers, &e->npeers, sizeof(*e->peers));
	e->peers[e->npeers - 1] = entry_strdup(peer);
}

struct entry *
entry_dup(const struct entry *e)
{
	struct entry	*d;
	const char	*why;
	json_t		*j;
	size_t		 i;

	/* The canonical form carries every field but the peers. */
	j = entry_to_json(e);
	if ((d = entry_from_json(j, &why)) == NULL)
		fatalx("%s: canonical form does not read back: %s", __func__,
		    why);
	json_decref(j);
	for (i = 0; i < d->npeers; i++)
		free(d->peers[i]);
	free(d->peers);
	d->peers = NULL;
	d->npeers = 0;
	for (i = 0; i < e->npeers; i++)
		entry_add_peer(d, e->peers[i]);
	return (d);
}

int
entry_kind_valid(const char *kind)
{
	size_t	 i;

	if (kind == NULL)
		return (0);
	for (i = 0; entry_kinds[i] != NULL; i++)
		if (strcmp(kind, entry_kinds[i]) == 0)
			return (1);
	return (0);
}

int
entry_territory_valid(const char *t)
{
	const char	*p;
	size_t		 seg = 0;

	if (t == NULL || *t == '\0' || strlen(t) > 255)
		return (0);
	for (p = t; *p != '\0'; p++) {
		if (*p == '/') {
			if (seg == 0)
				return (0);
			seg = 0;
			continue;
		}
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-'))
			return (0);
		seg++;
	}
	return (seg > 0);
}

int
entry_node_valid(const char *name)
{
	const char	*p;

	if (name == NULL || *name == '\0')
		return (0);
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-'))
			return (0);
	return (p - name <= ENTRY_NODE_MAX);
}

/*
 * 1 if s is well-formed UTF-8 (RFC 3629: no overlong form, surrogate or
 * code point past U+10FFFF), as jansson's own check requires; ASCII goes
 * eight bytes at a time.
 */
static int
entry_utf8_valid(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n;
	unsigned char		 c, c1;

	while (i < len) {
		i += buf_ascii_span(str + i, len - i);
		if (i >= len)
			break;
		if ((c = s[i]) < 0x80) {
			i++;		/* a control character */
			continue;
		}
		n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
		    c >= 0xf0 && c <= 0xf4 ? 4 : 0;
		if (n == 0 || len - i < n)
			return (0);
		c1 = s[i + 1];
		if ((c1 & 0xc0) != 0x80 ||
		    (n > 2 && (s[i + 2] & 0xc0) != 0x80) ||
		    (n > 3 && (s[i + 3] & 0xc0) != 0x80) ||
		    (c == 0xe0 && c1 < 0xa0) ||		/* overlong */
		    (c == 0xed && c1 >= 0xa0) ||	/* surrogate */
		    (c == 0xf0 && c1 < 0x90) ||		/* overlong */
		    (c == 0xf4 && c1 >= 0x90))		/* past U+10FFFF */
			return (0);
		i += n;
	}
	return (1);
}

/*
 * A JSON string, NULL if v is not UTF-8: json_string() with a check a
 * tenth of the cost of jansson's, which decodes every character (the
 * parser already made every entry's text valid UTF-8).
 */
static json_t *
entry_json_string(const char *v)
{
	size_t	 len = strlen(v);

	if (!entry_utf8_valid(v, len))
		return (json_string(v));	/* NULL, as before */
	return (json_stringn_nocheck(v, len));
}

static void
entry_json_set_str(json_t *o, const char *key, const char *value)
{
	if (value != NULL)
		json_object_set_new_nocheck(o, key, entry_json_string(value));
}

static void
entry_json_set_time(json_t *o, const char *key, int64_t t)
{
	char	 buf[DATE_RFC3339_LEN];

	if (t == ENTRY_NO_TIME)
		return;
	date_format_rfc3339(t, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
}

json_t *
entry_to_json(const struct entry *e)
{
	json_t	*o, *fm, *a, *x;
	size_t	 i;

	o = json_object();
	fm = json_object();
	entry_json_set_str(o, "id", e->id);
	entry_json_set_str(o, "url", e->link);
	entry_json_set_str(o, "title", e->title);
	if (e->content != NULL) {
		if (e->content_type != NULL &&
		    strcmp(e->content_type, "text") == 0)
			entry_json_set_str(o, "content_text", e->content);
		else
			entry_json_set_str(o, "content_html", e->content);
	} else {
		/*
		 * JSON Feed requires content_html or content_text: an entry
		 * with only a summary shows it as its content, flagged so
		 * that reading it back gives the same entry.
		 */
		if (e->summary != NULL)
			entry_json_set_str(o, "content_html", e->summary);
		else
			entry_json_set_str(o, "content_text",
			    e->summary_text ? e->summary_text : "");
		json_object_set_new(fm, "no_content", json_true());
	}
	entry_json_set_str(o, "summary", e->summary_text);
	entry_json_set_str(o, "image", e->image);
	entry_json_set_time(o, "date_published", e->published);
	entry_json_set_time(o, "date_modified", e->updated);
	entry_json_set_str(o, "language", e->lang);

	if (e->nauthors > 0) {
		a = json_array();
		for (i = 0; i < e->nauthors; i++) {
			x = json_object();
			entry_json_set_str(x, "name", e->authors[i].name);
			entry_json_set_str(x, "url", e->authors[i].uri);
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "authors", a);
	}

	/* Plain readers see kind, territory and categories as tags. */
	a = json_array();
	if (e->kind != NULL)
		json_array_append_new(a, entry_json_string(e->kind));
	if (e->territory != NULL)
		json_array_append_new(a, entry_json_string(e->territory));
	for (i = 0; i < e->ncategories; i++)
		if (e->categories[i].term != NULL)
			json_array_append_new(a,
			    entry_json_string(e->categories[i].term));
	if (json_array_size(a) > 0)
		json_object_set_new(o, "tags", a);
	else
		json_decref(a);

	if (e->nenclosures > 0) {
		a = json_array();
		for (i = 0; i < e->nenclosures; i++) {
			x = json_object();
			entry_json_set_str(x, "url", e->enclosures[i].url);
			entry_json_set_str(x, "mime_type",
			    e->enclosures[i].type ? e->enclosures[i].type :
			    "application/octet-stream");
			if (e->enclosures[i].length >= 0)
				json_object_set_new(x, "size_in_bytes",
				    json_integer(e->enclosures[i].length));
			json_array_append_new(a, x);
		}
		json_object_set_new(o, "attachments", a);
	}

	entry_json_set_str(fm, "kind", e->kind);
	entry_json_set_str(fm, "territory", e->territory);
	if (e->has_geo) {
		x = json_object();
		json_object_set_new(x, "lat", json_real(e->lat));
		json_object_set_new(x, "lon", json_real(e->lon));
		json_object_set_new(fm, "geo", x);
	}
	entry_json_set_str(fm, "summary_html", e->summary);
	if (e->ncategories > 0) {
		a = json_array();
		for (i = 0; i < e->ncategories; i++) {
			x = json_object();
			entry_json_set_str(x, "term", e->categories[i].term);
			entry_json_set_str(x, "scheme",
			    e->categories[i].scheme);
			entry_json_set_str(x, "label", e->categories[i].label);
			json_array_append_new(a, x);
		}
		json_object_set_new(fm, "categories", a);
	}
	if (e->nauthors > 0) {
		a = json_array();
		for (i = 0; i < e->nauthors; i++) {
			x = json_object();
			entry_json_set_str(x, "name", e->authors[i].name);
			entry_json_set_str(x, "email", e->authors[i].email);
			entry_json_set_str(x, "uri", e->authors[i].uri);
			json_array_append_new(a, x);
		}
		json_object_set_new(fm, "authors", a);
	}
	if (e->nlinks > 0) {
		a = json_array();
		for (i = 0; i < e->nlinks; i++) {
			x = json_object();
			entry_json_set_str(x, "href", e->links[i].href);
			entry_json_set_str(x, "rel", e->links[i].rel);
			entry_json_set_str(x, "type", e->links[i].type);
			entry_json_set_str(x, "title", e->links[i].title);
			json_array_append_new(a, x);
		}
		json_object_set_new(fm, "links", a);
	}
	if (e->source.id != NULL || e->source.title != NULL ||
	    e->source.link != NULL) {
		x = json_object();
		entry_json_set_str(x, "id", e->source.id);
		entry_json_set_str(x, "title", e->source.title);
		entry_json_set_str(x, "url", e->source.link);
		json_object_set_new(fm, "source", x);
	}
	entry_json_set_str(fm, "origin", e->origin);
	if (e->deleted)
		json_object_set_new(fm, "deleted", json_true());
	entry_json_set_time(fm, "expires", e->expires);
	if (e->npeers > 0) {
		a = json_array();
		for (i = 0; i < e->npeers; i++)
			json_array_append_new(a, json_string(e->peers[i]));
		json_object_set_new(fm, "peers", a);
	}
	if (json_object_size(fm) > 0)
		json_object_set_new(o, "_feedmesh", fm);
	else
		json_decref(fm);
	return (o);
}

static const char *
entry_json_str(const json_t *o, const char *key)
{
	const json_t	*v;

	if (o == NULL || (v = json_object_get(o, key)) == NULL ||
	    !json_is_string(v))
		return (NULL);
	return (json_string_value(v));
}

static int64_t
entry_json_time(const json_t *o, const char *key)
{
	const char	*s;

	if ((s = entry_json_str(o, key)) == NULL)
		return (ENTRY_NO_TIME);
	return (date_parse(s, NULL));
}

struct entry *
entry_from_json(const json_t *o, const char **why)
{
	struct entry	*e;
	const json_t	*fm, *a, *x, *v;
	const char	*s;
	size_t		 i;
	json_int_t	 n;

	if (!json_is_object(o)) {
		*why = "item is not an object";
		return (NULL);
	}
	fm = json_object_get(o, "_feedmesh");
	if (fm != NULL && !json_is_object(fm))
		fm = NULL;

	e = entry_new();
	/* JSON Feed allows numeric ids in the wild; they are strings here. */
	v = json_object_get(o, "id");
	if (json_is_string(v))
		entry_set(&e->id, json_string_value(v));
	else if (json_is_integer(v)) {
		char	 num[32];

		snprintf(num, sizeof(num), "%lld",
		    (long long)json_integer_value(v));
		entry_set(&e->id, num);
	}
	entry_set(&e->link, entry_json_str(o, "url"));
	if (e->link == NULL)
		entry_set(&e->link, entry_json_str(o, "external_url"));
	entry_set(&e->title, entry_json_str(o, "title"));
	if (json_is_true(json_object_get(fm, "no_content")))
		;	/* the content shown is the summary: see entry_to_json */
	else if ((s = entry_json_str(o, "content_html")) != NULL) {
		entry_set(&e->content, s);
		entry_set(&e->content_type, "html");
	} else if ((s = entry_json_str(o, "content_text")) != NULL) {
		entry_set(&e->content, s);
		entry_set(&e->content_type, "text");
	}
	entry_set(&e->summary_text, entry_json_str(o, "summary"));
	entry_set(&e->summary, entry_json_str(fm, "summary_html"));
	entry_set(&e->image, entry_json_str(o, "image"));
	if (e->image == NULL)
		entry_set(&e->image, entry_json_str(o, "banner_image"));
	e->published = entry_json_time(o, "date_published");
	e->updated = entry_json_time(o, "date_modified");
	entry_set(&e->lang, entry_json_str(o, "language"));

	/* Authors: feedmesh's full form, else 1.1 "authors", else 1.0 "author". */
	if ((a = json_object_get(fm, "authors")) != NULL && json_is_array(a)) {
		json_array_foreach(a, i, x)
			if (json_is_object(x))
				entry_add_author(e, entry_json_str(x, "name"),
				    entry_json_str(x, "email"),
				    entry_json_str(x, "uri"));
	} else if ((a = json_object_get(o, "authors")) != NULL &&
	    json_is_array(a)) {
		json_array_foreach(a, i, x)
			if (json_is_object(x))
				entry_add_author(e, entry_json_str(x, "name"),
				    NULL, entry_json_str(x, "url"));
	} else if ((x = json_object_get(o, "author")) != NULL &&
	    json_is_object(x))
		entry_add_author(e, entry_json_str(x, "name"), NULL,
		    entry_json_str(x, "url"));

	entry_set(&e->kind, entry_json_str(fm, "kind"));
	entry_set(&e->territory, entry_json_str(fm, "territory"));
	if ((a = json_object_get(fm, "categories")) != NULL &&
	    json_is_array(a)) {
		json_array_foreach(a, i, x)
			if (json_is_object(x) &&
			    entry_json_str(x, "term") != NULL)
				entry_add_category(e, entry_json_str(x, "term"),
				    entry_json_str(x, "scheme"),
				    entry_json_str(x, "label"));
	} else if ((a = json_object_get(o, "tags")) != NULL &&
	    json_is_array(a)) {
		/* Kind and territory are repeated as tags: skip them. */
		json_array_foreach(a, i, x) {
			if (!json_is_string(x))
				continue;
			s = json_string_value(x);
			if ((e->kind != NULL && strcmp(s, e->kind) == 0) ||
			    (e->territory != NULL &&
			    strcmp(s, e->territory) == 0))
				continue;
			entry_add_category(e, s, NULL, NULL);
		}
	}

	if ((a = json_object_get(o, "attachments")) != NULL &&
	    json_is_array(a)) {
		json_array_foreach(a, i, x) {
			if (!json_is_object(x) ||
			    entry_json_str(x, "url") == NULL)
				continue;
			v = json_object_get(x, "size_in_bytes");
			n = json_is_integer(v) ? json_integer_value(v) : -1;
			entry_add_enclosure(e, entry_json_str(x, "url"),
			    entry_json_str(x, "mime_type"), n < 0 ? -1 : n);
		}
	}

	if ((x = json_object_get(fm, "geo")) != NULL && json_is_object(x) &&
	    json_is_number(json_object_get(x, "lat")) &&
	    json_is_number(json_object_get(x, "lon"))) {
		e->lat = json_number_value(json_object_get(x, "lat"));
		e->lon = json_number_value(json_object_get(x, "lon"));
		if (isfinite(e->lat) && isfinite(e->lon) &&
		    e->lat >= -90 && e->lat <= 90 &&
		    e->lon >= -180 && e->lon <= 180)
			e->has_geo = 1;
	}
	if ((a = json_object_get(fm, "links")) != NULL && json_is_array(a)) {
		json_array_foreach(a, i, x)
			if (json_is_object(x) &&
			    entry_json_str(x, "href") != NULL)
				entry_add_link(e, entry_json_str(x, "href"),
				    entry_json_str(x, "rel"),
				    entry_json_str(x, "type"),
				    entry_json_str(x, "title"));
	}
	if ((x = json_object_get(fm, "source")) != NULL && json_is_object(x)) {
		entry_set(&e->source.id, entry_json_str(x, "id"));
		entry_set(&e->source.title, entry_json_str(x, "title"));
		entry_set(&e->source.link, entry_json_str(x, "url"));
	}
	entry_set(&e->origin, entry_json_str(fm, "origin"));
	e->deleted = json_is_true(json_object_get(fm, "deleted"));
	e->expires = entry_json_time(fm, "expires");
	if ((a = json_object_get(fm, "peers")) != NULL && json_is_array(a)) {
		json_array_foreach(a, i, x)
			if (json_is_string(x))
				entry_add_peer(e, json_string_value(x));
	}
	return (e);
}

void
feed_meta_init(struct feed_meta *m)
{
	memset(m, 0, sizeof(*m));
	m->updated = ENTRY_NO_TIME;
	m->ttl = -1;
}

void
feed_meta_clear(struct feed_meta *m)
{
	free(m->format);
	free(m->id);
	free(m->title);
	free(m->link);
	free(m->self);
	free(m->hub);
	free(m->next);
	free(m->prev_archive);
	free(m->icon);
	free(m->author);
	free(m->lang);
	free(m->bozo_reason);
	feed_meta_init(m);
}
