/*
 * feedmesh: the query parameters of a listing (bbox, before, category,
 * kind, limit, near, peer, q, radius, since, sort, territory), validated
 * into a struct store_query, and their canonical form (cache key, self
 * and next links).
 */
#ifndef FEEDMESH_QUERY_H
#define FEEDMESH_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "store.h"

/* Longest query string looked at, and longest error message written. */
#define QUERY_MAX_LEN		2048
#define QUERY_ERR_LEN		160
/* A cursor "TIME.SEQ" fits in this many bytes with its NUL. */
#define QUERY_CURSOR_LEN	48
/* Full-text search: longest q (bytes) and most words kept. */
#define QUERY_TEXT_MAX		200
#define QUERY_WORDS_MAX		16
/* Places: largest radius (km), and the one near= takes without radius=. */
#define QUERY_RADIUS_MAX	1000.0
#define QUERY_RADIUS_DEFAULT	10.0

struct query {
	struct store_query	 sq;	/* its strings point at the ones below */
	char			*kind;
	char			*territory;
	char			*category;
	char			*peer;
	char			*text;	/* q: the words, one space apart */
	char			*match;	/* its FTS5 form (quoted terms) */
	int			 default_limit;
};

/*
 * Parses the query part of a request URI (without '?'; NULL or "" for
 * none). limit defaults to default_limit and must lie in 1..max_limit.
 * On error returns -1 with a short reason in err, which quotes at most a
 * few sanitized bytes of the input; q is left cleared.
 */
int	 query_parse(struct query *q, const char *raw, int default_limit,
	    int max_limit, char *err, size_t errlen);
void	 query_clear(struct query *);

/*
 * Appends the canonical query string: keys sorted, values canonical and
 * percent-encoded, limit omitted when it is the default; nothing when no
 * parameter is set. query_canonical_cursor() writes the same with the
 * cursor replaced (time ENTRY_NO_TIME: no cursor), for next links.
 */
void	 query_canonical(const struct query *, struct buf *);
void	 query_canonical_cursor(const struct query *, int64_t before_time,
	    int64_t before_seq, struct buf *);

/*
 * 1 if the entry belongs to the listing of q, by the store's filters:
 * kind equal, territory equal or under q's (on segment boundaries),
 * category term equal, peer among the entry's peers, geo point in the box
 * or the radius. since, limit and the cursor are positions in a listing,
 * not filters: they are ignored. The full-text filter (q) needs the
 * index: store_entry_matches_text(). For the WebSub hub, which matches
 * changed entries against topics.
 */
int	 query_match(const struct query *, const struct entry *);

/* A short description of the filter ("kind job, peer x"); "" if none. */
void	 query_describe(const struct query *, struct buf *);

/*
 * The FTS5 query of the user's words (a new string), or NULL if none is
 * a word: each word a quoted string (quotes doubled), so no FTS5
 * operator, column filter or NEAR can be injected; the last word, if 3
 * bytes or more, matches as a prefix.
 */
char	*query_fts_match(const char *text);

/* The opaque keyset cursor "TIME.SEQ"; parse returns 0 or -1. */
void	 query_cursor_format(int64_t time, int64_t seq, char *, size_t);
int	 query_cursor_parse(const char *, int64_t *time, int64_t *seq);

#endif
