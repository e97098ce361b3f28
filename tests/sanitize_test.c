/*
 * feedmesh tests: the HTML sanitizer removes every vector of
 * tests/sanitize/xss.txt and keeps benign markup exactly.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "sanitize.h"
#include "tap.h"

#define BASE	"https://example.org/news/item"

static void	 quiet_cb(void *, xmlErrorPtr);
static char	*unescape_line(const char *);
static int	 url_is_bad(const char *, const char *, const char *);
static int	 tree_check(xmlNode *, char *, size_t);
static int	 check_output(const char *, char *, size_t);
static void	 test_vectors(void);
static void	 test_exact(void);
static void	 test_limits(void);
static void	 test_text(void);
static void	 test_fast(void);
static void	 test_fast_inplace(void);
static void	 test_valid_input(void);
static unsigned int rnd(void);
static void	 gen_soup(struct buf *);
static void	 gen_tree(struct buf *, int);
static int	 fast_compare(const char *, int *);

static void
quiet_cb(void *arg, xmlErrorPtr err)
{
	(void)arg;
	(void)err;
}

/* Expands the fixture's \n, \r, \t and \xHH escapes. */
static char *
unescape_line(const char *s)
{
	struct buf	 b;
	char		 hex[3];

	buf_init(&b);
	buf_add(&b, "", 0);
	for (; *s != '\0'; s++) {
		if (s[0] != '\\' || s[1] == '\0') {
			buf_addc(&b, *s);
			continue;
		}
		switch (s[1]) {
		case 'n':
			buf_addc(&b, '\n');
			s++;
			break;
		case 'r':
			buf_addc(&b, '\r');
			s++;
			break;
		case 't':
			buf_addc(&b, '\t');
			s++;
			break;
		case 'x':
			if (isxdigit((unsigned char)s[2]) &&
			    isxdigit((unsigned char)s[3])) {
				hex[0] = s[2];
				hex[1] = s[3];
				hex[2] = '\0';
				if (strtol(hex, NULL, 16) != 0)
					buf_addc(&b, (char)strtol(hex, NULL,
					    16));
				s += 3;
				break;
			}
			/* FALLTHROUGH */
		default:
			buf_addc(&b, *s);
			break;
		}
	}
	return (buf_release(&b));
}

/*
 * 1 if a URL attribute value would run script: its scheme (after what
 * browsers strip) is javascript, vbscript or the like, or data: other than a
 * raster image in img src.
 */
static int
url_is_bad(const char *elem, const char *attr, const char *v)
{
	char	 clean[64];
	size_t	 i, j;

	while (*v != '\0' && (unsigned char)*v <= 0x20)
		v++;
	for (i = j = 0; v[i] != '\0' && j < sizeof(clean) - 1; i++)
		if (v[i] != '\t' && v[i] != '\n' && v[i] != '\r')
			clean[j++] = (char)tolower((unsigned char)v[i]);
	clean[j] = '\0';
	if (strncmp(clean, "javascript:", 11) == 0 ||
	    strncmp(clean, "vbscript:", 9) == 0 ||
	    strncmp(clean, "livescript:", 11) == 0 ||
	    strncmp(clean, "mocha:", 6) == 0 ||
	    strncmp(clean, "feed:", 5) == 0)
		return (1);
	if (strncmp(clean, "data:", 5) == 0) {
		if (strcmp(elem, "img") != 0 || strcmp(attr, "src") != 0)
			return (1);
		if (strncmp(clean + 5, "image/png", 9) != 0 &&
		    strncmp(clean + 5, "image/gif", 9) != 0 &&
		    strncmp(clean + 5, "image/jpeg", 10) != 0 &&
		    strncmp(clean + 5, "image/webp", 10) != 0)
			return (1);
	}
	/* Anything else with a scheme must be a web or mail address. */
	if (strchr(clean, ':') != NULL && strncmp(clean, "http:", 5) != 0 &&
	    strncmp(clean, "https:", 6) != 0 &&
	    strncmp(clean, "mailto:", 7) != 0 &&
	    strncmp(clean, "tel:", 4) != 0 && strcmp(attr, "srcset") != 0 &&
	    strchr(clean, '/') != NULL && strchr(clean, ':') <
	    strchr(clean, '/'))
		return (1);
	return (0);
}

/* Walks a re-parsed output; returns 0 if clean, else -1 with a reason. */
static int
tree_check(xmlNode *n, char *why, size_t len)
{
	static const char *const bad_elems[] = {
		"script", "style", "object", "embed", "applet", "form",
		"input", "button", "select", "textarea", "svg", "math",
		"meta", "link", "base", "frame", "frameset", "noscript",
		"template", "xmp", "plaintext", "noembed", "noframes",
		"title", NULL
	};
	static const char *const url_attrs[] = {
		"href", "src", "poster", "cite", "action", "formaction",
		"srcset", "background", "dynsrc", "lowsrc", "data",
		"xlink:href", NULL
	};
	const char	*name;
	xmlAttr		*a;
	xmlChar		*v;
	int		 i, bad;

	for (; n != NULL; n = n->next) {
		if (n->type == XML_COMMENT_NODE || n->type == XML_PI_NODE) {
			snprintf(why, len, "comment or PI left");
			return (-1);
		}
		if (n->type != XML_ELEMENT_NODE)
			continue;
		name = (const char *)n->name;
		for (i = 0; bad_elems[i] != NULL; i++)
			if (strcasecmp(name, bad_elems[i]) == 0) {
				snprintf(why, len, "element %s left", name);
				return (-1);
			}
		if (strcasecmp(name, "iframe") == 0) {
			v = xmlGetProp(n, BAD_CAST "src");
			bad = v == NULL || strncmp((char *)v,
			    "https://www.youtube.com/", 24) != 0;
			xmlFree(v);
			v = xmlGetProp(n, BAD_CAST "sandbox");
			bad |= v == NULL;
			xmlFree(v);
			if (bad) {
				snprintf(why, len, "iframe left");
				return (-1);
			}
		}
		for (a = n->properties; a != NULL; a = a->next) {
			const char	*an = (const char *)a->name;

			if (strncasecmp(an, "on", 2) == 0 ||
			    strcasecmp(an, "style") == 0 ||
			    strcasecmp(an, "id") == 0 ||
			    strcasecmp(an, "srcdoc") == 0) {
				snprintf(why, len, "attribute %s left", an);
				return (-1);
			}
			for (i = 0; url_attrs[i] != NULL; i++) {
				if (strcasecmp(an, url_attrs[i]) != 0)
					continue;
				v = xmlNodeGetContent((xmlNode *)a);
				bad = url_is_bad(name, an,
				    v ? (char *)v : "");
				if (bad)
					snprintf(why, len, "%s=\"%s\" left",
					    an, (char *)v);
				xmlFree(v);
				if (bad)
					return (-1);
			}
		}
		if (tree_check(n->children, why, len) == -1)
			return (-1);
	}
	return (0);
}

/*
 * The output re-parsed as HTML has nothing dangerous, it is well-formed
 * XML once wrapped, and sanitizing it again changes nothing.
 */
static int
check_output(const char *out, char *why, size_t len)
{
	struct buf	 b;
	htmlDocPtr	 hdoc;
	xmlDocPtr	 xdoc;
	char		*again;
	int		 r = 0;

	buf_init(&b);
	buf_addstr(&b, "<html><body>");
	buf_addstr(&b, out);
	buf_addstr(&b, "</body></html>");
	hdoc = htmlReadMemory(b.data, (int)b.len, NULL, "UTF-8",
	    HTML_PARSE_NONET | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
	if (hdoc == NULL) {
		snprintf(why, len, "output does not parse as HTML");
		r = -1;
	} else {
		r = tree_check(hdoc->children, why, len);
		xmlFreeDoc(hdoc);
	}
	buf_reset(&b);
	buf_addstr(&b, "<r>");
	buf_addstr(&b, out);
	buf_addstr(&b, "</r>");
	xdoc = xmlReadMemory(b.data, (int)b.len, NULL, "UTF-8",
	    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (xdoc == NULL && r == 0) {
		snprintf(why, len, "output is not well-formed");
		r = -1;
	}
	xmlFreeDoc(xdoc);
	buf_free(&b);
	again = sanitize_html(out, BASE);
	if (r == 0 && strcmp(again, out) != 0) {
		snprintf(why, len, "not stable: '%s'", again);
		r = -1;
	}
	free(again);
	return (r);
}

static void
test_vectors(void)
{
	FILE	*f;
	char	*line = NULL, *in, *out, why[512];
	size_t	 cap = 0;
	ssize_t	 n;
	int	 count = 0;

	/* The checker itself must see what it is meant to catch. */
	ok(check_output("<img src=x onerror=alert(1)>", why,
	    sizeof(why)) == -1, "checker catches an event handler");
	ok(check_output("<a href=\"jav&#x09;ascript:x\">x</a>", why,
	    sizeof(why)) == -1, "checker catches an encoded javascript: URL");
	ok(check_output("<svg></svg>", why, sizeof(why)) == -1,
	    "checker catches svg");
	ok(check_output("<img src=\"data:image/svg+xml,x\" />", why,
	    sizeof(why)) == -1, "checker catches a data: SVG");

	f = fopen(SANITIZE_FIXTURES "/xss.txt", "r");
	ok(f != NULL, "open xss.txt");
	if (f == NULL)
		return;
	while ((n = getline(&line, &cap, f)) != -1) {
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (n == 0 || line[0] == '#')
			continue;
		count++;
		in = unescape_line(line);
		out = sanitize_html(in, BASE);
		why[0] = '\0';
		ok(check_output(out, why, sizeof(why)) == 0, "vector %d: %s",
		    count, line);
		if (why[0] != '\0')
			printf("#   %s\n#   output: '%s'\n", why, out);
		free(out);
		free(in);
	}
	free(line);
	fclose(f);
	ok(count >= 100, "at least 100 vectors (%d)", count);
}

static void
expect(const char *in, const char *want, const char *what)
{
	char	*out;

	out = sanitize_html(in, BASE);
	is_str(out, want, "%s", what);
	free(out);
}

static void
test_exact(void)
{
	static const char *const peertube[] = { "videos.example.coop" };
	char	*out;

	expect("<p>Hello <a href=\"/jobs/1\" target=\"_blank\">the offer</a>."
	    "</p>",
	    "<p>Hello <a href=\"https://example.org/jobs/1\" rel=\"nofollow "
	    "noopener noreferrer\">the offer</a>.</p>",
	    "paragraph with a link, resolved, rel added, target dropped");
	expect("<img src=\"img/a.png\" alt=\"A &amp; B\" width=\"120\" "
	    "height=\"80px\">",
	    "<img src=\"https://example.org/news/img/a.png\" alt=\"A &amp; B\" "
	    "width=\"120\" />",
	    "image with relative src resolved, bad height dropped");
	expect("<ul><li>One<li>Two</ul><ol start=\"3\" reversed><li>x</ol>",
	    "<ul><li>One</li><li>Two</li></ul><ol start=\"3\" "
	    "reversed=\"reversed\"><li>x</li></ol>", "lists");
	expect("<table><caption>T</caption><thead><tr><th scope=col>A</th>"
	    "<th>B</th></tr></thead><tbody><tr><td colspan=2 class=x>1</td>"
	    "</tr></tbody></table>",
	    "<table><caption>T</caption><thead><tr><th scope=\"col\">A</th>"
	    "<th>B</th></tr></thead><tbody><tr><td colspan=\"2\">1</td>"
	    "</tr></tbody></table>", "table");
	expect("<section><font color=red>Hi</font> <center>there</center>"
	    "</section>", "Hi there", "unknown elements unwrapped");
	expect("<p>a &amp; b &lt; c &eacute; &nbsp;d</p>",
	    "<p>a &amp; b &lt; c \xc3\xa9 \xc2\xa0" "d</p>",
	    "entities decoded, specials escaped");
	expect("<p lang=fr dir=RTL title='x \"y\"'>t</p>",
	    "<p lang=\"fr\" dir=\"rtl\" title=\"x &quot;y&quot;\">t</p>",
	    "global attributes");
	expect("<a href=\"mailto:contact@example.org\">m</a> "
	    "<a href=\"tel:+33123456789\">t</a>",
	    "<a href=\"mailto:contact@example.org\" rel=\"nofollow noopener "
	    "noreferrer\">m</a> <a href=\"tel:+33123456789\" rel=\"nofollow "
	    "noopener noreferrer\">t</a>", "mailto and tel links");
	expect("<img src=\"mailto:x@y\"><img src=\"data:image/png;base64,iVBO\">",
	    "<img src=\"data:image/png;base64,iVBO\" />",
	    "data: image kept, mailto image dropped");
	expect("<iframe src=\"https://www.youtube.com/embed/abc\" width=560 "
	    "height=315 frameborder=0 allowfullscreen onload=x>x</iframe>",
	    "<iframe src=\"https://www.youtube.com/embed/abc\" width=\"560\" "
	    "height=\"315\" allowfullscreen=\"allowfullscreen\" "
	    "sandbox=\"allow-scripts allow-same-origin allow-popups\">"
	    "</iframe>", "YouTube iframe sandboxed");
	expect("<iframe src=\"//player.vimeo.com/video/1\"></iframe>",
	    "<iframe src=\"https://player.vimeo.com/video/1\" "
	    "sandbox=\"allow-scripts allow-same-origin allow-popups\">"
	    "</iframe>", "protocol-relative player made https");
	expect("<iframe src=\"https://videos.example.coop/videos/embed/1\">"
	    "</iframe>", "", "unknown video host dropped");
	sanitize_set_iframe_hosts(peertube, 1);
	expect("<iframe src=\"https://videos.example.coop/videos/embed/1\">"
	    "</iframe>",
	    "<iframe src=\"https://videos.example.coop/videos/embed/1\" "
	    "sandbox=\"allow-scripts allow-same-origin allow-popups\">"
	    "</iframe>", "administrator's PeerTube host kept");
	expect("<iframe src=\"http://videos.example.coop/videos/embed/1\">"
	    "</iframe>", "", "plain http player dropped");
	sanitize_set_iframe_hosts(NULL, 0);
	expect("<iframe src=\"https://videos.example.coop/videos/embed/1\">"
	    "</iframe>", "", "host list cleared");
	expect("<picture><source srcset=\"a.webp 1x, javascript:x 2x, "
	    "b.webp 2x\" type=\"image/webp\"><img src=a.jpg alt=\"\">"
	    "</picture>",
	    "<picture><source srcset=\"https://example.org/news/a.webp 1x, "
	    "https://example.org/news/b.webp 2x\" type=\"image/webp\" />"
	    "<img src=\"https://example.org/news/a.jpg\" alt=\"\" />"
	    "</picture>", "srcset candidates checked one by one");
	expect("<p>x<!-- hidden --><script>y</script>z</p>", "<p>xz</p>",
	    "comments and scripts removed with their content");
	expect("<a href=\"https://example.org/a b?q=\xc3\xa9\">x</a>",
	    "<a href=\"https://example.org/a%20b?q=%C3%A9\" rel=\"nofollow "
	    "noopener noreferrer\">x</a>", "URLs percent-encoded");

	out = sanitize_html("<a href=\"x/y\">r</a>", NULL);
	is_str(out, "<a href=\"x/y\" rel=\"nofollow noopener noreferrer\">"
	    "r</a>", "relative URL kept without a base");
	free(out);
	out = sanitize_html(NULL, NULL);
	is_str(out, "", "NULL gives the empty string");
	free(out);
	out = sanitize_html("", BASE);
	is_str(out, "", "empty gives the empty string");
	free(out);
	out = sanitize_html("  \n <!-- x --> ", BASE);
	is_str(out, "", "blank gives the empty string");
	free(out);
	out = sanitize_html("a\xff" "b\x01" "c\xed\xa0\x80" "d", BASE);
	is_str(out, "a\xef\xbf\xbd" "bc\xef\xbf\xbd" "d",
	    "bad UTF-8 and surrogates replaced, controls dropped");
	free(out);
}

static void
test_limits(void)
{
	struct buf	 b;
	char		*out, why[512];
	int		 i;

	buf_init(&b);
	for (i = 0; i < 60; i++)
		buf_addstr(&b, "<div><b>");
	buf_addstr(&b, "deep<script>x</script><img src=x onerror=y>");
	out = sanitize_html(b.data, BASE);
	why[0] = '\0';
	ok(strstr(out, "deep") != NULL && strstr(out, "<img") == NULL &&
	    check_output(out, why, sizeof(why)) == 0,
	    "120 nested elements: deepest kept as text, output clean %s", why);
	free(out);

	/* libxml2 gives up past its own depth limit: no crash, clean. */
	buf_reset(&b);
	for (i = 0; i < 10000; i++)
		buf_addstr(&b, "<div>");
	buf_addstr(&b, "deep<script>x</script>");
	out = sanitize_html(b.data, BASE);
	why[0] = '\0';
	ok(check_output(out, why, sizeof(why)) == 0,
	    "10000 nested divs: output clean %s", why);
	free(out);

	buf_reset(&b);
	while (b.len <= SANITIZE_MAX_INPUT + 1000)
		buf_addstr(&b, "<b onclick=x>word</b> ");
	out = sanitize_html(b.data, BASE);
	ok(strncmp(out, "<p>word word", 12) == 0 &&
	    strstr(out, "<b") == NULL && strlen(out) <= SANITIZE_MAX_INPUT,
	    "oversized input kept as truncated text (%zu bytes)", strlen(out));
	free(out);
	buf_free(&b);
}

static void
test_text(void)
{
	char	*out;

	out = sanitize_html_to_text("<h1>Title &amp; <em>more</em></h1>"
	    "<p>x\n  y&nbsp;z</p><script>bad()</script><style>p{}</style>");
	is_str(out, "Title & more x y z", "html_to_text");
	free(out);
	out = sanitize_html_to_text("Caf&eacute; <b>solidaire</b>");
	is_str(out, "Caf\xc3\xa9 solidaire", "html_to_text decodes entities");
	free(out);
	out = sanitize_html_to_text("");
	is_str(out, "", "html_to_text of nothing");
	free(out);
	out = sanitize_html_to_text(NULL);
	is_str(out, "", "html_to_text of NULL");
	free(out);

	out = sanitize_text_to_html("a < b & \"c\"\r\nline2\n\n \npara <2>\n");
	is_str(out, "<p>a &lt; b &amp; &quot;c&quot;<br />line2</p>"
	    "<p>para &lt;2&gt;</p>", "text_to_html");
	free(out);
	out = sanitize_text_to_html("\n\n");
	is_str(out, "", "text_to_html of blank lines");
	free(out);
	out = sanitize_text_to_html(NULL);
	is_str(out, "", "text_to_html of NULL");
	free(out);
}

static unsigned int rnd_state = 2463534242u;

/* xorshift32: the same strings on every run. */
static unsigned int
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return (rnd_state);
}

#define PICK(a)	((a)[rnd() % (sizeof(a) / sizeof((a)[0]))])

static const char *const gen_text[] = {
	"hello", "\xc3\xa9" "conomie", " ", "\n", "  ", "\t", "a > b", "AT&T",
	"&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&eacute;", "&nbsp;",
	"&#8217;", "&#x2019;", "&#X41;", "&#0;", "&#128;", "&#65;", "&#9;",
	"&#10;", "&#xd800;", "&#1114111;", "&#99999999;", "&foo;", "&amp",
	"&#;", "&#x;", "&Eacute;", "&EACUTE;", "&lt", "<", "x < y", "\r\n",
	"\xef\xbf\xbd", "\xff", "\x01", "]]>", "'", "\"", "=", "/", "\xc2\xa0",
	"&thetasym;", "&#x1F600;", "\xf0\x9f\x98\x80",
};

static const char *const gen_tags[] = {
	"<p>", "<P>", "<div>", "<b>", "<i>", "<em>", "<strong>", "<span>",
	"<a href=\"https://ex.org/x?a=1&amp;b=2\">", "<a href='/rel/path'>",
	"<a href=\"javascript:alert(1)\">", "<a href=\"x\" title=\"t &quot;q"
	"&quot;\" class=\"c\">", "<a href=\"x\" href=\"y\">", "<a href=x>",
	"<img src=\"/i.png\" alt=\"a\">", "<img src=\"javascript:x\">",
	"<img alt=\"no\" />", "<br>", "<br/>", "<br />", "<ul>", "<ol>",
	"<li>", "<h2>", "<H3 title=\"t\">", "<blockquote cite=\"/c\">",
	"<span lang=\"fr\" dir=\"RTL\">", "<sub>", "<sup>", "<code>",
	"<script>", "<!-- c -->", "<![CDATA[x]]>", "<iframe src=\"https://"
	"www.youtube.com/embed/x\">", "<table>", "<td>", "<hr>", "<mark>",
	"<p onclick=\"x\">", "<p\tstyle=\"a\"\n>", "<a href=\"&#106;avascript:"
	"x\">", "<img src=\"data:image/png;base64,AA\">", "<img srcset=\"a.png "
	"1x, b.png 2x\">", "<div title=\"a<b\">", "<p title=\"\">",
	"<p title>", "<p  title = \"x\">", "<p title=\"a\"lang=\"fr\">",
	"<img src=\"x\"/>", "<b/>", "<a href=\"mailto:x@ex.org\">",
	"<a href=\"//cdn.ex.org/x\">", "<img src=\" /sp ace.png \">",
	"<a href=\"jav&#x09;ascript:x\">", "<ol start=\"3\" reversed=\"\">",
	"<li value=\"x2\">", "<img width=\"10\" height=\"50%\" src=\"a\">",
	"<q cite=\"http://ex.org/\">", "<del datetime=\"2020\">",
	"<ins cite=\"x\">", "<p lang=\"fr_FR\">", "<p dir=\"xx\">", "<u>",
	"<s>", "<small>", "<strike>", "<kbd>", "<var>", "<samp>", "<abbr>",
	"<cite>", "<h1>", "<h6>", "<dl>", "<dt>", "<dd>", "<pre>", "<style>",
	"<a name=\"n\">", "<p title='it&apos;s'>", "<p title=\"&#10;\">",
	"<img src=\"a.png\" alt=\"x\" alt=\"y\">", "<p\n>", "< p>", "<p<b>",
};

static const char *const gen_ends[] = {
	"</p>", "</div>", "</b>", "</i>", "</em>", "</strong>", "</span>",
	"</a>", "</li>", "</ul>", "</ol>", "</h2>", "</blockquote>", "</br>",
	"</x>", "</P>", "</p >", "</sub>", "</sup>", "</code>", "</script>",
	"</td>", "</table>", "</", "</>",
};

/* Random markup soup: mostly the slow path's business. */
static void
gen_soup(struct buf *b)
{
	int	 i, n = 1 + rnd() % 12;

	for (i = 0; i < n; i++) {
		switch (rnd() % 3) {
		case 0:
			buf_addstr(b, PICK(gen_text));
			break;
		case 1:
			buf_addstr(b, PICK(gen_tags));
			break;
		default:
			buf_addstr(b, PICK(gen_ends));
			break;
		}
	}
}

/*
 * Mostly well-formed markup, the kind peers send, with an odd piece now
 * and then: both paths get their share.
 */
static void
gen_tree(struct buf *b, int depth)
{
	static const char *const blocks[] = {
		"p", "div", "blockquote", "h2", "ul", "ol"
	};
	static const char *const inl[] = {
		"a", "b", "i", "em", "strong", "span", "code", "sub", "sup",
		"small", "q", "abbr", "u", "s", "del", "ins", "cite", "kbd"
	};
	static const char *const attrs[] = {
		"", " href=\"https://ex.org/a?x=1&amp;y=2\"", " href=\"/rel\"",
		" href=\"rel#frag\"", " title=\"T &amp; T\"", " class=\"c\"",
		" lang=\"fr\"", " dir=\"ltr\"", " style=\"color:red\"",
		" href=\"javascript:x\"", " href=\"https://ex.org/\" target="
		"\"_blank\"", " cite=\"/c\"", " id=\"x\"", " href=\"\"",
		" href=\"?q=\xc3\xa9t\xc3\xa9\"", " title=\"&eacute;t&eacute;\""
	};
	const char	*name;
	int		 i, n = rnd() % 5;

	for (i = 0; i < n; i++) {
		switch (rnd() % 8) {
		case 0:
		case 1:
			buf_addstr(b, PICK(gen_text));
			buf_addstr(b, " words ");
			break;
		case 2:
			buf_addstr(b, rnd() % 2 ? "<br>" : "<br />");
			break;
		case 3:
			buf_addstr(b, rnd() % 2 ? "<img src=\"/p.jpg\" alt=\"p\">" :
			    "<img src=\"https://ex.org/p.png\" width=\"3\" />");
			break;
		case 4:
			if (rnd() % 16 == 0) {
				buf_addstr(b, PICK(gen_tags));
				break;
			}
			/* FALLTHROUGH */
		default:
			if (depth > 5)
				break;
			name = depth == 0 || rnd() % 3 == 0 ? PICK(blocks) :
			    PICK(inl);
			buf_printf(b, "<%s%s>", name, PICK(attrs));
			if (strcmp(name, "ul") == 0 || strcmp(name, "ol") == 0) {
				buf_addstr(b, "\n<li>");
				gen_tree(b, depth + 1);
				buf_addstr(b, "</li>\n");
			} else
				gen_tree(b, depth + 1);
			if (rnd() % 32 != 0)
				buf_printf(b, "</%s>", name);
			if (depth == 0)
				buf_addc(b, '\n');
			break;
		}
	}
}

/* 1 if both paths agree on html; *fast is set if the fast one took it. */
static int
fast_compare(const char *html, int *fast)
{
	unsigned long	 before = sanitize_fast_taken();
	char		*a, *b;
	int		 same;

	sanitize_set_fast(1);
	a = sanitize_html(html, BASE);
	*fast = sanitize_fast_taken() > before;
	sanitize_set_fast(0);
	b = sanitize_html(html, BASE);
	sanitize_set_fast(1);
	same = strcmp(a, b) == 0;
	if (!same)
		printf("# input: '%s'\n#   fast: '%s'\n#   libxml2: '%s'\n",
		    html, a, b);
	free(a);
	free(b);
	return (same);
}

/*
 * The fast paths give exactly what libxml2's parse gives, on generated
 * markup (well-formed and not), on the XSS vectors and on fixed cases.
 */
static void
test_fast(void)
{
	static const char *const fixed[] = {
		"<p>Caf&eacute; <a href=\"/x\">lien</a></p>\n<p>deux</p>",
		"<ul>\n<li>a</li>\n<li>b</li>\n</ul>",
		"<p>a<br>b<br/>c<br />d</p>",
		"<p><img src=\"a.png\" alt=\"x\"> <img alt=\"none\"></p>",
		"<h2>T</h2>\n\n<blockquote><p>q</p></blockquote>",
		"  <p>lead</p>  ", "<b>x</b> <i>y</i>", "<p> </p>",
		"<p>x</p><p>y", "<p><div>x</div></p>", "<b><p>x</p></b>",
		"<a href=\"x\"><a href=\"y\">z</a></a>", "<li>x</li>",
	};
	struct buf	 b;
	FILE		*f;
	char		 line[4096], *v;
	int		 i, fast, nfast = 0, bad = 0, n = 0;

	for (i = 0; i < (int)(sizeof(fixed) / sizeof(fixed[0])); i++) {
		n++;
		bad += !fast_compare(fixed[i], &fast);
		nfast += fast;
	}
	ok(bad == 0, "fast path equals libxml2's on %d fixed cases", n);
	ok(nfast >= 6, "fast path took %d of them", nfast);

	buf_init(&b);
	for (i = bad = nfast = 0; i < 20000; i++) {
		buf_reset(&b);
		buf_add(&b, "", 0);
		gen_tree(&b, 0);
		if (!fast_compare(b.data, &fast) && ++bad > 10)
			break;
		nfast += fast;
	}
	ok(bad == 0, "fast path equals libxml2's on 20000 generated trees");
	ok(nfast > 5000, "fast path took %d generated trees", nfast);

	for (i = bad = 0; i < 20000; i++) {
		buf_reset(&b);
		buf_add(&b, "", 0);
		gen_soup(&b);
		if (!fast_compare(b.data, &fast) && ++bad > 10)
			break;
	}
	ok(bad == 0, "fast path equals libxml2's on 20000 markup soups");
	buf_free(&b);

	bad = n = 0;
	if ((f = fopen(SANITIZE_FIXTURES "/xss.txt", "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			line[strcspn(line, "\n")] = '\0';
			if (line[0] == '#' || line[0] == '\0')
				continue;
			v = unescape_line(line);
			n++;
			bad += !fast_compare(v, &fast);
			free(v);
		}
		fclose(f);
	}
	ok(n > 100 && bad == 0, "fast path equals libxml2's on %d XSS vectors",
	    n);
}

/*
 * HTML that is valid UTF-8 with nothing to drop is read in place; what
 * is not (a C1 control, a byte that is not UTF-8, U+FFFE, a C0 control)
 * is cleaned into a copy first, on both fast paths. Text runs are copied
 * whole up to the next byte to act on ('>' among them).
 */
static void
test_fast_inplace(void)
{
	static const struct {
		const char	*in, *want;
		int		 fast;
	} cases[] = {
		{ "<p>a > b</p>", "<p>a &gt; b</p>", 1 },
		{ "<p>x>y>>z</p>", "<p>x&gt;y&gt;&gt;z</p>", 1 },
		{ "<p>a \xc2\x85" "b</p>", "<p>a b</p>", 1 },
		{ "<p>a\x01" "b\x7f" "c</p>", "<p>abc</p>", 1 },
		{ "<p>x\xffy</p>", "<p>x\xef\xbf\xbdy</p>", 1 },
		{ "<p>\xef\xbf\xbe\xef\xbf\xbd</p>", "<p>\xef\xbf\xbd</p>", 1 },
		{ "<p>caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80</p>",
		    "<p>caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x98\x80</p>", 1 },
		{ "<p><a href=\"javascript:alert(1)\">x</a></p>",
		    "<p><a>x</a></p>", 1 },
		{ "<p><a href=\"java\tscript:alert(1)\">x</a>\xc2\x85</p>",
		    "<p><a>x</a></p>", 0 },
		{ "<p>a<script>alert(1)</script>\xc2\x85</p>", "<p>a</p>", 0 },
		{ "<p onclick=\"x()\">a</p>", "<p>a</p>", 1 },
		{ "a > b \xc2\x85" "c", "a &gt; b c", 0 },
		{ "plain \x01text\xff", "plain text\xef\xbf\xbd", 0 },
		{ "<p>x &amp;&lt; y</p>", "<p>x &amp;&lt; y</p>", 1 },
	};
	unsigned long	 before;
	char		*r;
	int		 i, fast, bad = 0, wrong = 0, nfast = 0;

	for (i = 0; i < (int)(sizeof(cases) / sizeof(cases[0])); i++) {
		bad += !fast_compare(cases[i].in, &fast);
		before = sanitize_fast_taken();
		r = sanitize_html(cases[i].in, BASE);
		if (strcmp(r, cases[i].want) != 0) {
			printf("# input: '%s'\n#   got: '%s'\n#   want: '%s'\n",
			    cases[i].in, r, cases[i].want);
			wrong++;
		}
		if ((sanitize_fast_taken() > before) == cases[i].fast)
			nfast++;
		else
			printf("# fast path %s: '%s'\n", cases[i].fast ?
			    "not taken" : "taken", cases[i].in);
		free(r);
	}
	ok(bad == 0, "in-place and cleaned input: fast paths equal libxml2's");
	ok(wrong == 0, "in-place and cleaned input: expected output");
	ok(nfast == i, "the clean-HTML fast path takes what it should");
}

/*
 * sanitize_html_valid() trusts its input to be valid UTF-8 without C0
 * controls, and looks only for what must still be dropped: on such input
 * it must give sanitize_html()'s bytes. Chosen sequences around the
 * bytes it stops at (DEL, 0xc2, 0xef), then generated markup with them.
 */
static void
test_valid_input(void)
{
	static const char *const seqs[] = {
		"\x7f", "\xc2\x80", "\xc2\x85", "\xc2\x9f", "\xc2\xa0",
		"\xc2\xbf", "\xc2\xab", "\xef\xbf\xbd", "\xef\xbf\xbe",
		"\xef\xbf\xbf", "\xef\xbb\xbf", "\xef\xbc\x81", "\xc3\xa9",
		"\xe2\x80\x99", "\xf0\x9f\x98\x80", "\xee\x80\x80", "\t",
		"\n", "\r", "&eacute;", "<b>", "</b>", "<p>", "a > b", "x",
	};
	struct buf	 b, v;
	char		*want, *got;
	size_t		 i, k;
	int		 n, bad = 0, tried = 0;

	for (n = 0; n < 4000; n++) {
		buf_init(&b);
		if (n % 2 == 0)
			gen_soup(&b);
		else
			gen_tree(&b, 0);
		/* Only what the XML parser could hand over... */
		buf_init(&v);
		buf_add(&v, "", 0);
		for (i = 0; i < b.len; i++)
			if ((unsigned char)b.data[i] >= 0x20 &&
			    (unsigned char)b.data[i] < 0x80)
				buf_addc(&v, b.data[i]);
			else if (b.data[i] == '\n')
				buf_addc(&v, '\n');
		/* ...and the sequences, here and there. */
		for (k = 0; k < 3; k++)
			buf_addstr(&v, seqs[rnd() % (sizeof(seqs) /
			    sizeof(seqs[0]))]);
		buf_addstr(&v, seqs[n % (sizeof(seqs) / sizeof(seqs[0]))]);
		want = sanitize_html(v.data, BASE);
		got = sanitize_html_valid(v.data, BASE);
		tried++;
		if (strcmp(want, got) != 0 && bad++ == 0)
			printf("# input: '%s'\n#   got: '%s'\n#   want: '%s'\n",
			    v.data, got, want);
		free(want);
		free(got);
		buf_free(&b);
		buf_free(&v);
	}
	for (i = 0; i < sizeof(seqs) / sizeof(seqs[0]); i++)
		for (k = 0; k < sizeof(seqs) / sizeof(seqs[0]); k++) {
			buf_init(&v);
			buf_addstr(&v, "<p>");
			buf_addstr(&v, seqs[i]);
			buf_addstr(&v, seqs[k]);
			buf_addstr(&v, "</p>");
			want = sanitize_html(v.data, BASE);
			got = sanitize_html_valid(v.data, BASE);
			tried++;
			if (strcmp(want, got) != 0 && bad++ == 0)
				printf("# input: '%s'\n#   got: '%s'\n"
				    "#   want: '%s'\n", v.data, got, want);
			free(want);
			free(got);
			buf_free(&v);
		}
	ok(bad == 0, "valid input: the same bytes as sanitize_html (%d of "
	    "%d differ)", bad, tried);
}

int
main(void)
{
	xmlSetStructuredErrorFunc(NULL, quiet_cb);
	test_exact();
	test_text();
	test_limits();
	test_vectors();
	test_fast();
	test_fast_inplace();
	test_valid_input();
	return (tap_done());
}
