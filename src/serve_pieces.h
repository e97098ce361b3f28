/*
 * feedmesh: rendered entries kept between listings, per format, so that
 * a listing not in the response cache costs a query and copies.
 */
#ifndef FEEDMESH_SERVE_PIECES_H
#define FEEDMESH_SERVE_PIECES_H

#include <stddef.h>
#include <stdint.h>

#define SERVE_PIECES_MD_LEN	32	/* SHA-256 of a piece */

struct serve_pieces;

struct serve_pieces	*serve_pieces_new(size_t max_bytes);
void			 serve_pieces_free(struct serve_pieces *);
/*
 * The piece of format fmt rendered from the version serial
 * (store_query_serial()) of entry seq, or NULL; *len its length, *md
 * the digest it was added with (serve_pieces_digest()).
 */
const char		*serve_pieces_find(struct serve_pieces *, int fmt,
			    int64_t seq, uint64_t serial, size_t *len,
			    const unsigned char **md);
/*
 * Keeps a copy and its digest, replacing another version; too big ones
 * stay out.
 */
void			 serve_pieces_add(struct serve_pieces *, int fmt,
			    int64_t seq, uint64_t serial, const char *,
			    size_t, const unsigned char *md);
/* The SHA-256 of a piece, into md (SERVE_PIECES_MD_LEN bytes). */
void			 serve_pieces_digest(const char *, size_t,
			    unsigned char *md);
/* Pieces kept and their bytes (with what keeping them costs). */
void			 serve_pieces_usage(const struct serve_pieces *,
			    size_t *n, size_t *bytes);

#endif
