/* Unit tests: scenario/shard — a suite split among shards (every id in
 * exactly one, the same split each time and whatever the order of the
 * files, balanced by count and by recorded seconds), K/N parsed, and the
 * CI engines' variables read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "scenario/shard.h"
#include "base/util.h"

#define MAX_IDS 40

/* IDS "s00", "s01" ... (N of them), malloc'd. */
static char **make_ids(size_t n)
{
	char **ids = xcalloc(n ? n : 1, sizeof(*ids));
	size_t i;

	for (i = 0; i < n; i++)
		ids[i] = xasprintf("s%02zu", i);
	return ids;
}

static void free_ids(char **ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(ids[i]);
	free(ids);
}

/* OWNER[i]: the shard (from 1) of id i, asserting it has exactly one. */
static void owners(char **ids, const double *seconds, size_t n,
		   unsigned total, unsigned *owner)
{
	bool mine[MAX_IDS];
	struct shard s = { 0, total };
	size_t i, count;

	memset(owner, 0, n * sizeof(*owner));
	for (s.index = 1; s.index <= total; s.index++) {
		count = shard_plan((const char *const *)ids, seconds, n, s, mine);
		for (i = 0; i < n; i++) {
			if (!mine[i])
				continue;
			assert_int_equal(owner[i], 0);
			owner[i] = s.index;
			count--;
		}
		assert_int_equal(count, 0);
	}
	for (i = 0; i < n; i++)
		assert_true(owner[i] >= 1 && owner[i] <= total);
}

static void test_each_id_in_one_shard(void **state)
{
	unsigned owner[MAX_IDS], again[MAX_IDS];
	size_t n;
	unsigned total;

	(void)state;
	for (n = 0; n <= 25; n++) {
		char **ids = make_ids(n);

		for (total = 1; total <= 7; total++) {
			owners(ids, NULL, n, total, owner);
			owners(ids, NULL, n, total, again);
			assert_memory_equal(owner, again, n * sizeof(*owner));
		}
		free_ids(ids, n);
	}
}

/* Shard sizes differ by one at most; with more shards than ids, the
 * extra shards are empty. */
static void test_balanced_by_count(void **state)
{
	unsigned owner[MAX_IDS], size[8];
	size_t n, i;
	unsigned total, k, lo, hi;

	(void)state;
	for (n = 1; n <= 25; n++) {
		char **ids = make_ids(n);

		for (total = 1; total <= 7; total++) {
			owners(ids, NULL, n, total, owner);
			memset(size, 0, sizeof(size));
			for (i = 0; i < n; i++)
				size[owner[i] - 1]++;
			lo = hi = size[0];
			for (k = 1; k < total; k++) {
				lo = size[k] < lo ? size[k] : lo;
				hi = size[k] > hi ? size[k] : hi;
			}
			assert_true(hi - lo <= 1);
		}
		free_ids(ids, n);
	}
}

/* The split follows the ids, not their order: the same suite listed
 * from files in another order gives every scenario the same shard. */
static void test_order_does_not_matter(void **state)
{
	char **ids = make_ids(10), *rev[10];
	double secs[10] = { 5, 1, 9, 3, 3, 7, 2, 8, 3, 4 }, rsecs[10];
	unsigned owner[10], rowner[10];
	size_t i;

	(void)state;
	for (i = 0; i < 10; i++) {
		rev[i] = ids[9 - i];
		rsecs[i] = secs[9 - i];
	}
	owners(ids, NULL, 10, 3, owner);
	owners(rev, NULL, 10, 3, rowner);
	for (i = 0; i < 10; i++)
		assert_int_equal(owner[i], rowner[9 - i]);
	owners(ids, secs, 10, 3, owner);
	owners(rev, rsecs, 10, 3, rowner);
	for (i = 0; i < 10; i++)
		assert_int_equal(owner[i], rowner[9 - i]);
	free_ids(ids, 10);
}

/* Seconds per shard. */
static void loads(const unsigned *owner, const double *secs, size_t n,
		  unsigned total, double *load)
{
	size_t i;

	memset(load, 0, total * sizeof(*load));
	for (i = 0; i < n; i++)
		load[owner[i] - 1] += secs[i];
}

/* One long scenario and many short ones: by count, a shard would get the
 * long one and as many short ones as the others; by seconds, it gets the
 * long one alone. */
static void test_balanced_by_seconds(void **state)
{
	double secs[9] = { 60, 10, 10, 10, 10, 10, 10, 10, 10 }, load[3];
	char **ids = make_ids(9);
	unsigned owner[9];
	size_t i, alone = 0;

	(void)state;
	owners(ids, secs, 9, 3, owner);
	for (i = 1; i < 9; i++)
		alone += owner[i] == owner[0];
	assert_int_equal(alone, 0);
	loads(owner, secs, 9, 3, load);
	assert_true(load[0] == 60 || load[1] == 60 || load[2] == 60);
	/* the others split the 80 s of short ones evenly: 40 s each */
	assert_true((load[0] + load[1] + load[2]) == 140);
	for (i = 0; i < 3; i++)
		assert_true(load[i] == 60 || load[i] == 40);
	owners(ids, NULL, 9, 3, owner);
	loads(owner, secs, 9, 3, load);
	assert_true(load[owner[0] - 1] == 80);
	free_ids(ids, 9);
}

/* A scenario without a recorded time counts as the mean of the known:
 * two new ones beside 100 s and 20 s known ones weigh 60 s each. */
static void test_unknown_seconds_are_the_mean(void **state)
{
	double secs[4] = { 100, 20, -1, -1 };
	char **ids = make_ids(4);
	unsigned owner[4];

	(void)state;
	owners(ids, secs, 4, 2, owner);
	/* longest first: 100 -> A; 60 -> B; 60 -> B (60 < 100); 20 -> A
	 * (100 < 120) */
	assert_int_not_equal(owner[0], owner[2]);
	assert_int_equal(owner[2], owner[3]);
	assert_int_equal(owner[1], owner[0]);
	free_ids(ids, 4);
}

/* Scenarios of 0 s (skipped ones) are still spread by count. */
static void test_zero_seconds_spread(void **state)
{
	double secs[6] = { 0, 0, 0, 0, 0, 0 };
	char **ids = make_ids(6);
	unsigned owner[6], size[3] = { 0, 0, 0 };
	size_t i;

	(void)state;
	owners(ids, secs, 6, 3, owner);
	for (i = 0; i < 6; i++)
		size[owner[i] - 1]++;
	assert_int_equal(size[0], 2);
	assert_int_equal(size[1], 2);
	assert_int_equal(size[2], 2);
	free_ids(ids, 6);
}

static void parse_fails(const char *arg)
{
	struct stderr_capture cap;
	struct shard s;
	char *err;

	stderr_capture_start(&cap);
	assert_int_equal(shard_parse(arg, "--shard", &s), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, "--shard is '");
	assert_says(err, "not a shard K/N: shard K of N counted from 1");
	free(err);
}

static void test_parse(void **state)
{
	static const char *const bad[] = {
		"", "3", "/3", "1/", "0/3", "4/3", "1/0", "x/3", "1/x", "-1/3",
		"+1/3", " 1/3", "1/3 ", "01/3", "1/03", "1/3/3", "1.0/3",
		"0x1/3", "1/1001", "99999999999999999999/3",
	};
	struct shard s;
	size_t i;

	(void)state;
	assert_int_equal(shard_parse("1/3", "--shard", &s), 0);
	assert_int_equal(s.index, 1);
	assert_int_equal(s.total, 3);
	assert_int_equal(shard_parse("1000/1000", "--shard", &s), 0);
	assert_int_equal(shard_parse("1/1", "--shard", &s), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		parse_fails(bad[i]);
}

static int clear_env(void **state)
{
	(void)state;
	unsetenv("CI_NODE_INDEX");
	unsetenv("CI_NODE_TOTAL");
	unsetenv("JOB_COMPLETION_INDEX");
	return 0;
}

/* shard_resolve must fail, saying WORDS. */
static void resolve_fails(const char *spec, const char *shards,
			  const char *words)
{
	struct stderr_capture cap;
	struct shard s;
	char *err;

	stderr_capture_start(&cap);
	assert_int_equal(shard_resolve(spec, shards, &s), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, words);
	free(err);
}

static void assert_resolves(const char *spec, const char *shards,
			    unsigned index, unsigned total)
{
	struct shard s = { 99, 99 };

	assert_int_equal(shard_resolve(spec, shards, &s), 0);
	assert_int_equal(s.index, index);
	assert_int_equal(s.total, total);
}

static void test_resolve_options(void **state)
{
	(void)state;
	assert_resolves(NULL, NULL, 0, 0);
	assert_resolves("2/5", NULL, 2, 5);
	resolve_fails("1/2", "2", "--shard K/N and --shards N both given");
	resolve_fails("3/2", NULL, "--shard is '3/2'");
	/* JOB_COMPLETION_INDEX alone says nothing of the total: ignored */
	setenv("JOB_COMPLETION_INDEX", "1", 1);
	assert_resolves(NULL, NULL, 0, 0);
}

static void test_resolve_gitlab(void **state)
{
	(void)state;
	setenv("CI_NODE_INDEX", "2", 1);
	setenv("CI_NODE_TOTAL", "3", 1);
	assert_resolves(NULL, NULL, 2, 3);
	/* an option wins over the environment */
	assert_resolves("1/4", NULL, 1, 4);
	setenv("CI_NODE_INDEX", "4", 1);
	resolve_fails(NULL, NULL, "CI_NODE_INDEX ('4') and CI_NODE_TOTAL ('3') do not make a shard");
	setenv("CI_NODE_INDEX", "0", 1);
	resolve_fails(NULL, NULL, "CI_NODE_INDEX is '0', not a number from 1");
	setenv("CI_NODE_INDEX", "two", 1);
	resolve_fails(NULL, NULL, "CI_NODE_INDEX is 'two'");
	unsetenv("CI_NODE_INDEX");
	resolve_fails(NULL, NULL, "CI_NODE_INDEX ('unset') and CI_NODE_TOTAL ('3')");
}

static void test_resolve_kubernetes(void **state)
{
	(void)state;
	setenv("JOB_COMPLETION_INDEX", "0", 1);
	assert_resolves(NULL, "3", 1, 3);
	setenv("JOB_COMPLETION_INDEX", "2", 1);
	assert_resolves(NULL, "3", 3, 3);
	setenv("JOB_COMPLETION_INDEX", "3", 1);
	resolve_fails(NULL, "3", "JOB_COMPLETION_INDEX is 3, but --shards 3 has indexes 0 to 2");
	setenv("JOB_COMPLETION_INDEX", "-1", 1);
	resolve_fails(NULL, "3", "JOB_COMPLETION_INDEX is '-1'");
	unsetenv("JOB_COMPLETION_INDEX");
	resolve_fails(NULL, "3", "--shards 3 needs JOB_COMPLETION_INDEX");
	resolve_fails(NULL, "0", "--shards is '0'");
	resolve_fails(NULL, "three", "--shards is 'three'");
}

#define ENV_TEST(t) cmocka_unit_test_setup_teardown(t, clear_env, clear_env)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_id_in_one_shard),
		cmocka_unit_test(test_balanced_by_count),
		cmocka_unit_test(test_order_does_not_matter),
		cmocka_unit_test(test_balanced_by_seconds),
		cmocka_unit_test(test_unknown_seconds_are_the_mean),
		cmocka_unit_test(test_zero_seconds_spread),
		cmocka_unit_test(test_parse),
		ENV_TEST(test_resolve_options),
		ENV_TEST(test_resolve_gitlab),
		ENV_TEST(test_resolve_kubernetes),
	};

	clear_env(NULL);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
