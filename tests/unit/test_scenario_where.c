/* Unit tests: scenario_where, the file's line of a Tcl error however deep
 * in the file's code it happened.  A file runs as scenario_run runs it,
 * without Expect or a machine: Tcl_EvalFile, with `scenario` running one
 * body through where_eval; the load-time side is test_scenario_file.c's.
 * Each test writes its files into a temporary directory
 * (scenario_fixture). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tcl.h>
#include <cmocka.h>

#include "scenario/file.h"
#include "scenario_fixture.h"
#include "scenario/where.h"
#include "base/util.h"

struct run {
	const struct scenario_def *d;
	struct where w;
	char *said;		/* "LINE: message (calls)" of its error */
};

static int scenario_cmd(ClientData cd, Tcl_Interp *ip, int objc,
			Tcl_Obj *const objv[])
{
	struct run *r = cd;
	char calls[256];

	if (objc < 3 || strcmp(Tcl_GetString(objv[1]), r->d->name))
		return TCL_OK;
	if (where_eval(&r->w, objv[objc - 1]) != TCL_ERROR)
		return TCL_OK;
	where_calls(&r->w, calls, sizeof(calls));
	r->said = xasprintf("%u: %s%s", where_line(&r->w, r->d->body_line),
			    Tcl_GetStringResult(ip), calls);
	return TCL_ERROR;
}

/* Run scenario NAME of file NAME.exp, whose text is TEXT, and return
 * what its error says (malloc'd; NULL: none). */
static char *run_error(const struct scenario_fixture *f, const char *name,
		       const char *text)
{
	char *file = xasprintf("%s.exp", name), *path = put(f, file, text);
	const char *paths[] = { path };
	struct scenario_set set;
	struct run r = { 0 };
	Tcl_Interp *ip;
	size_t i;

	assert_int_equal(scenario_set_load(&set, paths, 1), 0);
	for (i = 0; i < set.n; i++)
		if (!strcmp(set.defs[i].name, name))
			r.d = &set.defs[i];
	assert_non_null(r.d);
	ip = Tcl_CreateInterp();
	/* Tcl's `unknown`, as Expect's interpreter has it. */
	assert_int_equal(Tcl_Init(ip), TCL_OK);
	assert_int_equal(where_init_file(&r.w, ip, path), 0);
	Tcl_CreateObjCommand(ip, "scenario", scenario_cmd, &r, NULL);
	Tcl_EvalFile(ip, path);
	where_free(&r.w);
	Tcl_DeleteInterp(ip);
	scenario_set_free(&set);
	free(path);
	free(file);
	return r.said;
}

static void assert_error(const struct scenario_fixture *f, const char *name,
			 const char *text, const char *want)
{
	char *said = run_error(f, name, text);

	assert_non_null(said);
	assert_string_equal(said, want);
	free(said);
}

static void test_nested_bodies(void **state)
{
	assert_error(*state, "loop",
		     "# An invalid command in an if in a foreach.\n"
		     "scenario loop {\n"
		     "\tforeach x {1 2} {\n"
		     "\t\tset y $x\n"
		     "\t\tif {$x == 2} {\n"			/* 5 */
		     "\t\t\tnosuchcmd\n"
		     "\t\t}\n"
		     "\t}\n"
		     "}\n",
		     "6: invalid command name \"nosuchcmd\"");
	assert_error(*state, "while",
		     "scenario while {\n"
		     "\tset i 0\n"
		     "\twhile {$i < 3} {\n"
		     "\t\tincr i\n"
		     "\t\tset r [expr {1 / ($i - 2)}]\n"	/* 5 */
		     "\t}\n"
		     "}\n",
		     "5: divide by zero");
}

/* A proc's body: its line, and the line that called it. */
static void test_in_procs(void **state)
{
	static const char procs[] =
		"proc helper {} {\n"
		"\tset a 1\n"
		"\terror \"helper fails\"\n"
		"}\n"
		"proc rethrows {} {\n"				/* 5 */
		"\treturn -code error \"returned\"\n"
		"}\n"
		"proc outer {} {\n"
		"\tforeach x {1} {\n"
		"\t\thelper\n"					/* 10 */
		"\t}\n"
		"}\n"
		"scenario one {\n"
		"\tset z 1\n"
		"\thelper\n"					/* 15 */
		"}\n"
		"scenario two {rethrows}\n"
		"scenario three {\n"
		"\touter\n"
		"}\n";					/* 20 */

	assert_error(*state, "one", procs,
		     "3: helper fails (in proc helper, called from line 15)");
	assert_error(*state, "two", procs,
		     "6: returned (in proc rethrows, called from line 17)");
	assert_error(*state, "three", procs,
		     "3: helper fails (in proc helper, called from line 10 in proc outer, called from line 19)");
}

/* Errors of the body's own commands, and those Tcl raises between them,
 * which only Tcl's count of the body's lines places. */
static void test_in_the_body(void **state)
{
	assert_error(*state, "direct",
		     "scenario direct {\n"
		     "\tset a 1\n"
		     "\terror \"direct\"\n"
		     "}\n",
		     "3: direct");
	assert_error(*state, "variable",
		     "scenario variable {\n"
		     "\tset a 1\n"
		     "\n"
		     "\tset b $undefined\n"
		     "}\n",
		     "4: can't read \"undefined\": no such variable");
	assert_error(*state, "split",
		     "scenario split {\n"
		     "\tset v [list a \\\n"
		     "\t\t[nosuch 1]]\n"
		     "}\n",
		     "3: invalid command name \"nosuch\"");
	/* Deeper, such an error is on the line of the command around it. */
	assert_error(*state, "deeper",
		     "scenario deeper {\n"
		     "\tforeach x {1 2} {\n"
		     "\t\tset y $x\n"
		     "\t\tset z $undefined\n"
		     "\t}\n"
		     "}\n",
		     "2: can't read \"undefined\": no such variable");
}

/* An error that was caught is forgotten; one raised instead of another
 * is the one named. */
static void test_caught_errors(void **state)
{
	assert_error(*state, "caught",
		     "scenario caught {\n"
		     "\tcatch {nosuch}\n"
		     "\tforeach x {1} {\n"
		     "\t\tset y [catch {error a}]\n"
		     "\t}\n"					/* 5 */
		     "\terror \"second\"\n"
		     "}\n",
		     "6: second");
	assert_error(*state, "replaced",
		     "scenario replaced {\n"
		     "\ttry {\n"
		     "\t\terror a\n"
		     "\t} on error {} {\n"
		     "\t\terror b\n"				/* 5 */
		     "\t}\n"
		     "}\n",
		     "5: b");
}

/* Code not written in the file (a script made at run time, a helper file
 * it sources): the line of the file's command that ran it. */
static void test_code_elsewhere(void **state)
{
	const struct scenario_fixture *f = *state;
	char *helper = put(f, "helpers.tcl",
			   "proc libfail {} {\n\terror \"from lib\"\n}\n");

	assert_error(f, "made",
		     "scenario made {\n"
		     "\tset s \"set a 1\\nnosuch\"\n"
		     "\teval $s\n"
		     "}\n",
		     "3: invalid command name \"nosuch\"");
	assert_error(f, "sourced",
		     "source [file join [file dirname [info script]] helpers.tcl]\n"
		     "scenario sourced {\n"
		     "\tset a 1\n"
		     "\tlibfail\n"
		     "}\n",
		     "4: from lib");
	free(helper);
}

static void test_no_error(void **state)
{
	assert_null(run_error(*state, "fine",
			      "scenario fine {\n"
			      "\tcatch {nosuch}\n"
			      "\tset a 1\n"
			      "}\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		IN_DIR(test_nested_bodies),
		IN_DIR(test_in_procs),
		IN_DIR(test_in_the_body),
		IN_DIR(test_caught_errors),
		IN_DIR(test_code_elsewhere),
		IN_DIR(test_no_error),
	};

	Tcl_FindExecutable(NULL);
	return cmocka_run_group_tests_name("scenario_where", tests, NULL, NULL);
}
