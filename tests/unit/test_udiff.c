/* Unit tests: unified diffs of console outputs, and their side-by-side
 * alignment. */
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

#include "report/fmt.h"
#include "report/udiff.h"
#include "base/util.h"

#define HEAD "--- serial0\n+++ serial1\n"

static void check_diff(const char *a, const char *b, const char *hunks)
{
	char *d = udiff("serial0", a, "serial1", b);
	char *want = xasprintf(HEAD "%s", hunks);

	assert_non_null(d);
	assert_string_equal(d, want);
	free(want);
	free(d);
}

static void test_equal_is_null(void **state)
{
	(void)state;
	assert_null(udiff("serial0", "a\nb\n", "serial1", "a\nb\n"));
	assert_null(udiff("serial0", "", "serial1", ""));
	assert_null(udiff("serial0", NULL, "serial1", ""));
	/* a missing final newline is not a difference */
	assert_null(udiff("serial0", "a\nb", "serial1", "a\nb\n"));
}

static void test_one_changed_line(void **state)
{
	(void)state;
	check_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nX\n6\n7\n8\n9\n",
		   "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
}

static void test_start_and_end(void **state)
{
	(void)state;
	check_diff("a\nb\nc\nd\ne\n", "new\na\nb\nc\nd\ne\n",
		   "@@ -1,3 +1,4 @@\n+new\n a\n b\n c\n");
	check_diff("a\nb\nc\nd\ne\n", "b\nc\nd\ne\n",
		   "@@ -1,4 +1,3 @@\n-a\n b\n c\n d\n");
	check_diff("a\nb\nc\nd\ne\n", "a\nb\nc\nd\ne\nnew\n",
		   "@@ -3,3 +3,4 @@\n c\n d\n e\n+new\n");
	check_diff("a\nb\nc\nd\ne\n", "a\nb\nc\nd\n",
		   "@@ -2,4 +2,3 @@\n b\n c\n d\n-e\n");
}

/* Ranges of one line go without ",1", empty ones name the line before
 * them: what diff -u prints. */
static void test_short_ranges(void **state)
{
	(void)state;
	check_diff("", "a\n", "@@ -0,0 +1 @@\n+a\n");
	check_diff("a\n", NULL, "@@ -1 +0,0 @@\n-a\n");
	check_diff("x\ny\n", "y\n", "@@ -1,2 +1 @@\n-x\n y\n");
}

static void test_no_final_newline(void **state)
{
	(void)state;
	check_diff("a\nb", "a\nc", "@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
	check_diff("a\nb", "a\nb\n\n", "@@ -1,2 +1,3 @@\n a\n b\n+\n");
}

/* Changes 6 equal lines apart share a hunk, 7 apart do not. */
static void test_hunk_merging(void **state)
{
	const char *a = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n13\n14\n15\n16\n";

	(void)state;
	check_diff(a, "1\n2\n3\n4\nX\n6\n7\n8\n9\n10\n11\nY\n13\n14\n15\n16\n",
		   "@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n 9\n"
		   " 10\n 11\n-12\n+Y\n 13\n 14\n 15\n");
	check_diff(a, "1\n2\n3\n4\nX\n6\n7\n8\n9\n10\n11\n12\nY\n14\n15\n16\n",
		   "@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n"
		   "@@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+Y\n 14\n 15\n 16\n");
}

/* The shortest edit: a line moved is one deletion and one insertion,
 * not a rewrite of everything in between. */
static void test_minimal(void **state)
{
	(void)state;
	check_diff("a\nb\nc\nd\n", "b\nc\nd\na\n",
		   "@@ -1,4 +1,4 @@\n-a\n b\n c\n d\n+a\n");
	check_diff("x\na\ny\nb\nz\n", "a\nq\nb\n",
		   "@@ -1,5 +1,3 @@\n-x\n a\n-y\n+q\n b\n-z\n");
}

/* "line 1\n" .. "line N\n", but lines CHANGE and N + 1 - CHANGE. */
static char *numbered(unsigned n, unsigned change)
{
	size_t cap = (size_t)n * 24 + 1, len = 0;
	char *s = xmalloc(cap);
	unsigned i;

	s[0] = '\0';
	for (i = 1; i <= n; i++)
		len += (size_t)snprintf(s + len, cap - len, "%s %u\n",
					i == change || i == n + 1 - change
					? "changed" : "line", i);
	return s;
}

/* Thousands of lines differing at both ends: still two small hunks. */
static void test_large_outputs(void **state)
{
	char *a = numbered(3000, 0);
	char *b = numbered(3000, 2);
	char *d = udiff("serial0", a, "serial1", b);

	(void)state;
	assert_non_null(d);
	assert_string_equal(d, HEAD
			    "@@ -1,5 +1,5 @@\n line 1\n-line 2\n+changed 2\n"
			    " line 3\n line 4\n line 5\n"
			    "@@ -2996,5 +2996,5 @@\n line 2996\n line 2997\n"
			    " line 2998\n-line 2999\n+changed 2999\n line 3000\n");
	free(a);
	free(b);
	free(d);
}

static bool line_is(const struct text_line *l, const char *s)
{
	return l->len == strlen(s) && !memcmp(l->s, s, l->len);
}

/* Past the search's limit (every other line of 5000 changed) the
 * differing middle is one change: all of A's lines out, all of B's in. */
static void test_beyond_limit(void **state)
{
	char *a = numbered(5000, 0), *b = xmalloc(5000 * 24);
	struct text_line *l;
	size_t n, len = 0;
	unsigned i;
	char *d;

	(void)state;
	for (i = 1; i <= 5000; i++)
		len += (size_t)sprintf(b + len, "%s %u\n",
				       i % 2 ? "line" : "changed", i);
	d = udiff("serial0", a, "serial1", b);
	assert_non_null(d);
	l = split_lines(d, &n);
	assert_int_equal(n, 2 + 1 + 1 + 2 * 4999);
	assert_true(line_is(&l[2], "@@ -1,5000 +1,5000 @@"));
	assert_true(line_is(&l[3], " line 1"));
	assert_true(line_is(&l[4], "-line 2"));
	assert_true(line_is(&l[4 + 4998], "-line 5000"));
	assert_true(line_is(&l[4 + 4999], "+changed 2"));
	assert_true(line_is(&l[4 + 4999 + 1], "+line 3"));
	assert_true(line_is(&l[n - 1], "+changed 5000"));
	free(l);
	free(a);
	free(b);
	free(d);
}

static void check_rows(const char *a, const char *b,
		       const struct line_pair *want, size_t nwant)
{
	struct text_line *la, *lb;
	struct line_pair *rows;
	size_t na, nb, n, i;

	la = split_lines(a, &na);
	lb = split_lines(b, &nb);
	rows = udiff_align(la, na, lb, nb, &n);
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++) {
		assert_int_equal(rows[i].a, want[i].a);
		assert_int_equal(rows[i].b, want[i].b);
	}
	free(rows);
	free(la);
	free(lb);
}

static void test_align(void **state)
{
	const struct line_pair changed[] = {
		{ 0, 0 }, { 1, 1 }, { 2, -1 }, { 3, 2 }, { -1, 3 },
	};
	const struct line_pair grown[] = {
		{ 0, 0 }, { 1, 1 }, { -1, 2 }, { 2, 3 },
	};

	(void)state;
	/* a changed run's lines pair up in order, the rest beside none */
	check_rows("same\nx1\nx2\nend\n", "same\ny1\nend\nextra\n", changed, 5);
	check_rows("a\nb\nc\n", "a\nB1\nB2\nc\n", grown, 4);
	check_rows("", "", NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_equal_is_null),
		cmocka_unit_test(test_one_changed_line),
		cmocka_unit_test(test_start_and_end),
		cmocka_unit_test(test_short_ranges),
		cmocka_unit_test(test_no_final_newline),
		cmocka_unit_test(test_hunk_merging),
		cmocka_unit_test(test_minimal),
		cmocka_unit_test(test_large_outputs),
		cmocka_unit_test(test_beyond_limit),
		cmocka_unit_test(test_align),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
