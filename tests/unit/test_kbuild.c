#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "build/kbuild.h"
#include "build/kconfig.h"
#include "base/util.h"

struct captured {
	int ret;
	char *err;
};

static struct captured check(const char *config, const char *required)
{
	struct stderr_capture cap;
	struct captured c;

	stderr_capture_start(&cap);
	c.ret = kconfig_check_required(config, "build/replica1/.config",
				       required, "kernel/required.config");
	c.err = stderr_capture_end(&cap);
	return c;
}

static const char config[] =
	"#\n"
	"# Automatically generated file; DO NOT EDIT.\n"
	"#\n"
	"CONFIG_64BIT=y\n"
	"CONFIG_SERIAL_8250=y\n"
	"CONFIG_SERIAL_8250_CONSOLE=y\n"
	"CONFIG_PHYSICAL_START=0x1000000\n"
	"CONFIG_CMDLINE=\"console=ttyS0\"\n"
	"# CONFIG_RANDOMIZE_BASE is not set\n"
	"CONFIG_VIRTIO_NET=m\n";

static void test_all_present(void **state)
{
	struct captured c = check(config,
				  "CONFIG_64BIT=y\n"
				  "CONFIG_SERIAL_8250_CONSOLE=y\n"
				  "CONFIG_PHYSICAL_START=0x1000000\n"
				  "CONFIG_CMDLINE=\"console=ttyS0\"\n");

	(void)state;
	assert_int_equal(c.ret, 0);
	assert_string_equal(c.err, "");
	free(c.err);
}

static void test_one_missing(void **state)
{
	struct captured c = check(config,
				  "CONFIG_64BIT=y\n"
				  "CONFIG_DEVTMPFS=y\n");

	(void)state;
	assert_int_equal(c.ret, -1);
	assert_non_null(strstr(c.err,
		"kernel/required.config:2: CONFIG_DEVTMPFS=y is required but "
		"build/replica1/.config has it not set"));
	assert_null(strstr(c.err, "CONFIG_64BIT"));
	free(c.err);
}

static void test_different_value(void **state)
{
	struct captured c = check(config,
				  "CONFIG_VIRTIO_NET=y\n"
				  "CONFIG_PHYSICAL_START=0x10000000\n");

	(void)state;
	assert_int_equal(c.ret, -1);
	assert_non_null(strstr(c.err, "CONFIG_VIRTIO_NET=y is required but "
				      "build/replica1/.config has CONFIG_VIRTIO_NET=m"));
	assert_non_null(strstr(c.err, "CONFIG_PHYSICAL_START=0x10000000 is required"
				      " but build/replica1/.config has "
				      "CONFIG_PHYSICAL_START=0x1000000"));
	free(c.err);
}

static void test_comments_and_blank_lines(void **state)
{
	struct captured c = check(config,
				  "# The harness needs a serial console.\n"
				  "\n"
				  "   \t\n"
				  "# CONFIG_SERIAL_8250 is what it is built on\n"
				  "  CONFIG_SERIAL_8250=y  \r\n"
				  "#CONFIG_DEVTMPFS=y\n"
				  "CONFIG_64BIT=y");

	(void)state;
	assert_int_equal(c.ret, 0);
	assert_string_equal(c.err, "");
	free(c.err);
}

static void test_required_not_set(void **state)
{
	struct captured ok = check(config,
				   "# CONFIG_RANDOMIZE_BASE is not set\n"
				   "# CONFIG_MODULES is not set\n"
				   "CONFIG_KVM=n\n");
	struct captured bad = check(config,
				    "# CONFIG_SERIAL_8250_CONSOLE is not set\n");

	(void)state;
	assert_int_equal(ok.ret, 0);
	assert_int_equal(bad.ret, -1);
	assert_non_null(strstr(bad.err,
		"kernel/required.config:1: '# CONFIG_SERIAL_8250_CONSOLE is not set'"
		" is required but build/replica1/.config has "
		"CONFIG_SERIAL_8250_CONSOLE=y"));
	free(ok.err);
	free(bad.err);
}

static void test_every_mismatch_reported(void **state)
{
	struct captured c = check(config,
				  "CONFIG_PROC_FS=y\n"
				  "CONFIG_SYSFS=y\n");

	(void)state;
	assert_int_equal(c.ret, -1);
	assert_non_null(strstr(c.err, ":1: CONFIG_PROC_FS=y"));
	assert_non_null(strstr(c.err, ":2: CONFIG_SYSFS=y"));
	free(c.err);
}

static void test_malformed_line(void **state)
{
	struct captured c = check(config,
				  "CONFIG_64BIT=y\n"
				  "SERIAL_8250=y\n"
				  "CONFIG_SMP=y # trailing comment\n");

	(void)state;
	assert_int_equal(c.ret, -1);
	assert_non_null(strstr(c.err, "kernel/required.config:2: cannot read "
				      "'SERIAL_8250=y'"));
	/* Kconfig would take the comment as part of the value: so do we. */
	assert_non_null(strstr(c.err, ":3: CONFIG_SMP=y # trailing comment is "
				      "required"));
	free(c.err);
}

static void test_prefix_is_not_a_match(void **state)
{
	struct captured c = check(config, "CONFIG_SERIAL=y\n");

	(void)state;
	assert_int_equal(c.ret, -1);
	assert_non_null(strstr(c.err, "has it not set"));
	free(c.err);
}

static unsigned count_lines(const char *s)
{
	unsigned n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void expect_ksrc_error(const char *ksrc, const char *words)
{
	struct duplex_paths paths;
	struct kbuild_options opts = { .paths = &paths, .jobs = 1 };
	struct stderr_capture cap;
	char *src = NULL, *err;
	int ret;

	memset(&paths, 0, sizeof(paths));
	strcpy(paths.root, "/nonexistent-root");
	strcpy(paths.build, "/nonexistent-root/build");
	strcpy(paths.ksrc, ksrc);
	stderr_capture_start(&cap);
	ret = kbuild_source_tree(&opts, &src);
	err = stderr_capture_end(&cap);
	assert_int_equal(ret, -1);
	assert_null(src);
	assert_non_null(strstr(err, words));
	assert_int_equal(count_lines(err), 1);
	free(err);
}

static void test_ksrc_missing(void **state)
{
	(void)state;
	expect_ksrc_error("/nonexistent", "KSRC '/nonexistent' does not exist");
}

static void test_ksrc_not_a_tree(void **state)
{
	char dir[] = "/tmp/test_kbuild_tree.XXXXXX";

	(void)state;
	assert_non_null(mkdtemp(dir));
	expect_ksrc_error(dir, "is not a kernel source tree (no Makefile)");
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_present),
		cmocka_unit_test(test_one_missing),
		cmocka_unit_test(test_different_value),
		cmocka_unit_test(test_comments_and_blank_lines),
		cmocka_unit_test(test_required_not_set),
		cmocka_unit_test(test_every_mismatch_reported),
		cmocka_unit_test(test_malformed_line),
		cmocka_unit_test(test_prefix_is_not_a_match),
		cmocka_unit_test(test_ksrc_missing),
		cmocka_unit_test(test_ksrc_not_a_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
