#define _GNU_SOURCE
#include "console.h"
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* ---- the console's files -------------------------------------------- */

/* Open the log if it exists by now: virtlogd creates it when QEMU starts,
 * which may be a moment after the domain was created. */
static int open_log(struct console *c)
{
	c->log_fd = open(c->log_path, O_RDONLY | O_CLOEXEC);
	if (c->log_fd < 0 && errno != ENOENT) {
		log_error("%s: cannot open console log '%s': %m", c->name,
			  c->log_path);
		return -1;
	}
	return 0;
}

/* Watch the log's directory rather than the file: that sees the file
 * appear, grow, get closed by its writer and be rotated by virtlogd
 * (renamed to .0 and created anew once it reaches max_size). */
static int watch_log_dir(struct console *c)
{
	char *copy = xstrdup(c->log_path);
	const char *dir = dirname(copy);
	int ret = 0;

	c->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (c->inotify_fd < 0 ||
	    inotify_add_watch(c->inotify_fd, dir, IN_CREATE | IN_MODIFY |
			      IN_CLOSE_WRITE | IN_MOVED_TO) < 0) {
		log_error("%s: cannot watch directory '%s' of the console log: %m",
			  c->name, dir);
		ret = -1;
	}
	free(copy);
	return ret;
}

int console_open(struct console *c, const char *name, const char *pty_path,
		 const char *log_path)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->pty_path = pty_path ? xstrdup(pty_path) : NULL;
	c->log_path = xstrdup(log_path);
	c->log_fd = -1;
	c->inotify_fd = -1;
	ptyhold_init(&c->hold);
	matcher_init(&c->m);
	transcript_init(&c->tr);
	if (watch_log_dir(c) < 0 || open_log(c) < 0) {
		console_close(c);
		return -1;
	}
	return 0;
}

void console_close(struct console *c)
{
	ptyhold_close(&c->hold);
	transcript_close(&c->tr);
	if (c->log_fd >= 0)
		close(c->log_fd);
	if (c->inotify_fd >= 0)
		close(c->inotify_fd);
	free(c->pty_path);
	free(c->log_path);
	matcher_free(&c->m);
	memset(c, 0, sizeof(*c));
	c->log_fd = c->inotify_fd = -1;
	ptyhold_init(&c->hold);
	transcript_init(&c->tr);
}

/* Read FD to its end into the matcher and the transcript. */
static int read_to_end(struct console *c, int fd)
{
	char buf[16384];
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("%s: cannot read console log '%s': %m", c->name,
				  c->log_path);
			return -1;
		}
		if (n == 0)
			return 0;
		matcher_feed(&c->m, buf, (size_t)n);
		transcript_write(&c->tr, buf, (size_t)n);
		if (c->sink)
			c->sink(c->sink_ctx, buf, (size_t)n);
		c->last_output_ms = now_ms();
	}
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev;
}

/* Has the log path been replaced by a new file (rotation)?  Looked at
 * before reading the old file to its end: whatever was written before
 * the rotation is then read from the old file.  *OLD: the file read. */
static bool log_replaced(const struct console *c, struct stat *old)
{
	struct stat path_st;

	if (stat(c->log_path, &path_st) < 0 || fstat(c->log_fd, old) < 0)
		return false;
	return !same_file(&path_st, old);
}

/* More pieces than virtlogd keeps (3 by default, at most 32). */
#define LOG_PIECES_MAX 64

/* Where the file OLD is among the pieces virtlogd renamed (LOG.0 newest):
 * its index, or -1 when it was rotated out.  *COUNT: pieces found. */
static int piece_index(const struct console *c, const struct stat *old,
		       int *count)
{
	struct stat st;
	int i, found = -1;

	for (i = 0; i < LOG_PIECES_MAX; i++) {
		char *path = xasprintf("%s.%d", c->log_path, i);
		int r = stat(path, &st);

		free(path);
		if (r < 0)
			break;
		if (found < 0 && same_file(&st, old))
			found = i;
	}
	*count = i;
	return found;
}

/* Read piece I to its end, unless it is the file NEWEST (read through
 * the console's own fd): 1 when it was, 0 read, -1 error (reported). */
static int read_piece(struct console *c, int i, const struct stat *newest)
{
	char *path = xasprintf("%s.%d", c->log_path, i);
	int fd = open(path, O_RDONLY | O_CLOEXEC), ret = 0;
	struct stat st;

	if (fd < 0) {
		log_error("%s: cannot open console log piece '%s': %m", c->name,
			  path);
		ret = -1;
	} else if (newest && fstat(fd, &st) == 0 && same_file(&st, newest)) {
		ret = 1;
	} else {
		ret = read_to_end(c, fd);
	}
	if (fd >= 0)
		close(fd);
	free(path);
	return ret;
}

/* The log rotated after the file OLD, which has been read to its end,
 * and the console's fd is on the current file now.  Usually OLD is LOG.0
 * and nothing is missed; when virtlogd rotated more than once between two
 * drains, the pieces newer than OLD are read, oldest first, up to the
 * current file.  OLD deleted already: what is left is read, and the
 * transcript marks the gap.  A virtlogd that keeps no pieces at all
 * (max_backups = 0) deletes each file as it rotates: nothing tells then
 * whether a whole file came and went between two drains (5 ms apart). */
static int read_missed_pieces(struct console *c, const struct stat *old)
{
	struct stat cur_st, *cur = NULL;
	int count, i = piece_index(c, old, &count), r = 0;

	if (c->log_fd >= 0 && fstat(c->log_fd, &cur_st) == 0)
		cur = &cur_st;
	if (i < 0 && count > 0) {
		log_error("%s: virtlogd rotated console log '%s' more than %d times between two reads and deleted pieces of it before the harness read them: its transcript marks the gap",
			  c->name, c->log_path, count);
		transcript_gap(&c->tr, "output lost here: virtlogd deleted rotated pieces of the console log before the harness read them");
	}
	if (i < 0)
		i = count;
	while (--i >= 0 && r == 0)
		r = read_piece(c, i, cur);
	return r < 0 ? -1 : 0;
}

/* Consume the pending inotify events; note when the log's writer closed
 * it (virtlogd does when QEMU exits: the domain is gone; a rotation
 * closes the old file under its new name). */
static void read_events(struct console *c)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const char *base = strrchr(c->log_path, '/');
	ssize_t n;

	base = base ? base + 1 : c->log_path;
	while ((n = read(c->inotify_fd, buf, sizeof(buf))) > 0) {
		const char *p = buf;

		while (p < buf + n) {
			const struct inotify_event *ev = (const void *)p;

			if ((ev->mask & IN_CLOSE_WRITE) && ev->len &&
			    !strcmp(ev->name, base))
				c->ended = true;
			p += sizeof(*ev) + ev->len;
		}
	}
}

/* The current file is opened before the missed pieces are read: a
 * rotation meanwhile leaves them all older than it, and the next drain
 * sees it. */
int console_drain(struct console *c)
{
	struct stat old;

	read_events(c);
	if (c->log_fd < 0 && open_log(c) < 0)
		return -1;
	if (c->log_fd < 0)
		return 0;
	if (!log_replaced(c, &old))
		return read_to_end(c, c->log_fd);
	if (read_to_end(c, c->log_fd) < 0)
		return -1;
	close(c->log_fd);
	log_debug("%s: virtlogd rotated '%s' (%llu bytes read so far): reading on from the pieces after it",
		  c->name, c->log_path, (unsigned long long)c->tr.seen);
	if (open_log(c) < 0 || read_missed_pieces(c, &old) < 0)
		return -1;
	return c->log_fd < 0 ? 0 : read_to_end(c, c->log_fd);
}

int console_keep_transcript(struct console *c, const char *path,
			    uint64_t limit)
{
	return transcript_open(&c->tr, c->name, path, limit);
}

void console_drain_to_end(struct console *c, int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;

	while (console_drain(c) == 0 && !c->ended && now_ms() < deadline) {
		struct pollfd fd = { .fd = c->inotify_fd, .events = POLLIN };
		int64_t left = deadline - now_ms();

		if (poll(&fd, 1, left > 0 ? (int)left : 0) < 0 && errno != EINTR)
			break;
	}
}

/* ---- input ---------------------------------------------------------- */

#define SEND_TIMEOUT_MS 5000
/* QEMU looks for a reader on a pty it considers unconnected once a
 * second (chardev/char-pty.c) and only then reads what was typed. */
#define QEMU_PTY_POLL_MS 1000

/* Wait until FD is ready for EVENTS, a signal came or DEADLINE passed:
 * 1 ready, 0 timeout or signal, -1 error (reported). */
static int wait_fd(const struct console *c, int fd, short events,
		   int64_t deadline)
{
	struct pollfd fds[2] = {
		{ .fd = fd, .events = events },
		{ .fd = sigwatch_fd(), .events = POLLIN },
	};

	for (;;) {
		int64_t left = deadline - now_ms();
		int n;

		if (left <= 0 || sigwatch_pending())
			return 0;
		n = poll(fds, fds[1].fd >= 0 ? 2 : 1, (int)left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_error("%s: poll: %m", c->name);
			return -1;
		}
		if (n > 0 && fds[0].revents)
			return 1;
	}
}

static int write_all_by(const struct console *c, int fd, const char *data,
			size_t len, int64_t deadline)
{
	while (len) {
		ssize_t n = write(fd, data, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			int r = wait_fd(c, fd, POLLOUT, deadline);

			if (r < 0 || sigwatch_pending())
				return -1;
			if (r == 0) {
				log_error("%s: cannot write to '%s': the guest has "
					  "not read its input for %d s", c->name,
					  c->pty_path, SEND_TIMEOUT_MS / 1000);
				return -1;
			}
			continue;
		}
		if (n < 0) {
			log_error("%s: cannot write to '%s': %m", c->name,
				  c->pty_path);
			return -1;
		}
		data += n;
		len -= (size_t)n;
	}
	return 0;
}

/* How much of the start of TYPED the guest's echo is looked for in: the
 * printable characters before any control character, at most what fits on
 * a terminal line after a prompt. */
static size_t echo_len(const char *typed)
{
	size_t n = 0;

	while (n < 16 && typed[n] >= 0x20 && typed[n] < 0x7f)
		n++;
	return n;
}

/* Is the echo of TYPED in OUT?  A short line and its Enter must show as
 * the line followed by the end of a line: the same words in the guest's
 * output just before (a message naming the command) are not its echo. */
static bool echo_seen(const char *typed, const char *out, size_t len)
{
	size_t n = echo_len(typed);
	const char *hit, *end = out + len;

	if (!n)
		return false;
	if (typed[n] != '\r')
		return memmem(out, len, typed, n) != NULL;
	for (hit = out; (hit = memmem(hit, (size_t)(end - hit), typed, n));
	     hit++)
		if (hit + n < end && (hit[n] == '\r' || hit[n] == '\n'))
			return true;
	return false;
}

/* Wait until the echo of TYPED shows in the output after offset FROM, at
 * most until DEADLINE (no echo is no error: the guest may not echo).
 * Guest output that QEMU writes into the pty meanwhile is discarded as it
 * comes (it is in the log already), so that a long wait cannot fill the
 * pty and stall the guest's serial port. */
static int wait_echo(struct console *c, int fd, const char *typed, size_t from,
		     int64_t deadline)
{
	for (;;) {
		int r;

		if (console_drain(c) < 0)
			return -1;
		from = matcher_clamp(&c->m, from);
		if (echo_seen(typed, matcher_at(&c->m, from), c->m.len - from))
			return 0;
		tcflush(fd, TCIFLUSH);
		r = wait_fd(c, c->inotify_fd, POLLIN, deadline);
		if (r <= 0)
			return r;
	}
}

/* A pty that is not held (ptyhold.h) is opened for each send and closed
 * after it: a pty held open and never read fills up (about 20 KiB), and
 * QEMU then stalls the guest's serial port, log included, until someone
 * reads.
 * But QEMU reads what is typed only while it sees the pty open, which it
 * looks for every QEMU_PTY_POLL_MS (later when its main loop is busy);
 * typed text it has not read when we close stays unread until the next
 * send.  So hold the pty until the guest echoes the text (proof that QEMU
 * read it), up to SEND_TIMEOUT_MS; text with nothing to echo (a control
 * key) is held for one poll period and a margin.  Guest output that QEMU
 * wrote to the pty meanwhile is in the log already; it is flushed so that
 * nothing piles up in the pty over many sends or shows up stale when a
 * person attaches (a person attached all along has read it: only a byte
 * in flight at that instant could be lost to them). */
static int type_text(struct console *c, int fd, const char *typed,
		     int64_t start)
{
	int64_t hold = echo_len(typed) ? SEND_TIMEOUT_MS : QEMU_PTY_POLL_MS + 500;
	size_t from;
	int ret;

	if (console_drain(c) < 0)
		return -1;
	from = c->m.len;
	tcflush(fd, TCIFLUSH);
	if (write_all_by(c, fd, typed, strlen(typed),
			 start + SEND_TIMEOUT_MS) < 0)
		return -1;
	ret = wait_echo(c, fd, typed, from, now_ms() + hold);
	tcflush(fd, TCIFLUSH);
	return ret;
}

int console_hold_pty(struct console *c)
{
	if (!c->pty_path) {
		log_error("%s: console has no pty to hold", c->name);
		return -1;
	}
	return ptyhold_open(&c->hold, c->name, c->pty_path);
}

int console_send(struct console *c, const char *text)
{
	char *typed = xstrdup(text), *p;
	int64_t start = now_ms();
	int fd, ret = -1;

	if (!c->pty_path) {
		log_error("%s: console has no pty to send to", c->name);
		goto out;
	}
	/* Enter is CR on a terminal; the guest's tty turns it into NL. */
	for (p = typed; *p; p++)
		if (*p == '\n')
			*p = '\r';
	if (c->hold.fd >= 0) {
		/* Held: QEMU sees the pty open and reads it as it can; what
		 * it has not read yet stays queued for it. */
		ret = write_all_by(c, c->hold.fd, typed, strlen(typed),
				   start + SEND_TIMEOUT_MS);
		goto sent;
	}
	fd = open(c->pty_path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		log_error("%s: cannot open '%s': %m", c->name, c->pty_path);
		goto out;
	}
	ret = type_text(c, fd, typed, start);
	close(fd);
sent:
	log_debug("%s: sent %zu bytes in %lld ms", c->name, strlen(typed),
		  (long long)(now_ms() - start));
out:
	free(typed);
	return ret;
}

/* ---- output and waiting --------------------------------------------- */

char *console_tail(const struct console *c, unsigned lines)
{
	return matcher_tail(&c->m, lines, "");
}

#define REPORT_LINES 10

static char *report_tail(const struct console *c)
{
	return matcher_tail(&c->m, REPORT_LINES, "  | ");
}

static void report_failure(const struct console *c)
{
	char *tail = report_tail(c);

	log_error("%s: kernel failure: %s\n  last lines:\n%s", c->name,
		  c->m.failure, tail);
	free(tail);
}

/* WHY: "within 30 s", "before ..." */
static void report_no_match(const struct console *c, const char *re,
			    const char *why)
{
	char *tail;

	if (!c->last_output_ms) {
		log_error("%s: no match for /%s/ %s; no output at all in the "
			  "console log '%s'", c->name, re, why, c->log_path);
		return;
	}
	tail = report_tail(c);
	log_error("%s: no match for /%s/ %s; last output %.1f s ago; "
		  "last lines:\n%s", c->name, re, why,
		  (double)(now_ms() - c->last_output_ms) / 1000.0, tail);
	free(tail);
}

#define WAITING 1

/* One look at the console: a final result, or WAITING. */
static int expect_step(struct console *c, const char *re, int timeout_ms,
		       int64_t deadline)
{
	char *why;

	if (console_drain(c) < 0)
		return CONSOLE_ERROR;
	if (matcher_failed(&c->m)) {
		report_failure(c);
		return CONSOLE_FAILURE;
	}
	switch (matcher_find_as(&c->m, re, c->name, NULL, NULL)) {
	case 1:
		return CONSOLE_MATCHED;
	case -1:
		return CONSOLE_ERROR;
	}
	if (sigwatch_pending()) {
		log_debug("%s: wait for /%s/ interrupted by signal %d", c->name,
			  re, sigwatch_pending());
		return CONSOLE_INTERRUPTED;
	}
	if (c->ended) {
		report_no_match(c, re, "before the domain ended (its console "
				"log was closed)");
		return CONSOLE_ENDED;
	}
	if (now_ms() < deadline)
		return WAITING;
	why = xasprintf("within %g s", timeout_ms / 1000.0);
	report_no_match(c, re, why);
	free(why);
	return CONSOLE_TIMEOUT;
}

/* Event-driven: poll wakes up when the log's directory changes (new
 * output, rotation, the writer closing it) or a signal arrives. */
enum console_wait console_expect(struct console *c, const char *re,
				 int timeout_ms)
{
	int64_t deadline = now_ms() + timeout_ms;
	int ret;

	while ((ret = expect_step(c, re, timeout_ms, deadline)) == WAITING) {
		if (wait_fd(c, c->inotify_fd, POLLIN, deadline) < 0) {
			ret = CONSOLE_ERROR;
			break;
		}
	}
	return (enum console_wait)ret;
}
