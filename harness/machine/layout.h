/* layout: the kernel address-space layout each replica prints on its
 * console at boot (CONFIG_DUPLEX_LAYOUT, kernel/patches), and the check
 * the whole project rests on: no region of one partition overlaps any
 * region of another, so a kernel pointer that leaks to user space differs
 * between partitions.
 *
 * The line, after an optional printk time stamp:
 *   duplex: layout replica=1 text=0xffffffff81000000-0xffffffff81c15fff
 *     direct=0x...-0x... vmalloc=0x...-0x... vmemmap=0x...-0x...
 *     modules=0x...-0x...
 * (one line).  Ranges are inclusive: END is the region's last byte.
 *
 * Nothing here reports an error: the functions return what is wrong,
 * since a scenario records it in a test case and `duplex boot` prints
 * it.  Everything works on console text already read, no I/O. */
#ifndef DUPLEX_LAYOUT_H
#define DUPLEX_LAYOUT_H

#include <stddef.h>
#include <stdint.h>

#define LAYOUT_MARKER "duplex: layout "
/* Room for a parse error ("modules: bad hex number '...'"). */
#define LAYOUT_WHY_SIZE 192
/* Room for layout_short's line. */
#define LAYOUT_SHORT_SIZE 256
/* Overlaps named in a report; the rest are counted ("... and N more"). */
#define LAYOUT_REPORT_MAX 10

/* In the order the kernel prints them. */
enum layout_region {
	LAYOUT_TEXT,
	LAYOUT_DIRECT,
	LAYOUT_VMALLOC,
	LAYOUT_VMEMMAP,
	LAYOUT_MODULES,
	LAYOUT_NREGIONS,
};

struct layout_range {
	uint64_t start, end;	/* inclusive; start <= end */
};

struct layout {
	unsigned replica;	/* >= 1 */
	struct layout_range region[LAYOUT_NREGIONS];
};

/* One partition's layout, named by its console. */
struct layout_part {
	char name[16];		/* "serial0" */
	struct layout l;
};

enum layout_found {
	LAYOUT_FOUND = 0,
	LAYOUT_NONE = -1,	/* no layout line */
	LAYOUT_BAD = -2,	/* a layout line that does not parse */
};

/* "text", "direct", ... as the kernel names region R. */
const char *layout_region_name(enum layout_region r);

/* Parse the LEN bytes at TEXT, the line after LAYOUT_MARKER without its
 * line end: space-separated key=value pairs in any order, replica and
 * every region exactly once, no other key.  0; or -1 with what is wrong
 * (the key and the value) in WHY, LAYOUT_WHY_SIZE bytes. */
int layout_parse(const char *text, size_t len, struct layout *l, char *why);

/* The first complete layout line in the LEN bytes of console text at BUF
 * (whatever precedes the marker on its line, a time stamp or terminal
 * junk, is ignored; so is a trailing CR).  The first: the kernel prints
 * it while it boots, before any program could print one (the caller
 * cuts BUF where user space began).  A line still without its newline
 * does not count: it may be half-read.  LAYOUT_BAD fills WHY as
 * layout_parse does. */
enum layout_found layout_find(const char *buf, size_t len, struct layout *l,
			      char *why);

/* What layout_read needs of one partition: its console's name, its text
 * from power-on to where user space began (what a program prints later
 * could forge a layout line), and the replica its profile boots there. */
struct layout_source {
	const char *name;	/* "serial0" */
	const char *text;
	size_t len;
	unsigned replica;
};

/* The layouts of the N partitions of SRC, booted by profile PROFILE, into
 * PARTS.  0 (*WHY NULL); or -1 with *WHY malloc'd: a line per partition
 * without a valid layout line or with another replica's, naming its
 * console and the likely cause (no final newline). */
int layout_read(const struct layout_source src[], unsigned n,
		const char *profile, struct layout_part parts[], char **why);

/* Every region of each of the N parts against every region of every
 * other part, whatever their names.  Returns the number of overlapping
 * pairs of regions; *REPORT is NULL when there are none, else malloc'd:
 * "kernel layouts overlap (N pairs of regions):", then a line per
 * overlap (both consoles, replicas, regions and ranges), at most
 * LAYOUT_REPORT_MAX, then "... and N more overlaps" (no final newline). */
unsigned layout_overlaps(const struct layout_part parts[], unsigned n,
			 char **report);

/* "serial0: replica 1 layout: text ffffffff81000000, direct ...,
 * modules ..." (the regions' starts) into BUF of SIZE bytes, for a
 * person. */
void layout_short(const struct layout_part *p, char *buf, size_t size);

#endif
