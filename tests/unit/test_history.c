/* Unit tests: the run history (report/history.h) in a database of a
 * temporary directory — runs recorded and recorded again, the last
 * durations, the marks (new failure, fixed, flaky within its window and
 * after a rerun), the listing, a database locked by another writer (a
 * bounded wait, then one error), corrupt and foreign files (one error
 * naming the file and what to do), and the marks in summary.json and
 * report.html. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sqlite3.h>

#include "capture.h"
#include "report/report.h"
#include "results_fixture.h"
#include "base/util.h"

struct fixture {
	char *dir;
	char *db;
	struct history_meta meta;
	unsigned runs;		/* recorded so far; each a second later */
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->dir = results_tmpdir();
	f->db = xasprintf("%s/sub/history.db", f->dir);
	f->meta = (struct history_meta){
		.path = f->db, .commit = "c1", .kernel = "k1",
		.initramfs = "i1", .host = "host", .suite = "s1",
	};
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->dir);
	free(f->dir);
	free(f->db);
	free(f);
	return 0;
}

/* A run of scenarios given as "id:V" (V one of p, f, s; "id:r" a pass
 * after a failed attempt), each taking as many seconds as its position. */
static void make_run(struct fixture *f, struct test_run *r, const char *spec)
{
	char *copy = xstrdup(spec), *tok, *save = NULL;

	memset(r, 0, sizeof(*r));
	snprintf(r->run_id, sizeof(r->run_id), "t%u-0000", f->runs);
	r->started = 1700000000 + f->runs;
	r->scenarios = xcalloc(8, sizeof(*r->scenarios));
	for (tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		struct scenario_result *s = &r->scenarios[r->nscenarios++];
		char *colon = strchr(tok, ':');

		*colon = '\0';
		s->slug = xstrdup(tok);
		s->name = xasprintf("scenario %s", tok);
		s->file = xstrdup("x.exp");
		s->seconds = (double)r->nscenarios;
		s->verdict = colon[1] == 'f' ? VERDICT_FAIL
			   : colon[1] == 's' ? VERDICT_SKIP : VERDICT_PASS;
		s->attempts = colon[1] == 'r' ? 2 : 1;
		if (s->verdict == VERDICT_FAIL)
			s->reason = xstrdup("kernel panic on serial0\nmore");
	}
	r->planned = r->nscenarios;
	free(copy);
}

/* Record a run of SPEC; return it marked as it would have been first. */
static void record(struct fixture *f, const char *spec)
{
	struct test_run r;

	make_run(f, &r, spec);
	assert_int_equal(history_record(&r, &f->meta), 0);
	f->runs++;
	test_run_free(&r);
}

/* The marks a run of SPEC gets now, one letter each: - none, N new
 * failure, X fixed, K flaky. */
static char *marks(struct fixture *f, const char *spec)
{
	static const char letter[] = { '-', 'N', 'X', 'K' };
	struct test_run r;
	char *out;
	size_t i;

	make_run(f, &r, spec);
	assert_int_equal(history_mark(&r, &f->meta), 0);
	out = xcalloc(r.nscenarios + 1, 1);
	for (i = 0; i < r.nscenarios; i++)
		out[i] = letter[r.scenarios[i].mark];
	test_run_free(&r);
	return out;
}

static void assert_marks(struct fixture *f, const char *spec, const char *want)
{
	char *got = marks(f, spec);

	assert_string_equal(got, want);
	free(got);
}

static char *printed(const char *db, unsigned last, const char *scenario,
		     int *ret)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	*ret = history_print(db, last, scenario, out);
	fclose(out);
	return text;
}

static void test_record_durations_and_listing(void **state)
{
	struct fixture *f = *state;
	struct history_duration *d;
	char *text;
	size_t n;
	int ret;

	/* No database yet: an empty history, and no file made by reading. */
	assert_int_equal(history_durations(f->db, &d, &n), 0);
	assert_int_equal(n, 0);
	assert_false(path_exists(f->db));
	record(f, "a:p b:f c:s");
	record(f, "b:s a:p");
	assert_int_equal(history_durations(f->db, &d, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(d[0].id, "a");
	assert_true(d[0].seconds == 2.0);	/* its latest run */
	assert_string_equal(d[1].id, "b");
	assert_true(d[1].seconds == 2.0);	/* its skip does not count */
	history_durations_free(d, n);

	record(f, "a:f b:r");
	text = printed(f->db, 10, NULL, &ret);
	assert_int_equal(ret, 0);
	assert_says(text, "t0-0000          2023-11-14 22:13:20  c1");
	assert_says(text, "  a                                                PPF\n");
	assert_says(text, "  b                                                FSR\n");
	assert_says(text, "  c                                                S\n");
	free(text);
	text = printed(f->db, 2, "scenario a", &ret);
	assert_int_equal(ret, 0);
	assert_null(strstr(text, "t0-0000"));
	assert_says(text, "   F      1.0 s  kernel panic on serial0\n");
	assert_says(text, "  a                                                PF\n");
	assert_null(strstr(text, "  b "));
	free(text);
}

static void test_record_again_replaces(void **state)
{
	struct fixture *f = *state;
	struct history_duration *d;
	struct test_run r;
	size_t n;

	make_run(f, &r, "a:p");
	assert_int_equal(history_record(&r, &f->meta), 0);
	r.scenarios[0].seconds = 9.0;
	assert_int_equal(history_record(&r, &f->meta), 0);
	test_run_free(&r);
	assert_int_equal(history_durations(f->db, &d, &n), 0);
	assert_int_equal(n, 1);
	assert_true(d[0].seconds == 9.0);
	history_durations_free(d, n);
}

static void test_marks_from_the_suites_previous_run(void **state)
{
	struct fixture *f = *state;

	/* No history: no mark, but a pass after a failed attempt is flaky. */
	assert_marks(f, "a:f b:r c:s", "-K-");
	record(f, "a:p b:f c:p d:f");
	/* Another commit: the previous run's verdict alone speaks. */
	f->meta.commit = "c2";
	assert_marks(f, "a:f b:p c:p d:f", "NX--");
	/* A run of another suite is no one's previous run. */
	f->meta.suite = "s2";
	assert_marks(f, "a:f b:p", "--");
}

static void test_flaky_within_the_window(void **state)
{
	struct fixture *f = *state;
	int i;

	record(f, "a:f b:f");
	for (i = 0; i < 8; i++)
		record(f, "a:p b:p");
	/* The failure is the 9th run back: with this run, 10. */
	assert_marks(f, "a:p", "K");
	/* A run without a does not push a's failure out of the window. */
	record(f, "b:p");
	assert_marks(f, "b:p", "-");
	assert_marks(f, "a:p", "K");
	record(f, "a:p");
	assert_marks(f, "a:p", "-");
	/* On other kernels, the failure before is not this one's: only
	 * the previous run of the suite speaks. */
	f->meta.kernel = "k2";
	record(f, "a:f");
	assert_marks(f, "a:p", "K");
	f->meta.kernel = "k3";
	assert_marks(f, "a:p", "X");
	assert_marks(f, "a:f", "-");
	/* A rerun's pass in the window is a pass and a failure. */
	record(f, "a:r");
	assert_marks(f, "a:p", "K");
}

static void test_suite_ignores_order(void **state)
{
	const char *const ab[] = { "a", "b" }, *const ba[] = { "b", "a" };
	const char *const joined[] = { "ab" };
	char x[HISTORY_HASH_LEN], y[HISTORY_HASH_LEN], z[HISTORY_HASH_LEN];

	(void)state;
	history_suite(ab, 2, x);
	history_suite(ba, 2, y);
	history_suite(joined, 1, z);
	assert_string_equal(x, y);
	assert_string_not_equal(x, z);
	assert_int_equal(strlen(x), HISTORY_HASH_LEN - 1);
}

/* Every history call on F's database fails, each saying WORDS once. */
static void assert_refused(struct fixture *f, const char *words)
{
	struct stderr_capture cap;
	struct history_duration *d;
	struct test_run r;
	char *err, *text, *p;
	int ret, count = 0;
	size_t n;

	make_run(f, &r, "a:p");
	r.scenarios[0].mark = MARK_FIXED;
	stderr_capture_start(&cap);
	assert_int_equal(history_record(&r, &f->meta), -1);
	assert_int_equal(history_mark(&r, &f->meta), -1);
	assert_int_equal(history_durations(f->db, &d, &n), -1);
	text = printed(f->db, 10, NULL, &ret);
	assert_int_equal(ret, -1);
	err = stderr_capture_end(&cap);
	assert_int_equal(r.scenarios[0].mark, MARK_FIXED);
	for (p = err; (p = strstr(p, words)); p++)
		count++;
	assert_int_equal(count, 4);
	assert_says(err, f->db);
	assert_says(err, "move it away or delete it");
	assert_says(err, "--no-history");
	free(err);
	free(text);
	test_run_free(&r);
}

static void test_corrupt_database(void **state)
{
	struct fixture *f = *state;
	char junk[4096];

	memset(junk, 'x', sizeof(junk));
	record(f, "a:p");
	assert_int_equal(write_file_atomic(f->db, junk, sizeof(junk), 0644), 0);
	assert_refused(f, "is corrupt (file is not a database)");
}

/* SQL run on F's database with a connection of its own. */
static sqlite3 *other_connection(struct fixture *f, const char *sql)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	return db;
}

static void test_foreign_database(void **state)
{
	struct fixture *f = *state;

	record(f, "a:p");
	sqlite3_close(other_connection(f, "PRAGMA user_version = 7"));
	assert_refused(f, "has schema version 7, this duplex knows version 1");
	remove(f->db);
	sqlite3_close(other_connection(f, "CREATE TABLE t (x)"));
	assert_refused(f, "is not a duplex history (an SQLite database of another program");
	remove(f->db);
	record(f, "a:p");
	sqlite3_close(other_connection(f, "ALTER TABLE runs DROP COLUMN host"));
	assert_refused(f, "does not have the tables of a duplex history");
}

static void test_locked_database(void **state)
{
	struct fixture *f = *state;
	struct stderr_capture cap;
	struct test_run r;
	int64_t start, took;
	sqlite3 *db;
	char *err;

	record(f, "a:f");
	db = other_connection(f, "BEGIN IMMEDIATE");
	f->meta.busy_ms = 300;
	f->meta.commit = "c2";
	/* A reader still reads past another's write lock. */
	assert_marks(f, "a:p", "X");
	make_run(f, &r, "a:p");
	stderr_capture_start(&cap);
	start = now_ms();
	assert_int_equal(history_record(&r, &f->meta), -1);
	took = now_ms() - start;
	err = stderr_capture_end(&cap);
	assert_true(took >= 250 && took < 5000);
	assert_says(err, f->db);
	assert_says(err, "stayed locked by another process for 0.3 s while recording run t1-0000");
	assert_null(strstr(strstr(err, "locked") + 1, "locked"));
	free(err);
	sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
	sqlite3_close(db);
	/* Once the lock is gone, the same run is recorded. */
	assert_int_equal(history_record(&r, &f->meta), 0);
	test_run_free(&r);
}

static void test_marks_in_reports(void **state)
{
	struct fixture *f = *state;
	struct scenario_result *s;
	struct test_run r;
	char *json, *html;

	s = results_one_scenario(&r, f->dir, "flaky-one");
	s->verdict = VERDICT_PASS;
	s->attempts = 3;
	s->mark = MARK_FLAKY;
	scenario_add_case(s, "case");
	assert_int_equal(results_write(&r), 0);
	json = results_read_out(f->dir, "summary.json");
	html = results_read_out(f->dir, "report.html");
	assert_says(json, "\"verdict\": \"pass\", \"mark\": \"flaky\", \"attempts\": 3");
	assert_says(html, "<span class=\"v flaky\">FLAKY</span><span class=\"mark flaky\">flaky</span>");
	assert_says(html, "attempt 3 of 3 on a fresh machine; the earlier ones: <a href=\"flaky-one.try1/\">flaky-one.try1/</a> <a href=\"flaky-one.try2/\">");
	free(json);
	free(html);
	s->attempts = 1;
	s->verdict = VERDICT_FAIL;
	s->mark = MARK_NEW_FAILURE;
	assert_int_equal(results_write(&r), 0);
	json = results_read_out(f->dir, "summary.json");
	html = results_read_out(f->dir, "report.html");
	assert_says(json, "\"mark\": \"new failure\", \"attempts\": 1");
	assert_says(html, "<span class=\"v fail\">FAIL</span><span class=\"mark new-failure\">new failure</span>");
	assert_null(strstr(html, "attempt "));
	free(json);
	free(html);
	test_run_free(&r);
}

/* A test with a database of its own. */
#define WITH_DB(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_DB(test_record_durations_and_listing),
		WITH_DB(test_record_again_replaces),
		WITH_DB(test_marks_from_the_suites_previous_run),
		WITH_DB(test_flaky_within_the_window),
		cmocka_unit_test(test_suite_ignores_order),
		WITH_DB(test_corrupt_database),
		WITH_DB(test_foreign_database),
		WITH_DB(test_locked_database),
		WITH_DB(test_marks_in_reports),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
