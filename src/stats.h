/*
 * feedmesh: the figures of a period for a portal's annual report
 * (entries published, new actor profiles, co-published entries, per
 * kind, territory, peer or month) and the daily counts of listings and
 * embeds served, kept in the store (table serve_counts).
 */
#ifndef FEEDMESH_STATS_H
#define FEEDMESH_STATS_H

#include <stdint.h>

#include <jansson.h>

struct store;

enum stats_by {
	STATS_BY_NONE,
	STATS_BY_KIND,
	STATS_BY_TERRITORY,
	STATS_BY_PEER,
	STATS_BY_MONTH
};

/*
 * Reads the parameters of a report (each may be NULL): from and to as
 * YYYY-MM-DD (to includes that day), RFC 3339 or unix seconds; by one of
 * kind, territory, peer, month. The period is [from, to). 0 or -1 with
 * a static reason.
 */
int	 stats_params(const char *from, const char *to, const char *by,
	    int64_t *fromp, int64_t *top, enum stats_by *, const char **why);

/*
 * The report as JSON: period, totals, groups (by published time: the
 * date the entry gives, else when it was first seen), and "served": the
 * listings and embeds served per format in the days of the period.
 * NULL, logged, if the store fails.
 */
json_t	*stats_report(struct store *, int64_t from, int64_t to,
	    enum stats_by);

/* Adds n to the served count of a format on a UTC day ("YYYY-MM-DD"). */
int	 stats_served_add(struct store *, const char *day, const char *format,
	    uint64_t n);

#endif
