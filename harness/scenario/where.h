/* where: the line of a scenario file where a Tcl error happened,
 * however deep in the file's code (private to the scenario_ modules).
 *
 * Tcl keeps an error's place only relative to each script the error
 * went through (-errorline; "("foreach" body line 3)" in -errorinfo): a
 * line of a foreach's body, of a proc's body, whose own place Tcl does
 * not say, in a text a script may even write itself (error MSG INFO).
 * TIP 280's `info frame` knows the file's own line of a command, but only
 * while the command runs.  So where_eval runs a script under a leavestep
 * trace that looks at the frame of each command as it ends with an
 * error: the first of a chain of such ends, each an end of the command
 * around the last, is where the error happened; the chain also passes
 * the command that called each proc on the way.  The trace costs a few
 * microseconds a command, and Tcl compiles no command inline under it. */
#ifndef DUPLEX_SCENARIO_WHERE_H
#define DUPLEX_SCENARIO_WHERE_H

#include <stddef.h>
#include <tcl.h>

#define WHERE_MAX_SITES 16

/* What `info frame` says of a command that ended with an error. */
struct where_frame {
	const char *type;	/* "source", "eval", "proc", ... */
	const char *file;	/* type source: the file, as Tcl normalized it */
	const char *proc;	/* the proc whose body it is in; NULL: none */
	const char *cmd;	/* its text */
	int line;		/* in the file (source), in the script given to
				 * eval (eval), in the proc's body (proc) */
};

/* The line of the file FR is on; 0 if it is not in the file. */
typedef unsigned where_locate_fn(void *arg, const struct where_frame *fr);

/* A command of the file the last error ended. */
struct where_site {
	unsigned line;
	char *proc;		/* as where_frame's */
};

struct where {
	Tcl_Interp *ip;
	where_locate_fn *locate;
	void *arg;
	char *file;		/* where_init_file's, normalized */
	int base;		/* the frame where_eval was called in */
	int depth;		/* of the frame the last error has reached;
				 * 0: none since the last command that ended
				 * well */
	Tcl_Obj *frame;		/* that frame's `info frame` */
	int errline;		/* Tcl_GetErrorLine as the script ended */
	struct where_site site[WHERE_MAX_SITES];	/* innermost first */
	unsigned nsites;
};

/* Watch the scripts where_eval runs in IP; LOCATE(ARG, frame) says which
 * commands are the file's.  0, or -1 (reported). */
int where_init(struct where *w, Tcl_Interp *ip, where_locate_fn *locate,
	       void *arg);
/* The same for the file PATH that Tcl_EvalFile(IP, PATH) runs: the file's
 * commands are those Tcl says come from it (type source), also in the
 * bodies of its procs and of the literal scripts given to eval. */
int where_init_file(struct where *w, Tcl_Interp *ip, const char *path);
void where_free(struct where *w);

/* Evaluate SCRIPT, as `eval` would, watched.  When it fails, W->site
 * holds the file's commands the error ended, innermost first: the one
 * that raised it (unless Tcl did, between commands: a variable that does
 * not exist), then those around it in SCRIPT. */
int where_eval(struct where *w, Tcl_Obj *script);

/* The file's line of the error where_eval failed with: its first site's;
 * with none, that of SCRIPT's line Tcl counted, SCRIPT being written from
 * line SCRIPT_LINE on. */
unsigned where_line(const struct where *w, unsigned script_line);

/* " (in proc P, called from line N)" for an error W's first site is in a
 * proc, with every proc and call on its way out; "" otherwise. */
void where_calls(const struct where *w, char *buf, size_t size);

#endif
