/*
 * feedmesh: what parse.c shares with its format back ends, parse_xml.c
 * and parse_json.c (not for other modules: they use parse.h).
 */
#ifndef FEEDMESH_PARSE_PRIVATE_H
#define FEEDMESH_PARSE_PRIVATE_H

#include <stddef.h>

#include "buf.h"
#include "entry.h"
#include "parse.h"

/* Limits, in one place. */
#define PARSE_MAX_DEPTH		256		/* default element depth */
#define PARSE_MAX_FIELD		(1024 * 1024)	/* bytes of text per field */
/* Values in a JSON document: bounds the entries it holds until its end. */
#define PARSE_MAX_JSON_VALUES	250000
#define PARSE_MAX_LIST		64		/* authors, links... each */

struct parse_decoder;
struct parse_xml;
struct parse_json;

/*
 * An entry as a back end read it, before normalization: title may be
 * HTML (title_html), summary is HTML and summary_text text (either may be
 * missing), content is HTML or text per content_type; the bases are those
 * in scope where summary and content were read (NULL: the document's).
 * utf8_clean: the back end read every string out of parse_decoder's
 * output (valid UTF-8 without C0 controls, never cut inside a sequence),
 * so parse_emit need not check them again.
 */
struct parse_item {
	struct entry	*e;
	int		 title_html;
	int		 utf8_clean;	/* every string came from the decoder */
	char		*summary_base;
	char		*content_base;
};

/* parse.c */
void		 parse_emit(struct parser *, struct parse_item *);
void		 parse_fail(struct parser *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
int		 parse_failed(const struct parser *);
struct feed_meta *parse_meta_edit(struct parser *);
const char	*parse_base(const struct parser *);
const char	*parse_content_type(const struct parser *);
size_t		 parse_depth_limit(const struct parser *);
void		 parse_bozo(struct parser *, const char *);
char		*parse_text(const char *, int html);
int		 parse_looks_html(const char *);
void		 parse_set_url(char **, const char *base, const char *ref);

/*
 * Bytes in any charset to valid UTF-8: invalid input as U+FFFD, stray
 * bytes in UTF-8 as Windows-1252.
 */
struct parse_decoder *parse_decoder_new(const char *charset);
void		 parse_decoder_feed(struct parse_decoder *, const char *,
		    size_t, int final, struct buf *);
/*
 * parse_decoder_feed without copying what needs no repair: the output is
 * out[0..*head), then view[0..*viewlen) (the caller's own bytes), then
 * out[*head..out->len) from the first byte that needed a repair on.
 */
void		 parse_decoder_view(struct parse_decoder *, const char *,
		    size_t, int final, struct buf *out, size_t *head,
		    const char **view, size_t *viewlen);
void		 parse_decoder_free(struct parse_decoder *);
size_t		 parse_decoder_repaired(const struct parse_decoder *);
void		 parse_utf8_repair(char **);

/* parse_xml.c */
struct parse_xml *parse_xml_new(struct parser *);
int		 parse_xml_feed(struct parse_xml *, const char *, size_t);
int		 parse_xml_finish(struct parse_xml *);
void		 parse_xml_free(struct parse_xml *);

/* parse_json.c */
struct parse_json *parse_json_new(struct parser *);
int		 parse_json_feed(struct parse_json *, const char *, size_t);
int		 parse_json_finish(struct parse_json *);
void		 parse_json_free(struct parse_json *);
/*
 * One JSON value (valid UTF-8) as jansson would read it, by the fast
 * reader of items: NULL where that reader gives up, an error included.
 * For the tests, which compare the two.
 */
struct json_t	*parse_json_fast(const char *, size_t);

#endif
