/* Unit tests: a held pty (ptyhold) and typing on it (console_send), with
 * this test in QEMU's place on the pty's master side. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>
#include <cmocka.h>

#include "fdread.h"
#include "ptyfix.h"

#include "capture.h"
#include "console/console.h"
#include "console/ptyhold.h"
#include "base/util.h"

#define GUEST_OUTPUT (512 * 1024)

/* A pty as QEMU makes one: master non-blocking, slave raw. */
static int qemu_side(char *slave, size_t size)
{
	int fd = ptyfix_open(slave, size, true);

	assert_true(fd >= 0);
	return fd;
}

/* How much of GUEST_OUTPUT bytes the master can write within MS before
 * the pty stops taking more. */
static size_t guest_prints(int master, int ms)
{
	static char buf[4096];
	int64_t deadline = now_ms() + ms;
	size_t done = 0;

	memset(buf, 'x', sizeof(buf));
	while (done < GUEST_OUTPUT && now_ms() < deadline) {
		struct pollfd p = { .fd = master, .events = POLLOUT };
		size_t left = GUEST_OUTPUT - done;
		ssize_t n = write(master, buf, left < sizeof(buf) ? left : sizeof(buf));

		if (n > 0)
			done += (size_t)n;
		else if (n < 0 && errno == EAGAIN)
			poll(&p, 1, 50);
		else
			break;
	}
	return done;
}

/* The reason for the drainer: a pty opened and never read stops taking
 * the guest's output long before GUEST_OUTPUT. */
static void test_unread_pty_fills_up(void **state)
{
	char slave[64];
	int master = qemu_side(slave, sizeof(slave));
	int fd = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);

	(void)state;
	assert_true(fd >= 0);
	assert_true(guest_prints(master, 500) < GUEST_OUTPUT);
	close(fd);
	close(master);
}

static void test_held_pty_takes_all_output(void **state)
{
	struct ptyhold h;
	char slave[64];
	int master = qemu_side(slave, sizeof(slave));

	(void)state;
	assert_int_equal(ptyhold_open(&h, "serial0", slave), 0);
	assert_int_equal(guest_prints(master, 10000), GUEST_OUTPUT);
	ptyhold_close(&h);
	assert_int_equal(h.fd, -1);
	close(master);
}

/* Typed text reaches QEMU's side whole, Enter as CR, while the guest
 * prints; nothing of it is eaten by the drainer (which reads the other
 * direction). */
static void test_send_on_held_pty(void **state)
{
	struct console c;
	char slave[64], got[64], dir[] = "/tmp/duplex-ptyhold-XXXXXX", *log;
	int master = qemu_side(slave, sizeof(slave));

	(void)state;
	assert_non_null(mkdtemp(dir));
	log = xasprintf("%s/serial0.log", dir);
	assert_int_equal(console_open(&c, "serial0", slave, log), 0);
	assert_int_equal(console_hold_pty(&c), 0);
	assert_int_equal(guest_prints(master, 10000), GUEST_OUTPUT);
	assert_int_equal(console_send(&c, "repns\n"), 0);
	assert_int_equal(console_send(&c, "rep-on 2\n"), 0);
	fdread_for(master, got, sizeof(got), NULL, 500);
	assert_string_equal(got, "repns\rrep-on 2\r");
	console_close(&c);
	close(master);
	rmdir(dir);
	free(log);
}

/* QEMU exits: its side closes; the drainer ends by itself and closing
 * the hold does not wait for anything. */
static void test_qemu_side_closes(void **state)
{
	struct ptyhold h;
	char slave[64];
	int master = qemu_side(slave, sizeof(slave));
	int64_t start;

	(void)state;
	assert_int_equal(ptyhold_open(&h, "serial0", slave), 0);
	close(master);
	start = now_ms();
	ptyhold_close(&h);
	assert_true(now_ms() - start < 1000);
}

static void test_missing_pty(void **state)
{
	struct stderr_capture cap;
	struct ptyhold h;
	char *err;

	(void)state;
	stderr_capture_start(&cap);
	assert_int_equal(ptyhold_open(&h, "serial3", "/dev/pts/999999"), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, "serial3: cannot open '/dev/pts/999999'");
	assert_int_equal(h.fd, -1);
	ptyhold_close(&h);
	free(err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unread_pty_fills_up),
		cmocka_unit_test(test_held_pty_takes_all_output),
		cmocka_unit_test(test_send_on_held_pty),
		cmocka_unit_test(test_qemu_side_closes),
		cmocka_unit_test(test_missing_pty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
