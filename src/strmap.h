/*
 * feedmesh: a map from strings to pointers, to find one among thousands
 * without walking a list (glibc has no sys/tree.h): a peer by its name
 * or url, a WebSub subscription by its token, a fetch host by its name
 * or origin. A key is not copied: it is a string held by the value it
 * maps to, and stays unchanged while mapped.
 */
#ifndef FEEDMESH_STRMAP_H
#define FEEDMESH_STRMAP_H

#include <stddef.h>

struct strmap;

struct strmap	*strmap_new(void);
void		 strmap_free(struct strmap *);
/* Maps key to value, replacing what it mapped to; value is not NULL. */
void		 strmap_put(struct strmap *, const char *key, void *value);
/* The value of key, or NULL. */
void		*strmap_get(const struct strmap *, const char *key);
/* Unmaps key if it is mapped. */
void		 strmap_del(struct strmap *, const char *key);
size_t		 strmap_count(const struct strmap *);

#endif
