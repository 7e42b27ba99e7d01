/* libFuzzer target for what an mvx follower reads from its leader (and
 * the leader from its followers): the mvx_proto payloads.
 *
 * Input: bytes 0..1 the message type (little-endian), the rest its
 * payload.  Properties, abort() when one fails:
 *  - a refused payload leaves the message all zero, with a known error;
 *  - an accepted one encodes back to exactly the same bytes, does not fit
 *    one byte less, and its buffers add up within MVX_REC_BYTES_MAX; a
 *    CALL's bytes, if it carries them, are the payload's last ones;
 *  - an accepted END has a divergence count exactly when it is DIVERGED;
 *  - the same bytes laid over a message structure are either refused by
 *    the encoder or encode to a payload the decoder accepts and which
 *    encodes back to the same bytes;
 *  - the same for the run's start (OPEN, HELLO: mvx_session.h), and a
 *    divergence record (mvx_div.h, the first MVX_DIV_SIZE bytes of the
 *    payload) is either refused or worded within MVX_DIV_TEXT bytes and
 *    encodes back to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mvx_div.h"
#include "mvx_proto.h"
#include "mvx_session.h"

static struct mvx_msg msg, again;
static const struct mvx_msg zero;
static unsigned char out[MVX_MSG_MAX], out2[MVX_MSG_MAX];

static void fuzz_decode(uint16_t type, const uint8_t *p, size_t len)
{
	size_t n;
	int err;

	err = mvx_msg_decode(type, p, len, &msg);
	if (err) {
		if (err < MVX_ETYPE || err > MVX_ERANGE ||
		    memcmp(&msg, &zero, sizeof(msg)))
			abort();
		return;
	}
	if (msg.type != type || mvx_msg_encode(&msg, out, sizeof(out), &n) ||
	    n != len || memcmp(out, p, len))
		abort();
	if (mvx_msg_encode(&msg, out, n - 1, &n) != MVX_ESPACE || n)
		abort();
	if (type == MVX_MSG_CALL && (mvx_call_bytes(&msg.u.call) >
	    MVX_REC_BYTES_MAX || (mvx_call_inline(&msg.u.call) &&
	    msg.bytes != p + len - mvx_call_inline(&msg.u.call))))
		abort();
	/* An END counts divergences if and only if it is DIVERGED. */
	if (type == MVX_MSG_END && (msg.u.end.how == MVX_END_DIVERGED) !=
	    (msg.u.end.count != 0))
		abort();
}

/* The bytes a CALL laid over the structure carries. */
static const unsigned char filler[MVX_CALL_INLINE];

static void fuzz_encode(uint16_t type, const uint8_t *p, size_t len)
{
	size_t n, n2, at = offsetof(struct mvx_msg, u);

	memset(&msg, 0, sizeof(msg));
	msg.type = type;
	msg.bytes = filler;
	memcpy((unsigned char *)&msg + at, p,
	       len < sizeof(msg) - at ? len : sizeof(msg) - at);
	if (mvx_msg_encode(&msg, out, sizeof(out), &n))
		return;
	if (mvx_msg_decode(type, out, n, &again) ||
	    mvx_msg_encode(&again, out2, sizeof(out2), &n2) || n2 != n ||
	    memcmp(out, out2, n))
		abort();
}

static struct mvx_open open_msg;

static void fuzz_session(uint16_t type, const uint8_t *p, size_t len)
{
	struct mvx_hello h;
	size_t n;

	if (type == MVX_MSG_OPEN && !mvx_open_decode(p, len, &open_msg) &&
	    (mvx_open_encode(&open_msg, out, sizeof(out), &n) || n != len ||
	     memcmp(out, p, len)))
		abort();
	if (type == MVX_MSG_HELLO && !mvx_hello_decode(p, len, &h) &&
	    (mvx_hello_encode(&h, out, sizeof(out), &n) || n != len ||
	     memcmp(out, p, len)))
		abort();
}

static void fuzz_div(const uint8_t *p, size_t len)
{
	unsigned char rec[MVX_DIV_SIZE], back[MVX_DIV_SIZE];
	char text[MVX_DIV_TEXT + 1];
	struct mvx_div d;

	if (len < MVX_DIV_SIZE)
		return;
	memcpy(rec, p, MVX_DIV_SIZE);
	if (mvx_div_decode(rec, &d))
		return;
	mvx_div_encode(&d, back);
	text[MVX_DIV_TEXT] = 'x';
	mvx_div_format(&d, text, MVX_DIV_TEXT);
	if (memcmp(rec, back, MVX_DIV_SIZE) || text[MVX_DIV_TEXT] != 'x' ||
	    strlen(text) >= MVX_DIV_TEXT - 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	fuzz_decode((uint16_t)(data[0] | data[1] << 8), data + 2, size - 2);
	fuzz_encode((uint16_t)(data[0] | data[1] << 8), data + 2, size - 2);
	fuzz_session((uint16_t)(data[0] | data[1] << 8), data + 2, size - 2);
	fuzz_div(data + 2, size - 2);
	return 0;
}
