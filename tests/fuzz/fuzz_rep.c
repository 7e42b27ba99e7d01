/* libFuzzer target for what repd reads from other partitions and from its
 * shell: the session message payloads (rep_proto) and the terminal output
 * stream (rep_lines).
 *
 * Input: bytes 0..1 the ring message type (little-endian), the rest its
 * payload.  Properties, abort() when one fails:
 *  - a refused payload leaves the message all zero;
 *  - an accepted one encodes back to exactly the same bytes (there is one
 *    encoding per message), which decode to the same message, and does not
 *    fit one byte less;
 *  - the same bytes laid over a message structure either are refused by
 *    the encoder or encode to a payload the decoder accepts, which encodes
 *    back to the same bytes (the encoder never sends what a peer refuses);
 *  - the whole input, fed to rep_lines in chunks of sizes drawn from a
 *    generator seeded by the input, gives the same lines (count, numbers,
 *    digests, texts) as in a single feed. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crc32.h"
#include "rep_lines.h"
#include "rep_proto.h"

static struct rep_msg msg, again;
static const struct rep_msg zero;
static unsigned char out[REP_MSG_MAX], out2[REP_MSG_MAX];

static void fuzz_proto(uint16_t type, const uint8_t *p, size_t len)
{
	size_t n;
	int err;

	err = rep_msg_decode(type, p, len, &msg);
	if (err) {
		if (err < REP_ETYPE || err > REP_ESESSION ||
		    memcmp(&msg, &zero, sizeof(msg)))
			abort();
		return;
	}
	if (msg.type != type || rep_msg_encode(&msg, out, sizeof(out), &n) ||
	    n != len || memcmp(out, p, len))
		abort();
	if (rep_msg_encode(&msg, out, n - 1, &n) != REP_ESPACE || n)
		abort();
	if (rep_msg_decode(type, p, len, &again) ||
	    memcmp(&msg, &again, sizeof(msg)))
		abort();
}

static void fuzz_encode(uint16_t type, const uint8_t *p, size_t len)
{
	size_t n, n2, at = offsetof(struct rep_msg, session);

	memset(&msg, 0, sizeof(msg));
	msg.type = type;
	memcpy((unsigned char *)&msg + at, p,
	       len < sizeof(msg) - at ? len : sizeof(msg) - at);
	if (rep_msg_encode(&msg, out, sizeof(out), &n))
		return;
	if (rep_msg_decode(type, out, n, &again) || again.session != msg.session ||
	    rep_msg_encode(&again, out2, sizeof(out2), &n2) || n2 != n ||
	    memcmp(out, out2, n))
		abort();
}

/* What the lines were: their count and a CRC over every line's number,
 * digest and text. */
struct seen {
	uint32_t count, crc;
};

static void on_line(void *ctx, uint32_t no, uint32_t digest, const char *text)
{
	struct seen *s = ctx;
	size_t len = strlen(text);

	if (no != s->count + 1 || len >= REP_TEXT_MAX)
		abort();
	s->count = no;
	s->crc = crc32_ieee(s->crc, &no, sizeof(no));
	s->crc = crc32_ieee(s->crc, &digest, sizeof(digest));
	s->crc = crc32_ieee(s->crc, text, len + 1);
}

static uint32_t xorshift(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static void fuzz_lines(const uint8_t *data, size_t size)
{
	struct seen one = { 0, 0 }, chunked = { 0, 0 };
	uint32_t rng = crc32_ieee(0, data, size) | 1;
	struct rep_lines l;
	size_t i, n;

	rep_lines_init(&l);
	rep_lines_feed(&l, data, size, on_line, &one);
	rep_lines_flush(&l, on_line, &one);
	if (l.count != one.count)
		abort();

	rep_lines_init(&l);
	for (i = 0; i < size; i += n) {
		/* Mostly short chunks, sometimes long ones, sometimes empty. */
		n = xorshift(&rng) % (rng & 0x100 ? 64 : 4);
		if (n > size - i)
			n = size - i;
		rep_lines_feed(&l, data + i, n, on_line, &chunked);
	}
	rep_lines_flush(&l, on_line, &chunked);
	if (l.count != one.count || chunked.count != one.count ||
	    chunked.crc != one.crc)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	fuzz_proto((uint16_t)(data[0] | data[1] << 8), data + 2, size - 2);
	fuzz_encode((uint16_t)(data[0] | data[1] << 8), data + 2, size - 2);
	fuzz_lines(data, size);
	return 0;
}
