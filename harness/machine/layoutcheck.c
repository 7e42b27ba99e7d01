#define _GNU_SOURCE
#include "machine.h"
#include "base/base.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "info mem" read again this many times, this far apart, while the vCPU
 * is in an address space without the kernel's mappings. */
#define PT_READ_TRIES		5
#define PT_READ_PAUSE_US	100000

/* Where user space began on console text TEXT: the start of partition
 * K's ready line, printed by its init before any shell runs (LEN if it
 * has not come yet).  The kernel prints its layout line long before, and
 * before the kernel channel is up, so it is read here, up to this point. */
static size_t user_space_start(const char *text, size_t len, unsigned k)
{
	char ready[48];
	const char *hit;

	snprintf(ready, sizeof(ready), "duplex: partition %u ready", k);
	hit = text ? memmem(text, len, ready, strlen(ready)) : NULL;
	return hit ? (size_t)(hit - text) : len;
}

static int read_lines(const struct machine *m, unsigned n,
		      struct layout_part parts[], char **why)
{
	struct layout_source src[DUPLEX_MAX_PARTITIONS];
	unsigned k;

	for (k = 0; k < n; k++) {
		const struct console *c = &m->part[k].con;

		src[k].name = c->name;
		src[k].text = c->m.head;
		src[k].len = user_space_start(c->m.head, c->m.head_len, k);
		src[k].replica = m->profile->replica[k];
	}
	return layout_read(src, n, m->profile->name, parts, why);
}

/* QEMU's "info mem" of P's domain, into PT.  With page-table isolation a
 * vCPU in user space runs without most kernel mappings: the read is
 * tried again a few times, the guest's vCPU being mostly idle in its
 * kernel. */
static int read_page_tables(const struct partition *p, struct pt_part *pt,
			    char **why)
{
	char parse_why[LAYOUT_WHY_SIZE], *reply, *err;
	int tries, ret = -1;

	snprintf(pt->name, sizeof(pt->name), "%s", p->con.name);
	for (tries = 0; tries < PT_READ_TRIES; tries++) {
		reply = virt_domain_hmp(p->dom, "info mem", &err);
		if (!reply) {
			*why = xasprintf("%s: its page tables could not be read: %s",
					 pt->name, err);
			free(err);
			return -1;
		}
		ret = pt_layout_parse(reply, &pt->pt, parse_why);
		free(reply);
		if (ret == 0)
			return 0;
		usleep(PT_READ_PAUSE_US);
	}
	*why = xasprintf("%s: page tables: %s", pt->name, parse_why);
	return ret;
}

static int read_all_page_tables(const struct machine *m, struct layout_check *c)
{
	unsigned k;

	for (k = 0; k < c->n; k++) {
		c->pt[k].replica = m->profile->replica[k];
		if (read_page_tables(&m->part[k], &c->pt[k], &c->problem) < 0)
			return -1;
	}
	return 0;
}

/* Each partition's line against its page tables. */
static char *disagreements(const struct layout_check *c)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned k;
	char *why;

	for (k = 0; k < c->n; k++) {
		why = pt_layout_disagree(&c->line[k], &c->pt[k]);
		if (why)
			strbuf_printf(&sb, "%s%s", sb.len ? "\n" : "", why);
		free(why);
	}
	if (!sb.len)
		return NULL;
	why = xasprintf("the layout lines and the page tables disagree:\n%s", sb.s);
	strbuf_release(&sb);
	return why;
}

/* A and B joined by a line end; either may be NULL (and is freed). */
static char *join(char *a, char *b)
{
	char *both;

	if (!a || !b)
		return a ? a : b;
	both = xasprintf("%s\n%s", a, b);
	free(a);
	free(b);
	return both;
}

/* Did no partition of M's print a layout line (a kernel flavour without
 * duplex's patch)? */
static bool no_line_at_all(const struct machine *m, unsigned n)
{
	char why[LAYOUT_WHY_SIZE];
	struct layout l;
	unsigned k;

	for (k = 0; k < n; k++) {
		const struct console *c = &m->part[k].con;

		if (layout_find(c->m.head, user_space_start(c->m.head,
							     c->m.head_len, k),
				&l, why) != LAYOUT_NONE)
			return false;
	}
	return true;
}

/* The layout lines into C, when there are: a kernel flavour of another
 * team's (not kernel/) that prints none is checked by its page tables
 * alone.  0, or -1 with C->problem saying why. */
static int read_lines_if_any(const struct machine *m, struct layout_check *c)
{
	if (*m->paths->flavour && no_line_at_all(m, c->n))
		return 0;
	c->lines = true;
	if (read_lines(m, c->n, c->line, &c->problem) < 0)
		return -1;
	layout_overlaps(c->line, c->n, &c->problem);
	return 0;
}

int layoutcheck_run(const struct machine *m, unsigned n, bool strict,
		    struct layout_check *c)
{
	char *own = NULL;

	memset(c, 0, sizeof(*c));
	c->n = n;
	if (read_lines_if_any(m, c) < 0 || read_all_page_tables(m, c) < 0)
		return -1;
	pt_layout_overlaps(c->pt, n, &own, &c->shared);
	c->problem = join(c->problem, own);
	if (c->lines)
		c->problem = join(c->problem, disagreements(c));
	if (strict && c->shared)
		c->problem = join(c->problem,
				  xasprintf("%s\n(strict: a shared area fails the check)",
					    c->shared));
	return c->problem ? -1 : 0;
}

char *layoutcheck_seen(const struct layout_check *c)
{
	struct strbuf sb = STRBUF_INIT;
	char line[LAYOUT_SHORT_SIZE];
	unsigned k;

	for (k = 0; k < c->n && c->lines; k++) {
		layout_short(&c->line[k], line, sizeof(line));
		strbuf_printf(&sb, "%s\n", line);
	}
	if (!c->lines)
		strbuf_printf(&sb, "no layout line (flavour's kernels print none): %s by the page tables",
			      c->n > 1 ? "layouts do not overlap" : "the layout read");
	else if (c->n > 1)
		strbuf_printf(&sb, "layouts do not overlap, by the layout lines and by the page tables, which agree");
	else
		strbuf_printf(&sb, "the layout line and the page tables agree");
	return strbuf_detach(&sb);
}

void layoutcheck_release(struct layout_check *c)
{
	free(c->problem);
	free(c->shared);
	c->problem = c->shared = NULL;
}
