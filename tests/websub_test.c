/* feedmesh tests: WebSub subscriber pieces: Link headers, signatures, tokens. */
#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "tap.h"
#include "websub.h"

/* RFC 4231 / RFC 2202 test case 2. */
#define KEY	"Jefe"
#define DATA	"what do ya want for nothing?"

static const struct {
	const char	*alg;
	const char	*hex;
} vectors[] = {
	{ "sha1", "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79" },
	{ "sha256", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b9"
	    "64ec3843" },
	{ "sha384", "af45d2e376484031617f78d2b58a6b1b9c7ef464f5a01b47e42ec373"
	    "6322445e8e2240ca5e69e2c78b3239ecfab21649" },
	{ "sha512", "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7"
	    "ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a"
	    "38bce737" },
};

static void
test_link(const char *h, const char *rel, const char *want, const char *what)
{
	char	*got = websub_link_find(h, rel);

	is_str(got, want, "link: %s", what);
	free(got);
}

static void
test_links(void)
{
	test_link("<https://hub.example/>; rel=\"hub\"", "hub",
	    "https://hub.example/", "one quoted rel");
	test_link("<https://hub.example/>; rel=hub", "hub",
	    "https://hub.example/", "an unquoted rel");
	test_link("<https://a.example/feed>; rel=\"self\", "
	    "<https://hub.example/h>; rel=\"hub\"", "hub",
	    "https://hub.example/h", "second of two links");
	test_link("<https://a.example/feed>; rel=\"self\", "
	    "<https://hub.example/h>; rel=\"hub\"", "self",
	    "https://a.example/feed", "first of two links");
	test_link("<https://x.example/both>; rel=\"alternate HUB\"", "hub",
	    "https://x.example/both", "a rel list, case-insensitive");
	test_link("<https://x.example/a,b>; title=\"x, rel=hub\"; "
	    "rel=\"self\", <https://hub.example/>; rel=hub", "hub",
	    "https://hub.example/", "commas inside <> and quotes");
	test_link("<https://x.example/a,b>; title=\"x, rel=hub\"; "
	    "rel=\"self\"", "self", "https://x.example/a,b",
	    "a URL with a comma");
	test_link("<https://x.example/>; rel=\"hubbub\"", "hub", NULL,
	    "a longer relation is not hub");
	test_link("<https://x.example/>; rel=\"self\"", "hub", NULL,
	    "no hub");
	test_link("<https://x.example/>; REL=\"hub\"; type=\"a;b\"", "hub",
	    "https://x.example/", "parameter names are case-insensitive");
	test_link("garbage <https://x.example/>; rel=hub", "hub", NULL,
	    "a value not starting with < is refused");
	test_link("<https://x.example/; rel=hub", "hub", NULL,
	    "an unclosed bracket is refused");
	test_link("", "hub", NULL, "an empty header");
	test_link(NULL, "hub", NULL, "no header");
	test_link("<https://x.example/>; rel=\"hub", "hub",
	    "https://x.example/", "an unterminated quote ends the value");
}

static void
test_discover(void)
{
	struct feed_meta	 m;
	char			*hub, *self;

	feed_meta_init(&m);
	m.hub = strdup("https://doc-hub.example/");
	m.self = strdup("https://doc.example/feed");
	websub_discover("<https://h.example/>; rel=hub", &m, &hub, &self);
	is_str(hub, "https://h.example/", "discover: the header's hub first");
	is_str(self, "https://doc.example/feed",
	    "discover: self from the document when the header has none");
	free(hub);
	free(self);
	websub_discover(NULL, &m, &hub, &self);
	is_str(hub, "https://doc-hub.example/", "discover: the document's hub");
	is_str(self, "https://doc.example/feed", "discover: the document's self");
	free(hub);
	free(self);
	websub_discover(NULL, NULL, &hub, &self);
	ok(hub == NULL && self == NULL, "discover: nothing advertised");
	feed_meta_clear(&m);
}

static void
test_signatures(void)
{
	char	 h[256];
	size_t	 i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		snprintf(h, sizeof(h), "%s=%s", vectors[i].alg, vectors[i].hex);
		ok(websub_signature_check(h, KEY, DATA, strlen(DATA)) == 1,
		    "signature: %s accepted", vectors[i].alg);
		ok(websub_signature_check(h, "Jeff", DATA, strlen(DATA)) == 0,
		    "signature: %s with another secret refused",
		    vectors[i].alg);
		ok(websub_signature_check(h, KEY, DATA, strlen(DATA) - 1) ==
		    0, "signature: %s of another body refused",
		    vectors[i].alg);
		snprintf(h, sizeof(h), "%s=%s", vectors[i].alg, vectors[i].hex);
		h[strlen(h) - 1] = h[strlen(h) - 1] == '0' ? '1' : '0';
		ok(websub_signature_check(h, KEY, DATA, strlen(DATA)) == 0,
		    "signature: %s with one digit changed refused",
		    vectors[i].alg);
	}
	snprintf(h, sizeof(h), "SHA256=%s", "5BDCC146BF60754E6A042426089575C7"
	    "5A003F089D2739839DEC58B964EC3843");
	ok(websub_signature_check(h, KEY, DATA, strlen(DATA)) == 1,
	    "signature: upper case accepted");
	ok(websub_signature_check("md5=750c783e6ab0b503eaa86e310a5db738",
	    KEY, DATA, strlen(DATA)) == 0, "signature: md5 refused");
	ok(websub_signature_check("sha256=5bdcc146", KEY, DATA,
	    strlen(DATA)) == 0, "signature: a truncated digest refused");
	ok(websub_signature_check("sha256", KEY, DATA, strlen(DATA)) == 0,
	    "signature: no digest refused");
	ok(websub_signature_check("", KEY, DATA, strlen(DATA)) == 0,
	    "signature: empty header refused");
	ok(websub_signature_check(NULL, KEY, DATA, strlen(DATA)) == 0,
	    "signature: no header refused");
	ok(websub_signature_check("sha1=zzcdf6ae5eb2fa2d27416d5f184df9c259a7c7"
	    "9", KEY, DATA, strlen(DATA)) == 0,
	    "signature: non-hex digits refused");
}

static void
test_tokens(void)
{
	char	 a[WEBSUB_TOKEN_LEN], b[WEBSUB_TOKEN_LEN];

	websub_token_new(a, sizeof(a));
	websub_token_new(b, sizeof(b));
	is_int(strlen(a), 32, "token: 128 bits in hex");
	ok(websub_token_valid(a), "token: a new token is valid");
	ok(strcmp(a, b) != 0, "token: two tokens differ");
	ok(!websub_token_valid(""), "token: empty refused");
	ok(!websub_token_valid("0123456789abcdef0123456789abcde"),
	    "token: too short refused");
	ok(!websub_token_valid("0123456789abcdef0123456789abcdef0"),
	    "token: too long refused");
	ok(!websub_token_valid("0123456789ABCDEF0123456789abcdef"),
	    "token: upper case refused");
	ok(!websub_token_valid("../3456789abcdef0123456789abcdef"),
	    "token: path characters refused");
}

int
main(void)
{
	test_links();
	test_discover();
	test_signatures();
	test_tokens();
	return (tap_done());
}
