/*
 * feedmesh fuzzing: the configuration parser (conf.h). conf_load() reads
 * files, so the input is written to a private temporary directory: the
 * bytes before the first NUL as the main file, those after it (or the
 * same bytes when there is no NUL) as a peer file in peers.d.
 */
#include <sys/stat.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "fuzz.h"

static char	 fuzz_dir[] = "/tmp/feedmesh-fuzz-conf.XXXXXX";
static char	 fuzz_main[sizeof(fuzz_dir) + 32];
static char	 fuzz_peer[sizeof(fuzz_dir) + 32];

static void	 fuzz_write(const char *, const uint8_t *, size_t);
static void	 fuzz_cleanup(void);
static void	 fuzz_setup(void);

static void
fuzz_cleanup(void)
{
	char	 peers[sizeof(fuzz_dir) + 32];

	unlink(fuzz_peer);
	unlink(fuzz_main);
	snprintf(peers, sizeof(peers), "%s/peers.d", fuzz_dir);
	rmdir(peers);
	rmdir(fuzz_dir);
}

/* Once: the private directory and its peers.d, removed at exit. */
static void
fuzz_setup(void)
{
	char	 peers[sizeof(fuzz_dir) + 32];

	if (mkdtemp(fuzz_dir) == NULL)
		abort();
	snprintf(peers, sizeof(peers), "%s/peers.d", fuzz_dir);
	if (mkdir(peers, 0700) == -1)
		abort();
	snprintf(fuzz_main, sizeof(fuzz_main), "%s/feedmesh.conf", fuzz_dir);
	snprintf(fuzz_peer, sizeof(fuzz_peer), "%s/p.conf", peers);
	atexit(fuzz_cleanup);
}

/* Replaces path with the given bytes. */
static void
fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	FILE	*fp;

	if ((fp = fopen(path, "w")) == NULL)
		abort();
	if (size > 0 && fwrite(data, 1, size, fp) != size)
		abort();
	if (fclose(fp) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config		*conf;
	struct peer_conf	*p;
	const uint8_t		*nul;
	const char		*cats[] = { "bio", "caf\xc3\xa9" };

	if (fuzz_main[0] == '\0')
		fuzz_setup();
	if ((nul = memchr(data, '\0', size)) != NULL) {
		fuzz_write(fuzz_main, data, nul - data);
		fuzz_write(fuzz_peer, nul + 1, size - (nul - data) - 1);
	} else {
		fuzz_write(fuzz_main, data, size);
		fuzz_write(fuzz_peer, data, size);
	}
	if ((conf = conf_load(fuzz_main)) == NULL)
		return (0);
	TAILQ_FOREACH(p, &conf->peers, next) {
		(void)conf_peer_equal(p, p);
		(void)conf_filter_pass(p, "job", "auvergne-rhone-alpes/loire",
		    cats, 2);
		(void)conf_filter_pass(p, NULL, NULL, NULL, 0);
	}
	free(conf_path(conf, "x.db"));
	conf_free(conf);
	return (0);
}
