/* Unit tests of the mvx monitor messages (mvx_proto.h): the exact bytes
 * on the wire, every type through encode and decode, and every refusal of
 * a hostile payload: lengths one off, pad bytes set, counts, roles,
 * argument indices, lengths and kinds out of bounds, unknown types.
 * Payloads are decoded from heap buffers of exactly their length, so that
 * the sanitizer build catches a read beyond it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "le.h"
#include "mvx_proto.h"

static struct mvx_msg msg, back;
static const struct mvx_msg zero;
static unsigned char out[MVX_MSG_MAX];

/* Decode the LEN bytes at P from a heap copy of exactly that length,
 * kept until the next decode (a CALL's back.bytes point into it). */
static int decode(uint16_t type, const unsigned char *p, size_t len)
{
	static unsigned char *copy;
	int err;

	free(copy);
	copy = malloc(len ? len : 1);
	assert_non_null(copy);
	memcpy(copy, p, len);
	err = mvx_msg_decode(type, copy, len, &back);
	if (err)
		assert_memory_equal(&back, &zero, sizeof(back));
	return err;
}

/* A CALL of process 7, syscall #3: read(3, 0x1000, 64) that returned 5,
 * with one OUT buffer of 5 bytes, "hello", which it carries. */
static size_t a_call(unsigned char *p)
{
	size_t len;

	memset(&msg, 0, sizeof(msg));
	msg.type = MVX_MSG_CALL;
	msg.u.call.vid = 7;
	msg.u.call.seq = 3;
	msg.u.call.nr = 0;
	msg.u.call.kind = MVX_OUTPUT;
	msg.u.call.fdclass = MVX_FD_PLAIN;
	msg.u.call.nbuf = 1;
	msg.u.call.args[0] = 3;
	msg.u.call.args[1] = 0x1000;
	msg.u.call.args[2] = 64;
	msg.u.call.result = 5;
	msg.u.call.buf[0] = (struct mvx_buf_desc){ MVX_BUF_OUT, 1, 5 };
	msg.bytes = (const unsigned char *)"hello";
	assert_int_equal(mvx_msg_encode(&msg, p, MVX_MSG_MAX, &len), MVX_OK);
	return len;
}

static void test_call_wire(void **state)
{
	size_t len = a_call(out);

	(void)state;
	assert_int_equal(len, MVX_CALL_FIXED + 8 + 5);
	assert_int_equal(get_le32(out), 7);
	assert_int_equal(get_le32(out + 4), 3);
	assert_int_equal(get_le16(out + 8), 0);
	assert_int_equal(out[10], MVX_OUTPUT);
	assert_int_equal(out[11], MVX_FD_PLAIN);
	assert_int_equal(out[12], 1);
	assert_int_equal(get_le64(out + 16 + 8), 0x1000);
	assert_int_equal((int64_t)get_le64(out + 64), 5);
	assert_int_equal(out[72], MVX_BUF_OUT);
	assert_int_equal(out[73], 1);
	assert_int_equal(get_le32(out + 76), 5);
	assert_memory_equal(out + 80, "hello", 5);
	assert_int_equal(decode(MVX_MSG_CALL, out, len), MVX_OK);
	assert_int_equal(back.type, MVX_MSG_CALL);
	assert_memory_equal(&back.u.call, &msg.u.call, sizeof(msg.u.call));
	assert_int_equal(mvx_call_bytes(&back.u.call), 5);
	assert_int_equal(mvx_call_inline(&back.u.call), 5);
	assert_non_null(back.bytes);
	assert_memory_equal(back.bytes, "hello", 5);
	/* Without its bytes, the encoder refuses it. */
	msg.bytes = NULL;
	assert_int_equal(mvx_msg_encode(&msg, out, sizeof(out), &len),
			 MVX_ERANGE);
}

/* A CALL carries its bytes while they add up to MVX_CALL_INLINE at most,
 * which then fill the largest message exactly; one byte more, it carries
 * none (DATA messages follow), and a payload that says otherwise is
 * refused. */
static void test_call_inline(void **state)
{
	static unsigned char bytes[MVX_CALL_INLINE + 1];
	size_t len;

	(void)state;
	a_call(out);
	msg.bytes = bytes;
	msg.u.call.nbuf = 4;
	for (unsigned i = 0; i < 4; i++)
		msg.u.call.buf[i] = (struct mvx_buf_desc){
			MVX_BUF_IN, (uint8_t)i, MVX_CALL_INLINE / 4 };
	msg.u.call.buf[3].len += MVX_CALL_INLINE % 4;
	bytes[MVX_CALL_INLINE - 1] = 0x5a;
	assert_int_equal(mvx_msg_encode(&msg, out, sizeof(out), &len), MVX_OK);
	assert_int_equal(len, MVX_MSG_MAX);
	assert_int_equal(out[MVX_MSG_MAX - 1], 0x5a);
	assert_int_equal(decode(MVX_MSG_CALL, out, len), MVX_OK);
	assert_int_equal(back.bytes[MVX_CALL_INLINE - 1], 0x5a);
	/* Its bytes cut short: refused. */
	assert_int_equal(decode(MVX_MSG_CALL, out, len - 1), MVX_ELEN);
	assert_int_equal(decode(MVX_MSG_CALL, out, MVX_CALL_FIXED + 32),
			 MVX_ELEN);
	msg.u.call.buf[3].len++;
	assert_int_equal(mvx_msg_encode(&msg, out, sizeof(out), &len), MVX_OK);
	assert_int_equal(len, MVX_CALL_FIXED + 32);
	assert_int_equal(decode(MVX_MSG_CALL, out, len), MVX_OK);
	assert_null(back.bytes);
	assert_int_equal(mvx_call_inline(&back.u.call), 0);
	assert_int_equal(mvx_call_bytes(&back.u.call), MVX_CALL_INLINE + 1);
	/* Bytes after a CALL that carries none: refused. */
	out[len] = 0;
	assert_int_equal(decode(MVX_MSG_CALL, out, len + 1), MVX_ELEN);
}

static void test_call_refused(void **state)
{
	size_t len = a_call(out);
	unsigned char bad[MVX_MSG_MAX];

	(void)state;
	assert_int_equal(decode(MVX_MSG_CALL, out, len - 1), MVX_ELEN);
	assert_int_equal(decode(MVX_MSG_CALL, out, MVX_CALL_FIXED - 1),
			 MVX_ELEN);
	memcpy(bad, out, len);
	bad[len] = 0;
	assert_int_equal(decode(MVX_MSG_CALL, bad, len + 1), MVX_ELEN);
#define REFUSED(at, value, err) do {					\
		memcpy(bad, out, len);					\
		bad[at] = (value);					\
		assert_int_equal(decode(MVX_MSG_CALL, bad, len), err);	\
	} while (0)
	REFUSED(10, MVX_KIND_COUNT, MVX_ERANGE);	/* kind */
	REFUSED(11, MVX_FDCLASS_COUNT, MVX_ERANGE);	/* fd class */
	REFUSED(12, MVX_BUFS_MAX + 1, MVX_ERANGE);	/* nbuf */
	REFUSED(12, 2, MVX_ELEN);			/* nbuf > what follows */
	REFUSED(13, 1, MVX_ERANGE);			/* pad */
	REFUSED(15, 1, MVX_ERANGE);
	REFUSED(72, 0, MVX_ERANGE);			/* role */
	REFUSED(72, 3, MVX_ERANGE);
	REFUSED(73, 6, MVX_ERANGE);			/* arg */
	REFUSED(74, 1, MVX_ERANGE);			/* descriptor pad */
	REFUSED(79, 1, MVX_ERANGE);			/* len > 1 MiB */
#undef REFUSED
}

/* Four buffers of 1 MiB / 4 + 1 byte each: over the record's bound
 * together although each is within it. */
static void test_call_sum(void **state)
{
	size_t len;

	(void)state;
	a_call(out);
	msg.u.call.nbuf = 4;
	for (unsigned i = 0; i < 4; i++)
		msg.u.call.buf[i] = (struct mvx_buf_desc){
			MVX_BUF_IN, (uint8_t)i, MVX_REC_BYTES_MAX / 4 };
	assert_int_equal(mvx_msg_encode(&msg, out, sizeof(out), &len), MVX_OK);
	assert_int_equal(decode(MVX_MSG_CALL, out, len), MVX_OK);
	put_le32(out + MVX_CALL_FIXED + 8 * 3 + 4, MVX_REC_BYTES_MAX / 4 + 1);
	assert_int_equal(decode(MVX_MSG_CALL, out, len), MVX_ERANGE);
	msg.u.call.buf[3].len++;
	assert_int_equal(mvx_msg_encode(&msg, out, sizeof(out), &len),
			 MVX_ERANGE);
	assert_int_equal(len, 0);
}

static void test_data(void **state)
{
	unsigned char p[12 + MVX_DATA_MAX + 1];
	size_t len;

	(void)state;
	memset(p, 0xab, sizeof(p));
	put_le32(p, 7);
	put_le32(p + 4, 3);
	put_le32(p + 8, 16000);
	assert_int_equal(decode(MVX_MSG_DATA, p, 12), MVX_ELEN);
	assert_int_equal(decode(MVX_MSG_DATA, p, 13), MVX_OK);
	assert_int_equal(back.u.data.len, 1);
	assert_int_equal(back.u.data.offset, 16000);
	assert_int_equal(decode(MVX_MSG_DATA, p, 12 + MVX_DATA_MAX), MVX_OK);
	assert_int_equal(mvx_msg_encode(&back, out, sizeof(out), &len), MVX_OK);
	assert_int_equal(len, 12 + MVX_DATA_MAX);
	assert_memory_equal(out, p, len);
	assert_int_equal(mvx_msg_encode(&back, out, len - 1, &len),
			 MVX_ESPACE);
	assert_int_equal(decode(MVX_MSG_DATA, p, 13 + MVX_DATA_MAX), MVX_ELEN);
	/* Offset + length beyond the record's bound. */
	put_le32(p + 8, MVX_REC_BYTES_MAX);
	assert_int_equal(decode(MVX_MSG_DATA, p, 13), MVX_ERANGE);
	put_le32(p + 8, MVX_REC_BYTES_MAX - 1);
	assert_int_equal(decode(MVX_MSG_DATA, p, 13), MVX_OK);
	put_le32(p + 8, UINT32_MAX);
	assert_int_equal(decode(MVX_MSG_DATA, p, 13), MVX_ERANGE);
}

static void test_end(void **state)
{
	unsigned char p[13] = { MVX_END_SIGNALED, 0, 0, 0, 9, 0, 0, 0,
				0, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_OK);
	assert_int_equal(back.u.end.how, MVX_END_SIGNALED);
	assert_int_equal(back.u.end.code, 9);
	assert_int_equal(back.u.end.count, 0);
	assert_int_equal(decode(MVX_MSG_END, p, 8), MVX_ELEN);
	assert_int_equal(decode(MVX_MSG_END, p, 11), MVX_ELEN);
	assert_int_equal(decode(MVX_MSG_END, p, 13), MVX_ELEN);
	p[2] = 1;
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_ERANGE);
	p[2] = 0;
	p[0] = 0;
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_ERANGE);
	p[0] = MVX_END_HOW_MAX + 1;
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_ERANGE);
	/* A negative code (an exit status is 0..255, a signal positive, but
	 * the field is signed) goes through unchanged. */
	p[0] = MVX_END_ERROR;
	put_le32(p + 4, (uint32_t)-5);
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_OK);
	assert_int_equal(back.u.end.code, -5);
}

/* END's count: the divergences of a DIVERGED follower (at least the
 * first), and nothing for any other ending. */
static void test_end_count(void **state)
{
	unsigned char p[12] = { MVX_END_DIVERGED, 0, 0, 0, 0, 0, 0, 0,
				7, 0, 0, 0 };
	struct mvx_msg m = { .type = MVX_MSG_END };
	unsigned char wire[12];
	size_t len;

	(void)state;
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_OK);
	assert_int_equal(back.u.end.count, 7);
	put_le32(p + 8, 0);
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_ERANGE);
	p[0] = MVX_END_EXITED;
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_OK);
	put_le32(p + 8, 1);
	assert_int_equal(decode(MVX_MSG_END, p, 12), MVX_ERANGE);
	/* The encoder refuses what the decoder would. */
	m.u.end.how = MVX_END_DIVERGED;
	assert_int_equal(mvx_msg_encode(&m, wire, sizeof(wire), &len),
			 MVX_ERANGE);
	m.u.end.count = UINT32_MAX;
	assert_int_equal(mvx_msg_encode(&m, wire, sizeof(wire), &len), MVX_OK);
	assert_int_equal(len, 12);
	assert_int_equal(decode(MVX_MSG_END, wire, len), MVX_OK);
	assert_int_equal(back.u.end.count, UINT32_MAX);
}

static void test_ack(void **state)
{
	unsigned char p[9] = { 7, 0, 0, 0, 3, 0, 0, 0, 0 };
	size_t len;

	(void)state;
	assert_int_equal(decode(MVX_MSG_ACK, p, 8), MVX_OK);
	assert_int_equal(back.u.ack.vid, 7);
	assert_int_equal(back.u.ack.seq, 3);
	assert_int_equal(mvx_msg_encode(&back, out, sizeof(out), &len), MVX_OK);
	assert_int_equal(len, 8);
	assert_memory_equal(out, p, 8);
	assert_int_equal(decode(MVX_MSG_ACK, p, 7), MVX_ELEN);
	assert_int_equal(decode(MVX_MSG_ACK, p, 9), MVX_ELEN);
}

static void test_unknown(void **state)
{
	size_t len = a_call(out);

	(void)state;
	assert_int_equal(decode(0, out, len), MVX_ETYPE);
	assert_int_equal(decode(0x0101, out, len), MVX_ETYPE);
	assert_int_equal(decode(MVX_MSG_ACK + 1, out, 8), MVX_ETYPE);
	msg.type = 0x0101;
	assert_int_equal(mvx_msg_encode(&msg, out, sizeof(out), &len),
			 MVX_ERANGE);
	assert_string_equal(mvx_strerror(MVX_ELEN),
			    "mvx message length disagrees with its fields");
	assert_string_equal(mvx_strerror(99), "unknown mvx message error");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call_wire),
		cmocka_unit_test(test_call_refused),
		cmocka_unit_test(test_call_sum),
		cmocka_unit_test(test_call_inline),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_end),
		cmocka_unit_test(test_end_count),
		cmocka_unit_test(test_ack),
		cmocka_unit_test(test_unknown),
	};

	return cmocka_run_group_tests_name("mvx_proto", tests, NULL, NULL);
}
