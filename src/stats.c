/*
 * feedmesh: report figures from the store, and the served counts it
 * keeps per day.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "stats.h"
#include "store.h"
#include "store_private.h"

/* Unix seconds are at most this many digits (year 5138). */
#define STATS_SECONDS_DIGITS	11
#define STATS_DAY		86400

static const char *const stats_by_names[] = {
	[STATS_BY_NONE] = NULL,
	[STATS_BY_KIND] = "kind",
	[STATS_BY_TERRITORY] = "territory",
	[STATS_BY_PEER] = "peer",
	[STATS_BY_MONTH] = "month",
};

static int	 stats_time(const char *, int, int64_t *);
static void	 stats_day(int64_t, char *, size_t);
static json_t	*stats_row(sqlite3_stmt *, int);

/*
 * A bound of the period: unix seconds, a day (the end of that day when
 * it is the "to" bound) or an RFC 3339 time.
 */
static int
stats_time(const char *v, int end, int64_t *t)
{
	size_t	 i;
	char	 buf[32];

	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++)
		;
	if (i > 0 && v[i] == '\0' && i <= STATS_SECONDS_DIGITS) {
		*t = strtoll(v, NULL, 10);
		return (0);
	}
	if (strlen(v) == 10 && v[4] == '-' && v[7] == '-') {
		snprintf(buf, sizeof(buf), "%sT00:00:00Z", v);
		if ((*t = date_parse(buf, NULL)) == ENTRY_NO_TIME)
			return (-1);
		if (end)
			*t += STATS_DAY;
		return (0);
	}
	if (v[0] < '0' || v[0] > '9' ||
	    (*t = date_parse(v, NULL)) == ENTRY_NO_TIME)
		return (-1);
	return (0);
}

int
stats_params(const char *from, const char *to, const char *by,
    int64_t *fromp, int64_t *top, enum stats_by *byp, const char **why)
{
	size_t	 i;

	*fromp = 0;
	*top = INT64_MAX / 2;
	*byp = STATS_BY_NONE;
	if (from != NULL && stats_time(from, 0, fromp) == -1) {
		*why = "bad from: expected YYYY-MM-DD, RFC 3339 or unix time";
		return (-1);
	}
	if (to != NULL && stats_time(to, 1, top) == -1) {
		*why = "bad to: expected YYYY-MM-DD, RFC 3339 or unix time";
		return (-1);
	}
	if (*top <= *fromp) {
		*why = "the period ends before it starts";
		return (-1);
	}
	if (by == NULL)
		return (0);
	for (i = 1; i < sizeof(stats_by_names) / sizeof(stats_by_names[0]);
	    i++)
		if (strcmp(by, stats_by_names[i]) == 0) {
			*byp = (enum stats_by)i;
			return (0);
		}
	*why = "bad by: expected kind, territory, peer or month";
	return (-1);
}

/* The UTC day of t as YYYY-MM-DD. */
static void
stats_day(int64_t t, char *out, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, len, "%Y-%m-%d", &tm) == 0)
		snprintf(out, len, "9999-12-31");
}

/* The three figures of a result row, from column first on. */
static json_t *
stats_row(sqlite3_stmt *st, int first)
{
	return (json_pack("{s:I, s:I, s:I}",
	    "published", (json_int_t)sqlite3_column_int64(st, first),
	    "new_actors", (json_int_t)sqlite3_column_int64(st, first + 1),
	    "copublished", (json_int_t)sqlite3_column_int64(st, first + 2)));
}

/*
 * One walk of entries_sort over the period for the totals, one for the
 * groups. An entry counts once whatever the number of paths, except by
 * peer, where it counts for each peer that carried it ("" local).
 */
json_t *
stats_report(struct store *s, int64_t from, int64_t to, enum stats_by by)
{
	static const char *figures =
	    " count(*), coalesce(sum(e.kind = 'actor'), 0),"
	    " coalesce(sum((SELECT count(*) FROM paths c"
	    " WHERE c.seq = e.seq) >= 2), 0)";
	sqlite3		*db = store_sqlite(s);
	sqlite3_stmt	*st = NULL;
	struct buf	 sql;
	json_t		*root = NULL, *groups, *served, *g;
	const char	*key;
	char		 fday[16], tday[16];
	int64_t		 total = 0;
	int		 rc, pass;

	buf_init(&sql);
	root = json_object();
	groups = json_array();
	for (pass = 0; pass < 2; pass++) {
		if (pass == 1 && by == STATS_BY_NONE)
			break;
		buf_reset(&sql);
		buf_addstr(&sql, "SELECT ");
		switch (pass == 0 ? STATS_BY_NONE : by) {
		case STATS_BY_NONE:
			buf_printf(&sql, "'', %s FROM entries e", figures);
			break;
		case STATS_BY_KIND:
			buf_printf(&sql, "coalesce(e.kind, ''), %s"
			    " FROM entries e", figures);
			break;
		case STATS_BY_TERRITORY:
			buf_printf(&sql, "coalesce(e.territory, ''), %s"
			    " FROM entries e", figures);
			break;
		case STATS_BY_MONTH:
			buf_printf(&sql, "strftime('%%Y-%%m', e.sort_time,"
			    " 'unixepoch'), %s FROM entries e", figures);
			break;
		case STATS_BY_PEER:
			buf_printf(&sql, "p.peer, %s FROM entries e"
			    " JOIN paths p ON p.seq = e.seq", figures);
			break;
		}
		/* Entries held for moderation are not published yet. */
		buf_addstr(&sql, " WHERE e.deleted = 0 AND e.held = 0"
		    " AND e.sort_time >= ?1"
		    " AND e.sort_time < ?2");
		if (pass == 1)
			buf_addstr(&sql, " GROUP BY 1 ORDER BY 1");
		if (sqlite3_prepare_v2(db, sql.data, -1, &st, NULL) !=
		    SQLITE_OK)
			goto fail;
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, to);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			g = stats_row(st, 1);
			if (pass == 0) {
				json_object_set_new(root, "totals", g);
				continue;
			}
			key = (const char *)sqlite3_column_text(st, 0);
			json_object_set_new(g, "key", json_string(key != NULL ?
			    key : ""));
			json_array_append_new(groups, g);
		}
		if (rc != SQLITE_DONE)
			goto fail;
		sqlite3_finalize(st);
		st = NULL;
	}

	stats_day(from, fday, sizeof(fday));
	stats_day(to - 1, tday, sizeof(tday));
	if (sqlite3_prepare_v2(db, "SELECT format, sum(count) FROM serve_counts"
	    " WHERE day >= ?1 AND day <= ?2 GROUP BY format ORDER BY format",
	    -1, &st, NULL) != SQLITE_OK)
		goto fail;
	sqlite3_bind_text(st, 1, fday, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, tday, -1, SQLITE_STATIC);
	served = json_object();
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		key = (const char *)sqlite3_column_text(st, 0);
		json_object_set_new(served, key != NULL ? key : "",
		    json_integer(sqlite3_column_int64(st, 1)));
		total += sqlite3_column_int64(st, 1);
	}
	json_object_set_new(served, "total", json_integer(total));
	json_object_set_new(root, "served", served);
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);

	json_object_set_new(root, "from", json_string(fday));
	json_object_set_new(root, "to", json_string(tday));
	if (by != STATS_BY_NONE) {
		json_object_set_new(root, "by", json_string(stats_by_names[by]));
		json_object_set_new(root, "groups", groups);
	} else
		json_decref(groups);
	buf_free(&sql);
	return (root);
 fail:
	log_warnx("%s: %s: %s", __func__, store_path(s), sqlite3_errmsg(db));
	sqlite3_finalize(st);
	json_decref(groups);
	json_decref(root);
	buf_free(&sql);
	return (NULL);
}

int
stats_served_add(struct store *s, const char *day, const char *format,
    uint64_t n)
{
	sqlite3		*db = store_sqlite(s);
	sqlite3_stmt	*st;
	int		 rc;

	if (sqlite3_prepare_v2(db, "INSERT INTO serve_counts (day, format,"
	    " count) VALUES (?1, ?2, ?3) ON CONFLICT (day, format)"
	    " DO UPDATE SET count = count + excluded.count", -1, &st,
	    NULL) != SQLITE_OK) {
		log_warnx("%s: %s: %s", __func__, store_path(s),
		    sqlite3_errmsg(db));
		return (-1);
	}
	sqlite3_bind_text(st, 1, day, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, format, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)n);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s: %s", __func__, store_path(s),
		    sqlite3_errmsg(db));
		return (-1);
	}
	return (0);
}
