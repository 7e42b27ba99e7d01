/* matcher: the text of one console as it arrives, with a cursor for
 * expect-style matching and a watch for kernel failure reports.  Pure text
 * processing, separate from the console's I/O so that it can be tested
 * alone. */
#ifndef DUPLEX_MATCHER_H
#define DUPLEX_MATCHER_H

#include <stdbool.h>
#include <regex.h>
#include <stddef.h>

/* How much text a matcher holds: the transcript file keeps everything a
 * guest prints; the matcher only needs what patterns can still match.
 * It keeps the text from the cursor (the unmatched tail), and at least
 * the last MATCHER_KEEP bytes behind it (for the console's last lines and
 * the echo of typed text), but never more than MATCHER_MAX bytes: beyond
 * that the oldest text goes, cursor or not (a pattern can then only match
 * in the last MATCHER_MAX / 2 bytes).  The first MATCHER_HEAD bytes of the
 * stream are kept apart, for the layout line the kernel printed at boot. */
#define MATCHER_MAX	(8u << 20)
#define MATCHER_KEEP	(64u << 10)
#define MATCHER_HEAD	(1u << 20)

/* The text matcher, separate from I/O so that it can be tested alone.
 * Offsets (len, cursor, scanned, match starts and ends) count bytes of the
 * whole stream since matcher_init; buf holds those from BASE to LEN, so
 * the byte at offset OFF is buf[OFF - base] (matcher_at). */
struct console_matcher {
	char *buf;		/* the stream from BASE to LEN, NUL-terminated */
	size_t base;		/* offset of buf[0]: bytes dropped before it */
	bool base_bol;		/* buf[0] starts a line */
	size_t len, cap;	/* end of the stream; bytes allocated for buf */
	char *head;		/* its first head_len bytes (<= MATCHER_HEAD) */
	size_t head_len;
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
/* Append bytes read from the console (NULs dropped), dropping the oldest
 * text held beyond the bounds above (failure lines in it are checked
 * first, so no failure report is lost to the bound). */
void matcher_feed(struct console_matcher *m, const char *data, size_t len);
/* OFF, or the oldest offset still held if that text was dropped. */
size_t matcher_clamp(const struct console_matcher *m, size_t off);
/* The text at offset OFF (clamped), up to m->len. */
const char *matcher_at(const struct console_matcher *m, size_t off);
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

/* The last LINES lines of what M holds (a final newline ends the last
 * line rather than starting an empty one), each prefixed with INDENT, CRs
 * dropped and other control bytes shown as ^X, so that a guest's
 * terminal escapes do not drive a person's terminal.  Malloc'd. */
char *matcher_tail(const struct console_matcher *m, unsigned lines,
		   const char *indent);

#endif
