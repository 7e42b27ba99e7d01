/* Unit tests: machine profile parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture.h"
#include "base/config.h"
#include "base/log.h"
#include "base/util.h"

static void assert_rejected(const char *text, const char *words)
{
	struct machine_profile p;
	struct stderr_capture cap;
	char *err;
	int ret;

	stderr_capture_start(&cap);
	ret = profile_parse(text, "test.profile", &p);
	err = stderr_capture_end(&cap);
	assert_int_equal(ret, -1);
	assert_says(err, words);
	free(err);
}

static void test_defaults_and_values(void **state)
{
	struct machine_profile p;

	(void)state;
	assert_int_equal(profile_parse("name = lab\npartitions = 3\nvcpus = 2\n"
				       "memory_mib = 768\naccel = tcg\n"
				       "cmdline = panic=-1 quiet\n"
				       "replica.0 = 1\nreplica.1 = 2\nreplica.2 = 1\n",
				       "t", &p), 0);
	assert_string_equal(p.name, "lab");
	assert_int_equal(p.partitions, 3);
	assert_int_equal(p.vcpus, 2);
	assert_int_equal(p.memory_mib, 768);
	assert_int_equal(p.accel, ACCEL_TCG);
	assert_string_equal(p.cmdline, "panic=-1 quiet");
	assert_int_equal(p.replica[0], 1);
	assert_int_equal(p.replica[1], 2);
	assert_int_equal(p.replica[2], 1);
	assert_int_equal(p.boot_timeout_s, 300);
	assert_int_equal(p.transcript_limit_kib, 65536);
	assert_int_equal(p.subnet, 0x0a010200);
	assert_int_equal(p.subnet_prefix, 24);
}

static void test_transcript_limit(void **state)
{
	struct machine_profile p;

	(void)state;
	assert_int_equal(profile_parse("transcript_limit_kib = 1024\n"
				       "replica.0 = 1\nreplica.1 = 2\n",
				       "t", &p), 0);
	assert_int_equal(p.transcript_limit_kib, 1024);
	assert_rejected("transcript_limit_kib = 0\nreplica.0 = 1\nreplica.1 = 2\n",
			"test.profile:1: 'transcript_limit_kib' must be a whole number from 1 to 4194304, not '0'");
}

static void test_comments_blank_and_spaces(void **state)
{
	struct machine_profile p;

	(void)state;
	assert_int_equal(profile_parse("# a comment\n\n   \npartitions=1 # one\n"
				       "\treplica.0\t=\t2\t\n", "t", &p), 0);
	assert_int_equal(p.partitions, 1);
	assert_int_equal(p.replica[0], 2);
	assert_int_equal(p.memory_mib, 512);
}

static void test_shipped_profile_loads(void **state)
{
	struct machine_profile p;

	(void)state;
	assert_int_equal(profile_load(DUPLEX_SOURCE_ROOT "/vm/default.profile", &p), 0);
	assert_true(p.partitions >= 2);
	assert_int_equal(p.replica[0], 1);
	assert_int_equal(p.replica[1], 2);
}

/* A variant names a fragment and a build directory: plain names only. */
static void test_variant(void **state)
{
	struct machine_profile p;
	struct stderr_capture cap;
	char *err, *image;
	struct duplex_paths paths = { .build = "/b" };

	(void)state;
	assert_int_equal(profile_parse("replica.0 = 1\nreplica.1 = 1\nvariant = kasan\n",
				       "vm/x.profile", &p), 0);
	assert_string_equal(p.variant, "kasan");
	image = paths_kernel_image(&paths, p.replica[1], p.variant);
	assert_string_equal(image, "/b/replica1-kasan/arch/x86/boot/bzImage");
	free(image);
	assert_int_equal(profile_load(DUPLEX_SOURCE_ROOT "/vm/default.profile", &p), 0);
	assert_string_equal(p.variant, "");
	image = paths_kernel_image(&paths, 2, p.variant);
	assert_string_equal(image, "/b/replica2/arch/x86/boot/bzImage");
	free(image);

	stderr_capture_start(&cap);
	assert_int_equal(profile_parse("replica.0 = 1\nreplica.1 = 2\nvariant = ../x\n",
				       "vm/x.profile", &p), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, "vm/x.profile:3: 'variant' may hold only letters, digits, '-' and '_', not '.'");
	free(err);
}

/* A kernel flavour: a profile's name is kernel/flavours/NAME, which must
 * hold common.config; its builds are named after it; $DUPLEX_FLAVOUR
 * picks one for profiles that name none; "default" is kernel/. */
static void test_flavour(void **state)
{
	struct duplex_paths paths = { .root = DUPLEX_SOURCE_ROOT, .build = "/b" }, fp;
	struct machine_profile p;
	struct stderr_capture cap;
	char *err, *image;

	(void)state;
	snprintf(paths.kernel, sizeof(paths.kernel), "%s/kernel", paths.root);
	assert_int_equal(profile_load(DUPLEX_SOURCE_ROOT "/vm/plain.profile", &p), 0);
	assert_string_equal(p.flavour, "plain");
	unsetenv("DUPLEX_FLAVOUR");
	assert_int_equal(paths_flavour(&paths, p.flavour, &fp), 0);
	assert_string_equal(fp.kernel, DUPLEX_SOURCE_ROOT "/kernel/flavours/plain");
	image = paths_kernel_image(&fp, 2, "");
	assert_string_equal(image, "/b/plain-replica2/arch/x86/boot/bzImage");
	free(image);
	assert_int_equal(paths_flavour(&paths, "", &fp), 0);
	assert_string_equal(fp.kernel, DUPLEX_SOURCE_ROOT "/kernel");
	assert_string_equal(fp.flavour, "");
	setenv("DUPLEX_FLAVOUR", "plain", 1);
	assert_int_equal(paths_flavour(&paths, "", &fp), 0);
	assert_string_equal(fp.flavour, "plain");
	assert_int_equal(paths_flavour(&paths, "default", &fp), 0);
	assert_string_equal(fp.flavour, "");
	setenv("DUPLEX_FLAVOUR", DUPLEX_SOURCE_ROOT "/kernel/flavours/plain", 1);
	assert_int_equal(paths_flavour(&paths, "", &fp), 0);
	assert_string_equal(fp.flavour, "plain");
	unsetenv("DUPLEX_FLAVOUR");

	stderr_capture_start(&cap);
	assert_int_equal(paths_flavour(&paths, "nosuch", &fp), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, "kernel flavour 'nosuch': no 'kernel/flavours/nosuch/common.config'");
	free(err);
	stderr_capture_start(&cap);
	assert_int_equal(profile_parse("replica.0 = 1\nflavour = a/b\n", "vm/x.profile", &p), -1);
	err = stderr_capture_end(&cap);
	assert_says(err, "vm/x.profile:2: 'flavour' may hold only letters");
	free(err);
}

/* The leak test boots the plain replica kernels, with the argument that
 * turns /proc/duplex_leak on; the other machines boot them without it. */
static void test_leak_profiles_switch_by_argument(void **state)
{
	static const char *const leak[] = { "leak", "leak-same" };
	struct machine_profile p;
	char *path;

	(void)state;
	for (size_t i = 0; i < sizeof(leak) / sizeof(*leak); i++) {
		path = xasprintf(DUPLEX_SOURCE_ROOT "/vm/%s.profile", leak[i]);
		assert_int_equal(profile_load(path, &p), 0);
		assert_string_equal(p.variant, "");
		assert_non_null(strstr(p.cmdline, "duplex_leak=1"));
		free(path);
	}
	assert_int_equal(profile_load(DUPLEX_SOURCE_ROOT "/vm/default.profile", &p), 0);
	assert_null(strstr(p.cmdline, "duplex_leak"));
}

static void test_errors_name_line_and_key(void **state)
{
	(void)state;
	assert_rejected("partitions = 2\nreplica.0 = 1\nreplica.1 = 2\nbogus = 1\n",
			"test.profile:4: unknown key 'bogus'");
	assert_rejected("partitions = two\n", "test.profile:1: 'partitions' must be a whole number from 1 to 8");
	assert_rejected("partitions = 9\n", "from 1 to 8, not '9'");
	assert_rejected("memory_mib = -5\n", "'memory_mib' must be");
	assert_rejected("\n\njust words\n", "test.profile:3: expected 'key = value'");
	assert_rejected("accel = fast\n", "'accel' must be auto, kvm or tcg");
	assert_rejected("name = a b\n", "'name' may hold only");
}

static void test_replicas_must_match_partitions(void **state)
{
	(void)state;
	assert_rejected("partitions = 2\nreplica.0 = 1\n",
			"partition 1 has no replica: add 'replica.1 = 1'");
	assert_rejected("partitions = 1\nreplica.0 = 1\nreplica.3 = 2\n",
			"'replica.3' is set but the profile has only 1 partitions");
	assert_rejected("replica.9 = 1\n", "the partition after 'replica.' must be 0 to 7");
	assert_rejected("partitions = 1\nreplica.0 = 0\n", "'replica.0' must be a whole number from 1 to 8");
}

static void test_cmdline_bounds(void **state)
{
	char text[700];

	(void)state;
	memset(text, 0, sizeof(text));
	strcpy(text, "cmdline = ");
	memset(text + strlen(text), 'a', 600);
	assert_rejected(text, "'cmdline' is longer than 511 bytes");
	assert_rejected("cmdline = a\x01" "b\n", "non-printable byte 0x01");
}

static void test_subnet_and_addresses(void **state)
{
	struct machine_profile p;
	char addr[32];

	(void)state;
	assert_int_equal(profile_load(DUPLEX_SOURCE_ROOT "/vm/default.profile", &p), 0);
	profile_partition_addr(&p, 0, addr, sizeof(addr));
	assert_string_equal(addr, "10.1.2.1/24");
	profile_partition_addr(&p, 1, addr, sizeof(addr));
	assert_string_equal(addr, "10.1.2.2/24");
	assert_int_equal(profile_parse("partitions = 2\nreplica.0 = 1\n"
				       "replica.1 = 2\nsubnet = 192.168.77.8/30\n",
				       "t", &p), 0);
	profile_partition_addr(&p, 1, addr, sizeof(addr));
	assert_string_equal(addr, "192.168.77.10/30");
	assert_int_equal(profile_parse("subnet = 172.31.255.0/24\n"
				       "partitions = 1\nreplica.0 = 1\n", "t", &p), 0);
	profile_partition_addr(&p, 0, addr, sizeof(addr));
	assert_string_equal(addr, "172.31.255.1/24");
}

static void test_subnet_errors(void **state)
{
	static const char *const bad[] = {
		"8.8.8.0/24", "172.32.0.0/24", "192.169.1.0/24", "11.1.2.0/24",
		"10.1.2.0/23", "10.1.2.0/31", "10.1.2.0/32", "10.1.2.0/024",
		"10.1.2.0/0x18", "10.1.2.0", "10.1.2/24", "10.1.2.0/",
		"10.1.2.0/24x", "010.1.2.0/24", "10.1.2.0 /24", "",
		"10.1.2.0/24/24", "10.1.2.256/24",
	};
	char text[128];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		snprintf(text, sizeof(text), "subnet = %s\n", bad[i]);
		assert_rejected(text, "test.profile:1: 'subnet' must be a private IPv4 network");
	}
	assert_rejected("subnet = 10.1.2.1/24\n",
			"'subnet' 10.1.2.1/24 has host bits set");
	assert_rejected("subnet = 192.168.0.4/29\n", "has host bits set");
	assert_rejected("partitions = 3\nreplica.0 = 1\nreplica.1 = 1\n"
			"replica.2 = 1\nsubnet = 10.9.9.0/30\n",
			"'subnet' /30 has room for 2 partitions, the profile has 3");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_and_values),
		cmocka_unit_test(test_transcript_limit),
		cmocka_unit_test(test_comments_blank_and_spaces),
		cmocka_unit_test(test_shipped_profile_loads),
		cmocka_unit_test(test_variant),
		cmocka_unit_test(test_flavour),
		cmocka_unit_test(test_leak_profiles_switch_by_argument),
		cmocka_unit_test(test_errors_name_line_and_key),
		cmocka_unit_test(test_replicas_must_match_partitions),
		cmocka_unit_test(test_cmdline_bounds),
		cmocka_unit_test(test_subnet_and_addresses),
		cmocka_unit_test(test_subnet_errors),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
