/*
 * feedmesh: a map from strings to pointers, to find one peer or one
 * WebSub subscription among thousands by its name or token without
 * walking a list (glibc has no sys/tree.h). A key is not copied: it is
 * the name held by the value it maps to, and stays unchanged while
 * mapped.
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
