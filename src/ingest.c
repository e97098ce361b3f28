/*
 * feedmesh: one document from one peer, from bytes to the store.
 * With the digest of the peer's last body known, the bytes are only
 * hashed and held (up to INGEST_HOLD_MAX) until the body ends: most
 * polls bring the same document back, and then nothing is parsed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <xxhash.h>

#include "buf.h"
#include "conf.h"
#include "entry.h"
#include "ingest.h"
#include "log.h"
#include "parse.h"
#include "store.h"

struct ingest {
	const struct peer_conf	*peer;
	struct parser		*parser;
	XXH3_state_t		*body_hash;
	char			 digest[INGEST_DIGEST_LEN];
	char			*error;
	char			*last_digest;	/* NULL: nothing held */
	struct buf		 held;		/* bytes not parsed yet */
	int			 holding;
	int			 parsed;	/* the parser saw bytes */
	struct entry		**entries;
	size_t			 nentries;
	size_t			 cap;
	size_t			 dropped;	/* beyond INGEST_MAX_ENTRIES */
	int			 failed;
	int			 finished;
	int			 store_failed;	/* see ingest_store_failed() */
	int			 prepared;	/* once: prep holds its stats */
	struct ingest_stats	 prep;
};

static void	 ingest_entry_cb(struct entry *, const struct feed_meta *,
		    void *);
static const char *ingest_choose_identity(struct ingest *);
static int	 ingest_strcmp_cb(const void *, const void *);
static int	 ingest_keys_unique(struct ingest *, int);
static int	 ingest_entry_pass(const struct peer_conf *,
		    const struct entry *);
static int	 ingest_end(struct ingest *);
static int	 ingest_parse(struct ingest *, const char *, size_t);
static int	 ingest_release(struct ingest *);
static int	 ingest_store(struct ingest *, struct store *, const char *,
		    struct ingest_stats *, int);

struct ingest *
ingest_new(const struct peer_conf *peer, const char *base_url,
    const char *content_type)
{
	struct ingest		*in;
	struct parse_options	 opts;

	if ((in = calloc(1, sizeof(*in))) == NULL)
		fatal("%s", __func__);
	in->peer = peer;
	memset(&opts, 0, sizeof(opts));
	opts.base_url = base_url;
	opts.content_type = content_type;
	if ((in->parser = parse_new(&opts, ingest_entry_cb, in)) == NULL)
		fatalx("%s: parse_new", __func__);
	if ((in->body_hash = XXH3_createState()) == NULL)
		fatal("%s", __func__);
	if (XXH3_128bits_reset(in->body_hash) != XXH_OK)
		fatalx("%s: XXH3_128bits_reset", __func__);
	return (in);
}

/* Keeps an entry of the document, up to INGEST_MAX_ENTRIES of them. */
static void
ingest_entry_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	struct ingest	*in = arg;

	(void)meta;
	if (in->nentries >= INGEST_MAX_ENTRIES) {
		if (in->dropped++ == 0)
			log_warnx_limited(in->peer != NULL ? in->peer->name :
			    "-", "peer %s: more than %d entries in one "
			    "document; the rest are ignored", in->peer != NULL ?
			    in->peer->name : "-", INGEST_MAX_ENTRIES);
		entry_free(e);
		return;
	}
	if (in->nentries == in->cap) {
		in->cap = in->cap ? in->cap * 2 : 64;
		in->entries = reallocarray(in->entries, in->cap,
		    sizeof(*in->entries));
		if (in->entries == NULL)
			fatal("%s", __func__);
	}
	in->entries[in->nentries++] = e;
}

void
ingest_set_last_digest(struct ingest *in, const char *digest)
{
	free(in->last_digest);
	in->last_digest = NULL;
	in->holding = 0;
	if (digest == NULL || *digest == '\0' || in->parsed)
		return;
	if ((in->last_digest = strdup(digest)) == NULL)
		fatal("%s", __func__);
	in->holding = 1;
}

static int
ingest_parse(struct ingest *in, const char *data, size_t len)
{
	in->parsed = 1;
	if (parse_feed(in->parser, data, len) == -1) {
		in->failed = 1;
		return (-1);
	}
	return (0);
}

/* Stops holding bytes back: the parser gets what was held. */
static int
ingest_release(struct ingest *in)
{
	int	 rc = 0;

	in->holding = 0;
	if (in->held.len > 0)
		rc = ingest_parse(in, in->held.data, in->held.len);
	buf_free(&in->held);
	return (rc);
}

int
ingest_data(struct ingest *in, const char *data, size_t len)
{
	if (in->failed)
		return (-1);
	if (XXH3_128bits_update(in->body_hash, data, len) != XXH_OK)
		fatalx("%s: XXH3_128bits_update", __func__);
	if (in->holding) {
		if (len <= INGEST_HOLD_MAX - in->held.len) {
			buf_add(&in->held, data, len);
			return (0);
		}
		/* Too big to hold: parse as it streams from here. */
		if (ingest_release(in) == -1)
			return (-1);
	}
	return (ingest_parse(in, data, len));
}

char *
ingest_entry_digest_id(const struct entry *e)
{
	EVP_MD_CTX	*md;
	unsigned char	 raw[EVP_MAX_MD_SIZE];
	unsigned int	 len;
	char		 hex[INGEST_DIGEST_LEN], *id;
	const char	*parts[4];
	size_t		 i;

	/* What a reader would call "the same item": title, link, text. */
	parts[0] = e->title;
	parts[1] = e->link;
	parts[2] = e->content;
	parts[3] = e->summary;
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		fatalx("%s: EVP_DigestInit_ex", __func__);
	for (i = 0; i < 4; i++) {
		if (parts[i] != NULL)
			EVP_DigestUpdate(md, parts[i], strlen(parts[i]));
		EVP_DigestUpdate(md, "\0", 1);
	}
	if (EVP_DigestFinal_ex(md, raw, &len) != 1 || len != 32)
		fatalx("%s: SHA-256 failed", __func__);
	EVP_MD_CTX_free(md);
	buf_hex(hex, raw, len);
	if (asprintf(&id, "urn:feedmesh:digest:%s", hex) == -1)
		fatal("%s", __func__);
	return (id);
}

static int
ingest_strcmp_cb(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/*
 * 1 if no two entries of the document share the key (0 id, 1 link);
 * entries without the key and tombstones do not count.
 */
static int
ingest_keys_unique(struct ingest *in, int key)
{
	const char	**keys;
	const char	 *k;
	size_t		  i, n = 0;
	int		  unique = 1;

	if ((keys = calloc(in->nentries + 1, sizeof(*keys))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < in->nentries; i++) {
		if (in->entries[i]->deleted)
			continue;
		k = key == 0 ? in->entries[i]->id : in->entries[i]->link;
		if (k != NULL && *k != '\0')
			keys[n++] = k;
	}
	qsort(keys, n, sizeof(*keys), ingest_strcmp_cb);
	for (i = 1; i < n && unique; i++)
		if (strcmp(keys[i - 1], keys[i]) == 0)
			unique = 0;
	free(keys);
	return (unique);
}

/*
 * Chooses the key that identifies this document's entries and writes it
 * into each entry's id: the published id when the feed's ids can be
 * trusted, else the permalink, else a digest of the entry. A feed that
 * gives several items one guid is identified by links for that whole
 * document, so that the items stay apart.
 */
static const char *
ingest_choose_identity(struct ingest *in)
{
	enum conf_identity	 mode = in->peer != NULL ?
				    in->peer->identity : IDENTITY_AUTO;
	struct entry		*e;
	const char		*used;
	char			*id;
	size_t			 i;

	if (mode == IDENTITY_AUTO) {
		if (ingest_keys_unique(in, 0))
			mode = IDENTITY_ID;
		else if (ingest_keys_unique(in, 1))
			mode = IDENTITY_LINK;
		else
			mode = IDENTITY_DIGEST;
	}
	used = mode == IDENTITY_ID ? "id" :
	    mode == IDENTITY_LINK ? "link" : "digest";
	for (i = 0; i < in->nentries; i++) {
		e = in->entries[i];
		if (e->deleted)
			continue;	/* a tombstone names its entry's id */
		if (mode == IDENTITY_ID && e->id != NULL && *e->id != '\0')
			continue;
		if (mode != IDENTITY_DIGEST && e->link != NULL &&
		    *e->link != '\0') {
			entry_set(&e->id, e->link);
			continue;
		}
		id = ingest_entry_digest_id(e);
		free(e->id);
		e->id = id;
	}
	return (used);
}

/* Applies the peer's include and exclude filters to an entry. */
static int
ingest_entry_pass(const struct peer_conf *peer, const struct entry *e)
{
	const char	**terms;
	size_t		  i;
	int		  pass;

	if (peer == NULL)
		return (1);
	if ((terms = calloc(e->ncategories + 1, sizeof(*terms))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < e->ncategories; i++)
		terms[i] = e->categories[i].term;
	pass = conf_filter_pass(peer, e->kind, e->territory,
	    (const char *const *)terms, e->ncategories);
	free(terms);
	return (pass);
}

/* Ends the parse and computes the document's digest. */
static int
ingest_end(struct ingest *in)
{
	XXH128_canonical_t	 raw;

	if (in->finished)
		return (in->failed ? -1 : 0);
	in->finished = 1;
	XXH128_canonicalFromHash(&raw,
	    XXH3_128bits_digest(in->body_hash));
	buf_hex(in->digest, raw.digest, sizeof(raw.digest));
	/* Held and the same as last time: left unparsed (ingest_finish). */
	if (in->holding && strcmp(in->digest, in->last_digest) == 0)
		return (0);
	if (in->holding && ingest_release(in) == -1)
		return (-1);
	if (in->failed || parse_finish(in->parser) == -1) {
		in->failed = 1;
		return (-1);
	}
	return (0);
}

int
ingest_prepare(struct ingest *in, struct ingest_stats *st)
{
	struct entry	*e;
	size_t		 i, kept = 0;

	memset(st, 0, sizeof(*st));
	if (ingest_end(in) == -1)
		return (-1);
	/* A held body that turned out unchanged is read now after all. */
	if (in->holding && (ingest_release(in) == -1 ||
	    parse_finish(in->parser) == -1)) {
		in->failed = 1;
		return (-1);
	}
	st->parsed = in->parsed;
	st->entries = (int)in->nentries;
	st->identity = ingest_choose_identity(in);
	for (i = 0; i < in->nentries; i++) {
		e = in->entries[i];
		if (in->peer != NULL && !e->deleted) {
			if (e->kind == NULL && in->peer->kind != NULL)
				entry_set(&e->kind, in->peer->kind);
			if (e->territory == NULL &&
			    in->peer->territory != NULL)
				entry_set(&e->territory, in->peer->territory);
		}
		if (!e->deleted && !ingest_entry_pass(in->peer, e)) {
			st->filtered++;
			entry_free(e);
			continue;
		}
		in->entries[kept++] = e;
	}
	in->nentries = kept;
	return (0);
}

struct entry *const *
ingest_entries(const struct ingest *in, size_t *n)
{
	*n = in->nentries;
	return (in->entries);
}

int
ingest_finish(struct ingest *in, struct store *store,
    const char *last_digest, struct ingest_stats *st)
{
	return (ingest_store(in, store, last_digest, st, 1));
}

int
ingest_finish_within(struct ingest *in, struct store *store,
    const char *last_digest, struct ingest_stats *st)
{
	return (ingest_store(in, store, last_digest, st, 0));
}

/*
 * ingest_finish(), in a transaction of its own (own) or the caller's. A
 * document whose store failed may be stored again: it was read once.
 */
static int
ingest_store(struct ingest *in, struct store *store,
    const char *last_digest, struct ingest_stats *st, int own)
{
	enum store_result	 res;
	const char		*name;
	size_t			 i;

	memset(st, 0, sizeof(*st));
	if (in->store_failed) {
		in->store_failed = 0;
		free(in->error);
		in->error = NULL;
	}
	if (ingest_end(in) == -1)
		return (-1);
	/* The cheapest write is none: same bytes, same entries. */
	if (last_digest != NULL && strcmp(last_digest, in->digest) == 0) {
		st->entries = (int)in->nentries;
		st->skipped = 1;
		st->parsed = in->parsed;
		return (0);
	}
	if (!in->prepared) {
		if (ingest_prepare(in, &in->prep) == -1)
			return (-1);
		in->prepared = 1;
	}
	*st = in->prep;
	name = in->peer != NULL ? in->peer->name : NULL;
	/* One entry failing fails the document: no savepoint each. */
	if (own && store_begin_whole(store) == -1)
		goto fail;
	for (i = 0; i < in->nentries; i++) {
		if (store_entry_upsert(store, in->entries[i], name,
		    &res) == -1)
			goto fail;
		switch (res) {
		case STORE_INSERTED:
			st->inserted++;
			break;
		case STORE_UPDATED:
			st->updated++;
			break;
		case STORE_MERGED:
			st->merged++;
			break;
		case STORE_UNCHANGED:
			st->unchanged++;
			break;
		case STORE_STALE:
			st->stale++;
			break;
		}
	}
	if (own && store_commit(store) == -1)
		goto fail;
	return (0);
fail:
	if (own)
		store_rollback(store);
	free(in->error);
	if ((in->error = strdup("store write failed")) == NULL)
		fatal("%s", __func__);
	in->store_failed = 1;
	return (-1);
}

int
ingest_store_failed(const struct ingest *in)
{
	return (in->store_failed);
}

const char *
ingest_digest(const struct ingest *in)
{
	return (in->digest);
}

const char *
ingest_error(const struct ingest *in)
{
	if (in->error != NULL)
		return (in->error);
	return (parse_error(in->parser));
}

const struct feed_meta *
ingest_meta(const struct ingest *in)
{
	return (parse_meta(in->parser));
}

void
ingest_set_peer(struct ingest *in, const struct peer_conf *peer)
{
	in->peer = peer;
}

void
ingest_free(struct ingest *in)
{
	size_t	 i;

	if (in == NULL)
		return;
	for (i = 0; i < in->nentries; i++)
		entry_free(in->entries[i]);
	free(in->entries);
	parse_free(in->parser);
	XXH3_freeState(in->body_hash);
	free(in->error);
	free(in->last_digest);
	buf_free(&in->held);
	free(in);
}
