/*
 * feedmesh: the canonical document of an entry, the text the store keeps
 * and hashes, written straight from the entry rather than through a
 * jansson tree (which copies every string and checks it again).
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
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

/*
 * Reading the text fields back from a stored document, for the
 * full-text index to forget them: a reader of the documents written
 * above (and of those jansson wrote before), a tenth of the cost of
 * json_loads(). It gives up (-1) on anything these writers never write
 * and that jansson might read otherwise (escapes other than theirs,
 * numbers that might not fit, deep nesting): the caller then asks
 * jansson.
 */
#define STORE_DOC_DEPTH		32

/* What a value is to the reader: which of its members it keeps. */
enum store_doc_in {
	STORE_DOC_SKIP,			/* nothing of it */
	STORE_DOC_TOP,			/* the document */
	STORE_DOC_FM,			/* "_feedmesh" */
	STORE_DOC_CATS,			/* "_feedmesh"."categories" */
	STORE_DOC_CAT			/* one category */
};

struct store_doc_reader {
	const unsigned char		*p;
	struct store_doc_fields		*f;
	int				 depth;
};

static void	 store_doc_ws(struct store_doc_reader *);
static int	 store_doc_rstring(struct store_doc_reader *, size_t *);
static int	 store_doc_rnumber(struct store_doc_reader *);
static int	 store_doc_rword(struct store_doc_reader *, const char *);
static int	 store_doc_rvalue(struct store_doc_reader *, enum store_doc_in,
		    size_t *);
static size_t	*store_doc_member(struct store_doc_reader *,
		    enum store_doc_in, const char *, size_t,
		    enum store_doc_in *);
static int	 store_doc_robject(struct store_doc_reader *,
		    enum store_doc_in);
static int	 store_doc_rarray(struct store_doc_reader *, enum store_doc_in);

static void
store_doc_ws(struct store_doc_reader *r)
{
	while (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' ||
	    *r->p == '\r')
		r->p++;
}

/*
 * Reads a string; with off, decodes it into f->text (NUL-terminated)
 * and sets *off to where it starts there.
 */
static int
store_doc_rstring(struct store_doc_reader *r, size_t *off)
{
	struct buf		*b = &r->f->text;
	const unsigned char	*p = r->p + 1, *run;
	unsigned int		 cp;
	size_t			 n, i;
	char			 c;

	if (off != NULL)
		*off = b->len;
	for (run = p; *p != '"'; ) {
		if (*p < 0x20)
			return (-1);	/* the document's NUL among them */
		if (*p >= 0x80) {
			/* A NUL stops it before the end of the text. */
			if ((n = store_doc_utf8(p, 4)) == 0)
				return (-1);
			p += n;
			continue;
		}
		if (*p != '\\') {
			p++;
			continue;
		}
		if (off != NULL)
			buf_add(b, run, (size_t)(p - run));
		switch (p[1]) {
		case '"':
		case '\\':
		case '/':
			c = (char)p[1];
			break;
		case 'b':
			c = '\b';
			break;
		case 'f':
			c = '\f';
			break;
		case 'n':
			c = '\n';
			break;
		case 'r':
			c = '\r';
			break;
		case 't':
			c = '\t';
			break;
		case 'u':
			for (cp = 0, i = 2; i < 6; i++) {
				cp <<= 4;
				if (p[i] >= '0' && p[i] <= '9')
					cp |= p[i] - '0';
				else if (p[i] >= 'a' && p[i] <= 'f')
					cp |= p[i] - 'a' + 10;
				else if (p[i] >= 'A' && p[i] <= 'F')
					cp |= p[i] - 'A' + 10;
				else
					return (-1);
			}
			/* jansson refuses U+0000; past ASCII is not ours. */
			if (cp == 0 || cp >= 0x80)
				return (-1);
			c = (char)cp;
			p += 4;
			break;
		default:
			return (-1);
		}
		if (off != NULL)
			buf_addc(b, c);
		p += 2;
		run = p;
	}
	if (off != NULL) {
		buf_add(b, run, (size_t)(p - run));
		buf_addc(b, '\0');
	}
	r->p = p + 1;
	return (0);
}

/*
 * Skips a number as JSON spells it. An integer of more than 18 digits
 * or an exponent of more than 2 might not fit jansson's types (which
 * it then refuses): not read here.
 */
static int
store_doc_rnumber(struct store_doc_reader *r)
{
	const unsigned char	*p = r->p, *d;

	if (*p == '-')
		p++;
	for (d = p; *p >= '0' && *p <= '9'; p++)
		;
	if (p == d || (*d == '0' && p - d > 1) || p - d > 18)
		return (-1);
	if (*p == '.') {
		for (d = ++p; *p >= '0' && *p <= '9'; p++)
			;
		if (p == d)
			return (-1);
	}
	if (*p == 'e' || *p == 'E') {
		if (*++p == '+' || *p == '-')
			p++;
		for (d = p; *p >= '0' && *p <= '9'; p++)
			;
		if (p == d || p - d > 2)
			return (-1);
	}
	r->p = p;
	return (0);
}

static int
store_doc_rword(struct store_doc_reader *r, const char *w)
{
	size_t	 n = strlen(w);

	if (strncmp((const char *)r->p, w, n) != 0)
		return (-1);
	r->p += n;
	return (0);
}

/* Reads a value; a string goes to *off if off is not NULL. */
static int
store_doc_rvalue(struct store_doc_reader *r, enum store_doc_in in,
    size_t *off)
{
	switch (*r->p) {
	case '"':
		return (store_doc_rstring(r, off));
	case '{':
		return (store_doc_robject(r, in));
	case '[':
		return (store_doc_rarray(r, in));
	case 't':
		return (store_doc_rword(r, "true"));
	case 'f':
		return (store_doc_rword(r, "false"));
	case 'n':
		return (store_doc_rword(r, "null"));
	default:
		return (store_doc_rnumber(r));
	}
}

/*
 * What becomes of the value of member key of an object read in in: the
 * string offset it sets (NULL: none), and in *sub what it is read as
 * if it is a container. A member seen again starts afresh, since jansson
 * keeps the last value of a key.
 */
static size_t *
store_doc_member(struct store_doc_reader *r, enum store_doc_in in,
    const char *key, size_t klen, enum store_doc_in *sub)
{
	struct store_doc_fields	*f = r->f;
	size_t			*off = NULL;

#define STORE_DOC_IS(k)	(klen == sizeof(k) - 1 && memcmp(key, k, klen) == 0)
	*sub = STORE_DOC_SKIP;
	switch (in) {
	case STORE_DOC_TOP:
		if (STORE_DOC_IS("title"))
			off = &f->title;
		else if (STORE_DOC_IS("summary"))
			off = &f->summary;
		else if (STORE_DOC_IS("content_text"))
			off = &f->content_text;
		else if (STORE_DOC_IS("content_html"))
			off = &f->content_html;
		else if (STORE_DOC_IS("_feedmesh")) {
			f->no_content = 0;
			f->ncats = 0;
			if (*r->p == '{')
				*sub = STORE_DOC_FM;
		}
		break;
	case STORE_DOC_FM:
		if (STORE_DOC_IS("no_content"))
			f->no_content = strncmp((const char *)r->p, "true",
			    4) == 0;
		else if (STORE_DOC_IS("categories")) {
			f->ncats = 0;
			if (*r->p == '[')
				*sub = STORE_DOC_CATS;
		}
		break;
	case STORE_DOC_CAT:
		if (STORE_DOC_IS("term"))
			off = &f->cats[f->ncats - 1].term;
		else if (STORE_DOC_IS("label"))
			off = &f->cats[f->ncats - 1].label;
		break;
	default:
		break;
	}
#undef STORE_DOC_IS
	if (off != NULL)
		*off = STORE_DOC_NONE;	/* unless the value is a string */
	return (off);
}

/* Reads an object, its members as in says (store_doc_member()). */
static int
store_doc_robject(struct store_doc_reader *r, enum store_doc_in in)
{
	struct store_doc_fields	*f = r->f;
	enum store_doc_in	 sub;
	const char		*key;
	size_t			*off, klen;

	if (++r->depth > STORE_DOC_DEPTH)
		return (-1);
	if (in == STORE_DOC_CATS) {
		/* A category: its term and label, in the array's order. */
		if (f->ncats == f->capcats) {
			f->capcats = f->capcats ? f->capcats * 2 : 8;
			if ((f->cats = reallocarray(f->cats, f->capcats,
			    sizeof(*f->cats))) == NULL)
				fatal("%s", __func__);
		}
		f->cats[f->ncats].term = f->cats[f->ncats].label =
		    STORE_DOC_NONE;
		f->ncats++;
		in = STORE_DOC_CAT;
	}
	r->p++;
	store_doc_ws(r);
	if (*r->p == '}') {
		r->p++;
		r->depth--;
		return (0);
	}
	for (;;) {
		if (*r->p != '"')
			return (-1);
		key = (const char *)r->p + 1;
		if (store_doc_rstring(r, NULL) == -1)
			return (-1);
		klen = (size_t)((const char *)r->p - 1 - key);
		/* jansson matches a key as decoded: ours have no escapes. */
		if (memchr(key, '\\', klen) != NULL)
			return (-1);
		store_doc_ws(r);
		if (*r->p++ != ':')
			return (-1);
		store_doc_ws(r);
		off = store_doc_member(r, in, key, klen, &sub);
		if (store_doc_rvalue(r, sub, off) == -1)
			return (-1);
		store_doc_ws(r);
		if (*r->p == '}')
			break;
		if (*r->p++ != ',')
			return (-1);
		store_doc_ws(r);
	}
	r->p++;
	r->depth--;
	return (0);
}

/*
 * Reads an array: only the objects in "categories" matter (anything
 * else there has no term nor label).
 */
static int
store_doc_rarray(struct store_doc_reader *r, enum store_doc_in in)
{
	if (++r->depth > STORE_DOC_DEPTH)
		return (-1);
	r->p++;
	store_doc_ws(r);
	if (*r->p == ']') {
		r->p++;
		r->depth--;
		return (0);
	}
	for (;;) {
		if (store_doc_rvalue(r, in == STORE_DOC_CATS &&
		    *r->p == '{' ? STORE_DOC_CATS : STORE_DOC_SKIP,
		    NULL) == -1)
			return (-1);
		store_doc_ws(r);
		if (*r->p == ']')
			break;
		if (*r->p++ != ',')
			return (-1);
		store_doc_ws(r);
	}
	r->p++;
	r->depth--;
	return (0);
}

int
store_doc_fields_read(struct store_doc_fields *f, const char *doc)
{
	struct store_doc_reader	 r;

	buf_reset(&f->text);
	f->title = f->summary = f->content_text = f->content_html =
	    STORE_DOC_NONE;
	f->no_content = 0;
	f->ncats = 0;
	r.p = (const unsigned char *)doc;
	r.f = f;
	r.depth = 0;
	store_doc_ws(&r);
	if (*r.p != '{' || store_doc_robject(&r, STORE_DOC_TOP) == -1)
		return (-1);
	store_doc_ws(&r);
	return (*r.p == '\0' ? 0 : -1);
}

void
store_doc_fields_free(struct store_doc_fields *f)
{
	buf_free(&f->text);
	free(f->cats);
	memset(f, 0, sizeof(*f));
}
