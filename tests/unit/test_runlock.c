/* Unit tests: runlock, a run's liveness as the lock it holds.  A forked
 * child plays the run; the run dir is a temporary directory.  No VMs, no
 * root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/runlock.h"
#include "base/util.h"

struct fixture {
	char run_dir[64];
	char run_id[32];	/* r<this process's pid>-<hex>: alive by pid */
	char *state_dir;
};

static int setup(void **state)
{
	static unsigned n;
	struct fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->run_dir, sizeof(f->run_dir), "/tmp/duplex-runlock-XXXXXX");
	if (!mkdtemp(f->run_dir)) {
		free(f);
		return -1;
	}
	snprintf(f->run_id, sizeof(f->run_id), "r%ld-%04x", (long)getpid(), ++n);
	f->state_dir = xasprintf("%s/%s", f->run_dir, f->run_id);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	remove_tree(f->run_dir);
	free(f->state_dir);
	free(f);
	return 0;
}

/* A run: a child that takes the lock in STATE_DIR, says so on READY and
 * holds it until GO is closed.  Returns its pid once it holds the lock. */
static pid_t start_run(const char *state_dir, int *go)
{
	int ready[2], hold[2];
	char c = 0;
	pid_t pid;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(hold), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd;

		close(ready[0]);
		close(hold[1]);
		fd = runlock_take(state_dir);

		c = fd >= 0 ? 'y' : 'n';
		if (write(ready[1], &c, 1) != 1 || fd < 0)
			_exit(1);
		while (read(hold[0], &c, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(hold[0]);
	assert_int_equal(read(ready[0], &c, 1), 1);
	close(ready[0]);
	assert_int_equal(c, 'y');
	*go = hold[1];
	return pid;
}

static void end_run(pid_t pid, int go)
{
	int status;

	close(go);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Nobody holds the lock file in STATE_DIR: it can be locked. */
static bool lock_free(const char *state_dir)
{
	char *path = xasprintf("%s/" RUNLOCK_FILE, state_dir);
	int fd = open(path, O_RDONLY);
	bool free_now = fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0;

	if (fd >= 0)
		close(fd);
	free(path);
	return free_now;
}

/* The lock decides, not the pid in the run id: that one (ours) lives on. */
static void test_held_then_released(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int go;

	assert_int_equal(mkdir_p(f->state_dir, 0755), 0);
	pid = start_run(f->state_dir, &go);
	assert_true(runlock_alive(f->run_id, f->run_dir));
	assert_true(runlock_alive(f->run_id, f->run_dir));
	end_run(pid, go);
	assert_false(runlock_alive(f->run_id, f->run_dir));
	/* Asking released the lock again at once. */
	assert_true(lock_free(f->state_dir));
	assert_false(runlock_alive(f->run_id, f->run_dir));
}

/* Killed, as with SIGKILL: the kernel releases the lock. */
static void test_killed_run_is_dead(void **state)
{
	struct fixture *f = *state;
	pid_t pid;
	int go, status;

	assert_int_equal(mkdir_p(f->state_dir, 0755), 0);
	pid = start_run(f->state_dir, &go);
	assert_true(runlock_alive(f->run_id, f->run_dir));
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	close(go);
	assert_false(runlock_alive(f->run_id, f->run_dir));
}

/* What the run itself sees: one lock file, no temporary left, readable by
 * anyone, the descriptor not inherited across exec. */
static void test_take(void **state)
{
	struct fixture *f = *state;
	char *path = xasprintf("%s/" RUNLOCK_FILE, f->state_dir);
	struct stat st;
	int fd;

	assert_int_equal(mkdir_p(f->state_dir, 0755), 0);
	fd = runlock_take(f->state_dir);
	assert_true(fd >= 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_true(runlock_alive(f->run_id, f->run_dir));
	assert_false(lock_free(f->state_dir));
	runlock_release(fd);
	assert_true(lock_free(f->state_dir));
	runlock_release(-1);
	/* Only the lock file is there: its temporary name is gone. */
	assert_int_equal(remove(path), 0);
	assert_int_equal(rmdir(f->state_dir), 0);
	free(path);
}

/* No state dir at all, or one without a lock file (a run between mkdir
 * and its lock): the pid in the run id decides. */
static void test_no_lock_live_pid(void **state)
{
	struct fixture *f = *state;

	assert_true(runlock_alive(f->run_id, f->run_dir));
	assert_int_equal(mkdir_p(f->state_dir, 0755), 0);
	assert_true(runlock_alive(f->run_id, f->run_dir));
}

static void test_no_lock_dead_pid(void **state)
{
	struct fixture *f = *state;
	char run_id[32];
	int status;
	pid_t pid;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	snprintf(run_id, sizeof(run_id), "r%ld-00aa", (long)pid);
	assert_false(runlock_alive(run_id, f->run_dir));
	free(f->state_dir);
	f->state_dir = xasprintf("%s/%s", f->run_dir, run_id);
	assert_int_equal(mkdir_p(f->state_dir, 0755), 0);
	assert_false(runlock_alive(run_id, f->run_dir));
}

/* Without a lock file, a name that holds no pid is nobody's. */
static void test_no_lock_no_pid(void **state)
{
	static const char *const ids[] = {
		"r", "rx", "r0-abcd", "r-1-abcd", "r 5-abcd", "r+5-abcd",
		"r5", "r99999999999999999999-abcd", "x5-abcd",
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		if (runlock_alive(ids[i], f->run_dir))
			fail_msg("run '%s' taken for alive", ids[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_held_then_released, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_killed_run_is_dead, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_take, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_lock_live_pid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_lock_dead_pid, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_no_lock_no_pid, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("runlock", tests, NULL, NULL);
}
