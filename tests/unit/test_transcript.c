/* Unit tests: a console's transcript, complete under its limit and, past
 * it, the first and last parts with a marker saying what was left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "console/transcript.h"
#include "capture.h"
#include "base/util.h"

struct tdir {
	char dir[64];
	char *path;
};

static void tdir_make(struct tdir *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/duplex-test-transcript-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	d->path = xasprintf("%s/serial0.log", d->dir);
}

static void tdir_remove(struct tdir *d)
{
	remove_tree(d->dir);
	free(d->path);
}

/* A stream whose every byte says where it is: a cut shows at once. */
static char *stream(size_t len)
{
	char *s = xmalloc(len);
	size_t i;

	for (i = 0; i < len; i++)
		s[i] = (char)('a' + (i * 7 + i / 26) % 26);
	return s;
}

/* Write LEN bytes of S in pieces of varying size (1 to 997 bytes), as
 * reads of a console's log come, into a transcript of LIMIT bytes. */
static void write_pieces(const char *path, const char *s, size_t len,
			 uint64_t limit, uint64_t *left_out)
{
	struct transcript t;
	size_t off = 0, n = 1;

	assert_int_equal(transcript_open(&t, "serial0", path, limit), 0);
	while (off < len) {
		n = (n * 31 + 7) % 997 + 1;
		if (n > len - off)
			n = len - off;
		transcript_write(&t, s + off, n);
		off += n;
	}
	*left_out = transcript_left_out(&t);
	assert_int_equal(transcript_close(&t), 0);
	assert_false(t.failed);
}

static void test_under_limit_is_the_stream(void **state)
{
	struct tdir d;
	char *s = stream(50000), *file;
	uint64_t left;
	size_t len;

	(void)state;
	tdir_make(&d);
	write_pieces(d.path, s, 50000, 50000, &left);
	assert_int_equal(left, 0);
	file = read_file(d.path, &len);
	assert_int_equal(len, 50000);
	assert_memory_equal(file, s, len);
	free(file);
	free(s);
	tdir_remove(&d);
}

/* Past the limit: the first half, the marker, the last half, in order. */
static void check_cut(size_t total, uint64_t limit)
{
	struct tdir d;
	char *s = stream(total), *file, *marker;
	uint64_t left, head = limit / 2, tail = limit - head;
	size_t len, mlen;

	tdir_make(&d);
	write_pieces(d.path, s, total, limit, &left);
	assert_int_equal(left, total - limit);
	marker = transcript_marker(head, left, limit);
	mlen = strlen(marker);
	file = read_file(d.path, &len);
	assert_int_equal(len, limit + mlen);
	assert_memory_equal(file, s, head);
	assert_memory_equal(file + head, marker, mlen);
	assert_memory_equal(file + head + mlen, s + total - tail, tail);
	free(file);
	free(marker);
	free(s);
	tdir_remove(&d);
}

static void test_cut_keeps_both_ends(void **state)
{
	(void)state;
	check_cut(100000, 4096);	/* the ring wraps many times */
	check_cut(4097, 4096);		/* one byte over */
	check_cut(6144, 4096);		/* the ring wraps exactly once */
	check_cut(300001, 65537);	/* odd sizes */
}

static void test_marker_names_the_gap(void **state)
{
	char *m = transcript_marker(524288, 1572864, 1048576);

	(void)state;
	assert_non_null(strstr(m, "1572864 bytes (1.5 MiB) left out here"));
	assert_non_null(strstr(m, "bytes 524288 to 2097151"));
	assert_non_null(strstr(m, "limit of 1.0 MiB"));
	assert_int_equal(m[0], '\n');
	assert_int_equal(m[strlen(m) - 1], '\n');
	free(m);
}

static void test_limit_too_small(void **state)
{
	struct stderr_capture cap;
	struct transcript t;
	struct tdir d;
	char *err;

	(void)state;
	tdir_make(&d);
	stderr_capture_start(&cap);
	assert_int_equal(transcript_open(&t, "serial0", d.path, 100), -1);
	err = stderr_capture_end(&cap);
	assert_non_null(strstr(err, "below the smallest"));
	free(err);
	/* A transcript that was never opened takes writes and closes. */
	transcript_init(&t);
	transcript_write(&t, "x", 1);
	assert_int_equal(transcript_close(&t), 0);
	tdir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_under_limit_is_the_stream),
		cmocka_unit_test(test_cut_keeps_both_ends),
		cmocka_unit_test(test_marker_names_the_gap),
		cmocka_unit_test(test_limit_too_small),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
