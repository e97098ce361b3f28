/*
 * feedmesh: the public HTTP side (evhttp): merged listings, /health.
 * Rendered listings are kept in memory until the store changes.
 */
#ifndef FEEDMESH_SERVE_H
#define FEEDMESH_SERVE_H

#include <stddef.h>
#include <stdint.h>

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

/* The local port of the socket bound last (useful with port 0), or -1. */
int		 serve_port(const struct serve *);

/* Counters, for tests and the admin interface. */
struct serve_stats {
	uint64_t	 requests;
	uint64_t	 renders;	/* listings built from the store */
	uint64_t	 cache_hits;
	uint64_t	 not_modified;	/* 304 answers */
	uint64_t	 refused;	/* connections over max_connections */
	int		 connections;	/* open connections counted */
	size_t		 cache_entries;
	size_t		 cache_bytes;
};
void		 serve_stats(const struct serve *, struct serve_stats *);

#endif
