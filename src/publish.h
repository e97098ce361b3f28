/*
 * feedmesh: publishing into this node (POST/PUT/DELETE /entries with
 * bearer tokens, feedmeshctl publish and retract), the moderation queue
 * (feedmeshctl queue, approve, reject), the expiry sweep and the store
 * digest (GET /digest on the admin channel).
 */
#ifndef FEEDMESH_PUBLISH_H
#define FEEDMESH_PUBLISH_H

#include <stddef.h>
#include <stdint.h>

#include "entry.h"

struct admin;
struct config;
struct event_base;
struct serve;
struct store;
struct publish;

/* Registers its routes on serve and admin (either may be NULL). */
struct publish	*publish_new(struct event_base *, struct store *,
		    struct serve *, struct admin *, const struct config *);
/* After a reload: publishers, held peers, intervals. */
void		 publish_set_config(struct publish *, const struct config *);
/* Before store_close(): its statements live in the store's database. */
void		 publish_free(struct publish *);

/*
 * Reads a published body: an Atom entry (a bare <entry>, or a feed
 * holding one) or a JSON Feed item (or a feed holding one), through the
 * feed parser and its sanitizer. Exactly one entry, else NULL with a
 * reason. content_type may be NULL (the body is sniffed).
 */
struct entry	*publish_entry_parse(const char *body, size_t len,
		    const char *content_type, const char *base_url,
		    const char **why);
/* A new id: "tag:HOST,YYYY-MM-DD:NODE/RANDOM" (a new string). */
char		*publish_entry_id(const char *public_url, const char *node,
		    int64_t now);
/*
 * The publisher whose token this is, compared in constant time against
 * every publisher's (over digests, so the length does not leak); NULL
 * if none.
 */
const char	*publish_token_check(const struct publish *, const char *token);

#endif
