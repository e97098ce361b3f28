/*
 * feedmesh: the pulling loop. Each peer has its own timer; a fetch is
 * conditional (ETag, Last-Modified), its interval follows the peer's
 * configuration lengthened by max-age/Expires/ttl, backs off on failure
 * and honours Retry-After. State survives restarts through the store.
 */
#ifndef FEEDMESH_PULL_H
#define FEEDMESH_PULL_H

#include <jansson.h>

struct event_base;
struct config;
struct fetcher;
struct store;
struct pull;
struct websub;

struct pull	*pull_new(struct event_base *, struct store *,
		    struct fetcher *, const struct config *);
/* Reconciles peers by name with a new configuration (after SIGHUP). */
void		 pull_reconfigure(struct pull *, const struct config *);
/* Fetches a peer (or every peer: "*") now: 0, or -1 with a reason. */
int		 pull_fetch_now(struct pull *, const char *peer,
		    const char **why);
/* One object per peer, for feedmeshctl peers. */
json_t		*pull_peers_json(struct pull *);
int		 pull_npeers(const struct pull *);
/*
 * WebSub (websub.c): after each successful fetch pull reports the hub
 * and self links it saw, pulls a live peer every push_poll_interval,
 * and reports entries that pushes missed.
 */
void		 pull_set_websub(struct pull *, struct websub *);
void		 pull_free(struct pull *);

#endif
