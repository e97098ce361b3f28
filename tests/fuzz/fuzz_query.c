/*
 * feedmesh fuzzing: a listing's query string (query.h), its canonical
 * form (which must parse again to itself), description and cursors.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "entry.h"
#include "fuzz.h"
#include "query.h"

#define FUZZ_DEF	50
#define FUZZ_MAX	500

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct query	 q, q2;
	struct buf	 b, b2, d;
	char		 err[QUERY_ERR_LEN], cur[QUERY_CURSOR_LEN];
	char		*raw, *e;
	int64_t		 t, s;

	raw = fuzz_strndup(data, size);
	if (query_cursor_parse(raw, &t, &s) == 0) {
		query_cursor_format(t, s, cur, sizeof(cur));
		if (strlen(cur) >= sizeof(cur) - 1)
			abort();
	}
	if (query_parse(&q, raw, FUZZ_DEF, FUZZ_MAX, err, sizeof(err)) == -1) {
		/*
		 * Errors are shown to clients: printable ASCII, no markup
		 * (the input is quoted only through query_echo's filter).
		 */
		if (memchr(err, '\0', sizeof(err)) == NULL ||
		    strpbrk(err, "<>") != NULL)
			abort();
		for (e = err; *e != '\0'; e++)
			if (*e < 0x20 || *e > 0x7e)
				abort();
		free(raw);
		return (0);
	}
	buf_init(&b);
	buf_init(&b2);
	buf_init(&d);
	query_canonical(&q, &b);
	query_canonical_cursor(&q, 1767225600, 42, &b2);
	query_describe(&q, &d);
	buf_free(&b2);
	buf_init(&b2);
	/* The canonical form is a fixed point. */
	if (query_parse(&q2, b.data, FUZZ_DEF, FUZZ_MAX, err,
	    sizeof(err)) == -1)
		abort();
	query_canonical(&q2, &b2);
	if (b.len != b2.len || (b.len > 0 && memcmp(b.data, b2.data, b.len)))
		abort();
	query_clear(&q2);
	query_clear(&q);
	buf_free(&b);
	buf_free(&b2);
	buf_free(&d);
	free(raw);
	return (0);
}
