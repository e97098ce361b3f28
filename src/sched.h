/*
 * feedmesh: the pulling loop. Each peer has its own timer; a fetch is
 * conditional (ETag, Last-Modified), its interval follows the peer's
 * configuration lengthened by max-age/Expires/ttl, backs off on failure
 * and honours Retry-After. State survives restarts through the store.
 */
#ifndef FEEDMESH_SCHED_H
#define FEEDMESH_SCHED_H

#include <jansson.h>

struct event_base;
struct config;
struct fetcher;
struct store;
struct sched;

struct sched	*sched_new(struct event_base *, struct store *,
		    struct fetcher *, const struct config *);
/* Reconciles peers by name with a new configuration (after SIGHUP). */
void		 sched_reconfigure(struct sched *, const struct config *);
/* Fetches a peer now: 0, or -1 with a reason. */
int		 sched_fetch_now(struct sched *, const char *peer,
		    const char **why);
/* One object per peer, for feedmeshctl peers. */
json_t		*sched_peers_json(struct sched *);
int		 sched_npeers(const struct sched *);
void		 sched_free(struct sched *);

#endif
