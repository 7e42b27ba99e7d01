/* Unit tests: test results — the model and its counts, and the store a
 * scenario's process hands its result over in (round trip, and corrupt or
 * cut files refused with a report). The four files of a run are
 * test_results_write.c's. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "report/report.h"
#include "results_fixture.h"
#include "base/util.h"

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

static void test_add_case_and_counts(void **state)
{
	struct scenario_result s;
	struct test_run r;
	struct results_counts c;
	struct test_case *tc;
	char name[] = "busybox ls /";

	(void)state;
	memset(&s, 0, sizeof(s));
	tc = scenario_add_case(&s, name);
	name[0] = 'X';		/* the case keeps its own copy */
	assert_string_equal(tc->name, "busybox ls /");
	assert_int_equal(tc->verdict, VERDICT_PASS);
	assert_null(tc->message);
	assert_int_equal(tc->con[0].status, -1);
	assert_int_equal(tc->con[DUPLEX_MAX_PARTITIONS - 1].status, -1);
	scenario_add_case(&s, "b")->verdict = VERDICT_FAIL;
	scenario_add_case(&s, "c")->verdict = VERDICT_SKIP;
	scenario_add_case(&s, "d");
	assert_int_equal(s.ncases, 4);
	assert_string_equal(s.cases[0].name, "busybox ls /");
	c = scenario_counts(&s);
	assert_int_equal(c.passed, 2);
	assert_int_equal(c.failed, 1);
	assert_int_equal(c.skipped, 1);

	memset(&r, 0, sizeof(r));
	r.scenarios = xcalloc(2, sizeof(*r.scenarios));
	r.scenarios[0] = s;
	scenario_add_case(&r.scenarios[1], "e")->verdict = VERDICT_FAIL;
	r.nscenarios = 2;
	c = test_run_counts(&r);
	assert_int_equal(c.passed, 2);
	assert_int_equal(c.failed, 2);
	assert_int_equal(c.skipped, 1);
	test_run_free(&r);
	assert_null(r.scenarios);
	assert_int_equal(r.nscenarios, 0);
}

/* Bytes a console can send: every one but NUL, escape sequences, quotes,
 * CRLF, and lines that look like the store's own fields. */
static char *awkward(void)
{
	char bytes[256];
	int i;

	for (i = 1; i < 256; i++)
		bytes[i - 1] = (char)i;
	bytes[255] = '\0';
	return xasprintf("\x1b[31mred\x1b[0m \"quoted\" 'single' <tag> & \\n"
			 "\r\nend\nname 3:abc\n-\ncases 9\n%s\n\n", bytes);
}

static void fill_scenario(struct scenario_result *s)
{
	struct test_case *tc;

	memset(s, 0, sizeof(*s));
	s->name = awkward();
	s->file = xstrdup("scenarios/with space/\"q\".exp");
	s->line = 4294967295u;
	s->slug = xstrdup("with-space-q");
	s->verdict = VERDICT_FAIL;
	s->reason = xstrdup("");
	s->excerpt = NULL;
	s->fail_console = 1;
	s->fail_at = 12582912;
	s->transcript_limit = 67108864;
	s->seconds = 0.1;
	s->nconsoles = 2;
	tc = scenario_add_case(s, "echo \"$x\"\n# not a comment");
	tc->verdict = VERDICT_FAIL;
	tc->seconds = 123456.789e-300;
	tc->message = awkward();
	tc->diff = xstrdup("--- serial0\n+++ serial1\n@@ -1 +1 @@\n-a\n+b\n");
	tc->diverge = true;
	tc->nconsoles = 2;
	strcpy(tc->con[0].name, "serial0");
	tc->con[0].output = awkward();
	tc->con[0].status = -1;
	strcpy(tc->con[1].name, "serial1");
	tc->con[1].output = xstrdup("");
	tc->con[1].status = 255;
	tc->con[1].from = 4096;
	tc->con[1].to = 9000000000;
	tc = scenario_add_case(s, "");
	tc->verdict = VERDICT_SKIP;
}

static void assert_same_case(const struct test_case *a,
			     const struct test_case *b)
{
	unsigned k;

	assert_string_equal(a->name, b->name);
	assert_int_equal(a->verdict, b->verdict);
	assert_true(a->seconds == b->seconds);
	assert_str_or_null(a->message, b->message);
	assert_str_or_null(a->diff, b->diff);
	assert_int_equal(a->diverge, b->diverge);
	assert_int_equal(a->nconsoles, b->nconsoles);
	for (k = 0; k < a->nconsoles; k++) {
		assert_string_equal(a->con[k].name, b->con[k].name);
		assert_str_or_null(a->con[k].output, b->con[k].output);
		assert_int_equal(a->con[k].status, b->con[k].status);
		assert_int_equal(a->con[k].from, b->con[k].from);
		assert_int_equal(a->con[k].to, b->con[k].to);
	}
}

static void assert_same_scenario(const struct scenario_result *a,
				 const struct scenario_result *b)
{
	size_t i;

	assert_string_equal(a->name, b->name);
	assert_string_equal(a->file, b->file);
	assert_int_equal(a->line, b->line);
	assert_string_equal(a->slug, b->slug);
	assert_int_equal(a->verdict, b->verdict);
	assert_str_or_null(a->reason, b->reason);
	assert_str_or_null(a->excerpt, b->excerpt);
	assert_int_equal(a->fail_console, b->fail_console);
	assert_int_equal(a->fail_at, b->fail_at);
	assert_int_equal(a->transcript_limit, b->transcript_limit);
	assert_true(a->seconds == b->seconds);
	assert_int_equal(a->nconsoles, b->nconsoles);
	assert_int_equal(a->ncases, b->ncases);
	for (i = 0; i < a->ncases; i++)
		assert_same_case(&a->cases[i], &b->cases[i]);
}

static void test_store_round_trip(void **state)
{
	struct scenario_result s, back;
	char *dir = results_tmpdir(), *path, *path2, *f1, *f2;

	(void)state;
	path = xasprintf("%s/result", dir);
	path2 = xasprintf("%s/result2", dir);
	fill_scenario(&s);
	assert_int_equal(results_store_save(&s, path), 0);
	assert_int_equal(results_store_load(&back, path), 0);
	assert_same_scenario(&s, &back);
	/* and what was read is saved the same again */
	assert_int_equal(results_store_save(&back, path2), 0);
	f1 = read_file(path, NULL);
	f2 = read_file(path2, NULL);
	assert_string_equal(f1, f2);
	free(f1);
	free(f2);
	scenario_result_free(&s);
	scenario_result_free(&back);
	assert_int_equal(remove_tree(dir), 0);
	free(path);
	free(path2);
	free(dir);
}

/* Load PATH, which must fail with a report naming it and saying WORDS,
 * and leave the result empty. */
static void assert_load_fails(const char *path, const char *words)
{
	struct stderr_capture cap;
	struct scenario_result s;
	char *err;
	int ret;

	stderr_capture_start(&cap);
	ret = results_store_load(&s, path);
	err = stderr_capture_end(&cap);
	assert_int_equal(ret, -1);
	assert_says(err, path);
	assert_says(err, words);
	assert_null(s.name);
	assert_null(s.cases);
	assert_int_equal(s.ncases, 0);
	free(err);
}

/* The saved file with the first FROM replaced by TO (or TO appended). */
static void write_edited(const char *good, const char *path, const char *from,
			 const char *to)
{
	char *at = from ? strstr(good, from) : NULL;
	char *text;

	if (from)
		assert_non_null(at);
	if (from)
		text = xasprintf("%.*s%s%s", (int)(at - good), good, to,
				 at + strlen(from));
	else
		text = xasprintf("%s%s", good, to);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(text);
}

static void test_store_rejects_corrupt(void **state)
{
	static const struct {
		const char *from, *to, *says;
	} edits[] = {
		{ "verdict fail", "verdict maybe", "field 'verdict' is 'maybe'" },
		{ "slug 12:", "slug 13:", "is not followed by a newline" },
		{ "slug 12:", "slug x:", "neither '-' nor a length" },
		{ "duplex-result 2", "duplex-result 1", "format version 1" },
		{ "to 9000000000", "to -1", "case 0 console 1: field 'to'" },
		{ "fail_console 1", "fail_console 8", "field 'fail_console' is '8'" },
		{ "duplex-result", "PNG", "not a scenario result" },
		{ "cases 2", "cases 99999999", "field 'cases' is '99999999'" },
		{ "status 255", "status x", "case 0 console 1: field 'status'" },
		{ "diverge 1", "diverge 2", "field 'diverge'" },
		{ "seconds 0.1", "seconds 0.1s", "field 'seconds' is '0.1s" },
		{ "line 4294967295", "line 4294967296", "field 'line'" },
		{ "slug 12:", "slog 12:", "expected field 'slug', found 'slog" },
		{ "name 7:serial0", "name 16:serial0123456789", "longer than 15" },
		{ "slug 12:with-space-q", "slug -", "field 'slug' is '-'" },
		{ "case 1", "case 2", "expected 'case 1'" },
		{ NULL, "x", "data follows the 'end' line (1 bytes)" },
	};
	char *dir = results_tmpdir(), *path, *bad, *good;
	struct scenario_result s;
	size_t i, len;

	(void)state;
	path = xasprintf("%s/result", dir);
	bad = xasprintf("%s/bad", dir);
	fill_scenario(&s);
	assert_int_equal(results_store_save(&s, path), 0);
	scenario_result_free(&s);
	good = read_file(path, &len);
	for (i = 0; i < ARRAY_SIZE(edits); i++) {
		write_edited(good, bad, edits[i].from, edits[i].to);
		assert_load_fails(bad, "corrupt");
		assert_load_fails(bad, edits[i].says);
	}
	/* a string with a NUL in it cannot be a C string */
	strstr(good, "slug 12:with-space-q")[12] = '\0';
	assert_int_equal(write_file_atomic(bad, good, len, 0644), 0);
	assert_load_fails(bad, "field 'slug' (12 bytes) holds a NUL byte");
	free(good);
	assert_int_equal(remove_tree(dir), 0);
	free(path);
	free(bad);
	free(dir);
}

/* Every prefix of a good file is a cut one, and says so. */
static void test_store_rejects_truncated(void **state)
{
	char *dir = results_tmpdir(), *path, *cut, *good;
	struct scenario_result s;
	size_t len, n;

	(void)state;
	path = xasprintf("%s/result", dir);
	cut = xasprintf("%s/cut", dir);
	fill_scenario(&s);
	assert_int_equal(results_store_save(&s, path), 0);
	scenario_result_free(&s);
	good = read_file(path, &len);
	for (n = 0; n < len; n++) {
		assert_int_equal(write_file_atomic(cut, good, n, 0644), 0);
		assert_load_fails(cut, "truncated");
	}
	assert_load_fails("/nonexistent/duplex/result", "cannot open");
	free(good);
	assert_int_equal(remove_tree(dir), 0);
	free(path);
	free(cut);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_case_and_counts),
		cmocka_unit_test(test_store_round_trip),
		cmocka_unit_test(test_store_rejects_corrupt),
		cmocka_unit_test(test_store_rejects_truncated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
