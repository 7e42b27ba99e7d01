/* rep_proto: the messages the repd of each partition exchange through the
 * window rings during a replicated session (docs/replication.md).  The
 * ring already frames, sequences and checksums every message; this is the
 * payload: one type per message (the ring's u16 type), fixed-width
 * little-endian fields, explicit lengths.
 *
 * A payload comes from another partition's kernel: rep_msg_decode() takes
 * it as hostile, checks every length, count and text against the type's
 * bounds, and never reads beyond LEN or writes beyond *M.
 *
 * Payloads (offsets in bytes, all integers little-endian):
 *   every type   0 u32 session   (nonzero; the leader's session id)
 *   OPEN         4 u32 members   (bit P: partition P is in the session)
 *                8 u16 rows, 10 u16 cols (the leader's terminal size)
 *               12 cwd, NUL-terminated, < REP_CWD_MAX bytes, printable
 *   READY        4 i32 status    (0: the member's shell runs)
 *                8 reason, NUL-terminated, < REP_TEXT_MAX, printable
 *   INPUT        4 bytes typed   (1..REP_INPUT_MAX)
 *   DIGESTS      4 u32 first     (number of the first line, from 1)
 *                8 u32 count     (1..REP_DIGESTS_MAX), 12 u32 hash[count]
 *   LINE_REQ     4 u32 line
 *   LINE         4 u32 line, 8 text, NUL-terminated, < REP_TEXT_MAX
 *   CLOSE        4 i32 status    (the shell's exit status; -1: aborted)
 * A payload whose length is not exactly what its fields say is refused.
 *
 * No allocation, no global state: builds into the harness (tests, fuzz)
 * and the static musl guests. */
#ifndef DUPLEX_REP_PROTO_H
#define DUPLEX_REP_PROTO_H

#include <stddef.h>
#include <stdint.h>

/* Ring message types; the window reserves none, repd owns 0x01xx. */
enum rep_msg_type {
	REP_MSG_OPEN = 0x0101,		/* leader -> member: start your shell */
	REP_MSG_READY = 0x0102,		/* member -> leader: started, or why not */
	REP_MSG_INPUT = 0x0103,		/* leader -> member: bytes typed */
	REP_MSG_DIGESTS = 0x0104,	/* member -> leader: its output lines */
	REP_MSG_LINE_REQ = 0x0105,	/* leader -> member: send line L's text */
	REP_MSG_LINE = 0x0106,		/* member -> leader: line L's text */
	REP_MSG_CLOSE = 0x0107,		/* either way: the session is over */
};

#define REP_CWD_MAX	256u	/* with its NUL */
#define REP_TEXT_MAX	256u	/* with its NUL: a reason, a line's text */
#define REP_INPUT_MAX	4096u
#define REP_DIGESTS_MAX	1024u

/* Decoding errors (0: fine). */
enum rep_err {
	REP_OK = 0,
	REP_ETYPE = 1,		/* not a rep_msg_type */
	REP_ELEN = 2,		/* payload length disagrees with its fields */
	REP_ERANGE = 3,		/* a count or length out of bounds */
	REP_ETEXT = 4,		/* text unterminated or not printable */
	REP_ESESSION = 5,	/* session id 0 */
	REP_ESPACE = 6,		/* encode: buffer too small */
};

struct rep_msg {
	uint16_t type;			/* enum rep_msg_type */
	uint32_t session;
	union {
		struct {
			uint32_t members;
			uint16_t rows, cols;
			char cwd[REP_CWD_MAX];
		} open;
		struct {
			int32_t status;
			char reason[REP_TEXT_MAX];
		} ready;
		struct {
			uint32_t len;
			unsigned char data[REP_INPUT_MAX];
		} input;
		struct {
			uint32_t first, count;
			uint32_t hash[REP_DIGESTS_MAX];
		} digests;
		struct {
			uint32_t line;
		} line_req;
		struct {
			uint32_t line;
			char text[REP_TEXT_MAX];
		} line;
		struct {
			int32_t status;
		} close;
	} u;
};

/* Largest encoded payload of any type (DIGESTS), <= WINDOW_MSG_MAX. */
#define REP_MSG_MAX	(12u + 4u * REP_DIGESTS_MAX)

const char *rep_strerror(int err);

/* Encode *M into BUF (SIZE bytes); *LEN gets the payload length.  Texts
 * longer than their field are cut (always NUL-terminated on the wire);
 * out-of-bounds counts are REP_ERANGE. */
int rep_msg_encode(const struct rep_msg *m, void *buf, size_t size,
		   size_t *len);

/* Decode the LEN-byte payload BUF of ring message type TYPE into *M. */
int rep_msg_decode(uint16_t type, const void *buf, size_t len,
		   struct rep_msg *m);

#endif
