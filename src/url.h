/* feedmesh: resolving and canonicalizing URLs (RFC 3986). */
#ifndef FEEDMESH_URL_H
#define FEEDMESH_URL_H

/* Resolves ref against base (either may be NULL); returns a new string. */
char	*url_resolve(const char *base, const char *ref);

/*
 * The deduplication key of a permalink: scheme and host in lower case,
 * default port dropped, empty path as "/", trailing slash removed from
 * other paths, fragment and tracking parameters (utm_*, fbclid, gclid,
 * ...) removed, remaining query parameters kept in order. NULL if the URL
 * is not an absolute http(s) URL.
 */
char	*url_canonical(const char *);

/* 1 if the URL is absolute with the scheme http or https. */
int	 url_is_http(const char *);

/* The lower-case host of an absolute URL, or NULL. */
char	*url_host(const char *);

#endif
