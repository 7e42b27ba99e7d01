/* history: a run recorded in the history database, where that database
 * is, and a suite's id (history.h). */
#include "report.h"
#include "fmt.h"
#include "histdb.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

char *history_path(const struct duplex_paths *paths, const char *option)
{
	const char *env = getenv("DUPLEX_HISTORY");

	if (option)
		return xstrdup(option);
	if (env && *env)
		return xstrdup(env);
	return xasprintf("%s/history.db", paths->results);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void history_suite(const char *const *ids, size_t n,
		   char out[HISTORY_HASH_LEN])
{
	const char **sorted = xcalloc(n ? n : 1, sizeof(*sorted));
	uint64_t h = FNV1A_START;
	size_t i;

	memcpy(sorted, ids, n * sizeof(*sorted));
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	/* Each id with its NUL: {"ab", "c"} is not {"a", "bc"}. */
	for (i = 0; i < n; i++)
		h = fnv1a(h, sorted[i], strlen(sorted[i]) + 1);
	snprintf(out, HISTORY_HASH_LEN, "%016llx", (unsigned long long)h);
	free(sorted);
}

/* A run recorded again (a merge of it redone) replaces the old record. */
static int forget_run(struct histdb *h, const char *run_id)
{
	static const char *const sql[] = {
		"DELETE FROM results WHERE run IN (SELECT id FROM runs WHERE run_id = ?1)",
		"DELETE FROM runs WHERE run_id = ?1",
	};
	sqlite3_stmt *st;
	size_t i;
	int rc;

	for (i = 0; i < ARRAY_SIZE(sql); i++) {
		st = histdb_prepare(h, sql[i]);
		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, run_id, -1, SQLITE_STATIC);
		rc = histdb_step(h, st);
		sqlite3_finalize(st);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int insert_run(struct histdb *h, const struct test_run *r,
		      const struct history_meta *m, sqlite3_int64 *id)
{
	sqlite3_stmt *st = histdb_prepare(h,
		"INSERT INTO runs (run_id, started, seconds, planned, commit_id,"
		" kernel, initramfs, host, suite)"
		" VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, r->run_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, r->started);
	sqlite3_bind_double(st, 3, r->seconds);
	sqlite3_bind_int64(st, 4, (sqlite3_int64)r->planned);
	sqlite3_bind_text(st, 5, m->commit, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, m->kernel, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, m->initramfs, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, m->host, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 9, m->suite, -1, SQLITE_STATIC);
	rc = histdb_step(h, st);
	sqlite3_finalize(st);
	*id = sqlite3_last_insert_rowid(h->db);
	return rc < 0 ? -1 : 0;
}

static int insert_result(struct histdb *h, sqlite3_stmt *st,
			 sqlite3_int64 run, const struct scenario_result *s)
{
	char *reason = scenario_failure(s);
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, run);
	sqlite3_bind_text(st, 2, s->slug, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, s->file, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, fmt_verdict(s->verdict), -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 6, s->attempts ? (int)s->attempts : 1);
	sqlite3_bind_double(st, 7, s->seconds);
	sqlite3_bind_text(st, 8, reason, -1, SQLITE_TRANSIENT);
	rc = histdb_step(h, st);
	free(reason);
	return rc < 0 ? -1 : 0;
}

static int record(struct histdb *h, const struct test_run *r,
		  const struct history_meta *m)
{
	sqlite3_stmt *st;
	sqlite3_int64 id;
	size_t i;
	int ret = 0;

	if (forget_run(h, r->run_id) < 0 || insert_run(h, r, m, &id) < 0)
		return -1;
	st = histdb_prepare(h,
		"INSERT INTO results (run, scenario, name, file, verdict,"
		" attempts, seconds, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
	if (!st)
		return -1;
	for (i = 0; i < r->nscenarios && !ret; i++)
		ret = insert_result(h, st, id, &r->scenarios[i]);
	sqlite3_finalize(st);
	return ret;
}

int history_record(const struct test_run *r, const struct history_meta *m)
{
	char *doing = xasprintf("recording run %s", r->run_id);
	struct histdb h;
	int ret = -1;

	if (histdb_open(&h, m->path, doing, true, m->busy_ms) < 0)
		goto out;
	if (record(&h, r, m) < 0)
		histdb_abandon(&h);
	else
		ret = histdb_close(&h);
out:
	free(doing);
	return ret;
}

static const char *known(const char *s)
{
	return s && *s ? s : "unknown";
}

void history_use(struct test_run *r, const char *path)
{
	const char **ids = xcalloc(r->nscenarios + 1, sizeof(*ids));
	char suite[HISTORY_HASH_LEN], host[256] = "unknown";
	struct history_meta m = {
		.path = path, .commit = known(r->commit),
		.kernel = known(r->kernel_hash),
		.initramfs = known(r->initramfs_hash), .host = host,
		.suite = suite,
	};
	size_t i;

	for (i = 0; i < r->nscenarios; i++)
		ids[i] = r->scenarios[i].slug;
	history_suite(ids, r->nscenarios, suite);
	if (gethostname(host, sizeof(host) - 1) < 0)
		snprintf(host, sizeof(host), "unknown");
	if (history_mark(r, &m) == 0) {
		results_write(r);
		history_record(r, &m);
	}
	free(ids);
}
