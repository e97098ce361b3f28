/*
 * feedmesh: the node's HTML pages, rendered on the server so that they
 * read without JavaScript: the home page (listing, filters, search,
 * paging), the listing for an <iframe> (/embed) and the map page.
 */
#ifndef FEEDMESH_RENDER_HTML_H
#define FEEDMESH_RENDER_HTML_H

#include <stddef.h>

#include "buf.h"
#include "entry.h"

enum render_html_page {
	RENDER_HTML_HOME,
	RENDER_HTML_EMBED,
	RENDER_HTML_MAP
};

/* The options of the pages that a listing's query does not know. */
struct render_html_opts {
	int	 en;		/* lang=en (default French) */
	int	 cards;		/* layout=cards (default list) */
	char	*q;		/* the search, decoded, for the search box */
};

struct render_html {
	enum render_html_page	 page;
	const struct render_html_opts *opts;
	const char	*title;		/* the node's */
	const char	*base;		/* public URL, no trailing slash */
	const char	*query;		/* canonical filters, no cursor or "" */
	const char	*next_url;	/* the next page, or NULL */
	const char	*kind;		/* filters shown in the form */
	const char	*territory;
	const char	*tiles;		/* map tile URL template, or NULL */
};

/*
 * Splits a page's raw query string: lang and layout go into o (q is
 * copied too, and left in), parameters with an empty value (what an
 * HTML form sends for a blank field) are dropped, the rest is appended
 * to rest for query_parse(). -1 with a reason in err on a bad lang or
 * layout.
 */
int	 render_html_options(const char *raw, struct render_html_opts *o,
	    struct buf *rest, char *err, size_t errlen);
void	 render_html_options_clear(struct render_html_opts *);
/*
 * The options that differ from the defaults as query parameters, each
 * with its '&' ("&lang=en&layout=cards"; "" for none): cache keys and
 * next links.
 */
const char *render_html_options_suffix(const struct render_html_opts *);

/* Appends the whole page to b. */
void	 render_html(struct buf *b, const struct render_html *,
	    struct entry *const *, size_t);

/* Appends s with & < > " ' escaped, for text and attribute values. */
void	 render_html_escape(struct buf *b, const char *s);

#endif
