/* Unit tests of the window: CRC-32, the header checks, partition states
 * and the boot request protocol with its validation, including what a
 * hostile partition can write into a slot.  Rings: test_window_ring.c. */
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
	/* Eight bytes at a time: every length and alignment around it. */
	for (size_t at = 0; at < 8; at++)
		for (size_t len = 0; len <= 40; len++)
			assert_int_equal(crc32_ieee(0, buf + at, len),
					 crc32_bitwise(buf + at, len));
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
	h->abi_version = WINDOW_ABI_VERSION + 1;
	assert_int_equal(window_attach(&w, f->mem, WINDOW_SIZE),
			 WINDOW_EVERSION);
	h->abi_version = 1;	/* before the slots' replication fields */
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

	/* An "up" left over from the previous boot is of another count. */
	for (uint32_t boot = 1; boot <= 2; boot++) {
		assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_BOOT_REQUESTED), 0);
		assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_BOOTING), 0);
		assert_int_equal(window_slot_boot_gen(w, 1), boot);
		assert_int_equal(window_slot_up_gen(w, 1), boot - 1);
		assert_int_equal(window_announce_up(w, 1), 0);
		assert_int_equal(window_slot_up_gen(w, 1), boot);
		assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_UP), 0);
		assert_int_equal(window_slot_set_state(w, 1, WINDOW_STATE_HALTED), 0);
	}
	assert_int_equal(atomic_load(&slot(f, 1)->boot_gen), 2);
	assert_int_equal(window_slot_up_gen(w, 7), 0);
	assert_int_equal(window_slot_boot_gen(w, 7), 0);

	/* The host publishes its own truth whatever the slot held. */
	atomic_store(&slot(f, 1)->state, 99);
	assert_int_equal(window_slot_publish(w, 1, WINDOW_STATE_UP, 5), 0);
	assert_int_equal(window_slot_state(w, 1), WINDOW_STATE_UP);
	assert_int_equal(window_slot_boot_gen(w, 1), 5);
	assert_int_equal(window_slot_publish(w, 7, WINDOW_STATE_UP, 5), WINDOW_EINVAL);
	assert_int_equal(window_slot_publish(w, 1, 6, 5), WINDOW_EINVAL);
}

/* Replicated sessions: the leader publishes in its own slot, anyone reads;
 * a bad index reads as all zero and writes nothing. */
static void test_rep_session(void **state)
{
	struct fixture *f = *state;
	struct window *w = &f->w;
	uint32_t members = 99, lines = 99, divergences = 99;

	assert_int_equal(window_rep_session(w, 1, &members), 0);
	assert_int_equal(members, 0);
	assert_int_equal(window_rep_publish(w, 1, 0x1234, 3), 0);
	assert_int_equal(window_rep_session(w, 1, &members), 0x1234);
	assert_int_equal(members, 3);
	assert_int_equal(window_rep_session(w, 0, &members), 0);
	assert_int_equal(members, 0);
	/* At the documented offsets of slot 1 (docs/window.md). */
	assert_int_equal(*(uint32_t *)((unsigned char *)slot(f, 1) + 856), 0x1234);
	assert_int_equal(*(uint32_t *)((unsigned char *)slot(f, 1) + 860), 3);

	assert_int_equal(window_rep_publish(w, 1, 0, 0), 0);
	assert_int_equal(window_rep_session(w, 1, &members), 0);
	assert_int_equal(members, 0);

	assert_int_equal(window_rep_publish(w, 2, 1, 1), WINDOW_EINVAL);
	assert_int_equal(window_rep_publish(NULL, 0, 1, 1), WINDOW_EINVAL);
	members = 99;
	assert_int_equal(window_rep_session(w, 2, &members), 0);
	assert_int_equal(members, 0);
	members = 99;
	assert_int_equal(window_rep_session(w, WINDOW_MAX_PARTITIONS, &members), 0);
	assert_int_equal(members, 0);
	members = 99;
	assert_int_equal(window_rep_session(NULL, 0, &members), 0);
	assert_int_equal(members, 0);

	/* Nothing else in the slots changed. */
	for (unsigned k = 0; k < 2; k++) {
		assert_int_equal(window_slot_state(w, k), WINDOW_STATE_OFF);
		assert_int_equal(window_slot_heartbeat(w, k), 0);
		window_rep_counters(w, k, &lines, &divergences);
		assert_int_equal(lines, 0);
		assert_int_equal(divergences, 0);
	}
}

static void test_rep_counters(void **state)
{
	struct fixture *f = *state;
	struct window *w = &f->w;
	uint32_t lines = 99, divergences = 99, members;

	window_rep_counters(w, 0, &lines, &divergences);
	assert_int_equal(lines, 0);
	assert_int_equal(divergences, 0);
	assert_int_equal(window_rep_count(w, 0, 10, 1), 0);
	assert_int_equal(window_rep_count(w, 0, 5, 0), 0);
	assert_int_equal(window_rep_count(w, 0, 0, 2), 0);
	window_rep_counters(w, 0, &lines, &divergences);
	assert_int_equal(lines, 15);
	assert_int_equal(divergences, 3);
	assert_int_equal(*(uint32_t *)((unsigned char *)slot(f, 0) + 864), 3);
	assert_int_equal(*(uint32_t *)((unsigned char *)slot(f, 0) + 868), 15);
	/* Counters since boot: a new session does not reset them. */
	assert_int_equal(window_rep_publish(w, 0, 7, 3), 0);
	assert_int_equal(window_rep_publish(w, 0, 0, 0), 0);
	assert_int_equal(window_rep_count(w, 0, 1, 1), 0);
	window_rep_counters(w, 0, &lines, &divergences);
	assert_int_equal(lines, 16);
	assert_int_equal(divergences, 4);
	/* Modulo 2^32. */
	assert_int_equal(window_rep_count(w, 0, UINT32_MAX, 0), 0);
	window_rep_counters(w, 0, &lines, &divergences);
	assert_int_equal(lines, 15);

	window_rep_counters(w, 1, &lines, &divergences);
	assert_int_equal(lines, 0);
	assert_int_equal(divergences, 0);
	assert_int_equal(window_rep_session(w, 1, &members), 0);

	assert_int_equal(window_rep_count(w, 2, 1, 1), WINDOW_EINVAL);
	assert_int_equal(window_rep_count(NULL, 0, 1, 1), WINDOW_EINVAL);
	lines = divergences = 99;
	window_rep_counters(w, 2, &lines, &divergences);
	assert_int_equal(lines, 0);
	assert_int_equal(divergences, 0);
	lines = divergences = 99;
	window_rep_counters(NULL, 0, &lines, &divergences);
	assert_int_equal(lines, 0);
	assert_int_equal(divergences, 0);
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
	assert_int_equal(window_boot_request(w, 0, 1, "nokaslr vdso=0", &seq), 0);
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
	assert_string_equal(req.cmdline, "nokaslr vdso=0");
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
	if (want == WINDOW_ECMDCHAR || want == WINDOW_ECMDPARAM)
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
	/* The machine's own arguments: a later occurrence would win. */
	refused(f, 1, "console=ttyS1", WINDOW_ECMDPARAM, 0,
		"'console=ttyS1'");
	refused(f, 1, "nokaslr  duplex.partition=0", WINDOW_ECMDPARAM, 9,
		"'duplex.partition=0'");
	refused(f, 1, "panic=0", WINDOW_ECMDPARAM, 0, "'panic=0'");
	refused(f, 1, "rdinit=/bin/sh", WINDOW_ECMDPARAM, 0, "rdinit");
	refused(f, 1, "earlycon", WINDOW_ECMDPARAM, 0, "'earlycon'");
	/* Those that silence the console the host reads or move the layout
	 * under test: a deny-list let them through. */
	refused(f, 1, "loglevel=0", WINDOW_ECMDPARAM, 0, "'loglevel=0'");
	refused(f, 1, "nokaslr quiet", WINDOW_ECMDPARAM, 8, "'quiet'");
	refused(f, 1, "8250.nr_uarts=0", WINDOW_ECMDPARAM, 0, "'8250.nr_uarts=0'");
	refused(f, 1, "memmap=64M", WINDOW_ECMDPARAM, 0, "'memmap=64M'");
	refused(f, 1, "mem=512M", WINDOW_ECMDPARAM, 0, "'mem=512M'");
	/* Allowed names with values they may not take. */
	refused(f, 1, "vdso", WINDOW_ECMDPARAM, 0, "'vdso'");
	refused(f, 1, "vdso=2", WINDOW_ECMDPARAM, 0, "'vdso=2'");
	refused(f, 1, "nokaslr=1", WINDOW_ECMDPARAM, 0, "'nokaslr=1'");
	refused(f, 1, "maxcpus=", WINDOW_ECMDPARAM, 0, "'maxcpus='");
	refused(f, 1, "maxcpus=1x", WINDOW_ECMDPARAM, 0, "'maxcpus=1x'");
	refused(f, 1, "mitigations=auto,", WINDOW_ECMDPARAM, 0, "mitigations");
	refused(f, 1, "nokaslrx", WINDOW_ECMDPARAM, 0, "'nokaslrx'");

	/* What a replica may be tested with. */
	refused(f, 1, "nokaslr norandmaps vdso=0 maxcpus=1 mitigations=auto,nosmt init_on_free=1",
		0, 0, "success");
	refused(f, 1, "", 0, 0, "success");

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
	size_t i;

	/* Allowed arguments only, so that length alone decides. */
	for (i = 0; i < sizeof(big) - 1; i++)
		big[i] = "nosmp "[i % 6];
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(window_boot_request(&f->w, 0, 1, big, &seq), 0);
	assert_int_equal(window_boot_request_pending(&f->w, 0, &req),
			 WINDOW_ECMDLONG);
	assert_int_equal(window_boot_respond(&f->w, 0, req.seq, WINDOW_ECMDLONG,
					     NULL), 0);
	big[WINDOW_CMDLINE_MAX] = '\0';
	assert_int_equal(window_boot_request(&f->w, 0, 1, big, &seq), 0);
	assert_int_equal(window_boot_request_pending(&f->w, 0, &req),
			 WINDOW_ECMDLONG);
	assert_int_equal(window_boot_respond(&f->w, 0, req.seq, WINDOW_ECMDLONG,
					     NULL), 0);
	big[WINDOW_CMDLINE_MAX - 1] = '\0';
	big[WINDOW_CMDLINE_MAX - 2] = ' ';	/* no cut argument at the end */
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
		T(test_rep_session),
		T(test_rep_counters),
		T(test_boot_request_accepted),
		T(test_boot_request_refused),
		T(test_boot_request_long_cmdline),
		T(test_boot_response_hostile),
	};

	return cmocka_run_group_tests_name("window", tests, NULL, NULL);
}
