/* mvx_proto: the messages between the monitors of an mvx run (the leader
 * and each follower), over any transport (guest/mvx/transport.h): a
 * socketpair on one machine or a window ring between partitions.  The
 * transport frames messages and carries their u16 type; this is the
 * payload.  mvx owns the ring types 0x02xx.
 *
 * One monitored syscall is one CALL.  The bytes of its buffers,
 * concatenated in the order of CALL's descriptors, are in the CALL itself
 * when they fit (at most MVX_CALL_INLINE in all: most calls, one message);
 * otherwise DATA messages carrying them follow it (ceil(total /
 * MVX_DATA_MAX) of them, offsets in order).  END says a
 * replica's run is over and how.  In strict lockstep a follower ACKs each
 * syscall once it has checked it, and the leader's process waits.
 *
 * Payloads (offsets in bytes, all integers little-endian):
 *   CALL   0 u32 vid       (process, the same in every replica)
 *          4 u32 seq       (its syscalls, counted from 0)
 *          8 u16 nr        (x86-64 syscall number, or MVX_NR_TSC)
 *         10 u8 kind       (enum mvx_kind: what the policy did)
 *         11 u8 fdclass    (enum mvx_fdclass of the fd argument)
 *         12 u8 nbuf       (0..MVX_BUFS_MAX), 13..15 zero
 *         16 u64 args[6]
 *         64 i64 result    (0 unless the leader ran the call to its end)
 *         72 nbuf x { u8 role, u8 arg (0..5), u16 zero, u32 len }
 *            then the buffers' bytes if they add up to MVX_CALL_INLINE
 *            at most (mvx_call_inline()), none otherwise
 *   DATA   0 u32 vid, 4 u32 seq, 8 u32 offset, 12 bytes (1..MVX_DATA_MAX)
 *   END    0 u8 how (enum mvx_end_how), 1..3 zero, 4 i32 code,
 *          8 u32 count     (DIVERGED: the divergences found, >= 1; else 0)
 *   ACK    0 u32 vid, 4 u32 seq
 * The sum of a CALL's buffer lengths is at most MVX_REC_BYTES_MAX, and a
 * DATA's offset + length as well.  A payload whose length is not exactly
 * what its fields say, or with a nonzero pad byte, is refused.
 *
 * A payload comes from another monitor, maybe another partition's kernel:
 * mvx_msg_decode() takes it as hostile and never reads beyond LEN.  No
 * allocation, no global state: builds into the fuzz target and the musl
 * guests. */
#ifndef DUPLEX_MVX_PROTO_H
#define DUPLEX_MVX_PROTO_H

#include <stddef.h>
#include <stdint.h>

enum mvx_msg_type {
	MVX_MSG_CALL = 0x0201,	/* leader -> follower: one syscall */
	MVX_MSG_DATA = 0x0202,	/* leader -> follower: its buffers' bytes */
	MVX_MSG_END = 0x0203,	/* either way: this replica's run is over */
	MVX_MSG_ACK = 0x0204,	/* follower -> leader: syscall checked */
};

/* What a monitored syscall is to the monitors (guest/mvx/policy.c). */
enum mvx_kind {
	MVX_IGNORE = 0,		/* not stopped at all */
	MVX_COMPARE = 1,	/* args and buffers passed compared; runs
				 * everywhere */
	MVX_OUTPUT = 2,		/* as COMPARE, and its result and what the
				 * kernel copies out compared after the call */
	MVX_INPUT = 3,		/* the leader runs it; followers get its result
				 * and output bytes instead of running it */
	MVX_EXTERNAL = 4,	/* as COMPARE, but only the leader runs it (a
				 * write to outside the program); followers get
				 * its result */
	MVX_REFUSE = 5,		/* nobody runs it: -ENOSYS everywhere */
	MVX_KIND_COUNT
};

/* What the fd argument of a syscall designates (policy.c). */
enum mvx_fdclass {
	MVX_FD_NONE = 0,	/* no fd argument */
	MVX_FD_PLAIN = 1,	/* a file, pipe or socket of the program's own */
	MVX_FD_EXTERNAL = 2,	/* inherited from outside the program (stdio) */
	MVX_FD_RANDOM = 3,	/* /dev/urandom, /dev/random */
	MVX_FD_COUNTER = 4,	/* a per-kernel counter: /proc/uptime... */
	MVX_FD_ANON = 5,	/* a pipe, socket or anon inode of the
				 * program's (reads return what is there) */
	MVX_FDCLASS_COUNT
};

enum mvx_buf_role {
	MVX_BUF_IN = 1,		/* passed to the kernel */
	MVX_BUF_OUT = 2,	/* copied out by the kernel */
};

enum mvx_end_how {
	MVX_END_EXITED = 1,	/* the program exited; code: its status */
	MVX_END_SIGNALED = 2,	/* the program was killed; code: the signal */
	MVX_END_DIVERGED = 3,	/* follower: diverged; code: the syscall nr */
	MVX_END_STOPPED = 4,	/* follower: stopped, the leader being gone */
	MVX_END_ERROR = 5,	/* the monitor failed or refused the program */
	MVX_END_HOW_MAX = MVX_END_ERROR
};

/* CALL.nr of a rdtsc/rdtscp the monitor executed for the program; its
 * args[0] is the instruction's length, args[1] rdtscp's TSC_AUX, its
 * result the counter. */
#define MVX_NR_TSC		0xfffeu
/* CALL.nr saying that process vid has ended, after seq syscalls; its
 * result is the wait status. */
#define MVX_NR_GONE		0xfffdu
/* CALL.nr saying that process vid got the asynchronous signal args[0]
 * before its syscall seq (guest/mvx/sigalign.h). */
#define MVX_NR_SIGNAL		0xfffcu

#define MVX_BUFS_MAX		4u
#define MVX_DATA_MAX		16000u	/* + 12 <= WINDOW_MSG_MAX */
#define MVX_REC_BYTES_MAX	(1u << 20)
#define MVX_CALL_FIXED		72u
#define MVX_MSG_MAX		(12u + MVX_DATA_MAX)
/* The most buffer bytes a CALL carries itself. */
#define MVX_CALL_INLINE		(MVX_MSG_MAX - MVX_CALL_FIXED - 8u * MVX_BUFS_MAX)

enum mvx_err {
	MVX_OK = 0,
	MVX_ETYPE = 1,		/* not an mvx_msg_type */
	MVX_ELEN = 2,		/* payload length disagrees with its fields */
	MVX_ERANGE = 3,		/* a field out of bounds, a pad byte not 0 */
	MVX_ESPACE = 4,		/* encode: buffer too small */
};

struct mvx_buf_desc {
	uint8_t role;		/* enum mvx_buf_role */
	uint8_t arg;		/* the argument holding its address */
	uint32_t len;
};

struct mvx_call {
	uint32_t vid, seq;
	uint16_t nr;
	uint8_t kind, fdclass, nbuf;
	uint64_t args[6];
	int64_t result;
	struct mvx_buf_desc buf[MVX_BUFS_MAX];
};

struct mvx_data {
	uint32_t vid, seq, offset, len;
	unsigned char bytes[MVX_DATA_MAX];
};

struct mvx_end {
	uint8_t how;		/* enum mvx_end_how */
	int32_t code;
	uint32_t count;		/* DIVERGED: how many divergences (--continue
				 * reports more than the first) */
};

struct mvx_ack {
	uint32_t vid, seq;
};

struct mvx_msg {
	uint16_t type;		/* enum mvx_msg_type */
	/* CALL: its mvx_call_inline() bytes (decoded: where they are in
	 * the payload; to encode: where to take them from) */
	const unsigned char *bytes;
	union {
		struct mvx_call call;
		struct mvx_data data;
		struct mvx_end end;
		struct mvx_ack ack;
	} u;
};

const char *mvx_strerror(int err);

/* Total bytes of CALL's buffers. */
uint32_t mvx_call_bytes(const struct mvx_call *call);
/* How many of them the CALL carries itself: all, or 0 (DATA messages
 * carry them). */
uint32_t mvx_call_inline(const struct mvx_call *call);

/* Encode *M into BUF (SIZE bytes); *LEN gets the payload length (0 on
 * error).  What the decoder would refuse is MVX_ERANGE. */
int mvx_msg_encode(const struct mvx_msg *m, void *buf, size_t size,
		   size_t *len);

/* Decode the LEN-byte payload BUF of message type TYPE into *M; on error
 * *M is all zero. */
int mvx_msg_decode(uint16_t type, const void *buf, size_t len,
		   struct mvx_msg *m);

#endif
