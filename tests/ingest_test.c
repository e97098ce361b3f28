/*
 * feedmesh tests: ingest, from bytes to the store; above all that a body
 * identical to the peer's last one is neither parsed nor written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "entry.h"
#include "ingest.h"
#include "log.h"
#include "store.h"
#include "store_private.h"
#include "tap.h"

#define CHUNK	4096

static char	 tmpdir[64];
static char	 dbpath[128];

static void	 doc_make(struct buf *, int, const char *, int, int);
static int	 run(struct store *, const struct peer_conf *,
		    const struct buf *, const char *, const char *,
		    struct ingest_stats *, char *);
static void	 tmp_cleanup(void);
static int	 trace_cb(unsigned, void *, void *, void *);

static long	 nstatements;

/* Counts every statement the store runs, reads included. */
static int
trace_cb(unsigned type, void *arg, void *p, void *x)
{
	(void)type;
	(void)arg;
	(void)p;
	(void)x;
	nstatements++;
	return (0);
}

/*
 * An Atom document of n entries, each with pad more sentences; title0
 * names the first one, which is newer when given.
 */
static void
doc_make(struct buf *b, int n, const char *title0, int newer, int pad)
{
	int	 i, k;

	buf_reset(b);
	buf_addstr(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n"
	    "<title>Test</title><id>https://t.example/</id>\n");
	for (i = 0; i < n; i++) {
		buf_printf(b, "<entry><id>tag:t.example,2026:%d</id>"
		    "<title>%s</title>"
		    "<link href=\"https://t.example/%d\"/>"
		    "<updated>2026-01-02T03:04:%02dZ</updated>"
		    "<content type=\"html\">&lt;p&gt;Un texte assez long "
		    "pour peser, num\xc3\xa9ro %d.", i,
		    i == 0 ? title0 : "Entr\xc3\xa9" "e", i,
		    i == 0 && newer ? 59 : 5, i);
		for (k = 0; k < pad; k++)
			buf_addstr(b, " Une phrase de plus pour grossir.");
		buf_addstr(b, "&lt;/p&gt;</content></entry>\n");
	}
	buf_addstr(b, "</feed>\n");
}

/*
 * Ingests a document in chunks, expecting last (may be NULL) both before
 * the bytes and at the end; the body's digest goes to digest_out.
 */
static int
run(struct store *s, const struct peer_conf *pc, const struct buf *doc,
    const char *expect, const char *last, struct ingest_stats *st,
    char *digest_out)
{
	struct ingest	*in;
	size_t		 off, len;
	int		 rc;

	in = ingest_new(pc, "https://t.example/feed", NULL);
	ingest_set_last_digest(in, expect);
	for (off = 0; off < doc->len; off += len) {
		len = doc->len - off < CHUNK ? doc->len - off : CHUNK;
		if (ingest_data(in, doc->data + off, len) == -1)
			break;
	}
	rc = ingest_finish(in, s, last, st);
	if (digest_out != NULL)
		snprintf(digest_out, INGEST_DIGEST_LEN, "%s", ingest_digest(in));
	ingest_free(in);
	return (rc);
}

static void
tmp_cleanup(void)
{
	char	 p[160];

	unlink(dbpath);
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	rmdir(tmpdir);
}

int
main(void)
{
	struct peer_conf	 pc;
	struct ingest_stats	 st;
	struct ingest		*in;
	struct store		*s;
	struct buf		 doc, big;
	struct entry *const	*es;
	char			 d1[INGEST_DIGEST_LEN], d2[INGEST_DIGEST_LEN];
	char			 db[INGEST_DIGEST_LEN];
	long			 changes;
	int			 rc;
	size_t			 n;

	log_init(1, LOG_LEVEL_WARN, "ingest_test");
	snprintf(tmpdir, sizeof(tmpdir), "%s/feedmesh-ingest.XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (1);
	}
	snprintf(dbpath, sizeof(dbpath), "%s/ingest.db", tmpdir);
	if ((s = store_open(dbpath)) == NULL) {
		ok(0, "store opened");
		tmp_cleanup();
		return (tap_done());
	}
	memset(&pc, 0, sizeof(pc));
	pc.name = "peer";
	pc.url = "https://t.example/feed";
	pc.enabled = 1;
	pc.identity = IDENTITY_AUTO;
	buf_init(&doc);
	buf_init(&big);
	sqlite3_trace_v2(store_sqlite(s), SQLITE_TRACE_STMT, trace_cb, NULL);

	/* First time: parsed and stored. */
	doc_make(&doc, 3, "Premi\xc3\xa8re", 0, 0);
	rc = run(s, &pc, &doc, NULL, NULL, &st, d1);
	ok(rc == 0, "a new document is ingested");
	is_int(st.parsed, 1, "it went through the parser");
	is_int(st.inserted, 3, "its three entries are stored");
	is_int(strlen(d1), 32, "its digest is XXH3-128 in hex");

	/* The same bytes again: no parse, no SQL. */
	changes = nstatements;
	rc = run(s, &pc, &doc, d1, d1, &st, d2);
	ok(rc == 0, "the unchanged document is accepted");
	is_int(st.skipped, 1, "it is skipped");
	is_int(st.parsed, 0, "it is not parsed");
	is_int(st.entries, 0, "no entry was read from it");
	is_str(d2, d1, "its digest is the same");
	is_int(nstatements, changes, "no SQL statement ran");

	/* One title changed: parsed and updated. */
	doc_make(&doc, 3, "Premi\xc3\xa8re, corrig\xc3\xa9" "e", 1, 0);
	rc = run(s, &pc, &doc, d1, d1, &st, d2);
	ok(rc == 0, "a changed document is ingested");
	is_int(st.parsed, 1, "the changed document is parsed");
	is_int(st.skipped, 0, "it is not skipped");
	is_int(st.updated, 1, "its changed entry is updated");
	is_int(st.unchanged, 2, "the other two are unchanged");
	ok(strcmp(d1, d2) != 0, "its digest differs");

	/*
	 * Held back and unchanged, but the caller wants it read anyway (no
	 * last digest at the end): the held bytes are parsed then.
	 */
	in = ingest_new(&pc, "https://t.example/feed", NULL);
	ingest_set_last_digest(in, d2);
	ingest_data(in, doc.data, doc.len);
	rc = ingest_prepare(in, &st);
	es = ingest_entries(in, &n);
	ok(rc == 0 && n == 3, "held bytes are parsed when the entries are "
	    "asked for (%zu)", n);
	is_int(st.parsed, 1, "and counted as parsed");
	ok(n > 0 && es[0]->title != NULL &&
	    strstr(es[0]->title, "corrig") != NULL, "the entries are read");
	ingest_free(in);

	/* Beyond the bound: parsed as it streams, skipped before SQL. */
	doc_make(&big, 2000, "Grande", 0, 20);
	ok(big.len > INGEST_HOLD_MAX, "a document of %zu bytes, over the "
	    "bound", big.len);
	rc = run(s, &pc, &big, NULL, NULL, &st, db);
	ok(rc == 0 && st.parsed == 1 && st.inserted > 3,
	    "the big document is stored (%d new)", st.inserted);
	changes = nstatements;
	rc = run(s, &pc, &big, db, db, &st, NULL);
	ok(rc == 0 && st.skipped == 1, "unchanged, it is skipped");
	is_int(st.parsed, 1, "past the bound it was parsed");
	is_int(nstatements, changes, "and no SQL statement ran");

	/*
	 * Inside the caller's transaction: nothing is committed, and after
	 * a rollback the same document is stored alone, counted the same.
	 */
	buf_reset(&doc);
	buf_addstr(&doc, "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<id>https://t.example/lot</id>");
	for (rc = 0; rc < 4; rc++)
		buf_printf(&doc, "<entry><id>tag:t.example,2026:lot%d</id>"
		    "<title>Lot %d</title><updated>2026-01-03T00:00:0%dZ"
		    "</updated></entry>", rc, rc, rc);
	buf_addstr(&doc, "</feed>");
	in = ingest_new(&pc, "https://t.example/feed", NULL);
	ingest_data(in, doc.data, doc.len);
	store_begin_whole(s);
	rc = ingest_finish_within(in, s, NULL, &st);
	ok(rc == 0 && st.inserted == 4 && store_in_transaction(s),
	    "within a transaction: stored, not committed (%d new)",
	    st.inserted);
	store_rollback(s);
	n = (size_t)store_count_entries(s);
	rc = ingest_finish(in, s, NULL, &st);
	ok(rc == 0 && st.inserted == 4 && st.entries == 4 &&
	    (size_t)store_count_entries(s) == n + 4, "rolled back, then "
	    "stored alone: %d new of %d", st.inserted, st.entries);
	ingest_free(in);

	/* A held body that is not a feed fails once it differs. */
	buf_reset(&doc);
	buf_addstr(&doc, "this is not a feed");
	rc = run(s, &pc, &doc, d1, d1, &st, NULL);
	ok(rc == -1, "a held body that is not a feed fails at the end");

	buf_free(&doc);
	buf_free(&big);
	store_close(s);
	tmp_cleanup();
	return (tap_done());
}
