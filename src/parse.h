/*
 * feedmesh: streaming parser for Atom, RSS (0.9x, 1.0, 2.0) and JSON Feed,
 * detected from the content. Bytes go in as they arrive; each entry comes
 * out normalized (absolute URLs, UTC dates, sanitized HTML, kind and
 * territory read from their category schemes) as soon as it is complete.
 * libxml2 runs without network access and without entity substitution.
 */
#ifndef FEEDMESH_PARSE_H
#define FEEDMESH_PARSE_H

#include <stddef.h>

#include "entry.h"

struct parser;

/*
 * Called once per entry; the callee owns e. meta holds the feed-level
 * fields seen so far (in RSS and Atom they precede the entries).
 */
typedef void (*parse_entry_cb)(struct entry *e, const struct feed_meta *meta,
    void *arg);

struct parse_options {
	const char	*base_url;	/* the document's URL: last base */
	const char	*content_type;	/* HTTP Content-Type, for charset */
	size_t		 max_depth;	/* 0: the default limit */
};

struct parser	*parse_new(const struct parse_options *, parse_entry_cb,
		    void *arg);
/* Returns -1 once the document cannot be a feed (error in parse_error). */
int		 parse_feed(struct parser *, const char *, size_t);
/* Ends the document: 0, or -1 if it was not a feed. */
int		 parse_finish(struct parser *);
const struct feed_meta *parse_meta(const struct parser *);
const char	*parse_error(const struct parser *);
void		 parse_free(struct parser *);

/* The whole thing at once, for feedmeshctl parse and the tests. */
int		 parse_buffer(const char *, size_t, const struct parse_options *,
		    parse_entry_cb, void *arg, struct feed_meta *meta_out,
		    char **error_out);

#endif
