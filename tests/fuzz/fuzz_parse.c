/*
 * feedmesh fuzzing: the streaming feed parser (parse.h) fed in chunks
 * whose sizes come from the input's last byte, as the network would cut
 * it. Built twice: fuzz_xml, and fuzz_json (FUZZ_JSON) which makes sure
 * the document goes to the JSON Feed back end, and holds the fast reader
 * of its items to jansson's reading of the same text.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <jansson.h>

#include "buf.h"
#include "entry.h"
#include "fuzz.h"
#include "parse.h"
#include "parse_private.h"

static void	 fuzz_entry_check(const struct entry *);
static void	 fuzz_entry_cb(struct entry *, const struct feed_meta *,
		    void *);
#ifdef FUZZ_JSON
static void	 fuzz_json_fast(const uint8_t *, size_t);
#endif

static const char *const fuzz_content_types[] = {
	NULL,
	"application/atom+xml; charset=utf-8",
	"text/xml; charset=iso-8859-1",
	"application/feed+json",
};

/* Every string the parser hands out is valid UTF-8 (parse.h promises it). */
static void
fuzz_entry_check(const struct entry *e)
{
	size_t	 i;

	fuzz_check_utf8(e->id);
	fuzz_check_utf8(e->title);
	fuzz_check_utf8(e->link);
	fuzz_check_utf8(e->summary);
	fuzz_check_utf8(e->summary_text);
	fuzz_check_utf8(e->content);
	fuzz_check_utf8(e->image);
	fuzz_check_utf8(e->lang);
	fuzz_check_utf8(e->kind);
	fuzz_check_utf8(e->territory);
	for (i = 0; i < e->nauthors; i++) {
		fuzz_check_utf8(e->authors[i].name);
		fuzz_check_utf8(e->authors[i].email);
		fuzz_check_utf8(e->authors[i].uri);
	}
	for (i = 0; i < e->ncategories; i++) {
		fuzz_check_utf8(e->categories[i].term);
		fuzz_check_utf8(e->categories[i].scheme);
		fuzz_check_utf8(e->categories[i].label);
	}
	for (i = 0; i < e->nlinks; i++) {
		fuzz_check_utf8(e->links[i].href);
		fuzz_check_utf8(e->links[i].title);
	}
	for (i = 0; i < e->nenclosures; i++)
		fuzz_check_utf8(e->enclosures[i].url);
}

/* What ingest does with an entry: its canonical JSON, then it is freed. */
static void
fuzz_entry_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	json_t	*j;
	char	*s;

	(void)arg;
	fuzz_check_utf8(meta->title);
	fuzz_entry_check(e);
	if ((j = entry_to_json(e)) == NULL)
		abort();
	if ((s = json_dumps(j, JSON_COMPACT)) == NULL)
		abort();
	free(s);
	json_decref(j);
	entry_free(e);
}

#ifdef FUZZ_JSON
/*
 * What the decoder makes of the input, read by parse_json_fast: it may
 * give up, but what it reads must be what jansson reads.
 */
static void
fuzz_json_fast(const uint8_t *data, size_t size)
{
	struct parse_decoder	*dec;
	struct buf		 b;
	json_t			*fast, *ref;

	dec = parse_decoder_new(NULL);
	buf_init(&b);
	parse_decoder_feed(dec, (const char *)data, size, 1, &b);
	parse_decoder_free(dec);
	if (b.len > 0) {
		fast = parse_json_fast(b.data, b.len);
		ref = json_loadb(b.data, b.len, JSON_DECODE_ANY, NULL);
		if (fast != NULL && (ref == NULL || !json_equal(fast, ref)))
			abort();
		json_decref(fast);
		json_decref(ref);
	}
	buf_free(&b);
}
#endif

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct parse_options	 opts;
	struct parser		*p;
	uint32_t		 rnd;
	size_t			 off, n, max;
	unsigned int		 ctl;

	if (size == 0)
		return (0);
	ctl = data[--size];
	opts.base_url = "http://example.org/feed/";
	opts.content_type = fuzz_content_types[(ctl >> 4) & 3];
	opts.max_depth = (ctl & 0x40) ? 16 : 0;
	max = (size_t)1 << (ctl & 0x0f);
	rnd = ctl * 2654435761u + 1;

	p = parse_new(&opts, fuzz_entry_cb, NULL);
#ifdef FUZZ_JSON
	fuzz_json_fast(data, size);
	if (size == 0 || data[0] != '{')
		(void)parse_feed(p, "{", 1);
#endif
	for (off = 0; off < size; off += n) {
		rnd ^= rnd << 13;
		rnd ^= rnd >> 17;
		rnd ^= rnd << 5;
		n = 1 + rnd % max;
		if (n > size - off)
			n = size - off;
		if (parse_feed(p, (const char *)data + off, n) == -1)
			break;
	}
	(void)parse_finish(p);
	parse_free(p);
	return (0);
}
