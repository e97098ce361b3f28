/*
 * feedmesh fuzzing: URL resolution and canonicalization (url.h). The
 * input's first line is the base, the rest the reference.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "url.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	*in, *base, *ref, *r, *c, *c2, *h;

	in = fuzz_strndup(data, size);
	base = in;
	if ((ref = strchr(in, '\n')) != NULL)
		*ref++ = '\0';
	r = url_resolve(base, ref);
	(void)url_is_http(base);
	free(url_host(base));
	if (r != NULL) {
		(void)url_is_http(r);
		free(url_host(r));
		/* The dedup key is stable: canonical twice is canonical. */
		if ((c = url_canonical(r)) != NULL) {
			if ((c2 = url_canonical(c)) == NULL ||
			    strcmp(c, c2) != 0)
				abort();
			free(c2);
			if ((h = url_host(c)) == NULL)
				abort();
			free(h);
		}
		free(c);
	}
	free(r);
	free(in);
	return (0);
}
