/*
 * feedmesh tests: the SQLite store (identity, merge rule, paths, listings,
 * peer state, migrations, query plans) on temporary database files.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "buf.h"
#include "entry.h"
#include "ingest.h"
#include "log.h"
#include "store.h"
#include "store_private.h"
#include "store_step8.h"
#include "tap.h"
#include "tmpdir.h"

#define T0	1764000000


struct listing {
	struct buf	 ids;
	int		 n;
	int64_t		 last_time;
	int64_t		 last_seq;
};

static struct entry *mk(const char *, const char *, int64_t, int64_t);
static int	 collect_cb(const struct entry *, int64_t, int64_t, void *);
static char	*list(struct store *, const struct store_query *);
static char	*doc_of(struct store *, const char *);
static void	 digest_hex(const struct entry *, char *);
static int64_t	 user_version(const char *);
static void	 put(struct store *, struct entry *);
static char	*search(struct store *, const char *, int);
static void	 test_search(void);
static int64_t	 tag_index_disagrees(struct store *, const char *, int64_t *);
static void	 test_tag_index(void);
static void	 test_tag_tokens(void);
static int	 pick(unsigned int *, int);
static int64_t	 sql_count(struct store *, const char *);
static void	 test_places(void);
static void	 test_cost(void);
static char	*canon_of(struct store *, const char *);
static struct store *fresh(const char *);
static struct entry *version_of(int);
static void	 test_kept_id(void);
static void	 test_state_digest(void);
static int	 held_cb(const struct entry *, const char *, int64_t, void *);
static void	 test_moderation(void);
static void	 test_expire(void);
static int	 dump_cb(const struct entry *, int64_t, int64_t, void *);
static char	*dump(struct store *, const struct store_query *, uint64_t *);
static void	 test_cache(void);
static void	 test_paths_rev(void);
static int64_t	 paths_rev_of(struct store *, const char *);
static void	 test_canonical_text(void);
static void	 test_migrate_triggers(void);
static void	 test_text_update(void);



/* Stores e as a local publication and frees it. */
static void
put(struct store *s, struct entry *e)
{
	enum store_result	 r;

	if (store_entry_upsert(s, e, NULL, &r) == -1)
		printf("# %s not stored\n", e->id);
	entry_free(e);
}

/* The ids matching an FTS5 query, newest first or by relevance. */
static char *
search(struct store *s, const char *match, int relevance)
{
	struct store_query	 q;

	store_query_init(&q);
	q.match = match;
	q.relevance = relevance;
	return (list(s, &q));
}

static struct entry *
mk(const char *id, const char *link, int64_t published, int64_t updated)
{
	struct entry	*e;

	e = entry_new();
	entry_set(&e->id, id);
	entry_set(&e->link, link);
	entry_set(&e->title, id);
	e->published = published;
	e->updated = updated;
	return (e);
}

static int
collect_cb(const struct entry *e, int64_t sort_time, int64_t seq, void *arg)
{
	struct listing	*l = arg;

	if (l->n++ > 0)
		buf_addc(&l->ids, ',');
	buf_addstr(&l->ids, e->id);
	if (e->deleted)
		buf_addstr(&l->ids, "(x)");
	l->last_time = sort_time;
	l->last_seq = seq;
	return (0);
}

/* The ids of a listing, comma-separated (a new string). */
static char *
list(struct store *s, const struct store_query *q)
{
	struct listing	 l;

	memset(&l, 0, sizeof(l));
	buf_init(&l.ids);
	buf_addstr(&l.ids, "");
	if (store_query_entries(s, q, collect_cb, &l) == -1)
		buf_addstr(&l.ids, "ERROR");
	return (buf_release(&l.ids));
}

/* The canonical JSON of the stored entry, peers included. */
static char *
doc_of(struct store *s, const char *id)
{
	struct entry	*e;
	json_t		*j;
	char		*d;

	if (store_entry_get(s, id, &e) != 1)
		return (strdup("(none)"));
	j = entry_to_json(e);
	d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	entry_free(e);
	return (d);
}

static void
digest_hex(const struct entry *e, char *hex)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 len, i;
	json_t		*j;
	char		*d;

	j = entry_to_json(e);
	d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	EVP_Digest(d, strlen(d), md, &len, EVP_sha256(), NULL);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	free(d);
	json_decref(j);
}

static int64_t
user_version(const char *path)
{
	sqlite3		*db;
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if (sqlite3_open(path, &db) != SQLITE_OK)
		return (-1);
	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st,
	    NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			v = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return (v);
}

static void
test_identity(struct store *s)
{
	enum store_result	 r;
	struct entry		*e, *g;
	struct store_query	 q;
	char			*l;

	e = mk("tag:a,2026:1", "https://example.org/news/1", T0, ENTRY_NO_TIME);
	ok(store_entry_upsert(s, e, NULL, &r) == 0 && r == STORE_INSERTED,
	    "new entry inserted");
	ok(store_entry_upsert(s, e, NULL, &r) == 0 && r == STORE_UNCHANGED,
	    "same entry, same path: unchanged");
	ok(store_entry_upsert(s, e, "region", &r) == 0 && r == STORE_MERGED,
	    "same entry through a peer: merged");
	ok(store_entry_upsert(s, e, "region", &r) == 0 && r == STORE_UNCHANGED,
	    "again through that peer: unchanged");
	entry_add_peer(e, "ignored");
	ok(store_entry_upsert(s, e, "national", &r) == 0 && r == STORE_MERGED,
	    "the entry's own peers are not part of its version");
	entry_free(e);
	is_int(store_count_entries(s), 1, "one entry stored");

	/* Another id, the same permalink: an alias of the same entry. */
	e = mk("https://example.org/news/1", "https://example.org/news/1", T0,
	    ENTRY_NO_TIME);
	entry_set(&e->title, "tag:a,2026:1");
	ok(store_entry_upsert(s, e, "dept", &r) == 0 && r == STORE_MERGED,
	    "other id, same link: merged into the stored entry");
	entry_free(e);
	is_int(store_count_entries(s), 1, "still one entry");
	ok(store_entry_get(s, "https://example.org/news/1", &g) == 1,
	    "found by alias");
	is_str(g ? g->id : NULL, "https://example.org/news/1",
	    "the smallest id is kept");
	ok(g != NULL && g->npeers == 3 && strcmp(g->peers[0], "dept") == 0 &&
	    strcmp(g->peers[1], "national") == 0 &&
	    strcmp(g->peers[2], "region") == 0,
	    "peers from the paths, sorted, local path not listed");
	entry_free(g);

	/* A tracking parameter and a trailing slash: the same permalink. */
	e = mk("urn:other", "https://EXAMPLE.org/news/1/?utm_source=x", T0,
	    ENTRY_NO_TIME);
	ok(store_entry_upsert(s, e, "blog", &r) == 0 &&
	    (r == STORE_UPDATED || r == STORE_STALE),
	    "canonical link matches (result %d)", (int)r);
	entry_free(e);
	is_int(store_count_entries(s), 1, "canonical alias: one entry");
	ok(store_entry_get(s, "urn:other", &g) == 1 && g != NULL &&
	    strcmp(g->id, "https://example.org/news/1") == 0,
	    "canonical alias resolves");
	entry_free(g);
	is_int(store_count_peer_entries(s, "blog"), 1, "peer count");
	is_int(store_count_peer_entries(s, NULL), 1, "local count");
	is_int(store_count_peer_entries(s, "nobody"), 0, "unknown peer count");

	/* Site roots are not identities. */
	e = mk("urn:root:1", "https://example.org/", T0, ENTRY_NO_TIME);
	ok(store_entry_upsert(s, e, "x", &r) == 0 && r == STORE_INSERTED,
	    "root link entry inserted");
	entry_set(&e->id, "urn:root:2");
	ok(store_entry_upsert(s, e, "x", &r) == 0 && r == STORE_INSERTED,
	    "another entry linking to the site root is another entry");
	entry_free(e);

	/* Dedupe inside one document's transaction. */
	ok(store_begin(s) == 0, "begin");
	e = mk("urn:doc:1", "https://example.org/jobs/7", T0 + 5,
	    ENTRY_NO_TIME);
	ok(store_entry_upsert(s, e, "p", &r) == 0 && r == STORE_INSERTED,
	    "first of a document");
	entry_set(&e->id, "urn:doc:2");
	ok(store_entry_upsert(s, e, "p", &r) == 0 && r == STORE_UNCHANGED,
	    "same link in the same document: unchanged");
	entry_free(e);
	ok(store_commit(s) == 0, "commit");
	store_query_init(&q);
	q.peer = "p";
	l = list(s, &q);
	is_str(l, "urn:doc:1", "deduplicated within one transaction");
	free(l);

	e = entry_new();
	ok(store_entry_upsert(s, e, NULL, &r) == -1, "entry without id refused");
	entry_free(e);
}

/* Applies versions in an order and returns the stored doc. */
static char *
apply(const char *name, struct entry **v, const int *order, int n,
    enum store_result *res)
{
	struct store	*s;
	char		*p, *d;
	int		 i;

	p = db_path(name);
	s = store_open(p);
	free(p);
	if (s == NULL)
		return (strdup("(open failed)"));
	for (i = 0; i < n; i++)
		if (store_entry_upsert(s, v[order[i]], "peer", &res[i]) == -1)
			res[i] = -1;
	d = doc_of(s, v[0]->id);
	store_close(s);
	return (d);
}

static void
test_merge(void)
{
	struct entry		*v[3];
	enum store_result	 r1[3], r2[3];
	const int		 fwd[] = { 0, 1, 2 }, rev[] = { 2, 1, 0 };
	char			 h1[65], h2[65];
	char			*d1, *d2, *want;
	json_t			*j;
	int			 win;

	v[0] = mk("urn:m", "https://example.org/m", T0, T0);
	v[1] = mk("urn:m", "https://example.org/m", T0, T0 + 100);
	entry_set(&v[1]->title, "second");
	v[2] = mk("urn:m", "https://example.org/m", T0, T0 + 100);
	entry_set(&v[2]->title, "second, concurrent");

	d1 = apply("m1.db", v, fwd, 3, r1);
	d2 = apply("m2.db", v, rev, 3, r2);
	is_str(d1, d2, "both arrival orders give the same stored entry");
	ok(r1[0] == STORE_INSERTED && r1[1] == STORE_UPDATED,
	    "older then newer: inserted, updated");
	ok(r2[0] == STORE_INSERTED && r2[2] == STORE_STALE,
	    "newer then older: the older is stale");

	digest_hex(v[1], h1);
	digest_hex(v[2], h2);
	win = strcmp(h1, h2) > 0 ? 1 : 2;
	ok(r1[2] == (win == 2 ? STORE_UPDATED : STORE_STALE) &&
	    r2[1] == (win == 1 ? STORE_UPDATED : STORE_STALE),
	    "a tie goes to the greater digest");
	entry_add_peer(v[win], "peer");
	j = entry_to_json(v[win]);
	want = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	is_str(d1, want, "the stored version is the tie's winner");
	free(want);
	free(d1);
	free(d2);

	/* No time at all: the digest alone decides. */
	entry_free(v[0]);
	v[0] = mk("urn:m", NULL, ENTRY_NO_TIME, ENTRY_NO_TIME);
	entry_set(&v[1]->title, "x");
	v[1]->published = v[1]->updated = ENTRY_NO_TIME;
	entry_set(&v[1]->link, NULL);
	d1 = apply("m3.db", v, fwd, 2, r1);
	d2 = apply("m4.db", v, rev + 1, 2, r2);
	is_str(d1, d2, "undated versions converge too");
	free(d1);
	free(d2);

	entry_free(v[0]);
	entry_free(v[1]);
	entry_free(v[2]);
}

static void
test_tombstone(void)
{
	struct store		*s;
	struct entry		*live, *dead, *old, *newer, *g;
	enum store_result	 r;
	const int		 fwd[] = { 0, 1 }, rev[] = { 1, 0 };
	struct entry		*v[2];
	enum store_result	 r1[2], r2[2];
	char			*p, *d1, *d2;

	live = mk("urn:t", "https://example.org/t", T0, T0 + 10);
	dead = mk("urn:t", NULL, ENTRY_NO_TIME, T0 + 10);
	dead->deleted = 1;
	old = mk("urn:t", "https://example.org/t", T0, T0 + 5);
	newer = mk("urn:t", "https://example.org/t", T0, T0 + 20);

	v[0] = live;
	v[1] = dead;
	d1 = apply("t1.db", v, fwd, 2, r1);
	d2 = apply("t2.db", v, rev, 2, r2);
	is_str(d1, d2, "tombstone and live version of the same time converge");
	ok(r1[1] == STORE_UPDATED, "the tombstone replaces a version as old");
	ok(r2[1] == STORE_STALE, "a version as old does not resurrect");
	ok(strstr(d1, "\"deleted\":true") != NULL, "the tombstone is kept");
	free(d1);
	free(d2);

	p = db_path("t3.db");
	s = store_open(p);
	free(p);
	store_entry_upsert(s, dead, "a", &r);
	ok(store_entry_upsert(s, old, "b", &r) == 0 && r == STORE_STALE,
	    "an older live version is stale after the tombstone");
	ok(store_entry_get(s, "urn:t", &g) == 1 && g->deleted,
	    "still deleted");
	entry_free(g);
	is_int(store_count_entries(s), 0, "tombstones are not counted");
	is_int(store_count_peer_entries(s, "b"), 0,
	    "nor counted for their peers");
	ok(store_entry_upsert(s, newer, "b", &r) == 0 && r == STORE_UPDATED,
	    "a newer live version replaces the tombstone");
	ok(store_entry_get(s, "urn:t", &g) == 1 && !g->deleted,
	    "live again");
	entry_free(g);
	old->deleted = 1;
	ok(store_entry_upsert(s, old, "c", &r) == 0 && r == STORE_STALE,
	    "an older tombstone is stale");
	store_close(s);

	entry_free(live);
	entry_free(dead);
	entry_free(old);
	entry_free(newer);
}

static void
test_paging(void)
{
	struct store		*s;
	struct store_query	 q;
	struct listing		 l;
	struct entry		*e;
	enum store_result	 r;
	char			*p, id[32];
	int			 i, pages;

	p = db_path("page.db");
	s = store_open(p);
	free(p);
	/* Two entries share each time: seq breaks the tie. */
	for (i = 0; i < 8; i++) {
		snprintf(id, sizeof(id), "e%d", i);
		e = mk(id, NULL, T0 + (i / 2) * 60, ENTRY_NO_TIME);
		store_entry_upsert(s, e, NULL, &r);
		entry_free(e);
	}
	store_query_init(&q);
	q.limit = 3;
	memset(&l, 0, sizeof(l));
	buf_init(&l.ids);
	for (pages = 0; pages < 10; pages++) {
		int	 before = l.n;

		if (store_query_entries(s, &q, collect_cb, &l) == -1 ||
		    l.n == before)
			break;
		if (pages == 0) {
			/* Newer and same-time entries arrive meanwhile. */
			e = mk("late-new", NULL, T0 + 3600, ENTRY_NO_TIME);
			store_entry_upsert(s, e, NULL, &r);
			entry_free(e);
			e = mk("late-tie", NULL, T0 + 180, ENTRY_NO_TIME);
			store_entry_upsert(s, e, NULL, &r);
			entry_free(e);
		}
		q.before_time = l.last_time;
		q.before_seq = l.last_seq;
	}
	is_str(l.ids.data, "e7,e6,e5,e4,e3,e2,e1,e0",
	    "keyset pages: newest first, none skipped nor repeated");
	is_int(pages, 3, "three pages");
	buf_free(&l.ids);

	store_query_init(&q);
	q.limit = 2;
	p = list(s, &q);
	is_str(p, "late-new,late-tie", "the next reader sees the new ones");
	free(p);

	/* A range of sort times: [T0 + 60, T0 + 180), newest first. */
	store_query_init(&q);
	q.from_time = T0 + 60;
	q.until_time = T0 + 180;
	p = list(s, &q);
	is_str(p, "e5,e4,e3,e2", "range: from included, until excluded");
	free(p);
	/* The cursor pages inside it; the range's end narrows a later one. */
	q.limit = 3;
	q.before_time = T0 + 3600;
	q.before_seq = 1;
	p = list(s, &q);
	is_str(p, "e5,e4,e3", "range: a cursor past its end starts at it");
	free(p);
	q.before_time = T0 + 120;
	q.before_seq = 0;
	p = list(s, &q);
	is_str(p, "e3,e2", "range: a cursor inside it pages on");
	free(p);
	/* Oldest first: the first entry at or after a time (next month). */
	store_query_init(&q);
	q.from_time = T0 + 61;
	q.oldest_first = 1;
	q.limit = 1;
	p = list(s, &q);
	is_str(p, "e4", "oldest first from a time: the next one");
	free(p);
	q.until_time = T0 + 120;
	p = list(s, &q);
	is_str(p, "", "oldest first in an empty range: none");
	free(p);
	store_query_init(&q);
	q.until_time = T0 + 60;
	q.limit = 1;
	p = list(s, &q);
	is_str(p, "e1", "until alone: the newest before it (previous month)");
	free(p);
	store_close(s);
}

static void
test_filters(void)
{
	struct store		*s;
	struct store_query	 q;
	struct entry		*e;
	enum store_result	 r;
	char			*p;
	size_t			 i;
	const struct {
		const char	*id;
		const char	*kind;
		const char	*territory;
		const char	*category;
		const char	*peer;
	} ents[] = {
		{ "a", "job", "auvergne-rhone-alpes", "insertion", "region" },
		{ "b", "event", "auvergne-rhone-alpes/loire", NULL, "dept" },
		{ "c", "job", "auvergne-rhone-alpes/loire/saint-etienne",
		    "insertion", "dept" },
		{ "d", "job", "auvergne-rhone-alpes-bis", "insertion", NULL },
		{ "e", "news", "bretagne", "climat", "region" },
		{ "f", NULL, NULL, NULL, NULL },
	};
	const struct {
		const char	*kind;
		const char	*territory;
		const char	*category;
		const char	*peer;
		const char	*want;
	} qs[] = {
		{ NULL, NULL, NULL, NULL, "f,e,d,c,b,a" },
		{ NULL, "auvergne-rhone-alpes", NULL, NULL, "c,b,a" },
		{ NULL, "auvergne-rhone-alpes/", NULL, NULL, "c,b,a" },
		{ NULL, "auvergne-rhone-alpes/loire", NULL, NULL, "c,b" },
		{ NULL, "auvergne-rhone-alpes-bis", NULL, NULL, "d" },
		{ NULL, "auvergne", NULL, NULL, "" },
		{ NULL, "auvergne-rhone-alpes/loir", NULL, NULL, "" },
		{ "job", NULL, NULL, NULL, "d,c,a" },
		{ "job", "auvergne-rhone-alpes", NULL, NULL, "c,a" },
		{ "job", "auvergne-rhone-alpes/loire", NULL, NULL, "c" },
		{ NULL, NULL, "insertion", NULL, "d,c,a" },
		{ NULL, "auvergne-rhone-alpes", "insertion", NULL, "c,a" },
		{ NULL, NULL, NULL, "dept", "c,b" },
		{ NULL, NULL, NULL, "", "f,d" },
		{ "job", NULL, NULL, "region", "a" },
		{ "job", "auvergne-rhone-alpes", "insertion", "dept", "c" },
		{ NULL, NULL, "climat", "dept", "" },
	};

	p = db_path("filter.db");
	s = store_open(p);
	free(p);
	store_set_now(s, T0);
	for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++) {
		e = mk(ents[i].id, NULL, T0 + i, ENTRY_NO_TIME);
		entry_set(&e->kind, ents[i].kind);
		entry_set(&e->territory, ents[i].territory);
		if (ents[i].category != NULL)
			entry_add_category(e, ents[i].category, NULL, NULL);
		store_entry_upsert(s, e, ents[i].peer, &r);
		entry_free(e);
	}
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		store_query_init(&q);
		q.kind = qs[i].kind;
		q.territory = qs[i].territory;
		q.category = qs[i].category;
		q.peer = qs[i].peer;
		p = list(s, &q);
		is_str(p, qs[i].want, "filter kind=%s territory=%s category=%s"
		    " peer=%s", qs[i].kind ? qs[i].kind : "-",
		    qs[i].territory ? qs[i].territory : "-",
		    qs[i].category ? qs[i].category : "-",
		    qs[i].peer ? qs[i].peer : "-");
		free(p);
	}

	/* A changed territory moves the entry between listings. */
	e = mk("a", NULL, T0, T0 + 1000);
	entry_set(&e->kind, "job");
	entry_set(&e->territory, "bretagne");
	ok(store_entry_upsert(s, e, "region", &r) == 0 && r == STORE_UPDATED,
	    "entry moved to another territory");
	entry_free(e);
	store_query_init(&q);
	q.territory = "bretagne";
	p = list(s, &q);
	is_str(p, "e,a", "listed under its new territory");
	free(p);
	q.territory = "auvergne-rhone-alpes";
	p = list(s, &q);
	is_str(p, "c,b", "and no longer under the old one");
	free(p);
	store_query_init(&q);
	q.peer = "region";
	p = list(s, &q);
	is_str(p, "e,a", "peer listing still has it");
	free(p);

	/* Tombstones listed unless asked; expired entries never. */
	store_set_now(s, T0 + 5000);
	e = mk("b", NULL, ENTRY_NO_TIME, T0 + 2000);
	e->deleted = 1;
	store_entry_upsert(s, e, "dept", &r);
	entry_free(e);
	e = mk("x-expired", NULL, T0 + 100, ENTRY_NO_TIME);
	e->expires = T0 + 4999;
	store_entry_upsert(s, e, NULL, &r);
	entry_set(&e->id, "x-valid");
	e->expires = T0 + 5000;
	store_entry_upsert(s, e, NULL, &r);
	entry_free(e);
	store_query_init(&q);
	q.peer = "dept";
	p = list(s, &q);
	is_str(p, "b(x),c", "tombstones are listed, sorted by update time");
	free(p);
	q.skip_deleted = 1;
	p = list(s, &q);
	is_str(p, "c", "skip_deleted leaves them out");
	free(p);
	store_query_init(&q);
	q.limit = 2;
	p = list(s, &q);
	is_str(p, "b(x),x-valid", "expired entries are not listed");
	free(p);
	store_set_now(s, T0 + 5001);
	p = list(s, &q);
	is_str(p, "b(x),f", "an entry leaves the listing when it expires");
	free(p);

	/* since: what changed at or after a time. */
	store_set_now(s, T0 + 9000);
	e = mk("late", NULL, T0 - 100000, ENTRY_NO_TIME);
	store_entry_upsert(s, e, NULL, &r);
	entry_free(e);
	store_query_init(&q);
	q.since = T0 + 6000;
	p = list(s, &q);
	is_str(p, "late", "since: only entries changed after it");
	free(p);
	q.since = T0 + 5000;
	p = list(s, &q);
	is_str(p, "b(x),late", "since: changed at that time included");
	free(p);
	q.since = 0;
	q.limit = 1;
	p = list(s, &q);
	is_str(p, "b(x)", "since 0: everything");
	free(p);
	q.limit = 0;
	q.since = T0 + 5000;
	q.skip_deleted = 1;
	p = list(s, &q);
	is_str(p, "late", "since with skip_deleted");
	free(p);
	store_close(s);
}

static void
test_peer_state(struct store *s)
{
	struct peer_state	 ps, got;

	ok(store_peer_state_load(s, "nobody", &got) == 0 && got.etag == NULL &&
	    got.failures == 0, "no state stored: 0, initialized");
	peer_state_init(&ps);
	ps.etag = strdup("W/\"abc\"");
	ps.last_modified = strdup("Tue, 24 Nov 2026 10:00:00 GMT");
	ps.body_digest = strdup("00ff");
	ps.last_fetch = T0;
	ps.last_success = T0 - 60;
	ps.next_fetch = T0 + 900;
	ps.http_status = 304;
	ps.failures = 2;
	ps.last_error = strdup("timeout");
	ps.moved_to = strdup("https://new.example.org/feed");
	ps.gone = 1;
	ok(store_peer_state_save(s, "region", &ps) == 0, "peer state saved");
	ok(store_peer_state_load(s, "region", &got) == 1, "peer state loaded");
	is_str(got.etag, ps.etag, "etag");
	is_str(got.last_modified, ps.last_modified, "last_modified");
	is_str(got.body_digest, ps.body_digest, "body_digest");
	ok(got.last_fetch == ps.last_fetch &&
	    got.last_success == ps.last_success &&
	    got.next_fetch == ps.next_fetch, "times");
	ok(got.http_status == 304 && got.failures == 2 && got.gone == 1,
	    "status, failures, gone");
	is_str(got.last_error, "timeout", "last_error");
	is_str(got.moved_to, ps.moved_to, "moved_to");
	peer_state_clear(&got);
	free(ps.etag);
	ps.etag = NULL;
	ps.gone = 0;
	ok(store_peer_state_save(s, "region", &ps) == 0 &&
	    store_peer_state_load(s, "region", &got) == 1 &&
	    got.etag == NULL && got.gone == 0, "saved again: replaced");
	peer_state_clear(&got);

	/* Pulled state is written without waiting for the disk. */
	ok(store_set_durable(s, 0) == 0, "commits need not wait for the disk");
	ok(store_peer_state_save(s, "lazy", &ps) == 0 &&
	    store_peer_state_load(s, "lazy", &got) == 1 &&
	    got.failures == 2, "a state saved so is read back");
	peer_state_clear(&got);
	ok(store_set_durable(s, 1) == 0, "and wait for it again");
	ok(store_begin(s) == 0 && store_set_durable(s, 0) == -1,
	    "not switched inside a transaction");
	store_rollback(s);
	peer_state_clear(&ps);
}

static void
test_generation(struct store *s)
{
	struct entry		*e;
	enum store_result	 r;
	uint64_t		 g;

	store_set_now(s, T0 + 777);
	g = store_generation(s);
	e = mk("urn:g", "https://example.org/g", T0, ENTRY_NO_TIME);
	store_entry_upsert(s, e, NULL, &r);
	is_int(store_generation(s), g + 1, "insert bumps the generation");
	is_int(store_last_change(s), T0 + 777, "last change time");
	store_set_now(s, T0 + 888);
	store_entry_upsert(s, e, NULL, &r);
	is_int(store_generation(s), g + 1, "unchanged: no bump");
	is_int(store_last_change(s), T0 + 777, "unchanged: same last change");

	store_begin(s);
	store_entry_upsert(s, e, NULL, &r);
	ok(store_commit(s) == 0 && store_generation(s) == g + 1,
	    "transaction without change: no bump");
	store_begin(s);
	store_entry_upsert(s, e, "new-peer", &r);
	e->updated = T0 + 50;
	store_entry_upsert(s, e, "new-peer", &r);
	is_int(store_generation(s), g + 1, "no bump before commit");
	ok(store_commit(s) == 0 && store_generation(s) == g + 2,
	    "one bump per committed transaction");
	is_int(store_last_change(s), T0 + 888, "last change at commit");

	store_begin(s);
	e->updated = T0 + 60;
	store_entry_upsert(s, e, NULL, &r);
	store_rollback(s);
	entry_free(e);
	is_int(store_generation(s), g + 2, "rolled back: no bump");
	ok(store_entry_get(s, "urn:g", &e) == 1 && e->updated == T0 + 50,
	    "rolled back: the old version stays");
	entry_free(e);
	store_set_now(s, 0);
}

struct events {
	struct buf	 log;
	int		 commits;
	int		 rollbacks;
};

static void
event_cb(enum store_event ev, const struct entry *e, const char *peer,
    void *arg)
{
	struct events	*evs = arg;

	switch (ev) {
	case STORE_EVENT_CHANGE:
		buf_printf(&evs->log, "%s%s@%s;", e->id,
		    e->deleted ? "(x)" : "", peer);
		break;
	case STORE_EVENT_COMMIT:
		evs->commits++;
		break;
	case STORE_EVENT_ROLLBACK:
		evs->rollbacks++;
		break;
	}
}

/* An entry with many listing tags is listed under each of them. */
static void
test_many_tags(void)
{
	struct store		*s;
	struct store_query	 q;
	struct entry		*e;
	enum store_result	 r;
	char			*p, term[16];
	size_t			 i;
	const char		*tq[][3] = {
		{ "job", "auvergne-rhone-alpes/loire", "term0" },
		{ NULL, NULL, "term15" },
		{ NULL, NULL, "term16" },
		{ NULL, NULL, "term39" },
		{ "job", "auvergne-rhone-alpes/loire/saint-etienne", NULL },
	};

	p = db_path("tags.db");
	s = store_open(p);
	free(p);
	store_set_now(s, T0);
	e = mk("many", NULL, T0 - 1, ENTRY_NO_TIME);
	entry_set(&e->kind, "job");
	entry_set(&e->territory, "auvergne-rhone-alpes/loire/saint-etienne");
	for (i = 0; i < 40; i++) {
		snprintf(term, sizeof(term), "term%zu", i);
		entry_add_category(e, term, NULL, NULL);
	}
	ok(store_entry_upsert(s, e, "manypeer", &r) == 0 &&
	    r == STORE_INSERTED, "an entry with 48 listing tags");
	entry_free(e);
	for (i = 0; i < sizeof(tq) / sizeof(tq[0]); i++) {
		store_query_init(&q);
		q.kind = tq[i][0];
		q.territory = tq[i][1];
		q.category = tq[i][2];
		p = list(s, &q);
		ok(p != NULL && strstr(p, "many") != NULL,
		    "listed by its tag %zu (%s)", i, tq[i][2] ? tq[i][2] :
		    tq[i][1]);
		free(p);
	}
	store_query_init(&q);
	q.peer = "manypeer";
	p = list(s, &q);
	is_str(p, "many", "and by its peer, the last tag");
	free(p);
	store_close(s);
}

/* One integer from SQL on the store's connection, -1 on error. */
static int64_t
sql_count(struct store *s, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 n = -1;

	if (sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL) !=
	    SQLITE_OK)
		return (-1);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (n);
}

/* A number below n from the generator state *x (an LCG). */
static int
pick(unsigned int *x, int n)
{
	*x = *x * 1103515245U + 12345U;
	return ((int)((*x >> 16) % (unsigned int)n));
}

/*
 * Tokens of the tag index that disagree with the tag sets, over every tag
 * in the universe u (SQL rows of one column "tag"): for each, the rowids
 * its token matches in entries_tags against the keys of the entries whose
 * tag set holds it. *pairs gets the (tag, entry) pairs seen.
 */
static int64_t
tag_index_disagrees(struct store *s, const char *u, int64_t *pairs)
{
	sqlite3_stmt	*st;
	struct buf	 b;
	int64_t		 bad = -1;

	buf_init(&b);
	buf_printf(&b, "WITH u(tag) AS (%s),"
	    " t(tag, tok) AS (SELECT DISTINCT tag, feedmesh_tag_token(tag)"
	    " FROM u),"
	    " i(tag, keys) AS (SELECT tag, coalesce((SELECT group_concat(r)"
	    " FROM (SELECT rowid AS r FROM entries_tags WHERE entries_tags"
	    " MATCH '\"' || t.tok || '\"' ORDER BY rowid)), '') FROM t),"
	    " x(tag, keys, n) AS (SELECT tag, coalesce((SELECT group_concat(k)"
	    " FROM (SELECT CASE WHEN e.seq > 536870911 THEN -e.seq ELSE"
	    " ((min(max(e.sort_time, -2208988800), 14970880382) + 2208988800)"
	    " << 29) | e.seq END AS k FROM entry_tagsets s CROSS JOIN entries e"
	    " WHERE instr(s.tags || ' ' || s.cells, t.tok) > 0"
	    " AND e.seq = s.seq ORDER BY k)), ''), (SELECT count(*) FROM"
	    " entry_tagsets s WHERE instr(s.tags || ' ' || s.cells, t.tok) > 0)"
	    " FROM t)"
	    " SELECT (SELECT count(*) FROM i JOIN x USING (tag)"
	    " WHERE i.keys <> x.keys), (SELECT sum(n) FROM x)", u);
	if (sqlite3_prepare_v2(store_sqlite(s), b.data, -1, &st, NULL) !=
	    SQLITE_OK)
		printf("# %s\n", sqlite3_errmsg(store_sqlite(s)));
	else {
		if (sqlite3_step(st) == SQLITE_ROW) {
			bad = sqlite3_column_int64(st, 0);
			*pairs = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	buf_free(&b);
	return (bad);
}

/*
 * The tag index follows every kind of change: new entries, new versions
 * that change tags or sort time, tombstones (which keep their tags, not
 * their places), new paths of unchanged entries, held entries approved
 * or rejected, and a second transaction's changes to the first's.
 */
static void
test_tag_index(void)
{
	static const char *const kinds[] = { "job", "event", "news", NULL };
	static const char *const terrs[] = { "a", "a/b", "a/b/c", "d", NULL };
	static const char *const cats[] = { "x", "y z", "économie" };
	static const char *const peers[] = { "p1", "p2", "held", "" };
	static const char *const held[] = { "held" };
	struct store		*s;
	struct entry		*e;
	enum store_result	 r;
	struct buf		 u;
	char			*p, id[32], cell[64];
	int64_t			 pairs = 0, bad;
	unsigned int		 x;
	int			 version[40], i, j, n, level, round, merged = 0;
	double			 lat, lon;

	p = db_path("tagix.db");
	s = store_open(p);
	free(p);
	store_set_now(s, T0);
	store_set_held_peers(s, held, 1);
	memset(version, 0, sizeof(version));
	buf_init(&u);
	buf_addstr(&u, "VALUES ('k:none')");
	for (i = 0; i < 4; i++) {
		if (kinds[i] != NULL)
			buf_printf(&u, ",('k:%s')", kinds[i]);
		for (j = 0; j < 5; j++)
			if (terrs[j] != NULL && kinds[i] != NULL)
				buf_printf(&u, ",('kt:%s|%s')", kinds[i],
				    terrs[j]);
	}
	for (j = 0; j < 5; j++)
		if (terrs[j] != NULL)
			buf_printf(&u, ",('t:%s')", terrs[j]);
	for (j = 0; j < 3; j++)
		buf_printf(&u, ",('c:%s')", cats[j]);
	srandom(11);
	for (round = 0; round < 6; round++) {
		store_begin(s);
		for (n = 0; n < 60; n++) {
			i = random() % 40;
			snprintf(id, sizeof(id), "urn:tagix:%d", i);
			/*
			 * A new version, or the same again (from another
			 * peer, a new path): its fields come from (i, version).
			 */
			if (random() % 4 != 0 || version[i] == 0)
				version[i]++;
			x = (unsigned int)(i * 7919 + version[i] * 104729);
			e = mk(id, NULL, T0 + pick(&x, 1000),
			    T0 + 2000 + version[i]);
			entry_set(&e->kind, kinds[pick(&x, 4)]);
			entry_set(&e->territory, terrs[pick(&x, 5)]);
			for (j = 0; j < 3; j++)
				if (pick(&x, 2))
					entry_add_category(e, cats[j], NULL,
					    NULL);
			if (pick(&x, 2)) {
				lat = 44.0 + pick(&x, 1000) / 500.0;
				lon = 3.0 + pick(&x, 1000) / 500.0;
				e->has_geo = 1;
				e->lat = lat;
				e->lon = lon;
				for (level = 0; level < 8; level++) {
					store_geo_cell(lat, lon, level, cell,
					    sizeof(cell));
					buf_printf(&u, ",('%s')", cell);
					if (e->kind != NULL)
						buf_printf(&u, ",('%s|%s')",
						    cell, e->kind);
				}
			}
			e->deleted = pick(&x, 8) == 0;
			store_entry_upsert(s, e, peers[random() % 4], &r);
			merged += r == STORE_MERGED;
			entry_free(e);
		}
		store_commit(s);
		/* Some held entries approved, some rejected. */
		for (i = round; i < 40; i += 9) {
			snprintf(id, sizeof(id), "urn:tagix:%d", i);
			if (i % 2)
				store_held_approve(s, id);
			else
				store_held_reject(s, id);
		}
		bad = tag_index_disagrees(s, u.data, &pairs);
		is_int(bad, 0, "round %d: the tag index agrees with the tag "
		    "sets (%lld tags of entries)", round, (long long)pairs);
		is_int(sql_count(s, "SELECT count(*) FROM paths p JOIN entries"
		    " e ON e.seq = p.seq WHERE p.sort_time <> e.sort_time"), 0,
		    "round %d: the paths have their entry's sort time", round);
	}
	ok(pairs > 100 && merged > 5, "the rounds gave entries tags (%lld),"
	    " and new paths to unchanged ones (%d)", (long long)pairs, merged);
	/* It can tell: a tag set changed behind the index's back. */
	sqlite3_exec(store_sqlite(s), "UPDATE entry_tagsets SET tags ="
	    " substr(tags, 22) WHERE tags <> '' AND seq = (SELECT min(seq)"
	    " FROM entry_tagsets WHERE tags <> '')", NULL, NULL, NULL);
	ok(tag_index_disagrees(s, u.data, &pairs) > 0,
	    "a tag set that lost a token disagrees");
	buf_free(&u);
	store_close(s);
}

/* The hub's view: what changed, under which id, and when it commits. */
static void
test_events(struct store *s)
{
	struct events		 evs;
	struct entry		*e, *a;
	enum store_result	 r;

	memset(&evs, 0, sizeof(evs));
	buf_init(&evs.log);
	buf_addstr(&evs.log, "");
	store_set_event_cb(s, event_cb, &evs);
	e = mk("urn:ev", "https://example.org/ev", T0, ENTRY_NO_TIME);
	a = mk("urn:ev-alias", "https://example.org/ev", T0, T0 + 5);
	store_begin(s);
	store_entry_upsert(s, e, "p1", &r);
	store_entry_upsert(s, e, "p2", &r);
	store_entry_upsert(s, a, "p3", &r);
	is_str(evs.log.data, "urn:ev@p1;urn:ev@p3;",
	    "changes: new and newer, under the kept id; a new path is none");
	is_int(evs.commits, 0, "no commit event before commit");
	ok(store_commit(s) == 0 && evs.commits == 1, "one commit event");
	buf_reset(&evs.log);
	store_begin(s);
	e->deleted = 1;
	e->updated = T0 + 9;
	store_entry_upsert(s, e, "p1", &r);
	store_rollback(s);
	is_str(evs.log.data, "urn:ev(x)@p1;", "a tombstone is a change");
	is_int(evs.rollbacks, 1, "rollback event");
	buf_reset(&evs.log);
	store_entry_upsert(s, e, NULL, &r);
	is_str(evs.log.data, "urn:ev(x)@;", "local change outside a transaction");
	is_int(evs.commits, 2, "its own transaction commits");

	/* A hub without subscriptions: commits only, then changes again. */
	buf_reset(&evs.log);
	store_set_event_changes(s, 0);
	e->deleted = 0;
	e->updated = T0 + 20;
	store_begin(s);
	store_entry_upsert(s, e, "p1", &r);
	ok(store_commit(s) == 0 && r == STORE_UPDATED && evs.commits == 3 &&
	    evs.log.len == 0, "changes not wanted: none, the commit all "
	    "the same");
	store_set_event_changes(s, 1);
	e->updated = T0 + 21;
	store_begin(s);
	store_entry_upsert(s, e, "p1", &r);
	ok(store_commit(s) == 0 && evs.commits == 4, "commit");
	is_str(evs.log.data, "urn:ev@p1;",
	    "wanted again: the next change is told");
	store_set_event_cb(s, NULL, NULL);
	entry_free(e);
	entry_free(a);
	buf_free(&evs.log);
}

static void
test_full(struct store *s)
{
	struct entry		*e;
	enum store_result	 r;
	struct ingest		*in;
	struct ingest_stats	 st;
	char			 id[32], *big, *doc;
	int			 i, failed = -1;

	big = malloc(8192);
	memset(big, 'x', 8191);
	big[8191] = '\0';
	if (asprintf(&doc, "<feed xmlns=\"http://www.w3.org/2005/Atom\">"
	    "<entry><id>urn:full:doc</id><title>t</title><summary>%s"
	    "</summary></entry></feed>", big) == -1)
		fatal("%s", __func__);
	ok(store_limit_pages(s, 60) == 0, "database capped");
	ok(store_begin(s) == 0, "begin on a nearly full database");
	for (i = 0; i < 200 && failed == -1; i++) {
		snprintf(id, sizeof(id), "urn:full:%d", i);
		e = mk(id, NULL, T0, ENTRY_NO_TIME);
		entry_set(&e->content, big);
		if (store_entry_upsert(s, e, NULL, &r) == -1)
			failed = i;
		entry_free(e);
	}
	ok(failed >= 0, "a full database fails the upsert (at entry %d)",
	    failed);
	store_rollback(s);
	ok(store_entry_get(s, "urn:full:0", &e) == 0,
	    "rolled back: nothing of the document stored");
	store_rollback(s);
	ok(store_commit(s) == -1, "commit without a transaction fails");
	/*
	 * A document the full store cannot take (capped at its present
	 * size: SQLite raises a cap below it to it): the store is to blame.
	 */
	ok(store_limit_pages(s, 1) == 0, "database capped at its size");
	in = ingest_new(NULL, "http://peer.example/feed", "application/atom+xml");
	ingest_data(in, doc, strlen(doc));
	ok(ingest_finish(in, s, NULL, &st) == -1 && ingest_store_failed(in),
	    "ingest into a full store: a store failure");
	ingest_free(in);
	in = ingest_new(NULL, "http://peer.example/feed", "application/json");
	ok((ingest_data(in, "{\"items\": [", 11) == -1 ||
	    ingest_finish(in, s, NULL,
	    &st) == -1) && !ingest_store_failed(in),
	    "a broken document is not a store failure");
	ingest_free(in);
	ok(store_limit_pages(s, 0) == 0, "cap lifted");
	e = mk("urn:after-full", NULL, T0, ENTRY_NO_TIME);
	ok(store_entry_upsert(s, e, NULL, &r) == 0 && r == STORE_INSERTED,
	    "the store works again");
	entry_free(e);

	/* All or nothing: the failed entry loses the whole transaction. */
	ok(store_limit_pages(s, 60) == 0, "database capped again");
	ok(store_begin_whole(s) == 0, "begin a whole transaction");
	for (i = 0, failed = -1; i < 200 && failed == -1; i++) {
		snprintf(id, sizeof(id), "urn:whole:%d", i);
		e = mk(id, NULL, T0, ENTRY_NO_TIME);
		entry_set(&e->content, big);
		if (store_entry_upsert(s, e, NULL, &r) == -1)
			failed = i;
		entry_free(e);
	}
	ok(failed > 0, "entries go in until the database is full (%d)",
	    failed);
	ok(store_commit(s) == -1, "then the commit fails");
	ok(store_entry_get(s, "urn:whole:0", &e) == 0,
	    "and no entry of the transaction is stored");
	ok(store_limit_pages(s, 0) == 0, "cap lifted");
	ok(store_begin_whole(s) == 0, "a whole transaction again");
	e = mk("urn:whole-ok", NULL, T0, ENTRY_NO_TIME);
	ok(store_entry_upsert(s, e, NULL, &r) == 0 && r == STORE_INSERTED,
	    "its entry is inserted");
	entry_free(e);
	ok(store_commit(s) == 0, "and committed");
	ok(store_entry_get(s, "urn:whole-ok", &e) == 1, "it is stored");
	entry_free(e);
	free(big);
	free(doc);
}


/*
 * Full text: accents and case fold both ways, the title weighs more than
 * the body, tombstones and updates leave the index in step.
 */
static void
test_search(void)
{
	struct store_query	 q;
	struct listing		 l;
	struct store		*s;
	struct entry		*e;
	char			*p, id[32];
	int			 i, n, pages;

	p = db_path("search.db");
	s = store_open(p);
	free(p);
	e = mk("body", NULL, T0 + 300, ENTRY_NO_TIME);
	entry_set(&e->title, "Rapport annuel");
	entry_set(&e->content, "<p>Une offre d&#39;<b>emploi</b> parmi "
	    "d'autres, et l'&eacute;conomie</p>");
	entry_set(&e->content_type, "html");
	put(s, e);
	e = mk("title", NULL, T0 + 100, ENTRY_NO_TIME);
	entry_set(&e->title, "Emploi : chargée de mission");
	entry_set(&e->summary_text, "Économie sociale et solidaire");
	put(s, e);
	e = mk("school", NULL, T0 + 200, ENTRY_NO_TIME);
	entry_set(&e->title, "Une ecole de la transition");
	entry_add_category(e, "cafe-associatif", NULL, "Café associatif");
	put(s, e);

	p = search(s, "\"emploi\"", 0);
	is_str(p, "body,title", "emploi finds Emploi and <b>emploi</b>, "
	    "newest first");
	free(p);
	p = search(s, "\"emploi\"", 1);
	is_str(p, "title,body", "by relevance a title match ranks first");
	free(p);
	p = search(s, "\"economie\"", 0);
	is_str(p, "title", "economie finds Économie (summary)");
	free(p);
	p = search(s, "\"ÉCOLE\"", 0);
	is_str(p, "school", "ÉCOLE finds ecole");
	free(p);
	p = search(s, "\"cafe\"", 0);
	is_str(p, "school", "a category label is searched");
	free(p);
	p = search(s, "\"charg\"*", 0);
	is_str(p, "title", "prefix match on the last word");
	free(p);
	p = search(s, "\"eacute\"", 0);
	is_str(p, "", "entity names are not indexed as words");
	free(p);
	p = search(s, "\"annuel\" \"solidaire\"", 0);
	is_str(p, "", "all words must match");
	free(p);

	/* An update replaces the indexed text; a tombstone removes it. */
	e = mk("title", NULL, T0 + 100, T0 + 1000);
	entry_set(&e->title, "Bénévolat");
	put(s, e);
	p = search(s, "\"emploi\"", 0);
	is_str(p, "body", "the old title is no longer found");
	free(p);
	p = search(s, "\"benevolat\"", 0);
	is_str(p, "title", "the new one is");
	free(p);
	e = mk("body", NULL, T0 + 300, T0 + 2000);
	e->deleted = 1;
	put(s, e);
	p = search(s, "\"emploi\"", 0);
	is_str(p, "", "a tombstone is not indexed");
	free(p);

	/* Paging search results while newer matches arrive. */
	for (i = 0; i < 6; i++) {
		snprintf(id, sizeof(id), "m%d", i);
		e = mk(id, NULL, T0 + 10000 + (i / 2) * 60, ENTRY_NO_TIME);
		entry_set(&e->title, "Offre emploi");
		put(s, e);
	}
	store_query_init(&q);
	q.match = "\"emploi\"";
	q.limit = 4;
	memset(&l, 0, sizeof(l));
	buf_init(&l.ids);
	for (pages = 0; pages < 5; pages++) {
		n = l.n;
		if (store_query_entries(s, &q, collect_cb, &l) == -1 ||
		    l.n == n)
			break;
		if (pages == 0) {
			e = mk("m-late", NULL, T0 + 20000, ENTRY_NO_TIME);
			entry_set(&e->title, "emploi");
			put(s, e);
		}
		q.before_time = l.last_time;
		q.before_seq = l.last_seq;
	}
	is_str(l.ids.data, "m5,m4,m3,m2,m1,m0", "search pages across an "
	    "insert: no duplicate, no gap");
	buf_free(&l.ids);
	store_close(s);
}

/* A point at distance km due north of (lat, lon). */
static struct entry *
mk_geo(const char *id, int64_t t, double lat, double lon)
{
	struct entry	*e;

	e = mk(id, NULL, t, ENTRY_NO_TIME);
	e->has_geo = 1;
	e->lat = lat;
	e->lon = lon;
	return (e);
}

/*
 * Places: radius edges (just inside and just outside, measured along a
 * meridian where 1 degree is 111.195 km), box edges inclusive, across
 * the antimeridian for a radius, and kind combined.
 */
static void
test_places(void)
{
	struct store_query	 q;
	struct store		*s;
	struct entry		*e;
	double			 deg = 180.0 / (M_PI * STORE_EARTH_KM);
	char			*p;

	p = db_path("places.db");
	s = store_open(p);
	free(p);
	/* Saint-Étienne, and points 9.99 and 10.01 km north of it. */
	put(s, mk_geo("center", T0 + 10, 45.4397, 4.3872));
	put(s, mk_geo("in", T0 + 20, 45.4397 + 9.99 * deg, 4.3872));
	put(s, mk_geo("out", T0 + 30, 45.4397 + 10.01 * deg, 4.3872));
	put(s, mk("nowhere", NULL, T0 + 40, ENTRY_NO_TIME));
	e = mk_geo("fiji-w", T0 + 50, -17.0, 179.99);
	entry_set(&e->kind, "actor");
	put(s, e);
	put(s, mk_geo("fiji-e", T0 + 60, -17.0, -179.99));
	put(s, mk_geo("box-corner", T0 + 70, 46.0, 5.0));

	ok(fabs(store_distance_km(0, 0, 1, 0) - 111.195) < 0.01,
	    "one degree of meridian is 111.195 km");
	store_query_init(&q);
	q.geo = STORE_GEO_NEAR;
	q.lat = 45.4397;
	q.lon = 4.3872;
	q.radius_km = 10;
	p = list(s, &q);
	is_str(p, "in,center", "radius 10 km: 9.99 km in, 10.01 km out");
	free(p);
	q.radius_km = 10.02;
	p = list(s, &q);
	is_str(p, "out,in,center", "radius 10.02 km takes it");
	free(p);
	q.lat = -17.0;
	q.lon = 180.0;
	q.radius_km = 5;
	p = list(s, &q);
	is_str(p, "fiji-e,fiji-w", "a radius across the antimeridian");
	free(p);
	q.kind = "actor";
	p = list(s, &q);
	is_str(p, "fiji-w", "radius and kind");
	free(p);

	store_query_init(&q);
	q.geo = STORE_GEO_BOX;
	q.west = 4.0;
	q.south = 45.0;
	q.east = 5.0;
	q.north = 46.0;
	p = list(s, &q);
	is_str(p, "box-corner,out,in,center", "a box includes its edges");
	free(p);
	q.east = 4.999999;
	p = list(s, &q);
	is_str(p, "out,in,center", "a point just east of the box is out");
	free(p);
	q.east = 5.0;
	q.north = 45.4397 + 9.995 * deg;
	p = list(s, &q);
	is_str(p, "in,center", "a point just north of the box is out");
	free(p);
	/* Moved 20 m out of the box: the same cells, a new point. */
	e = mk_geo("in", T0 + 20, 45.4397 + 10.015 * deg, 4.3872);
	e->updated = T0 + 1000;
	put(s, e);
	p = list(s, &q);
	is_str(p, "center", "a point moved out of the box in its cells is out");
	free(p);
	e = mk_geo("in", T0 + 20, 45.4397 + 9.99 * deg, 4.3872);
	e->updated = T0 + 2000;
	put(s, e);

	store_query_init(&q);
	q.geo = STORE_GEO_ANY;
	p = list(s, &q);
	is_str(p, "box-corner,fiji-e,fiji-w,out,in,center",
	    "any point: entries without one are left out");
	free(p);
	e = mk_geo("box-corner", T0 + 70, 46.0, 5.0);
	e->deleted = 1;
	e->updated = T0 + 5000;
	put(s, e);
	p = list(s, &q);
	is_str(p, "fiji-e,fiji-w,out,in,center",
	    "a tombstone leaves the geo index");
	free(p);
	store_close(s);
}

/*
 * 20,000 entries: the newest page of a filtered listing steps the same
 * bounded number of rows as on a small store, with no full scan.
 */
static void
test_cost(void)
{
	struct store_query	 q;
	struct store		*s;
	struct entry		*e;
	int64_t			 full, vm, vm_small = 0;
	char			 id[32], *p;
	int			 i, round;
	const char		*kinds[] = { "job", "event", "news", "actor" };

	p = db_path("cost.db");
	s = store_open(p);
	free(p);
	for (round = 0; round < 2; round++) {
		store_begin(s);
		for (i = round == 0 ? 0 : 200; i < (round == 0 ? 200 : 20000);
		    i++) {
			snprintf(id, sizeof(id), "c%d", i);
			e = mk(id, NULL, T0 + i, ENTRY_NO_TIME);
			entry_set(&e->kind, kinds[i % 4]);
			entry_set(&e->territory, i % 2 ? "bretagne/finistere" :
			    "auvergne-rhone-alpes/loire");
			if (i % 10 == 0) {
				e->has_geo = 1;
				e->lat = 45 + (i % 100) / 100.0;
				e->lon = 4;
			}
			put(s, e);
		}
		store_commit(s);
		store_query_init(&q);
		q.kind = "job";
		q.territory = "auvergne-rhone-alpes";
		q.limit = 20;
		p = list(s, &q);
		free(p);
		store_query_cost(s, &full, &vm);
		is_int(full, 0, "kind+territory page: no full-scan step "
		    "(%s entries)", round == 0 ? "200" : "20,000");
		if (round == 0)
			vm_small = vm;
		else
			ok(vm > 0 && vm <= vm_small + 8, "the same VM steps on "
			    "100 times the entries (%lld, %lld)",
			    (long long)vm_small, (long long)vm);
	}
	store_query_init(&q);
	q.geo = STORE_GEO_ANY;
	q.kind = "news";
	q.limit = 20;
	p = list(s, &q);
	store_query_cost(s, &full, &vm);
	ok(full == 0 && vm < 20 * 200, "GeoJSON page of a kind: bounded "
	    "(%lld steps)", (long long)vm);
	free(p);
	store_close(s);
}

/*
 * A line of a plan that walks an index: a SEARCH, a SCAN using an index,
 * or FTS5 walking a match (idxStr "M..." after the idxNum), with its
 * rowid bounded (sorted by the index: "<" or ">") if bounded is set.
 */
static int
plan_walks(const char *line, int bounded)
{
	const char	*x;

	if (strncmp(line, "SCAN ", 5) != 0)
		return (1);
	if (strstr(line, "USING") != NULL)
		return (1);
	if ((x = strstr(line, "VIRTUAL TABLE INDEX ")) == NULL ||
	    (x = strchr(x, ':')) == NULL || x[1] != 'M')
		return (0);
	return (!bounded || strpbrk(x, "<>") != NULL);
}

static void
test_plans(struct store *s)
{
	struct store_query	 q;
	char			*plan, *line, *save;
	size_t			 i;
	int			 good;
	const struct {
		const char	*kind;
		const char	*territory;
		const char	*category;
		const char	*peer;
		int		 cursor;
	} shapes[] = {
		{ NULL, NULL, NULL, NULL, 0 },
		{ NULL, NULL, NULL, NULL, 1 },
		{ "job", NULL, NULL, NULL, 0 },
		{ "job", NULL, NULL, NULL, 1 },
		{ NULL, "bretagne", NULL, NULL, 0 },
		{ NULL, "bretagne", NULL, NULL, 1 },
		{ "job", "bretagne", NULL, NULL, 1 },
		{ NULL, NULL, "climat", NULL, 1 },
		{ NULL, NULL, NULL, "region", 0 },
		{ NULL, NULL, NULL, "region", 1 },
		{ "job", "bretagne", "climat", "region", 1 },
	};

	for (i = 0; i < sizeof(shapes) / sizeof(shapes[0]); i++) {
		store_query_init(&q);
		q.kind = shapes[i].kind;
		q.territory = shapes[i].territory;
		q.category = shapes[i].category;
		q.peer = shapes[i].peer;
		q.limit = 50;
		if (shapes[i].cursor) {
			q.before_time = T0;
			q.before_seq = 10;
		}
		plan = store_query_explain(s, &q);
		good = plan != NULL && strstr(plan, "TEMP B-TREE") == NULL;
		for (line = plan ? strtok_r(plan, "\n", &save) : NULL;
		    line != NULL; line = strtok_r(NULL, "\n", &save))
			if (!plan_walks(line, shapes[i].cursor))
				good = 0;
		ok(good, "plan of shape %zu walks an index in order", i);
		if (!good && plan != NULL) {
			free(plan);
			plan = store_query_explain(s, &q);
			printf("# %s", plan);
		}
		free(plan);
	}

	/* Search and places: driven by FTS5 or the R*Tree, never a scan. */
	for (i = 0; i < 8; i++) {
		store_query_init(&q);
		q.limit = 50;
		q.kind = i & 1 ? "job" : NULL;
		q.territory = i & 2 ? "bretagne" : NULL;
		switch (i / 2) {
		case 0:
			q.match = "\"emploi\"";
			break;
		case 1:
			q.geo = STORE_GEO_NEAR;
			q.lat = 45;
			q.lon = 4;
			q.radius_km = 10;
			break;
		case 2:
			q.geo = STORE_GEO_BOX;
			q.west = 4;
			q.east = 5;
			q.south = 45;
			q.north = 46;
			break;
		default:
			q.geo = STORE_GEO_ANY;
			q.match = "\"emploi\"";
			q.relevance = 1;
			break;
		}
		plan = store_query_explain(s, &q);
		good = plan != NULL;
		for (line = plan ? strtok_r(plan, "\n", &save) : NULL;
		    line != NULL; line = strtok_r(NULL, "\n", &save))
			/* "SCAN w": the page's rows, read back by rowid. */
			if (strncmp(line, "SCAN ", 5) == 0 &&
			    strstr(line, "USING") == NULL &&
			    strcmp(line, "SCAN w") != 0 &&
			    strcmp(line, "SCAN m") != 0 &&
			    (strstr(line, "VIRTUAL TABLE INDEX") == NULL ||
			    (line[strlen(line) - 1] == ':' &&
			    strstr(line, "INDEX 1:") == NULL)))
				good = 0;
		ok(good, "plan of search/place shape %zu uses an index", i);
		free(plan);
		if (!good) {
			plan = store_query_explain(s, &q);
			printf("# %s", plan ? plan : "(null)\n");
			free(plan);
		}
	}

	/*
	 * Archive months: a range of sort times bounds the index walked
	 * (entries_sort, or the keys of entries_tags), newest or oldest
	 * first, never a sort nor a scan.
	 */
	for (i = 0; i < 8; i++) {
		store_query_init(&q);
		q.limit = 50;
		q.from_time = T0;
		q.until_time = T0 + 30 * 86400;
		q.kind = i & 1 ? "job" : NULL;
		q.territory = i & 2 ? "bretagne" : NULL;
		q.oldest_first = (i & 4) != 0;
		if (i == 4 || i == 5) {
			/* The neighbour after: open-ended, oldest first. */
			q.until_time = ENTRY_NO_TIME;
			q.limit = 1;
		}
		plan = store_query_explain(s, &q);
		good = plan != NULL && strstr(plan, "TEMP B-TREE") == NULL &&
		    (strstr(plan, "sort_time>?") != NULL ||
		    strstr(plan, "sort_time<?") != NULL ||
		    (q.kind != NULL || q.territory != NULL));
		for (line = plan ? strtok_r(plan, "\n", &save) : NULL;
		    line != NULL; line = strtok_r(NULL, "\n", &save))
			if (!plan_walks(line, 1))
				good = 0;
		ok(good, "plan of month shape %zu: a range of an index", i);
		free(plan);
		if (!good) {
			plan = store_query_explain(s, &q);
			printf("# %s", plan ? plan : "(null)\n");
			free(plan);
		}
	}

	/* Catching up walks the changes, not the whole store. */
	store_query_init(&q);
	q.since = T0;
	q.limit = 50;
	plan = store_query_explain(s, &q);
	ok(plan != NULL && strstr(plan, "USING INDEX entries_changed (changed>?)")
	    != NULL, "since: a range of entries_changed");
	free(plan);
}

/* The canonical JSON of the stored entry, without its peers. */
static char *
canon_of(struct store *s, const char *id)
{
	struct entry	*e;
	json_t		*j;
	char		*d;
	size_t		 i;

	if (store_entry_get(s, id, &e) != 1)
		return (strdup("(none)"));
	for (i = 0; i < e->npeers; i++)
		free(e->peers[i]);
	e->npeers = 0;
	j = entry_to_json(e);
	d = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	json_decref(j);
	entry_free(e);
	return (d);
}

/*
 * The stored document is written by store.c's own JSON writer: it must
 * be, byte for byte, what jansson writes for the same tree (compact,
 * sorted keys), since digests of it are compared between nodes and with
 * stores written before. Strings with every kind of escape, non-ASCII,
 * an integer and reals.
 */
static void
test_canonical_text(void)
{
	struct store	*s;
	struct entry	*e;
	sqlite3		*db;
	sqlite3_stmt	*st;
	json_t		*j;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0, i;
	char		*p, *want, *again, *doc = NULL, hex[65];
	char		 digest[65] = "";

	s = fresh("canon.db");
	e = mk("urn:canon:\"q\"\\", "https://example.org/a?b=1&c=\"2\"",
	    T0, T0 + 5);
	entry_set(&e->title, "tab\there, nl\nthere, cr\r, bs\b, ff\f, "
	    "ctl\x01\x1f, del\x7f, quote \" slash / backslash \\");
	entry_set(&e->summary_text, "Économie « sociale » — 😀 \xe2\x80\xa8");
	entry_set(&e->content, "<p>caf\xc3\xa9 &amp; th\xc3\xa9</p>");
	entry_set(&e->content_type, "html");
	entry_add_category(e, "c\"at", NULL, "Lab\\el");
	entry_add_enclosure(e, "https://example.org/f.mp3", "audio/mpeg",
	    1234567890123LL);
	e->has_geo = 1;
	e->lat = 45.439700000000002;
	e->lon = -0.1;
	put(s, e);
	want = canon_of(s, "urn:canon:\"q\"\\");
	store_close(s);

	p = db_path("canon.db");
	if (sqlite3_open(p, &db) == SQLITE_OK && sqlite3_prepare_v2(db,
	    "SELECT doc, digest FROM entries", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW) {
			doc = strdup((const char *)sqlite3_column_text(st, 0));
			snprintf(digest, sizeof(digest), "%s",
			    (const char *)sqlite3_column_text(st, 1));
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	free(p);
	ok(doc != NULL, "the stored document is read back");
	if (doc == NULL)
		doc = strdup("");
	is_str(doc, want, "stored text = jansson's text of the same entry");
	j = json_loads(doc, 0, NULL);
	again = j != NULL ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	is_str(again != NULL ? again : "(unparsable)", doc,
	    "and what jansson writes again after reading it");
	ok(strstr(doc, "\\u0001\\u001F") != NULL &&
	    strstr(doc, "del\x7f,") != NULL && strstr(doc, "😀") != NULL,
	    "control characters as \\u00XX, DEL and UTF-8 as they are");
	EVP_Digest(doc, strlen(doc), md, &len, EVP_sha256(), NULL);
	for (i = 0; i < len; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	is_str(digest, hex, "the digest column is SHA-256 of the text");
	json_decref(j);
	free(again);
	free(want);
	free(doc);
}

/*
 * A store of schema 5 kept its full-text and geo indexes with triggers;
 * step 6 drops them (store.c keeps the indexes itself). Made here from a
 * new store given back its version 5 triggers: after the upgrade no
 * trigger is left, and updates, tombstones and new entries still keep
 * both indexes in step (a trigger left behind would index twice).
 */
static void
test_migrate_triggers(void)
{
	static const char *const v5 =
	    "CREATE TRIGGER entries_text_ai AFTER INSERT ON entries"
	    " WHEN new.deleted = 0 BEGIN INSERT INTO entries_fts (rowid,"
	    " title, summary, content, categories) VALUES (new.seq,"
	    " feedmesh_text(new.doc, 'title'), feedmesh_text(new.doc,"
	    " 'summary'), feedmesh_text(new.doc, 'content'),"
	    " feedmesh_text(new.doc, 'categories')); END;"
	    "CREATE TRIGGER entries_text_au_new AFTER UPDATE OF doc, deleted"
	    " ON entries WHEN new.deleted = 0 BEGIN INSERT INTO entries_fts"
	    " (rowid, title, summary, content, categories) VALUES (new.seq,"
	    " feedmesh_text(new.doc, 'title'), feedmesh_text(new.doc,"
	    " 'summary'), feedmesh_text(new.doc, 'content'),"
	    " feedmesh_text(new.doc, 'categories')); END;"
	    "CREATE TRIGGER entries_geo_ad AFTER DELETE ON entries BEGIN"
	    " DELETE FROM entries_geo WHERE seq = old.seq; END;"
	    "DELETE FROM entry_tags WHERE tag >= 'g0' AND tag < 'g:';"
	    "ALTER TABLE entry_tags DROP COLUMN lat;"
	    "ALTER TABLE entry_tags DROP COLUMN lon;"
	    "PRAGMA user_version = 5;";
	struct store_query	 q;
	struct store		*s;
	struct entry		*e;
	sqlite3			*db;
	char			*p, *l;
	int64_t			 triggers = -1, current;
	sqlite3_stmt		*st;

	s = fresh("v5.db");
	e = mk_geo("old", T0 + 10, 45.0, 4.0);
	entry_set(&e->summary_text, "Atelier de réparation");
	put(s, e);
	store_close(s);
	p = db_path("v5.db");
	current = user_version(p);
	is_int(store_step8(p, v5), 0, "schema 5's tags, every one found back");
	is_int(user_version(p), 5, "a store of schema 5, with its triggers");

	s = store_open(p);
	ok(s != NULL, "schema 5 is upgraded");
	if (s == NULL) {
		free(p);
		return;
	}
	is_int(user_version(p), current, "to the current schema (%lld)",
	    (long long)current);
	if (sqlite3_open(p, &db) == SQLITE_OK && sqlite3_prepare_v2(db,
	    "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger'", -1,
	    &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			triggers = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	is_int(triggers, 0, "no trigger left");

	l = search(s, "\"reparation\"", 0);
	is_str(l, "old", "text indexed under schema 5 is still found");
	free(l);
	e = mk_geo("old", T0 + 10, 46.0, 5.0);
	e->updated = T0 + 20;
	entry_set(&e->summary_text, "Repair café");
	put(s, e);
	put(s, mk_geo("new", T0 + 30, 45.0, 4.0));
	l = search(s, "\"reparation\"", 0);
	is_str(l, "", "an update replaces the indexed text");
	free(l);
	l = search(s, "\"repair\"", 0);
	is_str(l, "old", "with the new text, once");
	free(l);
	store_query_init(&q);
	q.geo = STORE_GEO_BOX;
	q.south = 44.5;
	q.north = 45.5;
	q.west = 3.5;
	q.east = 4.5;
	l = list(s, &q);
	is_str(l, "new", "the old point left the geo index, a new one came");
	free(l);
	e = mk("new", NULL, T0 + 30, T0 + 40);
	e->deleted = 1;
	put(s, e);
	l = list(s, &q);
	is_str(l, "", "a tombstone leaves the geo index");
	free(l);
	store_close(s);
	free(p);
}

/* A store of its own for one test, under a fixed clock. */
static struct store *
fresh(const char *name)
{
	struct store	*s;
	char		*p;

	p = db_path(name);
	unlink(p);
	s = store_open(p);
	free(p);
	if (s != NULL)
		store_set_now(s, T0 + 1000);
	return (s);
}

/* Three versions of one entry, each under another id, one permalink. */
static struct entry *
version_of(int i)
{
	static const char *const ids[] = {
		"urn:c", "https://example.org/p/1", "tag:b,2026:1"
	};
	struct entry	*e;

	e = mk(ids[i], "https://example.org/p/1", T0, T0 + 10 * (i % 2));
	entry_set(&e->title, i == 2 ? "third" : "a title");
	return (e);
}

/*
 * Every order of arrival of the three versions gives the same kept id and
 * the same document, byte for byte, and the same state digest.
 */
static void
test_kept_id(void)
{
	static const int perms[6][3] = {
		{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
		{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 }
	};
	struct store	*s;
	struct entry	*e;
	char		 name[32], hex[STORE_STATE_DIGEST_LEN];
	char		 hex0[STORE_STATE_DIGEST_LEN];
	char		*d, *d0 = NULL;
	int		 i, j, same = 1, digests = 1, one = 1;

	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "perm%d.db", i);
		if ((s = fresh(name)) == NULL) {
			same = 0;
			continue;
		}
		for (j = 0; j < 3; j++) {
			e = version_of(perms[i][j]);
			store_entry_upsert(s, e, j == 1 ? "p1" : "p2", NULL);
			entry_free(e);
		}
		/* Peers differ by order: compare the canonical form only. */
		d = canon_of(s, "urn:c");
		if (d0 == NULL)
			d0 = d;
		else {
			same &= strcmp(d, d0) == 0;
			free(d);
		}
		one &= store_count_entries(s) == 1;
		store_state_digest(s, hex);
		if (i == 0)
			memcpy(hex0, hex, sizeof(hex));
		digests &= strcmp(hex, hex0) == 0;
		store_close(s);
	}
	ok(one, "each order: one entry");
	ok(same, "each order: the same document");
	ok(d0 != NULL && strstr(d0, "\"id\":\"https://example.org/p/1\"") !=
	    NULL, "the smallest id is kept");
	ok(d0 != NULL && strstr(d0, "\"title\":\"a title\"") != NULL &&
	    strstr(d0, "2025-11-24T16:00:10Z") != NULL,
	    "the newest version wins");
	ok(digests, "each order: the same state digest");
	free(d0);
}

/* The state digest: order and paths do not matter; a tombstone does. */
static void
test_state_digest(void)
{
	struct store	*a, *b;
	struct entry	*e[4];
	char		 ha[STORE_STATE_DIGEST_LEN], hb[STORE_STATE_DIGEST_LEN];
	char		 empty[STORE_STATE_DIGEST_LEN];
	int		 i;

	a = fresh("dga.db");
	b = fresh("dgb.db");
	if (a == NULL || b == NULL) {
		ok(0, "digest stores opened");
		store_close(a);
		store_close(b);
		return;
	}
	ok(store_state_digest(a, empty) == 0 && strcmp(empty,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
	    == 0, "an empty store digests nothing");
	e[0] = mk("urn:d1", NULL, T0, T0 + 1);
	e[1] = mk("urn:d2", NULL, T0, T0 + 2);
	e[2] = mk("urn:d1", NULL, T0, T0 + 5);
	entry_set(&e[2]->title, "newer");
	e[3] = mk("urn:d3", "https://example.org/d3", T0, ENTRY_NO_TIME);
	for (i = 0; i < 4; i++)
		store_entry_upsert(a, e[i], "left", NULL);
	for (i = 3; i >= 0; i--)
		store_entry_upsert(b, e[i], i % 2 ? "x" : NULL, NULL);
	store_state_digest(a, ha);
	store_state_digest(b, hb);
	is_str(ha, hb, "same versions, other order and paths: same digest");
	ok(strcmp(ha, empty) != 0, "the digest covers the entries");
	is_int(store_count_tombstones(a), 0, "no tombstone yet");

	e[0]->deleted = 1;
	e[0]->updated = T0 + 9;
	store_entry_upsert(b, e[0], "x", NULL);
	store_state_digest(b, hb);
	ok(strcmp(ha, hb) != 0, "one more tombstone changes it");
	is_int(store_count_tombstones(b), 1, "one tombstone counted");
	is_int(store_count_entries(b), 2, "two entries counted");
	store_entry_upsert(a, e[0], "y", NULL);
	store_state_digest(a, ha);
	is_str(ha, hb, "the same tombstone: equal again");
	for (i = 0; i < 4; i++)
		entry_free(e[i]);
	store_close(a);
	store_close(b);
}

/* Moderation: held entries wait, approve shows them, reject bans them. */
static int
held_cb(const struct entry *e, const char *peer, int64_t first_seen,
    void *arg)
{
	buf_printf(arg, "%s@%s:%lld;", e->id, peer,
	    (long long)(first_seen - T0));
	return (0);
}

static void
test_moderation(void)
{
	static const char *const held[] = { "local" };
	struct store		*s;
	struct store_query	 q;
	struct events		 evs;
	struct entry		*e;
	struct buf		 b;
	enum store_result	 r;
	char			 h0[STORE_STATE_DIGEST_LEN];
	char			 h1[STORE_STATE_DIGEST_LEN];
	char			*l;

	if ((s = fresh("mod.db")) == NULL) {
		ok(0, "moderation store opened");
		return;
	}
	memset(&evs, 0, sizeof(evs));
	buf_init(&evs.log);
	buf_addstr(&evs.log, "");
	store_set_event_cb(s, event_cb, &evs);
	store_set_held_peers(s, held, 1);
	store_query_init(&q);
	store_state_digest(s, h0);

	e = mk("urn:m1", NULL, T0, T0);
	ok(store_entry_upsert(s, e, "local", &r) == 0 && r == STORE_INSERTED,
	    "a held peer's new entry is stored");
	e->updated = T0 + 1;
	store_entry_upsert(s, e, "local", &r);
	entry_free(e);
	e = mk("urn:m2", NULL, T0, T0);
	store_entry_upsert(s, e, "local", &r);
	entry_free(e);
	e = mk("urn:m3", NULL, T0, T0);
	store_entry_upsert(s, e, "region", &r);
	entry_free(e);
	l = list(s, &q);
	is_str(l, "urn:m3", "held entries are not listed");
	free(l);
	is_int(store_count_entries(s), 1, "nor counted");
	is_int(store_count_peer_entries(s, "local"), 0, "nor counted by peer");
	is_str(evs.log.data, "urn:m3@region;", "nor announced");
	is_int(store_entry_held(s, "urn:m1"), 1, "held");
	is_int(store_entry_held(s, "urn:m3"), 0, "not held");

	buf_init(&b);
	buf_addstr(&b, "");
	store_held_list(s, held_cb, &b);
	is_str(b.data, "urn:m1@local:1000;urn:m2@local:1000;",
	    "the queue, oldest first");

	/* The same entry through a peer that is not held: visible. */
	e = mk("urn:m2", NULL, T0, T0);
	store_entry_upsert(s, e, "region", &r);
	entry_free(e);
	is_int(store_entry_held(s, "urn:m2"), 0, "a peer not held frees it");
	is_str(evs.log.data, "urn:m3@region;urn:m2@region;",
	    "and announces it");

	buf_reset(&evs.log);
	store_state_digest(s, h0);
	is_int(store_held_approve(s, "urn:m1"), 1, "approved");
	is_str(evs.log.data, "urn:m1@local;", "approval is a change");
	store_state_digest(s, h1);
	ok(strcmp(h0, h1) != 0, "an approved entry enters the digest");
	is_int(store_held_approve(s, "urn:m1"), 0, "approve twice: no-op");
	is_int(store_held_approve(s, "urn:none"), 0, "approve unknown: 0");

	e = mk("urn:m4", NULL, T0, T0);
	store_entry_upsert(s, e, "local", &r);
	is_int(store_held_reject(s, "urn:m4"), 1, "rejected");
	is_int(store_entry_held(s, "urn:m4"), 0, "gone from the queue");
	ok(store_entry_upsert(s, e, "local", &r) == 0 && r == STORE_STALE,
	    "the same peer cannot bring it back");
	entry_free(e);
	ok(store_entry_get(s, "urn:m4", &e) == 0, "not stored again");
	entry_free(e);
	e = mk("urn:m4", NULL, T0, T0);
	ok(store_entry_upsert(s, e, "region", &r) == 0 && r == STORE_INSERTED,
	    "another peer still can");
	entry_free(e);
	store_set_event_cb(s, NULL, NULL);
	buf_free(&evs.log);
	buf_free(&b);
	store_close(s);
}

/* Expiry: identical tombstones, listed, pushed; retention of tombstones. */
static void
test_expire(void)
{
	struct store		*a, *b;
	struct store_query	 q;
	struct events		 evs;
	struct entry		*e, *g;
	char			*da, *db, *l;
	int			 n;

	a = fresh("exa.db");
	b = fresh("exb.db");
	if (a == NULL || b == NULL) {
		ok(0, "expiry stores opened");
		store_close(a);
		store_close(b);
		return;
	}
	memset(&evs, 0, sizeof(evs));
	buf_init(&evs.log);
	buf_addstr(&evs.log, "");
	store_set_event_cb(a, event_cb, &evs);
	store_query_init(&q);

	e = mk("urn:job", "https://example.org/job", T0, T0 + 1);
	e->expires = T0 + 500;
	entry_set(&e->kind, "job");
	store_entry_upsert(a, e, "p", NULL);
	e->updated = T0 + 2;
	entry_set(&e->title, "another version");
	store_entry_upsert(b, e, "q", NULL);
	e->expires = T0 + 5000;
	entry_free(e);
	e = mk("urn:later", NULL, T0, T0);
	e->expires = T0 + 5000;
	store_entry_upsert(a, e, "p", NULL);
	entry_free(e);

	buf_reset(&evs.log);
	ok(store_expire(a, &n) == 0 && n == 1, "one entry expired");
	ok(store_expire(b, &n) == 0 && n == 1, "on the other node too");
	da = doc_of(a, "urn:job");
	db = doc_of(b, "urn:job");
	ok(strstr(da, "\"deleted\":true") != NULL &&
	    strstr(da, "another") == NULL && strstr(da, "example.org") == NULL,
	    "a tombstone without content");
	ok(store_entry_get(a, "urn:job", &e) == 1 && store_entry_get(b,
	    "urn:job", &g) == 1 && e->updated == T0 + 500 &&
	    g->updated == T0 + 500 && e->deleted && g->deleted,
	    "made at the expiry time on both nodes");
	entry_free(e);
	entry_free(g);
	free(da);
	free(db);
	is_str(evs.log.data, "urn:job(x)@;", "the expiry is a change");
	l = list(a, &q);
	is_str(l, "urn:job(x),urn:later", "listed as deleted");
	free(l);
	q.kind = "job";
	l = list(a, &q);
	is_str(l, "urn:job(x)", "and in the listings that showed it");
	free(l);
	q.kind = NULL;
	ok(store_expire(a, &n) == 0 && n == 0, "a second sweep: nothing");

	/* A peer re-serving the expired version cannot bring it back. */
	e = mk("urn:job", "https://example.org/job", T0, T0 + 1);
	e->expires = T0 + 500;
	store_entry_upsert(a, e, "p", NULL);
	entry_free(e);
	ok(store_entry_get(a, "urn:job", &e) == 1 && e->deleted,
	    "a stale version does not resurrect it");
	entry_free(e);
	e = mk("urn:job:copy", "https://example.org/job/", T0, T0 + 1);
	store_entry_upsert(a, e, "p", NULL);
	entry_free(e);
	l = list(a, &q);
	is_str(l, "urn:job(x),urn:later",
	    "nor a stale copy under another id with the same permalink");
	free(l);

	/* Retention: an old tombstone is kept but not listed. */
	store_set_tombstone_ttl(a, 3600);
	store_set_now(a, T0 + 500 + 3601);
	ok(store_expire(a, &n) == 0, "sweep after the ttl");
	l = list(a, &q);
	is_str(l, "urn:later", "a tombstone past its ttl is not listed");
	free(l);
	e = mk("urn:job", "https://example.org/job", T0, T0 + 1);
	store_entry_upsert(a, e, "p", NULL);
	entry_free(e);
	l = list(a, &q);
	is_str(l, "urn:later", "and still wins over a stale version");
	free(l);
	store_set_event_cb(a, NULL, NULL);
	buf_free(&evs.log);
	store_close(a);
	store_close(b);
}

int
main(void)
{
	struct store		*s;
	struct entry		*e;
	struct peer_state	 ps;
	sqlite3			*db;
	FILE			*f;
	char			*p, *d1, *d2;
	int64_t			 lc;
	int			 version;

	log_init(1, LOG_LEVEL_WARN, "store_test");
	if (tmpdir_make("store") == -1)
		return (1);

	p = db_path("main.db");
	s = store_open(p);
	ok(s != NULL, "store created");
	if (s == NULL) {
		tmp_cleanup();
		return (tap_done());
	}
	/* Modules append migrations (websub, hub, publish): one or more. */
	version = user_version(p);
	ok(version >= 1, "schema version set (%d)", version);
	test_identity(s);
	test_peer_state(s);
	test_generation(s);
	test_events(s);
	test_many_tags();
	test_tag_index();
	test_tag_tokens();
	test_full(s);
	test_plans(s);
	test_kept_id();
	test_state_digest();
	test_moderation();
	test_expire();
	test_cache();
	test_paths_rev();
	d1 = doc_of(s, "tag:a,2026:1");
	lc = store_last_change(s);
	store_close(s);

	s = store_open(p);
	ok(s != NULL, "store reopened");
	if (s != NULL) {
		d2 = doc_of(s, "urn:other");
		is_str(d2, d1, "entries, aliases and paths survive a reopen");
		free(d2);
		is_int(store_last_change(s), lc, "last change survives");
		ok(store_peer_state_load(s, "region", &ps) == 1 &&
		    ps.failures == 2, "peer state survives");
		peer_state_clear(&ps);
		ok(store_entry_get(s, "urn:after-full", &e) == 1,
		    "committed entry survives");
		entry_free(e);
		store_close(s);
	}
	free(d1);
	is_int(user_version(p), version, "schema version kept");

	/* A database from a newer feedmesh is refused. */
	if (sqlite3_open(p, &db) == SQLITE_OK) {
		sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL);
		sqlite3_close(db);
	}
	s = store_open(p);
	ok(s == NULL, "a newer schema is refused");
	store_close(s);
	free(p);

	p = db_path("notadb.db");
	if ((f = fopen(p, "w")) != NULL) {
		fputs("this is not a database, just text long enough to be "
		    "read as a header by SQLite ............................"
		    "........................................", f);
		fclose(f);
	}
	ok(store_open(p) == NULL, "a file that is not a database is refused");
	free(p);

	test_merge();
	test_tombstone();
	test_paging();
	test_filters();
	test_search();
	test_places();
	test_cost();
	test_canonical_text();
	test_migrate_triggers();
	test_text_update();

	tmp_cleanup();
	return (tap_done());
}

struct dumped {
	struct store	*s;
	struct buf	 out;
	uint64_t	 serial;	/* of the last entry */
};

/* Each entry in full (peers too) and its serial, a line each. */
static int
dump_cb(const struct entry *e, int64_t sort_time, int64_t seq, void *arg)
{
	struct dumped	*d = arg;
	json_t		*j;
	char		*t;

	j = entry_to_json(e);
	t = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	buf_printf(&d->out, "%lld %lld %s\n", (long long)sort_time,
	    (long long)seq, t);
	free(t);
	json_decref(j);
	d->serial = store_query_serial(d->s);
	return (0);
}

static char *
dump(struct store *s, const struct store_query *q, uint64_t *serial)
{
	struct dumped	 d;

	memset(&d, 0, sizeof(d));
	d.s = s;
	buf_init(&d.out);
	buf_addstr(&d.out, "");
	if (store_query_entries(s, q, dump_cb, &d) == -1)
		buf_addstr(&d.out, "ERROR");
	if (serial != NULL)
		*serial = d.serial;
	return (buf_release(&d.out));
}

/*
 * An update keeps the words both versions share in the full-text index
 * and drops those of the old version only. Schema 5's triggers added
 * the new terms before deleting the old ones: on a contentless FTS5
 * table that deleted the shared words too.
 */
static void
test_text_update(void)
{
	struct store_query	 q;
	struct store		*s;
	struct entry		*e;
	enum store_result	 r;
	char			*out;

	if ((s = fresh("textupdate.db")) == NULL) {
		ok(0, "text update store opens");
		return;
	}
	e = mk("tag:t,2026:v", "https://t.example/v", T0, T0);
	entry_set(&e->title, "Atelier vélo");
	entry_set(&e->summary, "<p>réparation</p>");
	store_entry_upsert(s, e, "p1", &r);
	entry_free(e);
	e = mk("tag:t,2026:v", "https://t.example/v", T0, T0 + 60);
	entry_set(&e->title, "Atelier vélo solidaire");
	entry_set(&e->summary, "<p>entretien</p>");
	store_entry_upsert(s, e, "p1", &r);
	entry_free(e);
	is_int(r, STORE_UPDATED, "the second version is an update");

	store_query_init(&q);
	q.limit = 10;
	q.match = "\"atelier\"";
	out = dump(s, &q, NULL);
	ok(strstr(out, "tag:t,2026:v") != NULL, "a word both versions share "
	    "still finds the entry");
	free(out);
	q.match = "\"solidaire\"";
	out = dump(s, &q, NULL);
	ok(strstr(out, "tag:t,2026:v") != NULL, "a word of the new version "
	    "finds it");
	free(out);
	q.match = "\"reparation\"";
	out = dump(s, &q, NULL);
	ok(strstr(out, "tag:t,2026:v") == NULL, "a word of the old version "
	    "only does not");
	free(out);
	store_close(s);
}

static int64_t
paths_rev_of(struct store *s, const char *id)
{
	char	 sql[256];

	snprintf(sql, sizeof(sql), "SELECT paths_rev FROM entries"
	    " WHERE id = '%s'", id);
	return (sql_count(s, sql));
}

/*
 * A tag's token is the first 80 bits of its SHA-256 in hex (SECURITY
 * rests on it): 3,000 tags, short and long, twice over.
 */
static void
test_tag_tokens(void)
{
	struct store	*s;
	sqlite3_stmt	*st = NULL;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen;
	char		 tag[128], want[65];
	const char	*got;
	int		 i, pass, n = 0, bad = 0;

	if ((s = fresh("tokens.db")) == NULL ||
	    sqlite3_prepare_v2(store_sqlite(s), "SELECT "
	    "feedmesh_tag_token(?1)", -1, &st, NULL) != SQLITE_OK) {
		ok(0, "tokens store opens");
		store_close(s);
		return;
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < 3000; i++) {
			snprintf(tag, sizeof(tag), i % 7 == 0 ? "c:a category "
			    "term long enough to be hashed each time %d" :
			    "c:term %d", (i * 7919) % 3000);
			EVP_Digest(tag, strlen(tag), md, &mdlen, EVP_sha256(),
			    NULL);
			buf_hex(want, md, 10);
			sqlite3_bind_text(st, 1, tag, -1, SQLITE_STATIC);
			got = sqlite3_step(st) == SQLITE_ROW ?
			    (const char *)sqlite3_column_text(st, 0) : NULL;
			if (got == NULL || strcmp(got, want) != 0)
				bad++;
			n++;
			sqlite3_reset(st);
		}
	sqlite3_finalize(st);
	ok(n == 6000 && bad == 0, "tag tokens are SHA-256's (%d of %d "
	    "differ)", bad, n);
	store_close(s);
}

/*
 * paths_rev names an entry's set of paths for the listings' cache: a new
 * path draws a new value, a value is never drawn twice, neither after a
 * rollback (a listing inside it may have cached it) nor after a restart,
 * and a seq used again by another entry gets a value of its own.
 */
static void
test_paths_rev(void)
{
	struct store		*s;
	struct entry		*e;
	enum store_result	 r;
	char			*p;
	int64_t			 a0, a1, a2, inside, after, restart, meta;

	if ((s = fresh("paths_rev.db")) == NULL) {
		ok(0, "paths_rev store opens");
		return;
	}
	e = mk("tag:r,2026:a", "https://r.example/a", T0, ENTRY_NO_TIME);
	store_entry_upsert(s, e, "p1", &r);
	a0 = paths_rev_of(s, "tag:r,2026:a");
	store_entry_upsert(s, e, "p1", &r);
	a1 = paths_rev_of(s, "tag:r,2026:a");
	store_entry_upsert(s, e, "p2", &r);
	a2 = paths_rev_of(s, "tag:r,2026:a");
	ok(a0 > 0 && a1 == a0 && a2 > a1 && r == STORE_MERGED, "a new entry "
	    "draws a paths_rev (%lld), the same path keeps it (%lld), a new "
	    "one draws another (%lld)", (long long)a0, (long long)a1,
	    (long long)a2);

	store_begin(s);
	store_entry_upsert(s, e, "p3", &r);
	inside = paths_rev_of(s, "tag:r,2026:a");
	store_rollback(s);
	store_entry_upsert(s, e, "p4", &r);
	after = paths_rev_of(s, "tag:r,2026:a");
	ok(inside > a2 && after > inside, "after a rollback the value drawn "
	    "inside is not drawn again (%lld, then %lld)", (long long)inside,
	    (long long)after);
	meta = sql_count(s, "SELECT value FROM meta WHERE key = 'paths_rev'");
	p = strdup(store_path(s));
	store_close(s);

	s = store_open(p);
	free(p);
	if (s == NULL) {
		ok(0, "paths_rev store reopens");
		entry_free(e);
		return;
	}
	store_set_now(s, T0 + 1000);
	/* The entry goes, and its seq comes back for another. */
	store_begin(s);
	sql_count(s, "DELETE FROM entries WHERE id = 'tag:r,2026:a'");
	store_commit(s);
	entry_set(&e->id, "tag:r,2026:b");
	entry_set(&e->link, "https://r.example/b");
	store_entry_upsert(s, e, "p1", &r);
	restart = paths_rev_of(s, "tag:r,2026:b");
	ok(meta == after && restart > after && sql_count(s, "SELECT seq FROM "
	    "entries WHERE id = 'tag:r,2026:b'") == 1, "after a restart, the "
	    "same seq gets a value never drawn (%lld, the last was %lld)",
	    (long long)restart, (long long)after);
	entry_free(e);
	store_close(s);
}

/*
 * The cache of decoded entries: a warm listing is the cold one, and no
 * change (update, new path, tombstone, rollback, hold, expiry) is hidden.
 */
static void
test_cache(void)
{
	struct store_cache_stats	 st;
	struct store_query		 q;
	struct store			*s;
	struct entry			*e;
	enum store_result		 r;
	const char			*held[] = { "bad" };
	char				*cold, *warm, *t;
	uint64_t			 s1, s2;

	if ((s = fresh("cache.db")) == NULL) {
		ok(0, "cache store opens");
		return;
	}
	store_query_init(&q);
	q.limit = 10;
	e = mk("tag:c,2026:a", "https://c.example/a", T0, ENTRY_NO_TIME);
	entry_set(&e->kind, "job");
	store_entry_upsert(s, e, "p1", &r);
	entry_free(e);
	e = mk("tag:c,2026:b", "https://c.example/b", T0 + 10, T0 + 10);
	entry_set(&e->summary, "<p>first</p>");
	e->has_geo = 1;
	e->lat = 45.1;
	e->lon = 4.1;
	store_entry_upsert(s, e, "p1", &r);
	entry_free(e);
	e = mk("tag:c,2026:d", "https://c.example/d", T0 + 5, ENTRY_NO_TIME);
	e->expires = T0 + 2000;
	store_entry_upsert(s, e, "p2", &r);
	entry_free(e);

	store_set_cache(s, 0);
	cold = dump(s, &q, NULL);
	store_set_cache(s, STORE_CACHE_DEFAULT);
	t = dump(s, &q, &s1);
	free(t);
	warm = dump(s, &q, &s2);
	store_cache_stats(s, &st);
	ok(strcmp(cold, warm) == 0 && strstr(cold, "first") != NULL,
	    "a warm listing is the cold one");
	ok(st.entries == 3 && st.hits >= 3 && st.bytes > 0 &&
	    st.bytes <= st.max_bytes, "the entries are cached (%zu, %llu "
	    "hits, %zu bytes)", st.entries, (unsigned long long)st.hits,
	    st.bytes);
	ok(s1 == s2 && s1 != 0, "the same version keeps its serial");
	free(cold);
	free(warm);

	/* An update: same seq, new document. */
	e = mk("tag:c,2026:b", "https://c.example/b", T0 + 10, T0 + 20);
	entry_set(&e->summary, "<p>second</p>");
	entry_set(&e->title, "Second version");
	e->has_geo = 1;
	e->lat = 45.1;
	e->lon = 4.1;
	store_entry_upsert(s, e, "p1", &r);
	entry_free(e);
	warm = dump(s, &q, &s2);
	ok(r == STORE_UPDATED && strstr(warm, "second") != NULL &&
	    strstr(warm, "first") == NULL, "an update is listed");
	free(warm);
	warm = dump(s, &q, &s1);
	ok(s1 != s2 || strstr(warm, "second") != NULL, "serial follows");
	free(warm);

	/* A new path: same document, one more peer. */
	e = mk("tag:c,2026:b", "https://c.example/b", T0 + 10, T0 + 20);
	entry_set(&e->summary, "<p>second</p>");
	entry_set(&e->title, "Second version");
	e->has_geo = 1;
	e->lat = 45.1;
	e->lon = 4.1;
	store_entry_upsert(s, e, "p3", &r);
	entry_free(e);
	warm = dump(s, &q, NULL);
	store_set_cache(s, 0);
	cold = dump(s, &q, NULL);
	store_set_cache(s, STORE_CACHE_DEFAULT);
	ok(r == STORE_MERGED && strstr(warm, "\"p3\"") != NULL &&
	    strcmp(warm, cold) == 0, "a new peer is listed");
	free(warm);
	free(cold);

	/* A change rolled back is not kept. */
	store_begin(s);
	e = mk("tag:c,2026:b", "https://c.example/b", T0 + 10, T0 + 30);
	entry_set(&e->summary, "<p>rolled</p>");
	store_entry_upsert(s, e, "p4", &r);
	entry_free(e);
	warm = dump(s, &q, NULL);
	ok(strstr(warm, "rolled") != NULL, "inside: the change is seen");
	free(warm);
	store_rollback(s);
	warm = dump(s, &q, NULL);
	ok(strstr(warm, "rolled") == NULL && strstr(warm, "\"p4\"") ==
	    NULL && strstr(warm, "second") != NULL,
	    "after a rollback: the stored version");
	free(warm);

	/* A tombstone. */
	e = mk("tag:c,2026:a", "https://c.example/a", T0, T0 + 40);
	e->deleted = 1;
	store_entry_upsert(s, e, "p1", &r);
	entry_free(e);
	warm = dump(s, &q, NULL);
	t = strstr(warm, "tag:c,2026:a");
	ok(t != NULL && strstr(warm, "\"deleted\":true") != NULL &&
	    strstr(warm, "\"kind\":\"job\"") == NULL,
	    "a tombstone replaces the entry");
	free(warm);
	q.skip_deleted = 1;
	warm = dump(s, &q, NULL);
	ok(strstr(warm, "tag:c,2026:a") == NULL, "and is left out of "
	    "live listings");
	free(warm);
	q.skip_deleted = 0;

	/* Held entries and expired ones are not listed. */
	store_set_held_peers(s, held, 1);
	e = mk("tag:c,2026:h", "https://c.example/h", T0 + 50, ENTRY_NO_TIME);
	store_entry_upsert(s, e, "bad", &r);
	entry_free(e);
	warm = dump(s, &q, NULL);
	ok(strstr(warm, "tag:c,2026:h") == NULL &&
	    strstr(warm, "tag:c,2026:d") != NULL, "held: not listed");
	free(warm);
	store_set_now(s, T0 + 3000);
	warm = dump(s, &q, NULL);
	ok(strstr(warm, "tag:c,2026:d") == NULL, "expired: not listed");
	free(warm);

	/* Search and places read the same cached entries. */
	q.match = "\"second\"";
	warm = dump(s, &q, NULL);
	ok(strstr(warm, "tag:c,2026:b") != NULL, "search: found");
	free(warm);
	q.match = NULL;
	q.geo = STORE_GEO_NEAR;
	q.lat = 45.1;
	q.lon = 4.1;
	q.radius_km = 5;
	warm = dump(s, &q, NULL);
	ok(strstr(warm, "tag:c,2026:b") != NULL &&
	    strstr(warm, "\"p3\"") != NULL, "near: found, with its peers");
	free(warm);
	q.geo = STORE_GEO_NONE;

	/* A budget too small for any entry: nothing kept, same listing. */
	warm = dump(s, &q, NULL);
	store_set_cache(s, 64);
	cold = dump(s, &q, NULL);
	store_cache_stats(s, &st);
	ok(strcmp(warm, cold) == 0 && st.entries == 0 && st.bytes == 0,
	    "a tiny budget keeps nothing");
	free(warm);
	free(cold);
	store_close(s);
}

