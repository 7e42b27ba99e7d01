/* lint: the half of loading a scenario file that runs nothing
 * (private to scenario_file.c).  Tcl's own parser finds the file's
 * top-level commands and every Tcl syntax error in it, with its line. */
#ifndef DUPLEX_SCENARIO_LINT_H
#define DUPLEX_SCENARIO_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <tcl.h>

#include "where.h"

/* A command of the file's top level. */
struct lint_cmd {
	const char *start;	/* in the file's text */
	int size;
	unsigned line;
	bool is_scenario;	/* its first word is `scenario` */
	char *proc;		/* `proc NAME ARGS BODY` with a literal NAME:
				 * the proc's name from "::"; else NULL */
	/* Scenario and proc commands: */
	unsigned body_line;	/* as scenario_def's, for its last word */
	/* Scenario commands only: */
	unsigned *word_line;	/* the line of each of its nwords words */
	int nwords;
};

struct lint_file {
	Tcl_Interp *ip;		/* for Tcl's parse error messages */
	const char *path;
	const char *text;	/* the whole file */
	int len;
	struct lint_cmd *cmds;
	size_t ncmds, cap;
	unsigned nerrors;	/* reported so far */
};

/* Find F's top-level commands (F->cmds) and check every script in the
 * file: scenario bodies, and the script arguments of proc, if, while,
 * for, foreach, catch, try, eval, uplevel and expect's pattern actions,
 * recursively.  Every error is reported and counted in F->nerrors.
 * Returns -1 if the top level itself is broken: nothing of F may run. */
int lint_file(struct lint_file *f);
void lint_file_free(struct lint_file *f);

/* The line of F's text where P is, from 1. */
unsigned lint_line(const struct lint_file *f, const char *p);

/* The line of F a command is on that ran while top-level command CUR did
 * (where_locate_fn): one of CUR's own text (Tcl counts its lines from
 * CUR's first, type eval), or of the body of a proc defined by a
 * top-level command up to CUR (from the body's first, type proc).  0 if
 * neither, or if FR's command is not written there: a script made while
 * the file runs, given to eval. */
unsigned lint_locate(const struct lint_file *f, const struct lint_cmd *cur,
		     const struct where_frame *fr);

#endif
