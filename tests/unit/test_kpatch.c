/* kpatch: reading a series, patch(1)'s refusals, and the private tree
 * made for real with rsync and patch from a small pristine tree. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"
#include "build/kpatch.h"
#include "base/util.h"

static const char series_patch[] =
	"diff -urN a/arch/x86/Kconfig b/arch/x86/Kconfig\n"
	"--- a/arch/x86/Kconfig\t2026-11-23 16:17:58.514363866 +0000\n"
	"+++ b/arch/x86/Kconfig\t2026-11-23 16:17:58.516033424 +0000\n"
	"@@ -1,3 +1,4 @@\n"
	" config A\n"
	" \tbool\n"
	"+source \"arch/x86/Kconfig.duplex\"\n"
	" config B\n"
	"diff -urN a/arch/x86/Kconfig.duplex b/arch/x86/Kconfig.duplex\n"
	"--- a/arch/x86/Kconfig.duplex\t1970-01-01 00:00:00.000000000 +0000\n"
	"+++ b/arch/x86/Kconfig.duplex\t2026-11-23 16:17:58.521610146 +0000\n"
	"@@ -0,0 +1 @@\n"
	"+config DUPLEX_LAYOUT\n"
	"diff --git a/old.c b/old.c\n"
	"deleted file mode 100644\n"
	"--- a/old.c\n"
	"+++ /dev/null\n"
	"@@ -1 +0,0 @@\n"
	"-gone\n";

static void free_list(char **list, size_t n)
{
	while (n--)
		free(list[n]);
	free(list);
}

static void test_targets(void **state)
{
	char **list = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(kpatch_targets(series_patch, "p", &list, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(list[0], "arch/x86/Kconfig");
	assert_string_equal(list[1], "arch/x86/Kconfig.duplex");
	assert_string_equal(list[2], "old.c");
	/* A second patch of the same file adds nothing. */
	assert_int_equal(kpatch_targets(series_patch, "p", &list, &n), 0);
	assert_int_equal(n, 3);
	free_list(list, n);
}

static void test_targets_refuse_escape(void **state)
{
	struct stderr_capture cap;
	char **list = NULL, *err;
	size_t n = 0;
	int ret;

	(void)state;
	stderr_capture_start(&cap);
	ret = kpatch_targets("--- a/x\n+++ b/../../etc/passwd\n@@ -1 +1 @@\n",
			     "kernel/patches/bad.patch", &list, &n);
	err = stderr_capture_end(&cap);
	assert_int_equal(ret, -1);
	assert_int_equal(n, 0);
	assert_says(err, "kernel/patches/bad.patch:2:");
	assert_says(err, "b/../../etc/passwd");
	free(err);
	free_list(list, n);
}

static void test_rejection_failed_hunk(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(kpatch_first_rejection(
		"patching file arch/x86/include/asm/duplex_layout.h\n"
		"patching file arch/x86/Kconfig\n"
		"Hunk #1 FAILED at 2250.\n"
		"1 out of 1 hunk FAILED\n"
		"patching file arch/x86/mm/Makefile\n"
		"Hunk #1 FAILED at 60.\n", why, sizeof(why)), 0);
	assert_string_equal(why, "arch/x86/Kconfig: Hunk #1 FAILED at 2250");
}

static void test_rejection_missing_file(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(kpatch_first_rejection(
		"patching file new/file.c\n"
		"can't find file to patch at input line 17\n"
		"Perhaps you used the wrong -p or --strip option?\n"
		"The text leading up to this was:\n"
		"--------------------------\n"
		"|diff -urN a/gone/x.c b/gone/x.c\n"
		"|--- a/gone/x.c\t2026-11-23 16:17:58.516033424 +0000\n"
		"|+++ b/gone/x.c\t2026-11-23 16:17:58.516033424 +0000\n"
		"--------------------------\n"
		"No file to patch.  Skipping patch.\n", why, sizeof(why)), 0);
	assert_string_equal(why, "gone/x.c: no such file in the tree");
}

static void test_rejection_reversed_and_none(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(kpatch_first_rejection(
		"patching file arch/x86/Kconfig\n"
		"Reversed (or previously applied) patch detected!  Skipping patch.\n",
		why, sizeof(why)), 0);
	assert_says(why, "arch/x86/Kconfig: already patched");
	assert_int_equal(kpatch_first_rejection(
		"patching file a.c\npatching file b.c\n", why, sizeof(why)), -1);
}

/* A checkout (ROOT/kernel/patches) and a pristine tree in a temp dir. */
struct fixture {
	char dir[64];
	struct duplex_paths paths;
	char *pristine;
};

static void put(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *parent = xstrdup(path);

	*strrchr(parent, '/') = '\0';
	assert_int_equal(mkdir_p(parent, 0755), 0);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(parent);
	free(path);
}

static char *get(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *text = path_exists(path) ? read_file(path, NULL) : NULL;

	free(path);
	return text;
}

static struct stat stat_of(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;

	assert_int_equal(stat(path, &st), 0);
	free(path);
	return st;
}

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	char *patches;

	strcpy(f->dir, "/tmp/duplex-kpatch-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->paths.root, sizeof(f->paths.root), "%s/root", f->dir);
	snprintf(f->paths.kernel, sizeof(f->paths.kernel), "%s/root/kernel", f->dir);
	snprintf(f->paths.build, sizeof(f->paths.build), "%s/root/build", f->dir);
	f->pristine = xasprintf("%s/ksrc", f->dir);
	put(f->pristine, "Makefile", "all:\n");
	put(f->pristine, "arch/x86/Kconfig", "config A\n\tbool\nconfig B\n");
	put(f->pristine, "old.c", "gone\n");
	patches = xasprintf("%s/kernel/patches", f->paths.root);
	put(patches, "0001-layout.patch", series_patch);
	put(patches, "README", "not a patch\n");
	free(patches);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir);
	free(f->pristine);
	free(f);
	return 0;
}

static void test_prepare_private_tree(void **state)
{
	struct fixture *f = *state;
	struct kpatch_tree t;
	char *text;

	assert_int_equal(kpatch_prepare(&f->paths, f->pristine, &t), 0);
	text = get(t.dir, "arch/x86/Kconfig");
	assert_says(text, "source \"arch/x86/Kconfig.duplex\"");
	free(text);
	text = get(t.dir, "arch/x86/Kconfig.duplex");
	assert_string_equal(text, "config DUPLEX_LAYOUT\n");
	free(text);
	assert_null(get(t.dir, "old.c"));
	/* Untouched files are the pristine ones, linked, not copied. */
	assert_int_equal(stat_of(t.dir, "Makefile").st_ino,
			 stat_of(f->pristine, "Makefile").st_ino);
	/* The pristine tree is as it was. */
	text = get(f->pristine, "arch/x86/Kconfig");
	assert_string_equal(text, "config A\n\tbool\nconfig B\n");
	free(text);
	text = get(f->pristine, "old.c");
	assert_string_equal(text, "gone\n");
	free(text);
	kpatch_tree_free(&t);
}

static void test_prepare_again_touches_nothing(void **state)
{
	struct fixture *f = *state;
	struct kpatch_tree t1, t2;
	struct stat before;
	char id[17];

	assert_int_equal(kpatch_prepare(&f->paths, f->pristine, &t1), 0);
	before = stat_of(t1.dir, "arch/x86/Kconfig");
	strcpy(id, t1.id);
	/* An edit to the pristine tree reaches the copy at the next sync. */
	put(f->pristine, "Makefile", "all: edited\n");
	assert_int_equal(kpatch_prepare(&f->paths, f->pristine, &t2), 0);
	assert_string_equal(t2.id, id);
	assert_int_equal(stat_of(t2.dir, "arch/x86/Kconfig").st_ino, before.st_ino);
	assert_int_equal(stat_of(t2.dir, "arch/x86/Kconfig").st_mtim.tv_nsec,
			 before.st_mtim.tv_nsec);
	{
		char *text = get(t2.dir, "Makefile");

		assert_string_equal(text, "all: edited\n");
		free(text);
	}
	kpatch_tree_free(&t1);
	kpatch_tree_free(&t2);
}

static void test_prepare_refuses_other_tree(void **state)
{
	struct fixture *f = *state;
	struct stderr_capture cap;
	struct kpatch_tree t;
	char *err, *text, *dir;
	int ret;

	assert_int_equal(kpatch_prepare(&f->paths, f->pristine, &t), 0);
	dir = xstrdup(t.dir);
	kpatch_tree_free(&t);
	/* Another kernel version: the context of the hunk is gone. */
	put(f->pristine, "arch/x86/Kconfig", "config A\n\ttristate\nconfig B\n");
	stderr_capture_start(&cap);
	ret = kpatch_prepare(&f->paths, f->pristine, &t);
	err = stderr_capture_end(&cap);
	assert_int_equal(ret, -1);
	assert_null(t.dir);
	assert_says(err, "kernel/patches/0001-layout.patch does not apply to");
	assert_says(err, "arch/x86/Kconfig: Hunk #1 FAILED at 1 (patch's output: ");
	/* The private tree keeps what the last good run made. */
	text = get(dir, "arch/x86/Kconfig");
	assert_says(text, "Kconfig.duplex");
	free(text);
	free(err);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_targets_refuse_escape),
		cmocka_unit_test(test_rejection_failed_hunk),
		cmocka_unit_test(test_rejection_missing_file),
		cmocka_unit_test(test_rejection_reversed_and_none),
		cmocka_unit_test_setup_teardown(test_prepare_private_tree, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_again_touches_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prepare_refuses_other_tree, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
