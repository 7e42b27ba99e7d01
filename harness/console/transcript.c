#define _GNU_SOURCE
#include "transcript.h"
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void transcript_init(struct transcript *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

int transcript_open(struct transcript *t, const char *name, const char *path,
		    uint64_t limit)
{
	transcript_init(t);
	snprintf(t->name, sizeof(t->name), "%s", name);
	if (limit < TRANSCRIPT_MIN_LIMIT) {
		log_error("%s: transcript limit %" PRIu64 " bytes is below the smallest, %d",
			  name, limit, TRANSCRIPT_MIN_LIMIT);
		return -1;
	}
	t->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (t->fd < 0) {
		log_error("%s: cannot create transcript '%s': %m", name, path);
		return -1;
	}
	t->path = xstrdup(path);
	t->limit = limit;
	t->head = limit / 2;
	return 0;
}

static void write_failed(struct transcript *t)
{
	if (!t->failed)
		log_error("%s: cannot write transcript '%s': %m; it misses output from byte %" PRIu64 " on",
			  t->name, t->path, t->seen);
	t->failed = true;
}

/* Where stream byte O goes: the head as it came, everything after it
 * into the ring that fills the rest of the limit (below the limit the
 * ring has not wrapped, so the file is the plain stream). */
static uint64_t file_offset(const struct transcript *t, uint64_t o)
{
	uint64_t ring = t->limit - t->head;

	return o < t->head ? o : t->head + (o - t->head) % ring;
}

/* How many bytes from stream offset O go to one contiguous place. */
static size_t run_length(const struct transcript *t, uint64_t o, size_t len)
{
	uint64_t ring = t->limit - t->head;
	uint64_t room = o < t->head ? t->head - o
			: ring - (o - t->head) % ring;

	return room < len ? (size_t)room : len;
}

void transcript_write(struct transcript *t, const void *buf, size_t len)
{
	const char *p = buf;

	while (t->fd >= 0 && !t->failed && len) {
		size_t n = run_length(t, t->seen, len);
		ssize_t w = pwrite(t->fd, p, n, (off_t)file_offset(t, t->seen));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			write_failed(t);
			return;
		}
		p += w;
		len -= (size_t)w;
		t->seen += (uint64_t)w;
	}
}

void transcript_gap(struct transcript *t, const char *note)
{
	char *text = xasprintf("\n[duplex: %s]\n", note);

	t->gaps++;
	transcript_write(t, text, strlen(text));
	free(text);
}

uint64_t transcript_left_out(const struct transcript *t)
{
	return t->seen > t->limit ? t->seen - t->limit : 0;
}

char *transcript_size_text(uint64_t bytes)
{
	if (bytes >= 1024 * 1024)
		return xasprintf("%.1f MiB", bytes / (1024.0 * 1024.0));
	if (bytes >= 1024)
		return xasprintf("%.1f KiB", bytes / 1024.0);
	return xasprintf("%" PRIu64 " bytes", bytes);
}

char *transcript_marker(uint64_t head, uint64_t left_out, uint64_t limit)
{
	char *size = transcript_size_text(left_out);
	char *lim = transcript_size_text(limit);
	char *text = xasprintf("\n[duplex: %" PRIu64 " bytes (%s) left out here: bytes %" PRIu64 " to %" PRIu64 " of the console's output, past the transcript limit of %s (transcript_limit_kib in the machine profile)]\n",
			       left_out, size, head, head + left_out - 1, lim);

	free(size);
	free(lim);
	return text;
}

/* Copy LEN bytes at offset OFF of FROM to the end of TO. */
static int copy_range(int from, uint64_t off, uint64_t len, int to)
{
	char buf[65536];

	while (len) {
		ssize_t n = pread(from, buf, len < sizeof(buf) ? len : sizeof(buf),
				  (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(to, buf, (size_t)n) < 0)
			return -1;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* Write the head, the marker and the ring from its oldest byte on into
 * TMP_FD: the transcript in order. */
static int write_in_order(const struct transcript *t, int in, int out)
{
	uint64_t ring = t->limit - t->head;
	uint64_t oldest = (t->seen - t->head) % ring;
	char *marker = transcript_marker(t->head, transcript_left_out(t),
					 t->limit);
	int ret = -1;

	if (copy_range(in, 0, t->head, out) == 0 &&
	    write_all(out, marker, strlen(marker)) == 0 &&
	    copy_range(in, t->head + oldest, ring - oldest, out) == 0 &&
	    copy_range(in, t->head, oldest, out) == 0)
		ret = 0;
	free(marker);
	return ret;
}

/* Past the limit: rewrite the file in order through a temporary file. */
static int put_in_order(struct transcript *t)
{
	char *tmp = xasprintf("%s.tmp", t->path);
	int in = open(t->path, O_RDONLY | O_CLOEXEC);
	int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	int ret = -1;

	if (in >= 0 && out >= 0 && write_in_order(t, in, out) == 0 &&
	    rename(tmp, t->path) == 0)
		ret = 0;
	else
		log_error("%s: cannot put transcript '%s' in order through '%s': %m; its last part is a ring after byte %" PRIu64,
			  t->name, t->path, tmp, t->head);
	if (ret < 0)
		unlink(tmp);
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	free(tmp);
	return ret;
}

int transcript_close(struct transcript *t)
{
	int ret = 0;

	if (t->fd < 0)
		return 0;
	if (close(t->fd) < 0 && !t->failed) {
		write_failed(t);
		ret = -1;
	}
	t->fd = -1;
	if (transcript_left_out(t) && put_in_order(t) < 0)
		ret = -1;
	free(t->path);
	t->path = NULL;
	return ret;
}
