/*
 * feedmesh fuzzing: store_doc.c against jansson, whose text it replaces
 * (nodes compare digests of it) and whose reading it shortcuts. The input
 * up to its first NUL is a stored document: store_doc_fields_read() must
 * read from it what jansson reads, or leave it to jansson. If jansson
 * makes an entry of it, store_doc_write() must write the bytes jansson
 * writes, with the id kept the input's text after that NUL, if any (the
 * only way to give it strings that are not UTF-8). And a canonical
 * document read back is its own canonical document: store_rekey()
 * rewrites one from what it reads, and must end where a node that saw
 * the kept id first began.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "entry.h"
#include "fuzz.h"
#include "store_doc_ref.h"
#include "store_private.h"

static _Noreturn void fuzz_fail(const char *, const char *, const char *);
static void	 fuzz_write(const struct entry *, const char *);
static void	 fuzz_reread(const struct entry *);

/*
 * A finding: what differed (store_doc.c's text, then jansson's or the
 * first one), on stdout since make fuzz closes stderr.
 */
static _Noreturn void
fuzz_fail(const char *what, const char *got, const char *want)
{
	printf("fuzz_storedoc: %s\n  got:  %s\n  want: %s\n", what,
	    got != NULL ? got : "(none)", want != NULL ? want : "(none)");
	fflush(stdout);
	abort();
}

/*
 * Writes e's canonical document both ways; store_doc_fields_read() reads
 * the one written here as jansson does, or leaves it to jansson (an
 * integer of 19 digits, a real with a long exponent).
 */
static void
fuzz_write(const struct entry *e, const char *kept)
{
	struct buf	 b;
	char		*want;

	buf_init(&b);
	(void)store_doc_write(&b, e, kept);
	if ((want = store_doc_ref_write(e, kept)) == NULL)
		fuzz_fail("jansson wrote nothing", b.data, NULL);
	if (b.len != strlen(want) || memcmp(b.data, want, b.len) != 0)
		fuzz_fail(kept != NULL ? "written, id kept" : "written",
		    b.data, want);
	if (store_doc_ref_fields_agree(b.data) == 0)
		fuzz_fail("written document read back otherwise", b.data,
		    want);
	free(want);
	buf_free(&b);
}

/*
 * The canonical document of e, read back by jansson, written again: the
 * same bytes (this found years under 1000 written with fewer than four
 * digits, which no parser read back).
 */
static void
fuzz_reread(const struct entry *e)
{
	struct entry	*e2;
	struct buf	 b, b2;
	json_t		*j;
	const char	*why = NULL;

	buf_init(&b);
	buf_init(&b2);
	(void)store_doc_write(&b, e, NULL);
	if ((j = json_loads(b.data, 0, NULL)) == NULL ||
	    (e2 = entry_from_json(j, &why)) == NULL)
		fuzz_fail("written document not read back", b.data, NULL);
	(void)store_doc_write(&b2, e2, NULL);
	if (b.len != b2.len || memcmp(b.data, b2.data, b.len) != 0)
		fuzz_fail("written again otherwise", b2.data, b.data);
	entry_free(e2);
	json_decref(j);
	buf_free(&b2);
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct entry	*e;
	json_t		*j;
	const char	*why, *kept = NULL;
	char		*doc;
	size_t		 n;

	doc = fuzz_strndup(data, size);
	n = strlen(doc);
	if (n < size)
		kept = doc + n + 1;

	if (store_doc_ref_fields_agree(doc) == 0)
		fuzz_fail("fields read otherwise", doc, NULL);

	if ((j = json_loads(doc, 0, NULL)) != NULL) {
		why = NULL;
		if ((e = entry_from_json(j, &why)) != NULL) {
			fuzz_write(e, NULL);
			fuzz_reread(e);
			if (kept != NULL)
				fuzz_write(e, kept);
			entry_free(e);
		}
		json_decref(j);
	}
	free(doc);
	return (0);
}
