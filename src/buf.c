/* feedmesh: a growable byte buffer for text built from untrusted input. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"

static void	 buf_grow(struct buf *, size_t);

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

static void
buf_grow(struct buf *b, size_t need)
{
	size_t	 cap;

	if (need < b->len || need + 1 < need)
		fatalx("%s: size overflow", __func__);
	if (need + 1 <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need + 1)
		cap *= 2;
	if ((b->data = realloc(b->data, cap)) == NULL)
		fatal("%s", __func__);
	b->cap = cap;
}

/* The common case, room already there, costs one comparison. */
void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (b->data == NULL || n >= b->cap - b->len)
		buf_grow(b, b->len + n);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void
buf_reserve(struct buf *b, size_t n)
{
	if (n > SIZE_MAX - b->len)
		fatalx("%s: size overflow", __func__);
	buf_grow(b, b->len + n);
	b->data[b->len] = '\0';
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_addc(struct buf *b, char c)
{
	if (b->data == NULL || b->cap - b->len < 2)
		buf_grow(b, b->len + 1);
	b->data[b->len++] = c;
	b->data[b->len] = '\0';
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		fatalx("%s: vsnprintf", __func__);
	buf_grow(b, b->len + (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *
buf_release(struct buf *b)
{
	char	*s;

	if (b->data == NULL) {
		buf_grow(b, 0);
		b->data[0] = '\0';
	}
	s = b->data;
	buf_init(b);
	return (s);
}

size_t
buf_ascii_span(const char *s, size_t len)
{
	size_t		 i = 0;
#if defined(__SSE2__)
	const __m128i	 below = _mm_set1_epi8(0x1f), del = _mm_set1_epi8(0x7f);
	__m128i		 w;
	unsigned int	 bad;

	/*
	 * Signed, a byte above 0x1f is printable ASCII or DEL: the bytes
	 * of 0x80 and over are negative.
	 */
	for (; i + 16 <= len; i += 16) {
		w = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		bad = ~(unsigned int)_mm_movemask_epi8(_mm_andnot_si128(
		    _mm_cmpeq_epi8(w, del), _mm_cmpgt_epi8(w, below))) & 0xffff;
		if (bad != 0)
			return (i + (size_t)__builtin_ctz(bad));
	}
#else
	const uint64_t	 ones = 0x0101010101010101ULL;
	const uint64_t	 highs = 0x8080808080808080ULL;
	uint64_t	 w;

	/*
	 * A word is plain when no byte has its high bit set, none is below
	 * 0x20 (x - 0x20 borrows into the high bit) and none is 0x7f
	 * (x + 1 carries into it).
	 */
	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		if ((w & highs) != 0 || ((w - 0x20 * ones) & highs) != 0 ||
		    ((w + ones) & highs) != 0)
			break;
	}
#endif
	while (i < len && (unsigned char)s[i] >= 0x20 &&
	    (unsigned char)s[i] < 0x7f)
		i++;
	return (i);
}

void
buf_hex(char *out, const void *in, size_t n)
{
	static const char	 digits[] = "0123456789abcdef";
	const unsigned char	*p = in;
	size_t			 i;

	for (i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 0xf];
	}
	out[2 * n] = '\0';
}
