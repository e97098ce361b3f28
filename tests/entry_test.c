/* feedmesh tests: the entry's canonical JSON form reads back unchanged. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "entry.h"
#include "tap.h"

static void
test_round_trip(void)
{
	struct entry	*e, *d;
	const char	*why;
	json_t		*j, *k;
	char		*s1, *s2;

	e = entry_new();
	entry_set(&e->id, "tag:example.org,2026:1");
	entry_set(&e->title, "Offre d'emploi : chargé·e de mission ESS");
	entry_set(&e->link, "https://example.org/emploi/1");
	entry_set(&e->summary, "<p>Un <em>poste</em></p>");
	entry_set(&e->summary_text, "Un poste");
	entry_set(&e->content, "<p>Contenu</p>");
	entry_set(&e->content_type, "html");
	entry_set(&e->kind, "job");
	entry_set(&e->territory, "auvergne-rhone-alpes/loire");
	e->published = 1764000000;
	e->updated = 1764003600;
	e->has_geo = 1;
	e->lat = 45.4397;
	e->lon = 4.3872;
	entry_add_author(e, "Cress AURA", "contact@example.org", NULL);
	entry_add_category(e, "insertion", "https://example.org/cat", "Insertion");
	entry_add_enclosure(e, "https://example.org/a.pdf", "application/pdf", 1234);
	entry_add_link(e, "https://example.org/c", "replies", "text/html", NULL);
	entry_set(&e->source.id, "urn:feed:1");
	entry_set(&e->source.title, "Portail régional");
	entry_add_peer(e, "region");

	j = entry_to_json(e);
	ok(j != NULL, "entry_to_json");
	is_str(json_string_value(json_object_get(j, "content_html")),
	    "<p>Contenu</p>", "content_html");
	is_str(json_string_value(json_object_get(json_object_get(j,
	    "_feedmesh"), "kind")), "job", "kind in _feedmesh");
	ok(json_array_size(json_object_get(j, "tags")) == 3,
	    "kind, territory and category as tags");
	d = entry_from_json(j, &why);
	ok(d != NULL, "entry_from_json");
	k = entry_to_json(d);
	s1 = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	s2 = json_dumps(k, JSON_SORT_KEYS | JSON_COMPACT);
	is_str(s2, s1, "canonical form is stable");
	is_int(d->published, e->published, "published");
	is_int(d->nenclosures, 1, "enclosure");
	is_int(d->enclosures[0].length, 1234, "enclosure length");
	is_str(d->authors[0].email, "contact@example.org", "author email");
	ok(d->has_geo && d->lat == e->lat && d->lon == e->lon, "geo point");
	free(s1);
	free(s2);
	json_decref(j);
	json_decref(k);
	entry_free(d);

	d = entry_dup(e);
	is_str(d->peers[0], "region", "entry_dup keeps peers");
	is_int(d->ncategories, 1, "entry_dup keeps categories");
	entry_free(d);
	entry_free(e);
}

static void
test_plain_jsonfeed(void)
{
	struct entry	*e;
	const char	*why;
	json_t		*j;

	j = json_loads("{\"id\":42,\"url\":\"https://x.org/1\","
	    "\"author\":{\"name\":\"Ana\"},\"tags\":[\"a\",\"b\"],"
	    "\"date_published\":\"2026-01-02T03:04:05+01:00\"}", 0, NULL);
	e = entry_from_json(j, &why);
	is_str(e->id, "42", "numeric id read as a string");
	is_str(e->authors[0].name, "Ana", "JSON Feed 1.0 author");
	is_int(e->ncategories, 2, "tags become categories");
	is_int(e->published, 1767319445, "date with offset");
	entry_free(e);
	json_decref(j);
	j = json_string("x");
	ok(entry_from_json(j, &why) == NULL, "non-object refused");
	json_decref(j);
}

static void
test_vocabulary(void)
{
	ok(entry_kind_valid("job"), "job is a kind");
	ok(!entry_kind_valid("jobs"), "jobs is not");
	ok(entry_territory_valid("auvergne-rhone-alpes/loire"), "territory");
	ok(!entry_territory_valid("Loire"), "upper case refused");
	ok(!entry_territory_valid("a//b"), "empty segment refused");
	ok(!entry_territory_valid("a/"), "trailing slash refused");
}

/*
 * Strings go into the JSON form unchecked by jansson when they are
 * UTF-8; those that are not are left out, as json_string() leaves them.
 */
static void
test_utf8(void)
{
	const struct {
		const char	*s;
		int		 kept;
	} cases[] = {
		{ "plain ASCII, long enough for words", 1 },
		{ "\xc3\x89" "conomie sociale et solidaire", 1 },
		{ "tab\tand\x01" "control", 1 },
		{ "\xe2\x82\xac \xef\xbf\xbf \xf0\x9f\x8c\xb1 \xf4\x8f\xbf\xbf", 1 },
		{ "lone \x80 continuation", 0 },
		{ "overlong \xc0\xaf slash", 0 },
		{ "overlong \xe0\x80\xaf three", 0 },
		{ "overlong \xf0\x80\x80\xaf four", 0 },
		{ "surrogate \xed\xa0\x80 here", 0 },
		{ "past U+10FFFF \xf4\x90\x80\x80", 0 },
		{ "cut short \xc3", 0 },
		{ "cut short \xe2\x82", 0 },
		{ "bad second \xe2\x28\xa1", 0 },
		{ "\xf5\x80\x80\x80 never a lead byte", 0 },
	};
	struct entry	*e;
	json_t		*j;
	size_t		 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		e = entry_new();
		entry_set(&e->id, "urn:utf8");
		entry_set(&e->title, cases[i].s);
		entry_add_category(e, cases[i].s, NULL, NULL);
		j = entry_to_json(e);
		is_int(json_object_get(j, "title") != NULL, cases[i].kept,
		    "UTF-8 case %zu: title %s", i, cases[i].kept ? "kept" :
		    "left out");
		is_int((int)json_array_size(json_object_get(j, "tags")),
		    cases[i].kept, "UTF-8 case %zu: tag", i);
		json_decref(j);
		entry_free(e);
	}
}

int
main(void)
{
	test_round_trip();
	test_plain_jsonfeed();
	test_vocabulary();
	test_utf8();
	return (tap_done());
}
