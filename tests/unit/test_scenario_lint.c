/* Unit tests: scenario_file's syntax checks of scenario bodies, those
 * Tcl would only find when the scenario runs — braces, quotes and brackets
 * left open, extra characters after a close, close-braces that close
 * nothing — also in the script arguments of control commands and expect
 * actions; each error at the line to fix.  Each test writes its files
 * into a temporary directory (scenario_fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "scenario/file.h"
#include "scenario_fixture.h"
#include "base/util.h"

static void test_missing_brace_in_body(void **state)
{
	const struct scenario_fixture *f = *state;
	char *path = put(f, "body.exp",
			 "# A brace missing in a body.\n"
			 "\n"
			 "scenario \"first\" {\n"
			 "\tduplex::boot\n"
			 "\tif {1} {\n"				/* 5 */
			 "\t\tduplex::run {ls /}\n"
			 "\t\tduplex::run {echo x\n"
			 "\t}\n"
			 "}\n"
			 "\n"					/* 10 */
			 "scenario \"second\" {\n"
			 "\tduplex::boot\n"
			 "}\n");
	char *err = load_one_fails(path);

	assert_at(f, err, "body.exp", 7, "missing close-brace; add the '}' that closes the '{' on this line");
	assert_says(err, "the '}' on line 8 that pairs with it is indented for an outer block");
	assert_null(strstr(err, "body.exp:3:"));
	free(err);
	free(path);
}

static void test_missing_brace_of_if_body(void **state)
{
	const struct scenario_fixture *f = *state;
	char *path = put(f, "if.exp",
			 "proc helper {} {\n"
			 "\treturn 1\n"
			 "}\n"
			 "\n"
			 "scenario \"if body\" {\n"		/* 5 */
			 "\tduplex::boot\n"
			 "\tif {[helper]} {\n"
			 "\t\tduplex::run {ls /}\n"
			 "}\n"
			 "\n"					/* 10 */
			 "scenario \"next\" {\n"
			 "\tduplex::boot\n"
			 "}\n");
	char *err = load_one_fails(path);

	assert_at(f, err, "if.exp", 7, "missing close-brace");
	assert_says(err, "the '}' on line 9");
	free(err);
	free(path);
}

/* No indentation to go by: the '{' Tcl could not close is named. */
static void test_unclosed_scenario_brace(void **state)
{
	assert_load_error(*state, "open.exp",
			  "scenario one {\n"
			  "\tduplex::boot\n"
			  "\n"
			  "scenario two {\n"
			  "\tduplex::boot\n"
			  "}\n",
			  1, "missing close-brace; add the '}' that closes the '{' on this line\n");
}

static void test_missing_quotes(void **state)
{
	const struct scenario_fixture *f = *state;

	assert_load_error(f, "quote.exp",
			  "# comment\n"
			  "\n"
			  "set greeting \"hello\n"
			  "scenario a {\n"
			  "\tduplex::boot\n"
			  "}\n",
			  3, "missing close-quote; add the '\"' that closes the one on this line");
	assert_load_error(f, "bq.exp",
			  "scenario a {\n"
			  "\tduplex::boot\n"
			  "\tduplex::run \"ls /\n"
			  "}\n",
			  3, "missing close-quote");
}

static void test_extra_characters(void **state)
{
	const struct scenario_fixture *f = *state;
	char *path = put(f, "extra.exp",
			 "scenario a {\n"
			 "\tduplex::boot\n"
			 "\tif {1} {\n"
			 "\t\tduplex::run {ls}\n"
			 "\t}else {\n"				/* 5 */
			 "\t\tduplex::run {pwd}\n"
			 "\t}\n"
			 "}\n"
			 "scenario b {duplex::boot}x\n");
	char *err = load_one_fails(path);

	assert_at(f, err, "extra.exp", 5, "extra characters after close-brace; put a space after the closing '}'");
	assert_at(f, err, "extra.exp", 9, "extra characters after close-brace");
	free(err);
	free(path);
}

/* Scripts inside scripts: proc bodies, expect actions, substitutions. */
static void test_nested_scripts(void **state)
{
	const struct scenario_fixture *f = *state;
	char *path = put(f, "nested.exp",
			 "proc helper {} {\n"
			 "\tset x \"a\"b\n"
			 "}\n"
			 "scenario a {\n"
			 "\texpect {\n"				/* 5 */
			 "\t\t-re \"ok\" { send \"y\\r\" }\n"
			 "\t\ttimeout { if {1} {error x}else {} }\n"
			 "\t}\n"
			 "\texpect -i $id \"foo\" {\n"
			 "\t\tsend \"[bar\"\n"			/* 10 */
			 "\t}\n"
			 "\tset y [catch {foo {bar}x}]\n"
			 "\tscenario inner {duplex::boot}\n"
			 "}\n");
	char *err = load_one_fails(path);

	assert_at(f, err, "nested.exp", 2, "extra characters after close-quote");
	assert_at(f, err, "nested.exp", 7, "extra characters after close-brace");
	assert_at(f, err, "nested.exp", 10, "missing close-bracket; add the ']'");
	assert_at(f, err, "nested.exp", 12, "extra characters after close-brace");
	assert_at(f, err, "nested.exp", 13, "a scenario inside another scenario's body is never defined");
	free(err);
	free(path);
}

static size_t count_says(const char *text, const char *words)
{
	const char *p;
	size_t n = 0;

	for (p = strstr(text, words); p; p = strstr(p + 1, words))
		n++;
	return n;
}

/* Every script argument of every command that takes one. */
static void test_control_commands(void **state)
{
	static const unsigned errors_on_line[] = {
		[2] = 1, [3] = 3, [4] = 1, [5] = 1, [6] = 3, [7] = 1, [8] = 1,
		[9] = 1, [10] = 3, [11] = 2, [12] = 0, [13] = 1,
	};
	const struct scenario_fixture *f = *state;
	char *path = put(f, "cmds.exp",
			 "scenario cmds {\n"
			 "\twhile {1} {set a \"x\"y}\n"
			 "\tfor {set i \"0\"x} {$i < 3} {incr i \"1\"y} {set a \"x\"y}\n"
			 "\tforeach x {1 2} {set a \"x\"y}\n"
			 "\tcatch {set a \"x\"y} msg\n"		/* 5 */
			 "\ttry {set a \"x\"y} on error {m} {set a \"x\"y} finally {set a \"x\"y}\n"
			 "\teval {set a \"x\"y}\n"
			 "\tuplevel #0 {set a \"x\"y}\n"
			 "\tlmap x {1} {set a \"x\"y}\n"
			 "\tif {1} then {set a \"x\"y} elseif {2} {set a \"x\"y} else {set a \"x\"y}\n" /* 10 */
			 "\texpect_before -re \"x\" {set a \"x\"y} -timeout 5 \"x\" {set a \"x\"y}\n"
			 "\teval {set a \"} {\"}\n"
			 "\tuplevel {set a \"x\"y}\n"
			 "}\n");
	char *err = load_one_fails(path), *words;
	size_t line;

	/* eval's words are one script only once concatenated. */
	words = xasprintf("%s:12:", path);
	assert_null(strstr(err, words));
	free(words);

	for (line = 2; line < ARRAY_SIZE(errors_on_line); line++) {
		words = xasprintf("%s:%zu: extra characters after close-quote", path, line);
		if (count_says(err, words) != errors_on_line[line])
			fail_msg("line %zu: %zu errors, not %u, in '%s'", line,
				 count_says(err, words), errors_on_line[line], err);
		free(words);
	}
	free(err);
	free(path);
}

static void test_stray_close_brace(void **state)
{
	const struct scenario_fixture *f = *state;
	char *path = put(f, "stray.exp",
			 "scenario a {\n"
			 "\tif {1} {\n"
			 "\t\tduplex::boot\n"
			 "\t}}\n"
			 "\tduplex::run {ls}\n"
			 "}\n");
	char *err = load_one_fails(path);

	assert_at(f, err, "stray.exp", 6, "close-brace that closes nothing");
	/* The top level is broken: nothing of it ran. */
	assert_null(strstr(err, "stray.exp:5:"));
	free(err);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_DIR(test_missing_brace_in_body),
		IN_DIR(test_missing_brace_of_if_body),
		IN_DIR(test_unclosed_scenario_brace),
		IN_DIR(test_missing_quotes),
		IN_DIR(test_extra_characters),
		IN_DIR(test_nested_scripts),
		IN_DIR(test_control_commands),
		IN_DIR(test_stray_close_brace),
	};

	return cmocka_run_group_tests_name("scenario_lint", tests, NULL, NULL);
}
