/*
 * feedmesh fuzzing: the date parser (date.h), and formatting whatever it
 * returns.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "entry.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		 rfc[DATE_RFC3339_LEN], http[DATE_HTTP_LEN];
	const char	*why = NULL;
	char		*s;
	int64_t		 t, t2;

	s = fuzz_strndup(data, size);
	t = date_parse(s, &why);
	if (t == ENTRY_NO_TIME) {
		if (why == NULL)
			abort();
	} else {
		date_format_rfc3339(t, rfc, sizeof(rfc));
		date_format_http(t, http, sizeof(http));
		/* What we write, we read back the same. */
		t2 = date_parse(rfc, NULL);
		if (t2 != t && t2 != ENTRY_NO_TIME)
			abort();
	}
	free(s);
	return (0);
}
