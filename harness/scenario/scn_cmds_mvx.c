/* duplex::mvx N CMD ?-expect RE? ?-diverge? ?-syscall NAME? ?-strict?
 *                   ?-status N? ?-timeout S? ?-name NAME?
 * Types `mvx N sh -c CMD` on serial0 (not in a replicated shell): the
 * leader runs there, a follower on each of the next N - 1 partitions.
 * What it proves comes from the window, never from console text: each
 * follower's partition counts the runs its repd started (so the command
 * did run replicated) and publishes the divergences found there, which
 * the harness decodes, checks and words itself.  One test case. */
#define _GNU_SOURCE
#include "base/base.h"
#include "mvx_div.h"
#include "report/report.h"
#include "scn_cmds.h"
#include "shellrun.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MVX_TIMEOUT_S 120

struct mvx_opts {
	unsigned n;
	const char *cmd;
	const char *name;
	Tcl_Obj *expect;
	const char *syscall;	/* -syscall: the divergence's; NULL: any */
	bool diverge, strict;
	int status;		/* -1: any */
	int timeout_s;
};

/* What the window said of each partition before the command. */
struct mvx_counts {
	uint32_t runs[DUPLEX_MAX_PARTITIONS];
	uint32_t divs[DUPLEX_MAX_PARTITIONS];
};

static int usage(Tcl_Interp *ip, const char *why)
{
	Tcl_SetObjResult(ip, Tcl_ObjPrintf("duplex::mvx: %s; usage: duplex::mvx N command ?-expect re? ?-diverge? ?-syscall name? ?-strict? ?-status n? ?-timeout s? ?-name name?",
					   why));
	return TCL_ERROR;
}

static int parse_value(Tcl_Interp *ip, int opt, Tcl_Obj *v, struct mvx_opts *o)
{
	enum { O_EXPECT, O_SYSCALL, O_STATUS, O_TIMEOUT, O_NAME };

	switch (opt) {
	case O_EXPECT: o->expect = v; return TCL_OK;
	case O_SYSCALL: o->syscall = Tcl_GetString(v); return TCL_OK;
	case O_NAME: o->name = Tcl_GetString(v); return TCL_OK;
	case O_STATUS: return Tcl_GetIntFromObj(ip, v, &o->status);
	default: return Tcl_GetIntFromObj(ip, v, &o->timeout_s);
	}
}

static int parse_opts(Tcl_Interp *ip, int objc, Tcl_Obj *const objv[],
		      struct mvx_opts *o)
{
	static const char *const valued[] = { "-expect", "-syscall",
		"-status", "-timeout", "-name", NULL };
	static const char *const flags[] = { "-diverge", "-strict", NULL };
	int i, n, opt;

	if (objc < 3)
		return usage(ip, "N and a command needed");
	if (Tcl_GetIntFromObj(ip, objv[1], &n) != TCL_OK || n < 2 ||
	    n > DUPLEX_MAX_PARTITIONS)
		return usage(ip, "N must be a number of partitions from 2 to 8");
	*o = (struct mvx_opts){ .n = (unsigned)n, .cmd = Tcl_GetString(objv[2]),
				.status = -1, .timeout_s = MVX_TIMEOUT_S };
	o->name = o->cmd;
	for (i = 3; i < objc; i++) {
		if (Tcl_GetIndexFromObj(NULL, objv[i], flags, "", 0, &opt) ==
		    TCL_OK) {
			*(opt ? &o->strict : &o->diverge) = true;
			continue;
		}
		if (Tcl_GetIndexFromObj(ip, objv[i], valued, "option", 0,
					&opt) != TCL_OK)
			return TCL_ERROR;
		if (++i == objc)
			return usage(ip, "an option needs a value");
		if (parse_value(ip, opt, objv[i], o) != TCL_OK)
			return TCL_ERROR;
	}
	if (o->syscall && !o->diverge)
		return usage(ip, "-syscall names the divergence -diverge expects");
	return TCL_OK;
}

/* `mvx N [--strict] sh -c 'CMD'`, CMD single-quoted for the shell. */
static char *mvx_line(const struct mvx_opts *o)
{
	struct strbuf sb = STRBUF_INIT;
	const char *c;

	strbuf_printf(&sb, "mvx %u %ssh -c '", o->n, o->strict ? "--strict " : "");
	for (c = o->cmd; *c; c++) {
		if (*c == '\'')
			strbuf_puts(&sb, "'\\''");
		else
			strbuf_add(&sb, c, 1);
	}
	strbuf_puts(&sb, "'");
	return strbuf_detach(&sb);
}

static void counts_read(struct scn *s, struct mvx_counts *c)
{
	for (unsigned k = 0; k < s->m.profile->partitions; k++)
		window_mvx_counters(&s->m.win.w, k, &c->runs[k], &c->divs[k]);
}

/* The record partition K published, worded; *NAME gets its syscall's
 * name (NAME_SIZE bytes).  A record that does not decode is said to be
 * unreadable: it is never shown as its bytes say. */
static void record_text(struct scn *s, unsigned k, struct strbuf *sb,
			char *name, size_t name_size)
{
	unsigned char rec[WINDOW_MVX_RECORD];
	char text[MVX_DIV_TEXT];
	struct mvx_div d;

	if (window_mvx_last(&s->m.win.w, k, rec) || mvx_div_decode(rec, &d)) {
		strbuf_printf(sb, "partition %u: an unreadable divergence "
			      "record (ignored)\n", k);
		snprintf(name, name_size, "?");
		return;
	}
	snprintf(name, name_size, "%s",
		 mvx_syscall_name(d.nr, text, sizeof(text)));
	strbuf_printf(sb, "on partition %u:\n%s", k,
		      mvx_div_format(&d, text, sizeof(text)));
}

/* What the window says happened: *TEXT the divergence records (NULL:
 * none), *WHY a reason to fail (NULL: fine). */
static void window_verdict(struct scn *s, const struct mvx_opts *o,
			   const struct mvx_counts *before, char **text,
			   char **why)
{
	struct mvx_counts after;
	struct strbuf sb = STRBUF_INIT;
	char name[32] = "";
	bool named = !o->syscall;
	unsigned k, followers = 0, found = 0;

	counts_read(s, &after);
	*why = NULL;
	for (k = 1; k < s->m.profile->partitions; k++) {
		if (after.runs[k] != before->runs[k] && followers < o->n - 1)
			followers++;
		if (after.divs[k] == before->divs[k])
			continue;
		found += after.divs[k] - before->divs[k];
		record_text(s, k, &sb, name, sizeof(name));
		named = named || !strcmp(name, o->syscall);
	}
	*text = sb.len ? strbuf_detach(&sb) : NULL;
	if (followers < o->n - 1)
		*why = xasprintf("only %u of the %u followers started (the "
				 "partitions' repd counted their runs in the "
				 "window): the command did not run replicated",
				 followers, o->n - 1);
	else if (!o->diverge && found)
		*why = xasprintf("mvx found %u syscall divergence%s", found,
				 found == 1 ? "" : "s");
	else if (o->diverge && !found)
		*why = xstrdup("no syscall divergence, but -diverge expected one");
	else if (!named)
		*why = xasprintf("the divergence is not in %s, as -syscall "
				 "expected", o->syscall);
}

/* Why the case fails, or NULL. */
static char *judge(Tcl_Interp *ip, const struct mvx_opts *o,
		   const struct test_case *tc, char *window_why)
{
	int st = tc->con[0].status;

	if (window_why)
		return window_why;
	if (o->diverge)
		return NULL;
	if (st >= 100 && st <= 102 && o->status != st)
		return xasprintf("mvx ended with status %d (%s): see serial0",
				 st, st == 101 ? "mvx failed or refused the "
				 "program" : st == 102 ? "a replica was lost" :
				 "a divergence it did not publish");
	if (o->status >= 0 && st != o->status)
		return xasprintf("exit status %d, expected %d", st, o->status);
	return scn_cmds_expect(ip, o->expect, tc->con[0].output);
}

int scn_cmds_mvx(ClientData cd, Tcl_Interp *ip, int objc,
		 Tcl_Obj *const objv[])
{
	struct scn *s = cd;
	struct mvx_counts before;
	struct test_case *tc;
	struct mvx_opts o;
	char *line, *typed, *reports = NULL, *why;
	int64_t start = now_ms();
	size_t end;
	unsigned id;

	if (parse_opts(ip, objc, objv, &o) != TCL_OK)
		return TCL_ERROR;
	if (s->booted < o.n)
		return usage(ip, "fewer partitions booted than N (duplex::boot first)");
	if (s->replicated)
		return usage(ip, "not in a replicated shell (mvx replicates by itself)");
	id = ++s->next_run;
	console_drain(&s->m.part[0].con);
	s->m.part[0].con.m.cursor = s->m.part[0].con.m.len;
	counts_read(s, &before);
	line = mvx_line(&o);
	typed = shellrun_typed(line, id);
	free(line);
	if (console_send(&s->m.part[0].con, typed) < 0) {
		free(typed);
		return scn_fatal(s, 0, "cannot type on serial0 (see harness.log)");
	}
	free(typed);
	tc = scenario_add_case(s->res, o.name);
	tc->diverge = o.diverge;
	tc->nconsoles = 1;
	if (scn_cmds_read_back(s, 0, id, o.timeout_s, &tc->con[0], &reports,
			       &end) != TCL_OK) {
		tc->seconds = (now_ms() - start) / 1000.0;
		tc->verdict = VERDICT_FAIL;
		tc->message = xstrdup(s->res->reason ? s->res->reason : "not finished");
		free(reports);
		return TCL_ERROR;
	}
	free(reports);
	tc->seconds = (now_ms() - start) / 1000.0;
	window_verdict(s, &o, &before, &tc->syscall_divergence, &why);
	tc->message = judge(ip, &o, tc, why);
	tc->verdict = tc->message ? VERDICT_FAIL : VERDICT_PASS;
	Tcl_SetObjResult(ip, Tcl_NewStringObj(tc->con[0].output, -1));
	return TCL_OK;
}
