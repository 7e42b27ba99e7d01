/* Unit tests: how duplex::run types a command and reads its output and
 * status back from a console's text (shellrun), on text as a console
 * shows it (echo, continuation prompts, CR LF, escapes, repd's lines). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "console/matcher.h"
#include "rep_lines.h"
#include "scenario/shellrun.h"

static void test_typed_text(void **state)
{
	char *t = shellrun_typed("ls /", 7);

	(void)state;
	assert_string_equal(t, "echo duplex-''begin-7; { ls /\n}; echo duplex-''end-7-$?\n");
	free(t);
}

/* What serial1 shows for run 3 of `cat <<EOF ... EOF`. */
static const char console[] =
	"rep[0]:/# \x1b[6necho duplex-''begin-3; { cat <<EOF\r\n"
	"> one\r\n> EOF\r\n> }; echo duplex-''end-3-$?\r\n"
	"duplex-begin-3\r\n"
	"one\r\n"
	"rep: divergence at line 9: serial0 \"a\" vs serial1 \"b\"\r\n"
	"\x1b[1mbold\x1b[0m\ttab\r\n"
	"duplex-end-3-42\r\n"
	"rep[42]:/# ";

static void test_markers_not_in_the_echo(void **state)
{
	struct console_matcher m;
	size_t bs, be, es, ee;
	char re[64];
	char *out, *reports;

	(void)state;
	matcher_init(&m);
	matcher_feed(&m, console, strlen(console));
	shellrun_begin_re(3, re, sizeof(re));
	assert_int_equal(matcher_find(&m, re, &bs, &be), 1);
	/* The begin marker line, not the echoed command that names it. */
	assert_memory_equal(m.buf + bs, "duplex-begin-3\r\n", 16);
	assert_true(bs > 0 && m.buf[bs - 1] == '\n');
	shellrun_end_re(3, re, sizeof(re));
	assert_int_equal(matcher_find(&m, re, &es, &ee), 1);
	assert_int_equal(shellrun_status(m.buf + es, ee - es), 42);
	out = shellrun_output(m.buf, be, es, &reports);
	assert_string_equal(out, "one\nbold\ttab\n");
	free(out);
	free(reports);
	matcher_free(&m);
}

static void test_output_and_reports(void **state)
{
	const char *begin = strstr(console, "duplex-begin-3") + 14;
	const char *end = strstr(console, "duplex-end-3");
	char *reports, *out;

	(void)state;
	out = shellrun_output(console, (size_t)(begin - console),
			      (size_t)(end - console), &reports);
	assert_string_equal(out, "one\nbold\ttab\n");
	assert_string_equal(reports, "rep: divergence at line 9: serial0 \"a\" vs serial1 \"b\"\n");
	free(out);
	free(reports);
}

static void test_empty_output(void **state)
{
	const char text[] = "duplex-begin-1\r\nduplex-end-1-1\r\n";
	char *out = shellrun_output(text, 14, 16, NULL);

	(void)state;
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(shellrun_status("duplex-end-1-1", 14), 1);
}

static void test_status_edge_cases(void **state)
{
	(void)state;
	assert_int_equal(shellrun_status("duplex-end-9-0", 14), 0);
	assert_int_equal(shellrun_status("duplex-end-9-255\r\n", 18), 255);
	assert_int_equal(shellrun_status("duplex-end-9-", 13), -1);
	assert_int_equal(shellrun_status("duplex-end-9-999", 16), -1);
}

static void test_rep_lines_text(void **state)
{
	const char in[] = "a\r\n\x1b]0;title\x07" "b\x01" "c\n" "open";
	char out[sizeof(in) + 2];

	(void)state;
	assert_int_equal(rep_lines_text(in, strlen(in), out), 10);
	assert_string_equal(out, "a\nbc\nopen\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_typed_text),
		cmocka_unit_test(test_markers_not_in_the_echo),
		cmocka_unit_test(test_output_and_reports),
		cmocka_unit_test(test_empty_output),
		cmocka_unit_test(test_status_edge_cases),
		cmocka_unit_test(test_rep_lines_text),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
