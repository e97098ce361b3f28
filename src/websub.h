/*
 * feedmesh: this node as a W3C WebSub subscriber of its peers (push =
 * websub): hub discovery, subscriptions with a fresh callback and secret
 * at each renewal, verification of intent, signed content distributions
 * ingested like a pull, and the "live" state that slows pulling down.
 */
#ifndef FEEDMESH_WEBSUB_H
#define FEEDMESH_WEBSUB_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct event_base;
struct config;
struct feed_meta;
struct peer_conf;
struct serve;
struct store;
struct websub;

/*
 * Routes /websub/ on serve and resumes the subscriptions kept in the
 * store. NULL, logged, on failure.
 */
struct websub	*websub_new(struct event_base *, struct store *,
		    struct serve *, const struct config *);
/* After a reload: unsubscribes peers removed or no longer pushed. */
void		 websub_reconfigure(struct websub *, const struct config *);
/* Finalizes statements: before store_close(). */
void		 websub_free(struct websub *);

/*
 * What a successful pull saw: the hub and self URLs (either NULL).
 * Subscribes, or subscribes again when they changed.
 */
void		 websub_discovered(struct websub *, const struct peer_conf *,
		    const char *hub, const char *self);
/*
 * The hub and self URLs of a fetched document: from its HTTP Link
 * headers first, then from the links inside it (meta may be NULL).
 * New strings in *hub and *self, NULL when absent.
 */
void		 websub_discover(const char *link_header,
		    const struct feed_meta *meta, char **hub, char **self);
/*
 * The first URL of a Link header value (several links, quoted rel
 * lists) whose rel holds the relation; a new string, or NULL.
 */
char		*websub_link_find(const char *link_header, const char *rel);

/* 1 while the peer has a verified, unexpired subscription it honours. */
int		 websub_live(const struct websub *, const char *peer);
/* A pull while live stored entries that no push brought. */
void		 websub_missed(struct websub *, const char *peer, int count);
/* Called when a peer's push state changes (to re-arm its pull timer). */
typedef void	(*websub_change_cb)(const char *peer, void *arg);
void		 websub_set_change_cb(struct websub *, websub_change_cb,
		    void *);
/* The push state of a peer for feedmeshctl peers; NULL if not pushed. */
json_t		*websub_peer_json(const struct websub *, const char *peer);

/*
 * Checks an X-Hub-Signature value ("sha1=HEX", sha256, sha384, sha512)
 * against the body with the secret, in constant time: 1 valid, 0 not.
 */
int		 websub_signature_check(const char *header, const char *secret,
		    const void *body, size_t len);
/* A new random token of 128 bits (32 hex digits, and a NUL). */
#define WEBSUB_TOKEN_LEN	33
void		 websub_token_new(char *, size_t);
/* 1 if s has the form of a token (so that a lookup is worth it). */
int		 websub_token_valid(const char *);

#endif
