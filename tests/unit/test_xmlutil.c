/* Unit tests: XML escaping and @KEY@ template expansion. */
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
#include "base/util.h"
#include "base/xmlutil.h"

static void test_escape_specials(void **state)
{
	char *s = xml_escape("a&b<c>d\"e'f");

	(void)state;
	assert_string_equal(s, "a&amp;b&lt;c&gt;d&quot;e&#39;f");
	free(s);
	s = xml_escape("");
	assert_string_equal(s, "");
	free(s);
}

static void test_escape_keeps_whitespace_and_utf8(void **state)
{
	char *s = xml_escape("tab\there\nnl\rcr \xc3\xa9t\xc3\xa9");

	(void)state;
	assert_string_equal(s, "tab\there\nnl\rcr \xc3\xa9t\xc3\xa9");
	free(s);
}

static void test_escape_rejects_control_bytes(void **state)
{
	struct stderr_capture cap;
	char *s, *err;

	(void)state;
	stderr_capture_start(&cap);
	s = xml_escape("ok\x1b[31mred");
	err = stderr_capture_end(&cap);
	assert_null(s);
	assert_says(err, "0x1b");
	assert_says(err, "offset 2");
	free(err);

	stderr_capture_start(&cap);
	s = xml_escape("del\x7f");
	err = stderr_capture_end(&cap);
	assert_null(s);
	assert_says(err, "0x7f");
	free(err);
}

static const struct template_var vars[] = {
	{ "NAME", "duplex-r1-ab-p0" },
	{ "CMDLINE", "console=ttyS0 panic=-1" },
	{ "EMPTY", "" },
};

static void test_expand(void **state)
{
	char *s = template_expand("<name>@NAME@</name>"
				  "<cmdline>@CMDLINE@</cmdline>@EMPTY@|@NAME@",
				  "t.xml", vars, 3);

	(void)state;
	assert_string_equal(s, "<name>duplex-r1-ab-p0</name>"
			    "<cmdline>console=ttyS0 panic=-1</cmdline>"
			    "|duplex-r1-ab-p0");
	free(s);
	s = template_expand("no placeholders", "t.xml", vars, 3);
	assert_string_equal(s, "no placeholders");
	free(s);
}

/* A value can never close its element and open others. */
static void test_expand_hostile_values(void **state)
{
	const struct template_var hostile[] = {
		{ "CMDLINE", "</cmdline><devices><disk/></devices><cmdline>" },
		{ "LOG", "x' append='on" },
		{ "AT", "@NAME@" },
	};
	char *s = template_expand("<cmdline>@CMDLINE@</cmdline>"
				  "<log file='@LOG@'/>@AT@", "t.xml",
				  hostile, 3);

	(void)state;
	assert_string_equal(s, "<cmdline>&lt;/cmdline&gt;&lt;devices&gt;"
			    "&lt;disk/&gt;&lt;/devices&gt;&lt;cmdline&gt;"
			    "</cmdline><log file='x&#39; append=&#39;on'/>"
			    "@NAME@");
	free(s);
}

static void test_expand_unknown_placeholder(void **state)
{
	struct stderr_capture cap;
	char *s, *err;

	(void)state;
	stderr_capture_start(&cap);
	s = template_expand("<a/>\n<b>@NAME@ @VCPUS@</b>", "vm/domain.xml",
			    vars, 3);
	err = stderr_capture_end(&cap);
	assert_null(s);
	assert_says(err, "vm/domain.xml:2");
	assert_says(err, "@VCPUS@");
	free(err);
}

static void test_expand_unterminated(void **state)
{
	struct stderr_capture cap;
	char *s, *err;

	(void)state;
	stderr_capture_start(&cap);
	s = template_expand("<a>@NAME</a>", "vm/domain.xml", vars, 3);
	err = stderr_capture_end(&cap);
	assert_null(s);
	assert_says(err, "vm/domain.xml:1");
	assert_says(err, "unterminated placeholder '@NAME'");
	free(err);

	stderr_capture_start(&cap);
	s = template_expand("mail me@", "vm/domain.xml", vars, 3);
	err = stderr_capture_end(&cap);
	assert_null(s);
	assert_says(err, "unterminated");
	free(err);
}

static void test_expand_bad_value(void **state)
{
	const struct template_var bad[] = { { "CMDLINE", "a\x01" } };
	struct stderr_capture cap;
	char *s, *err;

	(void)state;
	stderr_capture_start(&cap);
	s = template_expand("<c>@CMDLINE@</c>", "vm/domain.xml", bad, 1);
	err = stderr_capture_end(&cap);
	assert_null(s);
	assert_says(err, "@CMDLINE@");
	assert_says(err, "0x01");
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_specials),
		cmocka_unit_test(test_escape_keeps_whitespace_and_utf8),
		cmocka_unit_test(test_escape_rejects_control_bytes),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_expand_hostile_values),
		cmocka_unit_test(test_expand_unknown_placeholder),
		cmocka_unit_test(test_expand_unterminated),
		cmocka_unit_test(test_expand_bad_value),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
