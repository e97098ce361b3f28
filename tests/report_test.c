/*
 * feedmesh tests: the metrics exposition, the OPML round trip (export,
 * import, load), the period report and its served counts.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "buf.h"
#include "conf.h"
#include "entry.h"
#include "metrics.h"
#include "netaddr.h"
#include "opml.h"
#include "stats.h"
#include "store.h"
#include "tap.h"

#define T2025	1735689600	/* 2025-01-01T00:00:00Z */
#define T2026	1767225600	/* 2026-01-01T00:00:00Z */

static char	 dir[64];

static void	 rm_tree(const char *);
static void	 write_file(const char *, const char *);
static void	 test_metrics(void);
static void	 test_netaddr(void);
static void	 test_opml(void);
static void	 test_stats(void);

static void
write_file(const char *path, const char *text)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

/* Removes a directory of files and directories, two levels deep. */
static void
rm_tree(const char *d)
{
	struct dirent	*de;
	DIR		*dp;
	char		 p[512];

	if ((dp = opendir(d)) == NULL)
		return;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", d, de->d_name);
		if (unlink(p) == -1)
			rm_tree(p);
	}
	closedir(dp);
	rmdir(d);
}

static void
collect_cb(struct buf *b, void *arg)
{
	metrics_write_gauge(b, "feedmesh_test_gauge", "A gauge",
	    *(double *)arg);
}

static void
test_metrics(void)
{
	struct metric	*c, *h, *l;
	struct buf	 b;
	double		 g = 42.5, bounds[] = { 0.1, 1 };
	char		 name[32];
	int		 i;

	c = metrics_add_counter("feedmesh_test_total", "Test \\ counter\nx",
	    NULL);
	l = metrics_add_counter("feedmesh_test_by_total", "By label",
	    "peer,outcome");
	h = metrics_add_histogram("feedmesh_test_seconds", "Latency", bounds,
	    2);
	ok(metrics_add_counter("feedmesh_test_total", "again", NULL) == c,
	    "registering twice finds the same counter");
	metrics_inc(c, NULL, 3);
	metrics_inc(l, "a,ok", 2);
	metrics_inc(l, "b\"x,error", 1);
	metrics_observe(h, 0.05);
	metrics_observe(h, 0.5);
	metrics_observe(h, 7);
	metrics_add_collector(collect_cb, &g);
	buf_init(&b);
	metrics_write(&b);
	ok(strstr(b.data, "# HELP feedmesh_test_total Test \\\\ counter\\nx\n"
	    "# TYPE feedmesh_test_total counter\nfeedmesh_test_total 3\n") !=
	    NULL, "counter with escaped HELP");
	ok(strstr(b.data, "feedmesh_test_by_total{peer=\"a\",outcome=\"ok\"} "
	    "2\n") != NULL, "two labels");
	ok(strstr(b.data, "feedmesh_test_by_total{peer=\"b\\\"x\","
	    "outcome=\"error\"} 1\n") != NULL, "label value escaped");
	ok(strstr(b.data, "feedmesh_test_seconds_bucket{le=\"0.1\"} 1\n"
	    "feedmesh_test_seconds_bucket{le=\"1\"} 2\n"
	    "feedmesh_test_seconds_bucket{le=\"+Inf\"} 3\n"
	    "feedmesh_test_seconds_sum 7.55\n"
	    "feedmesh_test_seconds_count 3\n") != NULL,
	    "histogram buckets are cumulative");
	ok(strstr(b.data, "# TYPE feedmesh_test_gauge gauge\n"
	    "feedmesh_test_gauge 42.5\n") != NULL, "collector gauge");
	buf_free(&b);
	for (i = 0; i < METRICS_MAX_SERIES + 10; i++) {
		snprintf(name, sizeof(name), "p%d,ok", i);
		metrics_inc(l, name, 1);
	}
	is_int(metrics_value("feedmesh_test_by_total", "other") >= 10, 1,
	    "series past the bound are counted as other");
	metrics_remove_collector(collect_cb, &g);
	metrics_free();
	is_int(metrics_value("feedmesh_test_total", NULL), 0, "freed");
}

static void
test_netaddr(void)
{
	struct netaddr	 n[3];

	ok(netaddr_parse("10.0.0.0/8", &n[0]) == 0 &&
	    netaddr_parse("192.0.2.7", &n[1]) == 0 &&
	    netaddr_parse("fd00::/8", &n[2]) == 0, "blocks parse");
	ok(netaddr_match(n, 3, "10.255.1.2"), "inside a /8");
	ok(!netaddr_match(n, 3, "11.0.0.1"), "outside it");
	ok(netaddr_match(n, 3, "192.0.2.7") && !netaddr_match(n, 3,
	    "192.0.2.8"), "a single address");
	ok(netaddr_match(n, 3, "fd12::1") && !netaddr_match(n, 3, "fe80::1"),
	    "IPv6 block");
	ok(netaddr_match(n, 3, "::ffff:10.1.2.3"), "IPv4-mapped IPv6");
	ok(netaddr_parse("10.0.0.0/33", &n[0]) == -1 &&
	    netaddr_parse("10.0.0/8", &n[0]) == -1 &&
	    netaddr_parse("example.org", &n[0]) == -1, "malformed refused");
	ok(!netaddr_match(n, 0, "127.0.0.1"), "empty list matches nothing");
}

static void
test_opml(void)
{
	struct config		*a, *b;
	struct peer_conf	*p, *q;
	char			 path[512], peers[128], peers2[128], opml[512];
	char			*doc, *name;
	FILE			*devnull;
	int			 same = 1, n;

	snprintf(peers, sizeof(peers), "%s/peers.d", dir);
	snprintf(peers2, sizeof(peers2), "%s/imported.d", dir);
	mkdir(peers, 0700);
	mkdir(peers2, 0700);
	snprintf(path, sizeof(path), "%s/feedmesh.conf", dir);
	write_file(path, "node = test\ntitle = Test & co\n"
	    "public_url = https://node.example.org\npeers = peers.d\n");
	snprintf(opml, sizeof(opml), "%s/region.conf", peers);
	write_file(opml, "url = https://region.example.org/feeds/all.atom\n");
	snprintf(opml, sizeof(opml), "%s/cafe-bio.conf", peers);
	write_file(opml, "url = https://cafe.example.org/rss?a=1&b=2\n");
	a = conf_load(path);
	ok(a != NULL, "configuration with two peers");
	if (a == NULL)
		return;
	doc = opml_export(a);
	ok(strstr(doc, "<opml version=\"2.0\">") != NULL &&
	    strstr(doc, "xmlUrl=\"https://cafe.example.org/rss?a=1&amp;b=2\"")
	    != NULL && strstr(doc, "htmlUrl=\"https://region.example.org/\"")
	    != NULL && strstr(doc, "<title>Test &amp; co: peers</title>") !=
	    NULL, "OPML 2.0 with escaped URLs, htmlUrl of a node");
	snprintf(opml, sizeof(opml), "%s/peers.opml", dir);
	write_file(opml, doc);
	free(doc);

	devnull = fopen("/dev/null", "w");
	n = opml_import(opml, peers2, 0, devnull);
	is_int(n, 2, "two peer files written");
	is_int(opml_import(opml, peers2, 0, devnull), 0,
	    "existing files are not overwritten");
	is_int(opml_import(opml, peers2, 1, devnull), 2, "unless forced");
	fclose(devnull);
	write_file(path, "node = test\ntitle = Test\n"
	    "public_url = https://node.example.org\npeers = imported.d\n");
	b = conf_load(path);
	ok(b != NULL, "the imported files load");
	if (b != NULL) {
		TAILQ_FOREACH(p, &a->peers, next) {
			q = conf_peer_find(b, p->name);
			if (q == NULL || strcmp(q->url, p->url) != 0)
				same = 0;
		}
		ok(same && a->npeers == b->npeers, "round trip: same names, "
		    "same URLs");
	}
	conf_free(a);
	conf_free(b);

	name = opml_peer_name("  Économie Sociale & Solidaire — Loire! ");
	is_str(name, "economie-sociale-solidaire-loire", "name from a title");
	free(name);
	name = opml_peer_name("../../etc/passwd");
	is_str(name, "etc-passwd", "no path in a name");
	free(name);
	name = opml_peer_name("☃");
	is_str(name, "peer", "nothing left: peer");
	free(name);
	write_file(opml, "<opml version=\"2.0\"><body>"
	    "<outline text=\"Dup\" xmlUrl=\"https://a.example/f\"/>"
	    "<outline text=\"Folder\"><outline title=\"Dup\" "
	    "xmlUrl=\"https://b.example/f\"/></outline>"
	    "<outline text=\"Bad\" xmlUrl=\"file:///etc/passwd\"/>"
	    "<outline text=\"Inject\" xmlUrl=\"https://c.example/&#10;x = y\"/>"
	    "</body></opml>");
	rm_tree(peers2);
	mkdir(peers2, 0700);
	devnull = fopen("/dev/null", "w");
	is_int(opml_import(opml, peers2, 0, devnull), 2, "nested outlines; "
	    "file: and newline URLs skipped");
	fclose(devnull);
	snprintf(path, sizeof(path), "%s/dup-2.conf", peers2);
	ok(access(path, F_OK) == 0, "a repeated title gets a suffix");
}

static void
test_stats(void)
{
	struct store	*s;
	struct entry	*e;
	enum store_result r;
	json_t		*j, *g;
	enum stats_by	 by;
	int64_t		 from, to;
	const char	*why;
	char		 path[256], id[32];
	int		 i;

	snprintf(path, sizeof(path), "%s/stats.db", dir);
	s = store_open(path);
	/* 2025: 3 jobs (one in Loire), 2 actors; 2026: 1 job. */
	for (i = 0; i < 6; i++) {
		e = entry_new();
		snprintf(id, sizeof(id), "s%d", i);
		entry_set(&e->id, id);
		entry_set(&e->kind, i < 3 || i == 5 ? "job" : "actor");
		entry_set(&e->territory, i == 0 ? "ara/loire" : "bretagne");
		e->published = i == 5 ? T2026 + 10 : T2025 + i * 40 * 86400;
		store_entry_upsert(s, e, "region", &r);
		if (i == 1)	/* co-published: a second path */
			store_entry_upsert(s, e, "dept", &r);
		entry_free(e);
	}
	ok(stats_params("2025-01-01", "2025-12-31", "kind", &from, &to, &by,
	    &why) == 0 && from == T2025 && to == T2026 && by == STATS_BY_KIND,
	    "period of 2025, by kind, to includes its day");
	ok(stats_params("2025-12-31", "2025-01-01", NULL, &from, &to, &by,
	    &why) == -1, "a period ending before it starts is refused");
	ok(stats_params(NULL, NULL, "colour", &from, &to, &by, &why) == -1,
	    "unknown grouping refused");
	stats_params("2025-01-01", "2025-12-31", "kind", &from, &to, &by, &why);
	stats_served_add(s, "2025-03-01", "atom", 5);
	stats_served_add(s, "2025-03-01", "atom", 2);
	stats_served_add(s, "2025-06-01", "embed", 4);
	stats_served_add(s, "2026-01-02", "embed", 100);
	j = stats_report(s, from, to, by);
	ok(j != NULL, "report");
	g = json_object_get(j, "totals");
	is_int(json_integer_value(json_object_get(g, "published")), 5,
	    "5 published in 2025");
	is_int(json_integer_value(json_object_get(g, "new_actors")), 2,
	    "2 new actor profiles");
	is_int(json_integer_value(json_object_get(g, "copublished")), 1,
	    "1 co-published");
	g = json_object_get(j, "groups");
	is_int(json_array_size(g), 2, "two kinds");
	is_str(json_string_value(json_object_get(json_array_get(g, 1), "key")),
	    "job", "groups sorted");
	is_int(json_integer_value(json_object_get(json_array_get(g, 1),
	    "published")), 3, "3 jobs in 2025");
	g = json_object_get(j, "served");
	is_int(json_integer_value(json_object_get(g, "atom")), 7,
	    "atom served 7 times in 2025");
	is_int(json_integer_value(json_object_get(g, "total")), 11,
	    "2026's counts are not in 2025's");
	json_decref(j);
	stats_params(NULL, NULL, "peer", &from, &to, &by, &why);
	j = stats_report(s, from, to, by);
	g = json_object_get(j, "groups");
	ok(json_array_size(g) == 2 && json_integer_value(json_object_get(
	    json_array_get(g, 1), "published")) == 6, "by peer: dept 1, "
	    "region 6");
	json_decref(j);
	stats_params(NULL, NULL, "month", &from, &to, &by, &why);
	j = stats_report(s, from, to, by);
	g = json_object_get(j, "groups");
	is_str(json_string_value(json_object_get(json_array_get(g, 0), "key")),
	    "2025-01", "by month: first month");
	is_int(json_array_size(g), 6, "six months with entries");
	json_decref(j);
	stats_params(NULL, NULL, "territory", &from, &to, &by, &why);
	j = stats_report(s, from, to, by);
	g = json_object_get(j, "groups");
	is_str(json_string_value(json_object_get(json_array_get(g, 0), "key")),
	    "ara/loire", "by territory");
	json_decref(j);
	store_close(s);
}

int
main(void)
{
	snprintf(dir, sizeof(dir), "/tmp/feedmesh-report.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return (1);
	test_metrics();
	test_netaddr();
	test_opml();
	test_stats();
	rm_tree(dir);
	return (tap_done());
}
