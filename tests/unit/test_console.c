/* Unit tests: the console matcher (patterns, cursor, anchors, kernel
 * failures, tail) and the log-file side of a console (a file written by
 * this test instead of virtlogd). */
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
#include "base/log.h"
#include "base/util.h"

/* console_expect with its report captured. */
static char *expect_reported(struct console *c, const char *re, int ms,
			     enum console_wait *ret)
{
	struct stderr_capture cap;

	stderr_capture_start(&cap);
	*ret = console_expect(c, re, ms);
	return stderr_capture_end(&cap);
}

static void feed(struct console_matcher *m, const char *s)
{
	matcher_feed(m, s, strlen(s));
}

static int find(struct console_matcher *m, const char *re)
{
	return matcher_find(m, re, NULL, NULL);
}

static void test_split_across_feeds(void **state)
{
	struct console_matcher m;
	size_t start, end;

	(void)state;
	matcher_init(&m);
	feed(&m, "booting... DUPLEX-RE");
	assert_int_equal(find(&m, "DUPLEX-READY"), 0);
	feed(&m, "ADY p0\r\n");
	assert_int_equal(matcher_find(&m, "DUPLEX-READY", &start, &end), 1);
	assert_int_equal(start, 11);
	assert_int_equal(end, 23);
	assert_int_equal(m.cursor, 23);
	matcher_free(&m);
}

static void test_cursor_advances(void **state)
{
	struct console_matcher m;

	(void)state;
	matcher_init(&m);
	feed(&m, "/ # echo hi\r\nhi\r\n/ # ");
	assert_int_equal(find(&m, "# "), 1);
	assert_int_equal(find(&m, "# "), 1);
	/* Both prompts consumed: the same text never matches twice. */
	assert_int_equal(find(&m, "# "), 0);
	feed(&m, "echo again\r\nagain\r\n/ # ");
	assert_int_equal(find(&m, "# "), 1);
	assert_int_equal(find(&m, "# "), 0);
	matcher_free(&m);
}

/* ^ and $ are line anchors (REG_NEWLINE); $ matches before CR LF, and
 * not at the end of what has arrived (the line may go on). */
static void test_anchors(void **state)
{
	struct console_matcher m;

	(void)state;
	matcher_init(&m);
	feed(&m, "/ # echo $((6*7))\r\n4");
	assert_int_equal(find(&m, "^42$"), 0);
	feed(&m, "2");
	assert_int_equal(find(&m, "^42$"), 0);
	feed(&m, "\r\n/ # ");
	assert_int_equal(find(&m, "^42$"), 1);
	/* "421" is not "42" alone on its line. */
	feed(&m, "echo 421\r\n421\r\n");
	assert_int_equal(find(&m, "^42$"), 0);
	/* . does not cross a line. */
	assert_int_equal(find(&m, "echo.*421.*421"), 0);
	matcher_free(&m);
}

/* After a match in the middle of a line, ^ does not match right there. */
static void test_caret_mid_line(void **state)
{
	struct console_matcher m;

	(void)state;
	matcher_init(&m);
	feed(&m, "ab ab\r\nab\r\n");
	assert_int_equal(find(&m, "ab "), 1);
	assert_int_equal(find(&m, "^ab"), 1);
	assert_int_equal(m.cursor, 9);
	matcher_free(&m);
}

/* A long line wrapped by the guest's terminal ends in CR CR LF. */
static void test_wrapped_line_end(void **state)
{
	struct console_matcher m;
	size_t start, end;

	(void)state;
	matcher_init(&m);
	feed(&m, "xx\r\nlast\r\r\nnext\r\n");
	assert_int_equal(matcher_find(&m, "last$", &start, &end), 1);
	assert_int_equal(start, 4);
	assert_int_equal(end, 8);
	assert_int_equal(find(&m, "^next$"), 1);
	matcher_free(&m);
}

static void test_invalid_regex(void **state)
{
	struct console_matcher m;

	struct stderr_capture cap;
	char *err;

	(void)state;
	matcher_init(&m);
	feed(&m, "text");
	stderr_capture_start(&cap);
	assert_int_equal(find(&m, "(unclosed"), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, "invalid regular expression /(unclosed/");
	free(err);
	matcher_free(&m);
}

static void test_nul_bytes_dropped(void **state)
{
	struct console_matcher m;

	(void)state;
	matcher_init(&m);
	matcher_feed(&m, "a\0b\0\0c\r\n", 8);
	assert_int_equal(m.len, 5);
	assert_string_equal(m.buf, "abc\r\n");
	assert_int_equal(find(&m, "^abc$"), 1);
	matcher_free(&m);
}

static void test_panic_detected(void **state)
{
	struct console_matcher m;

	(void)state;
	matcher_init(&m);
	feed(&m, "[    1.000000] Run /init as init process\r\n");
	assert_false(matcher_failed(&m));
	feed(&m, "[    2.345678] Kernel panic - not sy");
	/* Only complete lines are judged. */
	assert_false(matcher_failed(&m));
	feed(&m, "ncing: VFS: Unable to mount root fs\r\n");
	assert_true(matcher_failed(&m));
	assert_string_equal(m.failure, "[    2.345678] Kernel panic - not "
			    "syncing: VFS: Unable to mount root fs");
	/* The first failure stays. */
	feed(&m, "Oops: 0002 [#1] PREEMPT SMP\r\n");
	assert_true(matcher_failed(&m));
	assert_non_null(strstr(m.failure, "Kernel panic"));
	matcher_free(&m);
}

static void assert_failure_line(const char *line, bool failed)
{
	struct console_matcher m;

	matcher_init(&m);
	feed(&m, line);
	feed(&m, "\r\n");
	if (matcher_failed(&m) != failed)
		fail_msg("'%s' %s a failure", line, failed ? "is" : "is not");
	matcher_free(&m);
}

static void test_failure_patterns(void **state)
{
	(void)state;
	assert_failure_line("BUG: kernel NULL pointer dereference, address: "
			    "0000000000000000", true);
	assert_failure_line("Oops: 0002 [#1] PREEMPT SMP NOPTI", true);
	assert_failure_line("general protection fault, probably for "
			    "non-canonical address 0xdead: 0000 [#1]", true);
	assert_failure_line("kernel BUG at mm/slub.c:123!", true);
	assert_failure_line("[   22.1] watchdog: BUG: soft lockup - CPU#0 "
			    "stuck for 22s! [sh:1]", true);
	assert_failure_line("NMI watchdog: Watchdog detected hard LOCKUP on "
			    "cpu 1", true);
	assert_failure_line("---[ end Kernel panic - not syncing: Fatal "
			    "exception ]---", true);
	assert_failure_line("[    T1] Kernel panic - not syncing: x", true);
	/* A kernel line that broke into a line of user output. */
	assert_failure_line("/ # [    5.000000] BUG: unable to handle page "
			    "fault", true);

	assert_failure_line("/ # echo 'BUG: not from the kernel'", false);
	assert_failure_line("Call Trace:", false);
	assert_failure_line("no BUG: here", false);
	assert_failure_line("[ 1.0] WARNING: CPU: 0 PID: 1 at x.c:1", false);
	assert_failure_line("DUPLEX-READY p0", false);
}

static void test_tail(void **state)
{
	struct console console;
	char *t;

	(void)state;
	memset(&console, 0, sizeof(console));
	matcher_init(&console.m);
	feed(&console.m, "one\r\ntwo\r\nthree\r\n\x1b[6nfour\r\n");
	t = console_tail(&console, 2);
	assert_string_equal(t, "three\n^[[6nfour");
	free(t);
	t = console_tail(&console, 10);
	assert_string_equal(t, "one\ntwo\nthree\n^[[6nfour");
	free(t);
	t = console_tail(&console, 0);
	assert_string_equal(t, "");
	free(t);
	/* An unfinished last line counts as a line. */
	feed(&console.m, "/ # ");
	t = console_tail(&console, 1);
	assert_string_equal(t, "/ # ");
	free(t);
	matcher_free(&console.m);
}

/* ---- the log-file side -------------------------------------------- */

struct logdir {
	char dir[64];
	char path[96];
};

static void logdir_make(struct logdir *d)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/duplex-test-console-XXXXXX");
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->path, sizeof(d->path), "%s/serial0.log", d->dir);
}

static void logdir_remove(struct logdir *d)
{
	remove_tree(d->dir);
}

static int append(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	return fd;
}

/* The log appears after the console was opened, then grows. */
static void test_log_created_late(void **state)
{
	struct console c;
	struct logdir d;

	(void)state;
	logdir_make(&d);
	assert_int_equal(console_open(&c, "serial0", NULL, d.path), 0);
	assert_int_equal(console_drain(&c), 0);
	assert_int_equal(c.m.len, 0);
	close(append(d.path, "Linux version 6.1\r\nDUPLEX-READY\r\n"));
	assert_int_equal(console_expect(&c, "^DUPLEX-READY$", 2000),
			 CONSOLE_MATCHED);
	console_close(&c);
	logdir_remove(&d);
}

/* virtlogd renames a full log to .0 and starts a new file. */
static void test_log_rotation(void **state)
{
	struct console c;
	struct logdir d;
	char *old;
	int fd;

	(void)state;
	logdir_make(&d);
	fd = append(d.path, "first file\r\n");
	assert_int_equal(console_open(&c, "serial0", NULL, d.path), 0);
	assert_int_equal(console_expect(&c, "first file", 1000),
			 CONSOLE_MATCHED);
	assert_int_equal(write(fd, "end of first\r\n", 14), 14);
	old = xasprintf("%s.0", d.path);
	assert_int_equal(rename(d.path, old), 0);
	close(fd);
	close(append(d.path, "second file\r\n"));
	assert_int_equal(console_expect(&c, "^second file$", 2000),
			 CONSOLE_MATCHED);
	assert_non_null(strstr(c.m.buf, "end of first\r\nsecond file"));
	free(old);
	console_close(&c);
	logdir_remove(&d);
}

/* The writer closing the log means the domain is gone. */
static void test_log_closed_ends_wait(void **state)
{
	enum console_wait ret;
	struct console c;
	struct logdir d;
	int64_t t0;
	char *err;
	int fd;

	(void)state;
	logdir_make(&d);
	fd = append(d.path, "reboot: Power down\r\n");
	assert_int_equal(console_open(&c, "serial0", NULL, d.path), 0);
	close(fd);
	t0 = now_ms();
	err = expect_reported(&c, "never", 5000, &ret);
	assert_int_equal(ret, CONSOLE_ENDED);
	assert_true(now_ms() - t0 < 1000);
	assert_says(err, "serial0: no match for /never/ before the domain ended");
	assert_says(err, "  | reboot: Power down");
	free(err);
	console_close(&c);
	logdir_remove(&d);
}

static void test_failure_ends_wait(void **state)
{
	enum console_wait ret;
	struct console c;
	struct logdir d;
	char *err;
	int fd;

	(void)state;
	logdir_make(&d);
	fd = append(d.path, "Run /init\r\nKernel panic - not syncing: "
		    "Attempted to kill init!\r\nCPU: 0 PID: 1\r\n");
	assert_int_equal(console_open(&c, "serial0", NULL, d.path), 0);
	err = expect_reported(&c, "never", 1000, &ret);
	assert_int_equal(ret, CONSOLE_FAILURE);
	assert_says(err, "serial0: kernel failure: Kernel panic - not "
		    "syncing: Attempted to kill init!");
	assert_says(err, "  | Run /init\n  | Kernel panic");
	free(err);
	close(fd);
	console_close(&c);
	logdir_remove(&d);
}

static void test_timeout(void **state)
{
	enum console_wait ret;
	struct console c;
	struct logdir d;
	int64_t t0;
	char *err;
	int fd;

	(void)state;
	logdir_make(&d);
	fd = append(d.path, "quiet\r\n");
	assert_int_equal(console_open(&c, "serial0", NULL, d.path), 0);
	t0 = now_ms();
	err = expect_reported(&c, "^never$", 300, &ret);
	assert_int_equal(ret, CONSOLE_TIMEOUT);
	assert_true(now_ms() - t0 >= 300);
	assert_true(now_ms() - t0 < 1300);
	assert_says(err, "serial0: no match for /^never$/ within 0.3 s; "
		    "last output 0.");
	assert_says(err, "s ago; last lines:\n  | quiet");
	free(err);
	close(fd);
	console_close(&c);
	logdir_remove(&d);
}

static void test_timeout_without_output(void **state)
{
	enum console_wait ret;
	struct console c;
	struct logdir d;
	char *err;

	(void)state;
	logdir_make(&d);
	assert_int_equal(console_open(&c, "serial1", NULL, d.path), 0);
	err = expect_reported(&c, "login", 100, &ret);
	assert_int_equal(ret, CONSOLE_TIMEOUT);
	assert_says(err, "serial1: no match for /login/ within 0.1 s; no "
		    "output at all in the console log");
	free(err);
	console_close(&c);
	logdir_remove(&d);
}

/* A wait for a line that never comes while the guest prints line after
 * line (`yes`): each look searches only what is new, so the bytes
 * searched grow with the output, not with its square. */
static void test_find_is_incremental(void **state)
{
	struct console_matcher m;
	size_t total = 0, start, end;
	char line[32];
	int i, n;

	(void)state;
	matcher_init(&m);
	for (i = 0; i < 20000; i++) {
		n = snprintf(line, sizeof(line), "y %d\r\n", i);
		matcher_feed(&m, line, (size_t)n);
		total += (size_t)n;
		assert_int_equal(matcher_find(&m, "^never$", NULL, NULL), 0);
	}
	assert_true(m.examined < 2 * total);
	/* A line that arrives in pieces is searched again until complete. */
	matcher_feed(&m, "nev", 3);
	assert_int_equal(matcher_find(&m, "^never$", NULL, NULL), 0);
	matcher_feed(&m, "er\r\n", 4);
	assert_int_equal(matcher_find(&m, "^never$", &start, &end), 1);
	assert_int_equal(end - start, 5);
	assert_memory_equal(m.buf + start, "never", 5);
	/* A pattern across lines is searched from the cursor each time. */
	matcher_feed(&m, "one\r\n", 5);
	assert_int_equal(matcher_find(&m, "one\ntwo", NULL, NULL), 0);
	matcher_feed(&m, "two\r\n", 5);
	assert_int_equal(matcher_find(&m, "one\ntwo", NULL, NULL), 1);
	matcher_free(&m);
}

/* N bytes of `yes` output ("y\r\n" lines) in reads of 16 KiB or less, as
 * console_drain feeds them. */
static void feed_yes(struct console_matcher *m, size_t n)
{
	static char chunk[16383];
	size_t i, k;

	for (i = 0; i < sizeof(chunk); i += 3)
		memcpy(chunk + i, "y\r\n", 3);
	for (; n; n -= k) {
		k = n < sizeof(chunk) ? n : sizeof(chunk);
		matcher_feed(m, chunk, k);
	}
}

/* A guest printing `yes` for long: 100 MiB fed, the matcher never holds
 * (nor allocates) more than MATCHER_MAX, whether its cursor stays where a
 * wait began or follows the output; the start of the stream is kept
 * apart for the layout, and the last lines are still there. */
static void test_memory_is_bounded(void **state)
{
	struct console console;
	struct console_matcher *m = &console.m;
	size_t total = 100u << 20, peak = 0, i;
	char *tail;

	(void)state;
	memset(&console, 0, sizeof(console));
	matcher_init(m);
	feed(m, "duplex: layout replica=1 text=0x1-0x2\r\n");
	for (i = 0; i < 100; i++) {
		feed_yes(m, total / 100);
		assert_int_equal(matcher_find(m, "^never$", NULL, NULL), 0);
		if (m->cap > peak)
			peak = m->cap;
	}
	assert_true(m->len >= total);
	assert_true(peak <= MATCHER_MAX + 1);
	assert_true(m->len - m->base <= MATCHER_MAX);
	assert_non_null(strstr(m->head, "duplex: layout replica=1"));
	assert_true(m->head_len <= MATCHER_HEAD);
	/* The cursor follows the output: the same bound. */
	m->cursor = m->len;
	feed_yes(m, MATCHER_MAX);
	m->cursor = m->len;
	feed_yes(m, MATCHER_MAX / 4);
	feed(m, "\r\nthe last line\r\n");
	assert_true(m->len - m->base <= MATCHER_MAX);
	tail = console_tail(&console, 1);
	assert_string_equal(tail, "the last line");
	free(tail);
	matcher_free(m);
}

/* The read that makes the matcher drop old text splits the line being
 * matched: that line stays whole and matches; the cursor was mid-line
 * (after an earlier match), and ^ still means a line start.  A failure
 * report in the dropped text is still found. */
static void test_match_across_trim(void **state)
{
	struct console_matcher m;
	size_t start, end;

	(void)state;
	matcher_init(&m);
	feed(&m, "Kernel panic - not syncing: in dropped text\r\n");
	feed_yes(&m, MATCHER_MAX - 100 - m.len);
	feed(&m, "\r\n$ ");
	assert_int_equal(matcher_find(&m, "\\$ ", NULL, NULL), 1);
	/* Fill up to 2 bytes below the bound, ending in a partial line. */
	feed_yes(&m, MATCHER_MAX - 16 - m.len - 1);
	feed(&m, "\nthe answer is ");
	assert_int_equal(m.base, 0);
	assert_int_equal(matcher_find(&m, "^the answer is 42$", NULL, NULL), 0);
	feed(&m, "4");
	feed(&m, "2\r\n");
	assert_true(m.base > 0);
	assert_int_equal(matcher_find(&m, "^answer is 42$", NULL, NULL), 0);
	assert_int_equal(matcher_find(&m, "^the answer is 42$", &start, &end), 1);
	assert_memory_equal(matcher_at(&m, start), "the answer is 42", 16);
	assert_int_equal(end, m.len - 2);
	assert_true(matcher_failed(&m));
	assert_string_equal(m.failure, "Kernel panic - not syncing: in dropped text");
	matcher_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find_is_incremental),
		cmocka_unit_test(test_memory_is_bounded),
		cmocka_unit_test(test_match_across_trim),
		cmocka_unit_test(test_split_across_feeds),
		cmocka_unit_test(test_cursor_advances),
		cmocka_unit_test(test_anchors),
		cmocka_unit_test(test_caret_mid_line),
		cmocka_unit_test(test_wrapped_line_end),
		cmocka_unit_test(test_invalid_regex),
		cmocka_unit_test(test_nul_bytes_dropped),
		cmocka_unit_test(test_panic_detected),
		cmocka_unit_test(test_failure_patterns),
		cmocka_unit_test(test_tail),
		cmocka_unit_test(test_log_created_late),
		cmocka_unit_test(test_log_rotation),
		cmocka_unit_test(test_log_closed_ends_wait),
		cmocka_unit_test(test_failure_ends_wait),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_timeout_without_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
