/* console: one partition's serial console.  Input goes to the pty; output
 * is read from the console's log file (written by virtlogd from the first
 * byte), so a person on minicom and the harness never steal bytes from each
 * other.  virtlogd rotates that file (and deletes its oldest pieces); the
 * reader follows it piece by piece, in order, and writes every byte into
 * the console's transcript (transcript.h), the complete record.  The
 * matcher holds what is still to match (matcher.h has the bounds), finds
 * patterns after a cursor with a deadline, and watches for kernel
 * failures (panic, Oops, BUG, ...) the whole time.  A person's terminal
 * attaches to a console the same way (attach.h: duplex console). */
#ifndef DUPLEX_CONSOLE_H
#define DUPLEX_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "attach.h"
#include "matcher.h"
#include "ptyhold.h"
#include "transcript.h"

/* Input goes to the pty; output comes from the log file.  The pty is
 * either held for the console's life (console_hold_pty) or open only
 * during console_send (see console.c why). */
struct console {
	char name[16];		/* "serial0" */
	char *pty_path;		/* "/dev/pts/N"; NULL: no input */
	struct ptyhold hold;	/* hold.fd -1: the pty is opened for each send */
	char *log_path;		/* written (and rotated) by virtlogd */
	int log_fd;		/* -1 until the log file exists */
	int inotify_fd;		/* watches the log's directory */
	int64_t last_output_ms;	/* when output last arrived (now_ms); 0: never */
	bool ended;		/* the writer closed the log: the domain is gone */
	struct console_matcher m;
	struct transcript tr;	/* every byte read; fd -1: none kept */
	/* Also given every byte read, if set (attach.c: a terminal). */
	void (*sink)(void *ctx, const char *buf, size_t len);
	void *sink_ctx;
};

enum console_wait {
	CONSOLE_MATCHED = 0,
	CONSOLE_TIMEOUT = -1,
	CONSOLE_FAILURE = -2,	/* kernel failure seen (m.failure) */
	CONSOLE_INTERRUPTED = -3, /* SIGINT/SIGTERM/SIGHUP (sigwatch) */
	CONSOLE_ERROR = -4,
	CONSOLE_ENDED = -5,	/* the domain ended (log closed), no match */
};

/* PTY_PATH may be NULL (output only).  The log file need not exist yet. */
int console_open(struct console *c, const char *name, const char *pty_path,
		 const char *log_path);
void console_close(struct console *c);
/* Write every byte read from now on into a transcript at PATH, of at
 * most LIMIT bytes (transcript.h).  Call it before the domain runs. */
int console_keep_transcript(struct console *c, const char *path,
			    uint64_t limit);
/* Read whatever is new in the log file into the matcher and the
 * transcript (following virtlogd's rotation: the pieces it renamed since
 * the last drain are read oldest first), and consume inotify_fd's events,
 * so that a caller may poll inotify_fd for "new output" and call this
 * when it is readable.  Pieces virtlogd deleted before they were read
 * leave a marked gap in the transcript (reported). */
int console_drain(struct console *c);
/* After the domain was destroyed: drain until virtlogd closes the log
 * (it has written QEMU's last bytes then), at most TIMEOUT_MS. */
void console_drain_to_end(struct console *c, int timeout_ms);
/* Keep the pty open from now until console_close, with a thread that
 * reads and discards what the guest prints to it (the log has it all).
 * QEMU then reads typed text at once, and nothing typed can be left
 * unread.  For consoles no person attaches to (tests, scenarios): a
 * person's minicom would share the guest's output with the discarder.
 * Call it before the domain runs. */
int console_hold_pty(struct console *c);
/* Type TEXT on the pty as a person would: "\n" is sent as Enter (CR).
 * On a pty that is not held this takes until the guest echoes the text
 * (up to a few seconds): QEMU reads a pty only after it has seen it
 * opened (see console.c). */
int console_send(struct console *c, const char *text);
/* Wait until RE matches after the cursor, at most TIMEOUT_MS, waking on
 * new output and signals (no polling).  A timeout, a kernel failure or
 * the end of the domain is reported (log_error) with the last lines;
 * CONSOLE_INTERRUPTED is not (the caller tears down). */
enum console_wait console_expect(struct console *c, const char *re,
				 int timeout_ms);
/* The last N lines seen, malloc'd, for reports: CRs dropped, other
 * control bytes shown as ^X. */
char *console_tail(const struct console *c, unsigned lines);

#endif
