/* mvx_div: one syscall divergence as mvx found it, in a structured form
 * that crosses the window: the follower that found it publishes it in its
 * partition's slot (window_mvx_note), the leader prints it on its
 * console, the harness puts it in the results.  Nobody parses console
 * text to learn of a divergence.
 *
 * Wire form, MVX_DIV_SIZE bytes, integers little-endian:
 *    0 u32 vid      (the process, as every replica names it)
 *    4 u32 seq      (its syscall, counted from 0)
 *    8 u32 pid      (the process's pid on the follower's kernel)
 *   12 u16 nr       (x86-64 syscall number, or MVX_NR_TSC)
 *   14 u8 what     (enum mvx_div_what)
 *   15 u8 arg      (ARG: which argument; BUF, BUFARG: the buffer's)
 *   16 u8 replica  (the follower, 1..WINDOW_MAX_PARTITIONS - 1)
 *   17 u8 role     (BUF: enum mvx_buf_role; else 0)
 *   18 u8 nleader, 19 u8 nmine  (BUF: bytes shown, 0..8; else 0)
 *   20 u64 args[6] (the follower's arguments)
 *   68 u64 offset  (BUF: the first byte that differs)
 *   76 u64 leader, 84 u64 mine  (scalars; BUF: the bytes from offset)
 *   92 u32 len_leader, 96 u32 len_mine  (BUF: the buffers' lengths)
 *  100 u32 zero
 * The decoder refuses what is out of bounds, so that a record some
 * partition's kernel wrote can be shown without trusting it. */
#ifndef DUPLEX_MVX_DIV_H
#define DUPLEX_MVX_DIV_H

#include <stddef.h>
#include <stdint.h>

#include "mvx_proto.h"

#define MVX_DIV_SIZE	104u
#define MVX_DIV_SHOW	8u	/* bytes of each buffer shown */
/* Room for mvx_div_format()'s text, both lines. */
#define MVX_DIV_TEXT	512u

/* What differs. */
enum mvx_div_what {
	MVX_DIV_NR = 1,		/* the syscall number */
	MVX_DIV_SEQ = 2,	/* the syscall's sequence number */
	MVX_DIV_FDCLASS = 3,	/* what the fd designates (enum mvx_fdclass) */
	MVX_DIV_KIND = 4,	/* the policy's kind (enum mvx_kind) */
	MVX_DIV_ARG = 5,	/* argument ARG */
	MVX_DIV_NBUF = 6,	/* how many buffers (1: has one more) */
	MVX_DIV_BUFARG = 7,	/* which argument a buffer is at */
	MVX_DIV_BUF = 8,	/* a buffer's bytes, at OFFSET */
	MVX_DIV_RESULT = 9,	/* the result */
	/* A syscall the leader's process never made.  leader: its wait
	 * status, or MVX_DIV_PROGRAM_ENDED. */
	MVX_DIV_EXTRA = 10,
	/* The program ended otherwise.  leader, mine: how << 32 | code of
	 * each END (enum mvx_end_how). */
	MVX_DIV_END = 11,
	/* A signal the leader's process took before this syscall, blocked
	 * here.  leader: the signal number. */
	MVX_DIV_SIGNAL = 12,
	MVX_DIV_WHAT_MAX = MVX_DIV_SIGNAL
};

#define MVX_DIV_PROGRAM_ENDED	UINT64_MAX

struct mvx_div {
	uint32_t vid, seq, pid;
	uint16_t nr;
	uint8_t what, arg, replica, role, nleader, nmine;
	uint64_t args[6];
	uint64_t offset;
	uint64_t leader, mine;		/* scalars, or bytes (BUF) */
	uint32_t len_leader, len_mine;
};

/* Encode *D into MVX_DIV_SIZE bytes at BUF; decode them back: 0, or
 * MVX_ERANGE (a field out of bounds; *D zeroed). */
void mvx_div_encode(const struct mvx_div *d, unsigned char buf[MVX_DIV_SIZE]);
int mvx_div_decode(const unsigned char buf[MVX_DIV_SIZE], struct mvx_div *d);

/* The report for people, two lines, each starting "mvx: " and ending
 * with a newline, into BUF (MVX_DIV_TEXT bytes is always enough):
 *   mvx: DIVERGENCE in replica 1, process 00000000 (pid 42), its syscall
 *        #3: read(0x3, 0x420240, 0x10000, 0x0, 0x0, 0x0)
 *   mvx:   buffer of arg 1 (out, 1385 bytes in the leader, 1385 here) at
 *        byte offset 1383: leader 0x3000, replica 1 0x3100
 * (each one line).  Returns BUF. */
char *mvx_div_format(const struct mvx_div *d, char *buf, size_t size);

/* The name of x86-64 syscall NR ("rdtsc" for MVX_NR_TSC), or
 * "syscall_NR" in BUF when it has none. */
const char *mvx_syscall_name(unsigned nr, char *buf, size_t size);

/* What differs, in a few words ("buffer of arg 1 at byte offset 1383",
 * "result"), into BUF. */
char *mvx_div_what_text(const struct mvx_div *d, char *buf, size_t size);

#endif
