/*
 * feedmesh: the node's peers as OPML 2.0 (the feed readers' list of
 * subscriptions), and peer files written from such a list.
 */
#ifndef FEEDMESH_OPML_H
#define FEEDMESH_OPML_H

#include <stdio.h>

struct config;

/* The peers of conf as an OPML 2.0 document (a new string). */
char	*opml_export(const struct config *);

/*
 * Writes one peer file "NAME.conf" in dir per outline of file that has
 * an http(s) xmlUrl. NAME comes from the outline's title (else text,
 * else the URL's host): [a-z0-9-], at most 48 bytes, unique in the
 * import. An existing file is left alone unless force. Says what it
 * did on out; returns the number of files written, or -1 if the file
 * cannot be read as OPML.
 */
int	 opml_import(const char *file, const char *dir, int force, FILE *out);

/* The peer name derived from a title (a new string, never empty). */
char	*opml_peer_name(const char *title);

#endif
