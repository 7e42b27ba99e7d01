/* strbuf: a growing string, for texts built piece by piece (reports,
 * patches' stamps, layout reports, domain XML).  Allocation failure ends
 * the program (xmalloc), so adding never fails. */
#ifndef DUPLEX_STRBUF_H
#define DUPLEX_STRBUF_H

#include <stddef.h>

/* A growing string; s is NUL-terminated once anything was added. */
struct strbuf {
	char *s;
	size_t len, cap;
};

#define STRBUF_INIT { NULL, 0, 0 }

/* Append N bytes at DATA. */
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
/* Append string S. */
void strbuf_puts(struct strbuf *sb, const char *s);
/* Append what printf would print. */
void strbuf_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The string, malloc'd ("" if nothing was added); SB is empty again. */
char *strbuf_detach(struct strbuf *sb);
/* Free the string; SB is empty again. */
void strbuf_release(struct strbuf *sb);
/* Write SB to DIR/NAME atomically, then release it.  0 or -1. */
int strbuf_write(struct strbuf *sb, const char *dir, const char *name);

#endif
