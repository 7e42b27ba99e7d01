/* Unit tests: report/merge — the results directories of a suite's
 * shards, made here with results_store_save and the writers as `duplex
 * test --shard` makes them, merged into one run; the refusals (other
 * suite, other commit, a scenario run twice, a summary missing or
 * corrupt); and jsonread, which reads summary.json back. */
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

#include "capture.h"
#include "report/report.h"
#include "report/jsonread.h"
#include "results_fixture.h"
#include "base/util.h"

/* The suite: four scenarios; "b" fails, "d" has a skipped case. */
static const struct suite_entry suite[] = {
	{ "a", "scenario a", "scenarios/x.exp", 3 },
	{ "b", "scenario b", "scenarios/x.exp", 9 },
	{ "c", "scenario c", "scenarios/y.exp", 4 },
	{ "d", "scenario d", "scenarios/z.exp", 1 },
};
#define NSUITE 4

struct fixture {
	char *tmp;
};

static int setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));

	f->tmp = results_tmpdir();
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->tmp);
	free(f->tmp);
	free(f);
	return 0;
}

/* Scenario K of the suite as a shard's process leaves it: passed cases
 * (one failed for "b", one skipped for "d") and a transcript. */
static void make_scenario(struct scenario_result *s, size_t k, const char *dir)
{
	const struct suite_entry *e = &suite[k];
	struct test_case *tc;
	char *sdir = xasprintf("%s/%s", dir, e->id), *path;

	memset(s, 0, sizeof(*s));
	s->name = xstrdup(e->name);
	s->file = xstrdup(e->file);
	s->line = e->line;
	s->slug = xstrdup(e->id);
	s->fail_console = -1;
	s->seconds = 10.0 + (double)k;
	s->nconsoles = 1;
	tc = scenario_add_case(s, "echo one");
	tc->seconds = 1;
	tc = scenario_add_case(s, "echo two");
	if (k == 1) {
		tc->verdict = s->verdict = VERDICT_FAIL;
		tc->message = xstrdup("the consoles' outputs differ");
	} else if (k == 3) {
		tc->verdict = VERDICT_SKIP;
		tc->message = xstrdup("needs a disk");
	}
	assert_int_equal(mkdir_p(sdir, 0755), 0);
	path = xasprintf("%s/serial0.log", sdir);
	assert_int_equal(write_file_atomic(path, e->name, strlen(e->name), 0644), 0);
	free(path);
	path = xasprintf("%s/result", sdir);
	assert_int_equal(results_store_save(s, path), 0);
	free(path);
	free(sdir);
}

/* Shard INDEX of TOTAL in F->tmp/NAME, at COMMIT, that ran the
 * scenarios of the suite whose bit is set in RAN; its directory. */
static char *make_shard(const struct fixture *f, const char *name,
			unsigned index, unsigned total, const char *commit,
			unsigned ran)
{
	struct test_run r;
	size_t k;

	memset(&r, 0, sizeof(r));
	snprintf(r.run_id, sizeof(r.run_id), "t%u-000%u", 100 + index, index);
	r.dir = xasprintf("%s/%s", f->tmp, name);
	assert_int_equal(mkdir_p(r.dir, 0755), 0);
	r.started = 1700000000 + index;
	r.seconds = 30;
	r.scenarios = xcalloc(NSUITE, sizeof(*r.scenarios));
	for (k = 0; k < NSUITE; k++)
		if (ran & (1u << k))
			make_scenario(&r.scenarios[r.nscenarios++], k, r.dir);
	r.planned = r.nscenarios;
	test_run_set_suite(&r, suite, NSUITE);
	r.shard_index = index;
	r.shard_total = total;
	r.commit = xstrdup(commit);
	/* the same images in shards 1 and 2, others in 3 */
	snprintf(r.kernel_hash, sizeof(r.kernel_hash), "%s",
		 index < 3 ? "00000000000000a1" : "00000000000000b3");
	snprintf(r.initramfs_hash, sizeof(r.initramfs_hash), "00000000000000c1");
	assert_int_equal(results_write(&r), 0);
	free(r.dir);
	r.dir = NULL;
	test_run_free(&r);
	return xasprintf("%s/%s", f->tmp, name);
}

/* Merge DIRS into F->tmp/out: M, read and written. */
static void merge_ok(const struct fixture *f, const char *const *dirs,
		     size_t n, struct results_merge *m)
{
	assert_int_equal(results_merge_read(m, dirs, n), 0);
	m->run.dir = xasprintf("%s/out", f->tmp);
	snprintf(m->run.run_id, sizeof(m->run.run_id), "m1-0000");
	assert_int_equal(mkdir_p(m->run.dir, 0755), 0);
	assert_int_equal(results_merge_write(m), 0);
}

/* F->tmp/out/summary.json, parsed. */
static void read_summary(const struct fixture *f, struct json *j)
{
	char *dir = xasprintf("%s/out", f->tmp);
	char *text = results_read_out(dir, "summary.json"), err[128];

	assert_int_equal(json_parse(text, strlen(text), j, err, sizeof(err)), 0);
	free(text);
	free(dir);
}

static unsigned count_of(const struct json *j, const char *key)
{
	const struct json *c = json_get(j, "counts", JSON_OBJECT);

	assert_non_null(c);
	assert_non_null(json_get(c, key, JSON_NUMBER));
	return (unsigned)json_get(c, key, JSON_NUMBER)->number;
}

static void test_merge_two_shards(void **state)
{
	const struct fixture *f = *state;
	char *d1 = make_shard(f, "s1", 1, 2, "c0ffee", 0x5);	/* a, c */
	char *d2 = make_shard(f, "s2", 2, 2, "c0ffee", 0xa);	/* b, d */
	const char *dirs[] = { d2, d1 };
	const struct json *list, *sc;
	struct results_merge m;
	struct json j;
	char *text, *out;
	size_t k;

	merge_ok(f, dirs, 2, &m);
	assert_int_equal(m.not_run, 0);
	read_summary(f, &j);
	/* 8 cases: b's second failed, d's second skipped */
	assert_int_equal(count_of(&j, "passed"), 6);
	assert_int_equal(count_of(&j, "failed"), 1);
	assert_int_equal(count_of(&j, "skipped"), 1);
	assert_int_equal(json_get(&j, "planned", JSON_NUMBER)->number, 4);
	assert_null(json_get(&j, "shard", JSON_OBJECT));
	assert_string_equal(json_get(&j, "commit", JSON_STRING)->string, "c0ffee");
	/* what the shards booted, for the history's flaky marks */
	assert_string_equal(json_get(json_get(&j, "images", JSON_OBJECT), "kernel",
				     JSON_STRING)->string, "00000000000000a1");
	/* in suite order, whichever shard ran them */
	list = json_get(&j, "scenarios", JSON_ARRAY);
	assert_int_equal(list->n, NSUITE);
	for (k = 0; k < NSUITE; k++) {
		sc = &list->items[k];
		assert_string_equal(json_get(sc, "slug", JSON_STRING)->string,
				    suite[k].id);
	}
	/* the shards' start and end: 1700000001 .. 1700000032 */
	assert_int_equal(json_get(&j, "started", JSON_NUMBER)->number, 1700000001);
	assert_true(json_get(&j, "seconds", JSON_NUMBER)->number == 31);
	json_free(&j);
	/* the transcripts are there, for report.html's links */
	out = xasprintf("%s/out", f->tmp);
	text = results_read_out(out, "b/serial0.log");
	assert_string_equal(text, "scenario b");
	free(text);
	text = results_read_out(out, "report.html");
	assert_non_null(strstr(text, "<a href=\"b/serial0.log\">"));
	free(text);
	text = results_read_out(out, "results.tap");
	assert_non_null(strstr(text, "KTAP version 1\n1..4\n"));
	assert_non_null(strstr(text, "\nnot ok 2 scenario b\n"));
	free(text);
	free(out);
	results_merge_free(&m);
	free(d1);
	free(d2);
}

/* Shard 2 of 2 is missing: its scenarios fail as not run. */
static void test_not_run(void **state)
{
	const struct fixture *f = *state;
	char *d1 = make_shard(f, "s1", 1, 2, "c0ffee", 0x5);
	const char *dirs[] = { d1 };
	const struct json *sc;
	struct results_merge m;
	struct json j;

	merge_ok(f, dirs, 1, &m);
	assert_int_equal(m.not_run, 2);
	assert_null(m.from[1]);
	assert_non_null(m.from[2]);
	read_summary(f, &j);
	assert_int_equal(count_of(&j, "passed"), 4);
	assert_int_equal(count_of(&j, "failed"), 2);
	sc = &json_get(&j, "scenarios", JSON_ARRAY)->items[3];
	assert_string_equal(json_get(sc, "verdict", JSON_STRING)->string, "fail");
	assert_string_equal(json_get(sc, "reason", JSON_STRING)->string,
			    "not run: no shard ran it (1 results directory merged)");
	assert_string_equal(json_get(sc, "name", JSON_STRING)->string, "scenario d");
	json_free(&j);
	results_merge_free(&m);
	free(d1);
}

/* Merging must fail, saying WORDS. */
static void merge_fails(const char *const *dirs, size_t n, const char *words)
{
	struct stderr_capture cap;
	struct results_merge m;
	char *err;

	stderr_capture_start(&cap);
	assert_int_equal(results_merge_read(&m, dirs, n), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, words);
	free(err);
}

static void test_refuses_other_commit(void **state)
{
	const struct fixture *f = *state;
	char *d1 = make_shard(f, "s1", 1, 2, "c0ffee", 0x5);
	char *d2 = make_shard(f, "s2", 2, 2, "decade", 0xa);
	const char *dirs[] = { d1, d2 };
	char *want = xasprintf("'%s' and '%s' were run at different commits (c0ffee and decade)",
			       d1, d2);

	merge_fails(dirs, 2, want);
	free(want);
	free(d1);
	free(d2);
}

/* Shards balanced by different run histories may have split the suite
 * differently: refused, although the suites are the same. */
static void test_refuses_other_plan(void **state)
{
	const struct fixture *f = *state;
	char *d1 = make_shard(f, "s1", 1, 2, "c0ffee", 0x5);
	char *d2 = make_shard(f, "s2", 2, 2, "c0ffee", 0xa);
	char *path = xasprintf("%s/summary.json", d2);
	char *text = read_file(path, NULL), *at = strstr(text, "\"plan\": \"count\"");
	char *edited, *want;
	const char *dirs[] = { d1, d2 };

	assert_non_null(at);
	edited = xasprintf("%.*s\"plan\": \"00000000deadbeef\"%s",
			   (int)(at - text), text, at + strlen("\"plan\": \"count\""));
	assert_int_equal(write_file_atomic(path, edited, strlen(edited), 0644), 0);
	want = xasprintf("'%s' and '%s' split the suite by different durations (plan count and 00000000deadbeef)",
			 d1, d2);
	merge_fails(dirs, 2, want);
	free(want);
	free(edited);
	free(text);
	free(path);
	free(d1);
	free(d2);
}

static void test_refuses_other_suite(void **state)
{
	const struct fixture *f = *state;
	char *d1 = make_shard(f, "s1", 1, 2, "c0ffee", 0x5);
	char *d2 = make_shard(f, "s2", 2, 2, "c0ffee", 0xa);
	const char *dirs[] = { d1, d2 };
	char *path = xasprintf("%s/summary.json", d2), *text, *at, *want;

	/* scenario c renamed in shard 2's suite */
	text = read_file(path, NULL);
	at = strstr(text, "\"name\": \"scenario c\"");
	assert_non_null(at);
	at[strlen("\"name\": \"scenario ")] = 'C';
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	want = xasprintf("'%s' and '%s' ran different suites", d1, d2);
	merge_fails(dirs, 2, want);
	merge_fails(dirs, 2, "scenario 3 is 'scenario c' in the first, 'scenario C' in the second");
	free(want);
	free(text);
	free(path);
	free(d1);
	free(d2);
}

/* The same scenario from two directories: a shard run twice. */
static void test_refuses_duplicate(void **state)
{
	const struct fixture *f = *state;
	char *d1 = make_shard(f, "s1", 1, 2, "c0ffee", 0x5);
	char *d2 = make_shard(f, "s2", 2, 2, "c0ffee", 0xa);
	char *d3 = make_shard(f, "s1-again", 1, 2, "c0ffee", 0x5);
	const char *dirs[] = { d1, d2, d3 };
	char *want = xasprintf("'%s' and '%s' both ran scenario 'scenario a' (a)",
			       d1, d3);

	merge_fails(dirs, 3, want);
	free(want);
	free(d1);
	free(d2);
	free(d3);
}

static void test_refuses_bad_summary(void **state)
{
	const struct fixture *f = *state;
	char *d1 = make_shard(f, "s1", 1, 2, "c0ffee", 0x5);
	char *d2 = make_shard(f, "s2", 2, 2, "c0ffee", 0xa);
	const char *dirs[] = { d1, d2 };
	char *path = xasprintf("%s/summary.json", d2), *text, *want;
	size_t len;

	text = read_file(path, &len);
	/* cut in the middle */
	assert_int_equal(write_file_atomic(path, text, len / 2, 0644), 0);
	want = xasprintf("'%s' is corrupt: line ", path);
	merge_fails(dirs, 2, want);
	free(want);
	/* a summary from before --shard: no suite */
	free(text);
	text = xstrdup("{\"run_id\": \"t1-0000\", \"started\": 1, "
		       "\"seconds\": 2, \"commit\": \"c0ffee\", \"scenarios\": []}\n");
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	want = xasprintf("'%s' is not a duplex test summary a merge can use: 'suite' is missing", path);
	merge_fails(dirs, 2, want);
	free(want);
	unlink(path);
	want = xasprintf("'%s' is missing: '%s' is not the results directory", path, d2);
	merge_fails(dirs, 2, want);
	free(want);
	free(text);
	free(path);
	free(d1);
	free(d2);
}

/* A scenario whose process died left no result file: its part of
 * summary.json, written by the runner, stands for it. */
static void test_result_from_summary(void **state)
{
	const struct fixture *f = *state;
	char *d1 = make_shard(f, "s1", 1, 2, "c0ffee", 0x5);
	char *d2 = make_shard(f, "s2", 2, 2, "c0ffee", 0xa);
	char *path = xasprintf("%s/b/result", d2);
	const char *dirs[] = { d1, d2 };
	struct results_merge m;
	const struct scenario_result *b;

	assert_int_equal(unlink(path), 0);
	merge_ok(f, dirs, 2, &m);
	b = &m.run.scenarios[1];
	assert_string_equal(b->name, "scenario b");
	assert_int_equal(b->verdict, VERDICT_FAIL);
	assert_int_equal(b->ncases, 2);
	assert_int_equal(b->cases[1].verdict, VERDICT_FAIL);
	assert_string_equal(b->cases[1].message, "the consoles' outputs differ");
	results_merge_free(&m);
	free(path);
	free(d1);
	free(d2);
}

static void json_fails(const char *text, const char *words)
{
	char err[128];
	struct json j;

	assert_int_equal(json_parse(text, strlen(text), &j, err, sizeof(err)), -1);
	assert_says(err, words);
}

static void test_json(void **state)
{
	const char *text = "{\"a\": [1, -2.5e1, true, false, null],\n"
		" \"s\": \"q\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\ud800x\"}";
	char err[128];
	struct json j;

	(void)state;
	assert_int_equal(json_parse(text, strlen(text), &j, err, sizeof(err)), 0);
	assert_int_equal(json_get(&j, "a", JSON_ARRAY)->n, 5);
	assert_true(json_get(&j, "a", JSON_ARRAY)->items[1].number == -25);
	assert_true(json_get(&j, "a", JSON_ARRAY)->items[2].boolean);
	assert_string_equal(json_get(&j, "s", JSON_STRING)->string,
			    "q\"\\/\b\f\n\r\t\xc3\xa9\xf0\x9f\x98\x80\xef\xbf\xbdx");
	assert_null(json_get(&j, "s", JSON_NUMBER));
	assert_null(json_get(&j, "none", JSON_STRING));
	json_free(&j);
	json_fails("{\"a\": 1,\n \"b\" 2}", "line 2, column 6: expected ':'");
	json_fails("[1, 2", "expected ',' or ']'");
	json_fails("{\"a\": \"x", "the text ends inside a string");
	json_fails("\"\\u0000\"", "\\u0000");
	json_fails("\"a\x01\"", "control character 0x01");
	json_fails("[1] 2", "text after the end");
	json_fails("[nul]", "expected a value");
	json_fails("[1e999]", "not a number");
	json_fails("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
		   "nested deeper than");
	json_fails("", "expected a value");
}

#define IN_TMP(t) cmocka_unit_test_setup_teardown(t, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_TMP(test_merge_two_shards),
		IN_TMP(test_not_run),
		IN_TMP(test_refuses_other_commit),
		IN_TMP(test_refuses_other_plan),
		IN_TMP(test_refuses_other_suite),
		IN_TMP(test_refuses_duplicate),
		IN_TMP(test_refuses_bad_summary),
		IN_TMP(test_result_from_summary),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
