/* Unit tests of the window: CRC-32, the header checks, partition states,
 * the boot request protocol with its validation, and the rings, including
 * what a hostile partition can write into them.  The tests locate slots
 * and rings from the documented layout, not from window.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "window.h"

struct fixture {
	unsigned char *mem;
	struct window w;
	uint16_t type;			/* last pop() */
	size_t len;
	unsigned char buf[WINDOW_MSG_MAX];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->mem = aligned_alloc(4096, WINDOW_SIZE);
	assert_non_null(f->mem);
	assert_int_equal(window_format(&f->w, f->mem, WINDOW_SIZE, 2), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->mem);
	free(f);
	return 0;
}

static struct window_header *header(struct fixture *f)
{
	return (struct window_header *)f->mem;
}

static struct window_slot *slot(struct fixture *f, unsigned k)
{
	return (struct window_slot *)(f->mem + 4096 + 1024 * k);
}

static struct window_ring *ring(struct fixture *f, unsigned from, unsigned to)
{
	unsigned idx = from * 7 + (to < from ? to : to - 1);

	return (struct window_ring *)(f->mem + 12288 + (size_t)idx * 65664);
}

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

static uint32_t crc32_bitwise(const unsigned char *p, size_t len)
{
	uint32_t crc = 0xffffffff;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = crc & 1 ? (crc >> 1) ^ 0xedb88320 : crc >> 1;
	}
	return ~crc;
}

static void test_crc32(void **state)
{
	unsigned char buf[1000];

	(void)state;
	assert_int_equal(crc32_ieee(0, "123456789", 9), 0xcbf43926);
	assert_int_equal(crc32_ieee(0, NULL, 0), 0);
	for (unsigned b = 0; b < 256; b++) {
		unsigned char c = (unsigned char)b;

		assert_int_equal(crc32_ieee(0, &c, 1), crc32_bitwise(&c, 1));
	}
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 7 + 3);
	assert_int_equal(crc32_ieee(crc32_ieee(0, buf, 333), buf + 333, 667),
			 crc32_bitwise(buf, sizeof(buf)));
}

static void test_layout(void **state)
{
	(void)state;
	assert_int_equal(WINDOW_RINGS_OFFSET, 12288);
	assert_int_equal(WINDOW_RING_SIZE, 65664);
	assert_int_equal(WINDOW_USED_SIZE, 12288 + 56 * 65664);
	assert_int_equal(WINDOW_SIZE, 4 * 1024 * 1024);
	assert_memory_equal("DUPLEXWN", &(uint64_t){ WINDOW_MAGIC }, 8);
}

static void test_format_attach(void **state)
{
	struct fixture *f = *state;
	struct window w;

	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE), 0);
	assert_int_equal(w.partitions, 2);
	assert_memory_equal(f->mem, "DUPLEXWN", 8);
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE - 1),
			 WINDOW_ESIZE);
	assert_int_equal(window_attach(&w, f->mem + 8, WINDOW_SIZE),
			 WINDOW_EINVAL);
	assert_int_equal(window_attach(&w, NULL, WINDOW_SIZE), WINDOW_EINVAL);
	assert_int_equal(window_format(&w, f->mem, WINDOW_SIZE, 0),
			 WINDOW_EPARTS);
	assert_int_equal(window_format(&w, f->mem, WINDOW_SIZE, 9),
			 WINDOW_EPARTS);
	assert_int_equal(window_format(&w, f->mem, 4096, 2), WINDOW_ESIZE);

	/* A later rewrite of the header does not widen an attached view. */
	header(f)->partitions = 8;
	assert_int_equal(f->w.partitions, 2);
	assert_int_equal(window_slot_state(&f->w, 5), WINDOW_STATE_INVALID);
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE), 0);
	assert_int_equal(w.partitions, 8);
}

static void test_attach_hostile_header(void **state)
{
	struct fixture *f = *state;
	struct window_header *h = header(f);
	struct window w;

	h->partitions = 0;
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE), WINDOW_EPARTS);
	h->partitions = 9;
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE), WINDOW_EPARTS);
	h->partitions = 2;
	h->ring_data_size = 1u << 30;
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE), WINDOW_ELAYOUT);
	h->ring_data_size = WINDOW_RING_DATA;
	h->size = 1u << 31;
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE), WINDOW_ELAYOUT);
	h->size = WINDOW_SIZE;
	h->abi_version = 2;
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE),
			 WINDOW_EVERSION);
	h->abi_version = WINDOW_ABI_VERSION;
	f->mem[0] ^= 1;
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE), WINDOW_EMAGIC);
	f->mem[0] ^= 1;
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE), 0);
}

static void test_strerror_and_names(void **state)
{
	(void)state;
	for (int e = 0; e < WINDOW_ERR_COUNT; e++)
		assert_non_null(window_strerror(e));
	assert_string_equal(window_strerror(WINDOW_EFULL), "ring full");
	assert_string_equal(window_strerror(-1), "unknown window error");
	assert_string_equal(window_strerror(WINDOW_ERR_COUNT),
			    "unknown window error");
	assert_string_equal(window_state_name(WINDOW_STATE_BOOT_REQUESTED),
			    "boot-requested");
	assert_string_equal(window_state_name(WINDOW_STATE_INVALID), "invalid");
}

static void test_slot_states(void **state)
{
	struct fixture *f = *state;
	struct window *w = &f->w;

	assert_int_equal(window_slot_state(w, 1), WINDOW_STATE_OFF);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_UP),
			 WINDOW_ESTATE);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_BOOT_REQUESTED), 0);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_BOOTING), 0);
	assert_int_equal(window_slot_state(w, 1), WINDOW_STATE_BOOTING);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_UP), 0);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_BOOTING),
			 WINDOW_ESTATE);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_PANICKED), 0);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_BOOT_REQUESTED), 0);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_OFF), 0);

	assert_int_equal(window_slot_set_state(w, 2, WINDOW_STATE_BOOT_REQUESTED),
			 WINDOW_EINVAL);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_INVALID),
			 WINDOW_EINVAL);
	atomic_store(&slot(f, 1)->state, 77);
	assert_int_equal(window_slot_state(w, 1), WINDOW_STATE_INVALID);
	assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_OFF),
			 WINDOW_ESTATE);
}

static void test_heartbeat_and_up(void **state)
{
	struct fixture *f = *state;
	struct window *w = &f->w;

	assert_int_equal(window_slot_heartbeat(w, 1), 0);
	assert_int_equal(window_heartbeat(w, 1), 0);
	assert_int_equal(window_heartbeat(w, 1), 0);
	assert_int_equal(window_slot_heartbeat(w, 1), 2);
	assert_int_equal(window_heartbeat(w, 2), WINDOW_EINVAL);
	assert_int_equal(window_slot_heartbeat(w, 2), 0);

	/* An "up" left over from the previous boot does not count. */
	for (int boot = 0; boot < 2; boot++) {
		assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_BOOT_REQUESTED), 0);
		assert_false(window_up_announced(w, 1));
		assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_BOOTING), 0);
		assert_false(window_up_announced(w, 1));
		assert_int_equal(window_announce_up(w, 1), 0);
		assert_true(window_up_announced(w, 1));
		assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_UP), 0);
		assert_false(window_up_announced(w, 1));
		assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_HALTED), 0);
	}
	assert_int_equal(atomic_load(&slot(f, 1)->boot_gen), 2);
	assert_false(window_up_announced(w, 7));
}

static void test_boot_request_accepted(void **state)
{
	struct fixture *f = *state;
	struct window *w = &f->w;
	struct window_boot_req req;
	char reason[WINDOW_REASON_MAX];
	uint32_t seq, seq2;
	int status;

	assert_int_equal(window_boot_request_pending(w, 0, &req), WINDOW_ENOREQ);
	assert_int_equal(window_boot_request(w, 0, 1, "loglevel=7 quiet", &seq), 0);
	assert_int_equal(window_boot_request(w, 0, 1, "", &seq2),
			 WINDOW_EPENDING);
	assert_int_equal(window_boot_response(w, 0, seq, &status, reason,
					      sizeof(reason)), WINDOW_EPENDING);
	/* The request is in the requester's own slot. */
	assert_int_equal(slot(f, 0)->req_target, 1);
	assert_int_equal(window_boot_request_pending(w, 1, &req), WINDOW_ENOREQ);

	assert_int_equal(window_boot_request_pending(w, 0, &req), 0);
	assert_int_equal(req.seq, seq);
	assert_int_equal(req.target, 1);
	assert_string_equal(req.cmdline, "loglevel=7 quiet");
	assert_int_equal(window_boot_respond(w, 0, req.seq, 0, NULL), 0);
	assert_int_equal(window_boot_request_pending(w, 0, &req), WINDOW_ENOREQ);

	assert_int_equal(window_boot_response(w, 0, seq, &status, reason,
					      sizeof(reason)), 0);
	assert_int_equal(status, 0);
	assert_string_equal(reason, "");
	assert_int_equal(window_boot_request(w, 0, 1, "", &seq2), 0);
	assert_int_equal(seq2, seq + 1);
}

/* Guest FROM asks for TARGET with CMDLINE; the host must refuse with WANT
 * and the guest must read back the reason, which must contain NEEDLE. */
static void refused(struct fixture *f, unsigned target, const char *cmdline,
		    int want, size_t bad_at, const char *needle)
{
	struct window_boot_req req;
	char text[WINDOW_REASON_MAX], got[WINDOW_REASON_MAX];
	uint32_t seq;
	int status;

	assert_int_equal(window_boot_request(&f->w, 0, target, cmdline, &seq), 0);
	assert_int_equal(window_boot_request_pending(&f->w, 0, &req), want);
	if (want == WINDOW_ECMDCHAR || want == WINDOW_ECMDRESERVED)
		assert_int_equal(req.bad_at, bad_at);
	window_boot_describe(&f->w, want, &req, text, sizeof(text));
	assert_non_null(strstr(text, needle));
	assert_int_equal(window_boot_respond(&f->w, 0, req.seq, want, text), 0);
	assert_int_equal(window_boot_response(&f->w, 0, seq, &status, got,
					      sizeof(got)), 0);
	assert_int_equal(status, want);
	assert_string_equal(got, text);
}

static void test_boot_request_refused(void **state)
{
	struct fixture *f = *state;

	refused(f, 7, "", WINDOW_ETARGET, 0,
		"partition 7 does not exist (machine has 2)");
	refused(f, 1, "quiet; reboot", WINDOW_ECMDCHAR, 5, "';' at offset 5");
	refused(f, 1, "x=$(reboot)", WINDOW_ECMDCHAR, 2, "'$'");
	refused(f, 1, "x=`id`", WINDOW_ECMDCHAR, 2, "'`'");
	refused(f, 1, "a | b", WINDOW_ECMDCHAR, 2, "'|'");
	refused(f, 1, "a\nb", WINDOW_ECMDCHAR, 1, "byte 0x0a");
	refused(f, 1, "quiet \"x y\"", WINDOW_ECMDCHAR, 6, "'\"'");
	refused(f, 1, "console=ttyS1", WINDOW_ECMDRESERVED, 0,
		"'console=ttyS1'");
	refused(f, 1, "quiet  duplex.partition=0", WINDOW_ECMDRESERVED, 7,
		"'duplex.partition=0'");
	refused(f, 1, "panic=0", WINDOW_ECMDRESERVED, 0, "'panic=0'");
	refused(f, 1, "rdinit=/bin/sh", WINDOW_ECMDRESERVED, 0, "rdinit");
	refused(f, 1, "earlycon", WINDOW_ECMDRESERVED, 0, "'earlycon'");

	/* Names that merely start like a reserved one are fine. */
	refused(f, 1, "consoleblank=0 duplex=1 xpanic=1 mem=512M root=/dev/vda",
		0, 0, "success");

	assert_int_equal(window_slot_set_state(&f->w, 1, WINDOW_STATE_BOOT_REQUESTED), 0);
	refused(f, 1, "", WINDOW_EBUSY, 0, "partition 1 is already boot-requested");
	atomic_store(&slot(f, 1)->state, 99);
	refused(f, 1, "", WINDOW_ESTATE, 0, "invalid state");
}

static void test_boot_request_long_cmdline(void **state)
{
	struct fixture *f = *state;
	struct window_slot *s = slot(f, 0);
	struct window_boot_req req;
	char big[4096], text[WINDOW_REASON_MAX];
	uint32_t seq;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(window_boot_request(&f->w, 0, 1, big, &seq),
			 WINDOW_ECMDLONG);
	big[WINDOW_CMDLINE_MAX] = '\0';
	assert_int_equal(window_boot_request(&f->w, 0, 1, big, &seq),
			 WINDOW_ECMDLONG);
	big[WINDOW_CMDLINE_MAX - 1] = '\0';
	assert_int_equal(window_boot_request(&f->w, 0, 1, big, &seq), 0);
	assert_int_equal(window_boot_request_pending(&f->w, 0, &req), 0);
	assert_int_equal(strlen(req.cmdline), WINDOW_CMDLINE_MAX - 1);
	assert_int_equal(window_boot_respond(&f->w, 0, req.seq, 0, NULL), 0);

	/* A guest that skips the library and fills the field entirely. */
	memset(s->cmdline, 'b', sizeof(s->cmdline));
	atomic_fetch_add(&s->req_seq, 1);
	assert_int_equal(window_boot_request_pending(&f->w, 0, &req),
			 WINDOW_ECMDLONG);
	assert_int_equal(strlen(req.cmdline), WINDOW_CMDLINE_MAX - 1);
	window_boot_describe(&f->w, WINDOW_ECMDLONG, &req, text, sizeof(text));
	assert_string_equal(text, "the command line is longer than 511 bytes");
}

static void test_boot_response_hostile(void **state)
{
	struct fixture *f = *state;
	struct window_slot *s = slot(f, 0);
	char big[1000], got[WINDOW_REASON_MAX], tiny[4];
	uint32_t seq;
	int status;

	assert_int_equal(window_boot_request(&f->w, 0, 1, "", &seq), 0);
	memset(big, 'r', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(window_boot_respond(&f->w, 0, seq, WINDOW_EREFUSED, big), 0);
	assert_int_equal(window_boot_response(&f->w, 0, seq, &status, got,
					      sizeof(got)), 0);
	assert_int_equal(strlen(got), WINDOW_REASON_MAX - 1);
	assert_int_equal(window_boot_response(&f->w, 0, seq, &status, tiny,
					      sizeof(tiny)), 0);
	assert_string_equal(tiny, "rrr");

	/* Escape sequences and a missing NUL never reach the terminal. */
	memset(s->reason, '\x1b', sizeof(s->reason));
	s->resp_status = 12345;
	assert_int_equal(window_boot_response(&f->w, 0, seq, &status, got,
					      sizeof(got)), 0);
	assert_int_equal(status, WINDOW_EREFUSED);
	assert_int_equal(strspn(got, "?"), WINDOW_REASON_MAX - 1);
	assert_int_equal(window_boot_respond(&f->w, 0, seq, -1, NULL),
			 WINDOW_EINVAL);
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

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_strerror_and_names),
		T(test_format_attach),
		T(test_attach_hostile_header),
		T(test_slot_states),
		T(test_heartbeat_and_up),
		T(test_boot_request_accepted),
		T(test_boot_request_refused),
		T(test_boot_request_long_cmdline),
		T(test_boot_response_hostile),
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

	return cmocka_run_group_tests(tests, NULL, NULL);
}
