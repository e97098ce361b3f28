/* feedmesh: reading the dates feeds carry, writing RFC 3339 and HTTP dates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "date.h"
#include "entry.h"

/* Longest date string worth looking at; feeds' dates are short. */
#define DATE_MAX_LEN		128
/* Most tokens a free-form date may have ("mardi 24 novembre 2026 ..."). */
#define DATE_MAX_TOKENS		12

enum date_tok_type {
	DATE_TOK_NUM,		/* digits */
	DATE_TOK_TIME,		/* hh:mm[:ss[.frac]] or 10h00 */
	DATE_TOK_ZONE,		/* +hhmm, -hh:mm, or a named zone */
	DATE_TOK_MONTH,
	DATE_TOK_AMPM
};

struct date_tok {
	enum date_tok_type	 type;
	int64_t			 num;	/* number, month 1-12, zone minutes */
	int			 ndigits;
	int			 h, mi, sec;
	int			 pm;
};

struct date_word {
	const char	*name;
	int		 value;
};

static int64_t	 date_from_civil(int64_t, int, int);
static int	 date_days_in_month(int64_t, int);
static int	 date_digits(const char **, int, int64_t *);
static int	 date_zone_numeric(const char **, int *);
static int64_t	 date_assemble(int64_t, int, int, int, int, int, int,
		    const char **);
static int64_t	 date_parse_iso(const char *, const char **);
static int64_t	 date_parse_words(const char *, const char **);
static int	 date_word_lookup(const char *, const struct date_word *);
static int	 date_word_fold(const char *, size_t, char *, size_t);

/*
 * Month names: English, French with and without accents, abbreviated with
 * or without the dot (the dot is dropped before lookup).
 */
static const struct date_word date_months[] = {
	{ "jan", 1 }, { "january", 1 }, { "janv", 1 }, { "janvier", 1 },
	{ "feb", 2 }, { "february", 2 }, { "fev", 2 }, { "fevr", 2 },
	{ "fevrier", 2 },
	{ "mar", 3 }, { "march", 3 }, { "mars", 3 },
	{ "apr", 4 }, { "april", 4 }, { "avr", 4 }, { "avril", 4 },
	{ "may", 5 }, { "mai", 5 },
	{ "jun", 6 }, { "june", 6 }, { "juin", 6 },
	{ "jul", 7 }, { "july", 7 }, { "juil", 7 }, { "juillet", 7 },
	{ "aug", 8 }, { "august", 8 }, { "aou", 8 }, { "aout", 8 },
	{ "sep", 9 }, { "sept", 9 }, { "september", 9 }, { "septembre", 9 },
	{ "oct", 10 }, { "october", 10 }, { "octobre", 10 },
	{ "nov", 11 }, { "november", 11 }, { "novembre", 11 },
	{ "dec", 12 }, { "december", 12 }, { "decembre", 12 },
	{ NULL, 0 }
};

/* Day names are skipped: feeds often get them wrong. */
static const struct date_word date_days[] = {
	{ "mon", 1 }, { "monday", 1 }, { "tue", 1 }, { "tues", 1 },
	{ "tuesday", 1 }, { "wed", 1 }, { "wednesday", 1 }, { "thu", 1 },
	{ "thur", 1 }, { "thurs", 1 }, { "thursday", 1 }, { "fri", 1 },
	{ "friday", 1 }, { "sat", 1 }, { "saturday", 1 }, { "sun", 1 },
	{ "sunday", 1 },
	{ "lun", 1 }, { "lundi", 1 }, { "mardi", 1 }, { "mer", 1 },
	{ "mercredi", 1 }, { "jeu", 1 }, { "jeudi", 1 }, { "ven", 1 },
	{ "vendredi", 1 }, { "sam", 1 }, { "samedi", 1 }, { "dim", 1 },
	{ "dimanche", 1 },
	/* Connecting words: "le 1er mai 2026 à 10h00", "at". */
	{ "le", 1 }, { "a", 1 }, { "at", 1 }, { "er", 1 },
	{ NULL, 0 }
};

/* Named zones, in minutes east of UTC. */
static const struct date_word date_zones[] = {
	{ "ut", 0 }, { "utc", 0 }, { "gmt", 0 }, { "z", 0 },
	{ "est", -300 }, { "edt", -240 }, { "cst", -360 }, { "cdt", -300 },
	{ "mst", -420 }, { "mdt", -360 }, { "pst", -480 }, { "pdt", -420 },
	{ "cet", 60 }, { "cest", 120 }, { "met", 60 }, { "mest", 120 },
	{ "bst", 60 }, { "wet", 0 }, { "west", 60 }, { "eet", 120 },
	{ "eest", 180 },
	{ NULL, 0 }
};

/* Days since 1970-01-01 of a proleptic Gregorian date (no time zone). */
static int64_t
date_from_civil(int64_t y, int m, int d)
{
	int64_t	 era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return (era * 146097 + doe - 719468);
}

static int
date_days_in_month(int64_t y, int m)
{
	static const int days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return (29);
	return (days[m - 1]);
}

/*
 * Reads between 1 and max digits (max 0: any number, but at most 9 are
 * kept so that nothing overflows); returns how many were read.
 */
static int
date_digits(const char **sp, int max, int64_t *out)
{
	const char	*s = *sp;
	int		 n = 0;
	int64_t		 v = 0;

	while (*s >= '0' && *s <= '9' && (max == 0 || n < max)) {
		if (n < 10)
			v = v * 10 + (*s - '0');
		n++;
		s++;
	}
	*sp = s;
	*out = v;
	return (n);
}

/* "+hh:mm", "+hhmm", "+hh" or "-..."; minutes east of UTC in *off. */
static int
date_zone_numeric(const char **sp, int *off)
{
	const char	*s = *sp;
	int64_t		 h, m = 0;
	int		 sign, n;

	if (*s != '+' && *s != '-')
		return (-1);
	sign = *s++ == '-' ? -1 : 1;
	n = date_digits(&s, 4, &h);
	if (n == 4) {
		m = h % 100;
		h /= 100;
	} else if (n == 2 || n == 1) {
		if (*s == ':') {
			s++;
			if (date_digits(&s, 2, &m) != 2)
				return (-1);
		}
	} else
		return (-1);
	if (h > 23 || m > 59)
		return (-1);
	*off = sign * (int)(h * 60 + m);
	*sp = s;
	return (0);
}

/* Checks the fields and returns UTC seconds; off is minutes east of UTC. */
static int64_t
date_assemble(int64_t y, int mo, int d, int h, int mi, int sec, int off,
    const char **why)
{
	if (y < 1 || y > 9999) {
		*why = "year out of range";
		return (ENTRY_NO_TIME);
	}
	if (mo < 1 || mo > 12) {
		*why = "month out of range";
		return (ENTRY_NO_TIME);
	}
	if (d < 1 || d > date_days_in_month(y, mo)) {
		*why = "day out of range";
		return (ENTRY_NO_TIME);
	}
	/* 24:00:00 is the end of the day; :60 a leap second. */
	if (h < 0 || h > 24 || mi < 0 || mi > 59 || sec < 0 || sec > 60 ||
	    (h == 24 && (mi != 0 || sec != 0))) {
		*why = "time out of range";
		return (ENTRY_NO_TIME);
	}
	return (date_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec -
	    (int64_t)off * 60);
}

/*
 * RFC 3339, W3CDTF and ISO 8601: "2026-11-24T10:00:00.5+01:00",
 * "2026-11-24", "2026-11", "2026", "2026-11-24 10:00:00",
 * "20261124T100000Z", "2026/11/24 10:00", "2026-328" (ordinal).
 */
static int64_t
date_parse_iso(const char *s, const char **why)
{
	int64_t	 y, mo = 1, d = 1, h = 0, mi = 0, sec = 0, frac;
	int	 n, off = 0, basic;
	char	 sep;

	n = date_digits(&s, 0, &y);
	basic = n == 8 || n == 14;
	if (basic) {
		/* 20261124 or 20261124100000 */
		if (n == 14) {
			sec = y % 100;
			mi = (y / 100) % 100;
			h = (y / 10000) % 100;
			y /= 1000000;
		}
		d = y % 100;
		mo = (y / 100) % 100;
		y /= 10000;
	} else if (n != 4) {
		*why = n > 4 ? "year out of range" : "malformed ISO 8601 date";
		return (ENTRY_NO_TIME);
	} else if (*s == '-' || *s == '/') {
		sep = *s++;
		n = date_digits(&s, 0, &mo);
		if (n == 3 && sep == '-') {
			/* Ordinal date, "2026-328": the day of the year. */
			if (mo < 1 || mo > 365 + (date_days_in_month(y, 2) ==
			    29))
				goto bad;
			for (d = mo, mo = 1; d > date_days_in_month(y,
			    (int)mo); mo++)
				d -= date_days_in_month(y, (int)mo);
		} else if (n != 2)
			goto bad;
		else if (*s == sep) {
			s++;
			if (date_digits(&s, 0, &d) != 2)
				goto bad;
		}
	}
	if ((*s == 'T' || *s == 't' || *s == ' ') && n != 14 &&
	    s[1] >= '0' && s[1] <= '9') {
		s++;
		if (date_digits(&s, 2, &h) != 2)
			goto bad;
		if (*s == ':') {
			s++;
			if (date_digits(&s, 2, &mi) != 2)
				goto bad;
			if (*s == ':') {
				s++;
				if (date_digits(&s, 2, &sec) != 2)
					goto bad;
			}
		} else if (basic) {
			if (date_digits(&s, 2, &mi) != 2)
				goto bad;
			if (*s >= '0' && *s <= '9' &&
			    date_digits(&s, 2, &sec) != 2)
				goto bad;
		} else
			goto bad;
		if (*s == '.' || *s == ',') {
			s++;
			if (date_digits(&s, 0, &frac) == 0)
				goto bad;
		}
	}
	while (*s == ' ')
		s++;
	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		if (date_zone_numeric(&s, &off) == -1)
			goto bad;
	} else if (*s != '\0') {
		/* "2026-11-24 10:00:00 GMT" and the like. */
		const char	*w = s;
		char		 z[8];
		size_t		 len;
		int		 v;

		while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z'))
			s++;
		len = (size_t)(s - w);
		if (len == 0 || date_word_fold(w, len, z, sizeof(z)) == -1 ||
		    (v = date_word_lookup(z, date_zones)) == INT32_MIN)
			goto bad;
		off = v;
	}
	while (*s == ' ')
		s++;
	if (*s != '\0')
		goto bad;
	return (date_assemble(y, (int)mo, (int)d, (int)h, (int)mi, (int)sec,
	    off, why));
bad:
	*why = "malformed ISO 8601 date";
	return (ENTRY_NO_TIME);
}

/*
 * Folds a word to lower-case ASCII without accents (the French é, è, ê,
 * û, ô, à of month and day names, in UTF-8 or Latin-1) and drops a
 * trailing dot; -1 if it does not fit or has other bytes.
 */
static int
date_word_fold(const char *w, size_t len, char *out, size_t outlen)
{
	const unsigned char	*p = (const unsigned char *)w;
	size_t			 i, o = 0;
	unsigned char		 c;

	if (len > 0 && w[len - 1] == '.')
		len--;
	for (i = 0; i < len; i++) {
		c = p[i];
		if (c >= 'A' && c <= 'Z')
			c = c - 'A' + 'a';
		else if (c == 0xc3 && i + 1 < len) {
			/* UTF-8 Latin-1 supplement: map to its Latin-1 byte. */
			c = (unsigned char)(p[++i] + 0x40);
		}
		switch (c) {
		case 0xe0: case 0xe2: case 0xc0: case 0xc2:
			c = 'a';
			break;
		case 0xe7: case 0xc7:
			c = 'c';
			break;
		case 0xe8: case 0xe9: case 0xea: case 0xeb:
		case 0xc8: case 0xc9: case 0xca: case 0xcb:
			c = 'e';
			break;
		case 0xee: case 0xef: case 0xce: case 0xcf:
			c = 'i';
			break;
		case 0xf4: case 0xd4:
			c = 'o';
			break;
		case 0xf9: case 0xfb: case 0xd9: case 0xdb:
			c = 'u';
			break;
		default:
			if (c < 'a' || c > 'z')
				return (-1);
		}
		if (o + 1 >= outlen)
			return (-1);
		out[o++] = (char)c;
	}
	out[o] = '\0';
	return (o > 0 ? 0 : -1);
}

static int
date_word_lookup(const char *w, const struct date_word *table)
{
	size_t	 i;

	for (i = 0; table[i].name != NULL; i++)
		if (strcmp(w, table[i].name) == 0)
			return (table[i].value);
	return (INT32_MIN);
}

/*
 * RFC 822/1123/850, asctime and the variants found in feeds: the string
 * is cut into tokens (numbers, times, zones, month names; day names and
 * a few French connecting words are skipped), then day, month and year
 * are told apart by their shape.
 */
static int64_t
date_parse_words(const char *s, const char **why)
{
	struct date_tok	 tok[DATE_MAX_TOKENS], *t, *time = NULL;
	int		 ntok = 0, i, v, off = 0, haszone = 0, nnum = 0;
	int		 month = 0, mar_day = 0, numpos[DATE_MAX_TOKENS];
	int64_t		 day = -1, year = -1, x;
	const char	*w, *start = s;
	char		 word[16];
	size_t		 len;

	while (*s != '\0') {
		/*
		 * '-' separates "24-Nov-2026" but is a zone's sign after the
		 * time ("10:00:00 -0500").
		 */
		if (*s == '-' && time == NULL && s[1] >= '0' && s[1] <= '9' &&
		    (s == start || s[-1] == ' ' || s[-1] == ',')) {
			*why = "negative number in date";
			return (ENTRY_NO_TIME);
		}
		if (*s == ' ' || *s == '\t' || *s == ',' || *s == '\r' ||
		    *s == '\n' || *s == '/' || (*s == '-' &&
		    (time == NULL || s[1] < '0' || s[1] > '9'))) {
			s++;
			continue;
		}
		if (ntok == DATE_MAX_TOKENS) {
			*why = "too many words in date";
			return (ENTRY_NO_TIME);
		}
		t = &tok[ntok];
		memset(t, 0, sizeof(*t));
		if (*s == '+' || *s == '-') {
			if (date_zone_numeric(&s, &v) == -1)
				goto bad;
			t->type = DATE_TOK_ZONE;
			t->num = v;
			ntok++;
			continue;
		}
		if (*s >= '0' && *s <= '9') {
			t->ndigits = date_digits(&s, 0, &x);
			if (*s == ':' || ((*s == 'h' || *s == 'H') &&
			    s[1] >= '0' && s[1] <= '9')) {
				int64_t	 mi, sec = 0, frac;

				s++;
				if (t->ndigits > 2 ||
				    date_digits(&s, 0, &mi) != 2)
					goto bad;
				if (*s == ':') {
					s++;
					if (date_digits(&s, 0, &sec) != 2)
						goto bad;
					if (*s == '.') {
						s++;
						if (date_digits(&s, 0, &frac) ==
						    0)
							goto bad;
					}
				}
				if (time != NULL)
					goto bad;
				t->type = DATE_TOK_TIME;
				t->h = (int)x;
				t->mi = (int)mi;
				t->sec = (int)sec;
				time = t;
			} else {
				if (t->ndigits > 9)
					goto range;
				t->type = DATE_TOK_NUM;
				t->num = x;
				numpos[nnum++] = ntok;
			}
			ntok++;
			continue;
		}
		/* A word: up to the next separator or digit. */
		w = s;
		while (*s != '\0' && *s != ' ' && *s != '\t' && *s != ',' &&
		    *s != '-' && *s != '/' && *s != '+' &&
		    !(*s >= '0' && *s <= '9'))
			s++;
		len = (size_t)(s - w);
		if (date_word_fold(w, len, word, sizeof(word)) == -1)
			goto bad;
		if (len == 1 && word[0] != 'j') {
			/*
			 * Military zones. RFC 822 got their signs backwards
			 * (RFC 1123, 5.2.14); these are the real ones:
			 * A-M east of UTC, N-Y west, Z is UTC. ("à" is two
			 * bytes, so it is a word below.)
			 */
			t->type = DATE_TOK_ZONE;
			if (word[0] == 'z')
				t->num = 0;
			else if (word[0] < 'j')
				t->num = (word[0] - 'a' + 1) * 60;
			else if (word[0] <= 'm')
				t->num = (word[0] - 'a') * 60;
			else
				t->num = -(word[0] - 'n' + 1) * 60;
		} else if ((v = date_word_lookup(word, date_months)) !=
		    INT32_MIN) {
			/*
			 * "mar." is mardi as well as March: a second month
			 * ("mar., 24 nov. 2026") says which it was.
			 */
			if (month == 3 && mar_day)
				month = 0;
			if (month != 0)
				goto bad;
			mar_day = strcmp(word, "mar") == 0;
			t->type = DATE_TOK_MONTH;
			month = v;
		} else if (date_word_lookup(word, date_days) != INT32_MIN)
			continue;
		else if (strcmp(word, "am") == 0 || strcmp(word, "pm") == 0) {
			t->type = DATE_TOK_AMPM;
			t->pm = word[0] == 'p';
		} else if ((v = date_word_lookup(word, date_zones)) !=
		    INT32_MIN) {
			t->type = DATE_TOK_ZONE;
			t->num = v;
		} else if (time != NULL && strlen(word) >= 2 &&
		    strlen(word) <= 5 &&
		    word[strspn(word, "abcdefghijklmnopqrstuvwxyz")] == '\0') {
			/*
			 * A zone name we do not know, after the time
			 * ("10:00:00 XYZT"): UTC, as a date without a zone.
			 */
			t->type = DATE_TOK_ZONE;
			t->num = 0;
		} else
			goto bad;
		ntok++;
	}

	if (month == 0 || nnum < 2) {
		if (month == 0)
			*why = "no month in date";
		else
			*why = "no year in date";
		return (ENTRY_NO_TIME);
	}
	/*
	 * Day and year: a number of 3 or more digits, or above 31, is the
	 * year. Otherwise "24 Nov 26" (day first) and "Nov 24 ... 2026".
	 */
	for (i = 0; i < nnum; i++) {
		t = &tok[numpos[i]];
		if (year == -1 && (t->ndigits >= 3 || t->num > 31)) {
			year = t->num;
			if (t->ndigits <= 2)
				year += year < 50 ? 2000 : 1900;
			else if (t->ndigits == 3)
				year += 1900;
		} else if (day == -1 && t->ndigits <= 2)
			day = t->num;
		else if (year == -1 && t->ndigits <= 2) {
			year = t->num + (t->num < 50 ? 2000 : 1900);
		} else
			goto bad;
	}
	if (day == -1 || year == -1) {
		*why = day == -1 ? "no day in date" : "no year in date";
		return (ENTRY_NO_TIME);
	}
	for (i = 0; i < ntok; i++) {
		if (tok[i].type == DATE_TOK_ZONE) {
			if (haszone)
				goto bad;
			haszone = 1;
			off = (int)tok[i].num;
		} else if (tok[i].type == DATE_TOK_AMPM) {
			if (time == NULL || time->h < 1 || time->h > 12)
				goto bad;
			if (tok[i].pm && time->h != 12)
				time->h += 12;
			else if (!tok[i].pm && time->h == 12)
				time->h = 0;
		}
	}
	if (haszone && time == NULL)
		goto bad;
	return (date_assemble(year, month, (int)day, time ? time->h : 0,
	    time ? time->mi : 0, time ? time->sec : 0, off, why));
range:
	*why = "number out of range in date";
	return (ENTRY_NO_TIME);
bad:
	*why = "unrecognized date";
	return (ENTRY_NO_TIME);
}

int64_t
date_parse(const char *s, const char **why)
{
	const char	*dummy;
	char		 copy[DATE_MAX_LEN];
	size_t		 len;

	if (why == NULL)
		why = &dummy;
	*why = NULL;
	if (s == NULL) {
		*why = "no date";
		return (ENTRY_NO_TIME);
	}
	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	len = strlen(s);
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' ||
	    s[len - 1] == '\r' || s[len - 1] == '\n'))
		len--;
	if (len == 0) {
		*why = "empty date";
		return (ENTRY_NO_TIME);
	}
	if (len >= sizeof(copy)) {
		*why = "date too long";
		return (ENTRY_NO_TIME);
	}
	memcpy(copy, s, len);
	copy[len] = '\0';
	/* A leading run of 4 or more digits is ISO 8601's year first. */
	if (len >= 4 && copy[0] >= '0' && copy[0] <= '9' && copy[1] >= '0' &&
	    copy[1] <= '9' && copy[2] >= '0' && copy[2] <= '9' &&
	    copy[3] >= '0' && copy[3] <= '9')
		return (date_parse_iso(copy, why));
	return (date_parse_words(copy, why));
}

void
date_format_rfc3339(int64_t t, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	if (gmtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "1970-01-01T00:00:00Z");
		return;
	}
	/*
	 * Four digits always (RFC 3339's date-fullyear): strftime's %Y
	 * writes year 11 as "11", which no parser, ours included, reads
	 * back, so such an entry lost its date on the next node.
	 */
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
}

void
date_format_http(int64_t t, char *buf, size_t len)
{
	static const char *const days[] = {
		"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
	};
	static const char *const months[] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
	};
	struct tm	 tm;
	time_t		 tt = (time_t)t;

	/* Not strftime: HTTP dates are English whatever the locale. */
	if (gmtime_r(&tt, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	snprintf(buf, len, "%s, %02d %s %04d %02d:%02d:%02d GMT",
	    days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
	    tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void
date_json_set(json_t *o, const char *key, int64_t t)
{
	char	 buf[DATE_RFC3339_LEN];

	if (t <= 0) {
		json_object_set_new(o, key, json_null());
		return;
	}
	date_format_rfc3339(t, buf, sizeof(buf));
	json_object_set_new(o, key, json_string(buf));
}
