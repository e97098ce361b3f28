/*
 * feedmesh tests: the canonical document written straight from an entry
 * (store_doc.c) is byte for byte what jansson writes for entry_to_json()
 * of it (compact, sorted keys, no peers, a tombstone without source and
 * origin, the id kept), since digests of it are compared between nodes
 * and with stores written before; a few documents are pinned as text so
 * that neither side can drift. The full-text index, filled from the
 * entries, holds the same terms as the text of their documents.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "entry.h"
#include "log.h"
#include "store.h"
#include "store_doc_ref.h"
#include "store_private.h"
#include "tap.h"
#include "tmpdir.h"

#define T0		1764000000
#define NCASES		10
#define NRANDOM		400

static uint32_t		 rnd_state = 7;

static uint32_t	 rnd(void);
static char	*rnd_str(void);
static struct entry *case_entry(int);
static struct entry *random_entry(int);
static char	*written(const struct entry *, const char *, int *);
static void	 test_cases(void);
static void	 test_pinned(void);
static void	 test_random(void);
static void	 test_fts(void);
static void	 test_fields(void);

static uint32_t
rnd(void)
{
	rnd_state = rnd_state * 1103515245 + 12345;
	return (rnd_state >> 8);
}

/*
 * A string of 0 to 70 bytes (across the 16-byte steps of the scan) of
 * plain text, escapes, control characters, UTF-8 of every length and,
 * now and then, a byte that makes it invalid.
 */
static char *
rnd_str(void)
{
	static const char *const pieces[] = {
		"a", "bc", "defghij", " ", "\"", "\\", "/", "\n", "\t", "\r",
		"\b", "\f", "\x01", "\x1f", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80", "\xe2\x80\xa8", "<p>", "&amp;", "&#233;",
		"0123456789abcdef", "\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf",
		"\xf4\x90\x80\x80",
	};
	struct buf	 b;
	size_t		 n, max;

	buf_init(&b);
	buf_addstr(&b, "");
	max = rnd() % 71;
	while (b.len < max) {
		n = rnd() % (sizeof(pieces) / sizeof(pieces[0]));
		/* The invalid pieces (the last five) one string in eight. */
		if (n >= sizeof(pieces) / sizeof(pieces[0]) - 5 &&
		    rnd() % 8 != 0)
			continue;
		buf_addstr(&b, pieces[n]);
	}
	return (buf_release(&b));
}

/* The tricky entries, by number. */
static struct entry *
case_entry(int i)
{
	struct entry	*e = entry_new();

	entry_set(&e->id, "urn:case:\"q\"\\");
	switch (i) {
	case 0:		/* every field, every escape */
		entry_set(&e->link, "https://example.org/a?b=1&c=\"2\"");
		entry_set(&e->title, "tab\there, nl\nthere, cr\r, bs\b, "
		    "ff\f, ctl\x01\x1f, del\x7f, quote \" slash / bs \\");
		entry_set(&e->summary, "<p>Économie « sociale »</p>");
		entry_set(&e->summary_text, "Économie « sociale » — 😀 "
		    "\xe2\x80\xa8");
		entry_set(&e->content, "<p>caf\xc3\xa9 &amp; th\xc3\xa9</p>");
		entry_set(&e->content_type, "html");
		entry_set(&e->image, "https://example.org/i.png");
		entry_set(&e->lang, "fr");
		e->published = T0;
		e->updated = T0 + 5;
		e->expires = T0 + 86400;
		entry_set(&e->kind, "job");
		entry_set(&e->territory, "fr/nouvelle-aquitaine/gironde");
		e->has_geo = 1;
		e->lat = 45.439700000000002;
		e->lon = -0.1;
		entry_add_author(e, "Zoé \"Z\"", "z@example.org",
		    "https://example.org/z");
		entry_add_author(e, "Bob", NULL, NULL);
		entry_add_category(e, "c\"at", "https://s.example/", "Lab\\el");
		entry_add_category(e, "t\xc3\xa9rm", NULL, NULL);
		entry_add_enclosure(e, "https://example.org/f.mp3",
		    "audio/mpeg", 1234567890123LL);
		entry_add_link(e, "https://example.org/r", "related",
		    "text/html", "Re\tlated");
		entry_set(&e->source.id, "urn:feed");
		entry_set(&e->source.title, "Le flux");
		entry_set(&e->source.link, "https://example.org/");
		entry_set(&e->origin, "node-a");
		entry_add_peer(e, "peer-b");
		entry_add_peer(e, "peer-a");
		break;
	case 1:		/* a summary only: shown as the content */
		entry_set(&e->summary, "<b>only</b> a summary");
		entry_set(&e->summary_text, "only a summary");
		break;
	case 2:		/* a plain summary only */
		entry_set(&e->summary_text, "plain summary");
		e->updated = T0;
		break;
	case 3:		/* nothing but an id */
		break;
	case 4:		/* a tombstone: no source, no origin */
		e->deleted = 1;
		e->updated = T0 + 60;
		entry_set(&e->title, "gone");
		entry_set(&e->origin, "node-b");
		entry_set(&e->source.id, "urn:feed");
		entry_add_peer(e, "peer-a");
		break;
	case 5:		/* strings that are not UTF-8 are left out */
		entry_set(&e->title, "bad \xff title");
		entry_set(&e->link, "https://example.org/\xc3");
		entry_set(&e->content, "bad \xed\xa0\x80 content");
		entry_set(&e->content_type, "html");
		entry_set(&e->summary_text, "good summary");
		entry_set(&e->kind, "\xc0\xaf");
		entry_add_category(e, "\xf4\x90\x80\x80", NULL, "good label");
		entry_add_category(e, "good", NULL, "\xfe");
		entry_add_author(e, "\xff", NULL, "https://example.org/a");
		break;
	case 6:		/* reals: a NaN and an infinity have no JSON form */
		entry_set(&e->content, "x");
		e->has_geo = 1;
		e->lat = NAN;
		e->lon = INFINITY;
		entry_set(&e->source.title, "\xff");
		break;
	case 7:		/* plain-text content, reals that print long */
		entry_set(&e->content, "text\x02 content \"quoted\"\n");
		entry_set(&e->content_type, "text");
		e->has_geo = 1;
		e->lat = 0.1 + 0.2;
		e->lon = -180;
		entry_add_peer(e, "peer-a");
		break;
	case 8:		/* empty strings everywhere */
		entry_set(&e->title, "");
		entry_set(&e->link, "");
		entry_set(&e->content, "");
		entry_set(&e->content_type, "");
		entry_set(&e->summary_text, "");
		entry_set(&e->lang, "");
		entry_set(&e->territory, "");
		entry_add_category(e, "", "", "");
		break;
	case 9:		/* members that are all absent */
		entry_set(&e->content, "c");
		entry_add_author(e, NULL, NULL, NULL);
		entry_add_category(e, NULL, NULL, "label only");
		entry_add_enclosure(e, NULL, NULL, -1);
		entry_add_link(e, NULL, NULL, NULL, NULL);
		entry_set(&e->source.link, "https://example.org/");
		e->published = -62135596800LL;
		break;
	}
	return (e);
}

/* An entry of random strings, each field there or not. */
static struct entry *
random_entry(int i)
{
	struct entry	*e = entry_new();
	char		*s[12];
	size_t		 k;

	for (k = 0; k < sizeof(s) / sizeof(s[0]); k++)
		s[k] = rnd() % 3 == 0 ? NULL : rnd_str();
	free(e->id);
	if (asprintf(&e->id, "urn:r:%d:%s", i, s[0] ? s[0] : "") == -1)
		abort();
	entry_set(&e->title, s[1]);
	entry_set(&e->link, s[2]);
	entry_set(&e->summary, s[3]);
	entry_set(&e->summary_text, s[4]);
	entry_set(&e->content, s[5]);
	entry_set(&e->content_type, rnd() % 2 ? "text" : "html");
	entry_set(&e->kind, s[6]);
	entry_set(&e->territory, s[7]);
	if (rnd() % 2)
		entry_add_category(e, s[8], s[9], s[10]);
	if (rnd() % 2)
		entry_add_author(e, s[9], s[10], s[11]);
	if (rnd() % 3 == 0)
		entry_add_enclosure(e, s[2], s[11], (int64_t)(rnd() % 5) - 1);
	if (rnd() % 3 == 0) {
		e->has_geo = 1;
		e->lat = (double)(rnd() % 18000000) / 100000.0 - 90;
		e->lon = (double)(rnd() % 36000000) / 100000.0 - 180;
	}
	e->deleted = rnd() % 10 == 0;
	entry_set(&e->origin, s[11]);
	e->published = rnd() % 2 ? T0 + (int64_t)(rnd() % 100000) :
	    ENTRY_NO_TIME;
	for (k = 0; k < sizeof(s) / sizeof(s[0]); k++)
		free(s[k]);
	return (e);
}

static char *
written(const struct entry *e, const char *kept, int *omitted)
{
	struct buf	 b;

	buf_init(&b);
	*omitted = store_doc_write(&b, e, kept);
	return (buf_release(&b));
}

static void
test_cases(void)
{
	struct entry	*e;
	char		*want, *got;
	int		 i, omitted;

	for (i = 0; i < NCASES; i++) {
		e = case_entry(i);
		want = store_doc_ref_write(e, NULL);
		got = written(e, NULL, &omitted);
		is_str(got, want, "case %d: jansson's text", i);
		ok((omitted > 0) == (i == 5 || i == 6),
		    "case %d: %d strings left out", i, omitted);
		free(want);
		free(got);
		entry_free(e);
	}
	e = case_entry(0);
	want = store_doc_ref_write(e, "urn:a:kept");
	got = written(e, "urn:a:kept", &omitted);
	is_str(got, want, "another id kept");
	free(want);
	free(got);
	want = store_doc_ref_write(e, e->id);
	got = written(e, e->id, &omitted);
	is_str(got, want, "the same id kept");
	free(want);
	free(got);
	want = store_doc_ref_write(e, "urn:\xff");
	got = written(e, "urn:\xff", &omitted);
	is_str(got, want, "a kept id that is not UTF-8: the entry's");
	free(want);
	free(got);
	entry_free(e);
}

/* Documents as text: what digests of stored entries were made from. */
static void
test_pinned(void)
{
	static const struct {
		int		 n;
		const char	*doc;
	} pins[] = {
		{ 0, "{\"_feedmesh\":{\"authors\":[{\"email\":\"z@example.org"
		    "\",\"name\":\"Zoé \\\"Z\\\"\",\"uri\":\"https://example."
		    "org/z\"},{\"name\":\"Bob\"}],\"categories\":[{\"label\":"
		    "\"Lab\\\\el\",\"scheme\":\"https://s.example/\",\"term\""
		    ":\"c\\\"at\"},{\"term\":\"térm\"}],\"expires\":\"2025-11"
		    "-25T16:00:00Z\",\"geo\":{\"lat\":45.439700000000002,\"lo"
		    "n\":-0.10000000000000001},\"kind\":\"job\",\"links\":[{"
		    "\"href\":\"https://example.org/r\",\"rel\":\"related\","
		    "\"title\":\"Re\\tlated\",\"type\":\"text/html\"}],\"orig"
		    "in\":\"node-a\",\"source\":{\"id\":\"urn:feed\",\"title"
		    "\":\"Le flux\",\"url\":\"https://example.org/\"},\"summa"
		    "ry_html\":\"<p>Économie « sociale »</p>\",\"territory\":"
		    "\"fr/nouvelle-aquitaine/gironde\"},\"attachments\":[{\"m"
		    "ime_type\":\"audio/mpeg\",\"size_in_bytes\":123456789012"
		    "3,\"url\":\"https://example.org/f.mp3\"}],\"authors\":[{"
		    "\"name\":\"Zoé \\\"Z\\\"\",\"url\":\"https://example.org"
		    "/z\"},{\"name\":\"Bob\"}],\"content_html\":\"<p>café &am"
		    "p; thé</p>\",\"date_modified\":\"2025-11-24T16:00:05Z\","
		    "\"date_published\":\"2025-11-24T16:00:00Z\",\"id\":\"urn"
		    ":case:\\\"q\\\"\\\\\",\"image\":\"https://example.org/i."
		    "png\",\"language\":\"fr\",\"summary\":\"Économie « socia"
		    "le » — 😀 \342\200\250\",\"tags\":[\"job\",\"fr/nouvelle-"
		    "aquitaine/gironde\",\"c\\\"at\",\"térm\"],\"title\":\"ta"
		    "b\\there, nl\\nthere, cr\\r, bs\\b, ff\\f, ctl\\u0001\\u"
		    "001F, del\177, quote \\\" slash / bs \\\\\",\"url\":\"ht"
		    "tps://example.org/a?b=1&c=\\\"2\\\"\"}" },
		{ 1, "{\"_feedmesh\":{\"no_content\":true,\"summary_html\":\"<"
		    "b>only</b> a summary\"},\"content_html\":\"<b>only</b> a"
		    " summary\",\"id\":\"urn:case:\\\"q\\\"\\\\\",\"summary\""
		    ":\"only a summary\"}" },
		{ 3, "{\"_feedmesh\":{\"no_content\":true},\"content_text\":\""
		    "\",\"id\":\"urn:case:\\\"q\\\"\\\\\"}" },
		{ 4, "{\"_feedmesh\":{\"deleted\":true,\"no_content\":true},\""
		    "content_text\":\"\",\"date_modified\":\"2025-11-24T16:01"
		    ":00Z\",\"id\":\"urn:case:\\\"q\\\"\\\\\",\"title\":\"gon"
		    "e\"}" },
		{ 5, "{\"_feedmesh\":{\"authors\":[{\"uri\":\"https://example."
		    "org/a\"}],\"categories\":[{\"label\":\"good label\"},{\""
		    "term\":\"good\"}]},\"authors\":[{\"url\":\"https://examp"
		    "le.org/a\"}],\"id\":\"urn:case:\\\"q\\\"\\\\\",\"summary"
		    "\":\"good summary\",\"tags\":[\"good\"]}" },
		{ 7, "{\"_feedmesh\":{\"geo\":{\"lat\":0.30000000000000004,\"l"
		    "on\":-180.0}},\"content_text\":\"text\\u0002 content \\"
		    "\"quoted\\\"\\n\",\"id\":\"urn:case:\\\"q\\\"\\\\\"}" },
		{ 9, "{\"_feedmesh\":{\"authors\":[{}],\"categories\":[{\"labe"
		    "l\":\"label only\"}],\"links\":[{}],\"source\":{\"url\":"
		    "\"https://example.org/\"}},\"attachments\":[{\"mime_type"
		    "\":\"application/octet-stream\"}],\"authors\":[{}],\"con"
		    "tent_html\":\"c\",\"date_published\":\"0001-01-01T00:00:00Z"
		    "\",\"id\":\"urn:case:\\\"q\\\"\\\\\"}" },
	};
	struct entry	*e;
	char		*got;
	size_t		 i;
	int		 omitted;

	for (i = 0; i < sizeof(pins) / sizeof(pins[0]); i++) {
		e = case_entry(pins[i].n);
		got = written(e, NULL, &omitted);
		is_str(got, pins[i].doc, "case %d: pinned text", pins[i].n);
		free(got);
		entry_free(e);
	}
}

static void
test_random(void)
{
	struct entry	*e;
	char		*want, *got;
	int		 i, omitted, same = 0, first = -1, left = 0;

	for (i = 0; i < NRANDOM; i++) {
		e = random_entry(i);
		want = store_doc_ref_write(e, NULL);
		got = written(e, NULL, &omitted);
		if (strcmp(got, want) == 0)
			same++;
		else if (first == -1) {
			first = i;
			printf("# got:      %s\n# expected: %s\n", got, want);
		}
		left += omitted > 0;
		free(want);
		free(got);
		entry_free(e);
	}
	is_int(same, NRANDOM, "random entries: jansson's text (first "
	    "difference: %d)", first);
	ok(left > NRANDOM / 20 && left < NRANDOM,
	    "some random entries had strings left out (%d)", left);
}

/*
 * The full-text index forgets the text of a stored document read back
 * by store_doc_fields_read(): the same strings as jansson reads, or a
 * refusal (jansson then reads it).
 */
static void
test_fields(void)
{
	static const struct {
		const char	*doc;
		int		 want;
	} odd[] = {
		{ "{\"title\":\"a\",\"title\":\"b\"}", 1 },
		{ "{\"title\":\"a\",\"title\":2}", 1 },
		{ "{\"title\":[\"a\"],\"summary\":{\"x\":\"y\"}}", 1 },
		{ " { \"title\" : \"sp\\/ace\" ,\n\"summary\":null } ", 1 },
		{ "{\"_feedmesh\":{\"categories\":[1,{\"term\":\"x\"},"
		    "[{\"term\":\"y\"}],{}]}}", 1 },
		{ "{\"_feedmesh\":{\"categories\":{\"term\":\"z\"}}}", 1 },
		{ "{\"_feedmesh\":[{\"no_content\":true}]}", 1 },
		{ "{\"_feedmesh\":{\"no_content\":false},"
		    "\"content_text\":\"t\"}", 1 },
		{ "{\"_feedmesh\":{\"no_content\":true,\"categories\":"
		    "[{\"term\":\"a\"}]},\"_feedmesh\":{}}", 1 },
		{ "{\"n\":[-0,1.5e-7,12345678901234,0.5E+2,true,false]}", 1 },
		{ "{\"title\":\"\\u00e9\"}", -1 },
		/* Keys are matched as jansson decodes them (fuzz_storedoc). */
		{ "{\"ti\\u0074le\":\"x\"}", -1 },
		{ "{\"_feedmesh\":{\"categories\":[{\"te\\u0072m\":\"x\"}]}}",
		    -1 },
		{ "{\"title\":\"a\",\"x\\\"y\":\"b\"}", -1 },
		{ "{\"title\":\"\\u0000\"}", -1 },
		{ "{\"title\":\"a\"} x", -1 },
		{ "[]", -1 },
		{ "{\"n\":1234567890123456789012}", -1 },
		{ "{\"n\":01}", -1 },
		{ "{\"title\":\"\xff\"}", -1 },
		{ "{\"title\":\"a", -1 },
		{ "{\"title\":\"a\\", -1 },
		{ "{\"title\":\"a\",}", -1 },
		{ "{\"t\":tru}", -1 },
		{ "", -1 },
		{ "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]"
		    "]]]]]]]]]]]]]]]]]]", -1 },
	};
	struct entry	*e;
	char		*doc;
	size_t		 i;
	int		 omitted, agree = 0, n = 0, r;

	for (i = 0; i < NCASES + NRANDOM; i++) {
		e = i < NCASES ? case_entry((int)i) : random_entry((int)i);
		doc = written(e, NULL, &omitted);
		n++;
		if ((r = store_doc_ref_fields_agree(doc)) == 1)
			agree++;
		else
			printf("# entry %zu (%d): %s\n", i, r, doc);
		free(doc);
		entry_free(e);
	}
	is_int(agree, n, "documents written: read as jansson reads them");
	/* Every prefix of a document: refused, never read past its end. */
	e = case_entry(0);
	doc = written(e, NULL, &omitted);
	entry_free(e);
	n = (int)strlen(doc);
	for (i = (size_t)n, agree = 0; i > 0; i--) {
		doc[i - 1] = '\0';
		agree += store_doc_ref_fields_agree(doc) == -1;
	}
	is_int(agree, n, "every proper prefix of a document is left to "
	    "jansson");
	free(doc);
	for (i = 0; i < sizeof(odd) / sizeof(odd[0]); i++)
		is_int(store_doc_ref_fields_agree(odd[i].doc), odd[i].want,
		    "odd document %zu: %s", i, odd[i].want == 1 ?
		    "read as jansson reads it" : "left to jansson");
}

/*
 * 1 if the store's full-text index holds the data an FTS5 table holds
 * when given the documents' text (feedmesh_text()) under the same keys,
 * both optimized (one segment each): the same blocks, but for the
 * structure record (row 10: the configuration's cookie differs, the
 * store having settings) and the segment ids (in the blocks' rowids).
 */
static int
fts_agrees(struct store *s)
{
	static const char *const sql[] = {
		"DROP TABLE IF EXISTS temp.t",
		"CREATE VIRTUAL TABLE temp.t USING fts5(title, summary, "
		    "content, categories, content='', "
		    "tokenize='unicode61 remove_diacritics 2')",
		"INSERT INTO temp.t(rowid, title, summary, content, categories)"
		    " SELECT ((min(max(sort_time, -2208988800), -2208988800 + "
		    "(1 << 34) - 2) + 2208988800) << 29) | seq, "
		    "feedmesh_text(doc, 'title'), feedmesh_text(doc, 'summary'),"
		    " feedmesh_text(doc, 'content'), "
		    "feedmesh_text(doc, 'categories') FROM entries "
		    "WHERE deleted = 0 ORDER BY 1",
		"INSERT INTO temp.t(t) VALUES ('optimize')",
		"INSERT INTO main.entries_fts(entries_fts) VALUES ('optimize')",
	};
	static const char *const cmp[] = {
		"SELECT count(*) FROM (SELECT id, block FROM main.entries_fts_data"
		    " WHERE id < 10 EXCEPT SELECT id, block FROM temp.t_data)",
		"SELECT count(*) FROM (SELECT block FROM main.entries_fts_data "
		    "WHERE id > 10 EXCEPT SELECT block FROM temp.t_data)",
		"SELECT count(*) FROM (SELECT block FROM temp.t_data "
		    "WHERE id > 10 EXCEPT SELECT block FROM main.entries_fts_data)",
		"SELECT (SELECT count(*) FROM main.entries_fts_data) - "
		    "(SELECT count(*) FROM temp.t_data)",
		"SELECT count(*) FROM (SELECT * FROM main.entries_fts_docsize "
		    "EXCEPT SELECT * FROM temp.t_docsize)",
		"SELECT count(*) - (SELECT count(*) FROM entries WHERE "
		    "deleted = 0) FROM temp.t_docsize",
	};

	sqlite3		*db = store_sqlite(s);
	sqlite3_stmt	*st;
	size_t		 i;
	int		 n;

	for (i = 0; i < sizeof(sql) / sizeof(sql[0]); i++)
		if (sqlite3_exec(db, sql[i], NULL, NULL, NULL) != SQLITE_OK) {
			printf("# %s: %s\n", sql[i], sqlite3_errmsg(db));
			return (0);
		}
	for (i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
		n = -1;
		if (sqlite3_prepare_v2(db, cmp[i], -1, &st, NULL) == SQLITE_OK) {
			if (sqlite3_step(st) == SQLITE_ROW)
				n = sqlite3_column_int(st, 0);
			sqlite3_finalize(st);
		}
		if (n != 0) {
			printf("# %s: %d\n", cmp[i], n);
			return (0);
		}
	}
	return (1);
}

/*
 * The index is filled from the entries (or from the document when it
 * left a string out), and emptied again from the documents read back
 * (store_doc_fields_read(), else jansson): both must give the terms of
 * the documents' text. Then every entry is replaced by a newer version.
 */
static void
test_fts(void)
{
	struct store	*s;
	struct entry	*e;
	char		*p;
	int		 i, round, stored;

	p = db_path("fts.db");
	s = store_open(p);
	free(p);
	if (s == NULL) {
		ok(0, "store opened");
		return;
	}
	store_set_now(s, T0);
	for (round = 0; round < 2; round++) {
		stored = 0;
		store_begin(s);
		for (i = 0; i < NCASES + 40; i++) {
			e = i < NCASES ? case_entry(i) : random_entry(i);
			free(e->id);
			if (asprintf(&e->id, "urn:fts:%d", i) == -1)
				abort();
			e->deleted = 0;
			e->updated = T0 + 100 * round;
			stored += store_entry_upsert(s, e, "peer", NULL) == 0;
			entry_free(e);
		}
		ok(store_commit(s) == 0 && stored == NCASES + 40,
		    "round %d: tricky entries stored", round);
		ok(fts_agrees(s), "round %d: the index holds the terms of "
		    "the documents' text", round);
	}
	store_close(s);
}

int
main(void)
{
	log_init(1, LOG_LEVEL_WARN, "store_doc_test");
	if (tmpdir_make("store_doc") == -1)
		return (1);
	test_cases();
	test_pinned();
	test_random();
	test_fields();
	test_fts();
	tmp_cleanup();
	return (tap_done());
}
