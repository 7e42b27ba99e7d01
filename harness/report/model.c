#include "report.h"
#include "base/base.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct test_case *scenario_add_case(struct scenario_result *s, const char *name)
{
	struct test_case *tc;
	unsigned k;

	s->cases = xrealloc(s->cases, (s->ncases + 1) * sizeof(*s->cases));
	tc = &s->cases[s->ncases++];
	memset(tc, 0, sizeof(*tc));
	tc->name = xstrdup(name);
	tc->verdict = VERDICT_PASS;
	for (k = 0; k < DUPLEX_MAX_PARTITIONS; k++)
		tc->con[k].status = -1;
	return tc;
}

static void test_case_free(struct test_case *tc)
{
	unsigned k;

	free(tc->name);
	free(tc->message);
	free(tc->diff);
	free(tc->syscall_divergence);
	for (k = 0; k < DUPLEX_MAX_PARTITIONS; k++)
		free(tc->con[k].output);
}

void scenario_result_free(struct scenario_result *s)
{
	size_t i;

	for (i = 0; i < s->ncases; i++)
		test_case_free(&s->cases[i]);
	free(s->cases);
	free(s->name);
	free(s->file);
	free(s->slug);
	free(s->reason);
	free(s->excerpt);
	memset(s, 0, sizeof(*s));
}

void test_run_free(struct test_run *r)
{
	size_t i;

	for (i = 0; i < r->nscenarios; i++)
		scenario_result_free(&r->scenarios[i]);
	for (i = 0; i < r->nsuite; i++) {
		free(r->suite[i].id);
		free(r->suite[i].name);
		free(r->suite[i].file);
	}
	free(r->suite);
	free(r->scenarios);
	free(r->dir);
	free(r->commit);
	memset(r, 0, sizeof(*r));
}

void test_run_set_suite(struct test_run *r, const struct suite_entry *suite,
			size_t n)
{
	size_t i;

	r->suite = xcalloc(n ? n : 1, sizeof(*r->suite));
	r->nsuite = n;
	for (i = 0; i < n; i++) {
		r->suite[i].id = xstrdup(suite[i].id);
		r->suite[i].name = xstrdup(suite[i].name);
		r->suite[i].file = xstrdup(suite[i].file);
		r->suite[i].line = suite[i].line;
	}
}

/* Files are left out: shards may be run from different directories
 * ("scenarios/ls.exp", "/ci/build/scenarios/ls.exp"), and the commit
 * says which files they were. */
void suite_hash(const struct suite_entry *suite, size_t n, char hex[17])
{
	uint64_t h = FNV1A_START;
	size_t i;

	for (i = 0; i < n; i++) {
		h = fnv1a(h, suite[i].id, strlen(suite[i].id) + 1);
		h = fnv1a(h, suite[i].name, strlen(suite[i].name) + 1);
	}
	snprintf(hex, 17, "%016" PRIx64, h);
}

const char *scenario_verdict_word(const struct scenario_result *s)
{
	static const char *const words[] = { "PASS", "FAIL", "SKIP" };

	if (s->verdict == VERDICT_PASS && s->attempts > 1)
		return "FLAKY";
	return words[s->verdict];
}

const char *scenario_mark_word(enum scenario_mark m)
{
	static const char *const words[] = {
		[MARK_NEW_FAILURE] = "new failure",
		[MARK_FIXED] = "fixed",
		[MARK_FLAKY] = "flaky",
	};

	return words[m];
}

char *scenario_failure(const struct scenario_result *s)
{
	const struct test_case *tc;
	size_t i;

	if (s->verdict != VERDICT_FAIL)
		return NULL;
	if (s->reason)
		return xasprintf("%.*s", (int)strcspn(s->reason, "\n"), s->reason);
	for (i = 0; i < s->ncases; i++) {
		tc = &s->cases[i];
		if (tc->verdict != VERDICT_FAIL)
			continue;
		if (!tc->message)
			return xasprintf("case '%s' failed", tc->name);
		return xasprintf("case '%s': %.*s", tc->name,
				 (int)strcspn(tc->message, "\n"), tc->message);
	}
	return xstrdup("failed");
}

static void count(struct results_counts *c, enum verdict v)
{
	switch (v) {
	case VERDICT_PASS:
		c->passed++;
		break;
	case VERDICT_FAIL:
		c->failed++;
		break;
	case VERDICT_SKIP:
		c->skipped++;
		break;
	}
}

struct results_counts scenario_counts(const struct scenario_result *s)
{
	struct results_counts c = { 0, 0, 0 };
	size_t i;

	for (i = 0; i < s->ncases; i++)
		count(&c, s->cases[i].verdict);
	return c;
}

struct results_counts test_run_counts(const struct test_run *r)
{
	struct results_counts c = { 0, 0, 0 }, sc;
	size_t i;

	for (i = 0; i < r->nscenarios; i++) {
		sc = scenario_counts(&r->scenarios[i]);
		c.passed += sc.passed;
		c.failed += sc.failed;
		c.skipped += sc.skipped;
	}
	return c;
}
