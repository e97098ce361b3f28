/*
 * feedmesh: the administrator's channel, for feedmeshctl: a small HTTP
 * API on a unix socket (or a loopback address) that never faces the
 * network. GET /status, GET /peers, POST /fetch?peer=NAME, POST /reload.
 */
#ifndef FEEDMESH_ADMIN_H
#define FEEDMESH_ADMIN_H

#include <jansson.h>

struct event_base;
struct admin;

struct admin_ops {
	json_t	*(*status)(void *arg);
	json_t	*(*peers)(void *arg);
	int	 (*fetch)(void *arg, const char *peer, const char **why);
	int	 (*reload)(void *arg, const char **why);
	void	*arg;
};

/*
 * where: a unix socket path when port is 0, else a loopback "HOST:PORT";
 * NULL, logged, on error.
 */
struct admin	*admin_new(struct event_base *, const char *where, int port,
		    const struct admin_ops *);
void		 admin_free(struct admin *);

#endif
