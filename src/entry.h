/*
 * feedmesh: the normalized entry every format is read into, and its
 * canonical JSON form (a JSON Feed 1.1 item with a "_feedmesh" object),
 * which is what the store keeps and what /feeds/all.json serves.
 */
#ifndef FEEDMESH_ENTRY_H
#define FEEDMESH_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

/* A time that is absent (unparsable or not given). */
#define ENTRY_NO_TIME		INT64_MIN

/* The category schemes kinds and territories travel under (PROTOCOL). */
#define ENTRY_SCHEME_KIND	"https://feedmesh.org/ns/kind"
#define ENTRY_SCHEME_TERRITORY	"https://feedmesh.org/ns/territory"

/* The shared vocabulary of kinds, NULL-terminated. */
extern const char *const entry_kinds[];

struct entry_link {
	char	*href;
	char	*rel;			/* NULL means "alternate" */
	char	*type;
	char	*title;
};

struct entry_person {
	char	*name;
	char	*email;
	char	*uri;
};

struct entry_category {
	char	*term;
	char	*scheme;
	char	*label;
};

struct entry_enclosure {
	char	*url;
	char	*type;
	int64_t	 length;		/* -1 when unknown */
};

struct entry_source {
	char	*id;			/* origin feed's id */
	char	*title;
	char	*link;
};

struct entry {
	char	*id;			/* as published: never rewritten */
	char	*title;			/* plain text */
	char	*link;			/* alternate permalink, absolute */
	char	*summary;		/* sanitized HTML */
	char	*summary_text;		/* the same as plain text */
	char	*content;		/* sanitized HTML, or text */
	char	*content_type;		/* "html" or "text" */
	char	*image;			/* absolute URL of a picture, if any */
	char	*lang;
	int64_t	 published;		/* UTC seconds, or ENTRY_NO_TIME */
	int64_t	 updated;
	char	*kind;			/* one of entry_kinds, or NULL */
	char	*territory;		/* "region/department/..." or NULL */
	int	 has_geo;
	double	 lat;
	double	 lon;

	struct entry_person	*authors;
	size_t			 nauthors;
	struct entry_category	*categories;	/* other than kind/territory */
	size_t			 ncategories;
	struct entry_enclosure	*enclosures;
	size_t			 nenclosures;
	struct entry_link	*links;		/* every link but the permalink */
	size_t			 nlinks;

	struct entry_source	 source;	/* the feed it was first published in */
	char	*origin;		/* node that first published it, if known */
	int	 deleted;		/* RFC 6721 tombstone */
	int64_t	 expires;		/* end of validity, or ENTRY_NO_TIME */

	/* Filled by the store when read back: the peers that carried it. */
	char	**peers;
	size_t	  npeers;
};

/* Feed-level metadata, filled while a document is parsed. */
struct feed_meta {
	char	*format;		/* "atom", "rss", "rdf", "json" */
	char	*id;
	char	*title;
	char	*link;			/* alternate */
	char	*self;
	char	*hub;			/* WebSub hub advertised in the document */
	char	*next;			/* RFC 5005 next page */
	char	*prev_archive;		/* RFC 5005 previous archive */
	char	*icon;
	char	*author;
	char	*lang;
	int64_t	 updated;
	int64_t	 ttl;			/* RSS <ttl> in seconds, or -1 */
	int	 bozo;			/* not well-formed, but recovered */
	char	*bozo_reason;
};

struct entry	*entry_new(void);
void		 entry_free(struct entry *);
void		 entry_clear(struct entry *);
struct entry	*entry_dup(const struct entry *);

void	 entry_add_author(struct entry *, const char *name,
	    const char *email, const char *uri);
void	 entry_add_category(struct entry *, const char *term,
	    const char *scheme, const char *label);
void	 entry_add_enclosure(struct entry *, const char *url,
	    const char *type, int64_t length);
void	 entry_add_link(struct entry *, const char *href, const char *rel,
	    const char *type, const char *title);
void	 entry_add_peer(struct entry *, const char *peer);

/* Replaces a string field: frees the old value, copies the new (or NULL). */
void	 entry_set(char **field, const char *value);

int	 entry_kind_valid(const char *);
/* Territory paths: lower-case segments [a-z0-9-] separated by '/'. */
int	 entry_territory_valid(const char *);
/* Node names (feedmesh.conf "node", an entry's origin): [a-z0-9-]{1,32}. */
#define ENTRY_NODE_MAX	32
int	 entry_node_valid(const char *);

/*
 * Canonical JSON form: a JSON Feed 1.1 item, feedmesh fields in
 * "_feedmesh". entry_from_json() reads that form back, and also plain JSON
 * Feed 1.0/1.1 items (it does no sanitizing: see parse.h for the
 * untrusted path). Returns NULL on a malformed item, with a reason.
 */
json_t		*entry_to_json(const struct entry *);
struct entry	*entry_from_json(const json_t *, const char **why);

void	 feed_meta_init(struct feed_meta *);
void	 feed_meta_clear(struct feed_meta *);

#endif
