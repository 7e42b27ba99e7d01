/* Unit tests: the transcript around a command or a failure, as
 * report.html shows it, from whole transcripts and from transcripts cut
 * at their limit (read through the marker line); the links to them. */
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
#include "report/excerpt.h"
#include "report/report.h"
#include "capture.h"
#include "results_fixture.h"
#include "base/util.h"

/* A console that printed N numbered lines ("line 00042\n", 11 bytes
 * each) into transcript PATH kept to LIMIT bytes. */
static void print_lines(const char *path, unsigned n, uint64_t limit)
{
	struct transcript t;
	unsigned i;

	assert_int_equal(transcript_open(&t, "serial0", path, limit), 0);
	for (i = 0; i < n; i++) {
		char line[16];

		snprintf(line, sizeof(line), "line %05u\n", i);
		transcript_write(&t, line, 11);
	}
	assert_int_equal(transcript_close(&t), 0);
}

static char *excerpt(const char *path, uint64_t limit, unsigned first,
		     unsigned last)
{
	size_t len;
	char *text = excerpt_read(path, limit, first * 11ull,
				  (last + 1) * 11ull, &len);

	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	return text;
}

static void test_whole_transcript(void **state)
{
	char *dir = results_tmpdir(), *path = xasprintf("%s/serial0.log", dir);
	char *text;

	(void)state;
	print_lines(path, 5000, 1 << 20);
	text = excerpt(path, 1 << 20, 2000, 2010);
	/* the lines, with 10 lines before and the rest of the part's last
	 * line (it ends where 02011 starts) and 3 after */
	assert_true(!strncmp(text, "line 01990\n", 11));
	assert_says(text, "line 02010\n");
	assert_says(text, "line 02014\n");
	assert_null(strstr(text, "line 02015"));
	assert_int_equal(text[strlen(text) - 1], '\n');
	free(text);
	/* a long part keeps its start and its end */
	text = excerpt(path, 1 << 20, 100, 4000);
	assert_says(text, "line 00100\n");
	assert_says(text, "line 04000\n");
	assert_says(text, " bytes here are in the transcript only ...]");
	assert_null(strstr(text, "line 02000"));
	free(text);
	assert_null(excerpt_read("/nonexistent/serial0.log", 0, 0, 1, NULL));
	remove_tree(dir);
	free(path);
	free(dir);
}

/* 100000 lines (1.1 MB) kept to 64 KiB: lines 0..2978 and the last
 * 2978 or so; a command at the end is found in the tail, one in the gap
 * shows the marker. */
static void test_cut_transcript(void **state)
{
	char *dir = results_tmpdir(), *path = xasprintf("%s/serial0.log", dir);
	char *text;

	(void)state;
	print_lines(path, 100000, 65536);
	text = excerpt(path, 65536, 99990, 99995);
	assert_says(text, "line 99990\nline 99991\n");
	assert_says(text, "line 99999\n");
	free(text);
	text = excerpt(path, 65536, 1000, 1001);
	assert_says(text, "line 01000\nline 01001\n");
	free(text);
	text = excerpt(path, 65536, 50000, 50001);
	assert_says(text, "left out here: bytes 32768 to ");
	assert_null(strstr(text, "line 50000"));
	free(text);
	remove_tree(dir);
	free(path);
	free(dir);
}

/* report.html: each console's transcript around a command, a link to it
 * whole; junit.xml: where the command is in it. */
static void test_reports_point_into_transcripts(void **state)
{
	char *dir = results_tmpdir(), *sdir, *path, *html, *junit;
	struct scenario_result *s;
	struct test_case *tc;
	struct test_run r;

	(void)state;
	s = results_one_scenario(&r, dir, "flood");
	s->nconsoles = 1;
	s->transcript_limit = 65536;
	tc = scenario_add_case(s, "seq 1 100000");
	tc->nconsoles = 1;
	strcpy(tc->con[0].name, "serial0");
	tc->con[0].from = 99990 * 11;
	tc->con[0].to = 99995 * 11;
	sdir = xasprintf("%s/flood", dir);
	assert_int_equal(mkdir_p(sdir, 0755), 0);
	path = xasprintf("%s/serial0.log", sdir);
	print_lines(path, 100000, 65536);
	assert_int_equal(results_write(&r), 0);
	html = results_read_out(dir, "report.html");
	assert_says(html, "serial0.log around this command, bytes 1099890 to 1099945 of <a href=\"flood/serial0.log\">serial0.log</a>");
	assert_says(html, "line 99991\n");
	assert_says(html, "whole transcripts: <a href=\"flood/serial0.log\">");
	junit = results_read_out(dir, "junit.xml");
	assert_says(junit, "<system-out>serial0: bytes 1099890 to 1099945 of ");
	assert_says(junit, "/flood/serial0.log\n</system-out>");
	free(html);
	free(junit);
	free(path);
	free(sdir);
	test_run_free(&r);
	remove_tree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_whole_transcript),
		cmocka_unit_test(test_cut_transcript),
		cmocka_unit_test(test_reports_point_into_transcripts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
