/* history_query: what the recorded runs say of a run's scenarios (their
 * marks) and of every scenario's duration (history.h). */
#include "report.h"
#include "histdb.h"
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

/* A scenario is flaky when its last this many verdicts on one commit and
 * kernels hold both a pass and a failure. */
#define FLAKY_WINDOW 10

/* What the history holds of one scenario. */
struct seen {
	int prev;		/* verdict in the suite's previous run; -1 */
	bool passed, failed;	/* among its last verdicts on these images */
};

/* A recorded verdict ("pass" after ATTEMPTS > 1 is a pass and a failure)
 * added to SEEN. */
static void add_seen(struct seen *seen, const char *verdict, int attempts)
{
	if (!strcmp(verdict, "fail")) {
		seen->failed = true;
	} else if (!strcmp(verdict, "pass")) {
		seen->passed = true;
		seen->failed |= attempts > 1;
	}
}

static enum scenario_mark mark_of(const struct scenario_result *s,
				  struct seen seen)
{
	if (s->verdict == VERDICT_SKIP)
		return MARK_NONE;
	add_seen(&seen, s->verdict == VERDICT_PASS ? "pass" : "fail",
		 (int)s->attempts);
	if (seen.passed && seen.failed)
		return MARK_FLAKY;
	if (seen.prev == VERDICT_PASS && s->verdict == VERDICT_FAIL)
		return MARK_NEW_FAILURE;
	if (seen.prev == VERDICT_FAIL && s->verdict == VERDICT_PASS)
		return MARK_FIXED;
	return MARK_NONE;
}

/* The row id of the run of META's suite recorded last before R; 0: none. */
static int previous_run(struct histdb *h, const struct test_run *r,
			const struct history_meta *m, sqlite3_int64 *id)
{
	sqlite3_stmt *st = histdb_prepare(h,
		"SELECT id FROM runs WHERE suite = ? AND run_id <> ?"
		" AND started <= ? ORDER BY started DESC, id DESC LIMIT 1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, m->suite, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, r->run_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, r->started);
	rc = histdb_step(h, st);
	*id = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* Scenario S's verdict in run PREV into SEEN. */
static int seen_before(struct histdb *h, sqlite3_int64 prev,
		       const struct scenario_result *s, struct seen *seen)
{
	sqlite3_stmt *st = histdb_prepare(h,
		"SELECT verdict FROM results WHERE run = ? AND scenario = ?");
	const char *v;
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, prev);
	sqlite3_bind_text(st, 2, s->slug, -1, SQLITE_STATIC);
	rc = histdb_step(h, st);
	if (rc == SQLITE_ROW) {
		v = histdb_text(st, 0);
		seen->prev = !strcmp(v, "pass") ? VERDICT_PASS
			   : !strcmp(v, "fail") ? VERDICT_FAIL : -1;
	}
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* Scenario S's last verdicts before R on META's commit and images. */
static int seen_recently(struct histdb *h, const struct test_run *r,
			 const struct history_meta *m,
			 const struct scenario_result *s, struct seen *seen)
{
	sqlite3_stmt *st = histdb_prepare(h,
		"SELECT r.verdict, r.attempts FROM results r"
		" JOIN runs u ON u.id = r.run"
		" WHERE r.scenario = ? AND u.commit_id = ? AND u.kernel = ?"
		" AND u.initramfs = ? AND u.run_id <> ? AND u.started <= ?"
		" AND r.verdict <> 'skip'"
		" ORDER BY u.started DESC, u.id DESC LIMIT ?");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, s->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, m->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, m->kernel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, m->initramfs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, r->run_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, r->started);
	sqlite3_bind_int(st, 7, FLAKY_WINDOW - 1);
	while ((rc = histdb_step(h, st)) == SQLITE_ROW)
		add_seen(seen, histdb_text(st, 0), sqlite3_column_int(st, 1));
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* Every scenario's mark into MARKS. */
static int marks_of(struct histdb *h, const struct test_run *r,
		    const struct history_meta *m, enum scenario_mark *marks)
{
	sqlite3_int64 prev = 0;
	size_t i;

	if (h->db && previous_run(h, r, m, &prev) < 0)
		return -1;
	for (i = 0; i < r->nscenarios; i++) {
		const struct scenario_result *s = &r->scenarios[i];
		struct seen seen = { .prev = -1 };

		if (h->db && ((prev && seen_before(h, prev, s, &seen) < 0) ||
			      seen_recently(h, r, m, s, &seen) < 0))
			return -1;
		marks[i] = mark_of(s, seen);
	}
	return 0;
}

int history_mark(struct test_run *r, const struct history_meta *m)
{
	enum scenario_mark *marks = xcalloc(r->nscenarios + 1, sizeof(*marks));
	struct histdb h;
	size_t i;
	int ret = -1;

	if (histdb_open(&h, m->path, "reading the runs before this one (for report.html's marks)",
			false, m->busy_ms) < 0)
		goto out;
	ret = marks_of(&h, r, m, marks);
	histdb_abandon(&h);
	for (i = 0; i < r->nscenarios && !ret; i++)
		r->scenarios[i].mark = marks[i];
out:
	free(marks);
	return ret;
}

int history_durations(const char *path, struct history_duration **d,
		      size_t *n)
{
	struct histdb h;
	sqlite3_stmt *st;
	int rc;

	*d = NULL;
	*n = 0;
	if (histdb_open(&h, path, "reading the scenarios' durations", false, 0) < 0)
		return -1;
	if (!h.db)
		return 0;
	st = histdb_prepare(&h,
		"SELECT scenario, seconds FROM (SELECT r.scenario, r.seconds,"
		" row_number() OVER (PARTITION BY r.scenario"
		" ORDER BY u.started DESC, u.id DESC) AS k"
		" FROM results r JOIN runs u ON u.id = r.run"
		" WHERE r.verdict <> 'skip') WHERE k = 1 ORDER BY scenario");
	if (!st) {
		histdb_abandon(&h);
		return -1;
	}
	while ((rc = histdb_step(&h, st)) == SQLITE_ROW) {
		*d = xrealloc(*d, (*n + 1) * sizeof(**d));
		(*d)[*n].id = xstrdup(histdb_text(st, 0));
		(*d)[(*n)++].seconds = sqlite3_column_double(st, 1);
	}
	sqlite3_finalize(st);
	histdb_abandon(&h);
	if (rc == SQLITE_DONE)
		return 0;
	history_durations_free(*d, *n);
	*d = NULL;
	*n = 0;
	return -1;
}

void history_durations_free(struct history_duration *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(d[i].id);
	free(d);
}
