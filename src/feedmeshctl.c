/*
 * feedmesh: the administrator's tool. Talks to feedmeshd through the
 * admin socket named in the configuration; "parse" needs no daemon.
 */
#include <sys/types.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <jansson.h>
#include <libxml/parser.h>

#include "buf.h"
#include "conf.h"
#include "config.h"
#include "date.h"
#include "entry.h"
#include "ingest.h"
#include "log.h"
#include "opml.h"
#include "render.h"

/* What feedmeshctl parse reads at most: the daemon's default limit. */
#define CTL_PARSE_MAX	(64 * 1024 * 1024)

static int	 json_output;

static void	 usage(void) __attribute__((noreturn));
static json_t	*ctl_call(const struct config *, const char *, const char *);
static json_t	*ctl_call_body(const struct config *, const char *,
		    const char *, const char *, size_t);
static int	 ctl_publish(const struct config *, const char *);
static int	 ctl_with_id(const struct config *, const char *, const char *,
		    const char *);
static int	 ctl_digest(const struct config *);
static int	 ctl_queue(const struct config *);
static size_t	 ctl_write_cb(char *, size_t, size_t, void *);
static int	 ctl_status(const struct config *);
static int	 ctl_peers(const struct config *);
static void	 ctl_peer_push(const json_t *);
static int	 ctl_subscriptions(const struct config *);
static int	 ctl_simple(const struct config *, const char *, const char *);
static int	 ctl_parse(int, char **);
static int	 ctl_stats(const struct config *, int, char **);
static int	 ctl_import_opml(const char *, int, char **);
static void	 ctl_stats_row(const char *, json_t *);
static void	 ctl_age(const char *, char *, size_t);

static void
usage(void)
{
	fprintf(stderr,
	    "usage: feedmeshctl [-j] [-f file] command [argument ...]\n"
	    "commands:\n"
	    "  status                node, uptime, entries, peers\n"
	    "  peers                 one row per peer\n"
	    "  fetch peer|'*'        fetch a peer (or every peer) now\n"
	    "  subscriptions         WebSub subscriptions to this hub\n"
	    "  reload                reload the configuration (as SIGHUP)\n"
	    "  parse [-u url] file|- print what the node would store\n"
	    "  stats [--from date] [--to date] [--by kind|territory|peer|month]\n"
	    "                        entries published, new actors, co-published,\n"
	    "                        listings and embeds served\n"
	    "  import-opml [-f] [-d dir] file\n"
	    "                        write peer files from an OPML list\n"
	    "  publish file|-        publish an Atom entry or JSON Feed item\n"
	    "  retract id            retract an entry (a tombstone)\n"
	    "  digest                the store's state digest and counts\n"
	    "  queue                 entries held for moderation\n"
	    "  approve id            make a held entry visible\n"
	    "  reject id             drop a held entry for good\n");
	exit(1);
}

static size_t
ctl_write_cb(char *p, size_t size, size_t n, void *arg)
{
	buf_add(arg, p, size * n);
	return (size * n);
}

static json_t *
ctl_call(const struct config *conf, const char *method, const char *path)
{
	return (ctl_call_body(conf, method, path, NULL, 0));
}

/* One request on the admin socket; the decoded JSON answer or NULL. */
static json_t *
ctl_call_body(const struct config *conf, const char *method,
    const char *path, const char *data, size_t len)
{
	CURL		*c;
	CURLcode	 rc;
	struct buf	 body;
	json_error_t	 jerr;
	json_t		*j;
	const char	*where;
	char		*url, err[CURL_ERROR_SIZE] = "";
	long		 status = 0;

	buf_init(&body);
	where = conf->admin;
	if ((c = curl_easy_init()) == NULL)
		fatalx("curl_easy_init");
	if (conf->admin_port == 0) {
		curl_easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, where);
		if (asprintf(&url, "http://localhost%s", path) == -1)
			fatal("asprintf");
	} else if (asprintf(&url, "http://%s%s", where, path) == -1)
		fatal("asprintf");
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (data != NULL) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
		    (curl_off_t)len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, data);
	} else if (strcmp(method, "POST") == 0)
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, ctl_write_cb);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, err);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (rc != CURLE_OK) {
		fprintf(stderr, "feedmeshctl: cannot reach feedmeshd at %s: "
		    "%s\n", where, err[0] ? err : curl_easy_strerror(rc));
		j = NULL;
		goto done;
	}
	if ((j = json_loadb(body.data ? body.data : "", body.len, 0,
	    &jerr)) == NULL) {
		fprintf(stderr, "feedmeshctl: unreadable answer from %s: %s\n",
		    where, jerr.text);
		goto done;
	}
	if (status != 200) {
		fprintf(stderr, "feedmeshctl: %s\n",
		    json_string_value(json_object_get(j, "error")) ?
		    json_string_value(json_object_get(j, "error")) :
		    "request refused");
		json_decref(j);
		j = NULL;
	}
done:
	free(url);
	buf_free(&body);
	return (j);
}

static void
ctl_print_json(json_t *j)
{
	char	*s = json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS);

	if (s != NULL)
		printf("%s\n", s);
	free(s);
}

static int
ctl_status(const struct config *conf)
{
	json_t		*j, *hub;
	json_int_t	 up;

	if ((j = ctl_call(conf, "GET", "/status")) == NULL)
		return (1);
	if (json_output)
		ctl_print_json(j);
	else {
		up = json_integer_value(json_object_get(j, "uptime"));
		printf("node:       %s (%s)\n",
		    json_string_value(json_object_get(j, "node")),
		    json_string_value(json_object_get(j, "title")));
		printf("version:    %s\n",
		    json_string_value(json_object_get(j, "version")));
		printf("public url: %s\n",
		    json_string_value(json_object_get(j, "public_url")));
		printf("uptime:     %lldd %02lld:%02lld:%02lld\n",
		    (long long)(up / 86400), (long long)(up / 3600 % 24),
		    (long long)(up / 60 % 60), (long long)(up % 60));
		printf("entries:    %lld\n", (long long)json_integer_value(
		    json_object_get(j, "entries")));
		printf("peers:      %lld\n", (long long)json_integer_value(
		    json_object_get(j, "peers")));
		if ((hub = json_object_get(j, "hub")) != NULL)
			printf("hub:        %lld subscriptions, %lld pushes "
			    "sent, %lld failed, %lld pending\n",
			    (long long)json_integer_value(json_object_get(hub,
			    "subscriptions")),
			    (long long)json_integer_value(json_object_get(hub,
			    "pushes_sent")),
			    (long long)json_integer_value(json_object_get(hub,
			    "pushes_failed")),
			    (long long)json_integer_value(json_object_get(hub,
			    "pushes_pending")));
	}
	json_decref(j);
	return (0);
}

/* "12s ago", "in 3m": times relative to now, for the peers table. */
static void
ctl_age(const char *when, char *out, size_t len)
{
	int64_t		 t, d;
	const char	*fmt;

	if (when == NULL || (t = date_parse(when, NULL)) == ENTRY_NO_TIME) {
		snprintf(out, len, "-");
		return;
	}
	d = t - (int64_t)time(NULL);
	fmt = d < 0 ? "%lld%s ago" : "in %lld%s";
	if (d < 0)
		d = -d;
	if (d < 120)
		snprintf(out, len, fmt, (long long)d, "s");
	else if (d < 7200)
		snprintf(out, len, fmt, (long long)(d / 60), "m");
	else if (d < 172800)
		snprintf(out, len, fmt, (long long)(d / 3600), "h");
	else
		snprintf(out, len, fmt, (long long)(d / 86400), "d");
}

/* The WebSub line under a peer with push = websub. */
static void
ctl_peer_push(const json_t *push)
{
	const char	*hub, *state;
	char		 lease[32], last[32];

	if (!json_is_object(push))
		return;
	hub = json_string_value(json_object_get(push, "hub"));
	state = json_string_value(json_object_get(push, "state"));
	ctl_age(json_string_value(json_object_get(push, "lease_end")),
	    lease, sizeof(lease));
	ctl_age(json_string_value(json_object_get(push, "last_push")),
	    last, sizeof(last));
	printf("%-20s push %s%s, lease ends %s, last push %s, hub %s\n", "",
	    state ? state : "-",
	    json_is_true(json_object_get(push, "unreliable")) ?
	    " (unreliable: pulled at its interval)" : "", lease, last,
	    hub ? hub : "not advertised");
}

static int
ctl_peers(const struct config *conf)
{
	json_t		*j, *p;
	size_t		 i;
	char		 last[32], next[32];
	const char	*err, *moved;

	if ((j = ctl_call(conf, "GET", "/peers")) == NULL)
		return (1);
	if (json_output) {
		ctl_print_json(j);
		json_decref(j);
		return (0);
	}
	printf("%-20s %-10s %6s %8s %-10s %-10s %s\n", "PEER", "LAST-FETCH",
	    "STATUS", "ENTRIES", "NEXT", "FAILURES", "LAST-ERROR");
	json_array_foreach(j, i, p) {
		ctl_age(json_string_value(json_object_get(p, "last_fetch")),
		    last, sizeof(last));
		if (json_is_true(json_object_get(p, "gone")))
			snprintf(next, sizeof(next), "stopped");
		else if (json_is_true(json_object_get(p, "fetching")))
			snprintf(next, sizeof(next), "now");
		else
			ctl_age(json_string_value(json_object_get(p,
			    "next_fetch")), next, sizeof(next));
		err = json_string_value(json_object_get(p, "last_error"));
		printf("%-20s %-10s %6lld %8lld %-10s %-10lld %s\n",
		    json_string_value(json_object_get(p, "name")), last,
		    (long long)json_integer_value(json_object_get(p,
		    "status")),
		    (long long)json_integer_value(json_object_get(p,
		    "entries")), next,
		    (long long)json_integer_value(json_object_get(p,
		    "failures")), err ? err : "-");
		if ((moved = json_string_value(json_object_get(p,
		    "moved_to"))) != NULL)
			printf("%-20s moved permanently to %s: update its "
			    "url\n", "", moved);
		ctl_peer_push(json_object_get(p, "push"));
	}
	json_decref(j);
	return (0);
}

/* The hub's subscribers: topic, callback host, state, lease, queue. */
static int
ctl_subscriptions(const struct config *conf)
{
	json_t		*j, *p;
	size_t		 i;
	char		 date[DATE_HTTP_LEN], expires[32];
	const char	*node;

	if ((j = ctl_call(conf, "GET", "/subscriptions")) == NULL)
		return (1);
	if (json_output) {
		ctl_print_json(j);
		json_decref(j);
		return (0);
	}
	printf("%-24s %-10s %-10s %7s %8s %-12s %s\n", "CALLBACK-HOST",
	    "STATE", "EXPIRES", "PENDING", "FAILURES", "NODE", "TOPIC");
	json_array_foreach(j, i, p) {
		date_format_http(json_integer_value(json_object_get(p,
		    "expires")), date, sizeof(date));
		ctl_age(date, expires, sizeof(expires));
		node = json_string_value(json_object_get(p, "node"));
		printf("%-24s %-10s %-10s %7lld %8lld %-12s %s\n",
		    json_string_value(json_object_get(p, "callback_host")),
		    json_string_value(json_object_get(p, "state")), expires,
		    (long long)json_integer_value(json_object_get(p,
		    "pending")),
		    (long long)json_integer_value(json_object_get(p,
		    "failures")), node != NULL ? node : "-",
		    json_string_value(json_object_get(p, "topic")));
	}
	json_decref(j);
	return (0);
}

static int
ctl_simple(const struct config *conf, const char *method, const char *path)
{
	json_t	*j;

	if ((j = ctl_call(conf, method, path)) == NULL)
		return (1);
	if (json_output)
		ctl_print_json(j);
	else
		printf("%s\n", json_string_value(json_object_get(j,
		    "result")));
	json_decref(j);
	return (0);
}

static void
ctl_stats_row(const char *key, json_t *g)
{
	printf("%-32s %10lld %10lld %12lld\n", key,
	    (long long)json_integer_value(json_object_get(g, "published")),
	    (long long)json_integer_value(json_object_get(g, "new_actors")),
	    (long long)json_integer_value(json_object_get(g, "copublished")));
}

/* feedmeshctl stats: the report of a period, as a table or JSON. */
static int
ctl_stats(const struct config *conf, int argc, char **argv)
{
	static const struct option	 opts[] = {
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "by", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	struct buf	 path;
	json_t		*j, *g, *served, *v;
	const char	*key;
	char		*esc;
	size_t		 i;
	int		 ch;

	buf_init(&path);
	buf_addstr(&path, "/stats?");
	optind = 0;
	while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (ch != 'f' && ch != 't' && ch != 'b')
			usage();
		if ((esc = curl_easy_escape(NULL, optarg, 0)) == NULL)
			fatalx("curl_easy_escape");
		buf_printf(&path, "%s=%s&", ch == 'f' ? "from" : ch == 't' ?
		    "to" : "by", esc);
		curl_free(esc);
	}
	if (optind != argc)
		usage();
	j = ctl_call(conf, "GET", path.data);
	buf_free(&path);
	if (j == NULL)
		return (1);
	if (json_output) {
		ctl_print_json(j);
		json_decref(j);
		return (0);
	}
	printf("period %s to %s\n\n", json_string_value(json_object_get(j,
	    "from")), json_string_value(json_object_get(j, "to")));
	printf("%-32s %10s %10s %12s\n", json_object_get(j, "by") ?
	    json_string_value(json_object_get(j, "by")) : "", "published",
	    "new actors", "co-published");
	g = json_object_get(j, "groups");
	for (i = 0; i < json_array_size(g); i++) {
		key = json_string_value(json_object_get(json_array_get(g, i),
		    "key"));
		ctl_stats_row(key != NULL && *key != '\0' ? key : "(none)",
		    json_array_get(g, i));
	}
	ctl_stats_row("total", json_object_get(j, "totals"));
	served = json_object_get(j, "served");
	printf("\nserved:");
	json_object_foreach(served, key, v)
		printf(" %s %lld", key, (long long)json_integer_value(v));
	printf("\n");
	json_decref(j);
	return (0);
}

/* Sends an entry from a file (or stdin) to be published as "admin". */
static int
ctl_publish(const struct config *conf, const char *file)
{
	struct buf	 b;
	FILE		*fp;
	json_t		*j;
	char		 chunk[8192];
	size_t		 n;
	int		 rc = 1;

	if (strcmp(file, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(file, "r")) == NULL) {
		fprintf(stderr, "feedmeshctl: %s: %s\n", file, strerror(errno));
		return (1);
	}
	buf_init(&b);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 &&
	    b.len <= 4 * 1024 * 1024)
		buf_add(&b, chunk, n);
	if (ferror(fp))
		fprintf(stderr, "feedmeshctl: %s: %s\n", file, strerror(errno));
	else if (b.len > 4 * 1024 * 1024)
		fprintf(stderr, "feedmeshctl: %s: larger than 4 MB\n", file);
	else if ((j = ctl_call_body(conf, "POST", "/publish",
	    b.data ? b.data : "", b.len)) != NULL) {
		if (json_output)
			ctl_print_json(j);
		else
			printf("%s\n%s\n", json_string_value(json_object_get(j,
			    "id")), json_string_value(json_object_get(j,
			    "location")));
		json_decref(j);
		rc = 0;
	}
	buf_free(&b);
	if (fp != stdin)
		fclose(fp);
	return (rc);
}

/* POST path?id=ID, then prints what it did. */
static int
ctl_with_id(const struct config *conf, const char *path, const char *id,
    const char *done)
{
	json_t	*j;
	char	*q, *esc;

	if ((esc = curl_easy_escape(NULL, id, 0)) == NULL ||
	    asprintf(&q, "%s?id=%s", path, esc) == -1)
		fatal("asprintf");
	curl_free(esc);
	j = ctl_call(conf, "POST", q);
	free(q);
	if (j == NULL)
		return (1);
	if (json_output)
		ctl_print_json(j);
	else
		printf("%s %s\n", id, done);
	json_decref(j);
	return (0);
}

/* feedmeshctl import-opml: peer files from an OPML document. */
static int
ctl_import_opml(const char *conf_path, int argc, char **argv)
{
	struct config	*conf = NULL;
	const char	*dir = NULL;
	int		 ch, force = 0, n;

	optind = 0;	/* glibc: start afresh, permuting "file -d dir" */
	while ((ch = getopt(argc, argv, "fd:")) != -1) {
		switch (ch) {
		case 'f':
			force = 1;
			break;
		case 'd':
			dir = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (dir == NULL) {
		if ((conf = conf_load(conf_path)) == NULL)
			return (1);
		dir = conf->peers_dir;
	}
	n = opml_import(argv[optind], dir, force, stdout);
	if (n > 0)
		printf("check the new files, then: feedmeshctl reload "
		    "(or send SIGHUP to feedmeshd)\n");
	conf_free(conf);
	return (n < 0 ? 1 : 0);
}

static int
ctl_digest(const struct config *conf)
{
	json_t	*j;

	if ((j = ctl_call(conf, "GET", "/digest")) == NULL)
		return (1);
	if (json_output)
		ctl_print_json(j);
	else
		printf("%s\nentries %lld\ntombstones %lld\n",
		    json_string_value(json_object_get(j, "digest")),
		    (long long)json_integer_value(json_object_get(j,
		    "entries")), (long long)json_integer_value(
		    json_object_get(j, "tombstones")));
	json_decref(j);
	return (0);
}

static int
ctl_queue(const struct config *conf)
{
	json_t	*j, *a, *it;
	size_t	 i;

	if ((j = ctl_call(conf, "GET", "/queue")) == NULL)
		return (1);
	if (json_output)
		ctl_print_json(j);
	else {
		a = json_object_get(j, "held");
		json_array_foreach(a, i, it)
			printf("%s\t%s\t%s\t%s\n",
			    json_string_value(json_object_get(it, "id")),
			    json_string_value(json_object_get(it, "peer")),
			    json_string_value(json_object_get(it,
			    "first_seen")),
			    json_string_value(json_object_get(it, "title")) ?
			    json_string_value(json_object_get(it, "title")) :
			    "");
	}
	json_decref(j);
	return (0);
}

/* Reads a document as the daemon would and prints it as JSON Feed 1.1. */
static int
ctl_parse(int argc, char **argv)
{
	struct ingest		*in;
	struct ingest_stats	 st;
	struct render_feed	 rf;
	const struct feed_meta	*meta;
	struct entry *const	*entries;
	struct buf		 out;
	const char		*base = NULL, *file;
	char			 chunk[65536];
	FILE			*fp;
	size_t			 n, total = 0, nentries;
	int			 ch, rc = 1;

	optind = 1;
	while ((ch = getopt(argc, argv, "u:")) != -1) {
		switch (ch) {
		case 'u':
			base = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	file = argv[optind];
	if (strcmp(file, "-") == 0)
		fp = stdin;
	else if ((fp = fopen(file, "rb")) == NULL) {
		fprintf(stderr, "feedmeshctl: %s: %s\n", file,
		    strerror(errno));
		return (1);
	}
	in = ingest_new(NULL, base, NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0) {
		total += n;
		if (total > CTL_PARSE_MAX) {
			fprintf(stderr, "feedmeshctl: %s: larger than %d "
			    "bytes\n", file, CTL_PARSE_MAX);
			goto done;
		}
		if (ingest_data(in, chunk, n) == -1)
			break;
	}
	if (ingest_prepare(in, &st) == -1) {
		fprintf(stderr, "feedmeshctl: %s: %s\n", file,
		    ingest_error(in) ? ingest_error(in) : "not a feed");
		goto done;
	}
	meta = ingest_meta(in);
	if (meta->bozo)
		fprintf(stderr, "feedmeshctl: %s: not well-formed, "
		    "recovered: %s\n", file, meta->bozo_reason ?
		    meta->bozo_reason : "?");
	entries = ingest_entries(in, &nentries);
	memset(&rf, 0, sizeof(rf));
	rf.id = meta->id;
	rf.title = meta->title ? meta->title : file;
	rf.self_url = meta->self ? meta->self : base;
	rf.alternate_url = meta->link;
	rf.updated = meta->updated;
	buf_init(&out);
	render_json(&out, &rf, entries, nentries);
	fwrite(out.data, 1, out.len, stdout);
	if (out.len > 0 && out.data[out.len - 1] != '\n')
		putchar('\n');
	buf_free(&out);
	fprintf(stderr, "feedmeshctl: %s: %s, %d entries, identity by %s\n",
	    file, meta->format ? meta->format : "?", st.entries, st.identity);
	rc = 0;
done:
	ingest_free(in);
	if (fp != stdin)
		fclose(fp);
	return (rc);
}

int
main(int argc, char *argv[])
{
	struct config	*conf;
	const char	*path = FEEDMESH_SYSCONFDIR "/feedmesh.conf";
	char		*q, *esc;
	int		 ch, rc;

	while ((ch = getopt(argc, argv, "+f:j")) != -1) {
		switch (ch) {
		case 'f':
			path = optarg;
			break;
		case 'j':
			json_output = 1;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage();
	log_init(1, LOG_LEVEL_WARN, "feedmeshctl");
	xmlInitParser();
	if (strcmp(argv[0], "parse") == 0)
		return (ctl_parse(argc, argv));
	if (strcmp(argv[0], "import-opml") == 0)
		return (ctl_import_opml(path, argc, argv));

	if ((conf = conf_load(path)) == NULL)
		return (1);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	if (strcmp(argv[0], "status") == 0 && argc == 1)
		rc = ctl_status(conf);
	else if (strcmp(argv[0], "peers") == 0 && argc == 1)
		rc = ctl_peers(conf);
	else if (strcmp(argv[0], "stats") == 0)
		rc = ctl_stats(conf, argc, argv);
	else if (strcmp(argv[0], "subscriptions") == 0 && argc == 1)
		rc = ctl_subscriptions(conf);
	else if (strcmp(argv[0], "reload") == 0 && argc == 1)
		rc = ctl_simple(conf, "POST", "/reload");
	else if (strcmp(argv[0], "fetch") == 0 && argc == 2) {
		if ((esc = curl_easy_escape(NULL, argv[1], 0)) == NULL ||
		    asprintf(&q, "/fetch?peer=%s", esc) == -1)
			fatal("asprintf");
		rc = ctl_simple(conf, "POST", q);
		free(q);
		curl_free(esc);
	} else if (strcmp(argv[0], "publish") == 0 && argc == 2)
		rc = ctl_publish(conf, argv[1]);
	else if (strcmp(argv[0], "retract") == 0 && argc == 2)
		rc = ctl_with_id(conf, "/retract", argv[1], "retracted");
	else if (strcmp(argv[0], "approve") == 0 && argc == 2)
		rc = ctl_with_id(conf, "/approve", argv[1], "approved");
	else if (strcmp(argv[0], "reject") == 0 && argc == 2)
		rc = ctl_with_id(conf, "/reject", argv[1], "rejected");
	else if (strcmp(argv[0], "digest") == 0 && argc == 1)
		rc = ctl_digest(conf);
	else if (strcmp(argv[0], "queue") == 0 && argc == 1)
		rc = ctl_queue(conf);
	else
		usage();
	conf_free(conf);
	curl_global_cleanup();
	return (rc);
}
