/*
 * feedmesh tests: every tests/parse/NAME.{xml,rss,rdf,atom,json} fixture is
 * parsed whole and one byte at a time, and must give NAME.expected.json
 * (feed metadata and entries in their canonical JSON form). With
 * UPDATE_EXPECTED=1 the expectations are written instead, to be reviewed
 * by hand: they are the specification. NAME.options may set "base_url="
 * and "content_type=" lines.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "parse.h"
#include "parse_private.h"
#include "parse_private.h"
#include "tap.h"

#ifndef PARSE_FIXTURES
#define PARSE_FIXTURES	"tests/parse"
#endif
#define BASE_URL	"http://example.org/feed/"

static void	 collect_cb(struct entry *, const struct feed_meta *, void *);
static json_t	*meta_json(const struct feed_meta *);
static json_t	*result_json(int, const char *, const struct feed_meta *,
		    json_t *);
static char	*slurp(const char *, size_t *);
static char	*dump(const json_t *);
static void	 read_options(const char *, char **, char **);
static void	 set_str(json_t *, const char *, const char *);
static json_t	*parse_whole(const char *, size_t,
		    const struct parse_options *);
static json_t	*parse_bytewise(const char *, size_t,
		    const struct parse_options *);
static void	 test_fixture(const char *);
static void	 test_limits(void);
static int	 utf8_clean(const char *);
static void	 utf8_check_cb(struct entry *, const struct feed_meta *,
		    void *);
static void	 test_utf8(void);
static void	 test_utf8_offsets(void);
static void	 test_utf8_blocks(void);
static void	 text_cb(struct entry *, const struct feed_meta *, void *);
static void	 summary_text_cb(struct entry *, const struct feed_meta *,
		    void *);
static void	 test_text(void);
static char	*parse_cuts(const char *, size_t, const size_t *, size_t);
static void	 test_cuts(void);
static void	 test_long_cuts(void);
static int	 name_cmp(const void *, const void *);
static int	 json_fast_agrees(const char *, size_t, int *, int *);
static void	 test_json_fast(char **, size_t);

static void
collect_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	(void)meta;
	json_array_append_new(arg, entry_to_json(e));
	entry_free(e);
}

static void
set_str(json_t *o, const char *k, const char *v)
{
	if (v != NULL)
		json_object_set_new(o, k, json_string(v));
}

static json_t *
meta_json(const struct feed_meta *m)
{
	json_t	*o = json_object();
	char	 t[DATE_RFC3339_LEN];

	set_str(o, "format", m->format);
	set_str(o, "id", m->id);
	set_str(o, "title", m->title);
	set_str(o, "link", m->link);
	set_str(o, "self", m->self);
	set_str(o, "hub", m->hub);
	set_str(o, "next", m->next);
	set_str(o, "icon", m->icon);
	set_str(o, "author", m->author);
	set_str(o, "lang", m->lang);
	if (m->updated != ENTRY_NO_TIME) {
		date_format_rfc3339(m->updated, t, sizeof(t));
		set_str(o, "updated", t);
	}
	if (m->ttl >= 0)
		json_object_set_new(o, "ttl", json_integer(m->ttl));
	/* The reason is libxml2's wording: only its presence is checked. */
	if (m->bozo)
		json_object_set_new(o, "bozo", json_boolean(m->bozo_reason !=
		    NULL && *m->bozo_reason != '\0'));
	return (o);
}

static json_t *
result_json(int rv, const char *error, const struct feed_meta *m,
    json_t *entries)
{
	json_t	*o = json_object();

	json_object_set_new(o, "ok", json_boolean(rv == 0));
	set_str(o, "error", error);
	json_object_set_new(o, "meta", meta_json(m));
	json_object_set_new(o, "entries", entries);
	return (o);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE	*f;
	char	*s;
	long	 n;

	if ((f = fopen(path, "rb")) == NULL)
		return (NULL);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = malloc((size_t)n + 1);
	if (s == NULL || fread(s, 1, (size_t)n, f) != (size_t)n) {
		free(s);
		fclose(f);
		return (NULL);
	}
	s[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return (s);
}

static char *
dump(const json_t *j)
{
	return (json_dumps(j, JSON_SORT_KEYS | JSON_INDENT(2) |
	    JSON_REAL_PRECISION(10)));
}

static void
read_options(const char *path, char **base, char **ctype)
{
	char	*s, *line, *save;
	size_t	 len;

	*base = strdup(BASE_URL);
	*ctype = NULL;
	if ((s = slurp(path, &len)) == NULL)
		return;
	for (line = strtok_r(s, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if (strncmp(line, "base_url=", 9) == 0) {
			free(*base);
			*base = strdup(line + 9);
		} else if (strncmp(line, "content_type=", 13) == 0) {
			free(*ctype);
			*ctype = strdup(line + 13);
		}
	}
	free(s);
}

static json_t *
parse_whole(const char *data, size_t len, const struct parse_options *o)
{
	struct feed_meta	 meta;
	json_t			*entries = json_array(), *r;
	char			*error;
	int			 rv;

	rv = parse_buffer(data, len, o, collect_cb, entries, &meta, &error);
	r = result_json(rv, error, &meta, entries);
	feed_meta_clear(&meta);
	free(error);
	return (r);
}

static json_t *
parse_bytewise(const char *data, size_t len, const struct parse_options *o)
{
	struct parser	*p;
	json_t		*entries = json_array(), *r;
	size_t		 i;
	int		 rv = 0;

	p = parse_new(o, collect_cb, entries);
	for (i = 0; i < len && rv == 0; i++)
		rv = parse_feed(p, data + i, 1);
	if (rv == 0)
		rv = parse_finish(p);
	r = result_json(rv, parse_error(p), parse_meta(p), entries);
	parse_free(p);
	return (r);
}

static void
test_fixture(const char *name)
{
	struct parse_options	 o;
	char			 path[1100], stem[1024], *data, *want = NULL;
	char			*got, *got2, *base, *ctype, *dot;
	size_t			 len, wlen;
	json_t			*r, *r2, *w;
	FILE			*f;

	snprintf(path, sizeof(path), "%s/%s", PARSE_FIXTURES, name);
	snprintf(stem, sizeof(stem), "%s/%s", PARSE_FIXTURES, name);
	if ((dot = strrchr(stem, '.')) != NULL)
		*dot = '\0';
	if ((data = slurp(path, &len)) == NULL) {
		ok(0, "%s: readable", name);
		return;
	}
	snprintf(path, sizeof(path), "%s.options", stem);
	read_options(path, &base, &ctype);
	memset(&o, 0, sizeof(o));
	o.base_url = base;
	o.content_type = ctype;

	r = parse_whole(data, len, &o);
	got = dump(r);
	snprintf(path, sizeof(path), "%s.expected.json", stem);
	if (getenv("UPDATE_EXPECTED") != NULL) {
		if ((f = fopen(path, "w")) != NULL) {
			fprintf(f, "%s\n", got);
			fclose(f);
		}
	}
	if ((want = slurp(path, &wlen)) != NULL &&
	    (w = json_loads(want, 0, NULL)) != NULL) {
		free(want);
		want = dump(w);
		json_decref(w);
	}
	is_str(got, want, "%s: as expected", name);

	r2 = parse_bytewise(data, len, &o);
	got2 = dump(r2);
	is_str(got2, got, "%s: one byte at a time, the same", name);

	free(got);
	free(got2);
	free(want);
	json_decref(r);
	json_decref(r2);
	free(data);
	free(base);
	free(ctype);
}

/*
 * 1 if the fast reader of JSON Feed items (parse_json_fast) gives what
 * jansson gives for s, or gives up; *taken: it did not give up, *read:
 * jansson did not either.
 */
static int
json_fast_agrees(const char *s, size_t len, int *taken, int *read)
{
	json_t	*fast, *ref;
	int	 same;

	fast = parse_json_fast(s, len);
	ref = json_loadb(s, len, JSON_DECODE_ANY, NULL);
	*taken = fast != NULL;
	*read = ref != NULL;
	same = fast == NULL || (ref != NULL && json_equal(fast, ref));
	json_decref(fast);
	json_decref(ref);
	return (same);
}

/*
 * The fast reader against jansson: on chosen values (each one it must
 * take, or must leave to jansson), then on the JSON fixtures mutated at
 * random, keeping them UTF-8 as the decoder would (only ASCII bytes are
 * replaced, inserted or removed).
 */
static void
test_json_fast(char **names, size_t nnames)
{
	static const struct {
		const char	*json;
		int		 take;
	} cases[] = {
		{ "{\"a\":\"b\",\"c\":[1,-2,3.5,-0,0.25e2,1E-3,true,false,null]}",
		    1 },
		{ " { \"x\" : { } , \"y\" : [ ] } ", 1 },
		{ "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"", 1 },
		{ "\"caf\\u00e9 \\u20ac \\ud83c\\udf31 \\u0041\"", 1 },
		{ "\"\\u007f\\u0080\\u07ff\\u0800\\uffff\\udbff\\udfff\"", 1 },
		{ "\"caf\xc3\xa9 \xf0\x9f\x8c\xb1\"", 1 },
		{ "{\"k\":1,\"k\":2}", 1 },
		{ "{\"\\u006b\":\"v\",\"x\\ty\":\"w\"}", 1 },
		{ "9223372036854775807", 1 },
		{ "-9223372036854775808", 1 },
		{ "1.7976931348623157e308", 1 },
		{ "4.9e-324", 1 },
		{ "1e-400", 1 },
		{ "[[[[[[[[[[]]]]]]]]]]", 1 },
		{ "\"a\\u0000b\"", 0 },
		{ "\"\\ud800\"", 0 },
		{ "\"\\udc00\\ud800\"", 0 },
		{ "\"\\ud800\\u0041\"", 0 },
		{ "\"tab\tin\"", 0 },
		{ "\"\\x41\"", 0 },
		{ "\"\\u12G4\"", 0 },
		{ "9223372036854775808", 0 },
		{ "1e999", 0 },
		{ "01", 0 },
		{ "1.", 0 },
		{ ".5", 0 },
		{ "-", 0 },
		{ "1e", 0 },
		{ "+1", 0 },
		{ "tru", 0 },
		{ "truex", 0 },
		{ "nul", 0 },
		{ "{\"a\" 1}", 0 },
		{ "{\"a\":1,}", 0 },
		{ "[1,]", 0 },
		{ "[1 2]", 0 },
		{ "{1:2}", 0 },
		{ "\"open", 0 },
		{ "[", 0 },
		{ "{\"a\":1}}", 0 },
		{ "", 0 },
	};
	static const char alphabet[] = "{}[]\",:\\u0123456789abcdefEe+-.tfnrl "
	    "\t\nxyz";
	struct buf	 b;
	char		 path[1024], *doc;
	size_t		 i, k, n, len, ndocs = 0, pos;
	size_t		 good = 0, bad = 0, ref_ok = 0, taken_ok = 0;
	unsigned int	 seed = 20261124;
	int		 taken, read, edits, e;
	char		*docs[64];
	size_t		 lens[64];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		len = strlen(cases[i].json);
		if (json_fast_agrees(cases[i].json, len, &taken, &read) &&
		    taken == cases[i].take)
			good++;
		else
			fprintf(stderr, "# fast JSON reader: %s: %s\n", cases[i].json,
			    taken ? "taken" : "left to jansson");
	}
	ok(good == sizeof(cases) / sizeof(cases[0]), "fast JSON reader: "
	    "%zu chosen values of %zu as jansson reads them, or left to it",
	    good, sizeof(cases) / sizeof(cases[0]));

	good = 0;
	for (i = 0; i < nnames && ndocs < 64; i++) {
		len = strlen(names[i]);
		if (len < 5 || strcmp(names[i] + len - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", PARSE_FIXTURES,
		    names[i]);
		if ((doc = slurp(path, &lens[ndocs])) == NULL)
			continue;
		docs[ndocs++] = doc;
		if (!json_fast_agrees(doc, lens[ndocs - 1], &taken, &read))
			bad++;
		good += taken;
		ref_ok += read;
	}
	ok(ndocs >= 30 && bad == 0 && good == ref_ok, "fast JSON reader: "
	    "%zu JSON fixtures read as jansson does (%zu taken, of the %zu "
	    "jansson reads; %zu differ)", ndocs, good, ref_ok, bad);
	ref_ok = 0;

	buf_init(&b);
	for (n = 0; n < 20000 && ndocs > 0; n++) {
		seed = seed * 1103515245 + 12345;
		k = (seed >> 8) % ndocs;
		buf_reset(&b);
		buf_add(&b, docs[k], lens[k]);
		edits = 1 + (int)((seed >> 4) % 4);
		for (e = 0; e < edits && b.len > 0; e++) {
			seed = seed * 1103515245 + 12345;
			pos = (seed >> 8) % b.len;
			if ((unsigned char)b.data[pos] >= 0x80)
				continue;
			seed = seed * 1103515245 + 12345;
			switch ((seed >> 8) % 3) {
			case 0:
				b.data[pos] = alphabet[(seed >> 12) %
				    (sizeof(alphabet) - 1)];
				break;
			case 1:
				memmove(b.data + pos, b.data + pos + 1,
				    b.len - pos - 1);
				b.len--;
				break;
			default:
				buf_addc(&b, ' ');
				memmove(b.data + pos + 1, b.data + pos,
				    b.len - pos - 1);
				b.data[pos] = alphabet[(seed >> 12) %
				    (sizeof(alphabet) - 1)];
				break;
			}
		}
		if (!json_fast_agrees(b.data, b.len, &taken, &read)) {
			if (bad++ < 3)
				fprintf(stderr, "# fast JSON reader differs on: %.*s\n",
				    (int)b.len, b.data);
		}
		if (taken)
			taken_ok++;
		ref_ok += read;
	}
	buf_free(&b);
	ok(bad == 0 && taken_ok * 10 >= ref_ok * 9, "fast JSON reader: %zu "
	    "mutated fixtures, %zu differ from jansson; it took %zu of the "
	    "%zu jansson reads", n, bad, taken_ok, ref_ok);
	for (i = 0; i < ndocs; i++)
		free(docs[i]);
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* Hostile documents: nesting, entity expansion, not feeds at all. */
static void
test_limits(void)
{
	struct parse_options	 o;
	struct buf		 b;
	json_t			*r, *v;
	char			*err = NULL;
	int			 i, rv;
	const char		*laughs =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">\n"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">\n"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">\n"
	    "<!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\">\n"
	    "]>\n<rss version=\"2.0\"><channel><title>Rires</title>"
	    "<item><title>&g;</title><description>&g;&g;</description>"
	    "<link>http://example.org/1</link></item></channel></rss>\n";
	const char		*ext =
	    "<?xml version=\"1.0\"?>\n<!DOCTYPE rss [\n"
	    "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n"
	    "<rss version=\"2.0\"><channel><item><title>&x;</title>"
	    "<link>http://example.org/1</link></item></channel></rss>\n";

	memset(&o, 0, sizeof(o));
	o.base_url = BASE_URL;

	/* Nesting beyond the limit stops the parse with an error. */
	buf_init(&b);
	buf_addstr(&b, "<rss version=\"2.0\"><channel>");
	for (i = 0; i < 100000; i++)
		buf_addstr(&b, "<x>");
	rv = parse_buffer(b.data, b.len, &o, collect_cb, (r = json_array()),
	    NULL, &err);
	ok(rv == -1 && err != NULL && strstr(err, "nested") != NULL,
	    "deep nesting refused: %s", err ? err : "(none)");
	free(err);
	json_decref(r);
	o.max_depth = 10;
	buf_reset(&b);
	buf_addstr(&b, "<rss><channel><item><description><a><b><c><d><e><f>"
	    "<g>x</g></f></e></d></c></b></a></description></item></channel>"
	    "</rss>");
	rv = parse_buffer(b.data, b.len, &o, collect_cb, (r = json_array()),
	    NULL, &err);
	ok(rv == -1 && err != NULL, "max_depth option honoured");
	free(err);
	json_decref(r);
	o.max_depth = 0;

	buf_reset(&b);
	buf_addstr(&b, "{\"version\":\"https://jsonfeed.org/version/1.1\","
	    "\"items\":[");
	for (i = 0; i < 5000; i++)
		buf_addc(&b, '[');
	rv = parse_buffer(b.data, b.len, &o, collect_cb, (r = json_array()),
	    NULL, &err);
	ok(rv == -1 && err != NULL, "deep JSON refused: %s",
	    err ? err : "(none)");
	free(err);
	json_decref(r);

	/*
	 * Found by tests/integration/hostile.py: 14 MB of empty objects
	 * made a 1.1 GB jansson tree. Values are counted before loading.
	 */
	buf_reset(&b);
	buf_addstr(&b, "{\"version\":\"https://jsonfeed.org/version/1.1\","
	    "\"items\":[{}");
	for (i = 0; i < 300000; i++)
		buf_addstr(&b, ",{}");
	buf_addstr(&b, "]}");
	rv = parse_buffer(b.data, b.len, &o, collect_cb, (r = json_array()),
	    NULL, &err);
	ok(rv == -1 && err != NULL && strstr(err, "values") != NULL,
	    "JSON of too many values refused: %s", err ? err : "(none)");
	free(err);
	json_decref(r);

	/*
	 * Found by fuzz_xml: a page wrapping two feeds reads both, and the
	 * first one's format and language leaked when the second replaced
	 * them (AddressSanitizer's leak check, valgrind).
	 */
	buf_reset(&b);
	buf_addstr(&b, "<html><body><rss version=\"2.0\" xml:lang=\"en\">"
	    "<channel><title>A</title></channel></rss>"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"fr\">"
	    "<title>B</title><entry><id>urn:b:1</id><title>b</title></entry>"
	    "</feed></body></html>");
	r = parse_whole(b.data, b.len, &o);
	v = json_object_get(json_object_get(r, "meta"), "format");
	ok(json_is_true(json_object_get(r, "ok")) && json_string_value(v) !=
	    NULL && strcmp(json_string_value(v), "atom") == 0 &&
	    json_array_size(json_object_get(r, "entries")) == 1,
	    "a page wrapping two feeds: both read, the last one's format");
	json_decref(r);
	buf_free(&b);

	/* Declared entities are never expanded: text stays small. */
	r = parse_whole(laughs, strlen(laughs), &o);
	ok(json_array_size(json_object_get(r, "entries")) == 1,
	    "billion laughs: the entry is read");
	err = json_dumps(r, 0);
	ok(err != NULL && strlen(err) < 4096, "billion laughs: no expansion "
	    "(%zu bytes)", err ? strlen(err) : 0);
	free(err);
	json_decref(r);

	r = parse_whole(ext, strlen(ext), &o);
	err = json_dumps(r, 0);
	ok(err != NULL && strstr(err, "root:") == NULL,
	    "external entity not loaded");
	free(err);
	json_decref(r);

	rv = parse_buffer("<html><body>x</body></html>", 27, &o, NULL, NULL,
	    NULL, &err);
	is_str(err, "not a feed: root element <html>", "HTML is not a feed");
	ok(rv == -1, "HTML: -1");
	free(err);
	rv = parse_buffer("", 0, &o, NULL, NULL, NULL, &err);
	ok(rv == -1 && err != NULL, "empty document: %s", err ? err : "");
	free(err);
	rv = parse_buffer("Bonjour", 7, &o, NULL, NULL, NULL, &err);
	ok(rv == -1 && err != NULL && strncmp(err, "not a feed", 10) == 0,
	    "plain text: %s", err ? err : "");
	free(err);
	rv = parse_buffer("{\"version\":\"1\",\"items\":[]}", 26, &o, NULL,
	    NULL, NULL, &err);
	ok(rv == -1 && err != NULL, "JSON without JSON Feed version: %s",
	    err ? err : "");
	free(err);
	rv = parse_buffer("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/"
	    "22-rdf-syntax-ns#\"><x/></rdf:RDF>", 80, &o, NULL, NULL, NULL,
	    &err);
	ok(rv == -1 && err != NULL, "RDF without RSS 1.0: %s",
	    err ? err : "");
	free(err);
}

/*
 * 1 if s is NULL or valid UTF-8 (no overlong form, surrogate, U+FFFE,
 * U+FFFF or code point past U+10FFFF) without C0 controls but tab, LF
 * and CR: what parse_emit promises without checking XML entries again.
 */
static int
utf8_clean(const char *s)
{
	const unsigned char	*u = (const unsigned char *)s;
	unsigned int		 c, min;
	size_t			 n, i;

	while (u != NULL && *u != '\0') {
		if (*u < 0x80) {
			if (*u < 0x20 && *u != '\t' && *u != '\n' && *u != '\r')
				return (0);
			u++;
			continue;
		}
		if (*u >= 0xc2 && *u <= 0xdf) {
			n = 2;
			c = *u & 0x1f;
			min = 0x80;
		} else if (*u >= 0xe0 && *u <= 0xef) {
			n = 3;
			c = *u & 0x0f;
			min = 0x800;
		} else if (*u >= 0xf0 && *u <= 0xf4) {
			n = 4;
			c = *u & 0x07;
			min = 0x10000;
		} else
			return (0);
		for (i = 1; i < n; i++) {
			if ((u[i] & 0xc0) != 0x80)
				return (0);
			c = (c << 6) | (u[i] & 0x3f);
		}
		if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
		    c == 0xfffe || c == 0xffff)
			return (0);
		u += n;
	}
	return (1);
}

/* Counts the entries (arg[0]) and those with a string not clean (arg[1]). */
static void
utf8_check_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	size_t	*count = arg, i;
	int	 good;

	(void)meta;
	good = utf8_clean(e->id) && utf8_clean(e->title) &&
	    utf8_clean(e->link) && utf8_clean(e->summary) &&
	    utf8_clean(e->summary_text) && utf8_clean(e->content) &&
	    utf8_clean(e->image) && utf8_clean(e->lang) &&
	    utf8_clean(e->source.id) && utf8_clean(e->source.title) &&
	    utf8_clean(e->source.link);
	for (i = 0; i < e->nauthors; i++)
		good = good && utf8_clean(e->authors[i].name) &&
		    utf8_clean(e->authors[i].email) &&
		    utf8_clean(e->authors[i].uri);
	for (i = 0; i < e->ncategories; i++)
		good = good && utf8_clean(e->categories[i].term) &&
		    utf8_clean(e->categories[i].label) &&
		    utf8_clean(e->categories[i].scheme);
	for (i = 0; i < e->nlinks; i++)
		good = good && utf8_clean(e->links[i].href) &&
		    utf8_clean(e->links[i].title) &&
		    utf8_clean(e->links[i].type);
	for (i = 0; i < e->nenclosures; i++)
		good = good && utf8_clean(e->enclosures[i].url) &&
		    utf8_clean(e->enclosures[i].type);
	count[0]++;
	if (!good)
		count[1]++;
	entry_free(e);
}

/*
 * XML entries skip parse_emit's UTF-8 check: bytes that are not UTF-8,
 * controls, references to code points XML forbids, DTD default values
 * and a field cut at PARSE_MAX_FIELD inside a sequence must all come out
 * clean anyway, read whole or one byte at a time.
 */
static void
test_utf8(void)
{
	static const char *const docs[] = {
	    "<rss version=\"2.0\"><channel><item><title>a\x92" "b\xc3\x28"
	    "\xe2\x82 \xed\xa0\x80 \xef\xbf\xbe \xf4\x90\x80\x80 "
	    "\xc0\xaf \x01\x08\x1b\x7f</title><description>x\xff\xfe"
	    "\xf0\x9f\x98</description><link>http://example.org/\x85"
	    "</link><category domain=\"\x93\x01\">\xe9t\xe9</category>"
	    "<guid isPermaLink=\"false\">id\x80\x02</guid></item>"
	    "</channel></rss>",
	    "<rss version=\"2.0\"><channel><item><title>&#1;&#x8;&#xD800;"
	    "&#xDFFF;&#xFFFE;&#xFFFF;&#x110000;&#99999999999;&#0;&#150;"
	    "&#x9F;&#xFFFD;</title><author>&#x1b;x@example.org</author>"
	    "<description>&lt;p title=\"&#1;&#xD800;\"&gt;&#2;&lt;/p&gt;"
	    "</description><guid>&#xDBFF;&#xDC00;</guid></item></channel>"
	    "</rss>",
	    "<?xml version=\"1.0\"?><!DOCTYPE feed [<!ATTLIST link href "
	    "CDATA \"http://example.org/&#1;&#xD800;\xff\"><!ATTLIST "
	    "category term CDATA \"t&#xFFFE;\x80\">]><feed xmlns=\""
	    "http://www.w3.org/2005/Atom\"><entry><id>urn:x</id><title "
	    "type=\"html\">&lt;b&gt;\xe9&#1;&lt;/b&gt;</title><link/>"
	    "<category/><content type=\"xhtml\"><div xmlns=\""
	    "http://www.w3.org/1999/xhtml\"><p title=\"\x9c&#3;\">\xa0"
	    "</p></div></content></entry></feed>",
	    "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?><rss><channel>"
	    "<item><title>caf\xe9 \x80\x81\x8d\x8f\x90\x9d &#x81;</title>"
	    "</item></channel></rss>",
	};
	const char		*json = "{\"version\":"
	    "\"https://jsonfeed.org/version/1.1\",\"items\":[{\"id\":"
	    "\"a\\u0001b\",\"title\":\"\\u0007t\",\"content_text\":"
	    "\"x\\u001by\"}]}";
	struct parse_options	 o;
	struct parser		*p;
	struct buf		 b;
	size_t			 count[2], i, j;
	int			 rv;

	memset(&o, 0, sizeof(o));
	o.base_url = BASE_URL;
	for (i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		count[0] = count[1] = 0;
		rv = parse_buffer(docs[i], strlen(docs[i]), &o, utf8_check_cb,
		    count, NULL, NULL);
		p = parse_new(&o, utf8_check_cb, count);
		for (j = 0; docs[i][j] != '\0'; j++)
			parse_feed(p, docs[i] + j, 1);
		parse_finish(p);
		parse_free(p);
		ok(rv == 0 && count[0] == 2 && count[1] == 0, "XML document %zu: "
		    "%zu entries, %zu with a string not clean UTF-8", i,
		    count[0], count[1]);
	}

	/* A field cut at its limit, inside a two-byte sequence. */
	buf_init(&b);
	buf_addstr(&b, "<rss><channel><item><guid>x</guid><description>a");
	for (i = 0; i < 1024 * 1024 / 2 + 10; i++)
		buf_addstr(&b, "\xc3\xa9");
	buf_addstr(&b, "</description></item></channel></rss>");
	count[0] = count[1] = 0;
	rv = parse_buffer(b.data, b.len, &o, utf8_check_cb, count, NULL,
	    NULL);
	ok(rv == 0 && count[0] == 1 && count[1] == 0, "a field cut inside a "
	    "sequence stays clean UTF-8");
	buf_free(&b);

	/* JSON strings are still checked: \u0001 is a C0 control. */
	count[0] = count[1] = 0;
	rv = parse_buffer(json, strlen(json), &o, utf8_check_cb, count, NULL,
	    NULL);
	ok(rv == 0 && count[0] == 1 && count[1] == 0,
	    "JSON Feed: controls in strings removed");
}

/* Keeps the content of the entry (arg: a char ** that must be NULL). */
static void
text_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	char	**out = arg;

	(void)meta;
	if (*out == NULL && e->content != NULL)
		*out = strdup(e->content);
	entry_free(e);
}

/*
 * Text inside the root goes around libxml2 (xml_lex_piece_end), plain
 * ASCII through it: references, line ends, "]]" before '>' and chunk
 * boundaries anywhere must give the characters XML gives them, and a
 * well-formed document must stay well-formed.
 */
static void
test_text(void)
{
	const char	*doc = "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<entry><id>urn:t</id><content type=\"text\">a\r\nb\rc &lt;p&gt; "
	    "&#13;d ]]&gt; ]&#93;> ]]&#62; [x]] &#x1F600;&eacute; AT&amp;T "
	    "\xc3\xa9" "conomie &amp;amp; &unknown; ]]</content></entry></feed>";
	const char	*want = "a\nb\nc <p> \rd ]]> ]]> ]]> [x]] "
	    "\xf0\x9f\x98\x80\xc3\xa9 AT&T \xc3\xa9" "conomie &amp; &unknown; ]]";
	struct parse_options	 o;
	struct feed_meta	 meta;
	struct parser		*p;
	char			*got = NULL;
	size_t			 j, step;
	int			 rv;

	memset(&o, 0, sizeof(o));
	o.base_url = BASE_URL;
	rv = parse_buffer(doc, strlen(doc), &o, text_cb, &got, &meta, NULL);
	ok(rv == 0 && !meta.bozo, "text as CDATA: well-formed still");
	is_str(got, want, "text as CDATA: the characters XML reads");
	feed_meta_clear(&meta);
	for (step = 1; step <= 3; step++) {
		free(got);
		got = NULL;
		p = parse_new(&o, text_cb, &got);
		for (j = 0; j < strlen(doc); j += step)
			parse_feed(p, doc + j, strlen(doc) - j < step ?
			    strlen(doc) - j : step);
		rv = parse_finish(p);
		ok(rv == 0 && !parse_meta(p)->bozo, "text as CDATA, %zu-byte "
		    "chunks: well-formed still", step);
		parse_free(p);
		is_str(got, want, "text as CDATA, %zu-byte chunks: the same "
		    "characters", step);
	}
	free(got);

	/*
	 * libxml2 drops the text before a literal "]]>" in character data:
	 * ASCII text there must go around it too.
	 */
	got = NULL;
	doc = "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><id>urn:u"
	    "</id><content type=\"text\">plain words]]>more</content>"
	    "</entry></feed>";
	rv = parse_buffer(doc, strlen(doc), &o, text_cb, &got, &meta, NULL);
	ok(rv == 0 && meta.bozo && got != NULL &&
	    strncmp(got, "plain words", 11) == 0 && strstr(got, "more") != NULL,
	    "text before a literal ]]>: kept (%s)", got ? got : "none");
	feed_meta_clear(&meta);
	free(got);
}

/*
 * The document fed in pieces cut at the given offsets (sorted), as
 * parse_whole's result plus the bozo reason, as text.
 */
static char *
parse_cuts(const char *data, size_t len, const size_t *cuts, size_t ncuts)
{
	struct parser		*p;
	struct parse_options	 o;
	json_t			*entries = json_array(), *r;
	const char		*why;
	char			*s, *out;
	size_t			 i, from = 0, to;
	int			 rv = 0;

	memset(&o, 0, sizeof(o));
	o.base_url = BASE_URL;
	p = parse_new(&o, collect_cb, entries);
	for (i = 0; i <= ncuts && rv == 0; i++) {
		to = i < ncuts ? cuts[i] : len;
		rv = parse_feed(p, data + from, to - from);
		from = to;
	}
	if (rv == 0)
		rv = parse_finish(p);
	r = result_json(rv, parse_error(p), parse_meta(p), entries);
	why = parse_meta(p)->bozo_reason;
	s = dump(r);
	if (asprintf(&out, "%s\nbozo: %s", s, why ? why : "-") == -1)
		out = NULL;
	free(s);
	json_decref(r);
	parse_free(p);
	return (out);
}

/*
 * The decoder and the lexical pass read whole chunks in place and only
 * copy around what they must complete or repair: a document cut
 * anywhere (inside a UTF-8 sequence, a broken one, a reference, "<!--",
 * "<![CDATA[", "]]>", CRLF, a tag) must read as it does in one piece.
 */
static void
test_cuts(void)
{
	static const char *const docs[] = {
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<feed xmlns=\"http://www.w3.org/2005/Atom\">"
		"<title>F &amp; co</title><!-- a & b <c> - -->"
		"<?pi x?><entry><id>urn:a</id>"
		"<title type=\"html\">&lt;b&gt;R\xc3\xa9gion&lt;/b&gt; "
		"&eacute;t\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80</title>"
		"<link href=\"http://e.org/?a=1&amp;b=2\"/>"
		"<content type=\"html\"><![CDATA[<p>x ]] y</p>]]>"
		"a\r\nb AT&T &#146; &#x1F600; &unknown; ]]&gt; a < b"
		"&lt;p&gt;\xc3\xa9" "conomie&lt;/p&gt;</content></entry>"
		"<entry><id>urn:b</id><summary>s\rt</summary></entry></feed>",
		"<rss version=\"2.0\" xmlns:content="
		"\"http://purl.org/rss/1.0/modules/content/\"><channel>"
		"<title>Caf\x92 \xe2\x82</title><item><title>a\xc3\xa9\xe2"
		"\x82\xc3\xa9 \xed\xa0\x80 z\xc3</title><guid>g1</guid>"
		"<description>&lt;i&gt;\x93quoted\x94&lt;/i&gt;</description>"
		"<content:encoded><![CDATA[<p>\xc3\xa9t\xc3\xa9 & <b>x</b>"
		"</p>]]></content:encoded></item></channel></rss>\xc3",
		"<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
		"<rss version=\"2.0\"><channel><item><title>Caf\xe9 &eacute; "
		"\x92</title><guid>x</guid></item></channel></rss>",
		/*
		 * Text and CDATA sections go around libxml2 (parse_xml.c):
		 * "]" runs before "]]>", CR in a section, empty and
		 * adjacent sections, instructions that look like the
		 * marker, inline XHTML.
		 */
		"<feed xmlns=\"http://www.w3.org/2005/Atom\"><title><![CDATA["
		"a]]]><![CDATA[]]><![CDATA[b]]]]>c</title><?fm-t 0 1?>"
		"<?fm-tx y?><?f z?><entry><id>urn:c</id><title><![CDATA["
		"l1\r\nl2\rl3 ]]&gt; ] ]] >]]> &lt;x&gt;</title><summary>"
		"\xc3\xa9\n<![CDATA[\xc3\xa9]]>\n</summary><content "
		"type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">"
		"<p>x &amp; <![CDATA[<y>]]> z</p></div></content></entry>"
		"</feed>",
	};
	size_t	 d, len, i, cuts[2], bad2, bad3;
	char	*want, *got;

	for (d = 0; d < sizeof(docs) / sizeof(docs[0]); d++) {
		len = strlen(docs[d]);
		want = parse_cuts(docs[d], len, NULL, 0);
		ok(want != NULL && strstr(want, "\"ok\": true") != NULL,
		    "cuts, document %zu: read whole", d);
		bad2 = bad3 = 0;
		for (i = 1; i < len; i++) {
			cuts[0] = i;
			got = parse_cuts(docs[d], len, cuts, 1);
			if (bad2 == 0 && (got == NULL || strcmp(got, want) != 0))
				bad2 = i;
			free(got);
			if (i + 2 >= len)
				continue;
			cuts[1] = i + 2;
			got = parse_cuts(docs[d], len, cuts, 2);
			if (bad3 == 0 && (got == NULL || strcmp(got, want) != 0))
				bad3 = i;
			free(got);
		}
		ok(bad2 == 0, "cuts, document %zu: in two pieces cut anywhere, "
		    "the same (first difference at %zu)", d, bad2);
		ok(bad3 == 0, "cuts, document %zu: in three pieces, a 2-byte "
		    "one anywhere, the same (first difference at %zu)", d, bad3);
		free(want);
	}
}

/*
 * Text nodes longer than the piece held before libxml2 is told (64 KiB)
 * are cut where their own bytes say: the same entries however the input
 * is cut, for text with references, CDATA and multibyte characters
 * across the 64 KiB marks.
 */
static void
test_long_cuts(void)
{
	static const size_t	 steps[] = { 1000, 4099, 65537, 131072 };
	struct buf		 b;
	size_t			*cuts, ncuts, i, k, bad = 0;
	char			*want, *got;

	buf_init(&b);
	buf_addstr(&b, "<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
	    "<id>urn:long</id><content type=\"html\">");
	for (i = 0; b.len < 300 * 1024; i++)
		buf_addstr(&b, i % 7 == 0 ? "&lt;b&gt;caf\xc3\xa9&lt;/b&gt; " :
		    i % 11 == 0 ? "\xe2\x82\xac\xf0\x9f\x98\x80\r\n" :
		    "solidarit\xc3\xa9 ");
	buf_addstr(&b, "</content><summary><![CDATA[");
	for (i = 0; i < 40000; i++)
		buf_addstr(&b, i % 5 == 0 ? "\xc3\xa9]] " : "<p>x</p> ");
	buf_addstr(&b, "]]></summary></entry></feed>");
	want = parse_cuts(b.data, b.len, NULL, 0);
	for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
		ncuts = b.len / steps[k];
		if ((cuts = calloc(ncuts, sizeof(*cuts))) == NULL)
			abort();
		for (i = 0; i < ncuts; i++)
			cuts[i] = (i + 1) * steps[k];
		got = parse_cuts(b.data, b.len, cuts, ncuts);
		if (got == NULL || want == NULL || strcmp(got, want) != 0)
			bad++;
		free(got);
		free(cuts);
	}
	ok(want != NULL && strstr(want, "\"ok\": true") != NULL && bad == 0,
	    "long text nodes: the same in chunks of 1000 to 131072 bytes "
	    "(%zu differ)", bad);
	free(want);
	buf_free(&b);
}

/*
 * The decoder checks blocks of sixteen (or eight) ASCII bytes at once;
 * byte by byte it never has a block to check. Byte strings made of
 * pieces that are valid, invalid or cut must come out the same both
 * ways.
 */
static void
test_utf8_blocks(void)
{
	static const char *const pieces[] = {
		"a", "plain text ", "\xc3\xa9", "\xc2\xa0", "\xdf\xbf",
		"\xc2\x85", "\xe2\x80\x99", "\xf0\x9f\x98\x80", "\x80",
		"\xbf", "\xc0\xaf", "\xc1\xbf", "\xc3", "\xe2\x80",
		"\xf5\x80", "\xff", "\x01", "\t", "\n", "\r", "\x7f",
		"\xc3\xc3", "\xed\xa0\x80", "\xef\xbf\xbe",
	};
	struct parse_decoder	*d;
	struct buf		 in, whole, bytes;
	size_t			 i, k, n;
	unsigned int		 seed = 7;
	int			 bad = 0;

	for (n = 0; n < 20000; n++) {
		buf_init(&in);
		buf_init(&whole);
		buf_init(&bytes);
		buf_add(&in, "", 0);
		for (k = 0; k < 1 + n % 40; k++) {
			seed = seed * 1103515245 + 12345;
			i = (seed >> 16) % (sizeof(pieces) / sizeof(pieces[0]));
			/* Mostly Latin text, as feeds here hold. */
			buf_addstr(&in, (seed >> 8) % 3 == 0 ? pieces[i] :
			    (seed >> 8) % 3 == 1 ? "\xc3\xa9t\xc3\xa9 " :
			    "abc");
		}
		d = parse_decoder_new(NULL);
		parse_decoder_feed(d, in.data, in.len, 1, &whole);
		parse_decoder_free(d);
		d = parse_decoder_new(NULL);
		for (i = 0; i < in.len; i++)
			parse_decoder_feed(d, in.data + i, 1, i + 1 == in.len,
			    &bytes);
		parse_decoder_free(d);
		if (whole.len != bytes.len || (whole.len > 0 &&
		    memcmp(whole.data, bytes.data, whole.len) != 0))
			bad++;
		buf_free(&in);
		buf_free(&whole);
		buf_free(&bytes);
	}
	ok(bad == 0, "the decoder's blocks: 20000 byte strings, whole and byte "
	    "by byte alike (%d differ)", bad);
}

/*
 * The decoder reads valid UTF-8 sixteen bytes at a time: a control
 * character, a byte that is not UTF-8 and a valid sequence at every
 * offset of a block must come out as they would one by one (the controls
 * dropped, the byte read as Windows-1252), in one chunk and byte by byte.
 */
static void
test_utf8_offsets(void)
{
	struct parse_options	 o;
	struct parser		*p;
	struct buf		 doc, want;
	char			*got;
	size_t			 k, j;
	int			 bad = 0;

	memset(&o, 0, sizeof(o));
	buf_init(&doc);
	buf_init(&want);
	for (k = 0; k < 40 && bad == 0; k++) {
		buf_reset(&doc);
		buf_reset(&want);
		buf_addstr(&doc, "<rss version=\"2.0\"><channel><item>"
		    "<description>");
		for (j = 0; j < k; j++) {
			buf_addc(&doc, 'a');
			buf_addc(&want, 'a');
		}
		buf_addstr(&doc, "\x01\xc3\xa9\x7f\xff");
		buf_addstr(&want, "\xc3\xa9\xc3\xbf");
		for (j = 0; j < 40; j++) {
			buf_addc(&doc, 'b');
			buf_addc(&want, 'b');
		}
		buf_addstr(&doc, "</description></item></channel></rss>");
		got = NULL;
		p = parse_new(&o, summary_text_cb, &got);
		for (j = 0; j < doc.len; j++)
			parse_feed(p, doc.data + j, 1);
		parse_finish(p);
		parse_free(p);
		if (got == NULL || strcmp(got, want.data) != 0) {
			printf("# offset %zu: got '%s'\n", k, got ? got : "");
			bad++;
		}
		free(got);
		got = NULL;
		if (parse_buffer(doc.data, doc.len, &o, summary_text_cb, &got,
		    NULL, NULL) == -1 || got == NULL ||
		    strcmp(got, want.data) != 0) {
			printf("# offset %zu (whole): got '%s'\n", k,
			    got ? got : "");
			bad++;
		}
		free(got);
	}
	ok(bad == 0, "a control, a byte not UTF-8 and a sequence at offsets "
	    "0 to 39: the same text, whole and byte by byte");
	buf_free(&doc);
	buf_free(&want);
}

/* The summary's text of the first entry, for test_utf8_offsets(). */
static void
summary_text_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	char	**out = arg;

	(void)meta;
	if (*out == NULL && e->summary_text != NULL)
		*out = strdup(e->summary_text);
	entry_free(e);
}

int
main(void)
{
	DIR		*d;
	struct dirent	*de;
	char		**names = NULL, *n;
	size_t		 nnames = 0, i, len;

	if ((d = opendir(PARSE_FIXTURES)) == NULL) {
		ok(0, "open %s", PARSE_FIXTURES);
		return (tap_done());
	}
	while ((de = readdir(d)) != NULL) {
		n = de->d_name;
		len = strlen(n);
		if (len > 14 && strcmp(n + len - 14, ".expected.json") == 0)
			continue;
		if ((len > 4 && (strcmp(n + len - 4, ".xml") == 0 ||
		    strcmp(n + len - 4, ".rss") == 0 ||
		    strcmp(n + len - 4, ".rdf") == 0)) ||
		    (len > 5 && (strcmp(n + len - 5, ".atom") == 0 ||
		    strcmp(n + len - 5, ".json") == 0))) {
			names = realloc(names, (nnames + 1) * sizeof(*names));
			names[nnames++] = strdup(n);
		}
	}
	closedir(d);
	qsort(names, nnames, sizeof(*names), name_cmp);
	ok(nnames >= 300, "%zu fixtures", nnames);
	for (i = 0; i < nnames; i++)
		test_fixture(names[i]);
	test_json_fast(names, nnames);
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	test_limits();
	test_utf8();
	test_utf8_offsets();
	test_utf8_blocks();
	test_text();
	test_cuts();
	test_long_cuts();
	return (tap_done());
}
