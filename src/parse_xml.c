/*
 * feedmesh: Atom (1.0 and 0.3), RSS (0.9x, 2.0) and RSS 1.0 read with
 * libxml2's push parser and SAX2 callbacks, so that memory follows the
 * entry being read, not the document.
 *
 * The bytes go through two filters before libxml2 sees them: a decoder
 * into valid UTF-8 (RFC 7303 order: byte order mark, HTTP charset, XML
 * declaration) and a lexical pass that turns every entity reference into
 * a numeric character reference. libxml2 2.9 drops every entity
 * reference once it has found a document not well-formed, even in
 * recovery mode, and only copies the first byte of a predefined entity
 * into attribute values; character references have neither problem. The
 * same pass gives HTML's named entities (&eacute;, &nbsp;) their
 * characters and leaves entities declared in the document as literal
 * text: nothing is ever expanded, so no entity can multiply the
 * document. It also takes the text inside the root around libxml2, which
 * reads it slowly (xml_lex_piece_end).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/HTMLparser.h>
#include <libxml/entities.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "date.h"
#include "entry.h"
#include "log.h"
#include "parse.h"
#include "parse_private.h"
#include "url.h"

/* Bytes read before the XML declaration must have been seen. */
#define XML_MAX_PROLOG		1024
/* Longest entity name looked up ("&thetasym;" and a margin). */
#define XML_MAX_ENTITY		32
/* Bytes that decide whatever the lexical pass had to wait for. */
#define XML_LEX_AHEAD		64
/*
 * The target of the processing instructions that stand for pieces of
 * text inside the root (xml_lex_piece_end): 'f' and 48 random bits drawn
 * for each document, so that no document can forge one. The marker
 * starts with an empty CDATA section (xml_lex_piece_end says why).
 */
#define XML_TEXT_PI_BITS	48
#define XML_TEXT_MARK_OPEN	"<![CDATA[]]><?f"
#define XML_TEXT_MARK_LEN	(sizeof(XML_TEXT_MARK_OPEN) - 1 + \
				    XML_TEXT_PI_BITS / 6 + 1)
/*
 * The longest piece of text held before its marker: a longer text node
 * goes around libxml2 in pieces of this size, cut where its own bytes
 * say (never where the input happened to be cut), so that memory stays
 * bounded and libxml2 reads the same markers however the input arrives.
 */
#define XML_TEXT_PIECE_MAX	(64 * 1024)
/* Text read that is worth moving the rest of the buffer to drop. */
#define XML_TEXT_DROP		(64 * 1024)

/*
 * strcmp(n, lit) == 0, where most names are told apart by their first
 * byte: the element handlers try a dozen names each.
 */
#define XML_NAME_IS(n, lit)	((n)[0] == (lit)[0] && strcmp((n), (lit)) == 0)

#define NS_ATOM10	"http://www.w3.org/2005/Atom"
#define NS_ATOM03	"http://purl.org/atom/ns#"
#define NS_RSS10	"http://purl.org/rss/1.0/"
#define NS_RSS090	"http://my.netscape.com/rdf/simple/0.9/"
#define NS_RSS_USERLAND	"http://backend.userland.com/rss2"
#define NS_RDF		"http://www.w3.org/1999/02/22-rdf-syntax-ns#"
#define NS_CONTENT	"http://purl.org/rss/1.0/modules/content/"
#define NS_DC		"http://purl.org/dc/elements/1.1/"
#define NS_DCTERMS	"http://purl.org/dc/terms/"
#define NS_MEDIA	"http://search.yahoo.com/mrss/"
#define NS_GEORSS	"http://www.georss.org/georss"
#define NS_GML		"http://www.opengis.net/gml"
#define NS_GEO		"http://www.w3.org/2003/01/geo/wgs84_pos#"
#define NS_AT		"http://purl.org/atompub/tombstones/1.0"
#define NS_XHTML	"http://www.w3.org/1999/xhtml"
#define NS_FM		"https://feedmesh.org/ns/1.0"

enum xml_ns {
	XNS_NONE,	/* no namespace: RSS 0.9x and 2.0 */
	XNS_ATOM,
	XNS_RSS,	/* RSS 1.0 and 0.90 */
	XNS_RDF,
	XNS_CONTENT,
	XNS_DC,
	XNS_DCTERMS,
	XNS_MEDIA,
	XNS_GEORSS,
	XNS_GML,
	XNS_GEO,
	XNS_AT,
	XNS_XHTML,
	XNS_FM,		/* a feedmesh node's listing */
	XNS_OTHER
};

enum xml_format {
	XFMT_NONE,
	XFMT_ATOM,
	XFMT_RSS,
	XFMT_RDF
};

/* What an element is to the feed, kept on the element stack. */
enum xml_role {
	XROLE_OTHER,
	XROLE_FEED,	/* atom:feed, rss/channel, rdf:RDF/channel */
	XROLE_ROOT,	/* rss, rdf:RDF */
	XROLE_ENTRY,
	XROLE_SOURCE,
	XROLE_PERSON,
	XROLE_IMAGE	/* RSS channel image */
};

/* Where captured text goes when its element ends. */
enum xml_field {
	XF_NONE,
	XF_ID,
	XF_TITLE,
	XF_SUMMARY,
	XF_CONTENT,
	XF_PUBLISHED,
	XF_UPDATED,
	XF_DCDATE,
	XF_DC_DATE,
	XF_LINK,
	XF_GUID,
	XF_RSS_AUTHOR,
	XF_CREATOR,
	XF_CATEGORY,
	XF_COMMENTS,
	XF_LANG,
	XF_GEO_POINT,
	XF_GEO_LAT,
	XF_GEO_LON,
	XF_RSS_SOURCE,
	XF_SOURCE_ID,
	XF_SOURCE_TITLE,
	XF_FM_ORIGIN,
	XF_FM_EXPIRES,
	XF_PERSON_NAME,
	XF_PERSON_EMAIL,
	XF_PERSON_URI,
	XF_META_ID,
	XF_META_TITLE,
	XF_META_LINK,
	XF_META_ICON,
	XF_META_LOGO,
	XF_META_UPDATED,
	XF_META_PUBDATE,
	XF_META_LANG,
	XF_META_TTL,
	XF_META_EDITOR,
	XF_META_CREATOR
};

enum xml_mode {
	XM_TEXT,	/* text; child elements' text kept, tags dropped */
	XM_HTML,	/* escaped HTML; child elements serialized */
	XM_XHTML,	/* inline XHTML serialized */
	XM_SKIP		/* base64 or out-of-line content */
};

enum xml_lex_state {
	XL_TEXT,
	XL_TAG,
	XL_COMMENT,
	XL_CDATA,
	XL_CDATA_TEXT,	/* a CDATA section inside the root, read as text */
	XL_PI,
	XL_DECL
};

struct xml_frame {
	char		*base;
	char		*lang;
	int		 own_base;
	int		 own_lang;
	enum xml_role	 role;
};

struct parse_xml {
	struct parser		*p;
	xmlParserCtxtPtr	 ctxt;
	struct parse_decoder	*dec;
	struct buf		 head;		/* bytes before the charset */
	int			 started;
	struct buf		 decoded;
	struct buf		 lexed;

	/* The lexical filter's state across chunks. */
	enum xml_lex_state	 lex;
	char			 lex_quote;
	int			 lex_count;	/* '-', ']' or '?' seen */
	int			 lex_brackets;
	int			 lex_begun;	/* a '<' has been seen */
	int			 lex_skipped;	/* text before it was */
	int			 lex_end_tag;	/* the tag read is "</..." */
	int			 lex_slash;	/* its last byte was '/' */
	size_t			 lex_depth;	/* elements open, as lexed */
	int			 lex_held;	/* ']' held in XL_CDATA_TEXT */
	struct buf		 lex_pending;
	/*
	 * Text inside the root, on its way around libxml2: the lexical
	 * pass appends each piece here and puts a marker in its place
	 * (xml_lex_piece_end); libxml2 reports the markers in document
	 * order and xml_pi_cb hands the pieces to xml_chars_cb.
	 */
	struct buf		 lex_text;
	size_t			 lex_piece;	/* start of the piece being lexed */
	uint64_t		 lex_text_base;	/* text before lex_text, bytes */
	char			 lex_mark[XML_TEXT_MARK_LEN + 1];

	enum xml_format		 format;
	int			 root_seen;
	int			 html_wrapped;	/* the root was <html> */
	int			 rss10_seen;
	char			*last_error;

	/* Namespace URIs met, as libxml2 interned them, and what they are. */
	const xmlChar		*ns_uri[8];
	enum xml_ns		 ns_val[8];
	size_t			 ns_next;

	struct xml_frame	*frames;
	size_t			 nframes;
	size_t			 framecap;

	/* The entry being read. */
	struct parse_item	 item;
	size_t			 entry_depth;	/* 0: not in an entry */
	size_t			 source_depth;
	int			 guid_permalink;
	char			*guid;		/* as written: the id */
	char			*guid_url;	/* resolved: the permalink */
	char			*geo_lat;
	char			*geo_lon;
	int64_t			 dc_date;	/* dc:date, placed at the end */

	/* atom:author and friends, for the entry or the feed. */
	size_t			 person_depth;
	int			 person_feed;
	int			 person_skip;	/* atom:contributor */
	int			 date_logged;	/* one unreadable date said */
	char			*pname;
	char			*pemail;
	char			*puri;
	char			*feed_pname;	/* entries inherit it (Atom) */
	int			 fm_listing;	/* fm:node seen: a node's listing */
	char			*feed_pemail;
	char			*feed_puri;

	/* Text being captured. */
	enum xml_field		 field;
	enum xml_mode		 mode;
	size_t			 cap_depth;
	size_t			 cap_skip_div;	/* depth of the xhtml:div */
	int			 cap_html;
	char			*cap_attr;
	struct buf		 text;
	int			 truncated;
};

static void	 xml_start_cb(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *, int, const xmlChar **, int, int,
		    const xmlChar **);
static void	 xml_end_cb(void *, const xmlChar *, const xmlChar *,
		    const xmlChar *);
static void	 xml_chars_cb(void *, const xmlChar *, int);
static void	 xml_pi_cb(void *, const xmlChar *, const xmlChar *);
static void	 xml_lex_text_drop(struct parse_xml *, size_t);
static void	 xml_error_cb(void *, xmlErrorPtr);
static xmlEntityPtr xml_entity_cb(void *, const xmlChar *);
static xmlParserInputPtr xml_no_loader_cb(const char *, const char *,
		    xmlParserCtxtPtr);

static int	 xml_start(struct parse_xml *, int);
static char	*xml_charset(struct parse_xml *, size_t *);
static void	 xml_push(struct parse_xml *, const char *, size_t, int);
static void	 xml_lex(struct parse_xml *, const char *, size_t, int,
		    struct buf *);
static void	 xml_lex_run(struct parse_xml *, const char *, size_t, int,
		    struct buf *);
static size_t	 xml_lex_ref(const char *, size_t, int, long *);
static size_t	 xml_lex_amp(const char *, size_t, int, struct buf *);
static size_t	 xml_lex_text(struct parse_xml *, const char *, size_t,
		    size_t, int, struct buf *, int *);
static void	 xml_utf8_add(struct buf *, unsigned long);
static enum xml_ns xml_ns(const xmlChar *);
static enum xml_ns xml_ns_cached(struct parse_xml *, const xmlChar *);
static const char *xml_rss_name(const char *);
static int	 xml_is_root(enum xml_ns, const char *);
static int	 xml_lex_markup(char);
static void	 xml_decimal_add(struct buf *, uint64_t);
static void	 xml_lex_piece_mark(struct parse_xml *, struct buf *, size_t);
static void	 xml_lex_piece_bound(struct parse_xml *, struct buf *);
static void	 xml_lex_piece_rest(struct parse_xml *, struct buf *, int);
static int64_t	 xml_decimal_read(const char **);
static enum xml_ns xml_ns_undeclared(const xmlChar *);
static char	*xml_attr(const xmlChar **, int, const char *, const char *);
static int	 xml_attr_is(const xmlChar **, int, const char *,
		    const char *, const char *);
static void	 xml_capture(struct parse_xml *, enum xml_field,
		    enum xml_mode, char *);
static void	 xml_capture_typed(struct parse_xml *, enum xml_field,
		    const xmlChar **, int, int);
static void	 xml_capture_end(struct parse_xml *);
static void	 xml_serialize_start(struct parse_xml *, const xmlChar *,
		    const xmlChar **, int);
static void	 xml_escape(struct buf *, const char *, size_t, int);
static void	 xml_text_add(struct parse_xml *, const char *, size_t);
static void	 xml_root(struct parse_xml *, enum xml_ns, const xmlChar *,
		    const xmlChar *);
static int	 xml_is_entry(struct parse_xml *, enum xml_ns, const char *);
static int	 xml_is_field(struct parse_xml *, enum xml_ns, const char *);
static void	 xml_entry_begin(struct parse_xml *, int);
static void	 xml_entry_end(struct parse_xml *);
static void	 xml_entry_elem(struct parse_xml *, enum xml_ns,
		    const char *, const xmlChar **, int);
static void	 xml_feed_elem(struct parse_xml *, enum xml_ns, const char *,
		    const xmlChar **, int);
static void	 xml_link(struct parse_xml *, const xmlChar **, int, int);
static void	 xml_person_elem(struct parse_xml *, const char *);
static void	 xml_person_end(struct parse_xml *);
static void	 xml_enclosure(struct parse_xml *, const xmlChar **, int,
		    const char *);
static void	 xml_rss_person(const char *, char **, char **);
static int	 xml_geo_number(const char *, const char **, double *);
static void	 xml_geo_set(struct entry *, double, double);
static int64_t	 xml_length(const char *);
static int64_t	 xml_date(struct parse_xml *, const char *);
static void	 xml_fail(struct parse_xml *, const char *);

/*
 * Nothing is ever read from disk or the network on behalf of a document:
 * this loader refuses every external entity and DTD, process-wide.
 */
static xmlParserInputPtr
xml_no_loader_cb(const char *url, const char *id, xmlParserCtxtPtr ctxt)
{
	(void)ctxt;
	log_debug("%s: refused external entity %s %s", __func__,
	    url ? url : "", id ? id : "");
	return (NULL);
}

/* Only the five XML entities exist: the lexical pass removed the rest. */
static xmlEntityPtr
xml_entity_cb(void *ctx, const xmlChar *name)
{
	(void)ctx;
	return (xmlGetPredefinedEntity(name));
}

struct parse_xml *
parse_xml_new(struct parser *p)
{
	static const char	 names[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.";
	struct parse_xml	*x;
	uint64_t		 nonce;
	size_t			 i;

	if ((x = calloc(1, sizeof(*x))) == NULL)
		fatal("%s", __func__);
	x->p = p;
	buf_init(&x->head);
	buf_init(&x->decoded);
	buf_init(&x->lexed);
	buf_init(&x->lex_pending);
	buf_init(&x->lex_text);
	/* "<![CDATA[]]><?fNONCE ", the nonce in characters of names. */
	arc4random_buf(&nonce, sizeof(nonce));
	memcpy(x->lex_mark, XML_TEXT_MARK_OPEN, sizeof(XML_TEXT_MARK_OPEN) - 1);
	for (i = sizeof(XML_TEXT_MARK_OPEN) - 1; i < XML_TEXT_MARK_LEN - 1;
	    i++, nonce >>= 6)
		x->lex_mark[i] = names[nonce & 63];
	x->lex_mark[i++] = ' ';
	x->lex_mark[i] = '\0';
	buf_init(&x->text);
	x->guid_permalink = 1;
	xmlSetExternalEntityLoader(xml_no_loader_cb);
	return (x);
}

void
parse_xml_free(struct parse_xml *x)
{
	size_t	 i;

	if (x == NULL)
		return;
	if (x->ctxt != NULL) {
		/*
		 * In SAX mode libxml2 still records entity declarations in
		 * a document of its own ("expat compatibility"), not freed
		 * with the context.
		 */
		if (x->ctxt->myDoc != NULL)
			xmlFreeDoc(x->ctxt->myDoc);
		xmlFreeParserCtxt(x->ctxt);
	}
	parse_decoder_free(x->dec);
	buf_free(&x->head);
	buf_free(&x->decoded);
	buf_free(&x->lexed);
	buf_free(&x->lex_pending);
	buf_free(&x->lex_text);
	buf_free(&x->text);
	for (i = 0; i < x->nframes; i++) {
		if (x->frames[i].own_base)
			free(x->frames[i].base);
		if (x->frames[i].own_lang)
			free(x->frames[i].lang);
	}
	free(x->frames);
	entry_free(x->item.e);
	free(x->item.summary_base);
	free(x->item.content_base);
	free(x->guid);
	free(x->guid_url);
	free(x->geo_lat);
	free(x->geo_lon);
	free(x->pname);
	free(x->pemail);
	free(x->puri);
	free(x->feed_pname);
	free(x->feed_pemail);
	free(x->feed_puri);
	free(x->cap_attr);
	free(x->last_error);
	free(x);
}

/*
 * An entry's date in UTC seconds; an unreadable one leaves the date
 * absent (the entry is kept) and is logged once per document.
 */
static int64_t
xml_date(struct parse_xml *x, const char *s)
{
	const char	*why;
	int64_t		 t;

	t = date_parse(s, &why);
	if (t == ENTRY_NO_TIME && !x->date_logged) {
		x->date_logged = 1;
		log_info("%s: %s: \"%.64s\", date left out", parse_base(x->p) ?
		    parse_base(x->p) : "document", why ? why : "unreadable date",
		    s);
	}
	return (t);
}

static void
xml_fail(struct parse_xml *x, const char *why)
{
	parse_fail(x->p, "%s", why);
	if (x->ctxt != NULL)
		xmlStopParser(x->ctxt);
}

/*
 * The document's charset per RFC 7303: a byte order mark, else the HTTP
 * charset, else the XML declaration, else UTF-8. *skip is the length of
 * the byte order mark. Returns NULL for UTF-8.
 */
static char *
xml_charset(struct parse_xml *x, size_t *skip)
{
	const unsigned char	*s = (const unsigned char *)x->head.data;
	const char		*ct, *q, *end;
	size_t			 len = x->head.len, n;
	char			*cs = NULL;

	*skip = 0;
	if (len >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
		*skip = 3;
		return (NULL);
	}
	if (len >= 2 && s[0] == 0xfe && s[1] == 0xff) {
		*skip = 2;
		return (strdup("UTF-16BE"));
	}
	if (len >= 2 && s[0] == 0xff && s[1] == 0xfe) {
		*skip = 2;
		return (strdup("UTF-16LE"));
	}
	if (len >= 4 && s[0] == 0 && s[1] == '<' && s[2] == 0 && s[3] == '?')
		return (strdup("UTF-16BE"));
	if (len >= 4 && s[0] == '<' && s[1] == 0 && s[2] == '?' && s[3] == 0)
		return (strdup("UTF-16LE"));
	if ((ct = parse_content_type(x->p)) != NULL) {
		for (q = ct; (q = strchr(q, ';')) != NULL; ) {
			q++;
			q += strspn(q, " \t");
			if (strncasecmp(q, "charset=", 8) != 0)
				continue;
			q += 8;
			if (*q == '"')
				q++;
			n = strcspn(q, "\"; \t");
			if (n > 0 && n < 64)
				return (strndup(q, n));
		}
	}
	/* <?xml version="1.0" encoding="windows-1252"?> */
	if (len > 5 && memcmp(s, "<?xml", 5) == 0) {
		end = memchr(s, '>', len);
		if (end == NULL)
			end = (const char *)s + len;
		for (q = (const char *)s; q + 9 < end; q++) {
			if (memcmp(q, "encoding", 8) != 0)
				continue;
			q += 8;
			while (q < end && (*q == ' ' || *q == '='))
				q++;
			if (q < end && (*q == '"' || *q == '\'')) {
				q++;
				for (n = 0; q + n < end && q[n] != '"' &&
				    q[n] != '\'' && n < 64; n++)
					;
				if (n > 0 && n < 64)
					cs = strndup(q, n);
			}
			break;
		}
	}
	return (cs);
}

/*
 * Starts libxml2 once the charset is known; returns 1 while the prolog
 * is still incomplete.
 */
static int
xml_start(struct parse_xml *x, int final)
{
	xmlSAXHandler	 sax;
	char		*cs;
	size_t		 skip;
	int		 opts;

	if (!final && x->head.len < XML_MAX_PROLOG &&
	    (x->head.len < 4 || (memcmp(x->head.data, "<?xml", 5 <
	    x->head.len ? 5 : x->head.len) == 0 &&
	    memchr(x->head.data, '>', x->head.len) == NULL)))
		return (1);
	cs = xml_charset(x, &skip);
	x->dec = parse_decoder_new(cs);
	free(cs);

	memset(&sax, 0, sizeof(sax));
	sax.initialized = XML_SAX2_MAGIC;
	sax.startElementNs = xml_start_cb;
	sax.endElementNs = xml_end_cb;
	sax.characters = xml_chars_cb;
	sax.cdataBlock = xml_chars_cb;
	sax.processingInstruction = xml_pi_cb;
	/* Whitespace too: the text of inline XHTML keeps its spaces. */
	sax.ignorableWhitespace = xml_chars_cb;
	sax.getEntity = xml_entity_cb;
	sax.serror = xml_error_cb;
	if ((x->ctxt = xmlCreatePushParserCtxt(&sax, x, NULL, 0, NULL)) ==
	    NULL)
		fatalx("%s: xmlCreatePushParserCtxt", __func__);
	/*
	 * No XML_PARSE_NOENT nor XML_PARSE_DTDLOAD: nothing is substituted
	 * or loaded. The input is UTF-8 by now, whatever it declares.
	 */
	opts = XML_PARSE_NONET | XML_PARSE_RECOVER | XML_PARSE_IGNORE_ENC |
	    XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
	if (parse_depth_limit(x->p) > 256)
		opts |= XML_PARSE_HUGE;
	xmlCtxtUseOptions(x->ctxt, opts);
	xmlSwitchEncoding(x->ctxt, XML_CHAR_ENCODING_UTF8);
	x->started = 1;
	xml_push(x, x->head.data + skip, x->head.len - skip, 0);
	buf_free(&x->head);
	return (0);
}

/*
 * Decodes, filters and parses bytes. Valid UTF-8 goes from the caller's
 * buffer straight to the lexical pass, whose output is the one copy
 * libxml2 is given.
 */
static void
xml_push(struct parse_xml *x, const char *data, size_t len, int final)
{
	const char	*view;
	size_t		 head, viewlen;

	buf_reset(&x->decoded);
	buf_reset(&x->lexed);
	parse_decoder_view(x->dec, data, len, final, &x->decoded, &head,
	    &view, &viewlen);
	if (head > 0)
		xml_lex(x, x->decoded.data, head, 0, &x->lexed);
	if (viewlen > 0)
		xml_lex(x, view, viewlen, 0, &x->lexed);
	xml_lex(x, x->decoded.len > head ? x->decoded.data + head : "",
	    x->decoded.len - head, final, &x->lexed);
	if (parse_failed(x->p))
		return;
	if (parse_decoder_repaired(x->dec) > 0)
		parse_bozo(x->p, "bytes that are not UTF-8, read as "
		    "Windows-1252");
	xmlParseChunk(x->ctxt, x->lexed.data, (int)x->lexed.len, final);
	/*
	 * A parser that stopped reports no marker: drop their text. Else
	 * the text waits for the next marker reported (in a malformed
	 * document libxml2 may read some as something else), at most the
	 * document's text.
	 */
	if (x->lex_text.len > 0 && x->ctxt->instate == XML_PARSER_EOF)
		xml_lex_text_drop(x, x->lex_text.len);
}

int
parse_xml_feed(struct parse_xml *x, const char *data, size_t len)
{
	const size_t	 step = 1024 * 1024;

	if (parse_failed(x->p))
		return (-1);
	if (!x->started) {
		buf_add(&x->head, data, len);
		xml_start(x, 0);
		return (parse_failed(x->p) ? -1 : 0);
	}
	/* xmlParseChunk takes an int: big writes go in pieces. */
	while (len > 0 && !parse_failed(x->p)) {
		xml_push(x, data, len < step ? len : step, 0);
		data += len < step ? len : step;
		len -= len < step ? len : step;
	}
	return (parse_failed(x->p) ? -1 : 0);
}

int
parse_xml_finish(struct parse_xml *x)
{
	if (parse_failed(x->p))
		return (-1);
	if (!x->started)
		xml_start(x, 1);
	if (!parse_failed(x->p))
		xml_push(x, NULL, 0, 1);
	if (parse_failed(x->p))
		return (-1);
	if (!x->root_seen) {
		parse_fail(x->p, "not a feed: %s", x->html_wrapped ?
		    "root element <html>" : x->last_error != NULL ?
		    x->last_error : "no root element");
		return (-1);
	}
	if (x->format == XFMT_RDF && !x->rss10_seen) {
		parse_fail(x->p, "not a feed: rdf:RDF without RSS 1.0 channel "
		    "or items");
		return (-1);
	}
	if (x->entry_depth > 0)
		log_debug("%s: document ends inside an entry, dropped",
		    __func__);
	return (0);
}

/* 1 if c, after '<', opens markup: a name, an end tag, "<!" or "<?". */
static int
xml_lex_markup(char c)
{
	unsigned char	 u = (unsigned char)c;

	return ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
	    u == '_' || u == ':' || u == '/' || u == '!' || u == '?' ||
	    u >= 0x80);
}

/* Marks for xml_lex_ref(): what an '&' that names nothing is. */
#define XML_REF_BARE	(-1L)	/* a bare ampersand: "&" is text */
#define XML_REF_UNKNOWN	(-2L)	/* "&name;" not known: all of it text */

/*
 * Reads the entity reference at s (s[0] is '&'): *cp is the character
 * it stands for (numeric references checked: Windows-1252's 0x80-0x9f
 * read as such, what XML forbids as U+FFFD; the XML and HTML named
 * entities), or one of the XML_REF marks. Returns the bytes it takes, 0
 * if more input is needed to decide.
 */
static size_t
xml_lex_ref(const char *s, size_t len, int final, long *cp)
{
	/* Windows-1252's 0x80-0x9f, which feeds write as &#146; */
	static const unsigned short cp1252[32] = {
		0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
		0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
		0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
		0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178
	};
	const htmlEntityDesc	*d;
	const char		*c;
	char			 name[XML_MAX_ENTITY + 1];
	size_t			 n;
	unsigned long		 v = 0;
	int			 hex, digits = 0;

	for (n = 1; n < len && n <= XML_MAX_ENTITY &&
	    (s[n] == '#' || (s[n] >= '0' && s[n] <= '9') ||
	    (s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
	    s[n] == '_' || s[n] == '-' || s[n] == '.'); n++)
		;
	if (n == len && !final && n <= XML_MAX_ENTITY)
		return (0);
	if (n == len || s[n] != ';' || n == 1) {
		/* A bare ampersand ("AT&T"): text. */
		*cp = XML_REF_BARE;
		return (1);
	}
	memcpy(name, s + 1, n - 1);
	name[n - 1] = '\0';
	if (name[0] == '#') {
		hex = name[1] == 'x' || name[1] == 'X';
		for (c = name + 1 + hex; *c != '\0'; c++) {
			if (*c >= '0' && *c <= '9')
				v = v * (hex ? 16 : 10) +
				    (unsigned long)(*c - '0');
			else if (hex && *c >= 'a' && *c <= 'f')
				v = v * 16 + (unsigned long)(*c - 'a' + 10);
			else if (hex && *c >= 'A' && *c <= 'F')
				v = v * 16 + (unsigned long)(*c - 'A' + 10);
			else {
				digits = -1;
				break;
			}
			if (v > 0x10ffff)
				v = 0x110000;
			digits++;
		}
		if (digits <= 0) {
			*cp = XML_REF_BARE;
			return (1);
		}
		if (v >= 0x80 && v <= 0x9f)
			v = cp1252[v - 0x80];
		if ((v < 0x20 && v != '\t' && v != '\n' && v != '\r') ||
		    (v >= 0xd800 && v <= 0xdfff) || v == 0xfffe ||
		    v == 0xffff || v > 0x10ffff)
			v = 0xfffd;
		*cp = (long)v;
		return (n + 1);
	}
	if (XML_NAME_IS(name, "amp"))
		*cp = '&';
	else if (XML_NAME_IS(name, "lt"))
		*cp = '<';
	else if (XML_NAME_IS(name, "gt"))
		*cp = '>';
	else if (XML_NAME_IS(name, "quot"))
		*cp = '"';
	else if (XML_NAME_IS(name, "apos"))
		*cp = '\'';
	else if ((d = htmlEntityLookup((const xmlChar *)name)) != NULL)
		*cp = (long)d->value;
	else
		*cp = XML_REF_UNKNOWN;
	return (n + 1);
}

/*
 * Rewrites the entity reference at s (s[0] is '&') to out: numeric
 * references are checked, the XML and HTML named entities become
 * numeric, anything else is text ("&#38;name;"). Returns the bytes
 * consumed, 0 if more input is needed to decide.
 */
static size_t
xml_lex_amp(const char *s, size_t len, int final, struct buf *out)
{
	size_t	 n;
	long	 cp;

	if ((n = xml_lex_ref(s, len, final, &cp)) == 0)
		return (0);
	if (cp == XML_REF_BARE)
		buf_addstr(out, "&#38;");
	else if (cp == XML_REF_UNKNOWN) {
		buf_addstr(out, "&#38;");
		buf_add(out, s + 1, n - 1);
	} else
		buf_printf(out, "&#%ld;", cp);
	return (n);
}

/* Appends code point c (valid, checked by xml_lex_ref) as UTF-8. */
static void
xml_utf8_add(struct buf *b, unsigned long c)
{
	char	 u[4];

	if (c < 0x80) {
		buf_addc(b, (char)c);
		return;
	}
	if (c < 0x800) {
		u[0] = (char)(0xc0 | (c >> 6));
		u[1] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 2);
	} else if (c < 0x10000) {
		u[0] = (char)(0xe0 | (c >> 12));
		u[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[2] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (c >> 18));
		u[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		u[3] = (char)(0x80 | (c & 0x3f));
		buf_add(b, u, 4);
	}
}

/*
 * Ends the piece of text being lexed: out gets the marker that stands
 * for it, <?fNONCE OFFSET LENGTH?> (OFFSET: the document's text before
 * it), with the piece's line feeds inside, since libxml2 counts lines
 * for its messages. A text node is one piece however the input was cut,
 * so that libxml2 reads the same markers: where a malformed tag makes it
 * read a marker as part of something else, the same text is lost.
 *
 * libxml2 2.9 reads character data one character at a time through
 * xmlCurrentChar once it has met a byte that is not ASCII, and calls
 * back once per reference; a CDATA section it checks byte by byte, then
 * steps over byte by byte: for French text with escaped HTML, most of
 * its work. A marker costs it one short processing instruction, and the
 * characters that reach xml_chars_cb are the same, in the same order
 * between the same elements.
 *
 * An empty CDATA section comes first: where a malformed tag leaves
 * libxml2 inside a section the lexical pass did not see, its "]]>" ends
 * it, as it did when text was written as CDATA.
 */
static void
xml_lex_piece_end(struct parse_xml *x, struct buf *out, int raw_ok)
{
	const char	*t, *end, *p;

	/* Nothing yet: data may still be NULL. */
	if (x->lex_text.len == x->lex_piece)
		return;
	t = x->lex_text.data + x->lex_piece;
	end = x->lex_text.data + x->lex_text.len;
	/*
	 * ASCII text that needs no escaping (whitespace between elements,
	 * most dates, links and ids) libxml2 reads quickly, and for less
	 * than a marker: it goes as it is, after the same empty CDATA
	 * section. Not a CR, which libxml2 would read as LF where a CDATA
	 * section keeps it, nor before "]]>" (raw_ok 0).
	 */
	for (p = t; p < end && (unsigned char)*p < 0x80 && *p != '&' &&
	    *p != '<' && *p != ']' && *p != '\r'; p++)
		;
	if (p == end && raw_ok) {
		buf_add(out, x->lex_mark, sizeof("<![CDATA[]]>") - 1);
		buf_add(out, t, end - t);
		x->lex_text.len = x->lex_piece;
		x->lex_text.data[x->lex_text.len] = '\0';
		return;
	}
	xml_lex_piece_mark(x, out, x->lex_text.len);
}

/* The marker of the text from lex_piece to upto, which ends the piece. */
static void
xml_lex_piece_mark(struct parse_xml *x, struct buf *out, size_t upto)
{
	const char	*t = x->lex_text.data + x->lex_piece;
	const char	*nl, *end = x->lex_text.data + upto;

	buf_add(out, x->lex_mark, XML_TEXT_MARK_LEN);
	xml_decimal_add(out, x->lex_text_base + x->lex_piece);
	buf_addc(out, ' ');
	xml_decimal_add(out, upto - x->lex_piece);
	for (; (nl = memchr(t, '\n', end - t)) != NULL; t = nl + 1)
		buf_addc(out, '\n');
	buf_add(out, "?>", 2);
	x->lex_piece = upto;
}

/*
 * The input ends inside a piece: the document's end ends it, else it
 * waits for the rest, up to XML_TEXT_PIECE_MAX bytes.
 */
static void
xml_lex_piece_rest(struct parse_xml *x, struct buf *out, int final)
{
	if (final)
		xml_lex_piece_end(x, out, 1);
	else
		xml_lex_piece_bound(x, out);
}

/*
 * A text node still open past XML_TEXT_PIECE_MAX bytes: its first pieces
 * of that size (back to a character's first byte) go now.
 */
static void
xml_lex_piece_bound(struct parse_xml *x, struct buf *out)
{
	size_t	 cut;

	while (x->lex_text.len - x->lex_piece > XML_TEXT_PIECE_MAX) {
		cut = x->lex_piece + XML_TEXT_PIECE_MAX;
		while (cut > x->lex_piece + 1 &&
		    ((unsigned char)x->lex_text.data[cut] & 0xc0) == 0x80)
			cut--;
		xml_lex_piece_mark(x, out, cut);
	}
}

/* Where snprintf would be most of a marker's cost. */
static void
xml_decimal_add(struct buf *out, uint64_t v)
{
	char	 d[20];
	size_t	 n = sizeof(d);

	do
		d[--n] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	buf_add(out, d + n, sizeof(d) - n);
}

/* The decimal number at *s, which then points past it; -1 if none. */
static int64_t
xml_decimal_read(const char **s)
{
	const char	*p = *s;
	uint64_t	 v = 0;

	if (*p < '0' || *p > '9')
		return (-1);
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_C(1) << 53))
			return (-1);
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*s = p;
	return ((int64_t)v);
}

/*
 * Text inside an element, from s[i] to the next markup: goes around
 * libxml2 (xml_lex_piece_end) with its references resolved (as
 * xml_lex_amp would have them read), its line ends normalized (as XML
 * reads them) and stray '<' as text. A literal "]]>" (an error in text)
 * is left in out as it is, for libxml2 to complain of. Returns where the
 * text ends; *stash is set when what follows needs more input.
 */
static size_t
xml_lex_text(struct parse_xml *x, const char *s, size_t i, size_t end,
    int final, struct buf *out, int *stash)
{
	struct buf	*t = &x->lex_text;
	size_t		 k, n, avail;
	long		 cp;

	*stash = 0;
	while (i < end) {
		k = buf_scan(s, i, end, '&', '<', ']', '\r', '\r');
		if (k > i) {
			buf_add(t, s + i, k - i);
			i = k;
			continue;
		}
		avail = end - i;
		switch (s[i]) {
		case '<':
			if (!final && avail < 2) {
				*stash = 1;
				return (i);
			}
			if (avail >= 2 && xml_lex_markup(s[i + 1])) {
				xml_lex_piece_end(x, out, 1);
				return (i);
			}
			/* A '<' that opens nothing ("a < b"): text. */
			parse_bozo(x->p, "'<' in text, read as text");
			buf_addc(t, '<');
			i++;
			break;
		case '&':
			if ((n = xml_lex_ref(s + i, avail, final, &cp)) == 0) {
				*stash = 1;
				return (i);
			}
			if (cp == XML_REF_BARE || cp == XML_REF_UNKNOWN)
				buf_add(t, s + i, cp == XML_REF_BARE ? 1 : n);
			else
				xml_utf8_add(t, (unsigned long)cp);
			i += n;
			break;
		case ']':
			if (!final && avail < 3) {
				*stash = 1;
				return (i);
			}
			if (avail >= 3 && s[i + 1] == ']' && s[i + 2] == '>') {
				/* libxml2 drops the text before it. */
				xml_lex_piece_end(x, out, 0);
				buf_add(out, "]]>", 3);
				i += 3;
				break;
			}
			buf_addc(t, ']');
			i++;
			break;
		case '\r':
			/* CRLF and CR are LF, as XML reads text. */
			if (!final && avail < 2) {
				*stash = 1;
				return (i);
			}
			buf_addc(t, '\n');
			i += avail >= 2 && s[i + 1] == '\n' ? 2 : 1;
			break;
		default:
			/* Not reached: buf_scan() stops only at the above. */
			buf_addc(t, s[i]);
			i++;
			break;
		}
	}
	xml_lex_piece_rest(x, out, final);
	return (i);
}

/*
 * A CDATA section inside the root, from s[i]: its bytes go around
 * libxml2 as text does (xml_lex_piece_end), as they are (libxml2 hands
 * a section's bytes over as they are). "]]" at the end of the input may
 * be the section's end: lex_held keeps count of them until the next
 * byte says. Returns where the section ends, or end.
 */
static size_t
xml_lex_cdata_text(struct parse_xml *x, const char *s, size_t i,
    size_t end, int final, struct buf *out)
{
	struct buf	*t = &x->lex_text;
	size_t		 k;

	while (i < end) {
		if (s[i] == ']') {
			if (x->lex_held == 2)
				buf_addc(t, ']');
			else
				x->lex_held++;
			i++;
			continue;
		}
		if (s[i] == '>' && x->lex_held == 2) {
			x->lex_held = 0;
			x->lex = XL_TEXT;
			xml_lex_piece_end(x, out, 1);
			return (i + 1);
		}
		for (; x->lex_held > 0; x->lex_held--)
			buf_addc(t, ']');
		k = buf_scan(s, i + 1, end, ']', ']', ']', ']', ']');
		buf_add(t, s + i, k - i);
		i = k;
	}
	xml_lex_piece_rest(x, out, final);
	return (i);
}

/*
 * The lexical pass over data. Leftovers of the last chunk (a reference
 * or a markup opening cut in two) come first: they are completed from
 * the first XML_LEX_AHEAD bytes of data, the rest of which is then read
 * in place.
 */
static void
xml_lex(struct parse_xml *x, const char *data, size_t len, int final,
    struct buf *out)
{
	struct buf	 in;
	size_t		 k;

	if (x->lex_pending.len == 0) {
		xml_lex_run(x, data, len, final, out);
		return;
	}
	/*
	 * Cut between two characters: text is wrapped in CDATA sections
	 * closed at the end of each piece, never inside a UTF-8 sequence.
	 */
	k = len < XML_LEX_AHEAD ? len : XML_LEX_AHEAD;
	while (k < len && k > 0 && ((unsigned char)data[k] & 0xc0) == 0x80)
		k--;
	buf_init(&in);
	buf_add(&in, x->lex_pending.data, x->lex_pending.len);
	buf_add(&in, data, k);
	buf_reset(&x->lex_pending);
	xml_lex_run(x, in.data, in.len, k == len ? final : 0, out);
	if (k < len) {
		/*
		 * What is pending now is a suffix of in: within data's
		 * bytes, it is read again in place; longer (never with
		 * the references XML_LEX_AHEAD covers), it goes with the
		 * rest.
		 */
		if (x->lex_pending.len <= k) {
			k -= x->lex_pending.len;
			buf_reset(&x->lex_pending);
			xml_lex_run(x, data + k, len - k, final, out);
		} else {
			buf_reset(&in);
			buf_add(&in, x->lex_pending.data, x->lex_pending.len);
			buf_add(&in, data + k, len - k);
			buf_reset(&x->lex_pending);
			xml_lex_run(x, in.data, in.len, final, out);
		}
	}
	buf_free(&in);
}

/*
 * The lexical pass proper: follows text, tags, comments, CDATA sections,
 * processing instructions and declarations just enough to rewrite entity
 * references where XML reads them (text and attribute values). Bytes
 * are copied in runs; what needs more input to be decided is stashed in
 * lex_pending.
 */
static void
xml_lex_run(struct parse_xml *x, const char *s, size_t end, int final,
    struct buf *out)
{
	size_t		 i, n, avail, run;
	int		 stashed;
	char		 c;

	for (i = run = 0; i < end; ) {
		c = s[i];
		avail = end - i;
		switch (x->lex) {
		case XL_TEXT:
			if (!x->lex_begun) {
				/*
				 * Before the root: whitespace goes through
				 * (libxml2 then sees a misplaced declaration),
				 * other text is skipped ("oops <rss>").
				 */
				for (; i < end && s[i] != '<'; i++) {
					if (s[i] == ' ' || s[i] == '\t' ||
					    s[i] == '\r' || s[i] == '\n')
						continue;
					buf_add(out, s + run, i - run);
					run = i + 1;
					if (!x->lex_skipped)
						parse_bozo(x->p, "text before "
						    "the root element, skipped");
					x->lex_skipped = 1;
				}
				if (i == end)
					continue;
				x->lex_begun = 1;
			}
			if (x->lex_depth > 0) {
				/* Inside the root: text goes around libxml2. */
				buf_add(out, s + run, i - run);
				i = xml_lex_text(x, s, i, end, final, out,
				    &stashed);
				run = i;
				if (stashed) {
					xml_lex_piece_bound(x, out);
					goto stash;
				}
				if (i == end)
					continue;
			}
			/* Text between the root's elements: skipped. */
			i = buf_scan(s, i, end, '&', '<', '<', '<', '<');
			if (i == end)
				continue;
			c = s[i];
			avail = end - i;
			if (c == '&') {
				buf_add(out, s + run, i - run);
				if ((n = xml_lex_amp(s + i, avail, final,
				    out)) == 0)
					goto stash;
				i += n;
				run = i;
				continue;
			}
			if (!final && (avail < 2 || (s[i + 1] == '!' &&
			    avail < 9 && (strncmp(s + i, "<!--", avail < 4 ?
			    avail : 4) == 0 || strncmp(s + i, "<![CDATA[",
			    avail) == 0)))) {
				buf_add(out, s + run, i - run);
				goto stash;
			}
			if (avail >= 4 && s[i + 1] == '!' &&
			    strncmp(s + i, "<!--", 4) == 0) {
				i += 4;
				x->lex = XL_COMMENT;
				x->lex_count = 0;
				continue;
			}
			if (avail >= 9 && s[i + 1] == '!' &&
			    strncmp(s + i, "<![CDATA[", 9) == 0) {
				if (x->lex_depth > 0) {
					/* Inside the root: read as text. */
					buf_add(out, s + run, i - run);
					x->lex = XL_CDATA_TEXT;
					x->lex_held = 0;
					i = xml_lex_cdata_text(x, s, i + 9, end,
					    final, out);
					run = i;
					continue;
				}
				i += 9;
				x->lex = XL_CDATA;
				x->lex_count = 0;
				continue;
			}
			if (avail >= 2 && s[i + 1] == '?') {
				i += 2;
				x->lex = XL_PI;
				x->lex_count = 0;
				continue;
			}
			if (avail < 2 || !xml_lex_markup(s[i + 1])) {
				/* A '<' that opens nothing ("a < b"): text. */
				parse_bozo(x->p, "'<' in text, read as text");
				buf_add(out, s + run, i - run);
				buf_addstr(out, "&#60;");
				run = ++i;
				continue;
			}
			if (avail >= 2 && s[i + 1] == '!') {
				x->lex = XL_DECL;
				x->lex_quote = 0;
				x->lex_brackets = 0;
			} else {
				x->lex = XL_TAG;
				x->lex_end_tag = s[i + 1] == '/';
				x->lex_slash = 0;
			}
			x->lex_quote = 0;
			break;
		case XL_TAG:
			/*
			 * Names, spaces and attribute values go by in
			 * bulk: only quotes, '>' and (in a value) '&'
			 * matter, and '/' just before '>'.
			 */
			if (x->lex_quote != 0 && c != x->lex_quote &&
			    c != '&') {
				i = buf_scan(s, i, end, x->lex_quote, '&', '&',
				    '&', '&');
				x->lex_slash = 0;
				continue;
			}
			if (x->lex_quote == 0 && c != '"' && c != '\'' &&
			    c != '>') {
				i = buf_scan(s, i, end, '"', '\'', '>', '>', '>');
				x->lex_slash = s[i - 1] == '/';
				continue;
			}
			if (x->lex_quote != 0) {
				if (c == x->lex_quote)
					x->lex_quote = 0;
				else if (c == '&') {
					buf_add(out, s + run, i - run);
					if ((n = xml_lex_amp(s + i, avail,
					    final, out)) == 0)
						goto stash;
					i += n;
					run = i;
					continue;
				}
			} else if (c == '"' || c == '\'')
				x->lex_quote = c;
			else if (c == '>') {
				x->lex = XL_TEXT;
				/* "<a>" opens, "</a>" closes, "<a/>" neither. */
				if (x->lex_end_tag) {
					if (x->lex_depth > 0)
						x->lex_depth--;
				} else if (!x->lex_slash)
					x->lex_depth++;
			}
			x->lex_slash = c == '/';
			break;
		case XL_COMMENT:
			if (c == '>' && x->lex_count >= 2)
				x->lex = XL_TEXT;
			x->lex_count = c == '-' ? x->lex_count + 1 : 0;
			break;
		case XL_CDATA_TEXT:
			i = xml_lex_cdata_text(x, s, i, end, final, out);
			run = i;
			continue;
		case XL_CDATA:
			/* Only "]]>" ends it: skip to the next ']' or '>'. */
			if (c != ']' && c != '>') {
				i = buf_scan(s, i, end, ']', '>', '>', '>', '>');
				x->lex_count = 0;
				continue;
			}
			if (c == '>' && x->lex_count >= 2)
				x->lex = XL_TEXT;
			x->lex_count = c == ']' ? x->lex_count + 1 : 0;
			break;
		case XL_PI:
			if (c == '>' && x->lex_count > 0)
				x->lex = XL_TEXT;
			x->lex_count = c == '?';
			break;
		case XL_DECL:
			if (x->lex_quote != 0) {
				if (c == x->lex_quote)
					x->lex_quote = 0;
			} else if (c == '"' || c == '\'')
				x->lex_quote = c;
			else if (c == '[')
				x->lex_brackets++;
			else if (c == ']' && x->lex_brackets > 0)
				x->lex_brackets--;
			else if (c == '>' && x->lex_brackets == 0)
				x->lex = XL_TEXT;
			break;
		}
		i++;
	}
	buf_add(out, s + run, end - run);
	if (final) {
		xml_lex_piece_end(x, out, 1);
		/* libxml2 never saw it open: say so, as it would have. */
		if (x->lex == XL_CDATA_TEXT)
			parse_bozo(x->p, "a CDATA section is not closed at "
			    "the end of the document");
	}
	return;
stash:
	buf_add(&x->lex_pending, s + i, end - i);
}

static enum xml_ns
xml_ns(const xmlChar *uri)
{
	static const struct {
		const char	*uri;
		enum xml_ns	 ns;
	} table[] = {
		{ NS_ATOM10, XNS_ATOM }, { NS_ATOM03, XNS_ATOM },
		{ NS_RSS10, XNS_RSS }, { NS_RSS090, XNS_RSS },
		{ NS_RSS_USERLAND, XNS_NONE }, { NS_RDF, XNS_RDF },
		{ NS_CONTENT, XNS_CONTENT }, { NS_DC, XNS_DC },
		{ NS_DCTERMS, XNS_DCTERMS }, { NS_MEDIA, XNS_MEDIA },
		{ "http://search.yahoo.com/mrss", XNS_MEDIA },
		{ NS_GEORSS, XNS_GEORSS }, { NS_GML, XNS_GML },
		{ NS_GEO, XNS_GEO }, { NS_AT, XNS_AT }, { NS_XHTML, XNS_XHTML },
		{ NS_FM, XNS_FM },
	};
	size_t	 i;

	if (uri == NULL)
		return (XNS_NONE);
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp((const char *)uri, table[i].uri) == 0)
			return (table[i].ns);
	return (XNS_OTHER);
}

/*
 * xml_ns() once per namespace URI and document: libxml2 hands the start
 * callback the URI as interned in its dictionary, the same pointer each
 * time, and the dictionary frees nothing before the parser. A URI the
 * dictionary does not own (never seen so far) is looked up every time.
 */
static enum xml_ns
xml_ns_cached(struct parse_xml *x, const xmlChar *uri)
{
	size_t		 i, n = sizeof(x->ns_uri) / sizeof(x->ns_uri[0]);
	enum xml_ns	 ns;

	if (uri == NULL)
		return (XNS_NONE);
	for (i = 0; i < n && x->ns_uri[i] != NULL; i++)
		if (x->ns_uri[i] == uri)
			return (x->ns_val[i]);
	ns = xml_ns(uri);
	if (xmlDictOwns(x->ctxt->dict, uri) == 1) {
		x->ns_uri[x->ns_next] = uri;
		x->ns_val[x->ns_next] = ns;
		x->ns_next = (x->ns_next + 1) % n;
	}
	return (ns);
}

/*
 * The namespace of an undeclared prefix ("<dc:creator>" in a feed that
 * forgot xmlns:dc): the one that prefix conventionally names, as a
 * reader of the feed would take it.
 */
static enum xml_ns
xml_ns_undeclared(const xmlChar *prefix)
{
	static const struct {
		const char	*prefix;
		enum xml_ns	 ns;
	} table[] = {
		{ "atom", XNS_ATOM }, { "content", XNS_CONTENT },
		{ "dc", XNS_DC }, { "dcterms", XNS_DCTERMS },
		{ "geo", XNS_GEO }, { "georss", XNS_GEORSS },
		{ "gml", XNS_GML }, { "media", XNS_MEDIA },
	};
	size_t	 i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcmp((const char *)prefix, table[i].prefix) == 0)
			return (table[i].ns);
	return (XNS_OTHER);
}

/*
 * A copy of an attribute's value (SAX2 gives localname, prefix, URI,
 * value, end), uri NULL for an unqualified attribute. libxml2 leaves '&'
 * as "&#38;" in values when it does not substitute entities.
 */
static char *
xml_attr(const xmlChar **attrs, int nattrs, const char *name,
    const char *uri)
{
	struct buf	 b;
	const char	*v, *end, *amp;
	int		 i;

	for (i = 0; i < nattrs; i++, attrs += 5) {
		if (strcmp((const char *)attrs[0], name) != 0)
			continue;
		if ((uri == NULL) != (attrs[2] == NULL) || (uri != NULL &&
		    strcmp((const char *)attrs[2], uri) != 0))
			continue;
		v = (const char *)attrs[3];
		end = (const char *)attrs[4];
		buf_init(&b);
		while (v < end) {
			amp = memchr(v, '&', (size_t)(end - v));
			if (amp == NULL) {
				buf_add(&b, v, (size_t)(end - v));
				break;
			}
			buf_add(&b, v, (size_t)(amp - v));
			if (end - amp >= 5 && memcmp(amp, "&#38;", 5) == 0) {
				buf_addc(&b, '&');
				v = amp + 5;
			} else {
				buf_addc(&b, '&');
				v = amp + 1;
			}
		}
		return (buf_release(&b));
	}
	return (NULL);
}

static int
xml_attr_is(const xmlChar **attrs, int nattrs, const char *name,
    const char *uri, const char *value)
{
	char	*v;
	int	 r;

	if ((v = xml_attr(attrs, nattrs, name, uri)) == NULL)
		return (0);
	r = strcasecmp(v, value) == 0;
	free(v);
	return (r);
}

/* Starts capturing the text of the current element into field. */
static void
xml_capture(struct parse_xml *x, enum xml_field field, enum xml_mode mode,
    char *attr)
{
	x->field = field;
	x->mode = mode;
	x->cap_depth = x->nframes;
	x->cap_skip_div = 0;
	x->cap_html = mode == XM_HTML || mode == XM_XHTML;
	free(x->cap_attr);
	x->cap_attr = attr;
	buf_reset(&x->text);
	x->truncated = 0;
}

/*
 * Atom text constructs and content: type "text", "html", "xhtml" (1.0),
 * MIME types and mode "escaped", "xml", "base64" (0.3); out-of-line
 * content (src) is not captured.
 */
static void
xml_capture_typed(struct parse_xml *x, enum xml_field field,
    const xmlChar **attrs, int nattrs, int content)
{
	enum xml_mode	 mode = XM_TEXT;
	char		*type, *m, *src;
	size_t		 n;

	type = xml_attr(attrs, nattrs, "type", NULL);
	m = xml_attr(attrs, nattrs, "mode", NULL);
	src = content ? xml_attr(attrs, nattrs, "src", NULL) : NULL;
	if (type == NULL || strcasecmp(type, "text") == 0 ||
	    strcasecmp(type, "text/plain") == 0)
		mode = XM_TEXT;
	else if (strcasecmp(type, "html") == 0 ||
	    strcasecmp(type, "text/html") == 0)
		mode = XM_HTML;
	else if (strcasecmp(type, "xhtml") == 0 ||
	    strcasecmp(type, "application/xhtml+xml") == 0)
		mode = XM_XHTML;
	else if (strncasecmp(type, "text/", 5) == 0)
		mode = XM_TEXT;
	else if ((n = strlen(type)) > 4 && (strcasecmp(type + n - 4,
	    "+xml") == 0 || strcasecmp(type + n - 4, "/xml") == 0))
		mode = XM_XHTML;
	else
		mode = XM_SKIP;
	/* Atom 0.3: mode="xml" (the default) holds markup as is. */
	if (m != NULL && strcasecmp(m, "base64") == 0)
		mode = XM_SKIP;
	else if (m != NULL && strcasecmp(m, "xml") == 0 && mode == XM_HTML)
		mode = XM_XHTML;
	if (src != NULL)
		mode = XM_SKIP;
	free(type);
	free(m);
	free(src);
	xml_capture(x, field, mode, NULL);
}

/* Appends text, up to PARSE_MAX_FIELD bytes per field. */
static void
xml_text_add(struct parse_xml *x, const char *s, size_t len)
{
	if (x->text.len + len > PARSE_MAX_FIELD) {
		if (!x->truncated)
			log_debug("%s: field longer than %d bytes cut",
			    __func__, PARSE_MAX_FIELD);
		x->truncated = 1;
		len = PARSE_MAX_FIELD - x->text.len;
		/* Do not cut a UTF-8 sequence in two. */
		while (len > 0 && ((unsigned char)s[len] & 0xc0) == 0x80)
			len--;
	}
	buf_add(&x->text, s, len);
}

static void
xml_escape(struct buf *b, const char *s, size_t len, int attr)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '<':
			buf_addstr(b, "&lt;");
			break;
		case '>':
			buf_addstr(b, "&gt;");
			break;
		case '&':
			buf_addstr(b, "&amp;");
			break;
		case '"':
			if (attr) {
				buf_addstr(b, "&quot;");
				break;
			}
			/* FALLTHROUGH */
		default:
			buf_addc(b, s[i]);
		}
	}
}

/* Writes an element met inside HTML or XHTML content back as markup. */
static void
xml_serialize_start(struct parse_xml *x, const xmlChar *name,
    const xmlChar **attrs, int nattrs)
{
	struct buf	 b;
	char		*v;
	int		 i;

	buf_init(&b);
	buf_printf(&b, "<%s", (const char *)name);
	for (i = 0; i < nattrs; i++) {
		v = xml_attr(attrs + i * 5, 1, (const char *)attrs[i * 5],
		    (const char *)attrs[i * 5 + 2]);
		buf_printf(&b, " %s=\"", (const char *)attrs[i * 5]);
		xml_escape(&b, v, strlen(v), 1);
		buf_addc(&b, '"');
		free(v);
	}
	buf_addc(&b, '>');
	xml_text_add(x, b.data, b.len);
	buf_free(&b);
}

/* The root element decides the format, or that this is not a feed. */
static void
xml_root(struct parse_xml *x, enum xml_ns ns, const xmlChar *name,
    const xmlChar *prefix)
{
	struct feed_meta	*m = parse_meta_edit(x->p);
	const char		*n = (const char *)name, *fmt = NULL;
	char			 why[160];

	x->root_seen = 1;
	if (!xml_is_root(ns, n))
		fmt = NULL;
	else if (ns == XNS_ATOM) {
		x->format = XFMT_ATOM;
		fmt = "atom";
	} else if (ns != XNS_RDF) {
		x->format = XFMT_RSS;
		fmt = "rss";
	} else {
		x->format = XFMT_RDF;
		fmt = "rdf";
	}
	if (fmt == NULL) {
		snprintf(why, sizeof(why), "not a feed: root element <%s%s%s>",
		    prefix ? (const char *)prefix : "", prefix ? ":" : "", n);
		xml_fail(x, why);
		return;
	}
	if (x->html_wrapped)
		parse_bozo(x->p, "feed inside an HTML page");
	/*
	 * A page that wraps a feed may hold another after it ("<body><rss>
	 * ...</rss><feed>"): each is read in turn, the last one's format
	 * and language replace the first's.
	 */
	entry_set(&m->format, fmt);
	x->frames[0].role = x->format == XFMT_ATOM ? XROLE_FEED : XROLE_ROOT;
	if (x->format == XFMT_ATOM && x->frames[0].lang != NULL)
		entry_set(&m->lang, x->frames[0].lang);
}

/*
 * RSS's element names in the case the specification gives them:
 * "<TITLE>" is the title, as feedparser and a reader take it.
 */
static const char *
xml_rss_name(const char *n)
{
	static const char *const names[] = {
		"author", "category", "channel", "comments", "description",
		"enclosure", "guid", "image", "item", "language",
		"lastBuildDate", "link", "managingEditor", "pubDate", "source",
		"title", "ttl"
	};
	size_t	 i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcasecmp(n, names[i]) == 0)
			return (names[i]);
	return (n);
}

/* 1 for a feed's root element: atom:feed, rss or rdf:RDF. */
static int
xml_is_root(enum xml_ns ns, const char *n)
{
	return ((ns == XNS_ATOM && XML_NAME_IS(n, "feed")) ||
	    ((ns == XNS_NONE || ns == XNS_OTHER) && XML_NAME_IS(n, "rss")) ||
	    (ns == XNS_RDF && XML_NAME_IS(n, "RDF")));
}

/* 1 for atom:entry in Atom, item in RSS. */
static int
xml_is_entry(struct parse_xml *x, enum xml_ns ns, const char *n)
{
	if (x->format == XFMT_ATOM)
		return (ns == XNS_ATOM && XML_NAME_IS(n, "entry"));
	return ((ns == XNS_NONE || ns == XNS_RSS) && XML_NAME_IS(n, "item"));
}

/* 1 for an element that is an entry's field, never found in text. */
static int
xml_is_field(struct parse_xml *x, enum xml_ns ns, const char *n)
{
	static const char *const rss[] = {
		"title", "link", "description", "guid", "pubDate", "author",
		"category", "comments", "enclosure", "source", NULL
	};
	static const char *const atom[] = {
		"id", "title", "summary", "content", "link", "published",
		"updated", "author", "category", NULL
	};
	const char *const	*names;
	size_t			 i;

	if (ns == XNS_CONTENT || ns == XNS_DC)
		return (1);
	if (ns == XNS_ATOM)
		names = atom;
	else if ((ns == XNS_NONE || ns == XNS_RSS) && x->format != XFMT_ATOM)
		names = rss;
	else
		return (0);
	for (i = 0; names[i] != NULL; i++)
		if (strcmp(n, names[i]) == 0)
			return (1);
	return (0);
}

static void
xml_entry_begin(struct parse_xml *x, int tombstone)
{
	struct xml_frame	*f = &x->frames[x->nframes - 1];

	entry_free(x->item.e);
	free(x->item.summary_base);
	free(x->item.content_base);
	memset(&x->item, 0, sizeof(x->item));
	x->item.e = entry_new();
	/* libxml2 reads only the decoder's output: see parse_emit(). */
	x->item.utf8_clean = 1;
	x->entry_depth = x->nframes;
	x->source_depth = 0;
	x->guid_permalink = !tombstone;
	free(x->guid);
	free(x->guid_url);
	free(x->geo_lat);
	free(x->geo_lon);
	x->guid = x->guid_url = x->geo_lat = x->geo_lon = NULL;
	x->dc_date = ENTRY_NO_TIME;
	f->role = XROLE_ENTRY;
	entry_set(&x->item.e->lang, f->lang);
}

/* The entry is complete: fallbacks, then normalization and the caller. */
static void
xml_entry_end(struct parse_xml *x)
{
	struct entry	*e = x->item.e;
	double		 lat, lon;
	const char	*end;

	x->entry_depth = 0;
	if (e->id == NULL && x->guid != NULL)
		entry_set(&e->id, x->guid);
	if (e->link == NULL && x->guid_url != NULL && x->guid_permalink)
		entry_set(&e->link, x->guid_url);
	/*
	 * dc:date is Dublin Core's date of any kind. Alone, or beside a
	 * pubDate, it is when the entry last changed, as feedparser reads
	 * it; beside a dcterms:modified, it can only be the publication.
	 */
	if (x->dc_date != ENTRY_NO_TIME) {
		if (e->updated == ENTRY_NO_TIME)
			e->updated = x->dc_date;
		else if (e->published == ENTRY_NO_TIME)
			e->published = x->dc_date;
	}
	if (x->geo_lat != NULL && x->geo_lon != NULL && !e->has_geo &&
	    xml_geo_number(x->geo_lat, &end, &lat) == 0 && *end == '\0' &&
	    xml_geo_number(x->geo_lon, &end, &lon) == 0 && *end == '\0')
		xml_geo_set(e, lat, lon);
	/*
	 * RFC 4287 4.2.1: entries without authors have the feed's. In a
	 * node's listing the feed's author is the node, which wrote none of
	 * them: inheriting it would make the copy differ from the original.
	 */
	if (x->format == XFMT_ATOM && !e->deleted && e->nauthors == 0 &&
	    !x->fm_listing &&
	    (x->feed_pname != NULL || x->feed_pemail != NULL))
		entry_add_author(e, x->feed_pname, x->feed_pemail,
		    x->feed_puri);
	parse_emit(x->p, &x->item);
}

/* "45.256 -71.92": the range-checked GeoRSS point. */
static void
xml_geo_set(struct entry *e, double lat, double lon)
{
	if (!isfinite(lat) || !isfinite(lon) || lat < -90 || lat > 90 ||
	    lon < -180 || lon > 180)
		return;
	e->lat = lat;
	e->lon = lon;
	e->has_geo = 1;
}

/*
 * A decimal number ("-71.92", "4.5e1" is refused), read without the
 * locale-dependent strtod. *end is set after it and its trailing spaces.
 */
static int
xml_geo_number(const char *s, const char **end, double *out)
{
	double	 v = 0, scale = 1;
	int	 neg = 0, digits = 0;

	s += strspn(s, " \t\r\n,");
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s >= '0' && *s <= '9' && digits < 18; s++, digits++)
		v = v * 10 + (*s - '0');
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9'; s++, digits++)
			if (digits < 18)
				v += (*s - '0') * (scale /= 10);
	if (digits == 0 || (*s >= '0' && *s <= '9'))
		return (-1);
	s += strspn(s, " \t\r\n");
	*end = s;
	*out = neg ? -v : v;
	return (0);
}

/* RSS lengths: digits, or unknown (-1). */
static int64_t
xml_length(const char *s)
{
	int64_t	 v = 0;
	size_t	 n;

	if (s == NULL)
		return (-1);
	s += strspn(s, " \t");
	n = strspn(s, "0123456789");
	if (n == 0 || n > 15 || s[n + strspn(s + n, " \t")] != '\0')
		return (-1);
	for (; n > 0; n--, s++)
		v = v * 10 + (*s - '0');
	return (v);
}

/* "jean@example.org (Jean Dupont)", "Jean <jean@example.org>", or either. */
static void
xml_rss_person(const char *s, char **name, char **email)
{
	const char	*open, *close;
	size_t		 n;

	*name = *email = NULL;
	s += strspn(s, " \t\r\n");
	n = strcspn(s, " \t\r\n(<");
	if ((open = strchr(s, '(')) != NULL &&
	    (close = strrchr(s, ')')) != NULL && close > open &&
	    memchr(s, '@', n) != NULL) {
		*email = strndup(s, n);
		*name = strndup(open + 1, (size_t)(close - open - 1));
	} else if ((open = strchr(s, '<')) != NULL &&
	    (close = strchr(open, '>')) != NULL &&
	    memchr(open, '@', (size_t)(close - open)) != NULL) {
		*email = strndup(open + 1, (size_t)(close - open - 1));
		*name = strndup(s, (size_t)(open - s));
	} else if (strchr(s, '@') != NULL && s[strcspn(s, " \t")] == '\0')
		*email = strdup(s);
	else
		*name = strdup(s);
}

/*
 * atom:link (also met in RSS): the entry's permalink, enclosures and
 * other links; the feed's alternate, self, hub and next; the source's
 * alternate.
 */
static void
xml_link(struct parse_xml *x, const xmlChar **attrs, int nattrs, int feed)
{
	struct feed_meta	*m = parse_meta_edit(x->p);
	struct entry		*e = x->item.e;
	const char		*base = x->frames[x->nframes - 1].base;
	char			*href, *rel, *type, *title, *length;
	char			*url = NULL;
	const char		*r;

	if ((href = xml_attr(attrs, nattrs, "href", NULL)) == NULL)
		return;
	rel = xml_attr(attrs, nattrs, "rel", NULL);
	type = xml_attr(attrs, nattrs, "type", NULL);
	title = xml_attr(attrs, nattrs, "title", NULL);
	length = xml_attr(attrs, nattrs, "length", NULL);
	parse_set_url(&url, base, href);
	r = rel != NULL ? rel : "alternate";
	if (strncmp(r, "http://www.iana.org/assignments/relation/", 41) == 0)
		r += 41;
	if (url == NULL)
		goto done;
	if (feed) {
		if (XML_NAME_IS(r, "alternate") && m->link == NULL &&
		    (type == NULL || strstr(type, "html") != NULL))
			m->link = strdup(url);
		else if (XML_NAME_IS(r, "self") && m->self == NULL)
			m->self = strdup(url);
		else if (XML_NAME_IS(r, "hub") && m->hub == NULL)
			m->hub = strdup(url);
		else if (XML_NAME_IS(r, "next") && m->next == NULL)
			m->next = strdup(url);
		else if (XML_NAME_IS(r, "prev-archive") &&
		    m->prev_archive == NULL)
			m->prev_archive = strdup(url);
	} else if (x->source_depth > 0) {
		if (XML_NAME_IS(r, "alternate") && e->source.link == NULL)
			entry_set(&e->source.link, url);
	} else if (XML_NAME_IS(r, "alternate") && e->link == NULL &&
	    (type == NULL || strstr(type, "html") != NULL))
		entry_set(&e->link, url);
	else if (XML_NAME_IS(r, "enclosure")) {
		if (e->nenclosures < PARSE_MAX_LIST)
			entry_add_enclosure(e, url, type, xml_length(length));
	} else if (e->nlinks < PARSE_MAX_LIST)
		entry_add_link(e, url, XML_NAME_IS(r, "alternate") ? NULL : r,
		    type, title);
done:
	free(url);
	free(href);
	free(rel);
	free(type);
	free(title);
	free(length);
}

/* atom:name, atom:email, atom:uri (0.3: atom:url) of a person. */
static void
xml_person_elem(struct parse_xml *x, const char *n)
{
	if (XML_NAME_IS(n, "name"))
		xml_capture(x, XF_PERSON_NAME, XM_TEXT, NULL);
	else if (XML_NAME_IS(n, "email"))
		xml_capture(x, XF_PERSON_EMAIL, XM_TEXT, NULL);
	else if (XML_NAME_IS(n, "uri") || XML_NAME_IS(n, "url"))
		xml_capture(x, XF_PERSON_URI, XM_TEXT, NULL);
}

/* RSS enclosure and media:content: url, type and a length attribute. */
static void
xml_enclosure(struct parse_xml *x, const xmlChar **attrs, int nattrs,
    const char *lenattr)
{
	struct entry	*e = x->item.e;
	char		*url, *type, *len;

	if (e->nenclosures >= PARSE_MAX_LIST ||
	    (url = xml_attr(attrs, nattrs, "url", NULL)) == NULL)
		return;
	type = xml_attr(attrs, nattrs, "type", NULL);
	len = xml_attr(attrs, nattrs, lenattr, NULL);
	parse_set_url(&url, x->frames[x->nframes - 1].base, url);
	if (url != NULL)
		entry_add_enclosure(e, url, type, xml_length(len));
	free(url);
	free(type);
	free(len);
}

/* An element inside an entry: a field, or a value in its attributes. */
static void
xml_entry_elem(struct parse_xml *x, enum xml_ns ns, const char *n,
    const xmlChar **attrs, int nattrs)
{
	struct entry	*e = x->item.e;
	struct xml_frame *f = &x->frames[x->nframes - 1];
	char		*a, *b, *c;
	int		 rss = ns == XNS_NONE || ns == XNS_RSS;

	if (x->source_depth > 0) {
		/* atom:source: only its identity matters. */
		if (ns != XNS_ATOM || x->nframes != x->source_depth + 1)
			return;
		if (XML_NAME_IS(n, "id"))
			xml_capture(x, XF_SOURCE_ID, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "title"))
			xml_capture_typed(x, XF_SOURCE_TITLE, attrs, nattrs, 0);
		else if (XML_NAME_IS(n, "link"))
			xml_link(x, attrs, nattrs, 0);
		return;
	}
	if (x->person_depth > 0) {
		xml_person_elem(x, n);
		return;
	}
	if (ns == XNS_ATOM) {
		if (XML_NAME_IS(n, "id"))
			xml_capture(x, XF_ID, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "title"))
			xml_capture_typed(x, XF_TITLE, attrs, nattrs, 0);
		else if (XML_NAME_IS(n, "summary"))
			xml_capture_typed(x, XF_SUMMARY, attrs, nattrs, 0);
		else if (XML_NAME_IS(n, "content"))
			xml_capture_typed(x, XF_CONTENT, attrs, nattrs, 1);
		else if (XML_NAME_IS(n, "published") ||
		    XML_NAME_IS(n, "issued"))
			xml_capture(x, XF_PUBLISHED, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "created"))
			/* Atom 0.3: issued is the publication, if given. */
			xml_capture(x, XF_DCDATE, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "updated") ||
		    XML_NAME_IS(n, "modified"))
			xml_capture(x, XF_UPDATED, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "link"))
			xml_link(x, attrs, nattrs, 0);
		else if (XML_NAME_IS(n, "author") ||
		    XML_NAME_IS(n, "contributor")) {
			/*
			 * A contributor is read (its children must not be
			 * taken for the entry's) but is not an author.
			 */
			f->role = XROLE_PERSON;
			x->person_depth = x->nframes;
			x->person_feed = 0;
			x->person_skip = n[0] == 'c';
		} else if (XML_NAME_IS(n, "category") &&
		    e->ncategories < PARSE_MAX_LIST) {
			a = xml_attr(attrs, nattrs, "term", NULL);
			b = xml_attr(attrs, nattrs, "scheme", NULL);
			c = xml_attr(attrs, nattrs, "label", NULL);
			if (a != NULL)
				entry_add_category(e, a, b, c);
			free(a);
			free(b);
			free(c);
		} else if (XML_NAME_IS(n, "source") &&
		    x->format == XFMT_ATOM) {
			f->role = XROLE_SOURCE;
			x->source_depth = x->nframes;
		}
		return;
	}
	if (rss && x->format != XFMT_ATOM) {
		if (XML_NAME_IS(n, "title"))
			xml_capture(x, XF_TITLE, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "link"))
			xml_capture(x, XF_LINK, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "description"))
			xml_capture(x, XF_SUMMARY, XM_HTML, NULL);
		else if (XML_NAME_IS(n, "guid")) {
			x->guid_permalink = !xml_attr_is(attrs, nattrs,
			    "isPermaLink", NULL, "false");
			xml_capture(x, XF_GUID, XM_TEXT, NULL);
		} else if (XML_NAME_IS(n, "pubDate"))
			xml_capture(x, XF_PUBLISHED, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "author"))
			xml_capture(x, XF_RSS_AUTHOR, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "category"))
			xml_capture(x, XF_CATEGORY, XM_TEXT,
			    xml_attr(attrs, nattrs, "domain", NULL));
		else if (XML_NAME_IS(n, "comments"))
			xml_capture(x, XF_COMMENTS, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "source"))
			xml_capture(x, XF_RSS_SOURCE, XM_TEXT,
			    xml_attr(attrs, nattrs, "url", NULL));
		else if (XML_NAME_IS(n, "enclosure"))
			xml_enclosure(x, attrs, nattrs, "length");
		return;
	}
	switch (ns) {
	case XNS_CONTENT:
		if (XML_NAME_IS(n, "encoded"))
			xml_capture(x, XF_CONTENT, XM_HTML, NULL);
		break;
	case XNS_DC:
	case XNS_DCTERMS:
		if (XML_NAME_IS(n, "creator"))
			xml_capture(x, XF_CREATOR, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "created") ||
		    XML_NAME_IS(n, "issued"))
			xml_capture(x, XF_DCDATE, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "date"))
			xml_capture(x, XF_DC_DATE, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "modified"))
			xml_capture(x, XF_UPDATED, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "subject"))
			xml_capture(x, XF_CATEGORY, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "language"))
			xml_capture(x, XF_LANG, XM_TEXT, NULL);
		break;
	case XNS_MEDIA:
		if (XML_NAME_IS(n, "content"))
			xml_enclosure(x, attrs, nattrs, "fileSize");
		else if (XML_NAME_IS(n, "thumbnail") && e->image == NULL) {
			a = xml_attr(attrs, nattrs, "url", NULL);
			parse_set_url(&e->image, f->base, a);
			free(a);
		}
		break;
	case XNS_GEORSS:
		if (XML_NAME_IS(n, "point"))
			xml_capture(x, XF_GEO_POINT, XM_TEXT, NULL);
		break;
	case XNS_GML:
		if (XML_NAME_IS(n, "pos"))
			xml_capture(x, XF_GEO_POINT, XM_TEXT, NULL);
		break;
	case XNS_GEO:
		if (XML_NAME_IS(n, "lat"))
			xml_capture(x, XF_GEO_LAT, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "long") || XML_NAME_IS(n, "lon"))
			xml_capture(x, XF_GEO_LON, XM_TEXT, NULL);
		break;
	case XNS_FM:
		/* fm:peer is the sender's provenance, not the entry's. */
		if (XML_NAME_IS(n, "origin"))
			xml_capture(x, XF_FM_ORIGIN, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "expires"))
			xml_capture(x, XF_FM_EXPIRES, XM_TEXT, NULL);
		break;
	default:
		break;
	}
}

/* An element of the feed or channel itself (parent is XROLE_FEED). */
static void
xml_feed_elem(struct parse_xml *x, enum xml_ns ns, const char *n,
    const xmlChar **attrs, int nattrs)
{
	struct xml_frame	*f = &x->frames[x->nframes - 1];
	int			 rss = ns == XNS_NONE || ns == XNS_RSS;

	if (ns == XNS_ATOM) {
		if (XML_NAME_IS(n, "link"))
			xml_link(x, attrs, nattrs, 1);
		else if (x->format != XFMT_ATOM)
			return;
		else if (XML_NAME_IS(n, "id"))
			xml_capture(x, XF_META_ID, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "title"))
			xml_capture_typed(x, XF_META_TITLE, attrs, nattrs, 0);
		else if (XML_NAME_IS(n, "updated") ||
		    XML_NAME_IS(n, "modified"))
			xml_capture(x, XF_META_UPDATED, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "icon"))
			xml_capture(x, XF_META_ICON, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "logo"))
			xml_capture(x, XF_META_LOGO, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "author")) {
			f->role = XROLE_PERSON;
			x->person_depth = x->nframes;
			x->person_feed = 1;
		}
		return;
	}
	if (rss && x->format != XFMT_ATOM) {
		if (XML_NAME_IS(n, "title"))
			xml_capture(x, XF_META_TITLE, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "link"))
			xml_capture(x, XF_META_LINK, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "language"))
			xml_capture(x, XF_META_LANG, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "lastBuildDate"))
			xml_capture(x, XF_META_UPDATED, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "pubDate"))
			xml_capture(x, XF_META_PUBDATE, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "ttl"))
			xml_capture(x, XF_META_TTL, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "managingEditor"))
			xml_capture(x, XF_META_EDITOR, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "image"))
			f->role = XROLE_IMAGE;
		return;
	}
	if (ns == XNS_FM && XML_NAME_IS(n, "node")) {
		x->fm_listing = 1;
		return;
	}
	if (ns == XNS_DC) {
		if (XML_NAME_IS(n, "language"))
			xml_capture(x, XF_META_LANG, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "date"))
			xml_capture(x, XF_META_PUBDATE, XM_TEXT, NULL);
		else if (XML_NAME_IS(n, "creator"))
			xml_capture(x, XF_META_CREATOR, XM_TEXT, NULL);
	}
}

static void
xml_start_cb(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri, int nns, const xmlChar **nss, int nattrs,
    int ndefaulted, const xmlChar **attrs)
{
	struct parse_xml	*x = ctx;
	struct xml_frame	*f, *parent;
	enum xml_ns		 ns = xml_ns_cached(x, uri);
	const char		*n = (const char *)localname;
	char			*v, why[80];
	size_t			 depth;

	(void)nns;
	(void)nss;
	(void)ndefaulted;
	if (parse_failed(x->p))
		return;
	if (uri == NULL && prefix != NULL)
		ns = xml_ns_undeclared(prefix);
	if (ns == XNS_NONE && x->format != XFMT_ATOM &&
	    n[strcspn(n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ")] != '\0')
		n = xml_rss_name(n);
	/*
	 * A feed inside an HTML page ("<html><body><rss>"), as feedparser
	 * finds it: the page's elements before the feed are skipped.
	 */
	if (x->nframes == 0 && !x->root_seen && !xml_is_root(ns, n) &&
	    (x->html_wrapped || ((ns == XNS_NONE || ns == XNS_XHTML) &&
	    XML_NAME_IS(n, "html")))) {
		x->html_wrapped = 1;
		return;
	}
	if (x->nframes >= parse_depth_limit(x->p)) {
		snprintf(why, sizeof(why), "elements nested more than %zu "
		    "deep", parse_depth_limit(x->p));
		xml_fail(x, why);
		return;
	}
	if (x->nframes == x->framecap) {
		x->framecap = x->framecap ? x->framecap * 2 : 16;
		if ((x->frames = reallocarray(x->frames, x->framecap,
		    sizeof(*x->frames))) == NULL)
			fatal("%s", __func__);
	}
	parent = x->nframes > 0 ? &x->frames[x->nframes - 1] : NULL;
	f = &x->frames[x->nframes++];
	memset(f, 0, sizeof(*f));
	depth = x->nframes;
	f->base = parent ? parent->base : (char *)parse_base(x->p);
	f->lang = parent ? parent->lang : NULL;
	if ((v = xml_attr(attrs, nattrs, "base",
	    (const char *)XML_XML_NAMESPACE)) != NULL) {
		f->base = NULL;
		parse_set_url(&f->base, parent ? parent->base :
		    parse_base(x->p), v);
		f->own_base = 1;
		free(v);
		/*
		 * A base that no link could be served from
		 * ("javascript:x//") is ignored, as feedparser does: the
		 * enclosing base applies.
		 */
		if (f->base != NULL && !url_is_http(f->base) &&
		    f->base[strcspn(f->base, ":/?#")] == ':') {
			free(f->base);
			f->own_base = 0;
			f->base = parent ? parent->base :
			    (char *)parse_base(x->p);
		}
	}
	if ((v = xml_attr(attrs, nattrs, "lang",
	    (const char *)XML_XML_NAMESPACE)) != NULL) {
		f->lang = v;
		f->own_lang = 1;
	}

	/*
	 * Recovery from unclosed elements, which libxml2 leaves open: an
	 * element inside a plain-text field ends the field ("<title>a <b>
	 * b</title><link>" nests link in b), an item inside an item ends the
	 * first.
	 */
	if (x->field != XF_NONE && x->mode == XM_TEXT && x->entry_depth > 0 &&
	    xml_is_field(x, ns, n))
		xml_capture_end(x);
	if (x->entry_depth > 0 && depth > x->entry_depth &&
	    xml_is_entry(x, ns, n)) {
		if (x->field != XF_NONE)
			xml_capture_end(x);
		if (x->person_depth > 0)
			xml_person_end(x);
		xml_entry_end(x);
	}

	/* Inside captured content: markup is content. */
	if (x->field != XF_NONE) {
		if (x->mode == XM_XHTML && depth == x->cap_depth + 1 &&
		    ns == XNS_XHTML && XML_NAME_IS(n, "div") &&
		    x->cap_skip_div == 0 && (x->text.len == 0 ||
		    x->text.data[strspn(x->text.data, " \t\r\n")] == '\0'))
			x->cap_skip_div = depth;
		else if (x->mode == XM_XHTML || x->mode == XM_HTML)
			xml_serialize_start(x, localname, attrs, nattrs);
		return;
	}
	if (depth == 1) {
		xml_root(x, ns, localname, prefix);
		return;
	}
	if (ns == XNS_RSS)
		x->rss10_seen = 1;

	if (x->entry_depth == 0) {
		if (xml_is_entry(x, ns, n) && (x->format != XFMT_ATOM ||
		    parent->role == XROLE_FEED || parent->role ==
		    XROLE_ENTRY)) {
			xml_entry_begin(x, 0);
			if (x->format == XFMT_RDF && (v = xml_attr(attrs,
			    nattrs, "about", NS_RDF)) != NULL) {
				entry_set(&x->item.e->id, v);
				free(v);
			}
			return;
		}
		if (ns == XNS_AT && XML_NAME_IS(n, "deleted-entry") &&
		    parent->role == XROLE_FEED) {
			/* RFC 6721: ref is the entry's id, when its end. */
			xml_entry_begin(x, 1);
			x->item.e->deleted = 1;
			x->item.e->id = xml_attr(attrs, nattrs, "ref", NULL);
			if ((v = xml_attr(attrs, nattrs, "when", NULL)) !=
			    NULL) {
				x->item.e->updated = date_parse(v, NULL);
				free(v);
			}
			return;
		}
		if (x->format != XFMT_ATOM && (ns == XNS_NONE ||
		    ns == XNS_RSS) && XML_NAME_IS(n, "channel") &&
		    parent->role == XROLE_ROOT) {
			f->role = XROLE_FEED;
			return;
		}
		if (x->format == XFMT_RDF && ns == XNS_RSS &&
		    XML_NAME_IS(n, "image") && parent->role == XROLE_ROOT) {
			f->role = XROLE_IMAGE;
			return;
		}
		if (parent->role == XROLE_FEED)
			xml_feed_elem(x, ns, n, attrs, nattrs);
		else if (parent->role == XROLE_PERSON && x->person_feed)
			xml_person_elem(x, n);
		else if (parent->role == XROLE_IMAGE &&
		    XML_NAME_IS(n, "url"))
			xml_capture(x, XF_META_ICON, XM_TEXT, NULL);
		return;
	}
	if (x->item.e->deleted)
		return;
	xml_entry_elem(x, ns, n, attrs, nattrs);
}

/* A captured field is complete: it goes where it belongs. */
static void
xml_capture_end(struct parse_xml *x)
{
	struct feed_meta	*m = parse_meta_edit(x->p);
	struct entry		*e = x->item.e;
	const char		*base = x->frames[x->nframes - 1].base, *end;
	char			*t = x->text.data != NULL ? x->text.data : "";
	char			*name, *email, **pf;
	enum xml_field		 field = x->field;
	double			 lat, lon;
	int64_t			 v;

	x->field = XF_NONE;
	if (x->mode == XM_SKIP)
		return;
	switch (field) {
	case XF_NONE:
		break;
	case XF_ID:
		entry_set(&e->id, t);
		break;
	case XF_TITLE:
		entry_set(&e->title, t);
		x->item.title_html = x->cap_html ||
		    (x->format != XFMT_ATOM && parse_looks_html(t));
		break;
	case XF_SUMMARY:
		if (x->cap_html) {
			entry_set(&e->summary, t);
			free(x->item.summary_base);
			x->item.summary_base = base ? strdup(base) : NULL;
		} else
			entry_set(&e->summary_text, t);
		break;
	case XF_CONTENT:
		entry_set(&e->content, t);
		entry_set(&e->content_type, x->cap_html ? "html" : "text");
		free(x->item.content_base);
		x->item.content_base = base ? strdup(base) : NULL;
		break;
	case XF_PUBLISHED:
		e->published = xml_date(x, t);
		break;
	case XF_UPDATED:
		e->updated = xml_date(x, t);
		break;
	case XF_DCDATE:
		if (e->published == ENTRY_NO_TIME)
			e->published = xml_date(x, t);
		break;
	case XF_DC_DATE:
		x->dc_date = xml_date(x, t);
		break;
	case XF_LINK:
		if (e->link == NULL)
			parse_set_url(&e->link, base, t);
		break;
	case XF_GUID:
		free(x->guid);
		x->guid = NULL;
		if (*t != '\0' && (x->guid = strdup(t)) == NULL)
			fatal("%s", __func__);
		parse_set_url(&x->guid_url, base, t);
		break;
	case XF_RSS_AUTHOR:
		if (e->nauthors < PARSE_MAX_LIST) {
			xml_rss_person(t, &name, &email);
			entry_add_author(e, name, email, NULL);
			free(name);
			free(email);
		}
		break;
	case XF_CREATOR:
		if (e->nauthors < PARSE_MAX_LIST)
			entry_add_author(e, t, NULL, NULL);
		break;
	case XF_CATEGORY:
		if (e->ncategories < PARSE_MAX_LIST)
			entry_add_category(e, t, x->cap_attr, NULL);
		break;
	case XF_COMMENTS:
		if (e->nlinks < PARSE_MAX_LIST) {
			name = NULL;
			parse_set_url(&name, base, t);
			if (name != NULL)
				entry_add_link(e, name, "replies", "text/html",
				    NULL);
			free(name);
		}
		break;
	case XF_LANG:
		entry_set(&e->lang, t);
		break;
	case XF_GEO_POINT:
		if (xml_geo_number(t, &end, &lat) == 0 &&
		    xml_geo_number(end, &end, &lon) == 0 && *end == '\0')
			xml_geo_set(e, lat, lon);
		break;
	case XF_GEO_LAT:
	case XF_GEO_LON:
		pf = field == XF_GEO_LAT ? &x->geo_lat : &x->geo_lon;
		free(*pf);
		if ((*pf = strdup(t)) == NULL)
			fatal("%s", __func__);
		break;
	case XF_RSS_SOURCE:
		entry_set(&e->source.title, t);
		parse_set_url(&e->source.link, base, x->cap_attr);
		break;
	case XF_SOURCE_ID:
		entry_set(&e->source.id, t);
		break;
	case XF_FM_ORIGIN:
		entry_set(&e->origin, t);
		break;
	case XF_FM_EXPIRES:
		e->expires = xml_date(x, t);
		break;
	case XF_SOURCE_TITLE:
		free(e->source.title);
		e->source.title = parse_text(t, x->cap_html);
		break;
	case XF_PERSON_NAME:
		pf = &x->pname;
		goto person;
	case XF_PERSON_EMAIL:
		pf = &x->pemail;
		goto person;
	case XF_PERSON_URI:
		pf = &x->puri;
		free(*pf);
		*pf = NULL;
		parse_set_url(pf, base, t);
		break;
person:
		free(*pf);
		if ((*pf = strdup(t)) == NULL)
			fatal("%s", __func__);
		break;
	case XF_META_ID:
		entry_set(&m->id, t);
		break;
	case XF_META_TITLE:
		free(m->title);
		m->title = parse_text(t, x->cap_html || (x->format !=
		    XFMT_ATOM && parse_looks_html(t)));
		break;
	case XF_META_LINK:
		if (m->link == NULL)
			parse_set_url(&m->link, base, t);
		break;
	case XF_META_ICON:
		parse_set_url(&m->icon, base, t);
		break;
	case XF_META_LOGO:
		if (m->icon == NULL)
			parse_set_url(&m->icon, base, t);
		break;
	case XF_META_UPDATED:
		if ((v = date_parse(t, NULL)) != ENTRY_NO_TIME)
			m->updated = v;
		break;
	case XF_META_PUBDATE:
		if (m->updated == ENTRY_NO_TIME)
			m->updated = date_parse(t, NULL);
		break;
	case XF_META_LANG:
		free(m->lang);
		m->lang = parse_text(t, 0);
		break;
	case XF_META_TTL:
		if ((v = xml_length(t)) >= 0 && v <= 366 * 24 * 60)
			m->ttl = v * 60;
		break;
	case XF_META_EDITOR:
		if (m->author == NULL) {
			xml_rss_person(t, &name, &email);
			m->author = parse_text(name != NULL ? name : email, 0);
			free(name);
			free(email);
		}
		break;
	case XF_META_CREATOR:
		if (m->author == NULL)
			m->author = parse_text(t, 0);
		break;
	}
}

/* atom:author ends: to the entry, or to the feed for inheritance. */
static void
xml_person_end(struct parse_xml *x)
{
	struct feed_meta	*m = parse_meta_edit(x->p);

	x->person_depth = 0;
	if (x->person_feed) {
		free(x->feed_pname);
		free(x->feed_pemail);
		free(x->feed_puri);
		x->feed_pname = x->pname;
		x->feed_pemail = x->pemail;
		x->feed_puri = x->puri;
		if (m->author == NULL && x->pname != NULL)
			m->author = parse_text(x->pname, 0);
	} else {
		if (!x->person_skip && x->item.e->nauthors < PARSE_MAX_LIST &&
		    (x->pname != NULL || x->pemail != NULL || x->puri != NULL))
			entry_add_author(x->item.e, x->pname, x->pemail,
			    x->puri);
		free(x->pname);
		free(x->pemail);
		free(x->puri);
	}
	x->pname = x->pemail = x->puri = NULL;
	x->person_skip = 0;
}

static void
xml_end_cb(void *ctx, const xmlChar *localname, const xmlChar *prefix,
    const xmlChar *uri)
{
	struct parse_xml	*x = ctx;
	struct xml_frame	*f;
	const htmlElemDesc	*d;
	size_t			 depth = x->nframes;

	(void)prefix;
	(void)uri;
	if (parse_failed(x->p) || depth == 0)
		return;
	f = &x->frames[depth - 1];
	if (x->field != XF_NONE && depth > x->cap_depth) {
		/* No end tag for the wrapping div, nor for void elements. */
		d = htmlTagLookup(localname);
		if (depth != x->cap_skip_div && (x->mode == XM_XHTML ||
		    x->mode == XM_HTML) && (d == NULL || !d->empty)) {
			xml_text_add(x, "</", 2);
			xml_text_add(x, (const char *)localname,
			    strlen((const char *)localname));
			xml_text_add(x, ">", 1);
		}
	} else if (x->field != XF_NONE && depth == x->cap_depth)
		xml_capture_end(x);
	else if (x->person_depth == depth)
		xml_person_end(x);
	else if (x->source_depth == depth)
		x->source_depth = 0;
	else if (x->entry_depth == depth)
		xml_entry_end(x);

	if (f->own_base)
		free(f->base);
	if (f->own_lang)
		free(f->lang);
	x->nframes--;
}

static void
xml_chars_cb(void *ctx, const xmlChar *s, int len)
{
	struct parse_xml	*x = ctx;
	struct buf		 b;

	if (x->field == XF_NONE || x->mode == XM_SKIP || len <= 0)
		return;
	/*
	 * Escaped HTML is markup already; text inside serialized elements
	 * and inline XHTML is text, escaped again.
	 */
	if (x->mode == XM_XHTML || (x->mode == XM_HTML &&
	    x->nframes > x->cap_depth)) {
		buf_init(&b);
		xml_escape(&b, (const char *)s, (size_t)len, 0);
		xml_text_add(x, b.data, b.len);
		buf_free(&b);
	} else
		xml_text_add(x, (const char *)s, (size_t)len);
}

/*
 * A marker of the lexical pass (xml_lex_piece_end): a piece of text, as
 * if libxml2 had read it here. Where a malformed tag made libxml2 read
 * markers as something else, the text before this one is dropped, as
 * it would have been. Other processing instructions mean nothing to a
 * feed.
 */
static void
xml_pi_cb(void *ctx, const xmlChar *target, const xmlChar *data)
{
	struct parse_xml	*x = ctx;
	struct buf		*t = &x->lex_text;
	const char		*d = (const char *)data;
	int64_t			 off, len;
	size_t			 at, n;
	int			 chunk;

	/* The target is lex_mark between "<?" and ' '. */
	if (target == NULL || d == NULL || strncmp((const char *)target,
	    x->lex_mark + sizeof(XML_TEXT_MARK_OPEN) - 2,
	    XML_TEXT_MARK_LEN - sizeof(XML_TEXT_MARK_OPEN) + 1) != 0 ||
	    target[XML_TEXT_MARK_LEN - sizeof(XML_TEXT_MARK_OPEN) + 1] != '\0')
		return;
	if ((off = xml_decimal_read(&d)) == -1 || *d++ != ' ' ||
	    (len = xml_decimal_read(&d)) == -1)
		len = 0;
	if ((uint64_t)off < x->lex_text_base || len == 0 ||
	    (uint64_t)off - x->lex_text_base > x->lex_piece ||
	    (uint64_t)len > x->lex_piece - ((uint64_t)off -
	    x->lex_text_base)) {
		/*
		 * Read once already, or its text dropped: only libxml2's
		 * recovery from a malformed tag (already reported) does it.
		 */
		log_debug("%s: a text marker out of step", __func__);
		return;
	}
	at = (size_t)((uint64_t)off - x->lex_text_base);
	for (n = (size_t)len; n > 0; n -= (size_t)chunk, at += chunk) {
		chunk = n > INT_MAX ? INT_MAX : (int)n;
		xml_chars_cb(x, (const xmlChar *)t->data + at, chunk);
	}
	/*
	 * The text up to here is read. The lexical pass may be a text node
	 * ahead (a piece is marked once whole): drop what is read when it
	 * is all there is, or most of a large buffer.
	 */
	if (at == t->len || (at >= XML_TEXT_DROP && at >= t->len / 2))
		xml_lex_text_drop(x, at);
}

/* Drops the first n bytes of the text on its way around libxml2. */
static void
xml_lex_text_drop(struct parse_xml *x, size_t n)
{
	struct buf	*t = &x->lex_text;

	if (n == t->len)
		buf_reset(t);
	else {
		memmove(t->data, t->data + n, t->len - n);
		t->len -= n;
		t->data[t->len] = '\0';
	}
	x->lex_text_base += n;
	x->lex_piece = x->lex_piece > n ? x->lex_piece - n : 0;
}

/* libxml2's diagnostics: the first error makes the document "bozo". */
static void
xml_error_cb(void *ctx, xmlErrorPtr err)
{
	struct parse_xml	*x = ctx;
	char			 msg[256];
	size_t			 n;

	if (err == NULL || err->level < XML_ERR_ERROR)
		return;
	snprintf(msg, sizeof(msg), "line %d: %s", err->line,
	    err->message ? err->message : "error");
	n = strlen(msg);
	while (n > 0 && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	log_debug("%s: %s", __func__, msg);
	free(x->last_error);
	if ((x->last_error = strdup(msg)) == NULL)
		fatal("%s", __func__);
	parse_bozo(x->p, msg);
}
