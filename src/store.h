/*
 * feedmesh: the SQLite store (WAL, migrations by PRAGMA user_version).
 * An entry is stored once whatever the paths that carried it; the store
 * records those paths, the merge rule and each peer's fetch state.
 */
#ifndef FEEDMESH_STORE_H
#define FEEDMESH_STORE_H

#include <stdint.h>

#include "entry.h"

struct store;

struct store	*store_open(const char *path);	/* NULL, logged, on error */
void		 store_close(struct store *);

/*
 * Fixes the store's clock (first seen, change times, expiry) instead of
 * time(NULL); 0 goes back to the real clock. For tests and tools.
 */
void		 store_set_now(struct store *, int64_t);
/* Caps the database at pages pages (0: no cap); a full store fails cleanly. */
int		 store_limit_pages(struct store *, int64_t pages);

/*
 * 1 (the default): commits wait for the disk; 0: they may be lost to a
 * power failure, never half (for pulled documents, fetched again).
 */
int		 store_set_durable(struct store *, int);

/*
 * WAL checkpoints. By default SQLite copies the log into the database
 * inside the commit that takes it past STORE_CKPT_PAGES pages (64 MB),
 * and that commit waits for it. store_checkpointer_start() moves that
 * work to a thread with a connection of its own, which the writer wakes
 * when the log holds pages pages (0: STORE_CKPT_PAGES); the writer still
 * copies a few frames itself so that the log is reused, and all of it
 * past four times pages (the thread cannot keep up). Threads do not
 * survive fork(): start it after daemon(). store_close() stops it.
 */
#define STORE_CKPT_PAGES	16000
int		 store_checkpointer_start(struct store *, int pages);
struct store_ckpt_stats {
	uint64_t	 thread;	/* checkpoint passes of the thread */
	uint64_t	 finish;	/* the writer copied the thread's rest */
	uint64_t	 fallback;	/* the writer checkpointed it all */
	uint64_t	 inline_max_us;	/* the writer's longest of those */
	int		 log_max;	/* the longest log seen, frames */
	int		 commit_max;	/* the largest commit, frames */
};
/* Zeros without a checkpointer. */
void		 store_checkpointer_stats(const struct store *,
		    struct store_ckpt_stats *);

/* One transaction per fetched document. */
int		 store_begin(struct store *);
/*
 * The same for a document stored all or nothing: its entries share the
 * transaction without a savepoint each (a savepoint makes the full-text
 * index write its pending terms out, entry by entry). An entry that
 * fails loses the transaction: store_commit() then fails.
 */
int		 store_begin_whole(struct store *);
int		 store_commit(struct store *);
void		 store_rollback(struct store *);

enum store_result {
	STORE_INSERTED,		/* a new entry */
	STORE_UPDATED,		/* a newer version replaced the stored one */
	STORE_MERGED,		/* same version, a new path recorded */
	STORE_UNCHANGED,	/* same version, path already known */
	STORE_STALE		/* an older version: ignored, path recorded */
};

/*
 * Stores e as delivered by peer (NULL for a local publication). e->id is
 * the identity chosen by the caller. An entry with another id but the
 * same canonical permalink is the same entry: it is kept under the
 * smallest (strcmp) of its ids, the others being aliases, so that the
 * kept id does not depend on the order of arrival. A version replaces the stored one only if its updated time is
 * newer, ties broken by comparing the digests of their canonical forms,
 * so that any order of arrival gives the same result.
 */
int		 store_entry_upsert(struct store *, const struct entry *e,
		    const char *peer, enum store_result *);

/*
 * Change events, for the WebSub hub (one listener). STORE_EVENT_CHANGE
 * comes inside the transaction for each entry whose stored version
 * changed (new, newer, tombstone), with the entry as now stored (its
 * kept id, peers filled) and the peer that carried it ("" local).
 * STORE_EVENT_COMMIT comes just before COMMIT, so that what the listener
 * writes (queued deliveries) commits with the entries or not at all;
 * STORE_EVENT_ROLLBACK when the transaction is abandoned. Entries are
 * NULL for the last two.
 */
enum store_event {
	STORE_EVENT_CHANGE,
	STORE_EVENT_COMMIT,
	STORE_EVENT_ROLLBACK
};
typedef void	(*store_event_cb)(enum store_event, const struct entry *,
		    const char *peer, void *arg);
void		 store_set_event_cb(struct store *, store_event_cb, void *);
/*
 * Whether the listener wants STORE_EVENT_CHANGE (1, the default): the
 * hub without a live subscription says 0, and the store then builds no
 * entry for it. COMMIT and ROLLBACK come all the same.
 */
void		 store_set_event_changes(struct store *, int);

/* Reads one entry by id or alias: 1 found, 0 not found, -1 error. */
int		 store_entry_get(struct store *, const char *id, struct entry **);

/*
 * Listings, newest first (published, else updated, else first seen).
 * Tombstones are listed (the renderer shows them as deleted entries);
 * entries past their expiry are not.
 */
struct store_query {
	const char	*kind;
	const char	*territory;	/* prefix match on path segments */
	const char	*category;	/* term equality */
	const char	*peer;		/* carried by that peer; "" local */
	/* Stored or replaced at or after (catching up); ENTRY_NO_TIME: all. */
	int64_t		 since;
	int		 limit;		/* <= 0: no limit */
	/* Keyset cursor: entries strictly older than (time, seq). */
	int64_t		 before_time;	/* ENTRY_NO_TIME: from the newest */
	int64_t		 before_seq;
	/*
	 * A range of sort times, [from_time, until_time) (an archive month):
	 * ENTRY_NO_TIME leaves that end open. until_time narrows the cursor.
	 */
	int64_t		 from_time;
	int64_t		 until_time;
	int		 oldest_first;	/* 1: ascending (neighbouring months) */
	int		 skip_deleted;	/* 1: leave tombstones out */
	/*
	 * Full text: an FTS5 query over title, summary, content and
	 * categories, made of quoted terms only (query.c builds it from
	 * the user's words; never pass user text through). Matches are
	 * listed newest first with the same keyset cursor (an entry dated
	 * before 1900 or after 2444 as if dated on that bound: the index's
	 * keys, schema step 8), a page costing the same whatever the
	 * number of matches; with relevance set, best first (bm25, the
	 * title weighing most) and the cursor is ignored: scores move as
	 * entries arrive, so that order has one page.
	 */
	const char	*match;
	int		 relevance;
	/* Places: only entries with a geo point, in a box or a radius. */
	enum store_geo {
		STORE_GEO_NONE,
		STORE_GEO_ANY,		/* has a point */
		STORE_GEO_BOX,		/* west <= lon <= east, south..north */
		STORE_GEO_NEAR		/* great-circle distance <= radius */
	}		 geo;
	double		 west, south, east, north;
	double		 lat, lon, radius_km;
};

/* Mean Earth radius (IUGG), for distances. */
#define STORE_EARTH_KM	6371.0088
/* Great-circle distance in km between two points in degrees. */
double		 store_distance_km(double lat1, double lon1, double lat2,
		    double lon2);

/*
 * An empty query: no filter, no limit, from the newest. Use it: a zeroed
 * struct has a cursor at time 0 and lists nothing.
 */
void		 store_query_init(struct store_query *);

/*
 * Calls cb for each entry of the listing (the entry is freed after the
 * call); stops at the first non-zero return. Each call also passes the
 * entry's keyset position, to build the next-page link. The callback must
 * not call the store.
 */
typedef int	(*store_entry_cb)(const struct entry *, int64_t sort_time,
		    int64_t seq, void *arg);
int		 store_query_entries(struct store *, const struct store_query *,
		    store_entry_cb, void *arg);
/*
 * During a store_query_entries() callback: a number naming the version
 * of the entry passed (its document and its peers). It is never given
 * to another entry or version while the process runs, so that what a
 * renderer makes of an entry may be kept under (seq, serial).
 */
uint64_t	 store_query_serial(const struct store *);
/*
 * Listings keep the entries they decode for the next ones, in a budget
 * of max_bytes (0: none); this empties that cache. A cached entry is
 * used only if its document and peers are still the stored ones.
 */
#define STORE_CACHE_DEFAULT	(8 * 1024 * 1024)
int		 store_set_cache(struct store *, size_t max_bytes);
struct store_cache_stats {
	uint64_t	 hits;
	uint64_t	 misses;
	size_t		 entries;
	size_t		 bytes;
	size_t		 max_bytes;
};
void		 store_cache_stats(const struct store *,
		    struct store_cache_stats *);
/* SQLite's plan for that query, one step a line (a new string), or NULL. */
char		*store_query_explain(struct store *, const struct store_query *);
/*
 * What the last store_query_entries() cost SQLite: rows stepped in full
 * scans and virtual machine steps of the listing's statement (not of the
 * per-entry reads). For tests that a page costs the same on any store.
 */
void		 store_query_cost(const struct store *, int64_t *fullscan_steps,
		    int64_t *vm_steps);

/* Bumped by every commit that changed what a listing shows. */
uint64_t	 store_generation(const struct store *);
/* Time of the last such change (for Last-Modified), 0 if none. */
int64_t		 store_last_change(const struct store *);
/*
 * Full-text index upkeep, for an idle node: one bounded merge step of
 * the index's segments (about pages pages of 4 KB written, out of any
 * transaction). 1 if work was done and more may remain, 0 if nothing is
 * left to merge, -1 on error. Results and the generation do not change.
 */
int		 store_fts_maintain(struct store *, int pages);
/* Pages of a step: a few milliseconds at a million entries. */
#define STORE_FTS_STEP_PAGES	64
/* Segments of the full-text index (-1 on error); steps run since open. */
int64_t		 store_fts_segments(struct store *);
uint64_t	 store_fts_merges(const struct store *);
/* Entries that are not tombstones; those carried by peer ("" or NULL local). */
int64_t		 store_count_entries(struct store *);
/*
 * 1 if the stored entry id is found by the full-text query match
 * (store_query.match), 0 if not (tombstones are not indexed), -1 on
 * error. Inside a transaction it sees the uncommitted change.
 */
int		 store_entry_matches_text(struct store *, const char *id,
		    const char *match);
int64_t		 store_count_peer_entries(struct store *, const char *peer);
/* The database's size in bytes (pages times page size), -1 on error. */
int64_t		 store_size(struct store *);

/*
 * The state digest (PROTOCOL.md, "Comparing nodes"): SHA-256, lower-case
 * hex, over one line "id TAB digest NEWLINE" per visible entry and
 * tombstone, sorted by kept id (strcmp), where digest is that of the
 * entry's canonical form (no peers, paths, first-seen; held entries left
 * out). Two nodes holding the same versions have the same digest.
 */
#define STORE_STATE_DIGEST_LEN	65
int		 store_state_digest(struct store *,
		    char hex[STORE_STATE_DIGEST_LEN]);
/* Tombstones, held entries left out. */
int64_t		 store_count_tombstones(struct store *);

/*
 * Moderation. Entries that peers named here bring for the first time are
 * stored as held: not listed, counted, pushed nor part of the digest,
 * until approved; a later version of a held entry stays held, unless it
 * comes from a peer that is not held. The list is copied.
 */
void		 store_set_held_peers(struct store *, const char *const *peers,
		    size_t npeers);
/* 1 if the entry (id or alias) is held, 0 if not or unknown, -1 error. */
int		 store_entry_held(struct store *, const char *id);
/* The held entries, oldest first; peer is the first that carried it. */
typedef int	(*store_held_cb)(const struct entry *, const char *peer,
		    int64_t first_seen, void *arg);
int		 store_held_list(struct store *, store_held_cb, void *arg);
/*
 * Approve makes a held entry visible (a change event, a new generation);
 * reject removes it and remembers its ids per peer that carried it, so
 * that those peers cannot bring it back. Each runs in its own
 * transaction: 1 done, 0 no such held entry, -1 error.
 */
int		 store_held_approve(struct store *, const char *id);
int		 store_held_reject(struct store *, const char *id);

/*
 * Expiry and retention. store_expire() turns each visible entry whose
 * expires time is past into a tombstone made from nothing but its kept
 * id and a time (the later of its expires and version times), so that
 * every node makes the same one; it runs its own transaction (a change:
 * events, generation) and sets *count. Tombstones whose version time is
 * older than the ttl (0: forever) are kept for the merge rule but no
 * longer listed.
 */
int		 store_expire(struct store *, int *count);
void		 store_set_tombstone_ttl(struct store *, int64_t seconds);

/* Fetch state of a peer, kept across restarts. */
struct peer_state {
	char	*url;			/* the URL this state was learnt from */
	char	*etag;			/* stored verbatim */
	char	*last_modified;		/* stored verbatim */
	char	*body_digest;		/* of the last body (ingest.h) */
	int64_t	 last_fetch;		/* 0: never */
	int64_t	 last_success;
	int64_t	 next_fetch;
	long	 http_status;
	int	 failures;		/* consecutive */
	char	*last_error;
	char	*moved_to;		/* target of a 301/308 */
	int	 gone;			/* 410 seen: polling stopped */
};

void		 peer_state_init(struct peer_state *);
void		 peer_state_clear(struct peer_state *);
/* 1 loaded, 0 none stored (ps initialized), -1 error. */
int		 store_peer_state_load(struct store *, const char *peer,
		    struct peer_state *);
int		 store_peer_state_save(struct store *, const char *peer,
		    const struct peer_state *);

#endif
