/*
 * feedmesh: validating a listing's query parameters into a struct
 * store_query, and writing them back in one canonical form.
 */
#include <sys/queue.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "query.h"

/* Longest value of each parameter, decoded. */
#define QUERY_VALUE_MAX		256
#define QUERY_PEER_MAX		64
/* Unix seconds are at most this many digits (year 5138). */
#define QUERY_SECONDS_DIGITS	11

enum query_param {
	QUERY_BBOX,
	QUERY_BEFORE,
	QUERY_CATEGORY,
	QUERY_KIND,
	QUERY_LIMIT,
	QUERY_NEAR,
	QUERY_PEER,
	QUERY_Q,
	QUERY_RADIUS,
	QUERY_SINCE,
	QUERY_SORT,
	QUERY_TERRITORY
};

struct query_ctx {
	struct query	*q;
	int		 max_limit;
	const char	*why;		/* static reason of a rejected value */
};

typedef int	(*query_value_fn)(struct query_ctx *, const char *);

static int	 query_set_bbox(struct query_ctx *, const char *);
static int	 query_set_before(struct query_ctx *, const char *);
static int	 query_set_category(struct query_ctx *, const char *);
static int	 query_set_kind(struct query_ctx *, const char *);
static int	 query_set_limit(struct query_ctx *, const char *);
static int	 query_set_near(struct query_ctx *, const char *);
static int	 query_set_peer(struct query_ctx *, const char *);
static int	 query_set_q(struct query_ctx *, const char *);
static int	 query_set_radius(struct query_ctx *, const char *);
static int	 query_set_sort(struct query_ctx *, const char *);
static int	 query_set_since(struct query_ctx *, const char *);
static int	 query_set_territory(struct query_ctx *, const char *);

/* Sorted by name: the canonical form lists them in this order. */
static const struct {
	const char	*name;
	query_value_fn	 set;
} query_params[] = {
	[QUERY_BBOX] =		{ "bbox", query_set_bbox },
	[QUERY_BEFORE] =	{ "before", query_set_before },
	[QUERY_CATEGORY] =	{ "category", query_set_category },
	[QUERY_KIND] =		{ "kind", query_set_kind },
	[QUERY_LIMIT] =		{ "limit", query_set_limit },
	[QUERY_NEAR] =		{ "near", query_set_near },
	[QUERY_PEER] =		{ "peer", query_set_peer },
	[QUERY_Q] =		{ "q", query_set_q },
	[QUERY_RADIUS] =	{ "radius", query_set_radius },
	[QUERY_SINCE] =		{ "since", query_set_since },
	[QUERY_SORT] =		{ "sort", query_set_sort },
	[QUERY_TERRITORY] =	{ "territory", query_set_territory },
};
#define QUERY_NPARAMS	(sizeof(query_params) / sizeof(query_params[0]))

static int	 query_check_raw(const char *, const char **);
static int	 query_hex(int);
static void	 query_echo(const char *, char *, size_t);
static int	 query_utf8_valid(const char *);
static int	 query_digits(const char *, size_t, int64_t *);
static void	 query_encode(struct buf *, const char *);
static char	*query_strdup(const char *);
static int	 query_numbers(const char *, double *, int);
static void	 query_number_print(struct buf *, double);
static int	 query_word_char(unsigned char);

static char *
query_strdup(const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		fatal("%s", __func__);
	return (d);
}

static int
query_hex(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/*
 * Checks the raw query string before evhttp decodes it: evhttp leaves a
 * malformed escape as it is and cuts a value at an escaped NUL, so both
 * are refused here, as are escaped control characters and raw bytes that
 * RFC 3986 does not allow in a query.
 */
static int
query_check_raw(const char *s, const char **why)
{
	const unsigned char	*p;
	int			 hi, lo, c;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '%') {
			if ((hi = query_hex(p[1])) == -1 ||
			    (lo = query_hex(p[2])) == -1) {
				*why = "bad percent-encoding";
				return (-1);
			}
			c = hi * 16 + lo;
			if (c < 0x20 || c == 0x7f) {
				*why = "encoded control character";
				return (-1);
			}
			p += 2;
			continue;
		}
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') ||
		    strchr("-._~!$&'()*+,;=:@/?", *p) != NULL)
			continue;
		*why = "character not allowed in a query";
		return (-1);
	}
	return (0);
}

/*
 * A short, quoted-safe echo of untrusted input for an error message:
 * at most 24 bytes, anything but [A-Za-z0-9._-] shown as '?'.
 */
static void
query_echo(const char *s, char *out, size_t outlen)
{
	size_t	 i, n = 0;

	if (outlen == 0)
		return;
	for (i = 0; s[i] != '\0' && i < 24 && n + 4 < outlen; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || strchr("._-", s[i]) != NULL)
			out[n++] = s[i];
		else
			out[n++] = '?';
	}
	if (s[i] != '\0' && n + 3 < outlen) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

/* 1 if s is well-formed UTF-8 (no overlong forms, no surrogates). */
static int
query_utf8_valid(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 cp;
	int			 n, i;

	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			n = 1;
			cp = *p & 0x1f;
		} else if ((*p & 0xf0) == 0xe0) {
			n = 2;
			cp = *p & 0x0f;
		} else if ((*p & 0xf8) == 0xf0) {
			n = 3;
			cp = *p & 0x07;
		} else
			return (0);
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return (0);
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return (0);
		p += n + 1;
	}
	return (1);
}

/* Reads 1..max decimal digits and nothing else; 0 or -1. */
static int
query_digits(const char *s, size_t max, int64_t *v)
{
	size_t	 i;
	int64_t	 n = 0;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] < '0' || s[i] > '9' || i >= max)
			return (-1);
		n = n * 10 + (s[i] - '0');
	}
	if (i == 0)
		return (-1);
	*v = n;
	return (0);
}

/*
 * Reads n comma-separated decimal numbers (an optional sign, digits, an
 * optional fraction; no exponent, no inf or nan), each rounded to 6
 * decimals (about 0.1 m) so that the canonical form means the same.
 */
static int
query_numbers(const char *v, double *out, int n)
{
	const char	*p = v;
	char		*end;
	int		 i, digits;

	for (i = 0; i < n; i++) {
		if (i > 0 && *p++ != ',')
			return (-1);
		end = (char *)p;
		if (*end == '-' || *end == '+')
			end++;
		for (digits = 0; (*end >= '0' && *end <= '9') || *end == '.';
		    end++)
			digits += *end != '.';
		if (digits == 0 || digits > 15)
			return (-1);
		out[i] = strtod(p, &end);
		if (end == p || !isfinite(out[i]))
			return (-1);
		out[i] = round(out[i] * 1e6) / 1e6;
		p = end;
	}
	return (*p == '\0' ? 0 : -1);
}

/* A number as query_numbers() reads it back: no trailing zeros. */
static void
query_number_print(struct buf *b, double v)
{
	char	 s[64];
	size_t	 n;

	snprintf(s, sizeof(s), "%.6f", v);
	n = strlen(s);
	while (n > 0 && s[n - 1] == '0')
		s[--n] = '\0';
	if (n > 0 && s[n - 1] == '.')
		s[--n] = '\0';
	if (strcmp(s, "-0") == 0)
		snprintf(s, sizeof(s), "0");
	buf_addstr(b, s);
}

static int
query_set_bbox(struct query_ctx *c, const char *v)
{
	double	 x[4];

	if (query_numbers(v, x, 4) == -1) {
		c->why = "expected W,S,E,N in degrees";
		return (-1);
	}
	if (x[0] < -180 || x[2] > 180 || x[0] > x[2] || x[1] < -90 ||
	    x[3] > 90 || x[1] > x[3]) {
		c->why = "W and E within -180..180, S and N within -90..90, "
		    "W not east of E, S not north of N";
		return (-1);
	}
	c->q->sq.geo = STORE_GEO_BOX;
	c->q->sq.west = x[0];
	c->q->sq.south = x[1];
	c->q->sq.east = x[2];
	c->q->sq.north = x[3];
	return (0);
}

static int
query_set_near(struct query_ctx *c, const char *v)
{
	double	 x[2];

	if (query_numbers(v, x, 2) == -1 || x[0] < -90 || x[0] > 90 ||
	    x[1] < -180 || x[1] > 180) {
		c->why = "expected LAT,LON in degrees";
		return (-1);
	}
	c->q->sq.geo = STORE_GEO_NEAR;
	c->q->sq.lat = x[0];
	c->q->sq.lon = x[1];
	if (c->q->sq.radius_km == 0)
		c->q->sq.radius_km = QUERY_RADIUS_DEFAULT;
	return (0);
}

static int
query_set_radius(struct query_ctx *c, const char *v)
{
	double	 r;

	if (query_numbers(v, &r, 1) == -1 || r <= 0 ||
	    r > QUERY_RADIUS_MAX) {
		c->why = "expected km, more than 0 and at most 1000";
		return (-1);
	}
	c->q->sq.radius_km = r;
	return (0);
}

/* A byte that belongs to a word: ASCII letters and digits, any non-ASCII. */
static int
query_word_char(unsigned char ch)
{
	return ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch >= 0x80);
}

/* q: whitespace-separated words, kept one space apart. */
static int
query_set_q(struct query_ctx *c, const char *v)
{
	struct buf	 b;
	const char	*p, *w;
	int		 n = 0;

	if (strlen(v) > QUERY_TEXT_MAX || !query_utf8_valid(v)) {
		c->why = "too long or not UTF-8";
		return (-1);
	}
	buf_init(&b);
	for (p = v; *p != '\0' && n < QUERY_WORDS_MAX; ) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (*p == '\0')
			break;
		for (w = p; *p != '\0' && *p != ' ' && *p != '\t' &&
		    *p != '\n' && *p != '\r'; p++)
			;
		if (b.len > 0)
			buf_addc(&b, ' ');
		buf_add(&b, w, p - w);
		n++;
	}
	if (b.len == 0 || (c->q->match = query_fts_match(b.data)) == NULL) {
		buf_free(&b);
		c->why = "no word to search";
		return (-1);
	}
	c->q->text = buf_release(&b);
	return (0);
}

static int
query_set_sort(struct query_ctx *c, const char *v)
{
	if (strcmp(v, "relevance") == 0)
		c->q->sq.relevance = 1;
	else if (strcmp(v, "time") != 0) {
		c->why = "expected time or relevance";
		return (-1);
	}
	return (0);
}

char *
query_fts_match(const char *text)
{
	struct buf	 b;
	const char	*p, *w, *last = NULL;
	size_t		 len, lastlen = 0;
	int		 word;

	buf_init(&b);
	for (p = text; *p != '\0'; ) {
		while (*p == ' ')
			p++;
		for (w = p, word = 0; *p != '\0' && *p != ' '; p++)
			word |= query_word_char((unsigned char)*p);
		if ((len = p - w) == 0 || !word)
			continue;
		if (b.len > 0)
			buf_addc(&b, ' ');
		buf_addc(&b, '"');
		for (; w < p; w++) {
			if (*w == '"')
				buf_addc(&b, '"');
			buf_addc(&b, *w);
		}
		buf_addc(&b, '"');
		last = w;
		lastlen = len;
	}
	if (b.len == 0) {
		buf_free(&b);
		return (NULL);
	}
	if (last != NULL && lastlen >= 3)
		buf_addc(&b, '*');
	return (buf_release(&b));
}

static int
query_set_before(struct query_ctx *c, const char *v)
{
	if (query_cursor_parse(v, &c->q->sq.before_time,
	    &c->q->sq.before_seq) == -1) {
		c->why = "not a cursor from a next link";
		return (-1);
	}
	return (0);
}

static int
query_set_category(struct query_ctx *c, const char *v)
{
	if (strlen(v) > QUERY_VALUE_MAX || !query_utf8_valid(v)) {
		c->why = "too long or not UTF-8";
		return (-1);
	}
	c->q->category = query_strdup(v);
	return (0);
}

static int
query_set_kind(struct query_ctx *c, const char *v)
{
	if (!entry_kind_valid(v)) {
		c->why = "not a known kind";
		return (-1);
	}
	c->q->kind = query_strdup(v);
	return (0);
}

static int
query_set_limit(struct query_ctx *c, const char *v)
{
	int64_t	 n;

	if (query_digits(v, 9, &n) == -1 || n < 1 || n > c->max_limit) {
		c->why = "out of range";
		return (-1);
	}
	c->q->sq.limit = (int)n;
	return (0);
}

static int
query_set_peer(struct query_ctx *c, const char *v)
{
	size_t	 i;

	for (i = 0; v[i] != '\0'; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') ||
		    (v[i] >= '0' && v[i] <= '9') || v[i] == '_' || v[i] == '-'))
			break;
	if (i == 0 || v[i] != '\0' || i > QUERY_PEER_MAX) {
		c->why = "not a peer name";
		return (-1);
	}
	c->q->peer = query_strdup(v);
	return (0);
}

static int
query_set_since(struct query_ctx *c, const char *v)
{
	int64_t	 t;

	if (query_digits(v, QUERY_SECONDS_DIGITS, &t) == 0) {
		c->q->sq.since = t;
		return (0);
	}
	if (v[0] < '0' || v[0] > '9' ||
	    (t = date_parse(v, NULL)) == ENTRY_NO_TIME) {
		c->why = "not an RFC 3339 date or unix time";
		return (-1);
	}
	/*
	 * The canonical form writes unix time, which must read back: not
	 * negative, at most QUERY_SECONDS_DIGITS digits.
	 */
	if (t < 0 || t > INT64_C(99999999999)) {
		c->why = "before 1970 or too far ahead";
		return (-1);
	}
	c->q->sq.since = t;
	return (0);
}

static int
query_set_territory(struct query_ctx *c, const char *v)
{
	if (!entry_territory_valid(v)) {
		c->why = "not a territory path";
		return (-1);
	}
	c->q->territory = query_strdup(v);
	return (0);
}

int
query_parse(struct query *q, const char *raw, int default_limit,
    int max_limit, char *err, size_t errlen)
{
	struct evkeyvalq	 kv;
	struct evkeyval		*p;
	struct query_ctx	 c;
	const char		*why = NULL;
	char			 echo[32];
	size_t			 i;
	unsigned int		 seen = 0;
	int			 rc = -1;

	memset(q, 0, sizeof(*q));
	store_query_init(&q->sq);
	q->sq.limit = default_limit;
	q->default_limit = default_limit;
	TAILQ_INIT(&kv);
	if (errlen > 0)
		err[0] = '\0';
	if (raw == NULL || *raw == '\0')
		return (0);

	if (strlen(raw) > QUERY_MAX_LEN) {
		snprintf(err, errlen, "query too long");
		goto done;
	}
	if (query_check_raw(raw, &why) == -1) {
		snprintf(err, errlen, "malformed query: %s", why);
		goto done;
	}
	if (evhttp_parse_query_str(raw, &kv) == -1) {
		snprintf(err, errlen, "malformed query: expected key=value "
		    "pairs separated by '&'");
		goto done;
	}
	c.q = q;
	c.max_limit = max_limit;
	TAILQ_FOREACH(p, &kv, next) {
		query_echo(p->key, echo, sizeof(echo));
		for (i = 0; i < QUERY_NPARAMS; i++)
			if (strcmp(p->key, query_params[i].name) == 0)
				break;
		if (i == QUERY_NPARAMS) {
			snprintf(err, errlen, "unknown parameter \"%s\"", echo);
			goto done;
		}
		if (seen & (1U << i)) {
			snprintf(err, errlen, "parameter \"%s\" repeated", echo);
			goto done;
		}
		seen |= 1U << i;
		c.why = "empty";
		if (*p->value == '\0' || query_params[i].set(&c, p->value) == -1) {
			query_echo(p->value, echo, sizeof(echo));
			snprintf(err, errlen, "bad %s \"%s\": %s",
			    query_params[i].name, echo, c.why);
			goto done;
		}
	}
	if ((seen & (1U << QUERY_RADIUS)) && !(seen & (1U << QUERY_NEAR))) {
		snprintf(err, errlen, "radius needs near=LAT,LON");
		goto done;
	}
	if ((seen & (1U << QUERY_NEAR)) && (seen & (1U << QUERY_BBOX))) {
		snprintf(err, errlen, "near and bbox do not go together");
		goto done;
	}
	if (q->sq.relevance && q->match == NULL) {
		snprintf(err, errlen, "sort=relevance needs q");
		goto done;
	}
	if (q->sq.relevance && q->sq.before_time != ENTRY_NO_TIME) {
		snprintf(err, errlen, "sort=relevance has one page: no before");
		goto done;
	}
	rc = 0;
done:
	evhttp_clear_headers(&kv);
	if (rc == -1) {
		query_clear(q);
		if (errlen > 0 && err[0] == '\0')
			snprintf(err, errlen, "malformed query");
		return (-1);
	}
	q->sq.kind = q->kind;
	q->sq.territory = q->territory;
	q->sq.category = q->category;
	q->sq.peer = q->peer;
	q->sq.match = q->match;
	return (0);
}

void
query_clear(struct query *q)
{
	free(q->kind);
	free(q->territory);
	free(q->category);
	free(q->peer);
	free(q->text);
	free(q->match);
	memset(q, 0, sizeof(*q));
	q->sq.since = ENTRY_NO_TIME;
	q->sq.before_time = ENTRY_NO_TIME;
}

/* Percent-encodes all but unreserved characters and '/'. */
static void
query_encode(struct buf *b, const char *s)
{
	const unsigned char	*p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p) != NULL)
			buf_addc(b, (char)*p);
		else
			buf_printf(b, "%%%02X", *p);
	}
}

void
query_canonical(const struct query *q, struct buf *b)
{
	query_canonical_cursor(q, q->sq.before_time, q->sq.before_seq, b);
}

void
query_canonical_cursor(const struct query *q, int64_t before_time,
    int64_t before_seq, struct buf *b)
{
	char		 cur[QUERY_CURSOR_LEN];
	const char	*sep = "";

	if (q->sq.geo == STORE_GEO_BOX) {
		buf_addstr(b, "bbox=");
		query_number_print(b, q->sq.west);
		buf_addstr(b, "%2C");
		query_number_print(b, q->sq.south);
		buf_addstr(b, "%2C");
		query_number_print(b, q->sq.east);
		buf_addstr(b, "%2C");
		query_number_print(b, q->sq.north);
		sep = "&";
	}
	if (before_time != ENTRY_NO_TIME && !q->sq.relevance) {
		query_cursor_format(before_time, before_seq, cur, sizeof(cur));
		buf_printf(b, "%sbefore=%s", sep, cur);
		sep = "&";
	}
	if (q->category != NULL) {
		buf_printf(b, "%scategory=", sep);
		query_encode(b, q->category);
		sep = "&";
	}
	if (q->kind != NULL) {
		buf_printf(b, "%skind=", sep);
		query_encode(b, q->kind);
		sep = "&";
	}
	if (q->sq.limit != q->default_limit) {
		buf_printf(b, "%slimit=%d", sep, q->sq.limit);
		sep = "&";
	}
	if (q->sq.geo == STORE_GEO_NEAR) {
		buf_printf(b, "%snear=", sep);
		query_number_print(b, q->sq.lat);
		buf_addstr(b, "%2C");
		query_number_print(b, q->sq.lon);
		sep = "&";
	}
	if (q->peer != NULL) {
		buf_printf(b, "%speer=", sep);
		query_encode(b, q->peer);
		sep = "&";
	}
	if (q->text != NULL) {
		buf_printf(b, "%sq=", sep);
		query_encode(b, q->text);
		sep = "&";
	}
	if (q->sq.geo == STORE_GEO_NEAR) {
		buf_printf(b, "%sradius=", sep);
		query_number_print(b, q->sq.radius_km);
		sep = "&";
	}
	if (q->sq.since != ENTRY_NO_TIME) {
		buf_printf(b, "%ssince=%" PRId64, sep, q->sq.since);
		sep = "&";
	}
	if (q->sq.relevance) {
		buf_printf(b, "%ssort=relevance", sep);
		sep = "&";
	}
	if (q->territory != NULL) {
		buf_printf(b, "%sterritory=", sep);
		query_encode(b, q->territory);
	}
	if (b->data == NULL)
		buf_addstr(b, "");
}

void
query_describe(const struct query *q, struct buf *b)
{
	char		 date[DATE_RFC3339_LEN];
	const char	*sep = "";

	if (q->kind != NULL) {
		buf_printf(b, "kind %s", q->kind);
		sep = ", ";
	}
	if (q->territory != NULL) {
		buf_printf(b, "%sterritory %s", sep, q->territory);
		sep = ", ";
	}
	if (q->category != NULL) {
		buf_printf(b, "%scategory %s", sep, q->category);
		sep = ", ";
	}
	if (q->peer != NULL) {
		buf_printf(b, "%speer %s", sep, q->peer);
		sep = ", ";
	}
	if (q->sq.since != ENTRY_NO_TIME) {
		date_format_rfc3339(q->sq.since, date, sizeof(date));
		buf_printf(b, "%ssince %s", sep, date);
		sep = ", ";
	}
	if (q->text != NULL) {
		buf_printf(b, "%s\"%s\"", sep, q->text);
		sep = ", ";
	}
	if (q->sq.geo == STORE_GEO_NEAR) {
		buf_printf(b, "%swithin ", sep);
		query_number_print(b, q->sq.radius_km);
		buf_addstr(b, " km of ");
		query_number_print(b, q->sq.lat);
		buf_addc(b, ',');
		query_number_print(b, q->sq.lon);
	} else if (q->sq.geo == STORE_GEO_BOX)
		buf_printf(b, "%sin a box", sep);
	if (b->data == NULL)
		buf_addstr(b, "");
}

void
query_cursor_format(int64_t time, int64_t seq, char *out, size_t len)
{
	snprintf(out, len, "%" PRId64 ".%" PRId64, time, seq);
}

/* "TIME.SEQ": an optional '-' on TIME (dates before 1970), SEQ >= 0. */
int
query_cursor_parse(const char *s, int64_t *time, int64_t *seq)
{
	char		 tbuf[QUERY_CURSOR_LEN];
	const char	*dot, *t = s;
	int64_t		 tv, sv;
	int		 neg = 0;

	if ((dot = strchr(s, '.')) == NULL ||
	    (size_t)(dot - s) >= sizeof(tbuf))
		return (-1);
	if (*t == '-') {
		neg = 1;
		t++;
	}
	memcpy(tbuf, t, dot - t);
	tbuf[dot - t] = '\0';
	if (query_digits(tbuf, 15, &tv) == -1 ||
	    query_digits(dot + 1, 18, &sv) == -1)
		return (-1);
	*time = neg ? -tv : tv;
	*seq = sv;
	return (0);
}

int
query_match(const struct query *q, const struct entry *e)
{
	size_t	 i, n;

	if (q->kind != NULL && (e->kind == NULL || strcmp(q->kind, e->kind)))
		return (0);
	if (q->territory != NULL) {
		n = strlen(q->territory);
		if (e->territory == NULL ||
		    strncmp(e->territory, q->territory, n) != 0 ||
		    (e->territory[n] != '\0' && e->territory[n] != '/'))
			return (0);
	}
	if (q->category != NULL) {
		for (i = 0; i < e->ncategories; i++)
			if (e->categories[i].term != NULL &&
			    strcmp(e->categories[i].term, q->category) == 0)
				break;
		if (i == e->ncategories)
			return (0);
	}
	if (q->peer != NULL) {
		for (i = 0; i < e->npeers; i++)
			if (e->peers[i] != NULL &&
			    strcmp(e->peers[i], q->peer) == 0)
				break;
		if (i == e->npeers)
			return (0);
	}
	switch (q->sq.geo) {
	case STORE_GEO_NONE:
		break;
	case STORE_GEO_ANY:
		if (!e->has_geo)
			return (0);
		break;
	case STORE_GEO_BOX:
		if (!e->has_geo || e->lon < q->sq.west || e->lon > q->sq.east ||
		    e->lat < q->sq.south || e->lat > q->sq.north)
			return (0);
		break;
	case STORE_GEO_NEAR:
		if (!e->has_geo || store_distance_km(q->sq.lat, q->sq.lon,
		    e->lat, e->lon) > q->sq.radius_km)
			return (0);
		break;
	}
	return (1);
}
