/*
 * feedmesh benchmark driver: times one stage of the node on files that
 * are already in memory, so that what is measured is the stage and not
 * the disk. Each mode prints one JSON object on stdout.
 *
 *   fmbench parse FILE...		feedmesh's streaming parser
 *   fmbench xmlreader FILE...		reference: a raw libxml2 xmlReader pass
 *   fmbench sax FILE...		reference: libxml2's push parser with
 *					no-op SAX2 callbacks (they count
 *					entries and text bytes), the
 *					parser options of src/parse_xml.c:
 *					the floor of any libxml2-based SAX
 *					parser such as feedmesh's
 *   fmbench ingest STORE FILE...	parse, deduplicate, store; then the
 *					same documents again (unchanged),
 *					as a poll brings them back: with
 *					the last digest known up front;
 *					as the daemon pulls (not durable,
 *					a listener on changes); the time of
 *					ingest_finish() is also given apart
 *   fmbench floor DB FILE...		reference: what SQLite and FTS5 alone
 *					cost to keep the same entries (below)
 *   fmbench fill STORE N		N synthetic entries, for big stores,
 *					ten thousand a transaction; then the
 *					full-text merge steps an idle daemon
 *					runs, to the end (timed apart, as
 *					"maintenance"): the query shapes
 *					measure the index a running node
 *					keeps, not one segment per batch
 *   fmbench query STORE ITER		listing query shapes, p50 and p99
 *   fmbench maintain STORE [PAGES]	those merge steps alone
 *
 * Documents are fed in 16 KB chunks, as a transfer hands them over.
 */
#include <sys/types.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <sqlite3.h>

#include "buf.h"
#include "conf.h"
#include "entry.h"
#include "ingest.h"
#include "log.h"
#include "parse.h"
#include "query.h"
#include "sanitize.h"
#include "store.h"

#define CHUNK		(16 * 1024)
#define MAX_FILES	100000
#define QUERY_SHAPE_SECONDS	20.0	/* per query shape, at most */

struct doc {
	char	*name;
	char	*data;
	size_t	 len;
};

static struct doc	*docs;
static size_t		 ndocs;
static size_t		 total_bytes;

static void	 usage(void);
static double	 now(void);
static long	 peak_rss_kb(void);
static void	 load(int, char **);
static void	 parse_doc(struct parser *, struct doc *);
static int	 bench_parse(void);
static int	 bench_xmlreader(void);
static void	 sax_start_cb(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *, int, const xmlChar **, int, int,
		    const xmlChar **);
static void	 sax_end_cb(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *);
static void	 sax_chars_cb(void *, const xmlChar *, int);
static void	 sax_error_cb(void *, xmlErrorPtr);
static int	 bench_sax(void);
static int	 ingest_one(struct store *, struct peer_conf *, struct doc *,
		    const char *, char *, struct ingest_stats *, double *);
static int	 bench_ingest(const char *);
static int	 ckpt_start(struct store *);
static long long wal_bytes(const char *);
static void	 floor_collect_cb(struct entry *, const struct feed_meta *,
		    void *);
static void	 floor_exec(sqlite3 *, const char *);
static int	 bench_floor(const char *);
static int	 bench_fill(const char *, long);
static int	 bench_query(const char *, long);
static int	 bench_maintain(const char *, int);
static int	 maintain_run(struct store *, int);
static long long io_written(void);
static void	 count_cb(struct entry *, const struct feed_meta *, void *);
static void	 event_cb(enum store_event, const struct entry *, const char *,
		    void *);
static int	 query_cb(const struct entry *, int64_t, int64_t, void *);
static int	 cmp_double(const void *, const void *);

static void
usage(void)
{
	fprintf(stderr, "usage: fmbench parse|xmlreader|sax FILE...\n"
	    "       fmbench ingest STORE FILE...\n"
	    "       fmbench floor DB FILE...\n"
	    "       fmbench fill STORE N\n"
	    "       fmbench query STORE ITERATIONS\n"
	    "       fmbench maintain STORE [PAGES]\n");
	exit(2);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec + ts.tv_nsec / 1e9);
}

static long
peak_rss_kb(void)
{
	struct rusage	 ru;

	getrusage(RUSAGE_SELF, &ru);
	return (ru.ru_maxrss);
}

/* Bytes this process has handed to write(2) so far (/proc/self/io). */
static long long
io_written(void)
{
	FILE		*fp;
	char		 line[128];
	long long	 n = -1;

	if ((fp = fopen("/proc/self/io", "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (sscanf(line, "wchar: %lld", &n) == 1)
			break;
	fclose(fp);
	return (n);
}

/* Reads every file into memory before the clock starts. */
static void
load(int argc, char **argv)
{
	struct stat	 sb;
	FILE		*fp;
	int		 i;

	if (argc < 1 || argc > MAX_FILES)
		usage();
	if ((docs = calloc(argc, sizeof(*docs))) == NULL)
		fatal("calloc");
	for (i = 0; i < argc; i++) {
		if ((fp = fopen(argv[i], "rb")) == NULL ||
		    fstat(fileno(fp), &sb) == -1)
			fatal("%s", argv[i]);
		docs[i].name = argv[i];
		docs[i].len = sb.st_size;
		if ((docs[i].data = malloc(docs[i].len + 1)) == NULL)
			fatal("malloc");
		if (fread(docs[i].data, 1, docs[i].len, fp) != docs[i].len)
			fatalx("%s: short read", argv[i]);
		fclose(fp);
		total_bytes += docs[i].len;
	}
	ndocs = argc;
}

static void
count_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	(void)meta;
	(*(long *)arg)++;
	entry_free(e);
}

/* Feeds one document to a parser in chunks, as a transfer would. */
static void
parse_doc(struct parser *p, struct doc *d)
{
	size_t	 off, len;

	for (off = 0; off < d->len; off += len) {
		len = d->len - off < CHUNK ? d->len - off : CHUNK;
		if (parse_feed(p, d->data + off, len) == -1)
			break;
	}
	if (parse_finish(p) == -1)
		fprintf(stderr, "fmbench: %s: %s\n", d->name, parse_error(p));
}

/* The parse stage alone: bytes in, normalized entries out, dropped. */
static int
bench_parse(void)
{
	struct parse_options	 opt;
	struct parser		*p;
	long			 n = 0;
	size_t			 i;
	double			 t0, t;

	memset(&opt, 0, sizeof(opt));
	opt.base_url = "https://portail.example.org/feed";
	t0 = now();
	for (i = 0; i < ndocs; i++) {
		if ((p = parse_new(&opt, count_cb, &n)) == NULL)
			fatalx("parse_new");
		parse_doc(p, &docs[i]);
		parse_free(p);
	}
	t = now() - t0;
	printf("{\"mode\":\"parse\",\"files\":%zu,\"bytes\":%zu,"
	    "\"entries\":%ld,\"seconds\":%.6f,\"entries_per_s\":%.1f,"
	    "\"peak_rss_kb\":%ld}\n", ndocs, total_bytes, n, t, n / t,
	    peak_rss_kb());
	return (0);
}

/*
 * The reference: libxml2's xmlReader over the same bytes, counting the
 * entries and touching every text node, with neither network nor entity
 * substitution, as the node's parser runs. No normalization, no
 * sanitizing: the floor of any libxml2-based parser.
 */
static int
bench_xmlreader(void)
{
	xmlTextReaderPtr	 r;
	const xmlChar		*name, *v;
	long			 n = 0, textbytes = 0;
	size_t			 i;
	double			 t0, t;
	int			 rc, type;

	t0 = now();
	for (i = 0; i < ndocs; i++) {
		r = xmlReaderForMemory(docs[i].data, docs[i].len,
		    "https://portail.example.org/feed", NULL,
		    XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
		if (r == NULL)
			fatalx("xmlReaderForMemory");
		while ((rc = xmlTextReaderRead(r)) == 1) {
			type = xmlTextReaderNodeType(r);
			if (type == XML_READER_TYPE_ELEMENT) {
				name = xmlTextReaderConstLocalName(r);
				if (name != NULL &&
				    (xmlStrEqual(name, BAD_CAST "entry") ||
				    xmlStrEqual(name, BAD_CAST "item")))
					n++;
			} else if (type == XML_READER_TYPE_TEXT ||
			    type == XML_READER_TYPE_CDATA) {
				if ((v = xmlTextReaderConstValue(r)) != NULL)
					textbytes += xmlStrlen(v);
			}
		}
		xmlFreeTextReader(r);
	}
	t = now() - t0;
	printf("{\"mode\":\"xmlreader\",\"files\":%zu,\"bytes\":%zu,"
	    "\"entries\":%ld,\"text_bytes\":%ld,\"seconds\":%.6f,"
	    "\"entries_per_s\":%.1f,\"peak_rss_kb\":%ld}\n", ndocs,
	    total_bytes, n, textbytes, t, n / t, peak_rss_kb());
	return (0);
}

/* What the SAX2 reference counts: entries and text bytes. */
struct sax_count {
	long	 entries;
	long	 textbytes;
};

static void
sax_start_cb(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nss, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct sax_count	*c = ctx;

	(void)prefix;
	(void)uri;
	(void)nns;
	(void)nss;
	(void)nattrs;
	(void)ndefaulted;
	(void)attrs;
	if (xmlStrEqual(localname, BAD_CAST "entry") ||
	    xmlStrEqual(localname, BAD_CAST "item"))
		c->entries++;
}

static void
sax_end_cb(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	(void)ctx;
	(void)localname;
	(void)prefix;
	(void)uri;
}

static void
sax_chars_cb(void *ctx, const xmlChar *s, int len)
{
	struct sax_count	*c = ctx;

	(void)s;
	c->textbytes += len;
}

static void
sax_error_cb(void *ctx, xmlErrorPtr err)
{
	(void)ctx;
	(void)err;
}

/*
 * The second reference: libxml2's push parser fed 16 KB chunks, with
 * SAX2 callbacks that only count, and the options src/parse_xml.c uses
 * (no network, no entity substitution, recovery, errors to a handler).
 * The bytes go in as they are, without feedmesh's decoder and lexical
 * pass: what is left between this and `fmbench parse` is feedmesh's own.
 */
static int
bench_sax(void)
{
	xmlSAXHandler		 sax;
	xmlParserCtxtPtr	 ctxt;
	struct sax_count	 c;
	size_t			 i, off, len;
	double			 t0, t;

	memset(&c, 0, sizeof(c));
	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = sax_start_cb;
	sax.endElementNs = sax_end_cb;
	sax.characters = sax_chars_cb;
	sax.cdataBlock = sax_chars_cb;
	sax.serror = sax_error_cb;
	t0 = now();
	for (i = 0; i < ndocs; i++) {
		if ((ctxt = xmlCreatePushParserCtxt(&sax, &c, NULL, 0,
		    NULL)) == NULL)
			fatalx("xmlCreatePushParserCtxt");
		xmlCtxtUseOptions(ctxt, XML_PARSE_NONET | XML_PARSE_RECOVER |
		    XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
		for (off = 0; off < docs[i].len; off += len) {
			len = docs[i].len - off < CHUNK ? docs[i].len - off :
			    CHUNK;
			xmlParseChunk(ctxt, docs[i].data + off, (int)len, 0);
		}
		xmlParseChunk(ctxt, NULL, 0, 1);
		if (ctxt->myDoc != NULL)
			xmlFreeDoc(ctxt->myDoc);
		xmlFreeParserCtxt(ctxt);
	}
	t = now() - t0;
	printf("{\"mode\":\"sax\",\"files\":%zu,\"bytes\":%zu,"
	    "\"entries\":%ld,\"text_bytes\":%ld,\"seconds\":%.6f,"
	    "\"entries_per_s\":%.1f,\"peak_rss_kb\":%ld}\n", ndocs,
	    total_bytes, c.entries, c.textbytes, t, c.entries / t,
	    peak_rss_kb());
	return (0);
}

/*
 * The daemon's store always has a listener (the WebSub hub), which
 * copies each changed entry until the commit while some subscription
 * is live: the store then builds every changed entry for it. Without
 * one, as here, the hub asks for no entries (store_set_event_changes);
 * FMBENCH_SUBSCRIBED=1 measures the other case.
 */
static void
event_cb(enum store_event ev, const struct entry *e, const char *peer,
    void *arg)
{
	struct entry	*copy;

	(void)peer;
	if (ev != STORE_EVENT_CHANGE || e == NULL)
		return;
	if ((copy = entry_dup(e)) == NULL)
		fatal("entry_dup");
	entry_free(copy);
	(*(long *)arg)++;
}

/*
 * One peer per document, as a node following that many peers. Adds to
 * *finish (unless NULL) the time ingest_finish() took: the document is
 * parsed by then (all but libxml2's last flush), so that is what would
 * be left to the store's thread if parsing ran on another core.
 */
static int
ingest_one(struct store *s, struct peer_conf *pc, struct doc *d,
    const char *last, char *digest, struct ingest_stats *st, double *finish)
{
	struct ingest	*in;
	size_t		 off, len;
	double		 t;
	int		 rc;

	in = ingest_new(pc, "https://portail.example.org/feed", NULL);
	ingest_set_last_digest(in, last);
	for (off = 0; off < d->len; off += len) {
		len = d->len - off < CHUNK ? d->len - off : CHUNK;
		if (ingest_data(in, d->data + off, len) == -1)
			break;
	}
	t = now();
	rc = ingest_finish(in, s, last, st);
	if (finish != NULL)
		*finish += now() - t;
	if (rc == -1)
		fprintf(stderr, "fmbench: %s: %s\n", d->name,
		    ingest_error(in));
	if (digest != NULL && ingest_digest(in) != NULL)
		snprintf(digest, INGEST_DIGEST_LEN, "%s", ingest_digest(in));
	ingest_free(in);
	return (rc);
}

/*
 * Checkpoints on their own thread, as the daemon does (feedmeshd.c);
 * FMBENCH_INLINE_CKPT keeps them in line, to compare on one binary, and
 * FMBENCH_CKPT_PAGES sets the thread's threshold.
 */
static int
ckpt_start(struct store *s)
{
	const char	*pages = getenv("FMBENCH_CKPT_PAGES");

	if (getenv("FMBENCH_INLINE_CKPT") != NULL)
		return (0);
	return (store_checkpointer_start(s, pages != NULL ? atoi(pages) : 0));
}

/* The size of the store's write-ahead log, 0 if there is none. */
static long long
wal_bytes(const char *path)
{
	struct stat	 sb;
	char		 wal[PATH_MAX];

	snprintf(wal, sizeof(wal), "%s-wal", path);
	return (stat(wal, &sb) == 0 ? (long long)sb.st_size : 0);
}

static int
bench_ingest(const char *path)
{
	struct store		*s;
	struct peer_conf	*pcs;
	struct ingest_stats	 st;
	struct store_ckpt_stats	 cs;
	struct timespec		 c0, c1;
	char			(*digests)[INGEST_DIGEST_LEN];
	char			 name[32];
	long			 n = 0, stored = 0, skipped = 0, parsed = 0;
	long			 events = 0;
	long long		 wal, wal_peak = 0;
	size_t			 i;
	double			 t0, t1, t2, td, doc_max = 0;
	double			 finish = 0;

	if ((s = store_open(path)) == NULL)
		return (1);
	/* What the daemon does for pulled documents (pull.c). */
	if (store_set_durable(s, 0) == -1 || ckpt_start(s) == -1)
		return (1);
	store_set_event_cb(s, event_cb, &events);
	store_set_event_changes(s, getenv("FMBENCH_SUBSCRIBED") != NULL);
	if ((pcs = calloc(ndocs, sizeof(*pcs))) == NULL ||
	    (digests = calloc(ndocs, sizeof(*digests))) == NULL)
		fatal("calloc");
	for (i = 0; i < ndocs; i++) {
		snprintf(name, sizeof(name), "peer%zu", i);
		if ((pcs[i].name = strdup(name)) == NULL)
			fatal("strdup");
		pcs[i].url = docs[i].name;
		pcs[i].enabled = 1;
		pcs[i].identity = IDENTITY_AUTO;
	}
	/*
	 * The longest document (parse, store, commit and any checkpoint
	 * in line) is the longest the daemon's loop would stall; the log's
	 * largest size is what it costs on disk; the CPU time of this
	 * thread alone is what the loop spends (not the checkpointer's).
	 */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
	t0 = now();
	for (i = 0; i < ndocs; i++) {
		memset(&st, 0, sizeof(st));
		td = now();
		ingest_one(s, &pcs[i], &docs[i], NULL, digests[i], &st,
		    &finish);
		if ((td = now() - td) > doc_max)
			doc_max = td;
		if ((wal = wal_bytes(path)) > wal_peak)
			wal_peak = wal;
		n += st.entries;
		stored += st.inserted + st.updated + st.merged;
	}
	t1 = now();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
	for (i = 0; i < ndocs; i++) {
		memset(&st, 0, sizeof(st));
		ingest_one(s, &pcs[i], &docs[i], digests[i], NULL, &st,
		    NULL);
		skipped += st.skipped;
		parsed += st.parsed;
	}
	t2 = now();
	store_checkpointer_stats(s, &cs);
	printf("{\"mode\":\"ingest\",\"files\":%zu,\"bytes\":%zu,"
	    "\"entries\":%ld,\"stored\":%ld,\"store_entries\":%lld,"
	    "\"seconds\":%.6f,\"entries_per_s\":%.1f,"
	    "\"finish_seconds\":%.6f,\"finish_entries_per_s\":%.1f,"
	    "\"unchanged_seconds\":%.6f,\"unchanged_skipped\":%ld,"
	    "\"unchanged_parsed\":%ld,\"events\":%ld,\"peak_rss_kb\":%ld,"
	    "\"writer_cpu_seconds\":%.3f,"
	    "\"max_doc_ms\":%.1f,\"wal_peak_bytes\":%lld,"
	    "\"checkpoints\":{\"thread\":%llu,\"finish\":%llu,"
	    "\"fallback\":%llu,\"inline_max_ms\":%.1f}}\n",
	    ndocs, total_bytes, n, stored, (long long)store_count_entries(s),
	    t1 - t0, n / (t1 - t0), finish, n / finish, t2 - t1, skipped,
	    parsed, events,
	    peak_rss_kb(), (double)(c1.tv_sec - c0.tv_sec) +
	    (c1.tv_nsec - c0.tv_nsec) / 1e9, doc_max * 1e3, wal_peak,
	    (unsigned long long)cs.thread, (unsigned long long)cs.finish,
	    (unsigned long long)cs.fallback, cs.inline_max_us / 1e3);
	for (i = 0; i < ndocs; i++)
		free(pcs[i].name);
	free(pcs);
	free(digests);
	store_close(s);
	return (0);
}

/*
 * A big store quickly: synthetic entries straight into the store, ten
 * thousand a transaction, spread over kinds, territories and ten peers.
 */
/* One entry as the floor writes it: its stored form and its plain text. */
struct floor_row {
	char	*id;
	char	*doc;
	char	*text[4];		/* title, summary, content, categories */
};

struct floor_doc {
	struct floor_row	*rows;
	size_t			 nrows;
	size_t			 cap;
};

/*
 * Turns a parsed entry into what the store would write for it, before
 * the clock starts: the JSON form and the four indexed texts.
 */
static void
floor_collect_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	struct floor_doc	*fd = arg;
	struct floor_row	*r;
	json_t			*j;
	struct buf		 cats;
	size_t			 i;

	(void)meta;
	if (fd->nrows == fd->cap) {
		fd->cap = fd->cap ? fd->cap * 2 : 128;
		if ((fd->rows = reallocarray(fd->rows, fd->cap,
		    sizeof(*fd->rows))) == NULL)
			fatal("reallocarray");
	}
	r = &fd->rows[fd->nrows++];
	if ((j = entry_to_json(e)) == NULL ||
	    (r->doc = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)) == NULL)
		fatalx("entry_to_json");
	json_decref(j);
	if ((r->id = strdup(e->id != NULL ? e->id : "")) == NULL ||
	    (r->text[0] = strdup(e->title != NULL ? e->title : "")) == NULL ||
	    (r->text[1] = strdup(e->summary_text != NULL ?
	    e->summary_text : "")) == NULL)
		fatal("strdup");
	if (e->content != NULL && e->content_type != NULL &&
	    strcmp(e->content_type, "html") == 0)
		r->text[2] = sanitize_html_to_text(e->content);
	else
		r->text[2] = strdup(e->content != NULL ? e->content : "");
	buf_init(&cats);
	for (i = 0; i < e->ncategories; i++) {
		buf_addstr(&cats, e->categories[i].term);
		buf_addc(&cats, ' ');
	}
	buf_addc(&cats, '\0');
	r->text[3] = cats.data;
	if (r->text[2] == NULL)
		fatal("floor text");
	entry_free(e);
}

static void
floor_exec(sqlite3 *db, const char *sql)
{
	char	*err = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fatalx("%s: %s", sql, err);
}

/*
 * The floor of the store, a reference for ingest: what SQLite and FTS5
 * alone cost to keep the same entries and index their text, with none
 * of feedmesh's own work between them. The documents are parsed and
 * each entry turned into its stored JSON form and its plain text before
 * the clock starts; then each document's entries go into a table of
 * (seq, id, doc) and a contentless FTS5 table with the store's tokenizer,
 * page cache and journal settings, one transaction per document as
 * ingest writes them. No deduplication, no listing tags, no digest, no
 * second index: every entry is new (ids are made unique). Its entries
 * per second, over xmlReader's, is the best ratio any ingest built on
 * SQLite and FTS5 could reach on this machine if parsing were free.
 */
static int
bench_floor(const char *path)
{
	struct parse_options	 opt;
	struct parser		*p;
	struct floor_doc	*fds;
	struct floor_row	*r;
	sqlite3			*db;
	sqlite3_stmt		*row, *fts;
	char			 id[64], wal[PATH_MAX];
	long			 n = 0, seq = 0;
	size_t			 i, k;
	double			 t0, t;
	int			 c;

	if ((fds = calloc(ndocs, sizeof(*fds))) == NULL)
		fatal("calloc");
	memset(&opt, 0, sizeof(opt));
	opt.base_url = "https://portail.example.org/feed";
	for (i = 0; i < ndocs; i++) {
		if ((p = parse_new(&opt, floor_collect_cb, &fds[i])) == NULL)
			fatalx("parse_new");
		parse_doc(p, &docs[i]);
		parse_free(p);
		n += fds[i].nrows;
	}
	unlink(path);
	snprintf(wal, sizeof(wal), "%s-wal", path);
	unlink(wal);
	if (sqlite3_open(path, &db) != SQLITE_OK)
		fatalx("%s: %s", path, sqlite3_errmsg(db));
	/* The store's settings for pulled documents (store.c). */
	floor_exec(db, "PRAGMA journal_mode = WAL;"
	    "PRAGMA synchronous = NORMAL;"
	    "PRAGMA cache_size = -8192;"
	    "PRAGMA wal_autocheckpoint = 16000;"
	    "CREATE TABLE entries (seq INTEGER PRIMARY KEY,"
	    " id TEXT UNIQUE NOT NULL, doc TEXT NOT NULL);"
	    "CREATE VIRTUAL TABLE entries_fts USING fts5(title, summary,"
	    " content, categories, content='',"
	    " tokenize='unicode61 remove_diacritics 2');");
	if (sqlite3_prepare_v2(db, "INSERT INTO entries (seq, id, doc)"
	    " VALUES (?, ?, ?)", -1, &row, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO entries_fts (rowid, title,"
	    " summary, content, categories) VALUES (?, ?, ?, ?, ?)", -1, &fts,
	    NULL) != SQLITE_OK)
		fatalx("prepare: %s", sqlite3_errmsg(db));
	t0 = now();
	for (i = 0; i < ndocs; i++) {
		floor_exec(db, "BEGIN");
		for (k = 0; k < fds[i].nrows; k++) {
			r = &fds[i].rows[k];
			seq++;
			snprintf(id, sizeof(id), "%ld:", seq);
			sqlite3_bind_int64(row, 1, seq);
			sqlite3_bind_text(row, 2, id, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(row, 3, r->doc, -1, SQLITE_STATIC);
			sqlite3_bind_int64(fts, 1, seq);
			for (c = 0; c < 4; c++)
				sqlite3_bind_text(fts, 2 + c, r->text[c], -1,
				    SQLITE_STATIC);
			if (sqlite3_step(row) != SQLITE_DONE ||
			    sqlite3_step(fts) != SQLITE_DONE)
				fatalx("insert: %s", sqlite3_errmsg(db));
			sqlite3_reset(row);
			sqlite3_reset(fts);
		}
		floor_exec(db, "COMMIT");
	}
	t = now() - t0;
	sqlite3_finalize(row);
	sqlite3_finalize(fts);
	sqlite3_close(db);
	printf("{\"mode\":\"floor\",\"files\":%zu,\"bytes\":%zu,"
	    "\"entries\":%ld,\"seconds\":%.6f,\"entries_per_s\":%.1f}\n",
	    ndocs, total_bytes, n, t, n / t);
	for (i = 0; i < ndocs; i++) {
		for (k = 0; k < fds[i].nrows; k++) {
			r = &fds[i].rows[k];
			free(r->id);
			free(r->doc);
			for (c = 0; c < 4; c++)
				free(r->text[c]);
		}
		free(fds[i].rows);
	}
	free(fds);
	return (0);
}

static int
bench_fill(const char *path, long count)
{
	static const char *const terr[] = { "auvergne-rhone-alpes",
	    "auvergne-rhone-alpes/loire", "auvergne-rhone-alpes/rhone",
	    "bretagne/finistere", "occitanie/gard", "normandie" };
	struct store		*s;
	struct entry		*e;
	enum store_result	 r;
	char			 buf[128], peer[16];
	long			 i, base;
	double			 t0, t;

	if ((s = store_open(path)) == NULL || ckpt_start(s) == -1)
		return (1);
	base = store_count_entries(s);
	t0 = now();
	for (i = 0; i < count; i++) {
		if (i % 10000 == 0 && store_begin(s) == -1)
			return (1);
		e = entry_new();
		snprintf(buf, sizeof(buf), "tag:fill.feedmesh.org,2026:%ld",
		    base + i);
		entry_set(&e->id, buf);
		snprintf(buf, sizeof(buf), "https://fill.example.org/%ld",
		    base + i);
		entry_set(&e->link, buf);
		snprintf(buf, sizeof(buf), "Entrée de remplissage %ld", i);
		entry_set(&e->title, buf);
		entry_set(&e->summary, "Une entrée synthétique pour le banc.");
		entry_set(&e->kind, entry_kinds[i % 7]);
		entry_set(&e->territory, terr[i % 6]);
		entry_add_category(e, i % 3 == 0 ? "emploi" : "economie",
		    NULL, NULL);
		e->published = 1700000000 + (base + i) * 37;
		if (i % 5 == 0) {
			e->has_geo = 1;
			e->lat = 45.0 + (i % 1000) / 1000.0;
			e->lon = 4.0 + (i % 777) / 777.0;
		}
		snprintf(peer, sizeof(peer), "peer%ld", i % 10);
		if (store_entry_upsert(s, e, peer, &r) == -1)
			return (1);
		entry_free(e);
		if (i % 10000 == 9999 || i == count - 1)
			if (store_commit(s) == -1)
				return (1);
	}
	t = now() - t0;
	printf("{\"mode\":\"fill\",\"added\":%ld,\"store_entries\":%lld,"
	    "\"seconds\":%.3f,\"entries_per_s\":%.1f,\"maintenance\":",
	    count, (long long)store_count_entries(s), t, count / t);
	/* Then idle, as a node's store ends between two polls. */
	if (maintain_run(s, STORE_FTS_STEP_PAGES) == -1)
		return (1);
	printf("}\n");
	store_close(s);
	return (0);
}

/*
 * Runs the full-text index's merge steps until none is left, as an idle
 * daemon does, and prints what they cost as a JSON object: steps, time,
 * the longest step, bytes written, segments before and after.
 */
static int
maintain_run(struct store *s, int pages)
{
	double		*step, t0, t;
	long long	 w0;
	int64_t		 seg0;
	long		 n, cap = 1024;
	int		 rc;

	if ((step = calloc(cap, sizeof(*step))) == NULL)
		fatal("calloc");
	seg0 = store_fts_segments(s);
	w0 = io_written();
	t0 = now();
	for (n = 0;; n++) {
		t = now();
		if ((rc = store_fts_maintain(s, pages)) == -1) {
			free(step);
			return (-1);
		}
		if (n == cap) {
			cap *= 2;
			if ((step = reallocarray(step, cap, sizeof(*step))) ==
			    NULL)
				fatal("reallocarray");
		}
		step[n] = now() - t;
		if (rc == 0)
			break;
	}
	t = now() - t0;
	n++;
	qsort(step, n, sizeof(*step), cmp_double);
	printf("{\"pages\":%d,\"steps\":%ld,\"seconds\":%.3f,"
	    "\"step_p50_ms\":%.3f,\"step_max_ms\":%.3f,\"bytes_written\":"
	    "%lld,\"segments_before\":%lld,\"segments_after\":%lld}", pages,
	    n, t, step[n / 2] * 1e3, step[n - 1] * 1e3, io_written() - w0,
	    (long long)seg0, (long long)store_fts_segments(s));
	free(step);
	return (0);
}

/* The idle daemon's full-text upkeep on a store, until none is left. */
static int
bench_maintain(const char *path, int pages)
{
	struct store	*s;

	if ((s = store_open(path)) == NULL)
		return (1);
	printf("{\"mode\":\"maintain\",\"store_entries\":%lld,"
	    "\"maintenance\":", (long long)store_count_entries(s));
	if (maintain_run(s, pages > 0 ? pages : STORE_FTS_STEP_PAGES) == -1)
		return (1);
	printf("}\n");
	store_close(s);
	return (0);
}

static int
cmp_double(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

static int
query_cb(const struct entry *e, int64_t sort_time, int64_t seq, void *arg)
{
	(void)e;
	(void)sort_time;
	(void)seq;
	(*(long *)arg)++;
	return (0);
}

/* Each listing shape a site asks for, first page of 20, timed alone. */
static int
bench_query(const char *path, long iter)
{
	/*
	 * The full-text words are the fill's: "emploi" is a category of
	 * a third of the entries, "remplissage" in every title, a number
	 * in one title. The places are in the fill's box (lat 45..46,
	 * lon 4..5, a fifth of the entries).
	 */
	struct shape {
		const char	*name;
		const char	*kind;
		const char	*territory;
		const char	*category;
		const char	*peer;
		const char	*text;
		enum store_geo	 geo;
		double		 a, b, c, d;
	} shapes[] = {
		{ "newest", NULL, NULL, NULL, NULL, NULL, STORE_GEO_NONE,
		    0, 0, 0, 0 },
		{ "kind", "job", NULL, NULL, NULL, NULL, STORE_GEO_NONE,
		    0, 0, 0, 0 },
		{ "kind_territory", "job", "auvergne-rhone-alpes", NULL, NULL,
		    NULL, STORE_GEO_NONE, 0, 0, 0, 0 },
		{ "territory", NULL, "auvergne-rhone-alpes/loire", NULL, NULL,
		    NULL, STORE_GEO_NONE, 0, 0, 0, 0 },
		{ "category", NULL, NULL, "emploi", NULL, NULL,
		    STORE_GEO_NONE, 0, 0, 0, 0 },
		{ "peer", NULL, NULL, NULL, "peer3", NULL, STORE_GEO_NONE,
		    0, 0, 0, 0 },
		{ "text_common", NULL, NULL, NULL, NULL, "remplissage",
		    STORE_GEO_NONE, 0, 0, 0, 0 },
		{ "text_third", NULL, NULL, NULL, NULL, "emploi",
		    STORE_GEO_NONE, 0, 0, 0, 0 },
		{ "text_rare", NULL, NULL, NULL, NULL, "424242",
		    STORE_GEO_NONE, 0, 0, 0, 0 },
		{ "text_kind", "job", NULL, NULL, NULL, "emploi",
		    STORE_GEO_NONE, 0, 0, 0, 0 },
		{ "near", NULL, NULL, NULL, NULL, NULL, STORE_GEO_NEAR,
		    45.5, 4.5, 10.0, 0 },
		{ "near_kind", "job", NULL, NULL, NULL, NULL, STORE_GEO_NEAR,
		    45.5, 4.5, 10.0, 0 },
		{ "bbox", NULL, NULL, NULL, NULL, NULL, STORE_GEO_BOX,
		    4.4, 45.4, 4.6, 45.6 },
	};
	char			*match;
	struct store		*s;
	struct store_query	 q;
	double			*lat, t0, shape_start;
	int64_t			 fullscan, vm;
	long			 n, rows;
	size_t			 k;

	if ((s = store_open(path)) == NULL)
		return (1);
	if (iter < 1)
		iter = 1;
	if ((lat = calloc(iter, sizeof(*lat))) == NULL)
		fatal("calloc");
	printf("{\"mode\":\"query\",\"store_entries\":%lld,\"iterations\":"
	    "%ld,\"shapes\":[", (long long)store_count_entries(s), iter);
	for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++) {
		store_query_init(&q);
		q.kind = shapes[k].kind;
		q.territory = shapes[k].territory;
		q.category = shapes[k].category;
		q.peer = shapes[k].peer;
		match = NULL;
		if (shapes[k].text != NULL &&
		    (match = query_fts_match(shapes[k].text)) == NULL)
			fatalx("no words in %s", shapes[k].text);
		q.match = match;
		q.geo = shapes[k].geo;
		if (q.geo == STORE_GEO_NEAR) {
			q.lat = shapes[k].a;
			q.lon = shapes[k].b;
			q.radius_km = shapes[k].c;
		} else if (q.geo == STORE_GEO_BOX) {
			q.west = shapes[k].a;
			q.south = shapes[k].b;
			q.east = shapes[k].c;
			q.north = shapes[k].d;
		}
		q.limit = 20;
		rows = 0;
		/* A slow shape stops at its time budget: the run stays bounded. */
		shape_start = now();
		for (n = 0; n < iter; n++) {
			t0 = now();
			if (store_query_entries(s, &q, query_cb, &rows) == -1)
				return (1);
			lat[n] = now() - t0;
			if (n >= 2 && now() - shape_start > QUERY_SHAPE_SECONDS) {
				n++;
				break;
			}
		}
		store_query_cost(s, &fullscan, &vm);
		qsort(lat, n, sizeof(*lat), cmp_double);
		printf("%s{\"shape\":\"%s\",\"iterations\":%ld,\"rows\":%ld,"
		    "\"p50_us\":%.1f,\"p99_us\":%.1f,\"fullscan_steps\":%lld,"
		    "\"vm_steps\":%lld}", k > 0 ? "," : "", shapes[k].name, n,
		    rows / n, lat[n / 2] * 1e6, lat[(n * 99) / 100] * 1e6,
		    (long long)fullscan, (long long)vm);
		free(match);
	}
	printf("]}\n");
	free(lat);
	store_close(s);
	return (0);
}

int
main(int argc, char *argv[])
{
	log_init(1, LOG_LEVEL_WARN, "fmbench");
	if (argc < 3)
		usage();
	if (strcmp(argv[1], "parse") == 0) {
		load(argc - 2, argv + 2);
		return (bench_parse());
	}
	if (strcmp(argv[1], "xmlreader") == 0) {
		load(argc - 2, argv + 2);
		return (bench_xmlreader());
	}
	if (strcmp(argv[1], "sax") == 0) {
		load(argc - 2, argv + 2);
		return (bench_sax());
	}
	if (strcmp(argv[1], "ingest") == 0 && argc >= 4) {
		load(argc - 3, argv + 3);
		return (bench_ingest(argv[2]));
	}
	if (strcmp(argv[1], "floor") == 0 && argc >= 4) {
		load(argc - 3, argv + 3);
		return (bench_floor(argv[2]));
	}
	if (strcmp(argv[1], "fill") == 0 && argc == 4)
		return (bench_fill(argv[2], strtol(argv[3], NULL, 10)));
	if (strcmp(argv[1], "query") == 0 && argc == 4)
		return (bench_query(argv[2], strtol(argv[3], NULL, 10)));
	if (strcmp(argv[1], "maintain") == 0 && (argc == 3 || argc == 4))
		return (bench_maintain(argv[2], argc == 4 ?
		    (int)strtol(argv[3], NULL, 10) : 0));
	usage();
	return (2);
}
