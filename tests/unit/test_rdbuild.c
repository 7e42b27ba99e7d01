/* Unit tests of rdbuild in a scratch checkout: what goes into the image,
 * when it is rebuilt, and that rebuilding gives the same bytes.  Needs
 * Debian's /bin/busybox (busybox-static) and GNU cpio. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/config.h"
#include "base/log.h"
#include "build/rdbuild.h"
#include "base/util.h"

struct scratch {
	char dir[32];
	struct duplex_paths paths;
	char *image;
};

static int scratch_setup(void **state)
{
	struct scratch *s = xcalloc(1, sizeof(*s));
	char *path;
	int ret;

	log_set_quiet(1);
	strcpy(s->dir, "/tmp/test_rdbuild.XXXXXX");
	if (!mkdtemp(s->dir))
		return -1;
	snprintf(s->paths.root, sizeof(s->paths.root), "%s/root", s->dir);
	snprintf(s->paths.build, sizeof(s->paths.build), "%s/build", s->dir);
	path = xasprintf("%s/ramdisk", s->paths.root);
	ret = mkdir_p(path, 0755);
	free(path);
	path = xasprintf("%s/ramdisk/init", s->paths.root);
	if (ret == 0)
		ret = write_file_atomic(path, "#!/bin/sh\n", 10, 0644);
	free(path);
	s->image = paths_initramfs(&s->paths, 1);
	*state = s;
	return ret;
}

static int scratch_teardown(void **state)
{
	struct scratch *s = *state;
	int ret = remove_tree(s->dir);

	free(s->image);
	free(s);
	return ret;
}

static void add_guest(struct scratch *s, const char *name, const char *text)
{
	char *dir = xasprintf("%s/guest", s->paths.build);
	char *path = xasprintf("%s/%s", dir, name);

	assert_int_equal(mkdir_p(dir, 0755), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
	free(dir);
}

static ino_t image_ino(struct scratch *s)
{
	struct stat st;

	assert_int_equal(stat(s->image, &st), 0);
	return st.st_ino;
}

/* Extract the named entries (and their parents, -d) into DIR/x. */
static char *extract(struct scratch *s, const char *a, const char *b)
{
	char *out = xasprintf("%s/x", s->dir);
	const char *argv[] = { "cpio", "-id", "--quiet", "-F", s->image, a, b, NULL };

	assert_int_equal(remove_tree(out), 0);
	assert_int_equal(mkdir(out, 0755), 0);
	assert_int_equal(run_command(argv, out, -1), 0);
	return out;
}

static void assert_text(const char *dir, const char *name, const char *text,
			mode_t mode)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;
	char *got = read_file(path, NULL);

	assert_non_null(got);
	assert_string_equal(got, text);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, mode);
	free(got);
	free(path);
}

static void test_contents(void **state)
{
	struct scratch *s = *state;
	const char *argv[] = { "cpio", "-t", "--quiet", "-F", s->image, NULL };
	char *list, *out, target[32] = "", *link;

	if (!path_exists("/bin/busybox"))
		skip();
	add_guest(s, "hello", "guest program\n");
	assert_int_equal(rdbuild_partition(&s->paths, 1), 0);
	assert_int_equal(run_capture(argv, -1, &list), 0);
	assert_non_null(strstr(list, "\ndev/console\ndev/null\n"));
	assert_non_null(strstr(list, "\netc/duplex/partition\ninit\nbin/busybox\n"));
	assert_non_null(strstr(list, "\nusr/bin/hello\n"));
	assert_non_null(strstr(list, "\nbin/sh\n"));
	/* The binary is in once; its own applet link is left out. */
	assert_null(strstr(strstr(list, "\nbin/busybox\n") + 1, "\nbin/busybox\n"));

	out = extract(s, "etc/duplex/partition", "usr/bin/hello");
	assert_text(out, "etc/duplex/partition", "1\n", 0644);
	assert_text(out, "usr/bin/hello", "guest program\n", 0755);
	free(out);
	out = extract(s, "init", "bin/sh");
	assert_text(out, "init", "#!/bin/sh\n", 0755);
	link = xasprintf("%s/bin/sh", out);
	assert_true(readlink(link, target, sizeof(target) - 1) > 0);
	assert_string_equal(target, "/bin/busybox");
	free(link);
	free(out);
	free(list);
}

static void test_rebuilds_only_when_stale(void **state)
{
	struct scratch *s = *state;
	struct timespec later[2];
	char *guest, *dir;
	ino_t ino;

	if (!path_exists("/bin/busybox"))
		skip();
	add_guest(s, "hello", "v1\n");
	assert_int_equal(rdbuild_partition(&s->paths, 1), 0);
	ino = image_ino(s);
	/* write_file_atomic renames a new file in: a rewrite changes the
	 * inode. */
	assert_int_equal(rdbuild_partition(&s->paths, 1), 0);
	assert_int_equal(image_ino(s), ino);

	clock_gettime(CLOCK_REALTIME, &later[0]);
	later[0].tv_sec += 10;
	later[1] = later[0];
	guest = xasprintf("%s/guest/hello", s->paths.build);
	assert_int_equal(utimensat(AT_FDCWD, guest, later, 0), 0);
	assert_int_equal(rdbuild_partition(&s->paths, 1), 0);
	assert_int_not_equal(image_ino(s), ino);

	/* Removing a program changes build/guest/'s mtime.  Set it past the
	 * image's explicitly: the file system clock is coarser than the
	 * time this test takes. */
	ino = image_ino(s);
	assert_int_equal(unlink(guest), 0);
	later[0].tv_sec += 10;
	later[1] = later[0];
	dir = xasprintf("%s/guest", s->paths.build);
	assert_int_equal(utimensat(AT_FDCWD, dir, later, 0), 0);
	free(dir);
	assert_int_equal(rdbuild_partition(&s->paths, 1), 0);
	assert_int_not_equal(image_ino(s), ino);
	free(guest);
}

static void test_same_bytes(void **state)
{
	struct scratch *s = *state;
	size_t len1, len2;
	char *first, *second;

	if (!path_exists("/bin/busybox"))
		skip();
	/* No build/guest/ at all: nothing to add, not an error. */
	assert_int_equal(rdbuild_partition(&s->paths, 1), 0);
	first = read_file(s->image, &len1);
	assert_non_null(first);
	assert_int_equal(unlink(s->image), 0);
	assert_int_equal(rdbuild_partition(&s->paths, 1), 0);
	second = read_file(s->image, &len2);
	assert_non_null(second);
	assert_int_equal(len1, len2);
	assert_memory_equal(first, second, len1);
	free(second);
	free(first);
}

static void test_bad_partition(void **state)
{
	struct scratch *s = *state;

	assert_int_equal(rdbuild_partition(&s->paths, DUPLEX_MAX_PARTITIONS), -1);
	assert_false(path_exists(s->paths.build));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_contents, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_rebuilds_only_when_stale,
						scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_same_bytes, scratch_setup,
						scratch_teardown),
		cmocka_unit_test_setup_teardown(test_bad_partition,
						scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
