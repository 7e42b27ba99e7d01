/* Unit tests: the replicas' layout lines (parsing, finding them in a
 * console's text) and the check that no region of one partition overlaps
 * any region of another. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "machine/layout.h"
#include "base/util.h"

/* What the patched kernels printed (docs/layout-design.md, section 7). */
#define R1 "replica=1 text=0xffffffff81000000-0xffffffff81c15fff direct=0xffff888000000000-0xffff987fffffffff vmalloc=0xffffc90000000000-0xffffd8ffffffffff vmemmap=0xffffea0000000000-0xffffea7fffffffff modules=0xffffffffa0000000-0xffffffffcf7fffff"
#define R2 "replica=2 text=0xffffffff90000000-0xffffffff90c15fff direct=0xffff988000000000-0xffffa87fffffffff vmalloc=0xffffd90000000000-0xffffe8ffffffffff vmemmap=0xffffea8000000000-0xffffeaffffffffff modules=0xffffffffcf800000-0xfffffffffeffffff"
/* Replica 1's regions but text and modules, for contrived layouts. */
#define R1_MIDDLE "direct=0xffff888000000000-0xffff987fffffffff vmalloc=0xffffc90000000000-0xffffd8ffffffffff vmemmap=0xffffea0000000000-0xffffea7fffffffff"

static enum layout_found find(const char *text, struct layout *l, char *why)
{
	return layout_find(text, strlen(text), l, why);
}

static void parse_ok(const char *line, struct layout *l)
{
	char why[LAYOUT_WHY_SIZE] = "";

	if (layout_parse(line, strlen(line), l, why) < 0)
		fail_msg("'%s': %s", line, why);
}

static void assert_range(const struct layout *l, enum layout_region r,
			 uint64_t start, uint64_t end)
{
	assert_int_equal(l->region[r].start, start);
	assert_int_equal(l->region[r].end, end);
}

static void test_parse_real_lines(void **state)
{
	struct layout l;

	(void)state;
	parse_ok(R1, &l);
	assert_int_equal(l.replica, 1);
	assert_range(&l, LAYOUT_TEXT, 0xffffffff81000000, 0xffffffff81c15fff);
	assert_range(&l, LAYOUT_DIRECT, 0xffff888000000000, 0xffff987fffffffff);
	assert_range(&l, LAYOUT_VMALLOC, 0xffffc90000000000, 0xffffd8ffffffffff);
	assert_range(&l, LAYOUT_VMEMMAP, 0xffffea0000000000, 0xffffea7fffffffff);
	assert_range(&l, LAYOUT_MODULES, 0xffffffffa0000000, 0xffffffffcf7fffff);
	parse_ok(R2, &l);
	assert_int_equal(l.replica, 2);
	assert_range(&l, LAYOUT_TEXT, 0xffffffff90000000, 0xffffffff90c15fff);
	assert_range(&l, LAYOUT_DIRECT, 0xffff988000000000, 0xffffa87fffffffff);
	assert_range(&l, LAYOUT_VMALLOC, 0xffffd90000000000, 0xffffe8ffffffffff);
	assert_range(&l, LAYOUT_VMEMMAP, 0xffffea8000000000, 0xffffeaffffffffff);
	assert_range(&l, LAYOUT_MODULES, 0xffffffffcf800000, 0xfffffffffeffffff);
	assert_string_equal(layout_region_name(LAYOUT_VMEMMAP), "vmemmap");
}

/* Keys in any order, runs of spaces, upper-case hex. */
static void test_parse_any_order(void **state)
{
	struct layout l;

	(void)state;
	parse_ok("modules=0xFFFFFFFFA0000000-0xffffffffcf7fffff  " R1_MIDDLE
		 " text=0x1000-0x1fff replica=12 ", &l);
	assert_int_equal(l.replica, 12);
	assert_range(&l, LAYOUT_TEXT, 0x1000, 0x1fff);
	assert_range(&l, LAYOUT_MODULES, 0xffffffffa0000000, 0xffffffffcf7fffff);
	assert_range(&l, LAYOUT_VMEMMAP, 0xffffea0000000000, 0xffffea7fffffffff);
	/* a region of one byte */
	parse_ok("replica=1 text=0x5-0x5 modules=0x0-0x0 " R1_MIDDLE, &l);
	assert_range(&l, LAYOUT_TEXT, 5, 5);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *line, *why;
	} bad[] = {
		{ "replica=1 text=0xffffffff8100zz00-0xffffffff81c15fff " R1_MIDDLE " modules=0x0-0x1",
		  "text: bad hex number '0xffffffff8100zz00' (start)" },
		{ "replica=1 text=0x0-ffff " R1_MIDDLE " modules=0x0-0x1",
		  "text: bad hex number 'ffff' (end)" },
		{ "replica=1 text=0x-0x1 " R1_MIDDLE " modules=0x0-0x1",
		  "text: bad hex number '0x' (start)" },
		{ "replica=1 text=0x0-0x10000000000000000 " R1_MIDDLE " modules=0x0-0x1",
		  "text: bad hex number '0x10000000000000000' (end)" },
		{ "replica=1 text=0x0-0x1 " R1_MIDDLE " modules=0xffffffffa0000000",
		  "modules: '0xffffffffa0000000' is not a range 0xSTART-0xEND" },
		{ "replica=1 text=0x0-0x1 " R1_MIDDLE " modules=0x2000-0x1fff",
		  "modules: start 0x0000000000002000 is after end 0x0000000000001fff" },
		{ "replica=1 text=0x0-0x1 direct=0x10-0x11 modules=0x2000-0x2fff",
		  "missing vmalloc, vmemmap" },
		{ "", "missing text, direct, vmalloc, vmemmap, modules, replica" },
		{ "replica=1 text=0x0-0x1 " R1_MIDDLE " text=0x0-0x1",
		  "text: given twice" },
		{ "replica=1 replica=2", "replica: given twice" },
		{ "replica=1 text=0x0-0x1 " R1_MIDDLE " modules=0x2-0x3 kaslr=off",
		  "unknown key 'kaslr' (known: replica, text, direct, vmalloc, vmemmap, modules)" },
		{ "replica=1 TEXT=0x0-0x1", "unknown key 'TEXT' (known: replica, text, direct, vmalloc, vmemmap, modules)" },
		{ "replica=1 text", "'text' is not key=value" },
		{ "replica=0 text=0x0-0x1", "replica: '0' is not a replica number (1, 2, ...)" },
		{ "replica=2x", "replica: '2x' is not a replica number (1, 2, ...)" },
		{ "replica=", "replica: '' is not a replica number (1, 2, ...)" },
	};
	char why[LAYOUT_WHY_SIZE];
	struct layout l;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		why[0] = '\0';
		assert_int_equal(layout_parse(bad[i].line, strlen(bad[i].line),
					      &l, why), -1);
		assert_string_equal(why, bad[i].why);
	}
}

/* A long junk value is quoted cut short, within WHY. */
static void test_parse_long_value(void **state)
{
	char line[400], why[LAYOUT_WHY_SIZE];
	struct layout l;

	(void)state;
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\0';
	memcpy(line, "text=", 5);
	assert_int_equal(layout_parse(line, strlen(line), &l, why), -1);
	assert_string_equal(why, "text: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' is not a range 0xSTART-0xEND");
}

static void test_find_in_transcript(void **state)
{
	char why[LAYOUT_WHY_SIZE];
	struct layout l;

	(void)state;
	/* a printk time stamp and a CR LF */
	assert_int_equal(find("[    0.000000] Linux version 6.1\r\n"
			      "[    0.123456] duplex: layout " R2 "\r\n"
			      "[    0.200000] smpboot: ...\r\n", &l, why),
			 LAYOUT_FOUND);
	assert_int_equal(l.replica, 2);
	assert_range(&l, LAYOUT_MODULES, 0xffffffffcf800000, 0xfffffffffeffffff);
	/* terminal junk before the marker */
	assert_int_equal(find("\x1b[0m\x1b[2J\r<6>duplex: layout " R1 " \r\r\n"
			      "/ # ", &l, why), LAYOUT_FOUND);
	assert_int_equal(l.replica, 1);
	assert_range(&l, LAYOUT_TEXT, 0xffffffff81000000, 0xffffffff81c15fff);
	/* the first line wins: the kernel's, printed before any program
	 * could echo one */
	assert_int_equal(find("[    0.1] duplex: layout " R2 "\r\n"
			      "/ # echo duplex: layout " R1 "\r\n"
			      "duplex: layout " R1 "\r\n", &l, why), LAYOUT_FOUND);
	assert_int_equal(l.replica, 2);
}

static void test_find_none(void **state)
{
	char why[LAYOUT_WHY_SIZE];
	struct layout l;

	(void)state;
	assert_int_equal(find("", &l, why), LAYOUT_NONE);
	assert_int_equal(layout_find(NULL, 0, &l, why), LAYOUT_NONE);
	assert_int_equal(find("[ 0.1] Linux version 6.1\r\nduplex: partition 0 ready\r\n",
			      &l, why), LAYOUT_NONE);
	/* the marker without its trailing space is another line */
	assert_int_equal(find("duplex: layouts " R1 "\n", &l, why), LAYOUT_NONE);
	/* a line still arriving does not count, not even as a bad one */
	assert_int_equal(find("[ 0.1] duplex: layout replica=1 text=0xffff", &l, why),
			 LAYOUT_NONE);
}

static void test_find_bad(void **state)
{
	char why[LAYOUT_WHY_SIZE] = "";
	struct layout l;

	(void)state;
	assert_int_equal(find("[    0.1] duplex: layout replica=1 text=0x0-0x1\r\n",
			      &l, why), LAYOUT_BAD);
	assert_string_equal(why, "missing direct, vmalloc, vmemmap, modules");
	/* a bad line followed by a good one: the first one counts */
	assert_int_equal(find("duplex: layout oops\nduplex: layout " R1 "\n",
			      &l, why), LAYOUT_BAD);
	assert_string_equal(why, "'oops' is not key=value");
}

/* Layout line TEXT as partition K's, "serialK". */
static void part(struct layout_part *p, unsigned k, const char *text)
{
	snprintf(p->name, sizeof(p->name), "serial%u", k % 10);
	parse_ok(text, &p->l);
}

/* The number of lines of S. */
static unsigned lines(const char *s)
{
	unsigned n = 1;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_check_1_2(void **state)
{
	struct layout_part p[2];
	char *report = (char *)"unset";

	(void)state;
	part(&p[0], 0, R1);
	part(&p[1], 1, R2);
	assert_int_equal(layout_overlaps(p, 2, &report), 0);
	assert_null(report);
}

static void test_check_1_1(void **state)
{
	struct layout_part p[2];
	char *report;

	(void)state;
	part(&p[0], 0, R1);
	part(&p[1], 1, R1);
	/* every region overlaps its twin, and only that */
	assert_int_equal(layout_overlaps(p, 2, &report), LAYOUT_NREGIONS);
	assert_non_null(report);
	assert_int_equal(lines(report), LAYOUT_NREGIONS + 1);
	assert_non_null(strstr(report, "kernel layouts overlap (5 pairs of regions):\n"
				       "serial0 (replica 1) text "));
	assert_non_null(strstr(report,
		"\nserial0 (replica 1) direct 0xffff888000000000-0xffff987fffffffff overlaps serial1 (replica 1) direct 0xffff888000000000-0xffff987fffffffff"));
	assert_non_null(strstr(report,
		"serial0 (replica 1) text 0xffffffff81000000-0xffffffff81c15fff overlaps serial1 (replica 1) text 0xffffffff81000000-0xffffffff81c15fff\n"));
	assert_non_null(strstr(report, "serial0 (replica 1) vmalloc "));
	assert_non_null(strstr(report, "serial0 (replica 1) vmemmap "));
	assert_non_null(strstr(report, "serial0 (replica 1) modules "));
	free(report);
}

/* A region overlaps a region of another name, by part of it. */
static void test_check_across_names(void **state)
{
	struct layout_part p[2];
	char *report;

	(void)state;
	part(&p[0], 0, R1);
	/* text starts in serial0's modules and runs past its end */
	part(&p[1], 1, "replica=3 text=0xffffffffcf700000-0xffffffffcfffffff "
		       "modules=0xffffffffd0000000-0xffffffffdfffffff "
		       "direct=0xffffa88000000000-0xffffb87fffffffff "
		       "vmalloc=0xffffe90000000000-0xffffe9ffffffffff "
		       "vmemmap=0xffffeb0000000000-0xffffeb7fffffffff");
	assert_int_equal(layout_overlaps(p, 2, &report), 1);
	assert_string_equal(report,
		"kernel layouts overlap (1 pair of regions):\n"
		"serial0 (replica 1) modules 0xffffffffa0000000-0xffffffffcf7fffff overlaps serial1 (replica 3) text 0xffffffffcf700000-0xffffffffcfffffff");
	free(report);
}

/* Inclusive ends: END + 1 == START is adjacent, END == START overlaps. */
static void test_check_adjacent(void **state)
{
	struct layout_part p[2];
	char *report;

	(void)state;
	part(&p[0], 0, "replica=1 text=0x1000-0x1fff modules=0x3000-0x3fff " R1_MIDDLE);
	part(&p[1], 1, "replica=2 text=0x2000-0x2fff modules=0x4000-0x4fff "
		       "direct=0xffff988000000000-0xffffa87fffffffff "
		       "vmalloc=0xffffd90000000000-0xffffe8ffffffffff "
		       "vmemmap=0xffffea8000000000-0xffffeaffffffffff");
	assert_int_equal(layout_overlaps(p, 2, &report), 0);
	assert_null(report);
	p[1].l.region[LAYOUT_TEXT].start = 0x1fff;
	assert_int_equal(layout_overlaps(p, 2, &report), 1);
	assert_string_equal(report,
		"kernel layouts overlap (1 pair of regions):\n"
		"serial0 (replica 1) text 0x0000000000001000-0x0000000000001fff overlaps serial1 (replica 2) text 0x0000000000001fff-0x0000000000002fff");
	free(report);
}

/* Replicas 1, 2, 1: only serial0 and serial2 collide. */
static void test_check_three(void **state)
{
	struct layout_part p[3];
	char *report;

	(void)state;
	part(&p[0], 0, R1);
	part(&p[1], 1, R2);
	part(&p[2], 2, R1);
	assert_int_equal(layout_overlaps(p, 3, &report), LAYOUT_NREGIONS);
	assert_int_equal(lines(report), LAYOUT_NREGIONS + 1);
	assert_null(strstr(report, "serial1"));
	assert_non_null(strstr(report,
		"serial0 (replica 1) vmalloc 0xffffc90000000000-0xffffd8ffffffffff overlaps serial2 (replica 1) vmalloc 0xffffc90000000000-0xffffd8ffffffffff"));
	free(report);
}

/* Many overlaps: the first LAYOUT_REPORT_MAX named, the rest counted. */
static void test_check_cap(void **state)
{
	struct layout_part p[4];
	char *report;
	unsigned k;

	(void)state;
	for (k = 0; k < 4; k++)
		part(&p[k], k, R1);
	/* 6 pairs of partitions, 5 regions each */
	assert_int_equal(layout_overlaps(p, 4, &report), 30);
	assert_int_equal(lines(report), LAYOUT_REPORT_MAX + 2);
	assert_true(!strncmp(report, "kernel layouts overlap (30 pairs of regions):\n", 46));
	assert_string_equal(strrchr(report, '\n'), "\n... and 20 more overlaps");
	free(report);
}

/* TEXT as what console serialK printed so far, booting REPLICA. */
static void source(struct layout_source *src, char *name, unsigned k,
		   const char *text, unsigned replica)
{
	sprintf(name, "serial%u", k % 10);
	src->name = name;
	src->text = text;
	src->len = strlen(text);
	src->replica = replica;
}

static void test_read(void **state)
{
	struct layout_source src[3];
	struct layout_part p[3];
	char names[3][16], *why = (char *)"unset";

	(void)state;
	source(&src[0], names[0], 0, "[    0.1] duplex: layout " R1 "\r\n/ # ", 1);
	source(&src[1], names[1], 1, "[    0.1] duplex: layout " R2 "\r\n/ # ", 2);
	source(&src[2], names[2], 2, "[    0.1] Linux version 6.1\r\n/ # ", 1);
	assert_int_equal(layout_read(src, 2, "default", p, &why), 0);
	assert_null(why);
	assert_string_equal(p[0].name, "serial0");
	assert_int_equal(p[0].l.replica, 1);
	assert_string_equal(p[1].name, "serial1");
	assert_int_equal(p[1].l.replica, 2);
	assert_int_equal(layout_read(src, 3, "default", p, &why), -1);
	assert_string_equal(why, "serial2: no 'duplex: layout ...' line at boot: its kernel lacks CONFIG_DUPLEX_LAYOUT (kernel/patches; 'duplex build' builds it in), or the profile's cmdline hides KERN_NOTICE (quiet, loglevel below 6)");
	free(why);
	source(&src[1], names[1], 1, "duplex: layout replica=2 text=0x1-0x0\r\n", 2);
	assert_int_equal(layout_read(src, 3, "default", p, &why), -1);
	assert_string_equal(why,
		"serial1: bad 'duplex: layout ...' line: text: start 0x0000000000000001 is after end 0x0000000000000000\n"
		"serial2: no 'duplex: layout ...' line at boot: its kernel lacks CONFIG_DUPLEX_LAYOUT (kernel/patches; 'duplex build' builds it in), or the profile's cmdline hides KERN_NOTICE (quiet, loglevel below 6)");
	free(why);
	/* The kernel of another replica than the profile says. */
	source(&src[1], names[1], 1, "duplex: layout " R2 "\r\n", 1);
	assert_int_equal(layout_read(src, 2, "default", p, &why), -1);
	assert_string_equal(why, "serial1: its kernel says replica=2, but profile 'default' boots replica 1 there: rebuild with 'duplex build --profile default'");
	free(why);
}

static void test_short(void **state)
{
	char buf[LAYOUT_SHORT_SIZE], small[32];
	struct layout_part p;

	(void)state;
	part(&p, 1, R2);
	layout_short(&p, buf, sizeof(buf));
	assert_string_equal(buf, "serial1: replica 2 layout: text ffffffff90000000, direct ffff988000000000, vmalloc ffffd90000000000, vmemmap ffffea8000000000, modules ffffffffcf800000");
	layout_short(&p, small, sizeof(small));
	assert_string_equal(small, "serial1: replica 2 layout: text");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_real_lines),
		cmocka_unit_test(test_parse_any_order),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_long_value),
		cmocka_unit_test(test_find_in_transcript),
		cmocka_unit_test(test_find_none),
		cmocka_unit_test(test_find_bad),
		cmocka_unit_test(test_check_1_2),
		cmocka_unit_test(test_check_1_1),
		cmocka_unit_test(test_check_across_names),
		cmocka_unit_test(test_check_adjacent),
		cmocka_unit_test(test_check_three),
		cmocka_unit_test(test_check_cap),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_short),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
