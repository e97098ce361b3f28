/* feedmesh: logging to stderr in the foreground, to syslog once detached. */
#include <sys/types.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include <event2/event.h>
#include <libxml/xmlerror.h>

#include "log.h"

static int	 log_foreground = 1;
static int	 log_level = LOG_LEVEL_INFO;

static void	 log_vwrite(int, const char *, va_list)
		    __attribute__((format(printf, 2, 0)));
static void	 log_event_cb(int, const char *);
static void	 log_xml_cb(void *, xmlErrorPtr);

void
log_init(int foreground, int level, const char *ident)
{
	log_foreground = foreground;
	log_level = level;
	if (!foreground)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_set_level(int level)
{
	log_level = level;
}

int
log_get_level(void)
{
	return (log_level);
}

void
log_set_foreground(int foreground)
{
	log_foreground = foreground;
}

static void
log_vwrite(int pri, const char *fmt, va_list ap)
{
	char		 line[2048];
	const char	*tag;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (!log_foreground) {
		syslog(pri, "%s", line);
		return;
	}
	switch (pri) {
	case LOG_CRIT:
		tag = "fatal: ";
		break;
	case LOG_WARNING:
		tag = "warning: ";
		break;
	case LOG_DEBUG:
		tag = "debug: ";
		break;
	default:
		tag = "";
		break;
	}
	fprintf(stderr, "%s%s\n", tag, line);
	fflush(stderr);
}

void
log_warn(const char *fmt, ...)
{
	char	 buf[1536];
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	log_warnx("%s: %s", buf, strerror(saved));
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_INFO)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (log_level < LOG_LEVEL_DEBUG)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	char	 buf[1536];
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fatalx("%s: %s", buf, strerror(saved));
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

/*
 * A dead or hostile peer would otherwise write the same line on every
 * poll; a small table of keys keeps one line per key per minute.
 */
#define LOG_LIMIT_SLOTS		64
#define LOG_LIMIT_INTERVAL	60

static struct log_limit {
	char	 key[64];
	time_t	 last;
	unsigned dropped;
} log_limits[LOG_LIMIT_SLOTS];

void
log_warnx_limited(const char *key, const char *fmt, ...)
{
	struct log_limit	*l, *oldest = &log_limits[0];
	char			 buf[1536];
	time_t			 now = time(NULL);
	va_list			 ap;
	size_t			 i;

	for (i = 0; i < LOG_LIMIT_SLOTS; i++) {
		l = &log_limits[i];
		if (strncmp(l->key, key, sizeof(l->key) - 1) == 0 &&
		    l->key[0] != '\0')
			break;
		if (l->last < oldest->last)
			oldest = l;
	}
	if (i == LOG_LIMIT_SLOTS) {
		l = oldest;
		snprintf(l->key, sizeof(l->key), "%s", key);
		l->last = 0;
		l->dropped = 0;
	}
	if (now - l->last < LOG_LIMIT_INTERVAL) {
		l->dropped++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (l->dropped > 0)
		log_warnx("%s (and %u similar messages)", buf, l->dropped);
	else
		log_warnx("%s", buf);
	l->last = now;
	l->dropped = 0;
}

static void
log_event_cb(int severity, const char *msg)
{
	if (severity >= EVENT_LOG_WARN)
		log_warnx("libevent: %s", msg);
	else
		log_debug("libevent: %s", msg);
}

static void
log_xml_cb(void *arg, xmlErrorPtr err)
{
	(void)arg;
	/* Parse errors of peers' documents are reported by the parser. */
	if (err != NULL && err->domain != XML_FROM_PARSER &&
	    err->domain != XML_FROM_HTML && err->domain != XML_FROM_NAMESPACE &&
	    err->domain != XML_FROM_IO && err->domain != XML_FROM_I18N)
		log_debug("libxml2: %s", err->message ? err->message : "?");
}

void
log_route_libraries(void)
{
	event_set_log_callback(log_event_cb);
	xmlSetStructuredErrorFunc(NULL, log_xml_cb);
}
