/* matcher: the text of one console as it arrives, with a cursor for
 * expect-style matching and a watch for kernel failure reports.  Pure text
 * processing, separate from the console's I/O so that it can be tested
 * alone. */
#ifndef DUPLEX_MATCHER_H
#define DUPLEX_MATCHER_H

#include <stdbool.h>
#include <regex.h>
#include <stddef.h>

/* The text matcher, separate from I/O so that it can be tested alone. */
struct console_matcher {
	char *buf;		/* everything seen, NUL-terminated */
	size_t len, cap;
	size_t cursor;		/* matching starts here */
	size_t scanned;		/* failure patterns checked up to here */
	char failure[256];	/* first failure line seen ("" if none) */
	bool watch_failures;	/* look for them at all (matcher_init: yes) */
	/* The last pattern looked for, compiled once, and how far its
	 * search from the cursor got: a wait looks every few milliseconds
	 * while a guest may print megabytes, so each look starts at the
	 * last incomplete line, never again at the cursor. */
	char *re;		/* NULL: none yet */
	regex_t rx;
	bool line_bound;	/* RE cannot match across a line end */
	size_t search_cursor;	/* the cursor that SEARCHED belongs to */
	size_t searched;	/* no match of RE starts before this */
	size_t examined;	/* bytes searched in all, for the tests */
};

void matcher_init(struct console_matcher *m);
void matcher_free(struct console_matcher *m);
/* Append bytes read from the console (NULs dropped). */
void matcher_feed(struct console_matcher *m, const char *data, size_t len);
/* Search extended regex RE in the text after the cursor; on a match move
 * the cursor past it and return 1 (and the match in *start and *end as
 * offsets into buf if non-NULL), 0 if no match yet, -1 if RE is invalid
 * (reported, WHO naming the console).  Lines: ^ and $ match at the start
 * and end of a line, and a line ends with LF or CR LF ("^42$" matches
 * "42\r\n"); the end of what has arrived is not a line end; . never
 * matches a newline.  Asked again for the same RE and cursor, only what
 * came since the last complete line searched is searched: the cost of a
 * wait grows with the output, not with its square. */
int matcher_find(struct console_matcher *m, const char *re, size_t *start,
		 size_t *end);
int matcher_find_as(struct console_matcher *m, const char *re, const char *who,
		    size_t *start, size_t *end);
/* Check new complete lines for kernel failures (the first line of a
 * panic, Oops, BUG, general protection fault, soft or hard lockup report,
 * at a line start or after a printk time stamp); true once one was seen,
 * its line in m->failure.  Always false when m->watch_failures is off:
 * on a console programs print to, those words prove nothing. */
bool matcher_failed(struct console_matcher *m);

#endif
