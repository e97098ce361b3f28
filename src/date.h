/* feedmesh: reading the dates feeds carry, writing RFC 3339 and HTTP dates. */
#ifndef FEEDMESH_DATE_H
#define FEEDMESH_DATE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Parses RFC 3339/W3CDTF, RFC 822/1123 and their real-world variants,
 * ISO 8601 variants and HTTP dates; returns UTC seconds or ENTRY_NO_TIME
 * (entry.h), with a short reason in *why when why is not NULL.
 */
int64_t	 date_parse(const char *, const char **why);

/* "2026-11-24T10:00:00Z"; buf holds at least DATE_RFC3339_LEN bytes. */
#define DATE_RFC3339_LEN	32
void	 date_format_rfc3339(int64_t, char *, size_t);

/*
 * Sets key in a JSON object (feedmeshctl's machine output) to the time in
 * RFC 3339, or to null when t is not positive (never happened).
 */
struct json_t;
void	 date_json_set(struct json_t *, const char *key, int64_t t);

/* IMF-fixdate for HTTP headers: "Tue, 24 Nov 2026 10:00:00 GMT". */
#define DATE_HTTP_LEN		40
void	 date_format_http(int64_t, char *, size_t);

#endif
