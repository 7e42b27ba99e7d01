/* Unit tests: the pure parts of link (names derived from the run id and
 * back, NIC addresses).  Neither root nor libvirtd needed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <cmocka.h>

#include "machine/link.h"
#include "base/util.h"

static void test_names(void **state)
{
	char name[64], run_id[32];

	(void)state;
	link_bridge_name("r4194304-beef", name, sizeof(name));
	assert_string_equal(name, "dx4194304-beef");
	/* The longest run id still names a bridge the kernel accepts. */
	assert_true(strlen(name) < IFNAMSIZ);
	assert_true(link_bridge_run_id(name, run_id, sizeof(run_id)));
	assert_string_equal(run_id, "r4194304-beef");

	link_window_name("r42-00af", name, sizeof(name));
	assert_string_equal(name, "duplex-r42-00af");
	assert_true(link_window_run_id(name, run_id, sizeof(run_id)));
	assert_string_equal(run_id, "r42-00af");
}

/* Clean deletes what these accept: anything not exactly ours is kept. */
static void test_names_not_ours(void **state)
{
	static const char *const bridges[] = {
		"", "dx", "dx-", "br0", "docker0", "virbr0", "dx42", "dx42-",
		"dx42-abc", "dx42-abcde", "dx42-ABCD", "dx42-wxyz", "dx042-abcd",
		"dx0-abcd", "dx12345678-abcd", "dxr42-abcd", "xdx42-abcd",
		"dx42-abcd ", "dx4-2-abcd",
	};
	static const char *const windows[] = {
		"", "duplex-", "duplex-r", "duplex-r42", "duplex-r42-abc",
		"duplex-42-abcd", "duplex-r42-abcd-p0", "duplex-r42-abcd.tmp",
		"pulse-shm-1234", "sem.duplex-r42-abcd", "duplex-r0-abcd",
	};
	char run_id[32];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bridges); i++)
		if (link_bridge_run_id(bridges[i], run_id, sizeof(run_id)))
			fail_msg("bridge '%s' taken for one of ours", bridges[i]);
	for (i = 0; i < ARRAY_SIZE(windows); i++)
		if (link_window_run_id(windows[i], run_id, sizeof(run_id)))
			fail_msg("window '%s' taken for one of ours", windows[i]);
	/* A run id that does not fit the caller's buffer is not ours. */
	assert_false(link_bridge_run_id("dx42-abcd", run_id, 5));
}

static void test_mac(void **state)
{
	char a0[24], a1[24], again[24], b0[24];
	unsigned first;

	(void)state;
	link_mac("r42-beef", 0, a0, sizeof(a0));
	link_mac("r42-beef", 1, a1, sizeof(a1));
	link_mac("r42-beef", 0, again, sizeof(again));
	link_mac("r43-beef", 0, b0, sizeof(b0));
	assert_int_equal(strlen(a0), 17);
	assert_int_equal(strncmp(a0, "52:54:00:", 9), 0);
	assert_string_equal(a0 + 15, "00");
	assert_string_equal(a1 + 15, "01");
	assert_int_equal(strncmp(a0, a1, 15), 0);
	assert_string_equal(a0, again);
	assert_string_not_equal(a0, b0);
	/* Unicast (bit 0 clear), locally administered (bit 1 set). */
	assert_int_equal(sscanf(a0, "%x:", &first), 1);
	assert_int_equal(first & 3, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_names_not_ours),
		cmocka_unit_test(test_mac),
	};

	return cmocka_run_group_tests_name("link", tests, NULL, NULL);
}
