/*
 * feedmesh: the static files of www/ (widget, stylesheets, map script)
 * compiled into the daemon by tools/assets.sh, and the routes that serve
 * them, the files of assets_dir (Leaflet) under /assets/.
 */
#ifndef FEEDMESH_ASSETS_H
#define FEEDMESH_ASSETS_H

#include <stddef.h>

struct config;
struct serve;
struct serve_assets;

/* One compiled file; the table ends with a NULL path. */
struct asset {
	const char		*path;		/* URL path, "/embed.js" */
	const char		*type;		/* Content-Type */
	const char		*etag;
	const char		*etag_gz;
	const unsigned char	*data;
	size_t			 len;
	const unsigned char	*gz;		/* gzip -9n of data */
	size_t			 gzlen;
};
extern const struct asset assets[];

const struct asset	*assets_find(const char *path);

/* Registers the routes of the compiled files and of /assets/. */
struct serve_assets	*serve_assets_new(struct serve *,
			    const struct config *);
void			 serve_assets_set_config(struct serve_assets *,
			    const struct config *);
void			 serve_assets_free(struct serve_assets *);

#endif
