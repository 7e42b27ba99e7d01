/* console: one partition's serial console.  Input goes to the pty; output
 * is read from the console's log file (written by libvirt from the first
 * byte), so a person on minicom and the harness never steal bytes from each
 * other.  The matcher keeps everything read, finds patterns after a cursor
 * with a deadline, and watches for kernel failures (panic, Oops, BUG, ...)
 * the whole time. */
#ifndef DUPLEX_CONSOLE_H
#define DUPLEX_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

/* The text matcher, separate from I/O so that it can be tested alone. */
struct console_matcher {
	char *buf;		/* everything seen, NUL-terminated */
	size_t len, cap;
	size_t cursor;		/* matching starts here */
	size_t scanned;		/* failure patterns checked up to here */
	char failure[256];	/* first failure line seen ("" if none) */
};

void matcher_init(struct console_matcher *m);
void matcher_free(struct console_matcher *m);
/* Append bytes read from the console (NULs dropped). */
void matcher_feed(struct console_matcher *m, const char *data, size_t len);
/* Search extended regex RE in the text after the cursor; on a match move
 * the cursor past it and return 1 (and the match in *start and *end as
 * offsets into buf if non-NULL), 0 if no match yet, -1 if RE is invalid. */
int matcher_find(struct console_matcher *m, const char *re, size_t *start,
		 size_t *end);
/* Check new complete lines for kernel failures; true once one was seen,
 * its line in m->failure. */
bool matcher_failed(struct console_matcher *m);

struct console {
	char name[16];		/* "serial0" */
	int pty_fd;		/* -1 if not opened for writing */
	int log_fd;
	int inotify_fd;
	struct console_matcher m;
};

enum console_wait {
	CONSOLE_MATCHED = 0,
	CONSOLE_TIMEOUT = -1,
	CONSOLE_FAILURE = -2,	/* kernel failure seen (m.failure) */
	CONSOLE_INTERRUPTED = -3, /* SIGINT/SIGTERM (sigwatch) */
	CONSOLE_ERROR = -4,
};

int console_open(struct console *c, const char *name, const char *pty_path,
		 const char *log_path);
void console_close(struct console *c);
/* Read whatever is new in the log file into the matcher. */
int console_drain(struct console *c);
/* Write TEXT to the pty as a person would type it. */
int console_send(struct console *c, const char *text);
/* Wait until RE matches after the cursor, at most TIMEOUT_MS.  A timeout
 * or a failure is reported (log_error) with the console's last lines. */
enum console_wait console_expect(struct console *c, const char *re,
				 int timeout_ms);
/* The last N lines seen, malloc'd (for error reports). */
char *console_tail(const struct console *c, unsigned lines);

#endif
