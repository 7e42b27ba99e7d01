/* The leader's comparison of every member's output lines with its own:
 * digests line by line, the text of the first differing line fetched
 * from the member for the report.  See repd.h. */
#include "repd.h"

#include <stdio.h>
#include <string.h>

/* The exit status in a prompt line ("rep[1]:/# ..."), and where the rest
 * starts; -1 if TEXT is not a prompt line. */
static int prompt_status(const char *text, const char **rest)
{
	int status, n = 0;

	if (sscanf(text, "rep[%d]:%n", &status, &n) != 1 || !n)
		return -1;
	*rest = text + n;
	return status;
}

static void report_divergence(struct repd *d, unsigned p, uint32_t line,
			      const char *own, const char *theirs)
{
	const char *own_rest, *their_rest;
	int a = prompt_status(own, &own_rest), b = prompt_status(theirs, &their_rest);

	if (a >= 0 && b >= 0 && a != b && !strcmp(own_rest, their_rest))
		rep_report(d, "divergence at line %u: exit status serial%u %d vs serial%u %d",
			   line, d->self, a, p, b);
	else
		rep_report(d, "divergence at line %u: serial%u \"%s\" vs serial%u \"%s\"",
			   line, d->self, own, p, theirs);
}

/* A member's text of line LINE, asked for by the comparison. */
void compare_line_text(struct repd *d, unsigned p, uint32_t line,
		       const char *text)
{
	struct rep_peer *pe = &d->peer[p];

	if (line != pe->req_line)
		return;
	report_divergence(d, p, line, pe->req_text, text);
	pe->req_line = 0;
}

static void line_differs(struct repd *d, unsigned p, uint32_t line)
{
	struct rep_peer *pe = &d->peer[p];
	struct rep_msg m = { .type = REP_MSG_LINE_REQ, .session = d->session };

	d->divergences++;
	window_rep_count(&d->w, d->self, 0, 1);
	if (pe->diverging || pe->req_line)
		return;
	pe->diverging = true;
	pe->req_line = line;
	memcpy(pe->req_text, d->hist[line % REPD_HISTORY].text,
	       sizeof(pe->req_text));
	m.u.line_req.line = line;
	rep_send(d, p, &m);
}

/* Compare whatever both sides have of peer P. */
void compare_peer(struct repd *d, unsigned p)
{
	struct rep_peer *pe = &d->peer[p];
	uint32_t line, compared = 0;

	while (pe->cmp < d->lines.count && pe->cmp < pe->got) {
		line = pe->cmp + 1;
		if (d->hist[line % REPD_HISTORY].digest ==
		    pe->digest[line % REPD_HISTORY])
			pe->diverging = false;
		else
			line_differs(d, p, line);
		pe->cmp = line;
		compared++;
	}
	if (compared)
		window_rep_count(&d->w, d->self, compared, 0);
}

/* Digests FIRST.. from P: they must follow what came before. */
int compare_digests(struct repd *d, unsigned p, const struct rep_msg *m)
{
	struct rep_peer *pe = &d->peer[p];
	uint32_t i;

	if (m->u.digests.first != pe->got + 1) {
		rep_report(d, "partition %u sent lines from %u, expected %u: the session ends",
			   p, m->u.digests.first, pe->got + 1);
		return -1;
	}
	for (i = 0; i < m->u.digests.count; i++)
		pe->digest[(pe->got + 1 + i) % REPD_HISTORY] = m->u.digests.hash[i];
	pe->got += m->u.digests.count;
	compare_peer(d, p);
	return 0;
}

/* At the end: line counts and exit statuses. */
void compare_final(struct repd *d, unsigned p)
{
	struct rep_peer *pe = &d->peer[p];

	if (!pe->closed) {
		rep_report(d, "partition %u did not end its shell within the deadline", p);
		return;
	}
	if (pe->got != d->lines.count) {
		d->divergences++;
		window_rep_count(&d->w, d->self, 0, 1);
		rep_report(d, "divergence: serial%u printed %u lines, serial%u %u",
			   d->self, d->lines.count, p, pe->got);
	}
	if (pe->status != d->shell_status) {
		d->divergences++;
		window_rep_count(&d->w, d->self, 0, 1);
		rep_report(d, "divergence: the shell exited with %d on serial%u, %d on serial%u",
			   d->shell_status, d->self, pe->status, p);
	}
}
