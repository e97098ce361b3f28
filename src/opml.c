/*
 * feedmesh: OPML 2.0 export of the peers, and peer files from an OPML
 * document (a file the administrator chose, still read with care: no
 * network, no entity expansion, bounded names and URLs).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "buf.h"
#include "conf.h"
#include "log.h"
#include "opml.h"

#define OPML_NAME_MAX		48
#define OPML_URL_MAX		2048
#define OPML_TITLE_MAX		200
#define OPML_MAX_OUTLINES	10000
#define OPML_MAX_SUFFIX		1000

struct opml_import_ctx {
	const char	*dir;
	int		 force;
	FILE		*out;
	int		 written;
	int		 seen;
	char		**names;	/* given in this import */
	size_t		 nnames;
};

static void	 opml_escape(struct buf *, const char *);
static int	 opml_url_ok(const char *);
static void	 opml_walk(struct opml_import_ctx *, xmlNode *, int);
static void	 opml_outline(struct opml_import_ctx *, xmlNode *);
static int	 opml_name_taken(struct opml_import_ctx *, const char *);
static void	 opml_clean(char *, size_t, const char *);

/* XML text for an attribute value. */
static void
opml_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			buf_addstr(b, "&amp;");
			break;
		case '<':
			buf_addstr(b, "&lt;");
			break;
		case '>':
			buf_addstr(b, "&gt;");
			break;
		case '"':
			buf_addstr(b, "&quot;");
			break;
		case '\n':
		case '\r':
		case '\t':
			buf_addc(b, ' ');
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				buf_addc(b, *s);
		}
	}
}

/*
 * Each peer an outline: text and title are its name, xmlUrl its feed,
 * type "rss" (the OPML convention for any feed, RSS or Atom), htmlUrl
 * the feed URL's site when it is a feedmesh node (".../feeds/...").
 */
char *
opml_export(const struct config *conf)
{
	struct peer_conf	*p;
	struct buf		 b;
	const char		*f;
	char			*site;

	buf_init(&b);
	buf_addstr(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<opml version=\"2.0\">\n<head>\n<title>");
	opml_escape(&b, conf->title != NULL ? conf->title : "");
	buf_addstr(&b, ": peers</title>\n<ownerName>");
	opml_escape(&b, conf->node != NULL ? conf->node : "");
	buf_addstr(&b, "</ownerName>\n</head>\n<body>\n");
	TAILQ_FOREACH(p, &conf->peers, next) {
		buf_addstr(&b, "<outline type=\"rss\" text=\"");
		opml_escape(&b, p->name);
		buf_addstr(&b, "\" title=\"");
		opml_escape(&b, p->name);
		buf_addstr(&b, "\" xmlUrl=\"");
		opml_escape(&b, p->url);
		buf_addc(&b, '"');
		if ((f = strstr(p->url, "/feeds/")) != NULL) {
			if ((site = strndup(p->url, f - p->url + 1)) == NULL)
				fatal("%s", __func__);
			buf_addstr(&b, " htmlUrl=\"");
			opml_escape(&b, site);
			buf_addc(&b, '"');
			free(site);
		}
		if (!p->enabled)
			buf_addstr(&b, " feedmeshEnabled=\"no\"");
		buf_addstr(&b, "/>\n");
	}
	buf_addstr(&b, "</body>\n</opml>\n");
	return (buf_release(&b));
}

/*
 * A peer name from a title: ASCII letters and digits lower-cased, the
 * accented Latin letters of French and their neighbours reduced to
 * their base letter, anything else a single '-'; "peer" if nothing is
 * left.
 */
char *
opml_peer_name(const char *title)
{
	static const struct {
		const char	*utf8;
		char		 base;
	} fold[] = {
		{ "\xc3\xa0", 'a' }, { "\xc3\xa1", 'a' }, { "\xc3\xa2", 'a' },
		{ "\xc3\xa4", 'a' }, { "\xc3\x80", 'a' }, { "\xc3\x82", 'a' },
		{ "\xc3\xa7", 'c' }, { "\xc3\x87", 'c' }, { "\xc3\xa8", 'e' },
		{ "\xc3\xa9", 'e' }, { "\xc3\xaa", 'e' }, { "\xc3\xab", 'e' },
		{ "\xc3\x88", 'e' }, { "\xc3\x89", 'e' }, { "\xc3\x8a", 'e' },
		{ "\xc3\xae", 'i' }, { "\xc3\xaf", 'i' }, { "\xc3\x8e", 'i' },
		{ "\xc3\xb4", 'o' }, { "\xc3\xb6", 'o' }, { "\xc3\x94", 'o' },
		{ "\xc3\xb9", 'u' }, { "\xc3\xbb", 'u' }, { "\xc3\xbc", 'u' },
		{ "\xc3\x9b", 'u' }, { "\xc3\xbf", 'y' }, { "\xc3\xb1", 'n' },
	};
	char		 out[OPML_NAME_MAX + 1];
	const char	*p;
	size_t		 n = 0, i;
	char		 c;

	for (p = title != NULL ? title : ""; *p != '\0' && n < OPML_NAME_MAX;) {
		c = '-';
		if ((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			c = *p;
		else if (*p >= 'A' && *p <= 'Z')
			c = *p - 'A' + 'a';
		else
			for (i = 0; i < sizeof(fold) / sizeof(fold[0]); i++)
				if (strncmp(p, fold[i].utf8, 2) == 0) {
					c = fold[i].base;
					p++;
					break;
				}
		p++;
		if (c == '-' && (n == 0 || out[n - 1] == '-'))
			continue;
		out[n++] = c;
	}
	while (n > 0 && out[n - 1] == '-')
		n--;
	out[n] = '\0';
	if ((p = strdup(n > 0 ? out : "peer")) == NULL)
		fatal("%s", __func__);
	return ((char *)p);
}

/* An absolute http(s) URL of printable ASCII without spaces. */
static int
opml_url_ok(const char *u)
{
	size_t	 i;

	if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
		return (0);
	for (i = 0; u[i] != '\0'; i++)
		if ((unsigned char)u[i] <= 0x20 || (unsigned char)u[i] >= 0x7f ||
		    u[i] == '#' || i >= OPML_URL_MAX)
			return (0);
	return (1);
}

/* A title for a comment line: printable, one line, bounded. */
static void
opml_clean(char *out, size_t len, const char *s)
{
	size_t	 n = 0;

	for (; s != NULL && *s != '\0' && n + 1 < len; s++)
		out[n++] = (unsigned char)*s < 0x20 ? ' ' : *s;
	out[n] = '\0';
}

static int
opml_name_taken(struct opml_import_ctx *c, const char *name)
{
	size_t	 i;

	for (i = 0; i < c->nnames; i++)
		if (strcmp(c->names[i], name) == 0)
			return (1);
	return (0);
}

/* Writes the peer file of one outline. */
static void
opml_outline(struct opml_import_ctx *c, xmlNode *n)
{
	xmlChar		*url, *title, *text;
	char		*base = NULL, *name = NULL, *path = NULL;
	char		 comment[OPML_TITLE_MAX + 1];
	const char	*label;
	FILE		*f;
	int		 fd, i, flags;

	url = xmlGetProp(n, (const xmlChar *)"xmlUrl");
	title = xmlGetProp(n, (const xmlChar *)"title");
	text = xmlGetProp(n, (const xmlChar *)"text");
	if (url == NULL)
		goto done;
	c->seen++;
	if (!opml_url_ok((const char *)url)) {
		fprintf(c->out, "skipped: xmlUrl \"%.80s\" is not an http(s) "
		    "URL\n", (const char *)url);
		goto done;
	}
	label = title != NULL && *title != '\0' ? (const char *)title :
	    text != NULL && *text != '\0' ? (const char *)text :
	    strstr((const char *)url, "://") + 3;
	base = opml_peer_name(label);
	if ((name = strdup(base)) == NULL)
		fatal("%s", __func__);
	for (i = 2; opml_name_taken(c, name) && i < OPML_MAX_SUFFIX; i++) {
		free(name);
		if (asprintf(&name, "%.*s-%d", OPML_NAME_MAX - 4, base, i) == -1)
			fatal("%s", __func__);
	}
	c->names = reallocarray(c->names, c->nnames + 1, sizeof(*c->names));
	if (c->names == NULL)
		fatal("%s", __func__);
	c->names[c->nnames++] = strdup(name);
	if (asprintf(&path, "%s/%s.conf", c->dir, name) == -1)
		fatal("%s", __func__);
	flags = O_WRONLY | O_CREAT | (c->force ? O_TRUNC : O_EXCL);
	if ((fd = open(path, flags, 0644)) == -1) {
		if (errno == EEXIST)
			fprintf(c->out, "skipped: %s exists (-f replaces it)\n",
			    path);
		else
			fprintf(c->out, "skipped: %s: %s\n", path,
			    strerror(errno));
		goto done;
	}
	if ((f = fdopen(fd, "w")) == NULL) {
		close(fd);
		goto done;
	}
	opml_clean(comment, sizeof(comment), label);
	fprintf(f, "# Imported from OPML: %s\nurl = %s\n", comment,
	    (const char *)url);
	if (fclose(f) != 0) {
		fprintf(c->out, "failed: %s: %s\n", path, strerror(errno));
		goto done;
	}
	fprintf(c->out, "wrote %s\n", path);
	c->written++;
done:
	free(base);
	free(name);
	free(path);
	xmlFree(url);
	xmlFree(title);
	xmlFree(text);
}

/* Outlines may nest (folders): every one with an xmlUrl is a feed. */
static void
opml_walk(struct opml_import_ctx *c, xmlNode *n, int depth)
{
	for (; n != NULL && depth < 32 && c->seen < OPML_MAX_OUTLINES;
	    n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (xmlStrcmp(n->name, (const xmlChar *)"outline") == 0)
			opml_outline(c, n);
		opml_walk(c, n->children, depth + 1);
	}
}

int
opml_import(const char *file, const char *dir, int force, FILE *out)
{
	struct opml_import_ctx	 c;
	xmlDoc			*doc;
	xmlNode			*root;
	size_t			 i;

	/* No network, no DTD loading, entities left unexpanded. */
	doc = xmlReadFile(file, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR |
	    XML_PARSE_NOWARNING);
	if (doc == NULL || (root = xmlDocGetRootElement(doc)) == NULL ||
	    xmlStrcmp(root->name, (const xmlChar *)"opml") != 0) {
		fprintf(out, "%s: not an OPML document\n", file);
		xmlFreeDoc(doc);
		return (-1);
	}
	memset(&c, 0, sizeof(c));
	c.dir = dir;
	c.force = force;
	c.out = out;
	opml_walk(&c, root->children, 0);
	xmlFreeDoc(doc);
	for (i = 0; i < c.nnames; i++)
		free(c.names[i]);
	free(c.names);
	fprintf(out, "%d peer file%s written from %d outline%s\n", c.written,
	    c.written == 1 ? "" : "s", c.seen, c.seen == 1 ? "" : "s");
	return (c.written);
}
