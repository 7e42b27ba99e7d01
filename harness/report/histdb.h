/* histdb: the history database opened, its schema checked, its errors
 * worded (private to report/; history.c and history_query.c use it). */
#ifndef DUPLEX_REPORT_HISTDB_H
#define DUPLEX_REPORT_HISTDB_H

#include <sqlite3.h>
#include <stdbool.h>

/* application_id of a duplex history ("dplx"), and its schema version. */
#define HISTDB_APP_ID 0x64706c78
#define HISTDB_VERSION 1

struct histdb {
	sqlite3 *db;		/* NULL: no database (a reader's missing file) */
	const char *path;
	const char *doing;	/* for messages: "recording run t1-ab12" */
	unsigned busy_ms;
};

/* Open PATH for DOING.  WRITE: read-write, created when missing, with a
 * write transaction begun (BEGIN IMMEDIATE) and the schema made in a new
 * file; else read-only, and a missing file leaves H->db NULL.  0 or -1
 * (reported; H is closed). */
int histdb_open(struct histdb *h, const char *path, const char *doing,
		bool write, unsigned busy_ms);
/* Commit the write transaction, if any, and close.  0 or -1 (reported). */
int histdb_close(struct histdb *h);
/* Close without committing (after an error). */
void histdb_abandon(struct histdb *h);

/* Report sqlite's error RC once, in words that say what to do; -1. */
int histdb_fail(struct histdb *h, int rc);

/* SQL prepared, or NULL (reported: a statement the schema does not fit
 * means a file that is not this version's history). */
sqlite3_stmt *histdb_prepare(struct histdb *h, const char *sql);
/* sqlite3_step; SQLITE_ROW or SQLITE_DONE, else the error is reported
 * and -1 returned. */
int histdb_step(struct histdb *h, sqlite3_stmt *st);
/* Column I of the current row as a string, "" for NULL. */
const char *histdb_text(sqlite3_stmt *st, int i);

#endif
