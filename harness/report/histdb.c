/* histdb: the history database opened and checked, and its errors said
 * once in words that tell what to do (histdb.h). */
#define _GNU_SOURCE
#include "histdb.h"
#include "history.h"
#include "base/base.h"

#include <libgen.h>
#include <stdlib.h>
#include <string.h>

/* What a person does about a database that is not a history we can use:
 * the run's results are in its directory either way. */
#define WHAT_TO_DO "move it away or delete it (a new history starts there), or give another with --history PATH or DUPLEX_HISTORY, or run with --no-history"

static const char schema[] =
	"CREATE TABLE runs ("
	" id INTEGER PRIMARY KEY,"
	" run_id TEXT NOT NULL UNIQUE,"
	" started INTEGER NOT NULL,"
	" seconds REAL NOT NULL,"
	" planned INTEGER NOT NULL,"
	" commit_id TEXT NOT NULL,"
	" kernel TEXT NOT NULL,"
	" initramfs TEXT NOT NULL,"
	" host TEXT NOT NULL,"
	" suite TEXT NOT NULL);"
	"CREATE INDEX runs_suite ON runs(suite, started);"
	"CREATE TABLE results ("
	" run INTEGER NOT NULL REFERENCES runs(id),"
	" scenario TEXT NOT NULL,"
	" name TEXT NOT NULL,"
	" file TEXT NOT NULL,"
	" verdict TEXT NOT NULL CHECK (verdict IN ('pass', 'fail', 'skip')),"
	" attempts INTEGER NOT NULL,"
	" seconds REAL NOT NULL,"
	" reason TEXT,"
	" PRIMARY KEY (run, scenario));"
	"CREATE INDEX results_scenario ON results(scenario);";

int histdb_fail(struct histdb *h, int rc)
{
	const char *why = h->db ? sqlite3_errmsg(h->db) : sqlite3_errstr(rc);

	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		log_error("history database '%s' stayed locked by another process for %.1f s while %s: gave up (a duplex holds it for milliseconds: does another program keep a transaction open on it?)",
			  h->path, h->busy_ms / 1000.0, h->doing);
		break;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		log_error("history database '%s' is corrupt (%s), found while %s: " WHAT_TO_DO,
			  h->path, why, h->doing);
		break;
	default:
		log_error("history database '%s': %s, while %s: give another with --history PATH or DUPLEX_HISTORY, or run with --no-history",
			  h->path, why, h->doing);
	}
	return -1;
}

/* A statement that does not prepare on a file that passed the checks of
 * check_schema: its tables are not those of this version. */
sqlite3_stmt *histdb_prepare(struct histdb *h, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(h->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK)
		return st;
	if ((rc & 0xff) == SQLITE_ERROR)
		log_error("history database '%s' does not have the tables of a duplex history (%s), found while %s: " WHAT_TO_DO,
			  h->path, sqlite3_errmsg(h->db), h->doing);
	else
		histdb_fail(h, rc);
	return NULL;
}

int histdb_step(struct histdb *h, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return rc;
	return histdb_fail(h, rc);
}

const char *histdb_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static int exec(struct histdb *h, const char *sql)
{
	int rc = sqlite3_exec(h->db, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? 0 : histdb_fail(h, rc);
}

/* The single number SQL returns into *V. */
static int query_int(struct histdb *h, const char *sql, long long *v)
{
	sqlite3_stmt *st = histdb_prepare(h, sql);
	int rc;

	if (!st)
		return -1;
	rc = histdb_step(h, st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -1;
}

static int make_schema(struct histdb *h)
{
	char *sql = xasprintf("%sPRAGMA application_id = %d; PRAGMA user_version = %d;",
			      schema, HISTDB_APP_ID, HISTDB_VERSION);
	int ret = exec(h, sql);

	free(sql);
	return ret;
}

/* Every column of the tables, for a file whose version is right but
 * whose tables were changed by hand. */
static int check_columns(struct histdb *h)
{
	static const char *const sql[] = {
		"SELECT id, run_id, started, seconds, planned, commit_id, kernel,"
		" initramfs, host, suite FROM runs LIMIT 0",
		"SELECT run, scenario, name, file, verdict, attempts, seconds,"
		" reason FROM results LIMIT 0",
	};
	sqlite3_stmt *st;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(sql); i++) {
		st = histdb_prepare(h, sql[i]);
		if (!st)
			return -1;
		sqlite3_finalize(st);
	}
	return 0;
}

/* A duplex history of this version, or a new empty file: made one when
 * writing, no database when reading. */
static int check_schema(struct histdb *h, bool write)
{
	long long app, version, objects;

	if (query_int(h, "PRAGMA application_id", &app) < 0 ||
	    query_int(h, "PRAGMA user_version", &version) < 0 ||
	    query_int(h, "SELECT count(*) FROM sqlite_master", &objects) < 0)
		return -1;
	if (app == HISTDB_APP_ID && version == HISTDB_VERSION)
		return check_columns(h);
	if (!app && !version && !objects) {
		if (write)
			return make_schema(h);
		sqlite3_close(h->db);
		h->db = NULL;
		return 0;
	}
	if (app != HISTDB_APP_ID)
		log_error("history database '%s' is not a duplex history (an SQLite database of another program: application id %#llx), found while %s: " WHAT_TO_DO,
			  h->path, (unsigned long long)app, h->doing);
	else
		log_error("history database '%s' has schema version %lld, this duplex knows version %d, found while %s: " WHAT_TO_DO,
			  h->path, version, HISTDB_VERSION, h->doing);
	return -1;
}

/* The directory the database goes in (results/, on a first run). */
static int make_parent(const char *path)
{
	char *copy = xstrdup(path);
	int ret = mkdir_p(dirname(copy), 0755);

	free(copy);
	return ret;
}

int histdb_open(struct histdb *h, const char *path, const char *doing,
		bool write, unsigned busy_ms)
{
	int flags = write ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
			  : SQLITE_OPEN_READONLY;
	int rc;

	*h = (struct histdb){ .path = path, .doing = doing,
			      .busy_ms = busy_ms ? busy_ms : HISTORY_BUSY_MS };
	if (!write && !path_exists(path))
		return 0;
	if (write && make_parent(path) < 0)
		return -1;
	rc = sqlite3_open_v2(path, &h->db, flags, NULL);
	if (rc != SQLITE_OK) {
		histdb_fail(h, rc);
		histdb_abandon(h);
		return -1;
	}
	sqlite3_extended_result_codes(h->db, 1);
	sqlite3_busy_timeout(h->db, (int)h->busy_ms);
	if ((write && exec(h, "BEGIN IMMEDIATE") < 0) ||
	    check_schema(h, write) < 0) {
		histdb_abandon(h);
		return -1;
	}
	return 0;
}

int histdb_close(struct histdb *h)
{
	int ret = 0;

	if (h->db && !sqlite3_get_autocommit(h->db))
		ret = exec(h, "COMMIT");
	histdb_abandon(h);
	return ret;
}

void histdb_abandon(struct histdb *h)
{
	/* Closing with a transaction open rolls it back. */
	sqlite3_close(h->db);
	h->db = NULL;
}
