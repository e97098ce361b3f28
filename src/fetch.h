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
struct sockaddr;
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
	/* Added: a peer slower than low_speed_limit bytes/s for
	 * low_speed_time seconds is dropped. */
	long		 low_speed_limit;
	long		 low_speed_time;
	/*
	 * Added for WebSub: a method other than GET ("POST", "PUT",
	 * "DELETE"; NULL is GET), a request body (copied at fetch_start),
	 * and extra header lines "Name: value", NULL-terminated; a line
	 * with CR or LF is refused. Redirects of a POST are the caller's
	 * choice (max_redirects = 0 for WebSub requests).
	 */
	const char	*method;
	const char	*body;
	size_t		 body_len;
	const char *const *headers;
};

/*
 * Zero in a size or time field of a request means the default below;
 * max_redirects is taken as it is (0: none followed), the default only
 * when negative. The body of a non-2xx response is counted against
 * max_size but not handed to data_cb: an error page is not a feed.
 */
#define FETCH_DEFAULT_MAX_SIZE		(16 * 1024 * 1024)
#define FETCH_DEFAULT_CONNECT_TIMEOUT	30
#define FETCH_DEFAULT_TIMEOUT		120
#define FETCH_DEFAULT_MAX_REDIRECTS	5
#define FETCH_DEFAULT_LOW_SPEED_LIMIT	64
#define FETCH_DEFAULT_LOW_SPEED_TIME	30

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
/*
 * Cancels without calling done_cb. Safe from any callback; fetcher_free is
 * too (the fetcher then goes away once the callback returns).
 */
void		 fetch_cancel(struct fetch *);
/*
 * While the body arrives (from data_cb): the Content-Type of the response
 * and the URL it came from after redirects, for the parser's charset and
 * base. NULL when unknown.
 */
const char	*fetch_content_type(const struct fetch *);
const char	*fetch_effective_url(const struct fetch *);
int		 fetcher_active(const struct fetcher *);
int		 fetcher_queued(const struct fetcher *);
/* Milliseconds of the monotonic clock, the clock of fetch deadlines. */
int64_t		 fetch_now_ms(void);

/*
 * Added: 1 if a peer at this address is refused unless allow_private:
 * loopback, private, link-local, CGNAT, unspecified, multicast, reserved,
 * and IPv6 forms embedding such an IPv4 address.
 */
int		 fetch_address_private(const struct sockaddr *, size_t);

#endif
