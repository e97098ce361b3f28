/*
 * feedmesh: merged listings as Atom 1.0 (RFC 4287, each entry with its
 * atom:source), JSON Feed 1.1 (feedmesh fields in "_feedmesh") and
 * GeoJSON (RFC 7946).
 */
#ifndef FEEDMESH_RENDER_H
#define FEEDMESH_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "entry.h"

struct render_feed {
	const char	*id;		/* feed id (tag or URL) */
	const char	*title;
	const char	*node;		/* node's short name */
	const char	*self_url;	/* absolute URL of this document */
	const char	*alternate_url;	/* the node's home page */
	const char	*hub_url;	/* WebSub hub, or NULL */
	const char	*next_url;	/* RFC 5005 next page, or NULL */
	/*
	 * RFC 5005 section 4: an archive document (fh:archive) links to the
	 * live listing (current); archives and the live listing link to the
	 * neighbouring archives (NULL: none).
	 */
	int		 archive;
	const char	*current_url;
	const char	*prev_archive_url;
	const char	*next_archive_url;
	int64_t		 updated;	/* newest change shown */
};

/*
 * Both append a whole document to the buffer. Entries without an id are
 * skipped; deleted entries are written as tombstones (RFC 6721 in Atom,
 * "_feedmesh": {"deleted": true} in JSON). Archive links are atom:link
 * relations in Atom, "_feedmesh" members in JSON ("archive": true,
 * "current", "prev_archive", "next_archive"). A feed updated of ENTRY_NO_TIME
 * means the newest entry's date.
 */
void	 render_atom(struct buf *, const struct render_feed *,
	    struct entry *const *, size_t);
void	 render_json(struct buf *, const struct render_feed *,
	    struct entry *const *, size_t);
/*
 * The same documents in pieces, for a cache of rendered entries: the
 * head, each entry alone (0 written, -1 nothing: no id), the tail; in
 * JSON the items are joined by ','. render_atom_head() needs the feed's
 * updated (not ENTRY_NO_TIME) and whether an entry needs the feed's
 * author (render_atom_needs_author(); 1 for no entries); an Atom entry
 * depends on that updated unless render_atom_entry_own() says it has a
 * date of its own.
 */
void	 render_atom_head(struct buf *, const struct render_feed *,
	    int need_author);
int	 render_atom_entry(struct buf *, const struct entry *,
	    int64_t updated);
int	 render_atom_entry_own(const struct entry *);
int	 render_atom_needs_author(const struct entry *);
void	 render_atom_tail(struct buf *);
void	 render_json_head(struct buf *, const struct render_feed *);
int	 render_json_entry(struct buf *, const struct entry *);
void	 render_json_tail(struct buf *);
/*
 * An RFC 7946 FeatureCollection: a Point [lon, lat] per entry with a geo
 * point (others and tombstones left out), properties id, title, kind,
 * link, territory, published; title, feed_url and next_url as foreign
 * members.
 */
void	 render_geojson(struct buf *, const struct render_feed *,
	    struct entry *const *, size_t);

#endif
