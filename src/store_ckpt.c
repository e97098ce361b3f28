/*
 * feedmesh: the store's WAL checkpointer, a thread with a connection of
 * its own that copies the write-ahead log into the database so that the
 * writer (the event loop) does not.
 *
 * Without it, SQLite's autocheckpoint runs inside the commit that takes
 * the log past its threshold: that commit copies every page of the log
 * into the database and waits for the disk (0.7 s at a million entries,
 * a tenth of an ingest's time). With it:
 *
 * - The writer's WAL hook (after each commit, on the writer) wakes the
 *   thread when at least pages frames of the log are not copied yet
 *   (16000 by default: store.c says why that many).
 * - The thread runs PASSIVE checkpoints, which never block the writer,
 *   pass after pass while a pass copied more than pages/16 frames (those
 *   the writer committed during the one before), so that little is left.
 * - SQLite reuses the log from its start only when a write transaction
 *   begins while every frame is copied; the thread's passes end between
 *   two of the writer's commits only by chance (a pass syncs the
 *   database, and takes about as long as a document's commit), so under
 *   a steady ingest the log would grow without bound. Once the thread is
 *   idle and at most pages/4 frames are left (or twice what the last
 *   commit wrote), the writer therefore copies them itself, right after
 *   its commit: its next transaction starts the log over. With more
 *   left, the thread goes on.
 * - A hard bound: if the log reaches STORE_CKPT_BOUND times pages frames
 *   (the thread cannot keep up, or fails), the writer waits for the
 *   thread's pass to end and checkpoints in line, as without the thread.
 *   The check comes after a commit, so the log can hold up to that
 *   bound plus one transaction (an FTS5 merge writes hundreds of pages
 *   in one commit): SQLite cannot split a transaction across two logs.
 *
 * The thread never logs: log.c's rate-limit table is not thread-safe.
 * It records its last error, which the writer logs at its next commit.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_private.h"

/* The hard bound, in thresholds: then the writer checkpoints itself. */
#define STORE_CKPT_BOUND	4
/*
 * The most frames the writer copies itself to let the log start over,
 * in parts of pages, and a pass of the thread short enough to stop at.
 */
#define STORE_CKPT_FINISH_DIV	4
#define STORE_CKPT_SHORT_DIV	16
/* Most passes of the thread per wake-up (each copies what the last let in). */
#define STORE_CKPT_ROUNDS	8
#define STORE_CKPT_ERRLEN	256
/* As the writer's: a read at start-up may meet another's lock. */
#define STORE_CKPT_BUSY_MS	250

enum store_ckpt_state {
	STORE_CKPT_IDLE,	/* the thread waits */
	STORE_CKPT_WANTED,	/* woken, not yet running */
	STORE_CKPT_RUNNING,	/* the thread checkpoints */
	STORE_CKPT_WRITER	/* the writer checkpoints in line */
};

struct store_ckpt {
	sqlite3			*writer;	/* the store's connection */
	sqlite3			*db;		/* the thread's */
	char			*path;
	int			 pages;		/* threshold, frames */
	int			 finish;	/* left for the writer */
	pthread_t		 thread;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 cond;		/* state or stop changed */
	/* Below: under mtx. */
	enum store_ckpt_state	 state;
	int			 stop;
	int			 frames;	/* the log at the last commit */
	int			 backfilled;	/* frames copied, this log */
	int			 ready;		/* a pass ran on this log */
	int			 hurry;		/* the writer waits: no more */
	uint64_t		 thread_runs;	/* passes of the thread */
	uint64_t		 finishes;	/* the writer's small copies */
	uint64_t		 fallbacks;	/* the hard bound reached */
	uint64_t		 inline_max_us;	/* the writer's longest */
	int			 log_max;	/* longest log at a commit */
	int			 commit_max;	/* largest commit */
	int			 err;		/* the thread's last error */
	char			 errmsg[STORE_CKPT_ERRLEN];
};

static void	*store_ckpt_main(void *);
static int	 store_ckpt_hook_cb(void *, sqlite3 *, const char *, int);
static void	 store_ckpt_report(struct store_ckpt *);
static int	 store_ckpt_inline(struct store_ckpt *, const char *);

/*
 * Opens the thread's connection to path, hooks the writer's commits and
 * starts the thread. NULL, logged, on error (the writer then goes on
 * checkpointing in line).
 */
struct store_ckpt *
store_ckpt_start(sqlite3 *writer, const char *path, int pages)
{
	struct store_ckpt	*c;
	int			 rc;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->path = strdup(path)) == NULL)
		fatal("%s", __func__);
	c->writer = writer;
	c->pages = pages > 0 ? pages : STORE_CKPT_PAGES;
	if ((c->finish = c->pages / STORE_CKPT_FINISH_DIV) < 1)
		c->finish = 1;
	/* Its thread's alone (store_open() says why NOMUTEX). */
	rc = sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, path, c->db ?
		    sqlite3_errmsg(c->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, STORE_CKPT_BUSY_MS);
	/*
	 * A checkpoint syncs the log before copying it and the database
	 * after, at synchronous NORMAL and FULL alike (only OFF skips
	 * them), as the writer's own checkpoints did: FULL says so. The
	 * read opens the log, which a checkpoint alone may not.
	 */
	if (sqlite3_exec(c->db, "PRAGMA synchronous = FULL;"
	    " SELECT count(*) FROM sqlite_schema", NULL, NULL, NULL) !=
	    SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, path, sqlite3_errmsg(c->db));
		goto fail;
	}
	if ((rc = pthread_mutex_init(&c->mtx, NULL)) != 0 ||
	    (rc = pthread_cond_init(&c->cond, NULL)) != 0)
		fatalx("%s: %s", __func__, strerror(rc));
	if ((rc = pthread_create(&c->thread, NULL, store_ckpt_main, c)) !=
	    0) {
		log_warnx("%s: pthread_create: %s", __func__, strerror(rc));
		pthread_cond_destroy(&c->cond);
		pthread_mutex_destroy(&c->mtx);
		goto fail;
	}
	/* Replaces the autocheckpoint, which is a WAL hook too. */
	sqlite3_wal_hook(writer, store_ckpt_hook_cb, c);
	return (c);

 fail:
	sqlite3_close(c->db);
	free(c->path);
	free(c);
	return (NULL);
}

/*
 * Stops the thread after its current pass (no more of them), joins it,
 * closes its connection and gives the writer its autocheckpoint back.
 */
void
store_ckpt_stop(struct store_ckpt *c)
{
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mtx);
	c->stop = 1;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->mtx);
	pthread_join(c->thread, NULL);
	sqlite3_wal_hook(c->writer, NULL, NULL);
	sqlite3_wal_autocheckpoint(c->writer, STORE_CKPT_PAGES);
	store_ckpt_report(c);
	if (sqlite3_close(c->db) != SQLITE_OK)
		log_warnx("%s: %s: %s", __func__, c->path,
		    sqlite3_errmsg(c->db));
	pthread_cond_destroy(&c->cond);
	pthread_mutex_destroy(&c->mtx);
	free(c->path);
	free(c);
}

/* The counts so far (any thread). */
void
store_ckpt_stats(struct store_ckpt *c, struct store_ckpt_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (c == NULL)
		return;
	pthread_mutex_lock(&c->mtx);
	st->thread = c->thread_runs;
	st->finish = c->finishes;
	st->fallback = c->fallbacks;
	st->inline_max_us = c->inline_max_us;
	st->log_max = c->log_max;
	st->commit_max = c->commit_max;
	pthread_mutex_unlock(&c->mtx);
}

/*
 * The thread: waits to be woken, then runs passes until one copies no
 * more than the writer's share, or stop is asked.
 */
static void *
store_ckpt_main(void *arg)
{
	struct store_ckpt	*c = arg;
	int			 rc, nlog, nckpt, prev, copied, rounds;

	pthread_mutex_lock(&c->mtx);
	for (;;) {
		while (!c->stop && c->state != STORE_CKPT_WANTED)
			pthread_cond_wait(&c->cond, &c->mtx);
		if (c->stop)
			break;
		c->state = STORE_CKPT_RUNNING;
		c->ready = 0;
		prev = c->backfilled;
		for (rounds = 0; rounds < STORE_CKPT_ROUNDS && !c->stop &&
		    !c->hurry; rounds++) {
			pthread_mutex_unlock(&c->mtx);
			nlog = nckpt = -1;
			rc = sqlite3_wal_checkpoint_v2(c->db, NULL,
			    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
			pthread_mutex_lock(&c->mtx);
			c->thread_runs++;
			if (rc != SQLITE_OK) {
				/* BUSY: another process checkpoints. */
				if (rc != SQLITE_BUSY) {
					c->err = rc;
					snprintf(c->errmsg, sizeof(c->errmsg),
					    "%s", sqlite3_errmsg(c->db));
				}
				break;
			}
			c->backfilled = nckpt;
			/* The log may have started over: from 0 then. */
			copied = nckpt >= prev ? nckpt - prev : nckpt;
			c->ready = 1;
			if (copied <= c->pages / STORE_CKPT_SHORT_DIV)
				break;
			prev = nckpt;
		}
		c->state = STORE_CKPT_IDLE;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->mtx);
	return (NULL);
}

/*
 * After each commit of the writer, on the writer, frames being the
 * length of the log: wakes the thread, copies the thread's leftovers so
 * that the log starts over, or checkpoints in line past the hard bound.
 * Always SQLITE_OK: the commit is done, an error here is only logged.
 */
static int
store_ckpt_hook_cb(void *arg, sqlite3 *db, const char *name, int frames)
{
	struct store_ckpt	*c = arg;
	int			 pending, commit, finish = 0;

	(void)db;
	(void)name;
	store_ckpt_report(c);
	pthread_mutex_lock(&c->mtx);
	/* This commit's frames, from the start if the log started over. */
	commit = frames > c->frames ? frames - c->frames : frames;
	c->frames = frames;
	if (frames > c->log_max)
		c->log_max = frames;
	if (commit > c->commit_max)
		c->commit_max = commit;
	/* Shorter than what the thread copied: the log started over. */
	if (frames < c->backfilled)
		c->backfilled = c->ready = 0;
	pending = frames - c->backfilled;
	if (frames >= STORE_CKPT_BOUND * c->pages) {
		c->hurry = 1;
		while (c->state == STORE_CKPT_WANTED ||
		    c->state == STORE_CKPT_RUNNING)
			pthread_cond_wait(&c->cond, &c->mtx);
		c->hurry = 0;
		c->fallbacks++;
		c->state = STORE_CKPT_WRITER;
		finish = 2;
	} else if (c->state == STORE_CKPT_IDLE && c->ready && pending > 0 &&
	    (pending <= c->finish || pending <= 2 * commit)) {
		/*
		 * What the thread left is little, or about what a commit
		 * or two write (those of large documents, or a threshold
		 * set low): copying it now lets the next transaction start
		 * the log over.
		 */
		c->finishes++;
		c->state = STORE_CKPT_WRITER;
		finish = 1;
	} else if (c->state == STORE_CKPT_IDLE && (pending >= c->pages ||
	    (c->ready && pending > 0))) {
		c->state = STORE_CKPT_WANTED;
		pthread_cond_broadcast(&c->cond);
	}
	pthread_mutex_unlock(&c->mtx);
	if (finish == 0)
		return (SQLITE_OK);
	if (finish == 2)
		log_debug("%s: %s: the log holds %d frames: checkpoint in "
		    "line", __func__, c->path, frames);
	store_ckpt_inline(c, finish == 2 ? "bound" : "finish");
	return (SQLITE_OK);
}

/*
 * A PASSIVE checkpoint on the writer's connection while the thread is
 * kept off (state WRITER): everything is copied, and the writer's next
 * transaction starts the log over.
 */
static int
store_ckpt_inline(struct store_ckpt *c, const char *why)
{
	struct timespec	 t0, t1;
	uint64_t	 us;
	int		 rc, nlog = 0, nckpt = 0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = sqlite3_wal_checkpoint_v2(c->writer, NULL,
	    SQLITE_CHECKPOINT_PASSIVE, &nlog, &nckpt);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	us = (uint64_t)((int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
	    (t1.tv_nsec - t0.tv_nsec) / 1000);
	if (rc != SQLITE_OK && rc != SQLITE_BUSY)
		log_warnx("%s: %s: %s: %s", __func__, c->path, why,
		    sqlite3_errmsg(c->writer));
	pthread_mutex_lock(&c->mtx);
	c->backfilled = rc == SQLITE_OK && nckpt > 0 ? nckpt : 0;
	c->ready = 0;
	if (us > c->inline_max_us)
		c->inline_max_us = us;
	c->state = STORE_CKPT_IDLE;
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->mtx);
	return (rc == SQLITE_OK ? 0 : -1);
}

/* Logs, on the writer, the error the thread recorded (if any). */
static void
store_ckpt_report(struct store_ckpt *c)
{
	char	 msg[STORE_CKPT_ERRLEN];
	int	 err;

	pthread_mutex_lock(&c->mtx);
	err = c->err;
	memcpy(msg, c->errmsg, sizeof(msg));
	c->err = 0;
	pthread_mutex_unlock(&c->mtx);
	if (err != 0)
		log_warnx_limited("store_ckpt", "%s: %s: checkpoint: %s",
		    __func__, c->path, msg);
}
