/*
 * feedmesh: configuration, read from a main file and one file per peer
 * in a directory: "key = value" lines and "#" comments. Every error is
 * reported as "file:line: message" and parsing goes on to report them all.
 */
#ifndef FEEDMESH_CONF_H
#define FEEDMESH_CONF_H

#include <sys/queue.h>

#include <stddef.h>

enum conf_identity {
	IDENTITY_AUTO,		/* id, else permalink, else digest; per document */
	IDENTITY_ID,
	IDENTITY_LINK,
	IDENTITY_DIGEST
};

struct strmap;

/* One line "name token" of the publishers file. */
#define CONF_TOKEN_MIN		16
struct conf_publisher {
	char	*name;
	char	*token;
};

/* A NULL-terminated list of values, from a comma-separated key. */
struct conf_list {
	char	**items;
	size_t	  n;
};

struct conf_filter {
	struct conf_list	 kinds;
	struct conf_list	 territories;	/* prefix match */
	struct conf_list	 categories;
};

struct peer_conf {
	TAILQ_ENTRY(peer_conf)	 next;
	char			*name;		/* file name without .conf */
	char			*file;
	char			*url;
	int			 interval;	/* seconds */
	char			*kind;		/* default for entries without */
	char			*territory;
	struct conf_filter	 include;	/* empty: everything */
	struct conf_filter	 exclude;
	int			 enabled;
	enum conf_identity	 identity;
	int			 push;		/* CONF_PUSH_* */
	int			 moderation;	/* 1: hold new entries */
};
TAILQ_HEAD(peer_conf_list, peer_conf);

/* A peer's "push": pull only, or subscribe to its WebSub hub too. */
#define CONF_PUSH_NONE		0
#define CONF_PUSH_WEBSUB	1

struct config {
	char		*path;		/* main file as given */
	char		*node;		/* short name */
	char		*title;
	char		*public_url;	/* absolute, no trailing slash */
	char		*listen;	/* "address:port" */
	char		*store;		/* SQLite path, relative to main file */
	char		*peers_dir;	/* relative to main file */
	char		*admin;		/* unix socket path or 127.0.0.1:port */
	int		 admin_port;	/* 0: admin is a unix socket path */
	char		*pidfile;
	int		 log_level;	/* LOG_LEVEL_* */
	int		 allow_private;

	int		 poll_interval;		/* default peer interval, s */
	int		 min_interval;		/* bounds for max-age/ttl/backoff */
	int		 max_interval;
	int		 backoff_max;		/* cap of the failure backoff, s */
	int		 jitter_percent;
	int		 connect_timeout;	/* s */
	int		 fetch_timeout;		/* s */
	size_t		 max_document_size;	/* bytes */
	int		 max_redirects;
	int		 max_fetches;		/* concurrent transfers */
	int		 max_per_host;
	int		 host_gap_ms;

	int		 listing_limit;		/* default page size */
	int		 listing_max;		/* largest limit accepted */
	int		 cache_max_age;		/* Cache-Control on listings, s */
	int		 max_connections;	/* HTTP */
	size_t		 max_body_size;		/* accepted request bodies */
	char		*assets_dir;	/* files served under /assets/ */
	char		*map_tiles;	/* tile URL template, or NULL */

	int		 push_poll_interval;	/* pull interval while live, s */
	int		 websub_lease;		/* lease asked of hubs, s */
	/* Addresses or CIDR blocks; empty metrics_allow: loopback only. */
	struct conf_list metrics_allow;		/* may read /metrics */
	struct conf_list trusted_proxies;	/* X-Forwarded-* believed */

	int		 hub;			/* WebSub hub for the listings */
	int		 hub_lease_default;	/* s */
	int		 hub_lease_min;
	int		 hub_lease_max;
	int		 push_timeout;		/* s, one content distribution */
	int		 push_retry_for;	/* s, before a subscription stops */
	int		 max_pushes;		/* concurrent distributions */

	/* Publishing, expiry (publish.c). */
	char		*publishers_file;	/* NULL: no publishing */
	struct conf_publisher	*publishers;
	size_t		 npublishers;
	int		 tombstone_ttl;		/* s, listed that long */
	int		 expire_interval;	/* s, between expiry sweeps */

	struct peer_conf_list	 peers;
	int			 npeers;
	/*
	 * The same peers by name, for conf_peer_find(): a reload of ten
	 * thousand peers looked each one up in the list, 1.1 s of the event
	 * loop spent in strcmp.
	 */
	struct strmap		*peer_names;
};

/* Loads and checks path and its peers directory; NULL if anything is wrong. */
struct config		*conf_load(const char *path);
void			 conf_free(struct config *);
struct peer_conf	*conf_peer_find(const struct config *, const char *name);
/* 1 if the two peer definitions would poll the same way. */
int			 conf_peer_equal(const struct peer_conf *,
			    const struct peer_conf *);
/* Resolves a path relative to the main file's directory; new string. */
char			*conf_path(const struct config *, const char *);

/* 1 if entry fields pass a peer's include and exclude filters. */
int			 conf_filter_pass(const struct peer_conf *,
			    const char *kind, const char *territory,
			    const char *const *categories, size_t ncategories);

#endif
