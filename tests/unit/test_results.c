/* Unit tests: test results — the model, the store a scenario's process
 * hands its result over in, and the four files of a run. */
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
#include "results.h"
#include "results_fmt.h"
#include "udiff.h"
#include "util.h"

static char *make_tmpdir(void)
{
	char tmpl[] = "/tmp/duplex-test-results-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void assert_str_or_null(const char *got, const char *want)
{
	if (!want)
		assert_null(got);
	else
		assert_string_equal(got, want);
}

#define FFFD "\xef\xbf\xbd"

/* Console bytes: markup, whitespace, escape sequences, UTF-8 good and bad
 * (cut, surrogate, overlong twice), a C1 control and a non-character. */
static const char console_bytes[] =
	"a<b>&\"'\t\n\r\n\x1b[0m\x7f caf\xc3\xa9 \xff \xe2\x82 "
	"\xf0\x9f\x98\x80 \xed\xa0\x80 \xc0\xaf \xe0\x80\xaf \xc2\x85 "
	"\xef\xbf\xbe";

static void test_escapes(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	char *s;

	(void)state;
	sb_xml(&sb, console_bytes, strlen(console_bytes), false);
	s = sb_detach(&sb);
	assert_string_equal(s, "a&lt;b&gt;&amp;&quot;&#39;\t\n\n"
			    "\xe2\x90\x9b[0m\xe2\x90\xa1 caf\xc3\xa9 " FFFD " "
			    FFFD FFFD " \xf0\x9f\x98\x80 " FFFD FFFD FFFD " "
			    FFFD FFFD " " FFFD FFFD FFFD " " FFFD " " FFFD);
	free(s);
	sb_xml(&sb, "a\tb\nc\x01", 6, true);
	s = sb_detach(&sb);
	assert_string_equal(s, "a&#9;b&#10;c\xe2\x90\x81");
	free(s);
	sb_text(&sb, "<x>\r\n\x1b\0y", 8);
	s = sb_detach(&sb);
	assert_string_equal(s, "<x>\n\xe2\x90\x9b\xe2\x90\x80y");
	free(s);
	sb_json(&sb, console_bytes);
	sb_json(&sb, NULL);
	s = sb_detach(&sb);
	assert_string_equal(s, "\"a<b>&\\\"'\\t\\n\\r\\n\\u001b[0m\\u007f "
			    "caf\xc3\xa9 " FFFD " " FFFD FFFD
			    " \xf0\x9f\x98\x80 " FFFD FFFD FFFD " " FFFD FFFD
			    " " FFFD FFFD FFFD " \xc2\x85 \xef\xbf\xbe\"null");
	free(s);
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
	assert_int_equal(tc->con[RESULTS_MAX_CONSOLES - 1].status, -1);
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
	assert_true(a->seconds == b->seconds);
	assert_int_equal(a->nconsoles, b->nconsoles);
	assert_int_equal(a->ncases, b->ncases);
	for (i = 0; i < a->ncases; i++)
		assert_same_case(&a->cases[i], &b->cases[i]);
}

static void test_store_round_trip(void **state)
{
	struct scenario_result s, back;
	char *dir = make_tmpdir(), *path, *path2, *f1, *f2;

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
		{ "duplex-result 1", "duplex-result 2", "format version 2" },
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
	char *dir = make_tmpdir(), *path, *bad, *good;
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
	char *dir = make_tmpdir(), *path, *cut, *good;
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

/* A run of two finished scenarios out of three planned: one passing with
 * two cases, one failing on a diverging case, with a skipped case. */
static void build_run(struct test_run *r, const char *dir)
{
	struct scenario_result *s;
	struct test_case *tc;

	memset(r, 0, sizeof(*r));
	snprintf(r->run_id, sizeof(r->run_id), "20240101-120000-1");
	r->dir = xstrdup(dir);
	r->started = 1704110400;
	r->seconds = 42.5;
	r->planned = 3;
	r->scenarios = xcalloc(3, sizeof(*r->scenarios));
	r->nscenarios = 2;

	s = &r->scenarios[0];
	s->name = xstrdup("boot & list");
	s->file = xstrdup("scenarios/basic.exp");
	s->line = 3;
	s->slug = xstrdup("boot-and-list");
	s->seconds = 10.25;
	s->nconsoles = 2;
	tc = scenario_add_case(s, "busybox ls /");
	tc->nconsoles = 2;
	strcpy(tc->con[0].name, "serial0");
	strcpy(tc->con[1].name, "serial1");
	tc->con[0].output = xstrdup("bin\netc\n");
	tc->con[1].output = xstrdup("bin\netc\n");
	scenario_add_case(s, "uname -r # kernel")->seconds = 0.5;

	s = &r->scenarios[1];
	s->name = xstrdup("echo diverges");
	s->file = xstrdup("scenarios/div.exp");
	s->line = 12;
	s->slug = xstrdup("echo-diverges");
	s->verdict = VERDICT_FAIL;
	s->reason = xstrdup("the consoles' outputs differ in \"echo\"");
	s->excerpt = xstrdup("serial1: DIFF");
	s->nconsoles = 2;
	tc = scenario_add_case(s, "echo <b>");
	tc->verdict = VERDICT_FAIL;
	tc->message = xstrdup("the consoles' outputs differ");
	tc->nconsoles = 2;
	strcpy(tc->con[0].name, "serial0");
	strcpy(tc->con[1].name, "serial1");
	tc->con[0].output = xstrdup("a <b> & c\nsame\n\x1b[1mbold\n");
	tc->con[1].output = xstrdup("a <b> & c\nDIFF\n\x1b[1mbold\n");
	tc->con[0].status = 0;
	tc->con[1].status = 1;
	tc->diff = udiff("serial0", tc->con[0].output, "serial1",
			 tc->con[1].output);
	tc = scenario_add_case(s, "later");
	tc->verdict = VERDICT_SKIP;
	tc->message = xstrdup("needs \"two\" disks\x01");
}

/* The transcripts of the failing scenario: 300 numbered lines and an
 * escape sequence on serial0, CRLF lines on serial1. */
static void write_transcripts(const char *dir)
{
	char *sdir = xasprintf("%s/echo-diverges", dir), *path, *text;
	size_t len = 0;
	int i;

	assert_int_equal(mkdir_p(sdir, 0755), 0);
	text = xmalloc(300 * 8 + 32);
	for (i = 1; i <= 300; i++)
		len += (size_t)sprintf(text + len, "t%04d\n", i);
	strcpy(text + len, "\x1b[1mbold\n");
	path = xasprintf("%s/serial0.log", sdir);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
	path = xasprintf("%s/serial1.log", sdir);
	assert_int_equal(write_file_atomic(path, "boot <ok>\r\nlogin:\r\n",
					   19, 0644), 0);
	free(path);
	free(text);
	free(sdir);
}

static char *read_out(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *text = read_file(path, NULL);

	assert_non_null(text);
	free(path);
	return text;
}

/* Run shell command CMD (freed); its exit status. */
static int run_shell(char *cmd)
{
	int status = system(cmd);

	free(cmd);
	return status;
}

/* The attributes of the first element named TAG in XML. */
static char *attributes(const char *xml, const char *tag)
{
	const char *at = strstr(xml, tag);

	assert_non_null(at);
	return xasprintf("%.*s", (int)strcspn(at, ">"), at);
}

static void check_junit(const char *dir, const struct test_run *r)
{
	struct results_counts c = test_run_counts(r);
	char *xml = read_out(dir, "junit.xml"), *attrs, *want;

	assert_int_equal(run_shell(xasprintf("xmllint --noout %s/junit.xml",
					     dir)), 0);
	attrs = attributes(xml, "<testsuites ");
	want = xasprintf(" tests=\"%u\" failures=\"%u\" errors=\"0\" "
			 "skipped=\"%u\"", c.passed + c.failed + c.skipped,
			 c.failed, c.skipped);
	assert_says(attrs, want);
	assert_says(attrs, " tests=\"4\" failures=\"1\" errors=\"0\" "
		    "skipped=\"1\" time=\"42.500\"");
	free(attrs);
	free(want);
	attrs = attributes(xml, "<testsuite name=\"echo diverges\"");
	assert_says(attrs, " tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"1\"");
	free(attrs);
	assert_says(xml, "<testcase classname=\"boot-and-list\" "
		    "name=\"uname -r # kernel\" time=\"0.500\"/>");
	assert_says(xml, "<testcase classname=\"echo-diverges\" "
		    "name=\"echo &lt;b&gt;\"");
	assert_says(xml, "<failure message=\"the consoles&#39; outputs differ\">"
		    "the consoles&#39; outputs differ\n\n--- serial0\n");
	assert_says(xml, "-same\n+DIFF\n \xe2\x90\x9b[1mbold\n</failure>");
	assert_says(xml, "<skipped message=\"needs &quot;two&quot; "
		    "disks\xe2\x90\x81\"/>");
	want = xasprintf("console transcript: %s/echo-diverges/serial1.log\n",
			 dir);
	assert_says(xml, want);
	free(want);
	free(xml);
}

static void check_tap(const char *dir)
{
	char *tap = read_out(dir, "results.tap");

	assert_string_equal(tap,
		"KTAP version 1\n"
		"1..3\n"
		"    KTAP version 1\n"
		"    1..2\n"
		"    ok 1 busybox ls /\n"
		"    ok 2 uname -r \xef\xbc\x83 kernel\n"
		"ok 1 boot & list\n"
		"    KTAP version 1\n"
		"    1..2\n"
		"    # the consoles' outputs differ\n"
		"    # --- serial0\n"
		"    # +++ serial1\n"
		"    # @@ -1,3 +1,3 @@\n"
		"    #  a <b> & c\n"
		"    # -same\n"
		"    # +DIFF\n"
		"    #  \xe2\x90\x9b[1mbold\n"
		"    not ok 1 echo <b>\n"
		"    ok 2 later # SKIP needs \"two\" disks\xe2\x90\x81\n"
		"# the consoles' outputs differ in \"echo\"\n"
		"# serial1: DIFF\n"
		"not ok 2 echo diverges\n");
	free(tap);
}

static const char json_check[] =
	"import json, sys\n"
	"d = json.load(open(sys.argv[1]))\n"
	"assert d['counts'] == {'passed': 2, 'failed': 1, 'skipped': 1}\n"
	"assert d['planned'] == 3 and d['run_id'] == '20240101-120000-1'\n"
	"assert d['started_utc'] == '2024-01-01T12:00:00Z'\n"
	"s = d['scenarios'][1]\n"
	"assert s['verdict'] == 'fail' and s['line'] == 12\n"
	"assert s['reason'] == 'the consoles\\' outputs differ in \"echo\"'\n"
	"assert s['cases'][1]['message'] == 'needs \"two\" disks\\x01'\n"
	"assert s['counts'] == {'passed': 0, 'failed': 1, 'skipped': 1}\n"
	"assert d['scenarios'][0]['cases'][0]['message'] is None\n";

/* Without python: every bracket outside strings closes in order. */
static void assert_balanced(const char *json)
{
	char stack[64];
	size_t depth = 0;
	bool in_str = false;
	const char *p;

	for (p = json; *p; p++) {
		if (in_str) {
			if (*p == '\\')
				p++;
			else if (*p == '"')
				in_str = false;
		} else if (*p == '"') {
			in_str = true;
		} else if (*p == '{' || *p == '[') {
			assert_true(depth < sizeof(stack));
			stack[depth++] = *p == '{' ? '}' : ']';
		} else if (*p == '}' || *p == ']') {
			assert_true(depth > 0);
			assert_int_equal(*p, stack[--depth]);
		}
	}
	assert_false(in_str);
	assert_int_equal(depth, 0);
}

static void check_json(const char *dir)
{
	char *json = read_out(dir, "summary.json"), *script;

	assert_says(json, "\"counts\": {\"passed\": 2, \"failed\": 1, "
		    "\"skipped\": 1}");
	assert_says(json, "\"message\": \"needs \\\"two\\\" disks\\u0001\"");
	assert_balanced(json);
	if (run_shell(xstrdup("command -v python3 >/dev/null 2>&1")) == 0) {
		script = xasprintf("%s/check.py", dir);
		assert_int_equal(write_file_atomic(script, json_check,
						   strlen(json_check), 0644), 0);
		assert_int_equal(run_shell(xasprintf("python3 %s %s/summary.json",
						     script, dir)), 0);
		free(script);
	}
	free(json);
}

static void check_html(const char *dir)
{
	char *html = read_out(dir, "report.html");

	/* the differing line, beside serial0's, marked */
	assert_says(html, "<tr><td>same</td><td class=\"diverge\">DIFF</td></tr>");
	assert_says(html, "<tr><td>a &lt;b&gt; &amp; c</td>"
		    "<td>a &lt;b&gt; &amp; c</td></tr>");
	assert_says(html, "<td>\xe2\x90\x9b[1mbold</td>");
	assert_says(html, "td.diverge,th.diverge{background:#");
	assert_says(html, "<tr><th>serial0 (exit 0)</th>"
		    "<th class=\"diverge\">serial1 (exit 1)</th></tr>");
	assert_null(strstr(html, "a <b>"));
	assert_null(strstr(html, "\x1b"));
	assert_null(strstr(html, "http"));
	assert_null(strstr(html, "<script"));
	assert_says(html, "<p class=\"reason\">the consoles&#39; outputs "
		    "differ in &quot;echo&quot;</p>");
	/* the transcripts' last 200 lines, CRs dropped */
	assert_says(html, "<pre>t0102\n");
	assert_says(html, "t0300\n\xe2\x90\x9b[1mbold\n</pre>");
	assert_null(strstr(html, "t0101"));
	assert_says(html, "<pre>boot &lt;ok&gt;\nlogin:\n</pre>");
	free(html);
}

static void test_writers(void **state)
{
	char *dir = make_tmpdir();
	struct test_run r;

	(void)state;
	build_run(&r, dir);
	write_transcripts(dir);
	assert_int_equal(results_write(&r), 0);
	check_junit(dir, &r);
	check_tap(dir);
	check_json(dir);
	check_html(dir);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

/* Before any scenario finished, the files already describe the run. */
static void test_writers_empty_run(void **state)
{
	char *dir = make_tmpdir(), *tap, *json;
	struct test_run r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.dir = xstrdup(dir);
	r.planned = 5;
	assert_int_equal(results_write(&r), 0);
	assert_int_equal(run_shell(xasprintf("xmllint --noout %s/junit.xml",
					     dir)), 0);
	tap = read_out(dir, "results.tap");
	assert_string_equal(tap, "KTAP version 1\n1..5\n");
	json = read_out(dir, "summary.json");
	assert_says(json, "\"scenarios\": []");
	assert_balanced(json);
	free(tap);
	free(json);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

/* A transcript larger than what the report reads of it: its last lines,
 * and no line the read cut in the middle. */
static void test_html_tail_of_big_transcript(void **state)
{
	char *dir = make_tmpdir(), *sdir, *path, *text, *html;
	struct scenario_result *s;
	struct test_run r;
	size_t len = 0;
	int i;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.dir = xstrdup(dir);
	r.planned = r.nscenarios = 1;
	r.scenarios = xcalloc(1, sizeof(*r.scenarios));
	s = &r.scenarios[0];
	s->name = xstrdup("big");
	s->file = xstrdup("big.exp");
	s->slug = xstrdup("big");
	s->nconsoles = 2;
	scenario_add_case(s, "boots");
	sdir = xasprintf("%s/big", dir);
	assert_int_equal(mkdir_p(sdir, 0755), 0);
	text = xmalloc(512 * 1024);
	for (i = 0; i < 20000; i++)
		len += (size_t)sprintf(text + len, "line %05d ..........\n", i);
	path = xasprintf("%s/serial0.log", sdir);
	assert_int_equal(write_file_atomic(path, text, len, 0644), 0);
	free(path);
	memset(text, 'x', 300 * 1024);
	strcpy(text + 300 * 1024, "\nlast\n");
	path = xasprintf("%s/serial1.log", sdir);
	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	free(path);
	assert_int_equal(results_write(&r), 0);
	html = read_out(dir, "report.html");
	assert_says(html, "<pre>line 19800 ..........\n");
	assert_says(html, "line 19999 ..........\n</pre>");
	assert_null(strstr(html, "line 19799"));
	assert_says(html, "<td><pre>last\n</pre></td>");
	assert_null(strstr(html, "xxx"));
	free(html);
	free(text);
	free(sdir);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

/* Three consoles, each differing from serial0 its own way: every line
 * on one row with its match, insertions on rows of their own. */
static void test_html_three_consoles(void **state)
{
	static const char *const out[] = { "a\nb\nc\n", "a\nX\nb\nc\n",
					   "a\nb\nY\nZ\n" };
	char *dir = make_tmpdir(), *html;
	struct scenario_result *s;
	struct test_case *tc;
	struct test_run r;
	unsigned k;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.dir = xstrdup(dir);
	r.planned = r.nscenarios = 1;
	r.scenarios = xcalloc(1, sizeof(*r.scenarios));
	s = &r.scenarios[0];
	s->name = xstrdup("three");
	s->file = xstrdup("three.exp");
	s->slug = xstrdup("three");
	tc = scenario_add_case(s, "cat");
	tc->nconsoles = 3;
	for (k = 0; k < 3; k++) {
		snprintf(tc->con[k].name, sizeof(tc->con[k].name), "serial%u", k);
		tc->con[k].output = xstrdup(out[k]);
	}
	assert_int_equal(results_write(&r), 0);
	html = read_out(dir, "report.html");
	assert_says(html,
		"<tr><td>a</td><td>a</td><td>a</td></tr>\n"
		"<tr><td class=\"none\"></td><td class=\"diverge\">X</td>"
		"<td class=\"none\"></td></tr>\n"
		"<tr><td>b</td><td>b</td><td>b</td></tr>\n"
		"<tr><td>c</td><td>c</td><td class=\"diverge\">Y</td></tr>\n"
		"<tr><td class=\"none\"></td><td class=\"none\"></td>"
		"<td class=\"diverge\">Z</td></tr>\n</table>");
	free(html);
	test_run_free(&r);
	assert_int_equal(remove_tree(dir), 0);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes),
		cmocka_unit_test(test_add_case_and_counts),
		cmocka_unit_test(test_store_round_trip),
		cmocka_unit_test(test_store_rejects_corrupt),
		cmocka_unit_test(test_store_rejects_truncated),
		cmocka_unit_test(test_writers),
		cmocka_unit_test(test_writers_empty_run),
		cmocka_unit_test(test_html_three_consoles),
		cmocka_unit_test(test_html_tail_of_big_transcript),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
