/*
 * feedmesh: the public HTTP side (evhttp): merged listings (Atom, JSON
 * Feed, GeoJSON), /health, /metrics, /stats.json, /peers.opml.
 * Rendered listings are kept in memory until the store changes.
 */
#ifndef FEEDMESH_SERVE_H
#define FEEDMESH_SERVE_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct evhttp_request;
struct config;
struct store;
struct serve;
struct serve_reply;
struct buf;
struct entry;
struct query;

/* The listing formats; the HTML pages come last (serve.c). */
enum serve_format {
	SERVE_ATOM,
	SERVE_JSON,
	SERVE_GEOJSON,
	SERVE_ACTORS,
	SERVE_HTML,		/* the home page */
	SERVE_EMBED,		/* the listing for an <iframe> */
	SERVE_MAP,		/* the map page, its list of actors */
	SERVE_NFORMATS
};

struct serve	*serve_new(struct event_base *, struct store *,
		    const struct config *);
/* Binds "address:port" (IPv6 as "[addr]:port"); 0 or -1, logged. */
int		 serve_listen(struct serve *, const char *listen);
/* After a reload: new titles, limits; the listener is kept. */
void		 serve_set_config(struct serve *, const struct config *);
void		 serve_free(struct serve *);

/* The local port of the socket bound last (useful with port 0), or -1. */
int		 serve_port(const struct serve *);

/*
 * Other modules (WebSub hub and subscriber, publishing) answer their own
 * paths. serve counts the connection, then calls the handler, which
 * fills the reply with the functions below; serve adds the common
 * headers, logs the request and sends the reply when the handler
 * returns. A prefix route also matches what is under its path
 * ("/entries" matches "/entries/x", not "/entriesx"). Request bodies
 * are bounded by max_body_size before any handler runs (413).
 */
typedef void	(*serve_handler_cb)(struct serve_reply *, void *arg);
int		 serve_route(struct serve *, const char *path, int prefix,
		    serve_handler_cb, void *arg);

struct evhttp_request *serve_reply_request(struct serve_reply *);
/* The decoded path of the request ("/entries/x"). */
const char	*serve_reply_path(const struct serve_reply *);
/* The client as "addr:port" for log lines, and its address alone. */
const char	*serve_reply_client(const struct serve_reply *);
const char	*serve_reply_client_host(const struct serve_reply *);
/* A short plain-text answer: errors, and small confirmations. */
void		 serve_reply_text(struct serve_reply *, int code,
		    const char *reason, const char *msg);
void		 serve_reply_data(struct serve_reply *, int code,
		    const char *reason, const char *content_type,
		    const void *data, size_t len);
void		 serve_reply_header(struct serve_reply *, const char *name,
		    const char *value);
/* The reason logged with the answer (a copy is not made: keep it live). */
void		 serve_reply_why(struct serve_reply *, const char *why);

/*
 * The node's WebSub hub URL: listings then advertise it (Link headers and
 * links inside Atom and JSON Feed); NULL stops advertising.
 */
void		 serve_set_hub(struct serve *, const char *hub_url);
const char	*serve_public_url(const struct serve *);

/*
 * Counts a listing or an embed served (200 or 304) under a format name
 * ("atom", "json", "geojson", "actors", "embed"...): a metric, and the
 * day's count written to the store at most once a minute (stats.h).
 */
void		 serve_count(struct serve *, const char *format);
/* Writes the pending served counts now (before a report). */
void		 serve_flush_counts(struct serve *);

/*
 * The document of the listing of q in format fmt holding just these
 * entries, appended to out: the same feed id, title, self and hub links
 * as the served listing (the hub's content distributions).
 */
void		 serve_render_topic(struct serve *, enum serve_format,
		    const struct query *, struct entry *const *, size_t,
		    struct buf *out);

/* Counters, for tests and the admin interface. */
struct serve_stats {
	uint64_t	 requests;
	uint64_t	 served;	/* listings and embeds (serve_count) */
	uint64_t	 renders;	/* listings built from the store */
	uint64_t	 cache_hits;
	uint64_t	 not_modified;	/* 304 answers */
	uint64_t	 refused;	/* connections over max_connections */
	int		 connections;	/* open connections counted */
	size_t		 cache_entries;
	size_t		 cache_bytes;
};
void		 serve_stats(const struct serve *, struct serve_stats *);

#endif
