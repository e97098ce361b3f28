/*
 * feedmesh: a merged listing written as an RFC 7946 GeoJSON
 * FeatureCollection, one Point feature per entry that has a geo point.
 */
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "render.h"

static int	 render_geojson_write_cb(const char *, size_t, void *);
static void	 render_geojson_set(json_t *, const char *, const char *);

static int
render_geojson_write_cb(const char *p, size_t len, void *arg)
{
	buf_add(arg, p, len);
	return (0);
}

/* Sets a string member; NULL or non-UTF-8 gives JSON null. */
static void
render_geojson_set(json_t *o, const char *key, const char *value)
{
	json_t	*s = NULL;

	if (value != NULL && (s = json_string(value)) == NULL)
		log_debug("%s: %s is not UTF-8, left out", __func__, key);
	json_object_set_new(o, key, s != NULL ? s : json_null());
}

/*
 * Appends the listing as a FeatureCollection. Coordinates are
 * [longitude, latitude] (RFC 7946 3.1.1); entries without a point and
 * tombstones are left out. The feed's title and links are foreign
 * members (RFC 7946 6.1), which GeoJSON readers ignore.
 */
void
render_geojson(struct buf *b, const struct render_feed *f,
    struct entry *const *entries, size_t n)
{
	json_t			*root, *features, *ft, *geom, *coords, *props;
	const struct entry	*e;
	char			 ts[DATE_RFC3339_LEN];
	size_t			 i;

	root = json_object();
	json_object_set_new(root, "type", json_string("FeatureCollection"));
	render_geojson_set(root, "title", f->title != NULL ? f->title : "");
	render_geojson_set(root, "feed_url", f->self_url);
	if (f->next_url != NULL)
		render_geojson_set(root, "next_url", f->next_url);
	features = json_array();
	for (i = 0; i < n; i++) {
		e = entries[i];
		if (e->id == NULL || e->deleted || !e->has_geo)
			continue;
		coords = json_array();
		json_array_append_new(coords, json_real(e->lon));
		json_array_append_new(coords, json_real(e->lat));
		geom = json_object();
		json_object_set_new(geom, "type", json_string("Point"));
		json_object_set_new(geom, "coordinates", coords);
		props = json_object();
		render_geojson_set(props, "id", e->id);
		render_geojson_set(props, "title", e->title);
		render_geojson_set(props, "kind", e->kind);
		render_geojson_set(props, "link", e->link);
		render_geojson_set(props, "territory", e->territory);
		if (e->published != ENTRY_NO_TIME) {
			date_format_rfc3339(e->published, ts, sizeof(ts));
			render_geojson_set(props, "published", ts);
		} else
			json_object_set_new(props, "published", json_null());
		ft = json_object();
		json_object_set_new(ft, "type", json_string("Feature"));
		render_geojson_set(ft, "id", e->id);
		json_object_set_new(ft, "geometry", geom);
		json_object_set_new(ft, "properties", props);
		json_array_append_new(features, ft);
	}
	json_object_set_new(root, "features", features);
	if (json_dump_callback(root, render_geojson_write_cb, b,
	    JSON_COMPACT | JSON_REAL_PRECISION(10)) == -1)
		log_warnx("%s: cannot write the collection", __func__);
	buf_addc(b, '\n');
	json_decref(root);
}
