/* transcript: a console's complete record, written by the harness from
 * every byte it reads (console.c), whatever virtlogd does with its own
 * file (rotation, deleted backups).  At most LIMIT bytes are kept: the
 * first half of the limit and the last half.  A console that printed
 * more keeps both ends, and on close a marker line between them says
 * where bytes were left out and how many: never a silent loss.
 *
 * Until a console goes past its limit the file is the plain stream, so
 * it can be followed while the run goes on.  Past it, the second half of
 * the limit is a ring in the file (written in place), put in order behind
 * the marker by transcript_close; a harness killed before that leaves
 * the ring unordered. */
#ifndef DUPLEX_TRANSCRIPT_H
#define DUPLEX_TRANSCRIPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The smallest limit: room for a marker's context on each side. */
#define TRANSCRIPT_MIN_LIMIT 1024

struct transcript {
	char name[16];		/* "serial0", for messages */
	char *path;
	int fd;			/* -1: closed, or no transcript kept */
	uint64_t limit;		/* bytes kept at most */
	uint64_t head;		/* the first this many bytes stay as written */
	uint64_t seen;		/* bytes the console printed */
	bool failed;		/* a write failed (reported once) */
	unsigned gaps;		/* bytes lost before they reached us (marked) */
};

/* No transcript: writes and close do nothing. */
void transcript_init(struct transcript *t);
/* Create PATH (truncated) for console NAME, keeping at most LIMIT bytes
 * (>= TRANSCRIPT_MIN_LIMIT). */
int transcript_open(struct transcript *t, const char *name, const char *path,
		    uint64_t limit);
/* Append LEN bytes of the console's output.  An error is reported once
 * (the run goes on; the verdict then says the transcript is incomplete). */
void transcript_write(struct transcript *t, const void *buf, size_t len);
/* Mark here that output was lost before it reached the harness; NOTE
 * says why (and how much, if known). */
void transcript_gap(struct transcript *t, const char *note);
/* Bytes printed and not kept: 0 while the console stays in its limit. */
uint64_t transcript_left_out(const struct transcript *t);
/* Put the kept tail in order behind the marker line (when bytes were
 * left out) and close.  -1 if the file could not be finished (reported). */
int transcript_close(struct transcript *t);
/* The marker line for LEFT_OUT bytes cut after byte HEAD of a stream
 * kept to LIMIT bytes; malloc'd.  Shared with the tests. */
char *transcript_marker(uint64_t head, uint64_t left_out, uint64_t limit);
/* A size for people: "1.5 MiB", "512 KiB", "80 bytes"; malloc'd. */
char *transcript_size_text(uint64_t bytes);

#endif
