/*
 * feedmesh: the SQLite store. Each entry is kept once, as its canonical
 * JSON form plus the columns listings filter and sort on; the paths that
 * carried it, its other ids and each peer's fetch state sit beside it.
 */
#include <sys/queue.h>
#include <sys/statvfs.h>

#include <errno.h>
#include <libgen.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>

#include "buf.h"
#include "entry.h"
#include "log.h"
#include "store.h"
#include "store_private.h"
#include "url.h"

/* How long a statement waits for another connection's lock (ms). */
#define STORE_BUSY_TIMEOUT	250
/* Longest category term or peer name given its own listing index. */
#define STORE_TAG_MAX		512
/* Hex digits of a tag's token in entries_tags (store_tag_token()). */
#define STORE_TOKEN_LEN		20
/* Longest kind given cells of its own (schema step 7 says the same). */
#define STORE_CELL_KIND_MAX	480
#define STORE_DIGEST_LEN	(2 * 32 + 1)
/*
 * Decoded entries kept for listings (store_set_cache()): the default
 * budget, and the hash buckets (a power of two) that find them by seq.
 */
#define STORE_CACHE_BYTES	STORE_CACHE_DEFAULT
#define STORE_CACHE_BUCKETS	4096
/* What a cached entry costs beyond its document: structs, allocations. */
#define STORE_CACHE_OVERHEAD	512

/*
 * The schema, one migration per step; PRAGMA user_version is the number
 * of steps applied. A step is never edited once released: changes are new
 * steps at the end.
 *
 * entries: one row per entry. seq is the rowid and the keyset tie-break;
 *   id is the first id the entry was seen under and never changes.
 *   sort_time orders listings (published, else updated, else first seen);
 *   version_time (updated, else published, NULL if neither) is what the
 *   merge rule compares; changed is when the stored version last changed
 *   (the "since" filter of nodes catching up); digest is the SHA-256 of
 *   doc, the canonical JSON form without peers.
 * entry_tags (until step 9): one row per thing a listing filters on, so
 *   that every filtered listing is one range of one index, read newest
 *   first, and its first page costs the same whatever the size of the
 *   store (the tags are step 9's, in entries_tags):
 *     "k:<kind>", "t:<territory prefix>" for each prefix ending on a
 *     segment boundary ("t:a", "t:a/b"), "kt:<kind>|<territory prefix>"
 *     for the common kind+territory listing, "c:<category term>" and
 *     "p:<peer>" for each peer that carried the entry.
 *   A LIKE or a text range on entries.territory would need the prefix
 *   match and the time order from one index, which a (territory, time)
 *   index cannot give for "a" spanning "a/b" and "a/c".
 * aliases: other ids under which the same entry arrived (same canonical
 *   permalink).
 * paths: who carried the entry; peer '' is a local publication (a NULL
 *   would not be unique in the primary key). entries.paths_rev (step 10)
 *   names the entry's set of paths: a value drawn from meta's paths_rev,
 *   which only grows, at the insert and at each path added later, so
 *   that a listing can tell a cached entry's peers are still its own
 *   from the row it reads anyway.
 * peer_state: conditional GET and backoff state of each peer.
 * meta: small key/values (last_change, paths_rev).
 * websub_subs (websub): this node's WebSub subscriptions to its peers'
 *   hubs, one row per callback token: a peer has its current row and,
 *   while a renewal waits for its verification, the one it replaces.
 *   state is requested, active, denied, failed or unsubscribing; times
 *   are Unix seconds (0: not yet).
 *
 * Step 3 (finding things):
 * entries_fts: contentless FTS5 index (rowid = entries.seq) of the plain
 *   text of title, summary, content and category terms, accent- and
 *   case-insensitive (unicode61 remove_diacritics 2). Triggers on entries
 *   (store.c itself since step 6) keep it in step on insert, update and
 *   delete; tombstones are not indexed. A contentless table keeps no
 *   second copy of the text: the 'delete' command is given the old
 *   values, recomputed from old.doc by feedmesh_text(), a deterministic
 *   function store_open() registers (store_text_field() since step 6).
 * entries_geo: R*Tree of the entries that have a geo point and are not
 *   tombstones (id = seq, a degenerate box, the exact point in the
 *   auxiliary columns lat and lon: the box is rounded to 32-bit floats).
 * serve_counts: listings and embeds served, per UTC day ("YYYY-MM-DD")
 *   and format, written at most once a minute by serve.
 *
 * Step 4 (hub):
 * hub_subscriptions: one row per verified WebSub subscription to a
 *   listing topic (canonical form) and callback; secret signs the
 *   distributions, node is the subscriber's feedmesh.node (loop rule),
 *   state "active" or "inactive" (retries exhausted), failures counts
 *   consecutive failed distributions.
 * hub_deliveries: queued content distributions, sent in id order
 *   per subscription; first_attempt (0: never tried) bounds the retries.
 *
 * Step 5 (publishing, moderation, expiry):
 * entries.held: 1 while the entry waits for moderation (moderation =
 *   hold): no listing, count, event or digest sees it.
 * publications: entries published into this node (POST /entries,
 *   feedmeshctl publish): the id given out and the publisher's name, who
 *   alone may replace or retract it. Node-local: not in the digest.
 * rejected: ids a moderator rejected, per peer that carried them, so that
 *   the same peer cannot bring them back.
 *
 * Step 6 (ingest speed): the full-text and geo triggers go; store.c
 *   keeps both indexes in step itself (store_fts_queue, store_geo_write),
 *   since every write to entries is its own. A trigger made each entry's
 *   INSERT a statement with a statement journal, and SQLite then asks
 *   every virtual table written in the transaction for a savepoint:
 *   FTS5 answers by writing its pending terms out as a new segment, so
 *   a document of a hundred entries made a hundred segments to merge
 *   (a third of an ingest). The index changes now wait for the end of
 *   the document and go in at once, one segment.
 *
 * Step 7 (places): entry_tags also holds, for each entry with a geo point
 *   that is not a tombstone, "g<k>:<x>:<y>": its cell of each level k of
 *   a grid of squares of 90 / 4^k degrees (store_geo.c), and
 *   "g<k>:<x>:<y>|<kind>" for the common listing of a kind around a
 *   place; those rows carry the point in entry_tags.lat and lon (NULL on
 *   the other tags), so that the exact check of an area needs no other
 *   read. A box or a radius is then a few cells of one level, each a
 *   range of entry_tags' primary key read newest first, merged (the
 *   R*Tree gave every entry in the area, to sort). The step fills them
 *   from entries_geo with feedmesh_geo_cell(), whose results never change
 *   and cap the kind's length (480 bytes) as store_tag_add() does.
 * Step 8 (full-text listings in listing order): entries_fts is rebuilt
 *   with rowid = a key in listing order, not seq: store_fts_key(), the
 *   sort time less 1900-01-01 (clamped to [1900, 2444)) shifted left by
 *   29 bits, or'ed with seq. FTS5 walks a match's rowids in either
 *   order, from a bound, so a listing of q reads the newest matches
 *   first and stops after its page, and its cost no longer follows the
 *   number of matches (a word in every entry cost half a second at a
 *   million entries: all matches were collected, then sorted). seq
 *   comes back as key & (2^29 - 1): no mapping table to join. Entries
 *   dated out of that range sort by the clamp, among themselves by seq,
 *   in full-text listings only. A seq past 2^29 (as many entries ever
 *   stored) is indexed under -seq, and full-text listings then sort
 *   their matches as before step 8 (exact, slower; logged once). The
 *   index is rebuilt from the documents, in key order, in the one
 *   transaction of the migration.
 * Step 9 (ingest speed): the listing tags leave entry_tags for an index
 *   of their own. Each entry put about 14 rows into random leaves of
 *   entry_tags' primary key (and as many into entry_tags_seq), and each
 *   document's commit rewrote those leaves: a third of an ingest's time,
 *   more as the store grew. An FTS5 index gathers a transaction's terms
 *   in memory and writes them as one new segment, merged later in bulk.
 *   entries_tags: contentless FTS5 index (detail=none: rowids only) whose
 *     rowids are store_fts_key()'s, as entries_fts' are, and whose words
 *     are the tokens of an entry's tags (store_tag_token(): 80 bits of
 *     the tag's SHA-256 in hex, since a tag is any text and FTS5 splits
 *     text into words). A filtered listing is the match of its tags'
 *     tokens, walked newest first from the cursor; a box or a radius the
 *     match of any of its cells' tokens.
 *   entry_tagsets: the tokens of each entry, space-separated and sorted:
 *     tags, then cells (apart, as a tombstone keeps its tags, not its
 *     cells), and the point of the cells. They tell the contentless
 *     index what it forgets when the entry changes, and are where other
 *     filters are checked per row (instr(): tokens have one length, so
 *     none is found across two), and a place's exact area (a look-up by
 *     rowid here costs half what the R*Tree's does).
 *   paths.sort_time: the entry's sort time, and paths_peer is (peer,
 *     sort_time, seq): the peer filter walks, or checks, the paths. As a
 *     token it would make each new path of an entry rewrite its tag set
 *     and its index row (an entry carried by n peers: n^2 tokens).
 *   The migration tokenizes entry_tags' rows (feedmesh_tag_token()) but
 *   the peers', fills both in key order, and drops entry_tags.
 */
/*
 * Pieces of step 2's triggers: the indexed text and point of an entry,
 * computed from its stored document (row "new", "old" or "" for none).
 */
#define STORE_TEXT(r, f)	"feedmesh_text(" r "doc, '" f "')"
#define STORE_FTS_COLS(r)	STORE_TEXT(r, "title") ", " \
	STORE_TEXT(r, "summary") ", " STORE_TEXT(r, "content") ", " \
	STORE_TEXT(r, "categories")
#define STORE_FTS_ADD(r)	"INSERT INTO entries_fts (rowid, title," \
	" summary, content, categories) VALUES (" r ".seq, " \
	STORE_FTS_COLS(r ".") ");"
#define STORE_FTS_DEL(r)	"INSERT INTO entries_fts (entries_fts, rowid," \
	" title, summary, content, categories) VALUES ('delete', " r ".seq, " \
	STORE_FTS_COLS(r ".") ");"
#define STORE_GEO_LAT(r)	"json_extract(" r "doc, '$._feedmesh.geo.lat')"
#define STORE_GEO_LON(r)	"json_extract(" r "doc, '$._feedmesh.geo.lon')"
#define STORE_GEO_COLS(r)	STORE_GEO_LAT(r) ", " STORE_GEO_LAT(r) ", " \
	STORE_GEO_LON(r) ", " STORE_GEO_LON(r) ", " STORE_GEO_LAT(r) ", " \
	STORE_GEO_LON(r)
#define STORE_GEO_ADD(r)	"INSERT INTO entries_geo SELECT " r ".seq, " \
	STORE_GEO_COLS(r ".") " WHERE " r ".deleted = 0 AND " \
	STORE_GEO_LAT(r ".") " IS NOT NULL;"

/*
 * Step 8: entries_fts again, under rowids in listing order. It spells out
 * store_fts_key()'s constants (2^29 - 1, 1900-01-01 and its upper clamp),
 * frozen with the step. Inserted in key order (entries_sort), so that
 * FTS5 writes a segment only when its pending terms fill its hash, then
 * merged into one segment (2 s at a million entries): a walk merges the
 * segments' rowids as it goes (seven of them cost a page half its time).
 */
/* store_fts_key() in SQL, of the row r's seq and sort_time. */
#define STORE_FTS_KEY_SQL(r)	"CASE WHEN " r "seq > 536870911 THEN -" r \
	"seq ELSE ((min(max(" r "sort_time, -2208988800), 14970880382) +" \
	" 2208988800) << 29) | " r "seq END"
#define STORE_TAGIX_TABLE	"CREATE VIRTUAL TABLE entries_tags USING" \
	" fts5(tags, content='', detail=none, columnsize=0, tokenize='ascii');"
#define STORE_TAG_IS_CELL(c)	"(" c " >= 'g0' AND " c " < 'g:')"

static const char store_step_fts_keys[] =
	"DROP TABLE entries_fts;"
	"CREATE VIRTUAL TABLE entries_fts USING fts5(title, summary, content,"
	" categories, content='', tokenize='unicode61 remove_diacritics 2');"
	"INSERT INTO entries_fts (rowid, title, summary, content, categories)"
	" SELECT " STORE_FTS_KEY_SQL("") ", " STORE_FTS_COLS("") " FROM entries"
	" WHERE deleted = 0 ORDER BY sort_time, seq;"
	"INSERT INTO entries_fts (entries_fts) VALUES ('optimize');";

static const char store_step_tag_index[] =
	"CREATE TABLE entry_tagsets ("
	" seq INTEGER PRIMARY KEY REFERENCES entries(seq) ON DELETE CASCADE,"
	" tags TEXT NOT NULL,"
	" cells TEXT NOT NULL DEFAULT '',"
	" lat REAL,"
	" lon REAL);"
	"INSERT INTO entry_tagsets (seq, tags, cells, lat, lon) SELECT seq,"
	" coalesce(group_concat(CASE WHEN NOT " STORE_TAG_IS_CELL("tag")
	" AND tag NOT LIKE 'p:%' THEN feedmesh_tag_token(tag) END, ' '), ''),"
	" coalesce(group_concat(CASE WHEN " STORE_TAG_IS_CELL("tag")
	" THEN feedmesh_tag_token(tag) END, ' '), ''),"
	" max(lat), max(lon)"
	" FROM entry_tags INDEXED BY entry_tags_seq GROUP BY seq;"
	"INSERT INTO entry_tagsets (seq, tags) SELECT seq, '' FROM entries e"
	" WHERE NOT EXISTS (SELECT 1 FROM entry_tagsets x WHERE x.seq = e.seq);"
	STORE_TAGIX_TABLE
	"INSERT INTO entries_tags (rowid, tags) SELECT " STORE_FTS_KEY_SQL("e.")
	", trim(x.tags || ' ' || x.cells) FROM entry_tagsets x"
	" CROSS JOIN entries e WHERE e.seq = x.seq ORDER BY 1;"
	"INSERT INTO entries_tags (entries_tags) VALUES ('optimize');"
	"DROP TABLE entry_tags;"
	"ALTER TABLE paths ADD COLUMN sort_time INTEGER NOT NULL DEFAULT 0;"
	"UPDATE paths SET sort_time = (SELECT e.sort_time FROM entries e"
	" WHERE e.seq = paths.seq);"
	"DROP INDEX paths_peer;"
	"CREATE INDEX paths_peer ON paths(peer, sort_time, seq);";

static const char *const store_migrations[] = {
	/* 1: the initial schema. */
	"CREATE TABLE entries ("
	" seq INTEGER PRIMARY KEY,"
	" id TEXT UNIQUE NOT NULL,"
	" link_canon TEXT,"
	" kind TEXT,"
	" territory TEXT,"
	" sort_time INTEGER NOT NULL,"
	" version_time INTEGER,"
	" published INTEGER,"
	" updated INTEGER,"
	" first_seen INTEGER NOT NULL,"
	" changed INTEGER NOT NULL,"
	" deleted INTEGER NOT NULL DEFAULT 0,"
	" expires INTEGER,"
	" digest TEXT NOT NULL,"
	" doc TEXT NOT NULL);"
	"CREATE INDEX entries_link ON entries(link_canon)"
	" WHERE link_canon IS NOT NULL;"
	"CREATE INDEX entries_sort ON entries(sort_time, seq);"
	"CREATE INDEX entries_changed ON entries(changed);"
	"CREATE TABLE entry_tags ("
	" tag TEXT NOT NULL,"
	" sort_time INTEGER NOT NULL,"
	" seq INTEGER NOT NULL REFERENCES entries(seq) ON DELETE CASCADE,"
	" PRIMARY KEY (tag, sort_time, seq)) WITHOUT ROWID;"
	"CREATE INDEX entry_tags_seq ON entry_tags(seq, tag);"
	"CREATE TABLE aliases ("
	" alias TEXT PRIMARY KEY,"
	" seq INTEGER NOT NULL REFERENCES entries(seq) ON DELETE CASCADE)"
	" WITHOUT ROWID;"
	"CREATE INDEX aliases_seq ON aliases(seq);"
	"CREATE TABLE paths ("
	" seq INTEGER NOT NULL REFERENCES entries(seq) ON DELETE CASCADE,"
	" peer TEXT NOT NULL,"
	" first_seen INTEGER NOT NULL,"
	" last_seen INTEGER NOT NULL,"
	" PRIMARY KEY (seq, peer)) WITHOUT ROWID;"
	"CREATE INDEX paths_peer ON paths(peer, seq);"
	"CREATE TABLE peer_state ("
	" peer TEXT PRIMARY KEY,"
	" url TEXT,"
	" etag TEXT,"
	" last_modified TEXT,"
	" body_digest TEXT,"
	" last_fetch INTEGER NOT NULL DEFAULT 0,"
	" last_success INTEGER NOT NULL DEFAULT 0,"
	" next_fetch INTEGER NOT NULL DEFAULT 0,"
	" http_status INTEGER NOT NULL DEFAULT 0,"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" last_error TEXT,"
	" moved_to TEXT,"
	" gone INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE TABLE meta ("
	" key TEXT PRIMARY KEY,"
	" value) WITHOUT ROWID;",
	/* 2 (websub): subscriptions to peers' hubs. */
	"CREATE TABLE websub_subs ("
	" token TEXT PRIMARY KEY,"
	" peer TEXT NOT NULL,"
	" hub TEXT NOT NULL,"
	" topic TEXT NOT NULL,"
	" secret TEXT NOT NULL,"
	" state TEXT NOT NULL,"
	" requested INTEGER NOT NULL DEFAULT 0,"
	" verified INTEGER NOT NULL DEFAULT 0,"
	" lease_end INTEGER NOT NULL DEFAULT 0,"
	" renew_at INTEGER NOT NULL DEFAULT 0,"
	" last_push INTEGER NOT NULL DEFAULT 0,"
	" push_unreliable INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;"
	"CREATE INDEX websub_subs_peer ON websub_subs(peer);",
	/* 3: full-text index, geo index, served counts. */
	"CREATE VIRTUAL TABLE entries_fts USING fts5(title, summary, content,"
	" categories, content='', tokenize='unicode61 remove_diacritics 2');"
	"CREATE VIRTUAL TABLE entries_geo USING rtree(seq, min_lat, max_lat,"
	" min_lon, max_lon, +lat, +lon);"
	"CREATE TRIGGER entries_text_ai AFTER INSERT ON entries"
	" WHEN new.deleted = 0 BEGIN " STORE_FTS_ADD("new") " END;"
	"CREATE TRIGGER entries_text_ad AFTER DELETE ON entries"
	" WHEN old.deleted = 0 BEGIN " STORE_FTS_DEL("old") " END;"
	"CREATE TRIGGER entries_text_au_old AFTER UPDATE OF doc, deleted"
	" ON entries WHEN old.deleted = 0 BEGIN " STORE_FTS_DEL("old") " END;"
	"CREATE TRIGGER entries_text_au_new AFTER UPDATE OF doc, deleted"
	" ON entries WHEN new.deleted = 0 BEGIN " STORE_FTS_ADD("new") " END;"
	"CREATE TRIGGER entries_geo_ai AFTER INSERT ON entries BEGIN "
	STORE_GEO_ADD("new") " END;"
	"CREATE TRIGGER entries_geo_ad AFTER DELETE ON entries BEGIN"
	" DELETE FROM entries_geo WHERE seq = old.seq; END;"
	"CREATE TRIGGER entries_geo_au AFTER UPDATE OF doc, deleted ON entries"
	" BEGIN DELETE FROM entries_geo WHERE seq = old.seq; "
	STORE_GEO_ADD("new") " END;"
	"INSERT INTO entries_fts (rowid, title, summary, content, categories)"
	" SELECT seq, " STORE_FTS_COLS("") " FROM entries WHERE deleted = 0;"
	"INSERT INTO entries_geo SELECT seq, " STORE_GEO_COLS("") " FROM entries"
	" WHERE deleted = 0 AND " STORE_GEO_LAT("") " IS NOT NULL;"
	"CREATE TABLE serve_counts ("
	" day TEXT NOT NULL,"
	" format TEXT NOT NULL,"
	" count INTEGER NOT NULL,"
	" PRIMARY KEY (day, format)) WITHOUT ROWID;",
	/* 4: hub (WebSub hub subscriptions and queued distributions). */
	"CREATE TABLE hub_subscriptions ("
	" id INTEGER PRIMARY KEY,"
	" topic TEXT NOT NULL,"
	" callback TEXT NOT NULL,"
	" secret TEXT,"
	" node TEXT,"
	" lease_seconds INTEGER NOT NULL,"
	" expires INTEGER NOT NULL,"
	" created INTEGER NOT NULL,"
	" state TEXT NOT NULL DEFAULT 'active',"
	" failures INTEGER NOT NULL DEFAULT 0,"
	" UNIQUE (topic, callback));"
	"CREATE INDEX hub_subscriptions_expires ON hub_subscriptions(expires);"
	"CREATE TABLE hub_deliveries ("
	" id INTEGER PRIMARY KEY,"
	" subscription INTEGER NOT NULL"
	"  REFERENCES hub_subscriptions(id) ON DELETE CASCADE,"
	" content_type TEXT NOT NULL,"
	" body BLOB NOT NULL,"
	" created INTEGER NOT NULL,"
	" next_attempt INTEGER NOT NULL,"
	" first_attempt INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0);"
	"CREATE INDEX hub_deliveries_sub ON hub_deliveries(subscription, id);",
	/* 5: publishing, moderation and expiry. */
	"ALTER TABLE entries ADD COLUMN held INTEGER NOT NULL DEFAULT 0;"
	"CREATE INDEX entries_held ON entries(first_seen) WHERE held = 1;"
	"CREATE INDEX entries_expires ON entries(expires)"
	" WHERE expires IS NOT NULL AND deleted = 0;"
	"CREATE INDEX entries_tombstones ON entries"
	" (coalesce(version_time, changed)) WHERE deleted = 1 AND held = 0;"
	"CREATE TABLE publications ("
	" id TEXT PRIMARY KEY,"
	" publisher TEXT NOT NULL,"
	" created INTEGER NOT NULL) WITHOUT ROWID;"
	"CREATE TABLE rejected ("
	" id TEXT NOT NULL,"
	" peer TEXT NOT NULL,"
	" at INTEGER NOT NULL,"
	" PRIMARY KEY (id, peer)) WITHOUT ROWID;",
	/* 6: the indexes of step 3 kept by store.c, not by triggers. */
	"DROP TRIGGER IF EXISTS entries_text_ai;"
	"DROP TRIGGER IF EXISTS entries_text_ad;"
	"DROP TRIGGER IF EXISTS entries_text_au_old;"
	"DROP TRIGGER IF EXISTS entries_text_au_new;"
	"DROP TRIGGER IF EXISTS entries_geo_ai;"
	"DROP TRIGGER IF EXISTS entries_geo_ad;"
	"DROP TRIGGER IF EXISTS entries_geo_au;",
	/* 7: the grid cells of places, as listing tags with their point. */
	"ALTER TABLE entry_tags ADD COLUMN lat REAL;"
	"ALTER TABLE entry_tags ADD COLUMN lon REAL;"
	"WITH l(level) AS (VALUES (0), (1), (2), (3), (4), (5), (6), (7)),"
	" c(seq, sort_time, kind, lat, lon, cell) AS (SELECT e.seq,"
	" e.sort_time, e.kind, g.lat, g.lon,"
	" feedmesh_geo_cell(g.lat, g.lon, l.level)"
	" FROM entries_geo g CROSS JOIN entries e CROSS JOIN l"
	" WHERE e.seq = g.seq AND e.deleted = 0)"
	" INSERT OR IGNORE INTO entry_tags (tag, sort_time, seq, lat, lon)"
	" SELECT cell, sort_time, seq, lat, lon FROM c WHERE cell IS NOT NULL"
	" UNION ALL SELECT cell || '|' || kind, sort_time, seq, lat, lon"
	" FROM c WHERE cell IS NOT NULL AND kind IS NOT NULL"
	" AND length(CAST(kind AS BLOB)) <= 480"
	" ORDER BY 1, 2, 3;",
	/* 8: the full-text index's rowids in listing order. */
	store_step_fts_keys,
	/* 9: listing tags as the words of an index of their own. */
	store_step_tag_index,
	/* 10: the version of an entry's paths, read by listings. */
	"ALTER TABLE entries ADD COLUMN paths_rev INTEGER NOT NULL DEFAULT 0;",
};
#define STORE_NMIGRATIONS \
	((int)(sizeof(store_migrations) / sizeof(store_migrations[0])))

/* The statements prepared once at open. */
enum store_stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVEPOINT,
	ST_RELEASE,
	ST_ROLLBACK_TO,
	ST_BY_ID,
	ST_BY_ALIAS,
	ST_BY_LINK,
	ST_DOC,
	ST_INSERT,
	ST_UPDATE,
	ST_ALIAS_ADD,
	ST_PATH_ADD,
	ST_PATHS_REV,
	ST_PATH_SEEN,
	ST_TAGSET_GET,
	ST_TAGSET_PUT,
	ST_PATHS_RETIME,
	ST_PEERS,
	ST_COUNT,
	ST_COUNT_PEER,
	ST_TEXT_MATCH,
	ST_META_GET,
	ST_META_SET,
	ST_PS_LOAD,
	ST_PS_SAVE,
	ST_REKEY,
	ST_ALIAS_DEL,
	ST_SET_HELD,
	ST_REJECTED,
	ST_REJECT_ADD,
	ST_REJECT_ALIASES,
	ST_DELETE,
	ST_STATE,
	ST_COUNT_DELETED,
	ST_HELD_LIST,
	ST_EXPIRED,
	ST_AGED,
	ST_FIRST_PEER,
	ST_FTS_ADD,
	ST_FTS_DEL,
	ST_GEO_ADD,
	ST_GEO_DEL,
	ST_FTS_MERGE,
	ST_TAGIX_ADD,
	ST_TAGIX_DEL,
	ST_TAGIX_MERGE,
	ST_MAX
};

#define STORE_ROW_COLUMNS \
	"e.seq, e.id, e.version_time, e.deleted, e.digest, e.sort_time," \
	" e.first_seen, e.held"

static const char *const store_sql[ST_MAX] = {
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
	[ST_SAVEPOINT] = "SAVEPOINT upsert",
	[ST_RELEASE] = "RELEASE upsert",
	[ST_ROLLBACK_TO] = "ROLLBACK TO upsert",
	[ST_BY_ID] = "SELECT " STORE_ROW_COLUMNS
	    " FROM entries e WHERE e.id = ?1",
	[ST_BY_ALIAS] = "SELECT " STORE_ROW_COLUMNS
	    " FROM aliases a JOIN entries e ON e.seq = a.seq"
	    " WHERE a.alias = ?1",
	[ST_BY_LINK] = "SELECT " STORE_ROW_COLUMNS
	    " FROM entries e WHERE e.link_canon = ?1 ORDER BY e.seq LIMIT 1",
	[ST_DOC] = "SELECT doc, deleted, sort_time FROM entries"
	    " WHERE seq = ?1",
	[ST_INSERT] = "INSERT INTO entries (id, link_canon, kind, territory,"
	    " sort_time, version_time, published, updated, first_seen,"
	    " changed, deleted, expires, digest, doc, held, paths_rev)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13,"
	    " ?14, ?16, ?17)",
	[ST_UPDATE] = "UPDATE entries SET"
	    " link_canon = coalesce(?2, link_canon), kind = ?3,"
	    " territory = ?4, sort_time = ?5, version_time = ?6,"
	    " published = ?7, updated = ?8, changed = ?10, deleted = ?11,"
	    " expires = ?12, digest = ?13, doc = ?14 WHERE seq = ?15",
	[ST_ALIAS_ADD] = "INSERT OR IGNORE INTO aliases (alias, seq)"
	    " VALUES (?1, ?2)",
	[ST_PATH_ADD] = "INSERT OR IGNORE INTO paths (seq, peer, first_seen,"
	    " last_seen, sort_time) VALUES (?1, ?2, ?3, ?3, ?4)",
	[ST_PATHS_RETIME] = "UPDATE paths SET sort_time = ?2 WHERE seq = ?1",
	[ST_PATHS_REV] = "UPDATE entries SET paths_rev = ?2 WHERE seq = ?1",
	[ST_PATH_SEEN] = "UPDATE paths SET last_seen = ?3"
	    " WHERE seq = ?1 AND peer = ?2",
	[ST_TAGSET_GET] = "SELECT tags, cells, lat, lon FROM entry_tagsets"
	    " WHERE seq = ?1",
	[ST_TAGSET_PUT] = "INSERT OR REPLACE INTO entry_tagsets (seq, tags,"
	    " cells, lat, lon) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_PEERS] = "SELECT peer FROM paths WHERE seq = ?1 AND peer <> ''"
	    " ORDER BY peer",
	/*
	 * Every entry, less the held ones, less the visible tombstones:
	 * three index scans (the narrowest index, then two partial ones)
	 * where a filter on deleted and held read every row of entries,
	 * about 1.5 s at a million entries, on the loop, at each /metrics
	 * scrape. The three sets partition entries, so the count is exact.
	 */
	[ST_COUNT] = "SELECT (SELECT count(*) FROM entries)"
	    " - (SELECT count(*) FROM entries INDEXED BY entries_held"
	    " WHERE held = 1)"
	    " - (SELECT count(*) FROM entries INDEXED BY entries_tombstones"
	    " WHERE deleted = 1 AND held = 0)",
	[ST_COUNT_PEER] = "SELECT count(*) FROM paths p"
	    " JOIN entries e ON e.seq = p.seq"
	    " WHERE p.peer = ?1 AND e.deleted = 0 AND e.held = 0",
	[ST_TEXT_MATCH] = "SELECT count(*) FROM entries_fts"
	    " WHERE entries_fts MATCH ?2 AND rowid = ?1",
	[ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
	[ST_META_SET] = "INSERT OR REPLACE INTO meta (key, value)"
	    " VALUES (?1, ?2)",
	[ST_PS_LOAD] = "SELECT etag, last_modified, body_digest, last_fetch,"
	    " last_success, next_fetch, http_status, failures, last_error,"
	    " moved_to, gone, url FROM peer_state WHERE peer = ?1",
	[ST_PS_SAVE] = "INSERT OR REPLACE INTO peer_state (peer, etag,"
	    " last_modified, body_digest, last_fetch, last_success,"
	    " next_fetch, http_status, failures, last_error, moved_to, gone,"
	    " url)"
	    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
	[ST_REKEY] = "UPDATE entries SET id = ?1, digest = ?2, doc = ?3"
	    " WHERE seq = ?4",
	[ST_ALIAS_DEL] = "DELETE FROM aliases WHERE alias = ?1",
	[ST_SET_HELD] = "UPDATE entries SET held = ?2 WHERE seq = ?1",
	[ST_REJECTED] = "SELECT 1 FROM rejected WHERE id = ?1 AND peer = ?2",
	[ST_REJECT_ADD] = "INSERT OR IGNORE INTO rejected (id, peer, at)"
	    " SELECT ?2, peer, ?3 FROM paths WHERE seq = ?1",
	[ST_REJECT_ALIASES] = "INSERT OR IGNORE INTO rejected (id, peer, at)"
	    " SELECT a.alias, p.peer, ?2 FROM aliases a JOIN paths p"
	    " ON p.seq = a.seq WHERE a.seq = ?1",
	[ST_DELETE] = "DELETE FROM entries WHERE seq = ?1",
	[ST_STATE] = "SELECT id, digest FROM entries WHERE held = 0"
	    " ORDER BY id",
	[ST_COUNT_DELETED] = "SELECT count(*) FROM entries WHERE deleted = 1"
	    " AND held = 0",
	[ST_HELD_LIST] = "SELECT seq, doc, first_seen, (SELECT min(peer)"
	    " FROM paths p WHERE p.seq = e.seq) FROM entries e"
	    " INDEXED BY entries_held WHERE held = 1"
	    " ORDER BY first_seen, seq",
	[ST_EXPIRED] = "SELECT id, version_time, expires FROM entries"
	    " INDEXED BY entries_expires WHERE expires IS NOT NULL"
	    " AND deleted = 0 AND held = 0 AND expires < ?1"
	    " ORDER BY expires LIMIT ?2",
	[ST_AGED] = "SELECT count(*) FROM entries WHERE deleted = 1"
	    " AND held = 0 AND coalesce(version_time, changed) >= ?1"
	    " AND coalesce(version_time, changed) < ?2",
	[ST_FIRST_PEER] = "SELECT min(peer) FROM paths WHERE seq = ?1",
	[ST_FTS_ADD] = "INSERT INTO entries_fts (rowid, title, summary,"
	    " content, categories) VALUES (?1, ?2, ?3, ?4, ?5)",
	[ST_FTS_DEL] = "INSERT INTO entries_fts (entries_fts, rowid, title,"
	    " summary, content, categories) VALUES ('delete', ?1, ?2, ?3, ?4,"
	    " ?5)",
	[ST_GEO_ADD] = "INSERT INTO entries_geo (seq, min_lat, max_lat,"
	    " min_lon, max_lon, lat, lon) VALUES (?1, ?2, ?2, ?3, ?3, ?2, ?3)",
	[ST_GEO_DEL] = "DELETE FROM entries_geo WHERE seq = ?1",
	[ST_FTS_MERGE] = "INSERT INTO entries_fts (entries_fts, rank)"
	    " VALUES ('merge', ?1)",
	[ST_TAGIX_ADD] = "INSERT INTO entries_tags (rowid, tags)"
	    " VALUES (?1, ?2)",
	[ST_TAGIX_DEL] = "INSERT INTO entries_tags (entries_tags, rowid, tags)"
	    " VALUES ('delete', ?1, ?2)",
	[ST_TAGIX_MERGE] = "INSERT INTO entries_tags (entries_tags, rank)"
	    " VALUES ('merge', ?1)",
};

/* Listing shapes: which filters a query has, the key of its statement. */
#define STORE_Q_KIND		0x01
#define STORE_Q_TERRITORY	0x02
#define STORE_Q_CATEGORY	0x04
#define STORE_Q_PEER		0x08
#define STORE_Q_SINCE		0x10
#define STORE_Q_CURSOR		0x20
#define STORE_Q_LIVE		0x40
#define STORE_Q_MATCH		0x80
#define STORE_Q_MAXTAGS		3	/* kind+territory, category, peer */
#define STORE_Q_RANK		0x100
#define STORE_Q_GEO		0x200
#define STORE_Q_BOX		0x400
#define STORE_Q_NEAR		0x800
#define STORE_Q_FROM		0x1000
#define STORE_Q_ASC		0x2000
#define STORE_Q_SHAPES		0x4000
/*
 * A box or a radius read from grid cells has its number of cells in the
 * shape too, above the flags: its statement has one walk per cell. Those
 * shapes have their statements in a small table of their own.
 */
#define STORE_Q_CELLS(shape)	((shape) / STORE_Q_SHAPES)
#define STORE_CELLQ_SLOTS	64

/*
 * The columns of a listing's row: its place, document, the digest that
 * names the document's version and the version of its paths. No
 * document (NULL in its place): SQLite would copy each one from its
 * overflow pages for every row, even when the decoded entry is cached;
 * nor its peers, which took a subquery per row (half of what a listing
 * asked of SQLite): store_query_entries() reads both (ST_DOC, ST_PEERS)
 * only for entries it has not cached in that version.
 */
#define STORE_LIST_COLS		"e.seq, e.sort_time, NULL, e.digest, " \
	"e.paths_rev"

/* bm25 weights of title, summary, content, categories. */
#define STORE_BM25		"bm25(entries_fts, 10.0, 4.0, 1.0, 4.0)"
/* Longest plain text indexed per field (bytes). */
#define STORE_TEXT_MAX		(256 * 1024)
/* The fields of the full-text index, in its column order. */
#define STORE_FTS_NCOLS		4
/*
 * Full-text changes held before they go into the index: past either
 * bound they go in between two entries (a segment each time).
 */
#define STORE_FTS_PENDING_OPS	2000
#define STORE_FTS_PENDING_BYTES	(8 * 1024 * 1024)

/*
 * The full-text index's rowids (step 8, whose SQL spells these out): the
 * sort time from 1900-01-01, clamped below 2444 (34 bits), then 29 bits
 * of seq. The largest bound (store_fts_bound()) is 2^63 - 2^29.
 */
#define STORE_FTS_SEQ_BITS	29
#define STORE_FTS_SEQ_MAX	((INT64_C(1) << STORE_FTS_SEQ_BITS) - 1)
#define STORE_FTS_TIME_MIN	INT64_C(-2208988800)
#define STORE_FTS_TIME_MAX	(STORE_FTS_TIME_MIN + (INT64_C(1) << 34) - 2)

/*
 * A prefix ("rempl"*) that stands for at most this many words of the
 * index is walked as those words, OR'ed (store_fts_expand()).
 */
#define STORE_FTS_PREFIX_TERMS	16
/*
 * Queries whose prefix was spelt out, kept while the index is the same
 * (no write of this connection, the same PRAGMA data_version).
 */
#define STORE_FTS_EXPANSIONS	16
/* Segments of one level that FTS5's 'merge' merges (store_fts_settings). */
#define STORE_FTS_USERMERGE	2
#define STORE_STR1(x)		#x
#define STORE_STR(x)		STORE_STR1(x)

/* A full-text query and what store_fts_expand() made of it. */
struct store_expansion {
	char	*match;
	char	*expanded;		/* NULL: run as it is */
};

/* Appends the text of one field of the index (col) of a source. */
typedef void	(*store_text_fill)(const void *, int, struct buf *);

/* A full-text index change waiting for the end of the transaction. */
/*
 * An entry's row of entry_tagsets: its tokens (space-separated), and the
 * point of its cells.
 */
struct store_tagset {
	struct buf	 tags;
	struct buf	 cells;
	int		 has_point;
	double		 lat;
	double		 lon;
};

/* Tokens of tags (STORE_TOKEN_LEN bytes each, no NUL), being gathered. */
struct store_tokens {
	char	*v;
	size_t	 n;
	size_t	 cap;
};

struct store_fts_op {
	int64_t	 key;			/* store_fts_key() */
	size_t	 order;			/* in the queue: ties keep it */
	int	 del;			/* 1: the 'delete' command */
	int	 tags;			/* 1: entries_tags, its one text */
	char	*text[STORE_FTS_NCOLS];
	size_t	 len[STORE_FTS_NCOLS];
};

static const char *const store_fts_cols[STORE_FTS_NCOLS] = {
	"title", "summary", "content", "categories"
};

/*
 * An entry decoded for a listing, kept for the next ones. A listing row
 * names the version of its entry by the digest of its document and by
 * its paths_rev: a cached entry is used only when both are the same, so
 * that no write has to tell the cache anything (updates, rekeys, new
 * paths, rollbacks, a seq used again after a delete: paths_rev values
 * are never drawn twice). Held, expired and purged entries never reach it: the
 * listing's statement leaves them out before the cache is asked.
 */
struct store_cached {
	LIST_ENTRY(store_cached)	 hash;
	TAILQ_ENTRY(store_cached)	 lru;	/* most recently used first */
	int64_t				 seq;
	uint64_t			 serial;
	char				 digest[STORE_DIGEST_LEN];
	int64_t				 paths_rev;
	struct entry			*e;
	size_t				 size;
};
LIST_HEAD(store_cache_bucket, store_cached);
TAILQ_HEAD(store_cache_lru, store_cached);

struct store {
	sqlite3		*db;
	char		*path;
	sqlite3_stmt	*stmt[ST_MAX];
	sqlite3_stmt	*query[STORE_Q_SHAPES];	/* prepared on first use */
	struct {
		int		 shape;
		sqlite3_stmt	*st;
	}		 cellq[STORE_CELLQ_SLOTS];
	int		 in_txn;	/* inside store_begin() */
	int		 txn_lost;	/* SQLite rolled it back on an error */
	int		 whole;		/* store_begin_whole(): no savepoints */
	int		 dirty;		/* the transaction changed a listing */
	int		 lazy;		/* synchronous=NORMAL for now */
	uint64_t	 generation;
	int64_t		 last_change;
	int64_t		 paths_rev;	/* the last drawn (meta's paths_rev) */
	int		 paths_rev_dirty; /* drawn since meta was written */
	int64_t		 now;		/* fixed clock, 0: time(NULL) */
	char		**held_peers;	/* moderation = hold */
	size_t		 nheld_peers;
	int64_t		 tombstone_ttl;	/* s, 0: listed forever */
	int64_t		 purge_cut;	/* tombstones older are not listed */
	store_event_cb	 event_cb;
	void		*event_arg;
	int		 event_quiet;	/* no STORE_EVENT_CHANGE wanted */
	int64_t		 cost_fullscan;	/* of the last listing */
	int64_t		 cost_vm;
	/* feedmesh_text() parses a document once for its four fields. */
	char		*text_doc;
	json_t		*text_json;
	/* Decoded entries of listings, and the serial of the one walked. */
	struct store_cache_bucket *cache_hash;
	struct store_cache_lru	 cache_lru;
	size_t			 cache_bytes;
	size_t			 cache_max;
	size_t			 cache_n;
	uint64_t		 cache_hits;
	uint64_t		 cache_misses;
	uint64_t		 serial;
	EVP_MD_CTX	*md_ctx;	/* store_digest() */
	/* The canonical document of the entry being stored, reused. */
	struct buf	 doc;
	/* The text of a stored document the index forgets, reused. */
	struct store_doc_fields fields;
	/* Tag sets being written (store_tags_write): tags, then cells. */
	struct store_tokens tokens[2];
	struct store_tagset tagset_old;
	struct store_tagset tagset_new;
	struct buf	 tagset_text;
	EVP_MD		*sha256;
	/* Full-text changes of the open transaction (store_fts_flush). */
	struct store_fts_op *fts;
	size_t		 nfts;
	size_t		 capfts;
	size_t		 fts_bytes;
	/* A seq is past STORE_FTS_SEQ_MAX: full-text matches are sorted. */
	int		 fts_wide;
	/* store_fts_expand(): the index's tokenizer and its words. */
	fts5_tokenizer	 fts_tok;
	Fts5Tokenizer	*fts_tokenizer;
	sqlite3_stmt	*fts_terms;
	int		 fts_expand_off;	/* could not be set up */
	sqlite3_stmt	*data_version;
	struct store_expansion fts_expansions[STORE_FTS_EXPANSIONS];
	size_t		 fts_expansion_next;
	uint64_t	 fts_writes;		/* store_fts_flush() calls */
	uint64_t	 fts_expanded_writes;	/* the expansions' */
	uint64_t	 fts_merges;		/* store_fts_maintain() steps */
	int64_t		 fts_expanded_version;
	struct store_ckpt *ckpt;		/* NULL: checkpoints in line */
};

/*
 * Serials name a decoded version of an entry for renderers' caches:
 * process-wide, so that a store opened again never gives an old one out.
 */
static uint64_t	 store_serial_next = 1;

/* The stored columns the merge rule needs. */
struct store_row {
	int64_t	 seq;
	char	*id;
	int64_t	 version_time;		/* ENTRY_NO_TIME when NULL */
	int	 deleted;
	char	 digest[STORE_DIGEST_LEN];
	int64_t	 sort_time;
	int64_t	 first_seen;
	int	 held;
};

static int	 store_exec(struct store *, const char *, const char *);
static int	 store_migrate(struct store *);
static int	 store_pragma_int(struct store *, const char *, int64_t *);
static int	 store_prepare(struct store *);
static int	 store_step(struct store *, sqlite3_stmt *, const char *);
static void	 store_done(sqlite3_stmt *);
static int	 store_run(struct store *, enum store_stmt, const char *);
static int	 store_run_int(struct store *, enum store_stmt, int64_t, int64_t,
		    const char *);
static void	 store_bind_text(sqlite3_stmt *, int, const char *);
static void	 store_bind_time(sqlite3_stmt *, int, int64_t);
static int64_t	 store_column_time(sqlite3_stmt *, int);
static char	*store_column_dup(sqlite3_stmt *, int);
static char	*store_link_key(const char *);
static void	 store_sha256(struct store *, const char *, size_t, char *,
		    size_t);
static void	 store_digest(struct store *, const char *, size_t, char *);
static int	 store_version_cmp(int64_t, int, const char *, int64_t, int,
		    const char *);
static int	 store_row_find(struct store *, enum store_stmt, const char *,
		    struct store_row *);
static int	 store_row_write(struct store *, enum store_stmt,
		    const struct entry *, const char *, int64_t, int64_t,
		    const char *, const char *, size_t, int64_t, int);
static int	 store_run_text(struct store *, enum store_stmt, const char *);
static int	 store_peer_held(const struct store *, const char *);
static int	 store_rejected(struct store *, const char *, const char *);
static int	 store_canonical(struct store *, const struct entry *,
		    const char *);
static int	 store_rekey(struct store *, struct store_row *, const char *);
static int	 store_upsert(struct store *, const struct entry *,
		    const char *, enum store_result *);
static int	 store_held_find(struct store *, const char *,
		    struct store_row *);
static void	 store_tag_token(struct store *, const char *, size_t,
		    char *);
static void	 store_tag_token_fn(sqlite3_context *, int, sqlite3_value **);
static void	 store_tokens_add(struct store_tokens *, const char *);
static void	 store_tokens_tag(struct store *, struct store_tokens *,
		    const char *, const char *, const char *);
static void	 store_tokens_parse(struct store_tokens *, const char *);
static int	 store_token_cmp(const void *, const void *);
static void	 store_tokens_join(struct store_tokens *, struct buf *);
static void	 store_tagset_text(struct buf *,
		    const struct store_tagset *);
static int	 store_tagset_get(struct store *, int64_t);
static int	 store_tagset_put(struct store *, int64_t, int, int64_t,
		    int64_t);
static void	 store_cells_tokens(struct store *, struct store_tokens *,
		    const struct entry *);
static int	 store_tags_write(struct store *, int64_t, const struct entry *,
		    int64_t, int64_t, int);
static int	 store_tags_forget(struct store *, int64_t, int64_t);
static struct store_fts_op *store_fts_op_new(struct store *, int64_t,
		    int64_t, int);
static void	 store_tagix_queue(struct store *, int64_t, int64_t, int,
		    const char *);
static int	 store_upsert_one(struct store *, const struct entry *,
		    const char *, enum store_result *, int *, int *, int64_t *,
		    int *);
static void	 store_notify(struct store *, int64_t, const char *,
		    const char *);
static void	 store_txn_check(struct store *);
static int	 store_peers_fill(struct store *, int64_t, struct entry *);
static struct entry *store_doc_read(struct store *, int64_t, const char *);
static struct entry *store_doc_decode(struct store *, int64_t, const char *);
static size_t	 store_cache_bucket(int64_t);
static struct store_cached *store_cache_find(struct store *, int64_t);
static void	 store_cache_remove(struct store *, struct store_cached *);
static void	 store_cache_trim(struct store *, size_t);
static struct store_cached *store_cache_add(struct store *, int64_t,
		    const char *, int64_t, struct entry *, size_t);
static int64_t	 store_paths_rev_next(struct store *);
static int	 store_meta_int(struct store *, const char *, int64_t *);
static char	*store_query_sql(int, int);
static int	 store_query_shape(const struct store_query *);
static int	 store_query_bind(struct store *, sqlite3_stmt *,
		    const struct store_query *, int);
static int64_t	 store_count(struct store *, enum store_stmt, const char *);
static void	 store_text_fn(sqlite3_context *, int, sqlite3_value **);
static void	 store_text_field(const void *, int, struct buf *);
static void	 store_text_entry(const void *, int, struct buf *);
static void	 store_text_fields(const void *, int, struct buf *);
static int64_t	 store_fts_key(int64_t, int64_t);
static int64_t	 store_fts_bound(int64_t, int64_t);
static void	 store_fts_widen(struct store *, int64_t);
static int	 store_fts_op_cmp(const void *, const void *);
static int	 store_fts_expand_init(struct store *);
static void	 store_fts_quote(struct buf *, const char *, size_t);
static int	 store_fts_token_cb(void *, int, const char *, int, int, int);
static char	*store_fts_expand(struct store *, const char *);
static void	 store_fts_expansions_clear(struct store *);
static char	*store_fts_expansion(struct store *, const char *);
static void	 store_fts_queue(struct store *, int64_t, int64_t, int,
		    store_text_fill, const void *);
static int	 store_fts_forget(struct store *, int64_t);
static void	 store_fts_truncate(struct store *, size_t);
static int	 store_fts_flush(struct store *);
static int	 store_fts_settings(struct store *);
static int	 store_geo_write(struct store *, int64_t, const struct entry *,
		    int);
static void	 store_distance_fn(sqlite3_context *, int, sqlite3_value **);
static void	 store_text_html(struct buf *, const char *);
static void	 store_text_add(struct buf *, const char *, int);
static int	 store_query_tag_list(int, const char **);
static void	 store_query_tags(struct buf *, int, const char *,
		    const char *, int);
static void	 store_query_geo(struct buf *, int);
static void	 store_query_range(struct buf *, int, const char *);
static void	 store_query_visible(struct buf *, int);
static void	 store_query_cells(struct buf *, int);
static void	 store_query_cells_bind(struct store *, sqlite3_stmt *,
		    const struct store_query *);
static sqlite3_stmt **store_query_slot(struct store *, int);
static void	 store_log_error(struct store *, const char *);
static const char *store_fs_error(struct store *, char *, size_t);

/*
 * What the operating system said about the store's last failure, for the
 * failures of the file system (full, read-only, I/O), or NULL. SQLite
 * keeps errno only for I/O errors and failed opens; a full database is
 * either a full file system or the page cap (store_limit_pages()).
 */
static const char *
store_fs_error(struct store *s, char *buf, size_t len)
{
	struct statvfs	 vfs;
	char		*dir;
	int		 code = sqlite3_errcode(s->db) & 0xff, e;

	switch (code) {
	case SQLITE_FULL:
		if ((dir = strdup(s->path)) == NULL)
			fatal("%s", __func__);
		e = statvfs(dirname(dir), &vfs) == 0 && vfs.f_bavail == 0 ?
		    ENOSPC : 0;
		free(dir);
		if (e == 0)
			return ("the store's page limit is reached");
		break;
	case SQLITE_IOERR:
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		e = sqlite3_system_errno(s->db);
		break;
	default:
		return (NULL);
	}
	snprintf(buf, len, "%s", e != 0 ? strerror(e) : "no errno");
	return (buf);
}

/*
 * Logs the last error of the store's connection, naming the store. A
 * failure of the file system comes with the errno text and is
 * rate-limited per function: a full disk fails every write until space
 * returns, and the log is likely on that disk too.
 */
static void
store_log_error(struct store *s, const char *func)
{
	char		 key[64], os[128];
	const char	*why;

	if ((why = store_fs_error(s, os, sizeof(os))) == NULL) {
		log_warnx("%s: %s: %s", func, s->path, sqlite3_errmsg(s->db));
		return;
	}
	snprintf(key, sizeof(key), "%s %s", func, s->path);
	log_warnx_limited(key, "%s: %s: %s (%s)", func, s->path,
	    sqlite3_errmsg(s->db), why);
}

/* Runs SQL text that has no result (PRAGMAs, migrations). */
static int
store_exec(struct store *s, const char *sql, const char *func)
{
	char	*err = NULL;

	/* On failure the connection's message is err's. */
	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		store_log_error(s, func);
		sqlite3_free(err);
		return (-1);
	}
	return (0);
}

/* Reads a PRAGMA that returns one integer. */
static int
store_pragma_int(struct store *s, const char *sql, int64_t *v)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
		return (-1);
	}
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	else
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
	sqlite3_finalize(st);
	return (rc == SQLITE_ROW ? 0 : -1);
}

/*
 * Brings the schema up to date, all steps in one transaction so that a
 * crash leaves the old version. A database written by a newer feedmesh is
 * refused rather than misread.
 */
static int
store_migrate(struct store *s)
{
	struct timespec	 t0, t1;
	char		 sql[64];
	int64_t		 version, changes;
	int		 i;

	if (store_pragma_int(s, "PRAGMA user_version", &version) == -1)
		return (-1);
	if (version > STORE_NMIGRATIONS) {
		log_warnx("%s: %s: schema version %lld is newer than this "
		    "feedmesh understands (%d): refusing to open it",
		    __func__, s->path, (long long)version, STORE_NMIGRATIONS);
		return (-1);
	}
	if (version < 0) {
		log_warnx("%s: %s: bad schema version %lld", __func__,
		    s->path, (long long)version);
		return (-1);
	}
	if (version == STORE_NMIGRATIONS)
		return (0);
	if (store_exec(s, "BEGIN IMMEDIATE", __func__) == -1)
		return (-1);
	for (i = (int)version; i < STORE_NMIGRATIONS; i++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", i + 1);
		/*
		 * A step over an existing store may fill an index from all
		 * its entries: say so, and how long it took.
		 */
		if (version > 0)
			log_info("%s: schema step %d of %d", s->path, i + 1,
			    STORE_NMIGRATIONS);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		changes = sqlite3_total_changes64(s->db);
		if (store_exec(s, store_migrations[i], __func__) == -1 ||
		    store_exec(s, sql, __func__) == -1) {
			log_warnx("%s: %s: migration to version %d failed",
			    __func__, s->path, i + 1);
			store_exec(s, "ROLLBACK", __func__);
			return (-1);
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (version > 0)
			log_info("%s: schema step %d: %lld rows written in "
			    "%.3f s", s->path, i + 1, (long long)
			    (sqlite3_total_changes64(s->db) - changes),
			    (double)(t1.tv_sec - t0.tv_sec) +
			    (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	if (store_exec(s, "COMMIT", __func__) == -1) {
		store_exec(s, "ROLLBACK", __func__);
		return (-1);
	}
	log_info("%s: schema migrated from version %lld to %d", s->path,
	    (long long)version, STORE_NMIGRATIONS);
	return (0);
}

/* Prepares every fixed statement once. */
static int
store_prepare(struct store *s)
{
	int	 i;

	for (i = 0; i < ST_MAX; i++) {
		if (sqlite3_prepare_v3(s->db, store_sql[i], -1,
		    SQLITE_PREPARE_PERSISTENT, &s->stmt[i], NULL) != SQLITE_OK) {
			log_warnx("%s: %s: \"%s\": %s", __func__, s->path,
			    store_sql[i], sqlite3_errmsg(s->db));
			return (-1);
		}
	}
	return (0);
}

struct store *
store_open(const char *path)
{
	struct store	*s;
	sqlite3_stmt	*st;
	const char	*mode;
	int64_t		 seq;
	int		 rc;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->path = strdup(path)) == NULL)
		fatal("%s", __func__);
	TAILQ_INIT(&s->cache_lru);
	store_set_cache(s, STORE_CACHE_BYTES);
	if ((s->md_ctx = EVP_MD_CTX_new()) == NULL ||
	    (s->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL)) == NULL)
		fatalx("%s: SHA-256 is not available", __func__);
	/*
	 * Each connection is used by one thread only (this one by the event
	 * loop, the checkpointer's by its thread): SQLite's per-call mutex
	 * (NOMUTEX) and its count of memory in use, under a global mutex
	 * taken by every allocation, are costs with nothing to protect. The
	 * latter is a setting of the library, taken only before its first
	 * use: later it is refused, harmlessly.
	 */
	(void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	rc = sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, path, s->db ?
		    sqlite3_errmsg(s->db) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_extended_result_codes(s->db, 1);
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		log_warnx("%s: %s: the database is read-only", __func__, path);
		goto fail;
	}
	sqlite3_busy_timeout(s->db, STORE_BUSY_TIMEOUT);

	/*
	 * WAL lets listings read while a document is being stored. With
	 * synchronous=FULL the WAL is synced at each commit, so a commit
	 * that returned survives a power loss (NORMAL could lose the last
	 * ones, and a peer or publisher would have been told they were
	 * stored); it costs one fsync per document, not per entry.
	 */
	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		log_warnx("%s: %s: journal_mode: %s", __func__, path,
		    sqlite3_errmsg(s->db));
		sqlite3_finalize(st);
		goto fail;
	}
	mode = (const char *)sqlite3_column_text(st, 0);
	if (mode == NULL || strcmp(mode, "wal") != 0)
		log_warnx("%s: %s: journal mode is %s, not wal", __func__,
		    path, mode ? mode : "unknown");
	sqlite3_finalize(st);
	/*
	 * Each document's commit writes every index page it touched to
	 * the WAL, and the checkpoint copies them into the database: a
	 * larger page cache (8 MB, SQLite's default is 2) reads fewer of
	 * them back through the kernel, and checkpoints every 16000 pages
	 * (64 MB of WAL) rather than 1000 copy a page rewritten by many
	 * documents once (the listing tags' pages are rewritten by nearly
	 * every document), with a sixteenth of the fsyncs: from 4000
	 * pages, 9% more entries a second into an empty store (median of
	 * 5 alternated runs), 7% fewer writes and 10% fewer reads into a
	 * store of a million. Together more than a tenth of an ingest's
	 * time, for 6 MB of memory and 64 MB of disk at most.
	 */
	if (store_exec(s, "PRAGMA synchronous = FULL", __func__) == -1 ||
	    store_exec(s, "PRAGMA foreign_keys = ON", __func__) == -1 ||
	    store_exec(s, "PRAGMA cache_size = -8192", __func__) == -1 ||
	    store_exec(s, "PRAGMA wal_autocheckpoint = "
	    STORE_STR(STORE_CKPT_PAGES), __func__) == -1)
		goto fail;
	/* Step 3 (older stores) calls them: before any migration. */
	if (sqlite3_create_function(s->db, "feedmesh_text", 2, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, s, store_text_fn, NULL,
	    NULL) != SQLITE_OK || sqlite3_create_function(s->db,
	    "feedmesh_distance", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC |
	    SQLITE_INNOCUOUS, NULL, store_distance_fn, NULL, NULL) !=
	    SQLITE_OK || sqlite3_create_function(s->db, "feedmesh_geo_cell", 3,
	    SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL,
	    store_geo_cell_fn, NULL, NULL) != SQLITE_OK ||
	    sqlite3_create_function(s->db, "feedmesh_tag_token", 1, SQLITE_UTF8 |
	    SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, s, store_tag_token_fn,
	    NULL, NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, path, sqlite3_errmsg(s->db));
		goto fail;
	}
	if (store_migrate(s) == -1 || store_prepare(s) == -1 ||
	    store_fts_settings(s) == -1)
		goto fail;
	/* Past the keys' seqs already: full-text listings sort (step 8). */
	if (store_pragma_int(s, "SELECT coalesce(max(seq), 0) FROM entries",
	    &seq) == -1)
		goto fail;
	if (seq > STORE_FTS_SEQ_MAX)
		store_fts_widen(s, seq);
	/* Before any listing: it adds to the connection's temp schema. */
	store_fts_expand_init(s);

	if (store_meta_int(s, "last_change", &s->last_change) == -1 ||
	    store_meta_int(s, "paths_rev", &s->paths_rev) == -1)
		goto fail;
	return (s);

 fail:
	store_close(s);
	return (NULL);
}

void
store_close(struct store *s)
{
	int	 i;

	if (s == NULL)
		return;
	/* Its pass finished, so that the writer's close is the last. */
	store_ckpt_stop(s->ckpt);
	s->ckpt = NULL;
	if (s->db != NULL && !sqlite3_get_autocommit(s->db))
		store_rollback(s);
	for (i = 0; i < ST_MAX; i++)
		sqlite3_finalize(s->stmt[i]);
	for (i = 0; i < STORE_Q_SHAPES; i++)
		sqlite3_finalize(s->query[i]);
	for (i = 0; i < STORE_CELLQ_SLOTS; i++)
		sqlite3_finalize(s->cellq[i].st);
	sqlite3_finalize(s->fts_terms);
	sqlite3_finalize(s->data_version);
	store_fts_expansions_clear(s);
	if (s->fts_tokenizer != NULL)
		s->fts_tok.xDelete(s->fts_tokenizer);
	store_set_held_peers(s, NULL, 0);
	if (s->db != NULL && sqlite3_close(s->db) != SQLITE_OK)
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
	free(s->text_doc);
	json_decref(s->text_json);
	store_set_cache(s, 0);
	store_fts_truncate(s, 0);
	free(s->fts);
	EVP_MD_CTX_free(s->md_ctx);
	EVP_MD_free(s->sha256);
	buf_free(&s->doc);
	store_doc_fields_free(&s->fields);
	for (i = 0; i < 2; i++)
		free(s->tokens[i].v);
	buf_free(&s->tagset_old.tags);
	buf_free(&s->tagset_old.cells);
	buf_free(&s->tagset_new.tags);
	buf_free(&s->tagset_new.cells);
	buf_free(&s->tagset_text);
	free(s->path);
	free(s);
}

/* Starts the checkpointer (store_ckpt.c) once; -1 if it cannot. */
int
store_checkpointer_start(struct store *s, int pages)
{
	if (s->ckpt != NULL)
		return (0);
	if (s->in_txn) {
		log_warnx("%s: %s: inside a transaction", __func__, s->path);
		return (-1);
	}
	if ((s->ckpt = store_ckpt_start(s->db, s->path, pages)) == NULL)
		return (-1);
	return (0);
}

void
store_checkpointer_stats(const struct store *s, struct store_ckpt_stats *st)
{
	store_ckpt_stats(s->ckpt, st);
}

void
store_set_now(struct store *s, int64_t now)
{
	s->now = now;
}

int
store_limit_pages(struct store *s, int64_t pages)
{
	char	 sql[64];

	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld",
	    (long long)(pages > 0 ? pages : 4294967294LL));
	return (store_exec(s, sql, __func__));
}

int64_t
store_now(const struct store *s)
{
	return (s->now != 0 ? s->now : (int64_t)time(NULL));
}

/* Steps a statement that returns no row, logging the error. */
static int
store_step(struct store *s, sqlite3_stmt *st, const char *func)
{
	int	 rc;

	if ((rc = sqlite3_step(st)) != SQLITE_DONE && rc != SQLITE_ROW) {
		store_log_error(s, func);
		store_done(st);
		return (-1);
	}
	return (0);
}

/* Makes a cached statement ready for its next use. */
static void
store_done(sqlite3_stmt *st)
{
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

/* Runs a cached statement without parameters nor result. */
static int
store_run(struct store *s, enum store_stmt which, const char *func)
{
	int	 rc;

	rc = store_step(s, s->stmt[which], func);
	store_done(s->stmt[which]);
	return (rc);
}

/* Runs a cached statement whose parameters are one or two integers. */
static int
store_run_int(struct store *s, enum store_stmt which, int64_t a, int64_t b,
    const char *func)
{
	sqlite3_stmt	*st = s->stmt[which];

	sqlite3_bind_int64(st, 1, a);
	if (sqlite3_bind_parameter_count(st) > 1)
		sqlite3_bind_int64(st, 2, b);
	return (store_run(s, which, func));
}

/* Runs a cached statement whose one parameter is a text. */
static int
store_run_text(struct store *s, enum store_stmt which, const char *a)
{
	store_bind_text(s->stmt[which], 1, a);
	return (store_run(s, which, __func__));
}

static void
store_bind_text(sqlite3_stmt *st, int i, const char *v)
{
	if (v == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT);
}

static void
store_bind_time(sqlite3_stmt *st, int i, int64_t t)
{
	if (t == ENTRY_NO_TIME)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_int64(st, i, t);
}

static int64_t
store_column_time(sqlite3_stmt *st, int i)
{
	if (sqlite3_column_type(st, i) == SQLITE_NULL)
		return (ENTRY_NO_TIME);
	return (sqlite3_column_int64(st, i));
}

static char *
store_column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char	*v;
	char			*d;

	if ((v = sqlite3_column_text(st, i)) == NULL)
		return (NULL);
	if ((d = strdup((const char *)v)) == NULL)
		fatal("%s", __func__);
	return (d);
}

/*
 * Whether the commits that follow wait for the disk. By default they do
 * (synchronous=FULL: what a publisher or a hub was told is stored stays
 * stored). A pulled document was promised to no one: if a power failure
 * takes the last ones back, WAL mode keeps the store consistent and the
 * peers' states go back with them (they are written after the entries,
 * in the same log), so the next fetches bring the entries again. Not
 * waiting for an fsync per fetch is what lets a node follow thousands of
 * peers.
 */
int
store_set_durable(struct store *s, int durable)
{
	if (s->lazy == !durable)
		return (0);
	if (s->in_txn) {
		log_warnx("%s: %s: inside a transaction", __func__, s->path);
		return (-1);
	}
	if (store_exec(s, durable ? "PRAGMA synchronous = FULL" :
	    "PRAGMA synchronous = NORMAL", __func__) == -1)
		return (-1);
	s->lazy = !durable;
	return (0);
}

/* A value of meta as an integer; v is left alone when there is none. */
static int
store_meta_int(struct store *s, const char *key, int64_t *v)
{
	sqlite3_stmt	*st = s->stmt[ST_META_GET];

	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (store_step(s, st, __func__) == -1)
		return (-1);
	if (sqlite3_data_count(st) > 0)		/* a row */
		*v = sqlite3_column_int64(st, 0);
	store_done(st);
	return (0);
}

/*
 * A paths_rev never drawn before: meta keeps the last one, written with
 * the transaction that uses it (store_commit()); after a rollback the
 * counter stays ahead, so a value a listing saw inside it is not drawn
 * again either.
 */
static int64_t
store_paths_rev_next(struct store *s)
{
	s->paths_rev_dirty = 1;
	return (++s->paths_rev);
}

int
store_begin(struct store *s)
{
	if (s->in_txn) {
		log_warnx("%s: %s: a transaction is already open", __func__,
		    s->path);
		return (-1);
	}
	if (store_run(s, ST_BEGIN, __func__) == -1)
		return (-1);
	s->in_txn = 1;
	s->txn_lost = 0;
	s->dirty = 0;
	s->whole = 0;
	return (0);
}

int
store_begin_whole(struct store *s)
{
	if (store_begin(s) == -1)
		return (-1);
	s->whole = 1;
	return (0);
}

/*
 * Commits the document's transaction. When it changed a listing, the
 * time of that change is written in the same transaction, so that
 * Last-Modified survives a restart and never runs ahead of the data. On
 * failure the transaction is rolled back here (store_rollback() after it
 * is harmless).
 */
int
store_commit(struct store *s)
{
	sqlite3_stmt	*st = s->stmt[ST_META_SET];
	int64_t		 now = store_now(s);

	if (!s->in_txn) {
		log_warnx("%s: %s: no transaction is open", __func__, s->path);
		return (-1);
	}
	if (s->txn_lost) {
		log_warnx("%s: %s: the transaction was lost to an earlier "
		    "error", __func__, s->path);
		store_rollback(s);
		return (-1);
	}
	/* The index before the listener: it may search the new entries. */
	if (store_fts_flush(s) == -1) {
		store_rollback(s);
		return (-1);
	}
	if (s->event_cb != NULL) {
		s->event_cb(STORE_EVENT_COMMIT, NULL, NULL, s->event_arg);
		if (s->txn_lost || sqlite3_get_autocommit(s->db)) {
			log_warnx("%s: %s: the transaction was lost while "
			    "queuing its consequences", __func__, s->path);
			store_rollback(s);
			return (-1);
		}
	}
	if (s->dirty) {
		sqlite3_bind_text(st, 1, "last_change", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		if (store_step(s, st, __func__) == -1) {
			store_rollback(s);
			return (-1);
		}
		store_done(st);
	}
	/* Values drawn are never drawn again, after a restart either. */
	if (s->paths_rev_dirty) {
		sqlite3_bind_text(st, 1, "paths_rev", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, s->paths_rev);
		if (store_step(s, st, __func__) == -1) {
			store_rollback(s);
			return (-1);
		}
		store_done(st);
	}
	if (store_run(s, ST_COMMIT, __func__) == -1) {
		store_rollback(s);
		return (-1);
	}
	if (s->dirty) {
		s->generation++;
		s->last_change = now;
	}
	s->paths_rev_dirty = 0;
	s->in_txn = s->dirty = s->txn_lost = s->whole = 0;
	return (0);
}

void
store_rollback(struct store *s)
{
	int	 was = s->in_txn;

	if (!sqlite3_get_autocommit(s->db))
		store_run(s, ST_ROLLBACK, __func__);
	store_fts_truncate(s, 0);
	s->in_txn = s->dirty = s->txn_lost = s->whole = 0;
	if (was && s->event_cb != NULL)
		s->event_cb(STORE_EVENT_ROLLBACK, NULL, NULL, s->event_arg);
}

sqlite3 *
store_sqlite(struct store *s)
{
	return (s->db);
}

const char *
store_path(const struct store *s)
{
	return (s->path);
}

int
store_in_transaction(const struct store *s)
{
	return (s->in_txn);
}

void
store_mark_changed(struct store *s)
{
	s->dirty = 1;
}

void
store_set_event_cb(struct store *s, store_event_cb cb, void *arg)
{
	s->event_cb = cb;
	s->event_arg = arg;
}

void
store_set_event_changes(struct store *s, int wanted)
{
	s->event_quiet = !wanted;
}

/*
 * Tells the listener about a changed entry as stored: from doc, the
 * document just stored, else read back.
 */
static void
store_notify(struct store *s, int64_t seq, const char *peer, const char *doc)
{
	sqlite3_stmt	*st = s->stmt[ST_DOC];
	struct entry	*e = NULL;

	if (s->event_cb == NULL || s->event_quiet)
		return;
	if (doc != NULL)
		e = store_doc_read(s, seq, doc);
	else {
		sqlite3_bind_int64(st, 1, seq);
		if (sqlite3_step(st) == SQLITE_ROW)
			e = store_doc_read(s, seq,
			    (const char *)sqlite3_column_text(st, 0));
		store_done(st);
	}
	if (e == NULL) {
		log_warnx("%s: %s: entry %lld changed but cannot be read",
		    __func__, s->path, (long long)seq);
		return;
	}
	s->event_cb(STORE_EVENT_CHANGE, e, peer, s->event_arg);
	entry_free(e);
}

/*
 * After a failed statement: SQLite may have rolled the whole transaction
 * back by itself (disk full, I/O error). Later upserts must then fail
 * rather than run in autocommit and store half a document.
 */
static void
store_txn_check(struct store *s)
{
	if (s->in_txn && sqlite3_get_autocommit(s->db)) {
		log_warnx("%s: %s: the transaction was rolled back by SQLite",
		    __func__, s->path);
		s->txn_lost = 1;
	}
}

/*
 * The deduplication key of a permalink: its canonical form, unless it is
 * a bare site root, which careless feeds give every item and which would
 * otherwise merge unrelated entries.
 */
static char *
store_link_key(const char *link)
{
	char	*key, *p;

	if (link == NULL || (key = url_canonical(link)) == NULL)
		return (NULL);
	if ((p = strstr(key, "://")) != NULL &&
	    (p = strchr(p + 3, '/')) != NULL && strcmp(p, "/") == 0) {
		free(key);
		return (NULL);
	}
	return (key);
}

/*
 * SHA-256 of text as lower-case hex, its first bytes bytes (at most 32),
 * with the store's context and the algorithm fetched once: OpenSSL 3
 * looks EVP_sha256() up again at each EVP_Digest(), which costs as much
 * as hashing a document.
 */
static void
store_sha256(struct store *s, const char *text, size_t n, char *hex,
    size_t bytes)
{
	unsigned char		 md[EVP_MAX_MD_SIZE];
	unsigned int		 len = 0;

	if (EVP_DigestInit_ex2(s->md_ctx, s->sha256, NULL) != 1 ||
	    EVP_DigestUpdate(s->md_ctx, text, n) != 1 ||
	    EVP_DigestFinal_ex(s->md_ctx, md, &len) != 1 || len != 32)
		fatalx("%s: SHA-256 failed", __func__);
	buf_hex(hex, md, bytes < len ? bytes : len);
}

/* The digest of a canonical document: all of its SHA-256. */
static void
store_digest(struct store *s, const char *text, size_t n, char *hex)
{
	store_sha256(s, text, n, hex, 32);
}

/*
 * The merge rule as a total order on versions: later version time first
 * (no time is oldest), then a tombstone over a live version of the same
 * time, then the greater digest. Every node keeps the greatest version it
 * has seen, whatever the order of arrival, so all converge.
 */
static int
store_version_cmp(int64_t ta, int da, const char *ha, int64_t tb, int db,
    const char *hb)
{
	int	 c;

	if (ta != tb)
		return (ta > tb ? 1 : -1);
	if (da != db)
		return (da ? 1 : -1);
	c = strcmp(ha, hb);
	return (c > 0 ? 1 : c < 0 ? -1 : 0);
}

/* Looks an entry up: 1 found (row filled), 0 not found, -1 error. */
static int
store_row_find(struct store *s, enum store_stmt which, const char *key,
    struct store_row *row)
{
	sqlite3_stmt	*st = s->stmt[which];
	const char	*d;
	int		 rc;

	memset(row, 0, sizeof(*row));
	store_bind_text(st, 1, key);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		store_done(st);
		return (0);
	}
	if (rc != SQLITE_ROW) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
		store_done(st);
		return (-1);
	}
	row->seq = sqlite3_column_int64(st, 0);
	row->id = store_column_dup(st, 1);
	row->version_time = store_column_time(st, 2);
	row->deleted = sqlite3_column_int(st, 3) != 0;
	if ((d = (const char *)sqlite3_column_text(st, 4)) != NULL)
		snprintf(row->digest, sizeof(row->digest), "%s", d);
	row->sort_time = sqlite3_column_int64(st, 5);
	row->first_seen = sqlite3_column_int64(st, 6);
	row->held = sqlite3_column_int(st, 7) != 0;
	store_done(st);
	return (1);
}

/*
 * Inserts (ST_INSERT) or rewrites (ST_UPDATE, seq) the entry's row. The
 * two statements number their parameters alike; first_seen (9) and held
 * (16) are only written on insert. A version without a permalink (a
 * tombstone) keeps the stored permalink key: the entry is still found by
 * it, and a stale copy under another id cannot come back as a new entry.
 */
static int
store_row_write(struct store *s, enum store_stmt which, const struct entry *e,
    const char *key, int64_t sort_time, int64_t first_seen,
    const char *digest, const char *doc, size_t doclen, int64_t seq, int held)
{
	sqlite3_stmt	*st = s->stmt[which];
	int64_t		 vt;
	int		 rc;

	vt = e->updated != ENTRY_NO_TIME ? e->updated : e->published;
	if (which == ST_INSERT) {
		store_bind_text(st, 1, e->id);
		sqlite3_bind_int64(st, 9, first_seen);
		sqlite3_bind_int(st, 16, held ? 1 : 0);
		sqlite3_bind_int64(st, 17, store_paths_rev_next(s));
	} else
		sqlite3_bind_int64(st, 15, seq);
	store_bind_text(st, 2, key);
	store_bind_text(st, 3, e->kind);
	store_bind_text(st, 4, e->territory);
	sqlite3_bind_int64(st, 5, sort_time);
	store_bind_time(st, 6, vt);
	store_bind_time(st, 7, e->published);
	store_bind_time(st, 8, e->updated);
	sqlite3_bind_int64(st, 10, store_now(s));
	sqlite3_bind_int(st, 11, e->deleted ? 1 : 0);
	store_bind_time(st, 12, e->expires);
	sqlite3_bind_text(st, 13, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 14, doc, (int)doclen, SQLITE_STATIC);
	rc = store_step(s, st, __func__);
	store_done(st);
	return (rc);
}

/*
 * The token of a listing tag in entries_tags: the first 80 bits of its
 * SHA-256, in hex. A tag is any text (a category term has spaces and
 * punctuation), a token one word of FTS5's ascii tokenizer, all of the
 * same length: one is never found inside two others (instr() checks a
 * tag of an entry on its tag set). Finding another tag with the token of
 * a given one is out of reach (a second preimage of 80 bits), so a peer
 * cannot slip its entries into another's listings by naming a category.
 */
static void
store_tag_token(struct store *s, const char *tag, size_t n, char *tok)
{
	store_sha256(s, tag, n, tok, STORE_TOKEN_LEN / 2);
}

/* feedmesh_tag_token(tag): store_tag_token() in SQL (schema step 9). */
static void
store_tag_token_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store	*s = sqlite3_user_data(ctx);
	char		 tok[STORE_TOKEN_LEN + 1];

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	store_tag_token(s, (const char *)sqlite3_value_text(argv[0]),
	    (size_t)sqlite3_value_bytes(argv[0]), tok);
	sqlite3_result_text(ctx, tok, STORE_TOKEN_LEN, SQLITE_TRANSIENT);
}

/* Adds a token (STORE_TOKEN_LEN bytes) to a set being built. */
static void
store_tokens_add(struct store_tokens *t, const char *tok)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		if ((t->v = reallocarray(t->v, t->cap, STORE_TOKEN_LEN)) ==
		    NULL)
			fatal("%s", __func__);
	}
	memcpy(t->v + t->n++ * STORE_TOKEN_LEN, tok, STORE_TOKEN_LEN);
}

/* Adds the token of the tag prefix+a, or prefix+a|b. */
static void
store_tokens_tag(struct store *s, struct store_tokens *t, const char *prefix,
    const char *a, const char *b)
{
	char	 tag[STORE_TAG_MAX + 8], tok[STORE_TOKEN_LEN + 1];
	int	 n;

	n = snprintf(tag, sizeof(tag), "%s%s%s%s", prefix, a, b ? "|" : "",
	    b ? b : "");
	if (n < 0 || (size_t)n >= sizeof(tag))
		return;		/* too long to be a filter anyone asks for */
	store_tag_token(s, tag, (size_t)n, tok);
	store_tokens_add(t, tok);
}

/* Adds the tokens of a stored tag set (words of STORE_TOKEN_LEN). */
static void
store_tokens_parse(struct store_tokens *t, const char *text)
{
	size_t	 n;

	while (*text != '\0') {
		n = strcspn(text, " ");
		if (n == STORE_TOKEN_LEN)
			store_tokens_add(t, text);
		text += n;
		text += strspn(text, " ");
	}
}

static int
store_token_cmp(const void *a, const void *b)
{
	return (memcmp(a, b, STORE_TOKEN_LEN));
}

/* The set as stored: sorted, each token once, one space between. */
static void
store_tokens_join(struct store_tokens *t, struct buf *b)
{
	size_t	 i;

	buf_reset(b);
	buf_addstr(b, "");
	if (t->n > 1)
		qsort(t->v, t->n, STORE_TOKEN_LEN, store_token_cmp);
	for (i = 0; i < t->n; i++) {
		if (i > 0 && memcmp(t->v + i * STORE_TOKEN_LEN,
		    t->v + (i - 1) * STORE_TOKEN_LEN, STORE_TOKEN_LEN) == 0)
			continue;
		if (b->len > 0)
			buf_addc(b, ' ');
		buf_add(b, t->v + i * STORE_TOKEN_LEN, STORE_TOKEN_LEN);
	}
}

/* What entries_tags holds of a tag set: its tags, then its cells. */
static void
store_tagset_text(struct buf *b, const struct store_tagset *t)
{
	buf_reset(b);
	buf_add(b, t->tags.data, t->tags.len);
	if (t->tags.len > 0 && t->cells.len > 0)
		buf_addc(b, ' ');
	buf_add(b, t->cells.data, t->cells.len);
}

/*
 * Reads the tag set of entry seq into s->tagset_old: 1 if there is one,
 * 0 if not (then empty), -1 on error.
 */
static int
store_tagset_get(struct store *s, int64_t seq)
{
	sqlite3_stmt		*st = s->stmt[ST_TAGSET_GET];
	struct store_tagset	*o = &s->tagset_old;
	const char		*v;
	int			 rc;

	buf_reset(&o->tags);
	buf_addstr(&o->tags, "");
	buf_reset(&o->cells);
	buf_addstr(&o->cells, "");
	o->has_point = 0;
	sqlite3_bind_int64(st, 1, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if ((v = (const char *)sqlite3_column_text(st, 0)) != NULL)
			buf_addstr(&o->tags, v);
		if ((v = (const char *)sqlite3_column_text(st, 1)) != NULL)
			buf_addstr(&o->cells, v);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL &&
		    sqlite3_column_type(st, 3) != SQLITE_NULL) {
			o->has_point = 1;
			o->lat = sqlite3_column_double(st, 2);
			o->lon = sqlite3_column_double(st, 3);
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_log_error(s, __func__);
		store_done(st);
		return (-1);
	}
	store_done(st);
	return (rc == SQLITE_ROW);
}

/*
 * Replaces the tag set of entry seq (read by store_tagset_get() if old,
 * listed at old_time) by s->tagset_new, listed at sort_time: the index
 * forgets the old tokens under their key and takes the new ones, unless
 * neither the tokens nor the key change; the row is written unless it is
 * the same, point included.
 */
static int
store_tagset_put(struct store *s, int64_t seq, int old, int64_t old_time,
    int64_t sort_time)
{
	sqlite3_stmt		*st = s->stmt[ST_TAGSET_PUT];
	struct store_tagset	*o = &s->tagset_old, *n = &s->tagset_new;
	int			 same, rc;

	same = old && old_time == sort_time &&
	    strcmp(o->tags.data, n->tags.data) == 0 &&
	    strcmp(o->cells.data, n->cells.data) == 0;
	if (!same) {
		if (old) {
			store_tagset_text(&s->tagset_text, o);
			store_tagix_queue(s, seq, old_time, 1,
			    s->tagset_text.data);
		}
		store_tagset_text(&s->tagset_text, n);
		store_tagix_queue(s, seq, sort_time, 0, s->tagset_text.data);
	}
	if (same && o->has_point == n->has_point && (!n->has_point ||
	    (o->lat == n->lat && o->lon == n->lon)))
		return (0);
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_text(st, 2, n->tags.data, (int)n->tags.len,
	    SQLITE_STATIC);
	sqlite3_bind_text(st, 3, n->cells.data, (int)n->cells.len,
	    SQLITE_STATIC);
	if (n->has_point) {
		sqlite3_bind_double(st, 4, n->lat);
		sqlite3_bind_double(st, 5, n->lon);
	} else {
		sqlite3_bind_null(st, 4);
		sqlite3_bind_null(st, 5);
	}
	rc = store_step(s, st, __func__);
	store_done(st);
	return (rc);
}

/*
 * Adds the tokens of the grid cells of the entry's point, alone and with
 * its kind (store_geo.c).
 */
static void
store_cells_tokens(struct store *s, struct store_tokens *t,
    const struct entry *e)
{
	char	 tag[STORE_GEO_TAG_MAX + STORE_TAG_MAX];
	int	 level, kind, n;

	for (level = 0; level < STORE_GEO_LEVELS; level++)
		for (kind = 0; kind < 2; kind++) {
			if (store_geo_cell(e->lat, e->lon, level, tag,
			    sizeof(tag)) == -1)
				return;		/* not a number: no point */
			if (kind && (e->kind == NULL ||
			    strlen(e->kind) > STORE_CELL_KIND_MAX))
				continue;
			if (kind) {
				n = strlen(tag);
				snprintf(tag + n, sizeof(tag) - n, "|%s",
				    e->kind);
			}
			store_tokens_tag(s, t, "", tag, NULL);
		}
}

/*
 * Rewrites the entry's listing tags: kind, each territory prefix alone and
 * with the kind, categories, and its place's cells (its peers are its
 * paths'). old_time is the sort time the row was listed at before.
 */
static int
store_tags_write(struct store *s, int64_t seq, const struct entry *e,
    int64_t sort_time, int64_t old_time, int inserted)
{
	struct store_tokens	*t = &s->tokens[0], *c = &s->tokens[1];
	char			 prefix[STORE_TAG_MAX + 1];
	const char		*p;
	size_t			 i, n;
	int			 old = 0;

	t->n = c->n = 0;
	if (!inserted && (old = store_tagset_get(s, seq)) == -1)
		return (-1);
	/*
	 * A tombstone keeps the tags of the version it ends, so that the
	 * filtered listings (and their subscribers) that showed the entry
	 * show its deletion too; its place goes with its point.
	 */
	if (e->deleted && old)
		store_tokens_parse(t, s->tagset_old.tags.data);

	if (e->kind != NULL)
		store_tokens_tag(s, t, "k:", e->kind, NULL);
	if (e->territory != NULL && (n = strlen(e->territory)) > 0 &&
	    n <= STORE_TAG_MAX) {
		for (p = e->territory; ; p++) {
			if (*p != '/' && *p != '\0')
				continue;
			memcpy(prefix, e->territory, p - e->territory);
			prefix[p - e->territory] = '\0';
			if (*prefix != '\0') {
				store_tokens_tag(s, t, "t:", prefix, NULL);
				if (e->kind != NULL)
					store_tokens_tag(s, t, "kt:", e->kind,
					    prefix);
			}
			if (*p == '\0')
				break;
		}
	}
	for (i = 0; i < e->ncategories; i++)
		if (e->categories[i].term != NULL)
			store_tokens_tag(s, t, "c:", e->categories[i].term,
			    NULL);
	if (!e->deleted && e->has_geo)
		store_cells_tokens(s, c, e);
	/* The point of the cells, checked by place listings (none: none). */
	s->tagset_new.has_point = c->n > 0;
	s->tagset_new.lat = e->lat;
	s->tagset_new.lon = e->lon;
	store_tokens_join(t, &s->tagset_new.tags);
	store_tokens_join(c, &s->tagset_new.cells);
	return (store_tagset_put(s, seq, old, old_time, sort_time));
}

/*
 * Before the entry's row goes (its tag set with it, foreign key): the
 * index forgets its tokens, listed at sort_time.
 */
static int
store_tags_forget(struct store *s, int64_t seq, int64_t sort_time)
{
	int	 old;

	if ((old = store_tagset_get(s, seq)) <= 0)
		return (old);
	store_tagset_text(&s->tagset_text, &s->tagset_old);
	store_tagix_queue(s, seq, sort_time, 1, s->tagset_text.data);
	return (0);
}

/* 1 if peer's entries wait for moderation. */
static int
store_peer_held(const struct store *s, const char *peer)
{
	size_t	 i;

	if (peer == NULL || *peer == '\0')
		return (0);
	for (i = 0; i < s->nheld_peers; i++)
		if (strcmp(s->held_peers[i], peer) == 0)
			return (1);
	return (0);
}

/* 1 if a moderator rejected id as carried by peer, 0 if not, -1 error. */
static int
store_rejected(struct store *s, const char *id, const char *peer)
{
	sqlite3_stmt	*st = s->stmt[ST_REJECTED];
	int		 rc;

	store_bind_text(st, 1, id);
	store_bind_text(st, 2, peer);
	rc = sqlite3_step(st);
	store_done(st);
	if (rc == SQLITE_ROW)
		return (1);
	if (rc == SQLITE_DONE)
		return (0);
	log_warnx("%s: %s: %s", __func__, s->path, sqlite3_errmsg(s->db));
	return (-1);
}

/*
 * Writes the canonical form of a document into s->doc (store_doc_write():
 * no peers, id replaced by kept). A tombstone is its id and time only:
 * where it was read from (source) or who retracted it (origin) depends
 * on the path that brought it, and every node must hold the same
 * tombstone. Returns the number of strings left out (not UTF-8).
 */
static int
store_canonical(struct store *s, const struct entry *e, const char *kept)
{
	buf_reset(&s->doc);
	return (store_doc_write(&s->doc, e, kept));
}

/*
 * A smaller id arrived for a stored entry: the row takes it, the old id
 * becomes an alias, and the stored document and digest are rewritten
 * with it, before the merge rule compares versions. Whatever the order
 * in which a node sees an entry's ids, it ends up with the smallest, and
 * the same canonical document as any other node.
 */
static int
store_rekey(struct store *s, struct store_row *row, const char *id)
{
	sqlite3_stmt	*st = s->stmt[ST_DOC];
	struct entry	*old = NULL;
	json_error_t	 jerr;
	json_t		*j = NULL;
	const char	*why = NULL;
	char		 digest[STORE_DIGEST_LEN];
	int		 rc = -1;

	sqlite3_bind_int64(st, 1, row->seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		j = json_loads((const char *)sqlite3_column_text(st, 0), 0,
		    &jerr);
	store_done(st);
	if (j == NULL || (old = entry_from_json(j, &why)) == NULL) {
		log_warnx("%s: %s: entry %s cannot be read back", __func__,
		    s->path, row->id);
		goto done;
	}
	store_canonical(s, old, id);
	store_digest(s, s->doc.data, s->doc.len, digest);

	if (store_run_text(s, ST_ALIAS_DEL, id) == -1)
		goto done;
	st = s->stmt[ST_REKEY];
	store_bind_text(st, 1, id);
	sqlite3_bind_text(st, 2, digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->doc.data, (int)s->doc.len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, row->seq);
	rc = store_step(s, st, __func__);
	store_done(st);
	if (rc == -1)
		goto done;
	st = s->stmt[ST_ALIAS_ADD];
	store_bind_text(st, 1, row->id);
	sqlite3_bind_int64(st, 2, row->seq);
	rc = store_step(s, st, __func__);
	store_done(st);
	if (rc == -1)
		goto done;
	log_debug("%s: %s: entry %s now kept as %s", __func__, s->path,
	    row->id, id);
	free(row->id);
	if ((row->id = strdup(id)) == NULL)
		fatal("%s", __func__);
	memcpy(row->digest, digest, sizeof(row->digest));
 done:
	json_decref(j);
	entry_free(old);
	return (rc);
}

/*
 * Stores one entry inside the current transaction (see store.h for the
 * rule); *changed tells whether a listing changed, *notify whether the
 * listener hears of it. A NULL peer records no path (a tombstone the
 * node makes itself).
 */
static int
store_upsert_one(struct store *s, const struct entry *e, const char *peer,
    enum store_result *res, int *changed, int *notify, int64_t *seqp,
    int *fresh)
{
	struct store_row	 row;
	sqlite3_stmt		*st;
	json_t			*j = NULL;
	char			*key;
	char			 digest[STORE_DIGEST_LEN];
	int64_t			 now = store_now(s), seq, sort_time, vt;
	int64_t			 stored_time;
	int			 found, by_link = 0, by_alias = 0, path_new = 0;
	int			 held_peer, rekeyed = 0, unheld = 0, rc = -1;
	int			 omitted;

	*changed = *notify = *fresh = 0;
	memset(&row, 0, sizeof(row));
	key = store_link_key(e->link);
	held_peer = store_peer_held(s, peer);
	if ((found = store_row_find(s, ST_BY_ID, e->id, &row)) == 0) {
		found = store_row_find(s, ST_BY_ALIAS, e->id, &row);
		by_alias = found == 1;
	}
	if (found == 0 && key != NULL) {
		found = store_row_find(s, ST_BY_LINK, key, &row);
		by_link = found == 1;
	}
	if (found == -1)
		goto done;
	if (found == 0 && peer != NULL && *peer != '\0') {
		/* Rejected by a moderator: that peer cannot bring it back. */
		if ((rc = store_rejected(s, e->id, peer)) != 0) {
			if (rc == 1) {
				*res = STORE_STALE;
				rc = 0;
			}
			goto done;
		}
		rc = -1;
	}

	if (found && strcmp(e->id, row.id) < 0) {
		if (store_rekey(s, &row, e->id) == -1)
			goto done;
		rekeyed = 1;
	} else if (found && (by_link || by_alias) &&
	    strcmp(e->id, row.id) != 0) {
		st = s->stmt[ST_ALIAS_ADD];
		store_bind_text(st, 1, e->id);
		sqlite3_bind_int64(st, 2, row.seq);
		if (store_step(s, st, __func__) == -1)
			goto done;
		store_done(st);
	}
	if (found && row.held && !held_peer && peer != NULL) {
		/* A peer that is not held brings it: visible as usual. */
		if (store_run_int(s, ST_SET_HELD, row.seq, 0, __func__) == -1)
			goto done;
		row.held = 0;
		unheld = 1;
	}

	/* The canonical form: no peers, and the id the entry is kept under. */
	omitted = store_canonical(s, e, found ? row.id : NULL);
	store_digest(s, s->doc.data, s->doc.len, digest);
	/*
	 * The indexes take the entry's text, unless the document left some
	 * out (not UTF-8): then what the document holds, read back.
	 */
	if (omitted > 0 && !e->deleted &&
	    (j = json_loads(s->doc.data, 0, NULL)) == NULL) {
		log_warnx("%s: %s: entry %s has no JSON form", __func__,
		    s->path, e->id);
		goto done;
	}

	sort_time = e->published != ENTRY_NO_TIME ? e->published :
	    e->updated != ENTRY_NO_TIME ? e->updated :
	    found ? row.first_seen : now;
	if (!found) {
		row.held = held_peer;
		if (store_row_write(s, ST_INSERT, e, key, sort_time, now,
		    digest, s->doc.data, s->doc.len, 0, row.held) == -1)
			goto done;
		seq = sqlite3_last_insert_rowid(s->db);
		if (!e->deleted)
			store_fts_queue(s, seq, sort_time, 0, j != NULL ?
			    store_text_field : store_text_entry,
			    j != NULL ? (const void *)j : (const void *)e);
		if (store_geo_write(s, seq, e, 1) == -1)
			goto done;
		*res = STORE_INSERTED;
	} else {
		seq = row.seq;
		vt = e->updated != ENTRY_NO_TIME ? e->updated : e->published;
		switch (store_version_cmp(vt, e->deleted != 0, digest,
		    row.version_time, row.deleted, row.digest)) {
		case 1:
			if ((!row.deleted && store_fts_forget(s, seq) == -1) ||
			    store_row_write(s, ST_UPDATE, e, key, sort_time, 0,
			    digest, s->doc.data, s->doc.len, seq, 0) == -1)
				goto done;
			if (!e->deleted)
				store_fts_queue(s, seq, sort_time, 0,
				    j != NULL ? store_text_field :
				    store_text_entry, j != NULL ?
				    (const void *)j : (const void *)e);
			if (store_geo_write(s, seq, e, 0) == -1)
				goto done;
			*res = STORE_UPDATED;
			break;
		case 0:
			*res = STORE_UNCHANGED;
			break;
		default:
			*res = STORE_STALE;
			break;
		}
	}

	/*
	 * The paths are listed by peer in the entry's listing order: they
	 * follow its sort time.
	 */
	stored_time = *res == STORE_INSERTED || *res == STORE_UPDATED ?
	    sort_time : row.sort_time;
	if (*res == STORE_UPDATED && sort_time != row.sort_time &&
	    store_run_int(s, ST_PATHS_RETIME, seq, sort_time, __func__) == -1)
		goto done;
	if (peer != NULL) {
		st = s->stmt[ST_PATH_ADD];
		sqlite3_bind_int64(st, 1, seq);
		store_bind_text(st, 2, peer);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_int64(st, 4, stored_time);
		if (store_step(s, st, __func__) == -1)
			goto done;
		store_done(st);
		path_new = sqlite3_changes(s->db) == 1;
		/* An entry inserted now drew its paths_rev already. */
		if (path_new && *res != STORE_INSERTED && store_run_int(s,
		    ST_PATHS_REV, seq, store_paths_rev_next(s),
		    __func__) == -1)
			goto done;
		if (!path_new) {
			st = s->stmt[ST_PATH_SEEN];
			sqlite3_bind_int64(st, 1, seq);
			store_bind_text(st, 2, peer);
			sqlite3_bind_int64(st, 3, now);
			if (store_step(s, st, __func__) == -1)
				goto done;
			store_done(st);
		}
	}

	if (*res == STORE_INSERTED || *res == STORE_UPDATED) {
		if (store_tags_write(s, seq, e, sort_time, row.sort_time,
		    *res == STORE_INSERTED) == -1)
			goto done;
	} else if (path_new && *res == STORE_UNCHANGED)
		*res = STORE_MERGED;
	if (!row.held) {
		*notify = *res == STORE_INSERTED || *res == STORE_UPDATED ||
		    rekeyed || unheld;
		*changed = *notify || path_new;
	}
	*seqp = seq;
	/* What is stored is s->doc: the listener is told from it. */
	*fresh = *notify && (*res == STORE_INSERTED || *res == STORE_UPDATED);
	rc = 0;
 done:
	json_decref(j);
	free(row.id);
	free(key);
	return (rc);
}

/*
 * Each entry runs in a savepoint, so that one that fails (a full disk, a
 * constraint) leaves the rest of the document's transaction intact,
 * unless the transaction is all or nothing (store_begin_whole()).
 * Outside store_begin() the entry gets a transaction of its own. A NULL
 * peer records no path.
 */
static int
store_upsert(struct store *s, const struct entry *e, const char *peer,
    enum store_result *res)
{
	enum store_result	 r = STORE_UNCHANGED;
	int64_t			 seq = 0;
	size_t			 mark;
	int			 own = 0, changed = 0, notify = 0, fresh = 0, rc;

	if (e->id == NULL || *e->id == '\0') {
		log_warnx("%s: %s: entry without id", __func__, s->path);
		return (-1);
	}
	if (s->txn_lost) {
		log_warnx("%s: %s: entry %s not stored: the transaction was "
		    "lost", __func__, s->path, e->id);
		return (-1);
	}
	if (!s->in_txn) {
		if (store_begin(s) == -1)
			return (-1);
		own = 1;
	}
	/* Between two entries, never inside one's savepoint. */
	if ((s->nfts >= STORE_FTS_PENDING_OPS ||
	    s->fts_bytes >= STORE_FTS_PENDING_BYTES) &&
	    store_fts_flush(s) == -1) {
		if (own)
			store_rollback(s);
		log_warnx("%s: %s: entry %s not stored", __func__, s->path,
		    e->id);
		return (-1);
	}
	mark = s->nfts;
	if (s->whole) {
		rc = store_upsert_one(s, e, peer, &r, &changed, &notify, &seq,
		    &fresh);
		if (rc == 0 && notify)
			store_notify(s, seq, peer != NULL ? peer : "",
			    fresh ? s->doc.data : NULL);
		if (rc == -1) {
			/* Half an entry may be written: nothing is kept. */
			store_txn_check(s);
			s->txn_lost = 1;
		}
	} else if ((rc = store_run(s, ST_SAVEPOINT, __func__)) == 0) {
		rc = store_upsert_one(s, e, peer, &r, &changed, &notify, &seq,
		    &fresh);
		if (rc == 0)
			rc = store_run(s, ST_RELEASE, __func__);
		if (rc == 0 && notify)
			store_notify(s, seq, peer != NULL ? peer : "",
			    fresh ? s->doc.data : NULL);
		if (rc == -1) {
			store_txn_check(s);
			if (!s->txn_lost) {
				store_run(s, ST_ROLLBACK_TO, __func__);
				store_run(s, ST_RELEASE, __func__);
				store_fts_truncate(s, mark);
			}
		}
	} else
		store_txn_check(s);
	if (rc == 0 && changed)
		s->dirty = 1;
	if (own) {
		if (rc == 0)
			rc = store_commit(s);
		else
			store_rollback(s);
	}
	if (rc == -1)
		log_warnx("%s: %s: entry %s not stored", __func__, s->path,
		    e->id);
	else if (res != NULL)
		*res = r;
	return (rc);
}

int
store_entry_upsert(struct store *s, const struct entry *e, const char *peer,
    enum store_result *res)
{
	return (store_upsert(s, e, peer != NULL ? peer : "", res));
}

/* Sets e->peers from the entry's paths, sorted by name. */
static int
store_peers_fill(struct store *s, int64_t seq, struct entry *e)
{
	sqlite3_stmt	*st = s->stmt[ST_PEERS];
	int		 rc;

	sqlite3_bind_int64(st, 1, seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		entry_add_peer(e, (const char *)sqlite3_column_text(st, 0));
	store_done(st);
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
		return (-1);
	}
	return (0);
}

/* Reads a stored document back into an entry, without its peers. */
static struct entry *
store_doc_decode(struct store *s, int64_t seq, const char *doc)
{
	struct entry	*e;
	json_error_t	 jerr;
	json_t		*j;
	const char	*why = NULL;

	if (doc == NULL) {
		log_warnx("%s: %s: entry %lld: no document", __func__, s->path,
		    (long long)seq);
		return (NULL);
	}
	if ((j = json_loads(doc, 0, &jerr)) == NULL) {
		log_warnx("%s: %s: entry %lld: %s", __func__, s->path,
		    (long long)seq, jerr.text);
		return (NULL);
	}
	e = entry_from_json(j, &why);
	json_decref(j);
	if (e == NULL) {
		log_warnx("%s: %s: entry %lld: %s", __func__, s->path,
		    (long long)seq, why);
		return (NULL);
	}
	return (e);
}

/* Reads a stored document back into an entry with its peers. */
static struct entry *
store_doc_read(struct store *s, int64_t seq, const char *doc)
{
	struct entry	*e;

	if ((e = store_doc_decode(s, seq, doc)) == NULL)
		return (NULL);
	if (store_peers_fill(s, seq, e) == -1) {
		entry_free(e);
		return (NULL);
	}
	return (e);
}

static size_t
store_cache_bucket(int64_t seq)
{
	uint64_t	 h = (uint64_t)seq * 0x9e3779b97f4a7c15ULL;

	return ((size_t)(h >> 32) & (STORE_CACHE_BUCKETS - 1));
}

static struct store_cached *
store_cache_find(struct store *s, int64_t seq)
{
	struct store_cached	*c;

	if (s->cache_hash == NULL)
		return (NULL);
	LIST_FOREACH(c, &s->cache_hash[store_cache_bucket(seq)], hash)
		if (c->seq == seq)
			return (c);
	return (NULL);
}

static void
store_cache_remove(struct store *s, struct store_cached *c)
{
	LIST_REMOVE(c, hash);
	TAILQ_REMOVE(&s->cache_lru, c, lru);
	s->cache_bytes -= c->size;
	s->cache_n--;
	entry_free(c->e);
	free(c);
}

/* Drops the least recently used entries until room bytes fit. */
static void
store_cache_trim(struct store *s, size_t room)
{
	struct store_cached	*c;

	while (s->cache_bytes + room > s->cache_max &&
	    (c = TAILQ_LAST(&s->cache_lru, store_cache_lru)) != NULL)
		store_cache_remove(s, c);
}

/*
 * Keeps a decoded entry (the cache owns it from now on) under its seq,
 * replacing an older version; NULL if it does not fit the budget.
 */
static struct store_cached *
store_cache_add(struct store *s, int64_t seq, const char *digest,
    int64_t paths_rev, struct entry *e, size_t doclen)
{
	struct store_cached	*c;
	size_t			 size, i;

	size = sizeof(*c) + STORE_CACHE_OVERHEAD + doclen;
	for (i = 0; i < e->npeers; i++)
		size += strlen(e->peers[i]) + 1 + sizeof(char *);
	if (s->cache_hash == NULL || size > s->cache_max / 4)
		return (NULL);
	if ((c = store_cache_find(s, seq)) != NULL)
		store_cache_remove(s, c);
	store_cache_trim(s, size);
	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s", __func__);
	c->seq = seq;
	c->paths_rev = paths_rev;
	c->serial = s->serial;
	snprintf(c->digest, sizeof(c->digest), "%s", digest);
	c->e = e;
	c->size = size;
	LIST_INSERT_HEAD(&s->cache_hash[store_cache_bucket(seq)], c, hash);
	TAILQ_INSERT_HEAD(&s->cache_lru, c, lru);
	s->cache_bytes += size;
	s->cache_n++;
	return (c);
}

int
store_set_cache(struct store *s, size_t max_bytes)
{
	size_t	 i;

	if (s->cache_hash != NULL) {
		while (!TAILQ_EMPTY(&s->cache_lru))
			store_cache_remove(s, TAILQ_FIRST(&s->cache_lru));
	}
	s->cache_max = max_bytes;
	if (max_bytes == 0) {
		free(s->cache_hash);
		s->cache_hash = NULL;
		return (0);
	}
	if (s->cache_hash == NULL) {
		if ((s->cache_hash = calloc(STORE_CACHE_BUCKETS,
		    sizeof(*s->cache_hash))) == NULL)
			fatal("%s", __func__);
		for (i = 0; i < STORE_CACHE_BUCKETS; i++)
			LIST_INIT(&s->cache_hash[i]);
	}
	return (0);
}

void
store_cache_stats(const struct store *s, struct store_cache_stats *st)
{
	st->entries = s->cache_n;
	st->bytes = s->cache_bytes;
	st->max_bytes = s->cache_max;
	st->hits = s->cache_hits;
	st->misses = s->cache_misses;
}

uint64_t
store_query_serial(const struct store *s)
{
	return (s->serial);
}

int
store_entry_get(struct store *s, const char *id, struct entry **ep)
{
	struct store_row	 row;
	sqlite3_stmt		*st = s->stmt[ST_DOC];
	int			 found, rc;

	*ep = NULL;
	if ((found = store_row_find(s, ST_BY_ID, id, &row)) == 0)
		found = store_row_find(s, ST_BY_ALIAS, id, &row);
	free(row.id);
	if (found != 1)
		return (found);
	sqlite3_bind_int64(st, 1, row.seq);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    rc == SQLITE_DONE ? "entry vanished" :
		    sqlite3_errmsg(s->db));
		store_done(st);
		return (-1);
	}
	*ep = store_doc_read(s, row.seq,
	    (const char *)sqlite3_column_text(st, 0));
	store_done(st);
	return (*ep != NULL ? 1 : -1);
}

void
store_query_init(struct store_query *q)
{
	memset(q, 0, sizeof(*q));
	q->since = ENTRY_NO_TIME;
	q->before_time = ENTRY_NO_TIME;
	q->before_seq = INT64_MAX;
	q->from_time = ENTRY_NO_TIME;
	q->until_time = ENTRY_NO_TIME;
	q->geo = STORE_GEO_NONE;
}

static int
store_query_shape(const struct store_query *q)
{
	struct store_geo_cover	 cover;
	int			 shape = 0;

	if (q->kind != NULL)
		shape |= STORE_Q_KIND;
	if (q->territory != NULL)
		shape |= STORE_Q_TERRITORY;
	if (q->category != NULL)
		shape |= STORE_Q_CATEGORY;
	if (q->peer != NULL)
		shape |= STORE_Q_PEER;
	/* Change times are the store's clock: 0 and before mean "all". */
	if (q->since != ENTRY_NO_TIME && q->since > 0)
		shape |= STORE_Q_SINCE;
	if (q->before_time != ENTRY_NO_TIME || q->until_time != ENTRY_NO_TIME)
		shape |= STORE_Q_CURSOR;
	if (q->from_time != ENTRY_NO_TIME)
		shape |= STORE_Q_FROM;
	if (q->oldest_first)
		shape |= STORE_Q_ASC;
	if (q->skip_deleted)
		shape |= STORE_Q_LIVE;
	if (q->match != NULL) {
		shape |= STORE_Q_MATCH;
		if (q->relevance)
			shape = (shape | STORE_Q_RANK) & ~STORE_Q_CURSOR;
	}
	if (q->geo == STORE_GEO_ANY)
		shape |= STORE_Q_GEO;
	else if (q->geo == STORE_GEO_BOX)
		shape |= STORE_Q_BOX;
	else if (q->geo == STORE_GEO_NEAR)
		shape |= STORE_Q_NEAR;
	if ((shape & (STORE_Q_BOX | STORE_Q_NEAR)) &&
	    !(shape & STORE_Q_MATCH))
		shape += store_geo_cover(q, &cover) * STORE_Q_SHAPES;
	return (shape);
}

/*
 * The tag parameters a shape filters on: the category, the kind and
 * territory (together, or either), the peer last. The peer alone walks
 * the paths; otherwise entries_tags matches all the others at once.
 */
static int
store_query_tag_list(int shape, const char **tags)
{
	int	 ntags = 0;

	if (shape & STORE_Q_CATEGORY)
		tags[ntags++] = ":c";
	if ((shape & STORE_Q_KIND) && (shape & STORE_Q_TERRITORY))
		tags[ntags++] = ":kt";
	else if (shape & STORE_Q_TERRITORY)
		tags[ntags++] = ":t";
	else if (shape & STORE_Q_KIND)
		tags[ntags++] = ":k";
	if (shape & STORE_Q_PEER)
		tags[ntags++] = ":p";
	return (ntags);
}

/*
 * Appends the tag filters of a shape as checks of the tokens of entry
 * seq (an SQL expression: "e.seq") in its tag set, a look-up by rowid, or
 * of its paths for the peer; skip is left out when it drives the walk,
 * and the tokens' checks unless tokens (the walk matched them all).
 */
static void
store_query_tags(struct buf *b, int shape, const char *skip, const char *seq,
    int tokens)
{
	const char	*tags[STORE_Q_MAXTAGS];
	int		 ntags, i;

	ntags = store_query_tag_list(shape, tags);
	for (i = 0; i < ntags; i++) {
		if (skip != NULL && strcmp(tags[i], skip) == 0)
			continue;
		if (strcmp(tags[i], ":p") == 0)
			buf_printf(b, " AND EXISTS (SELECT 1 FROM paths x"
			    " WHERE x.seq = %s AND x.peer = :p)", seq);
		else if (tokens)
			buf_printf(b, " AND instr((SELECT x.tags FROM"
			    " entry_tagsets x WHERE x.seq = %s), %s) > 0", seq,
			    tags[i]);
	}
}

/*
 * The geo condition on "g" (entries_geo): the box is on the R*Tree's
 * rounded corners (a superset), then exact on the auxiliary columns; a
 * radius has its bounding box computed by store_query_bind().
 */
static void
store_query_geo(struct buf *b, int shape)
{
	if ((shape & (STORE_Q_BOX | STORE_Q_NEAR)) == 0)
		return;
	buf_addstr(b, " AND g.min_lat <= :n AND g.max_lat >= :s"
	    " AND g.min_lon <= :e AND g.max_lon >= :w"
	    " AND g.lat BETWEEN :s AND :n AND g.lon BETWEEN :w AND :e");
	if (shape & STORE_Q_NEAR)
		buf_addstr(b, " AND feedmesh_distance(:lat, :lon, g.lat, g.lon)"
		    " <= :radius");
}

/*
 * The keyset cursor and the lower bound of sort times on the walked
 * rows (alias a: entries, or paths), so that they bound the range of the
 * index walked (entries_sort, paths_peer), or the matches to sort.
 */
static void
store_query_range(struct buf *b, int shape, const char *a)
{
	if (shape & STORE_Q_CURSOR)
		buf_printf(b, " AND (%s.sort_time, %s.seq) < (:bt, :bs)", a, a);
	if (shape & STORE_Q_FROM)
		buf_printf(b, " AND %s.sort_time >= :from", a);
}

/*
 * The SQL of a listing shape. With a filter, the walk is the match of its
 * tags' tokens in entries_tags (all of them: FTS5 intersects their lists,
 * the kind+territory tag standing for both), whose rowids are in listing
 * order as those of entries_fts are, newest first from the cursor: it
 * stops after its page. The peer is checked on the paths, or walked on
 * paths_peer when it is the only filter. CROSS JOIN keeps SQLite from
 * driving the join from entries. Past the keys' seqs (wide) the matches are sorted.
 * Without a filter the walk is entries_sort, or entries_changed with
 * "since".
 *
 * A full-text query walks the FTS5 index's rowids, which are in listing
 * order (store_fts_key()), newest or oldest first from the cursor, and
 * checks the other filters per match: it stops after its page. Ranked by
 * bm25 (or on a store past the keys' seqs, wide), its matches are sorted,
 * and a box or a radius, driven by the R*Tree, sorts too: their cost
 * follows the number of matches, not the size of the store. A geo point
 * alone (GeoJSON of a listing) is a rowid look-up per entry walked.
 */
static char *
store_query_sql(int shape, int wide)
{
	struct buf	 b;
	const char	*tags[STORE_Q_MAXTAGS], *order;
	char		 seq[64];
	int		 ntags, sorted;

	buf_init(&b);
	if (STORE_Q_CELLS(shape) > 0 && !wide) {
		store_query_cells(&b, shape);
		return (buf_release(&b));
	}
	ntags = store_query_tag_list(shape, tags);
	order = (shape & STORE_Q_ASC) ? " ORDER BY e.sort_time, e.seq" :
	    " ORDER BY e.sort_time DESC, e.seq DESC";
	if ((shape & STORE_Q_MATCH) && !(shape & STORE_Q_RANK) && !wide) {
		/*
		 * The tags and the point are checked on the key's seq: before
		 * the entry's row is read, for the matches they leave out.
		 */
		snprintf(seq, sizeof(seq), "(entries_fts.rowid & %lld)",
		    (long long)STORE_FTS_SEQ_MAX);
		buf_printf(&b, "SELECT " STORE_LIST_COLS
		    " FROM entries_fts CROSS JOIN entries e"
		    " WHERE entries_fts MATCH :match AND e.seq = %s", seq);
		if (shape & STORE_Q_CURSOR)
			buf_addstr(&b, " AND entries_fts.rowid < :bk");
		if (shape & STORE_Q_FROM)
			buf_addstr(&b, " AND entries_fts.rowid >= :fk");
		store_query_tags(&b, shape, NULL, seq, 1);
		if (shape & (STORE_Q_BOX | STORE_Q_NEAR | STORE_Q_GEO)) {
			buf_printf(&b, " AND EXISTS (SELECT 1 FROM entries_geo g"
			    " WHERE g.seq = %s", seq);
			store_query_geo(&b, shape);
			buf_addstr(&b, ")");
		}
		order = (shape & STORE_Q_ASC) ?
		    " ORDER BY entries_fts.rowid" :
		    " ORDER BY entries_fts.rowid DESC";
		sorted = 0;
		goto tail;
	}
	/*
	 * Matches that are sorted are sorted as (seq, time) alone, and
	 * only the page's rows are read in full, by rowid: the documents
	 * and peers of the other matches are never copied.
	 */
	sorted = (shape & (STORE_Q_MATCH | STORE_Q_BOX | STORE_Q_NEAR)) != 0 ||
	    (wide && ntags > 0 && strcmp(tags[0], ":p") != 0);
	if (sorted)
		buf_addstr(&b, "SELECT " STORE_LIST_COLS " FROM (");
	if (shape & STORE_Q_MATCH) {
		buf_printf(&b, "SELECT e.seq AS seq, e.sort_time AS sort_time,"
		    " %s AS rank"
		    " FROM entries_fts CROSS JOIN entries e",
		    (shape & STORE_Q_RANK) ? STORE_BM25 : "0");
		/* Keys past STORE_FTS_SEQ_MAX are -seq (store_fts_key()). */
		buf_printf(&b, " WHERE entries_fts MATCH :match"
		    " AND e.seq = (CASE WHEN entries_fts.rowid < 0"
		    " THEN -entries_fts.rowid ELSE entries_fts.rowid & %lld END)",
		    (long long)STORE_FTS_SEQ_MAX);
		store_query_tags(&b, shape, NULL, "e.seq", 1);
		if (shape & (STORE_Q_BOX | STORE_Q_NEAR | STORE_Q_GEO)) {
			buf_addstr(&b, " AND EXISTS (SELECT 1 FROM entries_geo g"
			    " WHERE g.seq = e.seq");
			store_query_geo(&b, shape);
			buf_addstr(&b, ")");
		}
		if (shape & STORE_Q_RANK)
			order = " ORDER BY " STORE_BM25 ", e.seq DESC";
		else
			store_query_range(&b, shape, "e");
		goto tail;
	}
	if (shape & (STORE_Q_BOX | STORE_Q_NEAR)) {
		buf_addstr(&b, "SELECT e.seq AS seq, e.sort_time AS sort_time,"
		    " 0 AS rank FROM entries_geo g CROSS JOIN entries e WHERE 1");
		store_query_geo(&b, shape);
		buf_addstr(&b, " AND e.seq = g.seq");
		store_query_tags(&b, shape, NULL, "e.seq", 1);
		store_query_range(&b, shape, "e");
		goto tail;
	}

	if (ntags == 1 && strcmp(tags[0], ":p") == 0) {
		/* The peer's paths, in the entries' listing order. */
		buf_addstr(&b, "SELECT " STORE_LIST_COLS
		    " FROM paths p CROSS JOIN entries e"
		    " WHERE p.peer = :p AND e.seq = p.seq");
		store_query_range(&b, shape, "p");
		order = (shape & STORE_Q_ASC) ?
		    " ORDER BY p.sort_time, p.seq" :
		    " ORDER BY p.sort_time DESC, p.seq DESC";
	} else if (ntags > 0 && wide) {
		buf_printf(&b, "SELECT e.seq AS seq, e.sort_time AS sort_time,"
		    " 0 AS rank FROM entries_tags f CROSS JOIN entries e"
		    " WHERE entries_tags MATCH :tm AND e.seq = (CASE WHEN"
		    " f.rowid < 0 THEN -f.rowid ELSE f.rowid & %lld END)",
		    (long long)STORE_FTS_SEQ_MAX);
		store_query_range(&b, shape, "e");
		store_query_tags(&b, shape, NULL, "e.seq", 0);
	} else if (ntags > 0) {
		buf_printf(&b, "SELECT " STORE_LIST_COLS
		    " FROM entries_tags f CROSS JOIN entries e"
		    " WHERE entries_tags MATCH :tm AND e.seq = (f.rowid & %lld)",
		    (long long)STORE_FTS_SEQ_MAX);
		if (shape & STORE_Q_CURSOR)
			buf_addstr(&b, " AND f.rowid < :bk");
		if (shape & STORE_Q_FROM)
			buf_addstr(&b, " AND f.rowid >= :fk");
		store_query_tags(&b, shape, NULL, "e.seq", 0);
		order = (shape & STORE_Q_ASC) ? " ORDER BY f.rowid" :
		    " ORDER BY f.rowid DESC";
	} else if (shape & STORE_Q_SINCE) {
		/*
		 * Catching up: the cost follows the number of entries changed
		 * since then, sorted, not the size of the store.
		 */
		buf_addstr(&b, "SELECT " STORE_LIST_COLS
		    " FROM entries e INDEXED BY entries_changed WHERE 1");
		store_query_range(&b, shape, "e");
	} else {
		buf_addstr(&b, "SELECT " STORE_LIST_COLS
		    " FROM entries e WHERE 1");
		store_query_range(&b, shape, "e");
	}
	if (shape & STORE_Q_GEO)
		buf_addstr(&b, " AND EXISTS (SELECT 1 FROM entries_geo g"
		    " WHERE g.seq = e.seq)");
 tail:
	store_query_visible(&b, shape);
	buf_addstr(&b, order);
	buf_addstr(&b, " LIMIT :limit");
	if (sorted) {
		buf_addstr(&b, ") w CROSS JOIN entries e WHERE e.seq = w.seq");
		if (shape & STORE_Q_RANK)
			buf_addstr(&b, " ORDER BY w.rank, w.seq DESC");
		else if (shape & STORE_Q_ASC)
			buf_addstr(&b, " ORDER BY w.sort_time, w.seq");
		else
			buf_addstr(&b, " ORDER BY w.sort_time DESC, w.seq DESC");
	}
	return (buf_release(&b));
}

/* Binds a named parameter if the statement has it. */
#define STORE_BIND_DOUBLE(st, name, v) do {				\
	int	 i_ = sqlite3_bind_parameter_index((st), (name));	\
	if (i_ != 0)							\
		sqlite3_bind_double((st), i_, (v));			\
} while (0)

/* The conditions on "e" of every listing: what it may show. */
static void
store_query_visible(struct buf *b, int shape)
{
	buf_addstr(b, " AND (e.expires IS NULL OR e.expires >= :now)"
	    " AND e.held = 0 AND (e.deleted = 0 OR"
	    " coalesce(e.version_time, e.changed) >= :purge)");
	if (shape & STORE_Q_LIVE)
		buf_addstr(b, " AND e.deleted = 0");
	if (shape & STORE_Q_SINCE)
		buf_addstr(b, " AND e.changed >= :since");
}

/*
 * A box or a radius read from its cover's cells (store_geo.c): the match
 * of any of the cells' tokens (with the kind, if one is asked) in
 * entries_tags, which FTS5 merges in listing order, newest first from
 * the cursor; each match's point (its tag set's, by rowid) is then checked
 * against the exact area, and the other filters, until the page is full.
 */
static void
store_query_cells(struct buf *b, int shape)
{
	buf_printf(b, "SELECT " STORE_LIST_COLS " FROM entries_tags f"
	    " CROSS JOIN entry_tagsets x CROSS JOIN entries e"
	    " WHERE entries_tags MATCH :gm AND x.seq = (f.rowid & %lld)"
	    " AND x.lat BETWEEN :gs AND :gn", (long long)STORE_FTS_SEQ_MAX);
	if (shape & STORE_Q_NEAR)
		buf_addstr(b, " AND feedmesh_distance(:lat, :lon, x.lat, x.lon)"
		    " <= :radius");
	else
		buf_addstr(b, " AND (x.lon BETWEEN :gw AND :ge"
		    " OR x.lon BETWEEN :gw2 AND :ge2)");
	if (shape & STORE_Q_CURSOR)
		buf_addstr(b, " AND f.rowid < :bk");
	if (shape & STORE_Q_FROM)
		buf_addstr(b, " AND f.rowid >= :fk");
	buf_addstr(b, " AND e.seq = x.seq");
	store_query_tags(b, shape, ":k", "e.seq", 1);
	store_query_visible(b, shape);
	buf_addstr(b, (shape & STORE_Q_ASC) ? " ORDER BY f.rowid" :
	    " ORDER BY f.rowid DESC");
	buf_addstr(b, " LIMIT :limit");
}

/* Binds the cells of a query's cover and its exact area. */
static void
store_query_cells_bind(struct store *s, sqlite3_stmt *st,
    const struct store_query *q)
{
	struct store_geo_cover	 c;
	struct store_tokens	 t = { NULL, 0, 0 };
	struct buf		 m;
	char			 tag[STORE_GEO_TAG_MAX];
	int			 i, n;

	n = store_geo_cover(q, &c);
	for (i = 0; i < n; i++) {
		store_geo_cover_tag(&c, i, tag, sizeof(tag));
		store_tokens_tag(s, &t, "", tag, q->kind);
	}
	buf_init(&m);
	for (i = 0; i < (int)t.n; i++)
		buf_printf(&m, "%s\"%.*s\"", i > 0 ? " OR " : "",
		    STORE_TOKEN_LEN, t.v + i * STORE_TOKEN_LEN);
	free(t.v);
	/* No cell: a token no tag has. */
	sqlite3_bind_text(st, sqlite3_bind_parameter_index(st, ":gm"),
	    m.data != NULL ? m.data : "\"-\"", -1, SQLITE_TRANSIENT);
	buf_free(&m);
	if (c.nlon < 2) {
		/* No second interval: one that holds nothing. */
		c.west[1] = 1.0;
		c.east[1] = 0.0;
	}
	STORE_BIND_DOUBLE(st, ":gs", c.south);
	STORE_BIND_DOUBLE(st, ":gn", c.north);
	STORE_BIND_DOUBLE(st, ":gw", c.west[0]);
	STORE_BIND_DOUBLE(st, ":ge", c.east[0]);
	STORE_BIND_DOUBLE(st, ":gw2", c.west[1]);
	STORE_BIND_DOUBLE(st, ":ge2", c.east[1]);
}

/*
 * Where the prepared statement of a shape is kept: the shapes without
 * cells each have theirs; those with cells share a small table, a
 * statement there giving way to another shape that lands on its slot.
 */
static sqlite3_stmt **
store_query_slot(struct store *s, int shape)
{
	unsigned int	 h;

	if (shape < STORE_Q_SHAPES)
		return (&s->query[shape]);
	h = ((unsigned int)shape * 2654435761U) >> 26;	/* 64 slots */
	if (s->cellq[h].shape != shape) {
		sqlite3_finalize(s->cellq[h].st);
		s->cellq[h].st = NULL;
		s->cellq[h].shape = shape;
	}
	return (&s->cellq[h].st);
}

/* Binds a query's values to its shape's statement, by name. */
static int
store_query_bind(struct store *s, sqlite3_stmt *st,
    const struct store_query *q, int shape)
{
	struct {
		const char	*name;
		const char	*prefix;
		const char	*a;
		const char	*b;
	} tags[] = {
		{ ":kt", "kt:", q->kind, q->territory },
		{ ":t", "t:", q->territory, NULL },
		{ ":k", "k:", q->kind, NULL },
		{ ":c", "c:", q->category, NULL },
		{ ":p", "p:", q->peer, NULL },
	};
	const char	*list[STORE_Q_MAXTAGS];
	struct buf	 m;
	char		*tag, tok[sizeof(tags) / sizeof(tags[0])]
			    [STORE_TOKEN_LEN + 1];
	double		 w = q->west, so = q->south, e = q->east, n = q->north;
	double		 dlat, dlon, c;
	int64_t		 bt, bs;
	size_t		 i, len;
	int		 idx, j, nlist;

	/* Each tag asked for, as the token of its tag. */
	for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++) {
		tok[i][0] = '\0';
		if (tags[i].a == NULL || (tags[i].b == NULL &&
		    strcmp(tags[i].name, ":kt") == 0))
			continue;
		if (asprintf(&tag, "%s%s%s%s", tags[i].prefix, tags[i].a,
		    tags[i].b ? "|" : "", tags[i].b ? tags[i].b : "") == -1)
			fatal("%s", __func__);
		/* "a/b/" asks for the same as "a/b". */
		if (tags[i].b != NULL || strcmp(tags[i].name, ":t") == 0)
			while ((len = strlen(tag)) > 0 && tag[len - 1] == '/')
				tag[len - 1] = '\0';
		store_tag_token(s, tag, strlen(tag), tok[i]);
		free(tag);
		if ((idx = sqlite3_bind_parameter_index(st, tags[i].name)) == 0)
			continue;
		/* The peer is checked on the paths, by name. */
		if (strcmp(tags[i].name, ":p") == 0)
			sqlite3_bind_text(st, idx, tags[i].a, -1,
			    SQLITE_TRANSIENT);
		else
			sqlite3_bind_text(st, idx, tok[i], STORE_TOKEN_LEN,
			    SQLITE_TRANSIENT);
	}
	/* The walk's match: every tag of the shape but the peer. */
	if ((idx = sqlite3_bind_parameter_index(st, ":tm")) != 0) {
		buf_init(&m);
		nlist = store_query_tag_list(shape, list);
		for (j = 0; j < nlist; j++)
			for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
				if (strcmp(list[j], tags[i].name) == 0 &&
				    strcmp(list[j], ":p") != 0)
					buf_printf(&m, "%s\"%s\"", m.len > 0 ?
					    " " : "", tok[i]);
		sqlite3_bind_text(st, idx, m.data != NULL ? m.data : "\"-\"",
		    -1, SQLITE_TRANSIENT);
		buf_free(&m);
	}
	/* The end of a range is a cursor before its first instant. */
	bt = q->before_time;
	bs = q->before_seq;
	if (q->until_time != ENTRY_NO_TIME &&
	    (bt == ENTRY_NO_TIME || q->until_time <= bt)) {
		bt = q->until_time;
		bs = INT64_MIN;
	}
	if ((idx = sqlite3_bind_parameter_index(st, ":bt")) != 0) {
		sqlite3_bind_int64(st, idx, bt);
		sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":bs"),
		    bs);
	}
	if ((idx = sqlite3_bind_parameter_index(st, ":bk")) != 0)
		sqlite3_bind_int64(st, idx, store_fts_bound(bt, bs));
	if ((idx = sqlite3_bind_parameter_index(st, ":fk")) != 0)
		sqlite3_bind_int64(st, idx, store_fts_bound(q->from_time,
		    INT64_MIN));
	if ((idx = sqlite3_bind_parameter_index(st, ":from")) != 0)
		sqlite3_bind_int64(st, idx, q->from_time);
	if ((idx = sqlite3_bind_parameter_index(st, ":since")) != 0)
		sqlite3_bind_int64(st, idx, q->since);
	if ((idx = sqlite3_bind_parameter_index(st, ":match")) != 0)
		sqlite3_bind_text(st, idx, q->match, -1, SQLITE_TRANSIENT);
	if (sqlite3_bind_parameter_index(st, ":gm") != 0)
		store_query_cells_bind(s, st, q);
	if (q->geo == STORE_GEO_NEAR) {
		/*
		 * The radius' bounding box: a degree of latitude is the same
		 * everywhere; longitude shrinks with cos(lat). Near a pole or
		 * across the antimeridian the box takes every longitude, and
		 * the exact distance decides.
		 */
		dlat = q->radius_km / STORE_EARTH_KM * 180.0 / M_PI;
		so = q->lat - dlat;
		n = q->lat + dlat;
		c = cos((fabs(q->lat) + dlat) * M_PI / 180.0);
		if (so <= -90.0 || n >= 90.0 || c <= 1e-9) {
			w = -180.0;
			e = 180.0;
		} else {
			dlon = dlat / c;
			w = q->lon - dlon;
			e = q->lon + dlon;
			if (w < -180.0 || e > 180.0) {
				w = -180.0;
				e = 180.0;
			}
		}
		STORE_BIND_DOUBLE(st, ":lat", q->lat);
		STORE_BIND_DOUBLE(st, ":lon", q->lon);
		STORE_BIND_DOUBLE(st, ":radius", q->radius_km);
	}
	STORE_BIND_DOUBLE(st, ":w", w);
	STORE_BIND_DOUBLE(st, ":s", so);
	STORE_BIND_DOUBLE(st, ":e", e);
	STORE_BIND_DOUBLE(st, ":n", n);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":now"),
	    store_now(s));
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":purge"),
	    s->tombstone_ttl > 0 ? store_now(s) - s->tombstone_ttl :
	    INT64_MIN);
	sqlite3_bind_int64(st, sqlite3_bind_parameter_index(st, ":limit"),
	    q->limit > 0 ? q->limit : -1);
	return (0);
}

/*
 * Walks a listing. The callback must not query the store: the shape's
 * statement is in use until the walk ends.
 */
int
store_query_entries(struct store *s, const struct store_query *q,
    store_entry_cb cb, void *arg)
{
	struct store_query	 xq;
	struct store_cached	*c;
	struct entry		*e;
	sqlite3_stmt		*st, *dst;
	const char		*doc, *digest;
	sqlite3_stmt		**slot;
	char			*sql, *match = NULL;
	size_t			 docsize;
	int64_t			 seq, sort_time, paths_rev;
	int			 shape, rc, stop = 0;

	if (s->nfts > 0 && store_fts_flush(s) == -1)
		return (-1);
	shape = store_query_shape(q);
	/* A walk in order is lazy, unless FTS5 gathers a prefix's words. */
	if ((shape & (STORE_Q_MATCH | STORE_Q_RANK)) == STORE_Q_MATCH &&
	    !s->fts_wide && (match = store_fts_expansion(s, q->match)) != NULL) {
		xq = *q;
		xq.match = match;
		q = &xq;
	}
	slot = store_query_slot(s, shape);
	if ((st = *slot) == NULL) {
		sql = store_query_sql(shape, s->fts_wide);
		rc = sqlite3_prepare_v3(s->db, sql, -1,
		    SQLITE_PREPARE_PERSISTENT, &st, NULL);
		if (rc != SQLITE_OK) {
			log_warnx("%s: %s: \"%s\": %s", __func__, s->path, sql,
			    sqlite3_errmsg(s->db));
			free(sql);
			free(match);
			return (-1);
		}
		free(sql);
		*slot = st;
	}
	store_query_bind(s, st, q, shape);
	free(match);
	sqlite3_stmt_status(st, SQLITE_STMTSTATUS_FULLSCAN_STEP, 1);
	sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 1);
	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		seq = sqlite3_column_int64(st, 0);
		sort_time = sqlite3_column_int64(st, 1);
		digest = (const char *)sqlite3_column_text(st, 3);
		paths_rev = sqlite3_column_int64(st, 4);
		c = store_cache_find(s, seq);
		if (c != NULL && digest != NULL &&
		    strcmp(c->digest, digest) == 0 &&
		    c->paths_rev == paths_rev) {
			/* The same version: most recently used. */
			TAILQ_REMOVE(&s->cache_lru, c, lru);
			TAILQ_INSERT_HEAD(&s->cache_lru, c, lru);
			s->cache_hits++;
			s->serial = c->serial;
			stop = cb(c->e, sort_time, seq, arg);
			continue;
		}
		s->cache_misses++;
		if (c != NULL)
			store_cache_remove(s, c);	/* an older version */
		dst = s->stmt[ST_DOC];
		sqlite3_bind_int64(dst, 1, seq);
		if (sqlite3_step(dst) != SQLITE_ROW) {
			log_warnx("%s: %s: entry %lld: %s", __func__,
			    s->path, (long long)seq, sqlite3_errmsg(s->db));
			store_done(dst);
			continue;
		}
		doc = (const char *)sqlite3_column_text(dst, 0);
		docsize = (size_t)sqlite3_column_bytes(dst, 0);
		e = store_doc_decode(s, seq, doc);
		store_done(dst);
		if (e == NULL)
			continue;	/* logged; the rest is still served */
		if (store_peers_fill(s, seq, e) == -1) {
			entry_free(e);
			continue;
		}
		s->serial = store_serial_next++;
		c = digest == NULL ? NULL : store_cache_add(s, seq, digest,
		    paths_rev, e, docsize);
		if (c != NULL)
			e = NULL;	/* the cache's now */
		stop = cb(c != NULL ? c->e : e, sort_time, seq, arg);
		entry_free(e);
	}
	s->serial = 0;
	s->cost_fullscan = sqlite3_stmt_status(st,
	    SQLITE_STMTSTATUS_FULLSCAN_STEP, 0);
	s->cost_vm = sqlite3_stmt_status(st, SQLITE_STMTSTATUS_VM_STEP, 0);
	if (!stop && rc != SQLITE_DONE) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
		store_done(st);
		return (-1);
	}
	store_done(st);
	return (0);
}

char *
store_query_explain(struct store *s, const struct store_query *q)
{
	struct buf	 b;
	sqlite3_stmt	*st;
	char		*sql, *eqp;
	int		 rc, shape = store_query_shape(q);

	sql = store_query_sql(shape, s->fts_wide);
	if (asprintf(&eqp, "EXPLAIN QUERY PLAN %s", sql) == -1)
		fatal("%s", __func__);
	free(sql);
	rc = sqlite3_prepare_v2(s->db, eqp, -1, &st, NULL);
	free(eqp);
	if (rc != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
		return (NULL);
	}
	store_query_bind(s, st, q, shape);
	buf_init(&b);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		buf_addstr(&b, (const char *)sqlite3_column_text(st, 3));
		buf_addc(&b, '\n');
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
		buf_free(&b);
		return (NULL);
	}
	return (buf_release(&b));
}

void
store_query_cost(const struct store *s, int64_t *fullscan, int64_t *vm)
{
	*fullscan = s->cost_fullscan;
	*vm = s->cost_vm;
}

double
store_distance_km(double lat1, double lon1, double lat2, double lon2)
{
	double	 p1, p2, dp, dl, h;

	p1 = lat1 * M_PI / 180.0;
	p2 = lat2 * M_PI / 180.0;
	dp = p2 - p1;
	dl = (lon2 - lon1) * M_PI / 180.0;
	h = sin(dp / 2) * sin(dp / 2) +
	    cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);
	if (h > 1.0)
		h = 1.0;
	return (2.0 * STORE_EARTH_KM * asin(sqrt(h)));
}

/* SQL feedmesh_distance(lat1, lon1, lat2, lon2): km, NULL if any is. */
static void
store_distance_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int	 i;

	for (i = 0; i < argc; i++)
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
			sqlite3_result_null(ctx);
			return;
		}
	sqlite3_result_double(ctx, store_distance_km(
	    sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
	    sqlite3_value_double(argv[2]), sqlite3_value_double(argv[3])));
}

/* Appends text, a space before it if b is not empty; bounded. */
static void
store_text_add(struct buf *b, const char *text, int html)
{
	if (text == NULL || *text == '\0' || b->len >= STORE_TEXT_MAX)
		return;
	if (b->len > 0)
		buf_addc(b, ' ');
	if (html)
		store_text_html(b, text);
	else
		buf_addstr(b, text);
}

/*
 * The words of sanitized HTML: tags become spaces (so that "a<br>b" is
 * two words), the entities the sanitizer writes are decoded; others are
 * dropped rather than indexed as words ("amp").
 */
static void
store_text_html(struct buf *b, const char *h)
{
	static const struct {
		const char	*name;
		const char	*text;
	} ents[] = {
		{ "amp;", "&" }, { "lt;", "<" }, { "gt;", ">" },
		{ "quot;", "\"" }, { "apos;", "'" }, { "nbsp;", " " },
	};
	const char	*p, *end;
	unsigned long	 cp;
	char		*ep;
	size_t		 i, n;

	for (p = h; *p != '\0' && b->len < STORE_TEXT_MAX; p++) {
		if (*p != '<' && *p != '&') {
			/* A run of text at once, cut where the bound falls. */
			n = strcspn(p, "<&");
			if (n > STORE_TEXT_MAX - b->len)
				n = STORE_TEXT_MAX - b->len;
			buf_add(b, p, n);
			p += n - 1;
			continue;
		}
		if (*p == '<') {
			if ((end = strchr(p, '>')) == NULL)
				break;
			buf_addc(b, ' ');
			p = end;
			continue;
		}
		if (p[1] == '#') {
			cp = p[2] == 'x' || p[2] == 'X' ?
			    strtoul(p + 3, &ep, 16) : strtoul(p + 2, &ep, 10);
			if (*ep == ';' && cp > 0x20 && cp < 0x110000 &&
			    (cp < 0xd800 || cp > 0xdfff)) {
				if (cp < 0x80)
					buf_addc(b, (char)cp);
				else if (cp < 0x800)
					buf_printf(b, "%c%c",
					    0xc0 | (int)(cp >> 6),
					    0x80 | (int)(cp & 0x3f));
				else if (cp < 0x10000)
					buf_printf(b, "%c%c%c",
					    0xe0 | (int)(cp >> 12),
					    0x80 | (int)((cp >> 6) & 0x3f),
					    0x80 | (int)(cp & 0x3f));
				else
					buf_printf(b, "%c%c%c%c",
					    0xf0 | (int)(cp >> 18),
					    0x80 | (int)((cp >> 12) & 0x3f),
					    0x80 | (int)((cp >> 6) & 0x3f),
					    0x80 | (int)(cp & 0x3f));
				p = ep;
			} else
				buf_addc(b, ' ');
			continue;
		}
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (strncmp(p + 1, ents[i].name,
			    strlen(ents[i].name)) == 0)
				break;
		if (i < sizeof(ents) / sizeof(ents[0])) {
			buf_addstr(b, ents[i].text);
			p += strlen(ents[i].name);
			continue;
		}
		/* Another named reference: a separator, not a word. */
		for (end = p + 1; (*end >= 'a' && *end <= 'z') ||
		    (*end >= 'A' && *end <= 'Z') || (*end >= '0' && *end <= '9');
		    end++)
			;
		if (*end == ';')
			p = end;
		buf_addc(b, ' ');
	}
}

/*
 * Appends the plain text of one field of the full-text index (col, in
 * the order of store_fts_cols) of a stored document's tree.
 */
static void
store_text_field(const void *tree, int col, struct buf *b)
{
	const json_t	*doc = tree, *fm, *a, *x;
	const char	*v;
	size_t		 i;

	fm = json_object_get(doc, "_feedmesh");
	switch (col) {
	case 0:
		store_text_add(b, json_string_value(json_object_get(doc,
		    "title")), 0);
		break;
	case 1:
		store_text_add(b, json_string_value(json_object_get(doc,
		    "summary")), 0);
		break;
	case 2:
		if (json_is_true(json_object_get(fm, "no_content")))
			break;
		if ((v = json_string_value(json_object_get(doc,
		    "content_text"))) != NULL)
			store_text_add(b, v, 0);
		else
			store_text_add(b, json_string_value(json_object_get(
			    doc, "content_html")), 1);
		break;
	case 3:
		a = json_object_get(fm, "categories");
		for (i = 0; i < json_array_size(a); i++) {
			x = json_array_get(a, i);
			store_text_add(b, json_string_value(
			    json_object_get(x, "term")), 0);
			store_text_add(b, json_string_value(
			    json_object_get(x, "label")), 0);
		}
		break;
	}
}

/*
 * The same from the entry itself, for what its document holds as it is
 * (store_doc_write() left no string out): no tree to build or walk.
 */
static void
store_text_entry(const void *entry, int col, struct buf *b)
{
	const struct entry	*e = entry;
	size_t			 i;

	switch (col) {
	case 0:
		store_text_add(b, e->title, 0);
		break;
	case 1:
		store_text_add(b, e->summary_text, 0);
		break;
	case 2:
		/* No content: the document shows the summary as its content. */
		if (e->content == NULL)
			break;
		store_text_add(b, e->content, e->content_type == NULL ||
		    strcmp(e->content_type, "text") != 0);
		break;
	case 3:
		for (i = 0; i < e->ncategories; i++) {
			store_text_add(b, e->categories[i].term, 0);
			store_text_add(b, e->categories[i].label, 0);
		}
		break;
	}
}

/*
 * The same from the fields of a stored document read back without a
 * tree (store_doc_fields_read()).
 */
static void
store_text_fields(const void *fields, int col, struct buf *b)
{
	const struct store_doc_fields	*f = fields;
	const char			*t = f->text.data;
	size_t				 i;

#define STORE_FIELD(off)	((off) == STORE_DOC_NONE ? NULL : t + (off))
	switch (col) {
	case 0:
		store_text_add(b, STORE_FIELD(f->title), 0);
		break;
	case 1:
		store_text_add(b, STORE_FIELD(f->summary), 0);
		break;
	case 2:
		if (f->no_content)
			break;
		if (f->content_text != STORE_DOC_NONE)
			store_text_add(b, t + f->content_text, 0);
		else
			store_text_add(b, STORE_FIELD(f->content_html), 1);
		break;
	case 3:
		for (i = 0; i < f->ncats; i++) {
			store_text_add(b, STORE_FIELD(f->cats[i].term), 0);
			store_text_add(b, STORE_FIELD(f->cats[i].label), 0);
		}
		break;
	}
#undef STORE_FIELD
}

/*
 * SQL feedmesh_text(doc, field): the plain text of a stored document's
 * "title", "summary", "content" or "categories" (terms and labels), as
 * the full-text index holds it (step 3 indexes older stores with it).
 * The last document parsed is kept, since it is asked for its four
 * fields in a row.
 */
static void
store_text_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct store	*s = sqlite3_user_data(ctx);
	const char	*doc, *field;
	struct buf	 b;
	int		 col;

	(void)argc;
	doc = (const char *)sqlite3_value_text(argv[0]);
	field = (const char *)sqlite3_value_text(argv[1]);
	if (doc == NULL || field == NULL) {
		sqlite3_result_null(ctx);
		return;
	}
	if (s->text_doc == NULL || strcmp(s->text_doc, doc) != 0) {
		free(s->text_doc);
		json_decref(s->text_json);
		if ((s->text_doc = strdup(doc)) == NULL)
			fatal("%s", __func__);
		s->text_json = json_loads(doc, 0, NULL);
	}
	buf_init(&b);
	for (col = 0; col < STORE_FTS_NCOLS; col++)
		if (strcmp(field, store_fts_cols[col]) == 0)
			break;
	store_text_field(s->text_json, col, &b);
	if (b.len == 0)
		sqlite3_result_text(ctx, "", 0, SQLITE_STATIC);
	else
		sqlite3_result_text(ctx, b.data, (int)b.len, SQLITE_TRANSIENT);
	buf_free(&b);
}

/*
 * The full-text index's rowid of entry seq sorted at sort_time (step 8):
 * in listing order, seq in its low bits; a sort time out of the range
 * is clamped, a seq past STORE_FTS_SEQ_MAX gives -seq (store_fts_widen()).
 */
static int64_t
store_fts_key(int64_t seq, int64_t sort_time)
{
	if (seq < 0 || seq > STORE_FTS_SEQ_MAX)
		return (-seq);
	if (sort_time < STORE_FTS_TIME_MIN)
		sort_time = STORE_FTS_TIME_MIN;
	else if (sort_time > STORE_FTS_TIME_MAX)
		sort_time = STORE_FTS_TIME_MAX;
	return (((sort_time - STORE_FTS_TIME_MIN) << STORE_FTS_SEQ_BITS) | seq);
}

/*
 * The key before which lie the entries before (sort_time, seq), for the
 * keyset cursor and the ranges of full-text listings: seq may be any
 * int64 (INT64_MAX: all of that second, INT64_MIN: none of it).
 */
static int64_t
store_fts_bound(int64_t sort_time, int64_t seq)
{
	if (sort_time < STORE_FTS_TIME_MIN)
		sort_time = STORE_FTS_TIME_MIN;
	else if (sort_time > STORE_FTS_TIME_MAX)
		sort_time = STORE_FTS_TIME_MAX;
	if (seq < 0)
		seq = 0;
	else if (seq > STORE_FTS_SEQ_MAX)
		seq = STORE_FTS_SEQ_MAX + 1;
	return (((sort_time - STORE_FTS_TIME_MIN) << STORE_FTS_SEQ_BITS) + seq);
}

/*
 * Sets up store_fts_expand(): the index's tokenizer (unicode61 with
 * remove_diacritics 2, as entries_fts has it) and the index's words
 * (an fts5vocab table of the connection's temp schema, in the index's
 * order). On failure prefixes are left to FTS5, logged once.
 */
static int
store_fts_expand_init(struct store *s)
{
	const char	*args[] = { "remove_diacritics", "2" };
	fts5_api	*api = NULL;
	sqlite3_stmt	*st;
	void		*ud;

	if (s->fts_terms != NULL)
		return (0);
	if (s->fts_expand_off)
		return (-1);
	s->fts_expand_off = 1;
	if (sqlite3_prepare_v2(s->db, "SELECT fts5(?1)", -1, &st, NULL) !=
	    SQLITE_OK)
		goto fail;
	sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (api == NULL || api->iVersion < 2 || api->xFindTokenizer(api,
	    "unicode61", &ud, &s->fts_tok) != SQLITE_OK ||
	    s->fts_tok.xCreate(ud, args, 2, &s->fts_tokenizer) != SQLITE_OK) {
		s->fts_tokenizer = NULL;
		goto fail;
	}
	if (store_exec(s, "CREATE VIRTUAL TABLE IF NOT EXISTS"
	    " temp.entries_fts_words USING fts5vocab(main, entries_fts,"
	    " 'instance')", __func__) == -1 ||
	    sqlite3_prepare_v3(s->db, "SELECT term FROM"
	    " temp.entries_fts_words WHERE term >= ?1 LIMIT 1", -1,
	    SQLITE_PREPARE_PERSISTENT, &s->fts_terms, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v3(s->db, "PRAGMA data_version", -1,
	    SQLITE_PREPARE_PERSISTENT, &s->data_version, NULL) != SQLITE_OK)
		goto fail;
	s->fts_expand_off = 0;
	return (0);
 fail:
	log_warnx("%s: %s: prefixes of full-text queries will be slow: %s",
	    __func__, s->path, sqlite3_errmsg(s->db));
	return (-1);
}

/* Appends text inside an FTS5 string: a '"' is doubled. */
static void
store_fts_quote(struct buf *b, const char *text, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (text[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, text[i]);
	}
}

/* A token of the index's tokenizer: appended, space-separated. */
static int
store_fts_token_cb(void *arg, int flags, const char *token, int len,
    int start, int end)
{
	struct buf	*b = arg;

	(void)start;
	(void)end;
	if (flags & FTS5_TOKEN_COLOCATED)
		return (SQLITE_OK);
	if (b->len > 0)
		buf_addc(b, ' ');
	buf_add(b, token, (size_t)len);
	return (SQLITE_OK);
}

/*
 * A full-text query with its prefix spelt out, or NULL to run it as it
 * is. query.c ends the query with a prefix ("a" "rempl"*); FTS5 answers
 * a prefix by gathering the doclists of all its words into one, sorted,
 * before the first row, so a prefix of a common word cost as much as
 * sorting every match (100 ms for a word of each of a million entries).
 * The words of the index that start with it, looked up in the index's
 * vocabulary (a seek per word), OR'ed ("a" AND ("rempli" OR "remplis")),
 * are walked lazily in rowid order. Past STORE_FTS_PREFIX_TERMS words
 * the prefix stays.
 */
static char *
store_fts_expand(struct store *s, const char *match)
{
	struct buf	 phrase, tokens, out;
	sqlite3_stmt	*st;
	const char	*p, *last = NULL, *term, *tail;
	char		*words[STORE_FTS_PREFIX_TERMS], *next;
	size_t		 plen, head = 0;
	int		 n = 0, i, rc, bad = 0;

	if (match == NULL || store_fts_expand_init(s) == -1)
		return (NULL);
	/* Quoted phrases ("" inside), the last one followed by '*'. */
	for (p = match; *p != '\0' && !bad; ) {
		if (*p == ' ') {
			p++;
			continue;
		}
		if (*p != '"' || last != NULL) {
			bad = 1;
			break;
		}
		tail = p;
		for (p++; *p != '\0'; p++)
			if (*p == '"' && *++p != '"')
				break;
		if (p[-1] != '"' || (p - tail) < 2)
			bad = 1;
		else if (*p == '*') {
			last = tail;
			p++;
		}
	}
	if (bad || last == NULL || p[-1] != '*')
		return (NULL);
	buf_init(&phrase);
	for (p = last + 1; *p != '\0'; p++) {
		if (*p == '"' && p[1] != '"')
			break;
		if (*p == '"')
			p++;
		buf_addc(&phrase, *p);
	}
	buf_init(&tokens);
	rc = phrase.len == 0 ? SQLITE_ERROR : s->fts_tok.xTokenize(
	    s->fts_tokenizer, &tokens, FTS5_TOKENIZE_QUERY |
	    FTS5_TOKENIZE_PREFIX, phrase.data, (int)phrase.len,
	    store_fts_token_cb);
	buf_free(&phrase);
	if (rc != SQLITE_OK || tokens.len == 0) {
		buf_free(&tokens);
		return (NULL);
	}
	/* The prefix is the last token; the phrase's others stay. */
	buf_addc(&tokens, '\0');
	if ((term = strrchr(tokens.data, ' ')) != NULL)
		head = (size_t)(term - tokens.data) + 1;
	plen = strlen(tokens.data + head);

	st = s->fts_terms;
	sqlite3_bind_text(st, 1, tokens.data + head, (int)plen,
	    SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		term = (const char *)sqlite3_column_text(st, 0);
		if (term == NULL || strncmp(term, tokens.data + head,
		    plen) != 0)
			break;
		if (n == STORE_FTS_PREFIX_TERMS) {
			n++;
			break;
		}
		/* The next word: past this one and its longer forms' '\1'. */
		if (asprintf(&words[n], "%s", term) == -1)
			fatal("%s", __func__);
		sqlite3_reset(st);
		if (asprintf(&next, "%s\001", words[n]) == -1)
			fatal("%s", __func__);
		sqlite3_bind_text(st, 1, next, -1, free);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
	store_done(st);
	if (n == 0 || n > STORE_FTS_PREFIX_TERMS ||
	    (rc != SQLITE_ROW && rc != SQLITE_DONE)) {
		for (i = 0; i < n && i < STORE_FTS_PREFIX_TERMS; i++)
			free(words[i]);
		buf_free(&tokens);
		return (NULL);
	}
	buf_init(&out);
	/* Phrases AND implicitly, a group of them only explicitly. */
	buf_add(&out, match, (size_t)(last - match));
	if (n > 1 && last > match)
		buf_addstr(&out, "AND ");
	if (n > 1)
		buf_addc(&out, '(');
	for (i = 0; i < n; i++) {
		buf_addstr(&out, i > 0 ? " OR \"" : "\"");
		store_fts_quote(&out, tokens.data, head);
		store_fts_quote(&out, words[i], strlen(words[i]));
		buf_addc(&out, '"');
		free(words[i]);
	}
	if (n > 1)
		buf_addc(&out, ')');
	buf_free(&tokens);
	return (buf_release(&out));
}

/* Forgets the spelt-out prefixes. */
static void
store_fts_expansions_clear(struct store *s)
{
	size_t	 i;

	for (i = 0; i < STORE_FTS_EXPANSIONS; i++) {
		free(s->fts_expansions[i].match);
		free(s->fts_expansions[i].expanded);
		s->fts_expansions[i].match = NULL;
		s->fts_expansions[i].expanded = NULL;
	}
}

/*
 * store_fts_expand(match) (a new string, or NULL), from the last ones
 * while the index is the same: a word that is new since may start with
 * a prefix. Spelling one out can cost milliseconds (FTS5 seeks the word
 * after a common one by reading the common one's doclist through), and
 * the same search comes again and again (a site's search box, paging).
 */
static char *
store_fts_expansion(struct store *s, const char *match)
{
	struct store_expansion	*x;
	char			*expanded;
	int64_t			 version = -1;
	size_t			 i;

	if (match == NULL || store_fts_expand_init(s) == -1)
		return (NULL);
	if (sqlite3_step(s->data_version) == SQLITE_ROW)
		version = sqlite3_column_int64(s->data_version, 0);
	store_done(s->data_version);
	if (version == -1 || version != s->fts_expanded_version ||
	    s->fts_writes != s->fts_expanded_writes) {
		store_fts_expansions_clear(s);
		s->fts_expanded_version = version;
		s->fts_expanded_writes = s->fts_writes;
	}
	for (i = 0; i < STORE_FTS_EXPANSIONS; i++) {
		x = &s->fts_expansions[i];
		if (x->match != NULL && strcmp(x->match, match) == 0) {
			if (x->expanded == NULL)
				return (NULL);
			if ((expanded = strdup(x->expanded)) == NULL)
				fatal("%s", __func__);
			return (expanded);
		}
	}
	expanded = store_fts_expand(s, match);
	x = &s->fts_expansions[s->fts_expansion_next++ %
	    STORE_FTS_EXPANSIONS];
	free(x->match);
	free(x->expanded);
	if ((x->match = strdup(match)) == NULL || (expanded != NULL &&
	    (x->expanded = strdup(expanded)) == NULL))
		fatal("%s", __func__);
	if (expanded == NULL)
		x->expanded = NULL;
	return (expanded);
}

/*
 * Entry seq does not fit the full-text keys: from now on the full-text
 * and tag listings of this store sort their matches (exact, but their
 * cost follows the number of matches). The statements of the fast shapes
 * go.
 */
static void
store_fts_widen(struct store *s, int64_t seq)
{
	int	 i;

	if (s->fts_wide)
		return;
	log_warnx("%s: entry %lld is past the %lld entries that full-text "
	    "and filtered listings walk in order: they now sort their "
	    "matches (slower)",
	    s->path, (long long)seq, (long long)STORE_FTS_SEQ_MAX);
	s->fts_wide = 1;
	for (i = 0; i < STORE_Q_SHAPES; i++) {
		sqlite3_finalize(s->query[i]);
		s->query[i] = NULL;
	}
	for (i = 0; i < STORE_CELLQ_SLOTS; i++) {
		sqlite3_finalize(s->cellq[i].st);
		s->cellq[i].st = NULL;
		s->cellq[i].shape = 0;
	}
}

/* A new change at the end of the queue, of seq's row at sort_time. */
static struct store_fts_op *
store_fts_op_new(struct store *s, int64_t seq, int64_t sort_time, int del)
{
	struct store_fts_op	*op;

	if (s->nfts == s->capfts) {
		s->capfts = s->capfts ? s->capfts * 2 : 64;
		if ((s->fts = reallocarray(s->fts, s->capfts,
		    sizeof(*s->fts))) == NULL)
			fatal("%s", __func__);
	}
	op = &s->fts[s->nfts];
	memset(op, 0, sizeof(*op));
	op->key = store_fts_key(seq, sort_time);
	op->order = s->nfts++;
	op->del = del;
	if (op->key < 0)
		store_fts_widen(s, seq);
	return (op);
}

/*
 * Queues a change of the tag index (entries_tags): the tokens of entry
 * seq at sort_time added, or deleted (the contentless index is told the
 * tokens it forgets, as entry_tagsets has them).
 */
static void
store_tagix_queue(struct store *s, int64_t seq, int64_t sort_time, int del,
    const char *tokens)
{
	struct store_fts_op	*op;

	op = store_fts_op_new(s, seq, sort_time, del);
	op->tags = 1;
	op->len[0] = strlen(tokens);
	if ((op->text[0] = strdup(tokens)) == NULL)
		fatal("%s", __func__);
	s->fts_bytes += op->len[0];
}

/*
 * Queues a change of the full-text index: the entry seq's text, each
 * field that fill makes of src, added, or deleted (the contentless index
 * is told the text it forgets), under its key at sort_time. Nothing is
 * written before store_fts_flush().
 */
static void
store_fts_queue(struct store *s, int64_t seq, int64_t sort_time, int del,
    store_text_fill fill, const void *src)
{
	struct store_fts_op	*op;
	struct buf		 b;
	int			 col;

	op = store_fts_op_new(s, seq, sort_time, del);
	for (col = 0; col < STORE_FTS_NCOLS; col++) {
		buf_init(&b);
		fill(src, col, &b);
		op->len[col] = b.len;
		op->text[col] = b.data;
		s->fts_bytes += b.len;
	}
}

/*
 * Queues the deletion of the indexed text of entry seq as stored now
 * (before an update or a delete), if it is indexed: tombstones are not.
 * Its key is that of its stored sort time.
 */
static int
store_fts_forget(struct store *s, int64_t seq)
{
	sqlite3_stmt	*st = s->stmt[ST_DOC];
	json_t		*j = NULL;
	const char	*doc;
	int64_t		 t;
	int		 rc;

	sqlite3_bind_int64(st, 1, seq);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    sqlite3_column_int(st, 1) == 0) {
		doc = (const char *)sqlite3_column_text(st, 0);
		t = sqlite3_column_int64(st, 2);
		if (doc != NULL && store_doc_fields_read(&s->fields, doc) == 0)
			store_fts_queue(s, seq, t, 1, store_text_fields,
			    &s->fields);
		else {
			/* As the index was given it: unreadable, no text. */
			j = doc != NULL ? json_loads(doc, 0, NULL) : NULL;
			store_fts_queue(s, seq, t, 1, store_text_field, j);
			json_decref(j);
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		store_log_error(s, __func__);
		store_done(st);
		return (-1);
	}
	store_done(st);
	return (0);
}

/* Drops the queued full-text changes past the first keep. */
static void
store_fts_truncate(struct store *s, size_t keep)
{
	int	 col;

	while (s->nfts > keep) {
		s->nfts--;
		for (col = 0; col < STORE_FTS_NCOLS; col++) {
			s->fts_bytes -= s->fts[s->nfts].len[col];
			free(s->fts[s->nfts].text[col]);
		}
	}
}

/* Queued full-text changes by key, then in the order they were queued. */
static int
store_fts_op_cmp(const void *a, const void *b)
{
	const struct store_fts_op	*x = a, *y = b;

	if (x->tags != y->tags)
		return (x->tags - y->tags);
	if (x->key != y->key)
		return (x->key < y->key ? -1 : 1);
	return (x->order < y->order ? -1 : x->order > y->order);
}

/*
 * Writes the queued full-text changes into the index: FTS5 holds them in
 * memory and makes one segment of them at the commit (or at the next
 * savepoint). It also writes a segment out whenever a rowid comes below
 * the last one (or equal, after anything but a delete), and the entries
 * of a document come in any order of time: the changes go in by key,
 * those of one key in the order they were made (a delete, then the add
 * of the new text). A failure loses the transaction: the index would no
 * longer match the entries.
 */
static int
store_fts_flush(struct store *s)
{
	struct store_fts_op	*op;
	sqlite3_stmt		*st;
	size_t			 i;
	int			 col, rc = 0;

	if (s->nfts > 0) {
		qsort(s->fts, s->nfts, sizeof(*s->fts), store_fts_op_cmp);
		s->fts_writes++;
	}
	for (i = 0; i < s->nfts && rc == 0; i++) {
		op = &s->fts[i];
		if (op->tags)
			st = s->stmt[op->del ? ST_TAGIX_DEL : ST_TAGIX_ADD];
		else
			st = s->stmt[op->del ? ST_FTS_DEL : ST_FTS_ADD];
		sqlite3_bind_int64(st, 1, op->key);
		for (col = 0; col < (op->tags ? 1 : STORE_FTS_NCOLS); col++)
			sqlite3_bind_text(st, col + 2, op->text[col] != NULL ?
			    op->text[col] : "", (int)op->len[col],
			    SQLITE_STATIC);
		rc = store_step(s, st, __func__);
		store_done(st);
	}
	store_fts_truncate(s, 0);
	if (rc == -1 && s->in_txn) {
		store_txn_check(s);
		s->txn_lost = 1;
	}
	return (rc);
}

/*
 * FTS5's merge settings of entries_fts (and entries_tags), kept in its
 * config table. A
 * listing walks every segment that holds its word (a filled store of a
 * million entries has nine: a page of a common word costs twice what it
 * does on one segment), so an idle node merges them (store_fts_maintain,
 * 'merge' with a positive page count): usermerge 2 merges any level
 * holding two segments into the next, which leaves at most one per level
 * and rewrites an entry once per level it climbs, as a binary counter
 * does. A negative count would first put every segment on one level and
 * rewrite the whole index (46 MB at a million entries, 0.6 s) after each
 * document: too much for a node that idles between two polls. automerge
 * stays FTS5's 4, so that a node that never idles keeps its segments
 * bounded while it ingests.
 */
static int
store_fts_settings(struct store *s)
{
	/* The tag index (step 9) is merged the same way. */
	static const char *const tables[] = { "entries_fts", "entries_tags" };
	char	 sql[256];
	int64_t	 v;
	size_t	 i;

	for (i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		snprintf(sql, sizeof(sql), "SELECT coalesce((SELECT v FROM"
		    " %s_config WHERE k = 'usermerge'), 0)", tables[i]);
		if (store_pragma_int(s, sql, &v) == -1)
			return (-1);
		if (v == STORE_FTS_USERMERGE)
			continue;
		snprintf(sql, sizeof(sql), "INSERT INTO %s (%s, rank) VALUES"
		    " ('usermerge', " STORE_STR(STORE_FTS_USERMERGE) ")",
		    tables[i], tables[i]);
		if (store_exec(s, sql, __func__) == -1)
			return (-1);
	}
	return (0);
}

/*
 * One bounded step of the full-text index's merging (then, once it has
 * none left, the tag index's), out of any transaction: FTS5 merges
 * segments of one level (usermerge of them at least,
 * store_fts_settings()) writing about pages pages of the result.
 * 1 if it did some work (FTS5's documented test: sqlite3_total_changes()
 * moves by 2 or more), 0 if nothing was left to merge, -1 on error. The
 * merge changes no match: listings and the generation stay as they are.
 * A step lost to a power failure leaves the index as it was before it,
 * so its commit does not wait for the disk.
 */
int
store_fts_maintain(struct store *s, int pages)
{
	sqlite3_stmt	*st = s->stmt[ST_FTS_MERGE];
	int		 before, rc;

	if (s->in_txn) {
		log_warnx("%s: %s: inside a transaction", __func__, s->path);
		return (-1);
	}
	if (pages < 1)
		pages = 1;
	if (!s->lazy && store_exec(s, "PRAGMA synchronous = NORMAL",
	    __func__) == -1)
		return (-1);
	before = sqlite3_total_changes(s->db);
	sqlite3_bind_int(st, 1, pages);
	rc = store_step(s, st, __func__);
	store_done(st);
	/* Then the tag index's, when the text's has nothing left. */
	if (rc == 0 && sqlite3_total_changes(s->db) - before < 2) {
		before = sqlite3_total_changes(s->db);
		st = s->stmt[ST_TAGIX_MERGE];
		sqlite3_bind_int(st, 1, pages);
		rc = store_step(s, st, __func__);
		store_done(st);
	}
	if (!s->lazy && store_exec(s, "PRAGMA synchronous = FULL",
	    __func__) == -1)
		rc = -1;
	if (rc == -1)
		return (-1);
	s->fts_merges++;
	return (sqlite3_total_changes(s->db) - before >= 2);
}

/* The segments of the full-text index (each has rows in its %_idx). */
int64_t
store_fts_segments(struct store *s)
{
	int64_t	 n;

	if (store_pragma_int(s, "SELECT count(DISTINCT segid)"
	    " FROM entries_fts_idx", &n) == -1)
		return (-1);
	return (n);
}

/* Merge steps run since the store was opened (store_fts_maintain()). */
uint64_t
store_fts_merges(const struct store *s)
{
	return (s->fts_merges);
}

/*
 * Keeps entries_geo in step with entry seq: its old point goes (unless
 * the row is new), its new one, that of e, comes unless e is NULL or a
 * tombstone or has no point. A point that is not finite is not in the
 * document (jansson makes no real of it): none either.
 */
static int
store_geo_write(struct store *s, int64_t seq, const struct entry *e,
    int inserted)
{
	sqlite3_stmt	*st;
	int		 rc;

	if (!inserted && store_run_int(s, ST_GEO_DEL, seq, 0,
	    __func__) == -1)
		return (-1);
	if (e == NULL || e->deleted || !e->has_geo || !isfinite(e->lat) ||
	    !isfinite(e->lon))
		return (0);
	st = s->stmt[ST_GEO_ADD];
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_double(st, 2, e->lat);
	sqlite3_bind_double(st, 3, e->lon);
	rc = store_step(s, st, __func__);
	store_done(st);
	return (rc);
}

uint64_t
store_generation(const struct store *s)
{
	return (s->generation);
}

int64_t
store_last_change(const struct store *s)
{
	return (s->last_change);
}

/* Runs a count(*) statement with an optional text parameter. */
static int64_t
store_count(struct store *s, enum store_stmt which, const char *arg)
{
	sqlite3_stmt	*st = s->stmt[which];
	int64_t		 n = -1;

	if (arg != NULL)
		store_bind_text(st, 1, arg);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	else
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
	store_done(st);
	return (n);
}

int64_t
store_count_entries(struct store *s)
{
	return (store_count(s, ST_COUNT, NULL));
}

int64_t
store_count_peer_entries(struct store *s, const char *peer)
{
	return (store_count(s, ST_COUNT_PEER, peer ? peer : ""));
}

int
store_entry_matches_text(struct store *s, const char *id, const char *match)
{
	struct store_row	 row;
	sqlite3_stmt		*st = s->stmt[ST_TEXT_MATCH];
	int			 rc = -1;

	/* The uncommitted changes too: they are written to the index now. */
	if (s->nfts > 0 && store_fts_flush(s) == -1)
		return (-1);
	if ((rc = store_row_find(s, ST_BY_ID, id, &row)) != 1) {
		free(row.id);
		return (rc);
	}
	free(row.id);
	rc = -1;
	sqlite3_bind_int64(st, 1, store_fts_key(row.seq, row.sort_time));
	store_bind_text(st, 2, match);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = sqlite3_column_int64(st, 0) > 0;
	else
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
	store_done(st);
	return (rc);
}

int64_t
store_size(struct store *s)
{
	int64_t	 pages, size;

	if (store_pragma_int(s, "PRAGMA page_count", &pages) == -1 ||
	    store_pragma_int(s, "PRAGMA page_size", &size) == -1)
		return (-1);
	return (pages * size);
}

void
peer_state_init(struct peer_state *ps)
{
	memset(ps, 0, sizeof(*ps));
}

void
peer_state_clear(struct peer_state *ps)
{
	free(ps->etag);
	free(ps->last_modified);
	free(ps->body_digest);
	free(ps->last_error);
	free(ps->moved_to);
	free(ps->url);
	peer_state_init(ps);
}

int
store_peer_state_load(struct store *s, const char *peer,
    struct peer_state *ps)
{
	sqlite3_stmt	*st = s->stmt[ST_PS_LOAD];
	int		 rc;

	peer_state_init(ps);
	store_bind_text(st, 1, peer);
	if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
		store_done(st);
		return (0);
	}
	if (rc != SQLITE_ROW) {
		log_warnx("%s: %s: peer %s: %s", __func__, s->path, peer,
		    sqlite3_errmsg(s->db));
		store_done(st);
		return (-1);
	}
	ps->etag = store_column_dup(st, 0);
	ps->last_modified = store_column_dup(st, 1);
	ps->body_digest = store_column_dup(st, 2);
	ps->last_fetch = sqlite3_column_int64(st, 3);
	ps->last_success = sqlite3_column_int64(st, 4);
	ps->next_fetch = sqlite3_column_int64(st, 5);
	ps->http_status = (long)sqlite3_column_int64(st, 6);
	ps->failures = sqlite3_column_int(st, 7);
	ps->last_error = store_column_dup(st, 8);
	ps->moved_to = store_column_dup(st, 9);
	ps->gone = sqlite3_column_int(st, 10) != 0;
	ps->url = store_column_dup(st, 11);
	store_done(st);
	return (1);
}

int
store_peer_state_save(struct store *s, const char *peer,
    const struct peer_state *ps)
{
	sqlite3_stmt	*st = s->stmt[ST_PS_SAVE];
	char		 key[64];
	int		 rc;

	store_bind_text(st, 1, peer);
	store_bind_text(st, 2, ps->etag);
	store_bind_text(st, 3, ps->last_modified);
	store_bind_text(st, 4, ps->body_digest);
	sqlite3_bind_int64(st, 5, ps->last_fetch);
	sqlite3_bind_int64(st, 6, ps->last_success);
	sqlite3_bind_int64(st, 7, ps->next_fetch);
	sqlite3_bind_int64(st, 8, ps->http_status);
	sqlite3_bind_int(st, 9, ps->failures);
	store_bind_text(st, 10, ps->last_error);
	store_bind_text(st, 11, ps->moved_to);
	sqlite3_bind_int(st, 12, ps->gone ? 1 : 0);
	store_bind_text(st, 13, ps->url);
	if ((rc = store_step(s, st, __func__)) == -1) {
		snprintf(key, sizeof(key), "peer_state %s", peer);
		log_warnx_limited(key, "%s: %s: state of peer %s not saved",
		    __func__, s->path, peer);
	}
	store_done(st);
	return (rc);
}

int
store_state_digest(struct store *s, char hex[STORE_STATE_DIGEST_LEN])
{
	sqlite3_stmt	*st = s->stmt[ST_STATE];
	EVP_MD_CTX	*ctx;
	unsigned char	 md[EVP_MAX_MD_SIZE];
	unsigned int	 len = 0;
	const char	*id, *d;
	int		 rc, ok = 1;

	if ((ctx = EVP_MD_CTX_new()) == NULL)
		fatal("%s", __func__);
	if (EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		fatalx("%s: SHA-256 failed", __func__);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		id = (const char *)sqlite3_column_text(st, 0);
		d = (const char *)sqlite3_column_text(st, 1);
		if (id == NULL || d == NULL)
			continue;
		ok &= EVP_DigestUpdate(ctx, id, strlen(id)) == 1 &&
		    EVP_DigestUpdate(ctx, "\t", 1) == 1 &&
		    EVP_DigestUpdate(ctx, d, strlen(d)) == 1 &&
		    EVP_DigestUpdate(ctx, "\n", 1) == 1;
	}
	store_done(st);
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
		EVP_MD_CTX_free(ctx);
		return (-1);
	}
	if (!ok || EVP_DigestFinal_ex(ctx, md, &len) != 1 || len != 32)
		fatalx("%s: SHA-256 failed", __func__);
	EVP_MD_CTX_free(ctx);
	buf_hex(hex, md, len);
	return (0);
}

int64_t
store_count_tombstones(struct store *s)
{
	return (store_count(s, ST_COUNT_DELETED, NULL));
}

void
store_set_held_peers(struct store *s, const char *const *peers, size_t n)
{
	size_t	 i;

	for (i = 0; i < s->nheld_peers; i++)
		free(s->held_peers[i]);
	free(s->held_peers);
	s->held_peers = NULL;
	s->nheld_peers = 0;
	if (n == 0)
		return;
	if ((s->held_peers = calloc(n, sizeof(*s->held_peers))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < n; i++)
		if ((s->held_peers[i] = strdup(peers[i])) == NULL)
			fatal("%s", __func__);
	s->nheld_peers = n;
}

/* Finds an entry by id or alias: 1 found, 0 not, -1 error. */
static int
store_held_find(struct store *s, const char *id, struct store_row *row)
{
	int	 found;

	if ((found = store_row_find(s, ST_BY_ID, id, row)) == 0) {
		free(row->id);
		found = store_row_find(s, ST_BY_ALIAS, id, row);
	}
	return (found);
}

int
store_entry_held(struct store *s, const char *id)
{
	struct store_row	 row;
	int			 found;

	found = store_held_find(s, id, &row);
	free(row.id);
	if (found != 1)
		return (found);
	return (row.held);
}

int
store_held_list(struct store *s, store_held_cb cb, void *arg)
{
	sqlite3_stmt	*st = s->stmt[ST_HELD_LIST];
	struct entry	*e;
	const char	*peer;
	int		 rc, stop = 0;

	while (!stop && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		e = store_doc_read(s, sqlite3_column_int64(st, 0),
		    (const char *)sqlite3_column_text(st, 1));
		if (e == NULL)
			continue;
		peer = (const char *)sqlite3_column_text(st, 3);
		stop = cb(e, peer != NULL ? peer : "",
		    sqlite3_column_int64(st, 2), arg);
		entry_free(e);
	}
	store_done(st);
	if (!stop && rc != SQLITE_DONE) {
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
		return (-1);
	}
	return (0);
}

int
store_held_approve(struct store *s, const char *id)
{
	struct store_row	 row;
	sqlite3_stmt		*st = s->stmt[ST_FIRST_PEER];
	char			*peer = NULL;
	int			 found;

	if (s->in_txn) {
		log_warnx("%s: %s: a transaction is open", __func__, s->path);
		return (-1);
	}
	if ((found = store_held_find(s, id, &row)) != 1 || !row.held) {
		free(row.id);
		return (found == -1 ? -1 : 0);
	}
	free(row.id);
	sqlite3_bind_int64(st, 1, row.seq);
	if (sqlite3_step(st) == SQLITE_ROW)
		peer = store_column_dup(st, 0);
	store_done(st);
	if (store_begin(s) == -1)
		goto fail;
	if (store_run_int(s, ST_SET_HELD, row.seq, 0, __func__) == -1) {
		store_rollback(s);
		goto fail;
	}
	store_notify(s, row.seq, peer != NULL ? peer : "", NULL);
	s->dirty = 1;
	if (store_commit(s) == -1)
		goto fail;
	free(peer);
	return (1);
 fail:
	free(peer);
	return (-1);
}

/*
 * The entry goes, its paths, tags and aliases with it (foreign keys);
 * its kept id and aliases are remembered for each peer that carried it.
 */
int
store_held_reject(struct store *s, const char *id)
{
	struct store_row	 row;
	sqlite3_stmt		*st;
	int			 found, rc = -1;

	if (s->in_txn) {
		log_warnx("%s: %s: a transaction is open", __func__, s->path);
		return (-1);
	}
	if ((found = store_held_find(s, id, &row)) != 1 || !row.held) {
		free(row.id);
		return (found == -1 ? -1 : 0);
	}
	if (store_begin(s) == -1)
		goto done;
	st = s->stmt[ST_REJECT_ADD];
	sqlite3_bind_int64(st, 1, row.seq);
	store_bind_text(st, 2, row.id);
	sqlite3_bind_int64(st, 3, store_now(s));
	rc = store_step(s, st, __func__);
	store_done(st);
	if (rc == 0)
		rc = store_run_int(s, ST_REJECT_ALIASES, row.seq, store_now(s),
		    __func__);
	if (rc == 0 && (store_fts_forget(s, row.seq) == -1 ||
	    store_tags_forget(s, row.seq, row.sort_time) == -1 ||
	    store_geo_write(s, row.seq, NULL, 0) == -1))
		rc = -1;
	if (rc == 0)
		rc = store_run_int(s, ST_DELETE, row.seq, 0, __func__);
	if (rc == -1) {
		store_rollback(s);
		goto done;
	}
	rc = store_commit(s) == 0 ? 1 : -1;
 done:
	free(row.id);
	return (rc);
}

void
store_set_tombstone_ttl(struct store *s, int64_t seconds)
{
	s->tombstone_ttl = seconds > 0 ? seconds : 0;
}

/* At most this many entries expire per sweep: the loop stays free. */
#define STORE_EXPIRE_BATCH	500

int
store_expire(struct store *s, int *count)
{
	sqlite3_stmt	*st = s->stmt[ST_EXPIRED];
	struct entry	**dead = NULL, *e;
	enum store_result r;
	int64_t		 now = store_now(s), vt, cut;
	size_t		 n = 0, i;
	int		 rc;

	*count = 0;
	if (s->in_txn) {
		log_warnx("%s: %s: a transaction is open", __func__, s->path);
		return (-1);
	}
	if ((dead = calloc(STORE_EXPIRE_BATCH, sizeof(*dead))) == NULL)
		fatal("%s", __func__);
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_int64(st, 2, STORE_EXPIRE_BATCH);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
	    n < STORE_EXPIRE_BATCH) {
		/*
		 * Nothing but the id and a time: every node that holds any
		 * version of the entry makes the same tombstone. A version
		 * newer than its own end is ended at its own time (a
		 * tombstone wins a tie).
		 */
		e = entry_new();
		e->id = store_column_dup(st, 0);
		vt = store_column_time(st, 1);
		e->updated = sqlite3_column_int64(st, 2);
		if (vt != ENTRY_NO_TIME && vt > e->updated)
			e->updated = vt;
		e->deleted = 1;
		dead[n++] = e;
	}
	store_done(st);
	rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
	if (rc == -1)
		log_warnx("%s: %s: %s", __func__, s->path,
		    sqlite3_errmsg(s->db));
	if (rc == 0 && store_begin(s) == 0) {
		for (i = 0; i < n && rc == 0; i++)
			if ((rc = store_upsert(s, dead[i], NULL, &r)) == 0 &&
			    r == STORE_UPDATED)
				(*count)++;
		/* Tombstones that left the listings since the last sweep. */
		cut = s->tombstone_ttl > 0 ? now - s->tombstone_ttl : INT64_MIN;
		if (rc == 0 && s->tombstone_ttl > 0 && cut > s->purge_cut) {
			st = s->stmt[ST_AGED];
			sqlite3_bind_int64(st, 1, s->purge_cut);
			sqlite3_bind_int64(st, 2, cut);
			if (sqlite3_step(st) == SQLITE_ROW &&
			    sqlite3_column_int64(st, 0) > 0)
				s->dirty = 1;
			store_done(st);
		}
		if (rc == 0)
			rc = store_commit(s);
		else
			store_rollback(s);
		if (rc == 0)
			s->purge_cut = cut;
	} else
		rc = -1;
	for (i = 0; i < n; i++)
		entry_free(dead[i]);
	free(dead);
	if (rc == 0 && *count > 0)
		log_info("%s: %d entries expired into tombstones", s->path,
		    *count);
	return (rc);
}
