/* report.html: the run for people, one self-contained page (inline CSS, no
 * script, nothing fetched): counts, then each scenario with its cases'
 * consoles side by side, each console's transcript around every command
 * and the failure, the end of its transcripts and links to them whole. */
#include "report.h"
#include "excerpt.h"
#include "fmt.h"
#include "udiff.h"
#include "writers.h"
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TAIL_LINES 200
/* A tail is read from the last this many bytes of a transcript: the report
 * is rewritten after every scenario, and rereading whole transcripts of
 * every finished one each time would grow with the square of the run. */
#define TAIL_BYTES (256 * 1024)

static const char style[] =
	"body{font-family:sans-serif;margin:1em 2em;color:#222}\n"
	"h2{border-top:2px solid #ccc;padding-top:.5em}\n"
	"pre,table.con td{font-family:monospace;font-size:90%;"
	"white-space:pre-wrap;word-break:break-all}\n"
	"table{border-collapse:collapse}\n"
	"th,td{border:1px solid #ddd;padding:1px 6px;text-align:left;"
	"vertical-align:top}\n"
	"table.con{width:100%;table-layout:fixed}\n"
	"td.diverge,th.diverge{background:#ffc8c8}\n"
	"td.none{background:#f4f4f4}\n"
	".v{font-weight:bold;padding:0 .4em;border-radius:3px;color:#fff}\n"
	".pass{background:#2a7d2a}.fail{background:#c62828}"
	".skip{background:#8a8a8a}.flaky{background:#d07000}\n"
	".mark{font-weight:bold;padding:0 .4em;border:1px solid;"
	"border-radius:3px;margin-left:.4em}\n"
	".mark.new-failure{color:#c62828}.mark.fixed{color:#2a7d2a}"
	".mark.flaky{color:#d07000}\n"
	".reason{color:#c62828;font-weight:bold}\n"
	"pre.msg,pre.excerpt{background:#fff4f4;border:1px solid #f0c0c0;"
	"padding:.4em}\n"
	"pre.syscall{background:#fff8e8;border:1px solid #e8d0a0;padding:.4em}\n"
	"pre.note{background:#f4f8f4;border:1px solid #c8e0c8;padding:.4em}\n"
	"pre.transcript{background:#f8f8f8;border:1px solid #ddd;padding:.4em;"
	"white-space:pre-wrap;word-break:break-all}\n";

static void add_verdict(struct strbuf *sb, enum verdict v)
{
	static const char *const label[] = { "PASS", "FAIL", "SKIP" };

	strbuf_printf(sb, "<span class=\"v %s\">%s</span>", fmt_verdict(v),
		  label[v]);
}

/* A scenario's verdict (FLAKY: it passed after failed attempts) and its
 * mark from the history; the mark's words are its class, dashed. */
static void add_scenario_verdict(struct strbuf *sb,
				 const struct scenario_result *s)
{
	const char *mark = scenario_mark_word(s->mark);
	const char *p;

	if (strcmp(scenario_verdict_word(s), "FLAKY"))
		add_verdict(sb, s->verdict);
	else
		strbuf_puts(sb, "<span class=\"v flaky\">FLAKY</span>");
	if (!mark)
		return;
	strbuf_puts(sb, "<span class=\"mark ");
	for (p = mark; *p; p++)
		strbuf_add(sb, *p == ' ' ? "-" : p, 1);
	strbuf_printf(sb, "\">%s</span>", mark);
}

/* Links to the directories of a scenario's earlier attempts. */
static void add_attempts(struct strbuf *sb, const struct scenario_result *s)
{
	unsigned k;

	if (s->attempts < 2)
		return;
	strbuf_printf(sb, "<p>attempt %u of %u on a fresh machine; the earlier ones:",
		      s->attempts, s->attempts);
	for (k = 1; k < s->attempts; k++) {
		strbuf_puts(sb, " <a href=\"");
		fmt_xmls(sb, s->slug, true);
		strbuf_printf(sb, ".try%u/\">", k);
		fmt_xmls(sb, s->slug, false);
		strbuf_printf(sb, ".try%u/</a>", k);
	}
	strbuf_puts(sb, "</p>\n");
}

static void add_pre(struct strbuf *sb, const char *cls, const char *text)
{
	if (!text)
		return;
	strbuf_printf(sb, "<pre class=\"%s\">", cls);
	fmt_xmls(sb, text, false);
	strbuf_puts(sb, "</pre>\n");
}

/* Where the last TAIL_LINES lines of BUF start.  CUT: BUF starts inside
 * the file, so its first line is part of one and not shown. */
static size_t tail_start(const char *buf, size_t len, bool cut)
{
	size_t start = len, lines = 0;
	const char *nl;

	if (start && buf[start - 1] == '\n')
		start--;
	while (start && !(buf[start - 1] == '\n' && ++lines == TAIL_LINES))
		start--;
	if (!start && cut) {
		nl = memchr(buf, '\n', len);
		start = nl ? (size_t)(nl - buf) + 1 : len;
	}
	return start;
}

/* The last TAIL_LINES lines of transcript PATH, *TAILLEN bytes (they may
 * hold NULs); malloc'd, NULL if there is none. */
static char *read_tail(const char *path, size_t *taillen)
{
	char *buf = NULL;
	size_t len, start;
	struct stat st;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT)
			log_error("cannot open transcript '%s': %m", path);
		return NULL;
	}
	if (fstat(fd, &st) < 0)
		goto fail;
	len = st.st_size > TAIL_BYTES ? TAIL_BYTES : (size_t)st.st_size;
	buf = xmalloc(len + 1);
	n = pread(fd, buf, len, st.st_size - (off_t)len);
	if (n < 0)
		goto fail;
	close(fd);
	buf[n] = '\0';
	start = tail_start(buf, (size_t)n, (off_t)len < st.st_size);
	*taillen = (size_t)n - start;
	memmove(buf, buf + start, *taillen + 1);
	return buf;
fail:
	log_error("cannot read transcript '%s': %m", path);
	close(fd);
	free(buf);
	return NULL;
}

/* A link to transcript FILE of scenario S, relative to report.html. */
static void add_link(struct strbuf *sb, const struct scenario_result *s,
		     const char *file)
{
	strbuf_puts(sb, "<a href=\"");
	fmt_xmls(sb, s->slug, true);
	strbuf_printf(sb, "/%s\">%s</a>", file, file);
}

/* Console FILE's transcript from byte FROM to TO of what it printed,
 * folded under a line saying WHAT it shows. */
static void add_excerpt(struct strbuf *sb, const char *dir,
			const struct scenario_result *s, const char *file,
			uint64_t from, uint64_t to, const char *what)
{
	char *path = xasprintf("%s/%s/%s", dir, s->slug, file);
	size_t len;
	char *text = excerpt_read(path, s->transcript_limit, from, to, &len);

	free(path);
	if (!text)
		return;
	strbuf_printf(sb, "<details><summary>%s %s, bytes %" PRIu64 " to %" PRIu64 " of ",
		      file, what, from, to);
	add_link(sb, s, file);
	strbuf_puts(sb, "</summary><pre class=\"transcript\">");
	fmt_xml(sb, text, len, false);
	strbuf_puts(sb, "</pre></details>\n");
	free(text);
}

static void add_transcripts(struct strbuf *sb, const char *dir,
			    const struct scenario_result *s)
{
	unsigned k;

	if (!s->nconsoles)
		return;
	strbuf_puts(sb, "<p>whole transcripts:");
	for (k = 0; k < s->nconsoles; k++) {
		char serial[24], kernel[24];

		snprintf(serial, sizeof(serial), "serial%u.log", k);
		snprintf(kernel, sizeof(kernel), "kernel%u.log", k);
		strbuf_puts(sb, " ");
		add_link(sb, s, serial);
		strbuf_puts(sb, " ");
		add_link(sb, s, kernel);
	}
	strbuf_puts(sb, "</p>\n");
	strbuf_printf(sb, "<details><summary>console transcripts (last %d lines)"
		  "</summary>\n<table class=\"con\"><tr>", TAIL_LINES);
	for (k = 0; k < s->nconsoles; k++)
		strbuf_printf(sb, "<th>serial%u.log</th>", k);
	strbuf_puts(sb, "</tr>\n<tr>");
	for (k = 0; k < s->nconsoles; k++) {
		char *path = xasprintf("%s/%s/serial%u.log", dir, s->slug, k);
		size_t len;
		char *tail = read_tail(path, &len);

		strbuf_puts(sb, "<td><pre>");
		if (tail)
			fmt_xml(sb, tail, len, false);
		else
			strbuf_puts(sb, "(no transcript)");
		strbuf_puts(sb, "</pre></td>");
		free(tail);
		free(path);
	}
	strbuf_puts(sb, "</tr></table></details>\n");
}

/* One console's lines beside serial0's (the udiff alignment): line
 * BESIDE[i] of it beside serial0's line i, and before serial0's line g
 * (g = n0: after the last) GAP_N[g] lines from GAP_FIRST[g] beside none. */
struct column {
	struct text_line *l;
	size_t n;
	long *beside;
	size_t *gap_first, *gap_n;
};

static void column_init(struct column *c, const struct test_case *tc,
			unsigned k, const struct column *base)
{
	struct line_pair *p;
	size_t np, i, g = 0;

	c->l = split_lines(tc->con[k].output, &c->n);
	if (!base)
		return;
	c->beside = xmalloc((base->n + 1) * sizeof(*c->beside));
	c->gap_first = xcalloc(base->n + 1, sizeof(*c->gap_first));
	c->gap_n = xcalloc(base->n + 1, sizeof(*c->gap_n));
	p = udiff_align(base->l, base->n, c->l, c->n, &np);
	for (i = 0; i < np; i++) {
		if (p[i].a >= 0) {
			c->beside[p[i].a] = p[i].b;
			g = (size_t)p[i].a + 1;
		} else if (!c->gap_n[g]++) {
			c->gap_first[g] = (size_t)p[i].b;
		}
	}
	free(p);
}

static void column_free(struct column *c)
{
	free(c->l);
	free(c->beside);
	free(c->gap_first);
	free(c->gap_n);
}

/* One row: line ROW[k] of each console, -1 for none; a cell that differs
 * from serial0's is marked. */
static void add_row(struct strbuf *sb, const struct column *col, unsigned n,
		    const long *row)
{
	const struct text_line *base = row[0] >= 0 ? &col[0].l[row[0]] : NULL;
	unsigned k;

	strbuf_puts(sb, "<tr>");
	for (k = 0; k < n; k++) {
		const struct text_line *l = row[k] >= 0 ? &col[k].l[row[k]]
							: NULL;
		bool same = l && base ? l->len == base->len &&
					!memcmp(l->s, base->s, l->len)
				      : l == base;

		if (!same)
			strbuf_puts(sb, "<td class=\"diverge\">");
		else
			strbuf_puts(sb, l ? "<td>" : "<td class=\"none\">");
		if (l)
			fmt_xml(sb, l->s, l->len, false);
		strbuf_puts(sb, "</td>");
	}
	strbuf_puts(sb, "</tr>\n");
}

/* The rows before serial0's line G (only other consoles' lines), then
 * the row of that line. */
static void add_rows_at(struct strbuf *sb, const struct column *col,
			unsigned n, size_t g)
{
	long row[DUPLEX_MAX_PARTITIONS];
	size_t extra = 0, t;
	unsigned k;

	for (k = 1; k < n; k++)
		if (col[k].gap_n[g] > extra)
			extra = col[k].gap_n[g];
	for (t = 0; t < extra; t++) {
		row[0] = -1;
		for (k = 1; k < n; k++)
			row[k] = t < col[k].gap_n[g]
				? (long)(col[k].gap_first[g] + t) : -1;
		add_row(sb, col, n, row);
	}
	if (g == col[0].n)
		return;
	row[0] = (long)g;
	for (k = 1; k < n; k++)
		row[k] = col[k].beside[g];
	add_row(sb, col, n, row);
}

/* The consoles' outputs side by side, one column each. */
static void add_console_table(struct strbuf *sb, const struct test_case *tc)
{
	struct column col[DUPLEX_MAX_PARTITIONS];
	unsigned n = tc->nconsoles, k;
	size_t g;

	if (!n)
		return;
	memset(col, 0, sizeof(col));
	strbuf_puts(sb, "<table class=\"con\"><tr>");
	for (k = 0; k < n; k++) {
		column_init(&col[k], tc, k, k ? &col[0] : NULL);
		strbuf_puts(sb, tc->con[k].status != tc->con[0].status
			? "<th class=\"diverge\">" : "<th>");
		fmt_xml(sb, tc->con[k].name, strnlen(tc->con[k].name,
						     sizeof(tc->con[k].name)),
		       false);
		if (tc->con[k].status >= 0)
			strbuf_printf(sb, " (exit %d)", tc->con[k].status);
		strbuf_puts(sb, "</th>");
	}
	strbuf_puts(sb, "</tr>\n");
	for (g = 0; g <= col[0].n; g++)
		add_rows_at(sb, col, n, g);
	strbuf_puts(sb, "</table>\n");
	for (k = 0; k < n; k++)
		column_free(&col[k]);
}

/* Each console's transcript around the case's command. */
static void add_case_excerpts(struct strbuf *sb, const char *dir,
			      const struct scenario_result *s,
			      const struct test_case *tc)
{
	unsigned k;

	for (k = 0; k < tc->nconsoles; k++) {
		char file[32];

		if (!tc->con[k].to)
			continue;
		snprintf(file, sizeof(file), "%.16s.log", tc->con[k].name);
		add_excerpt(sb, dir, s, file, tc->con[k].from, tc->con[k].to,
			    "around this command");
	}
}

static void add_case(struct strbuf *sb, const char *dir,
		     const struct scenario_result *s, const struct test_case *tc)
{
	strbuf_puts(sb, "<h3>");
	add_verdict(sb, tc->verdict);
	strbuf_puts(sb, " ");
	fmt_xmls(sb, tc->name, false);
	strbuf_puts(sb, " <small>(");
	fmt_seconds(sb, tc->seconds);
	strbuf_printf(sb, " s%s)</small></h3>\n",
		  tc->diverge ? "; the consoles were expected to differ" : "");
	/* A passing case's message says what was checked, not a problem. */
	add_pre(sb, tc->verdict == VERDICT_PASS ? "note" : "msg", tc->message);
	if (tc->syscall_divergence) {
		strbuf_puts(sb, "<h4>syscall divergence</h4>\n");
		add_pre(sb, "syscall", tc->syscall_divergence);
	}
	add_console_table(sb, tc);
	add_case_excerpts(sb, dir, s, tc);
}

/* The transcript of the console that showed the scenario's reason, up
 * to where it had printed then. */
static void add_failure_excerpt(struct strbuf *sb, const char *dir,
				const struct scenario_result *s)
{
	char file[24];

	if (s->fail_console < 0 || !s->fail_at)
		return;
	snprintf(file, sizeof(file), "serial%d.log", s->fail_console);
	add_excerpt(sb, dir, s, file,
		    s->fail_at > EXCERPT_BEFORE ? s->fail_at - EXCERPT_BEFORE : 0,
		    s->fail_at, "up to the failure");
}

static void add_scenario(struct strbuf *sb, const char *dir,
			 const struct scenario_result *s)
{
	size_t i;

	strbuf_puts(sb, "<section id=\"s-");
	fmt_xmls(sb, s->slug, true);
	strbuf_puts(sb, "\">\n<h2>");
	add_scenario_verdict(sb, s);
	strbuf_puts(sb, " ");
	fmt_xmls(sb, s->name, false);
	strbuf_puts(sb, "</h2>\n<p>");
	fmt_xmls(sb, s->file, false);
	strbuf_printf(sb, ":%u, ", s->line);
	fmt_seconds(sb, s->seconds);
	strbuf_puts(sb, " s</p>\n");
	add_attempts(sb, s);
	if (s->reason) {
		strbuf_puts(sb, "<p class=\"reason\">");
		fmt_xmls(sb, s->reason, false);
		strbuf_puts(sb, "</p>\n");
	}
	add_pre(sb, "excerpt", s->excerpt);
	add_failure_excerpt(sb, dir, s);
	for (i = 0; i < s->ncases; i++)
		add_case(sb, dir, s, &s->cases[i]);
	add_transcripts(sb, dir, s);
	strbuf_puts(sb, "</section>\n");
}

static void add_index(struct strbuf *sb, const struct test_run *r)
{
	struct results_counts c;
	size_t i;

	strbuf_puts(sb, "<table>\n<tr><th>scenario</th><th>verdict</th>"
		"<th>passed</th><th>failed</th><th>skipped</th>"
		"<th>seconds</th></tr>\n");
	for (i = 0; i < r->nscenarios; i++) {
		const struct scenario_result *s = &r->scenarios[i];

		c = scenario_counts(s);
		strbuf_puts(sb, "<tr><td><a href=\"#s-");
		fmt_xmls(sb, s->slug, true);
		strbuf_puts(sb, "\">");
		fmt_xmls(sb, s->name, false);
		strbuf_puts(sb, "</a></td><td>");
		add_scenario_verdict(sb, s);
		strbuf_printf(sb, "</td><td>%u</td><td>%u</td><td>%u</td><td>",
			  c.passed, c.failed, c.skipped);
		fmt_seconds(sb, s->seconds);
		strbuf_puts(sb, "</td></tr>\n");
	}
	strbuf_puts(sb, "</table>\n");
}

static void add_header(struct strbuf *sb, const struct test_run *r)
{
	struct results_counts c = test_run_counts(r);
	time_t t = (time_t)r->started;
	char when[32] = "";
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	strbuf_puts(sb, "<header><h1>duplex test ");
	fmt_xmls(sb, r->run_id, false);
	strbuf_printf(sb, "</h1>\n<p>started %s, ", when);
	fmt_seconds(sb, r->seconds);
	strbuf_printf(sb, " s; %zu of %zu scenarios finished</p>\n"
		  "<p><span class=\"v pass\">%u passed</span> "
		  "<span class=\"v fail\">%u failed</span> "
		  "<span class=\"v skip\">%u skipped</span></p></header>\n",
		  r->nscenarios, r->planned, c.passed, c.failed, c.skipped);
}

int results_write_html(const struct test_run *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	strbuf_puts(&sb, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
		"<meta charset=\"utf-8\">\n<title>duplex test ");
	fmt_xmls(&sb, r->run_id, false);
	strbuf_printf(&sb, "</title>\n<style>\n%s</style></head><body>\n", style);
	add_header(&sb, r);
	add_index(&sb, r);
	for (i = 0; i < r->nscenarios; i++)
		add_scenario(&sb, r->dir, &r->scenarios[i]);
	strbuf_puts(&sb, "</body></html>\n");
	return strbuf_write(&sb, r->dir, "report.html");
}
