/*
 * feedmesh: the canonical document of an entry, the text the store keeps
 * and hashes, written straight from the entry rather than through a
 * jansson tree (which copies every string and checks it again).
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "store_private.h"

/* Longest text jansson writes for a double. */
#define STORE_DOC_REAL_MAX	64

/* A document being written, and the strings it left out. */
struct store_doc {
	struct buf	*b;
	int		 omitted;
};

static size_t	 store_doc_scan(const unsigned char *, size_t, size_t);
static size_t	 store_doc_utf8(const unsigned char *, size_t);
static int	 store_doc_string(struct buf *, const char *, size_t);
static void	 store_doc_cut(struct buf *, size_t);
static size_t	 store_doc_key(struct store_doc *, const char *);
static void	 store_doc_str(struct store_doc *, const char *, const char *);
static void	 store_doc_time(struct store_doc *, const char *, int64_t);
static void	 store_doc_real(struct store_doc *, const char *, double);
static size_t	 store_doc_open(struct store_doc *, const char *, char);
static void	 store_doc_close(struct store_doc *, size_t, char, int);
static void	 store_doc_feedmesh(struct store_doc *, const struct entry *);

/*
 * Where the first byte at or after i that a JSON string cannot carry as
 * it is (a control character, '"', '\\') or that starts a multi-byte
 * character (to be checked) is, or len. Sixteen bytes at a time where
 * SSE2 is there: a signed comparison with 0x20 catches both the control
 * characters and the bytes past ASCII.
 */
static size_t
store_doc_scan(const unsigned char *p, size_t i, size_t len)
{
#if defined(__SSE2__)
	const __m128i	 sp = _mm_set1_epi8(0x20), q = _mm_set1_epi8('"');
	const __m128i	 bs = _mm_set1_epi8('\\');
	__m128i		 w, m;
	unsigned int	 bits;

	for (; i + 16 <= len; i += 16) {
		w = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
		m = _mm_or_si128(_mm_cmplt_epi8(w, sp),
		    _mm_or_si128(_mm_cmpeq_epi8(w, q), _mm_cmpeq_epi8(w, bs)));
		if ((bits = (unsigned int)_mm_movemask_epi8(m)) != 0)
			return (i + (size_t)__builtin_ctz(bits));
	}
#endif
	for (; i < len; i++)
		if (p[i] < 0x20 || p[i] >= 0x80 || p[i] == '"' ||
		    p[i] == '\\')
			break;
	return (i);
}

/*
 * The length of the well-formed UTF-8 character at p (RFC 3629: no
 * overlong form, surrogate or code point past U+10FFFF, as jansson
 * requires of its strings), 0 if there is none.
 */
static size_t
store_doc_utf8(const unsigned char *p, size_t len)
{
	unsigned char	 c = p[0], c1;
	size_t		 n;

	n = c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3 :
	    c >= 0xf0 && c <= 0xf4 ? 4 : 0;
	if (n == 0 || len < n)
		return (0);
	c1 = p[1];
	if ((c1 & 0xc0) != 0x80 ||
	    (n > 2 && (p[2] & 0xc0) != 0x80) ||
	    (n > 3 && (p[3] & 0xc0) != 0x80) ||
	    (c == 0xe0 && c1 < 0xa0) ||		/* overlong */
	    (c == 0xed && c1 >= 0xa0) ||	/* surrogate */
	    (c == 0xf0 && c1 < 0x90) ||		/* overlong */
	    (c == 0xf4 && c1 >= 0x90))		/* past U+10FFFF */
		return (0);
	return (n);
}

/*
 * Appends str as jansson writes a string: between quotes, the quote, the
 * backslash and the control characters escaped (\b \f \n \r \t, else
 * \u00XX in capitals), every other byte as it is. -1 if str is not
 * UTF-8 (jansson makes no string of it): what was appended is then the
 * caller's to cut. Checking and escaping are one pass.
 */
static int
store_doc_string(struct buf *b, const char *str, size_t len)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p = (const unsigned char *)str;
	size_t			 i = 0, run = 0, n;
	char			 esc[6];

	buf_reserve(b, len + 2);
	buf_addc(b, '"');
	while ((i = store_doc_scan(p, i, len)) < len) {
		if (p[i] >= 0x80) {
			if ((n = store_doc_utf8(p + i, len - i)) == 0)
				return (-1);
			i += n;
			continue;
		}
		buf_add(b, str + run, i - run);
		esc[0] = '\\';
		n = 2;
		switch (p[i]) {
		case '"':
		case '\\':
			esc[1] = (char)p[i];
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		default:
			memcpy(esc + 1, "u00", 3);
			esc[4] = hex[p[i] >> 4];
			esc[5] = hex[p[i] & 0xf];
			n = 6;
			break;
		}
		buf_add(b, esc, n);
		run = ++i;
	}
	buf_add(b, str + run, len - run);
	buf_addc(b, '"');
	return (0);
}

/* Takes b back to its first len bytes. */
static void
store_doc_cut(struct buf *b, size_t len)
{
	b->len = len;
	b->data[len] = '\0';
}

/*
 * Starts a member: a comma unless it is the first of its object or
 * array, then the key if there is one (keys are ours: plain ASCII).
 * Returns where the member starts, to cut it if it must go.
 */
static size_t
store_doc_key(struct store_doc *d, const char *key)
{
	struct buf	*b = d->b;
	size_t		 mark = b->len;
	char		 last = b->data[b->len - 1];

	if (last != '{' && last != '[')
		buf_addc(b, ',');
	if (key != NULL) {
		buf_addc(b, '"');
		buf_addstr(b, key);
		buf_add(b, "\":", 2);
	}
	return (mark);
}

/*
 * A string member, none if v is NULL; one that is not UTF-8 is left out
 * (and counted), as jansson's json_string() refuses it and
 * entry_to_json() then sets nothing.
 */
static void
store_doc_str(struct store_doc *d, const char *key, const char *v)
{
	size_t	 mark;

	if (v == NULL)
		return;
	mark = store_doc_key(d, key);
	if (store_doc_string(d->b, v, strlen(v)) == -1) {
		store_doc_cut(d->b, mark);
		d->omitted++;
	}
}

static void
store_doc_time(struct store_doc *d, const char *key, int64_t t)
{
	char	 buf[DATE_RFC3339_LEN];

	if (t == ENTRY_NO_TIME)
		return;
	date_format_rfc3339(t, buf, sizeof(buf));
	store_doc_str(d, key, buf);
}

/*
 * A real, written by jansson as the documents always had it (%.17g with
 * fix-ups of its own: ".0" added, the exponent trimmed); only geo points
 * have reals. jansson makes no real of a NaN or an infinity: such a
 * member is left out, as in entry_to_json().
 */
static void
store_doc_real(struct store_doc *d, const char *key, double v)
{
	json_t	*r;
	char	 text[STORE_DOC_REAL_MAX];
	size_t	 n;

	if ((r = json_real(v)) == NULL)
		return;
	n = json_dumpb(r, text, sizeof(text), JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(r);
	if (n == 0 || n > sizeof(text))
		fatalx("%s: jansson cannot write %g", __func__, v);
	store_doc_key(d, key);
	buf_add(d->b, text, n);
}

/* Opens an object ('{') or array ('[') member; returns where it starts. */
static size_t
store_doc_open(struct store_doc *d, const char *key, char c)
{
	size_t	 mark;

	mark = store_doc_key(d, key);
	buf_addc(d->b, c);
	return (mark);
}

/* Closes it with c; an empty one goes if drop is set. */
static void
store_doc_close(struct store_doc *d, size_t mark, char c, int drop)
{
	char	 last = d->b->data[d->b->len - 1];

	if (drop && (last == '{' || last == '['))
		store_doc_cut(d->b, mark);
	else
		buf_addc(d->b, c);
}

/*
 * The "_feedmesh" object, its keys in strcmp order. A tombstone leaves
 * out source and origin (store_doc_write()); peers are never part of it.
 */
static void
store_doc_feedmesh(struct store_doc *d, const struct entry *e)
{
	size_t	 fm, a, x, i;

	fm = store_doc_open(d, "_feedmesh", '{');
	if (e->nauthors > 0) {
		a = store_doc_open(d, "authors", '[');
		for (i = 0; i < e->nauthors; i++) {
			x = store_doc_open(d, NULL, '{');
			store_doc_str(d, "email", e->authors[i].email);
			store_doc_str(d, "name", e->authors[i].name);
			store_doc_str(d, "uri", e->authors[i].uri);
			store_doc_close(d, x, '}', 0);
		}
		store_doc_close(d, a, ']', 0);
	}
	if (e->ncategories > 0) {
		a = store_doc_open(d, "categories", '[');
		for (i = 0; i < e->ncategories; i++) {
			x = store_doc_open(d, NULL, '{');
			store_doc_str(d, "label", e->categories[i].label);
			store_doc_str(d, "scheme", e->categories[i].scheme);
			store_doc_str(d, "term", e->categories[i].term);
			store_doc_close(d, x, '}', 0);
		}
		store_doc_close(d, a, ']', 0);
	}
	if (e->deleted) {
		store_doc_key(d, "deleted");
		buf_add(d->b, "true", 4);
	}
	store_doc_time(d, "expires", e->expires);
	if (e->has_geo) {
		x = store_doc_open(d, "geo", '{');
		store_doc_real(d, "lat", e->lat);
		store_doc_real(d, "lon", e->lon);
		store_doc_close(d, x, '}', 0);
	}
	store_doc_str(d, "kind", e->kind);
	if (e->nlinks > 0) {
		a = store_doc_open(d, "links", '[');
		for (i = 0; i < e->nlinks; i++) {
			x = store_doc_open(d, NULL, '{');
			store_doc_str(d, "href", e->links[i].href);
			store_doc_str(d, "rel", e->links[i].rel);
			store_doc_str(d, "title", e->links[i].title);
			store_doc_str(d, "type", e->links[i].type);
			store_doc_close(d, x, '}', 0);
		}
		store_doc_close(d, a, ']', 0);
	}
	if (e->content == NULL) {
		store_doc_key(d, "no_content");
		buf_add(d->b, "true", 4);
	}
	if (!e->deleted) {
		store_doc_str(d, "origin", e->origin);
		if (e->source.id != NULL || e->source.title != NULL ||
		    e->source.link != NULL) {
			x = store_doc_open(d, "source", '{');
			store_doc_str(d, "id", e->source.id);
			store_doc_str(d, "title", e->source.title);
			store_doc_str(d, "url", e->source.link);
			store_doc_close(d, x, '}', 0);
		}
	}
	store_doc_str(d, "summary_html", e->summary);
	store_doc_str(d, "territory", e->territory);
	store_doc_close(d, fm, '}', 1);
}

int
store_doc_write(struct buf *b, const struct entry *e, const char *kept)
{
	struct store_doc	 d;
	size_t			 a, x, i, mark;

	d.b = b;
	d.omitted = 0;
	buf_addc(b, '{');
	store_doc_feedmesh(&d, e);
	if (e->nenclosures > 0) {
		a = store_doc_open(&d, "attachments", '[');
		for (i = 0; i < e->nenclosures; i++) {
			x = store_doc_open(&d, NULL, '{');
			store_doc_str(&d, "mime_type", e->enclosures[i].type ?
			    e->enclosures[i].type : "application/octet-stream");
			if (e->enclosures[i].length >= 0) {
				store_doc_key(&d, "size_in_bytes");
				buf_printf(b, "%" JSON_INTEGER_FORMAT,
				    (json_int_t)e->enclosures[i].length);
			}
			store_doc_str(&d, "url", e->enclosures[i].url);
			store_doc_close(&d, x, '}', 0);
		}
		store_doc_close(&d, a, ']', 0);
	}
	if (e->nauthors > 0) {
		a = store_doc_open(&d, "authors", '[');
		for (i = 0; i < e->nauthors; i++) {
			x = store_doc_open(&d, NULL, '{');
			store_doc_str(&d, "name", e->authors[i].name);
			store_doc_str(&d, "url", e->authors[i].uri);
			store_doc_close(&d, x, '}', 0);
		}
		store_doc_close(&d, a, ']', 0);
	}
	/* JSON Feed requires a content: see entry_to_json(). */
	if (e->content != NULL) {
		if (e->content_type != NULL &&
		    strcmp(e->content_type, "text") == 0)
			store_doc_str(&d, "content_text", e->content);
		else
			store_doc_str(&d, "content_html", e->content);
	} else if (e->summary != NULL)
		store_doc_str(&d, "content_html", e->summary);
	else
		store_doc_str(&d, "content_text",
		    e->summary_text ? e->summary_text : "");
	store_doc_time(&d, "date_modified", e->updated);
	store_doc_time(&d, "date_published", e->published);
	/* The id kept; jansson would keep the entry's if it is not UTF-8. */
	mark = b->len;
	store_doc_str(&d, "id", kept);
	if (kept == NULL || b->len == mark)
		store_doc_str(&d, "id", e->id);
	store_doc_str(&d, "image", e->image);
	store_doc_str(&d, "language", e->lang);
	store_doc_str(&d, "summary", e->summary_text);
	a = store_doc_open(&d, "tags", '[');
	store_doc_str(&d, NULL, e->kind);
	store_doc_str(&d, NULL, e->territory);
	for (i = 0; i < e->ncategories; i++)
		store_doc_str(&d, NULL, e->categories[i].term);
	store_doc_close(&d, a, ']', 1);
	store_doc_str(&d, "title", e->title);
	store_doc_str(&d, "url", e->link);
	buf_addc(b, '}');
	return (d.omitted);
}
