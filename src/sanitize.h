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

/* Hosts whose iframes are kept (video players); replaces the list. */
void	 sanitize_set_iframe_hosts(const char *const *hosts, int n);

#endif
