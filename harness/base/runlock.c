#define _GNU_SOURCE
#include "runlock.h"
#include "log.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* Lock a fresh file and only then give it its name: a clean looking
 * between the two finds no lock file and asks about the pid instead,
 * never a lock file nobody holds yet. */
int runlock_take(const char *state_dir)
{
	char *tmp = xasprintf("%s/." RUNLOCK_FILE ".XXXXXX", state_dir);
	char *path = xasprintf("%s/" RUNLOCK_FILE, state_dir);
	int fd;

	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		log_error("cannot create the run's lock file in '%s': %m",
			  state_dir);
		goto out;
	}
	/* Anyone may ask whether the run is alive. */
	if (fchmod(fd, 0644) < 0 || flock(fd, LOCK_EX | LOCK_NB) < 0 ||
	    rename(tmp, path) < 0) {
		log_error("cannot lock '%s' for the run: %m", path);
		unlink(tmp);
		close(fd);
		fd = -1;
	}
out:
	free(tmp);
	free(path);
	return fd;
}

void runlock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

/* Does a process with the pid of run id r<pid>-<hex> exist?  EPERM: it
 * exists, as another user's. */
static bool pid_exists(const char *run_id)
{
	char *end;
	long pid;

	if (run_id[0] != 'r' || run_id[1] < '1' || run_id[1] > '9')
		return false;
	errno = 0;
	pid = strtol(run_id + 1, &end, 10);
	if (errno || *end != '-' || pid > INT_MAX)
		return false;
	return kill((pid_t)pid, 0) == 0 || errno == EPERM;
}

bool runlock_alive(const char *run_id, const void *run_dir)
{
	char *path = xasprintf("%s/%s/" RUNLOCK_FILE, (const char *)run_dir,
			       run_id);
	bool alive = true;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			alive = pid_exists(run_id);
		else
			log_warn("run %s is kept: cannot open its lock file '%s': %m",
				 run_id, path);
		goto out;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		alive = false;
	else if (errno != EWOULDBLOCK)
		log_warn("run %s is kept: cannot try its lock '%s': %m",
			 run_id, path);
	close(fd);
out:
	free(path);
	return alive;
}
