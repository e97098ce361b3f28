/*
 * feedmesh: the public HTTP side on evhttp: merged Atom and JSON Feed
 * listings with conditional GET, gzip and CORS, and /health. Rendered
 * listings are cached in memory, identity and gzip bodies, until the
 * store's generation changes.
 */
#include <sys/types.h>
#include <sys/mman.h>
#include <sys/queue.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "assets.h"
#include "buf.h"
#include "conf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "query.h"
#include "metrics.h"
#include "netaddr.h"
#include "opml.h"
#include "render.h"
#include "render_html.h"
#include "serve.h"
#include "serve_pieces.h"
#include "stats.h"
#include "store.h"
#include "store_private.h"

#define SERVE_MAX_HEADERS	8192		/* bytes of request headers */
#define SERVE_TIMEOUT		30		/* s, read and write */
#define SERVE_MAX_WRITE		(256 * 1024)	/* bytes per write(2) */
#define SERVE_CACHE_ENTRIES	64
#define SERVE_CACHE_CURSORS	16	/* of them pages past the first */
#define SERVE_CACHE_BYTES	(32 * 1024 * 1024)
#define SERVE_PIECES_BYTES	(8 * 1024 * 1024)	/* rendered entries */
#define SERVE_SENDFILE_MIN	(64 * 1024)	/* bodies sent by sendfile(2) */
#define SERVE_HEAD_ROOM		4096	/* left for a listing's head */
#define SERVE_CONN_BUCKETS	256
#define SERVE_ETAG_LEN		48
#define SERVE_HOST_LEN		48		/* INET6_ADDRSTRLEN and NUL */
#define SERVE_ADDR_LEN		64
#define SERVE_LOG_URI_LEN	200
#define SERVE_PREFLIGHT_MAX_AGE	"86400"

#define SERVE_PATH_ATOM		"/feeds/all.atom"
#define SERVE_PATH_JSON		"/feeds/all.json"
#define SERVE_PATH_GEOJSON	"/feeds/all.geojson"
#define SERVE_PATH_ACTORS	"/actors.geojson"
#define SERVE_PATH_HEALTH	"/health"
#define SERVE_PATH_HOME		"/"
#define SERVE_PATH_EMBED	"/embed"
#define SERVE_PATH_MAP		"/map"
#define SERVE_PATH_METRICS	"/metrics"
#define SERVE_PATH_STATS	"/stats.json"
#define SERVE_PATH_OPML		"/peers.opml"
#define SERVE_PATH_ARCHIVE	"/feeds/archive/"	/* YYYY-MM.{atom,json} */
/*
 * RFC 5005 archives: at most this many entries per document (a bigger
 * month is paged with next links), and how long a past month is cached.
 */
#define SERVE_ARCHIVE_MAX	5000
#define SERVE_ARCHIVE_MAX_AGE	86400
#define SERVE_MONTH_LEN		32		/* "YYYY-MM", room for any int */
#define SERVE_COUNT_FORMATS	16		/* served counters kept */
#define SERVE_COUNT_FLUSH	60		/* s between writes */
#define SERVE_MAX_PROXIES	64
#define SERVE_FORWARDED_MAX	32		/* hops looked at */
#define SERVE_ALLOW		"GET, HEAD, OPTIONS"
#define SERVE_TEXT		"text/plain; charset=utf-8"

/* Request latency buckets, seconds. */
static const double serve_latency_bounds[] = {
	0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5
};

/*
 * Each listing format: its path, name (cache key, counters), type and
 * renderer; the HTML pages, last, are rendered by render_html().
 */
static const struct {
	const char	*path;
	const char	*name;
	const char	*type;
	void		(*render)(struct buf *, const struct render_feed *,
			    struct entry *const *, size_t);
} serve_formats[SERVE_NFORMATS] = {
	[SERVE_ATOM] = { SERVE_PATH_ATOM, "atom",
	    "application/atom+xml; charset=utf-8", render_atom },
	[SERVE_JSON] = { SERVE_PATH_JSON, "json",
	    "application/feed+json; charset=utf-8", render_json },
	[SERVE_GEOJSON] = { SERVE_PATH_GEOJSON, "geojson",
	    "application/geo+json", render_geojson },
	[SERVE_ACTORS] = { SERVE_PATH_ACTORS, "actors",
	    "application/geo+json", render_geojson },
	[SERVE_HTML] = { SERVE_PATH_HOME, "html", "text/html; charset=utf-8",
	    NULL },
	[SERVE_EMBED] = { SERVE_PATH_EMBED, "embed",
	    "text/html; charset=utf-8", NULL },
	[SERVE_MAP] = { SERVE_PATH_MAP, "map", "text/html; charset=utf-8",
	    NULL },
};
#define SERVE_IS_HTML(fmt)	((fmt) >= SERVE_HTML)

/*
 * The pages load scripts, styles and images from the node only (images
 * also from https: feeds' pictures); only /embed may be framed.
 */
#define SERVE_CSP		"default-src 'self'; script-src 'self'; " \
	"style-src 'self'; img-src 'self' https: data:; "

/*
 * A response body shared by the cache and the replies being written.
 * A large one lives in a memory file (memfd) mapped here, and replies
 * send it with sendfile(2) through a file segment: the kernel then
 * takes the pages by reference instead of copying the body into every
 * socket (a third of the daemon's time for a 200 KB listing).
 */
struct serve_blob {
	int				 refs;
	size_t				 len;
	char				*data;
	void				*mem;		/* malloc'd, holds data */
	size_t				 maplen;	/* 0: data is malloc'd */
	int				 fd;		/* memfd, until seg */
	struct evbuffer_file_segment	*seg;		/* owns fd, or NULL */
};

/* One rendered listing, identity and gzip. */
struct serve_cached {
	TAILQ_ENTRY(serve_cached)	 lru;	/* most recently used first */
	char				*key;	/* format + canonical query */
	char				*self;	/* its absolute URL */
	char				*self_link; /* Link value, at first use */
	struct serve_blob		*body;
	/*
	 * Made on the first 200 that asks for it (most uncached listings
	 * go to clients that never do, and a 304 needs only its ETag);
	 * NULL until then, or if deflate failed (gz_failed).
	 */
	struct serve_blob		*gz;
	int				 gz_failed;
	char				 etag[SERVE_ETAG_LEN];
	char				 etag_gz[SERVE_ETAG_LEN];
	int				 in_cache;
	int				 cursor; /* a page past the first */
	int				 sent;	/* 200s with the identity body */
};
TAILQ_HEAD(serve_cache, serve_cached);

/*
 * An accepted connection, seen at its first request. evhttp 2.1 has no
 * accept hook that also tells when the connection goes, so connections
 * are counted from their first request to their close callback.
 */
struct serve_conn {
	LIST_ENTRY(serve_conn)		 entry;
	struct serve			*serve;
	struct evhttp_connection	*evcon;
	char				 host[SERVE_HOST_LEN];	/* rate-limit key */
	char				 addr[SERVE_ADDR_LEN];	/* host:port */
};
LIST_HEAD(serve_conn_list, serve_conn);

/* A path answered by another module. */
struct serve_route {
	SLIST_ENTRY(serve_route)	 entry;
	char				*path;
	size_t				 len;
	int				 prefix;
	serve_handler_cb		 cb;
	void				*arg;
};
SLIST_HEAD(serve_routes, serve_route);

struct serve {
	struct event_base	*base;
	struct evhttp		*http;
	struct store		*store;
	char			*node;
	char			*title;
	char			*public_url;
	char			*hub_url;
	char			*hub_link;	/* its Link header value */
	struct serve_routes	 routes;
	struct serve_assets	*assets;
	char			*map_tiles;
	int			 listing_limit;
	int			 listing_max;
	int			 cache_max_age;
	char			 cache_control[48];	/* of listings */
	int			 max_connections;
	size_t			 max_body_size;
	time_t			 started;
	int			 port;

	/*
	 * Header values that change at most once a second, formatted once:
	 * Date, Last-Modified (the store's last change), and the second
	 * when serve_count() last looked at the day.
	 */
	time_t			 date_time;
	char			 date[DATE_HTTP_LEN];
	int64_t			 modified_time;
	char			 modified[DATE_HTTP_LEN];
	time_t			 count_time;

	struct serve_cache	 cache;
	struct serve_pieces	*pieces;
	size_t			 body_hint[SERVE_NFORMATS]; /* last size */
	size_t			 cache_n;
	size_t			 cache_cursors;
	size_t			 cache_bytes;
	uint64_t		 cache_generation;
	int64_t			 cache_month;	/* when the cache was filled */

	struct serve_conn_list	 conns[SERVE_CONN_BUCKETS];
	int			 nconns;
	struct serve_stats	 stats;

	struct netaddr		*metrics_allow;
	size_t			 nmetrics_allow;
	struct netaddr		*proxies;
	size_t			 nproxies;
	char			*opml;		/* /peers.opml, made at config */

	/* Listings and embeds served, not yet written to the store. */
	struct {
		char		 format[16];
		uint64_t	 n;
	}			 served[SERVE_COUNT_FORMATS];
	char			 served_day[16];
	struct event		*ev_flush;

	struct metric		*m_requests;	/* route, class */
	struct metric		*m_latency;
	struct metric		*m_served;	/* format */
};

/* The entries of one page, collected from the store. */
struct serve_collect {
	struct entry	**v;
	size_t		  n;
	size_t		  max;
	/*
	 * Atom and JSON Feed listings (fmt), made of rendered entries
	 * (serve_pieces.c): each entry's piece is copied into pieces as it
	 * is walked, and v[i] stays NULL unless the piece depends on the
	 * feed's date (an Atom entry without its own: rendered at the end).
	 */
	struct serve_ref {
		size_t		  off;
		size_t		  len;
		int64_t		  date;		/* updated, else published */
		int		  needs_author;
		int		  has_piece;
		unsigned char	  md[SERVE_PIECES_MD_LEN];
	}		 *refs;
	/*
	 * The pieces are laid out as in the document (JSON's commas
	 * between them), after room for its head: when no entry is
	 * rendered at the end (fresh), the head goes in front of them and
	 * the buffer becomes the body (body, md its tag's digest).
	 */
	struct buf	  pieces;
	size_t		  npieces;
	size_t		  fresh;
	struct serve_blob *body;
	unsigned char	  md[SERVE_PIECES_MD_LEN];
	int		  fmt;
	struct serve	 *serve;
	int64_t		  last_time;
	int64_t		  last_seq;
	int		  more;
	int64_t		  updated;	/* of the feed */
	/*
	 * RFC 5005 archives: the month of this archive document (ENTRY_NO_TIME
	 * for a listing) and its neighbours with entries (ENTRY_NO_TIME: none;
	 * a listing has prev_archive only).
	 */
	int64_t		  month;
	int64_t		  prev_archive;
	int64_t		  next_archive;
};

/* What a handler builds before its one evhttp_send_reply(). */
struct serve_reply {
	struct serve		*s;
	struct evhttp_request	*req;
	struct evkeyvalq	*out;
	struct evbuffer		*body;
	char			 host[SERVE_HOST_LEN];
	char			 addr[SERVE_ADDR_LEN];
	int			 code;
	const char		*reason;
	/*
	 * Logged with errors; a copy, as the message may be a handler's
	 * local buffer (a query's error) gone by serve_finish().
	 */
	char			 why[QUERY_ERR_LEN];
	char			*path;		/* decoded, for routes */
	const char		*route;		/* metrics label */
	struct timespec		 start;
	int			 head;
	size_t			 length;	/* of the body, sent or not */
};

static int	 serve_begin(struct serve *, struct evhttp_request *,
		    struct serve_reply *);
static void	 serve_finish(struct serve_reply *);
static void	 serve_date(struct serve_reply *);
static void	 serve_text(struct serve_reply *, int, const char *,
		    const char *);
static void	 serve_method_not_allowed(struct serve_reply *);
static void	 serve_preflight(struct serve_reply *);
static int	 serve_read_method(struct serve_reply *,
		    struct evhttp_request *);
static void	 serve_log_uri(const char *, char *, size_t);

static void	 serve_atom_cb(struct evhttp_request *, void *);
static void	 serve_json_cb(struct evhttp_request *, void *);
static void	 serve_home_cb(struct evhttp_request *, void *);
static void	 serve_embed_cb(struct evhttp_request *, void *);
static void	 serve_map_cb(struct evhttp_request *, void *);
static void	 serve_geojson_cb(struct evhttp_request *, void *);
static void	 serve_actors_cb(struct evhttp_request *, void *);
static void	 serve_health_cb(struct evhttp_request *, void *);
static void	 serve_notfound_cb(struct evhttp_request *, void *);
static struct serve_route *serve_route_find(struct serve *, const char *);
static void	 serve_listing_reply(struct serve *, struct serve_reply *,
		    enum serve_format, int64_t);
static void	 serve_archive(struct serve *, struct serve_reply *);
static int64_t	 serve_month_start(int64_t);
static int64_t	 serve_month_next(int64_t);
static void	 serve_month_format(int64_t, char *, size_t);
static int64_t	 serve_archive_neighbour(struct serve *, const struct query *,
		    int64_t, int64_t, int);
static int	 serve_time_cb(const struct entry *, int64_t, int64_t,
		    void *);
static void	 serve_archive_url(struct serve *, enum serve_format,
		    int64_t, const struct query *, int64_t, int64_t,
		    struct buf *);
static void	 serve_listing(struct serve *, struct evhttp_request *,
		    enum serve_format);
static struct serve_cached *serve_render(struct serve *, enum serve_format,
		    const struct query *, const struct render_html_opts *,
		    const char *, int64_t, int *);
static void	 serve_render_doc(struct serve *, enum serve_format,
		    const struct query *, const struct render_html_opts *,
		    struct serve_collect *, struct buf *, struct buf *);
static void	 serve_render_pieces(struct serve *, enum serve_format,
		    const struct render_feed *, struct serve_collect *,
		    struct buf *);
static void	 serve_pieces_etag(struct serve_collect *, size_t,
		    unsigned char *);
static void	 serve_etag_record(struct buf *, char, size_t);
static void	 serve_collect_room(struct serve_collect *, size_t);
static void	 serve_collect_piece(struct serve_collect *,
		    const struct entry *, int64_t);
static int	 serve_collect_cb(const struct entry *, int64_t, int64_t,
		    void *);
static int	 serve_not_modified(struct serve_reply *,
		    const struct serve_cached *, int64_t);
static int	 serve_etag_match(const char *, const struct serve_cached *);
static int	 serve_accepts_gzip(const char *);
static int64_t	 serve_http_date(const char *);

static struct serve_blob *serve_blob_new(size_t);
static struct serve_blob *serve_blob_take(struct buf *, size_t);
static struct serve_blob *serve_blob_to_file(struct serve_blob *);
static void	 serve_blob_seal(struct serve_blob *);
static void	 serve_blob_unref(struct serve_blob *);
static void	 serve_blob_unref_cb(const void *, size_t, void *);
static struct serve_blob *serve_gzip(const char *, size_t);
static struct serve_blob *serve_cached_gz(struct serve *,
		    struct serve_cached *);
static void	 serve_etag(const struct serve_blob *, char *, char *, size_t);
static void	 serve_etag_format(const unsigned char *, char *, char *,
		    size_t);

static struct serve_cached *serve_cache_find(struct serve *, const char *);
static size_t	 serve_cached_size(const struct serve_cached *);
static void	 serve_cache_add(struct serve *, struct serve_cached *);
static void	 serve_cache_remove(struct serve *, struct serve_cached *);
static void	 serve_cache_clear(struct serve *);
static void	 serve_cached_free(struct serve_cached *);

static struct serve_conn *serve_conn_get(struct serve *,
		    struct evhttp_request *, struct serve_reply *);
static void	 serve_conn_close_cb(struct evhttp_connection *, void *);
static size_t	 serve_conn_bucket(const struct evhttp_connection *);
static void	 serve_copy_config(struct serve *, const struct config *);
static char	*serve_strdup(const char *);
static struct netaddr *serve_addrs(const struct conf_list *, size_t *);
static void	 serve_forwarded(struct serve *, struct serve_reply *);
static int	 serve_forwarded_hops(const char *, int,
		    char [][SERVE_HOST_LEN]);
static void	 serve_metrics_cb(struct evhttp_request *, void *);
static void	 serve_stats_cb(struct evhttp_request *, void *);
static void	 serve_opml_cb(struct evhttp_request *, void *);
static void	 serve_flush_cb(evutil_socket_t, short, void *);
static void	 serve_flush(struct serve *);

static char *
serve_strdup(const char *s)
{
	char	*d;

	if ((d = strdup(s != NULL ? s : "")) == NULL)
		fatal("%s", __func__);
	return (d);
}

/* Copies what serve needs, so the caller may free its configuration. */
static void
serve_copy_config(struct serve *s, const struct config *conf)
{
	free(s->node);
	free(s->title);
	free(s->public_url);
	s->node = serve_strdup(conf->node);
	s->title = serve_strdup(conf->title);
	s->public_url = serve_strdup(conf->public_url);
	free(s->map_tiles);
	s->map_tiles = conf->map_tiles != NULL ?
	    serve_strdup(conf->map_tiles) : NULL;
	s->listing_limit = conf->listing_limit;
	s->listing_max = conf->listing_max;
	s->cache_max_age = conf->cache_max_age;
	snprintf(s->cache_control, sizeof(s->cache_control),
	    "public, max-age=%d", s->cache_max_age);
	s->max_connections = conf->max_connections;
	s->max_body_size = conf->max_body_size;
	free(s->metrics_allow);
	free(s->proxies);
	s->metrics_allow = serve_addrs(&conf->metrics_allow,
	    &s->nmetrics_allow);
	if (s->nmetrics_allow == 0) {
		/* Loopback only, by default. */
		if ((s->metrics_allow = calloc(2, sizeof(struct netaddr))) ==
		    NULL)
			fatal("%s", __func__);
		netaddr_parse("127.0.0.0/8", &s->metrics_allow[0]);
		netaddr_parse("::1", &s->metrics_allow[1]);
		s->nmetrics_allow = 2;
	}
	s->proxies = serve_addrs(&conf->trusted_proxies, &s->nproxies);
	free(s->opml);
	s->opml = opml_export(conf);
}

/* The blocks of a configuration list (conf.c has checked them). */
static struct netaddr *
serve_addrs(const struct conf_list *l, size_t *n)
{
	struct netaddr	*v;
	size_t		 i;

	*n = 0;
	if (l->n == 0)
		return (NULL);
	if ((v = calloc(l->n, sizeof(*v))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < l->n; i++)
		if (netaddr_parse(l->items[i], &v[*n]) == 0)
			(*n)++;
	return (v);
}

struct serve *
serve_new(struct event_base *base, struct store *store,
    const struct config *conf)
{
	struct serve	*s;
	size_t		 i;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("%s", __func__);
	s->base = base;
	s->store = store;
	s->started = time(NULL);
	s->port = -1;
	TAILQ_INIT(&s->cache);
	s->pieces = serve_pieces_new(SERVE_PIECES_BYTES);
	SLIST_INIT(&s->routes);
	for (i = 0; i < SERVE_CONN_BUCKETS; i++)
		LIST_INIT(&s->conns[i]);
	serve_copy_config(s, conf);
	s->cache_generation = store_generation(store);
	s->cache_month = serve_month_start((int64_t)time(NULL));
	s->m_requests = metrics_add_counter("feedmesh_http_requests_total",
	    "HTTP requests answered, by route and status class",
	    "route,code");
	s->m_latency = metrics_add_histogram(
	    "feedmesh_http_request_duration_seconds",
	    "Time from a request's dispatch to its reply", serve_latency_bounds,
	    sizeof(serve_latency_bounds) / sizeof(serve_latency_bounds[0]));
	s->m_served = metrics_add_counter("feedmesh_served_total",
	    "Listings and embeds served (200 and 304), by format", "format");
	if ((s->ev_flush = event_new(base, -1, EV_PERSIST, serve_flush_cb,
	    s)) == NULL)
		fatalx("%s: event_new", __func__);
	{
		struct timeval	 tv = { SERVE_COUNT_FLUSH, 0 };

		evtimer_add(s->ev_flush, &tv);
	}

	if ((s->http = evhttp_new(base)) == NULL) {
		log_warnx("%s: evhttp_new failed", __func__);
		serve_free(s);
		return (NULL);
	}
	evhttp_set_max_headers_size(s->http, SERVE_MAX_HEADERS);
	evhttp_set_max_body_size(s->http, s->max_body_size);
	evhttp_set_timeout(s->http, SERVE_TIMEOUT);
	/*
	 * Every method evhttp knows reaches the handlers, which answer 405
	 * with the headers of all replies (nosniff): evhttp's own 501 has
	 * none, and libevent 2.1 cannot add them.
	 */
	evhttp_set_allowed_methods(s->http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD |
	    EVHTTP_REQ_OPTIONS | EVHTTP_REQ_POST | EVHTTP_REQ_PUT |
	    EVHTTP_REQ_DELETE | EVHTTP_REQ_PATCH | EVHTTP_REQ_TRACE);
	if (evhttp_set_cb(s->http, SERVE_PATH_ATOM, serve_atom_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_JSON, serve_json_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_HOME, serve_home_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_EMBED, serve_embed_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_MAP, serve_map_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_GEOJSON, serve_geojson_cb,
	    s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_ACTORS, serve_actors_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_METRICS, serve_metrics_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_STATS, serve_stats_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_OPML, serve_opml_cb, s) != 0 ||
	    evhttp_set_cb(s->http, SERVE_PATH_HEALTH, serve_health_cb, s) != 0) {
		log_warnx("%s: evhttp_set_cb failed", __func__);
		serve_free(s);
		return (NULL);
	}
	evhttp_set_gencb(s->http, serve_notfound_cb, s);
	s->assets = serve_assets_new(s, conf);
	return (s);
}

int
serve_listen(struct serve *s, const char *listen)
{
	struct evhttp_bound_socket	*bound;
	struct sockaddr_storage		 ss;
	socklen_t			 sslen = sizeof(ss);
	char				 host[256];
	const char			*colon, *h = listen;
	size_t				 hlen;
	long				 port;
	char				*end;

	if ((colon = strrchr(listen, ':')) == NULL)
		goto bad;
	hlen = colon - listen;
	if (listen[0] == '[') {
		if (hlen < 2 || listen[hlen - 1] != ']')
			goto bad;
		h = listen + 1;
		hlen -= 2;
	}
	if (hlen >= sizeof(host))
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (hlen == 0 || strcmp(host, "*") == 0)
		snprintf(host, sizeof(host), "0.0.0.0");
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 ||
	    port > 65535)
		goto bad;

	if ((bound = evhttp_bind_socket_with_handle(s->http, host,
	    (ev_uint16_t)port)) == NULL) {
		log_warn("cannot listen on %s", listen);
		return (-1);
	}
	if (getsockname(evhttp_bound_socket_get_fd(bound),
	    (struct sockaddr *)&ss, &sslen) == 0) {
		if (ss.ss_family == AF_INET)
			s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		else if (ss.ss_family == AF_INET6)
			s->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
	}
	log_info("listening on %s (port %d)", listen, s->port);
	return (0);
bad:
	log_warnx("%s: bad listen address \"%s\": expected address:port or "
	    "[address]:port", __func__, listen);
	return (-1);
}

void
serve_set_config(struct serve *s, const struct config *conf)
{
	serve_copy_config(s, conf);
	evhttp_set_max_body_size(s->http, s->max_body_size);
	serve_assets_set_config(s->assets, conf);
	serve_cache_clear(s);
}

void
serve_free(struct serve *s)
{
	struct serve_route	*rt;

	if (s == NULL)
		return;
	/* Frees the connections first: their close callbacks use s. */
	if (s->http != NULL)
		evhttp_free(s->http);
	serve_flush(s);
	if (s->ev_flush != NULL)
		event_free(s->ev_flush);
	free(s->metrics_allow);
	free(s->proxies);
	free(s->opml);
	serve_cache_clear(s);
	serve_pieces_free(s->pieces);
	while ((rt = SLIST_FIRST(&s->routes)) != NULL) {
		SLIST_REMOVE_HEAD(&s->routes, entry);
		free(rt->path);
		free(rt);
	}
	free(s->node);
	free(s->title);
	free(s->public_url);
	free(s->hub_url);
	free(s->hub_link);
	free(s->map_tiles);
	serve_assets_free(s->assets);
	free(s);
}

int
serve_route(struct serve *s, const char *path, int prefix,
    serve_handler_cb cb, void *arg)
{
	struct serve_route	*rt;

	if (path == NULL || path[0] != '/' || cb == NULL) {
		log_warnx("%s: bad route", __func__);
		return (-1);
	}
	if ((rt = calloc(1, sizeof(*rt))) == NULL)
		fatal("%s", __func__);
	rt->path = serve_strdup(path);
	rt->len = strlen(path);
	rt->prefix = prefix;
	rt->cb = cb;
	rt->arg = arg;
	SLIST_INSERT_HEAD(&s->routes, rt, entry);
	return (0);
}

/* The route of a decoded path: exact, else the longest prefix. */
static struct serve_route *
serve_route_find(struct serve *s, const char *path)
{
	struct serve_route	*rt, *best = NULL;

	SLIST_FOREACH(rt, &s->routes, entry) {
		if (strcmp(path, rt->path) == 0)
			return (rt);
		if (rt->prefix && strncmp(path, rt->path, rt->len) == 0 &&
		    path[rt->len] == '/' &&
		    (best == NULL || rt->len > best->len))
			best = rt;
	}
	return (best);
}

void
serve_set_hub(struct serve *s, const char *hub_url)
{
	struct buf	 b;

	free(s->hub_url);
	free(s->hub_link);
	s->hub_url = s->hub_link = NULL;
	if (hub_url != NULL) {
		s->hub_url = serve_strdup(hub_url);
		buf_init(&b);
		buf_printf(&b, "<%s>; rel=\"hub\"", hub_url);
		s->hub_link = serve_strdup(b.data);
		buf_free(&b);
	}
	serve_cache_clear(s);
}

const char *
serve_public_url(const struct serve *s)
{
	return (s->public_url);
}

struct evhttp_request *
serve_reply_request(struct serve_reply *r)
{
	return (r->req);
}

const char *
serve_reply_path(const struct serve_reply *r)
{
	return (r->path != NULL ? r->path : "/");
}

const char *
serve_reply_client(const struct serve_reply *r)
{
	return (r->addr);
}

const char *
serve_reply_client_host(const struct serve_reply *r)
{
	return (r->host);
}

void
serve_reply_text(struct serve_reply *r, int code, const char *reason,
    const char *msg)
{
	serve_text(r, code, reason, msg);
}

void
serve_reply_data(struct serve_reply *r, int code, const char *reason,
    const char *content_type, const void *data, size_t len)
{
	r->code = code;
	r->reason = reason;
	evbuffer_drain(r->body, evbuffer_get_length(r->body));
	if (len > 0 && evbuffer_add(r->body, data, len) == -1)
		fatal("%s: evbuffer_add", __func__);
	evhttp_remove_header(r->out, "Content-Type");
	if (content_type != NULL)
		evhttp_add_header(r->out, "Content-Type", content_type);
}

void
serve_reply_header(struct serve_reply *r, const char *name,
    const char *value)
{
	evhttp_add_header(r->out, name, value);
}

void
serve_reply_why(struct serve_reply *r, const char *why)
{
	snprintf(r->why, sizeof(r->why), "%s", why != NULL ? why : "");
}

int
serve_port(const struct serve *s)
{
	return (s->port);
}

void
serve_stats(const struct serve *s, struct serve_stats *st)
{
	*st = s->stats;
	st->connections = s->nconns;
	st->cache_entries = s->cache_n;
	st->cache_bytes = s->cache_bytes;
}

/* Connections */

static size_t
serve_conn_bucket(const struct evhttp_connection *evcon)
{
	uintptr_t	 p = (uintptr_t)evcon;

	return ((p >> 4 ^ p >> 12) % SERVE_CONN_BUCKETS);
}

/*
 * The connection a request came on, counted and tuned at its first
 * request: TCP_NODELAY (a reply goes out as soon as written) and a
 * larger single write so a listing leaves in one writev(2). NULL when
 * a new connection is over max_connections. Names the client in r.
 */
static struct serve_conn *
serve_conn_get(struct serve *s, struct evhttp_request *req,
    struct serve_reply *r)
{
	struct evhttp_connection	*evcon;
	struct bufferevent		*bev;
	struct serve_conn		*c;
	char				*host = NULL;
	ev_uint16_t			 port = 0;
	evutil_socket_t			 fd;
	size_t				 b;
	int				 one = 1;

	if ((evcon = evhttp_request_get_connection(req)) == NULL)
		return (NULL);
	b = serve_conn_bucket(evcon);
	LIST_FOREACH(c, &s->conns[b], entry)
		if (c->evcon == evcon)
			goto found;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s", __func__);
	c->serve = s;
	c->evcon = evcon;
	evhttp_connection_get_peer(evcon, &host, &port);
	snprintf(c->host, sizeof(c->host), "%s", host != NULL ? host : "?");
	if (strchr(c->host, ':') != NULL)
		snprintf(c->addr, sizeof(c->addr), "[%s]:%u", c->host, port);
	else
		snprintf(c->addr, sizeof(c->addr), "%s:%u", c->host, port);
	if (s->nconns >= s->max_connections) {
		memcpy(r->host, c->host, sizeof(r->host));
		memcpy(r->addr, c->addr, sizeof(r->addr));
		free(c);
		return (NULL);
	}
	if ((bev = evhttp_connection_get_bufferevent(evcon)) != NULL) {
		fd = bufferevent_getfd(bev);
		if (fd != -1 && setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one)) == -1)
			log_debug("%s: %s: TCP_NODELAY: %s", __func__, c->addr,
			    strerror(errno));
		if (bufferevent_set_max_single_write(bev, SERVE_MAX_WRITE) == -1)
			log_debug("%s: %s: cannot raise the single write",
			    __func__, c->addr);
	}
	LIST_INSERT_HEAD(&s->conns[b], c, entry);
	s->nconns++;
	evhttp_connection_set_closecb(evcon, serve_conn_close_cb, c);
found:
	memcpy(r->host, c->host, sizeof(r->host));
	memcpy(r->addr, c->addr, sizeof(r->addr));
	return (c);
}

/* evhttp closes a counted connection (also from evhttp_free). */
static void
serve_conn_close_cb(struct evhttp_connection *evcon, void *arg)
{
	struct serve_conn	*c = arg;

	(void)evcon;
	log_debug("%s: connection closed", c->addr);
	LIST_REMOVE(c, entry);
	c->serve->nconns--;
	free(c);
}

/* Requests and replies */

/*
 * Starts a reply; -1 (and r set up for a 503) when the connection is
 * over the limit. Every handler then ends in serve_finish().
 */
static int
serve_begin(struct serve *s, struct evhttp_request *req, struct serve_reply *r)
{
	memset(r, 0, sizeof(*r));
	r->s = s;
	r->req = req;
	r->out = evhttp_request_get_output_headers(req);
	r->head = evhttp_request_get_command(req) == EVHTTP_REQ_HEAD;
	if ((r->body = evbuffer_new()) == NULL)
		fatal("%s: evbuffer_new", __func__);
	s->stats.requests++;
	clock_gettime(CLOCK_MONOTONIC, &r->start);
	r->route = "none";
	snprintf(r->host, sizeof(r->host), "-");
	snprintf(r->addr, sizeof(r->addr), "-");
	if (serve_conn_get(s, req, r) != NULL)
		serve_forwarded(s, r);
	else if (evhttp_request_get_connection(req) != NULL) {
		s->stats.refused++;
		evhttp_add_header(r->out, "Connection", "close");
		evhttp_add_header(r->out, "Retry-After", "5");
		serve_text(r, 503, "Service Unavailable",
		    "too many connections, retry later");
		serve_reply_why(r, "refused: max_connections reached");
		return (-1);
	}
	return (0);
}

/* Sends the one reply of a request, logs it and frees what it built. */
static void
serve_finish(struct serve_reply *r)
{
	struct timespec	 now;
	char		 uri[SERVE_LOG_URI_LEN];
	char		 len[32], label[96];

	evhttp_add_header(r->out, "X-Content-Type-Options", "nosniff");
	serve_date(r);
	if (r->length == 0)
		r->length = evbuffer_get_length(r->body);
	if (r->head && r->code != 304 && r->code != 204) {
		/* evhttp counts no length for HEAD: say what GET would. */
		snprintf(len, sizeof(len), "%zu", r->length);
		evhttp_remove_header(r->out, "Content-Length");
		evhttp_add_header(r->out, "Content-Length", len);
		evbuffer_drain(r->body, evbuffer_get_length(r->body));
	}
	clock_gettime(CLOCK_MONOTONIC, &now);
	metrics_observe(r->s->m_latency, (double)(now.tv_sec -
	    r->start.tv_sec) + (now.tv_nsec - r->start.tv_nsec) / 1e9);
	snprintf(label, sizeof(label), "%s,%dxx", r->route,
	    r->code >= 100 && r->code < 600 ? r->code / 100 : 5);
	metrics_inc(r->s->m_requests, label, 1);
	serve_log_uri(evhttp_request_get_uri(r->req), uri, sizeof(uri));
	if (r->code >= 500 || r->code == 400 || r->code == 405)
		log_warnx_limited(r->host, "%s: %s: %d %s", r->addr, uri,
		    r->code, r->why[0] != '\0' ? r->why : r->reason);
	else
		log_debug("%s: %s%s: %d %zu", r->addr, r->head ? "HEAD " : "",
		    uri, r->code, r->length);
	evhttp_send_reply(r->req, r->code, r->reason, r->body);
	evbuffer_free(r->body);
	free(r->path);
}

/*
 * Date (RFC 9110 6.6.1), formatted once a second rather than by evhttp
 * for every reply (it adds one only when none is there).
 */
static void
serve_date(struct serve_reply *r)
{
	struct serve	*s = r->s;
	time_t		 now = time(NULL);

	if (now != s->date_time) {
		date_format_http((int64_t)now, s->date, sizeof(s->date));
		s->date_time = now;
	}
	evhttp_add_header(r->out, "Date", s->date);
}

/* A short plain-text answer (errors). */
static void
serve_text(struct serve_reply *r, int code, const char *reason,
    const char *msg)
{
	r->code = code;
	r->reason = reason;
	evbuffer_drain(r->body, evbuffer_get_length(r->body));
	evbuffer_add_printf(r->body, "%s\n", msg);
	serve_reply_why(r, msg);
	evhttp_remove_header(r->out, "Content-Type");
	evhttp_add_header(r->out, "Content-Type", SERVE_TEXT);
	evhttp_add_header(r->out, "Cache-Control", "no-store");
}

static void
serve_method_not_allowed(struct serve_reply *r)
{
	evhttp_add_header(r->out, "Allow", SERVE_ALLOW);
	serve_text(r, 405, "Method Not Allowed", "method not allowed");
}

/* CORS preflight (and a plain OPTIONS): what a browser may ask for. */
static void
serve_preflight(struct serve_reply *r)
{
	evhttp_add_header(r->out, "Allow", SERVE_ALLOW);
	evhttp_add_header(r->out, "Access-Control-Allow-Origin", "*");
	evhttp_add_header(r->out, "Access-Control-Allow-Methods", SERVE_ALLOW);
	evhttp_add_header(r->out, "Access-Control-Allow-Headers",
	    "If-None-Match, If-Modified-Since");
	evhttp_add_header(r->out, "Access-Control-Max-Age",
	    SERVE_PREFLIGHT_MAX_AGE);
	r->code = 204;
	r->reason = "No Content";
}

/* The request URI for a log line: bounded, non-printable bytes as '?'. */
static void
serve_log_uri(const char *uri, char *out, size_t outlen)
{
	size_t	 i;

	if (uri == NULL)
		uri = "-";
	for (i = 0; uri[i] != '\0' && i + 1 < outlen; i++)
		out[i] = (uri[i] > 0x20 && uri[i] < 0x7f) ? uri[i] : '?';
	out[i] = '\0';
}

static void
serve_atom_cb(struct evhttp_request *req, void *arg)
{
	serve_listing(arg, req, SERVE_ATOM);
}

static void
serve_json_cb(struct evhttp_request *req, void *arg)
{
	serve_listing(arg, req, SERVE_JSON);
}

static void
serve_home_cb(struct evhttp_request *req, void *arg)
{
	serve_listing(arg, req, SERVE_HTML);
}

static void
serve_embed_cb(struct evhttp_request *req, void *arg)
{
	serve_listing(arg, req, SERVE_EMBED);
}

static void
serve_map_cb(struct evhttp_request *req, void *arg)
{
	serve_listing(arg, req, SERVE_MAP);
}

static void
serve_geojson_cb(struct evhttp_request *req, void *arg)
{
	serve_listing(arg, req, SERVE_GEOJSON);
}

static void
serve_actors_cb(struct evhttp_request *req, void *arg)
{
	serve_listing(arg, req, SERVE_ACTORS);
}

/*
 * Every path without an evhttp callback of its own: a module's route,
 * else 404. The handler's reply defaults to a 500 it must overwrite.
 */
static void
serve_notfound_cb(struct evhttp_request *req, void *arg)
{
	struct serve		*s = arg;
	struct serve_reply	 r;
	struct serve_route	*rt;
	const struct evhttp_uri	*uri;
	const char		*p;
	size_t			 len = 0;

	if (serve_begin(s, req, &r) == -1)
		goto done;
	if ((uri = evhttp_request_get_evhttp_uri(req)) == NULL ||
	    (p = evhttp_uri_get_path(uri)) == NULL ||
	    (r.path = evhttp_uridecode(p, 0, &len)) == NULL ||
	    strlen(r.path) != len) {
		/* An encoded NUL would cut the path short: refused. */
		serve_text(&r, 400, "Bad Request", "malformed request path");
		goto done;
	}
	if (strncmp(r.path, SERVE_PATH_ARCHIVE,
	    strlen(SERVE_PATH_ARCHIVE)) == 0) {
		serve_archive(s, &r);
		goto done;
	}
	if ((rt = serve_route_find(s, r.path)) == NULL) {
		serve_text(&r, 404, "Not Found", "not found");
		goto done;
	}
	r.route = rt->path;
	serve_text(&r, 500, "Internal Server Error", "no answer");
	rt->cb(&r, rt->arg);
done:
	serve_finish(&r);
}


/* GET /health: liveness and a few numbers, never cached. */
/*
 * The methods every read-only resource takes: GET and HEAD go on (with
 * CORS allowed), OPTIONS is a preflight, anything else a 405. Returns -1
 * when the reply has been prepared here.
 */
static int
serve_read_method(struct serve_reply *r, struct evhttp_request *req)
{
	switch (evhttp_request_get_command(req)) {
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_HEAD:
		evhttp_add_header(r->out, "Access-Control-Allow-Origin", "*");
		return (0);
	case EVHTTP_REQ_OPTIONS:
		serve_preflight(r);
		return (-1);
	default:
		serve_method_not_allowed(r);
		return (-1);
	}
}

static void
serve_health_cb(struct evhttp_request *req, void *arg)
{
	struct serve		*s = arg;
	struct serve_reply	 r;
	json_t			*j = NULL;
	char			*text = NULL;
	int64_t			 n;

	if (serve_begin(s, req, &r) == -1)
		goto done;
	r.route = "health";
	if (serve_read_method(&r, req) == -1)
		goto done;
	if ((n = store_count_entries(s->store)) < 0) {
		serve_text(&r, 503, "Service Unavailable", "store unavailable");
		goto done;
	}
	j = json_pack("{s:s, s:s, s:I, s:I}", "status", "ok", "node", s->node,
	    "entries", (json_int_t)n,
	    "uptime", (json_int_t)(time(NULL) - s->started));
	if (j == NULL || (text = json_dumps(j, JSON_COMPACT)) == NULL) {
		serve_text(&r, 500, "Internal Server Error", "internal error");
		goto done;
	}
	evbuffer_add_printf(r.body, "%s\n", text);
	evhttp_add_header(r.out, "Content-Type", "application/json");
	evhttp_add_header(r.out, "Cache-Control", "no-store");
	r.code = 200;
	r.reason = "OK";
done:
	serve_finish(&r);
	free(text);
	json_decref(j);
}

/*
 * GET /feeds/all.{atom,json}: the listing for the canonical query, from
 * the cache or rendered once, answered 304 when the client has it.
 */
static void
serve_listing(struct serve *s, struct evhttp_request *req,
    enum serve_format fmt)
{
	struct serve_reply	 r;

	if (serve_begin(s, req, &r) == -1)
		goto done;
	r.route = serve_formats[fmt].name;
	serve_listing_reply(s, &r, fmt, ENTRY_NO_TIME);
done:
	serve_finish(&r);
}

/*
 * GET /feeds/archive/YYYY-MM.{atom,json}: the RFC 5005 archive document
 * of a UTC month of the listing (by sort time), same parameters.
 */
static void
serve_archive(struct serve *s, struct serve_reply *r)
{
	const char		*p = r->path + strlen(SERVE_PATH_ARCHIVE);
	enum serve_format	 fmt;
	struct tm		 tm;
	int			 year, mon, i;

	r->route = "archive";
	for (i = 0; i < 7; i++)
		if (i == 4 ? p[i] != '-' : (p[i] < '0' || p[i] > '9'))
			break;
	if (i < 7) {
		serve_text(r, 404, "Not Found", "not found");
		return;
	}
	if (strcmp(p + 7, ".atom") == 0)
		fmt = SERVE_ATOM;
	else if (strcmp(p + 7, ".json") == 0)
		fmt = SERVE_JSON;
	else {
		serve_text(r, 404, "Not Found", "not found");
		return;
	}
	year = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 +
	    (p[3] - '0');
	mon = (p[5] - '0') * 10 + (p[6] - '0');
	if (year < 1 || mon < 1 || mon > 12) {
		serve_text(r, 404, "Not Found", "not found");
		return;
	}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = year - 1900;
	tm.tm_mon = mon - 1;
	tm.tm_mday = 1;
	serve_listing_reply(s, r, fmt, (int64_t)timegm(&tm));
}

/* The first instant (UTC) of the month holding t. */
static int64_t
serve_month_start(int64_t t)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL)
		return (t);
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return ((int64_t)timegm(&tm));
}

/* The first instant of the month after the one starting at start. */
static int64_t
serve_month_next(int64_t start)
{
	struct tm	 tm;
	time_t		 tt = (time_t)start;

	if (gmtime_r(&tt, &tm) == NULL)
		return (start + 31 * 86400);
	tm.tm_mon++;
	tm.tm_mday = 1;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	return ((int64_t)timegm(&tm));
}

/* "YYYY-MM" of a time, UTC. */
static void
serve_month_format(int64_t t, char *out, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
		snprintf(out, len, "0000-00");
	else
		snprintf(out, len, "%04d-%02d", tm.tm_year + 1900,
		    tm.tm_mon + 1);
}

/* Keeps the sort time of the one entry asked for. */
static int
serve_time_cb(const struct entry *e, int64_t sort_time, int64_t seq,
    void *arg)
{
	(void)e;
	(void)seq;
	*(int64_t *)arg = sort_time;
	return (1);
}

/*
 * The month of the nearest entry of q's listing in [from, until): the
 * newest (a previous archive) or, oldest_first, the oldest (the next
 * one); ENTRY_NO_TIME if none. One look-up in the index range.
 */
static int64_t
serve_archive_neighbour(struct serve *s, const struct query *q, int64_t from,
    int64_t until, int oldest_first)
{
	struct store_query	 sq = q->sq;
	int64_t			 t = ENTRY_NO_TIME;

	sq.before_time = ENTRY_NO_TIME;
	sq.before_seq = INT64_MAX;
	sq.from_time = from;
	sq.until_time = until;
	sq.oldest_first = oldest_first;
	sq.relevance = 0;
	sq.limit = 1;
	if (store_query_entries(s->store, &sq, serve_time_cb, &t) == -1 ||
	    t == ENTRY_NO_TIME)
		return (ENTRY_NO_TIME);
	return (serve_month_start(t));
}

/*
 * The absolute URL of a month's archive document for q's filters, with
 * a cursor (before_time ENTRY_NO_TIME: its first page).
 */
static void
serve_archive_url(struct serve *s, enum serve_format fmt, int64_t month,
    const struct query *q, int64_t before_time, int64_t before_seq,
    struct buf *out)
{
	struct buf	 canon;
	char		 m[SERVE_MONTH_LEN];

	buf_init(&canon);
	query_canonical_cursor(q, before_time, before_seq, &canon);
	serve_month_format(month, m, sizeof(m));
	buf_printf(out, "%s%s%s.%s%s%s", s->public_url, SERVE_PATH_ARCHIVE, m,
	    serve_formats[fmt].name, canon.len > 0 ? "?" : "",
	    canon.len > 0 ? canon.data : "");
	buf_free(&canon);
}

/*
 * The reply of a listing (month ENTRY_NO_TIME) or of the archive of the
 * month starting at month, to a begun request.
 */
static void
serve_listing_reply(struct serve *s, struct serve_reply *rp,
    enum serve_format fmt, int64_t month)
{
	struct serve_reply		 r = *rp;
	struct evhttp_request		*req = r.req;
	struct serve_cached		*c = NULL;
	struct serve_blob		*blob;
	const struct evhttp_uri		*uri;
	struct query			 q;
	struct render_html_opts		 ho;
	struct buf			 key, rest;
	const char			*ae, *raw;
	char				 err[QUERY_ERR_LEN];
	char				 cc[64], m[SERVE_MONTH_LEN];
	int64_t				 modified, this_month;
	uint64_t			 gen;
	int				 empty = 0, limit, max, gz;

	memset(&q, 0, sizeof(q));
	memset(&ho, 0, sizeof(ho));
	buf_init(&key);
	buf_init(&rest);
	if (serve_read_method(&r, req) == -1)
		goto done;
	if ((uri = evhttp_request_get_evhttp_uri(req)) == NULL) {
		serve_text(&r, 400, "Bad Request", "malformed request URI");
		goto done;
	}
	raw = evhttp_uri_get_query(uri);
	if (SERVE_IS_HTML(fmt)) {
		/* The pages' own options (lang, layout) stay out of q. */
		if (render_html_options(raw, &ho, &rest, err,
		    sizeof(err)) == -1) {
			serve_text(&r, 400, "Bad Request", err);
			goto done;
		}
		raw = rest.data;
	}
	limit = month == ENTRY_NO_TIME ? s->listing_limit : SERVE_ARCHIVE_MAX;
	max = month == ENTRY_NO_TIME ? s->listing_max : SERVE_ARCHIVE_MAX;
	if (query_parse(&q, raw, limit, max, err, sizeof(err)) == -1) {
		serve_text(&r, 400, "Bad Request", err);
		goto done;
	}
	if (month != ENTRY_NO_TIME) {
		if (q.sq.relevance) {
			serve_text(&r, 400, "Bad Request",
			    "archives are in time order: no sort=relevance");
			goto done;
		}
		q.sq.from_time = month;
		q.sq.until_time = serve_month_next(month);
	}
	if (fmt == SERVE_MAP && q.kind == NULL) {
		/* The map shows actor profiles unless asked otherwise. */
		q.kind = serve_strdup("actor");
		q.sq.kind = q.kind;
	}
	if (fmt == SERVE_ACTORS) {
		/* The map of actor profiles: other kinds have no place here. */
		if (q.kind != NULL && strcmp(q.kind, "actor") != 0) {
			serve_text(&r, 400, "Bad Request",
			    "actors.geojson lists kind actor only");
			goto done;
		}
		if (q.kind == NULL && (q.kind = strdup("actor")) == NULL)
			fatal("%s", __func__);
		q.sq.kind = q.kind;
	}
	if (fmt == SERVE_GEOJSON || fmt == SERVE_ACTORS) {
		/* Pages of points only, so that a page is never empty. */
		if (q.sq.geo == STORE_GEO_NONE)
			q.sq.geo = STORE_GEO_ANY;
		q.sq.skip_deleted = 1;
	}

	/*
	 * A listing changes with the store, and at the turn of a month too:
	 * the month just ended becomes its prev-archive (RFC 5005).
	 */
	gen = store_generation(s->store);
	this_month = serve_month_start((int64_t)time(NULL));
	if (gen != s->cache_generation || this_month != s->cache_month) {
		serve_cache_clear(s);
		s->cache_generation = gen;
		s->cache_month = this_month;
	}
	buf_addstr(&key, serve_formats[fmt].name);
	if (month != ENTRY_NO_TIME) {
		serve_month_format(month, m, sizeof(m));
		buf_printf(&key, "@%s", m);
	}
	buf_addc(&key, '?');
	query_canonical(&q, &key);
	if (SERVE_IS_HTML(fmt))
		buf_addstr(&key, render_html_options_suffix(&ho));
	if ((c = serve_cache_find(s, key.data)) != NULL)
		s->stats.cache_hits++;
	else if ((c = serve_render(s, fmt, &q, &ho, key.data, month,
	    &empty)) == NULL) {
		if (empty)
			serve_text(&r, 404, "Not Found",
			    "no entries in this month");
		else
			serve_text(&r, 500, "Internal Server Error",
			    "cannot read the store");
		goto done;
	} else {
		c->cursor = q.sq.before_time != ENTRY_NO_TIME;
		serve_cache_add(s, c);
	}

	modified = store_last_change(s->store);
	/* A live listing has changed at the month's start (see above). */
	if (month == ENTRY_NO_TIME && modified > 0 && modified < this_month)
		modified = this_month;
	/*
	 * WebSub discovery (section 4): the hub and the topic's own URL.
	 * Archives are not topics: they do not change as entries arrive.
	 */
	if (s->hub_link != NULL && month == ENTRY_NO_TIME)
		evhttp_add_header(r.out, "Link", s->hub_link);
	if (c->self_link == NULL) {
		buf_reset(&key);
		buf_printf(&key, "<%s>; rel=\"self\"", c->self);
		c->self_link = serve_strdup(key.data);
	}
	evhttp_add_header(r.out, "Link", c->self_link);
	evhttp_add_header(r.out, "Vary", "Accept-Encoding");
	if (SERVE_IS_HTML(fmt)) {
		evhttp_add_header(r.out, "Content-Security-Policy",
		    fmt == SERVE_EMBED ? SERVE_CSP "frame-ancestors *" :
		    SERVE_CSP "frame-ancestors 'self'");
		evhttp_add_header(r.out, "Referrer-Policy",
		    "strict-origin-when-cross-origin");
	}
	/* A past month changes only when one of its entries does. */
	if (month != ENTRY_NO_TIME &&
	    month < serve_month_start((int64_t)time(NULL)))
		snprintf(cc, sizeof(cc), "public, max-age=%d",
		    SERVE_ARCHIVE_MAX_AGE);
	else
		snprintf(cc, sizeof(cc), "%s", s->cache_control);
	evhttp_add_header(r.out, "Cache-Control", cc);
	if (modified > 0) {
		if (modified != s->modified_time) {
			date_format_http(modified, s->modified,
			    sizeof(s->modified));
			s->modified_time = modified;
		}
		evhttp_add_header(r.out, "Last-Modified", s->modified);
	}
	ae = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Accept-Encoding");
	gz = !c->gz_failed && ae != NULL && serve_accepts_gzip(ae);
	if (gz) {
		evhttp_add_header(r.out, "ETag", c->etag_gz);
		evhttp_add_header(r.out, "Content-Encoding", "gzip");
	} else
		evhttp_add_header(r.out, "ETag", c->etag);
	serve_count(s, serve_formats[fmt].name);
	if (serve_not_modified(&r, c, modified)) {
		s->stats.not_modified++;
		r.code = 304;
		r.reason = "Not Modified";
		evhttp_remove_header(r.out, "Content-Encoding");
		goto done;
	}
	if (!gz && !r.head && c->in_cache) {
		/* Asked for again: worth a memory file from now on. */
		if (c->sent > 0 &&
		    (blob = serve_blob_to_file(c->body)) != NULL) {
			serve_blob_unref(c->body);
			c->body = blob;
		}
		c->sent++;
	}
	blob = c->body;
	if (gz && (blob = serve_cached_gz(s, c)) == NULL) {
		/* deflate failed (logged): identity, with its own tag. */
		evhttp_remove_header(r.out, "Content-Encoding");
		evhttp_remove_header(r.out, "ETag");
		evhttp_add_header(r.out, "ETag", c->etag);
		blob = c->body;
	}
	evhttp_add_header(r.out, "Content-Type", serve_formats[fmt].type);
	r.code = 200;
	r.reason = "OK";
	r.length = blob->len;
	if (!r.head && blob->seg != NULL) {
		/* The socket's buffer: sendfile(2) from the memory file. */
		if (evbuffer_set_flags(r.body, EVBUFFER_FLAG_DRAINS_TO_FD) ==
		    -1 || evbuffer_add_file_segment(r.body, blob->seg, 0,
		    (ev_off_t)blob->len) == -1)
			serve_text(&r, 500, "Internal Server Error",
			    "out of memory");
	} else if (!r.head) {
		/* Zero copy: the cache and the socket share the body. */
		blob->refs++;
		if (evbuffer_add_reference(r.body, blob->data, blob->len,
		    serve_blob_unref_cb, blob) == -1) {
			blob->refs--;
			serve_text(&r, 500, "Internal Server Error",
			    "out of memory");
		}
	}
done:
	*rp = r;
	if (c != NULL && !c->in_cache)
		serve_cached_free(c);
	query_clear(&q);
	render_html_options_clear(&ho);
	buf_free(&key);
	buf_free(&rest);
}

/*
 * The client behind trusted proxies: when the connection comes from an
 * address in trusted_proxies, the nearest address in X-Forwarded-For
 * (else Forwarded: for=) that is not itself a trusted proxy. Other
 * clients' headers are ignored: anyone can write them. Absolute URLs
 * never come from these headers (nor Host): public_url says them.
 */
static void
serve_forwarded(struct serve *s, struct serve_reply *r)
{
	char		 hops[SERVE_FORWARDED_MAX][SERVE_HOST_LEN];
	struct evkeyvalq *in;
	struct netaddr	 a;
	const char	*h;
	int		 n = 0, i;

	if (s->nproxies == 0 ||
	    !netaddr_match(s->proxies, s->nproxies, r->host))
		return;
	in = evhttp_request_get_input_headers(r->req);
	if ((h = evhttp_find_header(in, "X-Forwarded-For")) != NULL)
		n = serve_forwarded_hops(h, 0, hops);
	else if ((h = evhttp_find_header(in, "Forwarded")) != NULL)
		n = serve_forwarded_hops(h, 1, hops);
	for (i = n - 1; i >= 0; i--) {
		/* Garbage ends the walk: the last proxy is the client. */
		if (netaddr_parse(hops[i], &a) == -1 ||
		    strchr(hops[i], '/') != NULL)
			return;
		if (i > 0 && netaddr_match(s->proxies, s->nproxies, hops[i]))
			continue;
		memcpy(r->host, hops[i], sizeof(r->host));
		if (strchr(hops[i], ':') != NULL)
			snprintf(r->addr, sizeof(r->addr), "[%s]", hops[i]);
		else
			snprintf(r->addr, sizeof(r->addr), "%s", hops[i]);
		return;
	}
}

/*
 * The addresses of X-Forwarded-For (fwd 0) or of the for= parameters of
 * Forwarded (fwd 1, RFC 7239: for="[2001:db8::1]:80"), in order, ports
 * removed; returns how many (at most SERVE_FORWARDED_MAX).
 */
static int
serve_forwarded_hops(const char *h, int fwd,
    char hops[][SERVE_HOST_LEN])
{
	const char	*p, *e, *v;
	char		*c;
	size_t		 len;
	int		 n = 0;

	for (p = h; *p != '\0' && n < SERVE_FORWARDED_MAX; p = e) {
		if ((e = strchr(p, ',')) == NULL)
			e = p + strlen(p);
		v = p;
		if (fwd) {
			while (v < e && strncasecmp(v, "for=", 4) != 0)
				v++;
			v = v < e ? v + 4 : e;
		}
		while (v < e && (*v == ' ' || *v == '"' || *v == '['))
			v++;
		for (len = 0; v + len < e && v[len] != ' ' && v[len] != '"' &&
		    v[len] != ']' && v[len] != ';'; len++)
			;
		if (len > 0 && len < SERVE_HOST_LEN) {
			memcpy(hops[n], v, len);
			hops[n][len] = '\0';
			if (strchr(hops[n], '.') != NULL &&
			    (c = strchr(hops[n], ':')) != NULL)
				*c = '\0';	/* "192.0.2.1:4711" */
			n++;
		}
		if (*e == ',')
			e++;
	}
	return (n);
}

void
serve_count(struct serve *s, const char *format)
{
	char	 day[16];
	time_t	 now = time(NULL);
	size_t	 i;

	metrics_inc(s->m_served, format, 1);
	s->stats.served++;
	if (now != s->count_time) {
		strftime(day, sizeof(day), "%Y-%m-%d", gmtime(&now));
		if (strcmp(day, s->served_day) != 0) {
			serve_flush(s);
			memcpy(s->served_day, day, sizeof(day));
		}
		s->count_time = now;
	}
	for (i = 0; i < SERVE_COUNT_FORMATS; i++) {
		if (s->served[i].format[0] == '\0')
			snprintf(s->served[i].format,
			    sizeof(s->served[i].format), "%s", format);
		if (strcmp(s->served[i].format, format) == 0) {
			s->served[i].n++;
			return;
		}
	}
}

/*
 * Writes the day's pending served counts to the store, at most once a
 * minute (and at exit), never inside a document's transaction.
 */
static void
serve_flush(struct serve *s)
{
	size_t	 i;

	if (s->served_day[0] == '\0' || store_in_transaction(s->store))
		return;
	for (i = 0; i < SERVE_COUNT_FORMATS; i++)
		if (s->served[i].n > 0 && stats_served_add(s->store,
		    s->served_day, s->served[i].format, s->served[i].n) == 0)
			s->served[i].n = 0;
}

void
serve_flush_counts(struct serve *s)
{
	serve_flush(s);
}

static void
serve_flush_cb(evutil_socket_t fd, short ev, void *arg)
{
	(void)fd;
	(void)ev;
	serve_flush(arg);
}

/* GET /metrics: Prometheus text format, for metrics_allow only. */
static void
serve_metrics_cb(struct evhttp_request *req, void *arg)
{
	struct serve		*s = arg;
	struct serve_reply	 r;
	struct buf		 b;

	buf_init(&b);
	if (serve_begin(s, req, &r) == -1)
		goto done;
	r.route = "metrics";
	if (!netaddr_match(s->metrics_allow, s->nmetrics_allow, r.host)) {
		serve_text(&r, 403, "Forbidden", "metrics are not public "
		    "(metrics_allow)");
		goto done;
	}
	if (serve_read_method(&r, req) == -1)
		goto done;
	evhttp_remove_header(r.out, "Access-Control-Allow-Origin");
	metrics_write(&b);
	serve_reply_data(&r, 200, "OK", "text/plain; version=0.0.4; "
	    "charset=utf-8", b.data, b.len);
	evhttp_add_header(r.out, "Cache-Control", "no-store");
done:
	serve_finish(&r);
	buf_free(&b);
}

/* GET /stats.json?from=&to=&by=: the figures of a period. */
static void
serve_stats_cb(struct evhttp_request *req, void *arg)
{
	struct serve		*s = arg;
	struct serve_reply	 r;
	struct evkeyvalq	 kv;
	const struct evhttp_uri	*uri;
	const char		*raw, *why = NULL;
	enum stats_by		 by;
	int64_t			 from, to;
	json_t			*j = NULL;
	char			*text = NULL;

	TAILQ_INIT(&kv);
	if (serve_begin(s, req, &r) == -1)
		goto done;
	r.route = "stats";
	if (serve_read_method(&r, req) == -1)
		goto done;
	uri = evhttp_request_get_evhttp_uri(req);
	raw = uri != NULL ? evhttp_uri_get_query(uri) : NULL;
	if (raw != NULL && (strlen(raw) > 256 ||
	    evhttp_parse_query_str(raw, &kv) == -1)) {
		serve_text(&r, 400, "Bad Request", "malformed query");
		goto done;
	}
	if (stats_params(evhttp_find_header(&kv, "from"),
	    evhttp_find_header(&kv, "to"), evhttp_find_header(&kv, "by"),
	    &from, &to, &by, &why) == -1) {
		serve_text(&r, 400, "Bad Request", why);
		goto done;
	}
	serve_flush(s);
	if ((j = stats_report(s->store, from, to, by)) == NULL ||
	    (text = json_dumps(j, JSON_COMPACT)) == NULL) {
		serve_text(&r, 503, "Service Unavailable", "store unavailable");
		goto done;
	}
	serve_reply_data(&r, 200, "OK", "application/json", text,
	    strlen(text));
	evhttp_add_header(r.out, "Cache-Control", "no-cache");
done:
	serve_finish(&r);
	evhttp_clear_headers(&kv);
	free(text);
	json_decref(j);
}

/* GET /peers.opml: the node's peers for feed readers (OPML 2.0). */
static void
serve_opml_cb(struct evhttp_request *req, void *arg)
{
	struct serve		*s = arg;
	struct serve_reply	 r;

	if (serve_begin(s, req, &r) == -1)
		goto done;
	r.route = "opml";
	if (serve_read_method(&r, req) == -1)
		goto done;
	serve_reply_data(&r, 200, "OK", "text/x-opml; charset=utf-8", s->opml,
	    strlen(s->opml));
	evhttp_add_header(r.out, "Cache-Control", "no-cache");
done:
	serve_finish(&r);
}

/*
 * Copies the rendered piece of e into c->pieces, from the kept ones or
 * rendered now and kept (a copy of the entry would cost more: entry_dup()
 * goes through its JSON form).
 */
static void
serve_collect_piece(struct serve_collect *c, const struct entry *e,
    int64_t seq)
{
	struct serve_ref	*r = &c->refs[c->n];
	struct serve_pieces	*pp = c->serve->pieces;
	const unsigned char	*md;
	const char		*p;
	uint64_t		 serial;
	size_t			 len, start;
	int			 rc;

	memset(r, 0, sizeof(*r));
	r->date = e->updated != ENTRY_NO_TIME ? e->updated : e->published;
	r->needs_author = render_atom_needs_author(e);
	if (c->fmt == SERVE_ATOM && !render_atom_entry_own(e)) {
		if ((c->v[c->n] = entry_dup(e)) == NULL)
			fatal("%s", __func__);
		c->fresh++;
		return;
	}
	serial = store_query_serial(c->serve->store);
	start = c->pieces.len;
	if (c->fmt == SERVE_JSON && c->npieces > 0)
		buf_addc(&c->pieces, ',');
	r->off = c->pieces.len;
	if ((p = serve_pieces_find(pp, c->fmt, seq, serial, &len,
	    &md)) != NULL) {
		buf_add(&c->pieces, p, len);
		memcpy(r->md, md, sizeof(r->md));
		r->len = len;
		r->has_piece = 1;
		c->npieces++;
		return;
	}
	rc = c->fmt == SERVE_ATOM ? render_atom_entry(&c->pieces, e, 0) :
	    render_json_entry(&c->pieces, e);
	if (rc == -1) {
		c->pieces.len = start;
		if (c->pieces.data != NULL)
			c->pieces.data[start] = '\0';
		return;
	}
	r->len = c->pieces.len - r->off;
	r->has_piece = 1;
	c->npieces++;
	serve_pieces_digest(c->pieces.data + r->off, r->len, r->md);
	serve_pieces_add(pp, c->fmt, seq, serial, c->pieces.data + r->off,
	    r->len, r->md);
}

/*
 * The pieces' buffer of a listing: room for its head, then for about
 * hint bytes (the last such listing's size), so that it is not
 * reallocated and copied as it grows.
 */
static void
serve_collect_room(struct serve_collect *c, size_t hint)
{
	size_t	 cap = SERVE_HEAD_ROOM + 1024;

	if (hint < SERVE_CACHE_BYTES && hint + hint / 8 > cap)
		cap = hint + hint / 8;
	if ((c->pieces.data = malloc(cap)) == NULL)
		fatal("%s", __func__);
	c->pieces.cap = cap;
	c->pieces.len = SERVE_HEAD_ROOM;
	c->pieces.data[c->pieces.len] = '\0';
}

/* Keeps up to max entries; one more tells that a next page exists. */
static int
serve_collect_cb(const struct entry *e, int64_t sort_time, int64_t seq,
    void *arg)
{
	struct serve_collect	*c = arg;

	if (c->n == c->max) {
		c->more = 1;
		return (1);
	}
	if (c->refs != NULL)
		serve_collect_piece(c, e, seq);
	else if ((c->v[c->n] = entry_dup(e)) == NULL)
		fatal("%s", __func__);
	c->n++;
	c->last_time = sort_time;
	c->last_seq = seq;
	return (0);
}

/*
 * Writes the document of a listing holding the collected entries: the
 * feed's id, title, self, next and hub links, which the hub's content
 * distributions share with the served listing. self gets the listing's
 * own URL.
 */
static void
serve_render_doc(struct serve *s, enum serve_format fmt, const struct query *q,
    const struct render_html_opts *ho, struct serve_collect *col,
    struct buf *out, struct buf *self)
{
	struct render_feed	 feed;
	struct render_html	 page;
	struct query		 live;
	struct buf		 canon, id, next, home, title, desc;
	struct buf		 current, prev, nexta;
	const char		*path;
	char			 m[SERVE_MONTH_LEN];

	buf_init(&canon);
	buf_init(&id);
	buf_init(&next);
	buf_init(&home);
	buf_init(&title);
	buf_init(&desc);
	buf_init(&current);
	buf_init(&prev);
	buf_init(&nexta);
	path = serve_formats[fmt].path;
	/*
	 * Links to the live listing and between archives carry the filters
	 * only: each document has its own default limit.
	 */
	live = *q;
	live.sq.limit = live.default_limit;
	/*
	 * The feed's id leaves the cursor out: every page is one feed, and
	 * so is every archive document (RFC 5005 4).
	 */
	query_canonical_cursor(col->month != ENTRY_NO_TIME ? &live : q,
	    ENTRY_NO_TIME, 0, &canon);
	buf_printf(&id, "%s%s%s%s", s->public_url, path,
	    canon.len > 0 ? "?" : "", canon.data);
	if (col->month != ENTRY_NO_TIME)
		buf_addstr(&current, id.data);
	buf_reset(&canon);
	query_canonical(q, &canon);
	if (col->month != ENTRY_NO_TIME)
		serve_archive_url(s, fmt, col->month, q, q->sq.before_time,
		    q->sq.before_seq, self);
	else
		buf_printf(self, "%s%s%s%s", s->public_url, path,
		    canon.len > 0 ? "?" : "", canon.data);
	if (col->more && col->month != ENTRY_NO_TIME)
		serve_archive_url(s, fmt, col->month, q, col->last_time,
		    col->last_seq, &next);
	else if (col->more) {
		buf_reset(&canon);
		query_canonical_cursor(q, col->last_time, col->last_seq,
		    &canon);
		buf_printf(&next, "%s%s?%s%s", s->public_url, path, canon.data,
		    SERVE_IS_HTML(fmt) && ho != NULL ?
		    render_html_options_suffix(ho) : "");
	}
	if (col->prev_archive != ENTRY_NO_TIME)
		serve_archive_url(s, fmt, col->prev_archive, &live,
		    ENTRY_NO_TIME, 0, &prev);
	if (col->next_archive != ENTRY_NO_TIME)
		serve_archive_url(s, fmt, col->next_archive, &live,
		    ENTRY_NO_TIME, 0, &nexta);
	query_describe(q, &desc);
	buf_addstr(&title, s->title);
	if (desc.len > 0)
		buf_printf(&title, " \xe2\x80\x94 %s", desc.data);
	if (col->month != ENTRY_NO_TIME) {
		serve_month_format(col->month, m, sizeof(m));
		buf_printf(&title, " (%s)", m);
	}

	memset(&feed, 0, sizeof(feed));
	feed.id = id.data;
	feed.title = title.data;
	feed.node = s->node;
	feed.self_url = self->data;
	buf_printf(&home, "%s/", s->public_url);
	feed.alternate_url = home.data;
	feed.next_url = col->more ? next.data : NULL;
	/* An archive is no WebSub topic: it does not change as entries come. */
	feed.hub_url = col->month == ENTRY_NO_TIME ? s->hub_url : NULL;
	feed.updated = col->updated;
	feed.archive = col->month != ENTRY_NO_TIME;
	feed.current_url = current.len > 0 ? current.data : NULL;
	feed.prev_archive_url = prev.len > 0 ? prev.data : NULL;
	feed.next_archive_url = nexta.len > 0 ? nexta.data : NULL;
	if ((fmt == SERVE_ATOM || fmt == SERVE_JSON) && col->refs != NULL)
		serve_render_pieces(s, fmt, &feed, col, out);
	else if (!SERVE_IS_HTML(fmt))
		serve_formats[fmt].render(out, &feed, col->v, col->n);
	else {
		memset(&page, 0, sizeof(page));
		page.page = fmt == SERVE_HTML ? RENDER_HTML_HOME :
		    fmt == SERVE_EMBED ? RENDER_HTML_EMBED : RENDER_HTML_MAP;
		page.opts = ho;
		page.title = s->title;
		page.base = s->public_url;
		buf_reset(&canon);
		query_canonical_cursor(q, ENTRY_NO_TIME, 0, &canon);
		page.query = canon.data != NULL ? canon.data : "";
		page.next_url = feed.next_url;
		page.kind = q->kind;
		page.territory = q->territory;
		page.tiles = s->map_tiles;
		render_html(out, &page, col->v, col->n);
	}
	buf_free(&canon);
	buf_free(&id);
	buf_free(&next);
	buf_free(&home);
	buf_free(&title);
	buf_free(&desc);
	buf_free(&current);
	buf_free(&prev);
	buf_free(&nexta);
}

void
serve_render_topic(struct serve *s, enum serve_format fmt,
    const struct query *q, struct entry *const *v, size_t n, struct buf *out)
{
	struct serve_collect	 col;
	struct buf		 self;

	memset(&col, 0, sizeof(col));
	col.v = (struct entry **)v;
	col.n = n;
	/* The newest entry's date: the change being distributed. */
	col.updated = ENTRY_NO_TIME;
	col.month = col.prev_archive = col.next_archive = ENTRY_NO_TIME;
	buf_init(&self);
	serve_render_doc(s, fmt, q, NULL, &col, out, &self);
	buf_free(&self);
}

/*
 * An Atom or JSON Feed document from rendered entries kept between
 * listings (serve_pieces.c), the same bytes as its renderer makes: a
 * listing that is not in the response cache costs its query and one
 * copy of the entries it shares with earlier ones. The head is written
 * into out, then, in the common case, in front of the pieces, and the
 * pieces' buffer becomes the body (col->body) with no further copy. An
 * Atom entry without a date of its own takes the feed's and is
 * rendered at the end: then (or if the head does not fit in the room
 * left for it) the document is assembled in out, as its renderer would.
 */
static void
serve_render_pieces(struct serve *s, enum serve_format fmt,
    const struct render_feed *f, struct serve_collect *col,
    struct buf *out)
{
	struct render_feed	 g = *f;
	const struct serve_ref	*r;
	size_t			 i, off;
	int			 need_author = col->n == 0, first = 1;

	(void)s;
	if (fmt == SERVE_ATOM) {
		/* The feed's date, if not given, is its newest entry's. */
		if (g.updated == ENTRY_NO_TIME) {
			for (i = 0; i < col->n; i++) {
				r = &col->refs[i];
				if (r->date != ENTRY_NO_TIME &&
				    (g.updated == ENTRY_NO_TIME ||
				    r->date > g.updated))
					g.updated = r->date;
			}
			if (g.updated == ENTRY_NO_TIME)
				g.updated = 0;
		}
		for (i = 0; i < col->n; i++)
			if (col->refs[i].needs_author)
				need_author = 1;
		render_atom_head(out, &g, need_author);
	} else
		render_json_head(out, &g);
	if (col->fresh == 0 && col->pieces.data != NULL &&
	    out->len <= SERVE_HEAD_ROOM && col->pieces.len >= SERVE_HEAD_ROOM) {
		off = SERVE_HEAD_ROOM - out->len;
		memcpy(col->pieces.data + off, out->data, out->len);
		if (fmt == SERVE_ATOM)
			render_atom_tail(&col->pieces);
		else
			render_json_tail(&col->pieces);
		serve_pieces_etag(col, off, col->md);
		col->body = serve_blob_take(&col->pieces, off);
		return;
	}
	for (i = 0; i < col->n; i++) {
		r = &col->refs[i];
		if (col->v[i] != NULL) {
			render_atom_entry(out, col->v[i], g.updated);
			continue;
		}
		if (!r->has_piece)
			continue;
		if (fmt == SERVE_JSON && !first)
			buf_addc(out, ',');
		buf_add(out, col->pieces.data + r->off, r->len);
		first = 0;
	}
	if (fmt == SERVE_ATOM)
		render_atom_tail(out);
	else
		render_json_tail(out);
}

/*
 * The digest behind the entity tag of a body assembled from pieces
 * (the pieces' buffer from off): SHA-256 over a description of the
 * body, in order, as records of a type, a length and a content: the
 * bytes between pieces (head, commas, tail) as they are, and each piece
 * as its own SHA-256, computed once when it was rendered. Two bodies
 * with the same description have the same bytes (or SHA-256 collides),
 * so a changed body changes its tag, as with a digest of the whole
 * body, and an unchanged one keeps it; but a listing costs a digest of
 * its head and of 41 bytes per entry rather than of its body (a tenth
 * of a miss's time for 200 KB). The description starts with a NUL,
 * which no document does: it never equals a body that other replies
 * tag by its plain digest (serve_etag()).
 */
static void
serve_pieces_etag(struct serve_collect *col, size_t off, unsigned char *md)
{
	static const char	 tag[] = "\0feedmesh-etag-1";
	const struct serve_ref	*r;
	struct buf		 d;
	unsigned int		 n = 0;
	size_t			 pos = off, i, len;

	/* Written out, then digested at once: one call, not 4 per entry. */
	buf_init(&d);
	buf_add(&d, tag, sizeof(tag) - 1);
	for (i = 0; i <= col->n; i++) {
		r = i < col->n ? &col->refs[i] : NULL;
		if (r != NULL && !r->has_piece)
			continue;
		/* The bytes before this piece (or the end). */
		len = (r != NULL ? r->off : col->pieces.len) - pos;
		serve_etag_record(&d, 'B', len);
		buf_add(&d, col->pieces.data + pos, len);
		if (r == NULL)
			break;
		serve_etag_record(&d, 'P', r->len);
		buf_add(&d, r->md, sizeof(r->md));
		pos = r->off + r->len;
	}
	if (EVP_Digest(d.data, d.len, md, &n, EVP_sha256(), NULL) != 1 ||
	    n != SERVE_PIECES_MD_LEN)
		fatalx("%s: EVP_Digest failed", __func__);
	buf_free(&d);
}

/* A record's type and length (64 bits, little-endian). */
static void
serve_etag_record(struct buf *d, char type, size_t len)
{
	unsigned char	 rec[9];
	size_t		 k;

	rec[0] = (unsigned char)type;
	for (k = 0; k < 8; k++)
		rec[1 + k] = (unsigned char)((uint64_t)len >> (8 * k));
	buf_add(d, rec, sizeof(rec));
}

/*
 * Renders a listing, or the archive of the month starting at month, from
 * the store; NULL, logged, if the store fails, or with *empty set if the
 * archive has no entries.
 */
static struct serve_cached *
serve_render(struct serve *s, enum serve_format fmt, const struct query *q,
    const struct render_html_opts *ho, const char *key, int64_t month,
    int *empty)
{
	struct serve_cached	*c = NULL;
	struct serve_collect	 col;
	struct store_query	 sq;
	struct buf		 out, self;
	size_t			 i;
	int			 rc;

	memset(&col, 0, sizeof(col));
	col.month = month;
	col.prev_archive = col.next_archive = ENTRY_NO_TIME;
	buf_init(&out);
	buf_init(&self);
	col.max = q->sq.limit;
	if ((col.v = calloc(col.max + 1, sizeof(*col.v))) == NULL)
		fatal("%s", __func__);
	buf_init(&col.pieces);
	col.fmt = fmt;
	col.serve = s;
	if (fmt == SERVE_ATOM || fmt == SERVE_JSON) {
		if ((col.refs = calloc(col.max + 1, sizeof(*col.refs))) == NULL)
			fatal("%s", __func__);
		serve_collect_room(&col, s->body_hint[fmt]);
	}
	sq = q->sq;
	sq.limit = q->sq.limit + 1;
	rc = store_query_entries(s->store, &sq, serve_collect_cb, &col);
	if (rc == -1 && !col.more) {
		log_warnx("%s: store query failed for %s", __func__, key);
		goto done;
	}
	s->stats.renders++;

	/* Relevance order has one page (store.h): no next link. */
	if (q->sq.relevance)
		col.more = 0;
	col.updated = store_last_change(s->store);
	if (col.updated <= 0)
		col.updated = s->started;
	if (month != ENTRY_NO_TIME) {
		if (col.n == 0) {
			*empty = 1;
			goto done;
		}
		/*
		 * The newest entry's date, not the store's last change: a past
		 * month's document stays the same (and its ETag) until one of
		 * its entries changes.
		 */
		col.updated = ENTRY_NO_TIME;
		col.prev_archive = serve_archive_neighbour(s, q, ENTRY_NO_TIME,
		    month, 0);
		col.next_archive = serve_archive_neighbour(s, q,
		    q->sq.until_time, ENTRY_NO_TIME, 1);
	} else if ((fmt == SERVE_ATOM || fmt == SERVE_JSON) &&
	    q->sq.before_time == ENTRY_NO_TIME && !q->sq.relevance)
		/* RFC 5005 4: the subscription document's newest archive. */
		col.prev_archive = serve_archive_neighbour(s, q, ENTRY_NO_TIME,
		    serve_month_start((int64_t)time(NULL)), 0);
	serve_render_doc(s, fmt, q, ho, &col, &out, &self);

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s", __func__);
	c->key = serve_strdup(key);
	c->self = serve_strdup(self.data);
	if (col.body != NULL) {
		/*
		 * Assembled in place, on the heap: most such listings are
		 * asked for once (a cursor), a memory file waits for the
		 * second (serve_blob_to_file()).
		 */
		c->body = col.body;
		col.body = NULL;
		serve_etag_format(col.md, c->etag, c->etag_gz,
		    sizeof(c->etag));
		s->body_hint[fmt] = c->body->len;
	} else {
		c->body = serve_blob_new(out.len);
		if (out.len > 0)
			memcpy(c->body->data, out.data, out.len);
		serve_blob_seal(c->body);
		serve_etag(c->body, c->etag, c->etag_gz, sizeof(c->etag));
	}
	log_debug("%s: rendered %s: %zu entries, %zu bytes", __func__, key,
	    col.n, c->body->len);
done:
	for (i = 0; i < col.n; i++)
		entry_free(col.v[i]);
	free(col.v);
	free(col.refs);
	buf_free(&col.pieces);
	serve_blob_unref(col.body);
	buf_free(&out);
	buf_free(&self);
	return (c);
}

/*
 * RFC 9110 13.1.2/13.1.3: If-None-Match (weak comparison, "*") decides
 * when present; If-Modified-Since only without it.
 */
static int
serve_not_modified(struct serve_reply *r, const struct serve_cached *c,
    int64_t modified)
{
	struct evkeyvalq	*in;
	const char		*inm, *ims;
	int64_t			 t;

	in = evhttp_request_get_input_headers(r->req);
	if ((inm = evhttp_find_header(in, "If-None-Match")) != NULL)
		return (serve_etag_match(inm, c));
	if ((ims = evhttp_find_header(in, "If-Modified-Since")) == NULL ||
	    modified <= 0)
		return (0);
	if ((t = serve_http_date(ims)) == ENTRY_NO_TIME)
		return (0);
	return (modified <= t);
}

/*
 * 1 if a list of entity tags names either representation of the
 * listing: both carry the same content, so a client holding the gzip
 * one may revalidate while asking for identity, and the other way.
 */
static int
serve_etag_match(const char *h, const struct serve_cached *c)
{
	const char	*p = h, *end;
	size_t		 n;
	int		 i;

	for (i = 0; i < 64; i++) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			return (0);
		if (*p == '*')
			return (1);
		if (strncmp(p, "W/", 2) == 0)
			p += 2;
		if (*p != '"' || (end = strchr(p + 1, '"')) == NULL)
			return (0);
		n = end - p + 1;
		if ((n == strlen(c->etag) && memcmp(p, c->etag, n) == 0) ||
		    (n == strlen(c->etag_gz) && memcmp(p, c->etag_gz, n) == 0))
			return (1);
		p = end + 1;
	}
	return (0);
}

/*
 * 1 if Accept-Encoding allows gzip (RFC 9110 12.5.3): "gzip" or
 * "x-gzip" with a non-zero q, else "*" with a non-zero q.
 */
static int
serve_accepts_gzip(const char *h)
{
	const char	*p = h, *tok, *qv;
	size_t		 len;
	int		 gz = -1, star = -1, q, i;

	for (i = 0; i < 64 && *p != '\0'; i++) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		tok = p;
		while (*p != '\0' && *p != ',' && *p != ';' && *p != ' ' &&
		    *p != '\t')
			p++;
		len = p - tok;
		q = 1000;
		while (*p != '\0' && *p != ',') {
			while (*p == ' ' || *p == '\t' || *p == ';')
				p++;
			if ((p[0] == 'q' || p[0] == 'Q') && p[1] == '=') {
				qv = p + 2;
				if (qv[0] == '1')
					q = 1000;
				else if (qv[0] == '0') {
					q = 0;
					if (qv[1] == '.')
						for (qv += 2; *qv >= '0' &&
						    *qv <= '9'; qv++)
							if (*qv != '0')
								q = 1;
				} else
					q = 0;
			}
			while (*p != '\0' && *p != ',' && *p != ';')
				p++;
		}
		if (len == 0)
			continue;
		if ((len == 4 && strncasecmp(tok, "gzip", 4) == 0) ||
		    (len == 6 && strncasecmp(tok, "x-gzip", 6) == 0))
			gz = q;
		else if (len == 1 && *tok == '*')
			star = q;
	}
	if (gz != -1)
		return (gz > 0);
	return (star > 0);
}

/* An HTTP date (IMF-fixdate and the two obsolete forms); or NO_TIME. */
static int64_t
serve_http_date(const char *s)
{
	static const char	*fmts[] = {
		"%a, %d %b %Y %H:%M:%S GMT",	/* IMF-fixdate */
		"%A, %d-%b-%y %H:%M:%S GMT",	/* RFC 850 */
		"%a %b %d %H:%M:%S %Y",		/* asctime */
	};
	struct tm		 tm;
	const char		*end;
	size_t			 i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		if ((end = strptime(s, fmts[i], &tm)) != NULL && *end == '\0')
			return ((int64_t)timegm(&tm));
	}
	return (date_parse(s, NULL));
}

/* Bodies */

/*
 * Room for a body of len bytes (and a NUL): in a mapped memory file
 * when it is large enough to be worth a sendfile(2), else (or when the
 * system says no) on the heap. serve_blob_seal() once it is written.
 */
static struct serve_blob *
serve_blob_new(size_t len)
{
	struct serve_blob	*b;
	void			*p;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("%s", __func__);
	b->refs = 1;
	b->len = len;
	b->fd = -1;
#ifdef MFD_CLOEXEC
	if (len >= SERVE_SENDFILE_MIN &&
	    (b->fd = memfd_create("feedmesh-body", MFD_CLOEXEC)) != -1) {
		if (ftruncate(b->fd, (off_t)len + 1) == -1 ||
		    (p = mmap(NULL, len + 1, PROT_READ | PROT_WRITE,
		    MAP_SHARED, b->fd, 0)) == MAP_FAILED) {
			log_warn("%s: memory file of %zu bytes", __func__, len);
			close(b->fd);
			b->fd = -1;
		} else {
			b->data = p;
			b->maplen = len + 1;
		}
	}
#else
	(void)p;
#endif
	if (b->data == NULL) {
		if ((b->data = malloc(len + 1)) == NULL)
			fatal("%s", __func__);
		b->mem = b->data;
	}
	return (b);
}

/*
 * A heap body made of a buffer's bytes from off, taking them over (the
 * buffer is left empty). Room well beyond the body goes back to malloc.
 */
static struct serve_blob *
serve_blob_take(struct buf *buf, size_t off)
{
	struct serve_blob	*b;
	size_t			 used = buf->len + 1;
	char			*p;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		fatal("%s", __func__);
	b->refs = 1;
	b->fd = -1;
	b->len = buf->len - off;
	if (buf->cap - used > used / 4 + 4096 &&
	    (p = realloc(buf->data, used)) != NULL)
		buf->data = p;
	b->mem = buf_release(buf);
	b->data = (char *)b->mem + off;
	return (b);
}

/*
 * A large cached body sent again: the same bytes in a memory file, sent
 * by sendfile(2) from then on (serve_blob_new()); b itself stays with
 * the replies that hold it. NULL if a copy would not be a memory file.
 */
static struct serve_blob *
serve_blob_to_file(struct serve_blob *b)
{
	struct serve_blob	*f;

	if (b->seg != NULL || b->maplen > 0 || b->len < SERVE_SENDFILE_MIN)
		return (NULL);
	f = serve_blob_new(b->len);
	if (f->maplen == 0) {
		serve_blob_unref(f);
		return (NULL);
	}
	memcpy(f->data, b->data, b->len);
	serve_blob_seal(f);
	return (f);
}

/*
 * The body is written (len final): a memory file becomes a file
 * segment that replies add by reference; without one, replies fall
 * back to referencing the mapped bytes.
 */
static void
serve_blob_seal(struct serve_blob *b)
{
	if (b->fd == -1)
		return;
	if ((b->seg = evbuffer_file_segment_new(b->fd, 0, (ev_off_t)b->len,
	    EVBUF_FS_CLOSE_ON_FREE)) == NULL) {
		log_warnx("%s: evbuffer_file_segment_new failed", __func__);
		return;
	}
	b->fd = -1;
}

/*
 * Replies being sent hold a reference to the segment, not to the blob:
 * the memory file stays open until the last of them is written.
 */
static void
serve_blob_unref(struct serve_blob *b)
{
	if (b == NULL || --b->refs > 0)
		return;
	if (b->maplen > 0) {
		if (munmap(b->data, b->maplen) == -1)
			log_warn("%s: munmap", __func__);
	} else
		free(b->mem);
	if (b->seg != NULL)
		evbuffer_file_segment_free(b->seg);
	else if (b->fd != -1)
		close(b->fd);
	free(b);
}

/* evbuffer is done with a referenced body (sent or connection gone). */
static void
serve_blob_unref_cb(const void *data, size_t len, void *arg)
{
	(void)data;
	(void)len;
	serve_blob_unref(arg);
}

/* The gzip form (RFC 1952), compressed once per rendering. */
static struct serve_blob *
serve_gzip(const char *data, size_t len)
{
	struct serve_blob	*b;
	z_stream		 z;
	uLong			 bound;
	int			 rc;

	if (len > UINT32_MAX / 2)
		return (NULL);
	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK) {
		log_warnx("%s: deflateInit2 failed", __func__);
		return (NULL);
	}
	bound = deflateBound(&z, len) + 64;
	b = serve_blob_new(bound);
	z.next_in = (Bytef *)(uintptr_t)data;
	z.avail_in = (uInt)len;
	z.next_out = (Bytef *)b->data;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	b->len = z.total_out;
	deflateEnd(&z);
	if (rc != Z_STREAM_END) {
		log_warnx("%s: deflate failed (%d)", __func__, rc);
		serve_blob_unref(b);
		return (NULL);
	}
	return (b);
}

/* Strong entity tags from the body's SHA-256, one per encoding. */
static void
serve_etag(const struct serve_blob *body, char *etag, char *etag_gz,
    size_t len)
{
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 mdlen = 0;

	if (EVP_Digest(body->data, body->len, md, &mdlen, EVP_sha256(),
	    NULL) != 1 || mdlen < 16)
		fatalx("%s: EVP_Digest failed", __func__);
	serve_etag_format(md, etag, etag_gz, len);
}

/* The entity tags of a digest (its first 128 bits), one per encoding. */
static void
serve_etag_format(const unsigned char *md, char *etag, char *etag_gz,
    size_t len)
{
	char	 hex[33];

	buf_hex(hex, md, 16);
	snprintf(etag, len, "\"%s\"", hex);
	snprintf(etag_gz, len, "\"%s-gz\"", hex);
}

/* The cache of rendered listings (LRU, bounded in count and bytes) */

static struct serve_cached *
serve_cache_find(struct serve *s, const char *key)
{
	struct serve_cached	*c;

	TAILQ_FOREACH(c, &s->cache, lru)
		if (strcmp(c->key, key) == 0) {
			if (c != TAILQ_FIRST(&s->cache)) {
				TAILQ_REMOVE(&s->cache, c, lru);
				TAILQ_INSERT_HEAD(&s->cache, c, lru);
			}
			return (c);
		}
	return (NULL);
}

/*
 * The gzip body of a listing, made on first use; a cached listing counts
 * it in the cache's bytes, evicting others if it overflows them.
 */
static struct serve_blob *
serve_cached_gz(struct serve *s, struct serve_cached *c)
{
	struct serve_cached	*old;

	if (c->gz != NULL || c->gz_failed)
		return (c->gz);
	if ((c->gz = serve_gzip(c->body->data, c->body->len)) == NULL) {
		c->gz_failed = 1;
		return (NULL);
	}
	serve_blob_seal(c->gz);
	if (c->in_cache) {
		s->cache_bytes += c->gz->len;
		while (s->cache_bytes > SERVE_CACHE_BYTES &&
		    (old = TAILQ_LAST(&s->cache, serve_cache)) != NULL &&
		    old != c)
			serve_cache_remove(s, old);
	}
	return (c->gz);
}

static size_t
serve_cached_size(const struct serve_cached *c)
{
	return (c->body->len + (c->gz != NULL ? c->gz->len : 0));
}

/*
 * Adds c, evicting the least recently used; a huge listing stays out.
 * Pages past the first (a cursor each, most asked for once: a client
 * walking back through the listing) hold at most SERVE_CACHE_CURSORS
 * places, their own least recently used going first, so that such a
 * walk does not push the first pages and archives out. Keeping them
 * costs a free(3) at eviction (callgrind: 0.1% of a miss).
 */
static void
serve_cache_add(struct serve *s, struct serve_cached *c)
{
	struct serve_cached	*old;
	size_t			 size = serve_cached_size(c);

	if (size > SERVE_CACHE_BYTES / 4)
		return;
	if (c->cursor && s->cache_cursors >= SERVE_CACHE_CURSORS) {
		TAILQ_FOREACH_REVERSE(old, &s->cache, serve_cache, lru)
			if (old->cursor)
				break;
		if (old != NULL)
			serve_cache_remove(s, old);
	}
	while ((old = TAILQ_LAST(&s->cache, serve_cache)) != NULL &&
	    (s->cache_n >= SERVE_CACHE_ENTRIES ||
	    s->cache_bytes + size > SERVE_CACHE_BYTES))
		serve_cache_remove(s, old);
	TAILQ_INSERT_HEAD(&s->cache, c, lru);
	c->in_cache = 1;
	s->cache_n++;
	if (c->cursor)
		s->cache_cursors++;
	s->cache_bytes += size;
}

static void
serve_cache_remove(struct serve *s, struct serve_cached *c)
{
	TAILQ_REMOVE(&s->cache, c, lru);
	s->cache_n--;
	if (c->cursor)
		s->cache_cursors--;
	s->cache_bytes -= serve_cached_size(c);
	serve_cached_free(c);
}

static void
serve_cache_clear(struct serve *s)
{
	struct serve_cached	*c;

	while ((c = TAILQ_FIRST(&s->cache)) != NULL)
		serve_cache_remove(s, c);
}

/* Bodies still being sent keep their own reference. */
static void
serve_cached_free(struct serve_cached *c)
{
	serve_blob_unref(c->body);
	serve_blob_unref(c->gz);
	free(c->key);
	free(c->self);
	free(c->self_link);
	free(c);
}
