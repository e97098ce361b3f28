/*
 * feedmesh: resolving and canonicalizing URLs (RFC 3986), written out
 * rather than borrowed from libxml2, whose xmlBuildURI normalizes and
 * escapes more than section 5.2 allows.
 */
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "url.h"

/* Longest URL handled; longer ones are refused rather than truncated. */
#define URL_MAX_LEN	8192

/* A reference split per RFC 3986 appendix B; fields point into a copy. */
struct url_parts {
	const char	*scheme;
	size_t		 scheme_len;
	const char	*authority;	/* NULL when absent, "" when empty */
	size_t		 authority_len;
	const char	*path;
	size_t		 path_len;
	const char	*query;		/* without '?', NULL when absent */
	size_t		 query_len;
	const char	*fragment;	/* without '#', NULL when absent */
	size_t		 fragment_len;
};

static void	 url_split(const char *, struct url_parts *);
static void	 url_remove_dots(struct buf *, const char *, size_t);
static void	 url_merge(struct buf *, const struct url_parts *,
		    const struct url_parts *);
static int	 url_scheme_is(const struct url_parts *, const char *);
static int	 url_param_tracking(const char *, size_t);
static void	 url_host_span(const struct url_parts *, const char **,
		    size_t *, const char **, size_t *);
static char	 url_lower(char);

static char
url_lower(char c)
{
	return (c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
}

/*
 * RFC 3986 appendix B:
 * ^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?
 * A scheme must start with a letter and hold only letters, digits, "+-.".
 */
static void
url_split(const char *s, struct url_parts *u)
{
	const char	*p;

	memset(u, 0, sizeof(*u));
	for (p = s; *p != '\0' && *p != ':' && *p != '/' && *p != '?' &&
	    *p != '#'; p++)
		;
	if (*p == ':' && p > s && ((*s >= 'a' && *s <= 'z') ||
	    (*s >= 'A' && *s <= 'Z')) && strspn(s, "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") == (size_t)(p - s)) {
		u->scheme = s;
		u->scheme_len = (size_t)(p - s);
		s = p + 1;
	}
	if (s[0] == '/' && s[1] == '/') {
		s += 2;
		u->authority = s;
		u->authority_len = strcspn(s, "/?#");
		s += u->authority_len;
	}
	u->path = s;
	u->path_len = strcspn(s, "?#");
	s += u->path_len;
	if (*s == '?') {
		u->query = ++s;
		u->query_len = strcspn(s, "#");
		s += u->query_len;
	}
	if (*s == '#') {
		u->fragment = ++s;
		u->fragment_len = strlen(s);
	}
}

/* RFC 3986 5.2.4: appends path without its "." and ".." segments to out. */
static void
url_remove_dots(struct buf *out, const char *in, size_t len)
{
	const char	*end = in + len, *seg;
	size_t		 start = out->len;
	char		*slash;

	while (in < end) {
		if (end - in >= 3 && strncmp(in, "../", 3) == 0)
			in += 3;
		else if (end - in >= 2 && strncmp(in, "./", 2) == 0)
			in += 2;
		else if (end - in >= 3 && strncmp(in, "/./", 3) == 0)
			in += 2;
		else if (end - in == 2 && strncmp(in, "/.", 2) == 0) {
			/* "/." at the end becomes "/". */
			buf_addc(out, '/');
			in = end;
		} else if ((end - in >= 4 && strncmp(in, "/../", 4) == 0) ||
		    (end - in == 3 && strncmp(in, "/..", 3) == 0)) {
			/* Drop the last segment written, and its slash. */
			if (out->len > start) {
				out->data[out->len] = '\0';
				slash = strrchr(out->data + start, '/');
				out->len = slash != NULL ?
				    (size_t)(slash - out->data) : start;
				out->data[out->len] = '\0';
			}
			if (end - in == 3) {
				buf_addc(out, '/');
				in = end;
			} else
				in += 3;
		} else if ((end - in == 1 && *in == '.') ||
		    (end - in == 2 && strncmp(in, "..", 2) == 0))
			in = end;
		else {
			/* Move the first segment, with its leading slash. */
			seg = in;
			if (*in == '/')
				in++;
			while (in < end && *in != '/')
				in++;
			buf_add(out, seg, (size_t)(in - seg));
		}
	}
}

/* RFC 3986 5.2.3: the reference's path merged with the base's. */
static void
url_merge(struct buf *out, const struct url_parts *base,
    const struct url_parts *ref)
{
	struct buf	 tmp;
	const char	*slash = NULL, *p;

	buf_init(&tmp);
	if (base->authority != NULL && base->path_len == 0)
		buf_addc(&tmp, '/');
	else {
		for (p = base->path; p < base->path + base->path_len; p++)
			if (*p == '/')
				slash = p;
		if (slash != NULL)
			buf_add(&tmp, base->path,
			    (size_t)(slash - base->path) + 1);
	}
	buf_add(&tmp, ref->path, ref->path_len);
	url_remove_dots(out, tmp.data, tmp.len);
	buf_free(&tmp);
}

char *
url_resolve(const char *base, const char *ref)
{
	struct url_parts	 b, r;
	struct buf		 out;
	const char		*auth, *query;
	size_t			 auth_len, query_len;

	if (ref == NULL)
		return (base != NULL ? strdup(base) : NULL);
	/* Feeds pad their links with whitespace. */
	while (*ref == ' ' || *ref == '\t' || *ref == '\r' || *ref == '\n')
		ref++;
	if (strlen(ref) > URL_MAX_LEN || (base != NULL &&
	    strlen(base) > URL_MAX_LEN))
		return (NULL);
	url_split(ref, &r);
	if (base == NULL || r.scheme != NULL) {
		if (base != NULL || r.scheme != NULL) {
			/* Absolute already: still drop its dot segments. */
			buf_init(&out);
			if (r.scheme != NULL) {
				buf_add(&out, r.scheme, r.scheme_len);
				buf_addc(&out, ':');
			}
			if (r.authority != NULL) {
				buf_addstr(&out, "//");
				buf_add(&out, r.authority, r.authority_len);
			}
			url_remove_dots(&out, r.path, r.path_len);
			goto tail;
		}
		return (strdup(ref));
	}
	url_split(base, &b);
	buf_init(&out);
	buf_add(&out, b.scheme, b.scheme_len);
	if (b.scheme != NULL)
		buf_addc(&out, ':');
	if (r.authority != NULL) {
		buf_addstr(&out, "//");
		buf_add(&out, r.authority, r.authority_len);
		url_remove_dots(&out, r.path, r.path_len);
		goto tail;
	}
	auth = b.authority;
	auth_len = b.authority_len;
	if (auth != NULL) {
		buf_addstr(&out, "//");
		buf_add(&out, auth, auth_len);
	}
	if (r.path_len == 0) {
		buf_add(&out, b.path, b.path_len);
		query = r.query != NULL ? r.query : b.query;
		query_len = r.query != NULL ? r.query_len : b.query_len;
		if (query != NULL) {
			buf_addc(&out, '?');
			buf_add(&out, query, query_len);
		}
		goto fragment;
	}
	if (r.path[0] == '/')
		url_remove_dots(&out, r.path, r.path_len);
	else
		url_merge(&out, &b, &r);
tail:
	if (r.query != NULL) {
		buf_addc(&out, '?');
		buf_add(&out, r.query, r.query_len);
	}
fragment:
	if (r.fragment != NULL) {
		buf_addc(&out, '#');
		buf_add(&out, r.fragment, r.fragment_len);
	}
	return (buf_release(&out));
}

static int
url_scheme_is(const struct url_parts *u, const char *scheme)
{
	return (u->scheme != NULL && u->scheme_len == strlen(scheme) &&
	    strncasecmp(u->scheme, scheme, u->scheme_len) == 0);
}

/* The host and port inside the authority, without user information. */
static void
url_host_span(const struct url_parts *u, const char **host, size_t *host_len,
    const char **port, size_t *port_len)
{
	const char	*a = u->authority, *end = a + u->authority_len, *p;

	for (p = end; p > a; p--)
		if (p[-1] == '@')
			break;
	a = p;
	*port = NULL;
	*port_len = 0;
	if (a < end && *a == '[') {
		/* An IP literal: the port follows the bracket. */
		for (p = a; p < end && *p != ']'; p++)
			;
		if (p < end)
			p++;
	} else
		for (p = a; p < end && *p != ':'; p++)
			;
	*host = a;
	*host_len = (size_t)(p - a);
	if (p < end && *p == ':') {
		*port = p + 1;
		*port_len = (size_t)(end - p - 1);
	}
}

int
url_is_http(const char *s)
{
	struct url_parts	 u;
	const char		*host, *port;
	size_t			 host_len, port_len;

	if (s == NULL || strlen(s) > URL_MAX_LEN)
		return (0);
	url_split(s, &u);
	if ((!url_scheme_is(&u, "http") && !url_scheme_is(&u, "https")) ||
	    u.authority == NULL)
		return (0);
	url_host_span(&u, &host, &host_len, &port, &port_len);
	return (host_len > 0);
}

char *
url_host(const char *s)
{
	struct url_parts	 u;
	const char		*host, *port;
	size_t			 host_len, port_len, i;
	char			*h;

	if (s == NULL || strlen(s) > URL_MAX_LEN)
		return (NULL);
	url_split(s, &u);
	if (u.scheme == NULL || u.authority == NULL)
		return (NULL);
	url_host_span(&u, &host, &host_len, &port, &port_len);
	if (host_len == 0)
		return (NULL);
	if ((h = malloc(host_len + 1)) == NULL)
		fatal("%s", __func__);
	for (i = 0; i < host_len; i++)
		h[i] = url_lower(host[i]);
	h[host_len] = '\0';
	return (h);
}

/* 1 if a query parameter's name is one of the trackers' own. */
static int
url_param_tracking(const char *p, size_t len)
{
	static const char *const names[] = {
		"fbclid", "gclid", "mc_cid", "mc_eid", "_hsenc", "_hsmi",
		"xtor", NULL
	};
	size_t	 i, n;

	n = strcspn(p, "=&");
	if (n > len)
		n = len;
	if (n > 4 && strncmp(p, "utm_", 4) == 0)
		return (1);
	for (i = 0; names[i] != NULL; i++)
		if (strlen(names[i]) == n && strncmp(p, names[i], n) == 0)
			return (1);
	return (0);
}

char *
url_canonical(const char *s)
{
	struct url_parts	 u;
	struct buf		 out;
	const char		*host, *port, *q, *qend, *amp;
	size_t			 host_len, port_len, i, plen;
	int			 https, first = 1;

	if (!url_is_http(s))
		return (NULL);
	url_split(s, &u);
	https = url_scheme_is(&u, "https");
	url_host_span(&u, &host, &host_len, &port, &port_len);
	buf_init(&out);
	buf_addstr(&out, https ? "https://" : "http://");
	/* User information is kept: it names a different resource. */
	if (host > u.authority)
		buf_add(&out, u.authority, (size_t)(host - u.authority));
	for (i = 0; i < host_len; i++)
		buf_addc(&out, url_lower(host[i]));
	/*
	 * "example.org." is "example.org"; every trailing dot goes, or
	 * the key of the key would differ from the key.
	 */
	for (; host_len > 0 && out.data[out.len - 1] == '.'; host_len--) {
		out.len--;
		out.data[out.len] = '\0';
	}
	if (host_len == 0) {
		/* Only dots ("http://../"): no host, not a permalink. */
		buf_free(&out);
		return (NULL);
	}
	if (port_len > 0 && !(port_len == 2 && !https &&
	    strncmp(port, "80", 2) == 0) && !(port_len == 3 && https &&
	    strncmp(port, "443", 3) == 0)) {
		buf_addc(&out, ':');
		buf_add(&out, port, port_len);
	}
	plen = out.len;
	if (u.path_len == 0)
		buf_addc(&out, '/');
	else
		url_remove_dots(&out, u.path, u.path_len);
	if (out.len == plen)
		buf_addc(&out, '/');
	while (out.len > plen + 1 && out.data[out.len - 1] == '/')
		out.data[--out.len] = '\0';
	if (u.query != NULL) {
		qend = u.query + u.query_len;
		for (q = u.query; q < qend; q = amp + 1) {
			if ((amp = memchr(q, '&', (size_t)(qend - q))) == NULL)
				amp = qend;
			if (amp > q && !url_param_tracking(q,
			    (size_t)(amp - q))) {
				buf_addc(&out, first ? '?' : '&');
				buf_add(&out, q, (size_t)(amp - q));
				first = 0;
			}
			if (amp == qend)
				break;
		}
	}
	return (buf_release(&out));
}
