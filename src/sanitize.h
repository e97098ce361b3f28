/*
 * feedmesh: HTML from peers made safe to embed, once, at ingest: an
 * allowlist of elements, attributes and URL schemes applied to libxml2's
 * HTML parse tree, serialized back as well-formed markup.
 */
#ifndef FEEDMESH_SANITIZE_H
#define FEEDMESH_SANITIZE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Returns sanitized HTML (never NULL; "" for nothing left). Relative
 * href/src are resolved against base (may be NULL).
 */
char	*sanitize_html(const char *html, const char *base);
/*
 * The same for html known to be valid UTF-8 with no C0 control but tab,
 * LF and CR (the XML parser's text): faster, and the same bytes.
 */
char	*sanitize_html_valid(const char *html, const char *base);

/* Text content of an HTML fragment, whitespace collapsed: for titles. */
char	*sanitize_html_to_text(const char *html);

/* Text made into HTML (escaped, paragraphs kept). */
char	*sanitize_text_to_html(const char *text);

/*
 * Input beyond this size is not an entry: sanitize_html() keeps only the
 * text of its first SANITIZE_MAX_INPUT bytes.
 */
#define SANITIZE_MAX_INPUT	(2 * 1024 * 1024)

/*
 * Hosts whose https iframes are kept (video players such as PeerTube
 * instances), besides the built-in www.youtube.com,
 * www.youtube-nocookie.com, player.vimeo.com and www.dailymotion.com;
 * replaces the previous administrator list (n = 0 clears it).
 */
void	 sanitize_set_iframe_hosts(const char *const *hosts, int n);

/*
 * Decodes the UTF-8 sequence at s (len > 0 bytes) into *c, returns its
 * length; malformed input gives U+FFFD and the number of bytes to skip.
 */
size_t	 sanitize_utf8_next(const char *s, size_t len, uint32_t *c);

/*
 * For the tests: 0 turns the fast paths (text without markup, clean HTML
 * read without libxml2) off; both must give the same bytes. The count is
 * of the HTML fragments the clean-HTML fast path has read.
 */
void	 sanitize_set_fast(int on);
unsigned long sanitize_fast_taken(void);

#endif
