/*
 * feedmesh: static files over serve's routes: the files of www/ compiled
 * into the daemon (gzip forms made at build time), and the files of
 * assets_dir under /assets/ (Leaflet from Debian's libjs-leaflet), with
 * entity tags, conditional GET and long-lived caching.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include "assets.h"
#include "conf.h"
#include "log.h"
#include "serve.h"

#define ASSETS_PREFIX		"/assets"
#define ASSETS_FILE_MAX		(4 * 1024 * 1024)	/* bytes */
#define ASSETS_NAME_MAX		200
#define ASSETS_CACHE_CONTROL	"public, max-age=3600"
#define ASSETS_ETAG_LEN		64

struct serve_assets {
	struct serve	*serve;
	char		*dir;		/* assets_dir */
};

/* The types of the files served from assets_dir: nothing else is. */
static const struct {
	const char	*ext;
	const char	*type;
} assets_types[] = {
	{ ".css", "text/css; charset=utf-8" },
	{ ".js", "text/javascript; charset=utf-8" },
	{ ".png", "image/png" },
	{ ".svg", "image/svg+xml" },
};

static void	 assets_compiled_cb(struct serve_reply *, void *);
static void	 assets_dir_cb(struct serve_reply *, void *);
static int	 assets_method(struct serve_reply *);
static int	 assets_fresh(struct serve_reply *, const char *,
		    const char *);
static int	 assets_gzip_ok(struct serve_reply *);
static const char *assets_file_type(const char *);

const struct asset *
assets_find(const char *path)
{
	size_t	 i;

	for (i = 0; assets[i].path != NULL; i++)
		if (strcmp(assets[i].path, path) == 0)
			return (&assets[i]);
	return (NULL);
}

struct serve_assets *
serve_assets_new(struct serve *s, const struct config *conf)
{
	struct serve_assets	*sa;
	size_t			 i;

	if ((sa = calloc(1, sizeof(*sa))) == NULL)
		fatal("%s", __func__);
	sa->serve = s;
	serve_assets_set_config(sa, conf);
	for (i = 0; assets[i].path != NULL; i++)
		if (serve_route(s, assets[i].path, 0, assets_compiled_cb,
		    (void *)(uintptr_t)&assets[i]) == -1)
			fatalx("%s: cannot route %s", __func__, assets[i].path);
	if (serve_route(s, ASSETS_PREFIX, 1, assets_dir_cb, sa) == -1)
		fatalx("%s: cannot route %s", __func__, ASSETS_PREFIX);
	return (sa);
}

void
serve_assets_set_config(struct serve_assets *sa, const struct config *conf)
{
	free(sa->dir);
	sa->dir = NULL;
	if (conf->assets_dir != NULL && (sa->dir = strdup(conf->assets_dir)) ==
	    NULL)
		fatal("%s", __func__);
}

void
serve_assets_free(struct serve_assets *sa)
{
	if (sa == NULL)
		return;
	free(sa->dir);
	free(sa);
}

/* GET and HEAD only; -1 when the reply is an error already. */
static int
assets_method(struct serve_reply *r)
{
	switch (evhttp_request_get_command(serve_reply_request(r))) {
	case EVHTTP_REQ_GET:
	case EVHTTP_REQ_HEAD:
		return (0);
	default:
		serve_reply_header(r, "Allow", "GET, HEAD");
		serve_reply_text(r, 405, "Method Not Allowed",
		    "method not allowed");
		return (-1);
	}
}

/*
 * 1 (and a 304 prepared) if If-None-Match names one of the file's tags;
 * a file has one content, so either encoding's tag revalidates.
 */
static int
assets_fresh(struct serve_reply *r, const char *etag, const char *etag_gz)
{
	const char	*inm;

	inm = evhttp_find_header(evhttp_request_get_input_headers(
	    serve_reply_request(r)), "If-None-Match");
	if (inm == NULL)
		return (0);
	if (strcmp(inm, "*") != 0 && strstr(inm, etag) == NULL &&
	    (etag_gz == NULL || strstr(inm, etag_gz) == NULL))
		return (0);
	serve_reply_data(r, 304, "Not Modified", NULL, NULL, 0);
	return (1);
}

/* 1 if the client takes gzip: a "gzip" token not refused with q=0. */
static int
assets_gzip_ok(struct serve_reply *r)
{
	const char	*ae, *p;

	ae = evhttp_find_header(evhttp_request_get_input_headers(
	    serve_reply_request(r)), "Accept-Encoding");
	if (ae == NULL || (p = strcasestr(ae, "gzip")) == NULL)
		return (0);
	p += 4;
	while (*p == ' ')
		p++;
	if (*p != ';')
		return (1);
	p += strspn(p, "; ");
	return (!(strncmp(p, "q=0", 3) == 0 && strspn(p + 3, ".0") ==
	    strcspn(p + 3, ",")));
}

/* A compiled file: the gzip form when the client takes it. */
static void
assets_compiled_cb(struct serve_reply *r, void *arg)
{
	const struct asset	*a = arg;
	int			 gz;

	if (assets_method(r) == -1)
		return;
	gz = assets_gzip_ok(r);
	serve_reply_header(r, "Cache-Control", ASSETS_CACHE_CONTROL);
	serve_reply_header(r, "Vary", "Accept-Encoding");
	serve_reply_header(r, "Access-Control-Allow-Origin", "*");
	serve_reply_header(r, "ETag", gz ? a->etag_gz : a->etag);
	if (assets_fresh(r, a->etag, a->etag_gz))
		return;
	if (gz) {
		serve_reply_header(r, "Content-Encoding", "gzip");
		serve_reply_data(r, 200, "OK", a->type, a->gz, a->gzlen);
	} else
		serve_reply_data(r, 200, "OK", a->type, a->data, a->len);
}

static const char *
assets_file_type(const char *name)
{
	const char	*dot = strrchr(name, '.');
	size_t		 i;

	if (dot == NULL)
		return (NULL);
	for (i = 0; i < sizeof(assets_types) / sizeof(assets_types[0]); i++)
		if (strcmp(dot, assets_types[i].ext) == 0)
			return (assets_types[i].type);
	return (NULL);
}

/*
 * A file of assets_dir: names of [A-Za-z0-9._-] segments without dot
 * files or "..", of the types above, regular files of bounded size.
 */
static void
assets_dir_cb(struct serve_reply *r, void *arg)
{
	struct serve_assets	*sa = arg;
	const char		*name, *type, *p;
	char			 path[ASSETS_NAME_MAX + 512];
	char			 etag[ASSETS_ETAG_LEN];
	struct stat		 st;
	char			*data = NULL;
	ssize_t			 n;
	size_t			 got = 0;
	int			 fd = -1;

	if (assets_method(r) == -1)
		return;
	name = serve_reply_path(r) + strlen(ASSETS_PREFIX) + 1;
	for (p = name; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' ||
		    *p == '-' || *p == '/'))
			break;
	if (sa->dir == NULL || *p != '\0' || *name == '\0' ||
	    *name == '.' || strlen(name) > ASSETS_NAME_MAX ||
	    strstr(name, "/.") != NULL || strstr(name, "//") != NULL ||
	    (type = assets_file_type(name)) == NULL) {
		serve_reply_text(r, 404, "Not Found", "not found");
		return;
	}
	snprintf(path, sizeof(path), "%s/%s", sa->dir, name);
	if ((fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > ASSETS_FILE_MAX) {
		serve_reply_text(r, 404, "Not Found", "not found");
		goto done;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"",
	    (unsigned long long)st.st_size, (unsigned long long)st.st_mtime);
	serve_reply_header(r, "Cache-Control", ASSETS_CACHE_CONTROL);
	serve_reply_header(r, "ETag", etag);
	if (assets_fresh(r, etag, NULL))
		goto done;
	if ((data = malloc(st.st_size + 1)) == NULL)
		fatal("%s", __func__);
	while (got < (size_t)st.st_size) {
		if ((n = read(fd, data + got, st.st_size - got)) == -1 &&
		    errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += n;
	}
	if (got != (size_t)st.st_size) {
		log_warnx("%s: %s: short read", __func__, path);
		serve_reply_text(r, 500, "Internal Server Error",
		    "cannot read the file");
		goto done;
	}
	serve_reply_data(r, 200, "OK", type, data, got);
done:
	if (fd != -1)
		close(fd);
	free(data);
}
