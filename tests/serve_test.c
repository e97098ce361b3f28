/*
 * feedmesh tests: the public HTTP side over loopback, driven by
 * libevent's own HTTP client on the same loop as the server.
 */
#include <sys/types.h>
#include <sys/queue.h>

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <zlib.h>

#include "buf.h"
#include "conf.h"
#include "entry.h"
#include "log.h"
#include "serve.h"
#include "store.h"
#include "tap.h"

#define PUBLIC_URL	"https://node.example.org"
#define WATCHDOG_S	10

struct resp {
	int		 done;
	int		 code;
	struct buf	 body;
	char		*ctype;
	char		*etag;
	char		*lastmod;
	char		*cenc;
	char		*acao;
	char		*nosniff;
	char		*allow;
	char		*vary;
	char		*cc;
	char		*clen;
	char		*acam;
	struct buf	 links;		/* every Link header, one a line */
};

static struct event_base	*base;
static struct serve		*srv;
static struct store		*st;
static struct config		 conf;
static int			 port;
static int			 timed_out;
static int			 nentries;

static void	 resp_free(struct resp *);
static char	*hdr(struct evkeyvalq *, const char *);
static void	 resp_cb(struct evhttp_request *, void *);
static void	 watchdog_cb(evutil_socket_t, short, void *);
static int	 request(enum evhttp_cmd_type, const char *, const char *,
		    const char *, struct resp *);
static int	 request_on(struct evhttp_connection *, enum evhttp_cmd_type,
		    const char *, const char *, const char *, struct resp *);
static void	 add_entry(const char *, const char *, const char *, int64_t);
static void	 add_big_entry(int, size_t);
static int	 wait_connections(int);

static void
resp_free(struct resp *r)
{
	buf_free(&r->body);
	free(r->ctype);
	free(r->etag);
	free(r->lastmod);
	free(r->cenc);
	free(r->acao);
	free(r->nosniff);
	free(r->allow);
	free(r->vary);
	free(r->cc);
	free(r->clen);
	free(r->acam);
	buf_free(&r->links);
	memset(r, 0, sizeof(*r));
}

static char *
hdr(struct evkeyvalq *h, const char *name)
{
	const char	*v;

	return ((v = evhttp_find_header(h, name)) != NULL ? strdup(v) : NULL);
}

static void
resp_cb(struct evhttp_request *req, void *arg)
{
	struct resp		*r = arg;
	struct evkeyvalq	*h;
	struct evkeyval		*kv;
	struct evbuffer		*in;
	size_t			 len;

	r->done = 1;
	if (req == NULL || evhttp_request_get_response_code(req) == 0) {
		r->code = -1;
		return;
	}
	r->code = evhttp_request_get_response_code(req);
	h = evhttp_request_get_input_headers(req);
	r->ctype = hdr(h, "Content-Type");
	r->etag = hdr(h, "ETag");
	r->lastmod = hdr(h, "Last-Modified");
	r->cenc = hdr(h, "Content-Encoding");
	r->acao = hdr(h, "Access-Control-Allow-Origin");
	r->nosniff = hdr(h, "X-Content-Type-Options");
	r->allow = hdr(h, "Allow");
	r->vary = hdr(h, "Vary");
	r->cc = hdr(h, "Cache-Control");
	r->clen = hdr(h, "Content-Length");
	r->acam = hdr(h, "Access-Control-Allow-Methods");
	buf_init(&r->links);
	TAILQ_FOREACH(kv, h, next)
		if (strcasecmp(kv->key, "Link") == 0)
			buf_printf(&r->links, "%s\n", kv->value);
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	buf_add(&r->body, evbuffer_pullup(in, len), len);
}

static void
watchdog_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	(void)arg;
	timed_out = 1;
	event_base_loopbreak(base);
}

/* One request on an open connection, run until answered or timed out. */
static int
request_on(struct evhttp_connection *evcon, enum evhttp_cmd_type cmd,
    const char *uri, const char *hname, const char *hvalue, struct resp *r)
{
	struct evhttp_request	*req;
	struct event		*wd;
	struct timeval		 tv = { WATCHDOG_S, 0 };
	int			 i;

	memset(r, 0, sizeof(*r));
	buf_init(&r->body);
	if ((req = evhttp_request_new(resp_cb, r)) == NULL)
		return (-1);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host",
	    "127.0.0.1");
	if (hname != NULL)
		evhttp_add_header(evhttp_request_get_output_headers(req),
		    hname, hvalue);
	if (evhttp_make_request(evcon, req, cmd, uri) == -1)
		return (-1);
	wd = evtimer_new(base, watchdog_cb, NULL);
	evtimer_add(wd, &tv);
	timed_out = 0;
	for (i = 0; i < 10000 && !r->done && !timed_out; i++)
		event_base_loop(base, EVLOOP_ONCE);
	event_free(wd);
	return (r->done ? 0 : -1);
}

/* One request on a fresh connection, closed afterwards. */
static int
request(enum evhttp_cmd_type cmd, const char *uri, const char *hname,
    const char *hvalue, struct resp *r)
{
	struct evhttp_connection	*evcon;
	int				 rc;

	if ((evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1",
	    port)) == NULL)
		return (-1);
	rc = request_on(evcon, cmd, uri, hname, hvalue, r);
	evhttp_connection_free(evcon);
	return (rc);
}

/* Runs the loop until the server counts n connections (bounded). */
static int
wait_connections(int n)
{
	struct serve_stats	 ss;
	struct timeval		 tick = { 0, 10000 };
	int			 i;

	for (i = 0; i < 500; i++) {
		serve_stats(srv, &ss);
		if (ss.connections == n)
			return (1);
		event_base_loopexit(base, &tick);
		event_base_dispatch(base);
	}
	return (0);
}

static void
add_entry(const char *id, const char *kind, const char *territory,
    int64_t published)
{
	struct entry		*e;
	enum store_result	 res;
	char			 link[256], title[128];

	e = entry_new();
	entry_set(&e->id, id);
	snprintf(title, sizeof(title), "Entry %s", id);
	entry_set(&e->title, title);
	snprintf(link, sizeof(link), "https://peer.example.org/%s", id);
	entry_set(&e->link, link);
	entry_set(&e->summary_text, "summary");
	entry_set(&e->kind, kind);
	entry_set(&e->territory, territory);
	e->published = published;
	e->updated = published;
	if (store_entry_upsert(st, e, "peer-a", &res) == -1)
		printf("# upsert %s failed\n", id);
	entry_free(e);
	nentries++;
}

/* An entry with a summary of len pseudo-random words (poorly compressible). */
static void
add_big_entry(int n, size_t len)
{
	struct entry		*e;
	enum store_result	 res;
	char			 id[32], link[256];
	char			*text;
	uint32_t		 x = 2463534242u + n;
	size_t			 i;

	if ((text = malloc(len + 1)) == NULL)
		return;
	for (i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		text[i] = (x % 7 == 0) ? ' ' : 'a' + x % 26;
	}
	text[len] = '\0';
	e = entry_new();
	snprintf(id, sizeof(id), "big%d", n);
	entry_set(&e->id, id);
	entry_set(&e->title, id);
	snprintf(link, sizeof(link), "https://peer.example.org/%s", id);
	entry_set(&e->link, link);
	entry_set(&e->summary_text, text);
	entry_set(&e->kind, "news");
	e->published = e->updated = 1765000000 + n;
	if (store_entry_upsert(st, e, "peer-a", &res) == -1)
		printf("# upsert %s failed\n", id);
	entry_free(e);
	free(text);
	nentries++;
}

/* Inflates a gzip body; new buffer. */
static int
gunzip(const struct buf *in, struct buf *out)
{
	z_stream	 z;
	char		 chunk[4096];
	int		 rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 15 + 16) != Z_OK)
		return (-1);
	z.next_in = (Bytef *)in->data;
	z.avail_in = in->len;
	do {
		z.next_out = (Bytef *)chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END) {
			inflateEnd(&z);
			return (-1);
		}
		buf_add(out, chunk, sizeof(chunk) - z.avail_out);
	} while (rc != Z_STREAM_END);
	inflateEnd(&z);
	return (0);
}

/* The JSON Feed of a response, or NULL. */
static json_t *
feed_json(const struct resp *r)
{
	return (r->body.data != NULL ?
	    json_loadb(r->body.data, r->body.len, 0, NULL) : NULL);
}

static int	 route_calls;

/* A module's handler: echoes its path and method, or fails on "/x/500". */
static void
route_echo_cb(struct serve_reply *r, void *arg)
{
	char	 msg[256];

	route_calls++;
	if (strcmp(serve_reply_path(r), "/x/500") == 0)
		return;
	snprintf(msg, sizeof(msg), "%s %s %d %s", (const char *)arg,
	    serve_reply_path(r), evhttp_request_get_command(
	    serve_reply_request(r)), serve_reply_client_host(r));
	serve_reply_header(r, "X-Route", "yes");
	serve_reply_data(r, 201, "Created", "text/plain", msg, strlen(msg));
}

static void
test_routes(void)
{
	struct resp	 r;
	const char	*uri;
	char		*cold, *cold_etag;
	int		 i;

	ok(serve_route(srv, "/x", 1, route_echo_cb, "prefix") == 0 &&
	    serve_route(srv, "/x/exact", 0, route_echo_cb, "exact") == 0,
	    "routes added");
	ok(serve_route(srv, "relative", 0, route_echo_cb, NULL) == -1,
	    "a route must be a path");
	ok(request(EVHTTP_REQ_POST, "/x/a%20b", NULL, NULL, &r) == 0 &&
	    r.code == 201, "prefix route answers");
	is_str(r.body.data, "prefix /x/a b 2 127.0.0.1",
	    "handler sees the decoded path, method and client");
	is_str(r.nosniff, "nosniff", "common headers added to module replies");
	resp_free(&r);
	ok(request(EVHTTP_REQ_PUT, "/x/exact", NULL, NULL, &r) == 0 &&
	    r.code == 201 && r.body.data != NULL &&
	    strncmp(r.body.data, "exact /x/exact 8 ", 17) == 0,
	    "exact route wins over the prefix; PUT allowed");
	resp_free(&r);
	ok(request(EVHTTP_REQ_DELETE, "/x", NULL, NULL, &r) == 0 &&
	    r.code == 201, "the prefix path itself matches; DELETE allowed");
	resp_free(&r);
	route_calls = 0;
	ok(request(EVHTTP_REQ_GET, "/xy", NULL, NULL, &r) == 0 &&
	    r.code == 404 && route_calls == 0, "/xy is not under /x");
	resp_free(&r);
	ok(request(EVHTTP_REQ_GET, "/x/a%00b", NULL, NULL, &r) == 0 &&
	    r.code == 400 && route_calls == 0, "an encoded NUL is refused");
	resp_free(&r);
	ok(request(EVHTTP_REQ_GET, "/x/500", NULL, NULL, &r) == 0 &&
	    r.code == 500, "a handler that answers nothing gives a 500");
	resp_free(&r);

	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom?kind=job", NULL, NULL,
	    &r) == 0 && r.code == 200, "listing before a hub");
	is_str(r.links.data, "<" PUBLIC_URL "/feeds/all.atom?kind=job>; "
	    "rel=\"self\"\n", "Link rel=self, no hub yet");
	resp_free(&r);

	/*
	 * Rendered entries kept between listings: with the responses
	 * dropped (serve_set_hub() clears them), a listing made from kept
	 * entries has the bytes of one rendered from nothing.
	 */
	for (i = 0; i < 2; i++) {
		uri = i == 0 ? "/feeds/all.json?kind=job&limit=3" :
		    "/feeds/all.atom?kind=event&limit=3";
		ok(request(EVHTTP_REQ_GET, uri, NULL, NULL, &r) == 0 &&
		    r.code == 200 && r.body.len > 0, "%s: cold", uri);
		cold = r.body.data != NULL ? strdup(r.body.data) : NULL;
		cold_etag = r.etag != NULL ? strdup(r.etag) : NULL;
		resp_free(&r);
		serve_set_hub(srv, NULL);
		ok(request(EVHTTP_REQ_GET, uri, NULL, NULL, &r) == 0 &&
		    r.code == 200 && cold != NULL && r.body.data != NULL &&
		    strcmp(cold, r.body.data) == 0, "%s: warm, same bytes", uri);
		/* The tag comes from the pieces' digests, kept with them. */
		ok(cold_etag != NULL && r.etag != NULL &&
		    strcmp(cold_etag, r.etag) == 0, "%s: warm, same ETag", uri);
		resp_free(&r);
		free(cold);
		free(cold_etag);
	}
	serve_set_hub(srv, PUBLIC_URL "/hub");
	ok(request(EVHTTP_REQ_GET, "/feeds/all.json?kind=job", NULL, NULL,
	    &r) == 0 && r.code == 200, "listing with a hub");
	is_str(r.links.data, "<" PUBLIC_URL "/hub>; rel=\"hub\"\n<"
	    PUBLIC_URL "/feeds/all.json?kind=job>; rel=\"self\"\n",
	    "Link rel=hub and rel=self headers");
	ok(r.body.data != NULL && strstr(r.body.data, "\"hubs\"") != NULL &&
	    strstr(r.body.data, PUBLIC_URL "/hub") != NULL,
	    "JSON Feed names the hub");
	resp_free(&r);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom", NULL, NULL, &r) == 0 &&
	    r.body.data != NULL && strstr(r.body.data,
	    "rel=\"hub\" href=\"" PUBLIC_URL "/hub\"") != NULL,
	    "Atom has a hub link");
	resp_free(&r);
	serve_set_hub(srv, NULL);
}

static void
test_listings(void)
{
	struct resp	 r;
	json_t		*j, *items, *it;
	const char	*next;
	char		*uri;
	size_t		 i;
	int		 alljob = 1, n1;

	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom", NULL, NULL, &r) == 0 &&
	    r.code == 200, "GET all.atom: 200");
	is_str(r.ctype, "application/atom+xml; charset=utf-8", "Atom type");
	ok(r.body.data != NULL && strstr(r.body.data, "<feed") != NULL,
	    "an Atom feed");
	ok(r.etag != NULL && r.etag[0] == '"', "strong ETag");
	ok(r.lastmod != NULL && strstr(r.lastmod, " GMT") != NULL,
	    "Last-Modified");
	is_str(r.cc, "public, max-age=60", "Cache-Control");
	is_str(r.vary, "Accept-Encoding", "Vary");
	is_str(r.acao, "*", "CORS on GET");
	is_str(r.nosniff, "nosniff", "nosniff");
	ok(r.body.data != NULL && strstr(r.body.data,
	    PUBLIC_URL "/feeds/all.atom") != NULL, "self link from public_url");
	resp_free(&r);

	ok(request(EVHTTP_REQ_GET, "/feeds/all.json", NULL, NULL, &r) == 0 &&
	    r.code == 200, "GET all.json: 200");
	is_str(r.ctype, "application/feed+json; charset=utf-8", "JSON type");
	j = feed_json(&r);
	items = json_object_get(j, "items");
	is_int(json_array_size(items), 3, "a page of listing_limit items");
	next = json_string_value(json_object_get(j, "next_url"));
	ok(next != NULL && strncmp(next, PUBLIC_URL "/feeds/all.json?before=",
	    strlen(PUBLIC_URL "/feeds/all.json?before=")) == 0,
	    "next link on a full page: %s", next ? next : "none");
	uri = next != NULL ? strdup(next + strlen(PUBLIC_URL)) : NULL;
	json_decref(j);
	resp_free(&r);

	ok(uri != NULL && request(EVHTTP_REQ_GET, uri, NULL, NULL, &r) == 0 &&
	    r.code == 200, "next page: 200");
	j = feed_json(&r);
	items = json_object_get(j, "items");
	n1 = json_array_size(items);
	is_int(n1, nentries - 3, "next page holds the rest");
	ok(json_object_get(j, "next_url") == NULL, "no next link on the last");
	ok(n1 > 0 && strcmp(json_string_value(json_object_get(
	    json_array_get(items, 0), "title")), "Entry e2") == 0,
	    "next page starts after the cursor");
	json_decref(j);
	resp_free(&r);
	free(uri);

	ok(request(EVHTTP_REQ_GET, "/feeds/all.json?kind=job&limit=10", NULL,
	    NULL, &r) == 0 && r.code == 200, "kind=job: 200");
	j = feed_json(&r);
	items = json_object_get(j, "items");
	json_array_foreach(items, i, it)
		if (strcmp(json_string_value(json_object_get(json_object_get(it,
		    "_feedmesh"), "kind")), "job") != 0)
			alljob = 0;
	ok(json_array_size(items) == 2 && alljob, "only the two jobs");
	ok(strstr(json_string_value(json_object_get(j, "title")),
	    "kind job") != NULL, "title names the filter");
	json_decref(j);
	resp_free(&r);

	ok(request(EVHTTP_REQ_GET, "/feeds/all.json?territory=bretagne", NULL,
	    NULL, &r) == 0 && r.code == 200, "territory prefix: 200");
	j = feed_json(&r);
	is_int(json_array_size(json_object_get(j, "items")), 2,
	    "territory prefix matches sub-territories");
	json_decref(j);
	resp_free(&r);
}

static void
test_bad_requests(void)
{
	static const char	*bad[] = {
		"/feeds/all.atom?kind=cat",
		"/feeds/all.atom?colour=red",
		"/feeds/all.atom?kind=job&kind=news",
		"/feeds/all.json?category=%zz",
		"/feeds/all.json?limit=1000",
		"/feeds/all.json?category=%3Cscript%3E%0a",
	};
	struct resp	 r;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ok(request(EVHTTP_REQ_GET, bad[i], NULL, NULL, &r) == 0 &&
		    r.code == 400 && r.ctype != NULL &&
		    strncmp(r.ctype, "text/plain", 10) == 0 &&
		    r.body.data != NULL && strchr(r.body.data, '<') == NULL,
		    "400 text/plain for %s", bad[i]);
		resp_free(&r);
	}

	ok(request(EVHTTP_REQ_GET, "/nowhere", NULL, NULL, &r) == 0 &&
	    r.code == 404, "404");
	is_str(r.nosniff, "nosniff", "nosniff on 404");
	resp_free(&r);
	ok(request(EVHTTP_REQ_POST, "/feeds/all.atom", NULL, NULL, &r) == 0 &&
	    r.code == 405, "POST: 405");
	is_str(r.allow, "GET, HEAD, OPTIONS", "Allow on 405");
	resp_free(&r);
	/* Found by tests/integration/hostile.py: evhttp's 501 had no nosniff. */
	ok(request(EVHTTP_REQ_PUT, "/feeds/all.atom", NULL, NULL, &r) == 0 &&
	    r.code == 405, "PUT: 405 (%d)", r.code);
	is_str(r.nosniff, "nosniff", "nosniff on PUT's 405");
	resp_free(&r);
}

static void
test_conditional(void)
{
	struct resp	 r, c;
	char		*etag, *lastmod, weak[128];

	request(EVHTTP_REQ_GET, "/feeds/all.atom", NULL, NULL, &r);
	etag = r.etag != NULL ? strdup(r.etag) : strdup("\"none\"");
	lastmod = r.lastmod != NULL ? strdup(r.lastmod) : strdup("x");
	resp_free(&r);

	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom", "If-None-Match", etag,
	    &c) == 0 && c.code == 304, "If-None-Match: 304");
	ok(c.body.len == 0, "304 without a body");
	is_str(c.etag, etag, "304 repeats the ETag");
	is_str(c.cc, "public, max-age=60", "304 repeats Cache-Control");
	resp_free(&c);
	snprintf(weak, sizeof(weak), "\"other\", W/%s", etag);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom", "If-None-Match", weak,
	    &c) == 0 && c.code == 304, "weak comparison in a list: 304");
	resp_free(&c);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom", "If-None-Match", "*",
	    &c) == 0 && c.code == 304, "If-None-Match *: 304");
	resp_free(&c);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom", "If-None-Match",
	    "\"stale\"", &c) == 0 && c.code == 200, "other ETag: 200");
	resp_free(&c);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom", "If-Modified-Since",
	    lastmod, &c) == 0 && c.code == 304, "If-Modified-Since: 304");
	resp_free(&c);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.atom", "If-Modified-Since",
	    "Sun, 06 Nov 1994 08:49:37 GMT", &c) == 0 && c.code == 200,
	    "older If-Modified-Since: 200");
	resp_free(&c);
	free(etag);
	free(lastmod);
}

static void
test_encoding(void)
{
	struct resp	 id, gz, r;
	struct buf	 plain;

	request(EVHTTP_REQ_GET, "/feeds/all.json", NULL, NULL, &id);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.json", "Accept-Encoding",
	    "gzip, deflate", &gz) == 0 && gz.code == 200, "gzip request: 200");
	is_str(gz.cenc, "gzip", "Content-Encoding: gzip");
	ok(gz.etag != NULL && id.etag != NULL && strcmp(gz.etag, id.etag) != 0,
	    "each encoding its own ETag");
	buf_init(&plain);
	ok(gz.body.len > 0 && gz.body.len < id.body.len &&
	    gunzip(&gz.body, &plain) == 0 && plain.len == id.body.len &&
	    memcmp(plain.data, id.body.data, plain.len) == 0,
	    "gzip body inflates to the identity body");
	buf_free(&plain);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.json", "If-None-Match", gz.etag,
	    &r) == 0 && r.code == 304, "gzip ETag revalidates");
	resp_free(&r);

	ok(request(EVHTTP_REQ_GET, "/feeds/all.json", "Accept-Encoding",
	    "gzip;q=0, identity", &r) == 0 && r.code == 200 && r.cenc == NULL,
	    "gzip;q=0: identity");
	resp_free(&r);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.json", "Accept-Encoding",
	    "br;q=1.0, *;q=0.5", &r) == 0 && r.cenc != NULL, "*: gzip");
	resp_free(&r);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.json", "Accept-Encoding",
	    "*, gzip;q=0.000", &r) == 0 && r.cenc == NULL,
	    "explicit gzip;q=0 beats *");
	resp_free(&r);

	ok(request(EVHTTP_REQ_HEAD, "/feeds/all.json", NULL, NULL, &r) == 0 &&
	    r.code == 200, "HEAD: 200");
	ok(r.body.len == 0, "HEAD without a body");
	ok(r.clen != NULL && (size_t)atol(r.clen) == id.body.len,
	    "HEAD Content-Length is the GET length (%s)", r.clen ? r.clen : "");
	is_str(r.ctype, "application/feed+json; charset=utf-8", "HEAD type");
	resp_free(&r);
	resp_free(&id);
	resp_free(&gz);

	ok(request(EVHTTP_REQ_OPTIONS, "/feeds/all.json", NULL, NULL,
	    &r) == 0 && r.code == 204, "OPTIONS: 204");
	is_str(r.acao, "*", "preflight CORS origin");
	is_str(r.acam, "GET, HEAD, OPTIONS", "preflight methods");
	resp_free(&r);
}

static void
test_health(void)
{
	struct resp	 r;
	json_t		*j;

	ok(request(EVHTTP_REQ_GET, "/health", NULL, NULL, &r) == 0 &&
	    r.code == 200, "/health: 200");
	j = feed_json(&r);
	is_str(json_string_value(json_object_get(j, "status")), "ok", "status");
	is_str(json_string_value(json_object_get(j, "node")), "test", "node");
	is_int(json_integer_value(json_object_get(j, "entries")), nentries,
	    "entries");
	ok(json_is_integer(json_object_get(j, "uptime")), "uptime");
	is_str(r.cc, "no-store", "health is not cached");
	json_decref(j);
	resp_free(&r);
}

static void
test_cache(void)
{
	struct serve_stats	 a, b;
	struct resp		 r;
	char			*etag, uri[96];
	int			 i, fails = 0;

	request(EVHTTP_REQ_GET, "/feeds/all.json?kind=job&territory=bretagne",
	    NULL, NULL, &r);
	resp_free(&r);
	serve_stats(srv, &a);
	request(EVHTTP_REQ_GET, "/feeds/all.json?territory=bretagne&kind=job",
	    NULL, NULL, &r);
	resp_free(&r);
	request(EVHTTP_REQ_GET, "/feeds/all.json?kind=job&territory=bretagne",
	    "Accept-Encoding", "gzip", &r);
	resp_free(&r);
	serve_stats(srv, &b);
	is_int(b.renders, a.renders, "same canonical query: no new rendering");
	is_int(b.cache_hits, a.cache_hits + 2, "served from the cache");
	ok(b.cache_entries > 0 && b.cache_bytes > 0, "cache accounted");

	/*
	 * A client walking back page by page (a new cursor each time, more
	 * pages than the cache holds) leaves the first pages cached.
	 */
	request(EVHTTP_REQ_GET, "/feeds/all.atom", NULL, NULL, &r);
	resp_free(&r);
	for (i = 0; i < 100; i++) {
		snprintf(uri, sizeof(uri), "/feeds/all.json?before=%d.1",
		    1764900000 - i);
		if (request(EVHTTP_REQ_GET, uri, NULL, NULL, &r) != 0 ||
		    r.code != 200)
			fails++;
		resp_free(&r);
	}
	is_int(fails, 0, "100 pages by cursor");
	serve_stats(srv, &a);
	request(EVHTTP_REQ_GET, "/feeds/all.atom", NULL, NULL, &r);
	resp_free(&r);
	request(EVHTTP_REQ_GET, "/feeds/all.json?kind=job&territory=bretagne",
	    NULL, NULL, &r);
	resp_free(&r);
	request(EVHTTP_REQ_GET, uri, NULL, NULL, &r);
	resp_free(&r);
	serve_stats(srv, &b);
	is_int(b.renders, a.renders, "first pages and the last cursor page "
	    "still cached after the walk");
	is_int(b.cache_hits, a.cache_hits + 3, "three hits");

	request(EVHTTP_REQ_GET, "/feeds/all.json", NULL, NULL, &r);
	etag = strdup(r.etag ? r.etag : "");
	resp_free(&r);
	serve_stats(srv, &a);
	store_begin(st);
	add_entry("e9", "news", "occitanie", 1764900000);
	store_commit(st);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.json", "If-None-Match", etag,
	    &r) == 0 && r.code == 200, "after a commit the old ETag fails");
	ok(r.etag != NULL && strcmp(r.etag, etag) != 0, "new ETag");
	ok(r.body.data != NULL && strstr(r.body.data, "Entry e9") != NULL,
	    "new entry shown");
	resp_free(&r);
	serve_stats(srv, &b);
	is_int(b.renders, a.renders + 1, "rendered again after the commit");
	free(etag);
}

/*
 * Listings above the sendfile threshold (identity and gzip) leave from
 * a memory file: whole, identical on every request and connection, and
 * still there for a reply in flight when the cache drops them.
 */
static void
test_large_bodies(void)
{
	struct evhttp_connection	*keep;
	struct resp			 a, b, gz, h;
	struct buf			 plain;
	const char			*uri = "/feeds/all.atom?limit=50";
	int				 i;

	store_begin(st);
	for (i = 0; i < 40; i++)
		add_big_entry(i, 4000);
	store_commit(st);
	ok(request(EVHTTP_REQ_GET, uri, NULL, NULL, &a) == 0 &&
	    a.code == 200 && a.body.len > 128 * 1024, "large listing: 200, "
	    "%zu bytes", a.body.len);
	ok(a.clen != NULL && (size_t)atol(a.clen) == a.body.len,
	    "Content-Length is the body's length");
	ok(a.body.len > 8 && memcmp(a.body.data + a.body.len - 8, "</feed>\n",
	    8) == 0, "the document is whole");
	keep = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	for (i = 0; i < 3; i++) {
		ok(request_on(keep, EVHTTP_REQ_GET, uri, NULL, NULL, &b) == 0 &&
		    b.code == 200 && b.body.len == a.body.len &&
		    memcmp(b.body.data, a.body.data, a.body.len) == 0,
		    "kept-alive request %d: the same bytes from the cache", i);
		resp_free(&b);
	}
	ok(request_on(keep, EVHTTP_REQ_GET, uri, "Accept-Encoding", "gzip",
	    &gz) == 0 && gz.code == 200 && gz.cenc != NULL &&
	    gz.body.len > 64 * 1024, "large gzip body (%zu bytes)",
	    gz.body.len);
	buf_init(&plain);
	ok(gunzip(&gz.body, &plain) == 0 && plain.len == a.body.len &&
	    memcmp(plain.data, a.body.data, a.body.len) == 0,
	    "it inflates to the identity body");
	buf_free(&plain);
	ok(request_on(keep, EVHTTP_REQ_HEAD, uri, NULL, NULL, &h) == 0 &&
	    h.code == 200 && h.body.len == 0 && h.clen != NULL &&
	    (size_t)atol(h.clen) == a.body.len, "HEAD: the length, no body");
	resp_free(&h);
	ok(request_on(keep, EVHTTP_REQ_GET, uri, "If-None-Match", a.etag,
	    &h) == 0 && h.code == 304 && h.body.len == 0, "304 without a body");
	resp_free(&h);
	/* A commit empties the cache: the next reply is a new document. */
	store_begin(st);
	add_big_entry(40, 4000);
	store_commit(st);
	ok(request_on(keep, EVHTTP_REQ_GET, uri, NULL, NULL, &b) == 0 &&
	    b.code == 200 && b.etag != NULL && strcmp(b.etag, a.etag) != 0 &&
	    strstr(b.body.data, "big40") != NULL, "rendered again after a "
	    "commit");
	resp_free(&b);
	evhttp_connection_free(keep);
	resp_free(&a);
	resp_free(&gz);
}

static void
test_config_and_limits(void)
{
	struct evhttp_connection	*keep;
	struct resp			 r;
	struct serve_stats		 ss;

	conf.title = "Renamed";
	conf.max_connections = 1;
	serve_set_config(srv, &conf);
	ok(request(EVHTTP_REQ_GET, "/feeds/all.json", NULL, NULL, &r) == 0 &&
	    r.body.data != NULL && strstr(r.body.data, "\"Renamed\"") != NULL,
	    "new title after serve_set_config");
	resp_free(&r);

	ok(wait_connections(0), "closed connections are uncounted");
	keep = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	ok(request_on(keep, EVHTTP_REQ_GET, "/health", NULL, NULL, &r) == 0 &&
	    r.code == 200, "first connection served");
	resp_free(&r);
	ok(request(EVHTTP_REQ_GET, "/health", NULL, NULL, &r) == 0 &&
	    r.code == 503, "connection over max_connections: 503");
	resp_free(&r);
	ok(request_on(keep, EVHTTP_REQ_GET, "/health", NULL, NULL, &r) == 0 &&
	    r.code == 200, "kept-alive connection still served");
	resp_free(&r);
	serve_stats(srv, &ss);
	ok(ss.refused >= 1, "refusal counted");
	evhttp_connection_free(keep);
	ok(wait_connections(0), "freed slot");
	ok(request(EVHTTP_REQ_GET, "/health", NULL, NULL, &r) == 0 &&
	    r.code == 200, "served again below the limit");
	resp_free(&r);

	ok(serve_listen(srv, "nonsense") == -1, "listen without port refused");
	ok(serve_listen(srv, "[::1:80") == -1, "unbalanced bracket refused");
	ok(serve_listen(srv, "127.0.0.1:99999") == -1, "port out of range");
}

int
main(void)
{
	char	 dir[] = "/tmp/serve_test.XXXXXX", path[128];

	signal(SIGPIPE, SIG_IGN);
	alarm(120);
	log_init(1, LOG_LEVEL_WARN, "serve_test");
	if (mkdtemp(dir) == NULL)
		return (1);
	snprintf(path, sizeof(path), "%s/store.db", dir);
	st = store_open(path);
	ok(st != NULL, "store opened");
	if (st == NULL)
		return (tap_done());
	store_begin(st);
	add_entry("e1", "news", "bretagne", 1764000000);
	add_entry("e2", "job", "bretagne/finistere", 1764100000);
	add_entry("e3", "job", "occitanie", 1764200000);
	add_entry("e4", "event", "normandie", 1764300000);
	add_entry("e5", "news", "occitanie/gard", 1764400000);
	ok(store_commit(st) == 0, "entries committed");

	memset(&conf, 0, sizeof(conf));
	TAILQ_INIT(&conf.peers);
	conf.node = "test";
	conf.title = "Test node";
	conf.public_url = PUBLIC_URL;
	conf.listing_limit = 3;
	conf.listing_max = 50;
	conf.cache_max_age = 60;
	conf.max_connections = 64;
	conf.max_body_size = 65536;

	base = event_base_new();
	srv = serve_new(base, st, &conf);
	ok(srv != NULL, "serve_new");
	ok(serve_listen(srv, "127.0.0.1:0") == 0, "listening");
	port = serve_port(srv);
	ok(port > 0, "bound port %d", port);

	test_listings();
	test_bad_requests();
	test_conditional();
	test_encoding();
	test_health();
	test_cache();
	test_large_bodies();
	test_config_and_limits();
	test_routes();

	serve_free(srv);
	event_base_free(base);
	store_close(st);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		printf("# cannot remove %s\n", dir);
	return (tap_done());
}
