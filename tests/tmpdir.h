/* feedmesh tests: a private temporary directory for a test's stores. */
#ifndef FEEDMESH_TMPDIR_H
#define FEEDMESH_TMPDIR_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static char	 tmpdir[64];

/* Makes $TMPDIR/feedmesh-<name>.XXXXXX (or under /tmp); -1 on failure. */
static int
tmpdir_make(const char *name)
{
	const char	*base = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/feedmesh-%s.XXXXXX",
	    base != NULL ? base : "/tmp", name);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return (-1);
	}
	return (0);
}

/* The path of a file in the directory, allocated. */
static char *
db_path(const char *name)
{
	char	*p;

	if (asprintf(&p, "%s/%s", tmpdir, name) == -1)
		abort();
	return (p);
}

/*
 * Removes the directory and whatever the test left in it (databases and
 * their -wal and -shm files).
 */
static void
tmp_cleanup(void)
{
	struct dirent	*de;
	DIR		*d;
	char		*p;

	if ((d = opendir(tmpdir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		p = db_path(de->d_name);
		unlink(p);
		free(p);
	}
	closedir(d);
	rmdir(tmpdir);
}

#endif
