/* file: finding scenarios in files without running them.
 *
 * A scenario file (scenarios/NAME.exp) is a Tcl/Expect script whose
 * top-level `scenario NAME ?-option value ...? BODY` commands define
 * scenarios.  Loading evaluates each file in a fresh, empty-handed Tcl
 * interpreter where `scenario` only records its arguments (so top-level
 * `proc`s and `set`s work, nothing else runs) and then checks every
 * scenario BODY for Tcl syntax errors (unbalanced braces, brackets and
 * quotes, extra characters after a close-brace or close-quote), also in
 * the script arguments of the usual commands inside it (if/elseif/else,
 * while, for, foreach, proc, catch, try, eval, uplevel, expect patterns'
 * actions).  Every error names the file and the line: "scenarios/x.exp:7:
 * missing close-brace".
 *
 * Options of `scenario` (metadata):
 *   -timeout S      whole-scenario deadline in seconds (default 600)
 *   -idle S         fail when no console printed anything for S seconds
 *                   while the scenario waits (default 120)
 *   -partitions N   partitions the machine must have (default: the
 *                   profile's)
 *   -profile NAME   machine profile vm/NAME.profile (default "default")
 *   -tags {a b}     tags for `duplex test --tags`
 *   -skip REASON    do not run it; reported as skipped with REASON */
#ifndef DUPLEX_SCENARIO_FILE_H
#define DUPLEX_SCENARIO_FILE_H

#include <stdbool.h>
#include <stddef.h>

struct scenario_def {
	char *name;
	char *file;		/* the path as found ("scenarios/ls.exp") */
	unsigned line;		/* line of the `scenario` command */
	char *body;		/* the BODY script */
	unsigned body_line;	/* line of the file where BODY's first line is:
				 * that of the first character after its
				 * opening brace, so that line L of BODY as
				 * Tcl counts it (Tcl_GetErrorLine) is file
				 * line body_line + L - 1.  Tcl turns each
				 * backslash-newline in BODY into a space:
				 * lines after one are a line further down. */
	unsigned timeout_s;
	unsigned idle_s;
	unsigned partitions;	/* 0: the profile's */
	char *profile;
	char **tags;		/* ntags strings */
	size_t ntags;
	char *skip;		/* NULL: run it */
	size_t index;		/* its position among the file's scenarios */
};

struct scenario_set {
	struct scenario_def *defs;	/* files in the order given, directories
					 * expanded to their *.exp files sorted
					 * by name; scenarios in file order */
	size_t n;
};

/* Load every scenario of PATHS (files, or directories whose *.exp files
 * are loaded).  Every error in every file is reported (log_error, with
 * file and line), not only the first; returns -1 if there was any, and
 * *SET is then empty.  Two scenarios with the same name are an error. */
int scenario_set_load(struct scenario_set *set, const char *const *paths,
		      size_t npaths);
void scenario_set_free(struct scenario_set *set);

/* Does D carry one of the comma-separated TAGS ("net,smoke")?  NULL or
 * "" selects everything. */
bool scenario_has_tag(const struct scenario_def *d, const char *tags);

/* A directory name for D: its name lowercased, runs of anything but
 * [a-z0-9] turned into one '-', trimmed, at most 48 characters. */
char *scenario_slug(const struct scenario_def *d);

#endif
