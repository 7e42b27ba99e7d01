#define _GNU_SOURCE
#include "rdbuild.h"
#include "cpio.h"
#include "base/base.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Debian's busybox-static: one static binary, so the image needs no
 * libraries. */
#define BUSYBOX "/bin/busybox"

static const struct {
	const char *name;
	mode_t perm;
} skeleton_dirs[] = {
	{ "bin", 0755 }, { "sbin", 0755 }, { "usr", 0755 },
	{ "usr/bin", 0755 }, { "usr/sbin", 0755 }, { "proc", 0555 },
	{ "sys", 0555 }, { "dev", 0755 }, { "tmp", 01777 }, { "run", 0755 },
	{ "etc", 0755 }, { "etc/duplex", 0755 }, { "root", 0700 },
	{ "mnt", 0755 }, { "var", 0755 },
};

/* The guest programs of build/guest/, sorted by name so that the image
 * does not depend on the order of a directory listing. */
struct guest_list {
	char *dir;
	bool exists;		/* build/guest/ is there (maybe empty) */
	struct dirent **ents;
	int n;
};

static int not_hidden(const struct dirent *d)
{
	return d->d_name[0] != '.';
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

/* A missing directory means no guest programs were built: not an error. */
static int guest_list_load(struct guest_list *g, const struct duplex_paths *paths)
{
	g->dir = xasprintf("%s/guest", paths->build);
	g->ents = NULL;
	g->n = 0;
	g->exists = is_dir(g->dir);
	if (!g->exists)
		return 0;
	g->n = scandir(g->dir, &g->ents, not_hidden, by_name);
	if (g->n < 0) {
		log_error("cannot list '%s': %m", g->dir);
		free(g->dir);
		return -1;
	}
	return 0;
}

static void guest_list_free(struct guest_list *g)
{
	for (int i = 0; i < g->n; i++)
		free(g->ents[i]);
	free(g->ents);
	free(g->dir);
}

/* A missing input counts as newer: building then reports it properly. */
static bool newer_than(const char *path, const struct stat *out)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return true;
	if (st.st_mtim.tv_sec != out->st_mtim.tv_sec)
		return st.st_mtim.tv_sec > out->st_mtim.tv_sec;
	return st.st_mtim.tv_nsec > out->st_mtim.tv_nsec;
}

/* The inputs are busybox, ramdisk/init, the guest programs, the
 * directory holding them (so that removing a program counts; build/ when
 * build/guest/ is missing, so that removing all of them counts too) and
 * the running executable (so that a change of the image's layout counts). */
static bool image_stale(const char *image, const char *init,
			const char *build, const struct guest_list *g)
{
	struct stat out;
	bool stale;

	if (stat(image, &out) < 0)
		return true;
	stale = newer_than(BUSYBOX, &out) || newer_than(init, &out) ||
		newer_than("/proc/self/exe", &out) ||
		newer_than(g->exists ? g->dir : build, &out);
	for (int i = 0; !stale && i < g->n; i++) {
		char *path = xasprintf("%s/%s", g->dir, g->ents[i]->d_name);

		stale = newer_than(path, &out);
		free(path);
	}
	return stale;
}

static int add_skeleton(struct cpio_writer *w, unsigned partition)
{
	char *k = xasprintf("%u\n", partition);
	int ret = -1;

	for (size_t i = 0; i < ARRAY_SIZE(skeleton_dirs); i++)
		if (cpio_add_dir(w, skeleton_dirs[i].name, skeleton_dirs[i].perm) < 0)
			goto out;
	/* The kernel opens /dev/console for init before devtmpfs is
	 * mounted over /dev, so the node must be in the image. */
	if (cpio_add_chardev(w, "dev/console", 0600, 5, 1) < 0 ||
	    cpio_add_chardev(w, "dev/null", 0666, 1, 3) < 0 ||
	    cpio_add_file(w, "etc/duplex/partition", 0644, k, strlen(k)) < 0)
		goto out;
	ret = 0;
out:
	free(k);
	return ret;
}

static int add_host_file(struct cpio_writer *w, const char *name,
			 const char *path, mode_t perm)
{
	size_t len;
	char *data = read_file(path, &len);
	int ret;

	if (!data)
		return -1;
	ret = cpio_add_file(w, name, perm, data, len);
	free(data);
	return ret;
}

static int add_guest_programs(struct cpio_writer *w, const struct guest_list *g)
{
	int ret = 0;

	for (int i = 0; !ret && i < g->n; i++) {
		char *path = xasprintf("%s/%s", g->dir, g->ents[i]->d_name);
		char *name = xasprintf("usr/bin/%s", g->ents[i]->d_name);

		if (is_dir(path))
			log_warn("rdbuild: skipping '%s': guest programs are files, not directories",
				 path);
		else
			ret = add_host_file(w, name, path, 0755);
		free(name);
		free(path);
	}
	return ret;
}

/* Add the directories above NAME that the archive lacks yet, so that a
 * future busybox with applets in a new directory still works. */
static int add_parents(struct cpio_writer *w, const char *name)
{
	char *dir = xstrdup(name);
	int ret = 0;

	for (char *s = strchr(dir, '/'); !ret && s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (!cpio_lookup(w, dir))
			ret = cpio_add_dir(w, dir, 0755);
		*s = '/';
	}
	free(dir);
	return ret;
}

/* One symlink to /bin/busybox per applet, where busybox itself would
 * install it.  A path already taken is left alone: bin/busybox is the
 * binary itself, and a guest program of the same name wins. */
static int add_applets(struct cpio_writer *w)
{
	const char *const argv[] = { BUSYBOX, "--list-full", NULL };
	char *list, *save = NULL;
	int ret = -1;

	if (run_capture(argv, -1, &list) != 0) {
		log_error("'%s --list-full' failed; reinstall busybox-static ('make deps')",
			  BUSYBOX);
		return -1;
	}
	for (char *l = strtok_r(list, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		if (cpio_lookup(w, l)) {
			log_debug("rdbuild: applet '%s' skipped: the path is taken", l);
			continue;
		}
		if (add_parents(w, l) < 0 || cpio_add_symlink(w, l, BUSYBOX) < 0)
			goto out;
	}
	ret = 0;
out:
	free(list);
	return ret;
}

static int build_image(struct cpio_writer *w, unsigned partition,
		       const char *init, const struct guest_list *g)
{
	if (add_skeleton(w, partition) < 0 ||
	    add_host_file(w, "init", init, 0755) < 0 ||
	    add_host_file(w, "bin/busybox", BUSYBOX, 0755) < 0 ||
	    add_guest_programs(w, g) < 0 || add_applets(w) < 0)
		return -1;
	return cpio_finish(w);
}

static int write_image(const char *image, const struct cpio_writer *w)
{
	char *dir = xstrdup(image);
	int ret;

	*strrchr(dir, '/') = '\0';
	ret = mkdir_p(dir, 0755);
	free(dir);
	if (ret < 0)
		return -1;
	return write_file_atomic(image, w->buf, w->len, 0644);
}

/* Build PARTITION's image from scratch unless it is up to date. */
static int update_image(const struct duplex_paths *paths, unsigned partition,
			const char *image, const char *init,
			const struct guest_list *g)
{
	struct cpio_writer w;
	int ret = -1;

	if (!image_stale(image, init, paths->build, g)) {
		log_debug("rdbuild: partition%u initramfs up to date", partition);
		return 0;
	}
	cpio_init(&w);
	if (build_image(&w, partition, init, g) < 0 ||
	    write_image(image, &w) < 0)
		goto free_cpio;
	log_info("rdbuild: partition%u initramfs (%.1f MiB)", partition,
		 (double)w.len / (1024 * 1024));
	ret = 0;
free_cpio:
	cpio_free(&w);
	return ret;
}

int rdbuild_partition(const struct duplex_paths *paths, unsigned partition)
{
	struct guest_list g;
	char *image, *init;
	int ret;

	if (partition >= DUPLEX_MAX_PARTITIONS) {
		log_error("rdbuild: partition %u out of range (0..%d)", partition,
			  DUPLEX_MAX_PARTITIONS - 1);
		return -1;
	}
	if (!path_exists(BUSYBOX)) {
		log_error("'%s' is missing; run 'make deps' (it installs busybox-static)",
			  BUSYBOX);
		return -1;
	}
	if (guest_list_load(&g, paths) < 0)
		return -1;
	image = paths_initramfs(paths, partition);
	init = xasprintf("%s/ramdisk/init", paths->root);
	ret = update_image(paths, partition, image, init, &g);
	free(init);
	free(image);
	guest_list_free(&g);
	return ret;
}

int rdbuild_profile(const struct duplex_paths *paths,
		    const struct machine_profile *profile)
{
	unsigned k;

	for (k = 0; k < profile->partitions; k++)
		if (rdbuild_partition(paths, k) < 0)
			return -1;
	return 0;
}
