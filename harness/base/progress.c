#include "progress.h"
#include "log.h"
#include "util.h"

#include <inttypes.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define ERASE_LINE "\r\033[K"

void progress_init(struct progress *p, FILE *out, bool tty, unsigned width,
		   bool quiet, progress_clock clock)
{
	*p = (struct progress){ .out = out, .tty = tty, .width = width,
				.quiet = quiet, .clock = clock };
}

void progress_init_stdout(struct progress *p, bool quiet)
{
	struct winsize ws = { 0 };
	bool tty = isatty(STDOUT_FILENO);

	/* A line longer than the terminal wraps, and "\r" would then
	 * rewrite only its last row. */
	if (tty && (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0 || !ws.ws_col))
		ws.ws_col = 80;
	progress_init(p, stdout, tty, ws.ws_col, quiet, now_ms);
}

void progress_format_duration(int64_t ms, char *buf, size_t size)
{
	if (ms < 60000)
		snprintf(buf, size, "%.1f s", (double)ms / 1000);
	else
		snprintf(buf, size, "%" PRId64 "m%02" PRId64 "s", ms / 60000,
			 ms / 1000 % 60);
}

/* The unit of a count of N ("1 object compiled", "2 objects compiled"). */
static const char *unit_of(const struct progress *p, uint64_t n)
{
	return n == 1 ? p->unit_one : p->unit;
}

/* 99 at most until the end: the last step after the last counted item
 * (a kernel's link) is still to come. */
static unsigned percent(const struct progress *p)
{
	unsigned pc = p->total ? (unsigned)(p->done * 100 / p->total) : 0;

	return pc > 99 ? 99 : pc;
}

/* ", about 3 min left" once 5 % is done: before that, the rate says
 * little about the rest.  Minutes from 90 s on: an estimate is no more
 * precise than that. */
static void format_left(const struct progress *p, int64_t now, char *buf,
			size_t size)
{
	int64_t ms, s;

	*buf = '\0';
	if (!p->done || p->done >= p->total || p->done * 20 < p->total)
		return;
	ms = (now - p->start) * (int64_t)(p->total - p->done) / (int64_t)p->done;
	s = (ms + 999) / 1000;
	if (s < 90)
		snprintf(buf, size, ", about %" PRId64 " s left", s);
	else
		snprintf(buf, size, ", about %" PRId64 " min left", (s + 30) / 60);
}

/* "LABEL: DONE/TOTAL UNIT (P %), ELAPSED, about T left; NOTE" */
static void format_status(const struct progress *p, int64_t now, char *buf,
			  size_t size)
{
	char took[32], left[40];
	int n;

	progress_format_duration(now - p->start, took, sizeof(took));
	format_left(p, now, left, sizeof(left));
	if (p->total)
		n = snprintf(buf, size, "%s: %" PRIu64 "/%" PRIu64 " %s (%u %%), %s%s",
			     p->label, p->done, p->total, unit_of(p, p->total),
			     percent(p),
			     took, left);
	else
		n = snprintf(buf, size, "%s: %" PRIu64 " %s, %s", p->label,
			     p->done, unit_of(p, p->done), took);
	if (*p->note && n >= 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "; %s", p->note);
}

static void show(struct progress *p, int64_t now)
{
	char line[256];
	int len;

	format_status(p, now, line, sizeof(line));
	len = (int)strlen(line);
	if (p->tty) {
		if (p->width && len >= (int)p->width)
			len = (int)p->width - 1;
		fprintf(p->out, ERASE_LINE "%.*s", len, line);
		p->on_screen = true;
	} else {
		fprintf(p->out, "%s\n", line);
	}
	fflush(p->out);
	p->shown_at = now;
	p->shown_tenth = percent(p) / 10;
}

void progress_begin(struct progress *p, const char *label,
		    const char *unit_one, const char *unit, uint64_t total)
{
	snprintf(p->label, sizeof(p->label), "%s", label);
	snprintf(p->unit_one, sizeof(p->unit_one), "%s", unit_one);
	snprintf(p->unit, sizeof(p->unit), "%s", unit);
	p->note[0] = '\0';
	p->total = total;
	p->done = 0;
	p->start = p->clock();
	p->shown_at = p->start;
	p->shown_tenth = 0;
	p->active = true;
	p->on_screen = false;
	if (p->tty && !p->quiet)
		show(p, p->start);
}

/* A plain line at each new tenth, or after a silence of PROGRESS_PLAIN_MS. */
static bool due(const struct progress *p, int64_t now)
{
	if (p->tty)
		return !p->on_screen || now - p->shown_at >= PROGRESS_REDRAW_MS;
	return now - p->shown_at >= PROGRESS_PLAIN_MS ||
	       percent(p) / 10 > p->shown_tenth;
}

void progress_update(struct progress *p, uint64_t done)
{
	int64_t now;

	if (!p->active)
		return;
	if (p->total && done > p->total)
		done = p->total;
	if (done > p->done)
		p->done = done;
	if (p->quiet)
		return;
	now = p->clock();
	if (due(p, now))
		show(p, now);
}

void progress_note(struct progress *p, const char *note)
{
	snprintf(p->note, sizeof(p->note), "%s", note);
}

void progress_suspend(struct progress *p)
{
	if (!p->on_screen)
		return;
	fputs(ERASE_LINE, p->out);
	fflush(p->out);
	p->on_screen = false;
}

void progress_end(struct progress *p, const char *tail)
{
	char took[32], line[256];

	if (!p->active)
		return;
	progress_suspend(p);
	progress_format_duration(p->clock() - p->start, took, sizeof(took));
	snprintf(line, sizeof(line), "%s: 100 %% (%" PRIu64 " %s) in %s%s",
		 p->label, p->done, unit_of(p, p->done), took, tail);
	fprintf(p->out, "%s\n", line);
	fflush(p->out);
	log_debug("%s", line);
	p->active = false;
}

void progress_stop(struct progress *p)
{
	progress_suspend(p);
	p->active = false;
}
