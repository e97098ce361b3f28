/*
 * feedmesh: the grid cells that let a place listing (a box or a radius)
 * read newest first from the tag index (entries_tags), whatever the
 * number of entries in the area: the cells of an entry's point, and the
 * cells that cover an area.
 *
 * Level k (0..STORE_GEO_LEVELS-1) cuts the world into squares of
 * 90 / 4^k degrees: 4 x 2 cells at level 0 (the world in 8 cells), down
 * to 0.0055 degrees (about 600 m of latitude) at level 7. A point lies in
 * one cell of each level, tagged "g<k>:<x>:<y>" with x counted from
 * longitude -180 and y from latitude -90. An area is covered by the cells
 * of the finest level that needs at most STORE_GEO_MAXCELLS of them;
 * level 0 always does, so every area, the whole world and the poles
 * included, has a cover. With levels four times apart the chosen cells
 * are at most about four times the area's extent, so that the cover
 * holds a bounded multiple of the area's entries (when they are spread
 * evenly) and a page reads a bounded number of rows.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "entry.h"
#include "store.h"
#include "store_private.h"

/*
 * Slack of the bounding box of a radius (degrees, about 1 cm): it only
 * chooses cells, the exact distance decides, so it may err outward.
 */
#define STORE_GEO_SLACK		1e-7

static double	 store_geo_size(int);
static long	 store_geo_x(double, int);
static long	 store_geo_y(double, int);
static int	 store_geo_bounds(const struct store_query *,
		    struct store_geo_cover *);

/* The side of level k's cells, in degrees: exact in binary. */
static double
store_geo_size(int level)
{
	return (ldexp(90.0, -2 * level));
}

/*
 * The column and row of a longitude and latitude: monotonic in their
 * argument (so that the cells between an area's corners hold every point
 * between them), clamped so that 180 and 90 fall in the last cell.
 */
static long
store_geo_x(double lon, int level)
{
	long	 n = 4L << (2 * level);
	double	 x = floor((lon + 180.0) / store_geo_size(level));

	if (!(x >= 0))
		return (0);
	return (x >= (double)n ? n - 1 : (long)x);
}

static long
store_geo_y(double lat, int level)
{
	long	 n = 2L << (2 * level);
	double	 y = floor((lat + 90.0) / store_geo_size(level));

	if (!(y >= 0))
		return (0);
	return (y >= (double)n ? n - 1 : (long)y);
}

int
store_geo_cell(double lat, double lon, int level, char *tag, size_t len)
{
	int	 n;

	if (!isfinite(lat) || !isfinite(lon) || level < 0 ||
	    level >= STORE_GEO_LEVELS)
		return (-1);
	n = snprintf(tag, len, "g%d:%ld:%ld", level, store_geo_x(lon, level),
	    store_geo_y(lat, level));
	return (n < 0 || (size_t)n >= len ? -1 : 0);
}

/*
 * The area's latitudes and its one or two longitude intervals (two when
 * it crosses the antimeridian): a box as given (west > east crosses it),
 * a radius as the box around its circle, every longitude when the circle
 * holds a pole. 0, or -1 if the area is empty or not a number.
 */
static int
store_geo_bounds(const struct store_query *q, struct store_geo_cover *c)
{
	double	 dlat, dlon, ratio, w, e;

	c->nlon = 1;
	if (q->geo == STORE_GEO_BOX) {
		if (!isfinite(q->west) || !isfinite(q->east) ||
		    !isfinite(q->south) || !isfinite(q->north))
			return (-1);
		c->south = fmax(q->south, -90.0);
		c->north = fmin(q->north, 90.0);
		w = fmax(q->west, -180.0);
		e = fmin(q->east, 180.0);
		if (c->south > c->north || (q->west <= q->east && w > e))
			return (-1);
		if (q->west <= q->east) {
			c->west[0] = w;
			c->east[0] = e;
		} else {
			c->west[0] = fmin(q->west, 180.0);
			c->east[0] = 180.0;
			c->west[1] = -180.0;
			c->east[1] = fmax(q->east, -180.0);
			c->nlon = 2;
		}
		return (0);
	}
	if (!isfinite(q->lat) || !isfinite(q->lon) ||
	    !isfinite(q->radius_km) || q->radius_km < 0)
		return (-1);
	dlat = q->radius_km / STORE_EARTH_KM * 180.0 / M_PI;
	c->south = q->lat - dlat - STORE_GEO_SLACK;
	c->north = q->lat + dlat + STORE_GEO_SLACK;
	c->west[0] = -180.0;
	c->east[0] = 180.0;
	if (c->south <= -90.0 || c->north >= 90.0) {
		/* A pole is inside: every longitude. */
		c->south = fmax(c->south, -90.0);
		c->north = fmin(c->north, 90.0);
		return (0);
	}
	/*
	 * The meridians tangent to the circle: sin(dlon) = sin(d) / cos(lat)
	 * (below 1 here, since the circle does not reach the pole).
	 */
	ratio = sin(dlat * M_PI / 180.0) / cos(q->lat * M_PI / 180.0);
	if (!(ratio < 1.0))
		return (0);
	dlon = asin(ratio) * 180.0 / M_PI + STORE_GEO_SLACK;
	w = q->lon - dlon;
	e = q->lon + dlon;
	if (e - w >= 360.0)
		return (0);
	if (w < -180.0) {
		c->west[0] = w + 360.0;
		c->west[1] = -180.0;
		c->east[1] = e;
		c->nlon = 2;
	} else if (e > 180.0) {
		c->west[0] = w;
		c->west[1] = -180.0;
		c->east[1] = e - 360.0;
		c->nlon = 2;
	} else {
		c->west[0] = w;
		c->east[0] = e;
	}
	return (0);
}

int
store_geo_cover(const struct store_query *q, struct store_geo_cover *c)
{
	long	 x0[2], x1[2], y0, y1, x, y;
	int	 level, i, nlon, n;

	memset(c, 0, sizeof(*c));
	if (q->geo != STORE_GEO_BOX && q->geo != STORE_GEO_NEAR)
		return (0);
	if (store_geo_bounds(q, c) == -1) {
		/*
		 * Nothing can match: one cell, and a check that fails. The
		 * statement stays one of the usual shapes.
		 */
		c->empty = 1;
		c->south = 1.0;
		c->north = 0.0;
		c->nlon = 1;
		c->west[0] = 1.0;
		c->east[0] = 0.0;
		c->level = STORE_GEO_LEVELS - 1;
		c->ncells = 1;
		return (1);
	}
	for (level = STORE_GEO_LEVELS - 1; level >= 0; level--) {
		nlon = c->nlon;
		for (i = 0; i < nlon; i++) {
			x0[i] = store_geo_x(c->west[i], level);
			x1[i] = store_geo_x(c->east[i], level);
		}
		/* Two intervals meeting in a cell: every column, once. */
		if (nlon == 2 && x1[1] >= x0[0]) {
			x0[0] = 0;
			x1[0] = (4L << (2 * level)) - 1;
			nlon = 1;
		}
		y0 = store_geo_y(c->south, level);
		y1 = store_geo_y(c->north, level);
		n = 0;
		for (i = 0; i < nlon; i++)
			n += (int)(x1[i] - x0[i] + 1);
		if ((long)n * (y1 - y0 + 1) > STORE_GEO_MAXCELLS && level > 0)
			continue;
		c->level = level;
		for (i = 0; i < nlon; i++)
			for (x = x0[i]; x <= x1[i]; x++)
				for (y = y0; y <= y1; y++) {
					c->x[c->ncells] = x;
					c->y[c->ncells] = y;
					c->ncells++;
				}
		break;
	}
	return (c->ncells);
}

void
store_geo_cover_tag(const struct store_geo_cover *c, int i, char *tag,
    size_t len)
{
	snprintf(tag, len, "g%d:%ld:%ld", c->level, c->x[i], c->y[i]);
}

/*
 * SQL feedmesh_geo_cell(lat, lon, level): the tag of the point's cell,
 * NULL if any argument is NULL or out of range. Schema step 7 calls it:
 * its results never change.
 */
void
store_geo_cell_fn(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	char	 tag[STORE_GEO_TAG_MAX];
	int	 i;

	for (i = 0; i < argc; i++)
		if (sqlite3_value_type(argv[i]) == SQLITE_NULL) {
			sqlite3_result_null(ctx);
			return;
		}
	if (store_geo_cell(sqlite3_value_double(argv[0]),
	    sqlite3_value_double(argv[1]), sqlite3_value_int(argv[2]), tag,
	    sizeof(tag)) == -1) {
		sqlite3_result_null(ctx);
		return;
	}
	sqlite3_result_text(ctx, tag, -1, SQLITE_TRANSIENT);
}
