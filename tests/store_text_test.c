/*
 * feedmesh tests: full-text listings in listing order (the full-text
 * index's rowids are keys in listing order since schema step 8): the same
 * entries in the same order as a brute-force sort by (sort time, seq),
 * through ties, updates that move an entry, tombstones, cursors, oldest
 * first, filters, a store migrated from step 6 and one past the seqs
 * that the keys hold.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "entry.h"
#include "log.h"
#include "store.h"
#include "store_private.h"
#include "store_step8.h"
#include "tap.h"
#include "tmpdir.h"

#define T0		1764000000
#define NENTRIES	240
/* The schema step that keys entries_fts in listing order. */
#define FTS_KEYS_STEP	8
/* The largest seq a key holds, and the range of its times (store.c). */
#define KEY_SEQ_MAX	((INT64_C(1) << 29) - 1)
#define KEY_TIME_MIN	INT64_C(-2208988800)
#define KEY_TIME_MAX	(KEY_TIME_MIN + (INT64_C(1) << 34) - 2)
#define WORD_ALPHA	1
#define WORD_BETA	2
#define WORD_GAMMA	4

/* What the test stored: the brute force's side. */
struct model {
	char	 id[16];
	int64_t	 time;
	int64_t	 seq;
	int	 words;
	int	 job;
	int	 deleted;
	int	 version;
};

struct listing {
	struct buf	 ids;
	int		 n;
	int64_t		 last_time;
	int64_t		 last_seq;
};

static struct model	 model[NENTRIES];
static uint32_t		 rnd_state;
static int		 sort_clamped;	/* full-text order clamps times */
static int		 sort_desc;

static uint32_t	 rnd(void);
static struct entry *mk(const struct model *);
static void	 put(struct store *, struct entry *);
static void	 fill(struct store *, int);
static void	 seqs_learn(struct store *);
static int	 seq_cb(const struct entry *, int64_t, int64_t, void *);
static int	 collect_cb(const struct entry *, int64_t, int64_t, void *);
static char	*list(struct store *, const struct store_query *,
		    struct listing *);
static int	 model_cmp(const void *, const void *);
static char	*expect(int, int, int64_t, int64_t);
static char	*page_all(struct store *, const struct store_query *);
static void	 check_all(struct store *, const char *, int);
static int64_t	 sql_int(struct store *, const char *);
static int64_t	 db_int(sqlite3 *, const char *);
static int	 plan_sorts(struct store *);
static void	 test_order(void);
static void	 test_migrated(void);
static void	 test_wide(void);
static void	 test_one_segment(void);
static void	 test_cost(void);
static void	 test_prefix(void);
static void	 test_maintain(void);
static char	*words(struct store *, const char *);
static void	 put_title(struct store *, const char *, const char *, int64_t);



/* A fixed sequence of pseudo-random numbers (an LCG): runs repeat. */
static uint32_t
rnd(void)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 8);
}

/* The entry a model row stands for: its words are its title. */
static struct entry *
mk(const struct model *m)
{
	struct entry	*e;
	struct buf	 b;

	e = entry_new();
	entry_set(&e->id, m->id);
	buf_init(&b);
	buf_printf(&b, "%s", m->id);
	if (m->words & WORD_ALPHA)
		buf_addstr(&b, " alpha");
	if (m->words & WORD_BETA)
		buf_addstr(&b, " beta");
	if (m->words & WORD_GAMMA)
		buf_addstr(&b, " gamma");
	entry_set(&e->title, b.data);
	buf_free(&b);
	entry_set(&e->kind, m->job ? "job" : "news");
	e->published = m->time;
	e->updated = T0 + 1000000 + m->version;
	e->deleted = m->deleted;
	return (e);
}

static void
put(struct store *s, struct entry *e)
{
	enum store_result	 r;

	if (store_entry_upsert(s, e, "peer", &r) == -1)
		printf("# %s not stored\n", e->id);
	entry_free(e);
}

/*
 * Stores NENTRIES entries (a few transactions, thirty distinct times:
 * ties), then updates a sixth of them (new time, new words) and turns
 * a tenth into tombstones. With odd set, a few are dated before 1900
 * or after 2444, out of the keys' range.
 */
static void
fill(struct store *s, int odd)
{
	struct model	*m;
	int		 i, k;

	rnd_state = 7;
	memset(model, 0, sizeof(model));
	for (i = 0; i < NENTRIES; i++) {
		if (i % 50 == 0) {
			if (i > 0)
				store_commit(s);
			store_begin(s);
		}
		m = &model[i];
		snprintf(m->id, sizeof(m->id), "e%03d", i);
		m->time = T0 + (int64_t)(rnd() % 30) * 3600;
		if (odd && i % 40 == 3)
			m->time = KEY_TIME_MIN - 86400 * (int64_t)(1 + rnd() % 9);
		else if (odd && i % 40 == 5)
			m->time = KEY_TIME_MAX + 86400 * (int64_t)(1 + rnd() % 9);
		m->words = WORD_ALPHA | (rnd() % 3 == 0 ? WORD_BETA : 0) |
		    (rnd() % 7 == 0 ? WORD_GAMMA : 0);
		m->job = rnd() % 2;
		put(s, mk(m));
	}
	store_commit(s);
	store_begin(s);
	for (k = 0; k < NENTRIES / 6; k++) {
		m = &model[rnd() % NENTRIES];
		m->time = T0 + (int64_t)(rnd() % 30) * 3600;
		m->words = WORD_ALPHA | (rnd() % 2 ? WORD_BETA : 0) |
		    (rnd() % 3 == 0 ? WORD_GAMMA : 0);
		m->version++;
		put(s, mk(m));
	}
	store_commit(s);
	for (k = 0; k < NENTRIES / 10; k++) {
		m = &model[rnd() % NENTRIES];
		m->deleted = 1;
		m->version++;
		put(s, mk(m));
	}
	seqs_learn(s);
}

static int
seq_cb(const struct entry *e, int64_t sort_time, int64_t seq, void *arg)
{
	int	 i;

	(void)sort_time;
	(void)arg;
	for (i = 0; i < NENTRIES; i++)
		if (strcmp(model[i].id, e->id) == 0)
			model[i].seq = seq;
	return (0);
}

/* Each model entry's seq, from a listing of them all (tombstones too). */
static void
seqs_learn(struct store *s)
{
	struct store_query	 q;

	store_query_init(&q);
	if (store_query_entries(s, &q, seq_cb, NULL) == -1)
		printf("# listing failed\n");
}

static int
collect_cb(const struct entry *e, int64_t sort_time, int64_t seq, void *arg)
{
	struct listing	*l = arg;

	if (l->n++ > 0)
		buf_addc(&l->ids, ',');
	buf_addstr(&l->ids, e->id);
	l->last_time = sort_time;
	l->last_seq = seq;
	return (0);
}

/* The ids of a listing, comma-separated (a new string). */
static char *
list(struct store *s, const struct store_query *q, struct listing *lp)
{
	struct listing	 l;

	if (lp == NULL)
		lp = &l;
	memset(lp, 0, sizeof(*lp));
	buf_init(&lp->ids);
	buf_addstr(&lp->ids, "");
	if (store_query_entries(s, q, collect_cb, lp) == -1)
		buf_addstr(&lp->ids, "ERROR");
	return (buf_release(&lp->ids));
}

static int64_t
clamp_time(int64_t t)
{
	return (t < KEY_TIME_MIN ? KEY_TIME_MIN : t > KEY_TIME_MAX ?
	    KEY_TIME_MAX : t);
}

/* The brute force's order: (time, seq), newest first unless ascending. */
static int
model_cmp(const void *a, const void *b)
{
	const struct model	*x = *(struct model *const *)a;
	const struct model	*y = *(struct model *const *)b;
	int64_t			 tx = x->time, ty = y->time;
	int			 c;

	if (sort_clamped) {
		tx = clamp_time(tx);
		ty = clamp_time(ty);
	}
	c = tx != ty ? (tx < ty ? -1 : 1) : x->seq < y->seq ? -1 :
	    x->seq > y->seq;
	return (sort_desc ? -c : c);
}

/*
 * The ids the brute force lists for a word, a kind (job: 1) and a range
 * of times [from, until) (ENTRY_NO_TIME: open), newest first or not.
 */
static char *
expect(int word, int job, int64_t from, int64_t until)
{
	struct model	*sel[NENTRIES];
	struct buf	 b;
	int		 i, n = 0;

	for (i = 0; i < NENTRIES; i++) {
		if (model[i].deleted || !(model[i].words & word) ||
		    (job && !model[i].job))
			continue;
		if (from != ENTRY_NO_TIME && model[i].time < from)
			continue;
		if (until != ENTRY_NO_TIME && model[i].time >= until)
			continue;
		sel[n++] = &model[i];
	}
	qsort(sel, n, sizeof(sel[0]), model_cmp);
	buf_init(&b);
	buf_addstr(&b, "");
	for (i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i > 0 ? "," : "", sel[i]->id);
	return (buf_release(&b));
}

/* A listing read seven at a time through its keyset cursor. */
static char *
page_all(struct store *s, const struct store_query *q0)
{
	struct store_query	 q = *q0;
	struct listing		 l;
	struct buf		 all;
	char			*page;
	int			 pages;

	buf_init(&all);
	buf_addstr(&all, "");
	q.limit = 7;
	for (pages = 0; pages < 200; pages++) {
		page = list(s, &q, &l);
		if (l.n > 0)
			buf_printf(&all, "%s%s", all.len > 0 ? "," : "", page);
		free(page);
		if (l.n < 7)
			break;
		q.before_time = l.last_time;
		q.before_seq = l.last_seq;
	}
	return (buf_release(&all));
}

/*
 * Every full-text listing shape against the brute force: three words
 * (all, a third, a tenth), with and without a kind, newest and oldest
 * first, a range of times, page by page. clamped: the store orders
 * out-of-range times by their clamp (keys); else exactly (sorted).
 */
static void
check_all(struct store *s, const char *what, int clamped)
{
	const char	*words[] = { "\"alpha\"", "\"beta\"", "\"gamma\"" };
	struct store_query q;
	char		*got, *want;
	int		 w, job, bad_desc = 0, bad_asc = 0, bad_pages = 0;
	int		 bad_range = 0, bad_prefix = 0, bad_kind = 0, n = 0;

	sort_clamped = clamped;
	for (w = 0; w < 3; w++)
		for (job = 0; job < 2; job++) {
			store_query_init(&q);
			q.match = words[w];
			q.kind = job ? "job" : NULL;
			sort_desc = 1;
			want = expect(1 << w, job, ENTRY_NO_TIME,
			    ENTRY_NO_TIME);
			n += strlen(want) > 0;
			got = list(s, &q, NULL);
			if (strcmp(got, want) != 0) {
				bad_desc++;
				printf("# %s: got %s\n# want %s\n", words[w],
				    got, want);
			}
			free(got);
			got = page_all(s, &q);
			bad_pages += strcmp(got, want) != 0;
			free(got);
			free(want);

			q.oldest_first = 1;
			sort_desc = 0;
			want = expect(1 << w, job, ENTRY_NO_TIME,
			    ENTRY_NO_TIME);
			got = list(s, &q, NULL);
			bad_asc += strcmp(got, want) != 0;
			free(got);
			free(want);

			q.from_time = T0 + 5 * 3600;
			q.until_time = T0 + 20 * 3600;
			want = expect(1 << w, job, q.from_time, q.until_time);
			got = list(s, &q, NULL);
			bad_range += strcmp(got, want) != 0;
			free(got);
			free(want);
			q.oldest_first = 0;
			sort_desc = 1;
			want = expect(1 << w, job, q.from_time, q.until_time);
			got = list(s, &q, NULL);
			bad_range += strcmp(got, want) != 0;
			free(got);
			free(want);
		}
	/* A prefix ("alph"*), as query.c makes of the last word. */
	store_query_init(&q);
	q.match = "\"alph\"*";
	sort_desc = 1;
	want = expect(WORD_ALPHA, 0, ENTRY_NO_TIME, ENTRY_NO_TIME);
	got = page_all(s, &q);
	bad_prefix += strcmp(got, want) != 0;
	free(got);
	free(want);
	/*
	 * The kind alone, live entries: the tag index's walk, in the same
	 * orders as the text's (every entry has alpha).
	 */
	store_query_init(&q);
	q.kind = "job";
	q.skip_deleted = 1;
	sort_desc = 1;
	want = expect(WORD_ALPHA, 1, ENTRY_NO_TIME, ENTRY_NO_TIME);
	got = page_all(s, &q);
	bad_kind += strlen(want) == 0 || strcmp(got, want) != 0;
	free(got);
	free(want);
	q.oldest_first = 1;
	sort_desc = 0;
	q.from_time = T0 + 5 * 3600;
	q.until_time = T0 + 20 * 3600;
	want = expect(WORD_ALPHA, 1, q.from_time, q.until_time);
	got = list(s, &q, NULL);
	bad_kind += strcmp(got, want) != 0;
	free(got);
	free(want);
	is_int(bad_kind, 0, "%s: a kind alone, newest first by pages, oldest "
	    "first in a range", what);
	ok(n == 6, "%s: every word matches something", what);
	is_int(bad_desc, 0, "%s: newest first, as the brute force", what);
	is_int(bad_pages, 0, "%s: seven at a time through the cursor, every "
	    "match once", what);
	is_int(bad_asc, 0, "%s: oldest first", what);
	is_int(bad_range, 0, "%s: a range of times, both ways", what);
	is_int(bad_prefix, 0, "%s: a prefix", what);
}

/* One integer from SQL on the store's connection, -1 on error. */
static int64_t
sql_int(struct store *s, const char *sql)
{
	return (db_int(store_sqlite(s), sql));
}

/* One integer from SQL on a connection, -1 on error. */
static int64_t
db_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt	*st;
	int64_t		 v = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		printf("# %s\n", sqlite3_errmsg(db));
		return (-1);
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return (v);
}

/* 1 if a full-text listing's plan sorts its matches. */
static int
plan_sorts(struct store *s)
{
	struct store_query	 q;
	char			*plan;
	int			 sorts;

	store_query_init(&q);
	q.match = "\"alpha\"";
	q.kind = "job";
	q.limit = 20;
	plan = store_query_explain(s, &q);
	sorts = plan == NULL || strstr(plan, "TEMP B-TREE") != NULL;
	free(plan);
	return (sorts);
}

static void
test_order(void)
{
	struct store	*s;
	char		*p;

	p = db_path("order.db");
	s = store_open(p);
	ok(s != NULL, "store opened");
	if (s == NULL) {
		free(p);
		return;
	}
	fill(s, 1);
	ok(!plan_sorts(s), "full-text listings walk the index in order");
	check_all(s, "fresh", 1);
	store_close(s);
	/* Opened again: the same. */
	s = store_open(p);
	check_all(s, "reopened", 1);
	store_close(s);
	free(p);
}

/*
 * A store of step 6 (entries_fts rowid = seq), made from a current one
 * as step 6 had it, is rebuilt at open, and then answers and is written
 * as a fresh one.
 */
static void
test_migrated(void)
{
	struct store	*s;
	struct model	*m;
	sqlite3		*db = NULL;
	char		*p, sql[512];
	int64_t		 current;

	p = db_path("v6.db");
	if ((s = store_open(p)) == NULL) {
		ok(0, "store opened");
		free(p);
		return;
	}
	fill(s, 0);
	current = sql_int(s, "PRAGMA user_version");
	store_close(s);
	snprintf(sql, sizeof(sql),
	    "INSERT INTO entries_fts (entries_fts) VALUES ('delete-all');"
	    "INSERT INTO entries_fts (rowid, title, summary, content,"
	    " categories) SELECT seq, feedmesh_text(doc, 'title'),"
	    " feedmesh_text(doc, 'summary'), feedmesh_text(doc, 'content'),"
	    " feedmesh_text(doc, 'categories') FROM entries"
	    " WHERE deleted = 0; PRAGMA user_version = %d", FTS_KEYS_STEP - 1);
	is_int(store_step8(p, sql), 0, "step 6's tags, every one found back");
	if (sqlite3_open(p, &db) == SQLITE_OK) {
		is_int(db_int(db, "SELECT max(rowid) FROM entries_fts WHERE"
		    " entries_fts MATCH 'alpha'"), db_int(db, "SELECT max(seq)"
		    " FROM entries WHERE deleted = 0"),
		    "a store of step 6: rowid = seq");
	}
	sqlite3_close(db);

	s = store_open(p);
	ok(s != NULL, "step 6 is migrated");
	if (s == NULL) {
		free(p);
		return;
	}
	is_int(sql_int(s, "PRAGMA user_version"), current,
	    "to the current schema");
	is_int(sql_int(s, "SELECT count(*) FROM entries_fts WHERE"
	    " entries_fts MATCH 'alpha'"), sql_int(s, "SELECT count(*) FROM"
	    " entries WHERE deleted = 0"), "every live entry indexed once");
	check_all(s, "migrated", 0);
	/* Written after the migration: moves, new text, a new entry. */
	store_begin(s);
	m = &model[10];
	m->time = T0 - 86400;
	m->words = WORD_ALPHA | WORD_GAMMA;
	m->deleted = 0;
	m->version += 5;
	put(s, mk(m));
	m = &model[11];
	m->time = T0 + 90 * 86400;
	m->words = WORD_ALPHA | WORD_BETA;
	m->deleted = 0;
	m->version += 5;
	put(s, mk(m));
	store_commit(s);
	seqs_learn(s);
	check_all(s, "migrated, then written", 0);
	store_close(s);
	free(p);
}

/*
 * Seqs past what a key holds: the entries go on being found, in exact
 * order (the matches are sorted), before and after the store is opened
 * again, and their updates and tombstones reach the index.
 */
static void
test_wide(void)
{
	struct store	*s;
	struct model	*m;
	char		*p, *err = NULL, sql[256];

	p = db_path("wide.db");
	if ((s = store_open(p)) == NULL) {
		ok(0, "store opened");
		free(p);
		return;
	}
	/* A held tombstone: seen by no listing, it moves the seqs on. */
	snprintf(sql, sizeof(sql), "INSERT INTO entries (seq, id, sort_time,"
	    " first_seen, changed, deleted, digest, doc, held) VALUES"
	    " (%lld, 'filler', 0, 0, 0, 1, '', '{}', 1)",
	    (long long)(KEY_SEQ_MAX - NENTRIES / 2));
	if (sqlite3_exec(store_sqlite(s), sql, NULL, NULL, &err) != SQLITE_OK)
		printf("# %s\n", err);
	sqlite3_free(err);
	ok(!plan_sorts(s), "below the seq limit: walked in order");
	fill(s, 1);
	ok(model[0].seq <= KEY_SEQ_MAX && model[NENTRIES - 1].seq >
	    KEY_SEQ_MAX, "seqs on both sides of the limit (%lld..%lld)",
	    (long long)model[0].seq, (long long)model[NENTRIES - 1].seq);
	ok(plan_sorts(s), "past it: the matches are sorted");
	check_all(s, "past the seq limit", 0);
	store_begin(s);
	m = &model[NENTRIES - 1];
	m->time = T0 - 86400;
	m->words = WORD_ALPHA | WORD_GAMMA;
	m->deleted = 0;
	m->version += 5;
	put(s, mk(m));
	store_commit(s);
	check_all(s, "past the seq limit, updated", 0);
	store_close(s);
	s = store_open(p);
	ok(plan_sorts(s), "opened again: still sorted");
	check_all(s, "past the seq limit, reopened", 0);
	store_close(s);
	free(p);
}

/*
 * The entries of one document, in any order of time, make one segment
 * of the index (FTS5 writes one out whenever a rowid comes below the
 * last), as they did when rowids were seqs.
 */
static void
test_one_segment(void)
{
	struct store	*s;
	struct model	 m;
	char		*p;
	int64_t		 before, after;
	int		 i;

	p = db_path("segments.db");
	if ((s = store_open(p)) == NULL) {
		ok(0, "store opened");
		free(p);
		return;
	}
	rnd_state = 11;
	memset(&m, 0, sizeof(m));
	m.words = WORD_ALPHA;
	snprintf(m.id, sizeof(m.id), "first");
	m.time = T0;
	put(s, mk(&m));
	before = sql_int(s, "SELECT count(DISTINCT segid) FROM entries_fts_idx");
	store_begin(s);
	for (i = 0; i < 100; i++) {
		snprintf(m.id, sizeof(m.id), "doc%03d", i);
		m.time = T0 + (int64_t)(rnd() % 100000);
		put(s, mk(&m));
	}
	store_commit(s);
	after = sql_int(s, "SELECT count(DISTINCT segid) FROM entries_fts_idx");
	ok(before >= 1 && after >= 1 && after <= before + 1, "a document of "
	    "100 entries in any time order: one segment (%lld, then %lld)",
	    (long long)before, (long long)after);
	store_close(s);
	free(p);
}

/*
 * A page of a word found in every entry costs the same VM steps on 100
 * times the entries: it stops after its page.
 */
static void
test_cost(void)
{
	struct store_query	 q;
	struct store		*s;
	struct model		 m;
	struct listing		 l;
	int64_t			 full, vm, vm_small = 0;
	char			*p;
	int			 i, round;

	p = db_path("cost.db");
	s = store_open(p);
	free(p);
	if (s == NULL) {
		ok(0, "store opened");
		return;
	}
	memset(&m, 0, sizeof(m));
	m.words = WORD_ALPHA;
	rnd_state = 3;
	for (round = 0; round < 2; round++) {
		store_begin(s);
		for (i = round == 0 ? 0 : 200; i < (round == 0 ? 200 : 20000);
		    i++) {
			snprintf(m.id, sizeof(m.id), "c%05d", i);
			m.time = T0 + (int64_t)(rnd() % 1000000);
			m.job = 1;
			put(s, mk(&m));
		}
		store_commit(s);
		store_query_init(&q);
		q.match = "\"alpha\"";
		q.kind = "job";
		q.limit = 20;
		free(list(s, &q, &l));
		store_query_cost(s, &full, &vm);
		ok(full == 0 && l.n == 20, "full-text page: 20 rows, no "
		    "full-scan step (%d entries)", round == 0 ? 200 : 20000);
		if (round == 0)
			vm_small = vm;
		else
			ok(vm > 0 && vm <= vm_small + 8, "the same VM steps on "
			    "100 times the matches (%lld, %lld)",
			    (long long)vm_small, (long long)vm);
	}
	store_close(s);
}

/* Stores an entry of that title and time. */
static void
put_title(struct store *s, const char *id, const char *title, int64_t t)
{
	struct entry	*e;

	e = entry_new();
	entry_set(&e->id, id);
	entry_set(&e->title, title);
	e->published = t;
	put(s, e);
}

/* The ids of a full-text listing, newest first. */
static char *
words(struct store *s, const char *match)
{
	struct store_query	 q;

	store_query_init(&q);
	q.match = match;
	return (list(s, &q, NULL));
}

/*
 * A prefix ends the queries query.c makes: spelt out into the index's
 * words that start with it (normalised as the index is), in a phrase,
 * past 16 words left to FTS5, and found again once a new word starting
 * with it is written, by this connection or another.
 */
static void
test_prefix(void)
{
	struct store	*s, *s2;
	char		*p, *l, id[16], t[16];
	int		 i;

	p = db_path("prefix.db");
	if ((s = store_open(p)) == NULL) {
		ok(0, "store opened");
		free(p);
		return;
	}
	put_title(s, "p1", "gamma ray", T0 + 1);
	put_title(s, "p2", "gammas", T0 + 2);
	put_title(s, "p3", "Gammaglobuline", T0 + 3);
	put_title(s, "p4", "un gâteau", T0 + 4);
	put_title(s, "p5", "porte-monnaie perdu", T0 + 5);
	put_title(s, "p6", "porte monnaies", T0 + 6);
	put_title(s, "p7", "gamut", T0 + 7);
	put_title(s, "p8", "monnaie", T0 + 8);
	l = words(s, "\"gam\"*");
	is_str(l, "p7,p3,p2,p1", "a prefix: every word starting with it");
	free(l);
	l = words(s, "\"GÂM\"*");
	is_str(l, "p7,p3,p2,p1", "case and accents as the index has them");
	free(l);
	l = words(s, "\"gat\"*");
	is_str(l, "p4", "a prefix of an accented word");
	free(l);
	l = words(s, "\"gamma\"*");
	is_str(l, "p3,p2,p1", "a whole word and its longer forms");
	free(l);
	l = words(s, "\"porte-monnaie\"*");
	is_str(l, "p6,p5", "the last word of a phrase");
	free(l);
	l = words(s, "\"ray\" \"gam\"*");
	is_str(l, "p1", "with another word");
	free(l);
	l = words(s, "\"gax\"*");
	is_str(l, "", "a prefix of no word");
	free(l);
	store_begin(s);
	for (i = 0; i < 20; i++) {
		snprintf(id, sizeof(id), "z%02d", i);
		snprintf(t, sizeof(t), "zeta%02d", i);
		put_title(s, id, t, T0 + 100 + i);
	}
	store_commit(s);
	l = words(s, "\"zeta\"*");
	is_str(l, "z19,z18,z17,z16,z15,z14,z13,z12,z11,z10,z09,z08,z07,z06,"
	    "z05,z04,z03,z02,z01,z00", "a prefix of 20 words");
	free(l);
	put_title(s, "p9", "gamelle", T0 + 9);
	l = words(s, "\"gam\"*");
	is_str(l, "p9,p7,p3,p2,p1", "a new word is found at once");
	free(l);
	if ((s2 = store_open(p)) != NULL) {
		put_title(s2, "p10", "gambit", T0 + 10);
		store_close(s2);
	}
	l = words(s, "\"gam\"*");
	is_str(l, "p10,p9,p7,p3,p2,p1", "and one another connection wrote");
	free(l);
	store_close(s);
	free(p);
}

/*
 * An index of many segments (a transaction per fifty entries, updates,
 * tombstones: their delete markers), merged step by step as an idle
 * daemon merges it: fewer segments, the same listings, page by page,
 * and at the end a step that finds nothing to do.
 */
static void
test_maintain(void)
{
	struct store_query	 q;
	struct store		*s;
	char			*p, *before, *after;
	int64_t			 seg0, seg1;
	struct model		*m;
	uint64_t		 gen;
	int			 k, rc = -1, steps;

	p = db_path("maintain.db");
	s = store_open(p);
	free(p);
	if (s == NULL) {
		ok(0, "store opened");
		return;
	}
	/* FTS5 leaves them all to the merge steps. */
	if (sqlite3_exec(store_sqlite(s), "INSERT INTO entries_fts"
	    " (entries_fts, rank) VALUES ('automerge', 0);"
	    "INSERT INTO entries_fts (entries_fts, rank)"
	    " VALUES ('crisismerge', 64)", NULL, NULL, NULL) != SQLITE_OK)
		printf("# %s\n", sqlite3_errmsg(store_sqlite(s)));
	fill(s, 0);
	/* Then documents of one entry each, as small fetches bring them. */
	for (k = 0; k < 24; k++) {
		m = &model[(k * 37) % NENTRIES];
		m->time = T0 + (int64_t)(k % 30) * 3600;
		m->words = WORD_ALPHA | (k % 2 ? WORD_BETA : 0);
		m->version++;
		store_begin(s);
		put(s, mk(m));
		store_commit(s);
	}
	seg0 = store_fts_segments(s);
	ok(seg0 >= 10, "filled entry by entry: %lld segments", (long long)seg0);
	store_query_init(&q);
	q.match = "\"beta\"";
	before = page_all(s, &q);
	gen = store_generation(s);
	store_begin(s);
	is_int(store_fts_maintain(s, 1), -1, "no merge inside a transaction");
	store_rollback(s);
	/* One page a step, each on a partly merged index. */
	for (steps = 0; steps < 10000; steps++)
		if ((rc = store_fts_maintain(s, 1)) != 1)
			break;
	is_int(rc, 0, "merged to the end in %d step(s)", steps);
	/* FTS5 stops a step between two words: a few words, few steps. */
	ok(steps >= 1, "work was reported");
	is_int(store_fts_maintain(s, STORE_FTS_STEP_PAGES), 0,
	    "then no work is left");
	seg1 = store_fts_segments(s);
	ok(seg1 >= 1 && seg1 < seg0 && seg1 <= 3, "%lld segments, then %lld",
	    (long long)seg0, (long long)seg1);
	is_int((long)store_fts_merges(s), steps + 2, "steps counted");
	ok(store_generation(s) == gen, "the listings' generation unchanged");
	after = page_all(s, &q);
	ok(strlen(before) > 0 && strcmp(before, after) == 0,
	    "the same matches in the same order, through the cursor");
	free(before);
	free(after);
	check_all(s, "merged", 0);
	is_int(sql_int(s, "SELECT count(*) FROM pragma_quick_check"), 1,
	    "the database is sound");
	store_close(s);
}

int
main(void)
{
	log_init(1, LOG_LEVEL_WARN, "store_text_test");
	if (tmpdir_make("text") == -1)
		return (1);
	test_order();
	test_migrated();
	test_wide();
	test_one_segment();
	test_cost();
	test_prefix();
	test_maintain();
	tmp_cleanup();
	return (tap_done());
}
