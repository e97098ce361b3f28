/*
 * feedmesh: the metrics registry, written in the Prometheus text
 * exposition format (version 0.0.4) for GET /metrics. Modules register
 * counters and histograms once and bump them; gauges read at scrape time
 * (store size, entries, subscriptions) come from collector callbacks.
 */
#ifndef FEEDMESH_METRICS_H
#define FEEDMESH_METRICS_H

#include <stdint.h>

#include "buf.h"

struct metric;

/*
 * The registry is one per process, like the log: counters are bumped
 * from fetch, pull, serve and the WebSub modules without threading a
 * handle through every constructor. Label values are bounded per metric
 * (METRICS_MAX_SERIES); more are counted under "other", so hostile input
 * cannot grow memory.
 */
#define METRICS_MAX_SERIES	256

/*
 * Registers (or finds, by name) a counter; label is the name of its
 * label, or "a,b" for two (values then given as "x,y"), or NULL. Names follow [a-z_][a-z0-9_]*, prefixed
 * "feedmesh_" by convention. Never NULL (fatal on a bad name: a bug).
 */
struct metric	*metrics_add_counter(const char *name, const char *help,
		    const char *label);
/* Adds n to the counter's series for value (NULL without a label). */
void		 metrics_inc(struct metric *, const char *value, uint64_t n);
/* Bucket upper bounds, increasing, at most 16; +Inf is added. */
struct metric	*metrics_add_histogram(const char *name, const char *help,
		    const double *bounds, int nbounds);
void		 metrics_observe(struct metric *, double);

/*
 * A collector appends whole metric families (HELP, TYPE, samples) to b
 * when /metrics is read: gauges of the store, subscriptions, queues.
 */
typedef void	(*metrics_collect_cb)(struct buf *b, void *arg);
void		 metrics_add_collector(metrics_collect_cb, void *arg);
void		 metrics_remove_collector(metrics_collect_cb, void *arg);
/* Writes one gauge family with a single sample, for collectors. */
void		 metrics_write_gauge(struct buf *, const char *name,
		    const char *help, double value);

/* The current value of a series (tests), 0 if absent. */
uint64_t	 metrics_value(const char *name, const char *value);
/* Appends the whole exposition. */
void		 metrics_write(struct buf *);
/* Frees the registry (at exit; tests). */
void		 metrics_free(void);

#endif
