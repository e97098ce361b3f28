/*
 * feedmesh: the node's HTML pages (home, /embed, map), with the same
 * markup and labels as the embed widget (www/embed.js), so that one
 * stylesheet themes both. Every string from a feed is escaped; summaries
 * are shown in their plain-text form, never as HTML.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <event2/http.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "render_html.h"

#define RENDER_HTML_SUMMARY_MAX	240	/* bytes of summary shown */
#define RENDER_HTML_PARAM_MAX	64	/* parameters looked at */

/* The words of a page, French and English. */
struct render_html_labels {
	const char	*lang;
	const char	*listing;
	const char	*map;
	const char	*search;
	const char	*kind;
	const char	*all_kinds;
	const char	*territory;
	const char	*territory_hint;
	const char	*filter;
	const char	*empty;
	const char	*next;
	const char	*more;
	const char	*actors;
	const char	*map_label;
	const char	*feeds;
	const char	*powered;
	const char	*months[12];
	const char	*kinds[7];	/* in the order of entry_kinds */
};

static const struct render_html_labels render_html_fr = {
	"fr", "Contenus", "Carte", "Rechercher", "Type", "Tous les types",
	"Territoire", "ex. auvergne-rhone-alpes/loire", "Filtrer",
	"Aucun contenu pour le moment.", "Contenus plus anciens",
	"Voir plus de contenus sur ", "Acteurs", "Carte des acteurs",
	"Flux", "Propuls\xc3\xa9 par feedmesh",
	{ "janvier", "f\xc3\xa9vrier", "mars", "avril", "mai", "juin",
	    "juillet", "ao\xc3\xbbt", "septembre", "octobre", "novembre",
	    "d\xc3\xa9" "cembre" },
	{ "Actualit\xc3\xa9", "Offre d\xe2\x80\x99" "emploi",
	    "\xc3\x89v\xc3\xa9nement", "Acteur", "Initiative", "Juridique",
	    "Ressource" }
};

static const struct render_html_labels render_html_en = {
	"en", "Listing", "Map", "Search", "Kind", "All kinds",
	"Territory", "e.g. auvergne-rhone-alpes/loire", "Filter",
	"Nothing here yet.", "Older entries", "See more on ", "Actors",
	"Map of the actors", "Feeds", "Powered by feedmesh",
	{ "January", "February", "March", "April", "May", "June", "July",
	    "August", "September", "October", "November", "December" },
	{ "News", "Job offer", "Event", "Actor", "Initiative", "Legal",
	    "Resource" }
};

static const char	*render_html_kind_label(
			    const struct render_html_labels *, const char *);
static void	 render_html_head(struct buf *, const struct render_html *,
		    const struct render_html_labels *);
static void	 render_html_header(struct buf *, const struct render_html *,
		    const struct render_html_labels *);
static void	 render_html_form(struct buf *, const struct render_html *,
		    const struct render_html_labels *);
static void	 render_html_list(struct buf *, const struct render_html *,
		    const struct render_html_labels *, struct entry *const *,
		    size_t);
static void	 render_html_item(struct buf *, const struct render_html *,
		    const struct render_html_labels *, const struct entry *);
static void	 render_html_place(struct buf *, const char *);
static void	 render_html_summary(struct buf *, const char *);
static int	 render_html_is_url(const char *);
static void	 render_html_url(struct buf *, const char *base,
		    const char *path, const char *query, const char *extra);

void
render_html_escape(struct buf *b, const char *s)
{
	const char	*p, *run;

	if (s == NULL)
		return;
	for (p = run = s; *p != '\0'; p++) {
		const char	*rep;

		switch (*p) {
		case '&':
			rep = "&amp;";
			break;
		case '<':
			rep = "&lt;";
			break;
		case '>':
			rep = "&gt;";
			break;
		case '"':
			rep = "&quot;";
			break;
		case '\'':
			rep = "&#39;";
			break;
		default:
			continue;
		}
		buf_add(b, run, p - run);
		buf_addstr(b, rep);
		run = p + 1;
	}
	buf_add(b, run, p - run);
}

int
render_html_options(const char *raw, struct render_html_opts *o,
    struct buf *rest, char *err, size_t errlen)
{
	const char	*p, *end, *eq;
	char		*v;
	size_t		 klen, vlen, n;
	int		 i;

	memset(o, 0, sizeof(*o));
	if (errlen > 0)
		err[0] = '\0';
	if (raw == NULL)
		return (0);
	for (p = raw, i = 0; *p != '\0' && i < RENDER_HTML_PARAM_MAX; i++) {
		end = p + strcspn(p, "&");
		eq = memchr(p, '=', end - p);
		klen = (eq != NULL ? eq : end) - p;
		vlen = eq != NULL ? (size_t)(end - eq - 1) : 0;
		if (klen == 4 && strncmp(p, "lang", 4) == 0) {
			if (vlen == 2 && strncmp(eq + 1, "en", 2) == 0)
				o->en = 1;
			else if (!(vlen == 2 && strncmp(eq + 1, "fr", 2) == 0)) {
				snprintf(err, errlen, "lang: expected fr or en");
				return (-1);
			}
		} else if (klen == 6 && strncmp(p, "layout", 6) == 0) {
			if (vlen == 5 && strncmp(eq + 1, "cards", 5) == 0)
				o->cards = 1;
			else if (!(vlen == 4 && strncmp(eq + 1, "list", 4) == 0)) {
				snprintf(err, errlen,
				    "layout: expected list or cards");
				return (-1);
			}
		} else if (vlen > 0 || (eq == NULL && klen > 0)) {
			if (klen == 1 && *p == 'q' && o->q == NULL &&
			    (v = strndup(eq + 1, vlen)) != NULL) {
				/* Forms send spaces as '+'. */
				o->q = evhttp_uridecode(v, 1, &n);
				free(v);
				if (o->q != NULL && strlen(o->q) != n) {
					free(o->q);
					o->q = NULL;
				}
			}
			if (rest->len > 0)
				buf_addc(rest, '&');
			buf_add(rest, p, end - p);
		}
		p = *end == '&' ? end + 1 : end;
	}
	return (0);
}

void
render_html_options_clear(struct render_html_opts *o)
{
	free(o->q);
	memset(o, 0, sizeof(*o));
}

const char *
render_html_options_suffix(const struct render_html_opts *o)
{
	if (o->en)
		return (o->cards ? "&lang=en&layout=cards" : "&lang=en");
	return (o->cards ? "&layout=cards" : "");
}

static const char *
render_html_kind_label(const struct render_html_labels *l, const char *kind)
{
	size_t	 i;

	if (kind == NULL)
		return (NULL);
	for (i = 0; entry_kinds[i] != NULL && i < 7; i++)
		if (strcmp(kind, entry_kinds[i]) == 0)
			return (l->kinds[i]);
	return (NULL);
}

/* 1 for an absolute http(s) URL, the only links and images written. */
static int
render_html_is_url(const char *u)
{
	return (u != NULL && (strncmp(u, "https://", 8) == 0 ||
	    strncmp(u, "http://", 7) == 0));
}

/* base + path [? query [& extra]], escaped for an attribute. */
static void
render_html_url(struct buf *b, const char *base, const char *path,
    const char *query, const char *extra)
{
	struct buf	 u;

	buf_init(&u);
	buf_printf(&u, "%s%s", base, path);
	if (query != NULL && *query != '\0')
		buf_printf(&u, "?%s", query);
	if (extra != NULL)
		buf_printf(&u, "%s%s", query != NULL && *query != '\0' ?
		    "&" : "?", extra);
	render_html_escape(b, u.data);
	buf_free(&u);
}

static void
render_html_head(struct buf *b, const struct render_html *r,
    const struct render_html_labels *l)
{
	buf_printf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width, initial-scale=1\">\n<title>",
	    l->lang);
	if (r->page == RENDER_HTML_MAP)
		buf_printf(b, "%s \xe2\x80\x94 ", l->map_label);
	render_html_escape(b, r->title);
	buf_addstr(b, "</title>\n<link rel=\"stylesheet\" href=\"");
	render_html_url(b, r->base, "/site.css", NULL, NULL);
	buf_addstr(b, "\">\n");
	buf_addstr(b, "<link rel=\"stylesheet\" href=\"");
	render_html_url(b, r->base, "/embed.css", NULL, NULL);
	buf_addstr(b, "\">\n");
	if (r->page == RENDER_HTML_MAP) {
		buf_addstr(b, "<link rel=\"stylesheet\" href=\"");
		render_html_url(b, r->base, "/assets/leaflet/leaflet.css", NULL,
		    NULL);
		buf_addstr(b, "\">\n<script src=\"");
		render_html_url(b, r->base, "/assets/leaflet/leaflet.js", NULL,
		    NULL);
		buf_addstr(b, "\" defer></script>\n<script src=\"");
		render_html_url(b, r->base, "/map.js", NULL, NULL);
		buf_addstr(b, "\" defer></script>\n");
	}
	if (r->page == RENDER_HTML_HOME) {
		buf_addstr(b, "<link rel=\"alternate\" "
		    "type=\"application/atom+xml\" href=\"");
		render_html_url(b, r->base, "/feeds/all.atom", r->query, NULL);
		buf_addstr(b, "\">\n<link rel=\"alternate\" "
		    "type=\"application/feed+json\" href=\"");
		render_html_url(b, r->base, "/feeds/all.json", r->query, NULL);
		buf_addstr(b, "\">\n");
	}
	buf_addstr(b, "</head>\n");
}

static void
render_html_header(struct buf *b, const struct render_html *r,
    const struct render_html_labels *l)
{
	const char	*lang = r->opts->en ? "lang=en" : NULL;

	buf_addstr(b, "<header class=\"site-header\"><div class=\"inner\">"
	    "<a class=\"site-title\" href=\"");
	render_html_url(b, r->base, "/", NULL, lang);
	buf_addstr(b, "\">");
	render_html_escape(b, r->title);
	buf_addstr(b, "</a>\n<nav class=\"site-nav\"><a href=\"");
	render_html_url(b, r->base, "/", NULL, lang);
	buf_printf(b, "\"%s>%s</a><a href=\"", r->page == RENDER_HTML_HOME ?
	    " aria-current=\"page\"" : "", l->listing);
	render_html_url(b, r->base, "/map", NULL, lang);
	buf_printf(b, "\"%s>%s</a><a href=\"", r->page == RENDER_HTML_MAP ?
	    " aria-current=\"page\"" : "", l->map);
	render_html_url(b, r->base, "/feeds/all.atom", r->query, NULL);
	buf_printf(b, "\">%s</a></nav></div></header>\n", l->feeds);
}

/* The filters: a GET form, so that it works without JavaScript. */
static void
render_html_form(struct buf *b, const struct render_html *r,
    const struct render_html_labels *l)
{
	size_t	 i;

	buf_addstr(b, "<form class=\"filters\" method=\"get\" action=\"");
	render_html_url(b, r->base, "/", NULL, NULL);
	buf_printf(b, "\" role=\"search\">\n<label>%s <input type=\"search\" "
	    "name=\"q\" value=\"", l->search);
	render_html_escape(b, r->opts->q);
	buf_printf(b, "\"></label>\n<label>%s <select name=\"kind\">"
	    "<option value=\"\">%s</option>", l->kind, l->all_kinds);
	for (i = 0; entry_kinds[i] != NULL && i < 7; i++)
		buf_printf(b, "<option value=\"%s\"%s>%s</option>",
		    entry_kinds[i], r->kind != NULL &&
		    strcmp(r->kind, entry_kinds[i]) == 0 ? " selected" : "",
		    l->kinds[i]);
	buf_printf(b, "</select></label>\n<label>%s <input type=\"text\" "
	    "name=\"territory\" placeholder=\"%s\" value=\"", l->territory,
	    l->territory_hint);
	render_html_escape(b, r->territory);
	buf_addstr(b, "\"></label>\n");
	if (r->opts->en)
		buf_addstr(b, "<input type=\"hidden\" name=\"lang\" "
		    "value=\"en\">\n");
	buf_printf(b, "<button type=\"submit\">%s</button>\n</form>\n",
	    l->filter);
}

/* "auvergne-rhone-alpes/loire" as "Loire", as the widget shows it. */
static void
render_html_place(struct buf *b, const char *territory)
{
	const char	*last = strrchr(territory, '/');
	struct buf	 t;
	size_t		 i;

	last = last != NULL ? last + 1 : territory;
	buf_init(&t);
	buf_addstr(&t, last);
	for (i = 0; i < t.len; i++)
		if (t.data[i] == '-')
			t.data[i] = ' ';
	if (t.len > 0 && t.data[0] >= 'a' && t.data[0] <= 'z')
		t.data[0] -= 'a' - 'A';
	render_html_escape(b, t.data);
	buf_free(&t);
}

/* The plain-text summary, spaces folded, cut at a word near the limit. */
static void
render_html_summary(struct buf *b, const char *s)
{
	struct buf	 t;
	size_t		 cut;
	int		 space = 1;

	buf_init(&t);
	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
			if (!space)
				buf_addc(&t, ' ');
			space = 1;
			continue;
		}
		space = 0;
		buf_addc(&t, *s);
		if (t.len > RENDER_HTML_SUMMARY_MAX + 4)
			break;
	}
	while (t.len > 0 && t.data[t.len - 1] == ' ')
		t.data[--t.len] = '\0';
	if (t.len > RENDER_HTML_SUMMARY_MAX) {
		cut = RENDER_HTML_SUMMARY_MAX;
		while (cut > 0 && t.data[cut] != ' ')
			cut--;
		if (cut == 0) {
			/* One long word: cut on a UTF-8 boundary. */
			cut = RENDER_HTML_SUMMARY_MAX;
			while (cut > 0 && (t.data[cut] & 0xc0) == 0x80)
				cut--;
		}
		t.data[cut] = '\0';
		t.len = cut;
		buf_addstr(&t, "\xe2\x80\xa6");
	}
	render_html_escape(b, t.data);
	buf_free(&t);
}

/* One entry, in the markup of www/embed.js. */
static void
render_html_item(struct buf *b, const struct render_html *r,
    const struct render_html_labels *l, const struct entry *e)
{
	const char	*kind = render_html_kind_label(l, e->kind);
	char		 ts[DATE_RFC3339_LEN];
	int64_t		 t = e->published != ENTRY_NO_TIME ? e->published :
			    e->updated;
	struct tm	 tm;
	time_t		 tt;

	buf_addstr(b, "<li class=\"feedmesh-item");
	if (kind != NULL)
		buf_printf(b, " feedmesh-kind-%s", e->kind);
	buf_addstr(b, "\"><article class=\"feedmesh-entry\">");
	if (render_html_is_url(e->image)) {
		buf_addstr(b, "<img class=\"feedmesh-image\" src=\"");
		render_html_escape(b, e->image);
		buf_addstr(b, "\" alt=\"\" loading=\"lazy\">");
	}
	buf_printf(b, "<h%d class=\"feedmesh-title\">",
	    r->page == RENDER_HTML_EMBED ? 3 : 2);
	if (render_html_is_url(e->link)) {
		buf_addstr(b, "<a href=\"");
		render_html_escape(b, e->link);
		buf_addstr(b, r->page == RENDER_HTML_EMBED ?
		    "\" target=\"_blank\" rel=\"noopener\">" : "\">");
		render_html_escape(b, e->title != NULL ? e->title : e->link);
		buf_addstr(b, "</a>");
	} else
		render_html_escape(b, e->title);
	buf_printf(b, "</h%d><p class=\"feedmesh-meta\">",
	    r->page == RENDER_HTML_EMBED ? 3 : 2);
	if (kind != NULL)
		buf_printf(b, "<span class=\"feedmesh-kind\">%s</span>", kind);
	tt = (time_t)t;
	if (t != ENTRY_NO_TIME && gmtime_r(&tt, &tm) != NULL) {
		date_format_rfc3339(t, ts, sizeof(ts));
		buf_printf(b, "<time class=\"feedmesh-date\" datetime=\"%s\">"
		    "%d %s %d</time>", ts, tm.tm_mday, l->months[tm.tm_mon],
		    tm.tm_year + 1900);
	}
	if (e->territory != NULL) {
		buf_addstr(b, "<span class=\"feedmesh-territory\">");
		render_html_place(b, e->territory);
		buf_addstr(b, "</span>");
	}
	buf_addstr(b, "</p>");
	if (e->summary_text != NULL && *e->summary_text != '\0') {
		buf_addstr(b, "<p class=\"feedmesh-summary\">");
		render_html_summary(b, e->summary_text);
		buf_addstr(b, "</p>");
	}
	buf_addstr(b, "</article></li>\n");
}

static void
render_html_list(struct buf *b, const struct render_html *r,
    const struct render_html_labels *l, struct entry *const *v, size_t n)
{
	size_t	 i, shown = 0;

	buf_printf(b, "<section class=\"feedmesh %s\" aria-label=\"%s\">\n",
	    r->opts->cards || r->page == RENDER_HTML_HOME ? "feedmesh-cards" :
	    "feedmesh-list", r->page == RENDER_HTML_MAP ? l->actors :
	    l->listing);
	buf_addstr(b, "<ul class=\"feedmesh-items\">\n");
	for (i = 0; i < n; i++) {
		if (v[i]->id == NULL || v[i]->deleted)
			continue;
		render_html_item(b, r, l, v[i]);
		shown++;
	}
	buf_addstr(b, "</ul>\n");
	if (shown == 0)
		buf_printf(b, "<p class=\"feedmesh-status\" role=\"status\">"
		    "%s</p>\n", l->empty);
	if (r->page == RENDER_HTML_EMBED) {
		buf_addstr(b, "<p class=\"feedmesh-more\"><a href=\"");
		render_html_url(b, r->base, "/", r->query, r->opts->en ?
		    "lang=en" : NULL);
		buf_printf(b, "\" target=\"_blank\" rel=\"noopener\">%s",
		    l->more);
		render_html_escape(b, r->title);
		buf_addstr(b, "</a></p>\n");
	}
	buf_addstr(b, "</section>\n");
}

void
render_html(struct buf *b, const struct render_html *r,
    struct entry *const *v, size_t n)
{
	const struct render_html_labels	*l = r->opts->en ? &render_html_en :
					    &render_html_fr;

	render_html_head(b, r, l);
	if (r->page == RENDER_HTML_EMBED) {
		buf_addstr(b, "<body class=\"embed\">\n");
		render_html_list(b, r, l, v, n);
		buf_addstr(b, "</body>\n</html>\n");
		return;
	}
	buf_addstr(b, "<body>\n");
	render_html_header(b, r, l);
	buf_addstr(b, "<main>\n");
	if (r->page == RENDER_HTML_MAP) {
		buf_printf(b, "<h1>%s</h1>\n<div id=\"map\" class=\"map\" "
		    "role=\"region\" aria-label=\"%s\" data-geojson=\"",
		    l->map_label, l->map_label);
		render_html_url(b, r->base, "/actors.geojson", NULL, NULL);
		buf_addstr(b, "\" data-fallback=\"");
		render_html_url(b, r->base, "/feeds/all.json", r->query, NULL);
		buf_addstr(b, "\"");
		if (r->tiles != NULL) {
			buf_addstr(b, " data-tiles=\"");
			render_html_escape(b, r->tiles);
			buf_addstr(b, "\"");
		}
		buf_printf(b, "></div>\n<h2>%s</h2>\n", l->actors);
	} else {
		buf_printf(b, "<h1>%s</h1>\n", l->listing);
		render_html_form(b, r, l);
	}
	render_html_list(b, r, l, v, n);
	if (r->next_url != NULL) {
		buf_addstr(b, "<nav class=\"pager\"><a rel=\"next\" href=\"");
		render_html_escape(b, r->next_url);
		buf_printf(b, "\">%s \xe2\x86\x92</a></nav>\n", l->next);
	}
	buf_printf(b, "</main>\n<footer class=\"site-footer\"><p>%s</p>"
	    "</footer>\n</body>\n</html>\n", l->powered);
}
