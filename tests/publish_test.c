/*
 * feedmesh tests: publishing's pure parts: reading a published body
 * (Atom entry, JSON Feed item), the ids given out, and the token check.
 */
#include <sys/queue.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>

#include "conf.h"
#include "entry.h"
#include "log.h"
#include "publish.h"
#include "store.h"
#include "tap.h"

#define BASE	"https://node.example/entries/"

static struct entry *parse(const char *, const char *, const char **);
static void	 test_parse(void);
static void	 test_id(void);
static void	 test_tokens(void);

static struct entry *
parse(const char *body, const char *ctype, const char **why)
{
	return (publish_entry_parse(body, strlen(body), ctype, BASE, why));
}

static void
test_parse(void)
{
	struct entry	*e;
	const char	*why;
	char		*raw;

	e = parse("<?xml version=\"1.0\"?>\n<entry xmlns=\""
	    "http://www.w3.org/2005/Atom\"><title>T</title>"
	    "<link href=\"rel/1\"/><content type=\"html\">&lt;b "
	    "onclick=\"x()\"&gt;b&lt;/b&gt;</content>"
	    "<fm:expires xmlns:fm=\"https://feedmesh.org/ns/1.0\">"
	    "2026-12-01T00:00:00Z</fm:expires></entry>",
	    "application/atom+xml", &why);
	ok(e != NULL, "a bare Atom entry with a declaration is read");
	is_str(e ? e->title : NULL, "T", "its title");
	is_str(e ? e->link : NULL, BASE "rel/1", "links resolved on the node");
	ok(e != NULL && e->id == NULL, "no id given: none invented here");
	ok(e != NULL && e->content != NULL &&
	    strstr(e->content, "onclick") == NULL, "content sanitized");
	is_int(e ? e->expires : 0, 1796083200, "fm:expires is read");
	entry_free(e);

	/*
	 * A request body has no NUL after it: a declaration that does not
	 * end is not looked for past the body (a make fuzz finding; ASan
	 * sees the over-read in an exactly sized copy).
	 */
	if ((raw = malloc(14)) != NULL) {
		memcpy(raw, "<?xml version=", 14);
		e = publish_entry_parse(raw, 14, "application/atom+xml",
		    BASE, &why);
		ok(e == NULL && why != NULL &&
		    strstr(why, "unterminated") != NULL,
		    "an unterminated declaration at the end of the body");
		entry_free(e);
		free(raw);
	}

	e = parse("{\"id\": \"urn:x\", \"title\": \"J\", \"content_text\": "
	    "\"t\", \"_feedmesh\": {\"expires\": \"2026-12-01T00:00:00Z\"}}",
	    NULL, &why);
	ok(e != NULL && strcmp(e->id, "urn:x") == 0,
	    "a JSON Feed item, sniffed, keeps its id");
	is_int(e ? e->expires : 0, 1796083200, "_feedmesh.expires is read");
	entry_free(e);

	e = parse("{\"version\": \"https://jsonfeed.org/version/1.1\", "
	    "\"title\": \"f\", \"items\": [{\"id\": \"1\", \"title\": \"a\"},"
	    " {\"id\": \"2\", \"title\": \"b\"}]}", "application/feed+json",
	    &why);
	ok(e == NULL && why != NULL && strstr(why, "more than one") != NULL,
	    "two entries are refused");
	e = parse("<!DOCTYPE x [<!ENTITY a \"b\">]><entry xmlns=\""
	    "http://www.w3.org/2005/Atom\"><title>&a;</title></entry>",
	    "application/atom+xml", &why);
	ok(e == NULL && why != NULL && strstr(why, "document type") != NULL,
	    "a DOCTYPE is refused");
	e = parse("<entry xmlns=\"http://www.w3.org/2005/Atom\"><title>",
	    "application/atom+xml", &why);
	ok(e == NULL && why != NULL, "a truncated entry is refused (%s)",
	    why ? why : "");
	e = parse("[1, 2]", "application/json", &why);
	ok(e == NULL && why != NULL, "a JSON array is refused");
	e = parse("   ", NULL, &why);
	ok(e == NULL && why != NULL, "an empty body is refused");
	e = parse("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"
	    "<title>x</title></entry></feed>", NULL, &why);
	ok(e != NULL, "a feed of one entry is accepted");
	entry_free(e);
}

static void
test_id(void)
{
	char	*a, *b;

	a = publish_entry_id("https://User@Portail.Example:8443/x", "loire",
	    1764000000);
	b = publish_entry_id("https://portail.example", "loire", 1764000000);
	ok(a != NULL && strncmp(a, "tag:portail.example,2025-11-24:loire/",
	    37) == 0 && strlen(a) == 37 + 24, "a tag URI: %s", a);
	ok(b != NULL && strcmp(a, b) != 0, "each id is new");
	free(a);
	free(b);
}

static void
test_tokens(void)
{
	struct conf_publisher	 pubs[2] = {
		{ "cms", "0123456789abcdef-cms" },
		{ "blog", "0123456789abcdef-blog" },
	};
	struct config		 conf;
	struct store		*s;
	struct publish		*p;
	char			 path[] = "/tmp/feedmesh-publish.XXXXXX";
	int			 fd;

	if ((fd = mkstemp(path)) == -1) {
		ok(0, "temporary store");
		return;
	}
	close(fd);
	unlink(path);
	s = store_open(path);
	memset(&conf, 0, sizeof(conf));
	TAILQ_INIT(&conf.peers);
	conf.node = "loire";
	conf.public_url = "https://node.example";
	conf.publishers = pubs;
	conf.npublishers = 2;
	conf.expire_interval = 60;
	p = s != NULL ? publish_new(NULL, s, NULL, NULL, &conf) : NULL;
	ok(p != NULL, "publishing set up without HTTP");
	if (p != NULL) {
		is_str(publish_token_check(p, "0123456789abcdef-blog"), "blog",
		    "a token names its publisher");
		is_str(publish_token_check(p, "0123456789abcdef-cms"), "cms",
		    "each its own");
		ok(publish_token_check(p, "0123456789abcdef-cm") == NULL,
		    "a prefix is not the token");
		ok(publish_token_check(p, "") == NULL &&
		    publish_token_check(p, NULL) == NULL, "nothing is nobody");
	}
	publish_free(p);
	store_close(s);
	unlink(path);
}

int
main(void)
{
	log_init(1, LOG_LEVEL_WARN, "publish_test");
	xmlInitParser();
	test_parse();
	test_id();
	test_tokens();
	xmlCleanupParser();
	return (tap_done());
}
