/*
 * feedmesh: HTTP fetches on libcurl's multi interface driven by libevent,
 * in a bounded window with per-host limits, treating every peer as hostile.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <event2/event.h>

#include "buf.h"
#include "fetch.h"
#include "log.h"
#include "strmap.h"

#define FETCH_HEADER_MAX	8192		/* one header line */
#define FETCH_HEADERS_MAX	(64 * 1024)	/* one response's headers */
#define FETCH_RETRY_AFTER_MAX	(366LL * 86400)	/* a sane upper bound */
#define FETCH_CONN_MAXAGE_MS	(120 * 1000)	/* > libcurl's 118 s */
#define FETCH_POOL_MAX		1024		/* idle easy handles kept */
#define FETCH_ORIGIN_MAX	256		/* longer: parsed each time */

enum fetch_state {
	FETCH_QUEUED,
	FETCH_RUNNING,
	FETCH_DONE		/* done_cb is running */
};

/* Per-host accounting; kept after its last fetch until its gap passes. */
struct fetch_host {
	TAILQ_ENTRY(fetch_host)	 entry;
	TAILQ_ENTRY(fetch_host)	 idle_entry;	/* in idle_hosts iff refs is 0 */
	char			*name;
	char			*origin;	/* "scheme://authority" seen */
	int			 refs;		/* queued + running fetches */
	int			 running;
	int			 started;	/* last_start is valid */
	int64_t			 last_start;	/* monotonic ms */
};
TAILQ_HEAD(fetch_hosts, fetch_host);

/* A socket libcurl asked us to watch, attached with curl_multi_assign. */
struct fetch_sock {
	TAILQ_ENTRY(fetch_sock)	 entry;
	struct fetcher		*fr;
	curl_socket_t		 fd;
	short			 events;
	struct event		*ev;
};
TAILQ_HEAD(fetch_socks, fetch_sock);

/* What the headers of the last response in the chain said. */
struct fetch_resp {
	long		 status;
	int		 in_body;	/* past the blank line: trailers */
	size_t		 total;
	char		*etag;
	char		*last_modified;
	char		*content_type;
	char		*location;
	struct buf	 link;
	int64_t		 retry_after;
	int64_t		 max_age;
	int64_t		 expires;
	int		 no_cache;
};

struct fetch {
	TAILQ_ENTRY(fetch)	 entry;		/* queue or running list */
	struct fetcher		*fr;
	struct fetch_host	*host;
	enum fetch_state	 state;
	int			 cancelled;
	CURL			*easy;
	struct curl_slist	*headers;
	char			*url;
	char			*label;
	size_t			 max_size;
	size_t			 body_size;
	fetch_data_cb		 data_cb;
	fetch_done_cb		 done_cb;
	void			*arg;
	struct fetch_resp	 resp;
	char			*moved_to;
	int			 chain_temporary; /* a 302/303/307 seen */
	/*
	 * The request's options, applied to an easy handle only when the
	 * fetch leaves the queue: a node following thousands of peers may
	 * queue them all, and a handle costs kilobytes.
	 */
	long			 ctimeout;
	long			 timeout;
	long			 redirs;
	long			 lslimit;
	long			 lstime;
	char			*user_agent;
	char			*method;	/* PUT, DELETE; NULL otherwise */
	int			 post;
	char			*body;
	size_t			 body_len;
	char			 why[160];	/* our reason to stop */
	char			 refused[256];	/* last private address */
	char			 errbuf[CURL_ERROR_SIZE];
};
TAILQ_HEAD(fetch_list, fetch);

struct fetcher {
	struct event_base	*base;
	CURLM			*multi;
	struct event		*timer;		/* libcurl's one timeout */
	struct event		*pump;		/* starts queued fetches */
	struct fetcher_limits	 limits;
	struct fetch_list	 queue;
	struct fetch_list	 running;
	/*
	 * Hosts are found by name and by the origin last seen for them in
	 * maps, and only those without fetches are looked at to be dropped:
	 * a round over 10,000 peers on as many hosts walked the list at
	 * each fetch and each start.
	 */
	struct fetch_hosts	 hosts;
	struct fetch_hosts	 idle_hosts;
	struct strmap		*host_names;	/* name -> fetch_host */
	struct strmap		*host_origins;	/* origin -> fetch_host */
	struct fetch_socks	 socks;
	int			 nqueued;
	int			 nrunning;
	int			 ncancelled;	/* running, awaiting the sweep */
	int			 busy;		/* inside our event callbacks */
	int			 in_multi;	/* inside socket_action */
	int			 dying;		/* fetcher_free was called */
	int64_t			 fresh_until;	/* no reuse before (ms) */
	CURL			*pool[FETCH_POOL_MAX];	/* idle, reset */
	int			 npool;
};

static void	 fetcher_limits_copy(struct fetcher *,
		    const struct fetcher_limits *);
static void	 fetcher_destroy(struct fetcher *);
static void	 fetcher_enter(struct fetcher *);
static void	 fetcher_leave(struct fetcher *);
static void	 fetcher_kick(struct fetcher *);
static int	 fetcher_arm(struct event *, int64_t);
static void	 fetcher_pump(struct fetcher *);
static void	 fetcher_pump_cb(evutil_socket_t, short, void *);
static void	 fetcher_action(struct fetcher *, curl_socket_t, int);
static void	 fetcher_reap(struct fetcher *);
static void	 fetcher_sweep(struct fetcher *);
static int	 fetcher_socket_cb(CURL *, curl_socket_t, int, void *,
		    void *);
static int	 fetcher_timer_cb(CURLM *, long, void *);
static void	 fetcher_timeout_cb(evutil_socket_t, short, void *);
static void	 fetcher_event_cb(evutil_socket_t, short, void *);
static void	 fetch_sock_free(struct fetcher *, struct fetch_sock *);
static struct fetch_host *fetch_host_ref(struct fetcher *, const char *,
		    const char *, size_t);
static struct fetch_host *fetch_host_known(struct fetcher *, const char *,
		    size_t);
static void	 fetch_host_hold(struct fetcher *, struct fetch_host *);
static void	 fetch_host_release(struct fetcher *, struct fetch_host *);
static void	 fetch_host_free(struct fetcher *, struct fetch_host *);
static size_t	 fetch_url_origin_len(const char *);
static char	*fetch_url_host(const char *, const char *);
static char	*fetch_url_resolve(const char *, const char *);
static int	 fetch_setup(struct fetch *, const struct fetch_request *);
static int	 fetch_setup_easy(struct fetch *);
static CURL	*fetch_easy_get(struct fetcher *);
static void	 fetch_easy_put(struct fetcher *, CURL *, int);
static int	 fetch_add_line(struct fetch *, const char *);
static int	 fetch_add_header(struct fetch *, const char *, const char *);
static int	 fetch_launch(struct fetch *, int64_t);
static void	 fetch_detach(struct fetch *);
static void	 fetch_complete(struct fetch *, CURLcode, const char *);
static const char *fetch_error(struct fetch *, CURLcode);
static void	 fetch_free(struct fetch *);
static void	 fetch_resp_reset(struct fetch_resp *);
static size_t	 fetch_write_cb(char *, size_t, size_t, void *);
static size_t	 fetch_header_cb(char *, size_t, size_t, void *);
static void	 fetch_header_value(struct fetch *, const char *, size_t,
		    const char *, size_t);
static void	 fetch_header_end(struct fetch *);
static int64_t	 fetch_parse_delay(const char *);
static void	 fetch_parse_cache_control(struct fetch_resp *, const char *);
static curl_socket_t fetch_opensocket_cb(void *, curlsocktype,
		    struct curl_sockaddr *);
static int	 fetch_debug_cb(CURL *, curl_infotype, char *, size_t,
		    void *);
static int	 fetch_ipv4_private(uint32_t);
static void	 fetch_set_str(char **, const char *, size_t);

/* The fetcher: a multi handle, its timer, the queue and the hosts. */
struct fetcher *
fetcher_new(struct event_base *base, const struct fetcher_limits *lim)
{
	struct fetcher	*fr;
	CURLcode	 rc;
	CURLMcode	 mc;

	if ((rc = curl_global_init(CURL_GLOBAL_DEFAULT)) != CURLE_OK) {
		log_warnx("%s: curl_global_init: %s", __func__,
		    curl_easy_strerror(rc));
		return (NULL);
	}
	if ((fr = calloc(1, sizeof(*fr))) == NULL)
		fatal("%s: calloc", __func__);
	fr->base = base;
	TAILQ_INIT(&fr->queue);
	TAILQ_INIT(&fr->running);
	TAILQ_INIT(&fr->hosts);
	TAILQ_INIT(&fr->idle_hosts);
	fr->host_names = strmap_new();
	fr->host_origins = strmap_new();
	TAILQ_INIT(&fr->socks);
	fetcher_limits_copy(fr, lim);
	if ((fr->multi = curl_multi_init()) == NULL) {
		log_warnx("%s: curl_multi_init failed", __func__);
		goto fail;
	}
	if ((mc = curl_multi_setopt(fr->multi, CURLMOPT_SOCKETFUNCTION,
	    fetcher_socket_cb)) != CURLM_OK ||
	    (mc = curl_multi_setopt(fr->multi, CURLMOPT_SOCKETDATA,
	    fr)) != CURLM_OK ||
	    (mc = curl_multi_setopt(fr->multi, CURLMOPT_TIMERFUNCTION,
	    fetcher_timer_cb)) != CURLM_OK ||
	    (mc = curl_multi_setopt(fr->multi, CURLMOPT_TIMERDATA,
	    fr)) != CURLM_OK) {
		log_warnx("%s: curl_multi_setopt: %s", __func__,
		    curl_multi_strerror(mc));
		goto fail;
	}
	if ((fr->timer = evtimer_new(base, fetcher_timeout_cb, fr)) == NULL ||
	    (fr->pump = evtimer_new(base, fetcher_pump_cb, fr)) == NULL) {
		log_warnx("%s: evtimer_new failed", __func__);
		goto fail;
	}
	return (fr);
fail:
	fetcher_destroy(fr);
	return (NULL);
}

/* Takes new limits (on reload); running transfers are left alone. */
void
fetcher_set_limits(struct fetcher *fr, const struct fetcher_limits *lim)
{
	/*
	 * A cached connection to a private address was checked under the
	 * old rule; no reuse until every such connection has aged out.
	 */
	if (fr->limits.allow_private && !lim->allow_private)
		fr->fresh_until = fetch_now_ms() + FETCH_CONN_MAXAGE_MS;
	fetcher_limits_copy(fr, lim);
	fetcher_kick(fr);
}

static void
fetcher_limits_copy(struct fetcher *fr, const struct fetcher_limits *lim)
{
	fr->limits = *lim;
	if (fr->limits.max_transfers < 1)
		fr->limits.max_transfers = 1;
	if (fr->limits.max_per_host < 1)
		fr->limits.max_per_host = 1;
	if (fr->limits.host_gap_ms < 0)
		fr->limits.host_gap_ms = 0;
}

/*
 * Cancels everything. From inside one of our callbacks (a done_cb, a
 * data_cb) the work is deferred until that callback has returned, since
 * libcurl and the loop over finished transfers still hold pointers.
 */
void
fetcher_free(struct fetcher *fr)
{
	if (fr == NULL)
		return;
	fr->dying = 1;
	if (fr->busy > 0)
		return;
	fetcher_destroy(fr);
}

static void
fetcher_destroy(struct fetcher *fr)
{
	struct fetch		*f;
	struct fetch_host	*h;
	struct fetch_sock	*fs;
	CURLMcode		 mc;

	while ((f = TAILQ_FIRST(&fr->running)) != NULL) {
		fetch_detach(f);
		fetch_free(f);
	}
	while ((f = TAILQ_FIRST(&fr->queue)) != NULL) {
		TAILQ_REMOVE(&fr->queue, f, entry);
		fr->nqueued--;
		fetch_free(f);
	}
	while (fr->npool > 0)
		curl_easy_cleanup(fr->pool[--fr->npool]);
	if (fr->multi != NULL &&
	    (mc = curl_multi_cleanup(fr->multi)) != CURLM_OK)
		log_warnx("%s: curl_multi_cleanup: %s", __func__,
		    curl_multi_strerror(mc));
	/* Cached connections may close without a CURL_POLL_REMOVE. */
	while ((fs = TAILQ_FIRST(&fr->socks)) != NULL)
		fetch_sock_free(fr, fs);
	while ((h = TAILQ_FIRST(&fr->hosts)) != NULL)
		fetch_host_free(fr, h);
	strmap_free(fr->host_names);
	strmap_free(fr->host_origins);
	if (fr->timer != NULL)
		event_free(fr->timer);
	if (fr->pump != NULL)
		event_free(fr->pump);
	free(fr);
	curl_global_cleanup();
}

const char *
fetch_content_type(const struct fetch *f)
{
	return (f->resp.content_type);
}

const char *
fetch_effective_url(const struct fetch *f)
{
	char	*eff = NULL;

	if (f->easy == NULL || curl_easy_getinfo(f->easy,
	    CURLINFO_EFFECTIVE_URL, &eff) != CURLE_OK)
		return (f->url);
	return (eff != NULL ? eff : f->url);
}

int
fetcher_active(const struct fetcher *fr)
{
	return (fr->nrunning);
}

int
fetcher_queued(const struct fetcher *fr)
{
	return (fr->nqueued);
}

static void
fetcher_enter(struct fetcher *fr)
{
	fr->busy++;
}

/* Leaves an event callback; the last one out honours fetcher_free. */
static void
fetcher_leave(struct fetcher *fr)
{
	if (--fr->busy == 0 && fr->dying)
		fetcher_destroy(fr);
}

/* Runs the queue soon, from the loop rather than from the caller. */
static void
fetcher_kick(struct fetcher *fr)
{
	if (!fr->dying)
		(void)fetcher_arm(fr->pump, 0);
}

/* (Re)arms a timer ms milliseconds from now. */
static int
fetcher_arm(struct event *ev, int64_t ms)
{
	struct timeval	 tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	if (evtimer_add(ev, &tv) == -1) {
		log_warnx("%s: evtimer_add failed", __func__);
		return (-1);
	}
	return (0);
}

static void
fetcher_pump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher	*fr = arg;

	(void)fd;
	(void)what;
	fetcher_enter(fr);
	if (!fr->dying)
		fetcher_pump(fr);
	fetcher_leave(fr);
}

/*
 * Starts queued fetches in FIFO order while the window has room. A fetch
 * whose host is full or still in its gap is skipped, not waited for, so
 * one slow host never holds up the others; the timer comes back when the
 * earliest gap ends. Hosts with no fetches left are dropped once their
 * gap has passed.
 */
static void
fetcher_pump(struct fetcher *fr)
{
	struct fetch		*f, *next;
	struct fetch_host	*h, *hnext;
	int64_t			 now, gap, wait = -1, w;

	now = fetch_now_ms();
	gap = fr->limits.host_gap_ms;
	for (f = TAILQ_FIRST(&fr->queue); f != NULL &&
	    fr->nrunning < fr->limits.max_transfers; f = next) {
		next = TAILQ_NEXT(f, entry);
		h = f->host;
		if (h->running >= fr->limits.max_per_host)
			continue;
		if (h->started && now - h->last_start < gap) {
			w = gap - (now - h->last_start);
			if (wait == -1 || w < wait)
				wait = w;
			continue;
		}
		if (fetch_launch(f, now) == -1) {
			/* Its done_cb ran and may have changed the queue. */
			if (fr->dying)
				return;
			next = TAILQ_FIRST(&fr->queue);
		}
	}
	for (h = TAILQ_FIRST(&fr->idle_hosts); h != NULL; h = hnext) {
		hnext = TAILQ_NEXT(h, idle_entry);
		if (!h->started || now - h->last_start >= gap)
			fetch_host_free(fr, h);
	}
	if (wait >= 0)
		(void)fetcher_arm(fr->pump, wait);
}

/*
 * Lets libcurl act on a socket (or on its timeout), then hands over what
 * finished, frees what was cancelled meanwhile and refills the window.
 */
static void
fetcher_action(struct fetcher *fr, curl_socket_t fd, int action)
{
	CURLMcode	 mc;
	int		 running;

	fr->in_multi = 1;
	mc = curl_multi_socket_action(fr->multi, fd, action, &running);
	fr->in_multi = 0;
	if (mc != CURLM_OK)
		log_warnx("%s: curl_multi_socket_action: %s", __func__,
		    curl_multi_strerror(mc));
	fetcher_reap(fr);
	fetcher_sweep(fr);
	if (!fr->dying)
		fetcher_pump(fr);
}

/* Reports every transfer libcurl says is done. */
static void
fetcher_reap(struct fetcher *fr)
{
	CURLMsg		*msg;
	struct fetch	*f;
	CURLcode	 rc;
	int		 left;

	while (!fr->dying &&
	    (msg = curl_multi_info_read(fr->multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		f = NULL;
		rc = curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    (char **)&f);
		if (rc != CURLE_OK || f == NULL)
			fatalx("%s: transfer without its fetch", __func__);
		rc = msg->data.result;
		fetch_detach(f);
		fetch_complete(f, rc, NULL);
	}
}

/* Frees the running fetches cancelled from inside libcurl's callbacks. */
static void
fetcher_sweep(struct fetcher *fr)
{
	struct fetch	*f, *next;

	/* Most actions cancel nothing: no walk over the window then. */
	for (f = TAILQ_FIRST(&fr->running); f != NULL && fr->ncancelled > 0;
	    f = next) {
		next = TAILQ_NEXT(f, entry);
		if (f->cancelled) {
			fetch_detach(f);
			fetch_free(f);
		}
	}
}

/* libcurl says what to watch on a socket: one persistent event each. */
static int
fetcher_socket_cb(CURL *easy, curl_socket_t s, int what, void *arg,
    void *sockp)
{
	struct fetcher		*fr = arg;
	struct fetch_sock	*fs = sockp;
	short			 events = 0;
	CURLMcode		 mc;

	(void)easy;
	if (what == CURL_POLL_REMOVE) {
		if (fs != NULL)
			fetch_sock_free(fr, fs);
		return (0);
	}
	if (fs == NULL) {
		if ((fs = calloc(1, sizeof(*fs))) == NULL)
			fatal("%s: calloc", __func__);
		fs->fr = fr;
		fs->fd = s;
		TAILQ_INSERT_TAIL(&fr->socks, fs, entry);
		if ((mc = curl_multi_assign(fr->multi, s, fs)) != CURLM_OK) {
			log_warnx("%s: curl_multi_assign: %s", __func__,
			    curl_multi_strerror(mc));
			fetch_sock_free(fr, fs);
			return (-1);
		}
	}
	if (what & CURL_POLL_IN)
		events |= EV_READ;
	if (what & CURL_POLL_OUT)
		events |= EV_WRITE;
	if (fs->ev != NULL && fs->events == events)
		return (0);
	if (fs->ev != NULL) {
		event_free(fs->ev);
		fs->ev = NULL;
	}
	fs->events = events;
	if (events == 0)
		return (0);
	if ((fs->ev = event_new(fr->base, s, events | EV_PERSIST,
	    fetcher_event_cb, fs)) == NULL || event_add(fs->ev, NULL) == -1) {
		log_warnx("%s: cannot watch socket %d", __func__, (int)s);
		return (-1);
	}
	return (0);
}

static void
fetch_sock_free(struct fetcher *fr, struct fetch_sock *fs)
{
	TAILQ_REMOVE(&fr->socks, fs, entry);
	if (fs->ev != NULL)
		event_free(fs->ev);
	free(fs);
}

/* libcurl wants its timeout in timeout_ms (-1: none). */
static int
fetcher_timer_cb(CURLM *multi, long timeout_ms, void *arg)
{
	struct fetcher	*fr = arg;

	(void)multi;
	if (timeout_ms < 0)
		return (evtimer_del(fr->timer) == -1 ? -1 : 0);
	return (fetcher_arm(fr->timer, timeout_ms));
}

static void
fetcher_timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetcher	*fr = arg;

	(void)fd;
	(void)what;
	fetcher_enter(fr);
	fetcher_action(fr, CURL_SOCKET_TIMEOUT, 0);
	fetcher_leave(fr);
}

static void
fetcher_event_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fetch_sock	*fs = arg;
	struct fetcher		*fr = fs->fr;	/* fs may go in the action */
	int			 action = 0;

	if (what & EV_READ)
		action |= CURL_CSELECT_IN;
	if (what & EV_WRITE)
		action |= CURL_CSELECT_OUT;
	fetcher_enter(fr);
	fetcher_action(fr, fd, action);
	fetcher_leave(fr);
}

int64_t
fetch_now_ms(void)
{
	struct timespec	 ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("%s: clock_gettime", __func__);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

/*
 * The host named name, made if new, with one more fetch. It remembers
 * the first olen bytes of url, the origin it was parsed from
 * (fetch_host_known).
 */
static struct fetch_host *
fetch_host_ref(struct fetcher *fr, const char *name, const char *url,
    size_t olen)
{
	struct fetch_host	*h;

	if ((h = strmap_get(fr->host_names, name)) == NULL) {
		if ((h = calloc(1, sizeof(*h))) == NULL ||
		    (h->name = strdup(name)) == NULL)
			fatal("%s: calloc", __func__);
		TAILQ_INSERT_TAIL(&fr->hosts, h, entry);
		TAILQ_INSERT_TAIL(&fr->idle_hosts, h, idle_entry);
		strmap_put(fr->host_names, h->name, h);
	}
	if (h->origin == NULL && olen > 0 && olen < FETCH_ORIGIN_MAX) {
		if ((h->origin = strndup(url, olen)) == NULL)
			fatal("%s: strndup", __func__);
		strmap_put(fr->host_origins, h->origin, h);
	}
	fetch_host_hold(fr, h);
	return (h);
}

/*
 * The host of a URL whose origin (its first olen bytes) is one that
 * libcurl's parser already read for a host, with one more fetch, so
 * that a round of fetches to one site parses each URL once (in
 * libcurl), not twice.
 */
static struct fetch_host *
fetch_host_known(struct fetcher *fr, const char *url, size_t olen)
{
	struct fetch_host	*h;
	char			 origin[FETCH_ORIGIN_MAX];

	if (olen == 0 || olen >= sizeof(origin))
		return (NULL);
	memcpy(origin, url, olen);
	origin[olen] = '\0';
	if ((h = strmap_get(fr->host_origins, origin)) != NULL)
		fetch_host_hold(fr, h);
	return (h);
}

static void
fetch_host_hold(struct fetcher *fr, struct fetch_host *h)
{
	if (h->refs++ == 0)
		TAILQ_REMOVE(&fr->idle_hosts, h, idle_entry);
}

/* One fetch less; without any, the host may be dropped (fetcher_pump). */
static void
fetch_host_release(struct fetcher *fr, struct fetch_host *h)
{
	if (--h->refs == 0)
		TAILQ_INSERT_TAIL(&fr->idle_hosts, h, idle_entry);
}

static void
fetch_host_free(struct fetcher *fr, struct fetch_host *h)
{
	if (h->refs == 0)
		TAILQ_REMOVE(&fr->idle_hosts, h, idle_entry);
	TAILQ_REMOVE(&fr->hosts, h, entry);
	strmap_del(fr->host_names, h->name);
	if (h->origin != NULL)
		strmap_del(fr->host_origins, h->origin);
	free(h->name);
	free(h->origin);
	free(h);
}

/*
 * The length of the "scheme://authority" a URL starts with; 0 when it
 * has a byte outside printable ASCII anywhere (libcurl may refuse it:
 * the full parse says why) or no such start.
 */
static size_t
fetch_url_origin_len(const char *url)
{
	const char	*p;
	size_t		 n;

	for (p = url; *p != '\0'; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f)
			return (0);
	n = strspn(url, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");
	if (n == 0 || strncmp(url + n, "://", 3) != 0)
		return (0);
	n += 3;
	return (n + strcspn(url + n, "/?#"));
}

/* The lower-case host of an http(s) URL; NULL (logged) for anything else. */
static char *
fetch_url_host(const char *label, const char *url)
{
	CURLU		*u;
	CURLUcode	 uc;
	char		*scheme = NULL, *host = NULL, *ret = NULL, *p;

	if ((u = curl_url()) == NULL)
		fatalx("%s: curl_url failed", __func__);
	if ((uc = curl_url_set(u, CURLUPART_URL, url, 0)) != CURLUE_OK) {
		log_warnx("%s: bad URL \"%s\": %s", label, url,
		    curl_url_strerror(uc));
		goto done;
	}
	if ((uc = curl_url_get(u, CURLUPART_SCHEME, &scheme, 0)) != CURLUE_OK ||
	    (strcasecmp(scheme, "http") != 0 &&
	    strcasecmp(scheme, "https") != 0)) {
		log_warnx("%s: refusing \"%s\": not an http(s) URL", label,
		    url);
		goto done;
	}
	if ((uc = curl_url_get(u, CURLUPART_HOST, &host, 0)) != CURLUE_OK) {
		log_warnx("%s: bad URL \"%s\": %s", label, url,
		    curl_url_strerror(uc));
		goto done;
	}
	if ((ret = strdup(host)) == NULL)
		fatal("%s: strdup", __func__);
	for (p = ret; *p != '\0'; p++)
		*p = tolower((unsigned char)*p);
done:
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return (ret);
}

/* Resolves a Location against the URL it came from; NULL if it cannot. */
static char *
fetch_url_resolve(const char *base, const char *ref)
{
	CURLU	*u;
	char	*out = NULL, *ret = NULL;

	if ((u = curl_url()) == NULL)
		fatalx("%s: curl_url failed", __func__);
	if (curl_url_set(u, CURLUPART_URL, base, 0) == CURLUE_OK &&
	    curl_url_set(u, CURLUPART_URL, ref, CURLU_URLENCODE) ==
	    CURLUE_OK &&
	    curl_url_get(u, CURLUPART_URL, &out, 0) == CURLUE_OK) {
		if ((ret = strdup(out)) == NULL)
			fatal("%s: strdup", __func__);
	}
	curl_free(out);
	curl_url_cleanup(u);
	return (ret);
}

/* Queues a fetch; the easy handle is fully set up before it waits. */
struct fetch *
fetch_start(struct fetcher *fr, const struct fetch_request *req,
    fetch_data_cb data_cb, fetch_done_cb done_cb, void *arg)
{
	struct fetch		*f;
	struct fetch_host	*h;
	const char		*label;
	char			*host;
	size_t			 olen;

	label = req->label != NULL ? req->label : "fetch";
	if (fr->dying || req->url == NULL || done_cb == NULL) {
		log_warnx("%s: %s: no URL, callback or fetcher", __func__,
		    label);
		return (NULL);
	}
	olen = fetch_url_origin_len(req->url);
	if ((h = fetch_host_known(fr, req->url, olen)) == NULL) {
		if ((host = fetch_url_host(label, req->url)) == NULL)
			return (NULL);
		h = fetch_host_ref(fr, host, req->url, olen);
		free(host);
	}
	if ((f = calloc(1, sizeof(*f))) == NULL ||
	    (f->url = strdup(req->url)) == NULL ||
	    (f->label = strdup(label)) == NULL)
		fatal("%s: calloc", __func__);
	f->fr = fr;
	f->state = FETCH_QUEUED;
	f->data_cb = data_cb;
	f->done_cb = done_cb;
	f->arg = arg;
	f->max_size = req->max_size > 0 ? req->max_size :
	    FETCH_DEFAULT_MAX_SIZE;
	fetch_resp_reset(&f->resp);
	f->host = h;
	if (fetch_setup(f, req) == -1) {
		fetch_free(f);
		return (NULL);
	}
	TAILQ_INSERT_TAIL(&fr->queue, f, entry);
	fr->nqueued++;
	fetcher_kick(fr);
	return (f);
}

#define FETCH_SETOPT(f, opt, val) do {					\
	CURLcode fetch_rc_;						\
	if ((fetch_rc_ = curl_easy_setopt((f)->easy, (opt), (val))) !=	\
	    CURLE_OK) {							\
		log_warnx("%s: %s: %s", (f)->label, #opt,		\
		    curl_easy_strerror(fetch_rc_));			\
		return (-1);						\
	}								\
} while (0)

/* Every option of a transfer; -1 (logged) if libcurl refuses one. */
static int
fetch_setup(struct fetch *f, const struct fetch_request *req)
{
	size_t	 i;

	f->ctimeout = req->connect_timeout > 0 ? req->connect_timeout :
	    FETCH_DEFAULT_CONNECT_TIMEOUT;
	f->timeout = req->timeout > 0 ? req->timeout :
	    FETCH_DEFAULT_TIMEOUT;
	f->redirs = req->max_redirects >= 0 ? req->max_redirects :
	    FETCH_DEFAULT_MAX_REDIRECTS;
	f->lslimit = req->low_speed_limit > 0 ? req->low_speed_limit :
	    FETCH_DEFAULT_LOW_SPEED_LIMIT;
	f->lstime = req->low_speed_time > 0 ? req->low_speed_time :
	    FETCH_DEFAULT_LOW_SPEED_TIME;
	if (fetch_add_header(f, "If-None-Match", req->etag) == -1 ||
	    fetch_add_header(f, "If-Modified-Since", req->last_modified) == -1)
		return (-1);
	for (i = 0; req->headers != NULL && req->headers[i] != NULL; i++)
		if (fetch_add_line(f, req->headers[i]) == -1)
			return (-1);
	if (req->method != NULL && strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "POST") != 0 &&
	    strcmp(req->method, "PUT") != 0 &&
	    strcmp(req->method, "DELETE") != 0) {
		log_warnx("%s: method %s not supported", f->label,
		    req->method);
		return (-1);
	}
	if (req->method != NULL && strcmp(req->method, "GET") != 0 &&
	    strcmp(req->method, "POST") != 0 &&
	    (f->method = strdup(req->method)) == NULL)
		fatal("%s", __func__);
	if (req->body != NULL || (req->method != NULL &&
	    strcmp(req->method, "POST") == 0)) {
		/* A copy: the caller's buffer may go at once. */
		f->post = 1;
		f->body_len = req->body != NULL ? req->body_len : 0;
		if ((f->body = malloc(f->body_len + 1)) == NULL)
			fatal("%s", __func__);
		if (f->body_len > 0)
			memcpy(f->body, req->body, f->body_len);
		f->body[f->body_len] = '\0';
		/* No "Expect: 100-continue" round trip on small bodies. */
		if (fetch_add_line(f, "Expect:") == -1)
			return (-1);
	}
	if ((f->user_agent = strdup(req->user_agent != NULL ?
	    req->user_agent : PACKAGE_NAME "/" PACKAGE_VERSION)) == NULL)
		fatal("%s", __func__);
	return (0);
}

/* An easy handle from the idle ones, or a new one. */
static CURL *
fetch_easy_get(struct fetcher *fr)
{
	if (fr->npool > 0)
		return (fr->pool[--fr->npool]);
	return (curl_easy_init());
}

/*
 * Keeps a finished GET's handle for the next fetch, up to the window's
 * size, without curl_easy_reset: the options every fetch shares stay
 * set, and fetch_setup_easy sets again every one that differs between
 * fetches (pointers to the last fetch included). A handle that sent a
 * body or another method is not kept: its options are not all undone.
 */
static void
fetch_easy_put(struct fetcher *fr, CURL *easy, int reusable)
{
	if (reusable && !fr->dying && fr->npool < fr->limits.max_transfers &&
	    fr->npool < FETCH_POOL_MAX) {
		/* The buffer goes with its fetch. */
		(void)curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, NULL);
		fr->pool[fr->npool++] = easy;
	} else
		curl_easy_cleanup(easy);
}

/*
 * Gives a fetch leaving the queue its easy handle and options: those
 * shared by every fetch on a new handle only, then those of this fetch.
 */
static int
fetch_setup_easy(struct fetch *f)
{
	int	 fresh = f->fr->npool == 0;

	if ((f->easy = fetch_easy_get(f->fr)) == NULL) {
		log_warnx("%s: curl_easy_init failed", f->label);
		return (-1);
	}
	if (fresh) {
		FETCH_SETOPT(f, CURLOPT_NOSIGNAL, 1L);
		FETCH_SETOPT(f, CURLOPT_PROTOCOLS_STR, "http,https");
		FETCH_SETOPT(f, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
		FETCH_SETOPT(f, CURLOPT_FOLLOWLOCATION, 1L);
		FETCH_SETOPT(f, CURLOPT_ACCEPT_ENCODING, "");
		FETCH_SETOPT(f, CURLOPT_WRITEFUNCTION, fetch_write_cb);
		FETCH_SETOPT(f, CURLOPT_HEADERFUNCTION, fetch_header_cb);
		FETCH_SETOPT(f, CURLOPT_OPENSOCKETFUNCTION,
		    fetch_opensocket_cb);
		/*
		 * No proxy from the environment: the private-address check
		 * must see the peer's own address, not a proxy's.
		 */
		FETCH_SETOPT(f, CURLOPT_PROXY, "");
	}
	FETCH_SETOPT(f, CURLOPT_URL, f->url);
	FETCH_SETOPT(f, CURLOPT_PRIVATE, f);
	FETCH_SETOPT(f, CURLOPT_ERRORBUFFER, f->errbuf);
	FETCH_SETOPT(f, CURLOPT_MAXREDIRS, f->redirs);
	FETCH_SETOPT(f, CURLOPT_CONNECTTIMEOUT, f->ctimeout);
	FETCH_SETOPT(f, CURLOPT_TIMEOUT, f->timeout);
	FETCH_SETOPT(f, CURLOPT_LOW_SPEED_LIMIT, f->lslimit);
	FETCH_SETOPT(f, CURLOPT_LOW_SPEED_TIME, f->lstime);
	if (f->post) {
		FETCH_SETOPT(f, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)f->body_len);
		FETCH_SETOPT(f, CURLOPT_POSTFIELDS, f->body);
	}
	FETCH_SETOPT(f, CURLOPT_CUSTOMREQUEST, f->method);
	FETCH_SETOPT(f, CURLOPT_USERAGENT, f->user_agent);
	FETCH_SETOPT(f, CURLOPT_HTTPHEADER, f->headers);
	FETCH_SETOPT(f, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)f->max_size);
	FETCH_SETOPT(f, CURLOPT_WRITEDATA, f);
	FETCH_SETOPT(f, CURLOPT_HEADERDATA, f);
	FETCH_SETOPT(f, CURLOPT_OPENSOCKETDATA, f);
	FETCH_SETOPT(f, CURLOPT_FRESH_CONNECT, 0L);
	if (log_get_level() >= LOG_LEVEL_DEBUG) {
		FETCH_SETOPT(f, CURLOPT_DEBUGFUNCTION, fetch_debug_cb);
		FETCH_SETOPT(f, CURLOPT_DEBUGDATA, f);
		FETCH_SETOPT(f, CURLOPT_VERBOSE, 1L);
	} else
		FETCH_SETOPT(f, CURLOPT_VERBOSE, 0L);
	return (0);
}

/* Adds "Name: value" verbatim; a stored value with CR or LF is dropped. */
static int
fetch_add_header(struct fetch *f, const char *name, const char *value)
{
	char	*line;
	size_t	 nlen, vlen;
	int	 rc;

	if (value == NULL || *value == '\0')
		return (0);
	if (strpbrk(value, "\r\n") != NULL) {
		log_warnx("%s: stored %s has a line break, not sent",
		    f->label, name);
		return (0);
	}
	nlen = strlen(name);
	vlen = strlen(value);
	if ((line = malloc(nlen + vlen + 3)) == NULL)
		fatal("%s", __func__);
	memcpy(line, name, nlen);
	memcpy(line + nlen, ": ", 2);
	memcpy(line + nlen + 2, value, vlen + 1);
	rc = fetch_add_line(f, line);
	free(line);
	return (rc);
}

/* Adds a whole header line; one with CR or LF could smuggle a request. */
static int
fetch_add_line(struct fetch *f, const char *line)
{
	struct curl_slist	*l;

	if (strpbrk(line, "\r\n") != NULL) {
		log_warnx("%s: a header line has a line break", f->label);
		return (-1);
	}
	if ((l = curl_slist_append(f->headers, line)) == NULL) {
		log_warnx("%s: curl_slist_append failed", f->label);
		return (-1);
	}
	f->headers = l;
	return (0);
}

/* Moves a queued fetch into the multi handle; -1 if it was reported. */
static int
fetch_launch(struct fetch *f, int64_t now)
{
	struct fetcher	*fr = f->fr;
	CURLMcode	 mc;
	CURLcode	 rc;

	TAILQ_REMOVE(&fr->queue, f, entry);
	fr->nqueued--;
	if (fetch_setup_easy(f) == -1) {
		fetch_complete(f, CURLE_FAILED_INIT,
		    "the request could not be set up");
		return (-1);
	}
	if (now < fr->fresh_until &&
	    (rc = curl_easy_setopt(f->easy, CURLOPT_FRESH_CONNECT, 1L)) !=
	    CURLE_OK) {
		fetch_complete(f, rc, curl_easy_strerror(rc));
		return (-1);
	}
	if ((mc = curl_multi_add_handle(fr->multi, f->easy)) != CURLM_OK) {
		log_warnx("%s: curl_multi_add_handle: %s", f->label,
		    curl_multi_strerror(mc));
		fetch_complete(f, CURLE_FAILED_INIT,
		    curl_multi_strerror(mc));
		return (-1);
	}
	f->state = FETCH_RUNNING;
	TAILQ_INSERT_TAIL(&fr->running, f, entry);
	fr->nrunning++;
	f->host->running++;
	f->host->started = 1;
	f->host->last_start = now;
	log_debug("%s: fetching %s", f->label, f->url);
	return (0);
}

/* Takes a running fetch out of the multi handle and the window. */
static void
fetch_detach(struct fetch *f)
{
	struct fetcher	*fr = f->fr;
	CURLMcode	 mc;

	TAILQ_REMOVE(&fr->running, f, entry);
	fr->nrunning--;
	if (f->cancelled)
		fr->ncancelled--;
	f->host->running--;
	if ((mc = curl_multi_remove_handle(fr->multi, f->easy)) != CURLM_OK)
		log_warnx("%s: curl_multi_remove_handle: %s", f->label,
		    curl_multi_strerror(mc));
	f->state = FETCH_QUEUED;
}

/*
 * The one teardown of a detached fetch: fills the result, logs once,
 * calls done_cb (unless cancelled) and frees the fetch.
 */
static void
fetch_complete(struct fetch *f, CURLcode rc, const char *error)
{
	struct fetcher		*fr = f->fr;
	struct fetch_result	 res;
	struct fetch_resp	*r = &f->resp;
	char			*eff = NULL;
	long			 status = 0;
	double			 total = 0;

	if (f->cancelled || fr->dying) {
		fetch_free(f);
		return;
	}
	memset(&res, 0, sizeof(res));
	/* A fetch that never left the queue has no handle. */
	if (f->easy == NULL ||
	    curl_easy_getinfo(f->easy, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	if (f->easy == NULL ||
	    curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &eff) !=
	    CURLE_OK)
		eff = NULL;
	if (f->easy == NULL ||
	    curl_easy_getinfo(f->easy, CURLINFO_TOTAL_TIME, &total) !=
	    CURLE_OK)
		total = 0;
	res.status = status;
	res.error = error != NULL ? error :
	    rc != CURLE_OK ? fetch_error(f, rc) : NULL;
	res.etag = r->etag;
	res.last_modified = r->last_modified;
	res.content_type = r->content_type;
	res.effective_url = eff != NULL ? eff : f->url;
	res.moved_to = f->moved_to;
	res.link_header = r->link.len > 0 ? r->link.data : NULL;
	res.retry_after = r->retry_after;
	if (r->no_cache)
		res.max_age = 0;
	else if (r->max_age >= 0)
		res.max_age = r->max_age;
	else
		res.max_age = r->expires;
	res.body_size = f->body_size;
	res.total_time = total;
	if (res.error != NULL)
		log_warnx_limited(f->label, "%s: fetching %s: %s", f->label,
		    f->url, res.error);
	else
		log_debug("%s: %s: status %ld, %zu bytes in %.3f s", f->label,
		    res.effective_url, status, f->body_size, total);
	/* Always inside an event callback: fetcher_free here is deferred. */
	f->state = FETCH_DONE;
	f->done_cb(&res, f->arg);
	fetch_free(f);
}

/* The error text of a failed transfer: ours first, then libcurl's. */
static const char *
fetch_error(struct fetch *f, CURLcode rc)
{
	size_t	 n;

	if (f->why[0] != '\0')
		return (f->why);
	if (rc == CURLE_COULDNT_CONNECT && f->refused[0] != '\0')
		return (f->refused);
	if (rc == CURLE_FILESIZE_EXCEEDED) {
		snprintf(f->why, sizeof(f->why),
		    "document larger than %zu bytes", f->max_size);
		return (f->why);
	}
	n = strlen(f->errbuf);
	while (n > 0 && isspace((unsigned char)f->errbuf[n - 1]))
		f->errbuf[--n] = '\0';
	if (n > 0)
		return (f->errbuf);
	return (curl_easy_strerror(rc));
}

/* Frees a fetch that is in neither the queue nor the multi handle. */
static void
fetch_free(struct fetch *f)
{
	if (f->easy != NULL)
		fetch_easy_put(f->fr, f->easy, !f->post && f->method == NULL);
	curl_slist_free_all(f->headers);
	free(f->user_agent);
	free(f->method);
	free(f->body);
	fetch_resp_reset(&f->resp);
	if (f->host != NULL)
		fetch_host_release(f->fr, f->host);
	free(f->moved_to);
	free(f->url);
	free(f->label);
	free(f);
}

/* Queued: dropped. Running: removed now, or after libcurl returns. */
void
fetch_cancel(struct fetch *f)
{
	struct fetcher	*fr;

	if (f == NULL)
		return;
	fr = f->fr;
	switch (f->state) {
	case FETCH_QUEUED:
		TAILQ_REMOVE(&fr->queue, f, entry);
		fr->nqueued--;
		fetch_free(f);
		break;
	case FETCH_RUNNING:
		if (fr->in_multi) {
			/* fetcher_sweep frees it once libcurl returns. */
			f->cancelled = 1;
			fr->ncancelled++;
			break;
		}
		fetch_detach(f);
		fetch_free(f);
		fetcher_kick(fr);
		break;
	case FETCH_DONE:
		/* Its done_cb is running; freed when it returns. */
		break;
	}
}

static void
fetch_resp_reset(struct fetch_resp *r)
{
	free(r->etag);
	free(r->last_modified);
	free(r->content_type);
	free(r->location);
	buf_free(&r->link);
	memset(r, 0, sizeof(*r));
	buf_init(&r->link);
	r->retry_after = -1;
	r->max_age = -1;
	r->expires = -1;
}

/*
 * Counts decoded bytes, so a gzip bomb stops at max_size like a plain
 * large body; the chunk that would cross the limit is not delivered.
 */
static size_t
fetch_write_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct fetch	*f = arg;
	size_t		 len = size * nmemb;
	int		 r;

	if (f->cancelled || f->fr->dying)
		return (0);
	if (len > f->max_size - f->body_size) {
		snprintf(f->why, sizeof(f->why),
		    "document larger than %zu bytes", f->max_size);
		return (0);
	}
	f->body_size += len;
	if (f->resp.status < 200 || f->resp.status > 299 || f->data_cb == NULL)
		return (len);
	r = f->data_cb(p, len, f->arg);
	if (f->cancelled || f->fr->dying)
		return (0);
	if (r == -1) {
		snprintf(f->why, sizeof(f->why), "aborted by consumer");
		return (0);
	}
	return (len);
}

/*
 * Sees the headers of every response in the redirect chain; a status
 * line starts a new response, so what is kept is the last one's.
 */
static size_t
fetch_header_cb(char *p, size_t size, size_t nmemb, void *arg)
{
	struct fetch	*f = arg;
	size_t		 len = size * nmemb, l, nlen;
	char		*colon, *sp;
	const char	*q;

	if (f->cancelled || f->fr->dying)
		return (0);
	if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) {
		fetch_resp_reset(&f->resp);
		f->resp.total = len;
		sp = memchr(p, ' ', len);
		if (sp != NULL && (size_t)(sp - p) + 4 <= len &&
		    isdigit((unsigned char)sp[1]) &&
		    isdigit((unsigned char)sp[2]) &&
		    isdigit((unsigned char)sp[3]))
			f->resp.status = (sp[1] - '0') * 100 +
			    (sp[2] - '0') * 10 + (sp[3] - '0');
		return (len);
	}
	f->resp.total += len;
	if (f->resp.total > FETCH_HEADERS_MAX) {
		snprintf(f->why, sizeof(f->why),
		    "response headers larger than %d bytes", FETCH_HEADERS_MAX);
		return (0);
	}
	if (f->resp.in_body)
		return (len);		/* trailers: not the response's */
	l = len;
	while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == '\n'))
		l--;
	if (l == 0) {
		f->resp.in_body = 1;
		fetch_header_end(f);
		return (len);
	}
	if (l > FETCH_HEADER_MAX) {
		log_debug("%s: header of %zu bytes ignored", f->label, l);
		return (len);
	}
	/* Obsolete line folding (RFC 9112 5.2) is ignored. */
	if (p[0] == ' ' || p[0] == '\t' ||
	    (colon = memchr(p, ':', l)) == NULL)
		return (len);
	nlen = colon - p;
	for (q = colon + 1; q < p + l && (*q == ' ' || *q == '\t'); q++)
		;
	l -= q - p;
	while (l > 0 && (q[l - 1] == ' ' || q[l - 1] == '\t'))
		l--;
	fetch_header_value(f, p, nlen, q, l);
	return (len);
}

/*
 * Keeps one header of interest (its value v of l bytes, not terminated);
 * the others (Date, Server...) cost no copy.
 */
static void
fetch_header_value(struct fetch *f, const char *name, size_t nlen,
    const char *v, size_t l)
{
	struct fetch_resp	*r = &f->resp;
	char			*tmp;
	int64_t			 t;

	l = strnlen(v, l);	/* a NUL ends a value, as it always did */
#define IS(s)	(nlen == sizeof(s) - 1 && strncasecmp(name, s, nlen) == 0)
	if (IS("etag"))
		fetch_set_str(&r->etag, v, l);
	else if (IS("last-modified"))
		fetch_set_str(&r->last_modified, v, l);
	else if (IS("content-type"))
		fetch_set_str(&r->content_type, v, l);
	else if (IS("location"))
		fetch_set_str(&r->location, v, l);
	else if (IS("link")) {
		if (l == 0)
			return;
		if (r->link.len > 0)
			buf_addstr(&r->link, ", ");
		buf_add(&r->link, v, l);
	} else if (IS("retry-after") || IS("cache-control") ||
	    IS("expires")) {
		if ((tmp = strndup(v, l)) == NULL)
			fatal("%s: strndup", __func__);
		if (IS("retry-after"))
			r->retry_after = fetch_parse_delay(tmp);
		else if (IS("cache-control"))
			fetch_parse_cache_control(r, tmp);
		else {
			/* An invalid date: already expired (RFC 9111 5.3). */
			t = fetch_parse_delay(tmp);
			r->expires = t >= 0 &&
			    strspn(tmp, "0123456789") != strlen(tmp) ? t : 0;
		}
		free(tmp);
	}
#undef IS
}

static void
fetch_set_str(char **dst, const char *v, size_t l)
{
	free(*dst);
	if ((*dst = strndup(v, l)) == NULL)
		fatal("%s: strndup", __func__);
}

/*
 * At the end of a response's headers: a redirect it announces is
 * permanent for the original URL only if every one before it was too.
 */
static void
fetch_header_end(struct fetch *f)
{
	long	 s = f->resp.status;
	char	*base = NULL, *target;

	if (s < 300 || s > 399 || s == 304 || f->resp.location == NULL)
		return;
	if ((s != 301 && s != 308) || f->chain_temporary) {
		f->chain_temporary = 1;
		return;
	}
	if (curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &base) !=
	    CURLE_OK || base == NULL)
		base = f->url;
	if ((target = fetch_url_resolve(base, f->resp.location)) == NULL) {
		log_debug("%s: unusable Location \"%s\"", f->label,
		    f->resp.location);
		return;
	}
	free(f->moved_to);
	f->moved_to = target;
}

/*
 * Retry-After, or Expires: delay-seconds or an HTTP date, as seconds from
 * now (never negative, bounded); -1 if unreadable.
 */
static int64_t
fetch_parse_delay(const char *v)
{
	long long	 n;
	time_t		 t, now;
	char		*end;

	if (*v != '\0' && strspn(v, "0123456789") == strlen(v)) {
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno == ERANGE || n > FETCH_RETRY_AFTER_MAX)
			n = FETCH_RETRY_AFTER_MAX;
		return (n);
	}
	if ((t = curl_getdate(v, NULL)) == -1)
		return (-1);
	now = time(NULL);
	if (t <= now)
		return (0);
	if (t - now > FETCH_RETRY_AFTER_MAX)
		return (FETCH_RETRY_AFTER_MAX);
	return (t - now);
}

/* max-age, or 0 for no-store/no-cache; other directives are ignored. */
static void
fetch_parse_cache_control(struct fetch_resp *r, const char *v)
{
	const char	*p = v, *e;
	size_t		 n;
	long long	 age;

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		e = p + strcspn(p, ",");
		n = e - p;
		while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if ((n == 8 && strncasecmp(p, "no-store", 8) == 0) ||
		    (n == 8 && strncasecmp(p, "no-cache", 8) == 0))
			r->no_cache = 1;
		else if (n > 8 && strncasecmp(p, "max-age=", 8) == 0) {
			p += 8;
			n -= 8;
			if (*p == '"') {
				p++;
				n--;
			}
			if (n > 0 && isdigit((unsigned char)*p)) {
				age = 0;
				for (; n > 0 && isdigit((unsigned char)*p);
				    p++, n--)
					if (age < FETCH_RETRY_AFTER_MAX)
						age = age * 10 + (*p - '0');
				r->max_age = age < FETCH_RETRY_AFTER_MAX ?
				    age : FETCH_RETRY_AFTER_MAX;
			}
		}
		p = e;
	}
}

/*
 * libcurl calls this for every connection it opens, redirects included,
 * with the resolved address: the place to refuse private addresses.
 */
static curl_socket_t
fetch_opensocket_cb(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
	struct fetch		*f = arg;
	struct sockaddr_storage	 ss;
	char			 addr[INET6_ADDRSTRLEN] = "?";
	char			*eff = NULL, *host;
	size_t			 len;
	curl_socket_t		 s;

	if (purpose != CURLSOCKTYPE_IPCXN)
		return (CURL_SOCKET_BAD);
	len = a->addrlen < sizeof(ss) ? a->addrlen : sizeof(ss);
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, &a->addr, len);
	if (!f->fr->limits.allow_private &&
	    fetch_address_private((struct sockaddr *)&ss, len)) {
		if (ss.ss_family == AF_INET)
			inet_ntop(AF_INET,
			    &((struct sockaddr_in *)&ss)->sin_addr,
			    addr, sizeof(addr));
		else if (ss.ss_family == AF_INET6)
			inet_ntop(AF_INET6,
			    &((struct sockaddr_in6 *)&ss)->sin6_addr,
			    addr, sizeof(addr));
		if (curl_easy_getinfo(f->easy, CURLINFO_EFFECTIVE_URL, &eff) !=
		    CURLE_OK || eff == NULL)
			eff = f->url;
		host = fetch_url_host(f->label, eff);
		snprintf(f->refused, sizeof(f->refused),
		    "address %s of host %s is private (allow_private = no)",
		    addr, host != NULL ? host : f->host->name);
		free(host);
		log_debug("%s: %s", f->label, f->refused);
		return (CURL_SOCKET_BAD);
	}
	if ((s = socket(a->family, a->socktype, a->protocol)) == -1) {
		log_warn("%s: socket", f->label);
		return (CURL_SOCKET_BAD);
	}
	return (s);
}

static int
fetch_ipv4_private(uint32_t a)
{
	return ((a >> 24) == 0 ||			/* 0/8 */
	    (a >> 24) == 10 ||				/* 10/8 */
	    (a >> 24) == 127 ||				/* loopback */
	    (a & 0xffc00000) == 0x64400000 ||		/* 100.64/10 CGNAT */
	    (a & 0xffff0000) == 0xa9fe0000 ||		/* 169.254/16 */
	    (a & 0xfff00000) == 0xac100000 ||		/* 172.16/12 */
	    (a & 0xffffff00) == 0xc0000000 ||		/* 192.0.0/24 */
	    (a & 0xffff0000) == 0xc0a80000 ||		/* 192.168/16 */
	    (a & 0xfffe0000) == 0xc6120000 ||		/* 198.18/15 */
	    (a >> 28) >= 0xe);				/* multicast, 240/4 */
}

int
fetch_address_private(const struct sockaddr *sa, size_t len)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;
	const uint8_t		*b;
	static const uint8_t	 zero[12];
	static const uint8_t	 mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
				    0xff, 0xff };
	static const uint8_t	 nat64[12] = { 0, 0x64, 0xff, 0x9b };

	if (sa->sa_family == AF_INET && len >= sizeof(sin)) {
		memcpy(&sin, sa, sizeof(sin));
		return (fetch_ipv4_private(ntohl(sin.sin_addr.s_addr)));
	}
	if (sa->sa_family != AF_INET6 || len < sizeof(sin6))
		return (1);
	memcpy(&sin6, sa, sizeof(sin6));
	b = sin6.sin6_addr.s6_addr;
	/* ::/96 holds ::, ::1 and the deprecated IPv4-compatible form. */
	if (memcmp(b, zero, 12) == 0)
		return (1);
	if (memcmp(b, mapped, 12) == 0 || memcmp(b, nat64, 12) == 0)
		return (fetch_ipv4_private((uint32_t)b[12] << 24 |
		    (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]));
	if (b[0] == 0x20 && b[1] == 0x02)		/* 6to4 */
		return (fetch_ipv4_private((uint32_t)b[2] << 24 |
		    (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5]));
	return ((b[0] & 0xfe) == 0xfc ||		/* fc00::/7 */
	    (b[0] == 0xfe && (b[1] & 0x80) == 0x80) ||	/* fe80::/9 */
	    b[0] == 0xff);				/* multicast */
}

/* At -vv, libcurl's own account of a transfer goes to the debug log. */
static int
fetch_debug_cb(CURL *easy, curl_infotype type, char *data, size_t size,
    void *arg)
{
	struct fetch	*f = arg;

	(void)easy;
	if (type != CURLINFO_TEXT)
		return (0);
	while (size > 0 && (data[size - 1] == '\n' || data[size - 1] == '\r'))
		size--;
	if (size > 512)
		size = 512;
	log_debug("%s: curl: %.*s", f->label, (int)size, data);
	return (0);
}
