/*
 * feedmesh: unit tests of the HTML pages: escaping, the pages' own
 * options split from the listing's, entries shown as plain text.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "entry.h"
#include "render_html.h"
#include "tap.h"

static int
count(const char *hay, const char *needle)
{
	int	 n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return (n);
}

int
main(void)
{
	struct render_html_opts	 o;
	struct render_html	 r;
	struct entry		*e[3];
	struct buf		 b, rest;
	char			 err[160];
	int			 rc;

	buf_init(&b);
	render_html_escape(&b, "a<b>&\"'c");
	is_str(b.data, "a&lt;b&gt;&amp;&quot;&#39;c", "escape: & < > \" '");

	buf_init(&rest);
	rc = render_html_options("lang=en&kind=job&q=&layout=cards&"
	    "territory=&q=caf%C3%A9+bio&limit=5", &o, &rest, err, sizeof(err));
	is_int(rc, 0, "options: accepted");
	is_str(rest.data, "kind=job&q=caf%C3%A9+bio&limit=5",
	    "options: lang, layout and blank values taken out");
	ok(o.en && o.cards, "options: lang=en, layout=cards");
	is_str(o.q, "caf\xc3\xa9 bio", "options: q decoded for the form");
	is_str(render_html_options_suffix(&o), "&lang=en&layout=cards",
	    "options: suffix");
	render_html_options_clear(&o);
	buf_reset(&rest);
	rc = render_html_options("lang=de", &o, &rest, err, sizeof(err));
	ok(rc == -1 && strstr(err, "lang") != NULL, "options: lang=de refused");
	render_html_options_clear(&o);
	rc = render_html_options("layout=grid", &o, &rest, err, sizeof(err));
	ok(rc == -1 && strstr(err, "layout") != NULL,
	    "options: layout=grid refused");
	render_html_options_clear(&o);
	buf_reset(&rest);
	rc = render_html_options(NULL, &o, &rest, err, sizeof(err));
	ok(rc == 0 && !o.en && !o.cards && rest.len == 0 &&
	    strcmp(render_html_options_suffix(&o), "") == 0,
	    "options: none means French, list");

	e[0] = entry_new();
	entry_set(&e[0]->id, "urn:a");
	entry_set(&e[0]->title, "<script>alert(1)</script>");
	entry_set(&e[0]->link, "javascript:alert(1)");
	entry_set(&e[0]->summary_text, "<img src=x onerror=alert(1)>");
	entry_set(&e[0]->image, "https://x.example/\"onload=\"alert(1)");
	entry_set(&e[0]->kind, "job");
	entry_set(&e[0]->territory, "auvergne-rhone-alpes/loire");
	e[0]->published = 1794646800;	/* 2026-11-14T09:00:00Z */
	e[1] = entry_new();
	entry_set(&e[1]->id, "urn:b");
	entry_set(&e[1]->title, "Gone");
	e[1]->deleted = 1;
	e[2] = entry_new();
	entry_set(&e[2]->id, "urn:c");
	entry_set(&e[2]->title, "Forum");
	entry_set(&e[2]->link, "https://x.example/forum");
	entry_set(&e[2]->kind, "event");

	memset(&o, 0, sizeof(o));
	memset(&r, 0, sizeof(r));
	r.page = RENDER_HTML_EMBED;
	r.opts = &o;
	r.title = "N\xc5\x93ud <test>";
	r.base = "https://node.example";
	r.query = "kind=job";
	buf_reset(&b);
	render_html(&b, &r, e, 3);
	ok(strstr(b.data, "<script") == NULL && strstr(b.data, "<img src=x")
	    == NULL && strstr(b.data, "javascript:") == NULL,
	    "embed: no markup or script URL from the entries");
	ok(strstr(b.data, "&lt;script&gt;alert(1)&lt;/script&gt;") != NULL,
	    "embed: the title as text");
	ok(strstr(b.data, "src=\"https://x.example/&quot;onload=&quot;") !=
	    NULL, "embed: the image URL escaped in its attribute");
	is_int(count(b.data, "<li class=\"feedmesh-item"), 2,
	    "embed: tombstones left out");
	ok(strstr(b.data, "<time class=\"feedmesh-date\" "
	    "datetime=\"2026-11-14T09:00:00Z\">14 novembre 2026</time>") !=
	    NULL, "embed: <time datetime>, French date");
	ok(strstr(b.data, ">Offre d\xe2\x80\x99" "emploi<") != NULL &&
	    strstr(b.data, ">\xc3\x89v\xc3\xa9nement<") != NULL,
	    "embed: French kind labels");
	ok(strstr(b.data, ">Loire<") != NULL, "embed: the territory");
	ok(strstr(b.data, "href=\"https://node.example/?kind=job\"") != NULL &&
	    strstr(b.data, "N\xc5\x93ud &lt;test&gt;</a>") != NULL,
	    "embed: a more link to the home page with the filters");
	ok(strstr(b.data, "<html lang=\"fr\">") != NULL &&
	    strstr(b.data, "feedmesh-list") != NULL, "embed: fr, list");

	o.en = 1;
	r.page = RENDER_HTML_HOME;
	r.kind = "event";
	r.next_url = "https://node.example/?before=1.2&lang=en";
	buf_reset(&b);
	render_html(&b, &r, e, 3);
	ok(strstr(b.data, "<html lang=\"en\">") != NULL &&
	    strstr(b.data, ">Job offer<") != NULL, "home: English labels");
	ok(strstr(b.data, "<option value=\"event\" selected>") != NULL,
	    "home: the kind filter kept");
	ok(strstr(b.data, "name=\"lang\" value=\"en\"") != NULL,
	    "home: the form keeps the language");
	ok(strstr(b.data, "rel=\"next\" href=\"https://node.example/"
	    "?before=1.2&amp;lang=en\"") != NULL, "home: the next link");
	ok(strstr(b.data, "style=") == NULL && count(b.data, "<script") == 0,
	    "home: no inline style, no script");

	r.page = RENDER_HTML_MAP;
	r.tiles = "https://t.example/{z}/{x}/{y}.png";
	buf_reset(&b);
	render_html(&b, &r, e, 3);
	ok(strstr(b.data, "data-tiles=\"https://t.example/{z}/{x}/{y}.png\"")
	    != NULL && count(b.data, "<script src=") == 2,
	    "map: tiles, Leaflet and map.js");

	entry_free(e[0]);
	entry_free(e[1]);
	entry_free(e[2]);
	buf_free(&b);
	buf_free(&rest);
	return (tap_done());
}
