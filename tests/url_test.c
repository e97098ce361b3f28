/* feedmesh tests: RFC 3986 reference resolution and permalink keys. */
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "tap.h"

/* RFC 3986 section 5.4, against the base http://a/b/c/d;p?q. */
static const char *const resolve_cases[][2] = {
	{ "g:h", "g:h" },
	{ "g", "http://a/b/c/g" },
	{ "./g", "http://a/b/c/g" },
	{ "g/", "http://a/b/c/g/" },
	{ "/g", "http://a/g" },
	{ "//g", "http://g" },
	{ "?y", "http://a/b/c/d;p?y" },
	{ "g?y", "http://a/b/c/g?y" },
	{ "#s", "http://a/b/c/d;p?q#s" },
	{ "g#s", "http://a/b/c/g#s" },
	{ "g?y#s", "http://a/b/c/g?y#s" },
	{ ";x", "http://a/b/c/;x" },
	{ "g;x", "http://a/b/c/g;x" },
	{ "g;x?y#s", "http://a/b/c/g;x?y#s" },
	{ "", "http://a/b/c/d;p?q" },
	{ ".", "http://a/b/c/" },
	{ "./", "http://a/b/c/" },
	{ "..", "http://a/b/" },
	{ "../", "http://a/b/" },
	{ "../g", "http://a/b/g" },
	{ "../..", "http://a/" },
	{ "../../", "http://a/" },
	{ "../../g", "http://a/g" },
	/* 5.4.2: abnormal examples. */
	{ "../../../g", "http://a/g" },
	{ "../../../../g", "http://a/g" },
	{ "/./g", "http://a/g" },
	{ "/../g", "http://a/g" },
	{ "g.", "http://a/b/c/g." },
	{ ".g", "http://a/b/c/.g" },
	{ "g..", "http://a/b/c/g.." },
	{ "..g", "http://a/b/c/..g" },
	{ "./../g", "http://a/b/g" },
	{ "./g/.", "http://a/b/c/g/" },
	{ "g/./h", "http://a/b/c/g/h" },
	{ "g/../h", "http://a/b/c/h" },
	{ "g;x=1/./y", "http://a/b/c/g;x=1/y" },
	{ "g;x=1/../y", "http://a/b/c/y" },
	{ "g?y/./x", "http://a/b/c/g?y/./x" },
	{ "g?y/../x", "http://a/b/c/g?y/../x" },
	{ "g#s/./x", "http://a/b/c/g#s/./x" },
	{ "g#s/../x", "http://a/b/c/g#s/../x" },
	{ "http:g", "http:g" },
};

static const char *const canonical_cases[][2] = {
	{ "HTTP://Example.ORG", "http://example.org/" },
	{ "http://example.org:80/a/", "http://example.org/a" },
	{ "https://example.org:443/", "https://example.org/" },
	{ "https://example.org:8443/x", "https://example.org:8443/x" },
	{ "http://example.org:443/x", "http://example.org:443/x" },
	{ "https://example.org/emploi/1#apply",
	    "https://example.org/emploi/1" },
	{ "https://example.org/a?utm_source=x&id=3&utm_medium=rss&fbclid=z",
	    "https://example.org/a?id=3" },
	{ "https://example.org/a?b=2&a=1", "https://example.org/a?b=2&a=1" },
	{ "https://example.org/a?gclid=1&mc_cid=2&mc_eid=3&_hsenc=4&_hsmi=5"
	    "&xtor=RSS-1", "https://example.org/a" },
	{ "https://example.org/a?utm=1", "https://example.org/a?utm=1" },
	{ "https://example.org/Path/Case/", "https://example.org/Path/Case" },
	{ "https://example.org/a/./b/../c", "https://example.org/a/c" },
	{ "https://example.org.", "https://example.org/" },
	/* Found by tests/fuzz/fuzz_url: canonical twice must be canonical. */
	{ "http://example.org../", "http://example.org/" },
	{ "https://Jean@Example.org/", "https://Jean@example.org/" },
	{ "https://[2001:DB8::1]:443/x", "https://[2001:db8::1]/x" },
	{ "https://example.org/?", "https://example.org/" },
};

int
main(void)
{
	size_t	 i;
	char	*s;

	for (i = 0; i < sizeof(resolve_cases) / sizeof(resolve_cases[0]);
	    i++) {
		s = url_resolve("http://a/b/c/d;p?q", resolve_cases[i][0]);
		is_str(s, resolve_cases[i][1], "resolve \"%s\"",
		    resolve_cases[i][0]);
		free(s);
	}
	s = url_resolve("https://example.org/feed/", " article.html ");
	ok(s != NULL && strncmp(s, "https://example.org/feed/article.html",
	    37) == 0, "leading space ignored");
	free(s);
	s = url_resolve(NULL, "/relatif");
	is_str(s, "/relatif", "no base: reference unchanged");
	free(s);
	s = url_resolve("https://example.org/a/b", NULL);
	is_str(s, "https://example.org/a/b", "no reference: the base");
	free(s);
	s = url_resolve("https://example.org", "x");
	is_str(s, "https://example.org/x", "empty base path");
	free(s);
	s = url_resolve("https://example.org/a/", "https://autre.org/./b/../c");
	is_str(s, "https://autre.org/c", "absolute reference, dots removed");
	free(s);
	s = url_resolve("tag:example.org,2026:feed", "x");
	is_str(s, "tag:x", "base without authority nor slash");
	free(s);

	for (i = 0; i < sizeof(canonical_cases) /
	    sizeof(canonical_cases[0]); i++) {
		s = url_canonical(canonical_cases[i][0]);
		is_str(s, canonical_cases[i][1], "canonical \"%s\"",
		    canonical_cases[i][0]);
		free(s);
	}
	ok(url_canonical("ftp://example.org/") == NULL, "ftp refused");
	ok(url_canonical("/relative") == NULL, "relative refused");
	ok(url_canonical("mailto:a@example.org") == NULL, "mailto refused");
	ok(url_canonical(NULL) == NULL, "NULL refused");
	/* Found by tests/fuzz/fuzz_url: a host of dots is no host. */
	ok(url_canonical("http://../rg.") == NULL, "host of dots refused");

	ok(url_is_http("https://example.org"), "https is http");
	ok(url_is_http("HTTP://example.org/x"), "scheme case ignored");
	ok(!url_is_http("javascript:alert(1)"), "javascript is not");
	ok(!url_is_http("http:///x"), "empty host is not");
	ok(!url_is_http("//example.org/x"), "scheme-relative is not");
	s = url_host("https://user@WWW.Example.org:8080/x");
	is_str(s, "www.example.org", "url_host");
	free(s);
	ok(url_host("/x") == NULL, "no host in a path");
	return (tap_done());
}
