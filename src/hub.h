/*
 * feedmesh: this node as a W3C WebSub hub for its own listings: POST /hub
 * (subscribe, unsubscribe, publish pings), verification of intent, and
 * content distributions queued in the store and delivered, signed, by a
 * pump of its own that never blocks the loop.
 */
#ifndef FEEDMESH_HUB_H
#define FEEDMESH_HUB_H

#include <stddef.h>

#include <jansson.h>

struct admin;
struct buf;
struct config;
struct entry;
struct event_base;
struct query;
struct serve;
struct store;
struct hub;

/* Longest hub.secret accepted (WebSub 5.1: less than 200 bytes). */
#define HUB_SECRET_MAX		199
/* "sha256=" and 64 hex digits, with the NUL. */
#define HUB_SIGNATURE_LEN	(7 + 64 + 1)
/* Longest topic or callback URL accepted. */
#define HUB_URL_MAX		2048

/*
 * Registers POST /hub with serve, the admin command GET /subscriptions
 * with admin (may be NULL), listens to the store's change events and
 * starts the delivery pump on what a previous run left queued.
 */
struct hub	*hub_new(struct event_base *, struct store *, struct serve *,
		    struct admin *, const struct config *);
/* After a reload: leases, limits, peers (loop rule), hub on or off. */
void		 hub_set_config(struct hub *, const struct config *);
/* Cancels transfers (queued deliveries stay in the store). */
void		 hub_free(struct hub *);

/*
 * hub.mode=publish: url is a feed URL a publisher says has changed. The
 * callback returns 0 if it is one of this node's peers' feeds (and asks
 * for a fetch), -1 if not.
 */
typedef int	(*hub_publish_cb)(const char *url, void *arg);
void		 hub_set_publish_cb(struct hub *, hub_publish_cb, void *);

/* Counters and the subscriptions, for /status and feedmeshctl. */
json_t		*hub_status_json(struct hub *);
json_t		*hub_subscriptions_json(struct hub *);

/*
 * A topic of this node: public_url + "/feeds/all.atom" or
 * "/feeds/all.json", then a query query_parse() accepts. Fills the format
 * (0 Atom, 1 JSON Feed), the parsed query and the canonical topic URL.
 * -1 with a reason otherwise.
 */
int		 hub_topic_parse(const char *public_url, const char *topic,
		    int default_limit, int max_limit, int *json,
		    struct query *, struct buf *canonical, char *err,
		    size_t errlen);
/* "sha256=HEX", the HMAC-SHA256 of the body keyed with secret. */
void		 hub_signature(const char *secret, const void *body,
		    size_t len, char out[HUB_SIGNATURE_LEN]);
/* 1 if two absolute URLs have the same scheme, host and port. */
int		 hub_same_origin(const char *, const char *);

#endif
