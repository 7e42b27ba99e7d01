/* udiff: line diffs between console outputs, for reports. */
#ifndef DUPLEX_UDIFF_H
#define DUPLEX_UDIFF_H

#include <stddef.h>

struct text_line {
	const char *s;
	size_t len;		/* without the "\n" */
};

/* The lines of TEXT (NULL: none), as udiff splits them: on "\n", with no
 * empty line after a final newline.  malloc'd (NULL when none). */
struct text_line *split_lines(const char *text, size_t *nlines);

/* One row of two texts side by side: a line index of each, -1 for none. */
struct line_pair {
	long a, b;
};

/* A and B side by side as udiff aligns them: equal lines on one
 * row, the lines of a changed run paired in order, the rest beside
 * nothing.  malloc'd, *NROWS rows (NULL when none). */
struct line_pair *udiff_align(const struct text_line *a, size_t na,
			      const struct text_line *b, size_t nb,
			      size_t *nrows);

/* Unified diff of texts A and B, line by line, with 3 lines of context
 * and the headers "--- A_NAME" / "+++ B_NAME"; malloc'd.  NULL when the
 * texts are equal.  Texts are split on "\n"; a missing final newline is
 * not a difference. */
char *udiff(const char *a_name, const char *a, const char *b_name,
	    const char *b);

#endif
