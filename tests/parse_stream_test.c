/*
 * feedmesh tests: parsing streams. A feed of 100,000 entries (about
 * 50 MB) is made on the fly and fed to the parser in 64 KiB chunks, as
 * fetch.c hands it the body; every entry is dropped as it comes. The peak
 * resident size must stay far below the document's size: memory follows
 * the entry, not the document.
 */
#include <sys/resource.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "entry.h"
#include "parse.h"
#include "tap.h"

#define NENTRIES	100000
#define CHUNK		(64 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN	1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN	1
#endif
#endif

struct count {
	size_t	 n;
	size_t	 titled;
	size_t	 dated;
};

static void	 count_cb(struct entry *, const struct feed_meta *, void *);
static void	 make_item(struct buf *, size_t);
static long	 peak_kib(void);
static void	 test_long_text(void);
static struct parser *stream_parser(struct parse_options *, struct count *);

static void
count_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	struct count	*c = arg;

	(void)meta;
	c->n++;
	if (e->title != NULL && strncmp(e->title, "Annonce n", 9) == 0)
		c->titled++;
	if (e->published != ENTRY_NO_TIME)
		c->dated++;
	entry_free(e);
}

/* One item of about 500 bytes, as a WordPress feed writes them. */
static void
make_item(struct buf *b, size_t i)
{
	buf_printf(b, "<item>\n<title>Annonce n\xc2\xb0%zu : "
	    "atelier de r\xc3\xa9paration</title>\n"
	    "<link>https://asso.example.org/annonces/%zu</link>\n"
	    "<guid isPermaLink=\"false\">asso-%zu</guid>\n"
	    "<pubDate>Tue, %02zu Nov 2026 %02zu:%02zu:00 +0100</pubDate>\n"
	    "<category>r\xc3\xa9" "emploi</category>\n"
	    "<description>&lt;p&gt;Venez r\xc3\xa9parer vos objets avec "
	    "&lt;a href=\"/benevoles\"&gt;nos b\xc3\xa9n\xc3\xa9voles&lt;/a&gt;"
	    ", chaque samedi de 9h \xc3\xa0 12h. Entr\xc3\xa9" "e libre, "
	    "caf\xc3\xa9 offert, inscription conseill\xc3\xa9" "e.&lt;/p&gt;"
	    "&lt;script&gt;x()&lt;/script&gt;"
	    "</description>\n</item>\n", i, i, i, 1 + i % 28, i % 24, i % 60);
}

/* A parser whose entries are counted into c, then dropped. */
static struct parser *
stream_parser(struct parse_options *o, struct count *c)
{
	memset(o, 0, sizeof(*o));
	o->base_url = "https://asso.example.org/feed/";
	memset(c, 0, sizeof(*c));
	return (parse_new(o, count_cb, c));
}

static long
peak_kib(void)
{
	struct rusage	 ru;

	if (getrusage(RUSAGE_SELF, &ru) == -1)
		return (-1);
	return (ru.ru_maxrss);		/* KiB on Linux */
}

int
main(void)
{
	struct parse_options	 o;
	struct parser		*p;
	struct count		 c;
	struct buf		 b;
	size_t			 i, total = 0, off;
	long			 before, after;
	int			 rv = 0;

	before = peak_kib();
	p = stream_parser(&o, &c);
	buf_init(&b);
	buf_addstr(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<rss version=\"2.0\"><channel><title>Grand flux</title>\n"
	    "<link>https://asso.example.org/</link>\n");
	for (i = 0; i <= NENTRIES && rv == 0; i++) {
		if (i < NENTRIES)
			make_item(&b, i);
		else
			buf_addstr(&b, "</channel></rss>\n");
		if (b.len < CHUNK && i < NENTRIES)
			continue;
		for (off = 0; off < b.len && rv == 0; off += CHUNK)
			rv = parse_feed(p, b.data + off, b.len - off < CHUNK ?
			    b.len - off : CHUNK);
		total += b.len;
		buf_reset(&b);
	}
	if (rv == 0)
		rv = parse_finish(p);
	ok(rv == 0, "the document parses: %s",
	    parse_error(p) ? parse_error(p) : "no error");
	parse_free(p);
	buf_free(&b);
	after = peak_kib();

	ok(total > 45 * 1024 * 1024, "the document is %zu bytes", total);
	ok(c.n == NENTRIES, "%zu entries of %d", c.n, NENTRIES);
	ok(c.titled == NENTRIES && c.dated == NENTRIES,
	    "every entry has its title and date (%zu, %zu)", c.titled,
	    c.dated);
	printf("# peak resident size %ld KiB (%ld KiB before parsing) for "
	    "%zu KiB of feed\n", after, before, total / 1024);
#ifdef UNDER_ASAN
	printf("ok %d # SKIP resident size under AddressSanitizer\n", ++tap_n);
#else
	ok(after > 0 && (size_t)after * 1024 < total / 3,
	    "peak resident size %ld KiB is under a third of the document",
	    after);
#endif
	test_long_text();
	return (tap_done());
}

/*
 * One entry whose text nodes are 16 MiB each, in an element nobody reads
 * and in its description: the parser holds a bounded piece of each on
 * its way around libxml2 (parse_xml.c), and the description its first
 * PARSE_MAX_FIELD bytes, so memory stays far below the text.
 */
static void
test_long_text(void)
{
	static const char	 word[] = "caf\xc3\xa9 solidaire ";
	struct parse_options	 o;
	struct parser		*p;
	struct count		 c;
	struct buf		 b;
	size_t			 k, n, total = 0;
	long			 before, after;
	int			 part, rv = 0;

	before = peak_kib();
	p = stream_parser(&o, &c);
	buf_init(&b);
	buf_addstr(&b, "<rss version=\"2.0\"><channel><title>T</title><item>"
	    "<title>Annonce n\xc2\xb0" "1</title><pubDate>Tue, 24 Nov 2026 "
	    "10:00:00 GMT</pubDate><x-notes>");
	for (part = 0; part < 2 && rv == 0; part++) {
		for (n = 0; n < 16 * 1024 * 1024 && rv == 0; ) {
			for (k = 0; k < CHUNK / (sizeof(word) - 1); k++)
				buf_add(&b, word, sizeof(word) - 1);
			n += b.len;
			total += b.len;
			rv = parse_feed(p, b.data, b.len);
			buf_reset(&b);
		}
		buf_addstr(&b, part == 0 ? "</x-notes><description>" :
		    "</description></item></channel></rss>");
	}
	if (rv == 0)
		rv = parse_feed(p, b.data, b.len);
	if (rv == 0)
		rv = parse_finish(p);
	parse_free(p);
	buf_free(&b);
	after = peak_kib();
	ok(rv == 0 && c.n == 1 && c.titled == 1, "two text nodes of 16 MiB: "
	    "the entry is read");
	printf("# peak resident size %ld KiB (%ld KiB before) for %zu KiB "
	    "of text\n", after, before, total / 1024);
#ifdef UNDER_ASAN
	printf("ok %d # SKIP resident size under AddressSanitizer\n", ++tap_n);
#else
	ok(after > 0 && after - before < 12 * 1024, "peak resident size grew "
	    "by %ld KiB for 32 MiB of text", after - before);
#endif
}

