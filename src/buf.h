/* feedmesh: a growable byte buffer for text built from untrusted input. */
#ifndef FEEDMESH_BUF_H
#define FEEDMESH_BUF_H

#include <stddef.h>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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
/* Room for n more bytes at once, where the size is known beforehand. */
void	 buf_reserve(struct buf *, size_t);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/*
 * Length of the leading run of printable ASCII (0x20 to 0x7e) in s,
 * read a word at a time: the text filters pass such runs on in bulk.
 */
size_t	 buf_ascii_span(const char *, size_t);
/*
 * Where the first of the bytes a to e (repeat one to look for fewer) is
 * in s[i..end), or end. The text passes spend most of their time looking
 * for the next byte they must act on: sixteen bytes at a time where SSE2
 * is there (every x86-64), one at a time elsewhere. s need not be
 * NUL-terminated. Inline: it is called once per run of plain text.
 */
static inline size_t
buf_scan(const char *s, size_t i, size_t end, char a, char b, char c,
    char d, char e)
{
	char	 ch;

#if defined(__SSE2__)
	const __m128i	 va = _mm_set1_epi8(a), vb = _mm_set1_epi8(b);
	const __m128i	 vc = _mm_set1_epi8(c), vd = _mm_set1_epi8(d);
	const __m128i	 ve = _mm_set1_epi8(e);
	__m128i		 w, m;
	unsigned int	 bits;

	for (; i + 16 <= end; i += 16) {
		w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(w, va),
		    _mm_cmpeq_epi8(w, vb)), _mm_or_si128(_mm_cmpeq_epi8(w, vc),
		    _mm_or_si128(_mm_cmpeq_epi8(w, vd), _mm_cmpeq_epi8(w, ve))));
		if ((bits = (unsigned int)_mm_movemask_epi8(m)) != 0)
			return (i + (size_t)__builtin_ctz(bits));
	}
#endif
	for (; i < end; i++) {
		ch = s[i];
		if (ch == a || ch == b || ch == c || ch == d || ch == e)
			break;
	}
	return (i);
}
/* n bytes as 2n lower-case hex digits and a NUL, into out. */
void	 buf_hex(char *, const void *, size_t);
/* Hands the contents to the caller (never NULL) and empties the buffer. */
char	*buf_release(struct buf *);

#endif
