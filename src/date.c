/* feedmesh: reading the dates feeds carry, writing RFC 3339 and HTTP dates. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "date.h"
#include "entry.h"

static int64_t	 date_from_civil(int64_t, int, int);

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

/* RFC 3339 only for now; the real-world variants come with the parser. */
int64_t
date_parse(const char *s, const char **why)
{
	int	 y, mo, d, h = 0, mi = 0, sec = 0, n = 0, tzh = 0, tzm = 0;
	int64_t	 t;
	char	 sign;

	if (why != NULL)
		*why = NULL;
	while (s != NULL && isspace((unsigned char)*s))
		s++;
	if (s == NULL || sscanf(s, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3) {
		if (why != NULL)
			*why = "unrecognized date";
		return (ENTRY_NO_TIME);
	}
	s += n;
	if (*s == 'T' || *s == 't' || *s == ' ') {
		if (sscanf(s + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			goto bad;
		s += 1 + n;
		if (*s == ':' && sscanf(s + 1, "%2d%n", &sec, &n) == 1)
			s += 1 + n;
		if (*s == '.')
			for (s++; isdigit((unsigned char)*s); s++)
				;
		if (*s == '+' || *s == '-') {
			sign = *s;
			if (sscanf(s + 1, "%2d:%2d", &tzh, &tzm) != 2)
				goto bad;
			if (sign == '-') {
				tzh = -tzh;
				tzm = -tzm;
			}
		}
	}
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 24 || mi > 59 ||
	    sec > 60)
		goto bad;
	t = date_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec;
	return (t - tzh * 3600 - tzm * 60);
bad:
	if (why != NULL)
		*why = "malformed RFC 3339 date";
	return (ENTRY_NO_TIME);
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
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
