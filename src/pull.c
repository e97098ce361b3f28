/*
 * feedmesh: the pulling loop, one timer per peer, no cron.
 */
#include <sys/queue.h>
#include <sys/time.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/event.h>
#include <jansson.h>

#include "conf.h"
#include "config.h"
#include "date.h"
#include "entry.h"
#include "fetch.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "pull.h"
#include "store.h"
#include "strmap.h"
#include "url.h"
#include "websub.h"

/*
 * Backfill (RFC 5005): a new peer, or one not fetched for this many of
 * its intervals, has its "next" pages followed, at most this many; when
 * they run out before the history does, its archives (section 4) are
 * followed from the newest back, at most this many documents (ten years
 * of monthly archives).
 */
#define PULL_BACKFILL_DOWNTIME	4
#define PULL_BACKFILL_PAGES	50
#define PULL_BACKFILL_ARCHIVES	120
/*
 * Peers' states are written together, this long after the first change:
 * one transaction for a round of fetches instead of one per fetch. A
 * crash loses at most this much of them (those fetches are made again).
 */
#define PULL_STATE_FLUSH_MS	200
/*
 * A revalidation (304) that changes nothing but the peer's times
 * (last_fetch, last_success, next_fetch) is written this much later, with
 * whatever else is written by then, and at shutdown. A crash can only
 * take those times back: the peer is then fetched sooner than planned,
 * one more conditional GET; its validators, digest, failures and errors
 * were written when they changed.
 */
#define PULL_STATE_LAZY_MS	(60 * 1000)
/*
 * Documents fetched in the same turn of the loop are stored in one
 * transaction (pull_batch_flush()), up to this many, or this many bytes
 * of bodies: a longer transaction would hold the loop longer.
 */
#define PULL_BATCH_DOCS		32
#define PULL_BATCH_BYTES	(1024 * 1024)

struct pull_peer {
	TAILQ_ENTRY(pull_peer)	 next;
	struct pull		*pull;
	char			*name;
	const struct peer_conf	*conf;
	struct peer_state	 state;
	struct event		*timer;
	struct fetch		*fetch;
	struct ingest		*ingest;
	/*
	 * Its listed entries, counted when asked for (-1: not since the
	 * last change). The count reads every path of the peer: at each
	 * changed document it cost a peer of 100,000 entries tens of
	 * milliseconds of the loop, and 10,000 peers as many counts at
	 * start-up.
	 */
	int64_t			 entries;
	struct ingest_stats	 last;
	int			 backfill;	/* pages left to follow */
	int			 backfill_new;	/* a new peer: all pages */
	int			 paging;	/* the fetch is a backfill page */
	char			*page_url;
	int			 archives;	/* walking archives, not pages */
	char			*archive_url;	/* the listing's prev-archive */
	TAILQ_ENTRY(pull_peer)	 dirty_next;
	int			 dirty;		/* state not yet written */
	/*
	 * What was read from the last document parsed in this process: an
	 * unchanged body is then not parsed again (ingest_set_last_digest).
	 * After a restart the first body is read, for its ttl and hub.
	 */
	int			 doc_known;
	int64_t			 doc_ttl;
	int			 pending;	/* its document waits in batch */
};
TAILQ_HEAD(pull_peer_list, pull_peer);

/*
 * A fetched document waiting to be stored with others (pull_batch_add):
 * what pull_done_cb was told, copied, since fetch's result lives only
 * for the call.
 */
struct pull_doc {
	TAILQ_ENTRY(pull_doc)	 next;
	struct pull_peer	*sp;
	struct ingest		*in;
	struct fetch_result	 res;
	char			*strs[6];	/* res's strings, owned */
	int64_t			 prev;		/* last success before it */
	int			 lazy;
	int			 rc;		/* stored: 0, -1; not yet: -2 */
};
TAILQ_HEAD(pull_doc_list, pull_doc);

struct pull {
	struct event_base	*base;
	struct store		*store;
	struct fetcher		*fetcher;
	const struct config	*conf;
	struct pull_peer_list	 peers;
	int			 npeers;
	struct strmap		*peer_names;	/* name -> pull_peer */
	char			*user_agent;
	struct websub		*websub;
	struct pull_peer_list	 dirty;		/* states to write */
	struct event		*flush;
	int64_t			 flush_at;	/* its deadline, ms; 0: none */
	uint64_t		 rng;		/* jitter, xorshift64* */
	struct pull_doc_list	 batch;		/* documents to store */
	int			 nbatch;
	size_t			 batch_bytes;
	struct event		*batch_ev;	/* stores them */
};

static struct pull_peer *pull_peer_new(struct pull *,
		    const struct peer_conf *);
static void	 pull_peer_free(struct pull_peer *, const char *);
static struct pull_peer *pull_peer_find(struct pull *, const char *);
static void	 pull_peer_arm(struct pull_peer *, double);
static void	 pull_peer_resume(struct pull_peer *);
static void	 pull_timer_cb(evutil_socket_t, short, void *);
static int	 pull_data_cb(const char *, size_t, void *);
static void	 pull_done_cb(const struct fetch_result *, void *);
static void	 pull_done_finish(struct pull_peer *, struct ingest *,
		    const struct fetch_result *, int64_t, int, const int *);
static int	 pull_peer_busy(const struct pull_peer *);
static void	 pull_batch_add(struct pull_peer *, struct ingest *,
		    const struct fetch_result *, int64_t, int);
static void	 pull_batch_flush(struct pull *);
static void	 pull_batch_cb(evutil_socket_t, short, void *);
static void	 pull_metrics(struct pull_peer *, const struct fetch_result *);
static void	 pull_metrics_init(void);

/* Registered at the first fetch (metrics.h: one registry per process). */
static struct metric	*pull_m_fetches;
static struct metric	*pull_m_latency;
static struct metric	*pull_m_ingested;
static struct metric	*pull_m_merged;
static struct metric	*pull_m_stored;
static void	 pull_fetch_failed(struct pull_peer *,
		    const struct fetch_result *, const char *);
static void	 pull_store_failed(struct pull_peer *,
		    const struct fetch_result *);
static double	 pull_next_delay(struct pull_peer *, int,
		    const struct fetch_result *, int64_t);
static void	 pull_state_save(struct pull_peer *);
static void	 pull_state_save_in(struct pull_peer *, int64_t);
static double	 pull_random(struct pull *);
static void	 pull_state_write(struct pull_peer *);
static void	 pull_state_flush(struct pull *);
static void	 pull_state_flush_cb(evutil_socket_t, short, void *);
static int	 pull_ingest_finish(struct pull_peer *, struct ingest *,
		    const char *, struct ingest_stats *);
static void	 pull_state_forget(struct pull_peer *);
static void	 pull_set_user_agent(struct pull *);
static int	 pull_peer_interval(struct pull_peer *);
static void	 pull_request(struct pull_peer *, struct fetch_request *,
		    const char *);
static void	 pull_websub_seen(struct pull_peer *, struct ingest *,
		    const struct fetch_result *, int);
static void	 pull_websub_change_cb(const char *, void *);
static int	 pull_backfill_start(struct pull_peer *, struct ingest *,
		    int64_t);
static void	 pull_page_done_cb(const struct fetch_result *, void *);
static int	 pull_backfill_next(struct pull_peer *, const char *);
static void	 pull_backfill_end(struct pull_peer *, const char *);
static void	 pull_backfill_archives(struct pull_peer *, const char *);

struct pull *
pull_new(struct event_base *base, struct store *store,
    struct fetcher *fetcher, const struct config *conf)
{
	struct pull		*s;
	struct peer_conf	*pc;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("%s", __func__);
	s->base = base;
	s->store = store;
	s->fetcher = fetcher;
	s->conf = conf;
	TAILQ_INIT(&s->peers);
	s->peer_names = strmap_new();
	TAILQ_INIT(&s->dirty);
	TAILQ_INIT(&s->batch);
	if ((s->flush = evtimer_new(base, pull_state_flush_cb, s)) == NULL ||
	    (s->batch_ev = evtimer_new(base, pull_batch_cb, s)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	arc4random_buf(&s->rng, sizeof(s->rng));
	s->rng |= 1;
	pull_metrics_init();
	pull_set_user_agent(s);
	TAILQ_FOREACH(pc, &conf->peers, next) {
		if (!pc->enabled)
			continue;
		pull_peer_resume(pull_peer_new(s, pc));
	}
	log_info("following %d peers", s->npeers);
	return (s);
}

static void
pull_set_user_agent(struct pull *s)
{
	free(s->user_agent);
	if (asprintf(&s->user_agent, "feedmesh/%s (+%s)", PACKAGE_VERSION,
	    s->conf->public_url) == -1)
		fatal("%s", __func__);
}

static struct pull_peer *
pull_peer_new(struct pull *s, const struct peer_conf *pc)
{
	struct pull_peer	*sp;

	if ((sp = calloc(1, sizeof(*sp))) == NULL ||
	    (sp->name = strdup(pc->name)) == NULL)
		fatal("%s", __func__);
	sp->pull = s;
	sp->conf = pc;
	peer_state_init(&sp->state);
	if (store_peer_state_load(s->store, pc->name, &sp->state) == -1)
		log_warnx("peer %s: fetch state could not be read, "
		    "starting afresh", pc->name);
	if (sp->state.url != NULL && strcmp(sp->state.url, pc->url) != 0) {
		log_info("peer %s: url changed since the last run; "
		    "starting afresh", pc->name);
		pull_state_forget(sp);
	}
	entry_set(&sp->state.url, pc->url);
	sp->entries = -1;
	if ((sp->timer = evtimer_new(s->base, pull_timer_cb, sp)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	TAILQ_INSERT_TAIL(&s->peers, sp, next);
	strmap_put(s->peer_names, sp->name, sp);
	s->npeers++;
	return (sp);
}

/* Picks up where a previous run stopped: at the stored next fetch time. */
static void
pull_peer_resume(struct pull_peer *sp)
{
	int64_t	 now = time(NULL), wait;

	if (sp->state.gone) {
		log_warnx("peer %s: %s answered 410 Gone; not polling it "
		    "(remove or fix %s)", sp->name, sp->conf->url,
		    sp->conf->file);
		return;
	}
	wait = sp->state.next_fetch - now;
	if (wait > pull_peer_interval(sp))
		wait = pull_peer_interval(sp);
	if (wait < 0)
		wait = 0;
	/* Spread a cold start so that peers do not all start at once. */
	pull_peer_arm(sp, (double)wait +
	    pull_random(sp->pull) *
	    (sp->conf->interval < 2 ? 0.2 : 1.0));
}

static struct pull_peer *
pull_peer_find(struct pull *s, const char *name)
{
	return (strmap_get(s->peer_names, name));
}

static void
pull_peer_arm(struct pull_peer *sp, double delay)
{
	struct timeval	 tv;

	if (delay < 0)
		delay = 0;
	tv.tv_sec = (time_t)delay;
	tv.tv_usec = (suseconds_t)((delay - (double)tv.tv_sec) * 1e6);
	sp->state.next_fetch = time(NULL) + (int64_t)delay;
	evtimer_add(sp->timer, &tv);
}

/* Cancels what the peer has in flight and frees it. */
static void
pull_peer_free(struct pull_peer *sp, const char *why)
{
	struct pull	*s = sp->pull;

	log_debug("peer %s: stopped (%s)", sp->name, why);
	/* Its document, fetched, is stored as it would have been. */
	if (sp->pending)
		pull_batch_flush(s);
	if (sp->dirty)
		pull_state_write(sp);
	if (sp->fetch != NULL)
		fetch_cancel(sp->fetch);
	ingest_free(sp->ingest);
	free(sp->page_url);
	free(sp->archive_url);
	event_free(sp->timer);
	strmap_del(s->peer_names, sp->name);
	TAILQ_REMOVE(&s->peers, sp, next);
	s->npeers--;
	peer_state_clear(&sp->state);
	free(sp->name);
	free(sp);
}

static void
pull_timer_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct pull_peer	*sp = arg;
	struct pull		*s = sp->pull;
	struct fetch_request	 req;

	(void)fd;
	(void)ev;
	if (pull_peer_busy(sp))
		return;
	pull_request(sp, &req, sp->conf->url);
	req.etag = sp->state.etag;
	req.last_modified = sp->state.last_modified;
	sp->paging = 0;
	sp->fetch = fetch_start(s->fetcher, &req, pull_data_cb,
	    pull_done_cb, sp);
	if (sp->fetch == NULL) {
		pull_fetch_failed(sp, NULL, "the request could not be made");
		pull_state_save(sp);
	}
}

/* A GET of one of the peer's documents, with the configured limits. */
static void
pull_request(struct pull_peer *sp, struct fetch_request *req,
    const char *url)
{
	struct pull	*s = sp->pull;

	memset(req, 0, sizeof(*req));
	req->url = url;
	req->user_agent = s->user_agent;
	req->max_size = s->conf->max_document_size;
	req->connect_timeout = s->conf->connect_timeout;
	req->timeout = s->conf->fetch_timeout;
	req->max_redirects = s->conf->max_redirects;
	req->label = sp->name;
}

/*
 * The peer's interval, or push_poll_interval when it is longer and a
 * WebSub subscription brings the peer's changes: pulling is then only
 * the safety net.
 */
static int
pull_peer_interval(struct pull_peer *sp)
{
	struct pull	*s = sp->pull;

	if (s->websub != NULL && websub_live(s->websub, sp->name) &&
	    s->conf->push_poll_interval > sp->conf->interval)
		return (s->conf->push_poll_interval);
	return (sp->conf->interval);
}

static int
pull_data_cb(const char *data, size_t len, void *arg)
{
	struct pull_peer	*sp = arg;

	/*
	 * The parser starts with the first bytes, once the headers have
	 * given the charset and redirects the base of relative links.
	 */
	if (sp->ingest == NULL) {
		sp->ingest = ingest_new(sp->conf,
		    fetch_effective_url(sp->fetch),
		    fetch_content_type(sp->fetch));
		if (!sp->paging && sp->doc_known)
			ingest_set_last_digest(sp->ingest,
			    sp->state.body_digest);
	}
	return (ingest_data(sp->ingest, data, len));
}

/*
 * The delay before the next fetch: the peer's interval, lengthened by
 * what the peer asked for (max-age, Expires, ttl) within max_interval,
 * doubled on each consecutive failure up to backoff_max, never sooner
 * than a Retry-After; then a little jitter so peers drift apart.
 */
static double
pull_next_delay(struct pull_peer *sp, int ok,
    const struct fetch_result *res, int64_t ttl)
{
	const struct config	*c = sp->pull->conf;
	double			 d, hint = -1, j;
	int			 i;

	d = ok ? pull_peer_interval(sp) : sp->conf->interval;
	if (ok) {
		if (res != NULL && res->max_age > hint)
			hint = (double)res->max_age;
		if (ttl > hint)
			hint = (double)ttl;
		if (hint > d)
			d = hint < c->max_interval ? hint : c->max_interval;
	} else {
		for (i = 0; i < sp->state.failures && d < c->backoff_max; i++)
			d *= 2;
		if (d > c->backoff_max && c->backoff_max > sp->conf->interval)
			d = c->backoff_max;
		if (res != NULL && res->retry_after > d)
			d = res->retry_after < c->max_interval ?
			    (double)res->retry_after : c->max_interval;
	}
	if (d < c->min_interval)
		d = c->min_interval;
	if (c->jitter_percent > 0) {
		j = d * c->jitter_percent / 100.0;
		d += j * (2.0 * pull_random(sp->pull) - 1.0);
	}
	return (d);
}

/*
 * The document was fetched but the store could not take it (disk full,
 * read-only): not the peer's fault, so no failure is counted and no
 * backoff grows; the next poll at the usual interval tries again (the
 * document's digest and validators were not kept, so it is fetched and
 * stored in full).
 */
static void
pull_store_failed(struct pull_peer *sp, const struct fetch_result *res)
{
	free(sp->state.last_error);
	if ((sp->state.last_error = strdup("store write failed")) == NULL)
		fatal("%s", __func__);
	log_warnx_limited(sp->name, "peer %s: not stored: the store could "
	    "not be written; trying again at the next poll", sp->name);
	pull_peer_arm(sp, pull_next_delay(sp, 1, res, -1));
}

static void
pull_fetch_failed(struct pull_peer *sp, const struct fetch_result *res,
    const char *why)
{
	sp->state.failures++;
	free(sp->state.last_error);
	if ((sp->state.last_error = strdup(why)) == NULL)
		fatal("%s", __func__);
	log_warnx_limited(sp->name, "peer %s: %s (%d consecutive failures)",
	    sp->name, why, sp->state.failures);
	pull_peer_arm(sp, pull_next_delay(sp, 0, res, -1));
}

/* Another document: nothing learnt about the old one holds. */
static void
pull_state_forget(struct pull_peer *sp)
{
	entry_set(&sp->state.etag, NULL);
	entry_set(&sp->state.last_modified, NULL);
	entry_set(&sp->state.moved_to, NULL);
	entry_set(&sp->state.body_digest, NULL);
	sp->state.gone = 0;
	sp->state.failures = 0;
}

/*
 * A peer's state is written a little later, with the others changed
 * meanwhile (PULL_STATE_FLUSH_MS).
 */
static void
pull_state_save(struct pull_peer *sp)
{
	pull_state_save_in(sp, PULL_STATE_FLUSH_MS);
}

/*
 * Puts the peer's state among those to write, and has them written
 * within ms at the latest: one timer for all, moved earlier when a state
 * that must not wait joins lazy ones.
 */
static void
pull_state_save_in(struct pull_peer *sp, int64_t ms)
{
	struct pull	*s = sp->pull;
	struct timeval	 tv;
	int64_t		 at = fetch_now_ms() + ms;

	if (!sp->dirty) {
		sp->dirty = 1;
		TAILQ_INSERT_TAIL(&s->dirty, sp, dirty_next);
	}
	if (s->flush_at != 0 && s->flush_at <= at)
		return;
	s->flush_at = at;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(s->flush, &tv);
}

/*
 * A number in [0, 1) for jitter (xorshift64*, seeded once): spreading
 * peers' polls needs no secret, and glibc's arc4random makes a system
 * call each time.
 */
static double
pull_random(struct pull *s)
{
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return ((double)((s->rng * 2685821657736338717ULL) >> 11) /
	    9007199254740992.0);
}

/*
 * Writes one peer's state now. Like the documents fetched from it, it
 * does not wait for the disk (store_set_durable): a power failure can
 * only take the last fetches back, and they are made again.
 */
static void
pull_state_write(struct pull_peer *sp)
{
	struct store	*st = sp->pull->store;

	if (sp->dirty) {
		TAILQ_REMOVE(&sp->pull->dirty, sp, dirty_next);
		sp->dirty = 0;
	}
	(void)store_set_durable(st, 0);
	/* A failure is logged by the store, naming the peer. */
	(void)store_peer_state_save(st, sp->name, &sp->state);
	(void)store_set_durable(st, 1);
}

/* Writes every pending state in one transaction. */
static void
pull_state_flush(struct pull *s)
{
	struct pull_peer	*sp;
	int			 txn;

	s->flush_at = 0;
	evtimer_del(s->flush);
	if (TAILQ_EMPTY(&s->dirty))
		return;
	(void)store_set_durable(s->store, 0);
	/* Without a transaction each state is still written, alone. */
	txn = store_begin(s->store) == 0;
	while ((sp = TAILQ_FIRST(&s->dirty)) != NULL) {
		TAILQ_REMOVE(&s->dirty, sp, dirty_next);
		sp->dirty = 0;
		/* A failure is logged by the store, naming the peer. */
		(void)store_peer_state_save(s->store, sp->name,
		    &sp->state);
	}
	if (txn && store_commit(s->store) == -1)
		log_warnx("%s: peers' fetch states not saved", __func__);
	(void)store_set_durable(s->store, 1);
}

static void
pull_state_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	pull_state_flush(arg);
}

/* Stores a fetched document: ingest_finish, not waiting for the disk. */
static int
pull_ingest_finish(struct pull_peer *sp, struct ingest *in,
    const char *digest, struct ingest_stats *st)
{
	struct store	*store = sp->pull->store;
	int		 rc;

	(void)store_set_durable(store, 0);
	rc = ingest_finish(in, store, digest, st);
	(void)store_set_durable(store, 1);
	metrics_inc(pull_m_stored, "own", 1);
	return (rc);
}

/* Fetch latency buckets, seconds. */
static const double pull_latency_bounds[] = {
	0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60
};

/* Registers the fetch and ingest metrics once. */
static void
pull_metrics_init(void)
{
	if (pull_m_fetches == NULL) {
		pull_m_fetches = metrics_add_counter("feedmesh_fetches_total",
		    "Fetches of peers' feeds, by peer and outcome",
		    "peer,outcome");
		pull_m_latency = metrics_add_histogram(
		    "feedmesh_fetch_duration_seconds", "Duration of fetches",
		    pull_latency_bounds, sizeof(pull_latency_bounds) /
		    sizeof(pull_latency_bounds[0]));
		pull_m_ingested = metrics_add_counter(
		    "feedmesh_entries_ingested_total",
		    "Entries stored from peers, by result", "result");
		pull_m_merged = metrics_add_counter(
		    "feedmesh_duplicates_merged_total",
		    "Entries already stored that arrived by another path",
		    NULL);
		pull_m_stored = metrics_add_counter(
		    "feedmesh_documents_stored_total",
		    "Fetched documents given to the store, by transaction "
		    "(shared with others of the same turn, or their own)",
		    "transaction");
	}
}

/* Counts a finished fetch by peer and outcome, and its duration. */
static void
pull_metrics(struct pull_peer *sp, const struct fetch_result *res)
{
	char		 label[128];
	const char	*outcome;

	pull_metrics_init();
	if (res->error != NULL)
		outcome = "error";
	else if (res->status == 304)
		outcome = "not_modified";
	else if (res->status >= 200 && res->status < 300)
		outcome = "ok";
	else if (res->status == 410)
		outcome = "gone";
	else
		outcome = "http_error";
	snprintf(label, sizeof(label), "%s,%s", sp->name, outcome);
	metrics_inc(pull_m_fetches, label, 1);
	metrics_observe(pull_m_latency, res->total_time);
}

/* A fetch running, or its document waiting to be stored. */
static int
pull_peer_busy(const struct pull_peer *sp)
{
	return (sp->fetch != NULL || sp->pending);
}

/*
 * Keeps a fetched document (2xx) for pull_batch_flush(), which runs once
 * the loop has handed over what else has arrived, or at once when the
 * batch is full.
 */
static void
pull_batch_add(struct pull_peer *sp, struct ingest *in,
    const struct fetch_result *res, int64_t prev, int lazy)
{
	struct pull		*s = sp->pull;
	struct pull_doc		*d;
	const char		*src[6];
	const char		**dst[6];
	struct timeval		 now = { 0, 0 };
	int			 i;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("%s", __func__);
	d->sp = sp;
	d->in = in;
	d->res = *res;
	d->prev = prev;
	d->lazy = lazy;
	d->rc = -2;
	src[0] = res->etag;
	src[1] = res->last_modified;
	src[2] = res->content_type;
	src[3] = res->effective_url;
	src[4] = res->moved_to;
	src[5] = res->link_header;
	dst[0] = &d->res.etag;
	dst[1] = &d->res.last_modified;
	dst[2] = &d->res.content_type;
	dst[3] = &d->res.effective_url;
	dst[4] = &d->res.moved_to;
	dst[5] = &d->res.link_header;
	for (i = 0; i < 6; i++) {
		if (src[i] != NULL && (d->strs[i] = strdup(src[i])) == NULL)
			fatal("%s", __func__);
		*dst[i] = d->strs[i];
	}
	sp->pending = 1;
	TAILQ_INSERT_TAIL(&s->batch, d, next);
	s->nbatch++;
	s->batch_bytes += res->body_size;
	if (s->nbatch >= PULL_BATCH_DOCS || s->batch_bytes >= PULL_BATCH_BYTES)
		pull_batch_flush(s);
	else if (!evtimer_pending(s->batch_ev, NULL))
		evtimer_add(s->batch_ev, &now);
}

/*
 * Stores the documents of the batch in one transaction, then ends each
 * fetch as pull_done_cb() would have. A transaction per document was
 * most of what storing a small one cost (its commit, a segment of each
 * full-text index): documents of five entries went in 2.2 to 2.6 times
 * as fast sixteen at a time (fmbench). A document that is not a feed
 * fails alone; if the store fails, the transaction is rolled back and
 * each document is stored alone, as before, so that what becomes of a
 * peer never depends on the others.
 */
static void
pull_batch_flush(struct pull *s)
{
	struct pull_doc	*d;
	int		 ok, i;

	evtimer_del(s->batch_ev);
	if (TAILQ_EMPTY(&s->batch))
		return;
	if (s->nbatch > 1) {
		(void)store_set_durable(s->store, 0);
		ok = store_begin_whole(s->store) == 0;
		TAILQ_FOREACH(d, &s->batch, next) {
			if (!ok)
				break;
			d->rc = ingest_finish_within(d->in, s->store,
			    d->sp->state.body_digest, &d->sp->last);
			if (d->rc == -1 && ingest_store_failed(d->in))
				ok = 0;
		}
		if (ok && store_commit(s->store) == -1)
			ok = 0;
		if (ok)
			metrics_inc(pull_m_stored, "shared", s->nbatch);
		if (!ok) {
			/* Harmless after store_commit()'s own. */
			store_rollback(s->store);
			log_warnx("%s: %d documents could not be stored "
			    "together: each is stored alone", __func__,
			    s->nbatch);
			TAILQ_FOREACH(d, &s->batch, next)
				d->rc = -2;
		}
		(void)store_set_durable(s->store, 1);
	}
	s->nbatch = 0;
	s->batch_bytes = 0;
	while ((d = TAILQ_FIRST(&s->batch)) != NULL) {
		TAILQ_REMOVE(&s->batch, d, next);
		d->sp->pending = 0;
		pull_done_finish(d->sp, d->in, &d->res, d->prev, d->lazy,
		    d->rc == -2 ? NULL : &d->rc);
		for (i = 0; i < 6; i++)
			free(d->strs[i]);
		free(d);
	}
}

static void
pull_batch_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	pull_batch_flush(arg);
}

static void
pull_done_cb(const struct fetch_result *res, void *arg)
{
	struct pull_peer	*sp = arg;
	struct ingest		*in = sp->ingest;
	int64_t			 prev = sp->state.last_success;
	int			 lazy;

	sp->fetch = NULL;
	sp->ingest = NULL;
	pull_metrics(sp, res);
	/*
	 * Only the times (and a 200 becoming 304 in http_status, shown but
	 * never acted upon) change when a 304 follows a success: that state
	 * may wait (PULL_STATE_LAZY_MS).
	 */
	lazy = res->error == NULL && res->status == 304 &&
	    res->moved_to == NULL && (sp->state.http_status == 304 ||
	    (sp->state.http_status >= 200 && sp->state.http_status < 300)) &&
	    sp->state.failures == 0 && sp->state.last_error == NULL &&
	    sp->state.moved_to == NULL && !sp->state.gone;
	/* An empty 200 has nothing parsed: it is read as an empty body. */
	if (in == NULL && res->error == NULL && res->status >= 200 &&
	    res->status < 300)
		in = ingest_new(sp->conf, res->effective_url,
		    res->content_type);
	if (res->error == NULL && res->status >= 200 && res->status < 300) {
		pull_batch_add(sp, in, res, prev, lazy);
		return;
	}
	pull_done_finish(sp, in, res, prev, lazy, NULL);
}

/*
 * The rest of a fetch's end, once its document is stored: stored is
 * what storing it gave (0, -1), NULL to store it now.
 */
static void
pull_done_finish(struct pull_peer *sp, struct ingest *in,
    const struct fetch_result *res, int64_t prev, int lazy, const int *stored)
{
	struct ingest_stats	*st = &sp->last;
	const struct feed_meta	*meta;
	char			 why[512];
	int64_t			 ttl = -1;
	int			 live = 0;

	sp->state.last_fetch = time(NULL);
	sp->state.http_status = res->status;

	if (res->moved_to != NULL) {
		if (sp->state.moved_to == NULL ||
		    strcmp(sp->state.moved_to, res->moved_to) != 0)
			log_warnx("peer %s: %s moved permanently to %s; "
			    "update url in %s", sp->name, sp->conf->url,
			    res->moved_to, sp->conf->file);
		free(sp->state.moved_to);
		sp->state.moved_to = strdup(res->moved_to);
	} else if (res->error == NULL) {
		free(sp->state.moved_to);
		sp->state.moved_to = NULL;
	}

	if (res->error != NULL) {
		snprintf(why, sizeof(why), "%s%s%s", res->error,
		    in != NULL && ingest_error(in) != NULL ? ": " : "",
		    in != NULL && ingest_error(in) != NULL ?
		    ingest_error(in) : "");
		pull_fetch_failed(sp, res, why);
		goto done;
	}
	if (res->status == 410) {
		sp->state.gone = 1;
		free(sp->state.last_error);
		sp->state.last_error = strdup("410 Gone: polling stopped");
		log_warnx("peer %s: %s answered 410 Gone; polling stopped "
		    "(remove or fix %s)", sp->name, sp->conf->url,
		    sp->conf->file);
		goto done;
	}
	if (res->status == 304) {
		memset(st, 0, sizeof(*st));
		st->skipped = 1;
		log_debug("peer %s: 304 not modified", sp->name);
	} else if (res->status >= 200 && res->status < 300) {
		live = websub_live(sp->pull->websub, sp->name);
		if ((stored != NULL ? *stored : pull_ingest_finish(sp, in,
		    sp->state.body_digest, st)) == -1) {
			if (ingest_store_failed(in)) {
				pull_store_failed(sp, res);
				goto done;
			}
			snprintf(why, sizeof(why), "%s",
			    ingest_error(in) != NULL ? ingest_error(in) :
			    "document could not be read");
			pull_fetch_failed(sp, res, why);
			goto done;
		}
		free(sp->state.body_digest);
		sp->state.body_digest = strdup(ingest_digest(in));
		free(sp->state.etag);
		sp->state.etag = res->etag ? strdup(res->etag) : NULL;
		free(sp->state.last_modified);
		sp->state.last_modified = res->last_modified ?
		    strdup(res->last_modified) : NULL;
		if (!st->parsed)
			ttl = sp->doc_ttl;	/* the same document */
		else if ((meta = ingest_meta(in)) != NULL) {
			ttl = sp->doc_ttl = meta->ttl;
			sp->doc_known = 1;
			if (meta->bozo)
				log_warnx_limited(sp->name, "peer %s: document "
				    "is not well-formed (%s), recovered",
				    sp->name, meta->bozo_reason ?
				    meta->bozo_reason : "?");
		}
		metrics_inc(pull_m_ingested, "inserted", st->inserted);
		metrics_inc(pull_m_ingested, "updated", st->updated);
		metrics_inc(pull_m_ingested, "merged", st->merged);
		metrics_inc(pull_m_merged, NULL, st->merged);
		if (st->skipped)
			log_debug("peer %s: body unchanged", sp->name);
		else {
			if (st->inserted + st->updated + st->merged > 0)
				sp->entries = -1;
			log_info("peer %s: %d entries, %d new, %d updated, "
			    "%d merged, %d unchanged, %d stale, %d filtered "
			    "(identity %s)", sp->name, st->entries,
			    st->inserted, st->updated, st->merged,
			    st->unchanged, st->stale, st->filtered,
			    st->identity);
		}
		pull_websub_seen(sp, in, res, live);
	} else {
		snprintf(why, sizeof(why), "HTTP status %ld", res->status);
		pull_fetch_failed(sp, res, why);
		goto done;
	}
	sp->state.failures = 0;
	sp->state.last_success = sp->state.last_fetch;
	free(sp->state.last_error);
	sp->state.last_error = NULL;
	/* The timer waits for the end of a backfill. */
	if (res->status == 304 || pull_backfill_start(sp, in, prev) == -1)
		pull_peer_arm(sp, pull_next_delay(sp, 1, res, ttl));
done:
	ingest_free(in);
	pull_state_save_in(sp, lazy ? PULL_STATE_LAZY_MS : PULL_STATE_FLUSH_MS);
}

void
pull_reconfigure(struct pull *s, const struct config *conf)
{
	struct pull_peer	*sp, *tmp;
	struct peer_conf	*pc;
	const struct peer_conf	*old;

	/* What was fetched is stored under the peers' old settings. */
	pull_batch_flush(s);
	s->conf = conf;
	pull_set_user_agent(s);
	/* Peers removed or disabled stop; their state stays in the store. */
	/* glibc's sys/queue.h has no TAILQ_FOREACH_SAFE. */
	for (sp = TAILQ_FIRST(&s->peers); sp != NULL; sp = tmp) {
		tmp = TAILQ_NEXT(sp, next);
		pc = conf_peer_find(conf, sp->name);
		if (pc == NULL || !pc->enabled) {
			log_info("peer %s: %s", sp->name, pc == NULL ?
			    "removed" : "disabled");
			pull_peer_free(sp, "removed from configuration");
		}
	}
	TAILQ_FOREACH(pc, &conf->peers, next) {
		if (!pc->enabled)
			continue;
		if ((sp = pull_peer_find(s, pc->name)) == NULL) {
			log_info("peer %s: added", pc->name);
			pull_peer_resume(pull_peer_new(s, pc));
			continue;
		}
		old = sp->conf;
		sp->conf = pc;
		if (sp->ingest != NULL)
			ingest_set_peer(sp->ingest, pc);
		if (conf_peer_equal(old, pc))
			continue;
		log_info("peer %s: changed", pc->name);
		if (strcmp(old->url, pc->url) != 0) {
			pull_state_forget(sp);
			entry_set(&sp->state.url, pc->url);
		}
		/* New defaults or filters: the next body must be read again. */
		free(sp->state.body_digest);
		sp->state.body_digest = NULL;
		if (sp->fetch != NULL) {
			fetch_cancel(sp->fetch);
			sp->fetch = NULL;
			ingest_free(sp->ingest);
			sp->ingest = NULL;
		}
		sp->backfill = 0;
		sp->archives = 0;
		pull_state_save(sp);
		pull_peer_arm(sp, 0);
	}
}

/*
 * Fetches a peer now, or every peer not already fetching when name is
 * "*" (not a valid peer name): after an outage, or to time a round.
 */
int
pull_fetch_now(struct pull *s, const char *name, const char **why)
{
	struct pull_peer	*sp;
	int			 n = 0;

	if (strcmp(name, "*") == 0) {
		TAILQ_FOREACH(sp, &s->peers, next) {
			if (pull_peer_busy(sp))
				continue;
			sp->state.gone = 0;
			pull_peer_arm(sp, 0);
			n++;
		}
		log_info("fetching %d peers now", n);
		return (0);
	}
	if ((sp = pull_peer_find(s, name)) == NULL) {
		*why = "no such peer (or it is disabled)";
		return (-1);
	}
	if (pull_peer_busy(sp)) {
		*why = "a fetch is already running";
		return (-1);
	}
	/* An administrator asking for a fetch overrides a 410. */
	sp->state.gone = 0;
	pull_peer_arm(sp, 0);
	return (0);
}


json_t *
pull_peers_json(struct pull *s)
{
	struct pull_peer	*sp;
	json_t			*a, *o, *push;

	a = json_array();
	TAILQ_FOREACH(sp, &s->peers, next) {
		o = json_object();
		json_object_set_new(o, "name", json_string(sp->name));
		json_object_set_new(o, "url", json_string(sp->conf->url));
		date_json_set(o, "last_fetch", sp->state.last_fetch);
		date_json_set(o, "last_success", sp->state.last_success);
		json_object_set_new(o, "status",
		    json_integer(sp->state.http_status));
		if (sp->entries < 0)
			sp->entries = store_count_peer_entries(s->store,
			    sp->name);
		json_object_set_new(o, "entries", json_integer(sp->entries));
		date_json_set(o, "next_fetch", sp->state.gone ? 0 :
		    sp->state.next_fetch);
		json_object_set_new(o, "fetching",
		    json_boolean(pull_peer_busy(sp)));
		json_object_set_new(o, "failures",
		    json_integer(sp->state.failures));
		json_object_set_new(o, "last_error", sp->state.last_error ?
		    json_string(sp->state.last_error) : json_null());
		json_object_set_new(o, "moved_to", sp->state.moved_to ?
		    json_string(sp->state.moved_to) : json_null());
		json_object_set_new(o, "gone", json_boolean(sp->state.gone));
		json_object_set_new(o, "backfilling",
		    json_boolean(sp->backfill > 0));
		if ((push = websub_peer_json(s->websub, sp->name)) != NULL)
			json_object_set_new(o, "push", push);
		json_array_append_new(a, o);
	}
	return (a);
}

int
pull_npeers(const struct pull *s)
{
	return (s->npeers);
}

void
pull_free(struct pull *s)
{
	struct pull_peer	*sp;

	if (s == NULL)
		return;
	pull_batch_flush(s);
	pull_state_flush(s);
	while ((sp = TAILQ_FIRST(&s->peers)) != NULL) {
		/* A transfer cut short leaves the stored state as it was. */
		pull_peer_free(sp, "shutting down");
	}
	event_free(s->flush);
	event_free(s->batch_ev);
	strmap_free(s->peer_names);
	free(s->user_agent);
	free(s);
}

void
pull_set_websub(struct pull *s, struct websub *ws)
{
	struct pull_peer	*sp;

	s->websub = ws;
	if (ws == NULL)
		return;
	websub_set_change_cb(ws, pull_websub_change_cb, s);
	/* Subscriptions resumed from the store slow their peers at once. */
	TAILQ_FOREACH(sp, &s->peers, next)
		if (websub_live(ws, sp->name))
			pull_peer_resume(sp);
}

/*
 * After a document was stored: its hub and self links go to the WebSub
 * subscriber, and entries new to the store while pushes were live mean
 * that pushes missed them.
 */
static void
pull_websub_seen(struct pull_peer *sp, struct ingest *in,
    const struct fetch_result *res, int live)
{
	struct ingest_stats	*st = &sp->last;
	char			*hub, *self, *h, *f;

	if (sp->pull->websub == NULL || sp->conf->push != CONF_PUSH_WEBSUB)
		return;
	if (live && !st->skipped && st->inserted + st->updated > 0)
		websub_missed(sp->pull->websub, sp->name,
		    st->inserted + st->updated);
	websub_discover(res->link_header, ingest_meta(in), &hub, &self);
	/* Link header targets may be relative to the document. */
	h = hub != NULL ? url_resolve(res->effective_url, hub) : NULL;
	f = self != NULL ? url_resolve(res->effective_url, self) : NULL;
	websub_discovered(sp->pull->websub, sp->conf, h, f);
	free(hub);
	free(self);
	free(h);
	free(f);
}

/* A peer's push became live or stopped: its next pull moves. */
static void
pull_websub_change_cb(const char *name, void *arg)
{
	struct pull		*s = arg;
	struct pull_peer	*sp;

	if ((sp = pull_peer_find(s, name)) == NULL || pull_peer_busy(sp) ||
	    sp->state.gone)
		return;
	pull_peer_arm(sp, pull_next_delay(sp, sp->state.failures == 0, NULL,
	    -1));
}

/*
 * Starts following the document's RFC 5005 "next" pages, then its
 * "prev-archive" archives, when the peer is new or was not fetched for a
 * long time: 0 if a fetch started (the timer is armed when the backfill
 * ends), else -1.
 */
static int
pull_backfill_start(struct pull_peer *sp, struct ingest *in, int64_t prev)
{
	const struct feed_meta	*meta = ingest_meta(in);
	int64_t			 gap = (int64_t)pull_peer_interval(sp) *
				    PULL_BACKFILL_DOWNTIME;
	int			 pages, archives;

	if (meta == NULL || sp->last.skipped)
		return (-1);
	pages = meta->next != NULL && url_is_http(meta->next);
	archives = meta->prev_archive != NULL &&
	    url_is_http(meta->prev_archive);
	if (!pages && !archives)
		return (-1);
	if (prev != 0 && sp->state.last_fetch - prev <= gap)
		return (-1);
	sp->backfill = PULL_BACKFILL_PAGES;
	sp->backfill_new = prev == 0;
	sp->archives = 0;
	free(sp->archive_url);
	sp->archive_url = NULL;
	if (archives && (sp->archive_url = strdup(meta->prev_archive)) == NULL)
		fatal("%s", __func__);
	log_info("peer %s: %s, following its %s", sp->name,
	    prev == 0 ? "new peer" : "not fetched for a while",
	    pages ? "next pages" : "archives");
	if (pages)
		return (pull_backfill_next(sp, meta->next));
	pull_backfill_archives(sp, "no next page");
	return (0);
}

/*
 * The pages ran out before the history did: the archives follow, newest
 * first, if the listing offered them; else the backfill ends for why.
 */
static void
pull_backfill_archives(struct pull_peer *sp, const char *why)
{
	char	*url;

	if ((url = sp->archive_url) == NULL) {
		pull_backfill_end(sp, why);
		return;
	}
	sp->archive_url = NULL;
	log_info("peer %s: %s, following its archives from %s", sp->name,
	    why, url);
	sp->archives = 1;
	sp->backfill = PULL_BACKFILL_ARCHIVES;
	if (pull_backfill_next(sp, url) == -1)
		pull_backfill_end(sp, "the request could not be made");
	free(url);
}

/* Fetches one page of the backfill; -1 if it could not start. */
static int
pull_backfill_next(struct pull_peer *sp, const char *url)
{
	struct fetch_request	 req;

	free(sp->page_url);
	if ((sp->page_url = strdup(url)) == NULL)
		fatal("%s", __func__);
	pull_request(sp, &req, sp->page_url);
	sp->backfill--;
	sp->paging = 1;
	if ((sp->fetch = fetch_start(sp->pull->fetcher, &req, pull_data_cb,
	    pull_page_done_cb, sp)) == NULL) {
		sp->backfill = 0;
		return (-1);
	}
	return (0);
}

static void
pull_page_done_cb(const struct fetch_result *res, void *arg)
{
	struct pull_peer	*sp = arg;
	struct ingest		*in = sp->ingest;
	struct ingest_stats	 st;
	const struct feed_meta	*meta;
	const char		*next, *parch;
	char			 why[256];

	sp->fetch = NULL;
	sp->ingest = NULL;
	if (res->error != NULL || res->status < 200 || res->status >= 300 ||
	    in == NULL) {
		snprintf(why, sizeof(why), "page %s: %s", sp->page_url,
		    res->error != NULL ? res->error : "no feed");
		if (res->error == NULL && res->status != 200)
			snprintf(why, sizeof(why), "page %s: HTTP status %ld",
			    sp->page_url, res->status);
		pull_backfill_end(sp, why);
		goto done;
	}
	if (pull_ingest_finish(sp, in, NULL, &st) == -1) {
		snprintf(why, sizeof(why), "page %s: %s", sp->page_url,
		    ingest_error(in) != NULL ? ingest_error(in) : "?");
		pull_backfill_end(sp, why);
		goto done;
	}
	log_info("peer %s: page %s: %d entries, %d new, %d updated, "
	    "%d merged", sp->name, sp->page_url, st.entries, st.inserted,
	    st.updated, st.merged);
	if (st.inserted + st.updated + st.merged > 0)
		sp->entries = -1;
	meta = ingest_meta(in);
	next = meta != NULL ? meta->next : NULL;
	if (next != NULL && (!url_is_http(next) ||
	    strcmp(next, sp->page_url) == 0))
		next = NULL;
	parch = meta != NULL ? meta->prev_archive : NULL;
	if (parch != NULL && (!url_is_http(parch) ||
	    strcmp(parch, sp->page_url) == 0))
		parch = NULL;
	/*
	 * After downtime the pages (or archives) older than what was
	 * missed hold nothing new: the first such one ends the catching up.
	 * The last page of a listing ends it too: all its history was read.
	 */
	if (!sp->backfill_new && st.inserted + st.updated + st.merged == 0)
		pull_backfill_end(sp, "caught up");
	else if (!sp->archives && next == NULL)
		pull_backfill_end(sp, "no next page");
	else if (!sp->archives && sp->backfill <= 0)
		pull_backfill_archives(sp, "page limit reached");
	else if (sp->archives && sp->backfill <= 0)
		pull_backfill_end(sp, "archive limit reached");
	else if (sp->archives && next == NULL && parch == NULL)
		pull_backfill_end(sp, "oldest archive reached");
	/* An archive's own next pages (a month past its cap) come first. */
	else if (pull_backfill_next(sp, next != NULL ? next : parch) == -1)
		pull_backfill_end(sp, "the request could not be made");
done:
	ingest_free(in);
}

static void
pull_backfill_end(struct pull_peer *sp, const char *why)
{
	log_info("peer %s: backfill done (%s)", sp->name, why);
	sp->backfill = 0;
	sp->archives = 0;
	free(sp->archive_url);
	sp->archive_url = NULL;
	pull_peer_arm(sp, pull_next_delay(sp, 1, NULL, -1));
}
