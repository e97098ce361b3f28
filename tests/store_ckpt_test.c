/*
 * feedmesh tests: the store's WAL checkpointer thread (store_ckpt.c):
 * it checkpoints, the log is reused rather than grown, the hard bound
 * makes the writer checkpoint, nothing is lost across close and reopen.
 */
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "entry.h"
#include "log.h"
#include "store.h"
#include "tap.h"
#include "tmpdir.h"

/* A small threshold, so that a few documents make the thread work. */
#define PAGES		128
/* Entries per transaction (a document), and the most transactions. */
#define PER_TXN		20
#define MAX_TXNS	3000
#define MAX_SECONDS	60
/* A log of n frames of 4 KB pages, with its header. */
#define WAL_BYTES(n)	(32 + (long long)(n) * (4096 + 24))

static long long wal_size(const char *);
static int	 wal_frames(const char *, int *);
static int	 write_txn(struct store *, long *);
static int64_t	 count_rows(const char *);
static void	 test_thread(void);
static void	 test_bound(void);
static void	 test_close_busy(void);
static void	 test_without(void);

static long long
wal_size(const char *path)
{
	struct stat	 sb;
	char		 wal[256];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return (stat(wal, &sb) == 0 ? (long long)sb.st_size : 0);
}

/*
 * The frames of the log, as another connection sees them (a PASSIVE
 * checkpoint of its own reports them); -1 on error.
 */
static int
wal_frames(const char *path, int *frames)
{
	sqlite3	*db;
	int	 i, rc = SQLITE_BUSY, nlog = -1, nckpt = -1;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(db);
		return (-1);
	}
	sqlite3_exec(db, "SELECT count(*) FROM sqlite_schema", NULL, NULL,
	    NULL);
	/* Busy (-1 frames) while the thread is in a pass: bounded retries. */
	for (i = 0; i < 1000; i++) {
		rc = sqlite3_wal_checkpoint_v2(db, NULL,
		    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
		if (rc != SQLITE_BUSY)
			break;
		usleep(1000);
	}
	sqlite3_close(db);
	*frames = nlog;
	return (rc == SQLITE_OK ? 0 : -1);
}

/* One document's transaction of PER_TXN new entries of about 3 KB. */
static int
write_txn(struct store *s, long *next)
{
	struct entry		*e;
	enum store_result	 r;
	char			 buf[4096];
	int			 i, j, n;

	if (store_begin(s) == -1)
		return (-1);
	for (i = 0; i < PER_TXN; i++, (*next)++) {
		e = entry_new();
		snprintf(buf, sizeof(buf), "tag:ckpt.example.org,2026:%ld",
		    *next);
		entry_set(&e->id, buf);
		snprintf(buf, sizeof(buf), "https://ckpt.example.org/%ld",
		    *next);
		entry_set(&e->link, buf);
		snprintf(buf, sizeof(buf), "Entrée %ld", *next);
		entry_set(&e->title, buf);
		for (j = 0, n = 0; j < 60 && n < (int)sizeof(buf) - 64; j++)
			n += snprintf(buf + n, sizeof(buf) - n,
			    "mot%ld coopérative%d ", (*next * 7 + j) % 5000, j);
		entry_set(&e->content, buf);
		entry_set(&e->kind, "event");
		entry_set(&e->territory, "bretagne/finistere");
		e->published = 1700000000 + *next * 60;
		if (store_entry_upsert(s, e, "peer", &r) == -1) {
			entry_free(e);
			store_rollback(s);
			return (-1);
		}
		entry_free(e);
	}
	return (store_commit(s));
}

/* Entries of the store at path, through a connection of its own. */
static int64_t
count_rows(const char *path)
{
	struct store	*s;
	int64_t		 n;

	if ((s = store_open(path)) == NULL)
		return (-1);
	n = store_count_entries(s);
	store_close(s);
	return (n);
}

/*
 * The thread checkpoints, and the log is reused: under a steady stream
 * of documents it stays a few thresholds long, where without reuse it
 * would hold every frame ever written.
 */
static void
test_thread(void)
{
	struct store		*s;
	struct store_ckpt_stats	 st;
	sqlite3			*db;
	sqlite3_stmt		*q;
	char			*p = db_path("thread.db");
	long			 next = 0;
	long long		 peak = 0, sz;
	time_t			 t0 = time(NULL);
	struct stat		 sb;
	int			 txns, frames = -1, failed = 0, bound;
	const char		*ic = NULL;

	s = store_open(p);
	ok(s != NULL, "store opened");
	if (s == NULL)
		goto done;
	ok(store_checkpointer_start(s, PAGES) == 0, "checkpointer started");
	ok(store_checkpointer_start(s, PAGES) == 0, "started twice: no-op");
	for (txns = 0; txns < MAX_TXNS && time(NULL) - t0 < MAX_SECONDS;
	    txns++) {
		if (write_txn(s, &next) == -1) {
			failed++;
			break;
		}
		if ((sz = wal_size(p)) > peak)
			peak = sz;
		store_checkpointer_stats(s, &st);
		/* Enough: the thread has run and the writer finished. */
		if (txns >= 200 && st.thread >= 20 && st.finish >= 3)
			break;
	}
	store_checkpointer_stats(s, &st);
	ok(failed == 0, "%ld documents stored", next / PER_TXN);
	ok(st.thread >= 20, "the thread checkpointed (%llu passes)",
	    (unsigned long long)st.thread);
	ok(st.finish >= 3, "the writer copied what the thread left, so the "
	    "log started over (%llu times)", (unsigned long long)st.finish);
	/*
	 * The hard bound is checked after each commit, so the log holds
	 * less than the bound plus the largest commit (tens of frames for
	 * most documents, hundreds when FTS5 merges its segments). Without
	 * reuse it would hold every frame written (thousands).
	 */
	bound = 4 * PAGES + st.commit_max;
	ok(st.log_max > 0 && st.log_max < bound && peak > 0 &&
	    peak <= WAL_BYTES(bound), "the log stays bounded: %d frames, "
	    "%lld bytes at most (largest commit %d frames)", st.log_max,
	    peak, st.commit_max);
	ok(wal_frames(p, &frames) == 0 && frames >= 0 && frames < bound,
	    "another connection sees %d frames", frames);
	store_close(s);
	/* Every page of the database went through the log at least once. */
	ok(stat(p, &sb) == 0 && sb.st_size / 4096 > 2 * bound,
	    "enough written to tell reuse from growth (%lld pages)",
	    (long long)sb.st_size / 4096);
	ok(count_rows(p) == next, "all %ld entries there after reopening",
	    next);
	if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &q, NULL) ==
	    SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW)
			ic = (const char *)sqlite3_column_text(q, 0);
		is_str(ic, "ok", "integrity_check after the thread's checkpoints");
		sqlite3_finalize(q);
	} else
		ok(0, "integrity_check after the thread's checkpoints");
	sqlite3_close(db);
 done:
	free(p);
}

/*
 * A reader that keeps an old snapshot stops every checkpoint at it:
 * past four thresholds the writer checkpoints in line itself (counted),
 * and once the reader is gone the log is reused again.
 */
static void
test_bound(void)
{
	struct store		*s;
	struct store_ckpt_stats	 st;
	sqlite3			*rd = NULL;
	char			*p = db_path("bound.db");
	long			 next = 0;
	int			 i, frames = -1, failed = 0;

	if ((s = store_open(p)) == NULL ||
	    store_checkpointer_start(s, PAGES) == -1) {
		ok(0, "store with a checkpointer");
		store_close(s);
		free(p);
		return;
	}
	if (write_txn(s, &next) == -1)
		failed++;
	/* The reader's snapshot: a read transaction left open. */
	if (sqlite3_open_v2(p, &rd, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_exec(rd, "BEGIN; SELECT count(*) FROM entries", NULL, NULL,
	    NULL) != SQLITE_OK)
		failed++;
	for (i = 0; i < 60 && failed == 0; i++)
		if (write_txn(s, &next) == -1)
			failed++;
	store_checkpointer_stats(s, &st);
	ok(failed == 0, "documents stored behind an old reader");
	ok(st.fallback > 0, "past the bound the writer checkpoints in line "
	    "(%llu times)", (unsigned long long)st.fallback);
	ok(wal_frames(p, &frames) == 0 && frames > 4 * PAGES,
	    "the reader kept the log from being reused (%d frames)", frames);
	sqlite3_exec(rd, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(rd);
	for (i = 0; i < 100 && failed == 0; i++) {
		if (write_txn(s, &next) == -1)
			failed++;
		if (wal_frames(p, &frames) == 0 && frames < 4 * PAGES)
			break;
	}
	ok(failed == 0 && frames >= 0 && frames < 4 * PAGES,
	    "the reader gone, the log starts over (%d frames)", frames);
	store_close(s);
	ok(count_rows(p) == next, "all %ld entries there after reopening",
	    next);
	free(p);
}

/*
 * Closing while documents pour in and the thread is likely in a pass:
 * the pass ends, the thread is joined, nothing is lost or left locked.
 */
static void
test_close_busy(void)
{
	struct store	*s;
	char		*p = db_path("busy.db");
	long		 next = 0;
	int		 round, i, failed = 0;

	for (round = 0; round < 5 && failed == 0; round++) {
		if ((s = store_open(p)) == NULL ||
		    store_checkpointer_start(s, PAGES / 4) == -1) {
			failed++;
			store_close(s);
			break;
		}
		for (i = 0; i < 15 && failed == 0; i++)
			if (write_txn(s, &next) == -1)
				failed++;
		store_close(s);
	}
	ok(failed == 0, "5 stores closed during writes");
	ok(count_rows(p) == next, "all %ld entries there after reopening",
	    next);
	free(p);
}

/* Without a start: no thread, no counts, checkpoints in line as ever. */
static void
test_without(void)
{
	struct store		*s;
	struct store_ckpt_stats	 st;
	char			*p = db_path("without.db");
	long			 next = 0;
	int			 i, failed = 0;

	if ((s = store_open(p)) == NULL) {
		ok(0, "store opened");
		free(p);
		return;
	}
	for (i = 0; i < 20; i++)
		if (write_txn(s, &next) == -1)
			failed++;
	store_checkpointer_stats(s, &st);
	ok(failed == 0 && st.thread == 0 && st.finish == 0 &&
	    st.fallback == 0, "without a checkpointer nothing is counted");
	store_close(s);
	ok(count_rows(p) == next, "all %ld entries there", next);
	free(p);
}

int
main(void)
{
	log_init(1, LOG_LEVEL_WARN, "store_ckpt_test");
	if (tmpdir_make("store_ckpt") == -1)
		return (1);
	test_thread();
	test_bound();
	test_close_busy();
	test_without();
	tmp_cleanup();
	return (tap_done());
}
