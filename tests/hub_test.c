/* feedmesh tests: the WebSub hub's signatures, topics and loop rule pieces. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "hub.h"
#include "query.h"
#include "tap.h"

#define PUB	"https://ess.example.org/reseau"
#define DEF	50
#define MAX	500

/* The canonical topic of t, or NULL (reason in err) if refused. */
static char *
topic(const char *t, int *json, char *err, size_t errlen)
{
	struct query	 q;
	struct buf	 b;

	buf_init(&b);
	if (hub_topic_parse(PUB, t, DEF, MAX, json, &q, &b, err,
	    errlen) == -1) {
		buf_free(&b);
		return (NULL);
	}
	query_clear(&q);
	return (buf_release(&b));
}

/* 1 if t is refused with a reason containing want. */
static int
refused(const char *t, const char *want)
{
	char	 err[256], *c;
	int	 json;

	if ((c = topic(t, &json, err, sizeof(err))) != NULL) {
		printf("# accepted: %s as %s\n", t, c);
		free(c);
		return (0);
	}
	if (strstr(err, want) == NULL) {
		printf("# reason: %s\n", err);
		return (0);
	}
	return (1);
}

static void
test_signature(void)
{
	char	 sig[HUB_SIGNATURE_LEN];
	char	 big[10000];

	/* RFC 4231, test case 2. */
	hub_signature("Jefe", "what do ya want for nothing?", 28, sig);
	is_str(sig, "sha256=5bdcc146bf60754e6a042426089575c7"
	    "5a003f089d2739839dec58b964ec3843", "HMAC-SHA256, RFC 4231 #2");
	hub_signature("key", "", 0, sig);
	is_str(sig, "sha256=5d5d139563c95b5967b9bd9a8c9b233a"
	    "9dedb45072794cd232dc1b74832607d0", "HMAC-SHA256 of an empty body");
	memset(big, 'x', sizeof(big));
	hub_signature("s3cret", big, sizeof(big), sig);
	is_int(strlen(sig), HUB_SIGNATURE_LEN - 1, "signature length");
	ok(strncmp(sig, "sha256=", 7) == 0, "signature method prefix");
}

static void
test_topics(void)
{
	char	 err[256], *c;
	int	 json = -1;

	c = topic(PUB "/feeds/all.atom", &json, err, sizeof(err));
	is_str(c, PUB "/feeds/all.atom", "topic: the Atom listing");
	is_int(json, 0, "topic: Atom format");
	free(c);
	c = topic(PUB "/feeds/all.json", &json, err, sizeof(err));
	is_str(c, PUB "/feeds/all.json", "topic: the JSON listing");
	is_int(json, 1, "topic: JSON format");
	free(c);
	c = topic(PUB "/feeds/all.atom?", &json, err, sizeof(err));
	is_str(c, PUB "/feeds/all.atom", "topic: empty query dropped");
	free(c);
	c = topic(PUB "/feeds/all.atom?territory=auvergne-rhone-alpes/loire"
	    "&kind=job", &json, err, sizeof(err));
	is_str(c, PUB "/feeds/all.atom?kind=job&territory="
	    "auvergne-rhone-alpes/loire", "topic: canonical query order");
	free(c);
	c = topic(PUB "/feeds/all.json?kind=job&limit=50", &json, err,
	    sizeof(err));
	is_str(c, PUB "/feeds/all.json?kind=job",
	    "topic: default limit dropped");
	free(c);

	ok(refused("https://other.example/feeds/all.atom", "not a listing"),
	    "topic: another host");
	ok(refused(PUB "/feeds/all.rss", "not a listing"),
	    "topic: unknown path");
	ok(refused(PUB "/feeds/all.atomx", "not a listing"),
	    "topic: path with a suffix");
	ok(refused(PUB "/hub", "not a listing"), "topic: the hub itself");
	ok(refused(PUB "/feeds/all.atom?kind=nope", "kind"),
	    "topic: a query the listing refuses");
	ok(refused(PUB "/feeds/all.atom?x=1", "hub.topic"),
	    "topic: unknown parameter");
	ok(refused(PUB "/feeds/all.atom#frag", "not a listing"),
	    "topic: fragment after the path");
	ok(refused(PUB "/feeds/all.atom?kind=job#f", "fragment"),
	    "topic: fragment after the query");
}

static void
test_origin(void)
{
	ok(hub_same_origin("http://a.example/x", "http://A.example:80/y"),
	    "origin: default port and host case");
	ok(hub_same_origin("https://a.example/x", "https://a.example:443/"),
	    "origin: https default port");
	ok(!hub_same_origin("http://a.example/x", "https://a.example/x"),
	    "origin: scheme differs");
	ok(!hub_same_origin("http://a.example:8080/", "http://a.example/"),
	    "origin: port differs");
	ok(!hub_same_origin("http://a.example/", "http://b.example/"),
	    "origin: host differs");
	ok(hub_same_origin("http://127.0.0.1:9000/feeds/all.atom",
	    "http://127.0.0.1:9000/websub/abc"), "origin: loopback with port");
	ok(!hub_same_origin("not a url", "http://a.example/"),
	    "origin: malformed URL");
}

int
main(void)
{
	test_signature();
	test_topics();
	test_origin();
	return (tap_done());
}
