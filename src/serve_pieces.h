/*
 * feedmesh: rendered entries kept between listings, per format, so that
 * a listing not in the response cache costs a query and copies.
 */
#ifndef FEEDMESH_SERVE_PIECES_H
#define FEEDMESH_SERVE_PIECES_H

#include <stddef.h>
#include <stdint.h>

struct serve_pieces;

struct serve_pieces	*serve_pieces_new(size_t max_bytes);
void			 serve_pieces_free(struct serve_pieces *);
/*
 * The piece of format fmt rendered from the version serial
 * (store_query_serial()) of entry seq, or NULL; *len its length.
 */
const char		*serve_pieces_find(struct serve_pieces *, int fmt,
			    int64_t seq, uint64_t serial, size_t *len);
/* Keeps a copy, replacing another version; too big ones stay out. */
void			 serve_pieces_add(struct serve_pieces *, int fmt,
			    int64_t seq, uint64_t serial, const char *,
			    size_t);
/* Pieces kept and their bytes (with what keeping them costs). */
void			 serve_pieces_usage(const struct serve_pieces *,
			    size_t *n, size_t *bytes);

#endif
