/* duplex::run CMD ?-expect RE? ?-diverge? ?-status N? ?-timeout S?
 *                 ?-input TEXT? ?-name NAME?
 * Types CMD (shellrun.h) on serial0 — in the replicated shell, so it runs
 * on every partition of the session — reads its output and status back
 * from every console of the session, compares them and records a case. */
#define _GNU_SOURCE
#include "base/base.h"
#include "scn_cmds.h"
#include "shellrun.h"
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUN_TIMEOUT_S 60

struct run_opts {
	const char *cmd;
	const char *name;
	Tcl_Obj *expect;	/* NULL: none */
	const char *input;	/* NULL: none */
	bool diverge;
	int status;		/* -1: any (but the same everywhere) */
	int timeout_s;
};

static int parse_opts(Tcl_Interp *ip, int objc, Tcl_Obj *const objv[],
		      struct run_opts *o)
{
	static const char *const names[] = { "-expect", "-diverge", "-status",
		"-timeout", "-input", "-name", NULL };
	enum { O_EXPECT, O_DIVERGE, O_STATUS, O_TIMEOUT, O_INPUT, O_NAME };
	int i, opt;

	if (objc < 2) {
		Tcl_WrongNumArgs(ip, 1, objv, "command ?-expect re? ?-diverge? ?-status n? ?-timeout s? ?-input text? ?-name name?");
		return TCL_ERROR;
	}
	*o = (struct run_opts){ .cmd = Tcl_GetString(objv[1]), .status = -1,
				.timeout_s = RUN_TIMEOUT_S };
	o->name = o->cmd;
	for (i = 2; i < objc; i++) {
		if (Tcl_GetIndexFromObj(ip, objv[i], names, "option", 0, &opt) != TCL_OK)
			return TCL_ERROR;
		if (opt == O_DIVERGE) {
			o->diverge = true;
			continue;
		}
		if (++i == objc) {
			Tcl_SetObjResult(ip, Tcl_ObjPrintf("duplex::run: %s needs a value",
							   names[opt]));
			return TCL_ERROR;
		}
		if (opt == O_EXPECT)
			o->expect = objv[i];
		else if (opt == O_INPUT)
			o->input = Tcl_GetString(objv[i]);
		else if (opt == O_NAME)
			o->name = Tcl_GetString(objv[i]);
		else if (Tcl_GetIntFromObj(ip, objv[i], opt == O_STATUS ? &o->status
								    : &o->timeout_s) != TCL_OK)
			return TCL_ERROR;
	}
	return TCL_OK;
}

/* Matcher offsets BEGIN..END of console C in its transcript: the matcher
 * has what the transcript has but NUL bytes (and the notes of marked
 * gaps), so the offsets are moved by the difference now, which is exact
 * unless such a byte came in between; the excerpt around a command needs
 * no more. */
static void transcript_span(const struct console *c, size_t begin, size_t end,
			    struct case_console *cc)
{
	uint64_t shift = c->tr.seen > c->m.len ? c->tr.seen - c->m.len : 0;

	cc->from = begin + shift;
	cc->to = end + shift;
}

int scn_cmds_read_back(struct scn *s, unsigned k, unsigned id, int timeout_s,
		     struct case_console *cc, char **reports, size_t *end)
{
	struct console *c = &s->m.part[k].con;
	struct drive_wait x = scn_wait(s, timeout_s * 1000);
	char re[64];
	size_t begin_end, begin;

	shellrun_begin_re(id, re, sizeof(re));
	if (!drive_expect(&s->m, k, re, &x))
		return scn_wait_failed(s, k, "the start of the command's output",
				       "the shell did not run the command: it is busy with an earlier one, or is not the shell the scenario expects (see the console's last lines)",
				       &x);
	begin = x.start;
	begin_end = x.end;
	shellrun_end_re(id, re, sizeof(re));
	x = scn_wait(s, timeout_s * 1000);
	if (!drive_expect(&s->m, k, re, &x))
		return scn_wait_failed(s, k, "the end of the command's output (its exit status)",
				       "the command still runs: give duplex::run a larger -timeout, or it waits for input (-input)",
				       &x);
	_Static_assert(sizeof(cc->name) == sizeof(c->name), "console names");
	memcpy(cc->name, c->name, sizeof(cc->name));
	cc->status = shellrun_status(matcher_at(&c->m, x.start), x.end - x.start);
	/* An output longer than the matcher holds (matcher.h) is cut. */
	begin_end = matcher_clamp(&c->m, begin_end);
	cc->output = shellrun_output(matcher_at(&c->m, begin_end), 0,
				     x.start - begin_end, reports);
	*end = x.end;
	transcript_span(c, begin, x.end, cc);
	return TCL_OK;
}

/* Once every console is read: what repd counted and reported while the
 * command ran, reports that came after serial0's end marker (from END)
 * added to REPORTS.  Ties each report to its command: the next one is
 * typed only after this. */
static int rep_verdict(struct scn *s, uint32_t before, size_t end,
		       uint32_t *divergences, char **reports)
{
	struct console_matcher *m = &s->m.part[0].con.m;
	char *late, *all;

	*divergences = 0;
	if (!s->replicated)
		return TCL_OK;
	if (scn_rep_settle(s) != TCL_OK)
		return TCL_ERROR;
	*divergences = scn_rep_divergences(s) - before;
	s->rep_judged += *divergences;
	end = matcher_clamp(m, end);
	late = shellrun_late_reports(matcher_at(m, end), m->len - end);
	all = xasprintf("%s%s", *reports, late);
	free(late);
	free(*reports);
	*reports = all;
	return TCL_OK;
}

/* The diff of every console against serial0; NULL when all agree. */
static char *diff_consoles(const struct test_case *tc)
{
	char *all = NULL;
	unsigned k;

	for (k = 1; k < tc->nconsoles; k++) {
		char *d = udiff(tc->con[0].name, tc->con[0].output,
				tc->con[k].name, tc->con[k].output);
		char *joined;

		if (!d)
			continue;
		joined = xasprintf("%s%s", all ? all : "", d);
		free(all);
		free(d);
		all = joined;
	}
	return all;
}

static bool statuses_agree(const struct test_case *tc)
{
	unsigned k;

	for (k = 1; k < tc->nconsoles; k++)
		if (tc->con[k].status != tc->con[0].status)
			return false;
	return true;
}

/* Why TC fails, or NULL: it passes.  DIVERGENCES is what repd counted
 * while the command ran (window counters), REPORTS what it printed. */
static char *judge(Tcl_Interp *ip, const struct run_opts *o,
		   struct test_case *tc, uint32_t divergences,
		   const char *reports)
{
	bool differ = tc->diff || !statuses_agree(tc);

	if (o->diverge)
		return differ || divergences ? NULL
			: xstrdup("the consoles agree, but -diverge expected them to differ");
	if (divergences)
		return xasprintf("repd counted %u divergence%s:\n%s", divergences,
				 divergences == 1 ? "" : "s",
				 *reports ? reports : "(its report did not reach serial0)");
	if (tc->diff)
		return xstrdup("the consoles' outputs differ");
	if (!statuses_agree(tc))
		return xstrdup("the exit statuses differ between consoles");
	if (o->status >= 0 && tc->con[0].status != o->status)
		return xasprintf("exit status %d, expected %d", tc->con[0].status,
				 o->status);
	return scn_cmds_expect(ip, o->expect, tc->con[0].output);
}

char *scn_cmds_expect(Tcl_Interp *ip, Tcl_Obj *expect, const char *output)
{
	Tcl_RegExp rx;

	if (!expect)
		return NULL;
	rx = Tcl_GetRegExpFromObj(ip, expect, TCL_REG_ADVANCED | TCL_REG_NEWLINE);
	if (!rx)
		return xasprintf("-expect: %s", Tcl_GetStringResult(ip));
	if (Tcl_RegExpExec(ip, rx, output, output) != 1)
		return xasprintf("the output does not match -expect {%s}",
				 Tcl_GetString(expect));
	return NULL;
}

int scn_cmds_run(ClientData cd, Tcl_Interp *ip, int objc,
		 Tcl_Obj *const objv[])
{
	struct scn *s = cd;
	unsigned n = s->replicated ? s->replicated : 1, id, k;
	char *typed, *reports = NULL, *rep = NULL;
	uint32_t before, divergences = 0;
	int64_t start = now_ms();
	size_t end = 0, end_k = 0;
	struct test_case *tc;
	struct run_opts o;
	int ret = TCL_OK;

	if (parse_opts(ip, objc, objv, &o) != TCL_OK)
		return TCL_ERROR;
	if (!s->booted) {
		Tcl_SetObjResult(ip, Tcl_NewStringObj("duplex::run: nothing is booted (duplex::boot first)", -1));
		return TCL_ERROR;
	}
	id = ++s->next_run;
	for (k = 0; k < n; k++) {
		console_drain(&s->m.part[k].con);
		s->m.part[k].con.m.cursor = s->m.part[k].con.m.len;
	}
	before = scn_rep_divergences(s);
	typed = shellrun_typed(o.cmd, id);
	if (console_send(&s->m.part[0].con, typed) < 0 ||
	    (o.input && console_send(&s->m.part[0].con, o.input) < 0)) {
		free(typed);
		return scn_fatal(s, 0, "cannot type on serial0 (see harness.log)");
	}
	free(typed);
	tc = scenario_add_case(s->res, o.name);
	tc->diverge = o.diverge;
	for (k = 0; k < n && ret == TCL_OK; k++) {
		ret = scn_cmds_read_back(s, k, id, o.timeout_s, &tc->con[k], &rep, &end_k);
		tc->nconsoles = k + 1;
		if (ret == TCL_OK && k == 0) {
			reports = rep;
			end = end_k;
		} else {
			free(rep);
		}
		rep = NULL;
	}
	if (ret == TCL_OK)
		ret = rep_verdict(s, before, end, &divergences, &reports);
	tc->seconds = (now_ms() - start) / 1000.0;
	if (ret != TCL_OK) {
		tc->verdict = VERDICT_FAIL;
		tc->message = xstrdup(s->res->reason ? s->res->reason : "not finished");
		free(reports);
		return ret;
	}
	tc->diff = diff_consoles(tc);
	tc->message = judge(ip, &o, tc, divergences, reports);
	tc->verdict = tc->message ? VERDICT_FAIL : VERDICT_PASS;
	free(reports);
	Tcl_SetObjResult(ip, Tcl_NewStringObj(tc->con[0].output, -1));
	return TCL_OK;
}
