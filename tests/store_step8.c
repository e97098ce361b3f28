/*
 * feedmesh tests: a store of schema step 8 made from a current one (see
 * store_step8.h). Tokens are one-way: every tag an entry of the store can
 * have is tokenized, and each token of a tag set is looked up among them.
 * A tombstone keeps the tags of the version it ended, whose values other
 * entries of a test store have too.
 */
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "log.h"
#include "store.h"
#include "store_private.h"
#include "store_step8.h"

static const char step8[] =
	"CREATE TABLE entry_tags ("
	" tag TEXT NOT NULL,"
	" sort_time INTEGER NOT NULL,"
	" seq INTEGER NOT NULL REFERENCES entries(seq) ON DELETE CASCADE,"
	" lat REAL, lon REAL,"
	" PRIMARY KEY (tag, sort_time, seq)) WITHOUT ROWID;"
	"CREATE INDEX entry_tags_seq ON entry_tags(seq, tag);"
	"CREATE TEMP TABLE step8_prefix (p TEXT PRIMARY KEY);"
	"WITH RECURSIVE pre(p, rest) AS ("
	" SELECT '', territory || '/' FROM entries WHERE territory <> ''"
	" UNION SELECT p || CASE WHEN p = '' THEN '' ELSE '/' END ||"
	" substr(rest, 1, instr(rest, '/') - 1),"
	" substr(rest, instr(rest, '/') + 1) FROM pre WHERE rest <> '')"
	" INSERT OR IGNORE INTO temp.step8_prefix SELECT p FROM pre"
	" WHERE p <> '';"
	"CREATE TEMP TABLE step8_dict (tok TEXT PRIMARY KEY, tag TEXT);"
	"WITH kinds(k) AS (SELECT DISTINCT kind FROM entries"
	" WHERE kind IS NOT NULL),"
	" levels(l) AS (VALUES (0), (1), (2), (3), (4), (5), (6), (7)),"
	" cells(c, k) AS (SELECT feedmesh_geo_cell(g.lat, g.lon, l.l), e.kind"
	" FROM entries_geo g CROSS JOIN entries e CROSS JOIN levels l"
	" WHERE e.seq = g.seq),"
	" tags(t) AS ("
	" SELECT 'k:' || k FROM kinds"
	" UNION SELECT 't:' || p FROM temp.step8_prefix"
	" UNION SELECT 'kt:' || k || '|' || p FROM kinds, temp.step8_prefix"
	" UNION SELECT 'c:' || json_extract(c.value, '$.term') FROM entries e,"
	" json_each(e.doc, '$._feedmesh.categories') c"
	" UNION SELECT c FROM cells WHERE c IS NOT NULL"
	" UNION SELECT c || '|' || k FROM cells"
	" WHERE c IS NOT NULL AND k IS NOT NULL)"
	" INSERT OR IGNORE INTO temp.step8_dict"
	" SELECT feedmesh_tag_token(t), t FROM tags WHERE t IS NOT NULL;"
	"CREATE TEMP TABLE step8_tok (seq INTEGER, tok TEXT);"
	"WITH RECURSIVE split(seq, rest, tok) AS ("
	" SELECT seq, tags || ' ' || cells || ' ', '' FROM entry_tagsets"
	" UNION ALL SELECT seq, substr(rest, instr(rest, ' ') + 1),"
	" substr(rest, 1, instr(rest, ' ') - 1) FROM split WHERE rest <> '')"
	" INSERT INTO temp.step8_tok SELECT seq, tok FROM split"
	" WHERE tok <> '';"
	"INSERT OR IGNORE INTO entry_tags (tag, sort_time, seq, lat, lon)"
	" SELECT d.tag, e.sort_time, t.seq,"
	" CASE WHEN d.tag >= 'g0' AND d.tag < 'g:' THEN g.lat END,"
	" CASE WHEN d.tag >= 'g0' AND d.tag < 'g:' THEN g.lon END"
	" FROM temp.step8_tok t JOIN temp.step8_dict d ON d.tok = t.tok"
	" JOIN entries e ON e.seq = t.seq"
	" LEFT JOIN entries_geo g ON g.seq = t.seq;"
	"INSERT OR IGNORE INTO entry_tags (tag, sort_time, seq)"
	" SELECT 'p:' || p.peer, e.sort_time, p.seq FROM paths p"
	" JOIN entries e ON e.seq = p.seq;";

static const char step8_end[] =
	"DROP TABLE entries_tags;"
	"DROP TABLE entry_tagsets;"
	"DROP INDEX paths_peer;"
	"ALTER TABLE paths DROP COLUMN sort_time;"
	"CREATE INDEX paths_peer ON paths(peer, seq);"
	/* Step 10's. */
	"ALTER TABLE entries DROP COLUMN paths_rev;"
	"PRAGMA user_version = 8;";

int
store_step8(const char *path, const char *then)
{
	struct store	*s;
	sqlite3		*db;
	sqlite3_stmt	*st;
	char		*err = NULL;
	int		 lost = -1;

	if ((s = store_open(path)) == NULL)
		return (-1);
	db = store_sqlite(s);
	if (sqlite3_exec(db, step8, NULL, NULL, &err) != SQLITE_OK) {
		log_warnx("%s: %s", __func__, err);
		goto done;
	}
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM temp.step8_tok t"
	    " WHERE NOT EXISTS (SELECT 1 FROM temp.step8_dict d"
	    " WHERE d.tok = t.tok)", -1, &st, NULL) != SQLITE_OK)
		goto done;
	if (sqlite3_step(st) == SQLITE_ROW)
		lost = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (sqlite3_exec(db, step8_end, NULL, NULL, &err) != SQLITE_OK ||
	    (then != NULL && sqlite3_exec(db, then, NULL, NULL, &err) !=
	    SQLITE_OK)) {
		log_warnx("%s: %s", __func__, err);
		lost = -1;
	}
 done:
	sqlite3_free(err);
	store_close(s);
	return (lost);
}
