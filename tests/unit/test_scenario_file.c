/* Unit tests: scenario_file, loading scenario files without running them:
 * scenarios and their options, errors of the file's top level, directories,
 * names given twice, tags and slugs.  The syntax checks of the bodies are
 * test_scenario_lint.c's.  Each test writes its files into a temporary
 * directory (scenario_fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tcl.h>
#include <cmocka.h>

#include "capture.h"
#include "scenario/file.h"
#include "scenario_fixture.h"
#include "base/util.h"

static const char good_text[] =
	"# Two scenarios and a helper.\n"			/* 1 */
	"\n"
	"proc check_twice {cmd} {\n"
	"\tduplex::run $cmd\n"
	"\tduplex::run $cmd\n"					/* 5 */
	"}\n"
	"set shared_timeout 30\n"
	"\n"
	"scenario \"Busybox ls / is identical!\" -timeout $shared_timeout -idle 10 \\\n"
	"\t-tags {smoke busybox} -partitions 2 {\n"		/* 10 */
	"\tduplex::boot\n"
	"\tcheck_twice {ls /}\n"
	"}\n"
	"\n"
	"scenario second -profile big -skip \"needs a disk\" -tags net {duplex::boot}\n" /* 15 */
	"\n"
	"scenario third {\n"
	"\texpect {\n"
	"\t\t-re \"x\" { send \"y\\r\" }\n"
	"\t\ttimeout { error \"no x\" }\n"			/* 20 */
	"\t}\n"
	"}\n";

static void test_good_file(void **state)
{
	const struct scenario_fixture *f = *state;
	char *path = put(f, "good.exp", good_text);
	const char *paths[] = { path };
	struct scenario_set set;
	const struct scenario_def *d;

	assert_int_equal(scenario_set_load(&set, paths, 1), 0);
	assert_int_equal(set.n, 3);
	d = &set.defs[0];
	assert_string_equal(d->name, "Busybox ls / is identical!");
	assert_string_equal(d->file, path);
	assert_int_equal(d->line, 9);
	assert_int_equal(d->body_line, 10);
	assert_string_equal(d->body, "\n\tduplex::boot\n\tcheck_twice {ls /}\n");
	assert_int_equal(d->timeout_s, 30);
	assert_int_equal(d->idle_s, 10);
	assert_int_equal(d->partitions, 2);
	assert_string_equal(d->profile, "default");
	assert_int_equal(d->ntags, 2);
	assert_string_equal(d->tags[0], "smoke");
	assert_string_equal(d->tags[1], "busybox");
	assert_null(d->skip);
	assert_int_equal(d->index, 0);

	d = &set.defs[1];
	assert_string_equal(d->name, "second");
	assert_int_equal(d->line, 15);
	assert_int_equal(d->body_line, 15);
	assert_string_equal(d->body, "duplex::boot");
	assert_int_equal(d->timeout_s, 600);
	assert_int_equal(d->idle_s, 120);
	assert_int_equal(d->partitions, 0);
	assert_string_equal(d->profile, "big");
	assert_string_equal(d->skip, "needs a disk");
	assert_int_equal(d->ntags, 1);
	assert_string_equal(d->tags[0], "net");
	assert_int_equal(d->index, 1);

	d = &set.defs[2];
	assert_string_equal(d->name, "third");
	assert_int_equal(d->line, 17);
	assert_int_equal(d->body_line, 17);
	assert_int_equal(d->ntags, 0);
	assert_int_equal(d->index, 2);
	scenario_set_free(&set);
	assert_null(set.defs);
	assert_int_equal(set.n, 0);
	free(path);
}

/* What scenario_run does with body_line: an error on line L of the body,
 * as Tcl counts it, is on line body_line + L - 1 of the file. */
static void test_body_line_maps_tcl_error_lines(void **state)
{
	const struct scenario_fixture *f = *state;
	char *path = put(f, "good.exp", good_text);
	const char *paths[] = { path };
	struct scenario_set set;
	Tcl_Interp *ip;
	Tcl_Obj *body;

	assert_int_equal(scenario_set_load(&set, paths, 1), 0);
	ip = Tcl_CreateInterp();
	assert_int_equal(Tcl_Eval(ip, "namespace eval duplex {proc boot {} {}}\n"
				  "proc check_twice {c} {error twice}"), TCL_OK);
	body = Tcl_NewStringObj(set.defs[0].body, -1);
	Tcl_IncrRefCount(body);
	assert_int_equal(Tcl_EvalObjEx(ip, body, 0), TCL_ERROR);
	assert_int_equal(set.defs[0].body_line + Tcl_GetErrorLine(ip) - 1, 12);
	Tcl_DecrRefCount(body);
	Tcl_DeleteInterp(ip);
	scenario_set_free(&set);
	free(path);
}

static void test_option_errors(void **state)
{
	const struct scenario_fixture *f = *state;
	char *path = put(f, "opt.exp",
			 "scenario \"fine\" {\n"
			 "\tduplex::boot\n"
			 "}\n"
			 "scenario \"typo\" -tmeout 5 {\n"
			 "\tduplex::boot\n"			/* 5 */
			 "}\n"
			 "scenario \"zero\" -timeout 0 {duplex::boot}\n"
			 "scenario \"words\" -idle soon {duplex::boot}\n"
			 "scenario \"no value\" -tags {\n"
			 "\tduplex::boot\n"			/* 10 */
			 "}\n"
			 "scenario \"after\" {duplex::boot} -tags {a}\n"
			 "scenario\n"
			 "scenario \"tags\" -tags {a,b c} {x}\n"
			 "scenario \"many\" -partitions 9 \\\n"	/* 15 */
			 "\t-skip {} -profile p -profile q {x}\n"
			 "scenario -timeout {x}\n"
			 "scenario \"!?\" {x}\n");
	char *err = load_one_fails(path);

	assert_at(f, err, "opt.exp", 4, "scenario 'typo': unknown option '-tmeout'; the options are -timeout, -idle, -partitions, -profile, -tags and -skip");
	assert_at(f, err, "opt.exp", 7, "scenario 'zero': -timeout '0' is not a whole number of seconds from 1 to 86400");
	assert_at(f, err, "opt.exp", 8, "scenario 'words': -idle 'soon' is not a whole number of seconds");
	assert_at(f, err, "opt.exp", 9, "scenario 'no value': option -tags has no value, or the scenario has no body");
	assert_at(f, err, "opt.exp", 12, "scenario 'after': unknown option 'duplex::boot'");
	assert_at(f, err, "opt.exp", 13, "scenario needs a name and a body");
	assert_at(f, err, "opt.exp", 14, "scenario 'tags': tag 'a,b' is empty or holds a ','");
	assert_at(f, err, "opt.exp", 15, "scenario 'many': -partitions '9' is not a whole number from 1 to 8");
	assert_at(f, err, "opt.exp", 16, "scenario 'many': -skip is empty");
	assert_at(f, err, "opt.exp", 16, "scenario 'many': option -profile is given twice");
	assert_at(f, err, "opt.exp", 17, "scenario '-timeout': the name looks like an option");
	assert_at(f, err, "opt.exp", 18, "scenario '!?': the name '!?' has no letter or digit");
	assert_null(strstr(err, "'fine'"));
	free(err);
	free(path);
}

static void test_duplicate_names(void **state)
{
	const struct scenario_fixture *f = *state;
	char *one = put(f, "dup.exp",
			"scenario same {duplex::boot}\n"
			"\n"
			"scenario other {duplex::boot}\n"
			"scenario same {duplex::boot}\n");
	char *two = put(f, "dup2.exp", "\nscenario other {duplex::boot}\n");
	const char *paths[] = { one, two };
	char *err = load_fails(paths, 2), *first;

	first = xasprintf("first at %s:1; give each scenario its own name", one);
	assert_at(f, err, "dup.exp", 4, "scenario 'same' is defined twice, ");
	assert_says(err, first);
	free(first);
	first = xasprintf("first at %s:3", one);
	assert_at(f, err, "dup2.exp", 2, "scenario 'other' is defined twice, ");
	assert_says(err, first);
	free(first);
	free(err);
	free(one);
	free(two);
}

static void test_directory_sorted(void **state)
{
	const struct scenario_fixture *f = *state;
	char *dir = rel(f, "set"), *slash = xasprintf("%s/", dir);
	static const char *const files[][2] = {
		/* Created in an order no directory lists sorted. */
		{ "set/d.exp", "scenario d1 {x}\n" },
		{ "set/b.exp", "scenario b1 {x}\nscenario b2 {y}\n" },
		{ "set/e.exp", "scenario e1 {x}\n" },
		{ "set/a.exp", "scenario a1 {z}\n" },
		{ "set/c.exp", "scenario c1 {x}\n" },
		{ "set/notes.txt", "scenario {\n" },
		{ "set/.draft.exp", "scenario {\n" },
	};
	static const char *const want[] = { "a1", "b1", "b2", "c1", "d1", "e1" };
	const char *paths[] = { slash };
	struct scenario_set set;
	char *path;
	size_t i;

	assert_int_equal(mkdir(dir, 0755), 0);
	for (i = 0; i < ARRAY_SIZE(files); i++)
		free(put(f, files[i][0], files[i][1]));
	assert_int_equal(scenario_set_load(&set, paths, 1), 0);
	assert_int_equal(set.n, ARRAY_SIZE(want));
	for (i = 0; i < ARRAY_SIZE(want); i++)
		assert_string_equal(set.defs[i].name, want[i]);
	path = xasprintf("%s/a.exp", dir);
	assert_string_equal(set.defs[0].file, path);
	free(path);
	assert_int_equal(set.defs[1].index, 0);
	assert_int_equal(set.defs[2].index, 1);
	assert_int_equal(set.defs[3].index, 0);
	scenario_set_free(&set);
	free(dir);
	free(slash);
}

static void test_missing_paths(void **state)
{
	const struct scenario_fixture *f = *state;
	char *empty = rel(f, "empty"), *none = rel(f, "nosuch.exp");
	char *err, *words;

	assert_int_equal(mkdir(empty, 0755), 0);
	err = load_one_fails(empty);
	words = xasprintf("%s: no *.exp scenario files in this directory; add some", empty);
	assert_says(err, words);
	free(words);
	free(err);
	err = load_one_fails(none);
	words = xasprintf("%s: No such file or directory; name a scenario file (*.exp) or a directory of them", none);
	assert_says(err, words);
	free(words);
	free(err);
	free(empty);
	free(none);
}

/* Errors in one file do not hide those of the next, nor keep its
 * scenarios: the set stays empty. */
static void test_every_file_reported(void **state)
{
	const struct scenario_fixture *f = *state;
	char *good = put(f, "good.exp", good_text);
	char *bad1 = put(f, "bad1.exp", "scenario x -idle 0 {y}\n");
	char *bad2 = put(f, "bad2.exp", "\n\nscenario x2 {\"}\n");
	const char *paths[] = { good, bad1, bad2 };
	char *err = load_fails(paths, 3);

	assert_at(f, err, "bad1.exp", 1, "scenario 'x': -idle '0'");
	assert_at(f, err, "bad2.exp", 3, "missing close-quote");
	free(err);
	free(good);
	free(bad1);
	free(bad2);
}

static void test_top_level_errors(void **state)
{
	const struct scenario_fixture *f = *state;

	assert_load_error(f, "top.exp",
			  "proc setup {} {\n"
			  "\tspawn sh\n"
			  "}\n"
			  "set x 1\n"
			  "duplex::boot\n"
			  "scenario a {x}\n",
			  5, "'duplex::boot' runs only inside a scenario's body, not when the file is loaded; move it into the body\n");
	assert_load_error(f, "unknown.exp", "\n\nset v [\n\tfrobnicate 1]\n",
			  4, "invalid command name \"frobnicate\"; define it with proc above this line");
	assert_load_error(f, "raise.exp", "scenario a {x}\nerror boom\nscenario b {y}\n",
			  2, "boom; this runs when the file is loaded, outside any scenario");
	assert_load_error(f, "loop.exp",
			  "set n 0\n"
			  "foreach n {a b} {\n"
			  "\tscenario $n {duplex::boot}\n"
			  "}\n",
			  3, "scenario is called from a proc, a loop or a substitution here; make it a command of the file's top level");
	assert_load_error(f, "exit.exp", "scenario a {x}\n\nexit 0\nscenario b {y}\n",
			  3, "'exit' at the top level would end duplex while it loads the file; remove it");
}

/* An error inside a top-level command is on its own line: in a loop's
 * body, in the body of a proc the file defined, with the line calling it.
 * Commands of a script made while the file runs are not the file's. */
static void test_top_level_nested_errors(void **state)
{
	const struct scenario_fixture *f = *state;

	assert_load_error(f, "loop.exp",
			  "set n 0\n"
			  "foreach x {1 2} {\n"
			  "\tset n $x\n"
			  "\tif {$x == 2} {\n"
			  "\t\terror \"loop fails\"\n"		/* 5 */
			  "\t}\n"
			  "}\n",
			  5, "loop fails; this runs when the file is loaded");
	assert_load_error(f, "procs.exp",
			  "proc mk {{n 0}} {\n"
			  "\tset x $n\n"
			  "\tduplex::boot\n"
			  "}\n"
			  "proc ::twice {} {\n"		/* 5 */
			  "\tmk \\\n"
			  "\t\t1\n"
			  "}\n"
			  "set a 1\n"
			  "twice\n",			/* 10 */
			  3, "'duplex::boot' runs only inside a scenario's body, not when the file is loaded; move it into the body (in proc mk, called from line 6 in proc twice, called from line 10)\n");
	assert_load_error(f, "made.exp",
			  "set s \"set a 1\\n\\nnosuch\"\n"
			  "foreach x {1} {\n"
			  "\teval $s\n"
			  "}\n",
			  3, "invalid command name \"nosuch\"");
}

/* `info script` is the file, as under Tcl_EvalFile: a file can source
 * its helpers from next to itself. */
static void test_sources_helper_beside_it(void **state)
{
	const struct scenario_fixture *f = *state;
	char *helper = put(f, "helpers.tcl", "set helper_timeout 45\n");
	char *path = put(f, "uses.exp",
			 "source [file join [file dirname [info script]] helpers.tcl]\n"
			 "scenario a -timeout $helper_timeout {x}\n");
	const char *paths[] = { path };
	struct scenario_set set;

	assert_int_equal(scenario_set_load(&set, paths, 1), 0);
	assert_int_equal(set.n, 1);
	assert_int_equal(set.defs[0].timeout_s, 45);
	scenario_set_free(&set);
	free(helper);
	free(path);
}

static void test_has_tag(void **state)
{
	char *tags[] = { "smoke", "busybox" };
	struct scenario_def d = { .tags = tags, .ntags = 2 };
	struct scenario_def none = { 0 };

	(void)state;
	assert_true(scenario_has_tag(&d, NULL));
	assert_true(scenario_has_tag(&d, ""));
	assert_false(scenario_has_tag(&d, "a,b"));
	assert_true(scenario_has_tag(&d, "a,busybox"));
	assert_true(scenario_has_tag(&d, "smoke,b"));
	assert_true(scenario_has_tag(&d, " net , smoke "));
	assert_false(scenario_has_tag(&d, "smok"));
	assert_false(scenario_has_tag(&d, "smokey"));
	assert_false(scenario_has_tag(&d, ","));
	assert_false(scenario_has_tag(&none, "smoke"));
	assert_true(scenario_has_tag(&none, NULL));
}

static void assert_slug(const char *name, const char *want)
{
	struct scenario_def d = { .name = (char *)name };
	char *slug = scenario_slug(&d);

	assert_string_equal(slug, want);
	free(slug);
}

static void test_slug(void **state)
{
	(void)state;
	assert_slug("Busybox ls / is identical!", "busybox-ls-is-identical");
	assert_slug("--Hello--World--", "hello-world");
	assert_slug("each partition's MAC address diverges",
		    "each-partition-s-mac-address-diverges");
	assert_slug("caf\xc3\xa9 au lait", "caf-au-lait");
	/* 48 at most, and no '-' left at the cut. */
	assert_slug("aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eeeee ffff",
		    "aaaaaaaaaa-bbbbbbbbbb-cccccccccc-dddddddddd-eeee");
	assert_slug("aaaaaaaaaa bbbbbbbbbb cccccccccc dddddddddd eee ffff",
		    "aaaaaaaaaa-bbbbbbbbbb-cccccccccc-dddddddddd-eee");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_DIR(test_good_file),
		IN_DIR(test_body_line_maps_tcl_error_lines),
		IN_DIR(test_option_errors),
		IN_DIR(test_duplicate_names),
		IN_DIR(test_directory_sorted),
		IN_DIR(test_missing_paths),
		IN_DIR(test_every_file_reported),
		IN_DIR(test_top_level_errors),
		IN_DIR(test_top_level_nested_errors),
		IN_DIR(test_sources_helper_beside_it),
		cmocka_unit_test(test_has_tag),
		cmocka_unit_test(test_slug),
	};

	return cmocka_run_group_tests_name("scenario_file", tests, NULL, NULL);
}
