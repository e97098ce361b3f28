/*
 * feedmesh: the administrator's channel (HTTP on a unix socket).
 */
#include <sys/types.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <jansson.h>

#include "admin.h"
#include "log.h"

struct admin_route {
	SLIST_ENTRY(admin_route)	 entry;
	enum evhttp_cmd_type		 method;
	char				*path;
	admin_handler_cb		 cb;
	void				*arg;
};

struct admin {
	struct evhttp		*http;
	struct admin_ops	 ops;
	char			*path;		/* unix socket to unlink */
	SLIST_HEAD(, admin_route) routes;
};

static void	 admin_request_cb(struct evhttp_request *, void *);
static void	 admin_reply(struct evhttp_request *, int, json_t *);
static int	 admin_run_route(struct admin *, struct evhttp_request *,
		    const char *, const char *);
static int	 admin_bind_unix(struct admin *, struct event_base *,
		    const char *);

struct admin *
admin_new(struct event_base *base, const char *where, int port_number,
    const struct admin_ops *ops)
{
	struct admin	*a;
	char		*host, *port;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		fatal("%s", __func__);
	a->ops = *ops;
	SLIST_INIT(&a->routes);
	if ((a->http = evhttp_new(base)) == NULL)
		fatalx("%s: evhttp_new", __func__);
	evhttp_set_max_headers_size(a->http, 8192);
	evhttp_set_max_body_size(a->http, ADMIN_MAX_BODY);
	evhttp_set_timeout(a->http, 10);
	evhttp_set_allowed_methods(a->http, EVHTTP_REQ_GET | EVHTTP_REQ_POST);
	evhttp_set_gencb(a->http, admin_request_cb, a);

	if (port_number == 0) {
		if (admin_bind_unix(a, base, where) == -1)
			goto fail;
	} else {
		if ((host = strdup(where)) == NULL)
			fatal("%s", __func__);
		/* conf.c has checked that it is a loopback address. */
		if ((port = strrchr(host, ':')) != NULL)
			*port = '\0';
		if (host[0] == '[') {
			memmove(host, host + 1, strlen(host));
			host[strcspn(host, "]")] = '\0';
		}
		if (evhttp_bind_socket(a->http, host,
		    (ev_uint16_t)port_number) == -1) {
			log_warn("admin %s: bind", where);
			free(host);
			goto fail;
		}
		free(host);
	}
	return (a);
fail:
	admin_free(a);
	return (NULL);
}

/*
 * The socket is created by hand because evhttp binds only TCP; it is
 * made readable by the owner and group only, which is the whole of its
 * access control, as for other daemons' control sockets.
 */
static int
admin_bind_unix(struct admin *a, struct event_base *base, const char *path)
{
	struct sockaddr_un	 sun;
	struct evconnlistener	*lev;
	struct stat		 sb;
	mode_t			 old;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		log_warnx("admin socket %s: path too long", path);
		return (-1);
	}
	strncpy(sun.sun_path, path, sizeof(sun.sun_path) - 1);
	/* A socket left by a killed daemon is removed; anything else is not. */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode)) {
			log_warnx("admin socket %s: exists and is not a "
			    "socket", path);
			return (-1);
		}
		unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1) {
		log_warn("admin socket %s: socket", path);
		return (-1);
	}
	old = umask(0117);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("admin socket %s: bind", path);
		close(fd);
		return (-1);
	}
	umask(old);
	if (listen(fd, 16) == -1) {
		log_warn("admin socket %s: listen", path);
		close(fd);
		unlink(path);
		return (-1);
	}
	lev = evconnlistener_new(base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, -1, fd);
	if (lev == NULL) {
		log_warnx("admin socket %s: evconnlistener_new", path);
		close(fd);
		unlink(path);
		return (-1);
	}
	if (evhttp_bind_listener(a->http, lev) == NULL) {
		log_warnx("admin socket %s: evhttp_bind_listener", path);
		evconnlistener_free(lev);
		unlink(path);
		return (-1);
	}
	if ((a->path = strdup(path)) == NULL)
		fatal("%s", __func__);
	return (0);
}

int
admin_route(struct admin *a, const char *method, const char *path,
    admin_handler_cb cb, void *arg)
{
	struct admin_route	*rt;

	if ((rt = calloc(1, sizeof(*rt))) == NULL ||
	    (rt->path = strdup(path)) == NULL)
		fatal("%s", __func__);
	rt->method = strcmp(method, "POST") == 0 ? EVHTTP_REQ_POST :
	    EVHTTP_REQ_GET;
	rt->cb = cb;
	rt->arg = arg;
	SLIST_INSERT_HEAD(&a->routes, rt, entry);
	return (0);
}

/* A module's command: its handler answers with JSON. */
static int
admin_run_route(struct admin *a, struct evhttp_request *req,
    const char *path, const char *query)
{
	struct admin_route	*rt;
	struct evkeyvalq	 q;
	struct evbuffer		*in;
	json_t			*body;
	char			*data;
	size_t			 len;
	int			 code = 200;

	SLIST_FOREACH(rt, &a->routes, entry)
		if (rt->method == evhttp_request_get_command(req) &&
		    strcmp(rt->path, path) == 0)
			break;
	if (rt == NULL)
		return (0);
	TAILQ_INIT(&q);
	if (query != NULL && evhttp_parse_query_str(query, &q) == -1) {
		admin_reply(req, 400, json_pack("{s:s}", "error",
		    "malformed query string"));
		return (1);
	}
	in = evhttp_request_get_input_buffer(req);
	len = evbuffer_get_length(in);
	if ((data = malloc(len + 1)) == NULL)
		fatal("%s", __func__);
	evbuffer_copyout(in, data, len);
	data[len] = '\0';
	if ((body = rt->cb(&q, data, len, &code, rt->arg)) == NULL) {
		code = 500;
		body = json_pack("{s:s}", "error", "internal error");
	}
	admin_reply(req, code, body);
	free(data);
	evhttp_clear_headers(&q);
	return (1);
}

static void
admin_reply(struct evhttp_request *req, int code, json_t *body)
{
	struct evbuffer	*out;
	char		*s;

	out = evhttp_request_get_output_buffer(req);
	s = json_dumps(body, JSON_INDENT(2) | JSON_SORT_KEYS);
	if (s != NULL) {
		evbuffer_add(out, s, strlen(s));
		evbuffer_add(out, "\n", 1);
	}
	free(s);
	json_decref(body);
	evhttp_add_header(evhttp_request_get_output_headers(req),
	    "Content-Type", "application/json");
	evhttp_send_reply(req, code, code == 200 ? "OK" : code == 201 ?
	    "Created" : code == 404 ? "Not Found" : code == 409 ? "Conflict" :
	    code >= 500 ? "Internal Server Error" : "Bad Request", NULL);
}

static void
admin_request_cb(struct evhttp_request *req, void *arg)
{
	struct admin		*a = arg;
	struct evkeyvalq	 q;
	const struct evhttp_uri	*uri = evhttp_request_get_evhttp_uri(req);
	const char		*path, *query, *peer, *why = NULL;
	enum evhttp_cmd_type	 method = evhttp_request_get_command(req);
	json_t			*body;

	TAILQ_INIT(&q);
	path = evhttp_uri_get_path(uri);
	query = evhttp_uri_get_query(uri);
	if (path == NULL)
		path = "/";
	if (method == EVHTTP_REQ_GET && strcmp(path, "/status") == 0) {
		admin_reply(req, 200, a->ops.status(a->ops.arg));
		goto done;
	}
	if (method == EVHTTP_REQ_GET && strcmp(path, "/peers") == 0) {
		admin_reply(req, 200, a->ops.peers(a->ops.arg));
		goto done;
	}
	if (method == EVHTTP_REQ_POST && strcmp(path, "/reload") == 0) {
		if (a->ops.reload(a->ops.arg, &why) == -1)
			admin_reply(req, 400, json_pack("{s:s}", "error",
			    why ? why : "reload failed"));
		else
			admin_reply(req, 200, json_pack("{s:s}", "result",
			    "configuration reloaded"));
		goto done;
	}
	if (method == EVHTTP_REQ_POST && strcmp(path, "/fetch") == 0) {
		if (query == NULL || evhttp_parse_query_str(query, &q) == -1 ||
		    (peer = evhttp_find_header(&q, "peer")) == NULL) {
			admin_reply(req, 400, json_pack("{s:s}", "error",
			    "usage: POST /fetch?peer=NAME"));
			goto done;
		}
		if (a->ops.fetch(a->ops.arg, peer, &why) == -1) {
			body = json_pack("{s:s, s:s}", "error", why,
			    "peer", peer);
			admin_reply(req, 404, body);
		} else
			admin_reply(req, 200, json_pack("{s:s, s:s}",
			    "result", "fetch scheduled", "peer", peer));
		goto done;
	}
	if (admin_run_route(a, req, path, query))
		goto done;
	admin_reply(req, 404, json_pack("{s:s}", "error",
	    "unknown command: GET /status, GET /peers, POST /reload, "
	    "POST /fetch?peer=NAME"));
done:
	evhttp_clear_headers(&q);
}

void
admin_free(struct admin *a)
{
	struct admin_route	*rt;

	if (a == NULL)
		return;
	while ((rt = SLIST_FIRST(&a->routes)) != NULL) {
		SLIST_REMOVE_HEAD(&a->routes, entry);
		free(rt->path);
		free(rt);
	}
	if (a->http != NULL)
		evhttp_free(a->http);
	if (a->path != NULL)
		unlink(a->path);
	free(a->path);
	free(a);
}
