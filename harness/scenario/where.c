/* where: the file's line of a Tcl error (where.h). */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/base.h"
#include "where.h"

/* Commands of our own in the interpreter: what where_eval runs a script
 * in, and the trace's callback on it. */
#define EVAL_CMD	"::duplex::_eval"
#define TRACE_CMD	"::duplex::_where"

static void clear_sites(struct where *w)
{
	unsigned i;

	for (i = 0; i < w->nsites; i++)
		free(w->site[i].proc);
	w->nsites = 0;
}

static void set_frame(struct where *w, int depth, Tcl_Obj *frame)
{
	if (frame)
		Tcl_IncrRefCount(frame);
	if (w->frame)
		Tcl_DecrRefCount(w->frame);
	w->frame = frame;
	w->depth = depth;
}

/* `info frame` (LEVEL 0: the number of frames, else frame LEVEL), with
 * a reference; NULL if Tcl refuses. */
static Tcl_Obj *info_frame(Tcl_Interp *ip, int level)
{
	char cmd[32];
	Tcl_Obj *r;

	if (level)
		snprintf(cmd, sizeof(cmd), "::info frame %d", level);
	else
		snprintf(cmd, sizeof(cmd), "::info frame");
	if (Tcl_EvalEx(ip, cmd, -1, 0) != TCL_OK)
		return NULL;
	r = Tcl_GetObjResult(ip);
	Tcl_IncrRefCount(r);
	return r;
}

static const char *frame_get(Tcl_Obj *frame, const char *key)
{
	Tcl_Obj *k = Tcl_NewStringObj(key, -1), *v = NULL;

	Tcl_IncrRefCount(k);
	if (Tcl_DictObjGet(NULL, frame, k, &v) != TCL_OK)
		v = NULL;
	Tcl_DecrRefCount(k);
	return v ? Tcl_GetString(v) : NULL;
}

/* The frame of the command whose end the trace reports: the one below
 * the frame of the trace's own callback.  Its level into *DEPTH. */
static Tcl_Obj *ended_frame(Tcl_Interp *ip, int *depth)
{
	Tcl_Obj *count = info_frame(ip, 0), *f;
	const char *cmd;
	int n = 0, i;
	bool ours;

	if (!count)
		return NULL;
	Tcl_GetIntFromObj(NULL, count, &n);
	Tcl_DecrRefCount(count);
	/* Each `info frame` runs in a frame of its own, above the callback's. */
	for (i = n; i > 1 && i >= n - 2; i--) {
		f = info_frame(ip, i);
		if (!f)
			return NULL;
		cmd = frame_get(f, "cmd");
		ours = cmd && !strncmp(cmd, TRACE_CMD " ", strlen(TRACE_CMD " "));
		Tcl_DecrRefCount(f);
		if (ours) {
			*depth = i - 1;
			return info_frame(ip, i - 1);
		}
	}
	return NULL;
}

/* Whether the command ending in FRAME at DEPTH ends with the error the
 * last one ended with: it is around that one, or (a command called from
 * C, which has no frame of its own) in the same frame. */
static bool carries_error(const struct where *w, int depth, Tcl_Obj *frame)
{
	if (!w->depth || depth > w->depth)
		return false;
	return depth < w->depth ||
	       !strcmp(Tcl_GetString(frame), Tcl_GetString(w->frame));
}

static void add_site(struct where *w, Tcl_Obj *frame)
{
	struct where_frame fr = {
		.type = frame_get(frame, "type"),
		.file = frame_get(frame, "file"),
		.proc = frame_get(frame, "proc"),
		.cmd = frame_get(frame, "cmd"),
	};
	const char *line = frame_get(frame, "line");
	struct where_site *s;
	unsigned at;

	if (w->nsites == WHERE_MAX_SITES || !fr.type || !fr.cmd || !line)
		return;
	fr.line = atoi(line);
	at = w->locate(w->arg, &fr);
	if (!at)
		return;
	s = &w->site[w->nsites++];
	s->line = at;
	s->proc = fr.proc ? xstrdup(fr.proc) : NULL;
}

/* TRACE_CMD COMMAND CODE RESULT leavestep: COMMAND ended with CODE. */
static int trace_leave(ClientData cd, Tcl_Interp *ip, int objc,
		       Tcl_Obj *const objv[])
{
	struct where *w = cd;
	int errline = Tcl_GetErrorLine(ip), code, depth = 0;
	Tcl_Obj *frame;

	if (objc != 5 || Tcl_GetIntFromObj(NULL, objv[2], &code) != TCL_OK)
		return TCL_OK;
	/* Not only errors: a proc turns `return -code error` into one. */
	if (code == TCL_OK) {
		set_frame(w, 0, NULL);
		return TCL_OK;
	}
	w->errline = errline;
	frame = ended_frame(ip, &depth);
	/* At the base: `eval` itself, in the frame that called where_eval. */
	if (frame && depth > w->base) {
		if (!carries_error(w, depth, frame))
			clear_sites(w);
		set_frame(w, depth, frame);
		add_site(w, frame);
	}
	if (frame)
		Tcl_DecrRefCount(frame);
	return TCL_OK;
}

/* EVAL_CMD SCRIPT: `eval`, which finds where a literal script is written
 * (TIP 280) as no public C function does. */
static int eval_cmd(ClientData cd, Tcl_Interp *ip, int objc,
		    Tcl_Obj *const objv[])
{
	Tcl_Obj *v[2];
	int ret;

	(void)cd;
	if (objc != 2) {
		Tcl_WrongNumArgs(ip, 1, objv, "script");
		return TCL_ERROR;
	}
	v[0] = Tcl_NewStringObj("::eval", -1);
	v[1] = objv[1];
	Tcl_IncrRefCount(v[0]);
	ret = Tcl_EvalObjv(ip, 2, v, 0);
	Tcl_DecrRefCount(v[0]);
	return ret;
}

int where_init(struct where *w, Tcl_Interp *ip, where_locate_fn *locate,
	       void *arg)
{
	memset(w, 0, sizeof(*w));
	w->ip = ip;
	w->locate = locate;
	w->arg = arg;
	Tcl_CreateObjCommand(ip, EVAL_CMD, eval_cmd, NULL, NULL);
	Tcl_CreateObjCommand(ip, TRACE_CMD, trace_leave, w, NULL);
	if (Tcl_EvalEx(ip, "trace add execution " EVAL_CMD " leavestep " TRACE_CMD,
		       -1, TCL_EVAL_GLOBAL) != TCL_OK) {
		log_error("cannot trace Tcl commands to find the lines of errors: %s",
			  Tcl_GetStringResult(ip));
		return -1;
	}
	return 0;
}

static unsigned in_file(void *arg, const struct where_frame *fr)
{
	const struct where *w = arg;

	if (strcmp(fr->type, "source") || !fr->file || strcmp(fr->file, w->file) ||
	    fr->line < 1)
		return 0;
	return (unsigned)fr->line;
}

int where_init_file(struct where *w, Tcl_Interp *ip, const char *path)
{
	Tcl_Obj *p = Tcl_NewStringObj(path, -1), *norm;
	int ret;

	ret = where_init(w, ip, in_file, w);
	Tcl_IncrRefCount(p);
	/* As Tcl_EvalFile names the file in `info frame`. */
	norm = Tcl_FSGetNormalizedPath(ip, p);
	w->file = xstrdup(norm ? Tcl_GetString(norm) : path);
	Tcl_DecrRefCount(p);
	return ret;
}

void where_free(struct where *w)
{
	clear_sites(w);
	set_frame(w, 0, NULL);
	free(w->file);
	w->file = NULL;
}

/* The level of the frame the caller runs in: below that of the
 * Tcl_EvalEx that asks. */
static int current_frame(Tcl_Interp *ip)
{
	Tcl_Obj *count = info_frame(ip, 0);
	int n = 1;

	if (count) {
		Tcl_GetIntFromObj(NULL, count, &n);
		Tcl_DecrRefCount(count);
	}
	return n - 1;
}

int where_eval(struct where *w, Tcl_Obj *script)
{
	Tcl_Obj *v[2] = { Tcl_NewStringObj(EVAL_CMD, -1), script };
	int ret;

	clear_sites(w);
	set_frame(w, 0, NULL);
	w->errline = 0;
	w->base = current_frame(w->ip);
	Tcl_IncrRefCount(v[0]);
	Tcl_IncrRefCount(script);
	ret = Tcl_EvalObjv(w->ip, 2, v, 0);
	Tcl_DecrRefCount(script);
	Tcl_DecrRefCount(v[0]);
	return ret;
}

unsigned where_line(const struct where *w, unsigned script_line)
{
	if (w->nsites)
		return w->site[0].line;
	return w->errline > 0 ? script_line + (unsigned)w->errline - 1
			      : script_line;
}

static const char *bare(const char *proc)
{
	return strncmp(proc, "::", 2) ? proc : proc + 2;
}

static bool same_proc(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

void where_calls(const struct where *w, char *buf, size_t size)
{
	const char *proc;
	size_t n;
	unsigned i;

	buf[0] = '\0';
	if (!w->nsites || !w->site[0].proc)
		return;
	proc = w->site[0].proc;
	n = (size_t)snprintf(buf, size, " (in proc %s", bare(proc));
	for (i = 1; i < w->nsites && n < size; i++) {
		if (same_proc(w->site[i].proc, proc))
			continue;
		proc = w->site[i].proc;
		n += (size_t)snprintf(buf + n, size - n, ", called from line %u%s%s",
				      w->site[i].line, proc ? " in proc " : "",
				      proc ? bare(proc) : "");
	}
	if (n + 1 < size)
		strcat(buf, ")");
}
