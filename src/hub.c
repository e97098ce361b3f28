/*
 * feedmesh: this node as a W3C WebSub hub for its own listings.
 * Subscriptions are verified by a GET carrying a challenge (WebSub 5.3);
 * changed entries are matched against the topics inside the store's
 * transaction and their distributions queued in the same transaction
 * (hub_deliveries), then POSTed, signed, one at a time per subscription
 * by a pump with its own fetcher, retried with a doubling delay.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <inttypes.h>
#include <stdarg.h>
#include <stdint.h>
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
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "admin.h"
#include "buf.h"
#include "conf.h"
#include "config.h"
#include "entry.h"
#include "fetch.h"
#include "hub.h"
#include "log.h"
#include "metrics.h"
#include "query.h"
#include "serve.h"
#include "store.h"
#include "store_private.h"
#include "url.h"

#define HUB_PATH		"/hub"
#define HUB_PATH_ATOM		"/feeds/all.atom"
#define HUB_PATH_JSON		"/feeds/all.json"
#define HUB_FORM		"application/x-www-form-urlencoded"
#define HUB_CHALLENGE_BYTES	24
#define HUB_CHALLENGE_LEN	(2 * HUB_CHALLENGE_BYTES + 1)
#define HUB_VERIFY_MAX_BODY	1024		/* bytes read of an answer */
#define HUB_VERIFY_MAX		256		/* verifications at once */
#define HUB_VERIFY_TIMEOUT	10		/* s */
#define HUB_RESPONSE_MAX	(64 * 1024)	/* of a subscriber's answer */
#define HUB_PER_HOST		4		/* deliveries to one host */
#define HUB_RETRY_START		5		/* s, doubled at each failure */
#define HUB_RETRY_CAP		900		/* s, longest wait */
#define HUB_PURGE_INTERVAL	60		/* s, expired subscriptions */
#define HUB_PUBLISH_GAP		10		/* s between pings' fetches */
#define HUB_PUBLISH_SLOTS	64
#define HUB_MSG_LEN		256
#define HUB_USER_AGENT		"feedmesh/" PACKAGE_VERSION " (WebSub hub)"
#define HUB_TYPE_ATOM		"application/atom+xml; charset=utf-8"
#define HUB_TYPE_JSON		"application/feed+json; charset=utf-8"

enum hub_stmt {
	HS_SUB_UPSERT,
	HS_SUB_DELETE,
	HS_SUB_DELETE_ID,
	HS_SUB_DEACTIVATE,
	HS_SUB_ACTIVE,
	HS_SUB_OK,
	HS_SUB_FAIL,
	HS_SUB_PURGE,
	HS_SUB_LIST,
	HS_SUB_COUNT,
	HS_DEL_INSERT,
	HS_DEL_HEADS,
	HS_DEL_LOAD,
	HS_DEL_DONE,
	HS_DEL_RETRY,
	HS_DEL_DROP,
	HS_DEL_COUNT,
	HS_MAX
};

static const char *const hub_sql[HS_MAX] = {
	/* WebSub 5.1: a new subscription replaces the lease and secret. */
	[HS_SUB_UPSERT] = "INSERT INTO hub_subscriptions (topic, callback,"
	    " secret, node, lease_seconds, expires, created)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
	    " ON CONFLICT (topic, callback) DO UPDATE SET"
	    " secret = excluded.secret, node = excluded.node,"
	    " lease_seconds = excluded.lease_seconds,"
	    " expires = excluded.expires, state = 'active', failures = 0",
	/* Deliveries go with it (ON DELETE CASCADE). */
	[HS_SUB_DELETE] = "DELETE FROM hub_subscriptions"
	    " WHERE topic = ?1 AND callback = ?2",
	[HS_SUB_DELETE_ID] = "DELETE FROM hub_subscriptions WHERE id = ?1",
	[HS_SUB_DEACTIVATE] = "UPDATE hub_subscriptions SET state = 'inactive'"
	    " WHERE id = ?1",
	[HS_SUB_ACTIVE] = "SELECT id, topic, callback, node"
	    " FROM hub_subscriptions WHERE state = 'active' AND expires > ?1"
	    " ORDER BY id",
	[HS_SUB_OK] = "UPDATE hub_subscriptions SET failures = 0"
	    " WHERE id = ?1 AND failures <> 0",
	[HS_SUB_FAIL] = "UPDATE hub_subscriptions SET failures = failures + 1"
	    " WHERE id = ?1",
	[HS_SUB_PURGE] = "DELETE FROM hub_subscriptions WHERE expires <= ?1",
	[HS_SUB_LIST] = "SELECT s.topic, s.callback, s.state, s.expires,"
	    " s.lease_seconds, s.failures, s.node, (SELECT count(*)"
	    " FROM hub_deliveries d WHERE d.subscription = s.id)"
	    " FROM hub_subscriptions s ORDER BY s.id",
	[HS_SUB_COUNT] = "SELECT count(*) FROM hub_subscriptions"
	    " WHERE state = 'active' AND expires > ?1",
	[HS_DEL_INSERT] = "INSERT INTO hub_deliveries (subscription,"
	    " content_type, body, created, next_attempt)"
	    " VALUES (?1, ?2, ?3, ?4, ?4)",
	/* The oldest delivery of each live subscription: order is kept. */
	[HS_DEL_HEADS] = "SELECT d.id, d.subscription, d.next_attempt,"
	    " s.callback"
	    " FROM (SELECT min(id) AS id FROM hub_deliveries"
	    " GROUP BY subscription) h"
	    " JOIN hub_deliveries d ON d.id = h.id"
	    " JOIN hub_subscriptions s ON s.id = d.subscription"
	    " WHERE s.state = 'active' AND s.expires > ?1"
	    " ORDER BY d.next_attempt, d.id",
	[HS_DEL_LOAD] = "SELECT d.content_type, d.body, d.first_attempt,"
	    " d.attempts, s.topic, s.callback, s.secret"
	    " FROM hub_deliveries d"
	    " JOIN hub_subscriptions s ON s.id = d.subscription"
	    " WHERE d.id = ?1",
	[HS_DEL_DONE] = "DELETE FROM hub_deliveries WHERE id = ?1",
	[HS_DEL_RETRY] = "UPDATE hub_deliveries SET attempts = ?2,"
	    " next_attempt = ?3, first_attempt = ?4 WHERE id = ?1",
	[HS_DEL_DROP] = "DELETE FROM hub_deliveries WHERE subscription = ?1",
	[HS_DEL_COUNT] = "SELECT count(*) FROM hub_deliveries",
};

/* A subscription or unsubscription waiting for its verification. */
struct hub_verify {
	TAILQ_ENTRY(hub_verify)	 entry;
	struct hub		*hub;
	struct fetch		*fetch;
	int			 subscribe;
	char			*topic;		/* canonical */
	char			*callback;
	char			*secret;	/* NULL: none */
	char			*node;		/* feedmesh.node, or NULL */
	int			 lease;
	char			 challenge[HUB_CHALLENGE_LEN];
	struct buf		 body;
	int			 overflow;
};
TAILQ_HEAD(hub_verifies, hub_verify);

/* A content distribution being POSTed. */
struct hub_push {
	TAILQ_ENTRY(hub_push)	 entry;
	struct hub		*hub;
	struct fetch		*fetch;
	int64_t			 delivery;
	int64_t			 subscription;
	int64_t			 first_attempt;
	int			 attempts;
	char			*callback;
	char			*host;		/* of the callback */
};
TAILQ_HEAD(hub_pushes, hub_push);

/* The last fetch a publisher's ping triggered for a feed URL. */
struct hub_ping {
	char	*url;
	time_t	 when;
};

/* Distributions by outcome: ok, failed (retried), gone (410). */
static struct metric	*hub_m_pushes;

struct hub {
	struct event_base	*base;
	struct store		*store;
	struct serve		*serve;
	const struct config	*conf;
	struct fetcher		*fetcher;
	sqlite3_stmt		*stmt[HS_MAX];
	struct event		*pump_ev;
	struct event		*purge_ev;
	char			*hub_url;
	hub_publish_cb		 publish_cb;
	void			*publish_arg;

	/* Entries changed by the open transaction, as stored. */
	struct entry		**changed;
	size_t			  nchanged;
	size_t			  changed_cap;

	struct hub_verifies	 verifies;
	int			 nverifies;
	struct hub_pushes	 pushes;
	int			 npushes;
	struct hub_ping		 pings[HUB_PUBLISH_SLOTS];
	/* The reason of the current reply: serve logs it after we return. */
	char			 msg[HUB_MSG_LEN];

	uint64_t		 sent;
	uint64_t		 failed;
	uint64_t		 gone;
	uint64_t		 dropped;
	uint64_t		 queued;
	uint64_t		 verified;
	uint64_t		 refused;
};

static int	 hub_prepare(struct hub *);
static sqlite3_stmt *hub_stmt(struct hub *, enum hub_stmt);
static int	 hub_step_done(struct hub *, sqlite3_stmt *, const char *);
static int	 hub_run_id(struct hub *, enum hub_stmt, int64_t, const char *);
static char	*hub_strdup(const char *);
static void	 hub_request_cb(struct serve_reply *, void *);
static void	 hub_reply(struct hub *, struct serve_reply *, int,
		    const char *, const char *, ...)
		    __attribute__((format(printf, 5, 6)));
static void	 hub_subscribe(struct hub *, struct serve_reply *,
		    struct evkeyvalq *, int);
static void	 hub_publish(struct hub *, struct serve_reply *,
		    struct evkeyvalq *);
static int	 hub_callback_valid(const char *);
static int	 hub_verify_start(struct hub *, struct hub_verify *,
		    const char *);
static int	 hub_verify_data_cb(const char *, size_t, void *);
static void	 hub_verify_done_cb(const struct fetch_result *, void *);
static void	 hub_verify_free(struct hub_verify *);
static void	 hub_store_cb(enum store_event, const struct entry *,
		    const char *, void *);
static void	 hub_changes_clear(struct hub *);
static void	 hub_watch(struct hub *);
static void	 hub_metrics_cb(struct buf *, void *);
static int	 hub_topic_takes(struct hub *, const struct query *,
		    const struct entry *);
static void	 hub_queue(struct hub *);
static int	 hub_loop_allows(struct hub *, const struct entry *,
		    const char *, const char *);
static void	 hub_kick(struct hub *);
static void	 hub_pump_cb(evutil_socket_t, short, void *);
static int	 hub_host_busy(struct hub *, const char *);
static void	 hub_push_start(struct hub *, int64_t, int64_t);
static int	 hub_push_data_cb(const char *, size_t, void *);
static void	 hub_push_done_cb(const struct fetch_result *, void *);
static void	 hub_push_failed(struct hub_push *, const char *);
static void	 hub_push_free(struct hub_push *);
static void	 hub_purge_cb(evutil_socket_t, short, void *);
static int64_t	 hub_count(struct hub *, enum hub_stmt, int64_t);
static json_t	*hub_admin_subscriptions_cb(const struct evkeyvalq *,
		    const char *, size_t, int *, void *);
static void	 hub_limits(const struct config *, struct fetcher_limits *);

static char *
hub_strdup(const char *s)
{
	char	*d;

	if (s == NULL)
		return (NULL);
	if ((d = strdup(s)) == NULL)
		fatal("%s", __func__);
	return (d);
}

static void
hub_limits(const struct config *conf, struct fetcher_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_transfers = conf->max_pushes;
	lim->max_per_host = HUB_PER_HOST;
	lim->host_gap_ms = 0;
	lim->allow_private = conf->allow_private;
}

struct hub *
hub_new(struct event_base *base, struct store *store, struct serve *serve,
    struct admin *admin, const struct config *conf)
{
	struct hub		*h;
	struct fetcher_limits	 lim;
	struct timeval		 tv = { HUB_PURGE_INTERVAL, 0 };

	if ((h = calloc(1, sizeof(*h))) == NULL)
		fatal("%s", __func__);
	h->base = base;
	h->store = store;
	h->serve = serve;
	hub_m_pushes = metrics_add_counter("feedmesh_pushes_sent_total",
	    "WebSub content distributions sent to subscribers, by outcome",
	    "outcome");
	TAILQ_INIT(&h->verifies);
	TAILQ_INIT(&h->pushes);
	if (hub_prepare(h) == -1) {
		hub_free(h);
		return (NULL);
	}
	hub_limits(conf, &lim);
	if ((h->fetcher = fetcher_new(base, &lim)) == NULL)
		fatalx("%s: fetcher_new", __func__);
	if ((h->pump_ev = evtimer_new(base, hub_pump_cb, h)) == NULL ||
	    (h->purge_ev = event_new(base, -1, EV_PERSIST, hub_purge_cb,
	    h)) == NULL || evtimer_add(h->purge_ev, &tv) == -1)
		fatalx("%s: cannot create the hub's timers", __func__);
	if (serve_route(serve, HUB_PATH, 0, hub_request_cb, h) == -1) {
		hub_free(h);
		return (NULL);
	}
	if (admin != NULL && admin_route(admin, "GET", "/subscriptions",
	    hub_admin_subscriptions_cb, h) == -1) {
		hub_free(h);
		return (NULL);
	}
	hub_set_config(h, conf);
	store_set_event_cb(store, hub_store_cb, h);
	hub_watch(h);
	metrics_add_collector(hub_metrics_cb, h);
	/* What a previous run left queued goes out now. */
	hub_kick(h);
	return (h);
}

void
hub_set_config(struct hub *h, const struct config *conf)
{
	struct fetcher_limits	 lim;
	struct buf		 b;

	h->conf = conf;
	hub_limits(conf, &lim);
	fetcher_set_limits(h->fetcher, &lim);
	free(h->hub_url);
	buf_init(&b);
	buf_printf(&b, "%s%s", conf->public_url, HUB_PATH);
	h->hub_url = buf_release(&b);
	serve_set_hub(h->serve, conf->hub ? h->hub_url : NULL);
	hub_watch(h);
	hub_kick(h);
}

void
hub_set_publish_cb(struct hub *h, hub_publish_cb cb, void *arg)
{
	h->publish_cb = cb;
	h->publish_arg = arg;
}

void
hub_free(struct hub *h)
{
	struct hub_verify	*v;
	struct hub_push		*p;
	size_t			 i;

	if (h == NULL)
		return;
	if (h->store != NULL)
		store_set_event_cb(h->store, NULL, NULL);
	metrics_remove_collector(hub_metrics_cb, h);
	/* Cancels every transfer without calling back. */
	fetcher_free(h->fetcher);
	while ((v = TAILQ_FIRST(&h->verifies)) != NULL) {
		v->fetch = NULL;
		hub_verify_free(v);
	}
	while ((p = TAILQ_FIRST(&h->pushes)) != NULL) {
		p->fetch = NULL;
		hub_push_free(p);
	}
	hub_changes_clear(h);
	free(h->changed);
	for (i = 0; i < HS_MAX; i++)
		sqlite3_finalize(h->stmt[i]);
	for (i = 0; i < HUB_PUBLISH_SLOTS; i++)
		free(h->pings[i].url);
	if (h->pump_ev != NULL)
		event_free(h->pump_ev);
	if (h->purge_ev != NULL)
		event_free(h->purge_ev);
	free(h->hub_url);
	free(h);
}

/* Prepares the hub's statements; the tables come from store.c's migrations. */
static int
hub_prepare(struct hub *h)
{
	sqlite3	*db = store_sqlite(h->store);
	size_t	 i;

	for (i = 0; i < HS_MAX; i++)
		if (sqlite3_prepare_v3(db, hub_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &h->stmt[i], NULL) != SQLITE_OK) {
			log_warnx("%s: %s: %s", __func__,
			    store_path(h->store), sqlite3_errmsg(db));
			return (-1);
		}
	return (0);
}

static sqlite3_stmt *
hub_stmt(struct hub *h, enum hub_stmt i)
{
	sqlite3_reset(h->stmt[i]);
	sqlite3_clear_bindings(h->stmt[i]);
	return (h->stmt[i]);
}

/* Runs a statement without rows to the end; 0 or -1, logged. */
static int
hub_step_done(struct hub *h, sqlite3_stmt *st, const char *what)
{
	int	 rc;

	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s: %s", what, store_path(h->store),
		    sqlite3_errmsg(store_sqlite(h->store)));
		return (-1);
	}
	return (0);
}

static int
hub_run_id(struct hub *h, enum hub_stmt i, int64_t id, const char *what)
{
	sqlite3_stmt	*st = hub_stmt(h, i);

	sqlite3_bind_int64(st, 1, id);
	return (hub_step_done(h, st, what));
}

static int64_t
hub_count(struct hub *h, enum hub_stmt i, int64_t arg)
{
	sqlite3_stmt	*st = hub_stmt(h, i);
	int64_t		 n = -1;

	if (sqlite3_bind_parameter_count(st) > 0)
		sqlite3_bind_int64(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return (n);
}

/*
 * Topics are this node's listings: the same path and canonical query as
 * the listing's self link, so that two spellings of one query are one
 * topic.
 */
int
hub_topic_parse(const char *public_url, const char *topic, int default_limit,
    int max_limit, int *json, struct query *q, struct buf *canonical,
    char *err, size_t errlen)
{
	const char	*rest, *path;
	char		 qerr[QUERY_ERR_LEN];
	size_t		 n = strlen(public_url);

	memset(q, 0, sizeof(*q));
	if (strlen(topic) > HUB_URL_MAX) {
		snprintf(err, errlen, "hub.topic is too long");
		return (-1);
	}
	if (strncmp(topic, public_url, n) != 0) {
		snprintf(err, errlen, "hub.topic is not a listing of this "
		    "node (%s" HUB_PATH_ATOM " or " HUB_PATH_JSON ")",
		    public_url);
		return (-1);
	}
	rest = topic + n;
	if (strncmp(rest, HUB_PATH_ATOM, strlen(HUB_PATH_ATOM)) == 0) {
		*json = 0;
		path = HUB_PATH_ATOM;
	} else if (strncmp(rest, HUB_PATH_JSON, strlen(HUB_PATH_JSON)) == 0) {
		*json = 1;
		path = HUB_PATH_JSON;
	} else {
		snprintf(err, errlen, "hub.topic is not a listing of this "
		    "node (%s" HUB_PATH_ATOM " or " HUB_PATH_JSON ")",
		    public_url);
		return (-1);
	}
	rest += strlen(path);
	if (*rest != '\0' && *rest != '?') {
		snprintf(err, errlen, "hub.topic is not a listing of this "
		    "node (%s" HUB_PATH_ATOM " or " HUB_PATH_JSON ")",
		    public_url);
		return (-1);
	}
	if (strchr(rest, '#') != NULL) {
		snprintf(err, errlen, "hub.topic has a fragment");
		return (-1);
	}
	if (query_parse(q, *rest == '?' ? rest + 1 : NULL, default_limit,
	    max_limit, qerr, sizeof(qerr)) == -1) {
		snprintf(err, errlen, "hub.topic: %s", qerr);
		return (-1);
	}
	buf_printf(canonical, "%s%s", public_url, path);
	n = canonical->len;
	buf_addc(canonical, '?');
	query_canonical(q, canonical);
	if (canonical->len == n + 1) {
		canonical->len = n;
		canonical->data[n] = '\0';
	}
	return (0);
}

void
hub_signature(const char *secret, const void *body, size_t len,
    char out[HUB_SIGNATURE_LEN])
{
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 mdlen = 0;

	if (HMAC(EVP_sha256(), secret, (int)strlen(secret), body, len, md,
	    &mdlen) == NULL || mdlen != 32)
		fatalx("%s: HMAC-SHA256 failed", __func__);
	memcpy(out, "sha256=", 7);
	buf_hex(out + 7, md, mdlen);
}

int
hub_same_origin(const char *a, const char *b)
{
	struct evhttp_uri	*ua, *ub;
	const char		*sa, *sb, *ha, *hb;
	int			 pa, pb, same = 0;

	ua = evhttp_uri_parse(a);
	ub = evhttp_uri_parse(b);
	if (ua == NULL || ub == NULL)
		goto done;
	sa = evhttp_uri_get_scheme(ua);
	sb = evhttp_uri_get_scheme(ub);
	ha = evhttp_uri_get_host(ua);
	hb = evhttp_uri_get_host(ub);
	if (sa == NULL || sb == NULL || ha == NULL || hb == NULL ||
	    strcasecmp(sa, sb) != 0 || strcasecmp(ha, hb) != 0)
		goto done;
	if ((pa = evhttp_uri_get_port(ua)) == -1)
		pa = strcasecmp(sa, "https") == 0 ? 443 : 80;
	if ((pb = evhttp_uri_get_port(ub)) == -1)
		pb = strcasecmp(sb, "https") == 0 ? 443 : 80;
	same = pa == pb;
done:
	if (ua != NULL)
		evhttp_uri_free(ua);
	if (ub != NULL)
		evhttp_uri_free(ub);
	return (same);
}

/* Answers with a short text; the message is kept until serve logs it. */
static void
hub_reply(struct hub *h, struct serve_reply *r, int code, const char *reason,
    const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(h->msg, sizeof(h->msg), fmt, ap);
	va_end(ap);
	serve_reply_text(r, code, reason, h->msg);
}

/* POST /hub: subscriber requests (WebSub 5.1) and publishers' pings. */
static void
hub_request_cb(struct serve_reply *r, void *arg)
{
	struct hub		*h = arg;
	struct evhttp_request	*req = serve_reply_request(r);
	struct evbuffer		*in;
	struct evkeyvalq	 kv;
	const char		*ct, *mode;
	char			*body = NULL;
	size_t			 len;

	TAILQ_INIT(&kv);
	if (!h->conf->hub) {
		hub_reply(h, r, 404, "Not Found", "this node is not a hub");
		goto done;
	}
	if (evhttp_request_get_command(req) != EVHTTP_REQ_POST) {
		serve_reply_header(r, "Allow", "POST");
		hub_reply(h, r, 405, "Method Not Allowed",
		    "the hub takes POST requests");
		goto done;
	}
	ct = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Content-Type");
	if (ct != NULL && strncasecmp(ct, HUB_FORM, strlen(HUB_FORM)) != 0) {
		hub_reply(h, r, 415, "Unsupported Media Type",
		    "the hub takes " HUB_FORM " bodies");
		goto done;
	}
	/* Bounded by max_body_size before we run. */
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if ((body = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	if (memchr(body, '\0', len) != NULL ||
	    evhttp_parse_query_str(body, &kv) == -1) {
		hub_reply(h, r, 400, "Bad Request", "malformed form body");
		goto done;
	}
	if ((mode = evhttp_find_header(&kv, "hub.mode")) == NULL) {
		hub_reply(h, r, 400, "Bad Request", "hub.mode is missing");
		goto done;
	}
	if (strcmp(mode, "subscribe") == 0)
		hub_subscribe(h, r, &kv, 1);
	else if (strcmp(mode, "unsubscribe") == 0)
		hub_subscribe(h, r, &kv, 0);
	else if (strcmp(mode, "publish") == 0)
		hub_publish(h, r, &kv);
	else
		hub_reply(h, r, 400, "Bad Request", "hub.mode must be "
		    "subscribe, unsubscribe or publish");
done:
	evhttp_clear_headers(&kv);
	free(body);
}

/* An absolute http(s) URL without fragment, spaces or controls. */
static int
hub_callback_valid(const char *s)
{
	const unsigned char	*p;

	if (strlen(s) > HUB_URL_MAX || !url_is_http(s) ||
	    strchr(s, '#') != NULL)
		return (0);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return (0);
	return (1);
}

/*
 * hub.mode=subscribe|unsubscribe: the request is checked, answered 202
 * Accepted, and the intent verified asynchronously (WebSub 5.3).
 */
static void
hub_subscribe(struct hub *h, struct serve_reply *r, struct evkeyvalq *kv,
    int subscribe)
{
	struct hub_verify	*v = NULL;
	struct query		 q;
	struct buf		 canon;
	const char		*topic, *callback, *lease, *secret, *node;
	char			 err[HUB_MSG_LEN];
	long long		 n;
	char			*end;
	int			 json;

	memset(&q, 0, sizeof(q));
	buf_init(&canon);
	topic = evhttp_find_header(kv, "hub.topic");
	callback = evhttp_find_header(kv, "hub.callback");
	lease = evhttp_find_header(kv, "hub.lease_seconds");
	secret = evhttp_find_header(kv, "hub.secret");
	node = evhttp_find_header(kv, "feedmesh.node");
	if (topic == NULL || callback == NULL) {
		hub_reply(h, r, 400, "Bad Request", "hub.topic and "
		    "hub.callback are required");
		goto done;
	}
	if (hub_topic_parse(h->conf->public_url, topic,
	    h->conf->listing_limit, h->conf->listing_max, &json, &q, &canon,
	    err, sizeof(err)) == -1) {
		hub_reply(h, r, 400, "Bad Request", "%s", err);
		goto done;
	}
	if (!hub_callback_valid(callback)) {
		hub_reply(h, r, 400, "Bad Request", "hub.callback must be an "
		    "absolute http or https URL");
		goto done;
	}
	if (secret != NULL && strlen(secret) > HUB_SECRET_MAX) {
		hub_reply(h, r, 400, "Bad Request", "hub.secret must be "
		    "shorter than %d bytes", HUB_SECRET_MAX + 1);
		goto done;
	}
	if (node != NULL && !entry_node_valid(node)) {
		hub_reply(h, r, 400, "Bad Request", "feedmesh.node is not a "
		    "node name");
		goto done;
	}
	if ((v = calloc(1, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	v->hub = h;
	v->subscribe = subscribe;
	v->lease = h->conf->hub_lease_default;
	if (lease != NULL && *lease != '\0') {
		n = strtoll(lease, &end, 10);
		if (*lease < '0' || *lease > '9' || *end != '\0' ||
		    strlen(lease) > 12) {
			hub_reply(h, r, 400, "Bad Request",
			    "hub.lease_seconds is not a number of seconds");
			goto done;
		}
		/* WebSub 5.1: the hub decides; the verification says. */
		if (n < h->conf->hub_lease_min)
			n = h->conf->hub_lease_min;
		if (n > h->conf->hub_lease_max)
			n = h->conf->hub_lease_max;
		v->lease = (int)n;
	}
	if (h->nverifies >= HUB_VERIFY_MAX) {
		serve_reply_header(r, "Retry-After", "10");
		hub_reply(h, r, 503, "Service Unavailable",
		    "too many verifications pending");
		goto done;
	}
	v->topic = buf_release(&canon);
	v->callback = hub_strdup(callback);
	v->secret = secret != NULL && *secret != '\0' ?
	    hub_strdup(secret) : NULL;
	v->node = hub_strdup(node);
	buf_init(&v->body);
	if (hub_verify_start(h, v, topic) == -1) {
		hub_reply(h, r, 400, "Bad Request", "hub.callback cannot be "
		    "requested");
		goto done;
	}
	TAILQ_INSERT_TAIL(&h->verifies, v, entry);
	h->nverifies++;
	v = NULL;
	hub_reply(h, r, 202, "Accepted", "%s request accepted; the intent "
	    "will be verified", subscribe ? "subscription" : "unsubscription");
done:
	if (v != NULL)
		hub_verify_free(v);
	query_clear(&q);
	buf_free(&canon);
}

/*
 * The GET of verification of intent (WebSub 5.3): mode, topic as the
 * subscriber gave it, an unguessable challenge and, for a subscription,
 * the lease granted.
 */
static int
hub_verify_start(struct hub *h, struct hub_verify *v, const char *topic)
{
	struct fetch_request	 fr;
	struct buf		 url;
	unsigned char		 rnd[HUB_CHALLENGE_BYTES];
	char			*enc;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1) {
		log_warnx("%s: RAND_bytes failed", __func__);
		return (-1);
	}
	buf_hex(v->challenge, rnd, sizeof(rnd));
	buf_init(&url);
	buf_addstr(&url, v->callback);
	buf_addc(&url, strchr(v->callback, '?') != NULL ? '&' : '?');
	buf_printf(&url, "hub.mode=%s", v->subscribe ? "subscribe" :
	    "unsubscribe");
	if ((enc = evhttp_uriencode(topic, -1, 0)) == NULL)
		fatal("%s", __func__);
	buf_printf(&url, "&hub.topic=%s&hub.challenge=%s", enc, v->challenge);
	free(enc);
	if (v->subscribe)
		buf_printf(&url, "&hub.lease_seconds=%d", v->lease);

	memset(&fr, 0, sizeof(fr));
	fr.url = url.data;
	fr.user_agent = HUB_USER_AGENT;
	fr.max_size = HUB_VERIFY_MAX_BODY;
	fr.connect_timeout = HUB_VERIFY_TIMEOUT;
	fr.timeout = HUB_VERIFY_TIMEOUT;
	fr.max_redirects = 0;
	fr.label = "hub verification";
	v->fetch = fetch_start(h->fetcher, &fr, hub_verify_data_cb,
	    hub_verify_done_cb, v);
	buf_free(&url);
	return (v->fetch != NULL ? 0 : -1);
}

/* The answer must be the challenge: anything longer is refused unread. */
static int
hub_verify_data_cb(const char *data, size_t len, void *arg)
{
	struct hub_verify	*v = arg;

	if (v->body.len + len > HUB_CHALLENGE_LEN) {
		v->overflow = 1;
		return (-1);
	}
	buf_add(&v->body, data, len);
	return (0);
}

static void
hub_verify_done_cb(const struct fetch_result *res, void *arg)
{
	struct hub_verify	*v = arg;
	struct hub		*h = v->hub;
	sqlite3_stmt		*st;
	int64_t			 now = store_now(h->store);
	const char		*why = NULL;

	v->fetch = NULL;
	if (v->overflow)
		why = "the answer is longer than the challenge";
	else if (res->error != NULL)
		why = res->error;
	else if (res->status < 200 || res->status > 299)
		why = "the callback did not answer 2xx";
	else if (v->body.len != strlen(v->challenge) ||
	    memcmp(v->body.data, v->challenge, v->body.len) != 0)
		why = "the answer is not the challenge";
	if (why != NULL) {
		h->refused++;
		log_info("hub: %s of %s to %s not verified (HTTP %ld): %s",
		    v->subscribe ? "subscription" : "unsubscription",
		    v->callback, v->topic, res->status, why);
		goto done;
	}
	if (v->subscribe) {
		st = hub_stmt(h, HS_SUB_UPSERT);
		sqlite3_bind_text(st, 1, v->topic, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v->callback, -1, SQLITE_STATIC);
		if (v->secret != NULL)
			sqlite3_bind_text(st, 3, v->secret, -1, SQLITE_STATIC);
		if (v->node != NULL)
			sqlite3_bind_text(st, 4, v->node, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 5, v->lease);
		sqlite3_bind_int64(st, 6, now + v->lease);
		sqlite3_bind_int64(st, 7, now);
	} else {
		st = hub_stmt(h, HS_SUB_DELETE);
		sqlite3_bind_text(st, 1, v->topic, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v->callback, -1, SQLITE_STATIC);
	}
	if (hub_step_done(h, st, __func__) == -1)
		goto done;
	hub_watch(h);
	h->verified++;
	if (v->subscribe)
		log_info("hub: %s subscribed to %s for %d s%s", v->callback,
		    v->topic, v->lease, v->secret != NULL ? ", signed" : "");
	else
		log_info("hub: %s unsubscribed from %s", v->callback,
		    v->topic);
done:
	TAILQ_REMOVE(&h->verifies, v, entry);
	h->nverifies--;
	hub_verify_free(v);
}

static void
hub_verify_free(struct hub_verify *v)
{
	if (v->fetch != NULL)
		fetch_cancel(v->fetch);
	free(v->topic);
	free(v->callback);
	if (v->secret != NULL) {
		explicit_bzero(v->secret, strlen(v->secret));
		free(v->secret);
	}
	free(v->node);
	buf_free(&v->body);
	free(v);
}

/*
 * hub.mode=publish with hub.url (or hub.topic): the ping publishers send
 * to their hub. A feed of one of our peers is fetched now, at most once
 * per HUB_PUBLISH_GAP seconds per URL.
 */
static void
hub_publish(struct hub *h, struct serve_reply *r, struct evkeyvalq *kv)
{
	struct hub_ping	*slot = NULL;
	const char	*url;
	time_t		 now = time(NULL);
	size_t		 i;

	if ((url = evhttp_find_header(kv, "hub.url")) == NULL &&
	    (url = evhttp_find_header(kv, "hub.topic")) == NULL) {
		hub_reply(h, r, 400, "Bad Request", "hub.url is missing");
		return;
	}
	for (i = 0; i < HUB_PUBLISH_SLOTS; i++) {
		if (h->pings[i].url != NULL &&
		    strcmp(h->pings[i].url, url) == 0) {
			slot = &h->pings[i];
			break;
		}
		if (slot == NULL || h->pings[i].when < slot->when)
			slot = &h->pings[i];
	}
	if (slot->url != NULL && strcmp(slot->url, url) == 0 &&
	    now - slot->when < HUB_PUBLISH_GAP) {
		log_debug("hub: ping for %s within %d s of the last: no fetch",
		    url, HUB_PUBLISH_GAP);
		hub_reply(h, r, 204, "No Content", "noted");
		return;
	}
	if (h->publish_cb == NULL || h->publish_cb(url, h->publish_arg) == -1) {
		hub_reply(h, r, 400, "Bad Request", "hub.url is not the feed "
		    "of a peer of this node");
		return;
	}
	if (slot->url == NULL || strcmp(slot->url, url) != 0) {
		free(slot->url);
		slot->url = hub_strdup(url);
	}
	slot->when = now;
	log_info("hub: publisher ping for %s from %s", url,
	    serve_reply_client(r));
	hub_reply(h, r, 204, "No Content", "fetching");
}

/*
 * The store's changes: copies of changed entries while the transaction
 * runs, their distributions queued just before it commits.
 */
static void
hub_store_cb(enum store_event ev, const struct entry *e, const char *peer,
    void *arg)
{
	struct hub	*h = arg;
	size_t		 cap;

	(void)peer;
	switch (ev) {
	case STORE_EVENT_CHANGE:
		if (!h->conf->hub || e == NULL)
			break;
		if (h->nchanged == h->changed_cap) {
			cap = h->changed_cap ? h->changed_cap * 2 : 16;
			h->changed = reallocarray(h->changed, cap,
			    sizeof(*h->changed));
			if (h->changed == NULL)
				fatal("%s", __func__);
			h->changed_cap = cap;
		}
		if ((h->changed[h->nchanged] = entry_dup(e)) == NULL)
			fatal("%s", __func__);
		h->nchanged++;
		break;
	case STORE_EVENT_COMMIT:
		hub_queue(h);
		hub_changes_clear(h);
		/* Runs once this callback returns, after the COMMIT. */
		hub_kick(h);
		break;
	case STORE_EVENT_ROLLBACK:
		hub_changes_clear(h);
		break;
	}
}

/*
 * Tells the store whether changed entries are wanted: only while the hub
 * is on and some subscription is live. Without one, a document's entries
 * would be built and copied for nothing (a seventh of an ingest). Called
 * after every write that makes or ends a subscription, so that one
 * verified now takes the next change; an error counts as live.
 */
static void
hub_watch(struct hub *h)
{
	store_set_event_changes(h->store, h->conf->hub &&
	    hub_count(h, HS_SUB_COUNT, store_now(h->store)) != 0);
}

static void
hub_changes_clear(struct hub *h)
{
	size_t	 i;

	for (i = 0; i < h->nchanged; i++)
		entry_free(h->changed[i]);
	h->nchanged = 0;
}

/*
 * The loop rule (FEDERATION): not back to the origin of a peer that
 * carried the entry, nor to the node that first published it.
 */
static int
hub_loop_allows(struct hub *h, const struct entry *e, const char *callback,
    const char *node)
{
	const struct peer_conf	*pc;
	size_t			 i;

	if (node != NULL && e->origin != NULL && strcmp(node, e->origin) == 0)
		return (0);
	for (i = 0; i < e->npeers; i++) {
		if (e->peers[i] == NULL ||
		    (pc = conf_peer_find(h->conf, e->peers[i])) == NULL)
			continue;
		if (pc->url != NULL && hub_same_origin(pc->url, callback))
			return (0);
	}
	return (1);
}

/*
 * 1 if a changed entry belongs in the distribution of topic q. A
 * tombstone goes to every topic: it carries no kind, place or text to
 * match, and a subscriber that never had the entry ignores it, while one
 * that had it must see it go. The full-text filter asks the index, which
 * already holds the uncommitted change.
 */
static int
hub_topic_takes(struct hub *h, const struct query *q, const struct entry *e)
{
	if (e->deleted)
		return (1);
	if (!query_match(q, e))
		return (0);
	if (q->sq.match != NULL)
		return (store_entry_matches_text(h->store, e->id,
		    q->sq.match) == 1);
	return (1);
}

/*
 * Inside the transaction: one delivery per live subscription whose topic
 * takes some of the changed entries, holding just those.
 */
static void
hub_queue(struct hub *h)
{
	sqlite3_stmt	*st, *ins;
	struct entry	**v;
	struct query	 q;
	struct buf	 canon, out;
	const char	*topic, *callback, *node;
	char		 err[HUB_MSG_LEN];
	int64_t		 now, id;
	size_t		 i, n;
	int		 json, rc;

	if (h->nchanged == 0)
		return;
	if ((v = calloc(h->nchanged, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	buf_init(&canon);
	buf_init(&out);
	now = store_now(h->store);
	st = hub_stmt(h, HS_SUB_ACTIVE);
	sqlite3_bind_int64(st, 1, now);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		topic = (const char *)sqlite3_column_text(st, 1);
		callback = (const char *)sqlite3_column_text(st, 2);
		node = (const char *)sqlite3_column_text(st, 3);
		buf_reset(&canon);
		if (hub_topic_parse(h->conf->public_url, topic,
		    h->conf->listing_limit, h->conf->listing_max, &json, &q,
		    &canon, err, sizeof(err)) == -1) {
			log_debug("hub: subscription %lld: %s", (long long)id,
			    err);
			continue;
		}
		for (i = n = 0; i < h->nchanged; i++)
			if (hub_topic_takes(h, &q, h->changed[i]) &&
			    hub_loop_allows(h, h->changed[i], callback, node))
				v[n++] = h->changed[i];
		if (n > 0) {
			buf_reset(&out);
			serve_render_topic(h->serve, json ? SERVE_JSON :
			    SERVE_ATOM, &q, v, n, &out);
			ins = hub_stmt(h, HS_DEL_INSERT);
			sqlite3_bind_int64(ins, 1, id);
			sqlite3_bind_text(ins, 2, json ? HUB_TYPE_JSON :
			    HUB_TYPE_ATOM, -1, SQLITE_STATIC);
			sqlite3_bind_blob(ins, 3, out.data != NULL ? out.data :
			    "", (int)out.len, SQLITE_STATIC);
			sqlite3_bind_int64(ins, 4, now);
			if (hub_step_done(h, ins, __func__) == 0) {
				h->queued++;
				log_debug("hub: %zu entries queued for %s",
				    n, callback);
			}
		}
		query_clear(&q);
	}
	if (rc != SQLITE_DONE)
		log_warnx("%s: %s: %s", __func__, store_path(h->store),
		    sqlite3_errmsg(store_sqlite(h->store)));
	sqlite3_reset(st);
	free(v);
	buf_free(&canon);
	buf_free(&out);
}

/* Runs the pump once the current callback returns. */
static void
hub_kick(struct hub *h)
{
	struct timeval	 tv = { 0, 0 };

	if (h->pump_ev != NULL)
		evtimer_add(h->pump_ev, &tv);
}

/* 1 if HUB_PER_HOST distributions to that host are in flight. */
static int
hub_host_busy(struct hub *h, const char *host)
{
	struct hub_push	*p;
	int		 n = 0;

	TAILQ_FOREACH(p, &h->pushes, entry)
		if (p->host != NULL && host != NULL &&
		    strcmp(p->host, host) == 0 && ++n >= HUB_PER_HOST)
			return (1);
	return (0);
}

/*
 * Starts the oldest delivery of each subscription that has nothing in
 * flight and is due, up to max_pushes, and a few per host: subscribers
 * on a slow host cannot take every slot. Sleeps until the next one is
 * due; a finished push kicks it again.
 */
static void
hub_pump_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct hub	*h = arg;
	struct hub_push	*p;
	sqlite3_stmt	*st;
	struct timeval	 tv;
	int64_t		 now, next, sub, id, wake = -1;
	char		*host;
	int		 rc, guard = 0;

	(void)fd;
	(void)ev;
	if (!h->conf->hub || store_in_transaction(h->store))
		return;
	now = store_now(h->store);
	/*
	 * Starting a push runs other statements and may end one at once:
	 * read the heads again after each start, a bounded number of times.
	 */
	while (h->npushes < h->conf->max_pushes &&
	    guard++ < h->conf->max_pushes) {
		id = sub = -1;
		st = hub_stmt(h, HS_DEL_HEADS);
		sqlite3_bind_int64(st, 1, now);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			sub = sqlite3_column_int64(st, 1);
			next = sqlite3_column_int64(st, 2);
			TAILQ_FOREACH(p, &h->pushes, entry)
				if (p->subscription == sub)
					break;
			if (p != NULL)
				continue;
			if (next > now) {
				/* Ordered: the rest are due later. */
				if (wake == -1 || next < wake)
					wake = next;
				break;
			}
			host = url_host((const char *)
			    sqlite3_column_text(st, 3));
			if (hub_host_busy(h, host)) {
				free(host);
				continue;
			}
			free(host);
			id = sqlite3_column_int64(st, 0);
			break;
		}
		sqlite3_reset(st);
		if (id == -1)
			break;
		hub_push_start(h, id, sub);
	}
	if (wake != -1) {
		tv.tv_sec = wake > now ? wake - now : 0;
		tv.tv_usec = 0;
		evtimer_add(h->pump_ev, &tv);
	}
}

/*
 * POSTs one delivery (WebSub 7): the topic's Content-Type, the hub and
 * self links, and the signature (WebSub 8) when the subscription has a
 * secret, computed now so that a renewed secret signs what is queued.
 */
static void
hub_push_start(struct hub *h, int64_t delivery, int64_t sub)
{
	struct hub_push		*p;
	struct fetch_request	 fr;
	sqlite3_stmt		*st = hub_stmt(h, HS_DEL_LOAD);
	const char		*headers[5];
	const char		*ctype, *topic, *callback, *secret;
	const void		*body;
	char			 sig[HUB_SIGNATURE_LEN];
	char			*hctype = NULL, *hhub = NULL, *hself = NULL;
	char			*hsig = NULL;
	size_t			 len, nh = 0;

	sqlite3_bind_int64(st, 1, delivery);
	if (sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_reset(st);
		return;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("%s", __func__);
	p->hub = h;
	p->delivery = delivery;
	p->subscription = sub;
	ctype = (const char *)sqlite3_column_text(st, 0);
	body = sqlite3_column_blob(st, 1);
	len = (size_t)sqlite3_column_bytes(st, 1);
	p->first_attempt = sqlite3_column_int64(st, 2);
	p->attempts = sqlite3_column_int(st, 3);
	topic = (const char *)sqlite3_column_text(st, 4);
	callback = (const char *)sqlite3_column_text(st, 5);
	secret = (const char *)sqlite3_column_text(st, 6);
	if (p->first_attempt == 0)
		p->first_attempt = store_now(h->store);
	p->callback = hub_strdup(callback);
	p->host = url_host(callback);
	if (asprintf(&hctype, "Content-Type: %s", ctype) == -1 ||
	    asprintf(&hhub, "Link: <%s>; rel=\"hub\"", h->hub_url) == -1 ||
	    asprintf(&hself, "Link: <%s>; rel=\"self\"", topic) == -1)
		fatal("%s", __func__);
	headers[nh++] = hctype;
	headers[nh++] = hhub;
	headers[nh++] = hself;
	if (secret != NULL && *secret != '\0') {
		hub_signature(secret, body != NULL ? body : "", len, sig);
		if (asprintf(&hsig, "X-Hub-Signature: %s", sig) == -1)
			fatal("%s", __func__);
		headers[nh++] = hsig;
	}
	headers[nh] = NULL;

	memset(&fr, 0, sizeof(fr));
	fr.url = callback;
	fr.method = "POST";
	fr.body = body != NULL ? body : "";
	fr.body_len = len;
	fr.headers = headers;
	fr.user_agent = HUB_USER_AGENT;
	fr.max_size = HUB_RESPONSE_MAX;
	fr.connect_timeout = h->conf->push_timeout;
	fr.timeout = h->conf->push_timeout;
	fr.max_redirects = 0;
	fr.label = "hub distribution";
	p->fetch = fetch_start(h->fetcher, &fr, hub_push_data_cb,
	    hub_push_done_cb, p);
	sqlite3_reset(st);
	free(hctype);
	free(hhub);
	free(hself);
	free(hsig);
	TAILQ_INSERT_TAIL(&h->pushes, p, entry);
	h->npushes++;
	if (p->fetch == NULL)
		hub_push_failed(p, "the request cannot be made");
}

/* The subscriber's answer body is not needed. */
static int
hub_push_data_cb(const char *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	(void)arg;
	return (0);
}

static void
hub_push_done_cb(const struct fetch_result *res, void *arg)
{
	struct hub_push	*p = arg;
	struct hub	*h = p->hub;
	char		 why[64];

	p->fetch = NULL;
	if (res->error == NULL && res->status >= 200 && res->status <= 299) {
		hub_run_id(h, HS_DEL_DONE, p->delivery, __func__);
		hub_run_id(h, HS_SUB_OK, p->subscription, __func__);
		h->sent++;
		metrics_inc(hub_m_pushes, "ok", 1);
		log_debug("hub: distribution to %s: HTTP %ld in %.3f s",
		    p->callback, res->status, res->total_time);
		hub_push_free(p);
		return;
	}
	if (res->error == NULL && res->status == 410) {
		/* WebSub 7: the subscriber is gone; deliveries go too. */
		hub_run_id(h, HS_SUB_DELETE_ID, p->subscription, __func__);
		hub_watch(h);
		h->gone++;
		metrics_inc(hub_m_pushes, "gone", 1);
		log_info("hub: %s answered 410 Gone: unsubscribed",
		    p->callback);
		hub_push_free(p);
		return;
	}
	if (res->error != NULL)
		snprintf(why, sizeof(why), "%s", res->error);
	else
		snprintf(why, sizeof(why), "HTTP %ld", res->status);
	hub_push_failed(p, why);
}

/*
 * A failed distribution is retried after 5 s, doubling, until
 * push_retry_for has passed since its first attempt; then the
 * subscription stops and its queue is dropped.
 */
static void
hub_push_failed(struct hub_push *p, const char *why)
{
	struct hub	*h = p->hub;
	sqlite3_stmt	*st;
	int64_t		 now = store_now(h->store), delay, next, end;
	int		 shift;

	h->failed++;
	metrics_inc(hub_m_pushes, "failed", 1);
	hub_run_id(h, HS_SUB_FAIL, p->subscription, __func__);
	end = p->first_attempt + h->conf->push_retry_for;
	if (now >= end) {
		hub_run_id(h, HS_SUB_DEACTIVATE, p->subscription, __func__);
		hub_run_id(h, HS_DEL_DROP, p->subscription, __func__);
		hub_watch(h);
		h->dropped++;
		log_warnx("hub: distributions to %s failed for %d s (last: "
		    "%s): subscription deactivated", p->callback,
		    h->conf->push_retry_for, why);
		hub_push_free(p);
		return;
	}
	shift = p->attempts < 8 ? p->attempts : 8;
	delay = (int64_t)HUB_RETRY_START << shift;
	if (delay > HUB_RETRY_CAP)
		delay = HUB_RETRY_CAP;
	next = now + delay;
	if (next > end)
		next = end;
	st = hub_stmt(h, HS_DEL_RETRY);
	sqlite3_bind_int64(st, 1, p->delivery);
	sqlite3_bind_int(st, 2, p->attempts + 1);
	sqlite3_bind_int64(st, 3, next);
	sqlite3_bind_int64(st, 4, p->first_attempt);
	hub_step_done(h, st, __func__);
	log_warnx_limited(p->callback, "hub: distribution to %s failed (%s): "
	    "retry in %lld s", p->callback, why, (long long)(next - now));
	hub_push_free(p);
}

/* Forgets a finished push and lets the pump start the next ones. */
static void
hub_push_free(struct hub_push *p)
{
	struct hub	*h = p->hub;

	if (p->fetch != NULL)
		fetch_cancel(p->fetch);
	TAILQ_REMOVE(&h->pushes, p, entry);
	h->npushes--;
	free(p->callback);
	free(p->host);
	free(p);
	hub_kick(h);
}

/* Expired leases end their subscriptions (and queued deliveries). */
static void
hub_purge_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct hub	*h = arg;
	sqlite3_stmt	*st;
	int		 n;

	(void)fd;
	(void)ev;
	if (store_in_transaction(h->store))
		return;
	st = hub_stmt(h, HS_SUB_PURGE);
	sqlite3_bind_int64(st, 1, store_now(h->store));
	if (hub_step_done(h, st, __func__) == 0 &&
	    (n = sqlite3_changes(store_sqlite(h->store))) > 0)
		log_info("hub: %d subscriptions expired", n);
	hub_watch(h);
	hub_kick(h);
}

/* Gauges read at scrape time: live subscriptions, queued distributions. */
static void
hub_metrics_cb(struct buf *b, void *arg)
{
	struct hub	*h = arg;

	metrics_write_gauge(b, "feedmesh_hub_subscriptions",
	    "Verified, unexpired subscriptions to this node's hub",
	    (double)hub_count(h, HS_SUB_COUNT, store_now(h->store)));
	metrics_write_gauge(b, "feedmesh_hub_pushes_pending",
	    "Content distributions queued in the store",
	    (double)hub_count(h, HS_DEL_COUNT, 0));
}

json_t *
hub_status_json(struct hub *h)
{
	return (json_pack("{s:b, s:I, s:I, s:I, s:I, s:I, s:I, s:i, s:i}",
	    "enabled", h->conf->hub,
	    "subscriptions", (json_int_t)hub_count(h, HS_SUB_COUNT,
	    store_now(h->store)),
	    "pushes_sent", (json_int_t)h->sent,
	    "pushes_failed", (json_int_t)h->failed,
	    "pushes_pending", (json_int_t)hub_count(h, HS_DEL_COUNT, 0),
	    "unsubscribed_gone", (json_int_t)h->gone,
	    "deactivated", (json_int_t)h->dropped,
	    "pushes_in_flight", h->npushes,
	    "verifications_pending", h->nverifies));
}

json_t *
hub_subscriptions_json(struct hub *h)
{
	sqlite3_stmt	*st = hub_stmt(h, HS_SUB_LIST);
	json_t		*a, *o;
	const char	*node;
	char		*host;

	if ((a = json_array()) == NULL)
		fatal("%s", __func__);
	while (sqlite3_step(st) == SQLITE_ROW) {
		host = url_host((const char *)sqlite3_column_text(st, 1));
		node = (const char *)sqlite3_column_text(st, 6);
		o = json_pack("{s:s, s:s, s:s, s:I, s:i, s:i, s:I, s:s?}",
		    "topic", (const char *)sqlite3_column_text(st, 0),
		    "callback_host", host != NULL ? host : "?",
		    "state", (const char *)sqlite3_column_text(st, 2),
		    "expires", (json_int_t)sqlite3_column_int64(st, 3),
		    "lease_seconds", sqlite3_column_int(st, 4),
		    "failures", sqlite3_column_int(st, 5),
		    "pending", (json_int_t)sqlite3_column_int64(st, 7),
		    "node", node);
		free(host);
		if (o == NULL || json_array_append_new(a, o) == -1)
			fatalx("%s: json", __func__);
	}
	sqlite3_reset(st);
	return (a);
}

static json_t *
hub_admin_subscriptions_cb(const struct evkeyvalq *query, const char *body,
    size_t len, int *code, void *arg)
{
	(void)query;
	(void)body;
	(void)len;
	*code = 200;
	return (hub_subscriptions_json(arg));
}
