/*
 * feedmesh: counters and histograms in one registry, written in the
 * Prometheus text exposition format 0.0.4.
 */
#include <sys/queue.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "log.h"
#include "metrics.h"

#define METRICS_MAX_BOUNDS	16
#define METRICS_VALUE_MAX	64

enum metric_type {
	METRIC_COUNTER,
	METRIC_HISTOGRAM
};

struct metric_series {
	char		*value;		/* label value, NULL without a label */
	uint32_t	 hash;		/* of value, compared before it */
	uint64_t	 count;
};

struct metric {
	TAILQ_ENTRY(metric)	 entry;
	enum metric_type	 type;
	char			*name;
	char			*help;
	char			*label;
	struct metric_series	*series;
	size_t			 nseries;
	double			 bounds[METRICS_MAX_BOUNDS];
	uint64_t		 buckets[METRICS_MAX_BOUNDS + 1];
	int			 nbounds;
	double			 sum;
	uint64_t		 total;
};
TAILQ_HEAD(metric_list, metric);

struct metrics_collector {
	TAILQ_ENTRY(metrics_collector)	 entry;
	metrics_collect_cb		 cb;
	void				*arg;
};
TAILQ_HEAD(metrics_collectors, metrics_collector);

static struct metric_list	 metrics = TAILQ_HEAD_INITIALIZER(metrics);
static struct metrics_collectors collectors =
    TAILQ_HEAD_INITIALIZER(collectors);

static struct metric	*metrics_find(const char *);
static struct metric	*metrics_new(enum metric_type, const char *,
			    const char *, const char *);
static int		 metrics_name_ok(const char *);
static uint32_t		 metrics_hash(const char *);
static char		*metrics_strdup(const char *);
static void		 metrics_escape(struct buf *, const char *, int);
static void		 metrics_number(struct buf *, double);
static void		 metrics_labels(struct buf *, const char *,
			    const char *);

static char *
metrics_strdup(const char *s)
{
	char	*d;

	if ((d = strdup(s)) == NULL)
		fatal("%s", __func__);
	return (d);
}

static int
metrics_name_ok(const char *s)
{
	size_t	 i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || s[i] == '_' ||
		    (i > 0 && s[i] >= '0' && s[i] <= '9') ||
		    (i > 0 && s[i] == ',' && s[i + 1] != '\0')))
			return (0);
	return (i > 0);
}

static struct metric *
metrics_find(const char *name)
{
	struct metric	*m;

	TAILQ_FOREACH(m, &metrics, entry)
		if (strcmp(m->name, name) == 0)
			return (m);
	return (NULL);
}

static struct metric *
metrics_new(enum metric_type type, const char *name, const char *help,
    const char *label)
{
	struct metric	*m;

	if (!metrics_name_ok(name) || (label != NULL && !metrics_name_ok(label)))
		fatalx("%s: bad metric name %s", __func__, name);
	if ((m = metrics_find(name)) != NULL) {
		if (m->type != type)
			fatalx("%s: %s registered with another type", __func__,
			    name);
		return (m);
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		fatal("%s", __func__);
	m->type = type;
	m->name = metrics_strdup(name);
	m->help = metrics_strdup(help != NULL ? help : name);
	m->label = label != NULL ? metrics_strdup(label) : NULL;
	TAILQ_INSERT_TAIL(&metrics, m, entry);
	return (m);
}

struct metric *
metrics_add_counter(const char *name, const char *help, const char *label)
{
	return (metrics_new(METRIC_COUNTER, name, help, label));
}

struct metric *
metrics_add_histogram(const char *name, const char *help,
    const double *bounds, int nbounds)
{
	struct metric	*m;
	int		 i;

	if (nbounds < 1 || nbounds > METRICS_MAX_BOUNDS)
		fatalx("%s: %s: bad bucket count", __func__, name);
	m = metrics_new(METRIC_HISTOGRAM, name, help, NULL);
	if (m->nbounds == 0) {
		for (i = 0; i < nbounds; i++) {
			if (i > 0 && bounds[i] <= bounds[i - 1])
				fatalx("%s: %s: bounds not increasing",
				    __func__, name);
			m->bounds[i] = bounds[i];
		}
		m->nbounds = nbounds;
	}
	return (m);
}

/*
 * Bumps the series of a label value. Values longer than
 * METRICS_VALUE_MAX and series past METRICS_MAX_SERIES go to "other".
 */
void
metrics_inc(struct metric *m, const char *value, uint64_t n)
{
	struct metric_series	*ns;
	size_t			 i;
	uint32_t		 h;

	if (m == NULL || m->type != METRIC_COUNTER)
		return;
	if (m->label == NULL)
		value = NULL;
	else if (value == NULL || strlen(value) > METRICS_VALUE_MAX)
		value = "other";
	/*
	 * A series per peer is bumped on every fetch: hashes first, so that
	 * a node with hundreds of peers does not run hundreds of strcmp.
	 */
	h = metrics_hash(value);
	for (i = 0; i < m->nseries; i++)
		if (m->series[i].hash == h &&
		    ((value == NULL && m->series[i].value == NULL) ||
		    (value != NULL && m->series[i].value != NULL &&
		    strcmp(value, m->series[i].value) == 0))) {
			m->series[i].count += n;
			return;
		}
	if (m->nseries >= METRICS_MAX_SERIES && value != NULL &&
	    strcmp(value, "other") != 0) {
		metrics_inc(m, "other", n);
		return;
	}
	if ((ns = reallocarray(m->series, m->nseries + 1,
	    sizeof(*ns))) == NULL)
		fatal("%s", __func__);
	m->series = ns;
	ns[m->nseries].value = value != NULL ? metrics_strdup(value) : NULL;
	ns[m->nseries].hash = h;
	ns[m->nseries].count = n;
	m->nseries++;
}

/* FNV-1a of a label value; 0 for none. */
static uint32_t
metrics_hash(const char *v)
{
	uint32_t	 h = 2166136261u;

	if (v == NULL)
		return (0);
	for (; *v != '\0'; v++)
		h = (h ^ (unsigned char)*v) * 16777619u;
	return (h);
}

void
metrics_observe(struct metric *m, double v)
{
	int	 i;

	if (m == NULL || m->type != METRIC_HISTOGRAM || !isfinite(v))
		return;
	for (i = 0; i < m->nbounds; i++)
		if (v <= m->bounds[i])
			break;
	m->buckets[i]++;
	m->sum += v;
	m->total++;
}

void
metrics_add_collector(metrics_collect_cb cb, void *arg)
{
	struct metrics_collector	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		fatal("%s", __func__);
	c->cb = cb;
	c->arg = arg;
	TAILQ_INSERT_TAIL(&collectors, c, entry);
}

void
metrics_remove_collector(metrics_collect_cb cb, void *arg)
{
	struct metrics_collector	*c, *t;

	for (c = TAILQ_FIRST(&collectors); c != NULL; c = t) {
		t = TAILQ_NEXT(c, entry);
		if (c->cb == cb && c->arg == arg) {
			TAILQ_REMOVE(&collectors, c, entry);
			free(c);
		}
	}
}

uint64_t
metrics_value(const char *name, const char *value)
{
	struct metric	*m;
	size_t		 i;

	if ((m = metrics_find(name)) == NULL)
		return (0);
	if (m->type == METRIC_HISTOGRAM)
		return (m->total);
	for (i = 0; i < m->nseries; i++)
		if ((value == NULL && m->series[i].value == NULL) ||
		    (value != NULL && m->series[i].value != NULL &&
		    strcmp(value, m->series[i].value) == 0))
			return (m->series[i].count);
	return (0);
}

/* Escapes HELP text (\ and newline) or a label value (also "). */
static void
metrics_escape(struct buf *b, const char *s, int label)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_addstr(b, "\\\\");
		else if (*s == '\n')
			buf_addstr(b, "\\n");
		else if (*s == '"' && label)
			buf_addstr(b, "\\\"");
		else
			buf_addc(b, *s);
	}
}

/*
 * {name="value",...}: several labels are registered as "a,b" and bumped
 * with values "x,y", paired in order; a missing value is "".
 */
static void
metrics_labels(struct buf *b, const char *names, const char *values)
{
	const char	*n = names, *v = values, *ne, *ve;
	char		 val[METRICS_VALUE_MAX + 1];
	size_t		 len;

	buf_addc(b, '{');
	while (*n != '\0') {
		if ((ne = strchr(n, ',')) == NULL)
			ne = n + strlen(n);
		if ((ve = strchr(v, ',')) == NULL || *ne == '\0')
			ve = v + strlen(v);
		len = (size_t)(ve - v) < sizeof(val) ? (size_t)(ve - v) :
		    sizeof(val) - 1;
		memcpy(val, v, len);
		val[len] = '\0';
		buf_add(b, n, ne - n);
		buf_addstr(b, "=\"");
		metrics_escape(b, val, 1);
		buf_addc(b, '"');
		if (*ne == '\0')
			break;
		buf_addc(b, ',');
		n = ne + 1;
		v = *ve != '\0' ? ve + 1 : ve;
	}
	buf_addc(b, '}');
}

/* A sample value: integers as such, others with enough digits. */
static void
metrics_number(struct buf *b, double v)
{
	if (isinf(v))
		buf_addstr(b, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 1e15)
		buf_printf(b, "%.0f", v);
	else
		buf_printf(b, "%.9g", v);
}

void
metrics_write_gauge(struct buf *b, const char *name, const char *help,
    double value)
{
	buf_printf(b, "# HELP %s ", name);
	metrics_escape(b, help, 0);
	buf_printf(b, "\n# TYPE %s gauge\n%s ", name, name);
	metrics_number(b, value);
	buf_addc(b, '\n');
}

void
metrics_write(struct buf *b)
{
	struct metric			*m;
	struct metrics_collector	*c;
	uint64_t			 cum;
	size_t				 i;
	int				 j;

	TAILQ_FOREACH(m, &metrics, entry) {
		buf_printf(b, "# HELP %s ", m->name);
		metrics_escape(b, m->help, 0);
		buf_printf(b, "\n# TYPE %s %s\n", m->name,
		    m->type == METRIC_COUNTER ? "counter" : "histogram");
		if (m->type == METRIC_COUNTER) {
			if (m->label == NULL && m->nseries == 0)
				buf_printf(b, "%s 0\n", m->name);
			for (i = 0; i < m->nseries; i++) {
				buf_addstr(b, m->name);
				if (m->series[i].value != NULL)
					metrics_labels(b, m->label,
					    m->series[i].value);
				buf_printf(b, " %llu\n",
				    (unsigned long long)m->series[i].count);
			}
			continue;
		}
		for (cum = 0, j = 0; j <= m->nbounds; j++) {
			cum += m->buckets[j];
			buf_printf(b, "%s_bucket{le=\"", m->name);
			metrics_number(b, j < m->nbounds ? m->bounds[j] :
			    INFINITY);
			buf_printf(b, "\"} %llu\n", (unsigned long long)cum);
		}
		buf_printf(b, "%s_sum ", m->name);
		metrics_number(b, m->sum);
		buf_printf(b, "\n%s_count %llu\n", m->name,
		    (unsigned long long)m->total);
	}
	TAILQ_FOREACH(c, &collectors, entry)
		c->cb(b, c->arg);
}

void
metrics_free(void)
{
	struct metric			*m;
	struct metrics_collector	*c;
	size_t				 i;

	while ((m = TAILQ_FIRST(&metrics)) != NULL) {
		TAILQ_REMOVE(&metrics, m, entry);
		for (i = 0; i < m->nseries; i++)
			free(m->series[i].value);
		free(m->series);
		free(m->name);
		free(m->help);
		free(m->label);
		free(m);
	}
	while ((c = TAILQ_FIRST(&collectors)) != NULL) {
		TAILQ_REMOVE(&collectors, c, entry);
		free(c);
	}
}
