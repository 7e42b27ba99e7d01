/* Unit tests: a terminal attached to a console (console_attach), with this
 * test as everyone else: the person at the terminal (a pty's master), QEMU
 * on the console's pty (another master), a minicom on that pty (its
 * slave, read here), and virtlogd writing the console's log. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "fdread.h"
#include "ptyfix.h"

#include "console/console.h"
#include "base/base.h"

struct fixture {
	char dir[64];
	char log[96];
	int log_fd;		/* virtlogd's: closing it ends the console */
	char alive[96];		/* the machine is alive while this exists */
	int term;		/* the person's side of the terminal */
	char term_path[64];
	int qemu;		/* QEMU's side of the console's pty */
	char pty[64];
	int minicom;		/* a reader on the console's pty */
	bool running;		/* the partition's pty is published */
	pid_t child;
};

static void log_write(struct fixture *f, const char *s)
{
	assert_int_equal(write_all(f->log_fd, s, strlen(s)), 0);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	int fd;

	snprintf(f->dir, sizeof(f->dir), "/tmp/duplex-attach-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->log, sizeof(f->log), "%s/serial1.virtlogd", f->dir);
	snprintf(f->alive, sizeof(f->alive), "%s/alive", f->dir);
	f->log_fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(f->log_fd >= 0);
	fd = open(f->alive, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	close(fd);
	f->term = ptyfix_open(f->term_path, sizeof(f->term_path), false);
	f->qemu = ptyfix_open(f->pty, sizeof(f->pty), true);
	assert_true(f->term >= 0 && f->qemu >= 0);
	f->minicom = open(f->pty, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	assert_true(f->minicom >= 0);
	f->running = true;
	f->child = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char *cmd = xasprintf("rm -rf %s", f->dir);

	if (f->child > 0) {
		kill(f->child, SIGKILL);
		waitpid(f->child, NULL, 0);
	}
	if (f->log_fd >= 0)
		close(f->log_fd);
	close(f->term);
	close(f->qemu);
	close(f->minicom);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(f);
	return 0;
}

static char *fixture_pty(void *ctx)
{
	struct fixture *f = ctx;

	return f->running ? xstrdup(f->pty) : NULL;
}

static bool fixture_alive(void *ctx)
{
	return path_exists(((struct fixture *)ctx)->alive);
}

/* The terminal as a new one is: the mode the attach must give back. */
static void term_mode(const struct fixture *f, struct termios *t)
{
	int fd = open(f->term_path, O_RDWR | O_NOCTTY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(tcgetattr(fd, t), 0);
	close(fd);
}

static bool same_mode(const struct termios *a, const struct termios *b)
{
	return a->c_iflag == b->c_iflag && a->c_oflag == b->c_oflag &&
	       a->c_cflag == b->c_cflag && a->c_lflag == b->c_lflag &&
	       !memcmp(a->c_cc, b->c_cc, sizeof(a->c_cc));
}

/* duplex console in a child, on the terminal's slave side. */
static void attach(struct fixture *f)
{
	f->child = fork();
	assert_true(f->child >= 0);
	if (f->child == 0) {
		struct attach_target t = {
			.name = "serial1", .log_path = f->log,
			.pty = fixture_pty, .alive = fixture_alive, .ctx = f,
		};
		int fd = open(f->term_path, O_RDWR | O_NOCTTY | O_CLOEXEC);

		/* Only what duplex console has: the others' ends closed. */
		close(f->log_fd);
		close(f->term);
		close(f->qemu);
		close(f->minicom);
		if (fd < 0 || sigwatch_install() < 0)
			_exit(99);
		_exit(console_attach(&t, fd, fd));
	}
}

/* What FD gives until TEXT shows (or MS pass), NUL-terminated, malloc'd. */
static char *read_for(int fd, const char *text, int ms)
{
	size_t cap = 65536;
	char *buf = calloc(1, cap);

	fdread_for(fd, buf, cap, text, ms);
	return buf;
}

static char *read_until(int fd, const char *text)
{
	return read_for(fd, text, 5000);
}

static void expect_shown(int fd, const char *text)
{
	char *seen = read_until(fd, text);

	if (!strstr(seen, text))
		fail_msg("'%s' not shown; got: '%s'", text, seen);
	free(seen);
}

/* The child's end, within 5 s. */
static int attach_end(struct fixture *f)
{
	int64_t deadline = now_ms() + 5000;
	int status;
	pid_t r;

	while ((r = waitpid(f->child, &status, WNOHANG)) == 0 &&
	       now_ms() < deadline)
		usleep(10000);
	assert_int_equal(r, f->child);
	f->child = -1;
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static void wait_raw(const struct fixture *f)
{
	int64_t deadline = now_ms() + 5000;
	struct termios t;

	do {
		term_mode(f, &t);
		if (!(t.c_lflag & ICANON))
			return;
		usleep(10000);
	} while (now_ms() < deadline);
	fail_msg("the terminal was not put in raw mode");
}

/* The last lines of the log on attach, from a line start, then what
 * comes; the escape key detaches and the terminal is itself again. */
static void test_history_then_output(void **state)
{
	struct fixture *f = *state;
	struct termios before, after;
	char line[32], *seen;
	int i;

	for (i = 0; i < 400; i++) {
		snprintf(line, sizeof(line), "line %03d\r\n", i);
		log_write(f, line);
	}
	log_write(f, "p1:~# ");
	term_mode(f, &before);
	attach(f);
	seen = read_until(f->term, "p1:~# ");
	assert_non_null(strstr(seen, "line 399\r\np1:~# "));
	assert_null(strstr(seen, "line 000"));
	/* 2048 bytes back is in the middle of a line: shown from the next. */
	assert_memory_equal(seen, "line 196\r\n", 10);
	free(seen);
	log_write(f, "echo hi\r\nhi\r\n");
	expect_shown(f->term, "hi\r\nhi\r\n");
	wait_raw(f);
	assert_int_equal(write(f->term, "\x1d", 1), 1);
	assert_int_equal(attach_end(f), ATTACH_DETACHED);
	term_mode(f, &after);
	assert_true(same_mode(&before, &after));
}

/* Typed keys reach QEMU's side of the pty, the escape key never does,
 * and a minicom on the pty still gets every byte the guest prints. */
static void test_typing(void **state)
{
	struct fixture *f = *state;
	char *seen;

	log_write(f, "p1:~# ");
	attach(f);
	expect_shown(f->term, "p1:~# ");
	wait_raw(f);
	assert_int_equal(write(f->term, "echo $((6*7))\r\x03", 15), 15);
	seen = read_until(f->qemu, "\x03");
	assert_string_equal(seen, "echo $((6*7))\r\x03");
	free(seen);
	assert_int_equal(write(f->qemu, "guest output\r\n", 14), 14);
	expect_shown(f->minicom, "guest output\r\n");
	assert_int_equal(write(f->term, "ab\x1d" "cd", 5), 5);
	assert_int_equal(attach_end(f), ATTACH_DETACHED);
	/* Written before the attach ended: what follows is never sent. */
	seen = read_for(f->qemu, "cd", 300);
	assert_string_equal(seen, "ab");
	free(seen);
}

/* SIGTERM (and SIGHUP, SIGINT: sigwatch) ends the attach with the
 * terminal restored. */
static void test_signal_restores(void **state)
{
	struct fixture *f = *state;
	struct termios before, after;

	term_mode(f, &before);
	attach(f);
	wait_raw(f);
	kill(f->child, SIGTERM);
	assert_int_equal(attach_end(f), ATTACH_SIGNAL);
	term_mode(f, &after);
	assert_true(same_mode(&before, &after));
}

/* The writer closing the log of a running partition: its domain ended. */
static void test_log_closed(void **state)
{
	struct fixture *f = *state;
	struct termios before, after;

	term_mode(f, &before);
	attach(f);
	wait_raw(f);
	log_write(f, "reboot: Power down\r\n");
	close(f->log_fd);
	f->log_fd = -1;
	expect_shown(f->term, "Power down");
	assert_int_equal(attach_end(f), ATTACH_ENDED);
	term_mode(f, &after);
	assert_true(same_mode(&before, &after));
}

/* A partition not started: what is typed is dropped with a notice, a log
 * closed (a standby domain going) does not end the attach, the machine's
 * end does. */
static void test_not_running(void **state)
{
	struct fixture *f = *state;

	f->running = false;
	attach(f);
	wait_raw(f);
	assert_int_equal(write(f->term, "x", 1), 1);
	expect_shown(f->term, "[duplex console: serial1 is not running: typed text dropped]");
	close(f->log_fd);
	f->log_fd = -1;
	usleep(300000);
	assert_int_equal(waitpid(f->child, NULL, WNOHANG), 0);
	assert_int_equal(unlink(f->alive), 0);
	assert_int_equal(attach_end(f), ATTACH_ENDED);
}

/* virtlogd rotating the log (renamed to .0, closed, a new file made):
 * the attach reads the old file to its end, then the new one. */
static void test_rotation(void **state)
{
	struct fixture *f = *state;
	char *old = xasprintf("%s.0", f->log);

	log_write(f, "p1:~# ");
	attach(f);
	expect_shown(f->term, "p1:~# ");
	assert_int_equal(rename(f->log, old), 0);
	log_write(f, "before the rotation\r\n");
	close(f->log_fd);
	f->log_fd = open(f->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(f->log_fd >= 0);
	log_write(f, "after the rotation\r\n");
	expect_shown(f->term, "before the rotation\r\nafter the rotation\r\n");
	assert_int_equal(waitpid(f->child, NULL, WNOHANG), 0);
	assert_int_equal(write(f->term, "\x1d", 1), 1);
	assert_int_equal(attach_end(f), ATTACH_DETACHED);
	free(old);
}

/* The person's terminal gone (its master closed): the attach ends. */
static void test_hangup(void **state)
{
	struct fixture *f = *state;

	attach(f);
	wait_raw(f);
	close(f->term);
	f->term = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_int_equal(attach_end(f), ATTACH_HANGUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_history_then_output, setup, teardown),
		cmocka_unit_test_setup_teardown(test_typing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signal_restores, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_running, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hangup, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
