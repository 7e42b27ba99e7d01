/* session: winbench's protocol and the client's side of it.
 *
 * Every client session starts with a HELLO carrying a random session id;
 * the server answers only messages of the session it last greeted, and a
 * client skips anything not of its own session.  So messages a killed
 * earlier run left in either ring are dropped, never taken for answers.
 * Every wait has a deadline. */
#ifndef DUPLEX_WINBENCH_SESSION_H
#define DUPLEX_WINBENCH_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "chan.h"

#define WB_MIN_SIZE 16		/* session id + sequence number */

/* Message types (the ring's type field; payloads start with a wb_head). */
enum wb_type {
	WB_HELLO = 0x5701,	/* session: start a session */
	WB_HELLO_ACK,		/* session */
	WB_PING,		/* session, seq, then filler: echoed as PONG */
	WB_PONG,
	WB_DATA,		/* session, then filler: counted */
	WB_END,			/* session, messages, bytes sent */
	WB_END_ACK,		/* session, messages, bytes received */
	WB_BYE,			/* session: stop serving */
	WB_BYE_ACK,
};

struct wb_head {
	uint64_t session;
	uint64_t a, b;
};

void put_head(void *buf, uint64_t session, uint64_t a, uint64_t b);
/* The head of a payload of LEN bytes; fields beyond LEN read as 0. */
struct wb_head get_head(const void *buf, size_t len);

/* A random session id, never 0 (the server's "none"). */
uint64_t session_new(void);

/* Start SESSION with the server: drain, then HELLO until its HELLO_ACK.
 * 0, or -1 (reported, also when nothing came within TIMEOUT_MS). */
int session_hello(struct chan *c, uint64_t session, int timeout_ms);

/* Receive the next message of type WANT in SESSION into BUF
 * (WINDOW_MSG_MAX bytes), skipping anything else.  0, or -1 (reported,
 * also when nothing came within TIMEOUT_MS). */
int session_expect(struct chan *c, uint16_t want, uint64_t session,
		   void *buf, size_t *len, int timeout_ms);

/* Send, reporting a full ring the peer never empties as no answer.  0 or
 * -1 (reported). */
int session_send(struct chan *c, uint16_t type, const void *buf, size_t len,
		 int timeout_ms);

/* End the server's serve: a session, BYE in it, its BYE_ACK.  0 or -1
 * (reported). */
int session_bye(struct chan *c, int timeout_ms);

#endif
