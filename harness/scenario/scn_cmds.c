/* The duplex:: commands of a scenario but duplex::run (scn_cmds_run.c):
 * boot, replicate, console, send, check layout. */
#define _GNU_SOURCE
#include "machine/machine.h"
#include "base/base.h"
#include "scn_cmds.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define REPNS_PROMPT_RE "^rep:/# "
/* The replicated shell's prompt: PS1 'rep[$?]:\w# ' (guest/repd). */
#define REP_PROMPT_RE "^rep\\[[0-9]+\\]:[^\n]*# "
#define STEP_TIMEOUT_MS 60000

/* Partition K of "serialK", or -1 (with an error in the result). */
static int console_index(struct scn *s, Tcl_Obj *name)
{
	const char *n = Tcl_GetString(name);
	unsigned k;
	char end;

	if (sscanf(n, "serial%u%c", &k, &end) != 1 || k >= s->booted) {
		Tcl_SetObjResult(s->interp, Tcl_ObjPrintf(
			"no console '%s': the booted partitions' consoles are serial0..serial%d",
			n, (int)s->booted - 1));
		return -1;
	}
	return (int)k;
}

/* Expect only what comes after now on console K. */
static void mark(struct scn *s, unsigned k)
{
	struct console *c = &s->m.part[k].con;

	console_drain(c);
	c->m.cursor = c->m.len;
}

static int boot_failed(struct scn *s, unsigned k, int status)
{
	if (status < 0)
		return scn_fatal(s, -1, "interrupted while booting partition %u", k);
	if (status == OUTCOME_NOT_RUN)
		s->host_error = true;
	for (unsigned i = 0; i <= k; i++)
		if (s->m.part[i].kcon_open && matcher_failed(&s->m.part[i].kcon.m))
			return scn_fatal(s, (int)i, "kernel failure on partition %u while booting partition %u: %s",
					 i, k, s->m.part[i].kcon.m.failure);
	return scn_fatal(s, (int)k, "partition %u did not boot (see harness.log)", k);
}

/* duplex::boot ?N?: the primary, then partitions 1..N-1 by typing
 * `repboot K` on serial0. */
static int tcl_boot(ClientData cd, Tcl_Interp *ip, int objc, Tcl_Obj *const objv[])
{
	struct scn *s = cd;
	int n = (int)s->profile.partitions, status = OUTCOME_PASSED;

	if (objc > 2 || (objc == 2 && Tcl_GetIntFromObj(ip, objv[1], &n) != TCL_OK)) {
		Tcl_WrongNumArgs(ip, 1, objv, "?partitions?");
		return TCL_ERROR;
	}
	if (n < 1 || (unsigned)n > s->profile.partitions) {
		Tcl_SetObjResult(ip, Tcl_ObjPrintf("duplex::boot %d: the machine has %u partitions",
						   n, s->profile.partitions));
		return TCL_ERROR;
	}
	if (!s->booted) {
		status = drive_boot_primary(&s->m, NULL);
		if (status != OUTCOME_PASSED)
			return boot_failed(s, 0, status);
		s->booted = 1;
	}
	for (; s->booted < (unsigned)n; s->booted++) {
		status = drive_boot_secondary(&s->m, s->booted, NULL);
		if (status != OUTCOME_PASSED)
			return boot_failed(s, s->booted, status);
	}
	return TCL_OK;
}

/* Type TEXT on serial0 and wait for RE on consoles 0..N-1; WHAT and
 * CAUSE say in words what RE is and why it would not come. */
static int type_and_wait(struct scn *s, const char *text, const char *re,
			 unsigned n, const char *what, const char *cause)
{
	unsigned k;

	for (k = 0; k < n; k++)
		mark(s, k);
	if (console_send(&s->m.part[0].con, text) < 0)
		return scn_fatal(s, 0, "cannot type on serial0 (see harness.log)");
	for (k = 0; k < n; k++) {
		struct drive_wait x = scn_wait(s, STEP_TIMEOUT_MS);

		if (!drive_expect(&s->m, k, re, &x))
			return scn_wait_failed(s, k, what, cause, &x);
	}
	return TCL_OK;
}

/* duplex::replicate N: `repns`, then `rep-on N` on serial0. */
static int tcl_replicate(ClientData cd, Tcl_Interp *ip, int objc, Tcl_Obj *const objv[])
{
	struct scn *s = cd;
	char text[32];
	int n;

	if (objc != 2 || Tcl_GetIntFromObj(ip, objv[1], &n) != TCL_OK) {
		Tcl_WrongNumArgs(ip, 1, objv, "partitions");
		return TCL_ERROR;
	}
	if (n < 2 || (unsigned)n > s->booted || s->replicated) {
		Tcl_SetObjResult(ip, Tcl_ObjPrintf(s->replicated
			? "duplex::replicate %d: already replicated"
			: "duplex::replicate %d: %u partitions are booted (duplex::boot first)",
			n, s->booted));
		return TCL_ERROR;
	}
	if (type_and_wait(s, "repns\n", REPNS_PROMPT_RE, 1,
			  "the replicated namespace's prompt (after 'repns')",
			  "repns did not start its namespace (its error is in the console's last lines)") != TCL_OK)
		return TCL_ERROR;
	snprintf(text, sizeof(text), "rep-on %d\n", n);
	if (type_and_wait(s, text, REP_PROMPT_RE, (unsigned)n,
			  "the replicated shell's prompt 'rep[N]: ... #' (after 'rep-on')",
			  "this partition did not join the replicated session: its repd is down or refused it, or the window's session was steered (see harness.log and the console's last lines)") != TCL_OK)
		return TCL_ERROR;
	s->replicated = (unsigned)n;
	s->rep_judged = scn_rep_divergences(s);
	return TCL_OK;
}

/* duplex::send NAME TEXT: type TEXT on a console ("\n" is Enter). */
static int tcl_send(ClientData cd, Tcl_Interp *ip, int objc, Tcl_Obj *const objv[])
{
	struct scn *s = cd;
	int k;

	if (objc != 3) {
		Tcl_WrongNumArgs(ip, 1, objv, "console text");
		return TCL_ERROR;
	}
	k = console_index(s, objv[1]);
	if (k < 0)
		return TCL_ERROR;
	if (console_send(&s->m.part[k].con, Tcl_GetString(objv[2])) < 0)
		return scn_fatal(s, k, "cannot type on serial%d (see harness.log)", k);
	return TCL_OK;
}

/* The spawn id of a new tap on console K. */
static int open_tap(struct scn *s, unsigned k)
{
	struct scn_tap *t = &s->tap[k];
	Tcl_Channel chan;
	const char *id;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		Tcl_SetObjResult(s->interp, Tcl_ObjPrintf("socketpair: %s", strerror(errno)));
		return TCL_ERROR;
	}
	chan = Tcl_MakeFileChannel((ClientData)(intptr_t)sv[1],
				   TCL_READABLE | TCL_WRITABLE);
	Tcl_RegisterChannel(s->interp, chan);
	if (Tcl_VarEval(s->interp, "spawn -open ", Tcl_GetChannelName(chan), NULL) != TCL_OK) {
		close(sv[0]);
		return TCL_ERROR;
	}
	id = Tcl_GetVar(s->interp, "spawn_id", TCL_GLOBAL_ONLY);
	snprintf(t->spawn_id, sizeof(t->spawn_id), "%s", id ? id : "");
	t->fd = sv[0];
	t->sent = s->m.part[k].con.m.len;
	return TCL_OK;
}

/* duplex::console NAME: an Expect spawn id on that console (its output
 * from now on; `send -i` types on it).  Also made the default spawn_id. */
static int tcl_console(ClientData cd, Tcl_Interp *ip, int objc, Tcl_Obj *const objv[])
{
	struct scn *s = cd;
	int k;

	if (objc != 2) {
		Tcl_WrongNumArgs(ip, 1, objv, "console");
		return TCL_ERROR;
	}
	k = console_index(s, objv[1]);
	if (k < 0)
		return TCL_ERROR;
	if (s->tap[k].fd < 0 && open_tap(s, (unsigned)k) != TCL_OK)
		return TCL_ERROR;
	Tcl_SetVar(ip, "spawn_id", s->tap[k].spawn_id, TCL_GLOBAL_ONLY);
	Tcl_SetObjResult(ip, Tcl_NewStringObj(s->tap[k].spawn_id, -1));
	return TCL_OK;
}

/* duplex::check layout ?-strict?: the layouts of the booted partitions
 * (layoutcheck.h): by the line each kernel printed at boot and by its
 * page tables, no area of one may overlap any of another, and the two
 * must agree; -strict fails on areas shared by design too.  Records a
 * case. */
static int tcl_check(ClientData cd, Tcl_Interp *ip, int objc, Tcl_Obj *const objv[])
{
	struct layout_check c;
	struct scn *s = cd;
	struct test_case *tc;
	int64_t start = now_ms();
	bool strict = objc == 3 && !strcmp(Tcl_GetString(objv[2]), "-strict");
	unsigned k;

	if ((objc != 2 && !strict) || strcmp(Tcl_GetString(objv[1]), "layout")) {
		Tcl_WrongNumArgs(ip, 1, objv, "layout ?-strict?");
		return TCL_ERROR;
	}
	if (s->booted < 2) {
		Tcl_SetObjResult(ip, Tcl_ObjPrintf("duplex::check layout: %u partition%s booted, the check needs two or more (duplex::boot first)",
						   s->booted, s->booted == 1 ? " is" : "s are"));
		return TCL_ERROR;
	}
	for (k = 0; k < s->booted; k++)
		console_drain(&s->m.part[k].con);
	tc = scenario_add_case(s->res, strict ? "check layout -strict" : "check layout");
	if (layoutcheck_run(&s->m, s->booted, strict, &c) == 0) {
		char *seen = layoutcheck_seen(&c);

		tc->verdict = VERDICT_PASS;
		tc->message = c.shared ?
			      xasprintf("%s\nwarning: %s (-strict fails on these)",
					seen, c.shared) :
			      xasprintf("%s", seen);
		free(seen);
	} else {
		tc->verdict = VERDICT_FAIL;
		tc->message = c.problem;
		c.problem = NULL;
	}
	layoutcheck_release(&c);
	tc->seconds = (now_ms() - start) / 1000.0;
	return TCL_OK;
}

/* Expect's exit would end the process running the scenario: no result,
 * and no teardown of its machine. */
static int tcl_exit(ClientData cd, Tcl_Interp *ip, int objc,
		    Tcl_Obj *const objv[])
{
	(void)cd;
	(void)objc;
	(void)objv;
	Tcl_SetObjResult(ip, Tcl_NewStringObj(
		"'exit' would end the harness, not the scenario: end a scenario's body early with return",
		-1));
	return TCL_ERROR;
}

void scn_cmds_register(struct scn *s)
{
	static const struct {
		const char *name;
		Tcl_ObjCmdProc *proc;
	} cmds[] = {
		{ "duplex::boot", tcl_boot },
		{ "duplex::replicate", tcl_replicate },
		{ "duplex::run", scn_cmds_run },
		{ "duplex::mvx", scn_cmds_mvx },
		{ "duplex::send", tcl_send },
		{ "duplex::console", tcl_console },
		{ "duplex::check", tcl_check },
		{ "exit", tcl_exit },
		{ "exp_exit", tcl_exit },
	};
	size_t i;

	Tcl_CreateNamespace(s->interp, "duplex", NULL, NULL);
	for (i = 0; i < ARRAY_SIZE(cmds); i++)
		Tcl_CreateObjCommand(s->interp, cmds[i].name, cmds[i].proc, s, NULL);
}
