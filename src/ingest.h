/*
 * feedmesh: one document from one peer, from bytes to the store. Bytes
 * are parsed as they arrive and hashed; at the end the identity of the
 * entries is chosen for the whole document, the peer's defaults and
 * filters applied, and everything written in one transaction. A body
 * identical to the last one is dropped before any SQL.
 */
#ifndef FEEDMESH_INGEST_H
#define FEEDMESH_INGEST_H

#include <stddef.h>

#include "conf.h"

struct store;
struct ingest;

struct ingest_stats {
	int	 entries;		/* in the document */
	int	 inserted;
	int	 updated;
	int	 merged;		/* a new path to a known entry */
	int	 unchanged;
	int	 stale;
	int	 filtered;		/* refused by the peer's filters */
	int	 skipped;		/* 1: body identical to the last one */
	int	 parsed;		/* 1: the body went through the parser */
	const char *identity;		/* key used: "id", "link", "digest" */
};

/*
 * A body's digest is its XXH3-128 in lower-case hex (32 digits): it only
 * tells a peer's body from its last one, and hashes at memory speed where
 * SHA-256 took 2% of a first ingest (BENCHMARKS.md). A collision can only
 * hide a peer's own change until its next one. The buffer holds the
 * SHA-256 of older stores, which never equals it: one more parse each.
 */
#define INGEST_DIGEST_LEN	65

/*
 * Entries kept from one document; the rest are dropped as they are read
 * (and logged), so that a document of a million tiny entries costs
 * neither the memory nor a store transaction that would stall the loop.
 * Larger archives page with RFC 5005.
 */
#define INGEST_MAX_ENTRIES	5000

/*
 * Bytes of a body held back from the parser while it may still turn out
 * identical to the last one (see ingest_set_last_digest): a body that
 * ends within the bound and matches costs its hash, no parse and no SQL.
 * A longer one is parsed from there on as it streams, and its unchanged
 * entries are found one by one in the store.
 */
#define INGEST_HOLD_MAX		(1024 * 1024)

struct ingest	*ingest_new(const struct peer_conf *, const char *base_url,
		    const char *content_type);
/*
 * The digest of the peer's last stored body (may be NULL), given before
 * the first ingest_data(): bytes are then held up to INGEST_HOLD_MAX so
 * that an unchanged body is never parsed. ingest_finish() compares with
 * its own last_digest as before.
 */
void		 ingest_set_last_digest(struct ingest *, const char *);
/* Returns -1 once the document cannot be a feed (see ingest_error). */
int		 ingest_data(struct ingest *, const char *, size_t);
/*
 * Ends the document and stores it unless its digest equals last_digest
 * (may be NULL). 0 on success, -1 on a parse or store failure.
 */
int		 ingest_finish(struct ingest *, struct store *,
		    const char *last_digest, struct ingest_stats *);
/*
 * The same inside the caller's transaction, opened with
 * store_begin_whole(): nothing is committed here. When it fails with
 * ingest_store_failed(), the transaction is lost (the caller rolls it
 * back) and the document may be given to ingest_finish() again.
 */
int		 ingest_finish_within(struct ingest *, struct store *,
		    const char *last_digest, struct ingest_stats *);
/*
 * Ends the document and prepares its entries as ingest_finish() would
 * store them (identity, peer defaults, filters), without a store: for
 * feedmeshctl parse. Then ingest_entries() lists them.
 */
int		 ingest_prepare(struct ingest *, struct ingest_stats *);
struct entry *const *ingest_entries(const struct ingest *, size_t *);
const char	*ingest_digest(const struct ingest *);
const char	*ingest_error(const struct ingest *);
/*
 * 1 if ingest_finish() failed because the store could not be written
 * (disk full, read-only, I/O error): the document is fine, nothing of it
 * was stored, and the same document can be ingested again later.
 */
int		 ingest_store_failed(const struct ingest *);
/* Feed-level hints read from the document. */
const struct feed_meta *ingest_meta(const struct ingest *);
/* After a reload: the same peer, described by the new configuration. */
void		 ingest_set_peer(struct ingest *, const struct peer_conf *);
void		 ingest_free(struct ingest *);

/* The identity of an entry with neither id nor link: a digest URN. */
char		*ingest_entry_digest_id(const struct entry *);

#endif
