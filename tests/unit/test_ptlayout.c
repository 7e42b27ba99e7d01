/* Unit tests: a kernel's layout as its page tables map it (QEMU's
 * "info mem"): the areas and their extents, overlaps between partitions
 * told from areas shared by design, and agreement with the layout line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "machine/ptlayout.h"

/* What QEMU answered for the two replicas of a real run (TCG, 512 MiB,
 * after boot), a user mapping left in to be skipped and the runs of
 * vmalloc and cpu_entry_area shortened. */
static const char replica1_mem[] =
	"0000000000400000-0000000000401000 0000000000001000 ur-\n"
	"ffff888000000000-ffff888000099000 0000000000099000 -rw\n"
	"ffff888000099000-ffff88800009b000 0000000000002000 -r-\n"
	"ffff88800009b000-ffff88801ffe0000 000000001ff45000 -rw\n"
	"ffffc90000000000-ffffc90000001000 0000000000001000 -rw\n"
	"ffffc9000001f000-ffffc90000022000 0000000000003000 -rw\n"
	"ffffea0000000000-ffffea0000800000 0000000000800000 -rw\n"
	"fffffe0000000000-fffffe0000002000 0000000000002000 -r-\n"
	"fffffe0000012000-fffffe0000014000 0000000000002000 -rw\n"
	"ffffffff81000000-ffffffff81601000 0000000000601000 -r-\n"
	"ffffffff81601000-ffffffff81e00000 00000000007ff000 -rw\n"
	"ffffffffff7fc000-ffffffffff7fe000 0000000000002000 -rw\n";
static const char replica2_mem[] =
	"ffff988000000000-ffff98801ffe0000 000000001ffe0000 -rw\n"
	"ffffd90000000000-ffffd90000001000 0000000000001000 -rw\n"
	"ffffd9000001f000-ffffd90000022000 0000000000003000 -rw\n"
	"ffffea8000000000-ffffea8000800000 0000000000800000 -rw\n"
	"fffffe0000000000-fffffe0000002000 0000000000002000 -r-\n"
	"fffffe0000012000-fffffe0000014000 0000000000002000 -rw\n"
	"ffffffff90000000-ffffffff90601000 0000000000601000 -r-\n"
	"ffffffff90601000-ffffffff90e00000 00000000007ff000 -rw\n"
	"ffffffffff7fc000-ffffffffff7fe000 0000000000002000 -rw\n";

/* Their layout lines. */
#define R1 "replica=1 text=0xffffffff81000000-0xffffffff81c15fff direct=0xffff888000000000-0xffff987fffffffff vmalloc=0xffffc90000000000-0xffffd8ffffffffff vmemmap=0xffffea0000000000-0xffffea7fffffffff modules=0xffffffffa0000000-0xffffffffcf7fffff"
#define R2 "replica=2 text=0xffffffff90000000-0xffffffff90c15fff direct=0xffff988000000000-0xffffa87fffffffff vmalloc=0xffffd90000000000-0xffffe8ffffffffff vmemmap=0xffffea8000000000-0xffffeaffffffffff modules=0xffffffffcf800000-0xfffffffffeffffff"

static void part_of(struct pt_part *p, const char *name, unsigned replica,
		    const char *mem)
{
	char why[LAYOUT_WHY_SIZE] = "";

	snprintf(p->name, sizeof(p->name), "%s", name);
	p->replica = replica;
	assert_int_equal(pt_layout_parse(mem, &p->pt, why), 0);
}

static void assert_extent(const struct pt_layout *pt, enum pt_area a,
			  uint64_t start, uint64_t end)
{
	assert_true(pt->mapped[a]);
	assert_int_equal(pt->extent[a].start, start);
	assert_int_equal(pt->extent[a].end, end);
}

/* Each area's extent, from its lowest to its highest mapped byte; the
 * user half skipped; nothing where nothing is mapped. */
static void test_areas(void **state)
{
	struct pt_part p;

	(void)state;
	part_of(&p, "serial1", 2, replica2_mem);
	assert_extent(&p.pt, PT_DIRECT, 0xffff988000000000, 0xffff98801ffdffff);
	assert_extent(&p.pt, PT_VMALLOC, 0xffffd90000000000, 0xffffd90000021fff);
	assert_extent(&p.pt, PT_VMEMMAP, 0xffffea8000000000, 0xffffea80007fffff);
	assert_extent(&p.pt, PT_TEXT, 0xffffffff90000000, 0xffffffff90dfffff);
	assert_extent(&p.pt, PT_CPU_ENTRY, 0xfffffe0000000000, 0xfffffe0000013fff);
	assert_extent(&p.pt, PT_FIXMAP, 0xffffffffff7fc000, 0xffffffffff7fdfff);
	assert_false(p.pt.mapped[PT_MODULES]);
	assert_false(p.pt.mapped[PT_OTHER]);
	assert_int_equal(p.pt.ranges, 9);
	part_of(&p, "serial0", 1, replica1_mem);
	assert_int_equal(p.pt.ranges, 11);
	assert_extent(&p.pt, PT_DIRECT, 0xffff888000000000, 0xffff88801ffdffff);
}

/* A run QEMU joined across the end of an area counts in both; mapped
 * bytes in a hole of the layout are an area of their own. */
static void test_split_and_holes(void **state)
{
	struct pt_part p;

	(void)state;
	part_of(&p, "serial0", 1,
		"ffffffff9ff00000-ffffffffa0100000 0000000000200000 -rw\n"
		"ffffc88000000000-ffffc88000001000 0000000000001000 -rw\n");
	assert_extent(&p.pt, PT_TEXT, 0xffffffff9ff00000, 0xffffffff9fffffff);
	assert_extent(&p.pt, PT_MODULES, 0xffffffffa0000000, 0xffffffffa00fffff);
	assert_extent(&p.pt, PT_OTHER, 0xffffc88000000000, 0xffffc88000000fff);
}

static void parse_bad(const char *text, const char *says)
{
	struct pt_layout pt;
	char why[LAYOUT_WHY_SIZE] = "";

	assert_int_equal(pt_layout_parse(text, &pt, why), -1);
	assert_non_null(strstr(why, says));
}

/* Anything but QEMU's form is refused, naming the line; so is a reply
 * without a kernel mapping. */
static void test_bad(void **state)
{
	(void)state;
	parse_bad("ffff888000000000-ffff888000001000 0000000000002000 -rw\n",
		  "'ffff888000000000-ffff888000001000 0000000000002000 -rw'");
	parse_bad("ffff888000001000-ffff888000000000 0000000000001000 -rw\n",
		  "not a mapping");
	parse_bad("PG disabled\n", "'PG disabled'");
	parse_bad("ffff888000000000-ffff888000001000 0000000000001000 -rw junk\n",
		  "not a mapping");
	parse_bad("0000000000400000-0000000000401000 0000000000001000 ur-\n",
		  "no kernel mapping");
	parse_bad("", "no kernel mapping");
}

/* The two replicas: no own area overlaps; cpu_entry_area and fixmap are
 * at the same addresses in both, and listed as shared. */
static void test_replicas_shared_only(void **state)
{
	struct pt_part parts[2];
	char *own, *shared;

	(void)state;
	part_of(&parts[0], "serial0", 1, replica1_mem);
	part_of(&parts[1], "serial1", 2, replica2_mem);
	assert_int_equal(pt_layout_overlaps(parts, 2, &own, &shared), 0);
	assert_null(own);
	assert_non_null(shared);
	assert_non_null(strstr(shared, "cpu_entry_area: serial0 (replica 1) fffffe0000000000-fffffe0000013fff and serial1 (replica 2) fffffe0000000000-fffffe0000013fff"));
	assert_non_null(strstr(shared, "fixmap: serial0"));
	assert_null(strstr(shared, "direct"));
	free(shared);
}

/* Two kernels split only by their text's physical start (no layout
 * patch): the direct map, vmalloc and vmemmap overlap, text does not. */
static void test_unsplit_kernels(void **state)
{
	struct pt_part parts[2];
	char *own, *shared;

	(void)state;
	part_of(&parts[0], "serial0", 1, replica1_mem);
	part_of(&parts[1], "serial1", 2,
		"ffff888000000000-ffff88801ffe0000 000000001ffe0000 -rw\n"
		"ffffc90000000000-ffffc90000004000 0000000000004000 -rw\n"
		"ffffea0000000000-ffffea0000800000 0000000000800000 -rw\n"
		"ffffffff90000000-ffffffff90e00000 0000000000e00000 -rw\n");
	assert_int_equal(pt_layout_overlaps(parts, 2, &own, &shared), 3);
	assert_non_null(strstr(own, "overlap (3):"));
	assert_non_null(strstr(own, "\n  direct: serial0 (replica 1) ffff888000000000-ffff88801ffdffff and serial1 (replica 2) ffff888000000000-ffff88801ffdffff"));
	assert_non_null(strstr(own, "\n  vmalloc: "));
	assert_non_null(strstr(own, "\n  vmemmap: "));
	assert_null(strstr(own, "text"));
	assert_null(shared);
	free(own);
}

static void line_of(struct layout_part *l, const char *name, const char *line)
{
	char why[LAYOUT_WHY_SIZE] = "";

	snprintf(l->name, sizeof(l->name), "%s", name);
	assert_int_equal(layout_parse(line, strlen(line), &l->l, why), 0);
}

/* The layout line and the page tables agree on both replicas (text to
 * its 2 MiB page); a line that puts vmalloc elsewhere does not, and
 * both are named. */
static void test_agree(void **state)
{
	struct layout_part l;
	struct pt_part p;
	char *why;

	(void)state;
	line_of(&l, "serial0", R1);
	part_of(&p, "serial0", 1, replica1_mem);
	assert_null(pt_layout_disagree(&l, &p));
	line_of(&l, "serial1", R2);
	part_of(&p, "serial1", 2, replica2_mem);
	assert_null(pt_layout_disagree(&l, &p));
	line_of(&l, "serial1", R1);
	why = pt_layout_disagree(&l, &p);
	assert_non_null(why);
	assert_non_null(strstr(why, "serial1: vmalloc: the layout line says ffffc90000000000-ffffd8ffffffffff, the page tables map ffffd90000000000-ffffd90000021fff"));
	assert_non_null(strstr(why, "serial1: text: "));
	assert_null(strstr(why, "modules"));
	free(why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_areas),
		cmocka_unit_test(test_split_and_holes),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_replicas_shared_only),
		cmocka_unit_test(test_unsplit_kernels),
		cmocka_unit_test(test_agree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
