/* feedmesh tests: listing query parameters, their canonical form, cursors. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "entry.h"
#include "query.h"
#include "tap.h"

#define DEF	20
#define MAX	100

/* Parses raw and returns its canonical form (new string) or NULL. */
static char *
canon(const char *raw)
{
	struct query	 q;
	struct buf	 b;
	char		 err[QUERY_ERR_LEN];

	if (query_parse(&q, raw, DEF, MAX, err, sizeof(err)) == -1)
		return (NULL);
	buf_init(&b);
	query_canonical(&q, &b);
	query_clear(&q);
	return (buf_release(&b));
}

/* 1 if raw is rejected with a message containing want. */
static int
rejected(const char *raw, const char *want)
{
	struct query	 q;
	char		 err[QUERY_ERR_LEN];

	if (query_parse(&q, raw, DEF, MAX, err, sizeof(err)) != -1) {
		query_clear(&q);
		printf("# accepted: %s\n", raw);
		return (0);
	}
	if (strstr(err, want) == NULL) {
		printf("# message: %s\n", err);
		return (0);
	}
	/* Messages reach clients inside HTML pages: never any markup. */
	if (strpbrk(err, "<>") != NULL) {
		printf("# markup in message: %s\n", err);
		return (0);
	}
	return (1);
}

static void
test_valid(void)
{
	struct query	 q;
	char		 err[QUERY_ERR_LEN];
	char		*s;

	ok(query_parse(&q, NULL, DEF, MAX, err, sizeof(err)) == 0, "no query");
	is_int(q.sq.limit, DEF, "default limit");
	ok(q.sq.since == ENTRY_NO_TIME && q.sq.before_time == ENTRY_NO_TIME &&
	    q.sq.kind == NULL, "no filter");
	ok(q.sq.from_time == ENTRY_NO_TIME && q.sq.until_time == ENTRY_NO_TIME &&
	    !q.sq.oldest_first, "no range of sort times (archives set one)");
	query_clear(&q);
	ok(query_parse(&q, "kind=job", DEF, MAX, err, sizeof(err)) == 0 &&
	    q.sq.from_time == ENTRY_NO_TIME && q.sq.until_time == ENTRY_NO_TIME,
	    "a filter sets no range either");
	query_clear(&q);

	ok(query_parse(&q, "kind=job&territory=auvergne-rhone-alpes/loire"
	    "&category=insertion%20pro&peer=cress_aura-1&since=2026-01-01T00:00:00Z"
	    "&limit=50&before=1764000000.42", DEF, MAX, err, sizeof(err)) == 0,
	    "all parameters");
	is_str(q.sq.kind, "job", "kind");
	is_str(q.sq.territory, "auvergne-rhone-alpes/loire", "territory");
	is_str(q.sq.category, "insertion pro", "category decoded");
	is_str(q.sq.peer, "cress_aura-1", "peer");
	is_int(q.sq.since, 1767225600, "since from RFC 3339");
	is_int(q.sq.limit, 50, "limit");
	is_int(q.sq.before_time, 1764000000, "cursor time");
	is_int(q.sq.before_seq, 42, "cursor seq");
	query_clear(&q);

	ok(query_parse(&q, "since=1767225600", DEF, MAX, err,
	    sizeof(err)) == 0 && q.sq.since == 1767225600, "since in seconds");
	query_clear(&q);
	ok(query_parse(&q, "category=caf%C3%A9+bio", DEF, MAX, err,
	    sizeof(err)) == 0, "UTF-8 category, '+' as space");
	is_str(q.sq.category, "café bio", "category value");
	query_clear(&q);
	ok(query_parse(&q, "limit=100", DEF, MAX, err, sizeof(err)) == 0,
	    "limit at the maximum");
	query_clear(&q);

	s = canon(NULL);
	is_str(s, "", "canonical of nothing");
	free(s);
	s = canon("territory=bretagne&kind=job&limit=20");
	is_str(s, "kind=job&territory=bretagne",
	    "canonical: sorted, default limit dropped");
	free(s);
	s = canon("since=2026-01-01T01:00:00%2B01:00&limit=010&peer=a&"
	    "category=a%2Bb/c%26d");
	is_str(s, "category=a%2Bb/c%26d&limit=10&peer=a&since=1767225600",
	    "canonical values");
	free(s);
	s = canon("category=a+b");
	is_str(s, "category=a%20b", "space encoded once");
	free(s);
	s = canon("before=17.3&kind=news");
	is_str(s, "before=17.3&kind=news", "cursor first");
	free(s);
}

static void
test_invalid(void)
{
	struct query	 q;
	char		 err[QUERY_ERR_LEN], big[QUERY_MAX_LEN + 10];

	ok(rejected("colour=red", "unknown parameter \"colour\""),
	    "unknown parameter");
	ok(rejected("kind=job&kind=news", "repeated"), "repeated parameter");
	ok(rejected("kind=cat", "bad kind"), "unknown kind");
	ok(rejected("kind=", "empty"), "empty value");
	ok(rejected("kind", "malformed"), "key without value");
	ok(rejected("&&", "malformed"), "empty pairs");
	ok(rejected("=job", "malformed"), "empty key");
	ok(rejected("territory=Bretagne", "bad territory"), "territory case");
	ok(rejected("territory=a//b", "bad territory"), "empty segment");
	ok(rejected("peer=a.b", "bad peer"), "peer charset");
	ok(rejected("since=yesterday", "bad since"), "since word");
	ok(rejected("since=2026-13-45", "bad since"), "since bad date");
	ok(rejected("since=123456789012345", "bad since"), "since overflow");
	/* Found by tests/fuzz/fuzz_query: the canonical form reads back. */
	ok(rejected("since=0087+", "before 1970"), "since before 1970");
	ok(rejected("since=9938+-2", "too far ahead"), "since after 5138");
	ok(rejected("limit=0", "bad limit"), "limit 0");
	ok(rejected("limit=101", "bad limit"), "limit above max");
	ok(rejected("limit=-1", "bad limit"), "negative limit");
	ok(rejected("limit=1e3", "bad limit"), "limit not digits");
	ok(rejected("before=abc", "bad before"), "cursor garbage");
	ok(rejected("before=12", "bad before"), "cursor without seq");
	ok(rejected("before=12.", "bad before"), "cursor empty seq");
	ok(rejected("before=1.2.3", "bad before"), "cursor two dots");
	ok(rejected("kind=job%", "bad percent-encoding"), "truncated escape");
	ok(rejected("kind=j%zzob", "bad percent-encoding"), "bad hex");
	ok(rejected("category=a%00b", "control"), "escaped NUL");
	ok(rejected("category=a%0d%0aX: y", "control"), "escaped CRLF");
	ok(rejected("category=a b", "not allowed"), "raw space");
	ok(rejected("category=<script>", "not allowed"), "raw angle brackets");
	ok(rejected("category=%C3%28", "not UTF-8"), "invalid UTF-8");
	ok(rejected("category=%C0%AF", "not UTF-8"), "overlong UTF-8");
	ok(rejected("category=%ED%A0%80", "not UTF-8"), "surrogate");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "category=", 9);
	ok(rejected(big, "too long"), "query length bounded");

	/* The echo is short and shows no markup or control character. */
	ok(query_parse(&q, "%3Cscript%3Ealert(1)%3C/script%3Eaaaaaaaaaaaaaaa=1",
	    DEF, MAX, err, sizeof(err)) == -1, "hostile key rejected");
	ok(strchr(err, '<') == NULL && strchr(err, '(') == NULL &&
	    strlen(err) < 80, "echo sanitized and bounded: %s", err);
	ok(query_parse(&q, "kind=%22%3E%3Cb%3E", DEF, MAX, err,
	    sizeof(err)) == -1 && strchr(err, '<') == NULL &&
	    strstr(err, "\"\"") == NULL, "value echo sanitized: %s", err);
	ok(q.kind == NULL && q.category == NULL, "cleared after rejection");
}

static void
test_cursor(void)
{
	struct query	 q;
	struct buf	 b;
	char		 cur[QUERY_CURSOR_LEN], err[QUERY_ERR_LEN];
	int64_t		 t, s;

	query_cursor_format(1764000000, 987654321, cur, sizeof(cur));
	ok(query_cursor_parse(cur, &t, &s) == 0 && t == 1764000000 &&
	    s == 987654321, "cursor round trip (%s)", cur);
	query_cursor_format(-86400, 0, cur, sizeof(cur));
	ok(query_cursor_parse(cur, &t, &s) == 0 && t == -86400 && s == 0,
	    "cursor before 1970 (%s)", cur);
	query_cursor_format(INT64_MAX, INT64_MAX, cur, sizeof(cur));
	ok(query_cursor_parse(cur, &t, &s) == -1, "oversized cursor refused");

	ok(query_parse(&q, "kind=event&before=5.5", DEF, MAX, err,
	    sizeof(err)) == 0, "page 2 parses");
	buf_init(&b);
	query_canonical_cursor(&q, 1764000000, 7, &b);
	is_str(b.data, "before=1764000000.7&kind=event", "next link query");
	buf_reset(&b);
	query_canonical_cursor(&q, ENTRY_NO_TIME, 0, &b);
	is_str(b.data, "kind=event", "query without cursor");
	buf_reset(&b);
	query_describe(&q, &b);
	is_str(b.data, "kind event", "description");
	buf_free(&b);
	query_clear(&q);

	ok(query_parse(&q, "before=1764000000.7&kind=event", DEF, MAX, err,
	    sizeof(err)) == 0 && q.sq.before_time == 1764000000 &&
	    q.sq.before_seq == 7, "next link query parses back");
	query_clear(&q);
}

/* q, sort, near, radius, bbox: validated, canonical, never injectable. */
static void
test_find(void)
{
	struct query	 q;
	char		 err[QUERY_ERR_LEN];
	char		*s, *m;

	s = canon("q=%20%C3%A9conomie%20%20sociale%20&kind=job");
	is_str(s, "kind=job&q=%C3%A9conomie%20sociale",
	    "q: words one space apart, sorted with the others");
	free(s);
	s = canon("sort=relevance&q=emploi");
	is_str(s, "q=emploi&sort=relevance", "sort=relevance kept");
	free(s);
	s = canon("sort=time&q=emploi");
	is_str(s, "q=emploi", "sort=time is the default");
	free(s);
	ok(query_parse(&q, "q=emploi+loire", DEF, MAX, err, sizeof(err)) == 0,
	    "q parses");
	is_str(q.sq.match, "\"emploi\" \"loire\"*",
	    "FTS5 form: quoted terms, prefix on the last");
	query_clear(&q);
	m = query_fts_match("a\"b NEAR(x) title:y OR -z *");
	is_str(m, "\"a\"\"b\" \"NEAR(x)\" \"title:y\" \"OR\" \"-z\"",
	    "operators, columns and quotes are quoted words");
	free(m);
	ok(query_fts_match("* - \"") == NULL, "no word: nothing to match");
	ok(rejected("q=%2A%20-", "no word"), "q without a word refused");
	ok(rejected("q=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaa", "too long"), "q over 200 bytes refused");
	ok(rejected("q=%C3", "UTF-8"), "q not UTF-8 refused");
	ok(rejected("sort=relevance", "needs q"), "relevance needs q");
	ok(rejected("sort=best&q=x", "time or relevance"), "unknown sort");
	ok(rejected("q=emploi&sort=relevance&before=5.5", "one page"),
	    "relevance has no cursor");

	s = canon("radius=2.5&near=45.439700,4.3872");
	is_str(s, "near=45.4397%2C4.3872&radius=2.5", "near and radius");
	free(s);
	s = canon("near=-17,180");
	is_str(s, "near=-17%2C180&radius=10", "radius defaults to 10 km");
	free(s);
	ok(query_parse(&q, "near=45.4397,4.3872&radius=1000", DEF, MAX, err,
	    sizeof(err)) == 0 && q.sq.geo == STORE_GEO_NEAR &&
	    q.sq.radius_km == 1000, "radius 1000 km accepted");
	query_clear(&q);
	ok(rejected("near=45&radius=1", "LAT,LON"), "near needs two numbers");
	ok(rejected("near=90.0001,0", "LAT,LON"), "latitude over 90");
	ok(rejected("near=0,-180.5", "LAT,LON"), "longitude under -180");
	ok(rejected("near=nan,1", "LAT,LON"), "nan refused");
	ok(rejected("near=1e3,1", "LAT,LON"), "exponents refused");
	ok(rejected("near=1,1&radius=1000.5", "at most 1000"), "radius bound");
	ok(rejected("near=1,1&radius=0", "more than 0"), "radius 0 refused");
	ok(rejected("radius=5", "needs near"), "radius without near");
	s = canon("bbox=4,45,5.000000,46");
	is_str(s, "bbox=4%2C45%2C5%2C46", "bbox canonical");
	free(s);
	ok(rejected("bbox=5,45,4,46", "W not east of E"), "bbox west of east");
	ok(rejected("bbox=4,46,5,45", "S not north of N"), "bbox south of north");
	ok(rejected("bbox=4,45,5", "W,S,E,N"), "bbox needs four numbers");
	ok(rejected("bbox=4,45,5,46&near=1,1", "do not go together"),
	    "near and bbox exclusive");
}

/* 1 if the entry matches the listing of raw. */
static int
matches(const char *raw, const struct entry *e)
{
	struct query	 q;
	char		 err[QUERY_ERR_LEN];
	int		 m;

	if (query_parse(&q, raw, DEF, MAX, err, sizeof(err)) == -1) {
		printf("# %s: %s\n", raw, err);
		return (-1);
	}
	m = query_match(&q, e);
	query_clear(&q);
	return (m);
}

static void
test_match(void)
{
	struct entry	*e, *bare;

	e = entry_new();
	bare = entry_new();
	entry_set(&e->id, "tag:x,2026:1");
	entry_set(&e->kind, "job");
	entry_set(&e->territory, "auvergne-rhone-alpes/loire/saint-etienne");
	entry_add_category(e, "emploi", NULL, NULL);
	entry_add_category(e, "insertion", "urn:x", NULL);
	entry_add_peer(e, "loire");
	entry_add_peer(e, "region");

	is_int(matches(NULL, e), 1, "match: no filter takes everything");
	is_int(matches(NULL, bare), 1, "match: no filter, bare entry");
	is_int(matches("kind=job", e), 1, "match: kind");
	is_int(matches("kind=event", e), 0, "match: other kind");
	is_int(matches("kind=job", bare), 0, "match: kind, entry without");
	is_int(matches("territory=auvergne-rhone-alpes", e), 1,
	    "match: territory prefix on a segment");
	is_int(matches("territory=auvergne-rhone-alpes/loire", e), 1,
	    "match: territory prefix, two segments");
	is_int(matches("territory=auvergne-rhone-alpes/loire/saint-etienne",
	    e), 1, "match: territory equal");
	is_int(matches("territory=auvergne-rhone-alpes/loi", e), 0,
	    "match: territory prefix off a segment boundary");
	is_int(matches("territory=bretagne", e), 0, "match: other territory");
	is_int(matches("territory=bretagne", bare), 0,
	    "match: territory, entry without");
	is_int(matches("category=insertion", e), 1,
	    "match: second category term");
	is_int(matches("category=emplo", e), 0, "match: category is equality");
	is_int(matches("peer=region", e), 1, "match: peer among peers");
	is_int(matches("peer=drome", e), 0, "match: other peer");
	is_int(matches("peer=region", bare), 0, "match: local entry, peer");
	is_int(matches("kind=job&territory=auvergne-rhone-alpes/loire"
	    "&category=emploi&peer=loire", e), 1, "match: all filters");
	is_int(matches("kind=job&territory=bretagne", e), 0,
	    "match: all filters must pass");
	is_int(matches("limit=5&since=1000&before=1764000000.7", e), 1,
	    "match: positions are not filters");
	/* Saint-Etienne, 45.4397 N 4.3872 E; Lyon is about 50 km away. */
	e->has_geo = 1;
	e->lat = 45.4397;
	e->lon = 4.3872;
	is_int(matches("bbox=4,45,5,46", e), 1, "match: point in the box");
	is_int(matches("bbox=4.4,45,5,46", e), 0, "match: point west of box");
	is_int(matches("bbox=4,45,5,46", bare), 0, "match: box, no point");
	is_int(matches("near=45.7640,4.8357&radius=60", e), 1,
	    "match: within the radius");
	is_int(matches("near=45.7640,4.8357&radius=40", e), 0,
	    "match: beyond the radius");
	is_int(matches("near=45.7640,4.8357", bare), 0,
	    "match: near, no point");
	entry_free(e);
	entry_free(bare);
}

int
main(void)
{
	test_find();
	test_valid();
	test_invalid();
	test_cursor();
	test_match();
	return (tap_done());
}
