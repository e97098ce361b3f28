/*
 * feedmesh: the public HTTP side (evhttp): merged listings, /health.
 * Rendered listings are kept in memory until the store changes.
 */
#ifndef FEEDMESH_SERVE_H
#define FEEDMESH_SERVE_H

struct event_base;
struct config;
struct store;
struct serve;

struct serve	*serve_new(struct event_base *, struct store *,
		    const struct config *);
/* Binds "address:port" (IPv6 as "[addr]:port"); 0 or -1, logged. */
int		 serve_listen(struct serve *, const char *listen);
/* After a reload: new titles, limits; the listener is kept. */
void		 serve_set_config(struct serve *, const struct config *);
void		 serve_free(struct serve *);

#endif
