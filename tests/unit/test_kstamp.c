/* kstamp: the stamp of a kernel's inputs differs after a change of any
 * of them, and a build with nothing changed runs no make.  The builds are
 * real kbuild_build calls on a small tree, with rsync and patch, and a
 * make that only records its calls and writes what duplex reads. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "build/kbuild.h"
#include "build/kpatch.h"
#include "build/kstamp.h"
#include "base/util.h"

/* make: each call a line in $FAKE_MAKE_LOG; tinyconfig starts .config,
 * bzImage writes a new image, or fails with $FAKE_MAKE_FAIL set. */
static const char fake_make[] =
	"#!/bin/sh\n"
	"echo \"$*\" >>\"$FAKE_MAKE_LOG\"\n"

	"for a; do case $a in O=*) o=${a#O=} ;; esac; done\n"
	"case \" $* \" in\n"
	"*\" tinyconfig \"*) : >\"$o/.config\" ;;\n"
	"*\" bzImage \"*) [ -z \"$FAKE_MAKE_FAIL\" ] || exit 2; mkdir -p \"$o/arch/x86/boot\" && date +%s%N >\"$o/arch/x86/boot/bzImage\" ;;\n"
	"esac\n";

/* merge_config.sh -m -O OBJDIR CONFIG FRAGMENT...: the fragments' lines,
 * which the checks then find in .config. */
static const char fake_merge[] =
	"o=$3; shift 3\n"
	"cat \"$@\" >\"$o/.config.new\" && mv \"$o/.config.new\" \"$o/.config\"\n";

static const char patch_v1[] =
	"--- a/lib/x.c\n"
	"+++ b/lib/x.c\n"
	"@@ -1 +1 @@\n"
	"-old\n"
	"+new\n";

static const char patch_v2[] =
	"--- a/lib/x.c\n"
	"+++ b/lib/x.c\n"
	"@@ -1 +1 @@\n"
	"-old\n"
	"+newer\n";

struct fixture {
	char dir[64];
	struct duplex_paths paths;
	char *make_log;
};

static char *at(const struct fixture *f, const char *rel)
{
	return xasprintf("%s/%s", f->dir, rel);
}

static void put(const struct fixture *f, const char *rel, const char *text)
{
	char *path = at(f, rel), *slash = strrchr(path, '/');

	*slash = '\0';
	assert_int_equal(mkdir_p(path, 0755), 0);
	*slash = '/';
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0755), 0);
	free(path);
}

/* Set REL's mtime to T seconds: a change make would see, whatever the
 * clock's resolution. */
static void set_mtime(const struct fixture *f, const char *rel, time_t t)
{
	char *path = at(f, rel);
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	assert_int_equal(utimensat(AT_FDCWD, path, ts, 0), 0);
	free(path);
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *path;

	strcpy(f->dir, "/tmp/test_kstamp.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->paths.root, sizeof(f->paths.root), "%s/root", f->dir);
	snprintf(f->paths.kernel, sizeof(f->paths.kernel), "%s/root/kernel", f->dir);
	snprintf(f->paths.build, sizeof(f->paths.build), "%s/build", f->dir);
	snprintf(f->paths.ksrc, sizeof(f->paths.ksrc), "%s/ksrc", f->dir);
	put(f, "root/kernel/common.config", "# every replica\nCONFIG_A=y\n");
	put(f, "root/kernel/replica1.config", "CONFIG_R=1\n");
	put(f, "root/kernel/required.config", "CONFIG_A=y\n");
	put(f, "root/kernel/patches/0001-x.patch", patch_v1);
	put(f, "ksrc/Makefile", "# a kernel tree\n");
	put(f, "ksrc/arch/x86/Kconfig", "config X86\n");
	put(f, "ksrc/lib/x.c", "old\n");
	put(f, "ksrc/lib/y.c", "y\n");
	put(f, "ksrc/scripts/kconfig/merge_config.sh", fake_merge);
	put(f, "bin/make", fake_make);
	f->make_log = at(f, "make.log");
	setenv("FAKE_MAKE_LOG", f->make_log, 1);
	path = xasprintf("%s/bin:%s", f->dir, getenv("PATH"));
	setenv("PATH", path, 1);
	free(path);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *bin = at(f, "bin:");
	const char *p = getenv("PATH");

	/* PATH as it was: this fixture's bin/ was put in front. */
	if (!strncmp(p, bin, strlen(bin)))
		setenv("PATH", p + strlen(bin), 1);
	remove_tree(f->dir);
	free(bin);
	free(f->make_log);
	free(f);
	return 0;
}

static size_t make_calls(const struct fixture *f)
{
	char *log = path_exists(f->make_log) ? read_file(f->make_log, NULL) : NULL;
	size_t n = 0;

	for (const char *p = log; p && (p = strstr(p, "bzImage")); p++)
		n++;
	free(log);
	return n;
}

/* Build replica 1: its status, and whether make was asked for the
 * image.  Its messages (stdout) go to a file: the path without make says
 * so. */
static int try_build(const struct fixture *f, bool *ran)
{
	struct kbuild_options opts = { .paths = &f->paths, .jobs = 1,
				       .quiet = true };
	struct kbuild_kernel k = { .replica = 1 };
	struct stderr_capture cap;
	size_t before = make_calls(f);
	char *out_path = at(f, "build.out"), *out, *err;
	int saved = dup(1), fd, ret;

	fd = open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(saved >= 0 && fd >= 0);
	fflush(stdout);
	dup2(fd, 1);
	close(fd);
	stderr_capture_start(&cap);
	ret = kbuild_build(&opts, &k, 1);
	err = stderr_capture_end(&cap);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	out = read_file(out_path, NULL);
	*ran = make_calls(f) != before;
	if (ret == 0 && !*ran)
		assert_says(out, "kbuild: replica1 up to date (");
	free(out);
	free(err);
	free(out_path);
	return ret;
}

static bool build(const struct fixture *f)
{
	bool ran;

	assert_int_equal(try_build(f, &ran), 0);
	return ran;
}

/* Built once, then nothing to do: the case every `duplex build` with no
 * change is. */
static void built(const struct fixture *f)
{
	assert_true(build(f));
	assert_false(build(f));
}

static void test_nothing_changed_runs_no_make(void **state)
{
	struct fixture *f = *state;
	char *image = at(f, "build/replica1/arch/x86/boot/bzImage");

	built(f);
	assert_true(path_exists(image));
	assert_false(build(f));
	free(image);
}

static void test_tree_file_edited(void **state)
{
	struct fixture *f = *state;

	built(f);
	set_mtime(f, "ksrc/lib/y.c", 1000000000);
	assert_true(build(f));
	assert_false(build(f));
}

static void test_tree_file_added_or_removed(void **state)
{
	struct fixture *f = *state;
	char *y = at(f, "ksrc/lib/y.c");

	built(f);
	put(f, "ksrc/lib/z.c", "z\n");
	assert_true(build(f));
	assert_false(build(f));
	assert_int_equal(unlink(y), 0);
	assert_true(build(f));
	free(y);
}

static void test_fragments_changed(void **state)
{
	struct fixture *f = *state;

	built(f);
	put(f, "root/kernel/replica1.config", "CONFIG_R=1\nCONFIG_S=y\n");
	assert_true(build(f));
	assert_false(build(f));
	put(f, "root/kernel/common.config", "CONFIG_A=y\nCONFIG_B=y\n");
	assert_true(build(f));
	assert_false(build(f));
	put(f, "root/kernel/required.config", "CONFIG_B=y\n");
	assert_true(build(f));
}

static void test_patch_changed(void **state)
{
	struct fixture *f = *state;
	glob_t g;
	char *pattern = at(f, "build/src/ksrc-*.patched/lib/x.c"), *text;

	built(f);
	put(f, "root/kernel/patches/0001-x.patch", patch_v2);
	assert_true(build(f));
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	text = read_file(g.gl_pathv[0], NULL);
	assert_string_equal(text, "newer\n");
	free(text);
	assert_false(build(f));
	/* A second patch in the series. */
	put(f, "root/kernel/patches/0002-y.patch",
	    "--- a/lib/y.c\n+++ b/lib/y.c\n@@ -1 +1 @@\n-y\n+why\n");
	assert_true(build(f));
	globfree(&g);
	free(pattern);
}

/* The private tree's patched copies are duplex's, but an edit there is
 * what make would build from. */
static void test_private_copy_edited(void **state)
{
	struct fixture *f = *state;
	glob_t g;
	char *pattern = at(f, "build/src/ksrc-*.patched/lib/x.c");

	built(f);
	assert_int_equal(glob(pattern, 0, NULL, &g), 0);
	assert_int_equal(write_file_atomic(g.gl_pathv[0], "mine\n", 5, 0644), 0);
	assert_true(build(f));
	assert_false(build(f));
	globfree(&g);
	free(pattern);
}

static void test_outputs_changed(void **state)
{
	struct fixture *f = *state;
	char *image = at(f, "build/replica1/arch/x86/boot/bzImage");
	char *config = at(f, "build/replica1/.config");

	built(f);
	assert_int_equal(unlink(image), 0);
	assert_true(build(f));
	assert_false(build(f));
	assert_int_equal(write_file_atomic(config, "CONFIG_A=n\n", 11, 0644), 0);
	assert_true(build(f));
	free(image);
	free(config);
}

/* A failed build leaves no stamp: with the input put back as it was,
 * the objects make left half-built still get a build. */
static void test_failed_build_leaves_no_stamp(void **state)
{
	struct fixture *f = *state;
	char *stamp = at(f, "build/replica1/.duplex-build-stamp");
	bool ran;

	built(f);
	assert_true(path_exists(stamp));
	setenv("KCFLAGS", "-O1", 1);
	setenv("FAKE_MAKE_FAIL", "1", 1);
	assert_int_equal(try_build(f, &ran), -1);
	assert_true(ran);
	unsetenv("FAKE_MAKE_FAIL");
	unsetenv("KCFLAGS");
	assert_false(path_exists(stamp));
	assert_true(build(f));
	assert_false(build(f));
	free(stamp);
}

static void test_environment_changed(void **state)
{
	struct fixture *f = *state;

	built(f);
	setenv("KCFLAGS", "-O1", 1);
	assert_true(build(f));
	assert_false(build(f));
	/* Not one make reads. */
	setenv("DUPLEX_KSTAMP_UNRELATED", "1", 1);
	assert_false(build(f));
	unsetenv("DUPLEX_KSTAMP_UNRELATED");
	unsetenv("KCFLAGS");
	assert_true(build(f));
}

static uint64_t tree_hash(const struct fixture *f)
{
	char *dir = at(f, "ksrc");
	uint64_t h;

	assert_int_equal(kstamp_tree(dir, &h), 0);
	free(dir);
	return h;
}

/* The walk sees what make would: a file replaced by another of the same
 * size and mtime (a new inode), a file renamed; not the tree's .git. */
static void test_tree_hash(void **state)
{
	struct fixture *f = *state;
	char *y = at(f, "ksrc/lib/y.c"), *w = at(f, "ksrc/lib/w.c");
	uint64_t h = tree_hash(f);

	assert_int_equal(tree_hash(f), h);
	put(f, "ksrc/.git/index", "1");
	assert_int_equal(tree_hash(f), h);
	put(f, "ksrc/.git/index", "22");
	assert_int_equal(tree_hash(f), h);
	put(f, "ksrc/lib/.git", "not the tree's own .git\n");
	assert_int_not_equal(tree_hash(f), h);
	h = tree_hash(f);
	set_mtime(f, "ksrc/lib/y.c", 1000000000);
	h = tree_hash(f);
	put(f, "ksrc/lib/y.c", "Y\n");
	set_mtime(f, "ksrc/lib/y.c", 1000000000);
	assert_int_not_equal(tree_hash(f), h);
	h = tree_hash(f);
	assert_int_equal(rename(y, w), 0);
	assert_int_not_equal(tree_hash(f), h);
	free(y);
	free(w);
}

/* KSRC may name the tree through a symbolic link. */
static void test_tree_through_link(void **state)
{
	struct fixture *f = *state;
	char *tree = at(f, "ksrc"), *link = at(f, "ksrc-link");
	uint64_t h, h2;

	assert_int_equal(symlink(tree, link), 0);
	assert_int_equal(kstamp_tree(link, &h), 0);
	set_mtime(f, "ksrc/lib/y.c", 1000000000);
	assert_int_equal(kstamp_tree(link, &h2), 0);
	assert_int_not_equal(h, h2);
	free(tree);
	free(link);
}

static void test_tree_missing(void **state)
{
	struct stderr_capture cap;
	uint64_t h;
	char *err;

	(void)state;
	stderr_capture_start(&cap);
	assert_int_equal(kstamp_tree("/nonexistent/ksrc", &h), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, "/nonexistent/ksrc");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_nothing_changed_runs_no_make, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_file_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_file_added_or_removed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fragments_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_patch_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_copy_edited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outputs_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_build_leaves_no_stamp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_environment_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_hash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_through_link, setup, teardown),
		cmocka_unit_test(test_tree_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
