/* udiff: line diffs between console outputs, for reports. */
#ifndef DUPLEX_UDIFF_H
#define DUPLEX_UDIFF_H

/* Unified diff of texts A and B, line by line, with 3 lines of context
 * and the headers "--- A_NAME" / "+++ B_NAME"; malloc'd.  NULL when the
 * texts are equal.  Texts are split on "\n"; a missing final newline is
 * not a difference. */
char *udiff(const char *a_name, const char *a, const char *b_name,
	    const char *b);

#endif
