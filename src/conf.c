/*
 * feedmesh: the configuration, a strict "key = value" parser for the main
 * file and the peer files, reporting every error as "file:line: message".
 */
#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf.h"
#include "entry.h"
#include "log.h"
#include "netaddr.h"
#include "strmap.h"

/*
 * Defaults live in the keyword tables below, written as they would be in
 * the file and parsed by the same code; only these two are not plain
 * values. The pid file and admin socket default to /run whatever the
 * prefix: it is where Debian and systemd keep runtime state.
 */
#define CONF_DEFAULT_PIDFILE	"/run/feedmesh/feedmeshd.pid"
#define CONF_DEFAULT_ADMIN	"/run/feedmesh/feedmeshctl.sock"
#define CONF_DEFAULT_ASSETS_DIR	"/usr/share/javascript"

#define CONF_LINE_MAX		4096	/* bytes, newline included */
#define CONF_PEER_NAME_MAX	64
#define CONF_TEXT_MAX		256	/* title */
#define CONF_SUGGEST_MAX	32	/* longest key given a suggestion */

#define CONF_KB			1024LL
#define CONF_MB			(1024LL * 1024)
#define CONF_GB			(1024LL * 1024 * 1024)

#define CONF_REQUIRED		0x01

struct conf_file;
struct conf_key;

typedef int	(*conf_set_fn)(struct conf_file *, const struct conf_key *,
		    const char *);

/* One row of a keyword table; a new key is one more row. */
struct conf_key {
	const char	*name;
	conf_set_fn	 set;
	size_t		 off;		/* of the field in the target struct */
	long long	 min;		/* range of numbers, length of text */
	long long	 max;
	const char	*def;		/* default, as written in a file */
	int		 flags;
};

/* What became of each key of the table while reading one file. */
struct conf_seen {
	int	 line;			/* where given; 0: not given */
	int	 failed;		/* given with a bad value */
};

/* The state of reading one file into one struct. */
struct conf_file {
	const char		*name;		/* as shown in messages */
	struct config		*conf;
	void			*target;	/* struct config or peer_conf */
	const struct conf_key	*keys;
	size_t			 nkeys;
	const struct conf_key	*other;		/* the other kind of file */
	size_t			 nother;
	const char		*other_where;
	struct conf_seen	*seen;
	int			 line;
	int			 errors;
};

struct conf_unit {
	char		 c;
	long long	 mult;
};

static void	 conf_errx(struct conf_file *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
static char	*conf_strdup(const char *);
static void	 conf_check_tables(void);
static int	 conf_key_cmp(const void *, const void *);
static const struct conf_key *conf_key_find(const struct conf_key *, size_t,
		    const char *);
static int	 conf_distance(const char *, const char *);
static void	 conf_unknown(struct conf_file *, const char *);
static int	 conf_split(struct conf_file *, char *, char **, char **);
static void	 conf_assign(struct conf_file *, const char *, const char *);
static int	 conf_file_read(struct conf_file *, const char *);
static void	 conf_file_finish(struct conf_file *);
static void	 conf_check_order(struct conf_file *, const char *,
		    const char *);
static int	 conf_number(const char *, const struct conf_unit *,
		    long long *);
static int	 conf_set_number(struct conf_file *, const struct conf_key *,
		    const char *, const struct conf_unit *, long long *);
static void	 conf_fmt_size(char *, size_t, long long);
static const char *conf_url_check(const char *, int, char *, size_t);
static int	 conf_hostport(const char *, char *, size_t, int *, char *,
		    size_t);
static int	 conf_list_add(struct conf_file *, const struct conf_key *,
		    const char *, int (*)(const char *), const char *);
static void	 conf_list_clear(struct conf_list *);
static int	 conf_list_equal(const struct conf_list *,
		    const struct conf_list *);
static int	 conf_list_has(const struct conf_list *, const char *);
static int	 conf_territory_match(const char *, const char *);
static int	 conf_territories_match(const struct conf_list *,
		    const char *);
static int	 conf_categories_match(const struct conf_list *,
		    const char *const *, size_t);
static void	 conf_kinds_str(char *, size_t);
static int	 conf_peer_name_valid(const char *);
static int	 conf_peer_file_wanted(const char *);
static int	 conf_name_cmp(const void *, const void *);
static int	 conf_peers_load(struct conf_file *, int);
static int	 conf_peer_load(struct config *, const char *, const char *,
		    struct strmap *);
static void	 conf_peer_free(struct peer_conf *);

static int	 conf_set_string(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_node(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_public_url(struct conf_file *,
		    const struct conf_key *, const char *);
static int	 conf_set_url(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_listen(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_admin(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_path(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_log_level(struct conf_file *,
		    const struct conf_key *, const char *);
static int	 conf_set_bool(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_int_units(struct conf_file *,
		    const struct conf_key *, const char *,
		    const struct conf_unit *);
static int	 conf_set_int(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_time(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_size(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_kind(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_territory(struct conf_file *,
		    const struct conf_key *, const char *);
static int	 conf_set_kinds(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_territories(struct conf_file *,
		    const struct conf_key *, const char *);
static int	 conf_set_categories(struct conf_file *,
		    const struct conf_key *, const char *);
static int	 conf_set_identity(struct conf_file *,
		    const struct conf_key *, const char *);
static int	 conf_set_tiles(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_choose(struct conf_file *, const struct conf_key *,
		    const char *, const char *const *, const char *);
static int	 conf_set_push(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_addrs(struct conf_file *, const struct conf_key *,
		    const char *);
static int	 conf_set_moderation(struct conf_file *,
		    const struct conf_key *, const char *);
static int	 conf_publishers_load(struct conf_file *, int);
static void	 conf_publishers_free(struct config *);

/* The main file's keys, sorted by name for bsearch(). */
#define M(field)	offsetof(struct config, field)
static const struct conf_key conf_main_keys[] = {
	{ "admin", conf_set_admin, M(admin), 0, 0, CONF_DEFAULT_ADMIN, 0 },
	{ "allow_private", conf_set_bool, M(allow_private), 0, 1, "no", 0 },
	{ "assets_dir", conf_set_path, M(assets_dir), 0, 0,
	    CONF_DEFAULT_ASSETS_DIR, 0 },
	{ "backoff_max", conf_set_time, M(backoff_max), 1, 604800, "21600", 0 },
	{ "cache_max_age", conf_set_time, M(cache_max_age), 0, 86400, "60", 0 },
	{ "connect_timeout", conf_set_time, M(connect_timeout), 1, 300, "10",
	    0 },
	{ "expire_interval", conf_set_time, M(expire_interval), 1, 86400, "60",
	    0 },
	{ "fetch_timeout", conf_set_time, M(fetch_timeout), 1, 3600, "60", 0 },
	{ "host_gap_ms", conf_set_int, M(host_gap_ms), 0, 60000, "1000", 0 },
	{ "hub", conf_set_bool, M(hub), 0, 1, "yes", 0 },
	{ "hub_lease_default", conf_set_time, M(hub_lease_default), 60,
	    31536000, "10d", 0 },
	{ "hub_lease_max", conf_set_time, M(hub_lease_max), 60, 31536000,
	    "30d", 0 },
	{ "hub_lease_min", conf_set_time, M(hub_lease_min), 60, 31536000,
	    "1h", 0 },
	{ "jitter", conf_set_int, M(jitter_percent), 0, 50, "10", 0 },
	{ "listen", conf_set_listen, M(listen), 0, 0, "127.0.0.1:8080", 0 },
	{ "listing_limit", conf_set_int, M(listing_limit), 1, 10000, "50", 0 },
	{ "listing_max", conf_set_int, M(listing_max), 1, 10000, "500", 0 },
	{ "log_level", conf_set_log_level, M(log_level), 0, 0, "info", 0 },
	{ "map_tiles", conf_set_tiles, M(map_tiles), 0, 0, NULL, 0 },
	{ "max_body_size", conf_set_size, M(max_body_size), CONF_KB,
	    64 * CONF_MB, "1M", 0 },
	{ "max_connections", conf_set_int, M(max_connections), 1, 65535,
	    "1024", 0 },
	{ "max_document_size", conf_set_size, M(max_document_size), CONF_KB,
	    CONF_GB, "16M", 0 },
	{ "max_fetches", conf_set_int, M(max_fetches), 1, 1024, "16", 0 },
	{ "max_interval", conf_set_time, M(max_interval), 1, 604800, "86400",
	    0 },
	{ "max_per_host", conf_set_int, M(max_per_host), 1, 1024, "2", 0 },
	{ "max_pushes", conf_set_int, M(max_pushes), 1, 1024, "16", 0 },
	{ "max_redirects", conf_set_int, M(max_redirects), 0, 20, "5", 0 },
	{ "metrics_allow", conf_set_addrs, M(metrics_allow), 0, 0, NULL, 0 },
	{ "min_interval", conf_set_time, M(min_interval), 1, 86400, "1", 0 },
	{ "node", conf_set_node, M(node), 0, 0, NULL, CONF_REQUIRED },
	{ "peers", conf_set_path, M(peers_dir), 0, 0, "peers.d", 0 },
	{ "pidfile", conf_set_path, M(pidfile), 0, 0, CONF_DEFAULT_PIDFILE, 0 },
	{ "poll_interval", conf_set_time, M(poll_interval), 1, 86400, "900",
	    0 },
	{ "public_url", conf_set_public_url, M(public_url), 0, 0, NULL,
	    CONF_REQUIRED },
	{ "publishers", conf_set_path, M(publishers_file), 0, 0, NULL, 0 },
	{ "push_poll_interval", conf_set_time, M(push_poll_interval), 1,
	    604800, "3600", 0 },
	{ "push_retry_for", conf_set_time, M(push_retry_for), 1, 604800,
	    "1h", 0 },
	{ "push_timeout", conf_set_time, M(push_timeout), 1, 300, "10", 0 },
	{ "store", conf_set_path, M(store), 0, 0, "feedmesh.db", 0 },
	{ "title", conf_set_string, M(title), 1, CONF_TEXT_MAX, NULL,
	    CONF_REQUIRED },
	{ "tombstone_ttl", conf_set_time, M(tombstone_ttl), 0, 3650 * 86400,
	    "30d", 0 },
	{ "trusted_proxies", conf_set_addrs, M(trusted_proxies), 0, 0, NULL,
	    0 },
	{ "websub_lease", conf_set_time, M(websub_lease), 60, 2592000,
	    "864000", 0 },
};
#undef M

/*
 * A peer file's keys, sorted by name. "interval" has no default here:
 * it is the main file's poll_interval, known only once that is read.
 */
#define P(field)	offsetof(struct peer_conf, field)
static const struct conf_key conf_peer_keys[] = {
	{ "enabled", conf_set_bool, P(enabled), 0, 1, "yes", 0 },
	{ "exclude_category", conf_set_categories, P(exclude.categories),
	    0, 0, NULL, 0 },
	{ "exclude_kind", conf_set_kinds, P(exclude.kinds), 0, 0, NULL, 0 },
	{ "exclude_territory", conf_set_territories, P(exclude.territories),
	    0, 0, NULL, 0 },
	{ "identity", conf_set_identity, P(identity), 0, 0, "auto", 0 },
	{ "include_category", conf_set_categories, P(include.categories),
	    0, 0, NULL, 0 },
	{ "include_kind", conf_set_kinds, P(include.kinds), 0, 0, NULL, 0 },
	{ "include_territory", conf_set_territories, P(include.territories),
	    0, 0, NULL, 0 },
	{ "interval", conf_set_time, P(interval), 1, 86400, NULL, 0 },
	{ "kind", conf_set_kind, P(kind), 0, 0, NULL, 0 },
	{ "moderation", conf_set_moderation, P(moderation), 0, 0, "none", 0 },
	{ "push", conf_set_push, P(push), 0, 0, "none", 0 },
	{ "territory", conf_set_territory, P(territory), 0, 0, NULL, 0 },
	{ "url", conf_set_url, P(url), 0, 0, NULL, CONF_REQUIRED },
};
#undef P

#define CONF_NITEMS(a)	(sizeof(a) / sizeof((a)[0]))
#define CONF_FIELD(f, k, type)	\
	((type *)(void *)((char *)(f)->target + (k)->off))

static const struct conf_unit conf_time_units[] = {
	{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { '\0', 0 }
};
static const struct conf_unit conf_size_units[] = {
	{ 'k', CONF_KB }, { 'K', CONF_KB }, { 'M', CONF_MB }, { 'G', CONF_GB },
	{ '\0', 0 }
};

/* Logs one error about the current file and line and counts it. */
static void
conf_errx(struct conf_file *f, const char *fmt, ...)
{
	char	 msg[1024];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (f->line > 0)
		log_warnx("%s:%d: %s", f->name, f->line, msg);
	else
		log_warnx("%s: %s", f->name, msg);
	f->errors++;
}

static char *
conf_strdup(const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		fatal("%s", __func__);
	return (d);
}

/* bsearch() needs sorted tables: an unsorted one is a programming error. */
static void
conf_check_tables(void)
{
	size_t	 i;

	for (i = 1; i < CONF_NITEMS(conf_main_keys); i++)
		if (strcmp(conf_main_keys[i - 1].name,
		    conf_main_keys[i].name) >= 0)
			fatalx("%s: main keys not sorted at %s", __func__,
			    conf_main_keys[i].name);
	for (i = 1; i < CONF_NITEMS(conf_peer_keys); i++)
		if (strcmp(conf_peer_keys[i - 1].name,
		    conf_peer_keys[i].name) >= 0)
			fatalx("%s: peer keys not sorted at %s", __func__,
			    conf_peer_keys[i].name);
}

static int
conf_key_cmp(const void *a, const void *b)
{
	const char		*name = a;
	const struct conf_key	*k = b;

	return (strcmp(name, k->name));
}

static const struct conf_key *
conf_key_find(const struct conf_key *keys, size_t n, const char *name)
{
	return (bsearch(name, keys, n, sizeof(*keys), conf_key_cmp));
}

/*
 * Edit distance (insertions, deletions, substitutions and transpositions
 * of neighbours, case ignored) between two short words, for suggestions.
 */
static int
conf_distance(const char *a, const char *b)
{
	int	 d[CONF_SUGGEST_MAX + 1][CONF_SUGGEST_MAX + 1];
	size_t	 la = strlen(a), lb = strlen(b), i, j;
	int	 cost, v;

	if (la > CONF_SUGGEST_MAX || lb > CONF_SUGGEST_MAX)
		return (INT_MAX);
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = tolower((unsigned char)a[i - 1]) !=
			    tolower((unsigned char)b[j - 1]);
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return (d[la][lb]);
}

/* Reports an unknown key with the nearest known one, if any is close. */
static void
conf_unknown(struct conf_file *f, const char *key)
{
	const char	*best = NULL;
	size_t		 i, len = strlen(key);
	int		 d, bestd = INT_MAX;

	for (i = 0; i < f->nkeys; i++) {
		d = conf_distance(key, f->keys[i].name);
		if (d < bestd) {
			bestd = d;
			best = f->keys[i].name;
		}
	}
	if (best != NULL && bestd <= 2 && (size_t)bestd < len)
		conf_errx(f, "unknown key \"%s\" (did you mean \"%s\"?)", key,
		    best);
	else if (conf_key_find(f->other, f->nother, key) != NULL)
		conf_errx(f, "unknown key \"%s\" (it belongs in %s)", key,
		    f->other_where);
	else
		conf_errx(f, "unknown key \"%s\" (see feedmesh.conf(5))", key);
}

/*
 * Splits a line into key and value, in place. Returns 0 for a blank or
 * comment line, 1 for a key and a value, -1 on an error (reported).
 * A '#' starts a comment at the beginning of a line or after whitespace,
 * so that a URL fragment ("https://x.org/page#top") needs no quotes.
 */
static int
conf_split(struct conf_file *f, char *line, char **keyp, char **valp)
{
	char	*p, *key, *val, *out;

	for (p = line; *p == ' ' || *p == '\t'; p++)
		;
	if (*p == '\0' || *p == '#')
		return (0);
	key = p;
	while (*p != '\0' && *p != '=' && *p != ' ' && *p != '\t')
		p++;
	if (p == key) {
		conf_errx(f, "missing key before \"=\" (expected "
		    "\"key = value\")");
		return (-1);
	}
	val = p;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p != '=') {
		*val = '\0';
		conf_errx(f, "missing \"=\" after \"%s\" (expected "
		    "\"key = value\")", key);
		return (-1);
	}
	*val = '\0';
	for (p++; *p == ' ' || *p == '\t'; p++)
		;

	if (*p == '"') {
		/* Quoted: \" and \\ are the only escapes. */
		val = out = ++p;
		for (;;) {
			if (*p == '\0') {
				conf_errx(f, "%s: unterminated quoted value "
				    "(missing closing '\"')", key);
				return (-1);
			}
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\')) {
				*out++ = p[1];
				p += 2;
				continue;
			}
			if (*p == '"')
				break;
			*out++ = *p++;
		}
		*out = '\0';
		for (p++; *p == ' ' || *p == '\t'; p++)
			;
		if (*p != '\0' && *p != '#') {
			conf_errx(f, "%s: unexpected \"%s\" after the closing "
			    "quote (expected a comment or the end of the line)",
			    key, p);
			return (-1);
		}
	} else {
		/* p > line here: p[-1] is '=' or the blank after it. */
		val = p;
		for (; *p != '\0'; p++)
			if (*p == '#' && (p[-1] == ' ' || p[-1] == '\t'))
				break;
		*p = '\0';
		while (p > val && (p[-1] == ' ' || p[-1] == '\t'))
			*--p = '\0';
	}
	*keyp = key;
	*valp = val;
	return (1);
}

/* Looks a key up and hands its value to the key's setter. */
static void
conf_assign(struct conf_file *f, const char *key, const char *val)
{
	const struct conf_key	*k;
	struct conf_seen	*s;

	if ((k = conf_key_find(f->keys, f->nkeys, key)) == NULL) {
		conf_unknown(f, key);
		return;
	}
	s = &f->seen[k - f->keys];
	if (s->line != 0) {
		conf_errx(f, "duplicate key \"%s\" (first given on line %d)",
		    key, s->line);
		return;
	}
	s->line = f->line;
	if (*val == '\0') {
		conf_errx(f, "%s: missing value after \"=\"", key);
		s->failed = 1;
		return;
	}
	if (k->set(f, k, val) == -1)
		s->failed = 1;
}

/* Reads a file line by line; -1 if it cannot be read at all. */
static int
conf_file_read(struct conf_file *f, const char *path)
{
	FILE		*fp;
	struct stat	 st;
	char		*line = NULL, *key, *val;
	size_t		 cap = 0;
	ssize_t		 len, i;
	int		 bad;

	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("%s", f->name);
		f->errors++;
		return (-1);
	}
	if (fstat(fileno(fp), &st) == -1 || !S_ISREG(st.st_mode)) {
		conf_errx(f, "not a regular file");
		fclose(fp);
		return (-1);
	}
	while ((len = getline(&line, &cap, fp)) != -1) {
		f->line++;
		if (len > CONF_LINE_MAX) {
			conf_errx(f, "line too long (%zd bytes, at most %d)",
			    len, CONF_LINE_MAX);
			continue;
		}
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if (len > 0 && line[len - 1] == '\r')
			line[--len] = '\0';
		for (bad = 0, i = 0; i < len && !bad; i++) {
			if (((unsigned char)line[i] < 0x20 &&
			    line[i] != '\t') || line[i] == 0x7f) {
				conf_errx(f, "control character 0x%02x in "
				    "line (only text and tabs are allowed)",
				    (unsigned char)line[i]);
				bad = 1;
			}
		}
		if (bad)
			continue;
		if (conf_split(f, line, &key, &val) == 1)
			conf_assign(f, key, val);
	}
	if (ferror(fp)) {
		log_warn("%s", f->name);
		f->errors++;
	}
	free(line);
	fclose(fp);
	return (0);
}

/*
 * Once a file is read: defaults for the keys not given (and for those
 * given wrong, so that later checks see sane values), then the keys that
 * must be given.
 */
static void
conf_file_finish(struct conf_file *f)
{
	const struct conf_key	*k;
	size_t			 i;

	f->line = 0;
	for (i = 0; i < f->nkeys; i++) {
		k = &f->keys[i];
		if (f->seen[i].line != 0 && !f->seen[i].failed)
			continue;
		if (k->def != NULL && k->set(f, k, k->def) == -1)
			fatalx("%s: bad default for %s", __func__, k->name);
		if ((k->flags & CONF_REQUIRED) && f->seen[i].line == 0)
			conf_errx(f, "missing required key \"%s\"", k->name);
	}
}

/*
 * Reports an integer key a greater than an integer key b, on the line
 * of whichever was given last. Keys given wrong were already reported.
 */
static void
conf_check_order(struct conf_file *f, const char *ka, const char *kb)
{
	const struct conf_key	*a, *b;
	struct conf_seen	*sa, *sb;
	int			 va, vb;

	a = conf_key_find(f->keys, f->nkeys, ka);
	b = conf_key_find(f->keys, f->nkeys, kb);
	if (a == NULL || b == NULL)
		fatalx("%s: no key %s or %s", __func__, ka, kb);
	sa = &f->seen[a - f->keys];
	sb = &f->seen[b - f->keys];
	if (sa->failed || sb->failed)
		return;
	va = *CONF_FIELD(f, a, int);
	vb = *CONF_FIELD(f, b, int);
	if (va <= vb)
		return;
	f->line = sa->line > sb->line ? sa->line : sb->line;
	conf_errx(f, "%s (%d) must not be greater than %s (%d)", ka, va, kb,
	    vb);
	f->line = 0;
}

/*
 * Reads a decimal number with an optional one-letter unit; 0, or -1 if
 * it is not a number. Out of range values saturate so that the caller
 * reports them as out of range, not as malformed.
 */
static int
conf_number(const char *v, const struct conf_unit *units, long long *np)
{
	const struct conf_unit	*u;
	long long		 n;
	char			*end;

	if (!isdigit((unsigned char)v[0]) &&
	    !(v[0] == '-' && isdigit((unsigned char)v[1])))
		return (-1);
	errno = 0;
	n = strtoll(v, &end, 10);
	if (*end != '\0') {
		if (units == NULL || end[1] != '\0')
			return (-1);
		for (u = units; u->c != '\0' && u->c != *end; u++)
			;
		if (u->c == '\0')
			return (-1);
		if (errno != ERANGE) {
			if (n > LLONG_MAX / u->mult)
				n = LLONG_MAX;
			else if (n < LLONG_MIN / u->mult)
				n = LLONG_MIN;
			else
				n *= u->mult;
		}
	}
	*np = n;
	return (0);
}

/* Reports a number out of its key's range; 0 if within. */
static int
conf_set_number(struct conf_file *f, const struct conf_key *k,
    const char *v, const struct conf_unit *units, long long *np)
{
	char	 lo[32], hi[32];

	if (conf_number(v, units, np) == -1) {
		if (units == conf_time_units)
			conf_errx(f, "%s: \"%s\" is not a duration (expected "
			    "seconds, or a number followed by s, m, h or d)",
			    k->name, v);
		else if (units == conf_size_units)
			conf_errx(f, "%s: \"%s\" is not a size (expected "
			    "bytes, or a number followed by k, M or G)",
			    k->name, v);
		else
			conf_errx(f, "%s: \"%s\" is not an integer (expected "
			    "%lld to %lld)", k->name, v, k->min, k->max);
		return (-1);
	}
	if (*np < k->min || *np > k->max) {
		if (units == conf_size_units) {
			conf_fmt_size(lo, sizeof(lo), k->min);
			conf_fmt_size(hi, sizeof(hi), k->max);
			conf_errx(f, "%s: \"%s\" is out of range (%s to %s)",
			    k->name, v, lo, hi);
		} else
			conf_errx(f, "%s: \"%s\" is out of range (%lld to "
			    "%lld)", k->name, v, k->min, k->max);
		return (-1);
	}
	return (0);
}

/* A byte count the way one would write it in the file. */
static void
conf_fmt_size(char *buf, size_t len, long long n)
{
	if (n != 0 && n % CONF_GB == 0)
		snprintf(buf, len, "%lldG", n / CONF_GB);
	else if (n != 0 && n % CONF_MB == 0)
		snprintf(buf, len, "%lldM", n / CONF_MB);
	else if (n != 0 && n % CONF_KB == 0)
		snprintf(buf, len, "%lldk", n / CONF_KB);
	else
		snprintf(buf, len, "%lld", n);
}

/*
 * Checks an absolute http(s) URL: scheme, a host (name or bracketed
 * IPv6 address), an optional port 1-65535; no credentials, no spaces.
 * A public URL has no query or fragment either. NULL if good, else what
 * is wrong, as the end of a sentence starting with the URL.
 */
static const char *
conf_url_check(const char *v, int public, char *buf, size_t len)
{
	const char	*p, *auth, *end, *host_end;
	char		 a6[INET6_ADDRSTRLEN + 1];
	struct in6_addr	 in6;
	long		 port;
	size_t		 n;

	if (strncasecmp(v, "http://", 7) == 0)
		auth = v + 7;
	else if (strncasecmp(v, "https://", 8) == 0)
		auth = v + 8;
	else
		return ("is not an absolute http or https URL");
	if (strpbrk(v, " \t") != NULL)
		return ("contains a space (write it as %20)");
	end = auth + strcspn(auth, "/?#");
	if (end == auth)
		return ("has no host");
	if (memchr(auth, '@', end - auth) != NULL)
		return ("contains credentials (user@host are not accepted)");
	if (*auth == '[') {
		host_end = memchr(auth, ']', end - auth);
		n = host_end == NULL ? 0 : (size_t)(host_end - auth - 1);
		if (host_end == NULL || n == 0 || n >= sizeof(a6))
			return ("has an invalid IPv6 address");
		memcpy(a6, auth + 1, n);
		a6[n] = '\0';
		if (inet_pton(AF_INET6, a6, &in6) != 1)
			return ("has an invalid IPv6 address");
		host_end++;
	} else {
		for (p = auth; p < end && *p != ':'; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' &&
			    *p != '-' && *p != '_')
				return ("has an invalid host name");
		host_end = p;
		if (host_end == auth)
			return ("has no host");
	}
	if (host_end < end) {
		if (*host_end != ':')
			return ("has an invalid host");
		port = 0;
		for (p = host_end + 1; p < end; p++) {
			if (!isdigit((unsigned char)*p) || port > 65535)
				break;
			port = port * 10 + (*p - '0');
		}
		if (p != end || p == host_end + 1 || port < 1 ||
		    port > 65535) {
			snprintf(buf, len, "has an invalid port \"%.*s\" "
			    "(expected 1 to 65535)",
			    (int)(end - host_end - 1), host_end + 1);
			return (buf);
		}
	}
	if (public && strpbrk(end, "?#") != NULL)
		return ("has a query or a fragment (expected the base URL of "
		    "the node)");
	return (NULL);
}

/*
 * Splits "address:port" or "[IPv6]:port" into a host and a port; -1
 * with what is wrong in why.
 */
static int
conf_hostport(const char *v, char *host, size_t hostlen, int *port,
    char *why, size_t whylen)
{
	const char	*colon, *p;
	size_t		 n;
	long		 pn;

	if (v[0] == '[') {
		if ((p = strchr(v, ']')) == NULL) {
			snprintf(why, whylen, "has no closing \"]\"");
			return (-1);
		}
		n = p - v - 1;
		v++;
		colon = p + 1;
		if (*colon != ':') {
			snprintf(why, whylen, "has no port");
			return (-1);
		}
	} else {
		if ((colon = strrchr(v, ':')) == NULL) {
			snprintf(why, whylen, "has no port");
			return (-1);
		}
		n = colon - v;
		if (memchr(v, ':', n) != NULL) {
			snprintf(why, whylen, "has an IPv6 address without "
			    "brackets (expected e.g. [::1]:8080)");
			return (-1);
		}
	}
	if (n == 0 || n >= hostlen) {
		snprintf(why, whylen, "has an invalid address");
		return (-1);
	}
	memcpy(host, v, n);
	host[n] = '\0';
	pn = 0;
	for (p = colon + 1; isdigit((unsigned char)*p) && pn <= 65535; p++)
		pn = pn * 10 + (*p - '0');
	if (*p != '\0' || p == colon + 1 || pn < 1 || pn > 65535) {
		snprintf(why, whylen, "has an invalid port \"%s\" (expected "
		    "1 to 65535)", colon + 1);
		return (-1);
	}
	*port = pn;
	return (0);
}

/* Free text of a bounded length. */
static int
conf_set_string(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	char	**field = CONF_FIELD(f, k, char *);
	size_t	  len = strlen(v);

	if ((long long)len < k->min || (long long)len > k->max) {
		conf_errx(f, "%s: too long (%zu bytes, at most %lld)", k->name,
		    len, k->max);
		return (-1);
	}
	free(*field);
	*field = conf_strdup(v);
	return (0);
}

/* The node's short name: [a-z0-9-]{1,32}. */
static int
conf_set_node(struct conf_file *f, const struct conf_key *k, const char *v)
{
	char		**field = CONF_FIELD(f, k, char *);

	if (!entry_node_valid(v)) {
		conf_errx(f, "%s: \"%s\" is not a valid node name (expected 1 "
		    "to %d characters among a-z, 0-9 and -)", k->name, v,
		    ENTRY_NODE_MAX);
		return (-1);
	}
	free(*field);
	*field = conf_strdup(v);
	return (0);
}

/* The node's own base URL, kept without its trailing slashes. */
static int
conf_set_public_url(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	char		**field = CONF_FIELD(f, k, char *);
	char		  buf[128];
	const char	 *why, *path;
	size_t		  len;

	if ((why = conf_url_check(v, 1, buf, sizeof(buf))) != NULL) {
		conf_errx(f, "%s: \"%s\" %s", k->name, v, why);
		return (-1);
	}
	free(*field);
	*field = conf_strdup(v);
	path = strstr(*field, "//") + 2;
	path += strcspn(path, "/");
	len = strlen(*field);
	while (len > (size_t)(path - *field) && (*field)[len - 1] == '/')
		(*field)[--len] = '\0';
	return (0);
}

/*
 * The map's tile server: a URL template with {z}, {x} and {y}, as
 * Leaflet takes it; the placeholders are checked, the rest as a URL.
 */
static int
conf_set_tiles(struct conf_file *f, const struct conf_key *k, const char *v)
{
	char		**field = CONF_FIELD(f, k, char *);
	char		  buf[128];
	const char	 *why;

	if (strstr(v, "{z}") == NULL || strstr(v, "{x}") == NULL ||
	    strstr(v, "{y}") == NULL) {
		conf_errx(f, "%s: \"%s\" lacks {z}, {x} or {y}", k->name, v);
		return (-1);
	}
	if (strlen(v) > 512 || strpbrk(v, "\"'<> ") != NULL ||
	    (why = conf_url_check(v, 0, buf, sizeof(buf))) != NULL) {
		conf_errx(f, "%s: \"%s\" is not a usable URL template", k->name,
		    v);
		return (-1);
	}
	free(*field);
	*field = conf_strdup(v);
	return (0);
}

/* A peer's feed URL, kept as given. */
static int
conf_set_url(struct conf_file *f, const struct conf_key *k, const char *v)
{
	char		**field = CONF_FIELD(f, k, char *);
	char		  buf[128];
	const char	 *why;

	if ((why = conf_url_check(v, 0, buf, sizeof(buf))) != NULL) {
		conf_errx(f, "%s: \"%s\" %s", k->name, v, why);
		return (-1);
	}
	free(*field);
	*field = conf_strdup(v);
	return (0);
}

/*
 * The HTTP listener: a numeric address and a port, so that starting
 * the daemon needs no name resolution; "localhost" is 127.0.0.1.
 */
static int
conf_set_listen(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	char		**field = CONF_FIELD(f, k, char *);
	char		  host[INET6_ADDRSTRLEN + 1], why[128];
	struct in_addr	  in4;
	struct in6_addr	  in6;
	int		  port, r;

	if (conf_hostport(v, host, sizeof(host), &port, why,
	    sizeof(why)) == -1) {
		conf_errx(f, "%s: \"%s\" %s", k->name, v, why);
		return (-1);
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (v[0] == '[' ? inet_pton(AF_INET6, host, &in6) != 1 :
	    inet_pton(AF_INET, host, &in4) != 1) {
		conf_errx(f, "%s: \"%s\" has an invalid address \"%s\" "
		    "(expected a numeric IPv4 address or a bracketed IPv6 "
		    "address, e.g. 127.0.0.1:8080 or [::1]:8080)", k->name, v,
		    host);
		return (-1);
	}
	free(*field);
	if (v[0] == '[')
		r = asprintf(field, "[%s]:%d", host, port);
	else
		r = asprintf(field, "%s:%d", host, port);
	if (r == -1)
		fatal("%s", __func__);
	return (0);
}

/*
 * The admin interface has no authentication of its own: a unix socket
 * (guarded by file permissions) or a loopback port, never the network.
 * "host:port" is recognized by its numeric port; anything else is a path.
 */
static int
conf_set_admin(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	struct sockaddr_un	  sun;
	char			**field = CONF_FIELD(f, k, char *);
	char			  host[INET6_ADDRSTRLEN + 1], why[128];
	const char		 *colon, *p;
	struct in_addr		  in4;
	struct in6_addr		  in6;
	char			 *path;
	int			  port, tcp, loopback;

	colon = strrchr(v, ':');
	tcp = v[0] == '[';
	if (colon != NULL && strchr(v, '/') == NULL) {
		for (p = colon + 1; isdigit((unsigned char)*p); p++)
			;
		tcp = tcp || (*p == '\0' && p > colon + 1);
	}
	if (!tcp) {
		path = conf_path(f->conf, v);
		if (strlen(path) >= sizeof(sun.sun_path)) {
			conf_errx(f, "%s: socket path \"%s\" is too long (at "
			    "most %zu bytes)", k->name, path,
			    sizeof(sun.sun_path) - 1);
			free(path);
			return (-1);
		}
		free(*field);
		*field = path;
		f->conf->admin_port = 0;
		return (0);
	}
	if (conf_hostport(v, host, sizeof(host), &port, why,
	    sizeof(why)) == -1) {
		conf_errx(f, "%s: \"%s\" %s", k->name, v, why);
		return (-1);
	}
	if (strcmp(host, "localhost") == 0)
		snprintf(host, sizeof(host), "127.0.0.1");
	if (v[0] == '[')
		loopback = inet_pton(AF_INET6, host, &in6) == 1 &&
		    IN6_IS_ADDR_LOOPBACK(&in6);
	else
		loopback = inet_pton(AF_INET, host, &in4) == 1 &&
		    (ntohl(in4.s_addr) >> 24) == 127;
	if (!loopback) {
		conf_errx(f, "%s: \"%s\" is not a loopback address: the admin "
		    "interface has no authentication and is refused on the "
		    "network (expected a socket path, 127.0.0.1:PORT or "
		    "localhost:PORT)", k->name, v);
		return (-1);
	}
	free(*field);
	if (asprintf(field, v[0] == '[' ? "[%s]:%d" : "%s:%d", host,
	    port) == -1)
		fatal("%s", __func__);
	f->conf->admin_port = port;
	return (0);
}

/* A file or directory, relative to the main file's directory. */
static int
conf_set_path(struct conf_file *f, const struct conf_key *k, const char *v)
{
	char	**field = CONF_FIELD(f, k, char *);

	free(*field);
	*field = conf_path(f->conf, v);
	return (0);
}

static int
conf_set_log_level(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	int	*field = CONF_FIELD(f, k, int);

	if (strcmp(v, "warning") == 0)
		*field = LOG_LEVEL_WARN;
	else if (strcmp(v, "info") == 0)
		*field = LOG_LEVEL_INFO;
	else if (strcmp(v, "debug") == 0)
		*field = LOG_LEVEL_DEBUG;
	else {
		conf_errx(f, "%s: \"%s\" is not a log level (expected "
		    "warning, info or debug)", k->name, v);
		return (-1);
	}
	return (0);
}

/* yes/no, and the usual synonyms true/false, on/off, 1/0. */
static int
conf_set_bool(struct conf_file *f, const struct conf_key *k, const char *v)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	int	*field = CONF_FIELD(f, k, int);
	size_t	 i;

	for (i = 0; i < CONF_NITEMS(yes); i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*field = 1;
			return (0);
		}
		if (strcasecmp(v, no[i]) == 0) {
			*field = 0;
			return (0);
		}
	}
	conf_errx(f, "%s: \"%s\" is not a boolean (expected yes or no)",
	    k->name, v);
	return (-1);
}

/* An int, with the units given (or none). */
static int
conf_set_int_units(struct conf_file *f, const struct conf_key *k,
    const char *v, const struct conf_unit *units)
{
	long long	 n;

	if (conf_set_number(f, k, v, units, &n) == -1)
		return (-1);
	*CONF_FIELD(f, k, int) = n;
	return (0);
}

static int
conf_set_int(struct conf_file *f, const struct conf_key *k, const char *v)
{
	return (conf_set_int_units(f, k, v, NULL));
}

/* Seconds, or a number followed by s, m, h or d. */
static int
conf_set_time(struct conf_file *f, const struct conf_key *k, const char *v)
{
	return (conf_set_int_units(f, k, v, conf_time_units));
}

/* Bytes, or a number followed by k, M or G (powers of 1024). */
static int
conf_set_size(struct conf_file *f, const struct conf_key *k, const char *v)
{
	long long	 n;

	if (conf_set_number(f, k, v, conf_size_units, &n) == -1)
		return (-1);
	*CONF_FIELD(f, k, size_t) = n;
	return (0);
}

/* The shared kinds, for messages: "news, job, ...". */
static void
conf_kinds_str(char *buf, size_t len)
{
	size_t	 i, used = 0;
	int	 n;

	buf[0] = '\0';
	for (i = 0; entry_kinds[i] != NULL && used < len; i++) {
		n = snprintf(buf + used, len - used, "%s%s", i > 0 ? ", " : "",
		    entry_kinds[i]);
		if (n < 0)
			break;
		used += n;
	}
}

static int
conf_set_kind(struct conf_file *f, const struct conf_key *k, const char *v)
{
	char	**field = CONF_FIELD(f, k, char *);
	char	  kinds[256];

	if (!entry_kind_valid(v)) {
		conf_kinds_str(kinds, sizeof(kinds));
		conf_errx(f, "%s: \"%s\" is not a kind (expected one of %s)",
		    k->name, v, kinds);
		return (-1);
	}
	free(*field);
	*field = conf_strdup(v);
	return (0);
}

static int
conf_set_territory(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	char	**field = CONF_FIELD(f, k, char *);

	if (!entry_territory_valid(v)) {
		conf_errx(f, "%s: \"%s\" is not a territory (expected "
		    "segments of a-z, 0-9 and - separated by /, e.g. "
		    "auvergne-rhone-alpes/loire)", k->name, v);
		return (-1);
	}
	free(*field);
	*field = conf_strdup(v);
	return (0);
}

/*
 * Fills a list from a comma-separated value, items trimmed; each item is
 * checked with valid (if any) and "what" names what was expected.
 */
static int
conf_list_add(struct conf_file *f, const struct conf_key *k, const char *v,
    int (*valid)(const char *), const char *what)
{
	struct conf_list	*l = CONF_FIELD(f, k, struct conf_list);
	char			*copy, *item, *next, *end;
	int			 errors = 0;

	copy = conf_strdup(v);
	for (item = copy; item != NULL; item = next) {
		if ((next = strchr(item, ',')) != NULL)
			*next++ = '\0';
		while (*item == ' ' || *item == '\t')
			item++;
		end = item + strlen(item);
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (*item == '\0') {
			conf_errx(f, "%s: empty item in \"%s\" (expected "
			    "values separated by commas)", k->name, v);
			errors++;
			break;
		}
		if (valid != NULL && !valid(item)) {
			conf_errx(f, "%s: \"%s\" is not %s", k->name, item,
			    what);
			errors++;
			continue;
		}
		if (conf_list_has(l, item))
			continue;
		l->items = reallocarray(l->items, l->n + 2,
		    sizeof(*l->items));
		if (l->items == NULL)
			fatal("%s", __func__);
		l->items[l->n++] = conf_strdup(item);
		l->items[l->n] = NULL;
	}
	free(copy);
	return (errors ? -1 : 0);
}

static int
conf_set_kinds(struct conf_file *f, const struct conf_key *k, const char *v)
{
	char	 kinds[256], what[300];

	conf_kinds_str(kinds, sizeof(kinds));
	snprintf(what, sizeof(what), "a kind (expected one of %s)", kinds);
	return (conf_list_add(f, k, v, entry_kind_valid, what));
}

static int
conf_set_territories(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	return (conf_list_add(f, k, v, entry_territory_valid, "a territory "
	    "(expected segments of a-z, 0-9 and - separated by /, e.g. "
	    "auvergne-rhone-alpes/loire)"));
}

static int
conf_set_categories(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	return (conf_list_add(f, k, v, NULL, NULL));
}

static int
conf_set_addrs(struct conf_file *f, const struct conf_key *k, const char *v)
{
	return (conf_list_add(f, k, v, netaddr_valid, "an IP address or "
	    "CIDR block (e.g. 127.0.0.1, 10.0.0.0/8, ::1, fd00::/8)"));
}

static int
conf_set_identity(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	enum conf_identity	*field = CONF_FIELD(f, k, enum conf_identity);

	if (strcmp(v, "auto") == 0)
		*field = IDENTITY_AUTO;
	else if (strcmp(v, "id") == 0)
		*field = IDENTITY_ID;
	else if (strcmp(v, "link") == 0)
		*field = IDENTITY_LINK;
	else if (strcmp(v, "digest") == 0)
		*field = IDENTITY_DIGEST;
	else {
		conf_errx(f, "%s: \"%s\" is not an identity rule (expected "
		    "auto, id, link or digest)", k->name, v);
		return (-1);
	}
	return (0);
}

/*
 * A keyword among two names (NULL-terminated), the default first: its
 * index goes to the field; anything else is an error naming both.
 */
static int
conf_choose(struct conf_file *f, const struct conf_key *k, const char *v,
    const char *const *names, const char *what)
{
	int	*field = CONF_FIELD(f, k, int);
	int	 i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(v, names[i]) == 0) {
			*field = i;
			return (0);
		}
	conf_errx(f, "%s: \"%s\" is not a %s (expected %s or %s)", k->name, v,
	    what, names[1], names[0]);
	return (-1);
}

static int
conf_set_push(struct conf_file *f, const struct conf_key *k, const char *v)
{
	/* Indexed by CONF_PUSH_*. */
	static const char *const names[] = { "none", "websub", NULL };

	return (conf_choose(f, k, v, names, "push method"));
}

static int
conf_set_moderation(struct conf_file *f, const struct conf_key *k,
    const char *v)
{
	/* The field is 1 when new entries are held. */
	static const char *const names[] = { "none", "hold", NULL };

	return (conf_choose(f, k, v, names, "moderation"));
}

/*
 * The publishers file: "name token" lines and "#" comments. Tokens are
 * secrets: a file that others may read or write is refused, and so is a
 * short token. line is where the main file names it.
 */
static int
conf_publishers_load(struct conf_file *mf, int line)
{
	struct conf_file	 f;
	struct conf_publisher	*p;
	struct stat		 sb;
	FILE			*fp;
	char			*buf = NULL, *name, *token, *extra, *save;
	size_t			 cap = 0, i;
	ssize_t			 len;
	const char		*path = mf->conf->publishers_file;

	memset(&f, 0, sizeof(f));
	f.name = path;
	f.conf = mf->conf;
	mf->line = line;
	if ((fp = fopen(path, "r")) == NULL) {
		conf_errx(mf, "publishers: %s: %s", path, strerror(errno));
		return (1);
	}
	if (fstat(fileno(fp), &sb) == -1 || !S_ISREG(sb.st_mode)) {
		conf_errx(mf, "publishers: %s: not a regular file", path);
		fclose(fp);
		return (1);
	}
	if ((sb.st_mode & 007) != 0) {
		conf_errx(mf, "publishers: %s: readable or writable by others "
		    "(mode %04o): its tokens are secrets; chmod o-rwx it",
		    path, (unsigned)(sb.st_mode & 07777));
		fclose(fp);
		return (1);
	}
	while ((len = getline(&buf, &cap, fp)) != -1) {
		f.line++;
		if (len > CONF_LINE_MAX) {
			conf_errx(&f, "line too long");
			continue;
		}
		buf[strcspn(buf, "\r\n")] = '\0';
		if (*buf == '#' || (name = strtok_r(buf, " \t", &save)) ==
		    NULL || *name == '#')
			continue;
		token = strtok_r(NULL, " \t", &save);
		extra = strtok_r(NULL, " \t", &save);
		if (token == NULL || (extra != NULL && *extra != '#')) {
			conf_errx(&f, "expected \"name token\"");
			continue;
		}
		if (!conf_peer_name_valid(name) || strcmp(name, "admin") == 0) {
			conf_errx(&f, "\"%s\" is not a publisher name "
			    "([a-z0-9][a-z0-9_-]*, not \"admin\")", name);
			continue;
		}
		if (strlen(token) < CONF_TOKEN_MIN) {
			conf_errx(&f, "the token of %s is shorter than %d "
			    "characters", name, CONF_TOKEN_MIN);
			continue;
		}
		for (i = 0; i < f.conf->npublishers; i++) {
			p = &f.conf->publishers[i];
			if (strcmp(p->name, name) == 0)
				conf_errx(&f, "publisher %s given twice", name);
			else if (strcmp(p->token, token) == 0)
				conf_errx(&f, "%s has the token of %s", name,
				    p->name);
		}
		p = reallocarray(f.conf->publishers, f.conf->npublishers + 1,
		    sizeof(*p));
		if (p == NULL)
			fatal("%s", __func__);
		f.conf->publishers = p;
		p = &p[f.conf->npublishers++];
		p->name = conf_strdup(name);
		p->token = conf_strdup(token);
	}
	if (ferror(fp)) {
		f.line = 0;
		conf_errx(&f, "%s", strerror(errno));
	}
	if (buf != NULL)
		explicit_bzero(buf, cap);
	free(buf);
	fclose(fp);
	return (f.errors);
}

static void
conf_publishers_free(struct config *conf)
{
	size_t	 i;

	for (i = 0; i < conf->npublishers; i++) {
		free(conf->publishers[i].name);
		explicit_bzero(conf->publishers[i].token,
		    strlen(conf->publishers[i].token));
		free(conf->publishers[i].token);
	}
	free(conf->publishers);
	conf->publishers = NULL;
	conf->npublishers = 0;
}

/* A peer's name: [a-z0-9][a-z0-9_-]{0,63}. */
static int
conf_peer_name_valid(const char *name)
{
	const char	*p;

	if (!islower((unsigned char)name[0]) &&
	    !isdigit((unsigned char)name[0]))
		return (0);
	for (p = name + 1; *p != '\0'; p++)
		if (!islower((unsigned char)*p) &&
		    !isdigit((unsigned char)*p) && *p != '_' && *p != '-')
			return (0);
	return (p - name <= CONF_PEER_NAME_MAX);
}

/*
 * Only "*.conf" files are peers, so that a peer can be parked as
 * "x.conf.disabled" and editors' "x.conf~" and ".x.conf.swp" stay out.
 */
static int
conf_peer_file_wanted(const char *name)
{
	size_t	 len = strlen(name);

	return (name[0] != '.' && len > 5 &&
	    strcmp(name + len - 5, ".conf") == 0);
}

static int
conf_name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * Reads every peer file of the peers directory in name order; returns
 * the number of errors. A missing directory is an error only if it was
 * named (on line "line" of the main file).
 */
static int
conf_peers_load(struct conf_file *mf, int line)
{
	struct config	*conf = mf->conf;
	struct dirent	*de;
	struct strmap	*urls;
	DIR		*d;
	char		**names = NULL;
	size_t		  n = 0, i;
	int		  errors = 0;

	if ((d = opendir(conf->peers_dir)) == NULL) {
		if (errno == ENOENT && line == 0) {
			log_info("%s: no peers directory %s: no peers",
			    conf->path, conf->peers_dir);
			return (0);
		}
		mf->line = line;
		conf_errx(mf, "peers: cannot open directory \"%s\": %s",
		    conf->peers_dir, strerror(errno));
		mf->line = 0;
		return (1);
	}
	while ((de = readdir(d)) != NULL) {
		if (!conf_peer_file_wanted(de->d_name))
			continue;
		names = reallocarray(names, n + 1, sizeof(*names));
		if (names == NULL)
			fatal("%s", __func__);
		names[n++] = conf_strdup(de->d_name);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), conf_name_cmp);
	/*
	 * Peers sharing a url are found in a map of the urls seen: comparing
	 * every pair made fifty million comparisons for ten thousand peers.
	 */
	urls = strmap_new();
	for (i = 0; i < n; i++) {
		errors += conf_peer_load(conf, conf->peers_dir, names[i], urls);
		free(names[i]);
	}
	strmap_free(urls);
	free(names);
	return (errors);
}

/*
 * Reads one peer file and appends the peer; returns the errors found. A
 * url already in urls (those of the peers read before) is warned of.
 */
static int
conf_peer_load(struct config *conf, const char *dir, const char *file,
    struct strmap *urls)
{
	struct conf_seen	 seen[CONF_NITEMS(conf_peer_keys)];
	struct conf_file	 f;
	const struct conf_key	*k;
	struct peer_conf	*p, *q;
	char			*path;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("%s", __func__);
	p->name = conf_strdup(file);
	p->name[strlen(p->name) - 5] = '\0';
	if (asprintf(&path, "%s/%s", dir, file) == -1)
		fatal("%s", __func__);
	p->file = path;

	memset(seen, 0, sizeof(seen));
	memset(&f, 0, sizeof(f));
	f.name = path;
	f.conf = conf;
	f.target = p;
	f.keys = conf_peer_keys;
	f.nkeys = CONF_NITEMS(conf_peer_keys);
	f.other = conf_main_keys;
	f.nother = CONF_NITEMS(conf_main_keys);
	f.other_where = "the main file";
	f.seen = seen;

	if (!conf_peer_name_valid(p->name))
		conf_errx(&f, "invalid peer name \"%s\" (expected a file "
		    "name of a-z or 0-9, then up to %d of a-z, 0-9, _ and -, "
		    "ending in .conf)", p->name, CONF_PEER_NAME_MAX - 1);
	if (conf_file_read(&f, path) == 0) {
		conf_file_finish(&f);
		k = conf_key_find(f.keys, f.nkeys, "interval");
		if (seen[k - f.keys].line == 0 || seen[k - f.keys].failed)
			p->interval = conf->poll_interval;
	}
	if (f.errors == 0 && p->url != NULL) {
		if ((q = strmap_get(urls, p->url)) != NULL)
			log_warnx("%s: peer \"%s\" has the same url as "
			    "peer \"%s\": it will be fetched twice",
			    path, p->name, q->name);
		else
			strmap_put(urls, p->url, p);
	}
	TAILQ_INSERT_TAIL(&conf->peers, p, next);
	strmap_put(conf->peer_names, p->name, p);
	conf->npeers++;
	return (f.errors);
}

struct config *
conf_load(const char *path)
{
	struct conf_seen	 seen[CONF_NITEMS(conf_main_keys)];
	struct conf_file	 f;
	struct config		*conf;
	const struct conf_key	*k;
	int			 errors, peers_line;

	conf_check_tables();
	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		fatal("%s", __func__);
	TAILQ_INIT(&conf->peers);
	conf->peer_names = strmap_new();
	conf->path = conf_strdup(path);

	memset(seen, 0, sizeof(seen));
	memset(&f, 0, sizeof(f));
	f.name = conf->path;
	f.conf = conf;
	f.target = conf;
	f.keys = conf_main_keys;
	f.nkeys = CONF_NITEMS(conf_main_keys);
	f.other = conf_peer_keys;
	f.nother = CONF_NITEMS(conf_peer_keys);
	f.other_where = "a peer file of the peers directory";
	f.seen = seen;

	if (conf_file_read(&f, path) == -1) {
		conf_free(conf);
		return (NULL);
	}
	conf_file_finish(&f);
	conf_check_order(&f, "min_interval", "max_interval");
	conf_check_order(&f, "min_interval", "poll_interval");
	conf_check_order(&f, "poll_interval", "max_interval");
	conf_check_order(&f, "connect_timeout", "fetch_timeout");
	conf_check_order(&f, "listing_limit", "listing_max");
	conf_check_order(&f, "hub_lease_min", "hub_lease_default");
	conf_check_order(&f, "hub_lease_default", "hub_lease_max");
	errors = f.errors;

	k = conf_key_find(f.keys, f.nkeys, "publishers");
	if (conf->publishers_file != NULL && !seen[k - f.keys].failed)
		errors += conf_publishers_load(&f, seen[k - f.keys].line);

	k = conf_key_find(f.keys, f.nkeys, "peers");
	peers_line = seen[k - f.keys].line;
	if (!seen[k - f.keys].failed)
		errors += conf_peers_load(&f, peers_line);

	if (errors > 0) {
		conf_free(conf);
		return (NULL);
	}
	return (conf);
}

static void
conf_list_clear(struct conf_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static void
conf_peer_free(struct peer_conf *p)
{
	free(p->name);
	free(p->file);
	free(p->url);
	free(p->kind);
	free(p->territory);
	conf_list_clear(&p->include.kinds);
	conf_list_clear(&p->include.territories);
	conf_list_clear(&p->include.categories);
	conf_list_clear(&p->exclude.kinds);
	conf_list_clear(&p->exclude.territories);
	conf_list_clear(&p->exclude.categories);
	free(p);
}

void
conf_free(struct config *conf)
{
	struct peer_conf	*p;

	if (conf == NULL)
		return;
	while ((p = TAILQ_FIRST(&conf->peers)) != NULL) {
		TAILQ_REMOVE(&conf->peers, p, next);
		conf_peer_free(p);
	}
	strmap_free(conf->peer_names);
	free(conf->path);
	free(conf->node);
	free(conf->title);
	free(conf->public_url);
	free(conf->listen);
	free(conf->store);
	free(conf->peers_dir);
	free(conf->admin);
	free(conf->pidfile);
	free(conf->assets_dir);
	free(conf->map_tiles);
	conf_list_clear(&conf->metrics_allow);
	conf_list_clear(&conf->trusted_proxies);
	free(conf->publishers_file);
	conf_publishers_free(conf);
	free(conf);
}

struct peer_conf *
conf_peer_find(const struct config *conf, const char *name)
{
	return (strmap_get(conf->peer_names, name));
}

static int
conf_list_equal(const struct conf_list *a, const struct conf_list *b)
{
	size_t	 i;

	if (a->n != b->n)
		return (0);
	for (i = 0; i < a->n; i++)
		if (strcmp(a->items[i], b->items[i]) != 0)
			return (0);
	return (1);
}

/* Two strings that may be NULL. */
#define CONF_STREQ(a, b)	\
	((a) == NULL ? (b) == NULL : (b) != NULL && strcmp((a), (b)) == 0)

int
conf_peer_equal(const struct peer_conf *a, const struct peer_conf *b)
{
	return (CONF_STREQ(a->url, b->url) &&
	    a->interval == b->interval &&
	    CONF_STREQ(a->kind, b->kind) &&
	    CONF_STREQ(a->territory, b->territory) &&
	    conf_list_equal(&a->include.kinds, &b->include.kinds) &&
	    conf_list_equal(&a->include.territories,
	    &b->include.territories) &&
	    conf_list_equal(&a->include.categories, &b->include.categories) &&
	    conf_list_equal(&a->exclude.kinds, &b->exclude.kinds) &&
	    conf_list_equal(&a->exclude.territories,
	    &b->exclude.territories) &&
	    conf_list_equal(&a->exclude.categories, &b->exclude.categories) &&
	    a->enabled == b->enabled &&
	    a->identity == b->identity &&
	    a->push == b->push);
}

char *
conf_path(const struct config *conf, const char *p)
{
	const char	*slash;
	char		*r;

	if (p[0] == '/' || conf == NULL || conf->path == NULL ||
	    (slash = strrchr(conf->path, '/')) == NULL)
		return (conf_strdup(p));
	if (asprintf(&r, "%.*s/%s", (int)(slash - conf->path), conf->path,
	    p) == -1)
		fatal("%s", __func__);
	return (r);
}

static int
conf_list_has(const struct conf_list *l, const char *s)
{
	size_t	 i;

	if (s == NULL)
		return (0);
	for (i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return (1);
	return (0);
}

/* "a/b" matches "a/b" and "a/b/c" but not "a/bc": whole segments. */
static int
conf_territory_match(const char *prefix, const char *t)
{
	size_t	 len = strlen(prefix);

	return (t != NULL && strncmp(t, prefix, len) == 0 &&
	    (t[len] == '\0' || t[len] == '/'));
}

static int
conf_territories_match(const struct conf_list *l, const char *t)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		if (conf_territory_match(l->items[i], t))
			return (1);
	return (0);
}

/* Categories are free text from many portals: compared ignoring case. */
static int
conf_categories_match(const struct conf_list *l, const char *const *cats,
    size_t ncats)
{
	size_t	 i, j;

	for (i = 0; i < l->n; i++)
		for (j = 0; j < ncats; j++)
			if (cats[j] != NULL &&
			    strcasecmp(l->items[i], cats[j]) == 0)
				return (1);
	return (0);
}

/*
 * An entry passes if it matches every include list that is not empty
 * and no exclude list. The peer's default kind and territory stand in
 * for an entry that has none.
 */
int
conf_filter_pass(const struct peer_conf *p, const char *kind,
    const char *territory, const char *const *categories,
    size_t ncategories)
{
	if (kind == NULL)
		kind = p->kind;
	if (territory == NULL)
		territory = p->territory;
	if (p->include.kinds.n > 0 && !conf_list_has(&p->include.kinds, kind))
		return (0);
	if (p->include.territories.n > 0 &&
	    !conf_territories_match(&p->include.territories, territory))
		return (0);
	if (p->include.categories.n > 0 &&
	    !conf_categories_match(&p->include.categories, categories,
	    ncategories))
		return (0);
	if (conf_list_has(&p->exclude.kinds, kind) ||
	    conf_territories_match(&p->exclude.territories, territory) ||
	    conf_categories_match(&p->exclude.categories, categories,
	    ncategories))
		return (0);
	return (1);
}
