/* Unit tests: a console follows virtlogd's rotation of its log (played
 * here by the test, renaming pieces as libvirt's rotating writer does)
 * and its transcript holds every byte in order, however many rotations
 * happen between two reads; pieces deleted before they were read leave a
 * marked gap. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <cmocka.h>

#include "console/console.h"
#include "capture.h"
#include "base/strbuf.h"
#include "base/util.h"

/* A stand-in for virtlogd: MAX_BACKUPS pieces, LOG.0 the newest. */
struct fake_virtlogd {
	char dir[64];
	char log[96];
	char transcript[96];
	int fd;
	unsigned max_backups;
	struct strbuf printed;	/* everything "the guest" printed */
	unsigned line;
};

static void fake_start(struct fake_virtlogd *v, unsigned max_backups)
{
	memset(v, 0, sizeof(*v));
	snprintf(v->dir, sizeof(v->dir), "/tmp/duplex-test-rotation-XXXXXX");
	assert_non_null(mkdtemp(v->dir));
	snprintf(v->log, sizeof(v->log), "%s/serial0.log", v->dir);
	snprintf(v->transcript, sizeof(v->transcript), "%s/serial0.txt",
		 v->dir);
	v->fd = open(v->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(v->fd >= 0);
	v->max_backups = max_backups;
}

static void fake_stop(struct fake_virtlogd *v)
{
	if (v->fd >= 0)
		close(v->fd);
	remove_tree(v->dir);
	strbuf_release(&v->printed);
}

/* The guest prints N numbered lines. */
static void fake_print(struct fake_virtlogd *v, unsigned n)
{
	while (n--) {
		char line[32];
		int len = snprintf(line, sizeof(line), "line %u\r\n", v->line++);

		assert_int_equal(write(v->fd, line, (size_t)len), len);
		strbuf_puts(&v->printed, line);
	}
}

/* Rollover as virtlogd does it: shift the backups (the oldest falls
 * off), rename the log to LOG.0, open a new log, then close the old. */
static void fake_rotate(struct fake_virtlogd *v)
{
	unsigned i;
	char from[128], to[128];

	for (i = v->max_backups; i > 0; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", v->log);
		else
			snprintf(from, sizeof(from), "%s.%u", v->log, i - 2);
		snprintf(to, sizeof(to), "%s.%u", v->log, i - 1);
		rename(from, to);
	}
	close(v->fd);
	v->fd = open(v->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(v->fd >= 0);
}

static void open_console(struct console *c, struct fake_virtlogd *v)
{
	assert_int_equal(console_open(c, "serial0", NULL, v->log), 0);
	assert_int_equal(console_keep_transcript(c, v->transcript, 1 << 20), 0);
}

/* Close C: its transcript must be all that the guest printed. */
static void assert_whole(struct console *c, struct fake_virtlogd *v)
{
	size_t len;
	char *t;

	assert_int_equal(c->tr.gaps, 0);
	console_close(c);
	t = read_file(v->transcript, &len);
	assert_int_equal(len, v->printed.len);
	assert_memory_equal(t, v->printed.s, len);
	free(t);
}

static void test_rotations_between_drains(void **state)
{
	struct fake_virtlogd v;
	struct console c;
	unsigned round;

	(void)state;
	fake_start(&v, 3);
	open_console(&c, &v);
	for (round = 0; round < 6; round++) {
		unsigned r;

		/* 0 to 3 rotations between two reads: with 3 backups none
		 * of the pieces is deleted before it is read. */
		for (r = 0; r < round % 4; r++) {
			fake_print(&v, 50);
			fake_rotate(&v);
		}
		fake_print(&v, 30);
		assert_int_equal(console_drain(&c), 0);
	}
	assert_whole(&c, &v);
	fake_stop(&v);
}

/* More rotations than backups between two reads: what virtlogd deleted
 * is lost, and the transcript says so where it happened. */
static void test_deleted_pieces_leave_a_marked_gap(void **state)
{
	struct stderr_capture cap;
	struct fake_virtlogd v;
	struct console c;
	unsigned r;
	char *t, *err;

	(void)state;
	fake_start(&v, 1);
	open_console(&c, &v);
	fake_print(&v, 2);
	assert_int_equal(console_drain(&c), 0);
	for (r = 0; r < 3; r++) {
		fake_print(&v, 4);
		fake_rotate(&v);
	}
	fake_print(&v, 1);
	stderr_capture_start(&cap);
	assert_int_equal(console_drain(&c), 0);
	err = stderr_capture_end(&cap);
	assert_non_null(strstr(err, "deleted pieces"));
	assert_int_equal(c.tr.gaps, 1);
	console_close(&c);
	t = read_file(v.transcript, NULL);
	/* Lines 0..5 from the first file, the gap where the second was
	 * (6..9), the only piece left (10..13), the current file (14). */
	assert_non_null(strstr(t, "line 5\r\n\n[duplex: output lost here"));
	assert_non_null(strstr(t, "before the harness read them]\nline 10\r\n"));
	assert_null(strstr(t, "line 9\r\n"));
	assert_non_null(strstr(t, "line 13\r\nline 14\r\n"));
	free(t);
	free(err);
	fake_stop(&v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotations_between_drains),
		cmocka_unit_test(test_deleted_pieces_leave_a_marked_gap),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
