/* clean: what runs that died left behind (duplex clean): their state
 * directories, bridges and window files.  Their domains are virt's. */
#define _GNU_SOURCE
#include "machine.h"
#include "base/base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>

static bool is_real_dir_at(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

static int clean_dirs(const struct duplex_paths *paths, bool all)
{
	struct dirent *de;
	int count = 0;
	DIR *dir;

	dir = opendir(paths->run);
	if (!dir)
		return errno == ENOENT ? 0 : (log_error("cannot read '%s': %m", paths->run), -1);
	while ((de = readdir(dir))) {
		/* The run directory may be any directory ($DUPLEX_RUN=$HOME):
		 * only a real directory named exactly as a run is ours. */
		if (!run_id_valid(de->d_name, 'r') ||
		    !is_real_dir_at(dirfd(dir), de->d_name) ||
		    (!all && runlock_alive(de->d_name, paths->run)))
			continue;
		char *path = xasprintf("%s/%s", paths->run, de->d_name);

		if (remove_tree(path) == 0) {
			log_info("clean: removed %s", path);
			count++;
		}
		free(path);
	}
	closedir(dir);
	return count;
}

int machine_clean_state(const struct duplex_paths *paths, bool all,
			struct machine_leftovers *removed)
{
	struct link_leftovers links;
	int ret = link_clean(all, runlock_alive, paths->run, &links);

	removed->bridges = links.bridges;
	removed->windows = links.windows;
	removed->dirs = clean_dirs(paths, all);
	if (removed->dirs < 0) {
		removed->dirs = 0;
		ret = -1;
	}
	return ret;
}
