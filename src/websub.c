/*
 * feedmesh: the WebSub subscriber (W3C Recommendation, 23 January 2018):
 * this node subscribes to the hubs its peers advertise, answers the
 * hubs' verifications of intent and ingests signed content distributions.
 */
#include <sys/queue.h>
#include <sys/time.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "config.h"
#include "date.h"
#include "entry.h"
#include "fetch.h"
#include "ingest.h"
#include "log.h"
#include "metrics.h"
#include "serve.h"
#include "store.h"
#include "store_private.h"
#include "strmap.h"
#include "url.h"
#include "websub.h"

/*
 * A hub that accepted a request verifies it soon; one that has not after
 * this long has lost it. Failed requests are retried after a delay that
 * doubles from WEBSUB_RETRY_MIN up to WEBSUB_RETRY_MAX.
 */
#define WEBSUB_VERIFY_WAIT	300
#define WEBSUB_RETRY_MIN	10
#define WEBSUB_RETRY_MAX	3600
#define WEBSUB_SECRET_BYTES	32
#define WEBSUB_TIMEOUT		30	/* s, one request to a hub */
#define WEBSUB_MAX_TRANSFERS	8
#define WEBSUB_PATH		"/websub"
#define WEBSUB_MAX_URL		4096

enum websub_state {
	WEBSUB_REQUESTED,
	WEBSUB_ACTIVE,
	WEBSUB_DENIED,
	WEBSUB_FAILED,
	WEBSUB_UNSUBSCRIBING
};

/*
 * Content distributions received, by outcome: ingested, ignored (bad
 * signature), refused (not a feed), unstored (store failed, 503),
 * unknown (no such callback, 410).
 */
static struct metric	*websub_m_received;

static const char *const websub_state_names[] = {
	"requested", "active", "denied", "failed", "unsubscribing"
};

/*
 * One subscription, named by the token of its callback URL. One that is
 * not being unsubscribed always belongs to a pushed peer (wp), in the
 * peer's list; one being unsubscribed may outlive its peer (wp NULL).
 */
struct websub_sub {
	TAILQ_ENTRY(websub_sub)	 next;
	TAILQ_ENTRY(websub_sub)	 peer_next;	/* in wp->subs */
	struct websub		*ws;
	struct websub_peer	*wp;
	char			*peer;
	char			*token;
	char			*secret;
	char			*hub;
	char			*topic;
	enum websub_state	 state;
	int64_t			 requested;
	int64_t			 verified;
	int64_t			 lease_end;
	int64_t			 renew_at;
	int64_t			 last_push;
	struct fetch		*fetch;
};
TAILQ_HEAD(websub_sub_list, websub_sub);

/* A peer with push = websub: what was discovered and how it went. */
struct websub_peer {
	TAILQ_ENTRY(websub_peer) next;
	char			*name;
	const struct peer_conf	*conf;
	char			*hub;		/* last discovered */
	char			*topic;
	int			 failures;
	int64_t			 retry_at;	/* 0: subscribe when possible */
	int			 unreliable;
	int			 was_live;
	int			 resubscribe;	/* hub or topic changed */
	int64_t			 last_push;
	/*
	 * Its subscriptions, oldest first: the tick looks at each peer's
	 * every second, and a walk of every subscription for each peer
	 * held the loop 0.7 s a second at 10,000 pushed peers.
	 */
	struct websub_sub_list	 subs;
};
TAILQ_HEAD(websub_peer_list, websub_peer);

struct websub {
	struct event_base	*base;
	struct store		*store;
	struct serve		*serve;
	const struct config	*conf;
	struct fetcher		*fetcher;
	struct event		*tick;
	struct websub_sub_list	 subs;
	struct websub_peer_list	 peers;
	struct strmap		*peer_names;	/* name -> websub_peer */
	struct strmap		*sub_tokens;	/* token -> websub_sub */
	sqlite3_stmt		*st_save;
	sqlite3_stmt		*st_delete;
	char			*user_agent;
	websub_change_cb	 change_cb;
	void			*change_arg;
};

static int	 websub_prepare(struct websub *);
static void	 websub_load(struct websub *);
static void	 websub_tick_cb(evutil_socket_t, short, void *);
static void	 websub_peer_check(struct websub *, struct websub_peer *,
		    int64_t);
static struct websub_peer *websub_peer_find(const struct websub *,
		    const char *);
static struct websub_peer *websub_peer_add(struct websub *,
		    const struct peer_conf *);
static void	 websub_peer_free(struct websub *, struct websub_peer *);
static int	 websub_peer_is_live(const struct websub_peer *, int64_t);
static void	 websub_peer_notify(struct websub *, struct websub_peer *);
static struct websub_sub *websub_sub_current(const struct websub_peer *);
static void	 websub_sub_link(struct websub_sub *, struct websub_peer *);
static struct websub_sub *websub_sub_find(const struct websub *,
		    const char *);
static void	 websub_sub_free(struct websub_sub *, const char *);
static void	 websub_sub_destroy(struct websub_sub *);
static void	 websub_sub_save(struct websub_sub *);
static void	 websub_subscribe(struct websub *, struct websub_peer *);
static void	 websub_unsubscribe(struct websub_sub *);
static int	 websub_request(struct websub_sub *, const char *);
static int	 websub_discard_cb(const char *, size_t, void *);
static void	 websub_request_done_cb(const struct fetch_result *, void *);
static void	 websub_failed(struct websub *, struct websub_peer *,
		    const char *);
static void	 websub_retire_others(struct websub_sub *);
static void	 websub_route_cb(struct serve_reply *, void *);
static void	 websub_metrics_cb(struct buf *, void *);
static void	 websub_verify(struct websub *, struct serve_reply *,
		    struct websub_sub *, struct evhttp_request *);
static void	 websub_receive(struct websub *, struct serve_reply *,
		    struct websub_sub *, struct evhttp_request *);
static char	*websub_callback(const struct websub *, const char *);
static char	*websub_strdup(const char *);
static void	 websub_set(char **, const char *);
static int	 websub_streq(const char *, const char *);

static char *
websub_strdup(const char *s)
{
	char	*p;

	if (s == NULL)
		return (NULL);
	if ((p = strdup(s)) == NULL)
		fatal("%s", __func__);
	return (p);
}

static void
websub_set(char **field, const char *s)
{
	free(*field);
	*field = websub_strdup(s);
}

static int
websub_streq(const char *a, const char *b)
{
	return (a == NULL ? b == NULL : b != NULL && strcmp(a, b) == 0);
}

struct websub *
websub_new(struct event_base *base, struct store *store, struct serve *serve,
    const struct config *conf)
{
	struct websub		*ws;
	struct fetcher_limits	 lim;
	struct peer_conf	*pc;
	struct timeval		 tv = { 1, 0 };

	if ((ws = calloc(1, sizeof(*ws))) == NULL)
		fatal("%s", __func__);
	ws->base = base;
	ws->store = store;
	ws->serve = serve;
	ws->conf = conf;
	websub_m_received = metrics_add_counter(
	    "feedmesh_pushes_received_total",
	    "WebSub content distributions received from peers' hubs, "
	    "by outcome", "outcome");
	metrics_add_collector(websub_metrics_cb, ws);
	TAILQ_INIT(&ws->subs);
	TAILQ_INIT(&ws->peers);
	ws->peer_names = strmap_new();
	ws->sub_tokens = strmap_new();
	if (asprintf(&ws->user_agent, "feedmesh/%s (+%s)", PACKAGE_VERSION,
	    conf->public_url) == -1)
		fatal("%s", __func__);
	/* Its own fetcher: hub requests never wait behind peer pulls. */
	memset(&lim, 0, sizeof(lim));
	lim.max_transfers = WEBSUB_MAX_TRANSFERS;
	lim.max_per_host = 2;
	lim.allow_private = conf->allow_private;
	if ((ws->fetcher = fetcher_new(base, &lim)) == NULL ||
	    websub_prepare(ws) == -1 ||
	    serve_route(serve, WEBSUB_PATH, 1, websub_route_cb, ws) == -1) {
		websub_free(ws);
		return (NULL);
	}
	TAILQ_FOREACH(pc, &conf->peers, next)
		if (pc->enabled && pc->push == CONF_PUSH_WEBSUB)
			websub_peer_add(ws, pc);
	websub_load(ws);
	/*
	 * Subscriptions are few (one or two per pushed peer): one timer
	 * scanning them every second is simpler than a timer each.
	 */
	if ((ws->tick = event_new(base, -1, EV_PERSIST, websub_tick_cb,
	    ws)) == NULL || event_add(ws->tick, &tv) == -1)
		fatalx("%s: cannot add the WebSub timer", __func__);
	return (ws);
}

static int
websub_prepare(struct websub *ws)
{
	sqlite3	*db = store_sqlite(ws->store);

	if (sqlite3_prepare_v3(db, "INSERT OR REPLACE INTO websub_subs"
	    " (token, peer, hub, topic, secret, state, requested, verified,"
	    " lease_end, renew_at, last_push, push_unreliable)"
	    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)", -1,
	    SQLITE_PREPARE_PERSISTENT, &ws->st_save, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(db, "DELETE FROM websub_subs WHERE token = ?",
	    -1, SQLITE_PREPARE_PERSISTENT, &ws->st_delete, NULL) !=
	    SQLITE_OK) {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(db));
		return (-1);
	}
	return (0);
}

/*
 * Reads the subscriptions of the last run. An active one whose lease
 * runs is resumed as it was (renewed at its time); anything else of a
 * pushed peer is asked again with a new callback; those of peers no
 * longer pushed are unsubscribed.
 */
static void
websub_load(struct websub *ws)
{
	sqlite3			*db = store_sqlite(ws->store);
	sqlite3_stmt		*st;
	struct websub_sub	*sub, *tmp;
	struct websub_peer	*wp;
	int64_t			 now = store_now(ws->store);
	int			 rc, i;

	if (sqlite3_prepare_v2(db, "SELECT token, peer, hub, topic, secret,"
	    " state, requested, verified, lease_end, renew_at, last_push"
	    " FROM websub_subs ORDER BY requested", -1, &st, NULL) !=
	    SQLITE_OK) {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(db));
		return;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((sub = calloc(1, sizeof(*sub))) == NULL)
			fatal("%s", __func__);
		sub->ws = ws;
		sub->token = websub_strdup((const char *)
		    sqlite3_column_text(st, 0));
		sub->peer = websub_strdup((const char *)
		    sqlite3_column_text(st, 1));
		sub->hub = websub_strdup((const char *)
		    sqlite3_column_text(st, 2));
		sub->topic = websub_strdup((const char *)
		    sqlite3_column_text(st, 3));
		sub->secret = websub_strdup((const char *)
		    sqlite3_column_text(st, 4));
		sub->state = WEBSUB_FAILED;
		for (i = 0; i <= WEBSUB_UNSUBSCRIBING; i++)
			if (strcmp((const char *)sqlite3_column_text(st, 5),
			    websub_state_names[i]) == 0)
				sub->state = (enum websub_state)i;
		sub->requested = sqlite3_column_int64(st, 6);
		sub->verified = sqlite3_column_int64(st, 7);
		sub->lease_end = sqlite3_column_int64(st, 8);
		sub->renew_at = sqlite3_column_int64(st, 9);
		sub->last_push = sqlite3_column_int64(st, 10);
		TAILQ_INSERT_TAIL(&ws->subs, sub, next);
		strmap_put(ws->sub_tokens, sub->token, sub);
	}
	if (rc != SQLITE_DONE)
		log_warnx("%s: %s", __func__, sqlite3_errmsg(db));
	sqlite3_finalize(st);

	for (sub = TAILQ_FIRST(&ws->subs); sub != NULL; sub = tmp) {
		tmp = TAILQ_NEXT(sub, next);
		if ((wp = websub_peer_find(ws, sub->peer)) != NULL)
			websub_sub_link(sub, wp);
		if (sub->state == WEBSUB_UNSUBSCRIBING)
			continue;
		if (wp == NULL) {
			websub_unsubscribe(sub);
			continue;
		}
		/* The newest row tells what was discovered last. */
		websub_set(&wp->hub, sub->hub);
		websub_set(&wp->topic, sub->topic);
		if (sub->last_push > wp->last_push)
			wp->last_push = sub->last_push;
	}
	TAILQ_FOREACH(wp, &ws->peers, next) {
		sub = websub_sub_current(wp);
		if (sub != NULL && sub->state == WEBSUB_ACTIVE &&
		    sub->lease_end > now) {
			log_info("peer %s: WebSub subscription to %s resumed, "
			    "lease until %lld", wp->name, sub->hub,
			    (long long)sub->lease_end);
			wp->was_live = 1;
		} else if (wp->hub != NULL) {
			log_info("peer %s: subscribing again to %s",
			    wp->name, wp->hub);
			wp->resubscribe = 1;
		}
	}
}

/* The subscription a peer relies on now or will: its newest one. */
static struct websub_sub *
websub_sub_current(const struct websub_peer *wp)
{
	struct websub_sub	*sub, *cur = NULL;

	TAILQ_FOREACH(sub, &wp->subs, peer_next)
		if (sub->state != WEBSUB_UNSUBSCRIBING &&
		    (cur == NULL || sub->requested >= cur->requested))
			cur = sub;
	return (cur);
}

/* Puts a subscription in its peer's list (newest last, as in ws->subs). */
static void
websub_sub_link(struct websub_sub *sub, struct websub_peer *wp)
{
	sub->wp = wp;
	TAILQ_INSERT_TAIL(&wp->subs, sub, peer_next);
}

static struct websub_sub *
websub_sub_find(const struct websub *ws, const char *token)
{
	return (strmap_get(ws->sub_tokens, token));
}

static struct websub_peer *
websub_peer_find(const struct websub *ws, const char *name)
{
	return (strmap_get(ws->peer_names, name));
}

static struct websub_peer *
websub_peer_add(struct websub *ws, const struct peer_conf *pc)
{
	struct websub_peer	*wp;

	if ((wp = calloc(1, sizeof(*wp))) == NULL)
		fatal("%s", __func__);
	wp->name = websub_strdup(pc->name);
	wp->conf = pc;
	TAILQ_INIT(&wp->subs);
	TAILQ_INSERT_TAIL(&ws->peers, wp, next);
	strmap_put(ws->peer_names, wp->name, wp);
	return (wp);
}

/* Its subscriptions left (being unsubscribed) outlive it. */
static void
websub_peer_free(struct websub *ws, struct websub_peer *wp)
{
	struct websub_sub	*sub;

	while ((sub = TAILQ_FIRST(&wp->subs)) != NULL) {
		TAILQ_REMOVE(&wp->subs, sub, peer_next);
		sub->wp = NULL;
	}
	strmap_del(ws->peer_names, wp->name);
	TAILQ_REMOVE(&ws->peers, wp, next);
	free(wp->name);
	free(wp->hub);
	free(wp->topic);
	free(wp);
}

/* Forgets a subscription: its row, its request in flight. */
static void
websub_sub_free(struct websub_sub *sub, const char *why)
{
	struct websub	*ws = sub->ws;

	log_debug("peer %s: subscription %.8s... dropped (%s)", sub->peer,
	    sub->token, why);
	sqlite3_bind_text(ws->st_delete, 1, sub->token, -1, SQLITE_STATIC);
	if (sqlite3_step(ws->st_delete) != SQLITE_DONE)
		log_warnx("%s: %s", __func__,
		    sqlite3_errmsg(store_sqlite(ws->store)));
	sqlite3_reset(ws->st_delete);
	sqlite3_clear_bindings(ws->st_delete);
	websub_sub_destroy(sub);
}

/* Frees the memory of a subscription; its row is left as it is. */
static void
websub_sub_destroy(struct websub_sub *sub)
{
	if (sub->fetch != NULL)
		fetch_cancel(sub->fetch);
	if (sub->wp != NULL)
		TAILQ_REMOVE(&sub->wp->subs, sub, peer_next);
	strmap_del(sub->ws->sub_tokens, sub->token);
	TAILQ_REMOVE(&sub->ws->subs, sub, next);
	free(sub->peer);
	free(sub->token);
	if (sub->secret != NULL)
		explicit_bzero(sub->secret, strlen(sub->secret));
	free(sub->secret);
	free(sub->hub);
	free(sub->topic);
	free(sub);
}

static void
websub_sub_save(struct websub_sub *sub)
{
	struct websub	*ws = sub->ws;
	sqlite3_stmt	*st = ws->st_save;

	sqlite3_bind_text(st, 1, sub->token, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, sub->peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, sub->hub, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, sub->topic, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, sub->secret, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, websub_state_names[sub->state], -1,
	    SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, sub->requested);
	sqlite3_bind_int64(st, 8, sub->verified);
	sqlite3_bind_int64(st, 9, sub->lease_end);
	sqlite3_bind_int64(st, 10, sub->renew_at);
	sqlite3_bind_int64(st, 11, sub->last_push);
	if (sqlite3_step(st) != SQLITE_DONE)
		log_warnx("peer %s: subscription not saved: %s", sub->peer,
		    sqlite3_errmsg(store_sqlite(ws->store)));
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

static char *
websub_callback(const struct websub *ws, const char *token)
{
	char	*url;

	if (asprintf(&url, "%s%s/%s", ws->conf->public_url, WEBSUB_PATH,
	    token) == -1)
		fatal("%s", __func__);
	return (url);
}

void
websub_token_new(char *buf, size_t len)
{
	unsigned char	 raw[16];

	if (len < WEBSUB_TOKEN_LEN)
		fatalx("%s: buffer too small", __func__);
	arc4random_buf(raw, sizeof(raw));
	buf_hex(buf, raw, sizeof(raw));
}

int
websub_token_valid(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!isxdigit((unsigned char)s[i]) ||
		    isupper((unsigned char)s[i]))
			return (0);
	return (i == WEBSUB_TOKEN_LEN - 1);
}

/*
 * A new subscription for the peer, with a callback and a secret of its
 * own; the peer's older ones keep working until it is verified.
 */
static void
websub_subscribe(struct websub *ws, struct websub_peer *wp)
{
	struct websub_sub	*sub;
	unsigned char		 raw[WEBSUB_SECRET_BYTES];
	char			 token[WEBSUB_TOKEN_LEN];

	if ((sub = calloc(1, sizeof(*sub))) == NULL ||
	    (sub->secret = malloc(2 * sizeof(raw) + 1)) == NULL)
		fatal("%s", __func__);
	sub->ws = ws;
	websub_token_new(token, sizeof(token));
	sub->token = websub_strdup(token);
	arc4random_buf(raw, sizeof(raw));
	buf_hex(sub->secret, raw, sizeof(raw));
	explicit_bzero(raw, sizeof(raw));
	sub->peer = websub_strdup(wp->name);
	sub->hub = websub_strdup(wp->hub);
	sub->topic = websub_strdup(wp->topic);
	sub->state = WEBSUB_REQUESTED;
	sub->requested = store_now(ws->store);
	wp->resubscribe = 0;
	/* Saved first: the hub may verify before it answers the POST. */
	TAILQ_INSERT_TAIL(&ws->subs, sub, next);
	strmap_put(ws->sub_tokens, sub->token, sub);
	websub_sub_link(sub, wp);
	websub_sub_save(sub);
	log_info("peer %s: subscribing to %s at %s", wp->name, sub->topic,
	    sub->hub);
	if (websub_request(sub, "subscribe") == -1)
		websub_failed(ws, wp, "the request could not be made");
}

/* Asks the hub to stop a subscription; the row goes once verified. */
static void
websub_unsubscribe(struct websub_sub *sub)
{
	if (sub->state != WEBSUB_ACTIVE && sub->state != WEBSUB_REQUESTED) {
		websub_sub_free(sub, "not subscribed");
		return;
	}
	sub->state = WEBSUB_UNSUBSCRIBING;
	sub->requested = store_now(sub->ws->store);
	websub_sub_save(sub);
	log_info("peer %s: unsubscribing from %s at %s", sub->peer,
	    sub->topic, sub->hub);
	if (sub->fetch != NULL) {
		fetch_cancel(sub->fetch);
		sub->fetch = NULL;
	}
	if (websub_request(sub, "unsubscribe") == -1)
		websub_sub_free(sub, "unsubscribe could not be sent");
}

/* POSTs hub.mode=mode for the subscription to its hub. */
static int
websub_request(struct websub_sub *sub, const char *mode)
{
	struct websub		*ws = sub->ws;
	struct fetch_request	 req;
	struct evbuffer		*b;
	const char		*hdrs[] = {
		"Content-Type: application/x-www-form-urlencoded", NULL
	};
	char			*cb, *e[5];
	size_t			 i;
	int			 rc = 0;

	cb = websub_callback(ws, sub->token);
	e[0] = evhttp_uriencode(mode, -1, 1);
	e[1] = evhttp_uriencode(sub->topic, -1, 1);
	e[2] = evhttp_uriencode(cb, -1, 1);
	e[3] = evhttp_uriencode(sub->secret, -1, 1);
	e[4] = evhttp_uriencode(ws->conf->node, -1, 1);
	if ((b = evbuffer_new()) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < 5; i++)
		if (e[i] == NULL)
			fatal("%s", __func__);
	evbuffer_add_printf(b, "hub.mode=%s&hub.topic=%s&hub.callback=%s",
	    e[0], e[1], e[2]);
	if (strcmp(mode, "subscribe") == 0)
		evbuffer_add_printf(b, "&hub.lease_seconds=%d&hub.secret=%s",
		    ws->conf->websub_lease, e[3]);
	/* Hubs ignore what they do not know; feedmesh hubs avoid loops. */
	evbuffer_add_printf(b, "&feedmesh.node=%s", e[4]);
	memset(&req, 0, sizeof(req));
	req.url = sub->hub;
	req.user_agent = ws->user_agent;
	req.max_size = 64 * 1024;
	req.connect_timeout = ws->conf->connect_timeout;
	req.timeout = WEBSUB_TIMEOUT;
	req.max_redirects = 0;
	req.label = sub->peer;
	req.method = "POST";
	req.body = (const char *)evbuffer_pullup(b, -1);
	req.body_len = evbuffer_get_length(b);
	req.headers = hdrs;
	if ((sub->fetch = fetch_start(ws->fetcher, &req, websub_discard_cb,
	    websub_request_done_cb, sub)) == NULL)
		rc = -1;
	/* The body held the secret. */
	explicit_bzero(evbuffer_pullup(b, -1), evbuffer_get_length(b));
	evbuffer_free(b);
	for (i = 0; i < 5; i++)
		free(e[i]);
	free(cb);
	return (rc);
}

static int
websub_discard_cb(const char *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	(void)arg;
	return (0);
}

/* The hub's answer to a request: 202 (or another 2xx) means "will verify". */
static void
websub_request_done_cb(const struct fetch_result *res, void *arg)
{
	struct websub_sub	*sub = arg;
	struct websub		*ws = sub->ws;
	struct websub_peer	*wp;
	char			 why[256];

	sub->fetch = NULL;
	if (res->error == NULL && res->status >= 200 && res->status < 300) {
		log_debug("peer %s: hub %s answered %ld", sub->peer, sub->hub,
		    res->status);
		return;
	}
	if (res->error != NULL)
		snprintf(why, sizeof(why), "%s", res->error);
	else
		snprintf(why, sizeof(why), "HTTP status %ld", res->status);
	if (sub->state == WEBSUB_UNSUBSCRIBING) {
		log_warnx("peer %s: hub %s refused to unsubscribe (%s)",
		    sub->peer, sub->hub, why);
		websub_sub_free(sub, "unsubscribe refused");
		return;
	}
	if (sub->state != WEBSUB_REQUESTED)
		return;
	sub->state = WEBSUB_FAILED;
	websub_sub_save(sub);
	if ((wp = websub_peer_find(ws, sub->peer)) != NULL)
		websub_failed(ws, wp, why);
}

/* A subscription attempt failed: try again later, pull normally. */
static void
websub_failed(struct websub *ws, struct websub_peer *wp, const char *why)
{
	int64_t	 delay = WEBSUB_RETRY_MIN;
	int	 i;

	for (i = 0; i < wp->failures && delay < WEBSUB_RETRY_MAX; i++)
		delay *= 2;
	if (delay > WEBSUB_RETRY_MAX)
		delay = WEBSUB_RETRY_MAX;
	wp->failures++;
	wp->retry_at = store_now(ws->store) + delay;
	log_warnx_limited(wp->name, "peer %s: subscription to %s failed: %s; "
	    "retrying in %llds", wp->name, wp->hub ? wp->hub : "?", why,
	    (long long)delay);
	websub_peer_notify(ws, wp);
}

/*
 * Once a new subscription is verified, the peer's older ones stop (a hub
 * verifying an old one again does not stop a newer one).
 */
static void
websub_retire_others(struct websub_sub *keep)
{
	struct websub_sub	*sub, *tmp;

	if (keep->wp == NULL)
		return;
	for (sub = TAILQ_FIRST(&keep->wp->subs); sub != NULL; sub = tmp) {
		tmp = TAILQ_NEXT(sub, peer_next);
		if (sub == keep || sub->state == WEBSUB_UNSUBSCRIBING ||
		    sub->requested > keep->requested)
			continue;
		websub_unsubscribe(sub);
	}
}

static int
websub_peer_is_live(const struct websub_peer *wp, int64_t now)
{
	struct websub_sub	*sub;

	if (wp->unreliable)
		return (0);
	TAILQ_FOREACH(sub, &wp->subs, peer_next)
		if (sub->state == WEBSUB_ACTIVE && sub->lease_end > now)
			return (1);
	return (0);
}

int
websub_live(const struct websub *ws, const char *peer)
{
	struct websub_peer	*wp;

	if (ws == NULL || (wp = websub_peer_find(ws, peer)) == NULL)
		return (0);
	return (websub_peer_is_live(wp, store_now(ws->store)));
}

/* Tells pull when a peer starts or stops being live. */
static void
websub_peer_notify(struct websub *ws, struct websub_peer *wp)
{
	int	 live = websub_peer_is_live(wp, store_now(ws->store));

	if (live == wp->was_live)
		return;
	wp->was_live = live;
	log_info("peer %s: %s", wp->name, live ? "push live, pulled every "
	    "push_poll_interval" : "push not live, pulled at its interval");
	if (ws->change_cb != NULL)
		ws->change_cb(wp->name, ws->change_arg);
}

void
websub_set_change_cb(struct websub *ws, websub_change_cb cb, void *arg)
{
	ws->change_cb = cb;
	ws->change_arg = arg;
}

void
websub_missed(struct websub *ws, const char *peer, int count)
{
	struct websub_peer	*wp;

	if (ws == NULL || (wp = websub_peer_find(ws, peer)) == NULL ||
	    wp->unreliable)
		return;
	wp->unreliable = 1;
	log_warnx("peer %s: a pull found %d new or updated entries that no "
	    "push delivered; push marked unreliable, pulled at its interval "
	    "until a reload", peer, count);
	websub_peer_notify(ws, wp);
}

/* Leases, renewals, retries and timeouts, once a second. */
static void
websub_tick_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct websub		*ws = arg;
	struct websub_sub	*sub, *tmp;
	struct websub_peer	*wp;
	int64_t			 now = store_now(ws->store);

	(void)fd;
	(void)ev;
	for (sub = TAILQ_FIRST(&ws->subs); sub != NULL; sub = tmp) {
		tmp = TAILQ_NEXT(sub, next);
		if (sub->state == WEBSUB_ACTIVE && sub->lease_end <= now) {
			log_info("peer %s: lease of %s at %s ended",
			    sub->peer, sub->topic, sub->hub);
			websub_sub_free(sub, "lease ended");
		} else if (sub->state == WEBSUB_UNSUBSCRIBING &&
		    sub->fetch == NULL &&
		    now - sub->requested > WEBSUB_VERIFY_WAIT)
			websub_sub_free(sub, "unsubscribe not verified");
	}
	TAILQ_FOREACH(wp, &ws->peers, next)
		websub_peer_check(ws, wp, now);
}

/* What a peer's subscription needs now: a first request, a renewal. */
static void
websub_peer_check(struct websub *ws, struct websub_peer *wp, int64_t now)
{
	struct websub_sub	*cur;

	cur = websub_sub_current(wp);
	if (cur != NULL && cur->state == WEBSUB_REQUESTED &&
	    cur->fetch == NULL && now - cur->requested > WEBSUB_VERIFY_WAIT) {
		cur->state = WEBSUB_FAILED;
		websub_sub_save(cur);
		websub_failed(ws, wp, "the hub did not verify the request");
	}
	if (wp->hub != NULL && wp->topic != NULL) {
		if (cur == NULL || wp->resubscribe) {
			if (now >= wp->retry_at)
				websub_subscribe(ws, wp);
		} else if (cur->state == WEBSUB_FAILED) {
			if (now >= wp->retry_at)
				websub_subscribe(ws, wp);
		} else if (cur->state == WEBSUB_ACTIVE &&
		    now >= cur->renew_at) {
			log_info("peer %s: renewing the subscription to %s",
			    wp->name, cur->hub);
			websub_subscribe(ws, wp);
		}
	}
	websub_peer_notify(ws, wp);
}

void
websub_discovered(struct websub *ws, const struct peer_conf *pc,
    const char *hub, const char *self)
{
	struct websub_peer	*wp;
	const char		*topic = self != NULL ? self : pc->url;

	if (ws == NULL || pc->push != CONF_PUSH_WEBSUB)
		return;
	if ((wp = websub_peer_find(ws, pc->name)) == NULL)
		wp = websub_peer_add(ws, pc);
	if (hub == NULL) {
		if (wp->hub == NULL)
			log_warnx_limited(pc->name, "peer %s: push = websub, "
			    "but it advertises no hub; pulling only",
			    pc->name);
		return;
	}
	if (!url_is_http(hub) || strlen(hub) > WEBSUB_MAX_URL ||
	    strlen(topic) > WEBSUB_MAX_URL) {
		log_warnx_limited(pc->name, "peer %s: hub %.200s is not an "
		    "http(s) URL; pulling only", pc->name, hub);
		return;
	}
	if (websub_streq(wp->hub, hub) && websub_streq(wp->topic, topic))
		return;
	log_info("peer %s: hub %s, topic %s", pc->name, hub, topic);
	websub_set(&wp->hub, hub);
	websub_set(&wp->topic, topic);
	wp->resubscribe = 1;
	wp->retry_at = 0;
	wp->failures = 0;
	websub_peer_check(ws, wp, store_now(ws->store));
}

void
websub_reconfigure(struct websub *ws, const struct config *conf)
{
	struct websub_peer	*wp, *wtmp;
	struct websub_sub	*sub, *stmp;
	struct peer_conf	*pc;

	ws->conf = conf;
	for (wp = TAILQ_FIRST(&ws->peers); wp != NULL; wp = wtmp) {
		wtmp = TAILQ_NEXT(wp, next);
		pc = conf_peer_find(conf, wp->name);
		if (pc != NULL && pc->enabled &&
		    pc->push == CONF_PUSH_WEBSUB) {
			if (strcmp(pc->url, wp->conf->url) != 0) {
				/* Discovered again at the next pull. */
				websub_set(&wp->hub, NULL);
				websub_set(&wp->topic, NULL);
			}
			wp->conf = pc;
			/* A reload gives push another chance. */
			wp->unreliable = 0;
			continue;
		}
		for (sub = TAILQ_FIRST(&wp->subs); sub != NULL; sub = stmp) {
			stmp = TAILQ_NEXT(sub, peer_next);
			if (sub->state != WEBSUB_UNSUBSCRIBING)
				websub_unsubscribe(sub);
		}
		websub_peer_free(ws, wp);
	}
	TAILQ_FOREACH(pc, &conf->peers, next)
		if (pc->enabled && pc->push == CONF_PUSH_WEBSUB &&
		    websub_peer_find(ws, pc->name) == NULL)
			websub_peer_add(ws, pc);
	TAILQ_FOREACH(wp, &ws->peers, next)
		websub_peer_notify(ws, wp);
}

/* GET verifies intent, POST distributes content; nothing else. */
static void
websub_route_cb(struct serve_reply *r, void *arg)
{
	struct websub		*ws = arg;
	struct evhttp_request	*req = serve_reply_request(r);
	struct websub_sub	*sub;
	const char		*path = serve_reply_path(r), *token;
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);

	if (cmd != EVHTTP_REQ_GET && cmd != EVHTTP_REQ_POST) {
		serve_reply_header(r, "Allow", "GET, POST");
		serve_reply_text(r, 405, "Method Not Allowed",
		    "GET or POST only");
		return;
	}
	token = path + strlen(WEBSUB_PATH);
	if (*token == '/')
		token++;
	sub = websub_token_valid(token) ? websub_sub_find(ws, token) : NULL;
	if (cmd == EVHTTP_REQ_GET)
		websub_verify(ws, r, sub, req);
	else
		websub_receive(ws, r, sub, req);
}

/*
 * Verification of intent (WebSub 5.3): the challenge is echoed only for
 * a request this node made, for the topic it asked for; a denial
 * (5.2) ends the subscription.
 */
static void
websub_verify(struct websub *ws, struct serve_reply *r,
    struct websub_sub *sub, struct evhttp_request *req)
{
	struct evkeyvalq	 q;
	struct websub_peer	*wp;
	const char		*mode, *topic, *challenge, *lease, *reason;
	const char		*query;
	long long		 secs;
	char			*end;
	int64_t			 now = store_now(ws->store);

	TAILQ_INIT(&q);
	query = evhttp_uri_get_query(evhttp_request_get_evhttp_uri(req));
	if (sub == NULL || query == NULL ||
	    evhttp_parse_query_str(query, &q) == -1) {
		serve_reply_why(r, "unknown callback");
		serve_reply_text(r, 404, "Not Found", "not found");
		goto done;
	}
	mode = evhttp_find_header(&q, "hub.mode");
	topic = evhttp_find_header(&q, "hub.topic");
	challenge = evhttp_find_header(&q, "hub.challenge");
	lease = evhttp_find_header(&q, "hub.lease_seconds");
	if (mode == NULL || topic == NULL || strcmp(topic, sub->topic) != 0) {
		log_warnx_limited(serve_reply_client_host(r), "peer %s: "
		    "verification from %s for another topic refused",
		    sub->peer, serve_reply_client(r));
		serve_reply_why(r, "topic does not match");
		serve_reply_text(r, 404, "Not Found", "not found");
		goto done;
	}
	wp = websub_peer_find(ws, sub->peer);
	if (strcmp(mode, "denied") == 0) {
		reason = evhttp_find_header(&q, "hub.reason");
		log_warnx("peer %s: hub %s denied the subscription to %s%s%.200s",
		    sub->peer, sub->hub, sub->topic, reason ? ": " : "",
		    reason ? reason : "");
		sub->state = WEBSUB_DENIED;
		websub_sub_save(sub);
		/* No longer being unsubscribed: it belongs to its peer. */
		if (sub->wp == NULL && wp != NULL)
			websub_sub_link(sub, wp);
		if (wp != NULL)
			websub_peer_notify(ws, wp);
		serve_reply_text(r, 200, "OK", "denial noted");
		goto done;
	}
	if (challenge == NULL || *challenge == '\0' ||
	    (strcmp(mode, "subscribe") == 0 ? (sub->state !=
	    WEBSUB_REQUESTED && sub->state != WEBSUB_ACTIVE) || wp == NULL :
	    strcmp(mode, "unsubscribe") != 0 ||
	    sub->state != WEBSUB_UNSUBSCRIBING)) {
		serve_reply_why(r, "not a request of this node");
		serve_reply_text(r, 404, "Not Found", "not found");
		goto done;
	}
	serve_reply_data(r, 200, "OK", "text/plain", challenge,
	    strlen(challenge));
	if (strcmp(mode, "unsubscribe") == 0) {
		log_info("peer %s: unsubscribed from %s at %s", sub->peer,
		    sub->topic, sub->hub);
		websub_sub_free(sub, "unsubscribed");
		goto done;
	}
	secs = lease != NULL ? strtoll(lease, &end, 10) : 0;
	if (lease == NULL || *end != '\0' || secs <= 0 || secs > 365 * 86400)
		secs = ws->conf->websub_lease;
	sub->state = WEBSUB_ACTIVE;
	sub->verified = now;
	sub->lease_end = now + secs;
	/* Renewed at 80% of the lease, a second before its end at most. */
	sub->renew_at = now + secs * 8 / 10;
	if (sub->renew_at >= sub->lease_end)
		sub->renew_at = sub->lease_end - 1;
	websub_sub_save(sub);
	wp->failures = 0;
	wp->retry_at = 0;
	log_info("peer %s: subscription to %s at %s verified, lease %llds",
	    sub->peer, sub->topic, sub->hub, secs);
	websub_retire_others(sub);
	websub_peer_notify(ws, wp);
done:
	evhttp_clear_headers(&q);
}

/*
 * A content distribution (WebSub 7, 8): a signature that does not match
 * is acknowledged and ignored, as the Recommendation requires; a valid
 * one is acknowledged only once its entries are committed.
 */
static void
websub_receive(struct websub *ws, struct serve_reply *r,
    struct websub_sub *sub, struct evhttp_request *req)
{
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	struct websub_peer	*wp = NULL;
	struct ingest		*ing;
	struct ingest_stats	 st;
	const char		*sig, *ctype, *err;
	const char		*body;
	size_t			 len = evbuffer_get_length(in);

	if (sub != NULL)
		wp = websub_peer_find(ws, sub->peer);
	if (sub == NULL || wp == NULL || (sub->state != WEBSUB_ACTIVE &&
	    sub->state != WEBSUB_REQUESTED &&
	    sub->state != WEBSUB_UNSUBSCRIBING)) {
		/* 410 tells the hub to drop the subscription. */
		metrics_inc(websub_m_received, "unknown", 1);
		serve_reply_why(r, "unknown callback");
		serve_reply_text(r, 410, "Gone", "no such subscription");
		return;
	}
	body = (const char *)evbuffer_pullup(in, -1);
	sig = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "X-Hub-Signature");
	if (sig == NULL || !websub_signature_check(sig, sub->secret, body,
	    len)) {
		log_warnx_limited(sub->peer, "peer %s: content distribution "
		    "from %s with %s signature ignored", sub->peer,
		    serve_reply_client(r), sig == NULL ? "no" : "a wrong");
		metrics_inc(websub_m_received, "ignored", 1);
		serve_reply_why(r, "signature does not match");
		serve_reply_text(r, 202, "Accepted", "ignored");
		return;
	}
	ctype = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	ing = ingest_new(wp->conf, sub->topic, ctype);
	if (ingest_data(ing, body, len) == -1 ||
	    ingest_finish(ing, ws->store, NULL, &st) == -1) {
		err = ingest_error(ing);
		if (ingest_store_failed(ing)) {
			metrics_inc(websub_m_received, "unstored", 1);
			log_warnx("peer %s: pushed entries not stored; "
			    "the hub will retry", sub->peer);
			/*
			 * The hub retries on its own schedule; the header
			 * asks it not to come back at once to a full disk.
			 */
			serve_reply_header(r, "Retry-After", "30");
			serve_reply_text(r, 503, "Service Unavailable",
			    "not stored, try again");
		} else {
			log_warnx_limited(sub->peer, "peer %s: content "
			    "distribution is not a feed: %s", sub->peer,
			    err != NULL ? err : "?");
			metrics_inc(websub_m_received, "refused", 1);
			serve_reply_why(r, "not a feed");
			serve_reply_text(r, 400, "Bad Request", "not a feed");
		}
		ingest_free(ing);
		return;
	}
	ingest_free(ing);
	metrics_inc(websub_m_received, "ingested", 1);
	sub->last_push = wp->last_push = store_now(ws->store);
	websub_sub_save(sub);
	log_info("peer %s: push: %d entries, %d new, %d updated, %d merged, "
	    "%d unchanged, %d stale, %d filtered", sub->peer, st.entries,
	    st.inserted, st.updated, st.merged, st.unchanged, st.stale,
	    st.filtered);
	serve_reply_text(r, 200, "OK", "received");
}

int
websub_signature_check(const char *header, const char *secret,
    const void *body, size_t len)
{
	const EVP_MD	*md;
	unsigned char	 want[EVP_MAX_MD_SIZE], got[EVP_MAX_MD_SIZE];
	unsigned int	 wlen = 0;
	const char	*hex;
	size_t		 mlen, i, hlen;
	int		 hi, lo;

	if (header == NULL || secret == NULL ||
	    (hex = strchr(header, '=')) == NULL)
		return (0);
	mlen = (size_t)(hex - header);
	hex++;
	if (mlen == 4 && strncasecmp(header, "sha1", 4) == 0)
		md = EVP_sha1();
	else if (mlen == 6 && strncasecmp(header, "sha256", 6) == 0)
		md = EVP_sha256();
	else if (mlen == 6 && strncasecmp(header, "sha384", 6) == 0)
		md = EVP_sha384();
	else if (mlen == 6 && strncasecmp(header, "sha512", 6) == 0)
		md = EVP_sha512();
	else
		return (0);
	hlen = strlen(hex);
	if (hlen != 2 * (size_t)EVP_MD_get_size(md))
		return (0);
	for (i = 0; i < hlen / 2; i++) {
		hi = isxdigit((unsigned char)hex[2 * i]) ?
		    tolower((unsigned char)hex[2 * i]) : -1;
		lo = isxdigit((unsigned char)hex[2 * i + 1]) ?
		    tolower((unsigned char)hex[2 * i + 1]) : -1;
		if (hi == -1 || lo == -1)
			return (0);
		got[i] = (unsigned char)(((hi <= '9' ? hi - '0' :
		    hi - 'a' + 10) << 4) | (lo <= '9' ? lo - '0' :
		    lo - 'a' + 10));
	}
	if (HMAC(md, secret, (int)strlen(secret), body, len, want,
	    &wlen) == NULL || wlen != hlen / 2)
		return (0);
	return (CRYPTO_memcmp(want, got, wlen) == 0);
}

/*
 * Link header values (RFC 8288): "<url>; rel=\"a b\"; x=y, <url2>; ...".
 * A comma inside <> or a quoted string does not end a link.
 */
char *
websub_link_find(const char *h, const char *rel)
{
	const char	*p = h, *u, *ue, *name, *v, *ve;
	char		*val = NULL, *tok, *save, *url = NULL;
	size_t		 nlen, vlen, i, j;
	int		 found;

	if (h == NULL)
		return (NULL);
	while (*p != '\0' && url == NULL) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p != '<')
			break;
		u = p + 1;
		if ((ue = strchr(u, '>')) == NULL)
			break;
		p = ue + 1;
		found = 0;
		/* Parameters up to the next top-level comma. */
		for (;;) {
			while (*p == ' ' || *p == '\t')
				p++;
			if (*p != ';')
				break;
			p++;
			while (*p == ' ' || *p == '\t')
				p++;
			name = p;
			while (*p != '\0' && *p != '=' && *p != ';' &&
			    *p != ',' && *p != ' ' && *p != '\t')
				p++;
			nlen = (size_t)(p - name);
			while (*p == ' ' || *p == '\t')
				p++;
			v = ve = p;
			free(val);
			val = NULL;
			if (*p == '=') {
				p++;
				while (*p == ' ' || *p == '\t')
					p++;
				if (*p == '"') {
					v = ++p;
					if ((val = malloc(strlen(v) + 1)) ==
					    NULL)
						fatal("%s", __func__);
					for (j = 0; *p != '\0' && *p != '"';
					    p++) {
						if (*p == '\\' && p[1] != '\0')
							p++;
						val[j++] = *p;
					}
					val[j] = '\0';
					if (*p == '"')
						p++;
				} else {
					v = p;
					while (*p != '\0' && *p != ';' &&
					    *p != ',' && *p != ' ' &&
					    *p != '\t')
						p++;
					ve = p;
					vlen = (size_t)(ve - v);
					if ((val = strndup(v, vlen)) == NULL)
						fatal("%s", __func__);
				}
			}
			if (nlen != 3 || strncasecmp(name, "rel", 3) != 0 ||
			    val == NULL)
				continue;
			for (tok = strtok_r(val, " \t", &save); tok != NULL;
			    tok = strtok_r(NULL, " \t", &save))
				if (strcasecmp(tok, rel) == 0)
					found = 1;
		}
		if (found) {
			if ((url = strndup(u, (size_t)(ue - u))) == NULL)
				fatal("%s", __func__);
			/* Trim blanks inside the brackets. */
			for (i = 0; url[i] == ' '; i++)
				;
			memmove(url, url + i, strlen(url + i) + 1);
			for (i = strlen(url); i > 0 && url[i - 1] == ' '; i--)
				url[i - 1] = '\0';
		}
		/* Skip what is left of this link. */
		while (*p != '\0' && *p != ',') {
			if (*p == '"') {
				for (p++; *p != '\0' && *p != '"'; p++)
					if (*p == '\\' && p[1] != '\0')
						p++;
				if (*p == '\0')
					break;
			}
			p++;
		}
	}
	free(val);
	return (url);
}

void
websub_discover(const char *link_header, const struct feed_meta *meta,
    char **hub, char **self)
{
	*hub = websub_link_find(link_header, "hub");
	*self = websub_link_find(link_header, "self");
	/* Links in the header and the document are taken as a pair. */
	if (*hub == NULL && meta != NULL && meta->hub != NULL) {
		free(*self);
		*hub = websub_strdup(meta->hub);
		*self = websub_strdup(meta->self);
	} else if (*self == NULL && meta != NULL && meta->self != NULL)
		*self = websub_strdup(meta->self);
}


json_t *
websub_peer_json(const struct websub *ws, const char *peer)
{
	struct websub_peer	*wp;
	struct websub_sub	*cur;
	json_t			*o;

	if (ws == NULL || (wp = websub_peer_find(ws, peer)) == NULL)
		return (NULL);
	cur = websub_sub_current(wp);
	o = json_object();
	json_object_set_new(o, "hub", wp->hub ? json_string(wp->hub) :
	    json_null());
	json_object_set_new(o, "topic", wp->topic ? json_string(wp->topic) :
	    json_null());
	json_object_set_new(o, "state", cur ?
	    json_string(websub_state_names[cur->state]) :
	    json_string(wp->hub ? "none" : "no hub"));
	json_object_set_new(o, "live", json_boolean(websub_peer_is_live(wp,
	    store_now(ws->store))));
	date_json_set(o, "lease_end", cur ? cur->lease_end : 0);
	date_json_set(o, "renew_at", cur && cur->state == WEBSUB_ACTIVE ?
	    cur->renew_at : 0);
	date_json_set(o, "last_push", wp->last_push);
	json_object_set_new(o, "unreliable", json_boolean(wp->unreliable));
	json_object_set_new(o, "failures", json_integer(wp->failures));
	return (o);
}

/* A gauge read at scrape time: subscriptions to peers' hubs now live. */
static void
websub_metrics_cb(struct buf *b, void *arg)
{
	struct websub		*ws = arg;
	struct websub_sub	*sub;
	int			 n = 0;

	TAILQ_FOREACH(sub, &ws->subs, next)
		n += sub->state == WEBSUB_ACTIVE;
	metrics_write_gauge(b, "feedmesh_websub_subscriptions",
	    "Active subscriptions of this node to its peers' hubs", n);
}

void
websub_free(struct websub *ws)
{
	struct websub_sub	*sub;
	struct websub_peer	*wp;

	if (ws == NULL)
		return;
	metrics_remove_collector(websub_metrics_cb, ws);
	if (ws->tick != NULL)
		event_free(ws->tick);
	/* Rows stay in the store: the next run resumes them. */
	while ((sub = TAILQ_FIRST(&ws->subs)) != NULL)
		websub_sub_destroy(sub);
	while ((wp = TAILQ_FIRST(&ws->peers)) != NULL)
		websub_peer_free(ws, wp);
	strmap_free(ws->peer_names);
	strmap_free(ws->sub_tokens);
	fetcher_free(ws->fetcher);
	sqlite3_finalize(ws->st_save);
	sqlite3_finalize(ws->st_delete);
	free(ws->user_agent);
	free(ws);
}
