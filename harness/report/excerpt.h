/* excerpt: a part of a console's transcript for report.html, found by
 * offsets in what the console printed (case_console's span, a
 * scenario's fail_at).  A transcript cut at its limit (console/
 * transcript.h: the first half, a marker line, the last half) is read
 * through its marker line.  Private to report/. */
#ifndef DUPLEX_REPORT_EXCERPT_H
#define DUPLEX_REPORT_EXCERPT_H

#include <stddef.h>
#include <stdint.h>

/* Context shown around a part: lines, and at most bytes (a guest's
 * lines may be long), and the most shown of the part itself (a longer
 * one keeps its start and its end, with a line between saying how much
 * is only in the transcript). */
#define EXCERPT_LINES_BEFORE 10
#define EXCERPT_LINES_AFTER 3
#define EXCERPT_BEFORE 2048
#define EXCERPT_AFTER 1024
#define EXCERPT_MAX (16 * 1024)

/* Bytes FROM..TO of what the console printed, with context, in whole
 * lines, from transcript PATH kept to LIMIT bytes (0: not cut).
 * malloc'd, *LEN bytes (they may hold NULs); NULL when the transcript
 * is missing (not reported) or cannot be read (reported). */
char *excerpt_read(const char *path, uint64_t limit, uint64_t from,
		   uint64_t to, size_t *len);

#endif
