/* feedmesh tests: the configuration parser, its defaults, errors and filters. */
#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "log.h"
#include "tap.h"

static char	 top[PATH_MAX];		/* the source tree, absolute */

static char		*read_all(FILE *);
static char		*read_path(const char *);
static struct config	*load_capture(const char *, int, char **);
static int		 name_cmp(const void *, const void *);
static void		 copy_file(const char *, const char *);
static void		 test_good(void);
static void		 test_minimal(void);
static void		 test_dupurl(void);
static void		 test_filters(void);
static void		 test_equal(void);
static void		 test_paths(void);
static void		 test_bad(void);
static void		 test_samples(void);
static void		 test_many_peers(void);

static char *
read_all(FILE *fp)
{
	char	*s = NULL;
	size_t	 len = 0, cap = 0, n;

	for (;;) {
		if (cap - len < 4096) {
			cap += 65536;
			if ((s = realloc(s, cap)) == NULL)
				abort();
		}
		if ((n = fread(s + len, 1, cap - len - 1, fp)) == 0)
			break;
		len += n;
	}
	s[len] = '\0';
	return (s);
}

static char *
read_path(const char *path)
{
	FILE	*fp;
	char	*s;

	if ((fp = fopen(path, "r")) == NULL)
		return (NULL);
	s = read_all(fp);
	fclose(fp);
	return (s);
}

/*
 * Loads a configuration with stderr (where log.c writes in the
 * foreground) sent to a temporary file; *out gets what was logged, with
 * the "warning: " tags removed so that it reads as "file:line: message".
 */
static struct config *
load_capture(const char *path, int level, char **out)
{
	struct config	*conf;
	FILE		*tmp;
	char		*raw, *line, *next, *o;
	int		 saved;

	log_set_level(level);
	fflush(stderr);
	if ((tmp = tmpfile()) == NULL || (saved = dup(2)) == -1)
		abort();
	dup2(fileno(tmp), 2);
	conf = conf_load(path);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	raw = read_all(tmp);
	fclose(tmp);

	if ((o = *out = calloc(1, strlen(raw) + 1)) == NULL)
		abort();
	for (line = raw; *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (strncmp(line, "warning: ", 9) == 0)
			line += 9;
		o += sprintf(o, "%s\n", line);
	}
	free(raw);
	log_set_level(LOG_LEVEL_WARN);
	return (conf);
}

static int
name_cmp(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

static void
copy_file(const char *from, const char *to)
{
	FILE	*fp;
	char	*s;

	if ((s = read_path(from)) == NULL || (fp = fopen(to, "w")) == NULL)
		abort();
	fputs(s, fp);
	fclose(fp);
	free(s);
}

/* Every key of the main file set, every lexical form, three peers. */
static void
test_good(void)
{
	struct config		*c;
	struct peer_conf	*p;
	char			*log;

	c = load_capture("good/feedmesh.conf", LOG_LEVEL_WARN, &log);
	ok(c != NULL, "good configuration loads");
	is_str(log, "", "and logs nothing");
	free(log);
	if (c == NULL)
		return;
	is_str(c->node, "aura", "node");
	is_str(c->title, "  Réseau ESS #1 \"AURA\"  ",
	    "quoted title keeps spaces, \" # \" and escaped quotes");
	is_str(c->public_url, "https://ess.example.org/reseau",
	    "public_url loses its trailing slashes");
	is_str(c->listen, "[::1]:8443", "IPv6 listen");
	is_str(c->store, "good/state/feedmesh.db",
	    "store relative to the main file");
	is_str(c->peers_dir, "good/peers.d", "peers relative to the main file");
	is_str(c->admin, "127.0.0.1:9090", "admin localhost:PORT normalized");
	is_int(c->admin_port, 9090, "admin_port");
	is_str(c->pidfile, "good/run/feedmeshd.pid", "pidfile relative");
	is_int(c->log_level, LOG_LEVEL_DEBUG, "log_level");
	is_int(c->allow_private, 1, "allow_private");
	is_int(c->poll_interval, 900, "poll_interval 15m");
	is_int(c->min_interval, 30, "min_interval 30s");
	is_int(c->max_interval, 172800, "max_interval 2d");
	is_int(c->backoff_max, 43200, "backoff_max 12h");
	is_int(c->jitter_percent, 25, "jitter");
	is_int(c->connect_timeout, 5, "connect_timeout");
	is_int(c->fetch_timeout, 120, "fetch_timeout 2m");
	is_int(c->max_document_size, 8 * 1024 * 1024, "max_document_size 8M");
	is_int(c->max_redirects, 3, "max_redirects");
	is_int(c->max_fetches, 32, "max_fetches");
	is_int(c->max_per_host, 4, "max_per_host");
	is_int(c->host_gap_ms, 250, "host_gap_ms");
	is_int(c->listing_limit, 20, "listing_limit");
	is_int(c->listing_max, 200, "listing_max");
	is_int(c->cache_max_age, 0, "cache_max_age 0");
	is_int(c->max_connections, 512, "max_connections");
	is_int(c->max_body_size, 64 * 1024, "max_body_size 64k");
	is_int(c->hub, 0, "hub no");
	is_int(c->hub_lease_default, 2 * 86400, "hub_lease_default 2d");
	is_int(c->hub_lease_min, 600, "hub_lease_min 10m");
	is_int(c->hub_lease_max, 7 * 86400, "hub_lease_max 7d");
	is_int(c->push_timeout, 5, "push_timeout 5s");
	is_int(c->push_retry_for, 7200, "push_retry_for 2h");
	is_int(c->max_pushes, 4, "max_pushes");

	is_int(c->npeers, 3, "three peers, other files ignored");
	p = TAILQ_FIRST(&c->peers);
	is_str(p ? p->name : NULL, "loire", "peers in name order: loire");
	p = p ? TAILQ_NEXT(p, next) : NULL;
	is_str(p ? p->name : NULL, "paused", "then paused");
	p = p ? TAILQ_NEXT(p, next) : NULL;
	is_str(p ? p->name : NULL, "region", "then region");

	if ((p = conf_peer_find(c, "loire")) != NULL) {
		is_str(p->file, "good/peers.d/loire.conf", "peer file");
		is_str(p->url, "https://loire.example.org/feeds/all.atom#main",
		    "a '#' inside a value is not a comment");
		is_int(p->interval, 600, "peer interval");
		is_str(p->kind, "news", "peer kind");
		is_str(p->territory, "auvergne-rhone-alpes/loire",
		    "peer territory");
		is_int(p->include.kinds.n, 2, "two include kinds");
		is_str(p->include.kinds.items[1], "event", "trimmed list item");
		ok(p->include.kinds.items[2] == NULL, "list NULL-terminated");
		is_int(p->include.territories.n, 2, "two include territories");
		is_int(p->identity, IDENTITY_LINK, "identity link");
		is_int(p->enabled, 1, "enabled by default");
	} else
		ok(0, "peer loire found");
	if ((p = conf_peer_find(c, "region")) != NULL) {
		is_int(p->interval, 900, "interval defaults to poll_interval");
		is_int(p->identity, IDENTITY_AUTO, "identity defaults to auto");
		ok(p->kind == NULL && p->territory == NULL,
		    "no kind or territory by default");
	} else
		ok(0, "peer region found");
	if ((p = conf_peer_find(c, "paused")) != NULL) {
		is_int(p->enabled, 0, "enabled = off");
		is_str(p->include.categories.items[0], "insertion",
		    "category list item");
		is_int(p->identity, IDENTITY_DIGEST, "identity digest");
	} else
		ok(0, "peer paused found");
	ok(conf_peer_find(c, "hidden") == NULL &&
	    conf_peer_find(c, ".hidden") == NULL &&
	    conf_peer_find(c, "example") == NULL, "no peer from ignored files");
	conf_free(c);
}

/* Only the required keys: every default, and no peers directory. */
static void
test_minimal(void)
{
	struct config	*c;
	char		*log;

	c = load_capture("minimal/feedmesh.conf", LOG_LEVEL_INFO, &log);
	ok(c != NULL, "minimal configuration loads");
	is_str(log, "minimal/feedmesh.conf: no peers directory "
	    "minimal/peers.d: no peers\n",
	    "a missing default peers directory is an info line");
	free(log);
	if (c == NULL)
		return;
	is_str(c->public_url, "http://min.example.org", "public_url as given");
	is_str(c->listen, "127.0.0.1:8080", "default listen");
	is_str(c->store, "minimal/feedmesh.db", "default store");
	is_str(c->peers_dir, "minimal/peers.d", "default peers");
	is_str(c->admin, "/run/feedmesh/feedmeshctl.sock", "default admin");
	is_int(c->admin_port, 0, "admin is a socket");
	is_str(c->pidfile, "/run/feedmesh/feedmeshd.pid", "default pidfile");
	is_int(c->log_level, LOG_LEVEL_INFO, "default log_level");
	is_int(c->allow_private, 0, "default allow_private");
	is_int(c->poll_interval, 900, "default poll_interval");
	is_int(c->min_interval, 1, "default min_interval");
	is_int(c->max_interval, 86400, "default max_interval");
	is_int(c->backoff_max, 21600, "default backoff_max");
	is_int(c->jitter_percent, 10, "default jitter");
	is_int(c->connect_timeout, 10, "default connect_timeout");
	is_int(c->fetch_timeout, 60, "default fetch_timeout");
	is_int(c->max_document_size, 16 * 1024 * 1024,
	    "default max_document_size");
	is_int(c->max_redirects, 5, "default max_redirects");
	is_int(c->max_fetches, 16, "default max_fetches");
	is_int(c->max_per_host, 2, "default max_per_host");
	is_int(c->host_gap_ms, 1000, "default host_gap_ms");
	is_int(c->listing_limit, 50, "default listing_limit");
	is_int(c->listing_max, 500, "default listing_max");
	is_int(c->cache_max_age, 60, "default cache_max_age");
	is_int(c->max_connections, 1024, "default max_connections");
	is_int(c->max_body_size, 1024 * 1024, "default max_body_size");
	is_int(c->hub, 1, "default hub");
	is_int(c->hub_lease_default, 10 * 86400, "default hub_lease_default");
	is_int(c->hub_lease_min, 3600, "default hub_lease_min");
	is_int(c->hub_lease_max, 30 * 86400, "default hub_lease_max");
	is_int(c->push_timeout, 10, "default push_timeout");
	is_int(c->push_retry_for, 3600, "default push_retry_for");
	is_int(c->max_pushes, 16, "default max_pushes");
	is_int(c->npeers, 0, "no peers");
	ok(TAILQ_EMPTY(&c->peers), "empty peer list");
	conf_free(c);
}

/* Two peers with one URL: a warning, not an error. */
static void
test_dupurl(void)
{
	struct config	*c;
	char		*log;

	c = load_capture("dupurl/feedmesh.conf", LOG_LEVEL_WARN, &log);
	ok(c != NULL, "two peers with the same url load");
	is_str(log, "dupurl/peers.d/b.conf: peer \"b\" has the same url as "
	    "peer \"a\": it will be fetched twice\n", "with a warning");
	is_str(c ? c->public_url : NULL, "https://dup.example.org",
	    "public_url loses its trailing slash");
	is_str(c ? c->admin : NULL, "dupurl/ctl.sock",
	    "admin socket relative to the main file");
	free(log);
	conf_free(c);
}

static void
test_filters(void)
{
	struct config		*c;
	struct peer_conf	*p, *q, none;
	const char		*cats[] = { "Emploi", "formation" };
	const char		*ins[] = { "INSERTION" };
	char			*log;

	c = load_capture("good/feedmesh.conf", LOG_LEVEL_WARN, &log);
	free(log);
	if (c == NULL || (p = conf_peer_find(c, "loire")) == NULL ||
	    (q = conf_peer_find(c, "paused")) == NULL) {
		ok(0, "good configuration for filters");
		conf_free(c);
		return;
	}
	/* loire: kinds job, event; territories loire, rhone; not
	 * loire/saint-etienne; not category Formation. */
	ok(conf_filter_pass(p, "job", "auvergne-rhone-alpes/loire", NULL, 0),
	    "included kind and territory pass");
	ok(conf_filter_pass(p, "event",
	    "auvergne-rhone-alpes/rhone/lyon", NULL, 0),
	    "territory prefix matches a sub-territory");
	ok(!conf_filter_pass(p, "job", "auvergne-rhone-alpes/rhone-x", NULL,
	    0), "territory prefix matches whole segments only");
	ok(!conf_filter_pass(p, "job", "auvergne-rhone-alpes", NULL, 0),
	    "a parent territory does not match a child filter");
	ok(!conf_filter_pass(p, "news", "auvergne-rhone-alpes/loire", NULL,
	    0), "kind not included");
	ok(!conf_filter_pass(p, "job",
	    "auvergne-rhone-alpes/loire/saint-etienne/centre", NULL, 0),
	    "excluded sub-territory refused");
	ok(!conf_filter_pass(p, "job", "auvergne-rhone-alpes/loire", cats, 2),
	    "excluded category refused, ignoring case");
	ok(conf_filter_pass(p, "job", "auvergne-rhone-alpes/loire", cats, 1),
	    "other categories pass");
	ok(!conf_filter_pass(p, NULL, "auvergne-rhone-alpes/loire", NULL, 0),
	    "entry without kind gets the peer's kind (news): refused");
	ok(conf_filter_pass(p, "job", NULL, NULL, 0),
	    "entry without territory gets the peer's territory");
	/* paused: categories insertion or Emploi; not kind legal. */
	ok(conf_filter_pass(q, "news", NULL, ins, 1),
	    "included category passes, ignoring case");
	ok(!conf_filter_pass(q, "news", NULL, NULL, 0),
	    "no category with an include_category list: refused");
	ok(!conf_filter_pass(q, "legal", NULL, cats, 1),
	    "excluded kind refused even with an included category");
	memset(&none, 0, sizeof(none));
	ok(conf_filter_pass(&none, NULL, NULL, NULL, 0),
	    "no filters: everything passes");
	ok(conf_filter_pass(&none, "job", "x/y", cats, 2),
	    "no filters: anything passes");
	conf_free(c);
}

/* Reloading reconciles peers with conf_peer_find and conf_peer_equal. */
static void
test_equal(void)
{
	struct config		*a, *b;
	struct peer_conf	*pa, *pb, *ra, *rb;
	char			*log;

	a = load_capture("good/feedmesh.conf", LOG_LEVEL_WARN, &log);
	free(log);
	b = load_capture("good/feedmesh.conf", LOG_LEVEL_WARN, &log);
	free(log);
	if (a == NULL || b == NULL) {
		ok(0, "good configuration twice");
		conf_free(a);
		conf_free(b);
		return;
	}
	pa = conf_peer_find(a, "loire");
	pb = conf_peer_find(b, "loire");
	ra = conf_peer_find(a, "region");
	rb = conf_peer_find(b, "region");
	ok(pa != NULL && pb != NULL && ra != NULL && rb != NULL,
	    "conf_peer_find");
	ok(conf_peer_find(a, "nobody") == NULL, "conf_peer_find: unknown");
	if (pa == NULL || pb == NULL || ra == NULL || rb == NULL)
		goto done;
	ok(conf_peer_equal(pa, pb), "same definition: equal");
	ok(!conf_peer_equal(pa, ra), "different peers: not equal");
	pb->interval++;
	ok(!conf_peer_equal(pa, pb), "interval differs");
	pb->interval--;
	pb->enabled = 0;
	ok(!conf_peer_equal(pa, pb), "enabled differs");
	pb->enabled = 1;
	free(pb->exclude.categories.items[0]);
	pb->exclude.categories.items[0] = strdup("formation");
	ok(!conf_peer_equal(pa, pb), "a filter differs");
	rb->identity = IDENTITY_ID;
	ok(!conf_peer_equal(ra, rb), "identity differs");
	free(rb->kind);
	rb->identity = IDENTITY_AUTO;
	rb->kind = strdup("job");
	ok(!conf_peer_equal(ra, rb), "kind differs (NULL and set)");
done:
	conf_free(a);
	conf_free(b);
}

static void
test_paths(void)
{
	struct config	*c;
	char		 path[PATH_MAX + 64], want[PATH_MAX + 64], *log, *s;

	snprintf(path, sizeof(path), "%s/tests/conf/good/feedmesh.conf", top);
	c = load_capture(path, LOG_LEVEL_WARN, &log);
	free(log);
	ok(c != NULL, "absolute main path loads");
	if (c == NULL)
		return;
	snprintf(want, sizeof(want), "%s/tests/conf/good/state/feedmesh.db",
	    top);
	is_str(c->store, want, "store resolved against an absolute main path");
	snprintf(want, sizeof(want), "%s/tests/conf/good/peers.d/region.conf",
	    top);
	is_str(conf_peer_find(c, "region") ?
	    conf_peer_find(c, "region")->file : NULL, want, "peer file path");
	s = conf_path(c, "/var/lib/feedmesh/x.db");
	is_str(s, "/var/lib/feedmesh/x.db", "conf_path keeps absolute paths");
	free(s);
	s = conf_path(c, "a/b");
	snprintf(want, sizeof(want), "%s/tests/conf/good/a/b", top);
	is_str(s, want, "conf_path resolves relative paths");
	free(s);
	conf_free(c);

	c = load_capture("nonexistent.conf", LOG_LEVEL_WARN, &log);
	ok(c == NULL, "missing main file");
	is_str(log, "nonexistent.conf: No such file or directory\n",
	    "missing main file reported");
	free(log);
}

/* Every tests/conf/bad/X.conf fails with exactly X.expected. */
static void
test_bad(void)
{
	struct config	*c;
	struct dirent	*de;
	DIR		*d;
	char		**names = NULL, exp[PATH_MAX], *log, *want;
	size_t		  n = 0, i, len;

	if (chdir("bad") == -1 || (d = opendir(".")) == NULL) {
		ok(0, "bad fixtures directory");
		return;
	}
	while ((de = readdir(d)) != NULL) {
		len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if ((names = realloc(names, (n + 1) * sizeof(*names))) == NULL)
			abort();
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	ok(n >= 15, "at least 15 bad fixtures (%zu)", n);
	if (n > 0)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		snprintf(exp, sizeof(exp), "%.*s.expected",
		    (int)(strlen(names[i]) - 5), names[i]);
		want = read_path(exp);
		c = load_capture(names[i], LOG_LEVEL_WARN, &log);
		ok(c == NULL, "%s is refused", names[i]);
		is_str(log, want ? want : "(no .expected file)",
		    "%s: the expected messages", names[i]);
		conf_free(c);
		free(log);
		free(want);
		free(names[i]);
	}
	free(names);
	if (chdir("..") == -1)
		abort();
}

/* The installed samples are valid, the peer sample once renamed. */
static void
test_samples(void)
{
	struct config	*c;
	char		 dir[] = "/tmp/conf_test.XXXXXX";
	char		 from[PATH_MAX + 64], to[PATH_MAX + 64], *log;

	snprintf(from, sizeof(from), "%s/conf/feedmesh.conf", top);
	c = load_capture(from, LOG_LEVEL_WARN, &log);
	ok(c != NULL, "conf/feedmesh.conf loads");
	is_str(log, "", "without a warning");
	free(log);
	if (c != NULL) {
		is_str(c->listen, "127.0.0.1:8080", "sample listen");
		is_str(c->store, "/var/lib/feedmesh/feedmesh.db",
		    "sample store");
		is_str(c->admin, "/run/feedmesh/feedmeshctl.sock",
		    "sample admin");
		is_int(c->npeers, 0, "the peer sample is not a peer");
	}
	conf_free(c);

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(to, sizeof(to), "%s/feedmesh.conf", dir);
	copy_file(from, to);
	snprintf(to, sizeof(to), "%s/peers.d", dir);
	mkdir(to, 0700);
	snprintf(from, sizeof(from), "%s/conf/peers.d/example.conf.sample",
	    top);
	snprintf(to, sizeof(to), "%s/peers.d/example.conf", dir);
	copy_file(from, to);
	snprintf(to, sizeof(to), "%s/feedmesh.conf", dir);
	c = load_capture(to, LOG_LEVEL_WARN, &log);
	ok(c != NULL, "example.conf.sample is a valid peer file");
	is_str(log, "", "without a warning");
	is_int(c ? c->npeers : -1, 1, "one peer");
	ok(c != NULL && conf_peer_find(c, "example") != NULL,
	    "named example");
	free(log);
	conf_free(c);
	snprintf(to, sizeof(to), "%s/peers.d/example.conf", dir);
	unlink(to);
	snprintf(to, sizeof(to), "%s/peers.d", dir);
	rmdir(to);
	snprintf(to, sizeof(to), "%s/feedmesh.conf", dir);
	unlink(to);
	rmdir(dir);
}

/*
 * Peers are found by name in a map, not by walking the list: every one
 * of many is found, and no other name, including prefixes and names
 * whose files sort in another order ("a-b.conf" before "a.conf"); peers
 * sharing a url are each named against the first in the directory's
 * order, once.
 */
static void
test_many_peers(void)
{
	static const char *const odd[] = { "a", "a-b", "a_b", "a0", "ab",
	    "z", "z-", "z-a" };
	struct config	*c;
	char		 dir[] = "/tmp/conf_test.XXXXXX", path[PATH_MAX];
	char		 name[32], *log;
	FILE		*fp;
	size_t		 nodd = sizeof(odd) / sizeof(odd[0]), i;
	int		 n = 2000, found = 0, wrong = 0, lines;

	if (mkdtemp(dir) == NULL)
		abort();
	snprintf(path, sizeof(path), "%s/peers.d", dir);
	mkdir(path, 0700);
	for (i = 0; i < (size_t)n + nodd; i++) {
		if (i < (size_t)n)
			snprintf(name, sizeof(name), "p%d", (int)i * 7919 % n);
		else
			snprintf(name, sizeof(name), "%s", odd[i - n]);
		snprintf(path, sizeof(path), "%s/peers.d/%s.conf", dir, name);
		if ((fp = fopen(path, "w")) == NULL)
			abort();
		/* z, z- and z-a share a url: z-.conf is the first file. */
		if (name[0] == 'z')
			fprintf(fp, "url = https://same.example/feed\n");
		else
			fprintf(fp, "url = https://%s.example/feed\n", name);
		fclose(fp);
	}
	snprintf(path, sizeof(path), "%s/feedmesh.conf", dir);
	if ((fp = fopen(path, "w")) == NULL)
		abort();
	fprintf(fp, "node = many\ntitle = Many\n"
	    "public_url = https://many.example\n");
	fclose(fp);

	c = load_capture(path, LOG_LEVEL_WARN, &log);
	ok(c != NULL, "%d peers load", n + (int)nodd);
	is_int(c ? c->npeers : -1, n + (int)nodd, "all of them");
	for (i = 0; c != NULL && i < (size_t)n + nodd; i++) {
		if (i < (size_t)n)
			snprintf(name, sizeof(name), "p%d", (int)i);
		else
			snprintf(name, sizeof(name), "%s", odd[i - n]);
		if (conf_peer_find(c, name) == NULL)
			continue;
		found++;
		if (strcmp(conf_peer_find(c, name)->name, name) != 0)
			wrong++;
	}
	is_int(found, n + (int)nodd, "each is found by name");
	is_int(wrong, 0, "as itself");
	ok(c != NULL && conf_peer_find(c, "p") == NULL &&
	    conf_peer_find(c, "a-") == NULL && conf_peer_find(c, "zz") ==
	    NULL && conf_peer_find(c, "") == NULL, "no other name is found");
	ok(log != NULL && strstr(log, "z-a.conf: peer \"z-a\" has the same "
	    "url as peer \"z-\"") != NULL && strstr(log, "/z.conf: peer "
	    "\"z\" has the same url as peer \"z-\"") != NULL,
	    "each peer sharing a url is named against the first file");
	for (i = 0, lines = 0; log != NULL && log[i] != '\0'; i++)
		lines += log[i] == '\n';
	is_int(lines, 2, "and nothing else is logged");
	free(log);
	conf_free(c);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	if (system(path) != 0)
		abort();
}

int
main(void)
{
	const char	*srcdir;
	char		 conf[PATH_MAX + 32];

	log_init(1, LOG_LEVEL_WARN, "conf_test");
	if ((srcdir = getenv("srcdir")) == NULL)
		srcdir = ".";
	if (realpath(srcdir, top) == NULL) {
		printf("Bail out! no source directory %s\n", srcdir);
		return (1);
	}
	snprintf(conf, sizeof(conf), "%s/tests/conf", top);
	if (chdir(conf) == -1) {
		printf("Bail out! no %s\n", conf);
		return (1);
	}
	test_good();
	test_minimal();
	test_dupurl();
	test_filters();
	test_equal();
	test_paths();
	test_bad();
	test_samples();
	test_many_peers();
	return (tap_done());
}
