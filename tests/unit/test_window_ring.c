/* Unit tests of the window's rings: push and pop, every ordered pair,
 * wrap-around, full and empty, and what a hostile partition can write into
 * a ring (indices, lengths, header fields, CRCs, sequence numbers). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "window.h"
#include "window_fixture.h"

/* Write one raw record at the ring's head, as a (possibly lying) producer
 * would, and publish it. */
static void raw_record(struct window_ring *r, uint16_t type, uint16_t flags,
		       uint32_t len, uint32_t seq, const void *data,
		       size_t data_len, size_t advance)
{
	unsigned char rec[64] = { 0 };
	uint32_t head = atomic_load(&r->head), crc;

	assert_true(16 + data_len <= sizeof(rec));
	memcpy(rec, &type, 2);
	memcpy(rec + 2, &flags, 2);
	memcpy(rec + 4, &len, 4);
	memcpy(rec + 8, &seq, 4);
	if (data_len)
		memcpy(rec + 16, data, data_len);
	crc = crc32_ieee(crc32_ieee(0, rec, 12), data, data_len);
	memcpy(rec + 12, &crc, 4);
	for (size_t i = 0; i < 16 + data_len; i++)
		r->data[(head + i) % WINDOW_RING_DATA] = rec[i];
	atomic_store(&r->head, head + (uint32_t)advance);
}

/* Pop from FROM -> TO into f->buf, at most BUFSIZE bytes, setting
 * f->type and f->len. */
static int pop(struct fixture *f, unsigned from, unsigned to, size_t bufsize)
{
	assert_true(bufsize <= sizeof(f->buf));
	return window_ring_pop(&f->w, from, to, &f->type, f->buf, bufsize,
			       &f->len);
}

static void test_ring_push_pop(void **state)
{
	struct fixture *f = *state;
	struct window *w = &f->w;

	assert_int_equal(pop(f, 0, 1, 64), WINDOW_EEMPTY);
	assert_int_equal(window_ring_push(w, 0, 1, 3, "hello", 5), 0);
	assert_int_equal(window_ring_push(w, 0, 1, 4, NULL, 0), 0);
	assert_int_equal(window_ring_push(w, 1, 0, 5, "back", 4), 0);
	assert_int_equal(pop(f, 0, 1, 64), 0);
	assert_int_equal(f->type, 3);
	assert_int_equal(f->len, 5);
	assert_memory_equal(f->buf, "hello", 5);
	assert_int_equal(window_ring_pop(w, 0, 1, &f->type, NULL, 0, &f->len), 0);
	assert_int_equal(f->type, 4);
	assert_int_equal(f->len, 0);
	assert_int_equal(pop(f, 0, 1, 64), WINDOW_EEMPTY);
	assert_int_equal(pop(f, 1, 0, 64), 0);
	assert_memory_equal(f->buf, "back", 4);
	assert_int_equal(atomic_load(&ring(f, 0, 1)->head), 24 + 16);

	assert_int_equal(window_ring_push(w, 0, 0, 1, "x", 1), WINDOW_EINVAL);
	assert_int_equal(window_ring_push(w, 0, 2, 1, "x", 1), WINDOW_EINVAL);
	assert_int_equal(window_ring_push(w, 0, 1, 0, "x", 1), WINDOW_EINVAL);
	assert_int_equal(window_ring_push(w, 0, 1, 1, NULL, 1), WINDOW_EINVAL);
	assert_int_equal(window_ring_push(w, 0, 1, 1, f->buf, WINDOW_MSG_MAX + 1),
			 WINDOW_EINVAL);
	assert_int_equal(pop(f, 1, 1, 64), WINDOW_EINVAL);
}

/* Every ordered pair of an 8-partition machine has its own ring. */
static void test_ring_pairs(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(window_format(&f->w, f->mem, WINDOW_SIZE, 8), 0);
	for (unsigned a = 0; a < 8; a++)
		for (unsigned b = 0; b < 8; b++)
			if (a != b)
				assert_int_equal(window_ring_push(&f->w, a, b,
					(uint16_t)(a * 8 + b + 1), "x", 1), 0);
	for (unsigned a = 0; a < 8; a++) {
		for (unsigned b = 0; b < 8; b++) {
			if (a == b)
				continue;
			assert_int_equal(pop(f, a, b, 1), 0);
			assert_int_equal(f->type, a * 8 + b + 1);
			assert_int_equal(pop(f, a, b, 1), WINDOW_EEMPTY);
		}
	}
	assert_true((unsigned char *)ring(f, 7, 6) + WINDOW_RING_SIZE <=
		    f->mem + WINDOW_SIZE);
}

/* Message N's payload: LEN bytes that differ from message to message. */
static const unsigned char *payload(unsigned n, size_t len)
{
	static unsigned char p[WINDOW_MSG_MAX];

	for (size_t i = 0; i < len; i++)
		p[i] = (unsigned char)(n * 31 + i);
	return p;
}

/* Stream N messages through a ring whose counters start at START, keeping
 * it nearly full so that messages straddle the end of the data area. */
static void stream(struct fixture *f, uint32_t start, unsigned n)
{
	struct window_ring *r = ring(f, 1, 0);
	unsigned pushed = 0, popped = 0;
	size_t want;
	int err;

	atomic_store(&r->head, start);
	atomic_store(&r->tail, start);
	while (popped < n) {
		want = (pushed * 977) % 3001;
		if (pushed < n) {
			err = window_ring_push(&f->w, 1, 0,
					       (uint16_t)(pushed % 100 + 1),
					       payload(pushed, want), want);
			if (!err) {
				pushed++;
				continue;
			}
			assert_int_equal(err, WINDOW_EFULL);
		}
		want = (popped * 977) % 3001;
		assert_int_equal(pop(f, 1, 0, sizeof(f->buf)), 0);
		assert_int_equal(f->type, popped % 100 + 1);
		assert_int_equal(f->len, want);
		assert_memory_equal(f->buf, payload(popped, want), want);
		popped++;
	}
	assert_int_equal(pop(f, 1, 0, sizeof(f->buf)), WINDOW_EEMPTY);
}

static void test_ring_wrap(void **state)
{
	struct fixture *f = *state;

	stream(f, 0, 2000);
	/* Counters that overflow 32 bits mid-stream. */
	assert_int_equal(window_format(&f->w, f->mem, WINDOW_SIZE, 2), 0);
	stream(f, (uint32_t)0 - 40 * 1024, 2000);
}

static void test_ring_full(void **state)
{
	struct fixture *f = *state;
	static unsigned char before[WINDOW_RING_DATA];
	struct window_ring *r = ring(f, 0, 1);
	unsigned n = 0;

	while (!window_ring_push(&f->w, 0, 1, 1, payload(n, 1000), 1000))
		n++;
	assert_int_equal(n, WINDOW_RING_DATA / 1016);
	memcpy(before, r->data, sizeof(before));
	assert_int_equal(window_ring_push(&f->w, 0, 1, 1, f->buf, 1000),
			 WINDOW_EFULL);
	assert_int_equal(window_ring_push(&f->w, 0, 1, 1, f->buf, 497),
			 WINDOW_EFULL);
	assert_memory_equal(before, r->data, sizeof(before));
	/* 512 bytes are left: exactly a 496-byte message. */
	assert_int_equal(window_ring_push(&f->w, 0, 1, 2, f->buf, 496), 0);
	assert_int_equal(window_ring_push(&f->w, 0, 1, 2, NULL, 0), WINDOW_EFULL);

	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(pop(f, 0, 1, 1000), 0);
		assert_memory_equal(f->buf, payload(i, 1000), 1000);
	}
	assert_int_equal(pop(f, 0, 1, 1000), 0);
	assert_int_equal(f->type, 2);
	assert_int_equal(pop(f, 0, 1, 1000), WINDOW_EEMPTY);
}

static void test_ring_crc(void **state)
{
	struct fixture *f = *state;
	struct window_ring *r = ring(f, 0, 1);
	const size_t spots[] = { 0, 2, 9, 13, 16, 20 };

	assert_int_equal(window_ring_push(&f->w, 0, 1, 1, "payload", 7), 0);
	for (size_t i = 0; i < sizeof(spots) / sizeof(spots[0]); i++) {
		r->data[spots[i]] ^= 0x10;
		/* Twice: a bad message stays, and fails the same way. */
		assert_int_equal(pop(f, 0, 1, 16), WINDOW_ECRC);
		assert_int_equal(pop(f, 0, 1, 16), WINDOW_ECRC);
		r->data[spots[i]] ^= 0x10;
	}
	/* A scribbled length is caught before the CRC. */
	r->data[4] ^= 0x10;
	assert_int_equal(pop(f, 0, 1, 16), WINDOW_EMSGLEN);
	r->data[4] ^= 0x10;
	assert_int_equal(pop(f, 0, 1, 16), 0);
	assert_memory_equal(f->buf, "payload", 7);
}

static void test_ring_hostile_indices(void **state)
{
	struct fixture *f = *state;
	struct window_ring *r = ring(f, 0, 1);
	const uint32_t heads[] = {
		WINDOW_RING_DATA + 8, WINDOW_RING_DATA * 5, 12, UINT32_MAX - 7,
		UINT32_MAX,
	};

	for (size_t i = 0; i < sizeof(heads) / sizeof(heads[0]); i++) {
		atomic_store(&r->head, heads[i]);
		assert_int_equal(pop(f, 0, 1, 16), WINDOW_ECORRUPT);
		assert_int_equal(window_ring_push(&f->w, 0, 1, 1, "x", 1),
				 WINDOW_ECORRUPT);
	}
	/* A tail ahead of the head, and a misaligned one. */
	atomic_store(&r->head, 64);
	atomic_store(&r->tail, 72);
	assert_int_equal(pop(f, 0, 1, 16), WINDOW_ECORRUPT);
	atomic_store(&r->tail, 4);
	assert_int_equal(window_ring_push(&f->w, 0, 1, 1, "x", 1),
			 WINDOW_ECORRUPT);
	/* Exactly full is legal. */
	atomic_store(&r->tail, 0);
	atomic_store(&r->head, WINDOW_RING_DATA);
	assert_int_equal(window_ring_push(&f->w, 0, 1, 1, NULL, 0), WINDOW_EFULL);
}

/* A fresh window whose ring 0 -> 1 holds one raw record claiming LEN
 * bytes, of which the producer published PUBLISHED bytes in all. */
static int pop_claiming(struct fixture *f, uint32_t len, size_t published)
{
	assert_int_equal(window_format(&f->w, f->mem, WINDOW_SIZE, 2), 0);
	raw_record(ring(f, 0, 1), 1, 0, len, 0, "x", 1, published);
	return pop(f, 0, 1, 64);
}

static void test_ring_hostile_lengths(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(pop_claiming(f, 1, 24), 0);
	assert_int_equal(pop_claiming(f, 100000, 24), WINDOW_EMSGLEN);
	assert_int_equal(pop_claiming(f, UINT32_MAX, WINDOW_RING_DATA),
			 WINDOW_EMSGLEN);
	assert_int_equal(pop_claiming(f, WINDOW_MSG_MAX + 1, WINDOW_RING_DATA),
			 WINDOW_EMSGLEN);
	/* More than the producer published, down to less than a header. */
	assert_int_equal(pop_claiming(f, 1, 16), WINDOW_EMSGLEN);
	assert_int_equal(pop_claiming(f, 0, 8), WINDOW_EMSGLEN);
	assert_int_equal(pop_claiming(f, WINDOW_MSG_MAX, WINDOW_MSG_MAX + 8),
			 WINDOW_EMSGLEN);

	/* Longer than the reader's buffer: reported, kept, readable later. */
	assert_int_equal(window_format(&f->w, f->mem, WINDOW_SIZE, 2), 0);
	assert_int_equal(window_ring_push(&f->w, 0, 1, 9, "0123456789", 10), 0);
	assert_int_equal(pop(f, 0, 1, 8), WINDOW_ETOOBIG);
	assert_int_equal(f->len, 10);
	assert_int_equal(f->type, 9);
	assert_int_equal(pop(f, 0, 1, 10), 0);
	assert_memory_equal(f->buf, "0123456789", 10);
}

static void test_ring_bad_header_fields(void **state)
{
	struct fixture *f = *state;

	raw_record(ring(f, 0, 1), 0, 0, 1, 0, "x", 1, 24);
	assert_int_equal(pop(f, 0, 1, 8), WINDOW_EMSG);
	assert_int_equal(window_format(&f->w, f->mem, WINDOW_SIZE, 2), 0);
	raw_record(ring(f, 0, 1), 1, 0x8000, 1, 0, "x", 1, 24);
	assert_int_equal(pop(f, 0, 1, 8), WINDOW_EMSG);
}

static void test_ring_sequence(void **state)
{
	struct fixture *f = *state;
	struct window_ring *r = ring(f, 0, 1);

	/* A message lost between two others (the producer skipped one). */
	assert_int_equal(window_ring_push(&f->w, 0, 1, 1, "a", 1), 0);
	r->next_seq++;
	assert_int_equal(window_ring_push(&f->w, 0, 1, 1, "c", 1), 0);
	assert_int_equal(pop(f, 0, 1, 8), 0);
	assert_int_equal(pop(f, 0, 1, 8), WINDOW_ESEQ);

	/* A replayed message, its CRC intact. */
	assert_int_equal(window_format(&f->w, f->mem, WINDOW_SIZE, 2), 0);
	raw_record(r, 1, 0, 1, 0, "a", 1, 24);
	raw_record(r, 1, 0, 1, 0, "a", 1, 24);
	assert_int_equal(pop(f, 0, 1, 8), 0);
	assert_int_equal(pop(f, 0, 1, 8), WINDOW_ESEQ);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_ring_push_pop),
		T(test_ring_pairs),
		T(test_ring_wrap),
		T(test_ring_full),
		T(test_ring_crc),
		T(test_ring_hostile_indices),
		T(test_ring_hostile_lengths),
		T(test_ring_bad_header_fields),
		T(test_ring_sequence),
	};

	return cmocka_run_group_tests_name("window_ring", tests, NULL, NULL);
}
