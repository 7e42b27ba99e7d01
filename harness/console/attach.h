/* attach: a person's terminal on a console (duplex console), without
 * minicom.  What the guest prints is read from the console's log file,
 * as the harness reads it (console.h: following virtlogd's rotation), so
 * any number of attached terminals, the harness and a minicom all see
 * every byte.  What the person types is written to the console's pty,
 * which is never read: a reader would take the guest's output from a
 * minicom on the same pty.
 *
 * QEMU reads typed text only while it sees the pty open (it looks once a
 * second), and a pty held open that nobody reads fills up with the
 * guest's output and stalls its serial port.  So the pty is opened when
 * a key is typed and closed ATTACH_PTY_HOLD_MS after the last one, as
 * console_send does: the first key after a pause may take a second to
 * reach the guest; a guest printing more than the pty holds (20 KiB)
 * meanwhile waits until it is closed.  A minicom on the pty reads
 * what the guest prints meanwhile, as it always does.
 *
 * The terminal is in raw mode while attached (Ctrl-C, Ctrl-Z, Ctrl-D go
 * to the guest) and restored however the attach ends. */
#ifndef DUPLEX_ATTACH_H
#define DUPLEX_ATTACH_H

#include <stdbool.h>

/* The key that detaches, as telnet's: never sent to the guest. */
#define ATTACH_ESCAPE '\x1d'
#define ATTACH_ESCAPE_NAME "Ctrl-]"
/* The console's last output shown on attach (from a line start), so
 * that the prompt is there to see. */
#define ATTACH_HISTORY 2048
#define ATTACH_PTY_HOLD_MS 2000
/* How often the machine is asked whether it is still there. */
#define ATTACH_ALIVE_MS 1000

struct attach_target {
	const char *name;	/* "serial1", for notices */
	const char *log_path;	/* the console's log (need not exist yet) */
	/* The pty to type into now (malloc'd), or NULL while the partition
	 * does not run: asked when a key is typed with the pty closed, and
	 * when the log is closed (a domain that ran ended; one on standby,
	 * never run, may be made afresh). */
	char *(*pty)(void *ctx);
	/* Whether the machine is still there; asked every ATTACH_ALIVE_MS. */
	bool (*alive)(void *ctx);
	void *ctx;
};

enum attach_end {
	ATTACH_DETACHED,	/* the escape key */
	ATTACH_ENDED,		/* the console's domain or the machine ended */
	ATTACH_HANGUP,		/* the terminal is gone (end of its input) */
	ATTACH_SIGNAL,		/* SIGINT/SIGTERM/SIGHUP (sigwatch) */
	ATTACH_ERROR,		/* reported */
};

/* Attach the terminal TERM_FD (read, put in raw mode) and OUT_FD (written)
 * to T until one of the ends above; TERM_FD's mode restored on each. */
enum attach_end console_attach(const struct attach_target *t, int term_fd,
			       int out_fd);

#endif
