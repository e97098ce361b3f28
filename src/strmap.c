/*
 * feedmesh: a map from strings to pointers (strmap.h).
 *
 * Open addressing with linear probing in a power-of-two table kept at
 * most half full, so that a lookup reads one or two slots; removal
 * shifts the following slots of the cluster back rather than leaving
 * tombstones, so that a table with churn (subscriptions come and go)
 * never degrades. The hash is FNV-1a over a random seed drawn for each
 * map: keys are peer names and tokens, not chosen by whoever looks them
 * up, and the seed keeps their clustering from being predictable.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "strmap.h"

#define STRMAP_MIN	16

struct strmap_slot {
	const char	*key;		/* NULL: empty */
	void		*value;
	uint64_t	 hash;
};

struct strmap {
	struct strmap_slot	*slots;
	size_t			 size;		/* a power of two */
	size_t			 count;
	uint64_t		 seed;
};

static uint64_t	 strmap_hash(const struct strmap *, const char *);
static size_t	 strmap_find(const struct strmap *, const char *, uint64_t);
static void	 strmap_grow(struct strmap *);

struct strmap *
strmap_new(void)
{
	struct strmap	*m;

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->slots = calloc(STRMAP_MIN, sizeof(*m->slots))) == NULL)
		fatal("%s", __func__);
	m->size = STRMAP_MIN;
	arc4random_buf(&m->seed, sizeof(m->seed));
	return (m);
}

void
strmap_free(struct strmap *m)
{
	if (m == NULL)
		return;
	free(m->slots);
	free(m);
}

static uint64_t
strmap_hash(const struct strmap *m, const char *key)
{
	uint64_t	 h = 0xcbf29ce484222325ULL ^ m->seed;

	for (; *key != '\0'; key++) {
		h ^= (unsigned char)*key;
		h *= 0x100000001b3ULL;
	}
	/* FNV's low bits mix poorly: fold the high ones in. */
	return (h ^ (h >> 29));
}

/* The slot holding key, or the empty slot where it would go. */
static size_t
strmap_find(const struct strmap *m, const char *key, uint64_t h)
{
	size_t	 mask = m->size - 1, i = h & mask;

	while (m->slots[i].key != NULL && (m->slots[i].hash != h ||
	    strcmp(m->slots[i].key, key) != 0))
		i = (i + 1) & mask;
	return (i);
}

static void
strmap_grow(struct strmap *m)
{
	struct strmap_slot	*old = m->slots;
	size_t			 oldsize = m->size, i, j;

	if ((m->slots = calloc(oldsize * 2, sizeof(*m->slots))) == NULL)
		fatal("%s", __func__);
	m->size = oldsize * 2;
	for (i = 0; i < oldsize; i++) {
		if (old[i].key == NULL)
			continue;
		j = strmap_find(m, old[i].key, old[i].hash);
		m->slots[j] = old[i];
	}
	free(old);
}

void
strmap_put(struct strmap *m, const char *key, void *value)
{
	uint64_t	 h = strmap_hash(m, key);
	size_t		 i;

	if (value == NULL)
		fatalx("%s: a NULL value for %s", __func__, key);
	if ((m->count + 1) * 2 > m->size)
		strmap_grow(m);
	i = strmap_find(m, key, h);
	if (m->slots[i].key == NULL)
		m->count++;
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->slots[i].hash = h;
}

void *
strmap_get(const struct strmap *m, const char *key)
{
	size_t	 i = strmap_find(m, key, strmap_hash(m, key));

	return (m->slots[i].key != NULL ? m->slots[i].value : NULL);
}

/*
 * Empties key's slot, then moves back each following slot of the run
 * whose home is not between the hole and itself (cyclically), so that
 * every key stays reachable from its home without a gap.
 */
void
strmap_del(struct strmap *m, const char *key)
{
	size_t	 mask = m->size - 1, hole, i, home;

	hole = strmap_find(m, key, strmap_hash(m, key));
	if (m->slots[hole].key == NULL)
		return;
	m->slots[hole].key = NULL;
	m->count--;
	for (i = (hole + 1) & mask; m->slots[i].key != NULL;
	    i = (i + 1) & mask) {
		home = m->slots[i].hash & mask;
		/* Stays if home lies in (hole, i], cyclically. */
		if ((i > hole && home > hole && home <= i) ||
		    (i < hole && (home > hole || home <= i)))
			continue;
		m->slots[hole] = m->slots[i];
		m->slots[i].key = NULL;
		hole = i;
	}
}

size_t
strmap_count(const struct strmap *m)
{
	return (m->count);
}
