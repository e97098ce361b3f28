/*
 * feedmesh fuzzing: the HTML sanitizer (sanitize.h) on peers' markup,
 * with a base URL taken from the input's first line when it has one.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "sanitize.h"

/* Valid UTF-8 with no C0 control but tab, LF and CR: the XML parser's. */
static int
fuzz_valid_text(const char *s)
{
	uint32_t	 c;
	size_t		 n, len = strlen(s);

	for (; len > 0; s += n, len -= n) {
		n = sanitize_utf8_next(s, len, &c);
		if ((c == 0xfffd && (n != 3 || memcmp(s, "\xef\xbf\xbd", 3) !=
		    0)) || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'))
			return (0);
	}
	return (1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*in, *out, *base = NULL, *html, *v;
	uint32_t	 c;
	size_t		 off, n;

	in = fuzz_strndup(data, size);
	/* "base:URL\n" first: relative links resolve against it. */
	if (strncmp(in, "base:", 5) == 0 && (html = strchr(in, '\n')) != NULL) {
		*html++ = '\0';
		base = in + 5;
	} else
		html = in;

	out = sanitize_html(html, base);
	fuzz_check_utf8(out);
	/* Where it applies, the trusting variant gives the same bytes. */
	if (fuzz_valid_text(html)) {
		v = sanitize_html_valid(html, base);
		if (strcmp(v, out) != 0)
			abort();
		free(v);
	}
	free(out);
	out = sanitize_html_to_text(html);
	fuzz_check_utf8(out);
	free(out);
	out = sanitize_text_to_html(html);
	free(out);

	for (off = 0; off < size; off += n) {
		n = sanitize_utf8_next((const char *)data + off, size - off, &c);
		if (n == 0 || n > size - off || c > 0x10ffff)
			abort();
	}
	free(in);
	return (0);
}
