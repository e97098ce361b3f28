/*
 * feedmesh tests: the string map, against a plain array, through long
 * runs of puts and deletions that wrap around small tables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strmap.h"
#include "tap.h"

#define NKEYS	3000
#define NOPS	200000

static char	 keys[NKEYS][16];
static int	 values[NKEYS];

/* A small deterministic generator: the same run each time. */
static unsigned long
next_rand(unsigned long *state)
{
	*state = *state * 6364136223846793005UL + 1442695040888963407UL;
	return (*state >> 33);
}

/*
 * Random puts, replacements and deletions over a pool of keys (some
 * sharing prefixes, one empty), with lookups of every key checked
 * against what the array says after each phase.
 */
static void
test_against_array(int pool)
{
	struct strmap	*m = strmap_new();
	void		*want[NKEYS];
	unsigned long	 st = 42 + (unsigned long)pool;
	size_t		 count = 0;
	int		 i, k, wrong = 0, phase;

	memset(want, 0, sizeof(want));
	for (phase = 0; phase < 4; phase++) {
		for (i = 0; i < NOPS / 4; i++) {
			k = (int)(next_rand(&st) % (unsigned long)pool);
			switch (next_rand(&st) % (phase % 2 ? 4 : 3)) {
			case 0:
			case 1:
				if (want[k] == NULL)
					count++;
				want[k] = &values[(k + i) % NKEYS];
				strmap_put(m, keys[k], want[k]);
				break;
			default:
				if (want[k] != NULL)
					count--;
				want[k] = NULL;
				strmap_del(m, keys[k]);
				break;
			}
		}
		for (k = 0; k < pool; k++)
			if (strmap_get(m, keys[k]) != want[k])
				wrong++;
		if (strmap_count(m) != count)
			wrong++;
	}
	is_int(wrong, 0, "%d keys: every lookup agrees after %d operations",
	    pool, NOPS);
	ok(strmap_get(m, "absent") == NULL && strmap_get(m, "k") == NULL,
	    "%d keys: keys never put are not found", pool);
	for (k = 0; k < pool; k++)
		strmap_del(m, keys[k]);
	is_int((int)strmap_count(m), 0, "%d keys: all deleted", pool);
	for (k = 0, wrong = 0; k < pool; k++)
		if (strmap_get(m, keys[k]) != NULL)
			wrong++;
	is_int(wrong, 0, "%d keys: none found after", pool);
	strmap_free(m);
}

int
main(void)
{
	int	 i;

	log_init(1, LOG_LEVEL_WARN, "strmap_test");
	for (i = 0; i < NKEYS; i++)
		snprintf(keys[i], sizeof(keys[i]), i == 0 ? "" : "k%d", i);
	test_against_array(12);
	test_against_array(300);
	test_against_array(NKEYS);
	return (tap_done());
}
