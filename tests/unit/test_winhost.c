/* Unit tests of the host's heartbeat watch (winhost): when an UP
 * partition counts as silent, that it is said once per silence, and that
 * a partition that comes back or boots again starts afresh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "machine/winhost.h"
#include "window_fixture.h"

#define LIMIT WINHOST_SILENCE_MS

static void test_beat_silent_once(void **state)
{
	struct winhost_beat b = { 0 };

	(void)state;
	assert_false(winhost_beat_silent(&b, true, 7, 1000));
	assert_false(winhost_beat_silent(&b, true, 7, 1000 + LIMIT - 1));
	assert_true(winhost_beat_silent(&b, true, 7, 1000 + LIMIT));
	assert_false(winhost_beat_silent(&b, true, 7, 1000 + LIMIT + 1));
	assert_false(winhost_beat_silent(&b, true, 7, 1000 + 10 * LIMIT));
}

static void test_beat_moving_is_not_silent(void **state)
{
	struct winhost_beat b = { 0 };
	int64_t t;

	(void)state;
	for (t = 0; t <= 5 * LIMIT; t += LIMIT / 2)
		assert_false(winhost_beat_silent(&b, true, (uint64_t)t, t));
	/* It stops: said once; it moves and stops again: said again. */
	assert_true(winhost_beat_silent(&b, true, 5 * LIMIT, 6 * LIMIT));
	assert_false(winhost_beat_silent(&b, true, 99, 6 * LIMIT + 1));
	assert_false(winhost_beat_silent(&b, true, 99, 7 * LIMIT));
	assert_true(winhost_beat_silent(&b, true, 99, 7 * LIMIT + 1));
}

static void test_beat_not_up(void **state)
{
	struct winhost_beat b = { 0 };

	(void)state;
	assert_false(winhost_beat_silent(&b, false, 3, 0));
	assert_false(winhost_beat_silent(&b, false, 3, 10 * LIMIT));
	/* Entering UP starts the count: the time spent down does not
	 * count, even with the same heartbeat. */
	assert_false(winhost_beat_silent(&b, true, 3, 10 * LIMIT));
	assert_false(winhost_beat_silent(&b, true, 3, 11 * LIMIT - 1));
	assert_true(winhost_beat_silent(&b, true, 3, 11 * LIMIT));
	/* Leaving UP and coming back: a new silence, said again. */
	assert_false(winhost_beat_silent(&b, false, 3, 11 * LIMIT + 1));
	assert_false(winhost_beat_silent(&b, true, 3, 12 * LIMIT));
	assert_true(winhost_beat_silent(&b, true, 3, 13 * LIMIT));
}

static void set_state(struct winhost *h, unsigned k, enum window_state s)
{
	winhost_set_state(h, k, s);
	assert_int_equal(window_slot_state(&h->w, k), s);
}

static void up(struct winhost *h, unsigned k)
{
	set_state(h, k, WINDOW_STATE_BOOT_REQUESTED);
	set_state(h, k, WINDOW_STATE_BOOTING);
	assert_int_equal(window_announce_up(&h->w, k), 0);
	winhost_update(h);
	assert_int_equal(window_slot_state(&h->w, k), WINDOW_STATE_UP);
}

/* Through the window: only UP slots are watched, the first silent one is
 * named, and a new boot of a silent partition starts afresh. */
static void test_silent_partition(void **state)
{
	struct fixture *f = *state;
	struct winhost h = { .base = f->mem, .w = f->w };
	unsigned k = 9;

	assert_false(winhost_silent(&h, 0, &k));
	assert_false(winhost_silent(&h, 2 * LIMIT, &k));
	up(&h, 1);
	assert_false(winhost_silent(&h, 2 * LIMIT, &k));
	up(&h, 0);
	assert_false(winhost_silent(&h, 2 * LIMIT + 1, &k));
	assert_int_equal(window_heartbeat(&h.w, 0), 0);
	assert_true(winhost_silent(&h, 3 * LIMIT, &k));
	assert_int_equal(k, 1);
	assert_false(winhost_silent(&h, 3 * LIMIT + 1, &k));
	assert_true(winhost_silent(&h, 4 * LIMIT + 1, &k));
	assert_int_equal(k, 0);

	/* Halted and booted again between two looks, its heartbeat where
	 * it was: a new boot, a new silence. */
	set_state(&h, 1, WINDOW_STATE_HALTED);
	up(&h, 1);
	assert_false(winhost_silent(&h, 10 * LIMIT, &k));
	assert_false(winhost_silent(&h, 11 * LIMIT - 1, &k));
	assert_true(winhost_silent(&h, 11 * LIMIT, &k));
	assert_int_equal(k, 1);
}

static bool always(void *ctx, unsigned target, char *why, size_t size)
{
	(void)ctx, (void)target, (void)why, (void)size;
	return true;
}

/* A guest overwrites partition 1's host-owned fields, as a hostile one
 * can: the host keeps its own state, says so once, naming the likely
 * writer, restores the copy, and its decisions do not change. */
static void test_overwritten_state(void **state)
{
	struct fixture *f = *state;
	struct winhost h = { .base = f->mem, .w = f->w };
	struct stderr_capture cap;
	char cmdline[WINDOW_CMDLINE_MAX], *said;
	unsigned k = 9, target;
	uint32_t seq;

	up(&h, 0);
	up(&h, 1);
	/* HALTED hides a hang and drops 1 from replication; OFF makes it
	 * look bootable again. */
	atomic_store(&slot(f, 1)->state, WINDOW_STATE_HALTED);
	stderr_capture_start(&cap);
	winhost_update(&h);
	said = stderr_capture_end(&cap);
	assert_says(said, "window: partition 1's host-owned fields were overwritten (state halted, boot 1; the host's: up, boot 1), most likely by partition 1 itself: ignored, the host's restored");
	free(said);
	assert_int_equal(winhost_state(&h, 1), WINDOW_STATE_UP);
	assert_int_equal(window_slot_state(&h.w, 1), WINDOW_STATE_UP);

	/* Said once: again, and restored again, quietly. */
	atomic_store(&slot(f, 1)->state, WINDOW_STATE_OFF);
	stderr_capture_start(&cap);
	assert_int_equal(window_boot_request(&h.w, 0, 1, "", &seq), 0);
	assert_int_equal(winhost_next_boot(&h, &target, cmdline, sizeof(cmdline),
					   always, NULL), 0);
	said = stderr_capture_end(&cap);
	assert_null(strstr(said, "overwritten"));
	free(said);
	assert_int_equal(window_slot_state(&h.w, 1), WINDOW_STATE_UP);
	/* The request for the running partition was refused as busy. */
	assert_int_equal(slot(f, 0)->resp_seq, seq);
	assert_int_equal(slot(f, 0)->resp_status, WINDOW_EBUSY);

	/* Its hang is still seen: the forged HALTED did not stop the watch. */
	assert_int_equal(window_heartbeat(&h.w, 0), 0);
	assert_false(winhost_silent(&h, 0, &k));
	assert_int_equal(window_heartbeat(&h.w, 0), 0);
	assert_true(winhost_silent(&h, LIMIT, &k));
	assert_int_equal(k, 1);
}

/* A guest fakes a boot's announcement by writing boot_gen and up_gen
 * alike: only up_gen equal to the host's own count makes a partition UP. */
static void test_forged_up_gen(void **state)
{
	struct fixture *f = *state;
	struct winhost h = { .base = f->mem, .w = f->w };
	struct stderr_capture cap;
	char *said;

	set_state(&h, 1, WINDOW_STATE_BOOT_REQUESTED);
	set_state(&h, 1, WINDOW_STATE_BOOTING);
	atomic_store(&slot(f, 1)->boot_gen, 77);
	atomic_store(&slot(f, 1)->up_gen, 77);
	stderr_capture_start(&cap);
	assert_int_equal(winhost_update(&h), 0);
	said = stderr_capture_end(&cap);
	assert_says(said, "(state booting, boot 77; the host's: booting, boot 1), most likely by partition 1 itself");
	free(said);
	assert_int_equal(winhost_state(&h, 1), WINDOW_STATE_BOOTING);
	assert_int_equal(window_slot_boot_gen(&h.w, 1), 1);
	/* The real announcement of this boot. */
	assert_int_equal(window_announce_up(&h.w, 1), 0);
	assert_int_equal(winhost_update(&h), 1);
	assert_int_equal(winhost_state(&h, 1), WINDOW_STATE_UP);
}

/* A closed winhost (no window mapped) watches nothing. */
static void test_silent_unmapped(void **state)
{
	struct winhost h = { 0 };
	unsigned k = 9;

	(void)state;
	assert_false(winhost_silent(&h, 10 * LIMIT, &k));
	assert_int_equal(k, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_beat_silent_once),
		cmocka_unit_test(test_beat_moving_is_not_silent),
		cmocka_unit_test(test_beat_not_up),
		T(test_silent_partition),
		cmocka_unit_test(test_silent_unmapped),
		T(test_overwritten_state),
		T(test_forged_up_gen),
	};

	return cmocka_run_group_tests_name("winhost", tests, NULL, NULL);
}
