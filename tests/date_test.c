/* feedmesh tests: dates as feeds write them, read into UTC seconds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "date.h"
#include "entry.h"
#include "tap.h"

#define NONE	ENTRY_NO_TIME

static const struct {
	const char	*in;
	int64_t		 want;
} cases[] = {
	{ "2026-11-24T10:00:00Z", 1795514400LL },
	{ "2026-11-24T10:00:00+01:00", 1795510800LL },
	{ "2026-11-24T10:00:00-05:30", 1795534200LL },
	{ "2026-11-24T10:00:00.123456Z", 1795514400LL },
	{ "2026-11-24t10:00:00z", 1795514400LL },
	{ "2026-11-24T10:00Z", 1795514400LL },
	{ "2026-11-24", 1795478400LL },
	{ "2026-11", 1793491200LL },
	{ "2026", 1767225600LL },
	{ "2026-11-24 10:00:00", 1795514400LL },
	{ "2026-11-24T10:00:00+0100", 1795510800LL },
	{ "20261124T100000Z", 1795514400LL },
	{ "20261124", 1795478400LL },
	{ "20261124T1000+0200", 1795507200LL },
	{ "2026/11/24 10:00", 1795514400LL },
	{ "  2026-11-24T10:00:00Z  ", 1795514400LL },
	{ "2024-02-29T00:00:00Z", 1709164800LL },
	{ "2026-11-24T24:00:00Z", 1795564800LL },
	{ "Tue, 24 Nov 2026 10:00:00 GMT", 1795514400LL },
	{ "Tue, 24 Nov 2026 10:00:00 +0100", 1795510800LL },
	{ "Tue, 24 Nov 2026 10:00:00 -0500", 1795532400LL },
	{ "Tue, 24 Nov 2026 10:00 GMT", 1795514400LL },
	{ "24 Nov 2026 10:00:00 GMT", 1795514400LL },
	/* An unknown zone name is UTC, like a missing one. */
	{ "Tue, 24 Nov 2026 10:00:00 XYZ", 1795514400LL },
	{ "Tue, 24 Nov 26 10:00:00 GMT", 1795514400LL },
	{ "Tue, 24 Nov 99 10:00:00 GMT", 943437600LL },
	{ "Tue, 24 Nov 2026 10:00:00 EST", 1795532400LL },
	{ "Tue, 24 Nov 2026 10:00:00 EDT", 1795528800LL },
	{ "Tue, 24 Nov 2026 10:00:00 PST", 1795543200LL },
	{ "Tue, 24 Nov 2026 10:00:00 PDT", 1795539600LL },
	{ "Tue, 24 Nov 2026 10:00:00 CET", 1795510800LL },
	{ "Tue, 24 Nov 2026 10:00:00 CEST", 1795507200LL },
	{ "Tue, 24 Nov 2026 10:00:00 UT", 1795514400LL },
	{ "Tue, 24 Nov 2026 10:00:00 UTC", 1795514400LL },
	{ "Tue, 24 Nov 2026 10:00:00 MST", 1795539600LL },
	{ "Tue, 24 Nov 2026 10:00:00 CDT", 1795532400LL },
	{ "Tue, 24 Nov 2026 10:00:00 Z", 1795514400LL },
	{ "Tue, 24 Nov 2026 10:00:00 A", 1795510800LL },
	{ "Tue, 24 Nov 2026 10:00:00 N", 1795518000LL },
	{ "Tue, 24 Nov 2026 10:00:00 M", 1795471200LL },
	{ "Tue, 24 Nov 2026 10:00:00", 1795514400LL },
	{ "Tue,  24   Nov  2026   10:00:00   GMT", 1795514400LL },
	{ "Wed, 24 Nov 2026 10:00:00 GMT", 1795514400LL },
	{ "Tuesday, 24-Nov-26 10:00:00 GMT", 1795514400LL },
	{ "Tue Nov 24 10:00:00 2026", 1795514400LL },
	{ "mar., 24 nov. 2026 10:00:00 +0100", 1795510800LL },
	{ "Mar 24, 2026 00:00:00 GMT", 1774310400LL },
	{ "mar 24 mars 2026", 1774310400LL },
	{ "2026-328", 1795478400LL },
	{ "2024-060T12:00:00Z", 1709208000LL },
	{ "2026-366", NONE },
	{ "Tue Nov  4 10:00:00 2026", 1793786400LL },
	{ "24 novembre 2026", 1795478400LL },
	{ "mardi 24 novembre 2026", 1795478400LL },
	{ "mardi, 24 novembre 2026 10:00:00 +0100", 1795510800LL },
	{ "le 24 novembre 2026 à 10h30", 1795516200LL },
	{ "3 févr. 2026", 1770076800LL },
	{ "3 fevr 2026", 1770076800LL },
	{ "15 janv. 2026 08:00", 1768464000LL },
	{ "1er mai 2026", 1777593600LL },
	{ "14 août 2026", 1786665600LL },
	{ "14 aout 2026", 1786665600LL },
	{ "7 décembre 2026", 1796601600LL },
	/* "mar." is mardi when another month follows. */
	{ "Mar, 24 Nov 2026 10:00:00 GMT", 1795514400LL },
	{ "24 Nov 2026 10:00:00 PM", 1795557600LL },
	{ "Nov 24, 2026 10:00 PM", 1795557600LL },
	{ "Sun, 06 Nov 1994 08:49:37 GMT", 784111777LL },
	{ "Sunday, 06-Nov-94 08:49:37 GMT", 784111777LL },
	{ "Sun Nov  6 08:49:37 1994", 784111777LL },
	{ "", NONE },
	{ "not a date", NONE },
	{ "99999-01-01T00:00:00Z", NONE },
	{ "0000-01-01T00:00:00Z", NONE },
	{ "2026-13-01T00:00:00Z", NONE },
	{ "2026-02-30", NONE },
	{ "2026-11-24T25:00:00Z", NONE },
	{ "2026-11-24T10:61:00Z", NONE },
	{ "2026-11-24T10:00:00+25:00", NONE },
	{ "24 Nov 99999 10:00:00 GMT", NONE },
	{ "-24 Nov 2026", NONE },
	{ "24 Nov -2026", NONE },
	{ "32 Nov 2026", NONE },
	{ "24 Foo 2026", NONE },
	{ "Tue, 24 Nov 2026 XYZ", NONE },
	{ "Tue, 24 Nov 2026 10:00:00 GMT XYZ", NONE },
	{ "Tue, 24 Nov 2026 10:00:00 ABCDEF", NONE },
	{ "2026-11-24T10:00:00Zjunk", NONE },
	{ "99999999999999999999 Nov 2026", NONE },
};

int
main(void)
{
	const char	*why;
	char		 buf[DATE_RFC3339_LEN], http[DATE_HTTP_LEN];
	size_t		 i;
	int64_t		 t;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		why = NULL;
		t = date_parse(cases[i].in, &why);
		is_int(t, cases[i].want, "date_parse(\"%s\")", cases[i].in);
		if (cases[i].want == NONE)
			ok(why != NULL, "reason given for \"%s\": %s",
			    cases[i].in, why ? why : "(none)");
	}
	ok(date_parse(NULL, &why) == NONE && why != NULL, "NULL refused");
	ok(date_parse("2026-11-24", NULL) != NONE, "why may be NULL");

	/* Latin-1 bytes of a French month (a Windows-1252 feed's date). */
	is_int(date_parse("24 d\xe9" "cembre 2026", NULL), 1798070400LL,
	    "Latin-1 accented month");

	date_format_rfc3339(1795514400LL, buf, sizeof(buf));
	is_str(buf, "2026-11-24T10:00:00Z", "date_format_rfc3339");
	date_format_http(1795514400LL, http, sizeof(http));
	is_str(http, "Tue, 24 Nov 2026 10:00:00 GMT", "date_format_http");
	is_int(date_parse(http, NULL), 1795514400LL, "HTTP date reads back");
	is_int(date_parse(buf, NULL), 1795514400LL, "RFC 3339 reads back");
	/* Years under 1000 keep their four digits, and read back. */
	t = date_parse("0011-02-04T00:00:00Z", NULL);
	date_format_rfc3339(t, buf, sizeof(buf));
	is_str(buf, "0011-02-04T00:00:00Z", "year 11 written with 4 digits");
	is_int(date_parse(buf, NULL), t, "year 11 reads back");
	date_format_rfc3339(date_parse("0001-01-01", NULL), buf, sizeof(buf));
	is_str(buf, "0001-01-01T00:00:00Z", "year 1 written with 4 digits");
	return (tap_done());
}
