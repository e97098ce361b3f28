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

/*
 * Commands of other modules (digest, publish, queue, subscriptions):
 * method "GET" or "POST", an exact path. The handler gets the decoded
 * query parameters and the request body (NUL-terminated; the admin
 * channel accepts bodies up to ADMIN_MAX_BODY), sets *code (200, 400,
 * 404...) and returns the JSON answer (owned by the caller; NULL gives a
 * 500).
 */
#define ADMIN_MAX_BODY	(4 * 1024 * 1024)
struct evkeyvalq;
typedef json_t	*(*admin_handler_cb)(const struct evkeyvalq *query,
		    const char *body, size_t len, int *code, void *arg);
int		 admin_route(struct admin *, const char *method,
		    const char *path, admin_handler_cb, void *arg);

#endif
