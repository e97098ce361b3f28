/*
 * feedmesh: HTML from peers made safe to embed: libxml2's HTML parser builds
 * a tree, an allowlist of elements, attributes and URL schemes is applied to
 * it while it is serialized back as well-formed, escaped UTF-8 markup.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <libxml/uri.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "log.h"
#include "sanitize.h"

/* What the sanitizer does with an element. */
#define SE_KEEP		0x01	/* kept with its allowed attributes */
#define SE_DROP		0x02	/* removed with everything inside */
#define SE_VOID		0x04	/* no content: children are hoisted after it */
#define SE_IFRAME	0x08	/* kept only for an allowed video host */
#define SE_BLOCK	0x10	/* a word break for the text extraction */

/* How an attribute's value is checked. */
#define SA_TEXT		0	/* any text (escaped on output) */
#define SA_URL		1	/* one URL, scheme checked, resolved */
#define SA_SRCSET	2	/* comma-separated URL candidates */
#define SA_NUM		3	/* digits, maybe with a trailing '%' */
#define SA_BOOL		4	/* boolean: written as name="name" */
#define SA_LANG		5	/* a language tag */
#define SA_DIR		6	/* ltr, rtl or auto */

/* Flags for sanitize_url(). */
#define SU_MAILTO	0x01	/* mailto: and tel: allowed (links) */
#define SU_DATA_IMAGE	0x02	/* data:image/{png,gif,jpeg,webp} allowed */

#define SANITIZE_MAX_DEPTH	96

/* The fast path's elements: what libxml2's HTML parser makes of them. */
#define SF_INLINE	0x01
#define SF_BLOCK	0x02
#define SF_VOID		0x04	/* br, img: no content, no end tag */
#define SF_LIST		0x08	/* ul, ol: where li may go */
#define SF_FONT		0x10	/* libxml2's FONTSTYLE: closed by <p> */
#define SF_HEADING	0x20

#define SANITIZE_FAST_DEPTH	32
#define SANITIZE_FAST_ATTRS	16
#define SANITIZE_MAX_IFRAME_HOSTS 64

#define SANITIZE_LINK_REL	"nofollow noopener noreferrer"
#define SANITIZE_IFRAME_SANDBOX	"allow-scripts allow-same-origin allow-popups"

struct sanitize_elem {
	const char		*name;
	int			 flags;
	const char *const	*attrs;		/* NULL-terminated */
};

struct sanitize_attr {
	const char	*name;
	int		 kind;
};

struct sanitize_fast_elem {
	const char	*name;
	int		 flags;
};

struct sanitize_ctx {
	struct buf	*out;
	const char	*base;
};

static void	 sanitize_utf8_append(struct buf *, const char *, size_t);
static size_t	 sanitize_utf8_span(const char *, size_t);
static size_t	 sanitize_utf8_span_valid(const char *, size_t);
static char	*sanitize_html_in(const char *, const char *, int);
static char	*sanitize_utf8_clean(const char *, size_t);
static int	 sanitize_plain(const char *, size_t);
static xmlDoc	*sanitize_parse(const char *, size_t);
static void	 sanitize_xml_error_cb(void *, xmlErrorPtr);
static const struct sanitize_elem *sanitize_elem_find(const char *);
static int	 sanitize_attr_kind(const char *);
static int	 sanitize_elem_allows(const struct sanitize_elem *,
		    const char *);
static void	 sanitize_walk(struct sanitize_ctx *, xmlNode *, int);
static void	 sanitize_element(struct sanitize_ctx *, xmlNode *, int);
static void	 sanitize_iframe(struct sanitize_ctx *, xmlNode *);
static int	 sanitize_attrs(struct sanitize_ctx *, xmlNode *,
		    const struct sanitize_elem *);
static void	 sanitize_attr_put(struct sanitize_ctx *,
		    const struct sanitize_elem *, const char *, const char *,
		    int *, int *);
static void	 sanitize_attrs_end(struct sanitize_ctx *, int);
static void	 sanitize_put_attr(struct buf *, const char *, const char *);
static void	 sanitize_escape(struct buf *, const char *, size_t, int);
static char	*sanitize_attr_value(struct sanitize_ctx *,
		    const struct sanitize_elem *, const char *, int,
		    const char *);
static char	*sanitize_url(const char *, const char *, int);
static char	*sanitize_url_clean(const char *);
static int	 sanitize_url_scheme(const char *, char *, size_t);
static char	*sanitize_url_encode(const char *);
static int	 sanitize_url_data_image(const char *);
static char	*sanitize_srcset(const char *, const char *);
static int	 sanitize_iframe_host_ok(const char *);
static int	 sanitize_num_ok(const char *);
static int	 sanitize_lang_ok(const char *);
static void	 sanitize_text_collect(struct buf *, xmlNode *);
static char	*sanitize_collapse(const char *);
static int	 sanitize_blank(const char *);
static int	 sanitize_fast(struct sanitize_ctx *, const char *, size_t);
static int	 sanitize_fast_cmp(const void *, const void *);
static size_t	 sanitize_fast_name(const char *, char *, size_t);
static size_t	 sanitize_fast_ref(const char *, char *);
static int	 sanitize_fast_closes(const struct sanitize_fast_elem *,
		    const struct sanitize_fast_elem *, int);

static const char *const sanitize_default_iframe_hosts[] = {
	"www.youtube.com",
	"www.youtube-nocookie.com",
	"player.vimeo.com",
	"www.dailymotion.com",
	NULL
};
static char	*sanitize_iframe_hosts[SANITIZE_MAX_IFRAME_HOSTS];
static int	 sanitize_niframe_hosts;

/*
 * Attributes every kept element may have. class and id are dropped on
 * purpose: a peer's class names mean nothing to our pages but could borrow
 * their styles (fake dialogs, hidden text), and ids could clobber the
 * embedding page's DOM names.
 */
#define SANITIZE_GLOBAL_ATTRS	"title", "lang", "dir"

static const struct sanitize_elem sanitize_elems[] = {
	/* Sorted by name for bsearch. */
	{ "a",		SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    "href", "hreflang", NULL } },
	{ "abbr",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "address",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "applet",	SE_DROP, NULL },
	{ "audio",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, "src", "controls", "preload", "loop",
	    "muted", NULL } },
	{ "b",		SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "base",	SE_DROP, NULL },
	{ "basefont",	SE_DROP, NULL },
	{ "bgsound",	SE_DROP, NULL },
	{ "blockquote",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, "cite", NULL } },
	{ "br",		SE_KEEP | SE_VOID | SE_BLOCK, (const char *const []){
	    NULL } },
	{ "button",	SE_DROP, NULL },
	{ "canvas",	SE_DROP, NULL },
	{ "caption",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "cite",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "code",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "dd",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "del",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    "cite", "datetime", NULL } },
	{ "dialog",	SE_DROP, NULL },
	{ "div",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "dl",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "dt",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "em",		SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "embed",	SE_DROP, NULL },
	{ "figcaption",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "figure",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "form",	SE_DROP, NULL },
	{ "frame",	SE_DROP, NULL },
	{ "frameset",	SE_DROP, NULL },
	{ "h1",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "h2",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "h3",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "h4",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "h5",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "h6",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "hr",		SE_KEEP | SE_VOID | SE_BLOCK, (const char *const []){
	    NULL } },
	{ "i",		SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "iframe",	SE_IFRAME | SE_BLOCK, (const char *const []){
	    "src", "width", "height", "title", "allowfullscreen", NULL } },
	{ "img",	SE_KEEP | SE_VOID, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, "src", "alt", "width", "height", "srcset",
	    "sizes", NULL } },
	{ "input",	SE_DROP, NULL },
	{ "ins",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    "cite", "datetime", NULL } },
	{ "isindex",	SE_DROP, NULL },
	{ "kbd",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "keygen",	SE_DROP, NULL },
	{ "li",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, "value", NULL } },
	{ "link",	SE_DROP, NULL },
	{ "mark",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "marquee",	SE_DROP, NULL },
	{ "math",	SE_DROP, NULL },
	{ "meta",	SE_DROP, NULL },
	{ "noembed",	SE_DROP, NULL },
	{ "noframes",	SE_DROP, NULL },
	{ "noscript",	SE_DROP, NULL },
	{ "object",	SE_DROP, NULL },
	{ "ol",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, "start", "reversed", "type", NULL } },
	{ "optgroup",	SE_DROP, NULL },
	{ "option",	SE_DROP, NULL },
	{ "p",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "param",	SE_DROP, NULL },
	{ "picture",	SE_KEEP, (const char *const []){ NULL } },
	{ "plaintext",	SE_DROP, NULL },
	{ "portal",	SE_DROP, NULL },
	{ "pre",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "q",		SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    "cite", NULL } },
	{ "s",		SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "samp",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "script",	SE_DROP, NULL },
	{ "select",	SE_DROP, NULL },
	{ "slot",	SE_DROP, NULL },
	{ "small",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "source",	SE_KEEP | SE_VOID, (const char *const []){ "src",
	    "srcset", "type", "media", "sizes", NULL } },
	{ "span",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "strike",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "strong",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "style",	SE_DROP, NULL },
	{ "sub",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "sup",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "svg",	SE_DROP, NULL },
	{ "table",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "tbody",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "td",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, "colspan", "rowspan", "headers", NULL } },
	{ "template",	SE_DROP, NULL },
	{ "textarea",	SE_DROP, NULL },
	{ "tfoot",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "th",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, "colspan", "rowspan", "headers", "scope",
	    "abbr", NULL } },
	{ "thead",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "time",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    "datetime", NULL } },
	{ "title",	SE_DROP, NULL },
	{ "tr",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "track",	SE_KEEP | SE_VOID, (const char *const []){ "src",
	    "kind", "srclang", "label", "default", NULL } },
	{ "u",		SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "ul",		SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, NULL } },
	{ "var",	SE_KEEP, (const char *const []){ SANITIZE_GLOBAL_ATTRS,
	    NULL } },
	{ "video",	SE_KEEP | SE_BLOCK, (const char *const []){
	    SANITIZE_GLOBAL_ATTRS, "src", "poster", "controls", "width",
	    "height", "preload", "loop", "muted", "playsinline", NULL } },
	{ "wbr",	SE_KEEP | SE_VOID, (const char *const []){ NULL } },
	{ "xmp",	SE_DROP, NULL },
};

/* Attributes whose value is more than text; the others are SA_TEXT. */
static const struct sanitize_attr sanitize_attr_kinds[] = {
	/* Sorted by name for bsearch. */
	{ "allowfullscreen",	SA_BOOL },
	{ "cite",		SA_URL },
	{ "colspan",		SA_NUM },
	{ "controls",		SA_BOOL },
	{ "default",		SA_BOOL },
	{ "dir",		SA_DIR },
	{ "height",		SA_NUM },
	{ "href",		SA_URL },
	{ "hreflang",		SA_LANG },
	{ "lang",		SA_LANG },
	{ "loop",		SA_BOOL },
	{ "muted",		SA_BOOL },
	{ "playsinline",	SA_BOOL },
	{ "poster",		SA_URL },
	{ "reversed",		SA_BOOL },
	{ "rowspan",		SA_NUM },
	{ "src",		SA_URL },
	{ "srclang",		SA_LANG },
	{ "srcset",		SA_SRCSET },
	{ "start",		SA_NUM },
	{ "value",		SA_NUM },
	{ "width",		SA_NUM },
};

/*
 * Elements the fast path reads itself (all kept by the allowlist), sorted
 * by name for bsearch. Anything else goes to libxml2.
 */
static const struct sanitize_fast_elem sanitize_fast_elems[] = {
	{ "a", SF_INLINE }, { "abbr", SF_INLINE },
	{ "b", SF_INLINE | SF_FONT }, { "blockquote", SF_BLOCK },
	{ "br", SF_VOID }, { "cite", SF_INLINE }, { "code", SF_INLINE },
	{ "del", SF_INLINE }, { "div", SF_BLOCK }, { "em", SF_INLINE },
	{ "h1", SF_BLOCK | SF_HEADING }, { "h2", SF_BLOCK | SF_HEADING },
	{ "h3", SF_BLOCK | SF_HEADING }, { "h4", SF_BLOCK | SF_HEADING },
	{ "h5", SF_BLOCK | SF_HEADING }, { "h6", SF_BLOCK | SF_HEADING },
	{ "i", SF_INLINE | SF_FONT }, { "img", SF_VOID },
	{ "ins", SF_INLINE }, { "kbd", SF_INLINE }, { "li", SF_BLOCK },
	{ "ol", SF_BLOCK | SF_LIST }, { "p", SF_BLOCK }, { "q", SF_INLINE },
	{ "s", SF_INLINE | SF_FONT }, { "samp", SF_INLINE },
	{ "small", SF_INLINE | SF_FONT }, { "span", SF_INLINE },
	{ "strike", SF_INLINE | SF_FONT }, { "strong", SF_INLINE },
	{ "sub", SF_INLINE }, { "sup", SF_INLINE },
	{ "u", SF_INLINE | SF_FONT }, { "ul", SF_BLOCK | SF_LIST },
	{ "var", SF_INLINE },
};

/* Off only in the tests, which compare the fast paths with libxml2's. */
static int	 sanitize_fast_on = 1;
static unsigned long sanitize_fast_n;

static int
sanitize_elem_cmp(const void *key, const void *elem)
{
	return (strcmp(key, ((const struct sanitize_elem *)elem)->name));
}

static int
sanitize_attr_cmp(const void *key, const void *attr)
{
	return (strcmp(key, ((const struct sanitize_attr *)attr)->name));
}

static const struct sanitize_elem *
sanitize_elem_find(const char *name)
{
	return (bsearch(name, sanitize_elems,
	    sizeof(sanitize_elems) / sizeof(sanitize_elems[0]),
	    sizeof(sanitize_elems[0]), sanitize_elem_cmp));
}

static int
sanitize_attr_kind(const char *name)
{
	const struct sanitize_attr	*a;

	a = bsearch(name, sanitize_attr_kinds,
	    sizeof(sanitize_attr_kinds) / sizeof(sanitize_attr_kinds[0]),
	    sizeof(sanitize_attr_kinds[0]), sanitize_attr_cmp);
	return (a != NULL ? a->kind : SA_TEXT);
}

/* Index of an allowed attribute in the element's list, or -1. */
static int
sanitize_elem_allows(const struct sanitize_elem *se, const char *name)
{
	size_t	 i;

	if (se->attrs == NULL)
		return (-1);
	for (i = 0; se->attrs[i] != NULL; i++)
		if (strcasecmp(se->attrs[i], name) == 0)
			return ((int)i);
	return (-1);
}

void
sanitize_set_iframe_hosts(const char *const *hosts, int n)
{
	int	 i;

	for (i = 0; i < sanitize_niframe_hosts; i++)
		free(sanitize_iframe_hosts[i]);
	sanitize_niframe_hosts = 0;
	if (n > SANITIZE_MAX_IFRAME_HOSTS) {
		log_warnx("%s: %d iframe hosts, only the first %d kept",
		    __func__, n, SANITIZE_MAX_IFRAME_HOSTS);
		n = SANITIZE_MAX_IFRAME_HOSTS;
	}
	for (i = 0; hosts != NULL && i < n; i++) {
		if (hosts[i] == NULL)
			continue;
		if ((sanitize_iframe_hosts[sanitize_niframe_hosts] =
		    strdup(hosts[i])) == NULL)
			fatal("%s", __func__);
		sanitize_niframe_hosts++;
	}
}

static int
sanitize_iframe_host_ok(const char *host)
{
	int	 i;

	for (i = 0; sanitize_default_iframe_hosts[i] != NULL; i++)
		if (strcasecmp(host, sanitize_default_iframe_hosts[i]) == 0)
			return (1);
	for (i = 0; i < sanitize_niframe_hosts; i++)
		if (strcasecmp(host, sanitize_iframe_hosts[i]) == 0)
			return (1);
	return (0);
}

/*
 * Decodes the UTF-8 sequence at s (len > 0 bytes available) into *c and
 * returns its length; a malformed, overlong or surrogate sequence gives
 * U+FFFD and the length of the bytes to skip.
 */
size_t
sanitize_utf8_next(const char *str, size_t len, uint32_t *c)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 n, k;
	uint32_t		 v, min;

	v = s[0];
	if (v < 0x80) {
		*c = v;
		return (1);
	}
	if (v >= 0xc2 && v <= 0xdf) {
		n = 2;
		v &= 0x1f;
		min = 0x80;
	} else if (v >= 0xe0 && v <= 0xef) {
		n = 3;
		v &= 0x0f;
		min = 0x800;
	} else if (v >= 0xf0 && v <= 0xf4) {
		n = 4;
		v &= 0x07;
		min = 0x10000;
	} else {
		*c = 0xfffd;
		return (1);
	}
	for (k = 1; k < n; k++) {
		if (k >= len || (s[k] & 0xc0) != 0x80)
			break;
		v = (v << 6) | (s[k] & 0x3f);
	}
	if (k < n || v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff)) {
		*c = 0xfffd;
		return (k);
	}
	*c = v;
	return (n);
}

/*
 * Appends s as valid UTF-8 that XML 1.0 can carry: malformed sequences
 * become U+FFFD; C0 controls but tab, LF and CR, DEL, C1 controls and
 * U+FFFE/U+FFFF are dropped. libxml2 would stop at the first bad byte, and
 * the renderers must not have to guess. Bytes that need nothing (nearly
 * all of them) are copied in runs.
 */
static void
sanitize_utf8_append(struct buf *b, const char *s, size_t len)
{
	size_t		 i, n, run;
	uint32_t	 c;

	buf_add(b, "", 0);
	for (i = run = 0; i < len; ) {
		i += sanitize_utf8_span(s + i, len - i);
		if (i == len)
			break;
		n = sanitize_utf8_next(s + i, len - i, &c);
		buf_add(b, s + run, i - run);
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') ||
		    (c >= 0x7f && c <= 0x9f) || c == 0xfffe || c == 0xffff)
			;	/* dropped */
		else if (c == 0xfffd && (n < 3 ||
		    memcmp(s + i, "\xef\xbf\xbd", 3) != 0))
			buf_addstr(b, "\xef\xbf\xbd");
		else
			buf_add(b, s + i, n);
		i += n;
		run = i;
	}
	buf_add(b, s + run, len - run);
}

/*
 * Length of the leading run of s that sanitize_utf8_append() copies as
 * it is; all of it (nearly always: the XML parser's text is valid UTF-8)
 * means s can be read in place.
 */
static size_t
sanitize_utf8_span(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i, n;
	uint32_t		 c;

	for (i = 0; i < len; ) {
		i += buf_ascii_span(s + i, len - i);
		if (i == len)
			break;
		if (u[i] == '\t' ||
		    u[i] == '\n' || u[i] == '\r') {
			i++;
			continue;
		}
		/*
		 * The accented letters of French text (U+00C0 to U+07FF,
		 * two bytes) and the punctuation of U+2000 to U+2FFF (three)
		 * need no decoding to be known good: one every few words.
		 */
		if (u[i] >= 0xc3 && u[i] <= 0xdf && i + 1 < len &&
		    (u[i + 1] & 0xc0) == 0x80) {
			i += 2;
			continue;
		}
		if (u[i] == 0xe2 && i + 2 < len && (u[i + 1] & 0xc0) == 0x80 &&
		    (u[i + 2] & 0xc0) == 0x80) {
			i += 3;
			continue;
		}
		n = sanitize_utf8_next(s + i, len - i, &c);
		if (c >= 0xa0 && c != 0xfffd && c != 0xfffe && c != 0xffff) {
			i += n;
			continue;
		}
		break;
	}
	return (i);
}

/*
 * The same for s known to be valid UTF-8 with no C0 control but tab, LF
 * and CR: only DEL, the C1 controls (0xc2 0x80 to 0xc2 0x9f) and U+FFFE
 * and U+FFFF (0xef 0xbf 0xbe and 0xbf) can stop it, and their first
 * bytes are found sixteen at a time, where the accented letters of
 * French text stopped the loop above one every few words.
 */
static size_t
sanitize_utf8_span_valid(const char *s, size_t len)
{
	const unsigned char	*u = (const unsigned char *)s;
	size_t			 i = 0;

	while ((i = buf_scan(s, i, len, 0x7f, (char)0xc2, (char)0xef,
	    (char)0xef, (char)0xef)) < len) {
		if (u[i] == 0x7f)
			break;
		if (u[i] == 0xc2) {
			if (i + 1 < len && u[i + 1] >= 0xa0) {
				i += 2;
				continue;
			}
			break;
		}
		if (i + 2 < len && u[i + 1] == 0xbf && u[i + 2] >= 0xbe)
			break;
		i++;
	}
	return (i);
}

static char *
sanitize_utf8_clean(const char *s, size_t len)
{
	struct buf	 b;

	buf_init(&b);
	sanitize_utf8_append(&b, s, len);
	return (buf_release(&b));
}

/* libxml2's complaints about peers' HTML are expected: keep them quiet. */
static void
sanitize_xml_error_cb(void *arg, xmlErrorPtr err)
{
	(void)arg;
	(void)err;
}

/*
 * Parses an HTML fragment in the body context. The declared encoding is
 * forced to UTF-8 (the input was made valid UTF-8 first) and <meta charset>
 * in the fragment is ignored.
 */
static xmlDoc *
sanitize_parse(const char *html, size_t len)
{
	static const char	 head[] = "<!DOCTYPE html><html><body>";
	htmlParserCtxtPtr	 ctxt;
	struct buf		 b;
	xmlDoc			*doc;

	if (len > SANITIZE_MAX_INPUT) {
		len = SANITIZE_MAX_INPUT;
		while (len > 0 && ((unsigned char)html[len] & 0xc0) == 0x80)
			len--;
	}
	buf_init(&b);
	buf_add(&b, head, sizeof(head) - 1);
	sanitize_utf8_append(&b, html, len);
	buf_addstr(&b, "</body></html>");

	if ((ctxt = htmlNewParserCtxt()) == NULL)
		fatalx("%s: htmlNewParserCtxt", __func__);
	ctxt->sax->serror = sanitize_xml_error_cb;
	ctxt->sax->error = NULL;
	ctxt->sax->warning = NULL;
	doc = htmlCtxtReadMemory(ctxt, b.data, (int)b.len, NULL, "UTF-8",
	    HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
	    HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC);
	htmlFreeParserCtxt(ctxt);
	buf_free(&b);
	if (doc == NULL)
		log_debug("%s: libxml2 built no tree", __func__);
	return (doc);
}

/*
 * Writes s escaped for HTML text (quote also escaped in attribute values);
 * a NUL among the len bytes is left out. Runs of safe bytes are found
 * sixteen at a time and copied at once.
 */
static void
sanitize_escape(struct buf *b, const char *s, size_t len, int attr)
{
	const char	*rep;
	size_t		 i, n;

	for (i = 0; i < len; i += n + 1) {
		n = buf_scan(s, i, len, '&', '<', '>', attr ? '"' : '>',
		    '\0') - i;
		if (n >= len - i) {
			buf_add(b, s + i, len - i);
			break;
		}
		buf_add(b, s + i, n);
		switch (s[i + n]) {
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
		default:
			rep = "";	/* a NUL inside: not written */
			break;
		}
		buf_addstr(b, rep);
	}
}

static void
sanitize_put_attr(struct buf *b, const char *name, const char *value)
{
	buf_addc(b, ' ');
	buf_addstr(b, name);
	buf_addstr(b, "=\"");
	sanitize_escape(b, value, strlen(value), 1);
	buf_addc(b, '"');
}

/* Serializes the children of parent that survive the allowlist. */
static void
sanitize_walk(struct sanitize_ctx *ctx, xmlNode *parent, int depth)
{
	xmlNode	*n;

	for (n = parent->children; n != NULL; n = n->next) {
		switch (n->type) {
		case XML_TEXT_NODE:
		case XML_CDATA_SECTION_NODE:
			if (n->content != NULL)
				sanitize_escape(ctx->out,
				    (const char *)n->content,
				    strlen((const char *)n->content), 0);
			break;
		case XML_ELEMENT_NODE:
			sanitize_element(ctx, n, depth + 1);
			break;
		default:
			/* Comments, processing instructions, DTDs: gone. */
			break;
		}
	}
}

/*
 * One element: kept with its allowed attributes, unwrapped (unknown but
 * harmless: its children are kept) or dropped with everything inside.
 */
static void
sanitize_element(struct sanitize_ctx *ctx, xmlNode *n, int depth)
{
	const struct sanitize_elem	*se;
	char				 name[16];
	size_t				 i, mark;

	if (n->name == NULL || strlen((const char *)n->name) >= sizeof(name))
		se = NULL;
	else {
		for (i = 0; n->name[i] != '\0'; i++)
			name[i] = (char)tolower(n->name[i]);
		name[i] = '\0';
		se = sanitize_elem_find(name);
	}
	if (se != NULL && (se->flags & SE_DROP))
		return;
	if (depth > SANITIZE_MAX_DEPTH) {
		/* Too deep to be honest markup: keep the words only. */
		struct buf	 t;

		buf_init(&t);
		sanitize_text_collect(&t, n);
		if (t.data != NULL)
			sanitize_escape(ctx->out, t.data, t.len, 0);
		buf_free(&t);
		return;
	}
	if (se == NULL) {
		sanitize_walk(ctx, n, depth);
		return;
	}
	if (se->flags & SE_IFRAME) {
		sanitize_iframe(ctx, n);
		return;
	}

	mark = ctx->out->len;
	buf_addc(ctx->out, '<');
	buf_addstr(ctx->out, se->name);
	if (sanitize_attrs(ctx, n, se) == 0 && strcmp(se->name, "img") == 0) {
		/* A picture with no acceptable source is nothing. */
		ctx->out->len = mark;
		ctx->out->data[mark] = '\0';
		return;
	}
	if (se->flags & SE_VOID) {
		buf_addstr(ctx->out, " />");
		/* libxml2 may not know HTML5's void elements: hoist. */
		sanitize_walk(ctx, n, depth);
		return;
	}
	buf_addc(ctx->out, '>');
	sanitize_walk(ctx, n, depth);
	buf_addstr(ctx->out, "</");
	buf_addstr(ctx->out, se->name);
	buf_addc(ctx->out, '>');
}

/*
 * Writes one attribute of a kept element if the allowlist has it and its
 * value passes; counts the href and src/srcset written.
 */
static void
sanitize_attr_put(struct sanitize_ctx *ctx, const struct sanitize_elem *se,
    const char *aname, const char *v, int *has_href, int *nsrc)
{
	const char	*name;
	char		*value;
	int		 i, kind;

	if ((i = sanitize_elem_allows(se, aname)) < 0)
		return;
	name = se->attrs[i];
	kind = sanitize_attr_kind(name);
	if ((value = sanitize_attr_value(ctx, se, name, kind, v)) == NULL)
		return;
	sanitize_put_attr(ctx->out, name, value);
	if (strcmp(name, "href") == 0)
		*has_href = 1;
	if (strcmp(name, "src") == 0 || strcmp(name, "srcset") == 0)
		(*nsrc)++;
	free(value);
}

/*
 * Peers' links are user content for us: no ranking credit, and the target
 * page gets neither window.opener nor our address. target is never kept,
 * so links open where the reader chooses.
 */
static void
sanitize_attrs_end(struct sanitize_ctx *ctx, int has_href)
{
	if (has_href)
		sanitize_put_attr(ctx->out, "rel", SANITIZE_LINK_REL);
}

/*
 * Writes the allowed attributes of n with checked values; returns how many
 * src/srcset were kept.
 */
static int
sanitize_attrs(struct sanitize_ctx *ctx, xmlNode *n,
    const struct sanitize_elem *se)
{
	xmlAttr		*a;
	xmlChar		*v;
	int		 has_href = 0, nsrc = 0;

	for (a = n->properties; a != NULL; a = a->next) {
		if (a->name == NULL ||
		    sanitize_elem_allows(se, (const char *)a->name) < 0)
			continue;
		v = xmlNodeGetContent((xmlNode *)a);
		sanitize_attr_put(ctx, se, (const char *)a->name,
		    v != NULL ? (const char *)v : "", &has_href, &nsrc);
		xmlFree(v);
	}
	sanitize_attrs_end(ctx, has_href);
	return (nsrc);
}

/* Checks one attribute value; returns what to write, or NULL to drop it. */
static char *
sanitize_attr_value(struct sanitize_ctx *ctx, const struct sanitize_elem *se,
    const char *name, int kind, const char *v)
{
	int	 flags = 0;
	char	*r;

	switch (kind) {
	case SA_URL:
		if (strcmp(se->name, "a") == 0)
			flags |= SU_MAILTO;
		if (strcmp(se->name, "img") == 0 && strcmp(name, "src") == 0)
			flags |= SU_DATA_IMAGE;
		return (sanitize_url(v, ctx->base, flags));
	case SA_SRCSET:
		return (sanitize_srcset(v, ctx->base));
	case SA_NUM:
		return (sanitize_num_ok(v) ? strdup(v) : NULL);
	case SA_BOOL:
		return (strdup(name));
	case SA_LANG:
		return (sanitize_lang_ok(v) ? strdup(v) : NULL);
	case SA_DIR:
		if (strcasecmp(v, "ltr") == 0 || strcasecmp(v, "rtl") == 0 ||
		    strcasecmp(v, "auto") == 0) {
			if ((r = strdup(v)) == NULL)
				fatal("%s", __func__);
			for (char *p = r; *p != '\0'; p++)
				*p = (char)tolower((unsigned char)*p);
			return (r);
		}
		return (NULL);
	default:
		if ((r = strdup(v)) == NULL)
			fatal("%s", __func__);
		return (r);
	}
}

static int
sanitize_num_ok(const char *v)
{
	size_t	 i;

	for (i = 0; isdigit((unsigned char)v[i]); i++)
		;
	if (i == 0 || i > 9)
		return (0);
	if (v[i] == '%')
		i++;
	return (v[i] == '\0');
}

static int
sanitize_lang_ok(const char *v)
{
	size_t	 i;

	for (i = 0; v[i] != '\0'; i++)
		if (!isalnum((unsigned char)v[i]) && v[i] != '-')
			return (0);
	return (i > 0 && i <= 35);
}

/*
 * An iframe is kept only when its src is https on an allowed video host;
 * it is sandboxed and keeps no content (its content would be raw text to
 * a browser, a classic mutation vector).
 */
static void
sanitize_iframe(struct sanitize_ctx *ctx, xmlNode *n)
{
	static const char *const keep[] = { "width", "height", "title", NULL };
	xmlChar		*v;
	xmlURI		*uri = NULL;
	char		*src = NULL, *clean = NULL;
	size_t		 i;

	if ((v = xmlGetProp(n, BAD_CAST "src")) == NULL)
		return;
	clean = sanitize_url_clean((const char *)v);
	xmlFree(v);
	/* Protocol-relative players are asked for over https. */
	if (strncmp(clean, "//", 2) == 0) {
		if ((src = malloc(strlen(clean) + 7)) == NULL)
			fatal("%s", __func__);
		strcpy(src, "https:");
		strcat(src, clean);
		free(clean);
		clean = src;
	}
	if ((src = sanitize_url(clean, NULL, 0)) == NULL)
		goto done;
	if ((uri = xmlParseURI(src)) == NULL || uri->scheme == NULL ||
	    strcasecmp(uri->scheme, "https") != 0 || uri->server == NULL ||
	    uri->user != NULL || (uri->port != 0 && uri->port != 443) ||
	    !sanitize_iframe_host_ok(uri->server))
		goto done;

	buf_addstr(ctx->out, "<iframe");
	sanitize_put_attr(ctx->out, "src", src);
	for (i = 0; keep[i] != NULL; i++) {
		if ((v = xmlGetProp(n, BAD_CAST keep[i])) == NULL)
			continue;
		if (strcmp(keep[i], "title") == 0 ||
		    sanitize_num_ok((const char *)v))
			sanitize_put_attr(ctx->out, keep[i], (const char *)v);
		xmlFree(v);
	}
	if (xmlHasProp(n, BAD_CAST "allowfullscreen") != NULL)
		sanitize_put_attr(ctx->out, "allowfullscreen",
		    "allowfullscreen");
	sanitize_put_attr(ctx->out, "sandbox", SANITIZE_IFRAME_SANDBOX);
	buf_addstr(ctx->out, "></iframe>");
 done:
	if (uri != NULL)
		xmlFreeURI(uri);
	free(clean);
	free(src);
}

/*
 * Removes what browsers ignore in a URL: C0 controls and spaces at both
 * ends, tabs and newlines anywhere ("jav&#x09;ascript:" is javascript:).
 */
static char *
sanitize_url_clean(const char *v)
{
	const unsigned char	*s = (const unsigned char *)v;
	size_t			 len, i, j;
	char			*r;

	while (*s != '\0' && *s <= 0x20)
		s++;
	len = strlen((const char *)s);
	while (len > 0 && s[len - 1] <= 0x20)
		len--;
	if ((r = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	for (i = j = 0; i < len; i++)
		if (s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			r[j++] = (char)s[i];
	r[j] = '\0';
	return (r);
}

/*
 * Finds the scheme of a cleaned URL: 1 with the lower-cased scheme in
 * scheme, 0 for a relative reference, -1 when what stands before the first
 * ':' is no valid scheme (a browser could still read one: refused).
 */
static int
sanitize_url_scheme(const char *u, char *scheme, size_t len)
{
	size_t	 i;

	for (i = 0; u[i] != '\0' && u[i] != ':'; i++)
		if (u[i] == '/' || u[i] == '?' || u[i] == '#')
			return (0);
	if (u[i] == '\0')
		return (0);
	if (i == 0 || i >= len || !isalpha((unsigned char)u[0]))
		return (-1);
	for (i = 0; u[i] != ':'; i++) {
		if (!isalnum((unsigned char)u[i]) && u[i] != '+' &&
		    u[i] != '-' && u[i] != '.')
			return (-1);
		scheme[i] = (char)tolower((unsigned char)u[i]);
	}
	scheme[i] = '\0';
	return (1);
}

/* 1 if u is a data: URL of a raster image type. */
static int
sanitize_url_data_image(const char *u)
{
	static const char *const types[] = {
		"image/png", "image/gif", "image/jpeg", "image/webp", NULL
	};
	size_t	 i, n;

	u += strlen("data:");
	for (i = 0; types[i] != NULL; i++) {
		n = strlen(types[i]);
		if (strncasecmp(u, types[i], n) == 0 &&
		    (u[n] == ';' || u[n] == ','))
			return (1);
	}
	return (0);
}

/*
 * Percent-encodes what RFC 3986 does not allow in a URI reference (spaces,
 * non-ASCII bytes, quotes, stray '%') so that libxml2 can parse it.
 */
static char *
sanitize_url_encode(const char *u)
{
	static const char	 hex[] = "0123456789ABCDEF";
	const unsigned char	*p, *run;
	struct buf		 b;

	buf_init(&b);
	buf_reserve(&b, strlen(u) + 16);
	for (p = run = (const unsigned char *)u; *p != '\0'; p++) {
		/* Nearly every byte is good: runs are copied at once. */
		switch (*p) {
		case '"': case '<': case '>': case '\\': case '^': case '`':
		case '{': case '|': case '}': case '%':
			break;
		default:
			if (*p > 0x20 && *p < 0x7f)
				continue;
			break;
		}
		if (*p == '%' && isxdigit(p[1]) && isxdigit(p[2]))
			continue;
		buf_add(&b, run, (size_t)(p - run));
		buf_addc(&b, '%');
		buf_addc(&b, hex[*p >> 4]);
		buf_addc(&b, hex[*p & 0xf]);
		run = p + 1;
	}
	buf_add(&b, run, (size_t)(p - run));
	return (buf_release(&b));
}

/*
 * Checks one URL from an attribute (already entity-decoded by the parser)
 * and resolves it against base. Returns the URL to write or NULL.
 */
static char *
sanitize_url(const char *value, const char *base, int flags)
{
	char	 scheme[32];
	char	*u, *enc, *abs;
	int	 r;

	u = sanitize_url_clean(value);
	r = sanitize_url_scheme(u, scheme, sizeof(scheme));
	if (r < 0)
		goto refuse;
	if (r == 1) {
		if ((flags & SU_MAILTO) && (strcmp(scheme, "mailto") == 0 ||
		    strcmp(scheme, "tel") == 0))
			return (u);
		if ((flags & SU_DATA_IMAGE) && strcmp(scheme, "data") == 0 &&
		    sanitize_url_data_image(u))
			return (u);
		if (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0)
			goto refuse;
	}
	enc = sanitize_url_encode(u);
	free(u);
	if (r == 1 || base == NULL)
		return (enc);
	abs = (char *)xmlBuildURI(BAD_CAST enc, BAD_CAST base);
	free(enc);
	if (abs == NULL)
		return (NULL);
	/* The base is ours, but check what came out all the same. */
	r = sanitize_url_scheme(abs, scheme, sizeof(scheme));
	if (r < 0 || (r == 1 && strcmp(scheme, "http") != 0 &&
	    strcmp(scheme, "https") != 0)) {
		xmlFree(abs);
		return (NULL);
	}
	u = strdup(abs);
	xmlFree(abs);
	if (u == NULL)
		fatal("%s", __func__);
	return (u);
 refuse:
	free(u);
	return (NULL);
}

/*
 * Checks each candidate of a srcset ("url [descriptor], ...") and rebuilds
 * it from those that pass; NULL if none does.
 */
static char *
sanitize_srcset(const char *v, const char *base)
{
	struct buf	 b;
	const char	*p, *start;
	char		*url, *ok;
	size_t		 n;

	buf_init(&b);
	p = v;
	for (;;) {
		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && !isspace((unsigned char)*p))
			p++;
		n = (size_t)(p - start);
		/* A comma ending the URL separates candidates. */
		if (n > 1 && start[n - 1] == ',')
			n--;
		if ((url = strndup(start, n)) == NULL)
			fatal("%s", __func__);
		ok = sanitize_url(url, base, 0);
		free(url);
		if (start[n] == ',') {
			p = start + n;
		} else {
			while (isspace((unsigned char)*p))
				p++;
			start = p;
			while (*p != '\0' && *p != ',')
				p++;
		}
		if (ok == NULL)
			continue;
		if (b.len > 0)
			buf_addstr(&b, ", ");
		buf_addstr(&b, ok);
		free(ok);
		if (start[0] != ',' && p > start) {
			/* Descriptor: "2x", "640w"; keep digits and units. */
			size_t	 i, m = (size_t)(p - start);

			while (m > 0 && isspace((unsigned char)start[m - 1]))
				m--;
			for (i = 0; i < m; i++)
				if (!isalnum((unsigned char)start[i]) &&
				    start[i] != '.')
					break;
			if (i == m && m > 0) {
				buf_addc(&b, ' ');
				buf_add(&b, start, m);
			}
		}
	}
	if (b.len == 0) {
		buf_free(&b);
		return (NULL);
	}
	return (buf_release(&b));
}

/*
 * Appends the text of top's descendants, skipping what the sanitizer drops
 * and putting a space at block boundaries. Iterative: the tree may be deep.
 */
static void
sanitize_text_collect(struct buf *b, xmlNode *top)
{
	const struct sanitize_elem	*se;
	xmlNode				*n;

	n = top->children;
	while (n != NULL) {
		se = NULL;
		if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
			if (n->content != NULL)
				buf_addstr(b, (const char *)n->content);
		} else if (n->type == XML_ELEMENT_NODE && n->name != NULL) {
			se = sanitize_elem_find((const char *)n->name);
			if (se != NULL && (se->flags & SE_BLOCK))
				buf_addc(b, ' ');
			if ((se == NULL || !(se->flags & (SE_DROP | SE_IFRAME))) &&
			    n->children != NULL) {
				n = n->children;
				continue;
			}
		}
		while (n != top && n->next == NULL) {
			n = n->parent;
			if (n != top && n->type == XML_ELEMENT_NODE &&
			    (se = sanitize_elem_find((const char *)n->name)) !=
			    NULL && (se->flags & SE_BLOCK))
				buf_addc(b, ' ');
		}
		if (n == top)
			break;
		n = n->next;
	}
}

/*
 * Collapses runs of white space (and no-break spaces) to one space,
 * trimmed. Words are copied whole: a byte that is neither white space
 * nor 0xc2 (a no-break space's lead byte) cannot end one.
 */
static char *
sanitize_collapse(const char *s)
{
	struct buf	 b;
	size_t		 n;
	int		 space = 0;

	buf_init(&b);
	buf_reserve(&b, strlen(s));
	while (*s != '\0') {
		if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' ||
		    *s == '\f' || (s[0] == '\xc2' && s[1] == '\xa0')) {
			space = 1;
			s += (*s == '\xc2') ? 2 : 1;
			continue;
		}
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		n = 1 + strcspn(s + 1, " \t\n\r\f\xc2");
		buf_add(&b, s, n);
		s += n;
	}
	return (buf_release(&b));
}

static int
sanitize_blank(const char *s)
{
	for (; *s != '\0'; s++)
		if (!isspace((unsigned char)*s))
			return (0);
	return (1);
}

/*
 * 1 if an HTML fragment is text alone: with neither markup nor character
 * references, libxml2's tree would be one text node holding the same
 * characters, so the parse can be skipped (most RSS descriptions and
 * many titles).
 */
static int
sanitize_plain(const char *s, size_t len)
{
	return (len <= SANITIZE_MAX_INPUT && strcspn(s, "<&") == len);
}

static int
sanitize_fast_cmp(const void *key, const void *elem)
{
	return (strcmp(key, ((const struct sanitize_fast_elem *)elem)->name));
}

/*
 * Reads an element or attribute name ([A-Za-z][A-Za-z0-9-]*) into name,
 * lower-cased as libxml2 does; returns its length, 0 if there is none or
 * it does not fit.
 */
static size_t
sanitize_fast_name(const char *s, char *name, size_t size)
{
	size_t	 n;
	char	 c;

	if (!isalpha((unsigned char)s[0]))
		return (0);
	for (n = 0; n < size - 1; n++) {
		c = s[n];
		if (c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		else if (!(c >= 'a' && c <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '-')
			break;
		name[n] = c;
	}
	if (n == size - 1)
		return (0);
	name[n] = '\0';
	return (n);
}

/*
 * Decodes the character reference at s (s[0] is '&') into u (UTF-8, NUL
 * ended) where libxml2's reading is plain: an HTML entity it knows or a
 * numeric reference to a printable character, ended by ';'. Returns the
 * bytes read, 0 for anything else (left to libxml2).
 */
static size_t
sanitize_fast_ref(const char *s, char *u)
{
	const htmlEntityDesc	*d;
	char			 name[12];
	uint32_t		 v = 0;
	size_t			 n, start;
	int			 hex, x;

	if (s[1] == '#') {
		hex = s[2] == 'x' || s[2] == 'X';
		start = 2 + hex;
		for (n = start; n < start + 7; n++) {
			if (s[n] >= '0' && s[n] <= '9')
				x = s[n] - '0';
			else if (hex && s[n] >= 'a' && s[n] <= 'f')
				x = s[n] - 'a' + 10;
			else if (hex && s[n] >= 'A' && s[n] <= 'F')
				x = s[n] - 'A' + 10;
			else
				break;
			v = v * (hex ? 16 : 10) + (uint32_t)x;
		}
		if (n == start || s[n] != ';')
			return (0);
	} else {
		for (n = 1; n < sizeof(name) && isalnum((unsigned char)s[n]);
		    n++)
			name[n - 1] = s[n];
		if (n == 1 || n == sizeof(name) || s[n] != ';')
			return (0);
		name[n - 1] = '\0';
		if ((d = htmlEntityLookup((const xmlChar *)name)) == NULL)
			return (0);
		v = d->value;
	}
	if (!(v >= 0x20 && v < 0x7f) && !(v >= 0xa0 && v <= 0xd7ff) &&
	    !(v >= 0xe000 && v <= 0xfffd) && !(v >= 0x10000 && v <= 0x10ffff))
		return (0);
	if (v < 0x80) {
		u[0] = (char)v;
		u[1] = '\0';
	} else if (v < 0x800) {
		u[0] = (char)(0xc0 | (v >> 6));
		u[1] = (char)(0x80 | (v & 0x3f));
		u[2] = '\0';
	} else if (v < 0x10000) {
		u[0] = (char)(0xe0 | (v >> 12));
		u[1] = (char)(0x80 | ((v >> 6) & 0x3f));
		u[2] = (char)(0x80 | (v & 0x3f));
		u[3] = '\0';
	} else {
		u[0] = (char)(0xf0 | (v >> 18));
		u[1] = (char)(0x80 | ((v >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((v >> 6) & 0x3f));
		u[3] = (char)(0x80 | (v & 0x3f));
		u[4] = '\0';
	}
	return (n + 1);
}

/*
 * 1 if a start tag of fe inside top (NULL: the body) is not simple
 * nesting: libxml2 would close top first (its htmlStartClose table for
 * these elements), or the markup is odd enough (a block in an inline
 * element, li outside a list, a link in a link) to leave to libxml2.
 */
static int
sanitize_fast_closes(const struct sanitize_fast_elem *fe,
    const struct sanitize_fast_elem *top, int a_open)
{
	if (strcmp(fe->name, "li") == 0)
		return (top == NULL || !(top->flags & SF_LIST));
	if (strcmp(fe->name, "a") == 0 && a_open > 0)
		return (1);
	if (top == NULL || !(fe->flags & SF_BLOCK))
		return (0);
	if (!(top->flags & SF_BLOCK))
		return (1);
	/* Every block start tag closes an open p. */
	if (strcmp(top->name, "p") == 0)
		return (1);
	if (strcmp(fe->name, "p") == 0)
		return ((top->flags & (SF_HEADING | SF_FONT)) != 0);
	if (strcmp(fe->name, "ul") == 0)
		return (strcmp(top->name, "ol") == 0);
	if (strcmp(fe->name, "ol") == 0)
		return (strcmp(top->name, "ul") == 0);
	return (0);
}

/*
 * The fast path: a single-pass reader for the clean HTML most peers send
 * (allowlisted elements, quoted attributes, balanced tags, plain character
 * references), writing what libxml2's parse and sanitize_walk() would
 * write. It gives up (-1, output discarded by the caller) at the first
 * thing whose treatment by libxml2 it does not reproduce: comments, CDATA,
 * unknown or dropped elements, implied end tags, stray '<' or '&', odd
 * attribute syntax. tests/sanitize_test.c compares both paths.
 */
static int
sanitize_fast(struct sanitize_ctx *ctx, const char *s, size_t len)
{
	struct {
		const struct sanitize_fast_elem	*fe;
		const struct sanitize_elem	*se;
	}				 stack[SANITIZE_FAST_DEPTH];
	const struct sanitize_fast_elem	*fe, *top;
	const struct sanitize_elem	*se;
	struct buf			 vals;
	size_t				 i, j, n, nattrs, k, mark;
	size_t				 voff[SANITIZE_FAST_ATTRS];
	char				 names[SANITIZE_FAST_ATTRS][32];
	char				 name[16], u[8], quote;
	int				 depth = 0, a_open = 0, blank, has_href;
	int				 nsrc, rc = -1;

	buf_init(&vals);
	for (i = 0; i < len; ) {
		top = depth > 0 ? stack[depth - 1].fe : NULL;
		if (s[i] == '&') {
			if ((n = sanitize_fast_ref(s + i, u)) == 0)
				goto done;
			sanitize_escape(ctx->out, u, strlen(u), 0);
			i += n;
			continue;
		}
		if (s[i] == '>') {
			buf_add(ctx->out, "&gt;", 4);
			i++;
			continue;
		}
		if (s[i] != '<') {
			/* Text: a run with nothing to escape, copied whole. */
			n = buf_scan(s, i, len, '<', '&', '>', '\r', '\f');
			if (n < len && (s[n] == '\r' || s[n] == '\f'))
				goto done;
			buf_add(ctx->out, s + i, n - i);
			i = n;
			continue;
		}
		if (s[i + 1] == '/') {
			/* An end tag must close the innermost element. */
			n = sanitize_fast_name(s + i + 2, name, sizeof(name));
			if (n == 0 || s[i + 2 + n] != '>' || top == NULL ||
			    strcmp(name, top->name) != 0)
				goto done;
			buf_addstr(ctx->out, "</");
			buf_addstr(ctx->out, stack[depth - 1].se->name);
			buf_addc(ctx->out, '>');
			if (strcmp(name, "a") == 0)
				a_open--;
			depth--;
			i += 3 + n;
			continue;
		}
		n = sanitize_fast_name(s + i + 1, name, sizeof(name));
		if (n == 0 || (fe = bsearch(name, sanitize_fast_elems,
		    sizeof(sanitize_fast_elems) /
		    sizeof(sanitize_fast_elems[0]),
		    sizeof(sanitize_fast_elems[0]), sanitize_fast_cmp)) == NULL ||
		    (se = sanitize_elem_find(fe->name)) == NULL ||
		    !(se->flags & SE_KEEP) ||
		    (se->flags & (SE_DROP | SE_IFRAME)) ||
		    sanitize_fast_closes(fe, top, a_open))
			goto done;
		/* Attributes: name="value" or name='value', after a blank. */
		buf_reset(&vals);
		nattrs = 0;
		for (j = i + 1 + n;;) {
			for (blank = 0; s[j] == ' ' || s[j] == '\t' ||
			    s[j] == '\n'; j++)
				blank = 1;
			if (s[j] == '>') {
				j++;
				break;
			}
			if (s[j] == '/' && s[j + 1] == '>' &&
			    (fe->flags & SF_VOID)) {
				j += 2;
				break;
			}
			if (!blank || nattrs == SANITIZE_FAST_ATTRS ||
			    (n = sanitize_fast_name(s + j, names[nattrs],
			    sizeof(names[0]))) == 0)
				goto done;
			for (k = 0; k < nattrs; k++)
				if (strcmp(names[k], names[nattrs]) == 0)
					goto done;
			j += n;
			if (s[j] != '=' || (s[j + 1] != '"' && s[j + 1] != '\''))
				goto done;
			quote = s[j + 1];
			voff[nattrs++] = vals.len;
			for (j += 2; s[j] != quote; ) {
				if ((unsigned char)s[j] < 0x20 || s[j] == '<')
					goto done;
				if (s[j] == '&') {
					if ((n = sanitize_fast_ref(s + j, u)) == 0)
						goto done;
					buf_addstr(&vals, u);
					j += n;
					continue;
				}
				/* A run of plain bytes, copied at once. */
				for (k = j + 1; s[k] != quote && s[k] != '&' &&
				    s[k] != '<' && (unsigned char)s[k] >= 0x20;
				    k++)
					;
				buf_add(&vals, s + j, k - j);
				j = k;
			}
			j++;
			buf_add(&vals, "", 1);
		}
		mark = ctx->out->len;
		buf_addc(ctx->out, '<');
		buf_addstr(ctx->out, se->name);
		has_href = nsrc = 0;
		for (k = 0; k < nattrs; k++)
			sanitize_attr_put(ctx, se, names[k], vals.data + voff[k],
			    &has_href, &nsrc);
		sanitize_attrs_end(ctx, has_href);
		i = j;
		if (fe->flags & SF_VOID) {
			if (nsrc == 0 && strcmp(se->name, "img") == 0) {
				/* A picture with no acceptable source. */
				ctx->out->len = mark;
				ctx->out->data[mark] = '\0';
			} else
				buf_addstr(ctx->out, " />");
			continue;
		}
		buf_addc(ctx->out, '>');
		if (depth == SANITIZE_FAST_DEPTH)
			goto done;
		if (strcmp(fe->name, "a") == 0)
			a_open++;
		stack[depth].fe = fe;
		stack[depth++].se = se;
	}
	/* Unclosed elements are closed by libxml2's own rules. */
	if (depth == 0)
		rc = 0;
 done:
	buf_free(&vals);
	return (rc);
}

void
sanitize_set_fast(int on)
{
	sanitize_fast_on = on;
}

unsigned long
sanitize_fast_taken(void)
{
	return (sanitize_fast_n);
}

char *
sanitize_html(const char *html, const char *base)
{
	return (sanitize_html_in(html, base, 0));
}

char *
sanitize_html_valid(const char *html, const char *base)
{
	return (sanitize_html_in(html, base, 1));
}

static char *
sanitize_html_in(const char *html, const char *base, int valid)
{
	size_t			(*span)(const char *, size_t) = valid ?
				    sanitize_utf8_span_valid : sanitize_utf8_span;
	struct sanitize_ctx	 ctx;
	struct buf		 in, out;
	xmlDoc			*doc;
	xmlNode			*root;
	size_t			 len;
	char			*text, *r;
	int			 rc;

	len = html != NULL ? strlen(html) : 0;
	if (sanitize_fast_on && len > 0 && sanitize_plain(html, len)) {
		buf_init(&out);
		buf_add(&out, "", 0);
		if (span(html, len) == len) {
			if (!sanitize_blank(html))
				sanitize_escape(&out, html, len, 0);
			return (buf_release(&out));
		}
		buf_init(&in);
		sanitize_utf8_append(&in, html, len);
		if (!sanitize_blank(in.data))
			sanitize_escape(&out, in.data, in.len, 0);
		buf_free(&in);
		return (buf_release(&out));
	}
	if (sanitize_fast_on && len > 0 && len <= SANITIZE_MAX_INPUT) {
		/*
		 * Most entries' HTML is clean: read without libxml2, in
		 * place when it is valid UTF-8 already.
		 */
		buf_init(&in);
		if (span(html, len) < len)
			sanitize_utf8_append(&in, html, len);
		/* Sanitized, clean HTML is about as long as it was. */
		buf_init(&out);
		buf_reserve(&out, len + len / 8 + 64);
		buf_add(&out, "", 0);
		ctx.out = &out;
		ctx.base = base;
		rc = in.data != NULL ? sanitize_fast(&ctx, in.data, in.len) :
		    sanitize_fast(&ctx, html, len);
		buf_free(&in);
		if (rc == 0) {
			sanitize_fast_n++;
			if (sanitize_blank(out.data))
				buf_reset(&out);
			return (buf_release(&out));
		}
		buf_free(&out);
	}
	if (len == 0 || (doc = sanitize_parse(html, len)) == NULL) {
		if ((r = strdup("")) == NULL)
			fatal("%s", __func__);
		return (r);
	}
	buf_init(&out);
	buf_add(&out, "", 0);
	root = xmlDocGetRootElement(doc);
	if (root != NULL && len > SANITIZE_MAX_INPUT) {
		/* Too big to be an entry: its words only, truncated. */
		log_info("%s: %zu bytes of HTML, kept as truncated text",
		    __func__, len);
		sanitize_text_collect(&out, (xmlNode *)doc);
		text = sanitize_collapse(out.data != NULL ? out.data : "");
		buf_reset(&out);
		buf_addstr(&out, "<p>");
		sanitize_escape(&out, text, strlen(text), 0);
		buf_addstr(&out, "</p>");
		free(text);
	} else if (root != NULL) {
		ctx.out = &out;
		ctx.base = base;
		/* html, head and body are unwrapped like unknown elements. */
		sanitize_walk(&ctx, (xmlNode *)doc, 0);
	}
	xmlFreeDoc(doc);
	if (sanitize_blank(out.data))
		buf_reset(&out);
	return (buf_release(&out));
}

char *
sanitize_html_to_text(const char *html)
{
	struct buf	 b;
	xmlDoc		*doc;
	char		*r;

	buf_init(&b);
	buf_add(&b, "", 0);
	if (html != NULL && sanitize_plain(html, strlen(html)))
		sanitize_utf8_append(&b, html, strlen(html));
	else if (html != NULL && *html != '\0' &&
	    (doc = sanitize_parse(html, strlen(html))) != NULL) {
		/* From the document: content can land after </html>. */
		sanitize_text_collect(&b, (xmlNode *)doc);
		xmlFreeDoc(doc);
	}
	r = sanitize_collapse(b.data);
	buf_free(&b);
	return (r);
}

char *
sanitize_text_to_html(const char *text)
{
	struct buf	 b;
	char		*clean, *p, *line, *next;
	int		 in_p = 0, blank;

	buf_init(&b);
	buf_add(&b, "", 0);
	if (text == NULL)
		return (buf_release(&b));
	clean = sanitize_utf8_clean(text, strnlen(text, SANITIZE_MAX_INPUT));
	/*
	 * Lines separated by blank lines make paragraphs; single newlines
	 * inside a paragraph become <br />.
	 */
	for (line = clean; line != NULL; line = next) {
		if ((p = strchr(line, '\n')) != NULL) {
			*p = '\0';
			next = p + 1;
		} else
			next = NULL;
		if ((p = strchr(line, '\r')) != NULL && p[1] == '\0')
			*p = '\0';
		blank = sanitize_blank(line);
		if (blank) {
			if (in_p)
				buf_addstr(&b, "</p>");
			in_p = 0;
			continue;
		}
		if (!in_p)
			buf_addstr(&b, "<p>");
		else
			buf_addstr(&b, "<br />");
		in_p = 1;
		sanitize_escape(&b, line, strlen(line), 1);
	}
	if (in_p)
		buf_addstr(&b, "</p>");
	free(clean);
	return (buf_release(&b));
}
