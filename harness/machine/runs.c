#define _GNU_SOURCE
#include "runs.h"
#include "machine.h"
#include "record.h"
#include "base/base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the run's side ------------------------------------------------ */

int runs_publish_machine(const struct machine *m)
{
	char *path = xasprintf("%s/" RUNS_MACHINE_FILE, m->state_dir);
	char *text = xasprintf("profile %s\npartitions %u\n", m->profile->name,
			       m->profile->partitions);
	int ret = write_file_atomic(path, text, strlen(text), 0644);

	free(text);
	free(path);
	return ret;
}

static char *pty_file(const char *state_dir, unsigned k)
{
	return xasprintf("%s/serial%u.pty", state_dir, k);
}

int runs_publish_pty(const struct machine *m, const struct partition *p)
{
	char *path = pty_file(m->state_dir, p->index);
	char *text = xasprintf("%s\n", p->pty);
	int ret = write_file_atomic(path, text, strlen(text), 0644);

	free(text);
	free(path);
	return ret;
}

void runs_unpublish_pty(const struct machine *m, const struct partition *p)
{
	char *path;

	if (!m->state_dir)
		return;
	path = pty_file(m->state_dir, p->index);
	if (unlink(path) < 0 && errno != ENOENT)
		log_warn("cannot remove '%s': %m", path);
	free(path);
}

/* ---- the readers' side --------------------------------------------- */

/* A run of this user: its state directory is a real directory we own
 * (the run directory may be shared, $DUPLEX_RUN=/tmp). */
static bool own_run_dir(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode) && st.st_uid == geteuid();
}

static int by_id(const void *a, const void *b)
{
	return strcmp(((const struct machine_run *)a)->id,
		      ((const struct machine_run *)b)->id);
}

int machine_runs_alive(const struct duplex_paths *paths,
		       struct machine_run **runs)
{
	struct dirent *de;
	size_t n = 0, cap = 4;
	DIR *dir;

	*runs = NULL;
	dir = opendir(paths->run);
	if (!dir && errno == ENOENT)
		return 0;
	if (!dir) {
		log_error("cannot read the run directory '%s': %m", paths->run);
		return -1;
	}
	*runs = xcalloc(cap, sizeof(**runs));
	while ((de = readdir(dir))) {
		if (!run_id_valid(de->d_name, 'r') ||
		    !own_run_dir(dirfd(dir), de->d_name) ||
		    !runlock_alive(de->d_name, paths->run))
			continue;
		if (n == cap)
			*runs = xrealloc(*runs, (cap *= 2) * sizeof(**runs));
		machine_run_read(paths, de->d_name, &(*runs)[n++]);
	}
	closedir(dir);
	qsort(*runs, n, sizeof(**runs), by_id);
	return (int)n;
}

void machine_run_read(const struct duplex_paths *paths, const char *id,
		      struct machine_run *r)
{
	char *path = xasprintf("%s/%s/" RUNS_MACHINE_FILE, paths->run, id);
	char *text = NULL, *line, *save = NULL;

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "%s", id);
	/* Missing (a run of an older duplex, or one that has just begun):
	 * the fields stay empty. */
	if (path_exists(path))
		text = read_file(path, NULL);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		unsigned long n;

		if (!strncmp(line, "profile ", 8))
			snprintf(r->profile, sizeof(r->profile), "%s", line + 8);
		else if (!strncmp(line, "partitions ", 11) &&
			 parse_uint(line + 11, 1, DUPLEX_MAX_PARTITIONS, &n) == 0)
			r->partitions = (unsigned)n;
	}
	free(text);
	free(path);
}

char *machine_run_pty(const struct duplex_paths *paths, const char *id,
		      unsigned k)
{
	char *dir = xasprintf("%s/%s", paths->run, id);
	char *path = pty_file(dir, k), *text = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[128];
	ssize_t n;

	/* Read directly: a pty not published yet is no error. */
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 1 && buf[n - 1] == '\n') {
			buf[n - 1] = '\0';
			text = xstrdup(buf);
		}
	}
	free(path);
	free(dir);
	return text;
}

char *machine_run_console_log(const struct duplex_paths *paths,
			      const char *id, unsigned k)
{
	char *dir = xasprintf("%s/%s", paths->run, id);
	char *path = record_raw_path(dir, k);

	free(dir);
	return path;
}
