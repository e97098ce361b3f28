/*
 * feedmesh: HTTP fetches on libcurl's multi interface, driven by the
 * libevent loop. A bounded window of transfers runs at once, a few per
 * host with a minimum gap; the rest wait in a queue. Bodies are handed to
 * the caller chunk by chunk as they arrive, decompressed.
 */
#ifndef FEEDMESH_FETCH_H
#define FEEDMESH_FETCH_H

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct fetcher;
struct fetch;

struct fetcher_limits {
	int	 max_transfers;		/* in the multi handle at once */
	int	 max_per_host;
	int	 host_gap_ms;		/* between two starts to one host */
	int	 allow_private;		/* loopback/private/link-local ok */
};

struct fetch_request {
	const char	*url;
	const char	*etag;		/* If-None-Match, or NULL */
	const char	*last_modified;	/* If-Modified-Since, or NULL */
	const char	*user_agent;
	size_t		 max_size;	/* abort once the body crosses it */
	long		 connect_timeout;	/* seconds */
	long		 timeout;		/* seconds, whole transfer */
	long		 max_redirects;
	const char	*label;		/* for log lines: the peer's name */
};

struct fetch_result {
	long		 status;	/* HTTP status; 0 if none */
	const char	*error;		/* NULL on a completed transfer */
	const char	*etag;
	const char	*last_modified;
	const char	*content_type;
	const char	*effective_url;
	const char	*moved_to;	/* last 301/308 target in the chain */
	const char	*link_header;	/* raw Link: headers, joined by ", " */
	int64_t		 retry_after;	/* seconds, -1 if none */
	int64_t		 max_age;	/* Cache-Control max-age or Expires, -1 */
	size_t		 body_size;	/* bytes after decoding */
	double		 total_time;	/* seconds */
};

/* A chunk of body; returning -1 aborts the transfer. */
typedef int	(*fetch_data_cb)(const char *, size_t, void *arg);
/* Called once at the end, whatever happened; res is valid for the call. */
typedef void	(*fetch_done_cb)(const struct fetch_result *res, void *arg);

struct fetcher	*fetcher_new(struct event_base *, const struct fetcher_limits *);
void		 fetcher_set_limits(struct fetcher *, const struct fetcher_limits *);
void		 fetcher_free(struct fetcher *);	/* cancels everything */

/* Queues a fetch; NULL on a request that cannot be made (logged). */
struct fetch	*fetch_start(struct fetcher *, const struct fetch_request *,
		    fetch_data_cb, fetch_done_cb, void *arg);
/* Cancels without calling done_cb. */
void		 fetch_cancel(struct fetch *);
int		 fetcher_active(const struct fetcher *);
int		 fetcher_queued(const struct fetcher *);

#endif
