/* duplex test: run scenarios, each on a fresh machine in a process of its
 * own (-j N at once), and write the results (report/report.h) after each. */
#define _GNU_SOURCE
#include "cmd.h"
#include "select.h"
#include "base/base.h"
#include "machine/machine.h"
#include "report/report.h"
#include "scenario/scenario.h"
#include "test_extra.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROGRESS_WIDTH 44

struct test_options {
	const char *tags;
	const char *shard, *shards;	/* --shard K/N, --shards N */
	unsigned jobs;
	bool list, check, quiet;
	const char *const *paths;
	size_t npaths;
	struct test_extra x;
};

static void test_usage(FILE *out)
{
	fputs("usage: duplex test [PATH...] [-j N] [--tags T] [--shard K/N | --shards N]\n"
	      "                   [--list] [--check] [-q]\n\n"
	      "Run the scenarios of PATH (files, or directories of *.exp files;\n"
	      "default scenarios/), each on a fresh machine, and write the results\n"
	      "into results/<run-id>/ (results/latest): summary.json, results.tap,\n"
	      "junit.xml, report.html and every console's transcript.  On a\n"
	      "terminal, a status line under the finished scenarios: those\n"
	      "running, how many are done, elapsed and time left.\n\n"
	      "  -j, --jobs N     run N scenarios (machines) at once (default 1)\n"
	      "  --tags T         only scenarios with one of the comma-separated tags\n"
	      "  --shard K/N      run shard K of N (from 1) of the selected scenarios:\n"
	      "                   the same split on every machine, each scenario in\n"
	      "                   one shard; merge with 'duplex results merge'\n"
	      "  --shards N       N shards, K from JOB_COMPLETION_INDEX (from 0; a\n"
	      "                   Kubernetes indexed Job); without either, GitLab's\n"
	      "                   CI_NODE_INDEX and CI_NODE_TOTAL (from 1) choose it\n"
	      "  --list           list the scenarios (of the shard), run nothing\n"
	      "  --check          check the scenario files (syntax, options), run nothing\n"
	      "  -q, --quiet      no status line\n", out);
	test_extra_usage(out);
}

static int parse_test_options(int argc, char **argv, struct test_options *o)
{
	static const struct option longopts[] = {
		{ "jobs", required_argument, NULL, 'j' },
		{ "tags", required_argument, NULL, 't' },
		{ "shard", required_argument, NULL, 's' },
		{ "shards", required_argument, NULL, 'S' },
		{ "list", no_argument, NULL, 'l' },
		{ "check", no_argument, NULL, 'c' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		TEST_EXTRA_LONGOPTS,
		{ 0 }
	};
	unsigned long jobs;
	int c, ret;

	*o = (struct test_options){ .jobs = 1 };
	optind = 1;
	while ((c = getopt_long(argc, argv, "j:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			if (parse_uint(optarg, 1, 64, &jobs) < 0) {
				log_error("test: -j wants a number of machines from 1 to 64, not '%s'",
					  optarg);
				return -1;
			}
			o->jobs = (unsigned)jobs;
			break;
		case 't':
			o->tags = optarg;
			break;
		case 's':
			o->shard = optarg;
			break;
		case 'S':
			o->shards = optarg;
			break;
		case 'l':
			o->list = true;
			break;
		case 'c':
			o->check = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			test_usage(stdout);
			return 1;
		default:
			ret = test_extra_option(c, optarg, &o->x);
			if (ret > 0)
				test_usage(stderr);
			if (ret)
				return -1;
		}
	}
	o->paths = (const char *const *)argv + optind;
	o->npaths = (size_t)(argc - optind);
	return 0;
}

/* The process that runs one scenario: its output into the scenario's
 * output.log, its result into the scenario's `result` file. */
static void run_child(const struct job *j, const struct duplex_paths *paths)
{
	char *out = xasprintf("%s/output.log", j->dir);
	char *result = xasprintf("%s/result", j->dir);
	struct scenario_result r;
	int fd, status;

	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0 || sigwatch_fork_child() < 0)
		_exit(EXIT_ERROR);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	close(fd);
	status = cli_exit_code(scenario_run(j->def, paths, j->dir, &r));
	if (results_store_save(&r, result) < 0)
		status = EXIT_ERROR;
	scenario_result_free(&r);
	free(out);
	free(result);
	fflush(NULL);
	_exit(status);
}

static int start_job(struct job *j, const struct duplex_paths *paths)
{
	if (mkdir_p(j->dir, 0755) < 0)
		return -1;
	fflush(NULL);
	j->pid = fork();
	if (j->pid < 0) {
		log_error("cannot start a process for scenario '%s': %m",
			  j->def->name);
		return -1;
	}
	if (j->pid == 0)
		run_child(j, paths);
	return 0;
}

/* A run needs room for its transcripts and reports: below this, it is
 * refused before anything is written. */
#define RESULTS_MIN_FREE (1u << 20)

/* A scenario whose process left no result: it died, or could not write
 * it (a full file system says so, since its output.log is empty then). */
static void result_of_dead(struct job *j, int wstatus)
{
	struct scenario_result *r = &j->res;
	struct test_case *tc;
	long long room = fs_free_bytes(j->dir);

	scenario_result_init(r, j->def, strrchr(j->dir, '/') + 1);
	r->verdict = VERDICT_FAIL;
	if (room >= 0 && room < 65536)
		r->reason = xasprintf("the process running it left no result (exit %d): the results' file system is full (%lld bytes free in %s): free space there, or set DUPLEX_RESULTS",
				      WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus),
				      room, j->dir);
	else
		r->reason = WIFSIGNALED(wstatus)
		? xasprintf("the process running it was killed by signal %d; see %s/output.log",
			    WTERMSIG(wstatus), j->dir)
		: xasprintf("the process running it left no result (exit %d); see %s/output.log",
			    WEXITSTATUS(wstatus), j->dir);
	tc = scenario_add_case(r, "scenario ends cleanly");
	tc->verdict = VERDICT_FAIL;
	tc->message = xstrdup(r->reason);
}

static void collect(struct job *j, int wstatus)
{
	char *path = xasprintf("%s/result", j->dir);

	j->pid = -1;
	j->status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : EXIT_ERROR;
	if (!path_exists(path) || results_store_load(&j->res, path) < 0) {
		result_of_dead(j, wstatus);
		j->status = EXIT_ERROR;
	}
	free(path);
}

/* TEXT with every line indented by PREFIX. */
static void print_indented(const char *prefix, const char *text)
{
	while (*text) {
		int n = (int)strcspn(text, "\n");

		printf("%s%.*s\n", prefix, n, text);
		text += n + (text[n] == '\n');
	}
}

/* "[3/12] busybox-ls ........ PASS (4.1 s)", and why, when it failed:
 * each failed case, the scenario's own reason with the console's last
 * lines, where the rest is. */
static void print_progress(const struct job *j, size_t done, size_t total)
{
	const struct scenario_result *r = &j->res;
	int pad = PROGRESS_WIDTH - (int)strlen(r->slug);
	size_t i;

	printf("[%zu/%zu] %s %.*s %s (%.1f s)\n", done, total, r->slug,
	       pad > 3 ? pad : 3, "................................................",
	       scenario_verdict_word(r), r->seconds);
	if (r->verdict != VERDICT_FAIL)
		goto out;
	for (i = 0; i < r->ncases; i++) {
		const struct test_case *tc = &r->cases[i];

		if (tc->verdict != VERDICT_FAIL || !tc->message ||
		    (r->reason && !strcmp(tc->message, r->reason)))
			continue;
		printf("    case '%s': ", tc->name);
		print_indented("", tc->message);
		if (tc->diff)
			print_indented("      ", tc->diff);
	}
	if (r->reason)
		printf("    %s\n", r->reason);
	if (r->excerpt)
		print_indented("      | ", r->excerpt);
	printf("    consoles and logs: %s/\n", j->dir);
out:
	fflush(stdout);
}

/* The finished scenarios, in plan order, into RUN and its files. */
static void write_results(struct test_run *run, struct job *jobs, size_t n,
			  int64_t start)
{
	size_t i;

	run->nscenarios = 0;
	for (i = 0; i < n; i++)
		if (jobs[i].pid < 0)
			run->scenarios[run->nscenarios++] = jobs[i].res;
	run->seconds = (now_ms() - start) / 1000.0;
	results_write(run);
}

/* How long a scenario's process has to tear its machine down after
 * SIGTERM before it is killed (domains go in about a second each). */
#define STOP_GRACE_MS 15000

static void signal_jobs(struct job *jobs, size_t n, int sig)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (jobs[i].pid <= 0)
			continue;
		if (sig == SIGKILL)
			log_warn("scenario '%s' did not end %d s after SIGTERM: killed (its leftovers are removed as by duplex clean)",
				 jobs[i].def->name, STOP_GRACE_MS / 1000);
		kill(jobs[i].pid, sig);
	}
}

/* Wait for any child, or a signal, at most MS. */
static pid_t wait_child(int *wstatus, int ms)
{
	struct pollfd p = { .fd = sigwatch_fd(), .events = POLLIN };
	pid_t pid = waitpid(-1, wstatus, WNOHANG);

	if (pid == 0) {
		poll(&p, 1, ms);
		pid = waitpid(-1, wstatus, WNOHANG);
	}
	return pid;
}

static struct job *job_of(struct job *jobs, size_t n, pid_t pid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (jobs[i].pid == pid)
			return &jobs[i];
	return NULL;
}

/* After a signal: SIGTERM to every job, once, then SIGKILL, once, after
 * STOP_GRACE_MS.  The signal pipe is drained each time, so that the wait
 * for the children sleeps instead of waking at once. */
static void stop_jobs(struct job *jobs, size_t n, int64_t *stopped_at,
		      bool *killed)
{
	sigwatch_drain();
	if (!*stopped_at) {
		*stopped_at = now_ms();
		signal_jobs(jobs, n, SIGTERM);
	} else if (!*killed && now_ms() - *stopped_at > STOP_GRACE_MS) {
		signal_jobs(jobs, n, SIGKILL);
		*killed = true;
	}
}

/* What killed scenario processes left: their state directories, bridges
 * and window files (libvirt's autodestroy took their domains). */
static void remove_leftovers(const struct duplex_paths *paths)
{
	struct machine_leftovers left;

	machine_clean_state(paths, false, &left);
}

/* The status line's note: the scenarios running now, or being stopped. */
static void note_running(struct progress *meter, const struct job *jobs,
			 size_t n, bool stopping)
{
	struct strbuf sb = STRBUF_INIT;
	char *note;
	size_t i;

	for (i = 0; i < n; i++)
		if (jobs[i].pid > 0)
			strbuf_printf(&sb, "%s%s", sb.len ? ", " :
				      stopping ? "stopping " : "running ",
				      strrchr(jobs[i].dir, '/') + 1);
	note = strbuf_detach(&sb);
	progress_note(meter, note);
	free(note);
}

/* Job J's failed scenario again on a fresh machine, if X asks (rerun.c). */
static bool rerun(struct job *j, const struct test_extra *x,
		  const struct duplex_paths *paths)
{
	if (!rerun_prepare(&j->res, j->status, j->dir, j->tries, x))
		return false;
	if (start_job(j, paths) == 0) {
		j->tries++;
		scenario_result_free(&j->res);
		return true;
	}
	rerun_restore(j->dir, j->tries + 1);
	return false;
}

/* Said at once on a signal, above the status line: the person who typed
 * Ctrl-C knows it was seen, and how long the end can take. */
static void say_stopping(struct progress *meter, size_t running)
{
	progress_suspend(meter);
	if (running)
		printf("duplex test: interrupted; stopping %zu running "
		       "scenario%s (killed if still running in %d s)\n",
		       running, running == 1 ? "" : "s", STOP_GRACE_MS / 1000);
	else
		printf("duplex test: interrupted\n");
	fflush(stdout);
}

/* Run every job, at most JOBS at once; the results after each, the
 * finished lines above METER's.  A signal stops them (SIGTERM, then
 * SIGKILL after STOP_GRACE_MS). */
static void run_jobs(struct test_run *run, struct job *jobs, size_t n,
		     unsigned max, const struct test_extra *x,
		     const struct duplex_paths *paths, struct progress *meter)
{
	size_t next = 0, done = 0, running = 0;
	int64_t start = now_ms(), stopped_at = 0;
	bool stopping = false, killed = false;
	int wstatus;

	write_results(run, jobs, n, start);
	progress_begin(meter, "duplex test", "scenario done", "scenarios done",
		       n);
	while (done < n && (running || !stopping)) {
		struct job *j;
		pid_t pid;

		while (!stopping && running < max && next < n) {
			if (start_job(&jobs[next], paths) < 0) {
				stopping = true;
				break;
			}
			next++;
			running++;
		}
		if (sigwatch_pending()) {
			if (!stopping)
				say_stopping(meter, running);
			stopping = true;
			stop_jobs(jobs, n, &stopped_at, &killed);
		}
		note_running(meter, jobs, n, stopping);
		progress_update(meter, done);
		pid = wait_child(&wstatus, 200);
		j = pid > 0 ? job_of(jobs, n, pid) : NULL;
		if (!j)
			continue;
		collect(j, wstatus);
		progress_suspend(meter);
		if (!stopping && rerun(j, x, paths))
			continue;
		rerun_conclude(&j->res, j->tries);
		running--;
		print_progress(j, ++done, n);
		write_results(run, jobs, n, start);
	}
	progress_stop(meter);
	if (killed)
		remove_leftovers(paths);
}

static int make_run(struct test_run *run, const struct duplex_paths *paths,
		    const struct selection *sel)
{
	memset(run, 0, sizeof(*run));
	long long room;

	make_run_id('t', run->run_id, sizeof(run->run_id));
	run->dir = xasprintf("%s/%s", paths->results, run->run_id);
	if (mkdir_p(paths->results, 0755) < 0)
		return -1;
	room = fs_free_bytes(paths->results);
	if (room >= 0 && room < RESULTS_MIN_FREE) {
		log_error("the file system of the results directory '%s' has %lld KiB free: a run needs at least %u KiB for its transcripts and reports; free space there, or set DUPLEX_RESULTS",
			  paths->results, room / 1024, RESULTS_MIN_FREE / 1024);
		free(run->dir);
		run->dir = NULL;
		return -1;
	}
	run->started = (int64_t)time(NULL);
	run->planned = sel->n;
	run->scenarios = xcalloc(sel->n ? sel->n : 1, sizeof(*run->scenarios));
	/* what a merge of the shards checks them against */
	test_run_set_suite(run, sel->suite, sel->nsuite);
	run->shard_index = sel->shard.index;
	run->shard_total = sel->shard.total;
	snprintf(run->shard_plan, sizeof(run->shard_plan), "%s", sel->plan);
	run->commit = project_commit(paths->root);
	if (mkdir_p(run->dir, 0755) < 0)
		return -1;
	machine_point_latest(paths->results, run->run_id);
	return 0;
}

static int exit_status(const struct job *jobs, size_t n,
		       const struct test_extra *x, bool interrupted)
{
	bool failed = false, error = interrupted;
	size_t i;

	for (i = 0; i < n; i++) {
		if (jobs[i].pid >= 0 || jobs[i].status == EXIT_ERROR)
			error = true;
		else if (rerun_fails_run(&jobs[i].res, x))
			failed = true;
	}
	if (error)
		return EXIT_ERROR;
	return failed ? EXIT_FAILED : EXIT_OK;
}

/* "duplex test: shard 2/3: 4 of 12 scenarios, ..." */
static void print_start(const struct selection *sel, unsigned jobs,
			const char *dir)
{
	printf("duplex test: ");
	if (sel->shard.total)
		printf("shard %u/%u: %zu of ", sel->shard.index,
		       sel->shard.total, sel->n);
	printf("%zu scenario%s, %u at a time; results in %s/\n",
	       sel->shard.total ? sel->nsuite : sel->n,
	       (sel->shard.total ? sel->nsuite : sel->n) == 1 ? "" : "s",
	       jobs, dir);
	fflush(stdout);
}

static int run_tests(const struct selection *sel, const struct test_options *o,
		     const struct duplex_paths *paths)
{
	struct job *jobs = sel->jobs;
	size_t i, n = sel->n;
	const struct scenario_def **defs;
	struct results_counts c;
	struct progress meter;
	struct test_run run;
	int ret;

	if (sigwatch_install() < 0 || make_run(&run, paths, sel) < 0)
		return EXIT_ERROR;
	defs = xcalloc(n, sizeof(*defs));
	for (i = 0; i < n; i++) {
		char *dir = xasprintf("%s/%s", run.dir, jobs[i].dir);

		free(jobs[i].dir);
		jobs[i].dir = dir;
		defs[i] = jobs[i].def;
	}
	print_start(sel, o->jobs, run.dir);
	/* Not on a terminal, the finished lines say it all: a log gets
	 * nothing more. */
	progress_init_stdout(&meter, o->quiet || !isatty(STDOUT_FILENO));
	run_jobs(&run, jobs, n, o->jobs, &o->x, paths, &meter);
	ret = exit_status(jobs, n, &o->x, sigwatch_pending());
	test_extra_finish(&run, defs, n, &o->x, paths, sigwatch_pending());
	c = test_run_counts(&run);
	if (sigwatch_pending())
		printf("duplex test: interrupted; %zu of %zu scenarios finished\n",
		       run.nscenarios, n);
	printf("%u passed, %u failed, %u skipped\n", c.passed, c.failed, c.skipped);
	run.nscenarios = 0;	/* the results belong to the jobs */
	test_run_free(&run);
	for (i = 0; i < n; i++)
		if (jobs[i].pid < 0)
			scenario_result_free(&jobs[i].res);
	free(defs);
	return ret;
}

/* The history shards are balanced by: one named for it (--history,
 * DUPLEX_HISTORY), never the default results/history.db, which each
 * machine has its own of and so would split the suite each its way. */
static const char *balance_history(const struct test_extra *x)
{
	const char *env = getenv("DUPLEX_HISTORY");

	if (x->no_history)
		return NULL;
	return x->history ? x->history : env && *env ? env : NULL;
}

int cmd_test(int argc, char **argv, const struct duplex_paths *paths)
{
	const char *def_path[1];
	char *dflt = NULL;
	struct scenario_set set = { 0 };
	struct selection sel;
	struct test_options o;
	int ret;

	ret = parse_test_options(argc, argv, &o);
	if (ret)
		return ret > 0 ? EXIT_OK : EXIT_ERROR;
	if (!o.npaths) {
		/* The checkout's, named as the user would from its top. */
		dflt = is_dir("scenarios") ? xstrdup("scenarios")
			: xasprintf("%s/scenarios", paths->root);
		def_path[0] = dflt;
		o.paths = def_path;
		o.npaths = 1;
	}
	ret = scenario_set_load(&set, o.paths, o.npaths);
	free(dflt);
	if (ret < 0) {
		log_error("test: the scenarios have errors (above); nothing was run");
		return EXIT_ERROR;
	}
	if (test_select(&set, o.tags, o.shard, o.shards, balance_history(&o.x),
			&sel) < 0) {
		ret = EXIT_ERROR;
	} else if (o.list || o.check) {
		if (o.list)
			test_list(&sel);
		else
			printf("duplex test: %zu scenarios, no errors\n", set.n);
		ret = EXIT_OK;
	} else if (!sel.nsuite) {
		log_error("test: no scenario has the tags '%s'", o.tags ? o.tags : "");
		ret = EXIT_ERROR;
	} else {
		/* a shard with nothing to run (more shards than scenarios)
		 * still writes its results: the merge counts on them */
		ret = run_tests(&sel, &o, paths);
	}
	selection_free(&sel);
	scenario_set_free(&set);
	return ret;
}
