/* feedmesh: a growable byte buffer for text built from untrusted input. */
#ifndef FEEDMESH_BUF_H
#define FEEDMESH_BUF_H

#include <stddef.h>

struct buf {
	char	*data;		/* always NUL-terminated when non-NULL */
	size_t	 len;
	size_t	 cap;
};

void	 buf_init(struct buf *);
void	 buf_free(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_addstr(struct buf *, const char *);
void	 buf_addc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Length of the leading run of printable ASCII (0x20 to 0x7e) in s,
 * read a word at a time: the text filters pass such runs on in bulk.
 */
size_t	 buf_ascii_span(const char *, size_t);
/* n bytes as 2n lower-case hex digits and a NUL, into out. */
void	 buf_hex(char *, const void *, size_t);
/* Hands the contents to the caller (never NULL) and empties the buffer. */
char	*buf_release(struct buf *);

#endif
