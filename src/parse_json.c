/*
 * feedmesh: JSON Feed 1.0 and 1.1, read as the bytes arrive. A scanner
 * follows strings and nesting through the document; each element of the
 * root's "items" array is read with jansson as soon as it is complete,
 * and its bytes dropped: the document is never held whole, neither as
 * bytes nor as jansson's tree (three times their size). The rest of the
 * document (the feed's own fields) is kept with the items left out, and
 * read at the end. The entries are held until then, since the feed's
 * title and language, which they inherit, may come after the items (a
 * generator that sorts its keys writes "items" before "title").
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "entry.h"
#include "log.h"
#include "parse.h"
#include "parse_private.h"

#define PARSE_JSON_VERSION	"https://jsonfeed.org/version/"

/*
 * A reader of one item, for the common case: JSON as the decoder hands it
 * over (valid UTF-8), turned into the tree jansson would build.
 */
struct parse_json_reader {
	const char	*s;
	size_t		 i;
	size_t		 end;
	struct buf	 key;
	struct buf	 str;
};

struct parse_json {
	struct parser		*p;
	struct parse_decoder	*dec;
	struct buf		 data;		/* decoded, not yet consumed */
	size_t			 pos;		/* data[0..pos) scanned */
	/*
	 * The document without its items: what the scanner has passed
	 * outside the items array from data[copy] on, and the newlines of
	 * what it left out from data[elide] on, so that jansson's line
	 * numbers are still the document's.
	 */
	struct buf		 skel;
	struct parse_json_reader reader;
	size_t			 copy;
	size_t			 elide;
	int			 started;	/* a byte order mark was looked for */
	size_t			 depth;
	int			 instr;		/* inside a string */
	int			 esc;		/* after its backslash */
	/* The last string read in the root object, to find "items". */
	char			 key[8];
	size_t			 keylen;	/* > 5: not "items" */
	int			 inkey;
	int			 items_next;	/* "items": read, its value next */
	int			 in_items;	/* inside the root's items array */
	int			 in_item;	/* inside one of its elements */
	int			 item_scalar;	/* a string, number or literal */
	size_t			 item_start;
	size_t			 nitems;
	size_t			 nvalues;
	struct entry		**held;		/* read, handed on at the end */
	size_t			 nheld;
	size_t			 held_cap;
};

static int	 parse_json_scan(struct parse_json *, int);
static int	 parse_json_item(struct parse_json *, size_t);
static void	 parse_json_hold(struct parse_json *, const json_t *);
static json_t	*parse_json_read(struct parse_json_reader *, const char *,
		    size_t, size_t);
static json_t	*parse_json_rvalue(struct parse_json_reader *);
static int	 parse_json_rstring(struct parse_json_reader *, struct buf *,
		    const char **, size_t *);
static json_t	*parse_json_rnumber(struct parse_json_reader *);
static int	 parse_json_hex4(const char *, unsigned int *);
static void	 parse_json_elide(struct parse_json *, size_t);
static void	 parse_json_compact(struct parse_json *);
static size_t	 parse_json_lines(const struct buf *);
static void	 parse_json_held_free(struct parse_json *);
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
	buf_init(&j->skel);
	buf_init(&j->reader.key);
	buf_init(&j->reader.str);
	return (j);
}

static void
parse_json_held_free(struct parse_json *j)
{
	while (j->nheld > 0)
		entry_free(j->held[--j->nheld]);
	free(j->held);
	j->held = NULL;
	j->held_cap = 0;
}

void
parse_json_free(struct parse_json *j)
{
	if (j == NULL)
		return;
	parse_decoder_free(j->dec);
	buf_free(&j->data);
	buf_free(&j->skel);
	buf_free(&j->reader.key);
	buf_free(&j->reader.str);
	parse_json_held_free(j);
	free(j);
}

int
parse_json_feed(struct parse_json *j, const char *data, size_t len)
{
	if (parse_failed(j->p))
		return (-1);
	parse_decoder_feed(j->dec, data, len, 0, &j->data);
	if (parse_json_scan(j, 0) == -1)
		return (-1);
	parse_json_compact(j);
	return (0);
}

/*
 * Newlines of data[elide..end), left out of the document kept, go into
 * it all the same (whitespace is JSON): an error found at the end is
 * then at the document's own line.
 */
static void
parse_json_elide(struct parse_json *j, size_t end)
{
	const char	*s = j->data.data;
	size_t		 i;

	for (i = j->elide; i < end; i++)
		if (s[i] == '\n')
			buf_addc(&j->skel, '\n');
	j->elide = end;
}

/* The lines in b: where the next byte is, counted from 1. */
static size_t
parse_json_lines(const struct buf *b)
{
	const char	*s = b->data, *nl;
	size_t		 n = 1, left = b->len;

	while (left > 0 && (nl = memchr(s, '\n', left)) != NULL) {
		n++;
		left -= (size_t)(nl + 1 - s);
		s = nl + 1;
	}
	return (n);
}

/*
 * Drops what the scanner is done with: the kept part goes to skel, an
 * item still arriving stays. Bytes move down once per chunk, at most an
 * item's worth.
 */
static void
parse_json_compact(struct parse_json *j)
{
	size_t	 drop;

	if (!j->in_items && j->pos > j->copy) {
		buf_add(&j->skel, j->data.data + j->copy, j->pos - j->copy);
		j->copy = j->elide = j->pos;
	}
	if (j->in_items)
		parse_json_elide(j, j->in_item ? j->item_start : j->pos);
	drop = j->in_item ? j->item_start : j->pos;
	if (drop == 0)
		return;
	memmove(j->data.data, j->data.data + drop, j->data.len - drop);
	j->data.len -= drop;
	j->data.data[j->data.len] = '\0';
	j->pos -= drop;
	j->copy = j->copy > drop ? j->copy - drop : 0;
	j->elide -= drop;
	if (j->in_item)
		j->item_start -= drop;
}

/*
 * Reads data[item_start..end), one element of the items array, with the
 * fast reader or else jansson: an object becomes an entry, held until
 * the end; anything else is skipped. -1 when it is not JSON, which fails
 * the document as any JSON error does.
 */
static int
parse_json_item(struct parse_json *j, size_t end)
{
	json_t		*x;
	json_error_t	 err;

	parse_json_elide(j, j->item_start);
	if ((x = parse_json_read(&j->reader, j->data.data, j->item_start,
	    end)) == NULL &&
	    (x = json_loadb(j->data.data + j->item_start, end - j->item_start,
	    JSON_DECODE_ANY, &err)) == NULL) {
		parse_fail(j->p, "not a feed: JSON error at line %zu: %s",
		    parse_json_lines(&j->skel) + (size_t)err.line - 1,
		    err.text);
		return (-1);
	}
	parse_json_elide(j, end);
	j->in_item = 0;
	parse_json_hold(j, x);
	json_decref(x);
	return (0);
}

/*
 * Reads data[start..end) as parse_json_item's fast path. jansson reads
 * each byte through a stream and checks it; here runs of plain string
 * go sixteen bytes at a time and are copied once. NULL at anything this
 * reader does not take on (an error, a raw control, \u0000, a lone
 * surrogate, an odd number): jansson reads the item then, so that its
 * tree or its error is the answer either way.
 */
static json_t *
parse_json_read(struct parse_json_reader *r, const char *s, size_t start,
    size_t end)
{
	json_t	*x;

	r->s = s;
	r->i = start;
	r->end = end;
	if ((x = parse_json_rvalue(r)) == NULL)
		return (NULL);
	while (r->i < r->end && (r->s[r->i] == ' ' || r->s[r->i] == '\t' ||
	    r->s[r->i] == '\n' || r->s[r->i] == '\r'))
		r->i++;
	if (r->i != r->end) {
		json_decref(x);
		return (NULL);
	}
	return (x);
}

struct json_t *
parse_json_fast(const char *s, size_t len)
{
	struct parse_json_reader	 r;
	json_t				*x;

	memset(&r, 0, sizeof(r));
	buf_init(&r.key);
	buf_init(&r.str);
	x = parse_json_read(&r, s, 0, len);
	buf_free(&r.key);
	buf_free(&r.str);
	return (x);
}

static int
parse_json_hex4(const char *s, unsigned int *v)
{
	int	 k, c;

	*v = 0;
	for (k = 0; k < 4; k++) {
		c = (unsigned char)s[k];
		if (c >= '0' && c <= '9')
			c -= '0';
		else if (c >= 'a' && c <= 'f')
			c -= 'a' - 10;
		else if (c >= 'A' && c <= 'F')
			c -= 'A' - 10;
		else
			return (-1);
		*v = *v << 4 | (unsigned int)c;
	}
	return (0);
}

/*
 * The string at s[i] (its opening quote): *v points into the document
 * when it has no escape, else into b, which gets it decoded.
 */
static int
parse_json_rstring(struct parse_json_reader *r, struct buf *b,
    const char **v, size_t *vlen)
{
	static const char escapes[] = "\"\\/bfnrt";
	static const char unescaped[] = "\"\\/\b\f\n\r\t";
	const char	*s = r->s, *e;
	size_t		 from = r->i + 1, k;
	unsigned int	 cp, lo;
	char		 u[4];
	int		 escaped = 0;

	buf_reset(b);
	for (;;) {
		/* The decoder left no C0 control but these three. */
		k = buf_scan(s, from, r->end, '"', '\\', '\t', '\n', '\r');
		if (k == r->end || (s[k] != '"' && s[k] != '\\'))
			return (-1);
		if (escaped || s[k] == '\\')
			buf_add(b, s + from, k - from);
		if (s[k] == '"') {
			*v = escaped ? b->data : s + r->i + 1;
			*vlen = escaped ? b->len : k - (r->i + 1);
			r->i = k + 1;
			return (0);
		}
		escaped = 1;
		if (k + 1 >= r->end)
			return (-1);
		from = k + 2;
		if (s[k + 1] != 'u') {
			if (s[k + 1] == '\0' ||
			    (e = strchr(escapes, s[k + 1])) == NULL)
				return (-1);
			buf_addc(b, unescaped[e - escapes]);
			continue;
		}
		if (k + 6 > r->end || parse_json_hex4(s + k + 2, &cp) == -1 ||
		    cp == 0 || (cp >= 0xdc00 && cp <= 0xdfff))
			return (-1);
		from = k + 6;
		if (cp >= 0xd800 && cp <= 0xdbff) {
			if (k + 12 > r->end || s[k + 6] != '\\' ||
			    s[k + 7] != 'u' ||
			    parse_json_hex4(s + k + 8, &lo) == -1 ||
			    lo < 0xdc00 || lo > 0xdfff)
				return (-1);
			cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			from = k + 12;
		}
		if (cp < 0x80) {
			buf_addc(b, (char)cp);
			continue;
		}
		if (cp < 0x800) {
			u[0] = (char)(0xc0 | cp >> 6);
			u[1] = (char)(0x80 | (cp & 0x3f));
			buf_add(b, u, 2);
		} else if (cp < 0x10000) {
			u[0] = (char)(0xe0 | cp >> 12);
			u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[2] = (char)(0x80 | (cp & 0x3f));
			buf_add(b, u, 3);
		} else {
			u[0] = (char)(0xf0 | cp >> 18);
			u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
			u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
			u[3] = (char)(0x80 | (cp & 0x3f));
			buf_add(b, u, 4);
		}
	}
}

/* A number as RFC 8259 writes it, an integer or a real as jansson has it. */
static json_t *
parse_json_rnumber(struct parse_json_reader *r)
{
	const char	*s = r->s;
	char		 num[64];
	size_t		 i = r->i, end = r->end;
	long long	 n;
	double		 d;
	int		 real = 0;

#define DIGIT(k)	((k) < end && s[k] >= '0' && s[k] <= '9')
	if (i < end && s[i] == '-')
		i++;
	if (!DIGIT(i))
		return (NULL);
	if (s[i] == '0') {
		if (DIGIT(i + 1))
			return (NULL);
		i++;
	} else
		while (DIGIT(i))
			i++;
	if (i < end && s[i] == '.') {
		real = 1;
		if (!DIGIT(i + 1))
			return (NULL);
		for (i++; DIGIT(i); i++)
			;
	}
	if (i < end && (s[i] == 'e' || s[i] == 'E')) {
		real = 1;
		i++;
		if (i < end && (s[i] == '+' || s[i] == '-'))
			i++;
		if (!DIGIT(i))
			return (NULL);
		while (DIGIT(i))
			i++;
	}
#undef DIGIT
	if (i - r->i >= sizeof(num))
		return (NULL);
	memcpy(num, s + r->i, i - r->i);
	num[i - r->i] = '\0';
	errno = 0;
	if (!real) {
		n = strtoll(num, NULL, 10);
		if (errno == ERANGE)
			return (NULL);
		r->i = i;
		return (json_integer((json_int_t)n));
	}
	d = strtod(num, NULL);
	if (errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL))
		return (NULL);
	r->i = i;
	return (json_real(d));
}

/* The value at s[i], after any whitespace. */
static json_t *
parse_json_rvalue(struct parse_json_reader *r)
{
	json_t		*x, *v;
	const char	*k, *str;
	char		*nested;
	size_t		 klen, slen;
	char		 c;
	int		 object;

#define WS()	while (r->i < r->end && (r->s[r->i] == ' ' || \
		    r->s[r->i] == '\t' || r->s[r->i] == '\n' || \
		    r->s[r->i] == '\r')) r->i++
	WS();
	if (r->i >= r->end)
		return (NULL);
	switch ((c = r->s[r->i])) {
	case '"':
		if (parse_json_rstring(r, &r->str, &str, &slen) == -1)
			return (NULL);
		return (json_stringn_nocheck(str, slen));
	case 't':
	case 'f':
	case 'n':
		k = c == 't' ? "true" : c == 'f' ? "false" : "null";
		klen = strlen(k);
		if (r->end - r->i < klen || memcmp(r->s + r->i, k, klen) != 0)
			return (NULL);
		r->i += klen;
		return (c == 't' ? json_true() : c == 'f' ? json_false() :
		    json_null());
	case '{':
	case '[':
		break;
	default:
		return (parse_json_rnumber(r));
	}
	object = c == '{';
	x = object ? json_object() : json_array();
	r->i++;
	WS();
	if (r->i < r->end && r->s[r->i] == (object ? '}' : ']')) {
		r->i++;
		return (x);
	}
	for (;;) {
		if (object) {
			WS();
			if (r->i >= r->end || r->s[r->i] != '"' ||
			    parse_json_rstring(r, &r->key, &k, &klen) == -1)
				goto fail;
			/* The value's string may use r->str: the name moves. */
			if (k != r->key.data) {
				buf_reset(&r->key);
				buf_add(&r->key, k, klen);
			}
			WS();
			if (r->i >= r->end || r->s[r->i++] != ':')
				goto fail;
		}
		/* A value that holds members reads names into r->key. */
		WS();
		nested = NULL;
		if (object && r->i < r->end && (r->s[r->i] == '{' ||
		    r->s[r->i] == '[') && (nested = strndup(r->key.data,
		    r->key.len)) == NULL)
			fatal("%s", __func__);
		if ((v = parse_json_rvalue(r)) == NULL) {
			free(nested);
			goto fail;
		}
		if (nested != NULL) {
			buf_reset(&r->key);
			buf_addstr(&r->key, nested);
			free(nested);
		}
		if (object ? json_object_setn_new_nocheck(x, r->key.data,
		    r->key.len, v) == -1 : json_array_append_new(x, v) == -1)
			goto fail;
		WS();
		if (r->i >= r->end)
			goto fail;
		c = r->s[r->i++];
		if (c == (object ? '}' : ']'))
			return (x);
		if (c != ',')
			goto fail;
	}
fail:
	json_decref(x);
	return (NULL);
#undef WS
}

/* An element of the items array: an object is an entry, held. */
static void
parse_json_hold(struct parse_json *j, const json_t *x)
{
	struct entry	*e;
	const char	*why;
	size_t		 n = j->nitems++;

	if ((e = entry_from_json(x, &why)) == NULL) {
		log_debug("%s: item %zu skipped: %s", __func__, n, why);
		return;
	}
	/* Not the peer's to say: the store fills these. */
	while (e->npeers > 0)
		free(e->peers[--e->npeers]);
	if (j->nheld == j->held_cap) {
		j->held_cap = j->held_cap == 0 ? 64 : j->held_cap * 2;
		if ((j->held = reallocarray(j->held, j->held_cap,
		    sizeof(*j->held))) == NULL)
			fatal("%s", __func__);
	}
	j->held[j->nheld++] = e;
}

/*
 * Follows the document from data[pos] to its end. Outside strings, only
 * structure matters: the nesting (bounded as the XML parser bounds it),
 * the count of values (what jansson's trees would cost), the root's
 * "items" member and the elements of its array.
 */
static int
parse_json_scan(struct parse_json *j, int final)
{
	const char	*s = j->data.data;
	size_t		 i = j->pos, end = j->data.len;
	int		 items_next;
	char		 c;

	if (!j->started) {
		/* A byte order mark is not JSON, but some servers send one. */
		if (end < 3 && !final && (end == 0 ||
		    (unsigned char)s[0] == 0xef))
			return (0);
		j->started = 1;
		if (end >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0)
			i = j->copy = j->elide = 3;
	}
	for (; i < end; i++) {
		c = s[i];
		if (j->instr) {
			/* Six bytes and no quote: not "items". */
			if (j->inkey && j->keylen == 6)
				j->inkey = 0;
			if (!j->esc && !j->inkey) {
				i = buf_scan(s, i, end, '"', '\\', '"', '"', '"');
				if (i == end)
					break;
				c = s[i];
			}
			if (j->inkey)
				j->key[j->keylen++] = c;
			if (j->esc)
				j->esc = 0;
			else if (c == '\\')
				j->esc = 1;
			else if (c == '"')
				j->instr = j->inkey = 0;
			continue;
		}
		if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
			continue;
		items_next = j->items_next;
		j->items_next = 0;
		if (j->in_items && j->depth == 2 && !j->in_item &&
		    c != ',' && c != ']') {
			j->in_item = 1;
			j->item_start = i;
			j->item_scalar = c != '{' && c != '[';
		}
		switch (c) {
		case '"':
			j->instr = 1;
			/* A member name of the root, maybe "items". */
			if (j->depth == 1) {
				j->inkey = 1;
				j->keylen = 0;
			}
			break;
		case ':':
			/* The name ends in its quote, kept: "items" is 6. */
			if (j->depth == 1 && j->keylen == 6 &&
			    memcmp(j->key, "items\"", 6) == 0)
				j->items_next = 1;
			j->keylen = 0;
			break;
		case '[':
		case '{':
			if (++j->depth > parse_depth_limit(j->p)) {
				parse_fail(j->p, "JSON nested more than %zu "
				    "deep", parse_depth_limit(j->p));
				return (-1);
			}
			if (++j->nvalues > PARSE_MAX_JSON_VALUES)
				goto values;
			if (c == '[' && items_next && j->depth == 2) {
				/* The array's brackets stay, not its elements. */
				buf_add(&j->skel, s + j->copy, i + 1 - j->copy);
				j->copy = j->elide = i + 1;
				j->in_items = 1;
			}
			break;
		case ']':
		case '}':
			if (j->depth == 2 && j->in_items) {
				/* The end of the items array. */
				if (j->in_item && parse_json_item(j, i) == -1)
					return (-1);
				parse_json_elide(j, i);
				j->in_items = 0;
				j->copy = i;
			}
			if (j->depth > 0)
				j->depth--;
			if (j->in_item && !j->item_scalar && j->depth == 2 &&
			    parse_json_item(j, i + 1) == -1)
				return (-1);
			break;
		case ',':
			if (++j->nvalues > PARSE_MAX_JSON_VALUES)
				goto values;
			if (j->in_item && j->item_scalar && j->depth == 2 &&
			    parse_json_item(j, i) == -1)
				return (-1);
			break;
		}
	}
	j->pos = i;
	return (0);
values:
	parse_fail(j->p, "JSON Feed of more than %d values",
	    PARSE_MAX_JSON_VALUES);
	return (-1);
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
	const char		*s;
	size_t			 i;
	int			 rv = -1;

	if (parse_failed(j->p))
		return (-1);
	parse_decoder_feed(j->dec, NULL, 0, 1, &j->data);
	if (parse_json_scan(j, 1) == -1)
		return (-1);
	/*
	 * An item cut short stays in what jansson reads, so that the error
	 * is the one the whole document would give.
	 */
	if (j->in_item) {
		parse_json_elide(j, j->item_start);
		j->copy = j->item_start;
		j->in_items = j->in_item = 0;
	}
	parse_json_compact(j);
	if ((root = json_loadb(j->skel.data, j->skel.len, 0, &err)) == NULL) {
		parse_fail(j->p, "not a feed: JSON error at line %d: %s",
		    err.line, err.text);
		goto done;
	}
	buf_free(&j->skel);
	if (!json_is_object(root) ||
	    (s = parse_json_str(root, "version")) == NULL ||
	    strncmp(s, PARSE_JSON_VERSION, strlen(PARSE_JSON_VERSION)) != 0) {
		parse_fail(j->p, "not a feed: JSON without a JSON Feed "
		    "version");
		goto done;
	}
	parse_json_meta(j, root);
	items = json_object_get(root, "items");
	if (!json_is_array(items)) {
		parse_fail(j->p, "not a feed: JSON Feed without items");
		goto done;
	}
	/* Items the scanner did not see as such ("\u0069tems" as the name). */
	json_array_foreach(items, i, x)
		parse_json_hold(j, x);
	for (i = 0; i < j->nheld; i++) {
		memset(&it, 0, sizeof(it));
		it.e = j->held[i];
		j->held[i] = NULL;
		parse_emit(j->p, &it);
	}
	j->nheld = 0;
	rv = 0;
done:
	json_decref(root);
	parse_json_held_free(j);
	return (rv);
}
