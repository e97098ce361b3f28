/*
 * feedmesh tests: place listings (a box or a radius) read from grid cells
 * give exactly what a filter over every point gives, in the same order,
 * with kinds, cursors, ascending ranges, moved, removed, held and
 * rejected points, and after the migration of a store of schema 6.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#include "buf.h"
#include "entry.h"
#include "log.h"
#include "store.h"
#include "store_step8.h"
#include "tap.h"
#include "tmpdir.h"

#define T0		1764000000
#define NPOINTS		1500
#define NQUERIES	400

/* One listed entry: what the reference filter looks at. */
struct point {
	char	*id;
	char	*kind;
	double	 lat, lon;
	int64_t	 sort_time, seq;
};

struct points {
	struct point	*p;
	size_t		 n;
};

static const char *const kinds[] = { "job", "event", "actor", NULL };

static double	 rnd(double, double);
static void	 rnd_point(double *, double *);
static struct entry *mk_point(int, int64_t, int);
static int	 points_cb(const struct entry *, int64_t, int64_t, void *);
static void	 points_free(struct points *);
static int	 in_area(const struct store_query *, const struct point *);
static char	*reference(const struct points *, const struct store_query *,
		    int);
static char	*paged(struct store *, struct store_query *, int);
static void	 rnd_query(struct store_query *, int);
static int	 check_all(struct store *, const char *, unsigned int);
static void	 downgrade(const char *);



static double
rnd(double lo, double hi)
{
	return (lo + (hi - lo) * (random() / (double)RAND_MAX));
}

/*
 * A point where cells are hard: anywhere, a dense town, the antimeridian,
 * the poles, exactly on cell edges of some level, the world's corners.
 */
static void
rnd_point(double *lat, double *lon)
{
	double	 size;

	switch (random() % 6) {
	case 0:
		*lat = rnd(-90, 90);
		*lon = rnd(-180, 180);
		break;
	case 1:
		*lat = rnd(45.3, 45.7);
		*lon = rnd(4.3, 4.7);
		break;
	case 2:
		*lat = rnd(-30, 30);
		*lon = random() % 2 ? rnd(179.5, 180) : rnd(-180, -179.5);
		break;
	case 3:
		*lat = random() % 2 ? rnd(89.5, 90) : rnd(-90, -89.5);
		*lon = rnd(-180, 180);
		break;
	case 4:
		size = ldexp(90.0, -2 * (int)(random() % 8));
		*lat = -90 + size * (random() % (long)(180 / size + 1));
		*lon = -180 + size * (random() % (long)(360 / size + 1));
		if (*lat > 90)
			*lat = 90;
		if (*lon > 180)
			*lon = 180;
		break;
	default:
		*lat = random() % 2 ? 90 : -90;
		*lon = random() % 2 ? 180 : -180;
		if (random() % 2)
			*lat = rnd(-90, 90);
		break;
	}
}

/* Entry i, at time t (several share one), a random kind and point. */
static struct entry *
mk_point(int i, int64_t t, int geo)
{
	struct entry	*e;
	char		 id[64];

	e = entry_new();
	snprintf(id, sizeof(id), "tag:geo,2026:%d", i);
	entry_set(&e->id, id);
	entry_set(&e->title, id);
	e->published = t;
	if (kinds[random() % 4] != NULL)
		entry_set(&e->kind, kinds[random() % 3]);
	if (geo) {
		e->has_geo = 1;
		rnd_point(&e->lat, &e->lon);
	}
	return (e);
}

static int
points_cb(const struct entry *e, int64_t sort_time, int64_t seq, void *arg)
{
	struct points	*ps = arg;
	struct point	*p;

	if ((ps->p = reallocarray(ps->p, ps->n + 1, sizeof(*ps->p))) == NULL)
		abort();
	p = &ps->p[ps->n++];
	p->id = strdup(e->id);
	p->kind = e->kind != NULL ? strdup(e->kind) : NULL;
	p->lat = e->lat;
	p->lon = e->lon;
	p->sort_time = sort_time;
	p->seq = seq;
	return (0);
}

static void
points_free(struct points *ps)
{
	size_t	 i;

	for (i = 0; i < ps->n; i++) {
		free(ps->p[i].id);
		free(ps->p[i].kind);
	}
	free(ps->p);
	ps->p = NULL;
	ps->n = 0;
}

/* The plain definition of a query's area and filters. */
static int
in_area(const struct store_query *q, const struct point *p)
{
	if (q->kind != NULL && (p->kind == NULL || strcmp(q->kind,
	    p->kind) != 0))
		return (0);
	if (q->from_time != ENTRY_NO_TIME && p->sort_time < q->from_time)
		return (0);
	if (q->geo == STORE_GEO_NEAR)
		return (store_distance_km(q->lat, q->lon, p->lat, p->lon) <=
		    q->radius_km);
	if (p->lat < q->south || p->lat > q->north)
		return (0);
	if (q->west <= q->east)
		return (p->lon >= q->west && p->lon <= q->east);
	return (p->lon >= q->west || p->lon <= q->east);	/* across */
}

/* The ids the query should list, from every point, newest first. */
static char *
reference(const struct points *ps, const struct store_query *q, int asc)
{
	struct buf	 b;
	size_t		 i, k, n = 0;

	buf_init(&b);
	buf_addstr(&b, "");
	for (k = 0; k < ps->n; k++) {
		i = asc ? ps->n - 1 - k : k;
		if (!in_area(q, &ps->p[i]))
			continue;
		if (asc && q->limit > 0 && (int)n == q->limit)
			break;
		buf_printf(&b, "%s%s", n++ > 0 ? "," : "", ps->p[i].id);
	}
	return (buf_release(&b));
}

/* The query's ids, by pages of size (0: one listing), newest first. */
static char *
paged(struct store *s, struct store_query *q, int size)
{
	struct points	 page;
	struct buf	 b;
	size_t		 i, n = 0;
	int		 guard;

	buf_init(&b);
	buf_addstr(&b, "");
	q->limit = size;
	q->before_time = ENTRY_NO_TIME;
	q->before_seq = INT64_MAX;
	for (guard = 0; guard < NPOINTS + 2; guard++) {
		memset(&page, 0, sizeof(page));
		if (store_query_entries(s, q, points_cb, &page) == -1) {
			buf_addstr(&b, "ERROR");
			break;
		}
		for (i = 0; i < page.n; i++)
			buf_printf(&b, "%s%s", n++ > 0 ? "," : "",
			    page.p[i].id);
		if (size <= 0 || page.n < (size_t)size) {
			points_free(&page);
			break;
		}
		q->before_time = page.p[page.n - 1].sort_time;
		q->before_seq = page.p[page.n - 1].seq;
		points_free(&page);
	}
	q->limit = 0;
	q->before_time = ENTRY_NO_TIME;
	q->before_seq = INT64_MAX;
	return (buf_release(&b));
}

/* Query i: a radius or a box, small to huge, anywhere hard. */
static void
rnd_query(struct store_query *q, int i)
{
	static const double radii[] = { 0.5, 1, 3, 10, 25, 60, 150, 400,
	    1000 };
	double	 a, b, w, h;

	store_query_init(q);
	if (i % 4 == 0)
		q->kind = kinds[random() % 3];
	if (i % 2 == 0) {
		q->geo = STORE_GEO_NEAR;
		rnd_point(&q->lat, &q->lon);
		q->radius_km = i % 3 == 0 ? rnd(0.4, 1000) :
		    radii[random() % 9];
		return;
	}
	q->geo = STORE_GEO_BOX;
	rnd_point(&a, &b);
	switch (random() % 4) {
	case 0:
		w = rnd(0, 0.05);
		h = rnd(0, 0.05);
		break;
	case 1:
		w = rnd(0, 2);
		h = rnd(0, 2);
		break;
	case 2:
		w = rnd(0, 60);
		h = rnd(0, 40);
		break;
	default:
		w = rnd(0, 360);
		h = rnd(0, 180);
		break;
	}
	q->south = fmax(a - h / 2, -90);
	q->north = fmin(a + h / 2, 90);
	q->west = b - w / 2;
	q->east = b + w / 2;
	/* West of -180 or east of 180: across the antimeridian. */
	if (q->west < -180)
		q->west += 360;
	if (q->east > 180)
		q->east -= 360;
	if (i % 7 == 1) {
		q->west = -180;
		q->east = 180;
		q->south = -90;
		q->north = 90;
	}
}

/*
 * Every query, whole, by pages and oldest first from a time, against the
 * reference: a list of all points (entries_geo, not the cells).
 */
static int
check_all(struct store *s, const char *what, unsigned int seed)
{
	struct store_query	 q, all;
	struct points		 ps;
	char			*got, *want, *pages;
	int			 i, bad = 0, nonempty = 0;

	memset(&ps, 0, sizeof(ps));
	store_query_init(&all);
	all.geo = STORE_GEO_ANY;
	if (store_query_entries(s, &all, points_cb, &ps) == -1)
		return (-1);
	srandom(seed);
	for (i = 0; i < NQUERIES && bad < 3; i++) {
		rnd_query(&q, i);
		want = reference(&ps, &q, 0);
		got = paged(s, &q, 0);
		pages = paged(s, &q, 1 + random() % 9);
		if (*want != '\0')
			nonempty++;
		if (strcmp(got, want) != 0 || strcmp(pages, want) != 0) {
			printf("# %s: query %d (geo %d, %.9g %.9g %.9g %.9g, "
			    "%.9g %.9g %.9g km, kind %s)\n#  want %s\n"
			    "#  got  %s\n#  paged %s\n", what, i, q.geo,
			    q.west, q.south, q.east, q.north, q.lat, q.lon,
			    q.radius_km, q.kind ? q.kind : "-", want, got,
			    pages);
			bad++;
		}
		free(want);
		free(got);
		free(pages);
		/* Ascending from a time, one page. */
		q.oldest_first = 1;
		q.from_time = T0 + (random() % 400) * 10;
		q.limit = 5;
		want = reference(&ps, &q, 1);
		{
			struct points	 page;
			struct buf	 b;
			size_t		 k;

			memset(&page, 0, sizeof(page));
			buf_init(&b);
			buf_addstr(&b, "");
			if (store_query_entries(s, &q, points_cb, &page) == -1)
				buf_addstr(&b, "ERROR");
			for (k = 0; k < page.n; k++)
				buf_printf(&b, "%s%s", k > 0 ? "," : "",
				    page.p[k].id);
			points_free(&page);
			got = buf_release(&b);
		}
		if (strcmp(got, want) != 0) {
			printf("# %s: query %d oldest first: want %s, got %s\n",
			    what, i, want, got);
			bad++;
		}
		free(want);
		free(got);
	}
	points_free(&ps);
	ok(bad == 0 && nonempty > NQUERIES / 4,
	    "%s: %d radii and boxes list what a filter over every point "
	    "lists, whole, by pages and oldest first (%d not empty)", what,
	    NQUERIES, nonempty);
	return (bad);
}

/*
 * Makes a store of schema 6 of the one at path: no cell tags, no point
 * columns in entry_tags, user_version 6.
 */
static void
downgrade(const char *path)
{
	is_int(store_step8(path, "DELETE FROM entry_tags WHERE tag >= 'g0'"
	    " AND tag < 'g:';"
	    "ALTER TABLE entry_tags DROP COLUMN lat;"
	    "ALTER TABLE entry_tags DROP COLUMN lon;"
	    "PRAGMA user_version = 6;"), 0,
	    "schema 6: every tag found back from its token");
}

int
main(void)
{
	static const char *const held[] = { "moderated" };
	enum store_result	 r;
	struct store		*s;
	struct entry		*e;
	sqlite3			*db;
	sqlite3_stmt		*st;
	char			*p, id[64];
	int64_t			 cells = -1;
	int			 i;

	log_init(1, LOG_LEVEL_WARN, "geo_test");
	if (tmpdir_make("geo") == -1)
		return (1);
	p = db_path("geo.db");
	if ((s = store_open(p)) == NULL) {
		ok(0, "store opened");
		tmp_cleanup();
		return (tap_done());
	}
	store_set_now(s, T0 + 100000);
	srandom(7);
	store_begin(s);
	for (i = 0; i < NPOINTS; i++) {
		/* Every tenth without a point; times shared by threes. */
		e = mk_point(i, T0 + (i / 3) * 10, i % 10 != 0);
		store_entry_upsert(s, e, NULL, &r);
		entry_free(e);
	}
	store_commit(s);
	check_all(s, "fresh", 1);

	/* Points moved, removed, made tombstones; held, rejected, approved. */
	store_set_held_peers(s, held, 1);
	store_begin(s);
	for (i = 0; i < NPOINTS; i += 7) {
		e = mk_point(i, T0 + (i / 3) * 10, i % 3 != 0);
		e->updated = T0 + 50000;
		if (i % 5 == 0)
			e->deleted = 1;
		store_entry_upsert(s, e, NULL, &r);
		entry_free(e);
	}
	for (i = NPOINTS; i < NPOINTS + 60; i++) {
		e = mk_point(i, T0 + i * 3, 1);
		store_entry_upsert(s, e, "moderated", &r);
		entry_free(e);
	}
	store_commit(s);
	for (i = NPOINTS; i < NPOINTS + 60; i += 2) {
		snprintf(id, sizeof(id), "tag:geo,2026:%d", i);
		if (i % 4 == 0)
			store_held_reject(s, id);
		else
			store_held_approve(s, id);
	}
	check_all(s, "updated", 2);
	store_close(s);

	/* The same store as schema 6 left it, then opened again. */
	downgrade(p);
	if (sqlite3_open(p, &db) == SQLITE_OK && sqlite3_prepare_v2(db,
	    "SELECT count(*) FROM entry_tags WHERE tag >= 'g0'"
	    " AND tag < 'g:'", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			cells = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	is_int(cells, 0, "schema 6: no cells");
	if ((s = store_open(p)) == NULL) {
		ok(0, "schema 6 opened");
		free(p);
		tmp_cleanup();
		return (tap_done());
	}
	store_set_now(s, T0 + 100000);
	check_all(s, "migrated from schema 6", 2);
	store_close(s);
	free(p);
	tmp_cleanup();
	return (tap_done());
}
