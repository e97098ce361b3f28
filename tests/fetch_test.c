/* feedmesh tests: fetches against tests/httpd.py on 127.0.0.1. */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>
#include <jansson.h>

#include "buf.h"
#include "fetch.h"
#include "log.h"
#include "tap.h"

#define WATCHDOG_SECONDS	30

/* What one fetch delivered, copied out of the callbacks. */
struct got {
	int		 done;
	long		 status;
	char		*error;
	char		*etag;
	char		*last_modified;
	char		*content_type;
	char		*effective_url;
	char		*moved_to;
	char		*link;
	int64_t		 retry_after;
	int64_t		 max_age;
	size_t		 body_size;
	double		 total_time;
	double		 done_at;	/* monotonic seconds */
	struct buf	 body;
	int		 chunks;
	int		 abort_data;	/* data_cb returns -1 */
	int		 cancel_self;	/* data_cb cancels its own fetch */
	struct fetch	*self;
	struct fetcher	*free_in_done;	/* done_cb frees this fetcher */
	struct fetcher	*free_in_data;	/* data_cb frees this fetcher */
};

static struct event_base *base;
static struct event	*watchdog;
static int		 port;
static pid_t		 server_pid = -1;
static int		 ndone, want, timed_out;
static char		*feed;
static size_t		 feed_len;
static char		 url_base[64];

static double
now_s(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static char *
dup_or_null(const char *s)
{
	return (s != NULL ? strdup(s) : NULL);
}

static void
got_init(struct got *g)
{
	memset(g, 0, sizeof(*g));
	buf_init(&g->body);
}

static void
got_free(struct got *g)
{
	free(g->error);
	free(g->etag);
	free(g->last_modified);
	free(g->content_type);
	free(g->effective_url);
	free(g->moved_to);
	free(g->link);
	buf_free(&g->body);
	got_init(g);
}

static int
data_cb(const char *p, size_t len, void *arg)
{
	struct got	*g = arg;

	g->chunks++;
	buf_add(&g->body, p, len);
	if (g->free_in_data != NULL) {
		fetcher_free(g->free_in_data);
		return (0);
	}
	if (g->cancel_self) {
		fetch_cancel(g->self);
		return (0);
	}
	return (g->abort_data ? -1 : 0);
}

static void
done_cb(const struct fetch_result *res, void *arg)
{
	struct got	*g = arg;

	g->done++;
	g->done_at = now_s();
	g->status = res->status;
	g->error = dup_or_null(res->error);
	g->etag = dup_or_null(res->etag);
	g->last_modified = dup_or_null(res->last_modified);
	g->content_type = dup_or_null(res->content_type);
	g->effective_url = dup_or_null(res->effective_url);
	g->moved_to = dup_or_null(res->moved_to);
	g->link = dup_or_null(res->link_header);
	g->retry_after = res->retry_after;
	g->max_age = res->max_age;
	g->body_size = res->body_size;
	g->total_time = res->total_time;
	if (g->free_in_done != NULL)
		fetcher_free(g->free_in_done);
	if (++ndone >= want)
		event_base_loopbreak(base);
}

static void
watchdog_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	timed_out = 1;
	event_base_loopbreak(base);
}

/*
 * Runs the loop until n more fetches are done or ms pass (n = 0: just
 * for ms); 0 if the wanted fetches finished in time.
 */
static int
loop_run(int n, int ms)
{
	struct timeval	 tv;

	ndone = 0;
	want = n > 0 ? n : INT32_MAX;
	timed_out = 0;
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(watchdog, &tv);
	event_base_dispatch(base);
	evtimer_del(watchdog);
	return (ndone >= n && n > 0 ? 0 : -1);
}

static struct fetch *
start(struct fetcher *fr, const char *host, const char *path,
    struct fetch_request *req, struct got *g)
{
	char			 url[256];
	struct fetch_request	 r;
	struct fetch		*f;

	if (req != NULL)
		r = *req;
	else {
		memset(&r, 0, sizeof(r));
		r.max_redirects = 5;
	}
	snprintf(url, sizeof(url), "http://%s:%d%s",
	    host != NULL ? host : "127.0.0.1", port, path);
	r.url = url;
	if (r.label == NULL)
		r.label = "test";
	if (r.timeout == 0)
		r.timeout = 20;
	f = fetch_start(fr, &r, data_cb, done_cb, g);
	g->self = f;
	return (f);
}

/* One fetch, run to its end; 0 if done_cb came before the watchdog. */
static int
fetch_one(struct fetcher *fr, const char *path, struct fetch_request *req,
    struct got *g)
{
	if (start(fr, NULL, path, req, g) == NULL)
		return (-1);
	return (loop_run(1, WATCHDOG_SECONDS * 1000));
}

static struct fetcher *
fetcher_make(int max, int per_host, int gap, int allow_private)
{
	struct fetcher_limits	 lim;

	lim.max_transfers = max;
	lim.max_per_host = per_host;
	lim.host_gap_ms = gap;
	lim.allow_private = allow_private;
	return (fetcher_new(base, &lim));
}

/* GET a server-side control route (/stats, /reset) as JSON or text. */
static json_t *
server_get(const char *path)
{
	struct fetcher	*fr;
	struct got	 g;
	json_t		*j = NULL;

	fr = fetcher_make(4, 4, 0, 1);
	got_init(&g);
	if (fetch_one(fr, path, NULL, &g) == 0 && g.status == 200 &&
	    g.body.data != NULL)
		j = json_loads(g.body.data, 0, NULL);
	got_free(&g);
	fetcher_free(fr);
	return (j);
}

static void
server_reset(void)
{
	json_decref(server_get("/reset"));
}

static int64_t
server_stat(const char *key)
{
	json_t	*j;
	int64_t	 v = -1;

	if ((j = server_get("/stats")) != NULL) {
		v = json_integer_value(json_object_get(j, key));
		json_decref(j);
	}
	return (v);
}

/* The smallest gap in seconds between two request starts at the server. */
static double
server_min_gap(int *n)
{
	json_t	*j, *starts;
	double	 prev = 0, min = 1e9, t;
	size_t	 i;

	*n = 0;
	if ((j = server_get("/stats")) == NULL)
		return (-1);
	starts = json_object_get(j, "starts");
	for (i = 0; i < json_array_size(starts); i++) {
		t = json_real_value(json_array_get(starts, i));
		if (i > 0 && t - prev < min)
			min = t - prev;
		prev = t;
	}
	*n = (int)json_array_size(starts);
	json_decref(j);
	return (min);
}

static int
server_start(void)
{
	const char	*srcdir;
	char		 path[1024], line[32];
	struct pollfd	 pfd;
	int		 fds[2], n;
	size_t		 len = 0;
	ssize_t		 r;

	if ((srcdir = getenv("srcdir")) == NULL)
		srcdir = ".";
	snprintf(path, sizeof(path), "%s/tests/httpd.py", srcdir);
	if (pipe(fds) == -1)
		return (-1);
	if ((server_pid = fork()) == -1)
		return (-1);
	if (server_pid == 0) {
		dup2(fds[1], STDOUT_FILENO);
		close(fds[0]);
		close(fds[1]);
		execl("/usr/bin/python3", "python3", path, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	pfd.fd = fds[0];
	pfd.events = POLLIN;
	/* Readiness is the port line, waited for with a bounded poll. */
	while (len < sizeof(line) - 1 && memchr(line, '\n', len) == NULL) {
		if ((n = poll(&pfd, 1, 10000)) <= 0)
			break;
		if ((r = read(fds[0], line + len, sizeof(line) - 1 - len)) <= 0)
			break;
		len += r;
	}
	close(fds[0]);
	line[len] = '\0';
	port = atoi(line);
	snprintf(url_base, sizeof(url_base), "http://127.0.0.1:%d", port);
	return (port > 0 ? 0 : -1);
}

static void
server_stop(void)
{
	int	 status;

	if (server_pid > 0) {
		kill(server_pid, SIGTERM);
		waitpid(server_pid, &status, 0);
	}
}

static char *
read_file(const char *name, size_t *len)
{
	const char	*srcdir;
	char		 path[1024];
	struct buf	 b;
	char		 chunk[4096];
	size_t		 n;
	FILE		*fp;

	if ((srcdir = getenv("srcdir")) == NULL)
		srcdir = ".";
	snprintf(path, sizeof(path), "%s/tests/fetch/%s", srcdir, name);
	if ((fp = fopen(path, "rb")) == NULL)
		return (NULL);
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		buf_add(&b, chunk, n);
	fclose(fp);
	*len = b.len;
	return (buf_release(&b));
}

static int
addr_private(const char *s)
{
	struct sockaddr_in	 sin;
	struct sockaddr_in6	 sin6;

	memset(&sin, 0, sizeof(sin));
	memset(&sin6, 0, sizeof(sin6));
	if (inet_pton(AF_INET, s, &sin.sin_addr) == 1) {
		sin.sin_family = AF_INET;
		return (fetch_address_private((struct sockaddr *)&sin,
		    sizeof(sin)));
	}
	if (inet_pton(AF_INET6, s, &sin6.sin6_addr) == 1) {
		sin6.sin6_family = AF_INET6;
		return (fetch_address_private((struct sockaddr *)&sin6,
		    sizeof(sin6)));
	}
	return (-1);
}

static void
test_addresses(void)
{
	static const char *priv[] = { "127.0.0.1", "127.5.6.7", "10.1.2.3",
	    "172.16.0.1", "172.31.255.254", "192.168.1.1", "169.254.169.254",
	    "0.0.0.0", "100.64.0.1", "100.127.255.255", "224.0.0.1",
	    "255.255.255.255", "::", "::1", "fc00::1", "fd12:3456::1",
	    "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
	    "64:ff9b::a9fe:a9fe", "2002:c0a8:0101::1" };
	static const char *pub[] = { "8.8.8.8", "172.32.0.1", "172.15.255.255",
	    "100.128.0.1", "100.63.255.255", "192.169.0.1", "1.1.1.1",
	    "2001:4860:4860::8888", "::ffff:8.8.8.8", "2a01:e0a::1" };
	size_t	 i;
	int	 bad = 0;

	for (i = 0; i < sizeof(priv) / sizeof(priv[0]); i++)
		if (addr_private(priv[i]) != 1) {
			printf("# %s not private\n", priv[i]);
			bad++;
		}
	ok(bad == 0, "%zu private addresses refused", i);
	bad = 0;
	for (i = 0; i < sizeof(pub) / sizeof(pub[0]); i++)
		if (addr_private(pub[i]) != 0) {
			printf("# %s private\n", pub[i]);
			bad++;
		}
	ok(bad == 0, "%zu public addresses allowed", i);
}

static void
test_bad_urls(struct fetcher *fr)
{
	struct fetch_request	 r;
	struct got		 g;

	memset(&r, 0, sizeof(r));
	got_init(&g);
	r.url = "ftp://127.0.0.1/feed";
	ok(fetch_start(fr, &r, data_cb, done_cb, &g) == NULL,
	    "ftp URL refused up front");
	r.url = "file:///etc/passwd";
	ok(fetch_start(fr, &r, data_cb, done_cb, &g) == NULL,
	    "file URL refused up front");
	r.url = "not a url";
	ok(fetch_start(fr, &r, data_cb, done_cb, &g) == NULL,
	    "garbage refused up front");
	is_int(fetcher_queued(fr), 0, "nothing queued");
}

/*
 * A URL whose origin a queued fetch already has is not parsed again up
 * front: another scheme, or a byte libcurl refuses, still is (and fails).
 */
static void
test_origins(struct fetcher *fr)
{
	struct fetch_request	 r;
	struct got		 g1, g2, g3;
	char			 url[128];

	got_init(&g1);
	got_init(&g2);
	got_init(&g3);
	ok(start(fr, NULL, "/feed", NULL, &g1) != NULL, "origins: queued");
	memset(&r, 0, sizeof(r));
	snprintf(url, sizeof(url), "ftp://127.0.0.1:%d/feed", port);
	r.url = url;
	ok(fetch_start(fr, &r, data_cb, done_cb, &g3) == NULL,
	    "origins: same authority, ftp: refused");
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/a b", port);
	ok(fetch_start(fr, &r, data_cb, done_cb, &g3) == NULL,
	    "origins: same origin, a space in the path: refused");
	ok(start(fr, NULL, "/feed?again", NULL, &g2) != NULL &&
	    fetcher_queued(fr) == 2, "origins: same origin queued");
	ok(loop_run(2, WATCHDOG_SECONDS * 1000) == 0 && g1.status == 200 &&
	    g2.status == 200 && g2.body_size == feed_len,
	    "origins: both fetched");
	got_free(&g1);
	got_free(&g2);
	got_free(&g3);
}

static void
test_plain(struct fetcher *fr)
{
	struct fetch_request	 r;
	struct got		 g;
	char			 want_url[128];

	got_init(&g);
	ok(fetch_one(fr, "/feed", NULL, &g) == 0, "200: done");
	is_int(g.done, 1, "200: done_cb once");
	is_int(g.status, 200, "200: status");
	is_str(g.error, NULL, "200: no error");
	ok(g.body.len == feed_len && g.body.data != NULL &&
	    memcmp(g.body.data, feed, feed_len) == 0,
	    "200: body equals the file (%zu bytes)", g.body.len);
	ok(g.chunks >= 2, "200: body came in %d chunks", g.chunks);
	is_int(g.body_size, feed_len, "200: body_size");
	is_str(g.etag, "\"v1\"", "200: etag");
	is_str(g.last_modified, "Wed, 21 Oct 2015 07:28:00 GMT",
	    "200: last_modified");
	is_str(g.content_type, "application/atom+xml", "200: content type");
	snprintf(want_url, sizeof(want_url), "%s/feed", url_base);
	is_str(g.effective_url, want_url, "200: effective_url");
	is_str(g.moved_to, NULL, "200: no moved_to");
	ok(g.retry_after == -1 && g.max_age == -1, "200: no retry, no max-age");
	ok(g.total_time > 0, "200: total_time");
	got_free(&g);

	memset(&r, 0, sizeof(r));
	r.etag = "\"v1\"";
	ok(fetch_one(fr, "/feed", &r, &g) == 0 && g.status == 304 &&
	    g.error == NULL && g.chunks == 0 && g.body_size == 0,
	    "If-None-Match: 304, no body");
	is_str(g.etag, "\"v1\"", "304: etag kept");
	got_free(&g);

	memset(&r, 0, sizeof(r));
	r.last_modified = "Wed, 21 Oct 2015 07:28:00 GMT";
	ok(fetch_one(fr, "/feed", &r, &g) == 0 && g.status == 304,
	    "If-Modified-Since: 304");
	got_free(&g);

	memset(&r, 0, sizeof(r));
	r.etag = "\"v0\"";
	ok(fetch_one(fr, "/feed", &r, &g) == 0 && g.status == 200 &&
	    g.body_size == feed_len, "stale etag: 200");
	got_free(&g);

	ok(fetch_one(fr, "/gzip", NULL, &g) == 0 && g.status == 200 &&
	    g.body.len == feed_len && memcmp(g.body.data, feed, feed_len) == 0,
	    "gzip: decoded body equals the file");
	is_int(g.body_size, feed_len, "gzip: body_size counts decoded bytes");
	got_free(&g);

	ok(fetch_one(fr, "/nothere", NULL, &g) == 0 && g.status == 404 &&
	    g.error == NULL, "404: a completed exchange, no error");
	ok(g.chunks == 0 && g.body_size > 0,
	    "404: error page counted (%zu) but not delivered", g.body_size);
	got_free(&g);

	g.abort_data = 1;
	ok(fetch_one(fr, "/feed", NULL, &g) == 0, "consumer abort: done");
	is_str(g.error, "aborted by consumer", "consumer abort: error");
	is_int(g.chunks, 1, "consumer abort: one chunk");
	got_free(&g);

	ok(fetch_one(fr, "/hugeheaders", NULL, &g) == 0 && g.error != NULL &&
	    strstr(g.error, "headers larger") != NULL,
	    "100 KB of headers refused: %s", g.error ? g.error : "(none)");
	got_free(&g);
}

static void
test_sizes(struct fetcher *fr)
{
	struct fetch_request	 r;
	struct got		 g;
	int64_t			 sent;
	double			 t0;

	got_init(&g);
	server_reset();
	memset(&r, 0, sizeof(r));
	r.max_size = 100000;
	ok(fetch_one(fr, "/big?n=50000000", &r, &g) == 0, "big: done");
	is_str(g.error, "document larger than 100000 bytes", "big: error");
	ok(g.body.len <= 100000, "big: consumer got %zu <= 100000 bytes",
	    g.body.len);
	ok(g.body_size <= 100000, "big: body_size %zu", g.body_size);
	sent = server_stat("big_sent");
	ok(sent > 0 && sent < 10000000,
	    "big: server stopped after %lld of 50000000 bytes",
	    (long long)sent);
	got_free(&g);

	ok(fetch_one(fr, "/big?n=50000000&cl=1", &r, &g) == 0 &&
	    g.error != NULL &&
	    strcmp(g.error, "document larger than 100000 bytes") == 0 &&
	    g.chunks == 0, "big with Content-Length: refused before the body");
	got_free(&g);

	r.max_size = 1000000;
	t0 = now_s();
	ok(fetch_one(fr, "/bomb", &r, &g) == 0, "bomb: done");
	is_str(g.error, "document larger than 1000000 bytes", "bomb: error");
	ok(g.body.len <= 1000000, "bomb: consumer got %zu bytes", g.body.len);
	ok(now_s() - t0 < 15, "bomb: stopped quickly");
	got_free(&g);

	memset(&r, 0, sizeof(r));
	r.low_speed_limit = 100;
	r.low_speed_time = 2;
	t0 = now_s();
	ok(fetch_one(fr, "/slow", &r, &g) == 0 && g.error != NULL,
	    "slow peer dropped: %s", g.error ? g.error : "(none)");
	ok(now_s() - t0 < 8, "slow peer dropped within the low-speed time");
	got_free(&g);

	memset(&r, 0, sizeof(r));
	r.timeout = 2;
	t0 = now_s();
	ok(fetch_one(fr, "/hang", &r, &g) == 0 && g.error != NULL &&
	    strstr(g.error, "timed out") != NULL,
	    "hang: timeout: %s", g.error ? g.error : "(none)");
	ok(now_s() - t0 < 6, "hang: within the timeout");
	is_int(g.status, 0, "hang: no status");
	got_free(&g);
}

static void
test_redirects(struct fetcher *fr)
{
	static const struct {
		const char	*path;
		const char	*moved;
	} cases[] = {
		{ "/redirect301", "/feed" },
		{ "/redirect308", "/feed" },
		{ "/redirect302", NULL },
		{ "/chain", NULL },		/* 302 then 301 */
		{ "/perm2", "/feed" },		/* 301 then 301 */
		{ "/perm302", "/redirect302" },	/* 301 then 302 */
	};
	struct fetch_request	 r;
	struct got		 g;
	char			 moved[128], eff[128];
	size_t			 i;

	got_init(&g);
	snprintf(eff, sizeof(eff), "%s/feed", url_base);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ok(fetch_one(fr, cases[i].path, NULL, &g) == 0 &&
		    g.status == 200 && g.error == NULL &&
		    g.body_size == feed_len, "%s: followed", cases[i].path);
		is_str(g.effective_url, eff, "%s: effective_url",
		    cases[i].path);
		if (cases[i].moved != NULL) {
			snprintf(moved, sizeof(moved), "%s%s", url_base,
			    cases[i].moved);
			is_str(g.moved_to, moved, "%s: moved_to",
			    cases[i].path);
		} else
			is_str(g.moved_to, NULL, "%s: no moved_to",
			    cases[i].path);
		got_free(&g);
	}

	memset(&r, 0, sizeof(r));
	r.max_redirects = 3;
	ok(fetch_one(fr, "/loop", &r, &g) == 0 && g.error != NULL &&
	    strstr(g.error, "Maximum (3) redirects") != NULL,
	    "loop: stopped: %s", g.error ? g.error : "(none)");
	got_free(&g);

	r.max_redirects = 0;
	ok(fetch_one(fr, "/redirect302", &r, &g) == 0 && g.error != NULL &&
	    g.chunks == 0, "max_redirects 0: none followed");
	got_free(&g);

	ok(fetch_one(fr, "/ftp", NULL, &g) == 0 && g.error != NULL &&
	    g.chunks == 0, "redirect to ftp refused: %s",
	    g.error ? g.error : "(none)");
	got_free(&g);
}

static void
test_headers(struct fetcher *fr)
{
	struct got	 g;

	got_init(&g);
	ok(fetch_one(fr, "/retry", NULL, &g) == 0 && g.status == 429 &&
	    g.error == NULL, "429: completed");
	is_int(g.retry_after, 7, "Retry-After in seconds");
	got_free(&g);

	ok(fetch_one(fr, "/retrydate", NULL, &g) == 0 && g.status == 503,
	    "503: completed");
	ok(g.retry_after >= 110 && g.retry_after <= 121,
	    "Retry-After as a date: %lld s", (long long)g.retry_after);
	got_free(&g);

	ok(fetch_one(fr, "/maxage", NULL, &g) == 0, "max-age: done");
	is_int(g.max_age, 600, "Cache-Control max-age");
	got_free(&g);

	ok(fetch_one(fr, "/expires", NULL, &g) == 0, "expires: done");
	ok(g.max_age >= 290 && g.max_age <= 301, "Expires: %lld s",
	    (long long)g.max_age);
	got_free(&g);

	ok(fetch_one(fr, "/nocache", NULL, &g) == 0, "no-cache: done");
	is_int(g.max_age, 0, "no-cache wins over max-age");
	got_free(&g);

	ok(fetch_one(fr, "/link", NULL, &g) == 0, "link: done");
	is_str(g.link, "<http://hub.example/>; rel=\"hub\", "
	    "<http://127.0.0.1/self>; rel=\"self\"", "Link headers joined");
	got_free(&g);
}

/* POST, PUT and DELETE with a body and extra headers, seen by /echo. */
static void
test_methods(struct fetcher *fr)
{
	struct fetch_request	 req;
	struct got		 g;
	json_t			*j;
	const char *const	 hdrs[] = { "Content-Type: application/x-test",
				    "X-Hub-Signature: sha256=00", NULL };
	const char *const	 bad[] = { "X-Evil: a\r\nHost: b", NULL };
	const char		*m[] = { "POST", "PUT", "DELETE" };
	size_t			 i;

	for (i = 0; i < 3; i++) {
		memset(&req, 0, sizeof(req));
		req.max_redirects = 0;
		req.method = m[i];
		req.body = "a=1&b=\0x";
		req.body_len = 8;
		req.headers = hdrs;
		got_init(&g);
		ok(fetch_one(fr, "/echo", &req, &g) == 0 && g.status == 200,
		    "%s: done", m[i]);
		j = g.body.data != NULL ? json_loads(g.body.data, JSON_ALLOW_NUL, NULL) :
		    NULL;
		is_str(json_string_value(json_object_get(j, "method")), m[i],
		    "%s: method sent", m[i]);
		ok(g.body.data != NULL && json_string_length(json_object_get(j,
		    "body")) == 8, "%s: body sent whole, NUL included", m[i]);
		is_str(json_string_value(json_object_get(j, "content_type")),
		    "application/x-test", "%s: extra header sent", m[i]);
		ok(json_object_get(j, "expect") == NULL ||
		    json_is_null(json_object_get(j, "expect")),
		    "%s: no Expect: 100-continue", m[i]);
		json_decref(j);
		got_free(&g);
	}
	/* Handles are reused: nothing of the last request may remain. */
	memset(&req, 0, sizeof(req));
	req.etag = "\"v1\"";
	got_init(&g);
	ok(fetch_one(fr, "/feed", &req, &g) == 0 && g.status == 304,
	    "GET after a POST: a GET (304 with the ETag)");
	got_free(&g);
	ok(fetch_one(fr, "/feed", NULL, &g) == 0 && g.status == 200 &&
	    g.body.len == feed_len && g.body.data != NULL &&
	    memcmp(g.body.data, feed, feed_len) == 0,
	    "then without one: 200 and the feed (no If-None-Match left)");
	got_free(&g);

	memset(&req, 0, sizeof(req));
	req.url = "http://127.0.0.1:1/";
	req.headers = bad;
	ok(fetch_start(fr, &req, data_cb, done_cb, &g) == NULL,
	    "a header line with CR LF is refused");
	req.headers = NULL;
	req.method = "TRACE";
	ok(fetch_start(fr, &req, data_cb, done_cb, &g) == NULL,
	    "an unknown method is refused");
}

static void
test_private(void)
{
	struct fetcher		*fr;
	struct fetcher_limits	 lim = { 4, 4, 0, 1 };
	struct got		 g;

	got_init(&g);
	fr = fetcher_make(4, 4, 0, 0);
	ok(fetch_one(fr, "/feed", NULL, &g) == 0, "private: done");
	is_str(g.error, "address 127.0.0.1 of host 127.0.0.1 is private "
	    "(allow_private = no)", "private: refused with the address");
	ok(g.status == 0 && g.chunks == 0, "private: nothing received");
	got_free(&g);

	start(fr, "localhost", "/feed", NULL, &g);
	ok(loop_run(1, WATCHDOG_SECONDS * 1000) == 0 && g.error != NULL &&
	    strstr(g.error, " of host localhost is private") != NULL,
	    "private by name: %s", g.error ? g.error : "(none)");
	got_free(&g);

	fetcher_set_limits(fr, &lim);
	ok(fetch_one(fr, "/feed", NULL, &g) == 0 && g.status == 200 &&
	    g.error == NULL, "allow_private after fetcher_set_limits: 200");
	got_free(&g);

	/* The connection cached just now must not slip past the new rule. */
	lim.allow_private = 0;
	fetcher_set_limits(fr, &lim);
	ok(fetch_one(fr, "/feed", NULL, &g) == 0 && g.status == 0 &&
	    g.error != NULL && strstr(g.error, "is private") != NULL,
	    "allow_private withdrawn: cached connection not reused");
	got_free(&g);
	fetcher_free(fr);
}

static void
test_window(void)
{
	struct fetcher	*fr;
	struct got	 g[6];
	double		 gap;
	int		 i, n, okk = 1;

	fr = fetcher_make(2, 10, 0, 1);
	server_reset();
	for (i = 0; i < 6; i++) {
		got_init(&g[i]);
		start(fr, NULL, "/sleep?ms=300", NULL, &g[i]);
	}
	is_int(fetcher_queued(fr), 6, "window: 6 queued");
	ok(loop_run(6, WATCHDOG_SECONDS * 1000) == 0, "window: all done");
	for (i = 0; i < 6; i++) {
		okk &= g[i].status == 200 && g[i].done == 1;
		got_free(&g[i]);
	}
	ok(okk, "window: all 200, one callback each");
	is_int(server_stat("max_concurrent"), 2,
	    "window: 2 at once at the server");
	ok(fetcher_active(fr) == 0 && fetcher_queued(fr) == 0,
	    "window: empty at the end");
	fetcher_free(fr);

	fr = fetcher_make(8, 1, 100, 1);
	server_reset();
	for (i = 0; i < 4; i++) {
		got_init(&g[i]);
		start(fr, NULL, "/sleep?ms=10", NULL, &g[i]);
	}
	ok(loop_run(4, WATCHDOG_SECONDS * 1000) == 0, "per host: all done");
	for (i = 0; i < 4; i++)
		got_free(&g[i]);
	is_int(server_stat("max_concurrent"), 1, "per host: one at a time");
	gap = server_min_gap(&n);
	is_int(n, 4, "per host: 4 starts");
	/* Slack for the first request's connect, which later ones reuse. */
	ok(gap >= 0.08, "per host: starts %.3f s apart at least", gap);
	fetcher_free(fr);

	/* A host in its gap must not hold up a fetch to another host. */
	fr = fetcher_make(8, 1, 1000, 1);
	for (i = 0; i < 3; i++)
		got_init(&g[i]);
	start(fr, NULL, "/sleep?ms=10", NULL, &g[0]);
	start(fr, NULL, "/sleep?ms=10", NULL, &g[1]);
	start(fr, "localhost", "/sleep?ms=10", NULL, &g[2]);
	ok(loop_run(3, WATCHDOG_SECONDS * 1000) == 0, "two hosts: all done");
	ok(g[2].done_at < g[1].done_at,
	    "two hosts: the other host went first");
	ok(g[1].done_at - g[0].done_at >= 0.9,
	    "two hosts: same host waited %.3f s", g[1].done_at - g[0].done_at);
	for (i = 0; i < 3; i++)
		got_free(&g[i]);
	fetcher_free(fr);
}

/*
 * Many hosts at once, twice, each kept while it has fetches and dropped
 * once its gap has passed without any (then made again): each fetch
 * ends once, the live host never has two at a time, and nothing is
 * left. The live host's fetches are short in the first round and
 * longer than the gap in the second, with other hosts ending meanwhile. Each fetch ends once, the live
 * host never has two at a time, and nothing is left. Only 127.0.0.1
 * answers; the other loopback addresses refuse at once.
 */
static void
test_many_hosts(void)
{
	struct fetcher	*fr;
	struct got	 g[120];
	char		 host[32];
	int		 i, round, once, live, refused;

	fr = fetcher_make(16, 1, 20, 1);
	for (round = 0; round < 2; round++) {
		server_reset();
		for (i = 0; i < 120; i++) {
			got_init(&g[i]);
			snprintf(host, sizeof(host), "127.0.0.%d",
			    i % 6 == 0 ? 1 : 2 + i % 40);
			start(fr, host, round == 0 ? "/sleep?ms=2" :
			    "/sleep?ms=60", NULL, &g[i]);
		}
		ok(loop_run(120, WATCHDOG_SECONDS * 1000) == 0,
		    "many hosts, round %d: all done", round + 1);
		for (i = 0, once = 1, live = refused = 0; i < 120; i++) {
			once &= g[i].done == 1;
			live += i % 6 == 0 && g[i].status == 200;
			refused += i % 6 != 0 && g[i].error != NULL;
			got_free(&g[i]);
		}
		ok(once, "many hosts, round %d: one callback each", round + 1);
		is_int(live, 20, "many hosts, round %d: the live host's 200s",
		    round + 1);
		is_int(refused, 100, "many hosts, round %d: the others refused",
		    round + 1);
		is_int(server_stat("max_concurrent"), 1,
		    "many hosts, round %d: one at a time at the live host",
		    round + 1);
		ok(fetcher_active(fr) == 0 && fetcher_queued(fr) == 0,
		    "many hosts, round %d: empty at the end", round + 1);
	}
	fetcher_free(fr);
}

static void
test_cancel(void)
{
	struct fetcher	*fr;
	struct fetch	*f1, *f2;
	struct got	 g[4];
	int		 i;

	for (i = 0; i < 4; i++)
		got_init(&g[i]);
	fr = fetcher_make(1, 1, 0, 1);
	f1 = start(fr, NULL, "/sleep?ms=300", NULL, &g[0]);
	f2 = start(fr, NULL, "/sleep?ms=300", NULL, &g[1]);
	loop_run(0, 100);
	ok(fetcher_active(fr) == 1 && fetcher_queued(fr) == 1,
	    "cancel: one running, one queued");
	fetch_cancel(f2);
	fetch_cancel(f1);
	ok(fetcher_active(fr) == 0 && fetcher_queued(fr) == 0,
	    "cancel: both gone");
	loop_run(0, 600);
	ok(g[0].done == 0 && g[1].done == 0, "cancel: no callback");

	g[2].cancel_self = 1;
	start(fr, NULL, "/feed", NULL, &g[2]);
	loop_run(0, 1000);
	ok(g[2].done == 0 && g[2].chunks == 1 && fetcher_active(fr) == 0,
	    "cancel from data_cb: no callback, transfer gone");

	ok(fetch_one(fr, "/feed", NULL, &g[3]) == 0 && g[3].status == 200,
	    "cancel: fetcher still works");
	for (i = 0; i < 4; i++)
		got_free(&g[i]);
	fetcher_free(fr);
}

static void
test_free_running(void)
{
	struct fetcher	*fr;
	struct got	 g[5];
	int		 i, calls = 0;

	fr = fetcher_make(3, 3, 0, 1);
	for (i = 0; i < 5; i++) {
		got_init(&g[i]);
		start(fr, NULL, "/hang", NULL, &g[i]);
	}
	loop_run(0, 200);
	ok(fetcher_active(fr) == 3 && fetcher_queued(fr) == 2,
	    "free: 3 running, 2 queued");
	fetcher_free(fr);
	loop_run(0, 200);
	for (i = 0; i < 5; i++) {
		calls += g[i].done;
		got_free(&g[i]);
	}
	is_int(calls, 0, "free: no callback after fetcher_free");

	/* fetcher_free from a done_cb: deferred until it returns. */
	fr = fetcher_make(4, 4, 0, 1);
	got_init(&g[0]);
	got_init(&g[1]);
	g[0].free_in_done = fr;
	start(fr, NULL, "/feed", NULL, &g[0]);
	start(fr, NULL, "/hang", NULL, &g[1]);
	loop_run(1, WATCHDOG_SECONDS * 1000);
	loop_run(0, 200);
	ok(g[0].done == 1 && g[1].done == 0,
	    "free from done_cb: the other fetch is dropped quietly");
	got_free(&g[0]);
	got_free(&g[1]);

	/* fetcher_free from a data_cb, inside libcurl's callback. */
	fr = fetcher_make(4, 4, 0, 1);
	got_init(&g[0]);
	got_init(&g[1]);
	g[0].free_in_data = fr;
	start(fr, NULL, "/feed", NULL, &g[0]);
	start(fr, NULL, "/sleep?ms=100", NULL, &g[1]);
	loop_run(0, 600);
	ok(g[0].chunks == 1 && g[0].done == 0 && g[1].done == 0,
	    "free from data_cb: no callback afterwards");
	got_free(&g[0]);
	got_free(&g[1]);
}

int
main(void)
{
	struct fetcher	*fr;

	signal(SIGPIPE, SIG_IGN);
	log_init(1, getenv("FETCH_TEST_VERBOSE") != NULL ? LOG_LEVEL_DEBUG :
	    LOG_LEVEL_WARN, "fetch_test");
	if ((base = event_base_new()) == NULL)
		return (1);
	watchdog = evtimer_new(base, watchdog_cb, NULL);
	test_addresses();
	if ((feed = read_file("feed.xml", &feed_len)) == NULL ||
	    server_start() == -1) {
		printf("Bail out! cannot start tests/httpd.py\n");
		server_stop();
		return (1);
	}
	fr = fetcher_make(8, 4, 0, 1);
	ok(fr != NULL, "fetcher_new");
	test_bad_urls(fr);
	test_origins(fr);
	test_plain(fr);
	test_sizes(fr);
	test_redirects(fr);
	test_headers(fr);
	test_methods(fr);
	fetcher_free(fr);
	test_private();
	test_window();
	test_many_hosts();
	test_cancel();
	test_free_running();
	server_stop();
	free(feed);
	event_free(watchdog);
	event_base_free(base);
	return (tap_done());
}
