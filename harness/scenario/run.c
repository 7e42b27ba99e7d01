/* One scenario on a machine of its own (run.h): the interpreter,
 * the watch over the machine while the script waits, the verdict. */
#define _GNU_SOURCE
#include "run.h"
#include "base/base.h"
#include "build/build.h"
#include "scn.h"
#include "scn_cmds.h"

#include <expect_tcl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How often the machine is looked at while the script waits in Tcl's
 * event loop (a plain `expect`, `after`): the window needs polling. */
#define SERVICE_MS 10
/* Expect's match buffer: a serial console prints far more than
 * Expect's default 2000 bytes between two patterns. */
#define MATCH_MAX 1000000

/* The watch while the script waits in Tcl's event loop. */
static void service(ClientData cd)
{
	struct scn *s = cd;
	enum machine_event ev;
	unsigned k;

	s->timer = NULL;
	if (s->fatal || !s->have_machine)
		return;
	ev = machine_watch(&s->m, 0, &k);
	if (ev != MACHINE_TIMEOUT && ev != MACHINE_STARTED) {
		scn_event_fatal(s, ev, k);
		return;
	}
	if (now_ms() >= s->deadline_ms) {
		scn_fatal(s, 0, "the scenario's deadline (%u s) passed",
			  s->def->timeout_s);
		return;
	}
	scn_service_taps(s);
	s->timer = Tcl_CreateTimerHandler(SERVICE_MS, service, s);
}

/* An error in the body ends the scenario on the file's line where it
 * happened: the innermost command of the file it ended, in the body or
 * in a proc; if Tcl raised it between commands of the body itself (a
 * variable that does not exist), the line of the body Tcl counted. */
static void body_error(struct scn *s, Tcl_Interp *ip)
{
	char calls[256];

	where_calls(&s->where, calls, sizeof(calls));
	scn_fatal(s, -1, "%s:%u: %s%s", s->def->file,
		  where_line(&s->where, s->def->body_line),
		  Tcl_GetStringResult(ip), calls);
}

/* `scenario NAME ?options? BODY` at run time: the body of this scenario
 * runs, the others are skipped. */
static int scenario_cmd(ClientData cd, Tcl_Interp *ip, int objc,
			Tcl_Obj *const objv[])
{
	struct scn *s = cd;
	int ret;

	if (objc < 3 || strcmp(Tcl_GetString(objv[1]), s->def->name))
		return TCL_OK;
	ret = where_eval(&s->where, objv[objc - 1]);
	if (ret == TCL_ERROR && !s->fatal)
		body_error(s, ip);
	return ret == TCL_ERROR ? TCL_ERROR : TCL_OK;
}

static int make_interp(struct scn *s)
{
	char script[128];

	s->interp = Tcl_CreateInterp();
	if (Tcl_Init(s->interp) != TCL_OK || Expect_Init(s->interp) != TCL_OK) {
		log_error("cannot start Tcl/Expect: %s (are tcl8.6 and expect installed? make deps)",
			  Tcl_GetStringResult(s->interp));
		return -1;
	}
	snprintf(script, sizeof(script),
		 "log_user 0; match_max -d %d; set timeout %u", MATCH_MAX,
		 s->def->idle_s);
	if (Tcl_Eval(s->interp, script) != TCL_OK) {
		log_error("cannot set up Expect: %s", Tcl_GetStringResult(s->interp));
		return -1;
	}
	if (where_init_file(&s->where, s->interp, s->def->file) < 0)
		return -1;
	Tcl_CreateObjCommand(s->interp, "scenario", scenario_cmd, s, NULL);
	scn_cmds_register(s);
	return 0;
}

/* Tcl code that never waits (`while 1 {}`) is out of reach of the watch
 * that ends a scenario at its deadline: the interpreter's time limit
 * ends it, the error unwinding the script as a cancel would. */
static void deadline_passed(ClientData cd, Tcl_Interp *ip)
{
	struct scn *s = cd;

	(void)ip;
	scn_fatal(s, -1, "the scenario's deadline (%u s) passed while its Tcl code ran without waiting (a loop that never calls a duplex:: command or expect?)",
		  s->def->timeout_s);
}

static void limit_to_deadline(struct scn *s)
{
	int64_t left = s->deadline_ms - now_ms();
	Tcl_Time t;

	Tcl_GetTime(&t);
	left = left > 0 ? left : 0;
	t.sec += (long)(left / 1000);
	t.usec += (long)(left % 1000) * 1000;
	t.sec += t.usec / 1000000;
	t.usec %= 1000000;
	Tcl_LimitSetTime(s->interp, &t);
	Tcl_LimitSetGranularity(s->interp, TCL_LIMIT_TIME, 1);
	Tcl_LimitAddHandler(s->interp, TCL_LIMIT_TIME, deadline_passed, s, NULL);
	Tcl_LimitTypeSet(s->interp, TCL_LIMIT_TIME);
}

/* The machine of D: its profile, cut to the partitions D asks for. */
static int make_machine(struct scn *s, const char *dir)
{
	const struct scenario_def *d = s->def;

	if (profile_load_named(s->paths, d->profile, &s->profile) < 0)
		return scn_fatal(s, -1, "%s:%u: cannot load machine profile '%s' (see above)",
				 d->file, d->line, d->profile), -1;
	if (d->partitions > s->profile.partitions)
		return scn_fatal(s, -1, "%s:%u: the scenario needs %u partitions, profile '%s' has %u: give it -profile with enough",
				 d->file, d->line, d->partitions, d->profile,
				 s->profile.partitions), -1;
	if (d->partitions)
		s->profile.partitions = d->partitions;
	if (rdbuild_profile(s->paths, &s->profile) < 0)
		return scn_fatal(s, -1, "the initramfs images of profile '%s' could not be built (see harness.log)",
				 d->profile), -1;
	if (machine_create_in(&s->m, s->paths, &s->profile, dir) < 0)
		return scn_fatal(s, -1, "the machine could not be made (libvirtd? see harness.log)"), -1;
	s->have_machine = true;
	s->res->transcript_limit = (uint64_t)s->profile.transcript_limit_kib * 1024;
	return 0;
}

/* A divergence repd counted outside every duplex::run (a command typed
 * with duplex::send, say): no case judged it, so the scenario fails.
 * Counted from the window, never from console text. */
static void check_unjudged_divergences(struct scn *s)
{
	uint32_t total;

	if (s->fatal || !s->have_machine || !s->replicated)
		return;
	total = scn_rep_divergences(s);
	if (total > s->rep_judged)
		scn_fatal(s, 0, "repd counted %u divergence%s outside any duplex::run (see the 'rep: ' lines on serial0)",
			  total - s->rep_judged, total - s->rep_judged == 1 ? "" : "s");
}

/* A transcript that misses output is no complete record of the run: the
 * scenario fails with a case that says which and how much (never a
 * silent loss; the transcript marks the place). */
static void check_transcripts(struct scn *s)
{
	struct test_case *tc;
	char *why, *nl;

	if (!s->have_machine)
		return;
	why = machine_transcripts_incomplete(&s->m);
	if (!why)
		return;
	nl = strrchr(why, '\n');
	if (nl && !nl[1])
		*nl = '\0';
	log_error("incomplete transcript: %s", why);
	tc = scenario_add_case(s->res, "console transcripts complete");
	tc->verdict = VERDICT_FAIL;
	tc->message = why;
	if (!s->res->reason)
		s->res->reason = xstrdup(why);
}

/* Every scenario has at least one case: the scenario itself when it
 * ended early or recorded none. */
static void conclude(struct scn *s)
{
	struct scenario_result *r = s->res;
	struct test_case *tc;
	size_t i;

	if (s->fatal || !r->ncases) {
		tc = scenario_add_case(r, s->fatal ? "scenario ends cleanly"
						   : "scenario completes");
		tc->verdict = s->fatal ? VERDICT_FAIL : VERDICT_PASS;
		if (s->fatal)
			tc->message = xstrdup(r->reason);
	}
	r->verdict = VERDICT_PASS;
	for (i = 0; i < r->ncases; i++)
		if (r->cases[i].verdict == VERDICT_FAIL)
			r->verdict = VERDICT_FAIL;
}

static void teardown(struct scn *s)
{
	unsigned k;

	if (s->timer)
		Tcl_DeleteTimerHandler(s->timer);
	scn_close_taps(s);
	if (s->have_machine) {
		for (k = 0; k < DUPLEX_MAX_PARTITIONS; k++)
			if (s->m.part[k].con_open)
				s->res->nconsoles = k + 1;
		machine_destroy(&s->m);
	}
	where_free(&s->where);
	if (s->interp)
		Tcl_DeleteInterp(s->interp);
}

void scenario_result_init(struct scenario_result *r,
			  const struct scenario_def *d, const char *slug)
{
	memset(r, 0, sizeof(*r));
	r->name = xstrdup(d->name);
	r->file = xstrdup(d->file);
	r->line = d->line;
	r->slug = xstrdup(slug);
	r->fail_console = -1;
}

static enum outcome skipped(const struct scenario_def *d,
			    struct scenario_result *r)
{
	struct test_case *tc = scenario_add_case(r, "scenario");

	tc->verdict = VERDICT_SKIP;
	tc->message = xstrdup(d->skip);
	r->verdict = VERDICT_SKIP;
	return OUTCOME_PASSED;
}

enum outcome scenario_run(const struct scenario_def *d, const struct duplex_paths *paths,
		 const char *dir, struct scenario_result *r)
{
	int64_t start = now_ms();
	struct scn s = { .def = d, .paths = paths, .res = r };
	char *copy = xstrdup(dir);
	unsigned k;

	scenario_result_init(r, d, basename(copy));
	free(copy);
	if (d->skip)
		return skipped(d, r);
	for (k = 0; k < DUPLEX_MAX_PARTITIONS; k++)
		s.tap[k].fd = -1;
	s.deadline_ms = start + (int64_t)d->timeout_s * 1000;
	if (make_interp(&s) < 0) {
		s.host_error = true;
		scn_fatal(&s, -1, "Tcl/Expect could not be started (see above)");
	} else if (make_machine(&s, dir) < 0) {
		s.host_error = true;
	} else {
		s.timer = Tcl_CreateTimerHandler(SERVICE_MS, service, &s);
		limit_to_deadline(&s);
		Tcl_EvalFile(s.interp, d->file);
		check_unjudged_divergences(&s);
	}
	check_transcripts(&s);
	conclude(&s);
	teardown(&s);
	r->seconds = (now_ms() - start) / 1000.0;
	if (s.host_error)
		return OUTCOME_NOT_RUN;
	return r->verdict == VERDICT_FAIL ? OUTCOME_FAILED : OUTCOME_PASSED;
}
