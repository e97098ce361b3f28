/*
 * feedmesh fuzzing: the body of POST /entries (publish.h), read as the
 * publishing endpoint reads it; the first byte picks the Content-Type.
 * An accepted entry has an id, valid UTF-8, and a canonical JSON form
 * that reads back.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "entry.h"
#include "fuzz.h"
#include "publish.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const types[] = {
		NULL, "application/atom+xml", "application/json",
		"application/feed+json", "text/xml; charset=iso-8859-1",
		"application/atom+xml;type=entry"
	};
	struct entry	*e, *back;
	const char	*why = NULL, *type;
	json_t		*j;

	if (size == 0)
		return (0);
	type = types[data[0] % (sizeof(types) / sizeof(types[0]))];
	e = publish_entry_parse((const char *)data + 1, size - 1, type,
	    "https://node.example/entries", &why);
	if (e == NULL) {
		if (why == NULL)
			abort();
		return (0);
	}
	fuzz_check_utf8(e->id);
	fuzz_check_utf8(e->title);
	fuzz_check_utf8(e->content);
	fuzz_check_utf8(e->summary);
	if ((j = entry_to_json(e)) == NULL)
		abort();
	if ((back = entry_from_json(j, &why)) == NULL && e->id != NULL)
		abort();
	entry_free(back);
	json_decref(j);
	entry_free(e);
	return (0);
}
