/* Unit tests of the newc writer: the bytes it writes (headers, padding,
 * trailer), its refusals, and a round trip through GNU cpio. */
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

#include "build/cpio.h"
#include "base/log.h"
#include "base/util.h"

/* One entry as read back from the archive by an independent reader. */
struct entry {
	uint32_t ino, mode, uid, gid, nlink, mtime, size;
	uint32_t devmajor, devminor, rdevmajor, rdevminor, namesize, check;
	const char *name;
	const unsigned char *data;
};

/* Read the entry at *off, check its alignment and zero padding, and move
 * *off to the next one. */
static void read_entry(const struct cpio_writer *w, size_t *off,
		       struct entry *e)
{
	const unsigned char *p = w->buf + *off;
	uint32_t *fields[] = {
		&e->ino, &e->mode, &e->uid, &e->gid, &e->nlink, &e->mtime,
		&e->size, &e->devmajor, &e->devminor, &e->rdevmajor,
		&e->rdevminor, &e->namesize, &e->check,
	};
	size_t end;

	assert_int_equal(*off % 4, 0);
	assert_true(*off + 110 <= w->len);
	assert_memory_equal(p, "070701", 6);
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		char hex[9];

		memcpy(hex, p + 6 + 8 * i, 8);
		hex[8] = '\0';
		assert_int_equal(strspn(hex, "0123456789ABCDEF"), 8);
		*fields[i] = (uint32_t)strtoul(hex, NULL, 16);
	}
	e->name = (const char *)p + 110;
	assert_int_equal(strlen(e->name) + 1, e->namesize);
	end = *off + 110 + e->namesize;
	for (; end % 4; end++)
		assert_int_equal(w->buf[end], 0);
	e->data = w->buf + end;
	end += e->size;
	assert_true(end <= w->len);
	for (; end % 4; end++)
		assert_int_equal(w->buf[end], 0);
	*off = end;
}

static void test_dir_and_file_headers(void **state)
{
	struct cpio_writer w;
	struct entry e;
	size_t off = 0;

	(void)state;
	cpio_init(&w);
	assert_int_equal(cpio_add_dir(&w, "etc", 0755), 0);
	assert_int_equal(cpio_add_file(&w, "etc/motd", 0644, "hello", 5), 0);

	read_entry(&w, &off, &e);
	assert_string_equal(e.name, "etc");
	assert_int_equal(e.ino, 1);
	assert_int_equal(e.mode, S_IFDIR | 0755);
	assert_int_equal(e.nlink, 2);
	assert_int_equal(e.size, 0);
	assert_int_equal(e.uid | e.gid | e.mtime | e.check, 0);
	/* 110 + "etc\0" = 114, padded to 116 */
	assert_int_equal(off, 116);

	read_entry(&w, &off, &e);
	assert_string_equal(e.name, "etc/motd");
	assert_int_equal(e.ino, 2);
	assert_int_equal(e.mode, S_IFREG | 0644);
	assert_int_equal(e.nlink, 1);
	assert_int_equal(e.size, 5);
	assert_memory_equal(e.data, "hello", 5);
	/* 116 + 110 + "etc/motd\0" = 235 -> 236, + 5 data = 241 -> 244 */
	assert_int_equal(off, 244);
	assert_int_equal(w.len, 244);
	cpio_free(&w);
}

static void test_symlink_and_chardev_headers(void **state)
{
	struct cpio_writer w;
	struct entry e;
	size_t off = 0;

	(void)state;
	cpio_init(&w);
	assert_int_equal(cpio_add_symlink(&w, "sh", "/bin/busybox"), 0);
	assert_int_equal(cpio_add_chardev(&w, "console", 0600, 5, 1), 0);

	read_entry(&w, &off, &e);
	assert_int_equal(e.mode, S_IFLNK | 0777);
	assert_int_equal(e.size, strlen("/bin/busybox"));
	assert_memory_equal(e.data, "/bin/busybox", e.size);

	read_entry(&w, &off, &e);
	assert_string_equal(e.name, "console");
	assert_int_equal(e.mode, S_IFCHR | 0600);
	assert_int_equal(e.size, 0);
	assert_int_equal(e.rdevmajor, 5);
	assert_int_equal(e.rdevminor, 1);
	assert_int_equal(e.devmajor | e.devminor, 0);
	assert_int_equal(off, w.len);
	cpio_free(&w);
}

static void test_trailer(void **state)
{
	struct cpio_writer w;
	struct entry e;
	size_t off = 0;

	(void)state;
	cpio_init(&w);
	assert_int_equal(cpio_add_file(&w, "a", 0600, "xyz", 3), 0);
	assert_int_equal(cpio_finish(&w), 0);
	read_entry(&w, &off, &e);
	read_entry(&w, &off, &e);
	assert_string_equal(e.name, "TRAILER!!!");
	assert_int_equal(e.ino | e.mode | e.size, 0);
	assert_int_equal(e.nlink, 1);
	assert_int_equal(off, w.len);
	/* Finished means finished. */
	assert_int_equal(cpio_add_dir(&w, "b", 0755), -1);
	assert_int_equal(cpio_finish(&w), -1);
	assert_int_equal(off, w.len);
	cpio_free(&w);
}

static void build_sample(struct cpio_writer *w)
{
	static const unsigned char bin[] = { 0, 1, 2, 0, 0xff, 'x', 0 };

	cpio_init(w);
	assert_int_equal(cpio_add_dir(w, "usr", 0755), 0);
	assert_int_equal(cpio_add_dir(w, "usr/bin", 0750), 0);
	assert_int_equal(cpio_add_file(w, "usr/bin/tool", 0755, bin, sizeof(bin)), 0);
	assert_int_equal(cpio_add_file(w, "usr/bin/one", 0644, "1", 1), 0);
	assert_int_equal(cpio_add_file(w, "usr/bin/four", 0644, "four", 4), 0);
	assert_int_equal(cpio_add_file(w, "empty", 0600, NULL, 0), 0);
	assert_int_equal(cpio_add_symlink(w, "usr/bin/link", "tool"), 0);
	assert_int_equal(cpio_finish(w), 0);
}

static void test_deterministic(void **state)
{
	struct cpio_writer a, b;

	(void)state;
	build_sample(&a);
	build_sample(&b);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.buf, b.buf, a.len);
	cpio_free(&a);
	cpio_free(&b);
}

static void test_invalid_names(void **state)
{
	static const char *const bad[] = {
		"", "/abs", "..", ".", "a/../b", "a/..", "./a", "a/.", "a//b",
		"a/", "TRAILER!!!", "a", "missing/x", "f/x",
	};
	char *long_name = xmalloc(CPIO_NAME_MAX + 2);
	struct cpio_writer w;
	size_t len;

	(void)state;
	cpio_init(&w);
	assert_int_equal(cpio_add_dir(&w, "a", 0755), 0);
	assert_int_equal(cpio_add_file(&w, "f", 0644, "", 0), 0);
	len = w.len;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(cpio_add_dir(&w, bad[i], 0755), -1);
		assert_int_equal(cpio_add_symlink(&w, bad[i], "t"), -1);
	}
	memset(long_name, 'n', CPIO_NAME_MAX + 1);
	long_name[CPIO_NAME_MAX + 1] = '\0';
	assert_int_equal(cpio_add_file(&w, long_name, 0644, "", 0), -1);
	long_name[CPIO_NAME_MAX] = '\0';
	/* Permission bits only: the type is the function's to set. */
	assert_int_equal(cpio_add_file(&w, "g", S_IFREG | 0644, "", 0), -1);
	assert_int_equal(cpio_add_symlink(&w, "s", ""), -1);
	assert_int_equal(w.len, len);
	assert_int_equal(w.nentries, 2);
	/* The longest valid name is accepted. */
	assert_int_equal(cpio_add_file(&w, long_name, 0644, "", 0), 0);
	free(long_name);
	cpio_free(&w);
}

static void test_lookup(void **state)
{
	struct cpio_writer w;

	(void)state;
	build_sample(&w);
	assert_int_equal(cpio_lookup(&w, "usr/bin"), S_IFDIR | 0750);
	assert_int_equal(cpio_lookup(&w, "usr/bin/link"), S_IFLNK | 0777);
	assert_int_equal(cpio_lookup(&w, "usr/bi"), 0);
	assert_int_equal(cpio_lookup(&w, "TRAILER!!!"), 0);
	cpio_free(&w);
}

static void assert_file(const char *dir, const char *name, mode_t mode,
			const void *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	struct stat st;
	size_t got_len;
	char *got;

	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_mode, mode);
	got = read_file(path, &got_len);
	assert_non_null(got);
	assert_int_equal(got_len, len);
	assert_memory_equal(got, data, len);
	free(got);
	free(path);
}

/* The real GNU cpio lists and unpacks what we write, in order, without
 * creating any directory itself (no -d): parents come first. */
static void test_gnu_cpio_round_trip(void **state)
{
	static const unsigned char bin[] = { 0, 1, 2, 0, 0xff, 'x', 0 };
	char tmpl[] = "/tmp/test_cpio.XXXXXX";
	char *dir = mkdtemp(tmpl), *archive, *out, *list, *link;
	const char *list_argv[] = { "cpio", "-t", "--quiet", "-F", NULL, NULL };
	const char *in_argv[] = { "cpio", "-i", "--quiet", "-F", NULL, NULL };
	struct cpio_writer w;
	char target[16] = "";

	(void)state;
	assert_non_null(dir);
	archive = xasprintf("%s/a.cpio", dir);
	out = xasprintf("%s/out", dir);
	build_sample(&w);
	assert_int_equal(write_file_atomic(archive, w.buf, w.len, 0644), 0);
	assert_int_equal(mkdir(out, 0755), 0);

	list_argv[4] = in_argv[4] = archive;
	assert_int_equal(run_capture(list_argv, -1, &list), 0);
	assert_string_equal(list, "usr\nusr/bin\nusr/bin/tool\nusr/bin/one\n"
			    "usr/bin/four\nempty\nusr/bin/link\n");
	assert_int_equal(run_command(in_argv, out, -1), 0);

	assert_true(is_dir(out));
	assert_file(out, "usr/bin/tool", S_IFREG | 0755, bin, sizeof(bin));
	assert_file(out, "usr/bin/one", S_IFREG | 0644, "1", 1);
	assert_file(out, "usr/bin/four", S_IFREG | 0644, "four", 4);
	assert_file(out, "empty", S_IFREG | 0600, "", 0);
	link = xasprintf("%s/usr/bin/link", out);
	assert_int_equal(readlink(link, target, sizeof(target) - 1), 4);
	assert_string_equal(target, "tool");

	free(link);
	free(list);
	cpio_free(&w);
	assert_int_equal(remove_tree(dir), 0);
	free(out);
	free(archive);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dir_and_file_headers),
		cmocka_unit_test(test_symlink_and_chardev_headers),
		cmocka_unit_test(test_trailer),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_invalid_names),
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_gnu_cpio_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
