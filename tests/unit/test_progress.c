/* Unit tests: the progress meter, on a clock the tests move, writing into
 * memory: when it prints on a pipe and on a terminal, what its counts
 * and its final line say. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/progress.h"

static int64_t clock_ms;

static int64_t test_clock(void)
{
	return clock_ms;
}

/* A meter writing into memory, and what it wrote. */
struct meter {
	struct progress p;
	FILE *out;
	char *text;
	size_t len;
};

enum mode { PIPE, TTY, QUIET_TTY };

/* A meter in MODE (a terminal is 80 columns wide), and a wait of TOTAL
 * objects begun on it, labelled "build". */
static void meter_open(struct meter *m, enum mode mode, uint64_t total)
{
	clock_ms = 1000000;
	m->text = NULL;
	m->out = open_memstream(&m->text, &m->len);
	assert_non_null(m->out);
	progress_init(&m->p, m->out, mode != PIPE, mode != PIPE ? 80 : 0,
		      mode == QUIET_TTY, test_clock);
	progress_begin(&m->p, "build", "object", "objects", total);
}

/* Everything written so far; the meter stays usable. */
static const char *meter_text(struct meter *m)
{
	fflush(m->out);
	return m->text;
}

static void meter_close(struct meter *m)
{
	fclose(m->out);
	free(m->text);
}

static size_t count(const char *text, const char *what)
{
	size_t n = 0;

	for (const char *s = strstr(text, what); s; s = strstr(s + 1, what))
		n++;
	return n;
}

static const char *last_line(const char *text)
{
	size_t len = strlen(text);
	const char *s;

	assert_true(len > 0 && text[len - 1] == '\n');
	for (s = text + len - 1; s > text && s[-1] != '\n'; s--)
		;
	return s;
}

/* Slow progress on a pipe: a line every 30 s, none between. */
static void test_plain_every_30_s(void **state)
{
	struct meter m;

	(void)state;
	meter_open(&m, PIPE, 1000);
	assert_string_equal(meter_text(&m), "");
	clock_ms += PROGRESS_PLAIN_MS - 1;
	progress_update(&m.p, 10);
	assert_string_equal(meter_text(&m), "");
	clock_ms += 1;
	progress_update(&m.p, 10);
	assert_string_equal(meter_text(&m),
			    "build: 10/1000 objects (1 %), 30.0 s\n");
	clock_ms += PROGRESS_PLAIN_MS / 2;
	progress_update(&m.p, 20);
	assert_int_equal(count(meter_text(&m), "\n"), 1);
	clock_ms += PROGRESS_PLAIN_MS / 2;
	progress_update(&m.p, 30);
	assert_int_equal(count(meter_text(&m), "\n"), 2);
	meter_close(&m);
}

/* Fast progress on a pipe: a line at each new tenth, never one at 100 %
 * before the end, and never a terminal's "\r". */
static void test_plain_every_tenth(void **state)
{
	struct meter m;
	const char *text;

	(void)state;
	meter_open(&m, PIPE, 200);
	for (unsigned done = 1; done <= 200; done++) {
		clock_ms += 10;
		progress_update(&m.p, done);
	}
	text = meter_text(&m);
	assert_int_equal(count(text, "\n"), 9);
	assert_non_null(strstr(text, "build: 20/200 objects (10 %)"));
	assert_non_null(strstr(text, "build: 180/200 objects (90 %)"));
	assert_null(strstr(text, "100 %"));
	assert_null(strchr(text, '\r'));
	meter_close(&m);
}

/* The count shown only grows, and stops at the total even when more
 * items come than expected; 99 % until the end. */
static void test_counts_grow_and_stop_at_total(void **state)
{
	struct meter m;

	(void)state;
	meter_open(&m, PIPE, 100);
	progress_update(&m.p, 50);
	progress_update(&m.p, 30);
	assert_int_equal(m.p.done, 50);
	progress_update(&m.p, 150);
	assert_int_equal(m.p.done, 100);
	clock_ms += PROGRESS_PLAIN_MS;
	progress_update(&m.p, 170);
	assert_non_null(strstr(meter_text(&m), "build: 100/100 objects (99 %)"));
	assert_null(strstr(meter_text(&m), "170"));
	meter_close(&m);
}

/* The last line says 100 % and how long it took, whatever came before. */
static void test_final_line(void **state)
{
	struct meter m;

	(void)state;
	meter_open(&m, PIPE, 0);
	progress_begin(&m.p, "kbuild: replica1", "object", "objects", 1153);
	clock_ms += 60000;
	progress_update(&m.p, 400);
	clock_ms += 65000;
	progress_update(&m.p, 1135);
	progress_end(&m.p, " (log: build/logs/replica1.log)");
	assert_string_equal(last_line(meter_text(&m)),
			    "kbuild: replica1: 100 % (1135 objects) in 2m05s (log: build/logs/replica1.log)\n");
	/* nothing after the end */
	progress_update(&m.p, 1153);
	progress_end(&m.p, "");
	assert_int_equal(count(meter_text(&m), "100 %"), 1);
	meter_close(&m);
}

/* A count of 1 is said in the singular, in the final line and without a
 * total; a total of 1 too. */
static void test_one(void **state)
{
	struct meter m;

	(void)state;
	meter_open(&m, PIPE, 1);
	progress_update(&m.p, 1);
	progress_end(&m.p, "");
	assert_string_equal(last_line(meter_text(&m)), "build: 100 % (1 object) in 0.0 s\n");
	progress_begin(&m.p, "unknown", "object", "objects", 0);
	clock_ms += PROGRESS_PLAIN_MS;
	progress_update(&m.p, 1);
	assert_string_equal(last_line(meter_text(&m)), "unknown: 1 object, 30.0 s\n");
	meter_close(&m);
}

/* Quiet: only the final line. */
static void test_quiet(void **state)
{
	struct meter m;

	(void)state;
	meter_open(&m, QUIET_TTY, 10);
	clock_ms += 5 * PROGRESS_PLAIN_MS;
	progress_update(&m.p, 5);
	assert_string_equal(meter_text(&m), "");
	clock_ms += 1500;
	progress_end(&m.p, "");
	assert_string_equal(meter_text(&m), "build: 100 % (5 objects) in 2m31s\n");
	meter_close(&m);
}

/* A terminal: one line drawn at once, rewritten in place ("\r", clear to
 * the end of the line) no more often than PROGRESS_REDRAW_MS, no newline
 * until the final line. */
static void test_tty_rewrites_one_line(void **state)
{
	struct meter m;
	const char *text;

	(void)state;
	meter_open(&m, TTY, 100);
	assert_string_equal(meter_text(&m), "\r\033[Kbuild: 0/100 objects (0 %), 0.0 s");
	clock_ms += PROGRESS_REDRAW_MS - 1;
	progress_update(&m.p, 3);
	assert_int_equal(count(meter_text(&m), "\r"), 1);
	clock_ms += 1;
	progress_update(&m.p, 3);
	clock_ms += PROGRESS_REDRAW_MS;
	progress_update(&m.p, 4);
	text = meter_text(&m);
	assert_int_equal(count(text, "\r\033[K"), 3);
	assert_null(strchr(text, '\n'));
	assert_non_null(strstr(text, "\r\033[Kbuild: 4/100 objects (4 %), 0.5 s"));
	progress_end(&m.p, "");
	assert_string_equal(strrchr(meter_text(&m), '\r'),
			    "\r\033[Kbuild: 100 % (4 objects) in 0.5 s\n");
	meter_close(&m);
}

/* Lines printed between redraws go above the status line. */
static void test_tty_suspend(void **state)
{
	struct meter m;

	(void)state;
	meter_open(&m, TTY, 5);
	progress_note(&m.p, "running boot");
	progress_suspend(&m.p);
	fputs("[1/5] boot ... PASS (1.0 s)\n", m.out);
	clock_ms += 2000;
	progress_update(&m.p, 1);
	assert_string_equal(meter_text(&m),
			    "\r\033[Kbuild: 0/5 objects (0 %), 0.0 s"
			    "\r\033[K"
			    "[1/5] boot ... PASS (1.0 s)\n"
			    "\r\033[Kbuild: 1/5 objects (20 %), 2.0 s, about 8 s left; running boot");
	/* stopped: the status line erased, no final line */
	progress_stop(&m.p);
	assert_string_equal(strrchr(meter_text(&m), '\r'), "\r\033[K");
	meter_close(&m);
}

/* A status line is cut to the terminal's width: a wrapped line would not
 * be rewritten whole. */
static void test_tty_width(void **state)
{
	struct meter m;

	(void)state;
	meter_open(&m, TTY, 0);
	m.p.width = 20;
	progress_begin(&m.p, "kbuild: replica1-kasan", "object", "objects", 1000);
	assert_string_equal(strrchr(meter_text(&m), '\r'), "\r\033[Kkbuild: replica1-ka");
	meter_close(&m);
}

/* The estimate of what is left: none before 5 %, then from the rate so
 * far; none without a total. */
static void test_estimate(void **state)
{
	struct meter m;

	(void)state;
	meter_open(&m, PIPE, 1000);
	clock_ms += PROGRESS_PLAIN_MS;
	progress_update(&m.p, 49);
	assert_null(strstr(meter_text(&m), "left"));
	clock_ms += PROGRESS_PLAIN_MS;
	progress_update(&m.p, 100);
	assert_string_equal(last_line(meter_text(&m)),
			    "build: 100/1000 objects (10 %), 1m00s, about 9 min left\n");
	clock_ms += PROGRESS_PLAIN_MS * 9;
	progress_update(&m.p, 950);
	assert_string_equal(last_line(meter_text(&m)),
			    "build: 950/1000 objects (95 %), 5m30s, about 18 s left\n");
	progress_begin(&m.p, "unknown", "object", "objects", 0);
	clock_ms += PROGRESS_PLAIN_MS;
	progress_update(&m.p, 7);
	assert_string_equal(last_line(meter_text(&m)), "unknown: 7 objects, 30.0 s\n");
	meter_close(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain_every_30_s),
		cmocka_unit_test(test_plain_every_tenth),
		cmocka_unit_test(test_counts_grow_and_stop_at_total),
		cmocka_unit_test(test_final_line),
		cmocka_unit_test(test_one),
		cmocka_unit_test(test_quiet),
		cmocka_unit_test(test_tty_rewrites_one_line),
		cmocka_unit_test(test_tty_suspend),
		cmocka_unit_test(test_tty_width),
		cmocka_unit_test(test_estimate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
