/*
 * feedmesh: what modules that keep their own tables in the store (the
 * WebSub hub and subscriber, publishing, moderation) need from it. Their
 * tables are created by the store's migrations (store.c), so that one
 * PRAGMA user_version says what a database holds; their statements are
 * their own, prepared on first use and finalized before store_close().
 */
#ifndef FEEDMESH_STORE_PRIVATE_H
#define FEEDMESH_STORE_PRIVATE_H

#include <stdint.h>

#include <sqlite3.h>

#include "buf.h"

struct entry;
struct store;
struct store_query;

sqlite3		*store_sqlite(struct store *);
const char	*store_path(const struct store *);
/* The store's clock (store_set_now() or time(NULL)). */
int64_t		 store_now(const struct store *);
int		 store_in_transaction(const struct store *);
/* The open transaction changed what a listing shows (bumps generation). */
void		 store_mark_changed(struct store *);

/*
 * The checkpointer (store_ckpt.c): a thread and its connection to path,
 * hooked on the writer's commits; NULL, logged, if it cannot start.
 * Stopped (its pass finished, joined) before the writer is closed.
 */
struct store_ckpt;
struct store_ckpt_stats;
struct store_ckpt *store_ckpt_start(sqlite3 *writer, const char *path,
		    int pages);
void		 store_ckpt_stop(struct store_ckpt *);
void		 store_ckpt_stats(struct store_ckpt *,
		    struct store_ckpt_stats *);

/*
 * Grid cells of places (store_geo.c): level k cuts the world into squares
 * of 90 / 4^k degrees; an entry with a point has the listing tag
 * "g<k>:<x>:<y>" of its cell at each level.
 */
#define STORE_GEO_LEVELS	8
/* Most cells an area's cover takes at one level (level 0 needs 8). */
#define STORE_GEO_MAXCELLS	16
#define STORE_GEO_TAG_MAX	32

/* The cells covering a box or a radius, and the area they stand for. */
struct store_geo_cover {
	int	 level;
	int	 ncells;
	long	 x[STORE_GEO_MAXCELLS];
	long	 y[STORE_GEO_MAXCELLS];
	int	 empty;			/* nothing can match */
	double	 south, north;		/* latitudes, a radius' with slack */
	int	 nlon;			/* 2: across the antimeridian */
	double	 west[2], east[2];
};

/* The tag of the point's cell at level; -1 if not a number. */
int		 store_geo_cell(double, double, int, char *, size_t);
/* Fills the cover of q's box or radius; the number of cells, 0: none. */
int		 store_geo_cover(const struct store_query *,
		    struct store_geo_cover *);
/* The tag of the cover's i-th cell. */
void		 store_geo_cover_tag(const struct store_geo_cover *, int,
		    char *, size_t);
/* SQL feedmesh_geo_cell(lat, lon, level): store_geo_cell(), or NULL. */
void		 store_geo_cell_fn(sqlite3_context *, int, sqlite3_value **);

/*
 * Appends the canonical document of e (store_doc.c): what jansson's
 * json_dumps(JSON_COMPACT | JSON_SORT_KEYS) writes for entry_to_json(e)
 * less its peers, and less source and origin for a tombstone, with the
 * id kept instead of e's unless NULL, byte for byte (digests of it are
 * compared between nodes). Returns the number of strings left out for
 * not being UTF-8, as entry_to_json() leaves them out: 0 for anything
 * the parsers give.
 */
int		 store_doc_write(struct buf *, const struct entry *,
		    const char *kept);

/*
 * The fields of a stored document that the full-text index takes, read
 * back without jansson: offsets into text of NUL-terminated strings, or
 * STORE_DOC_NONE where the document has no such string.
 */
#define STORE_DOC_NONE	((size_t)-1)
struct store_doc_fields {
	struct buf	 text;
	size_t		 title;
	size_t		 summary;
	size_t		 content_text;
	size_t		 content_html;
	int		 no_content;	/* "_feedmesh"."no_content" is true */
	struct {
		size_t	 term;
		size_t	 label;
	}		*cats;		/* "_feedmesh"."categories" */
	size_t		 ncats;
	size_t		 capcats;
};
/*
 * Reads them from doc (zeroed f the first time, reused after); -1 if
 * doc is something only jansson can tell about (then ask it).
 */
int		 store_doc_fields_read(struct store_doc_fields *,
		    const char *doc);
void		 store_doc_fields_free(struct store_doc_fields *);

#endif
