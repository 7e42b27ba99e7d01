/* udiff: Myers' shortest edit script ("An O(ND) Difference Algorithm and
 * Its Variations", 1986) between the lines of two texts, printed as a
 * unified diff. */
#include "udiff.h"
#include "base/base.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct text_line *split_lines(const char *text, size_t *nlines)
{
	struct text_line *l = NULL;
	size_t n = 0, cap = 0;
	const char *p = text, *nl;

	while (p && *p) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			l = xrealloc(l, cap * sizeof(*l));
		}
		nl = strchr(p, '\n');
		l[n].s = p;
		l[n].len = nl ? (size_t)(nl - p) : strlen(p);
		n++;
		p = nl ? nl + 1 : NULL;
	}
	*nlines = n;
	return l;
}

#define CONTEXT 3

/* The search keeps each step's frontier to find its way back: O(D^2)
 * memory and O((N+M)D) time for D differing lines.  Past MAX_EDITS (32 MB
 * of frontiers) the differing middle of the texts is reported changed as
 * a whole: outputs that far apart read no better as a minimal diff, and a
 * report must not take the harness's memory or minutes to write. */
#define MAX_EDITS 2048

struct seq {
	const struct text_line *l;
	uint64_t *hash;
	size_t n;
};

/* A changed run: lines a[a0, a0+na) became b[b0, b0+nb). */
struct change {
	size_t a0, na, b0, nb;
};

struct changes {
	struct change *c;
	size_t n, cap;
};

static uint64_t line_hash(const struct text_line *l)
{
	return fnv1a(FNV1A_START, l->s, l->len);
}

static void seq_init(struct seq *q, const struct text_line *l, size_t n)
{
	size_t i;

	q->l = l;
	q->n = n;
	q->hash = xmalloc((n ? n : 1) * sizeof(*q->hash));
	for (i = 0; i < n; i++)
		q->hash[i] = line_hash(&l[i]);
}

static bool same(const struct seq *a, size_t i, const struct seq *b, size_t j)
{
	return a->hash[i] == b->hash[j] && a->l[i].len == b->l[j].len &&
	       !memcmp(a->l[i].s, b->l[j].s, a->l[i].len);
}

static void add_change(struct changes *cs, size_t a0, size_t na, size_t b0,
		       size_t nb)
{
	if (!na && !nb)
		return;
	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 16;
		cs->c = xrealloc(cs->c, cs->cap * sizeof(*cs->c));
	}
	cs->c[cs->n++] = (struct change){ a0, na, b0, nb };
}

/* Frontiers: before step d, v[k] for diagonals k in [-d-1, d+1] (2d+3 of
 * them) is at trace[frontier(d) + k]. */
static size_t frontier(long d)
{
	return (size_t)(d * d + 3 * d + 1);
}

/* Forward search over a[lo, lo+n) and b[lo, lo+m): the number of edits,
 * with *TRACE holding the frontiers, or -1 past MAX_EDITS. */
static long search(const struct seq *a, const struct seq *b, size_t lo,
		   long n, long m, long **trace)
{
	long maxd = n + m < MAX_EDITS ? n + m : MAX_EDITS;
	long *mem = xcalloc((size_t)(2 * maxd + 3), sizeof(*mem));
	long *v = mem + maxd + 1, d, k, x, y;
	size_t cap = 0, need, full = frontier(maxd + 1) - (size_t)(maxd + 2);

	*trace = NULL;
	for (d = 0; d <= maxd; d++) {
		need = frontier(d + 1) - (size_t)(d + 2);
		if (need > cap) {
			cap = need * 2 < full ? need * 2 : full;
			*trace = xrealloc(*trace, cap * sizeof(**trace));
		}
		memcpy(*trace + frontier(d) - d - 1, v - d - 1,
		       (size_t)(2 * d + 3) * sizeof(*v));
		for (k = -d; k <= d; k += 2) {
			if (k == -d || (k != d && v[k - 1] < v[k + 1]))
				x = v[k + 1];
			else
				x = v[k - 1] + 1;
			y = x - k;
			while (x < n && y < m &&
			       same(a, lo + (size_t)x, b, lo + (size_t)y))
				x++, y++;
			v[k] = x;
			if (x >= n && y >= m)
				goto out;
		}
	}
	d = -1;
out:
	free(mem);
	return d;
}

/* The way back from (N, M) through the frontiers, as changed runs (in
 * reverse order) between the diagonal runs of equal lines. */
static void backtrack(const long *trace, long dmax, long n, long m,
		      size_t lo, struct changes *cs)
{
	long x = n, y = m, d, k, pk, px, py;
	long ex = n, ey = m;	/* end of the change being gathered */

	for (d = dmax; d >= 0; d--) {
		const long *v = trace + frontier(d);

		k = x - y;
		if (k == -d || (k != d && v[k - 1] < v[k + 1]))
			pk = k + 1;
		else
			pk = k - 1;
		px = v[pk];
		py = px - pk;
		if (x > px && y > py) {
			add_change(cs, lo + (size_t)x, (size_t)(ex - x),
				   lo + (size_t)y, (size_t)(ey - y));
			while (x > px && y > py)
				x--, y--;
			ex = x;
			ey = y;
		}
		x = px;
		y = py;
	}
	add_change(cs, lo, (size_t)ex, lo, (size_t)ey);
}

static void reverse(struct changes *cs)
{
	size_t i;

	for (i = 0; i < cs->n / 2; i++) {
		struct change t = cs->c[i];

		cs->c[i] = cs->c[cs->n - 1 - i];
		cs->c[cs->n - 1 - i] = t;
	}
}

/* The changed runs from A to B, in order. */
static void diff_runs(const struct seq *a, const struct seq *b,
		      struct changes *cs)
{
	size_t lo = 0, ea = a->n, eb = b->n;
	long *trace, d;

	while (lo < ea && lo < eb && same(a, lo, b, lo))
		lo++;
	while (ea > lo && eb > lo && same(a, ea - 1, b, eb - 1))
		ea--, eb--;
	if (lo == ea && lo == eb)
		return;
	d = search(a, b, lo, (long)(ea - lo), (long)(eb - lo), &trace);
	if (d < 0) {
		add_change(cs, lo, ea - lo, lo, eb - lo);
	} else {
		backtrack(trace, d, (long)(ea - lo), (long)(eb - lo), lo, cs);
		reverse(cs);
	}
	free(trace);
}

static void diff_lines(const struct text_line *la, size_t na,
		       const struct text_line *lb, size_t nb,
		       struct changes *cs)
{
	struct seq a, b;

	seq_init(&a, la, na);
	seq_init(&b, lb, nb);
	diff_runs(&a, &b, cs);
	free(a.hash);
	free(b.hash);
}

struct line_pair *udiff_align(const struct text_line *a, size_t na,
			      const struct text_line *b, size_t nb,
			      size_t *nrows)
{
	struct changes cs = { NULL, 0, 0 };
	struct line_pair *rows = xmalloc((na + nb + 1) * sizeof(*rows));
	size_t n = 0, i = 0, j = 0, c, t;

	diff_lines(a, na, b, nb, &cs);
	for (c = 0; c <= cs.n; c++) {
		size_t a0 = c < cs.n ? cs.c[c].a0 : na;

		while (i < a0)
			rows[n++] = (struct line_pair){ (long)i++, (long)j++ };
		if (c == cs.n)
			break;
		for (t = 0; t < cs.c[c].na || t < cs.c[c].nb; t++)
			rows[n++] = (struct line_pair){
				t < cs.c[c].na ? (long)(i + t) : -1,
				t < cs.c[c].nb ? (long)(j + t) : -1 };
		i += cs.c[c].na;
		j += cs.c[c].nb;
	}
	free(cs.c);
	*nrows = n;
	return rows;
}

/* "-a,b" of a hunk header: a line count of 1 goes without ",1", and an
 * empty range names the line before it (diff -u). */
static void add_range(struct strbuf *sb, char sign, size_t start, size_t n)
{
	if (n == 1)
		strbuf_printf(sb, "%c%zu", sign, start + 1);
	else
		strbuf_printf(sb, "%c%zu,%zu", sign, n ? start + 1 : start, n);
}

static void add_lines(struct strbuf *sb, char sign, const struct text_line *l,
		      size_t from, size_t to)
{
	for (; from < to; from++) {
		strbuf_add(sb, &sign, 1);
		strbuf_add(sb, l[from].s, l[from].len);
		strbuf_add(sb, "\n", 1);
	}
}

/* One hunk: the changes C[0, n) with their context. */
static void add_hunk(struct strbuf *sb, const struct change *c, size_t n,
		     const struct text_line *a, size_t na,
		     const struct text_line *b)
{
	const struct change *last = &c[n - 1];
	size_t before = c->a0 < CONTEXT ? c->a0 : CONTEXT;
	size_t a_end = last->a0 + last->na, b_end = last->b0 + last->nb;
	size_t after = na - a_end < CONTEXT ? na - a_end : CONTEXT;
	size_t i;

	strbuf_puts(sb, "@@ ");
	add_range(sb, '-', c->a0 - before, a_end + after - (c->a0 - before));
	strbuf_puts(sb, " ");
	add_range(sb, '+', c->b0 - before, b_end + after - (c->b0 - before));
	strbuf_puts(sb, " @@\n");
	add_lines(sb, ' ', a, c->a0 - before, c->a0);
	for (i = 0; i < n; i++) {
		add_lines(sb, '-', a, c[i].a0, c[i].a0 + c[i].na);
		add_lines(sb, '+', b, c[i].b0, c[i].b0 + c[i].nb);
		add_lines(sb, ' ', a, c[i].a0 + c[i].na,
			  i + 1 < n ? c[i + 1].a0 : a_end + after);
	}
}

char *udiff(const char *a_name, const char *a, const char *b_name,
	    const char *b)
{
	struct changes cs = { NULL, 0, 0 };
	struct strbuf sb = STRBUF_INIT;
	struct text_line *la, *lb;
	size_t na, nb, i, j;
	char *diff = NULL;

	la = split_lines(a, &na);
	lb = split_lines(b, &nb);
	diff_lines(la, na, lb, nb, &cs);
	if (!cs.n)
		goto out;
	strbuf_printf(&sb, "--- %s\n+++ %s\n", a_name, b_name);
	for (i = 0; i < cs.n; i = j) {
		/* changes at most 2 * CONTEXT lines apart share a hunk */
		for (j = i + 1; j < cs.n; j++)
			if (cs.c[j].a0 - (cs.c[j - 1].a0 + cs.c[j - 1].na) >
			    2 * CONTEXT)
				break;
		add_hunk(&sb, &cs.c[i], j - i, la, na, lb);
	}
	diff = strbuf_detach(&sb);
out:
	free(cs.c);
	free(la);
	free(lb);
	return diff;
}
