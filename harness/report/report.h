/* report: what a `duplex test` run found, and the files that say it.
 * The public header of report/: the rest of the harness includes this
 * file only.  Modules: model.c (this file's types), store.c (a result
 * to a file and back), write.c with the writers json.c, tap.c, junit.c
 * and html.c (writers.h), fmt.c (what the writers share), udiff.c (line
 * diffs, udiff.h), merge.c (shards' runs into one) with shardread.c and
 * jsonread.c (a summary.json read back; merge.h, jsonread.h), history.c
 * and history_query.c (runs in a database across runs, history.h).
 *
 * A run is scenarios; a scenario is test cases (one per duplex::run or
 * duplex::check, plus one for the scenario itself when it failed as a
 * whole or recorded no case).  The counts on the terminal's closing line,
 * in summary.json, results.tap and junit.xml are the same numbers: test
 * cases.
 *
 * Layout of a run directory (results/<run-id>/):
 *   summary.json  results.tap  junit.xml  report.html
 *   <slug>/serialK.log   console transcripts of scenario <slug>, every
 *                        byte (up to the profile's transcript_limit_kib)
 *   <slug>/harness.log   its harness log
 *   <slug>/result        the scenario's result (results_store), written by
 *                        the process that ran it, read by the runner
 * Every file is written atomically (temp file + rename): a run that is
 * killed keeps what it had finished. */
#ifndef DUPLEX_REPORT_H
#define DUPLEX_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/base.h"
#include "history.h"
#include "udiff.h"

enum verdict {
	VERDICT_PASS,
	VERDICT_FAIL,
	VERDICT_SKIP,
};

/* What the history says of a scenario's verdict (history.h), or a pass
 * after failed attempts (duplex test --rerun-failed): flaky. */
enum scenario_mark {
	MARK_NONE,
	MARK_NEW_FAILURE,	/* it passed in the suite's previous run */
	MARK_FIXED,		/* it failed in the suite's previous run */
	MARK_FLAKY,		/* it passed and failed on one commit and kernels */
};

/* One console's part in a test case. */
struct case_console {
	char name[16];		/* "serial0" */
	char *output;		/* normalised output of the command; NULL: none */
	int status;		/* its exit status; -1: unknown */
	/* Where the command's output is in the console's transcript (byte
	 * offsets in what the console printed; TO 0: unknown), for the
	 * excerpt around it. */
	uint64_t from, to;
};

struct test_case {
	char *name;		/* "busybox ls /" */
	enum verdict verdict;
	double seconds;
	char *message;		/* why it failed or was skipped; on a pass
				 * NULL or what was checked */
	char *diff;		/* unified diff between consoles; NULL: none */
	/* duplex::mvx: the syscall divergences mvx published in the window,
	 * as the harness words them (mvx_div_format); NULL: none. */
	char *syscall_divergence;
	bool diverge;		/* the case expected the consoles to differ */
	unsigned nconsoles;
	struct case_console con[DUPLEX_MAX_PARTITIONS];
};

struct scenario_result {
	char *name;		/* the scenario's NAME */
	char *file;		/* its file, as the user named it */
	unsigned line;		/* line of its `scenario` command */
	char *slug;		/* its directory in the run: [a-z0-9-], unique */
	enum verdict verdict;	/* FAIL if any case failed */
	char *reason;		/* scenario-level failure ("kernel panic on
				 * serial1: ..."); NULL: none */
	char *excerpt;		/* console lines that show the reason; NULL */
	int fail_console;	/* the console of the reason, -1: none ... */
	uint64_t fail_at;	/* ... and how far it had printed then */
	uint64_t transcript_limit; /* bytes a transcript keeps (transcript.h) */
	double seconds;
	unsigned nconsoles;	/* transcripts <slug>/serial0.log .. */
	struct test_case *cases;
	size_t ncases;
	/* Set by the runner, not kept by results_store: how often the
	 * scenario ran (0 or 1: once; more with --rerun-failed, earlier
	 * attempts in <slug>.tryN/), and its mark. */
	unsigned attempts;
	enum scenario_mark mark;
};

/* A scenario of a run's suite: what `duplex test` selected before a
 * shard took its share, so that the shards' results can be merged and
 * checked against one another (merge.c). */
struct suite_entry {
	char *id;		/* its slug: unique in the suite */
	char *name;
	char *file;
	unsigned line;
};

struct test_run {
	char run_id[32];
	char *dir;		/* results/<run-id>, absolute */
	int64_t started;	/* wall clock, seconds since the epoch */
	double seconds;		/* so far */
	size_t planned;		/* scenarios selected to run */
	struct scenario_result *scenarios;	/* finished ones, in plan order */
	size_t nscenarios;
	/* The suite, of which this run ran shard SHARD_INDEX of SHARD_TOTAL
	 * (from 1; total 0: all of it), at COMMIT of the project ("unknown"
	 * outside a git checkout).  NULL, 0: not recorded. */
	struct suite_entry *suite;
	size_t nsuite;
	unsigned shard_index, shard_total;
	char shard_plan[17];	/* durations it was balanced by; "": count */
	/* What it booted (history.h): hashes of the kernel and initramfs
	 * images; "": not known. */
	char kernel_hash[17], initramfs_hash[17];
	char *commit;
};

struct results_counts {
	unsigned passed, failed, skipped;
};

/* Add a case to S (copies every string) and return it. */
struct test_case *scenario_add_case(struct scenario_result *s, const char *name);
void scenario_result_free(struct scenario_result *s);
void test_run_free(struct test_run *r);

/* Copy the N entries of SUITE into R's suite. */
void test_run_set_suite(struct test_run *r, const struct suite_entry *suite,
			size_t n);
/* The suite's hash: 16 hex digits of its ids and names, in order. */
void suite_hash(const struct suite_entry *suite, size_t n, char hex[17]);
/* "PASS", "FAIL", "SKIP", or "FLAKY": a pass after failed attempts. */
const char *scenario_verdict_word(const struct scenario_result *s);
/* "new failure", "fixed", "flaky"; NULL for none. */
const char *scenario_mark_word(enum scenario_mark m);
/* Why S failed, in one line: its reason, else its first failed case and
 * the first line of that case's message (malloc'd); NULL: it did not. */
char *scenario_failure(const struct scenario_result *s);

/* Test-case counts of S, or of the whole run. */
struct results_counts scenario_counts(const struct scenario_result *s);
struct results_counts test_run_counts(const struct test_run *r);

/* A scenario result to a file and back (the process that ran the
 * scenario writes it, the runner reads it).  Load reports a missing or
 * corrupt file (naming it) and returns -1; *S is then empty. */
int results_store_save(const struct scenario_result *s, const char *path);
int results_store_load(struct scenario_result *s, const char *path);

/* Write summary.json, results.tap (KTAP), junit.xml and report.html into
 * R->dir, each atomically, from what R holds now (called after every
 * scenario, so the files always describe what has finished).  The HTML
 * report embeds the tail of each scenario's transcripts. */
int results_write(const struct test_run *r);

/* The runs of a suite's shards merged into one, as if one run had run
 * the whole suite (`duplex results merge`). */
struct results_merge {
	struct test_run run;	/* every scenario of the suite, in order;
				 * the caller sets run.dir and run.run_id */
	char **from;		/* per scenario: its directory in the shard
				 * that ran it; NULL: none did */
	size_t not_run;		/* scenarios no shard ran: they fail with
				 * reason "not run" */
};

/* Read the N results directories DIRS (each of a `duplex test` run,
 * sharded or not) into M.  -1 (reported, naming the directories and
 * what differs) when a summary.json is missing or corrupt, when they
 * ran different suites or commits, or when two ran the same scenario. */
int results_merge_read(struct results_merge *m, const char *const *dirs,
		       size_t n);
/* Copy (hard link where it can) each scenario's directory into
 * M->run.dir, which exists, then write the run's files there. */
int results_merge_write(const struct results_merge *m);
void results_merge_free(struct results_merge *m);

#endif
