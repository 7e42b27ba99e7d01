#define _GNU_SOURCE
#include "attach.h"
#include "console.h"
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

/* Typed text QEMU has not taken yet (it reads its side of the pty as the
 * guest's UART takes it): more than a person types ahead. */
#define PENDING_MAX 4096

struct attach {
	const struct attach_target *t;
	struct console con;
	int term_fd, out_fd;
	bool out_gone;		/* a write to the terminal failed */
	int pty_fd;		/* -1: closed */
	int64_t pty_close_ms;	/* when the open pty is closed */
	char pending[PENDING_MAX];
	size_t npending;
	bool told_not_running;	/* the notice below, once until it runs */
};

static void to_terminal(struct attach *a, const char *buf, size_t len)
{
	if (!a->out_gone && write_all(a->out_fd, buf, len) < 0)
		a->out_gone = true;
}

/* Console output: the terminal gets every byte as the log has it. */
static void sink(void *ctx, const char *buf, size_t len)
{
	to_terminal(ctx, buf, len);
}

/* duplex console's own words among the guest's: on their own line, in
 * raw mode (no output processing: CR LF spelled out). */
static void notice(struct attach *a, const char *text)
{
	char *line = xasprintf("\r\n[duplex console: %s]\r\n", text);

	to_terminal(a, line, strlen(line));
	free(line);
}

/* The last ATTACH_HISTORY bytes of the log, from the first line start in
 * them; the console then reads on from where they end. */
static int show_history(struct attach *a)
{
	int fd = a->con.log_fd;
	char buf[ATTACH_HISTORY];
	const char *from = buf;
	struct stat st;
	off_t off;
	ssize_t n;

	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0) {
		log_error("%s: cannot stat console log '%s': %m", a->t->name,
			  a->t->log_path);
		return -1;
	}
	off = st.st_size > ATTACH_HISTORY ? st.st_size - ATTACH_HISTORY : 0;
	n = pread(fd, buf, (size_t)(st.st_size - off), off);
	if (n < 0 || lseek(fd, off + n, SEEK_SET) < 0) {
		log_error("%s: cannot read console log '%s': %m", a->t->name,
			  a->t->log_path);
		return -1;
	}
	if (off > 0) {
		const char *nl = memchr(buf, '\n', (size_t)n);

		if (nl)
			from = nl + 1;
	}
	to_terminal(a, from, (size_t)(buf + n - from));
	return 0;
}

/* ---- typing ---------------------------------------------------------- */

static void pty_close(struct attach *a)
{
	if (a->pty_fd >= 0)
		close(a->pty_fd);
	a->pty_fd = -1;
	a->npending = 0;
}

/* Open the pty for writing only: nothing of the guest's output is ever
 * taken from it (see attach.h). */
static void pty_open(struct attach *a)
{
	char *path = a->t->pty(a->t->ctx), *why;

	if (!path) {
		if (!a->told_not_running) {
			why = xasprintf("%s is not running: typed text dropped",
					a->t->name);
			notice(a, why);
			free(why);
		}
		a->told_not_running = true;
		return;
	}
	a->told_not_running = false;
	a->pty_fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (a->pty_fd < 0) {
		why = xasprintf("cannot open %s's pty %s: %s: typed text dropped",
				a->t->name, path, strerror(errno));
		notice(a, why);
		free(why);
	}
	free(path);
}

/* Write what QEMU takes now; the rest waits for the pty to be writable. */
static void pty_flush(struct attach *a)
{
	ssize_t n;

	while (a->pty_fd >= 0 && a->npending) {
		n = write(a->pty_fd, a->pending, a->npending);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n < 0) {
			/* The domain is gone (EIO): its end is seen in the log. */
			pty_close(a);
			return;
		}
		memmove(a->pending, a->pending + n, a->npending - (size_t)n);
		a->npending -= (size_t)n;
	}
}

static void type(struct attach *a, const char *buf, size_t len)
{
	if (!len)
		return;
	if (a->pty_fd < 0)
		pty_open(a);
	if (a->pty_fd < 0)
		return;
	if (len > PENDING_MAX - a->npending) {
		notice(a, "the guest is not reading its input: typed text dropped");
		len = PENDING_MAX - a->npending;
	}
	memcpy(a->pending + a->npending, buf, len);
	a->npending += len;
	a->pty_close_ms = now_ms() + ATTACH_PTY_HOLD_MS;
	pty_flush(a);
}

/* What the person typed: up to the escape key to the guest.  -1 when
 * the escape key came, 1 when the terminal is gone, else 0. */
static int read_keys(struct attach *a)
{
	char buf[256], *esc;
	ssize_t n = read(a->term_fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return 0;
	if (n <= 0)
		return 1;
	esc = memchr(buf, ATTACH_ESCAPE, (size_t)n);
	type(a, buf, esc ? (size_t)(esc - buf) : (size_t)n);
	return esc ? -1 : 0;
}

/* ---- the loop -------------------------------------------------------- */

/* The log was closed by its writer: the domain that ran ended, unless
 * no domain of this console runs (a standby domain went, to be made
 * afresh; the machine's end is then seen as it goes). */
static bool console_ended(struct attach *a)
{
	char *pty;
	bool ran;

	if (!a->con.ended)
		return false;
	a->con.ended = false;
	pty = a->t->pty(a->t->ctx);
	ran = pty != NULL;
	free(pty);
	return ran;
}

/* One look at everything: an end, or -1 to go on waiting. */
static int step(struct attach *a, int64_t *next_alive)
{
	int64_t now = now_ms();

	if (sigwatch_pending())
		return ATTACH_SIGNAL;
	if (console_drain(&a->con) < 0)
		return ATTACH_ERROR;
	if (a->out_gone)
		return ATTACH_HANGUP;
	if (console_ended(a))
		return ATTACH_ENDED;
	if (now >= *next_alive) {
		if (!a->t->alive(a->t->ctx))
			return ATTACH_ENDED;
		*next_alive = now + ATTACH_ALIVE_MS;
	}
	if (a->pty_fd >= 0 && !a->npending && now >= a->pty_close_ms)
		pty_close(a);
	return -1;
}

static int wait_ms(const struct attach *a, int64_t next_alive)
{
	int64_t until = next_alive, left;

	if (a->pty_fd >= 0 && !a->npending && a->pty_close_ms < until)
		until = a->pty_close_ms;
	left = until - now_ms();
	return left > 0 ? (int)left : 0;
}

static enum attach_end attach_loop(struct attach *a)
{
	int64_t next_alive = 0;
	int end, r;

	for (;;) {
		struct pollfd fds[4] = {
			{ .fd = a->term_fd, .events = POLLIN },
			{ .fd = a->con.inotify_fd, .events = POLLIN },
			{ .fd = sigwatch_fd(), .events = POLLIN },
			{ .fd = a->npending ? a->pty_fd : -1, .events = POLLOUT },
		};

		end = step(a, &next_alive);
		if (end >= 0)
			return (enum attach_end)end;
		if (poll(fds, 4, wait_ms(a, next_alive)) < 0 && errno != EINTR) {
			log_error("%s: poll: %m", a->t->name);
			return ATTACH_ERROR;
		}
		if (fds[0].revents) {
			r = read_keys(a);
			if (r)
				return r < 0 ? ATTACH_DETACHED : ATTACH_HANGUP;
		}
		if (fds[3].revents)
			pty_flush(a);
	}
}

/* Raw as minicom's: every key goes to the guest (no signals, no line
 * editing, no flow control), and output is passed on byte for byte. */
static int make_raw(int fd, const struct termios *saved)
{
	struct termios raw = *saved;

	cfmakeraw(&raw);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSAFLUSH, &raw) < 0) {
		log_error("cannot put the terminal in raw mode: %m");
		return -1;
	}
	return 0;
}

enum attach_end console_attach(const struct attach_target *t, int term_fd,
			       int out_fd)
{
	struct attach *a = xcalloc(1, sizeof(*a));
	enum attach_end end = ATTACH_ERROR;
	struct termios saved;

	a->t = t;
	a->term_fd = term_fd;
	a->out_fd = out_fd;
	a->pty_fd = -1;
	if (tcgetattr(term_fd, &saved) < 0) {
		log_error("cannot read the terminal's mode: %m");
		goto out;
	}
	if (console_open(&a->con, t->name, NULL, t->log_path) < 0)
		goto out;
	/* Printed by the guest, never by the kernel alone: no failure watch. */
	a->con.m.watch_failures = false;
	if (make_raw(term_fd, &saved) < 0)
		goto close;
	if (show_history(a) == 0) {
		a->con.sink = sink;
		a->con.sink_ctx = a;
		end = attach_loop(a);
	}
	pty_close(a);
	/* TCSADRAIN: what the guest printed last is shown in raw mode. */
	if (tcsetattr(term_fd, TCSADRAIN, &saved) < 0 && errno != EIO)
		log_error("cannot restore the terminal's mode: %m (try 'stty sane')");
close:
	console_close(&a->con);
out:
	free(a);
	return end;
}
