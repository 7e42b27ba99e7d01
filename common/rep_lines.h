/* rep_lines: a terminal's output stream cut into comparable lines.  Every
 * partition's repd feeds its shell's pty output through one of these, so
 * that the leader can compare line N of every partition by digest.
 *
 * Normalisation, so that only what a person would read is compared: CR is
 * dropped (a pty writes CR LF), terminal escape sequences are dropped
 * (CSI "ESC [ ... final", OSC "ESC ] ... BEL or ESC \", and any other
 * two-byte "ESC x"; busybox's shell asks for the cursor position after
 * every prompt), other control bytes except TAB are dropped, and LF ends
 * a line.  A line's digest is the CRC-32 of its normalised bytes, however
 * long; its text is kept up to REP_TEXT_MAX - 1 bytes for reports.  A
 * sequence split across two feeds is handled (the state carries over).
 *
 * No allocation, no global state (harness tests, fuzz and musl guests). */
#ifndef DUPLEX_REP_LINES_H
#define DUPLEX_REP_LINES_H

#include <stddef.h>
#include <stdint.h>

#include "rep_proto.h"

struct rep_lines {
	uint32_t count;			/* lines completed so far */
	uint32_t crc;			/* running digest of the open line */
	size_t len;			/* bytes of the open line (uncut) */
	int esc;			/* escape-sequence parser state */
	char text[REP_TEXT_MAX];	/* the open line, cut, NUL-terminated */
	char *whole;			/* NULL, or where every kept byte and
					 * line end goes too (rep_lines_text) */
	size_t whole_len;
};

/* Called once per completed line: NO counts from 1. */
typedef void (*rep_line_fn)(void *ctx, uint32_t no, uint32_t digest,
			    const char *text);

void rep_lines_init(struct rep_lines *l);

/* Feed LEN bytes of output; LINE is called for every line they end. */
void rep_lines_feed(struct rep_lines *l, const void *data, size_t len,
		    rep_line_fn line, void *ctx);

/* End of the stream: an open line that holds anything counts as a line. */
void rep_lines_flush(struct rep_lines *l, rep_line_fn line, void *ctx);

/* The whole of LEN bytes of output normalised the same way, lines uncut
 * and each ended by LF, into OUT (room for LEN + 2 bytes), NUL-terminated;
 * returns its length.  The harness compares consoles with it. */
size_t rep_lines_text(const void *data, size_t len, char *out);

#endif
