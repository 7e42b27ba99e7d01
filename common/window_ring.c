/* The window's message rings: one single-producer single-consumer ring
 * per ordered pair of partitions (docs/window.md, "Rings").  Head and tail
 * are read once into locals and checked; a corrupt ring is reported, never
 * trusted.  See window.h for the contract. */
#include <string.h>

#include "crc32.h"
#include "le.h"
#include "window.h"

/* NULL unless FROM and TO are two different partitions of the machine. */
static struct window_ring *ring_at(const struct window *w, unsigned from,
				   unsigned to)
{
	unsigned idx;

	if (!w || from >= w->partitions || to >= w->partitions || from == to)
		return NULL;
	idx = from * (WINDOW_MAX_PARTITIONS - 1) + (to < from ? to : to - 1);
	return (struct window_ring *)(w->base + WINDOW_RINGS_OFFSET +
				      (size_t)idx * WINDOW_RING_SIZE);
}

static size_t record_size(uint32_t len)
{
	return (WINDOW_MSG_HEADER + (size_t)len + WINDOW_MSG_ALIGN - 1) &
	       ~(size_t)(WINDOW_MSG_ALIGN - 1);
}

/* Copy LEN <= WINDOW_RING_DATA bytes in or out at byte count POS,
 * splitting the copy where the data area wraps. */
static void ring_write(struct window_ring *r, uint32_t pos, const void *src,
		       size_t len)
{
	size_t off = pos & (WINDOW_RING_DATA - 1);
	size_t first = len < WINDOW_RING_DATA - off ? len : WINDOW_RING_DATA - off;

	if (!len)	/* SRC may be NULL */
		return;
	memcpy(r->data + off, src, first);
	memcpy(r->data, (const unsigned char *)src + first, len - first);
}

static void ring_read(const struct window_ring *r, uint32_t pos, void *dst,
		      size_t len)
{
	size_t off = pos & (WINDOW_RING_DATA - 1);
	size_t first = len < WINDOW_RING_DATA - off ? len : WINDOW_RING_DATA - off;

	if (!len)	/* DST may be NULL */
		return;
	memcpy(dst, r->data + off, first);
	memcpy((unsigned char *)dst + first, r->data, len - first);
}

/* Bytes between TAIL and HEAD, or an error when no honest pair of
 * producer and consumer could have written them. */
static int ring_used(uint32_t head, uint32_t tail, uint32_t *used)
{
	*used = head - tail;
	if (*used > WINDOW_RING_DATA || (head | tail) % WINDOW_MSG_ALIGN)
		return WINDOW_ECORRUPT;
	return 0;
}

static uint32_t msg_crc(const unsigned char *hdr, const void *data,
			size_t len)
{
	return crc32_ieee(crc32_ieee(0, hdr, WINDOW_MSG_HEADER - 4), data, len);
}

int window_ring_push(struct window *w, unsigned from, unsigned to,
		     uint16_t type, const void *data, size_t len)
{
	static const unsigned char zeros[WINDOW_MSG_ALIGN];
	struct window_ring *r = ring_at(w, from, to);
	unsigned char hdr[WINDOW_MSG_HEADER];
	uint32_t head, tail, used;
	size_t need;
	int err;

	if (!r || !type || len > WINDOW_MSG_MAX || (len && !data))
		return WINDOW_EINVAL;
	head = atomic_load_explicit(&r->head, memory_order_relaxed);
	tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	err = ring_used(head, tail, &used);
	if (err)
		return err;
	need = record_size((uint32_t)len);
	if (need > WINDOW_RING_DATA - used)
		return WINDOW_EFULL;
	put_le16(hdr, type);
	put_le16(hdr + 2, 0);
	put_le32(hdr + 4, (uint32_t)len);
	put_le32(hdr + 8, r->next_seq);
	put_le32(hdr + 12, msg_crc(hdr, data, len));
	ring_write(r, head, hdr, sizeof(hdr));
	ring_write(r, head + WINDOW_MSG_HEADER, data, len);
	ring_write(r, head + WINDOW_MSG_HEADER + (uint32_t)len, zeros,
		   need - WINDOW_MSG_HEADER - len);
	r->next_seq++;
	atomic_store_explicit(&r->head, head + (uint32_t)need,
			      memory_order_release);
	return 0;
}

int window_ring_pop(struct window *w, unsigned from, unsigned to,
		    uint16_t *type, void *buf, size_t bufsize, size_t *len)
{
	struct window_ring *r = ring_at(w, from, to);
	unsigned char hdr[WINDOW_MSG_HEADER];
	uint32_t head, tail, used, mlen;
	uint16_t mtype;
	int err;

	if (!r || !type || !len || (bufsize && !buf))
		return WINDOW_EINVAL;
	tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	head = atomic_load_explicit(&r->head, memory_order_acquire);
	err = ring_used(head, tail, &used);
	if (err)
		return err;
	if (!used)
		return WINDOW_EEMPTY;
	ring_read(r, tail, hdr, sizeof(hdr));
	mlen = get_le32(hdr + 4);
	if (mlen > WINDOW_MSG_MAX || record_size(mlen) > used)
		return WINDOW_EMSGLEN;
	mtype = get_le16(hdr);
	if (mlen > bufsize) {
		*type = mtype;
		*len = mlen;
		return WINDOW_ETOOBIG;
	}
	ring_read(r, tail + WINDOW_MSG_HEADER, buf, mlen);
	if (msg_crc(hdr, buf, mlen) != get_le32(hdr + 12))
		return WINDOW_ECRC;
	if (!mtype || get_le16(hdr + 2))
		return WINDOW_EMSG;
	if (get_le32(hdr + 8) != r->expect_seq)
		return WINDOW_ESEQ;
	r->expect_seq++;
	atomic_store_explicit(&r->tail, tail + (uint32_t)record_size(mlen),
			      memory_order_release);
	*type = mtype;
	*len = mlen;
	return 0;
}
