/* ptlayout: a partition's kernel layout as its page tables map it, read
 * by the host from QEMU's monitor ("info mem": every present mapping of
 * the vCPU's current address space, runs of pages with the same rights
 * joined).  Neither the guest's user space nor its console can write
 * that, and every kernel has page tables: the check works for any
 * kernel, with or without duplex's layout line (layout.h).
 *
 * The kernel half is sorted into the areas of the x86-64 layout with
 * 4-level paging (Documentation/arch/x86/x86_64/mm.rst); each area's
 * extent is its lowest to its highest mapped byte.  Two partitions
 * whose extents of one area overlap could give one kernel address the
 * same meaning: for a partition's own areas (text, direct map, vmalloc,
 * vmemmap, modules, EFI, KASAN) that is an overlap, what the layouts
 * exist to prevent; the cpu_entry_area, LDT remap, ESPFIX stacks and
 * fixmap sit at addresses fixed by the architecture, the same in every
 * kernel, and are reported as shared.
 *
 * Nothing here reports an error or does I/O: the functions return what
 * is wrong, as layout.h's do. */
#ifndef DUPLEX_PTLAYOUT_H
#define DUPLEX_PTLAYOUT_H

#include <stdbool.h>
#include <stddef.h>

#include "layout.h"

/* The first LAYOUT_NREGIONS in the order of enum layout_region. */
enum pt_area {
	PT_TEXT,
	PT_DIRECT,
	PT_VMALLOC,
	PT_VMEMMAP,
	PT_MODULES,
	PT_EFI,
	PT_KASAN,
	PT_CPU_ENTRY,
	PT_LDT,
	PT_ESPFIX,
	PT_FIXMAP,
	PT_OTHER,	/* a hole of the layout: mapped, it is reported */
	PT_NAREAS,
};

struct pt_layout {
	bool mapped[PT_NAREAS];
	struct layout_range extent[PT_NAREAS];
	unsigned ranges;	/* kernel-half ranges read */
};

/* One partition's, named by its console. */
struct pt_part {
	char name[16];		/* "serial0" */
	unsigned replica;
	struct pt_layout pt;
};

/* "text", "direct", ..., "cpu_entry_area", "fixmap". */
const char *pt_area_name(enum pt_area a);

/* Is area A at addresses the architecture fixes (the same in every
 * kernel), shared between partitions by design? */
bool pt_area_shared(enum pt_area a);

/* Parse QEMU's "info mem" reply TEXT (lines "START-END SIZE RIGHTS", hex)
 * into PT.  0; or -1 with what is wrong (the line) in WHY, LAYOUT_WHY_SIZE
 * bytes: a line of another form, a range whose size does not match, or
 * no kernel mapping at all (paging off, or the vCPU was in an address
 * space without the kernel's). */
int pt_layout_parse(const char *text, struct pt_layout *pt, char *why);

/* The N parts' areas against each other.  Returns the number of pairs
 * of own areas that overlap; *OVERLAPS NULL when none, else malloc'd
 * ("page tables: kernel areas overlap (N):" then a line each, at most
 * LAYOUT_REPORT_MAX).  *SHARED NULL when no shared area is mapped by two
 * parts, else malloc'd: a line per such area with each part's extent.
 * No final newlines. */
unsigned pt_layout_overlaps(const struct pt_part parts[], unsigned n,
			    char **overlaps, char **shared);

/* Does the layout line L of a partition agree with its page tables PT:
 * every mapped extent of text, direct, vmalloc, vmemmap and modules
 * inside the line's range of that region (text's to its 2 MiB page: the
 * image is mapped in large pages past _end)?  NULL if so, else malloc'd:
 * a line per region that does not, naming both (no final newline). */
char *pt_layout_disagree(const struct layout_part *l, const struct pt_part *pt);

#endif
