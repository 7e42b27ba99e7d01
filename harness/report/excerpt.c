#define _GNU_SOURCE
#include "excerpt.h"
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A transcript file and, when it was cut, where its parts are. */
struct tfile {
	int fd;
	uint64_t size;
	bool cut;
	uint64_t head;		/* stream bytes 0..head-1 are file bytes 0.. */
	uint64_t gap_last;	/* the last stream byte left out */
	uint64_t tail;		/* file offset of stream byte gap_last + 1 */
};

/* The marker line at file offset F->head: "... left out here: bytes H
 * to E of ..." up to its newline (transcript_marker). */
static bool read_marker(struct tfile *f)
{
	char buf[512], *at, *nl;
	uint64_t first, last;
	ssize_t n = pread(f->fd, buf, sizeof(buf) - 1, (off_t)f->head);

	if (n <= 1)
		return false;
	buf[n] = '\0';
	at = strstr(buf, " left out here: bytes ");
	nl = memchr(buf + 1, '\n', (size_t)n - 1);
	if (!at || !nl || sscanf(at, " left out here: bytes %" SCNu64 " to %" SCNu64,
				 &first, &last) != 2 || first != f->head)
		return false;
	f->gap_last = last;
	f->tail = f->head + (uint64_t)(nl - buf) + 1;
	return true;
}

/* 1 open, 0 missing, -1 error (reported). */
static int tfile_open(struct tfile *f, const char *path, uint64_t limit)
{
	struct stat st;

	memset(f, 0, sizeof(*f));
	f->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0 && errno == ENOENT)
		return 0;
	if (f->fd < 0 || fstat(f->fd, &st) < 0) {
		log_error("cannot read transcript '%s': %m", path);
		if (f->fd >= 0)
			close(f->fd);
		return -1;
	}
	f->size = (uint64_t)st.st_size;
	f->head = limit / 2;
	f->cut = limit && f->size > limit && read_marker(f);
	return 1;
}

/* Where stream byte O is in the file; one left out maps to the marker
 * (its start for a part's start, its end for a part's end). */
static uint64_t file_offset(const struct tfile *f, uint64_t o, bool end)
{
	uint64_t at;

	if (!f->cut || o < f->head)
		at = o;
	else if (o <= f->gap_last)
		at = end ? f->tail : f->head;
	else
		at = f->tail + (o - f->gap_last - 1);
	return at < f->size ? at : f->size;
}

/* File bytes A..B into SB, whole lines: a part that starts (ends) inside
 * a line leaves that line out.  The byte before A says whether A starts
 * a line. */
static int add_lines(struct strbuf *sb, const struct tfile *f, uint64_t a,
		     uint64_t b)
{
	uint64_t from = a > 0 ? a - 1 : 0;
	size_t len = (size_t)(b - from), start = 0, end;
	char *buf = xmalloc(len + 1);
	ssize_t n = pread(f->fd, buf, len, (off_t)from);

	if (n < 0) {
		free(buf);
		return -1;
	}
	end = (size_t)n;
	if (a > 0)
		while (start < end && buf[start++] != '\n')
			;
	if (b < f->size)
		while (end > start && buf[end - 1] != '\n')
			end--;
	strbuf_add(sb, buf + start, end - start);
	free(buf);
	return 0;
}

/* Where the excerpt starts: EXCERPT_LINES_BEFORE lines before the line
 * of file offset AT, at most EXCERPT_BEFORE bytes before it. */
static uint64_t context_start(const struct tfile *f, uint64_t at)
{
	char buf[EXCERPT_BEFORE];
	uint64_t from = at > EXCERPT_BEFORE ? at - EXCERPT_BEFORE : 0;
	ssize_t n = pread(f->fd, buf, (size_t)(at - from), (off_t)from);
	unsigned lines = 0;

	while (n-- > 0)
		if (buf[n] == '\n' && ++lines > EXCERPT_LINES_BEFORE)
			return from + (uint64_t)n + 1;
	return from;
}

/* Where it ends: EXCERPT_LINES_AFTER lines after the line of AT, at most
 * EXCERPT_AFTER bytes after it. */
static uint64_t context_end(const struct tfile *f, uint64_t at)
{
	char buf[EXCERPT_AFTER];
	ssize_t n = pread(f->fd, buf, sizeof(buf), (off_t)at), i;
	unsigned lines = 0;

	for (i = 0; i < n; i++)
		if (buf[i] == '\n' && ++lines > EXCERPT_LINES_AFTER)
			return at + (uint64_t)i + 1;
	return n > 0 ? at + (uint64_t)n : at;
}

/* File bytes A..B, cut in the middle past EXCERPT_MAX. */
static int add_part(struct strbuf *sb, const struct tfile *f, uint64_t a,
		    uint64_t b)
{
	uint64_t first = EXCERPT_MAX / 4, last = EXCERPT_MAX - first;

	if (b - a <= EXCERPT_MAX)
		return add_lines(sb, f, a, b);
	if (add_lines(sb, f, a, a + first) < 0)
		return -1;
	strbuf_printf(sb, "\n[... %" PRIu64 " bytes here are in the transcript only ...]\n",
		      b - a - first - last);
	return add_lines(sb, f, b - last, b);
}

char *excerpt_read(const char *path, uint64_t limit, uint64_t from,
		   uint64_t to, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	struct tfile f;
	uint64_t a, b;
	int r = tfile_open(&f, path, limit);

	if (r <= 0)
		return NULL;
	a = context_start(&f, file_offset(&f, from, false));
	b = context_end(&f, file_offset(&f, to, true));
	r = a < b ? add_part(&sb, &f, a, b) : 0;
	if (r < 0)
		log_error("cannot read transcript '%s': %m", path);
	close(f.fd);
	if (r < 0) {
		strbuf_release(&sb);
		return NULL;
	}
	*len = sb.len;
	return sb.s ? strbuf_detach(&sb) : xstrdup("");
}
