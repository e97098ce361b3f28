/*
 * feedmesh: the streaming feed parser's front: it tells JSON Feed from
 * XML by the first byte, hands the bytes to parse_xml.c or parse_json.c,
 * decodes charsets into valid UTF-8 and normalizes every entry the same
 * way whatever its format before handing it to the caller.
 */
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "entry.h"
#include "log.h"
#include "parse.h"
#include "parse_private.h"
#include "sanitize.h"
#include "url.h"

/* Bytes of leading whitespace tolerated before the format is known. */
#define PARSE_MAX_HEAD	4096

enum parse_backend {
	PARSE_UNDECIDED,
	PARSE_XML,
	PARSE_JSON
};

struct parser {
	char			*base_url;
	char			*content_type;
	size_t			 max_depth;
	parse_entry_cb		 cb;
	void			*arg;

	enum parse_backend	 backend;
	struct buf		 head;		/* bytes before the decision */
	struct parse_xml	*xml;
	struct parse_json	*json;
	struct feed_meta	 meta;
	int			 failed;
	char			*error;
	size_t			 nentries;
};

struct parse_decoder {
	iconv_t		 cd;		/* (iconv_t)-1: the input is UTF-8 */
	size_t		 repaired;	/* stray bytes read as Windows-1252 */
	struct buf	 pending;	/* an incomplete trailing sequence */
	struct buf	 tmp;
};

static int	 parse_decide(struct parser *, int);
static int	 parse_backend_feed(struct parser *, const char *, size_t);
static void	 parse_utf8_filter(const unsigned char *, size_t, int,
		    struct buf *, struct buf *, size_t *);
static void	 parse_cp1252_add(struct buf *, unsigned char);
static size_t	 parse_utf8_seq(const unsigned char *, size_t, int *);
static size_t	 parse_utf8_span(const unsigned char *, size_t);
static size_t	 parse_decoder_complete(struct parse_decoder *, const char *,
		    size_t, int, struct buf *);
static const char *parse_charset_iconv(const char *);
static void	 parse_normalize_urls(struct entry *, const char *);
static void	 parse_normalize_categories(struct entry *);
static void	 parse_utf8_repair_entry(struct entry *);
static void	 parse_trim(char **);
static void	 parse_lower(char *);
static int	 parse_lang_valid(const char *);

struct parser *
parse_new(const struct parse_options *opts, parse_entry_cb cb, void *arg)
{
	struct parser	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("%s", __func__);
	if (opts != NULL) {
		if (opts->base_url != NULL &&
		    (p->base_url = strdup(opts->base_url)) == NULL)
			fatal("%s", __func__);
		if (opts->content_type != NULL &&
		    (p->content_type = strdup(opts->content_type)) == NULL)
			fatal("%s", __func__);
		p->max_depth = opts->max_depth;
	}
	if (p->max_depth == 0)
		p->max_depth = PARSE_MAX_DEPTH;
	p->cb = cb;
	p->arg = arg;
	buf_init(&p->head);
	feed_meta_init(&p->meta);
	return (p);
}

void
parse_free(struct parser *p)
{
	if (p == NULL)
		return;
	parse_xml_free(p->xml);
	parse_json_free(p->json);
	buf_free(&p->head);
	feed_meta_clear(&p->meta);
	free(p->base_url);
	free(p->content_type);
	free(p->error);
	free(p);
}

void
parse_fail(struct parser *p, const char *fmt, ...)
{
	va_list	 ap;
	char	*s;

	p->failed = 1;
	if (p->error != NULL)
		return;
	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		fatal("%s", __func__);
	va_end(ap);
	p->error = s;
	log_debug("%s: %s", __func__, s);
}

int
parse_failed(const struct parser *p)
{
	return (p->failed);
}

const char *
parse_error(const struct parser *p)
{
	return (p->error);
}

const struct feed_meta *
parse_meta(const struct parser *p)
{
	return (&p->meta);
}

struct feed_meta *
parse_meta_edit(struct parser *p)
{
	return (&p->meta);
}

const char *
parse_base(const struct parser *p)
{
	return (p->base_url);
}

const char *
parse_content_type(const struct parser *p)
{
	return (p->content_type);
}

size_t
parse_depth_limit(const struct parser *p)
{
	return (p->max_depth);
}

/* Records the first well-formedness error of a recovered document. */
void
parse_bozo(struct parser *p, const char *reason)
{
	if (p->meta.bozo)
		return;
	p->meta.bozo = 1;
	if ((p->meta.bozo_reason = strdup(reason)) == NULL)
		fatal("%s", __func__);
}

/*
 * Chooses the back end from the first byte that is not whitespace, after
 * a byte order mark: '{' is JSON Feed, anything else XML. Returns 0 when
 * decided, 1 when more bytes are needed.
 */
static int
parse_decide(struct parser *p, int final)
{
	const unsigned char	*s = (const unsigned char *)p->head.data;
	size_t			 len = p->head.len, i = 0;

	if (len >= 2 && ((s[0] == 0xfe && s[1] == 0xff) ||
	    (s[0] == 0xff && s[1] == 0xfe)))
		p->backend = PARSE_XML;
	else {
		if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf)
			i = 3;
		else if (!final && len < 3 && len > 0 && s[0] == 0xef)
			return (1);
		while (i < len && (s[i] == ' ' || s[i] == '\t' ||
		    s[i] == '\r' || s[i] == '\n'))
			i++;
		if (i == len) {
			if (!final && len < PARSE_MAX_HEAD)
				return (1);
			parse_fail(p, "not a feed: %s", len == 0 ?
			    "empty document" : "only whitespace");
			return (0);
		}
		p->backend = s[i] == '{' ? PARSE_JSON : PARSE_XML;
	}
	if (p->backend == PARSE_JSON) {
		if ((p->meta.format = strdup("json")) == NULL)
			fatal("%s", __func__);
		p->json = parse_json_new(p);
	} else
		p->xml = parse_xml_new(p);
	return (0);
}

static int
parse_backend_feed(struct parser *p, const char *data, size_t len)
{
	if (p->backend == PARSE_JSON)
		return (parse_json_feed(p->json, data, len));
	return (parse_xml_feed(p->xml, data, len));
}

int
parse_feed(struct parser *p, const char *data, size_t len)
{
	struct buf	 head;

	if (p->failed)
		return (-1);
	if (len == 0)
		return (0);
	if (p->backend != PARSE_UNDECIDED)
		return (parse_backend_feed(p, data, len));
	buf_add(&p->head, data, len);
	if (parse_decide(p, 0) == 1)
		return (0);
	if (p->failed)
		return (-1);
	head = p->head;
	buf_init(&p->head);
	if (parse_backend_feed(p, head.data, head.len) == -1) {
		buf_free(&head);
		return (-1);
	}
	buf_free(&head);
	return (p->failed ? -1 : 0);
}

int
parse_finish(struct parser *p)
{
	struct buf	 head;
	int		 rv;

	if (p->failed)
		return (-1);
	if (p->backend == PARSE_UNDECIDED) {
		parse_decide(p, 1);
		if (p->failed)
			return (-1);
		head = p->head;
		buf_init(&p->head);
		rv = parse_backend_feed(p, head.data, head.len);
		buf_free(&head);
		if (rv == -1)
			return (-1);
	}
	if (p->backend == PARSE_JSON)
		rv = parse_json_finish(p->json);
	else
		rv = parse_xml_finish(p->xml);
	return (rv == -1 || p->failed ? -1 : 0);
}

int
parse_buffer(const char *data, size_t len, const struct parse_options *opts,
    parse_entry_cb cb, void *arg, struct feed_meta *meta_out,
    char **error_out)
{
	struct parser	*p;
	int		 rv = 0;

	if (error_out != NULL)
		*error_out = NULL;
	p = parse_new(opts, cb, arg);
	if (parse_feed(p, data, len) == -1 || parse_finish(p) == -1)
		rv = -1;
	if (rv == -1 && error_out != NULL && p->error != NULL &&
	    (*error_out = strdup(p->error)) == NULL)
		fatal("%s", __func__);
	if (meta_out != NULL) {
		/* The metadata moves to the caller, who clears it. */
		*meta_out = p->meta;
		feed_meta_init(&p->meta);
	}
	parse_free(p);
	return (rv);
}

/*
 * The length of the valid UTF-8 sequence at s (1 to 4), 0 when s holds
 * an incomplete but so far valid sequence, or -1 via *bad when invalid
 * (overlong forms, surrogates, above U+10FFFF, stray bytes).
 */
static size_t
parse_utf8_seq(const unsigned char *s, size_t len, int *bad)
{
	size_t		 n, i;
	unsigned int	 c, min;

	*bad = 0;
	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		c = s[0] & 0x1f;
		min = 0x80;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		c = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		c = s[0] & 0x07;
		min = 0x10000;
	} else {
		*bad = 1;
		return (1);
	}
	for (i = 1; i < n; i++) {
		if (i >= len)
			return (0);
		if ((s[i] & 0xc0) != 0x80) {
			*bad = 1;
			return (i);
		}
		c = (c << 6) | (s[i] & 0x3f);
		/* Reject overlong and out-of-range forms early. */
		if (i == 1 && ((n == 3 && c < 0x20) || (n == 4 &&
		    (c < 0x10 || c > 0x10f)))) {
			*bad = 1;
			return (1);
		}
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff) {
		*bad = 1;
		return (n);
	}
	return (n);
}

/*
 * Length of the leading run of s that parse_utf8_filter would copy as it
 * is: complete, valid UTF-8 sequences (no overlong form, surrogate,
 * U+FFFE, U+FFFF or code point past U+10FFFF) and no C0 control but tab,
 * LF and CR. ASCII goes eight bytes at a time and the sequences of
 * accented letters inline, since feeds in French hold one every few
 * words: the bulk of a document is read here, once.
 */
static size_t
parse_utf8_span(const unsigned char *s, size_t len)
{
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 highs = 0x8080808080808080ULL;
	uint64_t	 w, m;
	size_t		 i = 0;
	unsigned char	 c, c1;
#if defined(__SSE2__)
	unsigned int	 good;
#endif

	while (i < len) {
#if defined(__SSE2__)
		/*
		 * Sixteen ASCII bytes, none below 0x20 (signed, the bytes
		 * of 0x80 and over are negative), are all good; else the
		 * first that is not is looked at below.
		 */
		if (i + 16 <= len) {
			good = (unsigned int)_mm_movemask_epi8(_mm_cmpgt_epi8(
			    _mm_loadu_si128((const __m128i *)(const void *)
			    (s + i)), _mm_set1_epi8(0x1f)));
			if (good == 0xffff) {
				i += 16;
				continue;
			}
			i += (size_t)__builtin_ctz(~good);
		} else
#endif
		/*
		 * Eight ASCII bytes, none below 0x20, are all good; else
		 * the first that is not (the lowest flagged: a borrow only
		 * runs upwards) is looked at below.
		 */
		if (i + 8 <= len) {
			memcpy(&w, s + i, 8);
			m = (w & highs) | ((w - 0x20 * ones) & ~w & highs);
			if (m == 0) {
				i += 8;
				continue;
			}
#if defined(__GNUC__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			i += (size_t)__builtin_ctzll(m) / 8;
#endif
		}
		c = s[i];
		if (c < 0x80) {
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				break;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			if (i + 1 >= len || (s[i + 1] & 0xc0) != 0x80)
				break;
			i += 2;
			continue;
		}
		if (c >= 0xe0 && c <= 0xef) {
			if (i + 2 >= len)
				break;
			c1 = s[i + 1];
			if ((c1 & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80 ||
			    (c == 0xe0 && c1 < 0xa0) ||		/* overlong */
			    (c == 0xed && c1 >= 0xa0) ||	/* surrogate */
			    (c == 0xef && c1 == 0xbf && s[i + 2] >= 0xbe))
				break;
			i += 3;
			continue;
		}
		if (c >= 0xf0 && c <= 0xf4) {
			if (i + 3 >= len)
				break;
			c1 = s[i + 1];
			if ((c1 & 0xc0) != 0x80 || (s[i + 2] & 0xc0) != 0x80 ||
			    (s[i + 3] & 0xc0) != 0x80 ||
			    (c == 0xf0 && c1 < 0x90) ||		/* overlong */
			    (c == 0xf4 && c1 >= 0x90))		/* > U+10FFFF */
				break;
			i += 4;
			continue;
		}
		break;
	}
	return (i);
}

/*
 * A byte that cannot be UTF-8, as Windows-1252 would read it: documents
 * labelled (or taken for) UTF-8 that hold a few Windows-1252 bytes are
 * the commonest encoding error in feeds, and this is what their authors
 * meant. The five bytes Windows-1252 leaves undefined become U+FFFD.
 */
static void
parse_cp1252_add(struct buf *out, unsigned char c)
{
	static const unsigned short cp1252[32] = {
		0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
		0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
	};
	unsigned int	 u = c;

	if (c >= 0x80 && c <= 0x9f)
		u = cp1252[c - 0x80];
	if (u < 0x800) {
		buf_addc(out, (char)(0xc0 | (u >> 6)));
		buf_addc(out, (char)(0x80 | (u & 0x3f)));
	} else {
		buf_addc(out, (char)(0xe0 | (u >> 12)));
		buf_addc(out, (char)(0x80 | ((u >> 6) & 0x3f)));
		buf_addc(out, (char)(0x80 | (u & 0x3f)));
	}
}

/*
 * Copies UTF-8 to out without the C0 controls that XML 1.0 and JSON
 * strings forbid; an incomplete sequence at the end goes to pending
 * unless final. Code points that must not appear (surrogates, U+FFFE)
 * become U+FFFD; bytes that are not UTF-8 at all become U+FFFD, or,
 * when repaired is not NULL, their Windows-1252 character (counted).
 */
static void
parse_utf8_filter(const unsigned char *s, size_t len, int final,
    struct buf *out, struct buf *pending, size_t *repaired)
{
	size_t	 i = 0, n, run = 0, want;
	int	 bad;

	while (i < len) {
		i += parse_utf8_span(s + i, len - i);
		if (i == len)
			break;
		if (s[i] < 0x80) {
			if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
			    s[i] != '\r') {
				buf_add(out, s + run, i - run);
				run = ++i;
				continue;
			}
			i++;
			continue;
		}
		n = parse_utf8_seq(s + i, len - i, &bad);
		if (n == 0 && !final) {
			buf_add(out, s + run, i - run);
			if (pending != NULL)
				buf_add(pending, s + i, len - i);
			return;
		}
		want = s[i] >= 0xf0 ? 4 : s[i] >= 0xe0 ? 3 : 2;
		if (n == 0 || (bad && (n != want || s[i] < 0xc2 ||
		    s[i] > 0xf4))) {
			/* Not UTF-8: a truncated or malformed sequence. */
			buf_add(out, s + run, i - run);
			if (repaired != NULL) {
				parse_cp1252_add(out, s[i]);
				(*repaired)++;
			} else
				buf_addstr(out, "\xef\xbf\xbd");
			run = ++i;
			continue;
		}
		if (bad) {
			/* UTF-8, but a code point XML does not allow. */
			buf_add(out, s + run, i - run);
			buf_addstr(out, "\xef\xbf\xbd");
			run = i + n;
		}
		i += n;
	}
	buf_add(out, s + run, i - run);
}

/* Replaces a string by its valid UTF-8 form when it is not already. */
void
parse_utf8_repair(char **sp)
{
	struct buf	 out;
	const unsigned char *s = (const unsigned char *)*sp;
	size_t		 i, n, len;
	int		 bad;

	if (s == NULL)
		return;
	len = strlen(*sp);
	for (i = 0; i < len; i += n) {
		i += parse_utf8_span(s + i, len - i);
		if (i == len)
			break;
		if (s[i] < 0x80) {
			n = 1;
			if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\n' &&
			    s[i] != '\r')
				break;
			continue;
		}
		n = parse_utf8_seq(s + i, len - i, &bad);
		if (n == 0 || bad)
			break;
	}
	if (i >= len)
		return;
	buf_init(&out);
	parse_utf8_filter(s, len, 1, &out, NULL, NULL);
	free(*sp);
	*sp = buf_release(&out);
}

/*
 * The iconv name for a declared charset, or NULL for UTF-8. Latin-1 and
 * ASCII labels mean Windows-1252, as browsers read them (the WHATWG
 * Encoding Standard): feeds labelled ISO-8859-1 carry curly quotes.
 */
static const char *
parse_charset_iconv(const char *cs)
{
	static const char *const latin1[] = {
		"iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1",
		"cp819", "ibm819", "iso-ir-100", "windows-1252", "cp1252",
		"x-cp1252", NULL
	};
	size_t	 i;

	if (cs == NULL || strcasecmp(cs, "utf-8") == 0 ||
	    strcasecmp(cs, "utf8") == 0 || strcasecmp(cs, "us-ascii") == 0 ||
	    strcasecmp(cs, "ascii") == 0)
		return (NULL);
	for (i = 0; latin1[i] != NULL; i++)
		if (strcasecmp(cs, latin1[i]) == 0)
			return ("WINDOWS-1252");
	return (cs);
}

struct parse_decoder *
parse_decoder_new(const char *charset)
{
	struct parse_decoder	*d;
	const char		*name;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("%s", __func__);
	d->cd = (iconv_t)-1;
	buf_init(&d->pending);
	buf_init(&d->tmp);
	if ((name = parse_charset_iconv(charset)) != NULL &&
	    (d->cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		log_debug("%s: unknown charset \"%s\", reading UTF-8",
		    __func__, charset);
	return (d);
}

void
parse_decoder_free(struct parse_decoder *d)
{
	if (d == NULL)
		return;
	if (d->cd != (iconv_t)-1)
		iconv_close(d->cd);
	buf_free(&d->pending);
	buf_free(&d->tmp);
	free(d);
}

/* Appends the UTF-8 form of len bytes to out. */
void
parse_decoder_feed(struct parse_decoder *d, const char *in, size_t len,
    int final, struct buf *out)
{
	struct buf	 src;
	char		 chunk[4096], *ip, *op;
	size_t		 il, ol;

	if (d->cd == (iconv_t)-1 && d->pending.len == 0) {
		/* Nothing left over: the bytes are read where they are. */
		if (len > 0)
			parse_utf8_filter((const unsigned char *)in, len, final, out,
		    &d->pending, &d->repaired);
		return;
	}
	/* The bytes left over last time come first. */
	buf_init(&src);
	buf_add(&src, d->pending.data, d->pending.len);
	buf_add(&src, in, len);
	buf_reset(&d->pending);
	if (d->cd == (iconv_t)-1) {
		parse_utf8_filter((unsigned char *)src.data, src.len, final,
		    out, &d->pending, &d->repaired);
		buf_free(&src);
		return;
	}
	buf_reset(&d->tmp);
	ip = src.data;
	il = src.len;
	while (il > 0) {
		op = chunk;
		ol = sizeof(chunk);
		if (iconv(d->cd, &ip, &il, &op, &ol) != (size_t)-1) {
			buf_add(&d->tmp, chunk, sizeof(chunk) - ol);
			continue;
		}
		buf_add(&d->tmp, chunk, sizeof(chunk) - ol);
		if (errno == E2BIG)
			continue;
		if (errno == EINVAL && !final && il < 8) {
			buf_add(&d->pending, ip, il);
			break;
		}
		/* Invalid or truncated input: U+FFFD and on. */
		buf_addstr(&d->tmp, "\xef\xbf\xbd");
		ip++;
		il--;
		iconv(d->cd, NULL, NULL, NULL, NULL);
	}
	buf_free(&src);
	parse_utf8_filter((unsigned char *)d->tmp.data, d->tmp.len, 1, out,
	    NULL, NULL);
}

/*
 * The UTF-8 sequence left incomplete by the last chunk, completed from
 * the first bytes of in (or found broken) into out; returns how many
 * bytes of in it took. Bytes of in that begin a sequence of their own
 * are left where they are, for the caller to read in place.
 */
static size_t
parse_decoder_complete(struct parse_decoder *d, const char *in, size_t len,
    int final, struct buf *out)
{
	unsigned char	 tmp[8];
	size_t		 have = d->pending.len, want, k;

	/* pending holds a lead byte and fewer continuations than it needs. */
	want = (unsigned char)d->pending.data[0] >= 0xf0 ? 4 :
	    (unsigned char)d->pending.data[0] >= 0xe0 ? 3 : 2;
	if (have >= want || have > 3)
		fatalx("%s: %zu bytes pending", __func__, have);
	k = want - have < len ? want - have : len;
	memcpy(tmp, d->pending.data, have);
	memcpy(tmp + have, in, k);
	buf_reset(&d->pending);
	parse_utf8_filter(tmp, have + k, k == len ? final : 0, out,
	    &d->pending, &d->repaired);
	/*
	 * What is pending now is a suffix of tmp: within in's bytes, it is
	 * a sequence those bytes begin, read again in place; longer, it is
	 * the old sequence still incomplete, all of in taken (k == len).
	 */
	if (d->pending.len > 0 && d->pending.len <= k) {
		k -= d->pending.len;
		buf_reset(&d->pending);
	}
	return (k);
}

void
parse_decoder_view(struct parse_decoder *d, const char *in, size_t len,
    int final, struct buf *out, size_t *head, const char **view,
    size_t *viewlen)
{
	size_t	 k, span;

	*view = NULL;
	*viewlen = 0;
	if (d->cd != (iconv_t)-1) {
		parse_decoder_feed(d, in, len, final, out);
		*head = out->len;
		return;
	}
	if (d->pending.len > 0 && len > 0) {
		k = parse_decoder_complete(d, in, len, final, out);
		in += k;
		len -= k;
	}
	*head = out->len;
	if (len == 0) {
		if (final && d->pending.len > 0) {
			parse_decoder_feed(d, NULL, 0, 1, out);
			*head = out->len;
		}
		return;
	}
	/*
	 * Valid UTF-8 (nearly every chunk of nearly every feed) is read
	 * where it is; from the first byte that is not, or an incomplete
	 * sequence at the end, the filter copies and repairs.
	 */
	span = parse_utf8_span((const unsigned char *)in, len);
	*view = in;
	*viewlen = span;
	if (span < len)
		parse_utf8_filter((const unsigned char *)in + span, len - span,
		    final, out, &d->pending, &d->repaired);
}

/* How many bytes were not UTF-8 and were read as Windows-1252. */
size_t
parse_decoder_repaired(const struct parse_decoder *d)
{
	return (d->repaired);
}

/* Plain text of a title or name: HTML made text, whitespace collapsed. */
char *
parse_text(const char *s, int html)
{
	struct buf	 b;
	char		*h;
	size_t		 n;

	if (s == NULL)
		return (NULL);
	if (html) {
		/* Already collapsed and trimmed by the sanitizer. */
		h = sanitize_html_to_text(s);
		if (*h == '\0') {
			free(h);
			return (NULL);
		}
		return (h);
	}
	buf_init(&b);
	while (*s != '\0') {
		n = strspn(s, " \t\r\n");
		s += n;
		if (*s == '\0')
			break;
		if (n > 0 && b.len > 0)
			buf_addc(&b, ' ');
		n = strcspn(s, " \t\r\n");
		buf_add(&b, s, n);
		s += n;
	}
	if (b.len == 0) {
		buf_free(&b);
		return (NULL);
	}
	return (buf_release(&b));
}

/*
 * 1 if text that should be plain (an RSS title) holds markup or entity
 * references, the mark of double-escaped HTML.
 */
int
parse_looks_html(const char *s)
{
	const char	*p;
	size_t		 n;

	for (p = s; p != NULL && *p != '\0'; p++) {
		if (*p == '<' && ((p[1] >= 'a' && p[1] <= 'z') ||
		    (p[1] >= 'A' && p[1] <= 'Z') || p[1] == '/' ||
		    p[1] == '!'))
			return (1);
		if (*p == '&') {
			n = strspn(p + 1, "#abcdefghijklmnopqrstuvwxyz"
			    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
			if (n > 0 && n < 12 && p[1 + n] == ';')
				return (1);
		}
	}
	return (0);
}

/* Sets *field to ref resolved against base (ref NULL or empty: NULL). */
void
parse_set_url(char **field, const char *base, const char *ref)
{
	char	*u = NULL;

	if (ref != NULL) {
		ref += strspn(ref, " \t\r\n");
		if (*ref != '\0')
			u = url_resolve(base, ref);
	}
	if (u != NULL)
		u[strcspn(u, " \t\r\n")] = '\0';
	free(*field);
	*field = u;
}

static void
parse_trim(char **sp)
{
	char	*s = *sp, *t;
	size_t	 len;

	if (s == NULL)
		return;
	for (t = s; *t == ' ' || *t == '\t' || *t == '\r' || *t == '\n'; t++)
		;
	len = strlen(t);
	while (len > 0 && (t[len - 1] == ' ' || t[len - 1] == '\t' ||
	    t[len - 1] == '\r' || t[len - 1] == '\n'))
		len--;
	if (len == 0) {
		free(s);
		*sp = NULL;
		return;
	}
	memmove(s, t, len);
	s[len] = '\0';
}

/* ASCII lower case, in place (kinds and territories are lower case). */
static void
parse_lower(char *s)
{
	for (; s != NULL && *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = *s - 'A' + 'a';
}

/* A language tag: letters, digits and '-', at most 35 of them (BCP 47). */
static int
parse_lang_valid(const char *s)
{
	size_t	 n;

	n = strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "0123456789-_");
	return (n > 0 && n <= 35 && s[n] == '\0');
}

/* Every URL absolute and http(s), or dropped: nothing else is served. */
static void
parse_normalize_urls(struct entry *e, const char *base)
{
	size_t	 i, j;

	parse_set_url(&e->link, base, e->link);
	if (e->link != NULL && !url_is_http(e->link))
		entry_set(&e->link, NULL);
	parse_set_url(&e->image, base, e->image);
	if (e->image != NULL && !url_is_http(e->image))
		entry_set(&e->image, NULL);
	parse_set_url(&e->source.link, base, e->source.link);
	if (e->source.link != NULL && !url_is_http(e->source.link))
		entry_set(&e->source.link, NULL);
	for (i = 0; i < e->nauthors; i++) {
		parse_set_url(&e->authors[i].uri, base, e->authors[i].uri);
		if (e->authors[i].uri != NULL &&
		    !url_is_http(e->authors[i].uri) &&
		    strncasecmp(e->authors[i].uri, "mailto:", 7) != 0)
			entry_set(&e->authors[i].uri, NULL);
	}
	for (i = j = 0; i < e->nenclosures; i++) {
		parse_set_url(&e->enclosures[i].url, base,
		    e->enclosures[i].url);
		if (!url_is_http(e->enclosures[i].url)) {
			free(e->enclosures[i].url);
			free(e->enclosures[i].type);
			continue;
		}
		e->enclosures[j++] = e->enclosures[i];
	}
	e->nenclosures = j;
	for (i = j = 0; i < e->nlinks; i++) {
		parse_set_url(&e->links[i].href, base, e->links[i].href);
		if (!url_is_http(e->links[i].href)) {
			free(e->links[i].href);
			free(e->links[i].rel);
			free(e->links[i].type);
			free(e->links[i].title);
			continue;
		}
		e->links[j++] = e->links[i];
	}
	e->nlinks = j;
}

/*
 * Categories under the kind and territory schemes become the entry's
 * kind and territory (when valid) and leave the list; empty terms go.
 */
static void
parse_normalize_categories(struct entry *e)
{
	struct entry_category	*c;
	size_t			 i, j;
	int			 keep;

	parse_lower(e->kind);
	parse_lower(e->territory);

	for (i = j = 0; i < e->ncategories; i++) {
		c = &e->categories[i];
		parse_trim(&c->term);
		parse_trim(&c->scheme);
		parse_trim(&c->label);
		keep = c->term != NULL;
		if (keep && c->scheme != NULL &&
		    (strcmp(c->scheme, ENTRY_SCHEME_KIND) == 0 ||
		    strcmp(c->scheme, ENTRY_SCHEME_TERRITORY) == 0)) {
			keep = 0;
			parse_lower(c->term);
			if (strcmp(c->scheme, ENTRY_SCHEME_KIND) == 0) {
				if (e->kind == NULL &&
				    entry_kind_valid(c->term))
					entry_set(&e->kind, c->term);
			} else if (e->territory == NULL &&
			    entry_territory_valid(c->term))
				entry_set(&e->territory, c->term);
		}
		if (!keep) {
			free(c->term);
			free(c->scheme);
			free(c->label);
			continue;
		}
		e->categories[j++] = *c;
	}
	e->ncategories = j;
	if (e->kind != NULL && !entry_kind_valid(e->kind))
		entry_set(&e->kind, NULL);
	if (e->territory != NULL && !entry_territory_valid(e->territory))
		entry_set(&e->territory, NULL);
}

/* Every string of an entry made valid UTF-8 (parse_utf8_repair). */
static void
parse_utf8_repair_entry(struct entry *e)
{
	size_t	 i;

	parse_utf8_repair(&e->id);
	parse_utf8_repair(&e->title);
	parse_utf8_repair(&e->link);
	parse_utf8_repair(&e->summary);
	parse_utf8_repair(&e->summary_text);
	parse_utf8_repair(&e->content);
	parse_utf8_repair(&e->image);
	parse_utf8_repair(&e->lang);
	parse_utf8_repair(&e->kind);
	parse_utf8_repair(&e->territory);
	parse_utf8_repair(&e->source.id);
	parse_utf8_repair(&e->source.title);
	parse_utf8_repair(&e->source.link);
	for (i = 0; i < e->nauthors; i++) {
		parse_utf8_repair(&e->authors[i].name);
		parse_utf8_repair(&e->authors[i].email);
		parse_utf8_repair(&e->authors[i].uri);
	}
	for (i = 0; i < e->ncategories; i++) {
		parse_utf8_repair(&e->categories[i].term);
		parse_utf8_repair(&e->categories[i].scheme);
		parse_utf8_repair(&e->categories[i].label);
	}
	for (i = 0; i < e->nenclosures; i++) {
		parse_utf8_repair(&e->enclosures[i].url);
		parse_utf8_repair(&e->enclosures[i].type);
	}
	for (i = 0; i < e->nlinks; i++) {
		parse_utf8_repair(&e->links[i].href);
		parse_utf8_repair(&e->links[i].rel);
		parse_utf8_repair(&e->links[i].type);
		parse_utf8_repair(&e->links[i].title);
	}
}

/*
 * The one normalization every entry goes through, whatever its format:
 * valid UTF-8, plain-text title, sanitized summary and content, absolute
 * http(s) URLs, kind and territory out of the categories, language and
 * source inherited from the feed. Then the entry goes to the caller.
 */
void
parse_emit(struct parser *p, struct parse_item *it)
{
	struct entry	*e = it->e;
	const char	*base = p->base_url;
	char		*s, *html;
	size_t		 i, j;

	it->e = NULL;
	/*
	 * The XML back end reads only the decoder's output, through libxml2
	 * (whose character references the lexical pass has checked): its
	 * strings are valid already. JSON strings come from jansson, whose
	 * \u escapes may name C0 controls: those are checked here.
	 */
	if (!it->utf8_clean)
		parse_utf8_repair_entry(e);
	/* The first node's name, as a listing carries it: a name or nothing. */
	if (e->origin != NULL && !entry_node_valid(e->origin))
		entry_set(&e->origin, NULL);

	parse_trim(&e->id);
	s = parse_text(e->title, it->title_html);
	free(e->title);
	e->title = s;

	if (e->summary != NULL) {
		html = (it->utf8_clean ? sanitize_html_valid : sanitize_html)(
		    e->summary, it->summary_base != NULL ? it->summary_base :
		    base);
		free(e->summary);
		free(e->summary_text);
		e->summary_text = parse_text(html, 1);
		e->summary = html;
	} else if (e->summary_text != NULL) {
		s = parse_text(e->summary_text, 0);
		free(e->summary_text);
		e->summary_text = s;
		if (s != NULL)
			e->summary = sanitize_text_to_html(s);
	}

	if (e->content != NULL && (e->content_type == NULL ||
	    strcmp(e->content_type, "text") != 0)) {
		html = (it->utf8_clean ? sanitize_html_valid : sanitize_html)(
		    e->content, it->content_base != NULL ? it->content_base :
		    base);
		free(e->content);
		e->content = html;
		entry_set(&e->content_type, "html");
	}
	parse_trim(&e->content);
	parse_trim(&e->summary);
	if (e->content == NULL)
		entry_set(&e->content_type, NULL);

	parse_normalize_urls(e, base);
	parse_normalize_categories(e);

	for (i = j = 0; i < e->nauthors; i++) {
		s = parse_text(e->authors[i].name, 0);
		free(e->authors[i].name);
		e->authors[i].name = s;
		parse_trim(&e->authors[i].email);
		if (e->authors[i].name == NULL && e->authors[i].email ==
		    NULL && e->authors[i].uri == NULL)
			continue;
		e->authors[j++] = e->authors[i];
	}
	e->nauthors = j;

	parse_trim(&e->lang);
	if (e->lang != NULL && !parse_lang_valid(e->lang))
		entry_set(&e->lang, NULL);
	if (e->lang == NULL && p->meta.lang != NULL &&
	    parse_lang_valid(p->meta.lang))
		entry_set(&e->lang, p->meta.lang);

	if (e->source.id == NULL && e->source.title == NULL &&
	    e->source.link == NULL) {
		entry_set(&e->source.id, p->meta.id);
		entry_set(&e->source.title, p->meta.title);
		entry_set(&e->source.link, p->meta.link);
	} else {
		s = parse_text(e->source.title, 0);
		free(e->source.title);
		e->source.title = s;
	}

	if (e->image == NULL)
		for (i = 0; i < e->nenclosures; i++)
			if (e->enclosures[i].type != NULL &&
			    strncmp(e->enclosures[i].type, "image/", 6) == 0) {
				entry_set(&e->image, e->enclosures[i].url);
				break;
			}

	free(it->summary_base);
	free(it->content_base);
	it->summary_base = it->content_base = NULL;
	p->nentries++;
	if (p->cb != NULL)
		p->cb(e, &p->meta, p->arg);
	else
		entry_free(e);
}
