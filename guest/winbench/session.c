/* winbench's protocol, the client's side.  See session.h. */
#include "session.h"
#include "guest.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#define HELLO_RETRY_MS 1000

void put_head(void *buf, uint64_t session, uint64_t a, uint64_t b)
{
	struct wb_head h = { session, a, b };

	memcpy(buf, &h, sizeof(h));
}

struct wb_head get_head(const void *buf, size_t len)
{
	struct wb_head h = { 0, 0, 0 };

	memcpy(&h, buf, len < sizeof(h) ? len : sizeof(h));
	return h;
}

uint64_t session_new(void)
{
	uint64_t s = (uint64_t)now_ns() * 0x9e3779b97f4a7c15ULL;
	int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		uint64_t r = 0;

		if (read(fd, &r, sizeof(r)) == (ssize_t)sizeof(r))
			s ^= r;
		close(fd);
	}
	s ^= (uint64_t)getpid() << 32;
	return s ? s : 1;
}

static void no_answer(const struct chan *c, int timeout_ms)
{
	guest_error("no answer from %s within %d s: %s", c->name,
		    timeout_ms / 1000, c->hint);
}

/* session_expect() with no answer left unreported: 0, 1 (nothing within
 * TIMEOUT_MS) or -1 (reported). */
static int await(struct chan *c, uint16_t want, uint64_t session, void *buf,
		 size_t *len, int timeout_ms)
{
	long long deadline = now_ns() + timeout_ms * 1000000LL, left;
	uint16_t type;
	int ret;

	for (;;) {
		left = (deadline - now_ns()) / 1000000;
		ret = left > 0 ? c->ops->recv(c, &type, buf, len, (int)left) : 1;
		if (ret)
			return ret;
		if (type == want && get_head(buf, *len).session == session)
			return 0;
	}
}

int session_expect(struct chan *c, uint16_t want, uint64_t session,
		   void *buf, size_t *len, int timeout_ms)
{
	int ret = await(c, want, session, buf, len, timeout_ms);

	if (ret == 1)
		no_answer(c, timeout_ms);
	return ret ? -1 : 0;
}

int session_send(struct chan *c, uint16_t type, const void *buf, size_t len,
		 int timeout_ms)
{
	int ret = c->ops->send(c, type, buf, len, timeout_ms);

	if (ret == 1)
		no_answer(c, timeout_ms);
	return ret ? -1 : 0;
}

/* HELLO every HELLO_RETRY_MS: a server starting drains what came before
 * it, so an early HELLO may be lost. */
int session_hello(struct chan *c, uint64_t session, int timeout_ms)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	long long deadline = now_ns() + timeout_ms * 1000000LL;
	unsigned char out[sizeof(struct wb_head)];
	size_t len;
	int ret;

	if (chan_drain(c) < 0)
		return -1;
	put_head(out, session, 0, 0);
	do {
		ret = c->ops->send(c, WB_HELLO, out, sizeof(out), HELLO_RETRY_MS);
		if (!ret)
			ret = await(c, WB_HELLO_ACK, session, buf, &len,
				    HELLO_RETRY_MS);
		if (ret <= 0)
			return ret;
	} while (now_ns() < deadline);
	no_answer(c, timeout_ms);
	return -1;
}

int session_bye(struct chan *c, int timeout_ms)
{
	static unsigned char buf[WINDOW_MSG_MAX];
	uint64_t session = session_new();
	size_t len;

	if (session_hello(c, session, timeout_ms) < 0)
		return -1;
	put_head(buf, session, 0, 0);
	if (session_send(c, WB_BYE, buf, sizeof(struct wb_head), timeout_ms) < 0)
		return -1;
	return session_expect(c, WB_BYE_ACK, session, buf, &len, timeout_ms);
}
