/* window: the functions both ends use on the window of window_abi.h — the
 * host harness (format, partition states, boot requests) and the guest
 * programs (attach, heartbeat, boot requests, rings).
 *
 * The window is hostile input: any partition's kernel can write anywhere
 * in it at any time.  Every function reads a shared field once, into a
 * local copy, and checks the copy; no value read from the window can make
 * a function touch memory outside [base, base + WINDOW_SIZE) or a caller's
 * buffer beyond its size.  A bad value is reported as an error code.
 *
 * No allocation, no global state, nothing beyond the C library and C11
 * atomics: this file builds into the glibc harness and the musl guests.
 * Every function returning int returns 0 or an enum window_err code;
 * window_strerror() gives a short text for it. */
#ifndef DUPLEX_WINDOW_H
#define DUPLEX_WINDOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "window_abi.h"

/* A process's view of one window.  partitions is copied at format/attach
 * time and never re-read, so a partition rewriting the header cannot
 * widen anyone's bounds. */
struct window {
	unsigned char *base;		/* WINDOW_CACHE_LINE-aligned */
	unsigned partitions;
};

/* A boot request as the host read it, NUL-terminated even when refused. */
struct window_boot_req {
	uint32_t seq;
	uint32_t target;
	enum window_state target_state;	/* as seen when read */
	char cmdline[WINDOW_CMDLINE_MAX];
	size_t bad_at;			/* offset of the offending byte */
};

const char *window_strerror(int err);
const char *window_state_name(enum window_state state);

/* Host: zero the first WINDOW_SIZE of the SIZE bytes at BASE (a fresh
 * window file, before any guest maps it) and write the header for
 * PARTITIONS (1..WINDOW_MAX_PARTITIONS) partitions, all OFF.  Fills *W
 * like window_attach(). */
int window_format(struct window *w, void *base, size_t size,
		  unsigned partitions);

/* Anyone: check the header of the SIZE bytes at BASE (magic, version,
 * layout, partition count) and fill *W.  BASE must be aligned to
 * WINDOW_CACHE_LINE (any mmap() is). */
int window_attach(struct window *w, void *base, size_t size);

/* Partition states.  window_slot_state() returns WINDOW_STATE_INVALID for
 * a bad index or a value out of range.  Host only:
 * window_slot_set_state() refuses a transition docs/window.md does not
 * allow (WINDOW_ESTATE), and counts boots on entering BOOTING. */
enum window_state window_slot_state(const struct window *w, unsigned part);
int window_slot_set_state(struct window *w, unsigned part,
			  enum window_state state);
/* May a partition go from state FROM to TO (docs/window.md)? */
bool window_state_change_ok(enum window_state from, enum window_state to);

/* Host only, for a host that keeps the truth in its own memory (guests
 * can write anywhere in the window): write PART's state and boot count
 * as they are, and read back what the slot holds now, to see whether a
 * guest overwrote them. */
int window_slot_publish(struct window *w, unsigned part,
			enum window_state state, uint32_t boot_gen);
uint32_t window_slot_boot_gen(const struct window *w, unsigned part);
/* PART's up_gen: the boot count in which it last said it is up. */
uint32_t window_slot_up_gen(const struct window *w, unsigned part);

/* Guest SELF: bump its heartbeat; say it is up in the current boot (its
 * up_gen becomes the slot's boot_gen).  Host: read a heartbeat (0 for a
 * bad index). */
int window_heartbeat(struct window *w, unsigned self);
uint64_t window_slot_heartbeat(const struct window *w, unsigned part);
int window_announce_up(struct window *w, unsigned self);

/* Replicated sessions.  Guest SELF (the leader): publish session SESSION
 * (0: none) with MEMBERS (bit P: partition P), or add to its counters.
 * Anyone: read partition PART's published session and counters (all 0
 * for a bad index). */
int window_rep_publish(struct window *w, unsigned self, uint32_t session,
		       uint32_t members);
int window_rep_count(struct window *w, unsigned self, uint32_t lines,
		     uint32_t divergences);
uint32_t window_rep_session(const struct window *w, unsigned part,
			    uint32_t *members);
void window_rep_counters(const struct window *w, unsigned part,
			 uint32_t *lines, uint32_t *divergences);

/* Lockstep runs (mvx; docs/mvx.md).  Guest SELF (its repd): publish the
 * run SESSION (0: none) it leads, followed by the partitions in MEMBERS;
 * say which run (0: none) a follower on SELF runs in (a new one counts
 * in mvx_runs).  Anyone: read them (0 for a bad index). */
int window_mvx_lead(struct window *w, unsigned self, uint32_t session,
		    uint32_t members);
int window_mvx_follow(struct window *w, unsigned self, uint32_t session);
uint32_t window_mvx_session(const struct window *w, unsigned part,
			    uint32_t *members);
uint32_t window_mvx_following(const struct window *w, unsigned part);
/* Guest SELF (a follower): keep the divergence record REC
 * (WINDOW_MVX_RECORD bytes) and count it.  Anyone: PART's counts, and a
 * copy of its last record (REC: WINDOW_MVX_RECORD bytes) taken while the
 * count did not move; WINDOW_EBUSY if it kept moving. */
int window_mvx_note(struct window *w, unsigned self, const void *rec);
void window_mvx_counters(const struct window *w, unsigned part,
			 uint32_t *runs, uint32_t *divergences);
int window_mvx_last(const struct window *w, unsigned part, void *rec);

/* Guest SELF: ask the host to boot TARGET with the extra kernel arguments
 * CMDLINE.  One longer than WINDOW_CMDLINE_MAX - 1 bytes is published
 * cut and unterminated, for the host to refuse (WINDOW_ECMDLONG) and log.
 * Only one request may be in flight (WINDOW_EPENDING).  *SEQ identifies it for
 * window_boot_response(), which returns WINDOW_EPENDING until the host
 * has answered, then 0 with *STATUS (0: accepted, else the refusal code)
 * and REASON (REASON_SIZE bytes, printable, NUL-terminated). */
int window_boot_request(struct window *w, unsigned self, unsigned target,
			const char *cmdline, uint32_t *seq);
int window_boot_response(const struct window *w, unsigned self, uint32_t seq,
			 int *status, char *reason, size_t reason_size);

/* Host: read the request in FROM's slot.  WINDOW_ENOREQ: none pending.
 * 0: *REQ is a valid request to a partition that is OFF, HALTED or
 * PANICKED.  Any other code: *REQ is filled as far as read, and the host
 * answers with that code (window_boot_describe() words the reason). */
int window_boot_request_pending(const struct window *w, unsigned from,
				struct window_boot_req *req);
/* Host: answer request SEQ of FROM with STATUS and REASON (NULL: none;
 * truncated to WINDOW_REASON_MAX - 1 bytes). */
int window_boot_respond(struct window *w, unsigned from, uint32_t seq,
			int status, const char *reason);
/* Host: a reason for refusing REQ with ERR, for people, e.g. "partition 7
 * does not exist (machine has 2)". */
void window_boot_describe(const struct window *w, int err,
			  const struct window_boot_req *req, char *buf,
			  size_t size);

/* Rings.  Push: copy one message of LEN <= WINDOW_MSG_MAX bytes with TYPE
 * (non-zero) into the ring FROM -> TO, or WINDOW_EFULL without writing.
 * Pop: take the oldest message into BUF; WINDOW_EEMPTY when there is none;
 * WINDOW_ETOOBIG (with *TYPE and *LEN set, message kept) when BUFSIZE is
 * too small.  Any other error means the ring is corrupt: the message
 * stays, every later pop fails the same way, and the session is over. */
int window_ring_push(struct window *w, unsigned from, unsigned to,
		     uint16_t type, const void *data, size_t len);
int window_ring_pop(struct window *w, unsigned from, unsigned to,
		    uint16_t *type, void *buf, size_t bufsize, size_t *len);

#endif
