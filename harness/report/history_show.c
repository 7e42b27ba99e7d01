/* history_show: the recorded runs for a person (`duplex history`,
 * history.h): the last runs, then each scenario's verdicts in them. */
#include "report.h"
#include "histdb.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The runs shown: the last ?2, those that ran scenario ?1 when it is set
 * (an id or a name). */
#define SHOWN_RUNS \
	"SELECT u.id, u.run_id, u.started, u.commit_id, s.verdict," \
	" s.attempts, s.seconds, s.reason FROM runs u LEFT JOIN results s" \
	" ON s.run = u.id AND (s.scenario = ?1 OR s.name = ?1)" \
	" WHERE ?1 IS NULL OR s.run IS NOT NULL" \
	" ORDER BY u.started DESC, u.id DESC LIMIT ?2"

static const char runs_sql[] =
	"SELECT run_id, started, commit_id,"
	" (SELECT count(*) FROM results WHERE run = w.id AND verdict = 'pass'),"
	" (SELECT count(*) FROM results WHERE run = w.id AND verdict = 'fail'),"
	" verdict, attempts, seconds, reason"
	" FROM (" SHOWN_RUNS ") w ORDER BY started, id";

static const char verdicts_sql[] =
	"SELECT r.scenario, r.verdict, r.attempts FROM results r"
	" JOIN (" SHOWN_RUNS ") w ON w.id = r.run"
	" WHERE ?1 IS NULL OR r.scenario = ?1 OR r.name = ?1"
	" ORDER BY r.scenario, w.started, w.id";

/* A recorded verdict as one letter: P, F, S, or R (passed on a rerun). */
static char letter(const char *verdict, int attempts)
{
	if (!strcmp(verdict, "pass"))
		return attempts > 1 ? 'R' : 'P';
	return !strcmp(verdict, "fail") ? 'F' : 'S';
}

static sqlite3_stmt *shown(struct histdb *h, const char *sql,
			   const char *scenario, unsigned last)
{
	sqlite3_stmt *st = histdb_prepare(h, sql);

	if (!st)
		return NULL;
	sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, last);
	return st;
}

/* One run's line; with a scenario, its verdict, duration and reason. */
static void print_run(sqlite3_stmt *st, bool scenario, FILE *out)
{
	time_t t = (time_t)sqlite3_column_int64(st, 1);
	char when[24] = "?";
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	fprintf(out, "%-16s %-19s  %-12.12s %6d %6d", histdb_text(st, 0), when,
		histdb_text(st, 2), sqlite3_column_int(st, 3),
		sqlite3_column_int(st, 4));
	if (scenario)
		fprintf(out, "   %c %8.1f s%s%s", letter(histdb_text(st, 5),
						    sqlite3_column_int(st, 6)),
			sqlite3_column_double(st, 7),
			*histdb_text(st, 8) ? "  " : "", histdb_text(st, 8));
	fputc('\n', out);
}

static int print_runs(struct histdb *h, const char *scenario, unsigned last,
		      FILE *out)
{
	sqlite3_stmt *st = shown(h, runs_sql, scenario, last);
	int rc;

	if (!st)
		return -1;
	fprintf(out, "%-16s %-19s  %-12s %6s %6s%s\n", "run", "started (UTC)",
		"commit", "passed", "failed",
		scenario ? "   verdict, duration, reason" : "");
	while ((rc = histdb_step(h, st)) == SQLITE_ROW)
		print_run(st, scenario, out);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* Each scenario's verdicts in the runs shown, oldest first. */
static int print_verdicts(struct histdb *h, const char *scenario,
			  unsigned last, FILE *out)
{
	sqlite3_stmt *st = shown(h, verdicts_sql, scenario, last);
	struct strbuf sb = STRBUF_INIT;
	char *id = NULL;
	int rc;

	if (!st)
		return -1;
	fputs("\nverdicts, oldest first (P pass, F fail, S skip, R passed on a rerun):\n",
	      out);
	while ((rc = histdb_step(h, st)) == SQLITE_ROW) {
		if (!id || strcmp(id, histdb_text(st, 0))) {
			if (id)
				fprintf(out, "  %-48s %s\n", id, sb.s);
			free(id);
			id = xstrdup(histdb_text(st, 0));
			strbuf_release(&sb);
		}
		strbuf_printf(&sb, "%c", letter(histdb_text(st, 1),
						sqlite3_column_int(st, 2)));
	}
	if (id && rc == SQLITE_DONE)
		fprintf(out, "  %-48s %s\n", id, sb.s);
	free(id);
	strbuf_release(&sb);
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

/* How many runs there are (that ran SCENARIO, if set), into *N. */
static int count_runs(struct histdb *h, const char *scenario, long long *n)
{
	sqlite3_stmt *st = histdb_prepare(h,
		"SELECT count(*) FROM runs u WHERE ?1 IS NULL OR EXISTS"
		" (SELECT 1 FROM results WHERE run = u.id"
		" AND (scenario = ?1 OR name = ?1))");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, scenario, -1, SQLITE_STATIC);
	rc = histdb_step(h, st);
	*n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc < 0 ? -1 : 0;
}

static int print_history(struct histdb *h, const char *scenario,
			 unsigned last, FILE *out)
{
	long long n;

	if (count_runs(h, scenario, &n) < 0)
		return -1;
	if (!n && scenario) {
		log_error("history %s: no run recorded there ran scenario '%s' (give its id as `duplex history` lists them, or its name)",
			  h->path, scenario);
		return -1;
	}
	fprintf(out, "history %s: %lld run%s%s%s%s; the last %lld, oldest first\n",
		h->path, n, n == 1 ? "" : "s", scenario ? " of scenario '" : "",
		scenario ? scenario : "", scenario ? "'" : "",
		n < last ? n : (long long)last);
	if (!n)
		return 0;
	if (print_runs(h, scenario, last, out) < 0)
		return -1;
	return print_verdicts(h, scenario, last, out);
}

int history_print(const char *path, unsigned last, const char *scenario,
		  FILE *out)
{
	struct histdb h;
	int ret;

	if (histdb_open(&h, path, "reading the runs", false, 0) < 0)
		return -1;
	if (!h.db) {
		fprintf(out, "history %s: no run recorded yet (duplex test records every run)\n",
			path);
		return 0;
	}
	ret = print_history(&h, scenario, last, out);
	histdb_abandon(&h);
	return ret;
}
