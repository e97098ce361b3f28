/*
 * feedmesh: HTML from peers made safe to embed, once, at ingest: an
 * allowlist of elements, attributes and URL schemes applied to libxml2's
 * HTML parse tree, serialized back as well-formed markup.
 */
#ifndef FEEDMESH_SANITIZE_H
#define FEEDMESH_SANITIZE_H

/*
 * Returns sanitized HTML (never NULL; "" for nothing left). Relative
 * href/src are resolved against base (may be NULL).
 */
char	*sanitize_html(const char *html, const char *base);

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

#endif
