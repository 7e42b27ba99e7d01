/* layoutcheck: the check the project rests on, that no kernel area of
 * one partition overlaps another's, by two witnesses that must both pass
 * and agree: the layout line each kernel printed while it booted, before
 * any program ran (layout.h), and each kernel's page tables as QEMU reads
 * them for the host (ptlayout.h).  The page tables also show what the
 * line does not: the areas every x86-64 kernel keeps at fixed addresses
 * (cpu_entry_area, fixmap, ...), shared between partitions by design,
 * listed, and a failure only when STRICT. */
#ifndef DUPLEX_LAYOUTCHECK_H
#define DUPLEX_LAYOUTCHECK_H

#include <stdbool.h>

#include "machine.h"
#include "ptlayout.h"

struct layout_check {
	unsigned n;
	struct layout_part line[DUPLEX_MAX_PARTITIONS];
	struct pt_part pt[DUPLEX_MAX_PARTITIONS];
	char *problem;	/* why the check fails (malloc'd), or NULL */
	char *shared;	/* the areas shared by design (malloc'd), or NULL */
};

/* Check partitions 0..N-1 of M into C.  0 if it passes; -1 if not,
 * C->problem saying why (several lines, no final newline).  Reports
 * nothing itself. */
int layoutcheck_run(const struct machine *m, unsigned n, bool strict,
		    struct layout_check *c);

/* What a check that passed saw, for a person: a line per partition
 * (layout_short), then the verdict of both witnesses (malloc'd, no final
 * newline).  The shared areas are the caller's to show, as a warning. */
char *layoutcheck_seen(const struct layout_check *c);

void layoutcheck_release(struct layout_check *c);

#endif
