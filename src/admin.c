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

struct admin {
	struct evhttp		*http;
	struct admin_ops	 ops;
	char			*path;		/* unix socket to unlink */
};

static void	 admin_request_cb(struct evhttp_request *, void *);
static void	 admin_reply(struct evhttp_request *, int, json_t *);
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
	if ((a->http = evhttp_new(base)) == NULL)
		fatalx("%s: evhttp_new", __func__);
	evhttp_set_max_headers_size(a->http, 8192);
	evhttp_set_max_body_size(a->http, 4096);
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
	evhttp_send_reply(req, code, code == 200 ? "OK" :
	    code == 404 ? "Not Found" : "Bad Request", NULL);
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
	admin_reply(req, 404, json_pack("{s:s}", "error",
	    "unknown command: GET /status, GET /peers, POST /reload, "
	    "POST /fetch?peer=NAME"));
done:
	evhttp_clear_headers(&q);
}

void
admin_free(struct admin *a)
{
	if (a == NULL)
		return;
	if (a->http != NULL)
		evhttp_free(a->http);
	if (a->path != NULL)
		unlink(a->path);
	free(a->path);
	free(a);
}
