/* Unit tests of the repd session messages (rep_proto.h): every type
 * through encode and decode, the exact bytes on the wire, and every
 * refusal of a hostile payload: lengths one off either way, counts and
 * lengths out of bounds, texts unterminated or not printable, session 0,
 * unknown types.  What encode refuses or cuts: test_rep_encode.c.  Payloads are decoded from heap buffers of exactly their
 * length, so that the sanitizer build catches a read beyond it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rep_proto.h"
#include "rep_test.h"

static const uint16_t all_types[] = {
	REP_MSG_OPEN, REP_MSG_READY, REP_MSG_INPUT, REP_MSG_DIGESTS,
	REP_MSG_LINE_REQ, REP_MSG_LINE, REP_MSG_CLOSE,
};
#define NTYPES (sizeof(all_types) / sizeof(all_types[0]))

/* A payload built by hand, as a (possibly lying) peer would send it. */
struct wire {
	unsigned char b[REP_MSG_MAX + 64];
	size_t len;
};

static void w8(struct wire *w, unsigned char c)
{
	assert_true(w->len < sizeof(w->b));
	w->b[w->len++] = c;
}

static void w16(struct wire *w, uint16_t v)
{
	w8(w, (unsigned char)v);
	w8(w, (unsigned char)(v >> 8));
}

static void w32(struct wire *w, uint32_t v)
{
	w16(w, (uint16_t)v);
	w16(w, (uint16_t)(v >> 16));
}

/* S and its NUL. */
static void wtext(struct wire *w, const char *s)
{
	do
		w8(w, (unsigned char)*s);
	while (*s++);
}

static void wfill(struct wire *w, unsigned char c, size_t n)
{
	while (n--)
		w8(w, c);
}

static int is_zero(const struct rep_msg *m)
{
	static const struct rep_msg zero;

	return !memcmp(m, &zero, sizeof(*m));
}

/* Decode the first LEN bytes of W from a buffer of exactly LEN bytes; a
 * refusal must leave *M all zero. */
static int decode_len(uint16_t type, const struct wire *w, size_t len,
		      struct rep_msg *m)
{
	unsigned char *buf = malloc(len ? len : 1);
	int err;

	assert_non_null(buf);
	memcpy(buf, w->b, len);
	memset(m, 0xa5, sizeof(*m));
	err = rep_msg_decode(type, buf, len, m);
	free(buf);
	if (err)
		assert_true(is_zero(m));
	else
		assert_int_equal(m->type, type);
	return err;
}

static int decode(uint16_t type, const struct wire *w, struct rep_msg *m)
{
	return decode_len(type, w, w->len, m);
}


/* Encode *M (all zero but its fields, so that it compares whole), check
 * the payload's length, decode it back and compare. */
static void round_trip(const struct rep_msg *m, size_t want_len)
{
	static unsigned char buf[REP_MSG_MAX];
	struct rep_msg *back = rep_test_msg(0, 0);
	size_t len = 12345;

	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, want_len);
	assert_int_equal(rep_msg_decode(m->type, buf, len, back), REP_OK);
	assert_memory_equal(back, m, sizeof(*m));
	free(back);
}

static void test_strerror(void **state)
{
	(void)state;
	for (int a = REP_OK; a <= REP_ESPACE; a++) {
		assert_non_null(rep_strerror(a));
		for (int b = REP_OK; b < a; b++)
			assert_string_not_equal(rep_strerror(a), rep_strerror(b));
	}
	assert_string_equal(rep_strerror(REP_OK), "success");
	assert_non_null(rep_strerror(-1));
	assert_non_null(rep_strerror(REP_ESPACE + 1));
	assert_true(REP_MSG_MAX <= 16384);	/* WINDOW_MSG_MAX */
}

/* The exact bytes of one message of every type. */
static void test_wire_bytes(void **state)
{
	static const unsigned char open[] = {
		0x04, 0x03, 0x02, 0x01, 0x03, 0x00, 0x00, 0x00,
		0x18, 0x00, 0x50, 0x00, '/', 'r', 'o', 'o', 't', 0,
	};
	static const unsigned char digests[] = {
		0x2a, 0, 0, 0, 0x07, 0, 0, 0, 0x02, 0, 0, 0,
		0x78, 0x56, 0x34, 0x12, 0xff, 0xee, 0xdd, 0xcc,
	};
	static const unsigned char close[] = {
		0x2a, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
	};
	unsigned char buf[64];
	struct rep_msg *m = rep_test_msg(REP_MSG_OPEN, 0x01020304);
	size_t len;

	(void)state;
	m->u.open.members = 3;
	m->u.open.rows = 24;
	m->u.open.cols = 80;
	strcpy(m->u.open.cwd, "/root");
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, sizeof(open));
	assert_memory_equal(buf, open, sizeof(open));

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_DIGESTS;
	m->session = 42;
	m->u.digests.first = 7;
	m->u.digests.count = 2;
	m->u.digests.hash[0] = 0x12345678;
	m->u.digests.hash[1] = 0xccddeeff;
	m->u.digests.hash[2] = 0xdeadbeef;	/* beyond count: not sent */
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, sizeof(digests));
	assert_memory_equal(buf, digests, sizeof(digests));

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_CLOSE;
	m->session = 42;
	m->u.close.status = -1;
	assert_int_equal(rep_msg_encode(m, buf, sizeof(buf), &len), REP_OK);
	assert_int_equal(len, sizeof(close));
	assert_memory_equal(buf, close, sizeof(close));
	free(m);
}

static void test_round_trip_open_ready(void **state)
{
	struct rep_msg *m = rep_test_msg(REP_MSG_OPEN, 1);

	(void)state;
	m->u.open.members = 0xff;
	m->u.open.rows = 0xffff;
	m->u.open.cols = 1;
	strcpy(m->u.open.cwd, "/home/user name/~x");
	round_trip(m, 12 + strlen(m->u.open.cwd) + 1);
	memset(m->u.open.cwd, 0, sizeof(m->u.open.cwd));
	round_trip(m, 12 + 1);
	memset(m->u.open.cwd, 'c', REP_CWD_MAX - 1);
	round_trip(m, 12 + REP_CWD_MAX);

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_READY;
	m->session = UINT32_MAX;
	m->u.ready.status = INT32_MIN;
	strcpy(m->u.ready.reason, "sh:\tnot found");
	round_trip(m, 8 + strlen(m->u.ready.reason) + 1);
	m->u.ready.status = 0;
	memset(m->u.ready.reason, 0, sizeof(m->u.ready.reason));
	round_trip(m, 8 + 1);
	free(m);
}

static void test_round_trip_input_digests(void **state)
{
	struct rep_msg *m = rep_test_msg(REP_MSG_INPUT, 7);

	(void)state;
	m->u.input.len = 1;
	m->u.input.data[0] = '\0';
	round_trip(m, 4 + 1);
	m->u.input.len = REP_INPUT_MAX;
	for (unsigned i = 0; i < REP_INPUT_MAX; i++)
		m->u.input.data[i] = (unsigned char)(i * 7);
	round_trip(m, 4 + REP_INPUT_MAX);

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_DIGESTS;
	m->session = 7;
	m->u.digests.first = 1;
	m->u.digests.count = 1;
	m->u.digests.hash[0] = 0xcbf43926;
	round_trip(m, 12 + 4);
	m->u.digests.count = REP_DIGESTS_MAX;
	for (unsigned i = 0; i < REP_DIGESTS_MAX; i++)
		m->u.digests.hash[i] = i * 0x9e3779b9u;
	round_trip(m, 12 + 4 * REP_DIGESTS_MAX);
	assert_int_equal(12 + 4 * REP_DIGESTS_MAX, REP_MSG_MAX);
	/* The last line number there is. */
	m->u.digests.first = UINT32_MAX - REP_DIGESTS_MAX + 1;
	round_trip(m, REP_MSG_MAX);
	free(m);
}

static void test_round_trip_lines_close(void **state)
{
	struct rep_msg *m = rep_test_msg(REP_MSG_LINE_REQ, 9);

	(void)state;
	m->u.line_req.line = 1;
	round_trip(m, 8);
	m->u.line_req.line = UINT32_MAX;
	round_trip(m, 8);

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_LINE;
	m->session = 9;
	m->u.line.line = 3;
	strcpy(m->u.line.text, "total 0\t~ # ls -l");
	round_trip(m, 8 + strlen(m->u.line.text) + 1);
	memset(m->u.line.text, 0, sizeof(m->u.line.text));
	round_trip(m, 8 + 1);
	memset(m->u.line.text, ' ', REP_TEXT_MAX - 1);
	round_trip(m, 8 + REP_TEXT_MAX);

	memset(m, 0, sizeof(*m));
	m->type = REP_MSG_CLOSE;
	m->session = 9;
	m->u.close.status = 127;
	round_trip(m, 8);
	m->u.close.status = -1;
	round_trip(m, 8);
	free(m);
}

/* The shortest valid payload of TYPE, with session SESSION. */
static void minimal(struct wire *w, uint16_t type, uint32_t session)
{
	w->len = 0;
	w32(w, session);
	switch (type) {
	case REP_MSG_OPEN:
		w32(w, 1);
		w16(w, 24);
		w16(w, 80);
		wtext(w, "/");
		break;
	case REP_MSG_READY:
		w32(w, 0);
		wtext(w, "");
		break;
	case REP_MSG_INPUT:
		w8(w, 'x');
		break;
	case REP_MSG_DIGESTS:
		w32(w, 1);
		w32(w, 1);
		w32(w, 0);
		break;
	default:	/* LINE_REQ, LINE, CLOSE */
		w32(w, 1);
		if (type == REP_MSG_LINE)
			wtext(w, "");
	}
}

static void test_decode_type_session(void **state)
{
	static const uint16_t bad[] = { 0, 1, 0x0100, 0x0108, 0x0201, 0xffff };
	struct rep_msg *m = rep_test_msg(0, 0);
	struct wire w;

	(void)state;
	for (size_t i = 0; i < NTYPES; i++) {
		minimal(&w, all_types[i], 1);
		assert_int_equal(decode(all_types[i], &w, m), REP_OK);
		assert_int_equal(m->session, 1);
		minimal(&w, all_types[i], 0);
		assert_int_equal(decode(all_types[i], &w, m), REP_ESESSION);
	}
	minimal(&w, REP_MSG_CLOSE, 1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(decode(bad[i], &w, m), REP_ETYPE);
	free(m);
}

/* Shorter than a type's fixed part, down to nothing; with text: the NUL
 * cut off (unterminated) or a byte after it. */
static void test_decode_short_long(void **state)
{
	struct rep_msg *m = rep_test_msg(0, 0);
	struct wire w;

	(void)state;
	for (size_t i = 0; i < NTYPES; i++) {
		uint16_t t = all_types[i];
		size_t fixed = t == REP_MSG_INPUT ? 4 :
			       t == REP_MSG_OPEN || t == REP_MSG_DIGESTS ? 12 : 8;

		minimal(&w, t, 1);
		for (size_t len = 0; len < fixed; len++)
			assert_int_equal(decode_len(t, &w, len, m), REP_ELEN);
	}
	minimal(&w, REP_MSG_LINE_REQ, 1);
	w8(&w, 0);
	assert_int_equal(decode(REP_MSG_LINE_REQ, &w, m), REP_ELEN);
	minimal(&w, REP_MSG_CLOSE, 1);
	w8(&w, 0);
	assert_int_equal(decode(REP_MSG_CLOSE, &w, m), REP_ELEN);

	/* Texts: "ab" then NUL. */
	for (size_t i = 0; i < NTYPES; i++) {
		uint16_t t = all_types[i];

		if (t != REP_MSG_OPEN && t != REP_MSG_READY && t != REP_MSG_LINE)
			continue;
		minimal(&w, t, 1);
		w.len--;
		wtext(&w, "ab");
		assert_int_equal(decode(t, &w, m), REP_OK);
		assert_int_equal(decode_len(t, &w, w.len - 1, m), REP_ETEXT);
		w8(&w, 0);
		assert_int_equal(decode(t, &w, m), REP_ELEN);
		w.len--;
		w8(&w, 'c');
		assert_int_equal(decode(t, &w, m), REP_ELEN);
	}
	free(m);
}

static void test_decode_input(void **state)
{
	struct rep_msg *m = rep_test_msg(0, 0);
	struct wire w = { .len = 0 };

	(void)state;
	w32(&w, 5);
	assert_int_equal(decode(REP_MSG_INPUT, &w, m), REP_ERANGE);
	wfill(&w, 0xff, 1);
	assert_int_equal(decode(REP_MSG_INPUT, &w, m), REP_OK);
	assert_int_equal(m->u.input.len, 1);
	assert_int_equal(m->u.input.data[0], 0xff);
	wfill(&w, 0, REP_INPUT_MAX - 1);
	assert_int_equal(decode(REP_MSG_INPUT, &w, m), REP_OK);
	assert_int_equal(m->u.input.len, REP_INPUT_MAX);
	w8(&w, 0);
	assert_int_equal(decode(REP_MSG_INPUT, &w, m), REP_ERANGE);
	free(m);
}

static void digests(struct wire *w, uint32_t first, uint32_t count,
		    size_t hashes)
{
	w->len = 0;
	w32(w, 3);
	w32(w, first);
	w32(w, count);
	for (size_t i = 0; i < hashes; i++)
		w32(w, (uint32_t)i);
}

static void test_decode_digests(void **state)
{
	struct rep_msg *m = rep_test_msg(0, 0);
	struct wire w;

	(void)state;
	digests(&w, 5, 3, 3);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_OK);
	assert_int_equal(m->u.digests.first, 5);
	assert_int_equal(m->u.digests.count, 3);
	assert_int_equal(m->u.digests.hash[2], 2);
	assert_int_equal(m->u.digests.hash[3], 0);
	assert_int_equal(decode_len(REP_MSG_DIGESTS, &w, w.len - 1, m), REP_ELEN);
	assert_int_equal(decode_len(REP_MSG_DIGESTS, &w, w.len - 4, m), REP_ELEN);
	w8(&w, 0);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_ELEN);
	digests(&w, 5, 3, 4);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_ELEN);

	digests(&w, 1, 0, 0);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_ERANGE);
	digests(&w, 1, REP_DIGESTS_MAX, REP_DIGESTS_MAX);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_OK);
	digests(&w, 1, REP_DIGESTS_MAX + 1, REP_DIGESTS_MAX + 1);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_ERANGE);
	digests(&w, 1, UINT32_MAX, 0);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_ERANGE);

	/* Line numbers from 1, and no wrapping around 2^32. */
	digests(&w, 0, 1, 1);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_ERANGE);
	digests(&w, UINT32_MAX, 1, 1);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_OK);
	digests(&w, UINT32_MAX, 2, 2);
	assert_int_equal(decode(REP_MSG_DIGESTS, &w, m), REP_ERANGE);
	free(m);
}

static void test_decode_line_numbers(void **state)
{
	struct rep_msg *m = rep_test_msg(0, 0);
	struct wire w = { .len = 0 };

	(void)state;
	w32(&w, 1);
	w32(&w, 0);
	assert_int_equal(decode(REP_MSG_LINE_REQ, &w, m), REP_ERANGE);
	wtext(&w, "x");
	assert_int_equal(decode(REP_MSG_LINE, &w, m), REP_ERANGE);
	free(m);
}

/* A text of N bytes of C, then its NUL, in a payload of TYPE. */
static void text_of(struct wire *w, uint16_t type, unsigned char c, size_t n)
{
	minimal(w, type, 1);
	w->len = type == REP_MSG_OPEN ? 12 : 8;
	wfill(w, c, n);
	w8(w, 0);
}

static void test_decode_text_bounds(void **state)
{
	static const uint16_t types[] = {
		REP_MSG_OPEN, REP_MSG_READY, REP_MSG_LINE,
	};
	struct rep_msg *m = rep_test_msg(0, 0);
	struct wire w;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		uint16_t t = types[i];
		size_t max = t == REP_MSG_OPEN ? REP_CWD_MAX : REP_TEXT_MAX;

		text_of(&w, t, 'a', max - 1);
		assert_int_equal(decode(t, &w, m), REP_OK);
		/* The NUL one byte beyond the field. */
		text_of(&w, t, 'a', max);
		assert_int_equal(decode(t, &w, m), REP_ETEXT);
		/* No NUL at all, the payload ending inside the field... */
		text_of(&w, t, 'a', 10);
		assert_int_equal(decode_len(t, &w, w.len - 1, m), REP_ETEXT);
		/* ...or beyond it. */
		text_of(&w, t, 'a', 2 * max);
		assert_int_equal(decode_len(t, &w, w.len - 1, m), REP_ETEXT);
		/* The NUL within the field, then more. */
		text_of(&w, t, 'a', 3);
		wfill(&w, 'b', max);
		assert_int_equal(decode(t, &w, m), REP_ELEN);
	}
	free(m);
}

static void test_decode_text_printable(void **state)
{
	static const unsigned char bad[] = {
		0x01, 0x07, '\n', '\r', 0x1b, 0x1f, 0x7f, 0x80, 0x9b, 0xc3, 0xff,
	};
	static const uint16_t types[] = {
		REP_MSG_OPEN, REP_MSG_READY, REP_MSG_LINE,
	};
	struct rep_msg *m = rep_test_msg(0, 0);
	struct wire w;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		uint16_t t = types[i];

		for (size_t k = 0; k < sizeof(bad); k++) {
			minimal(&w, t, 1);
			w.len--;
			wtext(&w, "ok");
			w.len--;
			w8(&w, bad[k]);
			w8(&w, 0);
			assert_int_equal(decode(t, &w, m), REP_ETEXT);
		}
		for (unsigned c = 0x20; c <= 0x7e; c++) {
			text_of(&w, t, (unsigned char)c, 1);
			assert_int_equal(decode(t, &w, m), REP_OK);
		}
		/* TAB: in a reason or a line, not in a path. */
		text_of(&w, t, '\t', 2);
		assert_int_equal(decode(t, &w, m),
				 t == REP_MSG_OPEN ? REP_ETEXT : REP_OK);
	}
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strerror),
		cmocka_unit_test(test_wire_bytes),
		cmocka_unit_test(test_round_trip_open_ready),
		cmocka_unit_test(test_round_trip_input_digests),
		cmocka_unit_test(test_round_trip_lines_close),
		cmocka_unit_test(test_decode_type_session),
		cmocka_unit_test(test_decode_short_long),
		cmocka_unit_test(test_decode_input),
		cmocka_unit_test(test_decode_digests),
		cmocka_unit_test(test_decode_line_numbers),
		cmocka_unit_test(test_decode_text_bounds),
		cmocka_unit_test(test_decode_text_printable),
	};

	return cmocka_run_group_tests_name("rep_proto", tests, NULL, NULL);
}
