/* rep_lines: a terminal output stream cut into normalised lines (see
 * rep_lines.h).  The escape parser has four states; a byte in one state
 * never depends on a byte not yet seen, so a stream cut anywhere into
 * feeds gives the same lines as in one piece.
 *
 * Two rules beyond the header's, so that a stray or cut-off escape
 * sequence cannot hide more than the rest of its line (nor, for an
 * unterminated OSC, every later line of the session):
 *  - LF ends the line in every state, abandoning an unfinished sequence;
 *  - ESC starts a new sequence in every state, as in a terminal: ESC ESC x
 *    is one "ESC x"; inside an OSC, ESC \ is the string terminator and
 *    any other ESC x ends the OSC as well.
 * Bytes 0x80..0xff are kept (UTF-8 text).  A flush also ends a sequence
 * in progress. */
#include <string.h>

#include "crc32.h"
#include "rep_lines.h"

enum {
	ESC_NONE,	/* text */
	ESC_START,	/* after ESC */
	ESC_CSI,	/* after ESC [: parameters, intermediates */
	ESC_OSC,	/* after ESC ]: the string, up to BEL or ESC \ */
};

#define ESC	0x1b
#define BEL	0x07

void rep_lines_init(struct rep_lines *l)
{
	memset(l, 0, sizeof(*l));
}

/* A byte a person reads: kept as it is in the line. */
static int kept(unsigned char c)
{
	return (c >= 0x20 && c != 0x7f) || c == '\t';
}

/* Append N kept bytes to the open line: all into the digest, as many as
 * fit into the text. */
static void append(struct rep_lines *l, const unsigned char *p, size_t n)
{
	size_t at = l->len < REP_TEXT_MAX - 1 ? l->len : REP_TEXT_MAX - 1;
	size_t take = n < REP_TEXT_MAX - 1 - at ? n : REP_TEXT_MAX - 1 - at;

	l->crc = crc32_ieee(l->crc, p, n);
	if (l->whole) {
		memcpy(l->whole + l->whole_len, p, n);
		l->whole_len += n;
	}
	memcpy(l->text + at, p, take);
	l->text[at + take] = '\0';
	l->len += n;
}

static void end_line(struct rep_lines *l, rep_line_fn line, void *ctx)
{
	l->count++;
	if (l->whole)
		l->whole[l->whole_len++] = '\n';
	if (line)
		line(ctx, l->count, l->crc, l->text);
	l->crc = 0;
	l->len = 0;
	l->text[0] = '\0';
}

/* The state after byte C inside a sequence (C is neither LF nor ESC):
 * only the sequence's end matters. */
static int in_sequence(int esc, unsigned char c)
{
	switch (esc) {
	case ESC_START:
		if (c == '[')
			return ESC_CSI;
		return c == ']' ? ESC_OSC : ESC_NONE;
	case ESC_CSI:
		return c >= 0x40 && c <= 0x7e ? ESC_NONE : ESC_CSI;
	case ESC_OSC:
		return c == BEL ? ESC_NONE : ESC_OSC;
	}
	return ESC_NONE;
}

/* One byte that is not kept text (or is, but inside a sequence). */
static void step(struct rep_lines *l, unsigned char c, rep_line_fn line,
		 void *ctx)
{
	if (c == '\n') {
		l->esc = ESC_NONE;
		end_line(l, line, ctx);
	} else if (c == ESC) {
		l->esc = ESC_START;
	} else if (l->esc != ESC_NONE) {
		l->esc = in_sequence(l->esc, c);
	}
	/* else CR, another control byte or DEL: dropped */
}

void rep_lines_feed(struct rep_lines *l, const void *data, size_t len,
		    rep_line_fn line, void *ctx)
{
	const unsigned char *p = data;
	size_t i = 0, run;

	while (i < len) {
		for (run = 0; l->esc == ESC_NONE && i + run < len &&
		     kept(p[i + run]); run++)
			;
		if (run) {
			append(l, p + i, run);
			i += run;
		} else {
			step(l, p[i++], line, ctx);
		}
	}
}

void rep_lines_flush(struct rep_lines *l, rep_line_fn line, void *ctx)
{
	if (l->len)
		end_line(l, line, ctx);
	l->esc = ESC_NONE;
}

size_t rep_lines_text(const void *data, size_t len, char *out)
{
	struct rep_lines l;

	rep_lines_init(&l);
	l.whole = out;
	rep_lines_feed(&l, data, len, NULL, NULL);
	rep_lines_flush(&l, NULL, NULL);
	out[l.whole_len] = '\0';
	return l.whole_len;
}
