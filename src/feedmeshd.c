/*
 * feedmesh: the node daemon. Pulls its peers, deduplicates into SQLite,
 * serves merged listings; reloads on SIGHUP, stops on SIGTERM/SIGINT.
 */
#include <sys/types.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <event2/event.h>
#include <event2/http.h>
#include <jansson.h>
#include <libxml/parser.h>

#include "admin.h"
#include "buf.h"
#include "conf.h"
#include "config.h"
#include "fetch.h"
#include "hub.h"
#include "log.h"
#include "metrics.h"
#include "pull.h"
#include "publish.h"
#include "serve.h"
#include "stats.h"
#include "store.h"
#include "websub.h"

/* Descriptors beside the connections: transfers, memory files, store. */
#define NODE_SPARE_FILES	512
/* Seconds without a write before the full-text index is merged. */
#define NODE_IDLE_SECONDS	2

struct node {
	struct event_base	*base;
	struct config		*conf;
	struct store		*store;
	struct serve		*serve;
	struct fetcher		*fetcher;
	struct pull		*pull;
	struct websub		*websub;
	struct admin		*admin;
	struct hub		*hub;
	struct publish		*publish;
	struct event		*ev_hup;
	struct event		*ev_term;
	struct event		*ev_int;
	struct event		*ev_idle;
	struct metric		*m_merges;
	uint64_t		 idle_gen;	/* generation at the last look */
	uint64_t		 merged_gen;	/* index merged at this one */
	long			 idle_steps;	/* steps of the current run */
	char			*pidfile;
	int			 pidfd;
	int			 verbose;
	time_t			 started;
};

static void	 usage(void) __attribute__((noreturn));
static struct event_base *node_base_new(void);
static void	 node_limits(const struct config *, struct fetcher_limits *);
static int	 node_pidfile(struct node *, int);
static void	 node_raise_nofile(const struct config *);
static int	 node_reload(struct node *, const char **);
static void	 node_signal_cb(evutil_socket_t, short, void *);
static void	 node_idle_cb(evutil_socket_t, short, void *);
static json_t	*node_status_cb(void *);
static json_t	*node_peers_cb(void *);
static int	 node_fetch_cb(void *, const char *, const char **);
static int	 node_reload_cb(void *, const char **);
static int	 node_log_level(const struct config *, int);
static int	 node_publish_cb(const char *, void *);

static void
usage(void)
{
	fprintf(stderr, "usage: feedmeshd [-dnv] [-f file]\n");
	exit(1);
}

static int
node_log_level(const struct config *conf, int verbose)
{
	int	 level = conf->log_level + verbose;

	return (level > LOG_LEVEL_DEBUG ? LOG_LEVEL_DEBUG : level);
}

static void
node_limits(const struct config *conf, struct fetcher_limits *lim)
{
	memset(lim, 0, sizeof(*lim));
	lim->max_transfers = conf->max_fetches;
	lim->max_per_host = conf->max_per_host;
	lim->host_gap_ms = conf->host_gap_ms;
	lim->allow_private = conf->allow_private;
}

/*
 * Descriptors: a connection each, the transfers in flight, and a memory
 * file per large cached listing (serve.c sends those with sendfile). A
 * soft limit left at 1024 runs out before max_connections does, so it
 * is raised to the hard one, and a limit still too low is said.
 */
static void
node_raise_nofile(const struct config *conf)
{
	struct rlimit	 rl;
	rlim_t		 want;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1) {
		log_warn("getrlimit");
		return;
	}
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("setrlimit");
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	want = (rlim_t)conf->max_connections + NODE_SPARE_FILES;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want)
		log_warnx("open files limited to %llu, fewer than "
		    "max_connections (%d) and %d spare: raise LimitNOFILE or "
		    "ulimit -n, or lower max_connections",
		    (unsigned long long)rl.rlim_cur, conf->max_connections,
		    NODE_SPARE_FILES);
}

/*
 * Takes the pidfile's lock so that two daemons cannot share one store,
 * then writes the pid. Called again after daemon(): the lock, held on
 * the open file description, survives the fork.
 */
static int
node_pidfile(struct node *n, int write_pid)
{
	char	 buf[32];
	int	 len;

	if (n->pidfile == NULL)
		return (0);
	if (n->pidfd == -1) {
		n->pidfd = open(n->pidfile, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (n->pidfd == -1) {
			log_warn("pidfile %s", n->pidfile);
			return (-1);
		}
		if (flock(n->pidfd, LOCK_EX | LOCK_NB) == -1) {
			log_warnx("pidfile %s is locked: another feedmeshd "
			    "is running", n->pidfile);
			close(n->pidfd);
			n->pidfd = -1;
			return (-1);
		}
	}
	if (!write_pid)
		return (0);
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(n->pidfd, 0) == -1 ||
	    pwrite(n->pidfd, buf, (size_t)len, 0) != len) {
		log_warn("pidfile %s: write", n->pidfile);
		return (-1);
	}
	return (0);
}

/*
 * A new configuration is read whole and checked before anything changes;
 * on any error the running one stays, untouched.
 */
static int
node_reload(struct node *n, const char **why)
{
	struct config		*nc, *old = n->conf;
	struct fetcher_limits	 lim;

	log_info("reloading %s", old->path);
	if ((nc = conf_load(old->path)) == NULL) {
		log_warnx("reload refused: %s has errors; the running "
		    "configuration stays", old->path);
		*why = "the configuration has errors (see the daemon's log)";
		return (-1);
	}
	if (strcmp(nc->listen, old->listen) != 0)
		log_warnx("reload: listen changed; it takes effect at the "
		    "next restart");
	if (strcmp(nc->store, old->store) != 0)
		log_warnx("reload: store changed; it takes effect at the "
		    "next restart");
	if (strcmp(nc->admin, old->admin) != 0)
		log_warnx("reload: admin changed; it takes effect at the "
		    "next restart");
	log_set_level(node_log_level(nc, n->verbose));
	node_limits(nc, &lim);
	fetcher_set_limits(n->fetcher, &lim);
	serve_set_config(n->serve, nc);
	pull_reconfigure(n->pull, nc);
	websub_reconfigure(n->websub, nc);
	hub_set_config(n->hub, nc);
	publish_set_config(n->publish, nc);
	n->conf = nc;
	conf_free(old);
	log_info("configuration reloaded: %d peers", pull_npeers(n->pull));
	return (0);
}

static void
node_signal_cb(evutil_socket_t sig, short ev, void *arg)
{
	struct node	*n = arg;
	const char	*why;

	(void)ev;
	switch (sig) {
	case SIGHUP:
		node_reload(n, &why);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("received %s, stopping", sig == SIGTERM ?
		    "SIGTERM" : "SIGINT");
		/* Callbacks run to the end: no transaction is left open. */
		event_base_loopexit(n->base, NULL);
		break;
	}
}

/*
 * The node's upkeep when idle: once nothing has been written for
 * NODE_IDLE_SECONDS, the full-text index's segments (one more per
 * fetched document) are merged by bounded steps, one per loop turn so
 * that requests and transfers go on between them, until none is left
 * or a write comes (the next quiet moment goes on from there). A page
 * of a listing walks every segment holding its word.
 */
static void
node_idle_cb(evutil_socket_t fd, short what, void *arg)
{
	struct node	*n = arg;
	struct timeval	 tv = { NODE_IDLE_SECONDS, 0 };
	uint64_t	 gen = store_generation(n->store);
	int		 rc;

	(void)fd;
	(void)what;
	if (gen != n->idle_gen) {
		/* Written since the last look: not idle yet. */
		n->idle_gen = gen;
		n->idle_steps = 0;
	} else if (gen != n->merged_gen) {
		rc = store_fts_maintain(n->store, STORE_FTS_STEP_PAGES);
		if (rc == 1) {
			n->idle_steps++;
			metrics_inc(n->m_merges, NULL, 1);
			tv.tv_sec = 0;
		} else {
			/* On an error too: tried again after the next write. */
			n->merged_gen = gen;
			if (rc == 0 && n->idle_steps > 0)
				log_debug("%s: full-text index merged in %ld "
				    "steps", __func__, n->idle_steps);
			n->idle_steps = 0;
		}
	}
	if (evtimer_add(n->ev_idle, &tv) == -1)
		log_warnx("%s: evtimer_add", __func__);
}

/* Gauges read when /metrics is: the store's size and contents, peers. */
static void
node_metrics_cb(struct buf *b, void *arg)
{
	struct node		*n = arg;
	struct store_ckpt_stats	 cs;

	metrics_write_gauge(b, "feedmesh_store_bytes",
	    "Size of the SQLite store (pages times page size)",
	    (double)store_size(n->store));
	metrics_write_gauge(b, "feedmesh_entries",
	    "Entries stored (tombstones not counted)",
	    (double)store_count_entries(n->store));
	metrics_write_gauge(b, "feedmesh_fts_segments",
	    "Segments of the full-text index (merged when the node is idle)",
	    (double)store_fts_segments(n->store));
	metrics_write_gauge(b, "feedmesh_peers", "Peers configured",
	    (double)pull_npeers(n->pull));
	metrics_write_gauge(b, "feedmesh_uptime_seconds",
	    "Seconds since the daemon started",
	    (double)(time(NULL) - n->started));
	/*
	 * Counted by the store under its checkpointer's lock: a counter
	 * family written here rather than registered and bumped.
	 */
	store_checkpointer_stats(n->store, &cs);
	buf_printf(b, "# HELP feedmesh_wal_checkpoints_total Checkpoints of "
	    "the store's write-ahead log, by who ran them: the checkpointer "
	    "thread, the writer copying what the thread left, the writer "
	    "copying it all (the log past four times its threshold)\n"
	    "# TYPE feedmesh_wal_checkpoints_total counter\n"
	    "feedmesh_wal_checkpoints_total{by=\"thread\"} %llu\n"
	    "feedmesh_wal_checkpoints_total{by=\"finish\"} %llu\n"
	    "feedmesh_wal_checkpoints_total{by=\"fallback\"} %llu\n",
	    (unsigned long long)cs.thread, (unsigned long long)cs.finish,
	    (unsigned long long)cs.fallback);
}

/* Admin GET /stats?from=&to=&by=: the figures of a period (stats.h). */
static json_t *
node_stats_cb(const struct evkeyvalq *query, const char *body, size_t len,
    int *code, void *arg)
{
	struct node	*n = arg;
	enum stats_by	 by;
	int64_t		 from, to;
	const char	*why = NULL;
	json_t		*j;

	(void)body;
	(void)len;
	if (stats_params(evhttp_find_header(query, "from"),
	    evhttp_find_header(query, "to"), evhttp_find_header(query, "by"),
	    &from, &to, &by, &why) == -1) {
		*code = 400;
		return (json_pack("{s:s}", "error", why));
	}
	serve_flush_counts(n->serve);
	if ((j = stats_report(n->store, from, to, by)) == NULL) {
		*code = 500;
		return (json_pack("{s:s}", "error", "store unavailable"));
	}
	*code = 200;
	return (j);
}

static json_t *
node_status_cb(void *arg)
{
	struct node	*n = arg;

	return (json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:i, s:I, s:o, "
	    "s:i, s:i}",
	    "node", n->conf->node, "title", n->conf->title,
	    "version", PACKAGE_VERSION, "public_url", n->conf->public_url,
	    "uptime", (json_int_t)(time(NULL) - n->started),
	    "entries", (json_int_t)store_count_entries(n->store),
	    "peers", pull_npeers(n->pull),
	    "pid", (json_int_t)getpid(),
	    "hub", hub_status_json(n->hub),
	    "fetches_running", fetcher_active(n->fetcher),
	    "fetches_queued", fetcher_queued(n->fetcher)));
}

/* A publisher's ping for a feed: fetch the peer that polls that URL. */
static int
node_publish_cb(const char *url, void *arg)
{
	struct node		*n = arg;
	struct peer_conf	*pc;
	const char		*why;

	TAILQ_FOREACH(pc, &n->conf->peers, next)
		if (pc->enabled && strcmp(pc->url, url) == 0)
			break;
	if (pc == NULL)
		return (-1);
	if (pull_fetch_now(n->pull, pc->name, &why) == -1)
		log_info("publisher ping for peer %s: %s", pc->name, why);
	return (0);
}

static json_t *
node_peers_cb(void *arg)
{
	struct node	*n = arg;

	return (pull_peers_json(n->pull));
}

static int
node_fetch_cb(void *arg, const char *peer, const char **why)
{
	struct node	*n = arg;

	return (pull_fetch_now(n->pull, peer, why));
}

static int
node_reload_cb(void *arg, const char **why)
{
	return (node_reload(arg, why));
}

/*
 * The one event loop. With epoll, changes to a descriptor's events are
 * collected and applied once per loop turn: evhttp turns reading off
 * and writing on for every reply, then back, and a keep-alive request
 * costs two epoll_ctl(2) calls instead of four. libevent warns that
 * the changelist misbehaves with dup(2)ed descriptors in the loop; the
 * daemon dups none (libcurl neither).
 */
static struct event_base *
node_base_new(void)
{
	struct event_config	*cfg;
	struct event_base	*base;

	if ((cfg = event_config_new()) == NULL)
		return (NULL);
	if (event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST)
	    == -1)
		log_debug("%s: no epoll changelist", __func__);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	if (base == NULL)
		base = event_base_new();
	return (base);
}

int
main(int argc, char *argv[])
{
	struct node		 n;
	struct fetcher_limits	 lim;
	struct admin_ops	 ops;
	const char		*path = FEEDMESH_SYSCONFDIR "/feedmesh.conf";
	char			*abspath;
	int			 ch, debug = 0, check = 0;

	memset(&n, 0, sizeof(n));
	n.pidfd = -1;
	while ((ch = getopt(argc, argv, "df:nv")) != -1) {
		switch (ch) {
		case 'd':
			debug = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			check = 1;
			break;
		case 'v':
			n.verbose++;
			break;
		default:
			usage();
		}
	}
	if (argc != optind)
		usage();

	/* Until detached, every error goes to the administrator's terminal. */
	log_init(1, LOG_LEVEL_INFO + n.verbose, "feedmeshd");
	/*
	 * daemon() moves to "/": the file is named absolutely so that a
	 * reload reads the same file, and relative paths in it still
	 * resolve against its directory.
	 */
	if ((abspath = realpath(path, NULL)) == NULL) {
		log_warn("%s", path);
		exit(1);
	}
	if ((n.conf = conf_load(abspath)) == NULL)
		exit(1);
	free(abspath);
	if (check) {
		printf("configuration OK\n");
		conf_free(n.conf);
		exit(0);
	}
	log_set_level(node_log_level(n.conf, n.verbose));
	node_raise_nofile(n.conf);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		fatalx("curl_global_init");
	xmlInitParser();
	log_route_libraries();
	n.started = time(NULL);

	/* conf.c has made store, admin and pidfile absolute. */
	if (n.conf->pidfile != NULL && (n.pidfile = strdup(n.conf->pidfile))
	    != NULL && node_pidfile(&n, 0) == -1 && !debug)
		exit(1);
	if ((n.store = store_open(n.conf->store)) == NULL)
		exit(1);
	if ((n.base = node_base_new()) == NULL)
		fatalx("event_base_new");
	if ((n.serve = serve_new(n.base, n.store, n.conf)) == NULL ||
	    serve_listen(n.serve, n.conf->listen) == -1)
		exit(1);
	memset(&ops, 0, sizeof(ops));
	ops.status = node_status_cb;
	ops.peers = node_peers_cb;
	ops.fetch = node_fetch_cb;
	ops.reload = node_reload_cb;
	ops.arg = &n;
	if ((n.admin = admin_new(n.base, n.conf->admin, n.conf->admin_port,
	    &ops)) == NULL ||
	    admin_route(n.admin, "GET", "/stats", node_stats_cb, &n) == -1)
		exit(1);
	metrics_add_collector(node_metrics_cb, &n);

	if (!debug) {
		if (daemon(0, 0) == -1)
			fatal("daemon");
		log_init(0, node_log_level(n.conf, n.verbose), "feedmeshd");
		if (event_reinit(n.base) == -1)
			fatalx("event_reinit");
	}
	if (n.pidfd != -1 && node_pidfile(&n, 1) == -1 && !debug)
		exit(1);
	/*
	 * After daemon(): a thread does not survive fork(). Without it
	 * (logged), commits go on checkpointing in line.
	 */
	store_checkpointer_start(n.store, 0);

	node_limits(n.conf, &lim);
	n.fetcher = fetcher_new(n.base, &lim);
	n.pull = pull_new(n.base, n.store, n.fetcher, n.conf);
	if ((n.websub = websub_new(n.base, n.store, n.serve, n.conf)) == NULL)
		exit(1);
	pull_set_websub(n.pull, n.websub);
	if ((n.hub = hub_new(n.base, n.store, n.serve, n.admin, n.conf)) ==
	    NULL)
		exit(1);
	hub_set_publish_cb(n.hub, node_publish_cb, &n);
	if ((n.publish = publish_new(n.base, n.store, n.serve, n.admin,
	    n.conf)) == NULL)
		fatalx("cannot set up publishing");
	n.ev_hup = evsignal_new(n.base, SIGHUP, node_signal_cb, &n);
	n.ev_term = evsignal_new(n.base, SIGTERM, node_signal_cb, &n);
	n.ev_int = evsignal_new(n.base, SIGINT, node_signal_cb, &n);
	if (n.ev_hup == NULL || n.ev_term == NULL || n.ev_int == NULL ||
	    evsignal_add(n.ev_hup, NULL) == -1 ||
	    evsignal_add(n.ev_term, NULL) == -1 ||
	    evsignal_add(n.ev_int, NULL) == -1)
		fatalx("cannot install signal events");
	/* A store left with segments to merge is merged at the first lull. */
	n.idle_gen = n.merged_gen = UINT64_MAX;
	n.m_merges = metrics_add_counter("feedmesh_fts_merge_steps_total",
	    "Merge steps of the full-text index run while idle", NULL);
	if ((n.ev_idle = evtimer_new(n.base, node_idle_cb, &n)) == NULL)
		fatalx("evtimer_new");
	node_idle_cb(-1, 0, &n);
	log_info("node %s listening on %s, %s", n.conf->node, n.conf->listen,
	    n.conf->public_url);

	event_base_dispatch(n.base);

	hub_free(n.hub);
	publish_free(n.publish);
	pull_free(n.pull);
	websub_free(n.websub);
	fetcher_free(n.fetcher);
	admin_free(n.admin);
	serve_free(n.serve);
	store_close(n.store);
	metrics_free();
	event_free(n.ev_hup);
	event_free(n.ev_term);
	event_free(n.ev_int);
	event_free(n.ev_idle);
	event_base_free(n.base);
	if (n.pidfd != -1) {
		unlink(n.pidfile);
		close(n.pidfd);
	}
	free(n.pidfile);
	conf_free(n.conf);
	curl_global_cleanup();
	xmlCleanupParser();
	log_info("stopped");
	return (0);
}
