/* progress: a long wait shown to the person waiting: how much is done out
 * of how much, the percentage, the time so far and, once enough is done
 * to tell, an estimate of the time left.
 *
 *   progress_begin(p, label, one, unit, total)  a wait starts (total 0:
 *                                            unknown; ONE: the unit of 1)
 *   progress_update(p, done)                 call as often as you like
 *   progress_end(p, tail)                    "LABEL: 100 % (N UNIT) in T"
 *   progress_stop(p)                         the wait ended otherwise
 *
 * On a terminal the status is one line, rewritten in place ("\r", clear to
 * the end of the line) at most every PROGRESS_REDRAW_MS; other output goes
 * above it after progress_suspend.  Elsewhere (a pipe, a CI log) a plain
 * line is printed when the percentage reaches a new tenth or
 * PROGRESS_PLAIN_MS after the last one, whichever comes first, so that a
 * log stays short.  Quiet: nothing but the final line.
 *
 * The count shown only grows and never passes the total (an expected
 * total can be a little short); it says 100 % only in the final line.
 * The clock and whether the output is a terminal are the caller's, so
 * that tests drive the meter without sleeping.  Nothing here writes to a
 * build log; the final line also goes to the harness log (log_debug). */
#ifndef DUPLEX_PROGRESS_H
#define DUPLEX_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define PROGRESS_PLAIN_MS	30000
#define PROGRESS_REDRAW_MS	250

/* Milliseconds on a clock that does not go back (now_ms). */
typedef int64_t (*progress_clock)(void);

struct progress {
	/* How: set by progress_init. */
	FILE *out;
	bool tty, quiet;
	unsigned width;		/* a terminal's columns; 0: no limit */
	progress_clock clock;
	/* The wait being shown. */
	char label[64], unit_one[24], unit[24], note[64];
	uint64_t total, done;
	int64_t start, shown_at;
	unsigned shown_tenth;
	bool active, on_screen;
};

/* QUIET leaves only the final lines; WIDTH 0 does not cut lines. */
void progress_init(struct progress *p, FILE *out, bool tty, unsigned width,
		   bool quiet, progress_clock clock);
/* The usual meter: stdout, a terminal if it is one, now_ms. */
void progress_init_stdout(struct progress *p, bool quiet);

/* UNIT_ONE and UNIT: what is counted, for a count of 1 and any other
 * ("object compiled", "objects compiled"). */
void progress_begin(struct progress *p, const char *label,
		    const char *unit_one, const char *unit, uint64_t total);
void progress_update(struct progress *p, uint64_t done);
/* What is going on now ("running busybox-ls"), shown after the figures;
 * "" for nothing. */
void progress_note(struct progress *p, const char *note);
/* Take the status line off a terminal before printing other lines; the
 * next progress_update draws it again below them. */
void progress_suspend(struct progress *p);
/* The final line, with the time since progress_begin and TAIL appended. */
void progress_end(struct progress *p, const char *tail);
/* Take the status line away without a final line (a failure, nothing to
 * do). */
void progress_stop(struct progress *p);

/* "12.3 s" under a minute, "4m05s" above. */
void progress_format_duration(int64_t ms, char *buf, size_t size);

#endif
