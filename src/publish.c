/*
 * feedmesh: publishing into the node with bearer tokens, the moderation
 * queue, the expiry sweep and the store digest, over the public HTTP
 * side (/entries) and the administrator's channel.
 */
#include <sys/queue.h>

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <jansson.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sqlite3.h>

#include "admin.h"
#include "buf.h"
#include "conf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "parse.h"
#include "publish.h"
#include "serve.h"
#include "store.h"
#include "store_private.h"

#define PUBLISH_PREFIX		"/entries"
#define PUBLISH_NS_ATOM		"http://www.w3.org/2005/Atom"
#define PUBLISH_NS_FM		"https://feedmesh.org/ns/1.0"
#define PUBLISH_TOKEN_MD	32		/* SHA-256 */
#define PUBLISH_RANDOM_BYTES	12
#define PUBLISH_ADMIN		"admin"		/* feedmeshctl's publisher */

/* A publisher as the handlers see it: the digest of its token. */
struct publish_token {
	char		*name;
	unsigned char	 md[PUBLISH_TOKEN_MD];
};

enum publish_stmt {
	PS_OWNER,
	PS_ADD,
	PS_MAX
};

static const char *const publish_sql[PS_MAX] = {
	[PS_OWNER] = "SELECT publisher FROM publications WHERE id = ?1",
	[PS_ADD] = "INSERT OR REPLACE INTO publications (id, publisher,"
	    " created) VALUES (?1, ?2, ?3)",
};

struct publish {
	struct event_base	*base;
	struct store		*store;
	struct serve		*serve;
	struct event		*expire_ev;
	sqlite3_stmt		*stmt[PS_MAX];
	struct publish_token	*tokens;
	size_t			 ntokens;
	char			*public_url;
	char			*node;
	char			*title;
	int			 expire_interval;
};

/* What a publishing operation asks for and what became of it. */
struct publish_op {
	const char	*publisher;
	const char	*id;		/* PUT, DELETE: the entry's id */
	struct entry	*e;		/* POST, PUT: the new version */
	int		 code;		/* HTTP status */
	const char	*why;		/* on failure */
	char		*new_id;	/* POST: the id given out */
	json_t		*json;		/* the entry as stored */
};

struct publish_parsed {
	struct entry	*e;
	int		 n;
};

static void	 publish_tokens_clear(struct publish *);
static void	 publish_md(const char *, unsigned char *);
static sqlite3_stmt *publish_stmt(struct publish *, enum publish_stmt);
static int	 publish_owner(struct publish *, const char *, char **);
static int	 publish_record(struct publish *, const char *, const char *);
static void	 publish_entry_cb(struct entry *, const struct feed_meta *,
		    void *);
static int64_t	 publish_atom_expires(const char *, size_t);
static int64_t	 publish_version_time(const struct entry *);
static json_t	*publish_stored_json(struct publish *, const char *);
static void	 publish_create(struct publish *, struct publish_op *);
static void	 publish_replace(struct publish *, struct publish_op *);
static void	 publish_set_source(struct publish *, struct entry *,
		    const struct entry *);
static void	 publish_retract(struct publish *, struct publish_op *);
static int	 publish_commit(struct publish *, const struct entry *,
		    const char *, struct publish_op *);
static int	 publish_check_owner(struct publish *, struct publish_op *,
		    struct entry **, int);
static char	*publish_location(const struct publish *, const char *);
static void	 publish_reply_op(struct serve_reply *, struct publish *,
		    struct publish_op *);
static const char *publish_bearer(struct evhttp_request *);
static void	 publish_http_cb(struct serve_reply *, void *);
static void	 publish_expire_cb(evutil_socket_t, short, void *);
static void	 publish_expire_schedule(struct publish *);
static json_t	*publish_admin_error(int *, int, const char *);
static json_t	*publish_admin_publish_cb(const struct evkeyvalq *,
		    const char *, size_t, int *, void *);
static json_t	*publish_admin_retract_cb(const struct evkeyvalq *,
		    const char *, size_t, int *, void *);
static json_t	*publish_admin_digest_cb(const struct evkeyvalq *,
		    const char *, size_t, int *, void *);
static json_t	*publish_admin_queue_cb(const struct evkeyvalq *,
		    const char *, size_t, int *, void *);
static int	 publish_queue_cb(const struct entry *, const char *, int64_t,
		    void *);
static json_t	*publish_admin_settle(struct publish *,
		    const struct evkeyvalq *, int *, int);
static json_t	*publish_admin_approve_cb(const struct evkeyvalq *,
		    const char *, size_t, int *, void *);
static json_t	*publish_admin_reject_cb(const struct evkeyvalq *,
		    const char *, size_t, int *, void *);

struct publish *
publish_new(struct event_base *base, struct store *store, struct serve *serve,
    struct admin *admin, const struct config *conf)
{
	struct publish	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		fatal("%s", __func__);
	p->base = base;
	p->store = store;
	p->serve = serve;
	if (base != NULL && (p->expire_ev = evtimer_new(base,
	    publish_expire_cb, p)) == NULL)
		fatalx("%s: evtimer_new", __func__);
	publish_set_config(p, conf);
	if (serve != NULL && serve_route(serve, PUBLISH_PREFIX, 1,
	    publish_http_cb, p) == -1) {
		publish_free(p);
		return (NULL);
	}
	if (admin != NULL && (admin_route(admin, "POST", "/publish",
	    publish_admin_publish_cb, p) == -1 ||
	    admin_route(admin, "POST", "/retract",
	    publish_admin_retract_cb, p) == -1 ||
	    admin_route(admin, "GET", "/digest",
	    publish_admin_digest_cb, p) == -1 ||
	    admin_route(admin, "GET", "/queue",
	    publish_admin_queue_cb, p) == -1 ||
	    admin_route(admin, "POST", "/approve",
	    publish_admin_approve_cb, p) == -1 ||
	    admin_route(admin, "POST", "/reject",
	    publish_admin_reject_cb, p) == -1)) {
		publish_free(p);
		return (NULL);
	}
	return (p);
}

static void
publish_tokens_clear(struct publish *p)
{
	size_t	 i;

	for (i = 0; i < p->ntokens; i++)
		free(p->tokens[i].name);
	free(p->tokens);
	p->tokens = NULL;
	p->ntokens = 0;
}

void
publish_set_config(struct publish *p, const struct config *conf)
{
	const struct peer_conf	*pc;
	const char		**held;
	size_t			 i, n = 0;

	publish_tokens_clear(p);
	if (conf->npublishers > 0 && (p->tokens = calloc(conf->npublishers,
	    sizeof(*p->tokens))) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < conf->npublishers; i++) {
		if ((p->tokens[i].name = strdup(conf->publishers[i].name)) ==
		    NULL)
			fatal("%s", __func__);
		publish_md(conf->publishers[i].token, p->tokens[i].md);
	}
	p->ntokens = conf->npublishers;
	free(p->public_url);
	free(p->node);
	free(p->title);
	if ((p->public_url = strdup(conf->public_url)) == NULL ||
	    (p->node = strdup(conf->node)) == NULL ||
	    (p->title = strdup(conf->title != NULL ? conf->title :
	    conf->node)) == NULL)
		fatal("%s", __func__);

	if ((held = calloc(conf->npeers + 1, sizeof(*held))) == NULL)
		fatal("%s", __func__);
	TAILQ_FOREACH(pc, &conf->peers, next)
		if (pc->moderation)
			held[n++] = pc->name;
	store_set_held_peers(p->store, held, n);
	free(held);
	store_set_tombstone_ttl(p->store, conf->tombstone_ttl);

	p->expire_interval = conf->expire_interval;
	publish_expire_schedule(p);
}

void
publish_free(struct publish *p)
{
	int	 i;

	if (p == NULL)
		return;
	if (p->expire_ev != NULL)
		event_free(p->expire_ev);
	for (i = 0; i < PS_MAX; i++)
		sqlite3_finalize(p->stmt[i]);
	publish_tokens_clear(p);
	free(p->public_url);
	free(p->node);
	free(p->title);
	free(p);
}

/* SHA-256 of a token: fixed-size, so comparing leaks no length. */
static void
publish_md(const char *token, unsigned char *md)
{
	unsigned int	 len = 0;

	if (EVP_Digest(token, strlen(token), md, &len, EVP_sha256(), NULL) !=
	    1 || len != PUBLISH_TOKEN_MD)
		fatalx("%s: SHA-256 failed", __func__);
}

const char *
publish_token_check(const struct publish *p, const char *token)
{
	unsigned char	 md[PUBLISH_TOKEN_MD];
	const char	*who = NULL;
	size_t		 i;

	if (token == NULL)
		return (NULL);
	publish_md(token, md);
	/* Every publisher is compared: the time says nothing of which. */
	for (i = 0; i < p->ntokens; i++)
		if (CRYPTO_memcmp(md, p->tokens[i].md, sizeof(md)) == 0)
			who = p->tokens[i].name;
	return (who);
}

char *
publish_entry_id(const char *public_url, const char *node, int64_t now)
{
	unsigned char	 rnd[PUBLISH_RANDOM_BYTES];
	char		 hex[2 * PUBLISH_RANDOM_BYTES + 1], day[16], *id;
	const char	*h, *end;
	struct tm	 tm;
	time_t		 t = (time_t)now;
	size_t		 i, hl;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		fatalx("%s: RAND_bytes failed", __func__);
	buf_hex(hex, rnd, sizeof(rnd));
	/* The authority of public_url, without port nor credentials. */
	h = strstr(public_url, "://");
	h = h != NULL ? h + 3 : public_url;
	if ((end = strchr(h, '@')) != NULL && end < h + strcspn(h, "/"))
		h = end + 1;
	hl = strcspn(h, ":/");
	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(day, sizeof(day), "%Y-%m-%d", &tm) == 0)
		snprintf(day, sizeof(day), "1970-01-01");
	if (asprintf(&id, "tag:%.*s,%s:%s/%s", (int)hl, h, day, node, hex) ==
	    -1)
		fatal("%s", __func__);
	for (i = 4; i < 4 + hl; i++)
		id[i] = (char)tolower((unsigned char)id[i]);
	return (id);
}

static void
publish_entry_cb(struct entry *e, const struct feed_meta *meta, void *arg)
{
	struct publish_parsed	*pp = arg;

	(void)meta;
	if (pp->n++ == 0)
		pp->e = e;
	else
		entry_free(e);
}

/*
 * fm:expires of a published Atom entry (the feed parser does not read
 * it): the first such element, read without network nor entities.
 */
static int64_t
publish_atom_expires(const char *doc, size_t len)
{
	xmlDocPtr	 d;
	xmlNodePtr	 n, stack[8];
	xmlChar		*v;
	int64_t		 t = ENTRY_NO_TIME;
	int		 depth = 0;

	if (len > INT32_MAX || (d = xmlReadMemory(doc, (int)len, NULL, NULL,
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) ==
	    NULL)
		return (ENTRY_NO_TIME);
	n = xmlDocGetRootElement(d);
	/* feed > entry > fm:expires: three levels are enough. */
	while (n != NULL && t == ENTRY_NO_TIME) {
		if (n->type == XML_ELEMENT_NODE && n->ns != NULL &&
		    xmlStrcmp(n->ns->href, BAD_CAST PUBLISH_NS_FM) == 0 &&
		    xmlStrcmp(n->name, BAD_CAST "expires") == 0) {
			if ((v = xmlNodeGetContent(n)) != NULL) {
				t = date_parse((const char *)v, NULL);
				xmlFree(v);
			}
			break;
		}
		if (n->children != NULL && depth < 3 &&
		    n->type == XML_ELEMENT_NODE) {
			stack[depth++] = n;
			n = n->children;
			continue;
		}
		while (n != NULL && n->next == NULL && depth > 0)
			n = stack[--depth];
		n = n != NULL ? n->next : NULL;
	}
	xmlFreeDoc(d);
	return (t);
}

struct entry *
publish_entry_parse(const char *body, size_t len, const char *content_type,
    const char *base_url, const char **why)
{
	struct parse_options	 po;
	struct publish_parsed	 pp;
	struct feed_meta	 meta;
	struct buf		 doc;
	json_error_t		 jerr;
	json_t			*j = NULL, *feed;
	const char		*p = body, *end = body + len, *q;
	char			*err = NULL, *s;
	int			 json, rc, bozo;
	int64_t			 expires = ENTRY_NO_TIME;

	memset(&pp, 0, sizeof(pp));
	buf_init(&doc);
	*why = NULL;
	while (p < end && isspace((unsigned char)*p))
		p++;
	if (p == end) {
		*why = "empty body";
		return (NULL);
	}
	if (content_type != NULL && (strncasecmp(content_type,
	    "application/json", 16) == 0 || strncasecmp(content_type,
	    "application/feed+json", 21) == 0))
		json = 1;
	else if (content_type != NULL && (strncasecmp(content_type,
	    "application/atom+xml", 20) == 0 || strncasecmp(content_type,
	    "application/xml", 15) == 0 || strncasecmp(content_type,
	    "text/xml", 8) == 0))
		json = 0;
	else
		json = *p == '{';

	if (json) {
		if ((j = json_loadb(p, end - p, 0, &jerr)) == NULL ||
		    !json_is_object(j)) {
			*why = "the body is not a JSON object";
			goto done;
		}
		if (json_object_get(j, "items") != NULL)
			feed = json_incref(j);
		else
			feed = json_pack("{s:s, s:s, s:[O]}", "version",
			    "https://jsonfeed.org/version/1.1", "title", "",
			    "items", j);
		if (feed == NULL || (s = json_dumps(feed, JSON_COMPACT)) ==
		    NULL)
			fatalx("%s: json", __func__);
		json_decref(feed);
		buf_addstr(&doc, s);
		free(s);
	} else {
		/* A declaration must come first: it goes, the wrapper comes. */
		if (end - p > 5 && strncmp(p, "<?xml", 5) == 0) {
			/* The body is not NUL-terminated (a request's). */
			if ((q = memmem(p, end - p, "?>", 2)) == NULL) {
				*why = "unterminated XML declaration";
				goto done;
			}
			p = q + 2;
			while (p < end && isspace((unsigned char)*p))
				p++;
		}
		if (memmem(p, end - p, "<!DOCTYPE", 9) != NULL) {
			*why = "a document type declaration is not accepted";
			goto done;
		}
		if (end - p > 5 && strncmp(p, "<feed", 5) == 0)
			buf_add(&doc, p, end - p);
		else {
			buf_addstr(&doc, "<feed xmlns=\"" PUBLISH_NS_ATOM
			    "\">");
			buf_add(&doc, p, end - p);
			buf_addstr(&doc, "</feed>");
		}
		expires = publish_atom_expires(doc.data, doc.len);
	}

	memset(&po, 0, sizeof(po));
	po.base_url = base_url;
	po.content_type = json ? "application/feed+json" :
	    "application/atom+xml; charset=utf-8";
	feed_meta_init(&meta);
	rc = parse_buffer(doc.data, doc.len, &po, publish_entry_cb, &pp,
	    &meta, &err);
	bozo = meta.bozo;
	feed_meta_clear(&meta);
	if (rc == -1) {
		*why = "the body is neither an Atom entry nor a JSON Feed item";
		log_debug("%s: %s", __func__, err ? err : "?");
		goto done;
	}
	/* A feed reader forgives; a publisher is told. */
	if (bozo) {
		*why = "the body is not well-formed";
		goto done;
	}
	if (pp.n != 1) {
		*why = pp.n == 0 ? "the body holds no entry" :
		    "the body holds more than one entry";
		goto done;
	}
	if (pp.e->title == NULL && pp.e->link == NULL &&
	    pp.e->content == NULL && pp.e->summary == NULL) {
		*why = "the entry has neither title, link nor content";
		goto done;
	}
	if (pp.e->deleted) {
		*why = "a tombstone is not published: DELETE the entry";
		goto done;
	}
	if (pp.e->expires == ENTRY_NO_TIME)
		pp.e->expires = expires;
 done:
	free(err);
	json_decref(j);
	buf_free(&doc);
	if (*why != NULL) {
		entry_free(pp.e);
		return (NULL);
	}
	return (pp.e);
}

/* The statement, prepared on first use in the store's database. */
static sqlite3_stmt *
publish_stmt(struct publish *p, enum publish_stmt which)
{
	sqlite3	*db = store_sqlite(p->store);

	if (p->stmt[which] == NULL && sqlite3_prepare_v3(db,
	    publish_sql[which], -1, SQLITE_PREPARE_PERSISTENT,
	    &p->stmt[which], NULL) != SQLITE_OK) {
		log_warnx("%s: %s", __func__, sqlite3_errmsg(db));
		return (NULL);
	}
	return (p->stmt[which]);
}

/* Who published id: 1 (owner set), 0 not a publication, -1 error. */
static int
publish_owner(struct publish *p, const char *id, char **owner)
{
	sqlite3_stmt	*st;
	const char	*v;
	int		 rc;

	*owner = NULL;
	if ((st = publish_stmt(p, PS_OWNER)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		v = (const char *)sqlite3_column_text(st, 0);
		if ((*owner = strdup(v != NULL ? v : "")) == NULL)
			fatal("%s", __func__);
	}
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		log_warnx("%s: %s", __func__,
		    sqlite3_errmsg(store_sqlite(p->store)));
		return (-1);
	}
	return (rc == SQLITE_ROW);
}

/* Records the publisher of id, inside the open transaction. */
static int
publish_record(struct publish *p, const char *id, const char *publisher)
{
	sqlite3_stmt	*st;
	int		 rc;

	if ((st = publish_stmt(p, PS_ADD)) == NULL)
		return (-1);
	sqlite3_bind_text(st, 1, id, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, publisher, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 3, store_now(p->store));
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	if (rc != SQLITE_DONE) {
		log_warnx("%s: %s", __func__,
		    sqlite3_errmsg(store_sqlite(p->store)));
		return (-1);
	}
	return (0);
}

static int64_t
publish_version_time(const struct entry *e)
{
	return (e->updated != ENTRY_NO_TIME ? e->updated : e->published);
}

/* The stored entry, as served (peers included), or NULL. */
static json_t *
publish_stored_json(struct publish *p, const char *id)
{
	struct entry	*e;
	json_t		*j;

	if (store_entry_get(p->store, id, &e) != 1)
		return (NULL);
	j = entry_to_json(e);
	entry_free(e);
	return (j);
}

/*
 * Stores a version and the publication record in one transaction:
 * the answer is given only once it has committed.
 */
static int
publish_commit(struct publish *p, const struct entry *e,
    const char *publisher, struct publish_op *op)
{
	enum store_result	 r;

	if (store_begin(p->store) == -1)
		goto fail;
	if (store_entry_upsert(p->store, e, NULL, &r) == -1 ||
	    (publisher != NULL && publish_record(p, e->id, publisher) == -1)) {
		store_rollback(p->store);
		goto fail;
	}
	if (store_commit(p->store) == -1)
		goto fail;
	if (r == STORE_STALE) {
		op->code = 409;
		op->why = "a newer version of the entry is stored";
		return (-1);
	}
	return (0);
 fail:
	op->code = 500;
	op->why = "the entry could not be stored";
	return (-1);
}

static void
publish_create(struct publish *p, struct publish_op *op)
{
	struct entry	*old = NULL;
	int64_t		 now = store_now(p->store);
	int		 found;

	if (op->e->id == NULL || *op->e->id == '\0') {
		free(op->e->id);
		op->e->id = publish_entry_id(p->public_url, p->node, now);
	} else if ((found = store_entry_get(p->store, op->e->id, &old)) !=
	    0) {
		entry_free(old);
		op->code = found == 1 ? 409 : 500;
		op->why = found == 1 ? "an entry with this id exists: PUT to "
		    "its location to replace it" : "store error";
		return;
	}
	entry_set(&op->e->origin, p->node);
	publish_set_source(p, op->e, NULL);
	if (op->e->updated == ENTRY_NO_TIME)
		op->e->updated = now;
	if (op->e->published == ENTRY_NO_TIME)
		op->e->published = op->e->updated;
	if (publish_commit(p, op->e, op->publisher, op) == -1)
		return;
	if ((op->new_id = strdup(op->e->id)) == NULL)
		fatal("%s", __func__);
	op->json = publish_stored_json(p, op->e->id);
	op->code = 201;
	log_info("publisher %s published %s", op->publisher, op->e->id);
}

/*
 * The entry must exist (404), be a publication of this publisher (403;
 * the administrator may retract any entry), and not be held.
 */
static int
publish_check_owner(struct publish *p, struct publish_op *op,
    struct entry **stored, int any)
{
	char	*owner = NULL;
	int	 found;

	if ((found = store_entry_get(p->store, op->id, stored)) != 1 ||
	    store_entry_held(p->store, op->id) == 1) {
		op->code = found == -1 ? 500 : 404;
		op->why = found == -1 ? "store error" : "no such entry";
		return (-1);
	}
	if (any)
		return (0);
	if ((found = publish_owner(p, op->id, &owner)) != 1 ||
	    strcmp(owner, op->publisher) != 0) {
		op->code = found == -1 ? 500 : 403;
		op->why = found == -1 ? "store error" :
		    "this entry was not published by you";
		free(owner);
		return (-1);
	}
	free(owner);
	return (0);
}

static void
publish_replace(struct publish *p, struct publish_op *op)
{
	struct entry	*stored = NULL;
	int64_t		 now = store_now(p->store), vt;

	if (publish_check_owner(p, op, &stored, 0) == -1)
		goto done;
	/* A new version: its time moves forward, or the merge ignores it. */
	vt = publish_version_time(stored);
	if (op->e->updated == ENTRY_NO_TIME || (vt != ENTRY_NO_TIME &&
	    op->e->updated <= vt))
		op->e->updated = vt != ENTRY_NO_TIME && now <= vt ? vt + 1 :
		    now;
	if (op->e->published == ENTRY_NO_TIME)
		op->e->published = stored->published;
	entry_set(&op->e->id, op->id);
	entry_set(&op->e->origin, stored->origin != NULL ? stored->origin :
	    p->node);
	publish_set_source(p, op->e, stored);
	if (publish_commit(p, op->e, NULL, op) == -1)
		goto done;
	op->json = publish_stored_json(p, op->id);
	op->code = 200;
	log_info("publisher %s replaced %s", op->publisher, op->id);
 done:
	entry_free(stored);
}

/*
 * The feed an entry published here was first published in: this node's
 * listing, as its peers would read it (the id, title and home page of
 * /feeds/all.atom), so that every copy of the entry has the same source
 * whatever listing or path brought it. A source the publisher gave, or
 * the one the entry was first stored with, is kept.
 */
static void
publish_set_source(struct publish *p, struct entry *e,
    const struct entry *stored)
{
	const struct entry_source	*src = NULL;
	char				*id, *home;

	if (stored != NULL && (stored->source.id != NULL ||
	    stored->source.title != NULL || stored->source.link != NULL))
		src = &stored->source;
	else if (e->source.id != NULL || e->source.title != NULL ||
	    e->source.link != NULL)
		return;
	if (src != NULL) {
		entry_set(&e->source.id, src->id);
		entry_set(&e->source.title, src->title);
		entry_set(&e->source.link, src->link);
		return;
	}
	if (asprintf(&id, "%s/feeds/all.atom", p->public_url) == -1 ||
	    asprintf(&home, "%s/", p->public_url) == -1)
		fatal("%s", __func__);
	free(e->source.id);
	e->source.id = id;
	free(e->source.link);
	e->source.link = home;
	entry_set(&e->source.title, p->title);
}

static void
publish_retract(struct publish *p, struct publish_op *op)
{
	struct entry	*stored = NULL, *t;
	int64_t		 now = store_now(p->store), vt;

	if (publish_check_owner(p, op, &stored, strcmp(op->publisher,
	    PUBLISH_ADMIN) == 0) == -1)
		goto done;
	if (stored->deleted) {
		op->code = 204;
		goto done;
	}
	/* A tombstone wins a tie: now, unless the entry is dated later. */
	vt = publish_version_time(stored);
	t = entry_new();
	entry_set(&t->id, stored->id);
	entry_set(&t->origin, stored->origin);
	t->updated = vt != ENTRY_NO_TIME && vt > now ? vt : now;
	t->deleted = 1;
	if (publish_commit(p, t, NULL, op) == 0) {
		op->code = 204;
		log_info("publisher %s retracted %s", op->publisher, op->id);
	}
	entry_free(t);
 done:
	entry_free(stored);
}

/* public_url/entries/ID, the id percent-encoded (a new string). */
static char *
publish_location(const struct publish *p, const char *id)
{
	char	*enc, *loc;

	if ((enc = evhttp_uriencode(id, -1, 0)) == NULL)
		fatal("%s", __func__);
	if (asprintf(&loc, "%s" PUBLISH_PREFIX "/%s", p->public_url, enc) ==
	    -1)
		fatal("%s", __func__);
	free(enc);
	return (loc);
}

/* The answer of an operation: the entry as JSON, or the reason. */
static void
publish_reply_op(struct serve_reply *r, struct publish *p,
    struct publish_op *op)
{
	static const struct {
		int		 code;
		const char	*reason;
	} reasons[] = {
		{ 200, "OK" }, { 201, "Created" }, { 204, "No Content" },
		{ 400, "Bad Request" }, { 401, "Unauthorized" },
		{ 403, "Forbidden" }, { 404, "Not Found" },
		{ 409, "Conflict" }, { 410, "Gone" },
		{ 500, "Internal Server Error" },
	};
	const char	*reason = "Error";
	char		*text, *loc;
	size_t		 i;

	for (i = 0; i < sizeof(reasons) / sizeof(reasons[0]); i++)
		if (reasons[i].code == op->code)
			reason = reasons[i].reason;
	if (op->code >= 400) {
		serve_reply_why(r, op->why);
		serve_reply_text(r, op->code, reason, op->why);
		return;
	}
	if (op->new_id != NULL) {
		loc = publish_location(p, op->new_id);
		serve_reply_header(r, "Location", loc);
		free(loc);
	}
	if (op->code == 204 || op->json == NULL) {
		serve_reply_data(r, op->code, reason, NULL, NULL, 0);
		return;
	}
	if ((text = json_dumps(op->json, JSON_COMPACT | JSON_SORT_KEYS)) ==
	    NULL)
		fatal("%s", __func__);
	serve_reply_data(r, op->code, reason, "application/json", text,
	    strlen(text));
	free(text);
}

/* The token of "Authorization: Bearer TOKEN", or NULL. */
static const char *
publish_bearer(struct evhttp_request *req)
{
	const char	*v;

	v = evhttp_find_header(evhttp_request_get_input_headers(req),
	    "Authorization");
	if (v == NULL || strncasecmp(v, "Bearer ", 7) != 0)
		return (NULL);
	v += 7;
	while (*v == ' ')
		v++;
	return (*v != '\0' ? v : NULL);
}

/*
 * /entries (POST) and /entries/ID (GET, HEAD, PUT, DELETE). Reading is
 * public; writing needs a publisher's token.
 */
static void
publish_http_cb(struct serve_reply *r, void *arg)
{
	struct publish		*p = arg;
	struct evhttp_request	*req = serve_reply_request(r);
	struct evbuffer		*in = evhttp_request_get_input_buffer(req);
	struct publish_op	 op;
	struct entry		*e;
	enum evhttp_cmd_type	 cmd = evhttp_request_get_command(req);
	const char		*path = serve_reply_path(r), *id = NULL, *why;
	char			*body = NULL, *base;
	size_t			 len;

	memset(&op, 0, sizeof(op));
	if (strcmp(path, PUBLISH_PREFIX) != 0 &&
	    strcmp(path, PUBLISH_PREFIX "/") != 0)
		id = path + strlen(PUBLISH_PREFIX "/");

	if (id != NULL && (cmd == EVHTTP_REQ_GET || cmd == EVHTTP_REQ_HEAD)) {
		/* A tombstone is answered too: it says the entry ended. */
		if (store_entry_held(p->store, id) == 1 ||
		    (op.json = publish_stored_json(p, id)) == NULL) {
			op.code = 404;
			op.why = "no such entry";
		} else
			op.code = 200;
		goto done;
	}
	if ((id == NULL && cmd != EVHTTP_REQ_POST) || (id != NULL &&
	    cmd != EVHTTP_REQ_PUT && cmd != EVHTTP_REQ_DELETE)) {
		serve_reply_header(r, "Allow", id == NULL ? "POST" :
		    "GET, HEAD, PUT, DELETE");
		serve_reply_text(r, 405, "Method Not Allowed",
		    "method not allowed");
		r = NULL;
		goto done;
	}
	if ((op.publisher = publish_token_check(p, publish_bearer(req))) ==
	    NULL) {
		serve_reply_header(r, "WWW-Authenticate",
		    "Bearer realm=\"feedmesh\"");
		op.code = 401;
		op.why = p->ntokens == 0 ? "publishing is not enabled here" :
		    "a publisher's bearer token is required";
		log_info("%s: %s refused: bad or missing token",
		    serve_reply_client(r), path);
		goto done;
	}
	op.id = id;
	if (cmd == EVHTTP_REQ_DELETE) {
		publish_retract(p, &op);
		goto done;
	}
	len = evbuffer_get_length(in);
	if ((body = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	evbuffer_copyout(in, body, len);
	body[len] = '\0';
	if (asprintf(&base, "%s" PUBLISH_PREFIX "/", p->public_url) == -1)
		fatal("%s", __func__);
	e = publish_entry_parse(body, len, evhttp_find_header(
	    evhttp_request_get_input_headers(req), "Content-Type"), base, &why);
	free(base);
	if (e == NULL) {
		op.code = 400;
		op.why = why;
		goto done;
	}
	op.e = e;
	if (cmd == EVHTTP_REQ_POST)
		publish_create(p, &op);
	else
		publish_replace(p, &op);
 done:
	if (r != NULL)
		publish_reply_op(r, p, &op);
	entry_free(op.e);
	free(op.new_id);
	json_decref(op.json);
	free(body);
}

static void
publish_expire_schedule(struct publish *p)
{
	struct timeval	 tv;

	if (p->expire_ev == NULL)
		return;
	tv.tv_sec = p->expire_interval > 0 ? p->expire_interval : 60;
	tv.tv_usec = 0;
	evtimer_add(p->expire_ev, &tv);
}

/* Every expire_interval: past entries become tombstones. */
static void
publish_expire_cb(evutil_socket_t fd, short ev, void *arg)
{
	struct publish	*p = arg;
	int		 n;

	(void)fd;
	(void)ev;
	if (store_in_transaction(p->store))
		log_warnx("%s: a transaction is open: next time", __func__);
	else if (store_expire(p->store, &n) == -1)
		log_warnx("%s: the expiry sweep failed", __func__);
	publish_expire_schedule(p);
}

static json_t *
publish_admin_error(int *code, int c, const char *why)
{
	*code = c;
	return (json_pack("{s:s}", "error", why));
}

/* POST /publish: the body is the entry; publisher "admin". */
static json_t *
publish_admin_publish_cb(const struct evkeyvalq *q, const char *body,
    size_t len, int *code, void *arg)
{
	struct publish		*p = arg;
	struct publish_op	 op;
	json_t			*j;
	char			*base, *loc;
	const char		*why;

	memset(&op, 0, sizeof(op));
	op.publisher = PUBLISH_ADMIN;
	if (asprintf(&base, "%s" PUBLISH_PREFIX "/", p->public_url) == -1)
		fatal("%s", __func__);
	op.e = publish_entry_parse(body, len, evhttp_find_header(q, "type"),
	    base, &why);
	free(base);
	if (op.e == NULL)
		return (publish_admin_error(code, 400, why));
	publish_create(p, &op);
	if (op.code != 201)
		j = publish_admin_error(code, op.code, op.why);
	else {
		loc = publish_location(p, op.new_id);
		j = json_pack("{s:s, s:s, s:O}", "id", op.new_id,
		    "location", loc, "entry", op.json ? op.json : json_null());
		free(loc);
		*code = 200;
	}
	entry_free(op.e);
	free(op.new_id);
	json_decref(op.json);
	return (j);
}

/* POST /retract?id=ID: any entry (the administrator decides). */
static json_t *
publish_admin_retract_cb(const struct evkeyvalq *q, const char *body,
    size_t len, int *code, void *arg)
{
	struct publish		*p = arg;
	struct publish_op	 op;

	(void)body;
	(void)len;
	memset(&op, 0, sizeof(op));
	op.publisher = PUBLISH_ADMIN;
	if ((op.id = evhttp_find_header(q, "id")) == NULL)
		return (publish_admin_error(code, 400, "id is missing"));
	publish_retract(p, &op);
	if (op.code != 204)
		return (publish_admin_error(code, op.code, op.why));
	*code = 200;
	return (json_pack("{s:s, s:b}", "id", op.id, "retracted", 1));
}

/* GET /digest: the state digest and what it covers. */
static json_t *
publish_admin_digest_cb(const struct evkeyvalq *q, const char *body,
    size_t len, int *code, void *arg)
{
	struct publish	*p = arg;
	char		 hex[STORE_STATE_DIGEST_LEN];

	(void)q;
	(void)body;
	(void)len;
	if (store_state_digest(p->store, hex) == -1)
		return (publish_admin_error(code, 500, "store error"));
	*code = 200;
	return (json_pack("{s:s, s:I, s:I}", "digest", hex,
	    "entries", (json_int_t)store_count_entries(p->store),
	    "tombstones", (json_int_t)store_count_tombstones(p->store)));
}

static int
publish_queue_cb(const struct entry *e, const char *peer, int64_t first_seen,
    void *arg)
{
	char	 ts[DATE_RFC3339_LEN];

	date_format_rfc3339(first_seen, ts, sizeof(ts));
	json_array_append_new(arg, json_pack("{s:s, s:s?, s:s, s:s}",
	    "id", e->id, "title", e->title, "peer", peer, "first_seen", ts));
	return (0);
}

/* GET /queue: the held entries, oldest first. */
static json_t *
publish_admin_queue_cb(const struct evkeyvalq *q, const char *body,
    size_t len, int *code, void *arg)
{
	struct publish	*p = arg;
	json_t		*a = json_array();

	(void)q;
	(void)body;
	(void)len;
	if (store_held_list(p->store, publish_queue_cb, a) == -1) {
		json_decref(a);
		return (publish_admin_error(code, 500, "store error"));
	}
	*code = 200;
	return (json_pack("{s:o}", "held", a));
}

/* Approves or rejects the held entry named by the "id" parameter. */
static json_t *
publish_admin_settle(struct publish *p, const struct evkeyvalq *q,
    int *code, int approve)
{
	const char	*id, *done = approve ? "approved" : "rejected";
	int		 rc;

	if ((id = evhttp_find_header(q, "id")) == NULL)
		return (publish_admin_error(code, 400, "id is missing"));
	rc = approve ? store_held_approve(p->store, id) :
	    store_held_reject(p->store, id);
	if (rc != 1)
		return (publish_admin_error(code, rc == 0 ? 404 : 500,
		    rc == 0 ? "no such held entry" : "store error"));
	log_info("held entry %s %s", id, done);
	*code = 200;
	return (json_pack("{s:s, s:b}", "id", id, done, 1));
}

static json_t *
publish_admin_approve_cb(const struct evkeyvalq *q, const char *body,
    size_t len, int *code, void *arg)
{
	(void)body;
	(void)len;
	return (publish_admin_settle(arg, q, code, 1));
}

static json_t *
publish_admin_reject_cb(const struct evkeyvalq *q, const char *body,
    size_t len, int *code, void *arg)
{
	(void)body;
	(void)len;
	return (publish_admin_settle(arg, q, code, 0));
}
