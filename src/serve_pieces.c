/*
 * feedmesh: rendered entries kept between listings. A piece is found by
 * (format, seq) and used only for the version it was rendered from: the
 * store names each decoded version with a serial never given twice, so
 * an update, a new peer or a tombstone is never served from here.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "log.h"
#include "serve_pieces.h"

#define SERVE_PIECES_BUCKETS	4096		/* a power of two */
#define SERVE_PIECES_OVERHEAD	64		/* malloc, per piece */

struct serve_piece {
	LIST_ENTRY(serve_piece)	 hash;
	TAILQ_ENTRY(serve_piece) lru;	/* most recently used first */
	int			 fmt;
	int64_t			 seq;
	uint64_t		 serial;
	size_t			 len;
	unsigned char		 md[SERVE_PIECES_MD_LEN];
	char			 data[];
};
LIST_HEAD(serve_piece_bucket, serve_piece);
TAILQ_HEAD(serve_piece_lru, serve_piece);

struct serve_pieces {
	struct serve_piece_bucket	 hash[SERVE_PIECES_BUCKETS];
	struct serve_piece_lru		 lru;
	size_t				 n;
	size_t				 bytes;
	size_t				 max;
};

static size_t	 serve_pieces_bucket(int, int64_t);
static void	 serve_pieces_remove(struct serve_pieces *,
		    struct serve_piece *);
static struct serve_piece *serve_pieces_lookup(struct serve_pieces *, int,
		    int64_t);

static size_t
serve_pieces_bucket(int fmt, int64_t seq)
{
	uint64_t	 h = ((uint64_t)seq * 8 + (uint64_t)fmt) *
	    0x9e3779b97f4a7c15ULL;

	return ((size_t)(h >> 32) & (SERVE_PIECES_BUCKETS - 1));
}

struct serve_pieces *
serve_pieces_new(size_t max_bytes)
{
	struct serve_pieces	*p;
	size_t			 i;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < SERVE_PIECES_BUCKETS; i++)
		LIST_INIT(&p->hash[i]);
	TAILQ_INIT(&p->lru);
	p->max = max_bytes;
	return (p);
}

void
serve_pieces_free(struct serve_pieces *p)
{
	if (p == NULL)
		return;
	while (!TAILQ_EMPTY(&p->lru))
		serve_pieces_remove(p, TAILQ_FIRST(&p->lru));
	free(p);
}

static void
serve_pieces_remove(struct serve_pieces *p, struct serve_piece *x)
{
	LIST_REMOVE(x, hash);
	TAILQ_REMOVE(&p->lru, x, lru);
	p->n--;
	p->bytes -= sizeof(*x) + SERVE_PIECES_OVERHEAD + x->len;
	free(x);
}

static struct serve_piece *
serve_pieces_lookup(struct serve_pieces *p, int fmt, int64_t seq)
{
	struct serve_piece	*x;

	LIST_FOREACH(x, &p->hash[serve_pieces_bucket(fmt, seq)], hash)
		if (x->seq == seq && x->fmt == fmt)
			return (x);
	return (NULL);
}

const char *
serve_pieces_find(struct serve_pieces *p, int fmt, int64_t seq,
    uint64_t serial, size_t *len, const unsigned char **md)
{
	struct serve_piece	*x;

	if ((x = serve_pieces_lookup(p, fmt, seq)) == NULL)
		return (NULL);
	if (x->serial != serial) {
		serve_pieces_remove(p, x);	/* another version now */
		return (NULL);
	}
	TAILQ_REMOVE(&p->lru, x, lru);
	TAILQ_INSERT_HEAD(&p->lru, x, lru);
	*len = x->len;
	*md = x->md;
	return (x->data);
}

void
serve_pieces_add(struct serve_pieces *p, int fmt, int64_t seq,
    uint64_t serial, const char *data, size_t len, const unsigned char *md)
{
	struct serve_piece	*x;
	size_t			 size = sizeof(*x) + SERVE_PIECES_OVERHEAD + len;

	if (serial == 0 || size > p->max / 16)
		return;
	if ((x = serve_pieces_lookup(p, fmt, seq)) != NULL)
		serve_pieces_remove(p, x);
	while (p->bytes + size > p->max &&
	    (x = TAILQ_LAST(&p->lru, serve_piece_lru)) != NULL)
		serve_pieces_remove(p, x);
	if ((x = malloc(sizeof(*x) + len)) == NULL)
		fatal("%s", __func__);
	x->fmt = fmt;
	x->seq = seq;
	x->serial = serial;
	x->len = len;
	memcpy(x->md, md, sizeof(x->md));
	memcpy(x->data, data, len);
	LIST_INSERT_HEAD(&p->hash[serve_pieces_bucket(fmt, seq)], x, hash);
	TAILQ_INSERT_HEAD(&p->lru, x, lru);
	p->n++;
	p->bytes += size;
}

/*
 * Listings' entity tags are made from their pieces' digests (serve.c):
 * computed once, when a piece is rendered, not for every listing.
 */
void
serve_pieces_digest(const char *data, size_t len, unsigned char *md)
{
	unsigned int	 n = 0;

	if (EVP_Digest(data, len, md, &n, EVP_sha256(), NULL) != 1 ||
	    n != SERVE_PIECES_MD_LEN)
		fatalx("%s: EVP_Digest failed", __func__);
}

void
serve_pieces_usage(const struct serve_pieces *p, size_t *n, size_t *bytes)
{
	*n = p->n;
	*bytes = p->bytes;
}
