/* feedmesh fuzzing: the harnesses' shared set-up and checks. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"

/*
 * Warnings only, routed libraries included: bad input is expected to be
 * logged, and `make fuzz` closes the harness's stderr (libFuzzer keeps its
 * own) so that the logging costs little.
 */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_init(1, LOG_LEVEL_WARN, "fuzz");
	log_route_libraries();
	return (0);
}

/* A NUL-terminated copy of the input; the caller frees it. */
char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return (s);
}

/* Aborts (a finding) unless s is NULL or valid UTF-8. */
void
fuzz_check_utf8(const char *s)
{
	const unsigned char	*p = (const unsigned char *)s;
	uint32_t		 c;
	size_t			 n, i;

	if (s == NULL)
		return;
	while (*p != '\0') {
		if (*p < 0x80) {
			p++;
			continue;
		}
		if (*p >= 0xc2 && *p <= 0xdf) {
			n = 1;
			c = *p & 0x1f;
		} else if (*p >= 0xe0 && *p <= 0xef) {
			n = 2;
			c = *p & 0x0f;
		} else if (*p >= 0xf0 && *p <= 0xf4) {
			n = 3;
			c = *p & 0x07;
		} else
			abort();
		for (i = 1; i <= n; i++) {
			if ((p[i] & 0xc0) != 0x80)
				abort();
			c = (c << 6) | (p[i] & 0x3f);
		}
		if ((n == 2 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
		    (n == 3 && (c < 0x10000 || c > 0x10ffff)))
			abort();
		p += n + 1;
	}
}
