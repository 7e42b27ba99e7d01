/* rep-on N: from now on, what is typed in this shell runs on N partitions
 * — the reference's popcorn_rep.sh.  It hands this terminal to the local
 * repd, which runs the replicated shell on a pty here and on every member,
 * and waits until that shell exits (`exit`), then gives the terminal back
 * as it found it.
 *
 * rep-on N --lockstep: a shell whose every command runs in lockstep on N
 * partitions — the shell itself runs under mvx (docs/mvx.md), so what it
 * reads from this terminal is the leader's input, handed to the
 * followers, and every syscall of every command is compared. */
#include "guest.h"
#include "repd.h"
#include "repns.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define MVX_PATH "/usr/bin/mvx"

static struct termios saved;
static int raw_on;

static void restore_terminal(void)
{
	if (raw_on)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved);
	raw_on = 0;
}

static void on_signal(int sig)
{
	restore_terminal();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Keys go to the replicated shell as typed: Ctrl-C included. */
static void raw_terminal(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved) < 0)
		return;
	t = saved;
	cfmakeraw(&t);
	if (tcsetattr(STDIN_FILENO, TCSADRAIN, &t) == 0)
		raw_on = 1;
}

static int send_request(int fd, unsigned n)
{
	struct repd_request req = { .magic = REPD_REQUEST_MAGIC, .partitions = n };
	char cbuf[CMSG_SPACE(2 * sizeof(int))] = { 0 };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fds[2] = { STDIN_FILENO, STDOUT_FILENO };
	struct winsize ws;

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0) {
		req.rows = ws.ws_row;
		req.cols = ws.ws_col;
	}
	if (!getcwd(req.cwd, sizeof(req.cwd)))
		strcpy(req.cwd, "/");
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	if (sendmsg(fd, &msg, 0) != sizeof(req)) {
		guest_error("cannot talk to repd: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int parse_n(const char *s, unsigned *n)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*end || end == s || v < 2 || v > WINDOW_MAX_PARTITIONS) {
		guest_error("N must be a number of partitions from 2 to %u, not '%s'",
			    WINDOW_MAX_PARTITIONS, s);
		return -1;
	}
	*n = (unsigned)v;
	return 0;
}

int main(int argc, char **argv)
{
	char line[512] = "";
	unsigned n;
	int fd, status = 1;

	guest_prog = "rep-on";
	if (argc < 2 || argc > 3 || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "--help") ||
	    (argc == 3 && strcmp(argv[2], "--lockstep"))) {
		fputs("usage: rep-on N [--lockstep]\n\nFrom now on, what is typed here runs on N partitions (this one and\n"
		      "the next N - 1 that are up), each printing on its own console; repd\n"
		      "compares their output.  'exit' ends it.  Run inside 'repns'.\n"
		      "--lockstep: the shell and every command run under mvx, their\n"
		      "syscalls compared one by one (output on this console only).\n",
		      argc == 2 ? stdout : stderr);
		return argc == 2 ? 0 : 2;
	}
	if (parse_n(argv[1], &n) < 0)
		return 2;
	if (argc == 3) {
		execl(MVX_PATH, "mvx", argv[1], "/bin/sh", (char *)NULL);
		guest_error("cannot run %s: %s", MVX_PATH, strerror(errno));
		return 1;
	}
	if (!getenv(REPNS_ENV)) {
		guest_error("not inside a replication namespace: run 'repns' first");
		return 2;
	}
	fd = repd_connect();
	if (fd < 0)
		return 1;
	/* Raw before asking: what is typed while the session opens is the
	 * session's, echoed by its shells, not by this terminal. */
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	raw_terminal();
	if (send_request(fd, n) < 0 || repd_read_line(fd, line, sizeof(line)) < 0 ||
	    strncmp(line, "ok", 2)) {
		restore_terminal();
		guest_error("%s", strncmp(line, "error: ", 7) ? "repd closed the connection" : line + 7);
		return 1;
	}
	if (repd_read_line(fd, line, sizeof(line)) == 0 && sscanf(line, "end %d", &status) == 1)
		status = status < 0 ? 1 : status;
	else
		status = 1;
	restore_terminal();
	return status;
}
