/* results_fmt: what the result writers share (internal to results*.c,
 * udiff.c and layout.c): a growing string, the escapes of each file
 * format, console text split into lines and lined up side by side. */
#ifndef DUPLEX_RESULTS_FMT_H
#define DUPLEX_RESULTS_FMT_H

#include <stdbool.h>
#include <stddef.h>

#include "results.h"

/* A growing string; s is NUL-terminated once anything was added. */
struct strbuf {
	char *s;
	size_t len, cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

void sb_add(struct strbuf *sb, const void *data, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The string, malloc'd ("" if nothing was added); SB is empty again. */
char *sb_detach(struct strbuf *sb);
void sb_release(struct strbuf *sb);
/* Write SB to DIR/NAME atomically, then release it.  0 or -1. */
int sb_write(struct strbuf *sb, const char *dir, const char *name);

/* Console text made fit for a file that people and parsers read.  Bytes
 * that are not UTF-8 become U+FFFD; control characters (but tab and
 * newline) their visible Unicode "control pictures" (ESC: U+241B), so an
 * escape sequence shows instead of acting or breaking XML; a CR before a
 * LF is dropped, as XML parsers would fold it anyway. */
void sb_text(struct strbuf *sb, const char *s, size_t n);
/* The same, with & < > " ' as entities: XML and HTML text; ATTR also
 * keeps newlines and tabs, which attribute values would lose. */
void sb_xml(struct strbuf *sb, const char *s, size_t n, bool attr);
/* sb_xml of a string; NULL adds nothing. */
void sb_xmls(struct strbuf *sb, const char *s, bool attr);
/* S as a JSON string with its quotes, NULL as null. */
void sb_json(struct strbuf *sb, const char *s);

/* Seconds as "%.3f"; NaN and infinity, which JSON lacks, as 0. */
void sb_seconds(struct strbuf *sb, double s);

/* "pass", "fail", "skip". */
const char *verdict_word(enum verdict v);

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

/* A and B side by side as udiff aligns them (udiff.c): equal lines on one
 * row, the lines of a changed run paired in order, the rest beside
 * nothing.  malloc'd, *NROWS rows (NULL when none). */
struct line_pair *udiff_align(const struct text_line *a, size_t na,
			      const struct text_line *b, size_t nb,
			      size_t *nrows);

/* The writers of results_write, one file each, into R->dir. */
int results_write_json(const struct test_run *r);
int results_write_tap(const struct test_run *r);
int results_write_junit(const struct test_run *r);
int results_write_html(const struct test_run *r);

#endif
