#define _GNU_SOURCE
#include "record.h"
#include "machine.h"
#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a destroyed domain's last output may take to reach the log:
 * virtlogd closes it as soon as QEMU's end of the pipe is gone. */
#define RECORD_FLUSH_MS 2000

char *record_raw_path(const char *state_dir, unsigned k)
{
	return xasprintf("%s/serial%u.virtlogd", state_dir, k);
}

void record_paths(struct machine *m, struct partition *p)
{
	unsigned k = p->index;

	record_free(p);
	p->log_path = xasprintf("%s/serial%u.log", m->results_dir, k);
	p->klog_path = xasprintf("%s/kernel%u.log", m->results_dir, k);
	p->raw_path = record_raw_path(m->state_dir, k);
	p->kraw_path = xasprintf("%s/kernel%u.virtlogd", m->state_dir, k);
}

void record_free(struct partition *p)
{
	free(p->log_path);
	free(p->klog_path);
	free(p->raw_path);
	free(p->kraw_path);
	p->log_path = p->klog_path = p->raw_path = p->kraw_path = NULL;
}

static uint64_t limit_bytes(const struct machine *m)
{
	return (uint64_t)m->profile->transcript_limit_kib * 1024;
}

static int open_one(struct machine *m, struct console *c, const char *name,
		    const char *pty, const char *raw, const char *transcript)
{
	if (console_open(c, name, pty, raw) < 0)
		return -1;
	if (console_keep_transcript(c, transcript, limit_bytes(m)) < 0) {
		console_close(c);
		return -1;
	}
	return 0;
}

/* The kernel channel's transcript is read only: nobody types there, and
 * QEMU passes on what a virtio console prints whether or not its pty is
 * open.  It carries what the kernel prints once the virtio console is
 * up, a few hundred milliseconds into the boot: every failure while
 * programs run.  A failure before that ends the domain (panic=-1), which
 * is a verdict of its own. */
int record_open(struct machine *m, struct partition *p)
{
	char name[16];

	snprintf(name, sizeof(name), "kernel%u", p->index);
	if (open_one(m, &p->kcon, name, NULL, p->kraw_path, p->klog_path) < 0)
		return -1;
	p->kcon_open = true;
	snprintf(name, sizeof(name), "serial%u", p->index);
	if (open_one(m, &p->con, name, p->pty, p->raw_path, p->log_path) < 0)
		return -1;
	p->con_open = true;
	return 0;
}

/* What a transcript, to be known as FILE, misses; "" if nothing. */
static char *incomplete(const struct transcript *t, const char *file,
			const char *when)
{
	uint64_t left = transcript_left_out(t);
	char *a, *b, *c, *text;

	if (left) {
		a = transcript_size_text(left);
		b = transcript_size_text(t->seen);
		c = transcript_size_text(t->limit);
		text = xasprintf("%s: %s of the %s printed%s left out of its middle, past the transcript limit of %s (transcript_limit_kib in the machine profile); a marker line in it says where\n",
				 file, a, b, when, c);
		free(a);
		free(b);
		free(c);
		return text;
	}
	if (t->gaps)
		return xasprintf("%s: output lost before the harness read it (virtlogd deleted rotated pieces); marked in it\n",
				 file);
	if (t->failed)
		return xasprintf("%s: could not be written to its end (see harness.log)\n",
				 file);
	return xstrdup("");
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* Close C, if open, its transcript to be known as PATH. */
static void close_one(struct machine *m, struct console *c, bool *open,
		      bool destroyed, const char *path)
{
	char *note;

	if (!*open)
		return;
	if (destroyed)
		console_drain_to_end(c, RECORD_FLUSH_MS);
	else
		console_drain(c);
	note = incomplete(&c->tr, base_name(path), "");
	strbuf_puts(&m->transcript_notes, note);
	free(note);
	console_close(c);
	*open = false;
}

void record_close(struct machine *m, struct partition *p, bool destroyed)
{
	close_one(m, &p->con, &p->con_open, destroyed, p->log_path);
	close_one(m, &p->kcon, &p->kcon_open, destroyed, p->klog_path);
}

/* The first BASE.N.log not taken in the results directory (from 1). */
static char *free_name(const struct machine *m, const char *base)
{
	unsigned n;

	for (n = 1;; n++) {
		char *kept = xasprintf("%s/%s.%u.log", m->results_dir, base, n);

		if (!path_exists(kept))
			return kept;
		free(kept);
	}
}

static int keep(const char *path, const char *kept)
{
	if (rename(path, kept) < 0 && errno != ENOENT) {
		log_error("cannot keep the last boot's transcript '%s' as '%s': %m",
			  path, kept);
		return -1;
	}
	return 0;
}

int record_retire(struct machine *m, struct partition *p, bool destroyed)
{
	char base[16], kbase[16];
	char *kept, *kkept;
	int ret = 0;

	snprintf(base, sizeof(base), "serial%u", p->index);
	snprintf(kbase, sizeof(kbase), "kernel%u", p->index);
	kept = free_name(m, base);
	kkept = free_name(m, kbase);
	close_one(m, &p->con, &p->con_open, destroyed, kept);
	close_one(m, &p->kcon, &p->kcon_open, destroyed, kkept);
	if (keep(p->log_path, kept) < 0 || keep(p->klog_path, kkept) < 0)
		ret = -1;
	free(kept);
	free(kkept);
	return ret;
}

char *machine_transcripts_incomplete(const struct machine *m)
{
	struct strbuf sb = STRBUF_INIT;
	unsigned k;

	strbuf_puts(&sb, m->transcript_notes.s ? m->transcript_notes.s : "");
	for (k = 0; k < DUPLEX_MAX_PARTITIONS; k++) {
		const struct partition *p = &m->part[k];
		char *note;

		if (!p->con_open)
			continue;
		note = incomplete(&p->con.tr, base_name(p->log_path), " so far");
		strbuf_puts(&sb, note);
		free(note);
		if (!p->kcon_open)
			continue;
		note = incomplete(&p->kcon.tr, base_name(p->klog_path), " so far");
		strbuf_puts(&sb, note);
		free(note);
	}
	if (!sb.len) {
		strbuf_release(&sb);
		return NULL;
	}
	return strbuf_detach(&sb);
}
