/* libFuzzer target for the window readers: whatever a partition writes
 * into the header, a slot or a ring, attach, the boot request parser and
 * ring pop must return an error code, never crash or read outside the
 * window.  A last mode checks a property as well: a ring that only the
 * library wrote gives back exactly what was pushed, in order.
 *
 * Input: byte 0 picks the mode (header, slot, boot request, raw ring,
 * ring operations), the rest is the mode's material.  The window is
 * formatted once; each run restores from a pristine copy only the region
 * it touched. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "window.h"

#define PRISTINE_PARTS 2

static unsigned char *win, *pristine;

static struct window_ring *ring(unsigned from, unsigned to)
{
	unsigned idx = from * (WINDOW_MAX_PARTITIONS - 1) +
		       (to < from ? to : to - 1);

	return (struct window_ring *)(win + WINDOW_RINGS_OFFSET +
				      (size_t)idx * WINDOW_RING_SIZE);
}

static struct window_slot *slot(unsigned k)
{
	return (struct window_slot *)(win + WINDOW_SLOTS_OFFSET +
				      (size_t)k * WINDOW_SLOT_SIZE);
}

static void restore(const void *at, size_t len)
{
	size_t off = (size_t)((const unsigned char *)at - win);

	memcpy(win + off, pristine + off, len);
}

static void init(void)
{
	struct window w;

	win = aligned_alloc(4096, WINDOW_SIZE);
	pristine = aligned_alloc(4096, WINDOW_SIZE);
	if (!win || !pristine ||
	    window_format(&w, pristine, WINDOW_SIZE, PRISTINE_PARTS))
		abort();
	memcpy(win, pristine, WINDOW_SIZE);
}

/* Everything a host or guest reads from slots, for every partition. */
static void read_slots(struct window *w)
{
	struct window_boot_req req;
	char text[WINDOW_REASON_MAX];
	int err, status;

	for (unsigned k = 0; k < w->partitions; k++) {
		(void)window_slot_state(w, k);
		(void)window_slot_heartbeat(w, k);
		(void)window_slot_up_gen(w, k);
		(void)window_slot_boot_gen(w, k);
		err = window_boot_request_pending(w, k, &req);
		window_boot_describe(w, err, &req, text, sizeof(text));
		if (err != WINDOW_ENOREQ &&
		    window_boot_respond(w, k, req.seq, err, text))
			abort();
		(void)window_boot_response(w, k, req.seq, &status, text,
					   sizeof(text));
		(void)window_slot_set_state(w, k, WINDOW_STATE_BOOTING);
	}
}

/* A boot request as a guest could write it: requester, target, the
 * target's state (bit 3: fill the command-line field with the next byte
 * first), then the command-line field.  The same bytes also go through
 * the guest side. */
static void fuzz_boot_request(const uint8_t *data, size_t size)
{
	struct window w = { .base = win, .partitions = PRISTINE_PARTS };
	struct window_slot *s;
	char cmdline[WINDOW_CMDLINE_MAX + 1] = "";
	unsigned from;
	uint32_t seq;

	if (size < 3)
		return;
	from = data[0] % PRISTINE_PARTS;
	s = slot(from);
	atomic_store(&s->req_seq, 1);
	s->req_target = data[1] % (WINDOW_MAX_PARTITIONS + 2);
	atomic_store(&slot(data[1] % PRISTINE_PARTS)->state, data[2] % 8);
	if (data[2] & 8)
		memset(s->cmdline, size > 3 ? data[3] : 0, WINDOW_CMDLINE_MAX);
	size -= 3;
	memcpy(s->cmdline, data + 3, size < WINDOW_CMDLINE_MAX ? size :
	       WINDOW_CMDLINE_MAX);
	read_slots(&w);
	memcpy(cmdline, data + 3, size < WINDOW_CMDLINE_MAX ? size :
	       WINDOW_CMDLINE_MAX);
	atomic_store(&s->resp_seq, atomic_load(&s->req_seq));
	(void)window_boot_request(&w, from, data[1], cmdline, &seq);
	read_slots(&w);
	restore(win, WINDOW_RINGS_OFFSET);
}

/* Input: a control byte, then bytes laid over the header and the slots
 * from offset 0, 8 (after the magic), 12 (after the version) or 16 (after
 * the partition count); control bit 2 puts the layout fields back. */
static void fuzz_header(const uint8_t *data, size_t size)
{
	static const size_t starts[] = { 0, 8, 12, 16 };
	struct window w;
	size_t start;

	if (!size)
		return;
	start = starts[data[0] & 3];
	if (--size > WINDOW_RINGS_OFFSET - start)
		size = WINDOW_RINGS_OFFSET - start;
	memcpy(win + start, data + 1, size);
	if (data[0] & 4)
		memcpy(win + 16, pristine + 16, 32);
	if (!window_attach(&w, win, WINDOW_SIZE))
		read_slots(&w);
	restore(win, WINDOW_RINGS_OFFSET);
}

static void fuzz_slot(const uint8_t *data, size_t size)
{
	struct window w = { .base = win, .partitions = PRISTINE_PARTS };

	if (!size)
		return;
	size--;
	memcpy(slot(data[0] % PRISTINE_PARTS), data + 1,
	       size < WINDOW_SLOT_SIZE ? size : WINDOW_SLOT_SIZE);
	read_slots(&w);
	restore(win, WINDOW_RINGS_OFFSET);
}

static void drain(struct window *w, unsigned from, unsigned to, size_t bufsize)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	uint16_t type;
	size_t len;

	for (int i = 0; i < 64; i++)
		if (window_ring_pop(w, from, to, &type, buf, bufsize, &len))
			break;
}

static unsigned char ring_byte(const struct window_ring *r, uint32_t pos)
{
	return r->data[pos % WINDOW_RING_DATA];
}

/* Make the records from the tail on pass the CRC (and, with SEQ, the
 * sequence check), so that the fuzzer reaches the checks behind them. */
static void seal_records(struct window_ring *r, bool seq)
{
	uint32_t tail = atomic_load(&r->tail), head = atomic_load(&r->head);
	uint32_t pos = tail, next = r->expect_seq, len, crc, size;
	unsigned char hdr[WINDOW_MSG_HEADER];

	if (head - tail > WINDOW_RING_DATA)
		return;
	while (head - pos >= WINDOW_MSG_HEADER) {
		for (unsigned i = 0; i < sizeof(hdr); i++)
			hdr[i] = ring_byte(r, pos + i);
		memcpy(&len, hdr + 4, 4);
		size = (WINDOW_MSG_HEADER + len + 7) & ~7u;
		if (len > WINDOW_MSG_MAX || size > head - pos)
			return;
		if (seq)
			memcpy(hdr + 8, &next, 4);
		crc = crc32_ieee(0, hdr, 12);
		for (uint32_t i = 0; i < len; i++) {
			unsigned char c = ring_byte(r, pos + WINDOW_MSG_HEADER + i);

			crc = crc32_ieee(crc, &c, 1);
		}
		memcpy(hdr + 12, &crc, 4);
		for (unsigned i = 0; i < sizeof(hdr); i++)
			r->data[(pos + i) % WINDOW_RING_DATA] = hdr[i];
		pos += size;
		next++;
	}
}

/* Input: a control byte (bit 0: which ring; bit 1: head and tail as given,
 * else made consistent; bits 2, 3: seal CRCs, sequence numbers; the rest:
 * buffer size), head, next_seq, tail, expect_seq, then the bytes laid
 * into the data area from the tail on. */
static void fuzz_ring_raw(const uint8_t *data, size_t size)
{
	struct window w = { .base = win, .partitions = PRISTINE_PARTS };
	unsigned from, to, ctl;
	struct window_ring *r;
	uint32_t idx[4];

	if (size < 1 + sizeof(idx))
		return;
	ctl = data[0];
	from = ctl & 1;
	to = !from;
	memcpy(idx, data + 1, sizeof(idx));
	data += 1 + sizeof(idx);
	size -= 1 + sizeof(idx);
	if (!(ctl & 2)) {
		idx[2] &= ~(uint32_t)(WINDOW_MSG_ALIGN - 1);
		idx[0] = idx[2] + (uint32_t)(size < WINDOW_RING_DATA ? size :
					     WINDOW_RING_DATA) / 8 * 8;
	}
	r = ring(from, to);
	atomic_store(&r->head, idx[0]);
	r->next_seq = idx[1];
	atomic_store(&r->tail, idx[2]);
	r->expect_seq = idx[3];
	for (size_t i = 0; i < size && i < WINDOW_RING_DATA; i++)
		r->data[(idx[2] + i) % WINDOW_RING_DATA] = data[i];
	if (ctl & 4)
		seal_records(r, ctl & 8);
	drain(&w, from, to, ctl >> 4 == 15 ? WINDOW_MSG_MAX : (ctl >> 4) * 8);
	(void)window_ring_push(&w, from, to, 1, data, size % 100);
	restore(r, WINDOW_RING_SIZE);
}

/* Message N's payload starts at pattern[N % 251]: no two neighbours
 * share their bytes, and nothing is computed per message. */
static const unsigned char *payload(uint32_t n)
{
	static unsigned char pattern[WINDOW_MSG_MAX + 251];

	if (!pattern[1])
		for (size_t i = 0; i < sizeof(pattern); i++)
			pattern[i] = (unsigned char)(i * 13 + 1);
	return pattern + n % 251;
}

static uint16_t msg_type(uint32_t n)
{
	return (uint16_t)(n % 0xffff + 1);
}

/* Pushes and pops as the input says, from counters the input picks; every
 * pop must return the oldest message pushed and not yet popped.  Each op
 * is two bytes: 0x80 set pushes, a short message unless 0x40 is set too
 * (long ones are slow to check, so the fuzzer asks for them). */
static void fuzz_ring_ops(const uint8_t *data, size_t size)
{
	static unsigned char out[WINDOW_MSG_MAX];
	static size_t lens[WINDOW_RING_DATA / WINDOW_MSG_HEADER];
	struct window w = { .base = win, .partitions = PRISTINE_PARTS };
	struct window_ring *r = ring(0, 1);
	uint32_t start, pushed = 0, popped = 0;
	uint16_t type;
	size_t i, len, want;
	int err;

	if (size < 4)
		return;
	memcpy(&start, data, 4);
	start &= ~(uint32_t)(WINDOW_MSG_ALIGN - 1);
	atomic_store(&r->head, start);
	atomic_store(&r->tail, start);
	for (i = 4; i + 1 < size; i += 2) {
		want = data[i] & 0x40 ? WINDOW_MSG_MAX - data[i + 1] : data[i + 1];
		if (data[i] & 0x80) {
			err = window_ring_push(&w, 0, 1, msg_type(pushed),
					       payload(pushed), want);
			if (err && err != WINDOW_EFULL)
				abort();
			if (!err)
				lens[pushed++ % (sizeof(lens) / sizeof(*lens))] = want;
			continue;
		}
		err = window_ring_pop(&w, 0, 1, &type, out, sizeof(out), &len);
		if (err == WINDOW_EEMPTY && popped == pushed)
			continue;
		if (err || type != msg_type(popped) ||
		    len != lens[popped % (sizeof(lens) / sizeof(*lens))])
			abort();
		if (memcmp(payload(popped), out, len))
			abort();
		popped++;
	}
	restore(r, WINDOW_RING_SIZE);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!win)
		init();
	if (!size)
		return 0;
	switch (data[0] % 5) {
	case 0:
		fuzz_header(data + 1, size - 1);
		break;
	case 1:
		fuzz_slot(data + 1, size - 1);
		break;
	case 2:
		fuzz_boot_request(data + 1, size - 1);
		break;
	case 3:
		fuzz_ring_raw(data + 1, size - 1);
		break;
	default:
		fuzz_ring_ops(data + 1, size - 1);
	}
	return 0;
}
