#include "ptlayout.h"
#include "base/base.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The kernel half of x86-64 with 4-level paging, in address order
 * (Documentation/arch/x86/x86_64/mm.rst); what no row covers is a hole. */
static const struct {
	uint64_t start, end;	/* inclusive */
	enum pt_area area;
} areas[] = {
	{ 0xffff880000000000, 0xffff887fffffffff, PT_LDT },
	{ 0xffff888000000000, 0xffffc87fffffffff, PT_DIRECT },
	{ 0xffffc90000000000, 0xffffe8ffffffffff, PT_VMALLOC },
	{ 0xffffea0000000000, 0xffffeaffffffffff, PT_VMEMMAP },
	{ 0xffffec0000000000, 0xfffffbffffffffff, PT_KASAN },
	{ 0xfffffe0000000000, 0xfffffe7fffffffff, PT_CPU_ENTRY },
	{ 0xffffff0000000000, 0xffffff7fffffffff, PT_ESPFIX },
	{ 0xffffffef00000000, 0xfffffffeffffffff, PT_EFI },
	{ 0xffffffff80000000, 0xffffffff9fffffff, PT_TEXT },
	{ 0xffffffffa0000000, 0xfffffffffeffffff, PT_MODULES },
	{ 0xffffffffff000000, 0xffffffffffffffff, PT_FIXMAP },
};

#define KERNEL_HALF	0xffff800000000000ULL
#define TEXT_PAGE	(2ULL << 20)

static const char *const names[PT_NAREAS] = {
	[PT_TEXT] = "text",
	[PT_DIRECT] = "direct",
	[PT_VMALLOC] = "vmalloc",
	[PT_VMEMMAP] = "vmemmap",
	[PT_MODULES] = "modules",
	[PT_EFI] = "efi",
	[PT_KASAN] = "kasan",
	[PT_CPU_ENTRY] = "cpu_entry_area",
	[PT_LDT] = "ldt_remap",
	[PT_ESPFIX] = "espfix",
	[PT_FIXMAP] = "fixmap",
	[PT_OTHER] = "a hole of the layout",
};

const char *pt_area_name(enum pt_area a)
{
	return a < PT_NAREAS ? names[a] : "?";
}

bool pt_area_shared(enum pt_area a)
{
	return a == PT_CPU_ENTRY || a == PT_LDT || a == PT_ESPFIX ||
	       a == PT_FIXMAP;
}

/* The area ADDR is in, and in *END the last byte of it (or of the hole
 * it is in). */
static enum pt_area area_of(uint64_t addr, uint64_t *end)
{
	size_t i;

	*end = UINT64_MAX;
	for (i = 0; i < sizeof(areas) / sizeof(areas[0]); i++) {
		if (addr < areas[i].start) {
			*end = areas[i].start - 1;
			return PT_OTHER;
		}
		if (addr <= areas[i].end) {
			*end = areas[i].end;
			return areas[i].area;
		}
	}
	return PT_OTHER;
}

static void extend(struct pt_layout *pt, enum pt_area a, uint64_t start,
		   uint64_t end)
{
	struct layout_range *e = &pt->extent[a];

	if (!pt->mapped[a]) {
		pt->mapped[a] = true;
		e->start = start;
		e->end = end;
		return;
	}
	if (start < e->start)
		e->start = start;
	if (end > e->end)
		e->end = end;
}

/* Bytes START to END (inclusive), split where an area ends. */
static void add_range(struct pt_layout *pt, uint64_t start, uint64_t end)
{
	uint64_t last;
	enum pt_area a;

	for (;;) {
		a = area_of(start, &last);
		if (end <= last) {
			extend(pt, a, start, end);
			return;
		}
		extend(pt, a, start, last);
		start = last + 1;
	}
}

/* One line: "START-END SIZE RIGHTS"; END is exclusive. */
static int parse_line(const char *line, size_t len, struct pt_layout *pt,
		      char *why)
{
	char buf[96], rights[8];
	uint64_t start, end, size;
	int n = 0;

	if (len >= sizeof(buf))
		goto bad;
	memcpy(buf, line, len);
	buf[len] = '\0';
	if (sscanf(buf, "%16" SCNx64 "-%16" SCNx64 " %16" SCNx64 " %3[-rwux]%n",
		   &start, &end, &size, rights, &n) != 4 || buf[n] ||
	    end <= start || end - start != size)
		goto bad;
	if (end - 1 < KERNEL_HALF)
		return 0;
	if (start < KERNEL_HALF)
		start = KERNEL_HALF;
	add_range(pt, start, end - 1);
	pt->ranges++;
	return 0;
bad:
	snprintf(why, LAYOUT_WHY_SIZE, "not a mapping of 'info mem': '%.*s'",
		 (int)(len < 64 ? len : 64), line);
	return -1;
}

int pt_layout_parse(const char *text, struct pt_layout *pt, char *why)
{
	const char *p = text, *nl;
	size_t len;

	memset(pt, 0, sizeof(*pt));
	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len && p[len - 1] == '\r')
			len--;
		if (len && parse_line(p, len, pt, why) < 0)
			return -1;
		p += nl ? len + (p[len] == '\r' ? 2 : 1) : len;
	}
	if (!pt->ranges) {
		snprintf(why, LAYOUT_WHY_SIZE,
			 "no kernel mapping in 'info mem' (paging off, or the vCPU in an address space without the kernel's)");
		return -1;
	}
	return 0;
}

static bool overlap(const struct layout_range *a, const struct layout_range *b)
{
	return a->start <= b->end && b->start <= a->end;
}

static void describe(struct strbuf *sb, const struct pt_part *x,
		     const struct pt_part *y, enum pt_area a)
{
	strbuf_printf(sb, "\n  %s: %s (replica %u) %016" PRIx64 "-%016" PRIx64
		      " and %s (replica %u) %016" PRIx64 "-%016" PRIx64,
		      pt_area_name(a), x->name, x->replica,
		      x->pt.extent[a].start, x->pt.extent[a].end, y->name,
		      y->replica, y->pt.extent[a].start, y->pt.extent[a].end);
}

unsigned pt_layout_overlaps(const struct pt_part parts[], unsigned n,
			    char **overlaps, char **shared)
{
	struct strbuf own = STRBUF_INIT, common = STRBUF_INIT;
	unsigned i, j, count = 0;
	int a;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			for (a = 0; a < PT_NAREAS; a++) {
				if (!parts[i].pt.mapped[a] || !parts[j].pt.mapped[a] ||
				    !overlap(&parts[i].pt.extent[a], &parts[j].pt.extent[a]))
					continue;
				if (pt_area_shared(a)) {
					describe(&common, &parts[i], &parts[j], a);
					continue;
				}
				if (++count <= LAYOUT_REPORT_MAX)
					describe(&own, &parts[i], &parts[j], a);
			}
	*overlaps = *shared = NULL;
	if (count) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_printf(&sb, "page tables: kernel areas of different partitions overlap (%u):%s",
			      count, own.s);
		if (count > LAYOUT_REPORT_MAX)
			strbuf_printf(&sb, "\n  ... and %u more", count - LAYOUT_REPORT_MAX);
		*overlaps = strbuf_detach(&sb);
	}
	if (common.len)
		*shared = xasprintf("page tables: areas shared by design (at addresses the architecture fixes):%s",
				    common.s);
	strbuf_release(&own);
	strbuf_release(&common);
	return count;
}

char *pt_layout_disagree(const struct layout_part *l, const struct pt_part *pt)
{
	struct strbuf sb = STRBUF_INIT;
	int r;

	for (r = 0; r < LAYOUT_NREGIONS; r++) {
		struct layout_range want = l->l.region[r];
		const struct layout_range *got = &pt->pt.extent[r];

		if (!pt->pt.mapped[r])
			continue;
		if (r == LAYOUT_TEXT)
			want.end |= TEXT_PAGE - 1;
		if (got->start >= want.start && got->end <= want.end)
			continue;
		strbuf_printf(&sb, "%s%s: %s: the layout line says %016" PRIx64
			      "-%016" PRIx64 ", the page tables map %016" PRIx64
			      "-%016" PRIx64, sb.len ? "\n" : "", pt->name,
			      layout_region_name(r), l->l.region[r].start,
			      l->l.region[r].end, got->start, got->end);
	}
	return sb.len ? strbuf_detach(&sb) : NULL;
}
