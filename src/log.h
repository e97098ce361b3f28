/* feedmesh: logging to stderr in the foreground, to syslog once detached. */
#ifndef FEEDMESH_LOG_H
#define FEEDMESH_LOG_H

#include <stdarg.h>

#define LOG_LEVEL_WARN	0
#define LOG_LEVEL_INFO	1
#define LOG_LEVEL_DEBUG	2

void	log_init(int foreground, int level, const char *ident);
void	log_set_level(int level);
int	log_get_level(void);
void	log_set_foreground(int foreground);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

/*
 * Rate-limited warning keyed by a string (a peer's or client's name):
 * at most one line per key per interval, with the count of those dropped.
 */
void	log_warnx_limited(const char *key, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Route libevent's, libxml2's and libcurl's diagnostics into this log. */
void	log_route_libraries(void);

#endif
