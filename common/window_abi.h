/* window_abi: the byte layout of the window, the shared memory through
 * which the partitions of one machine and the host harness talk (an
 * ivshmem-plain BAR in every guest, one file on the host).  This header is
 * the contract between binaries built apart (the glibc harness, the static
 * musl guest programs), so everything here is fixed: sizes, offsets, field
 * widths, code values.  Changing any of it means a new WINDOW_ABI_VERSION.
 * docs/window.md is the prose version, with who writes each field.
 *
 * Little-endian only (both ends are x86-64): the structures are native and
 * the build refuses a big-endian target; the ring message header, a byte
 * stream, is encoded explicitly.  Fields two parties synchronise on are C11
 * atomics, lock-free, with the size and alignment of the plain integer. */
#ifndef DUPLEX_WINDOW_ABI_H
#define DUPLEX_WINDOW_ABI_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
	       "the window ABI is little-endian");
_Static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
	       "window atomics must be lock-free to work across VMs");
_Static_assert(sizeof(_Atomic uint32_t) == 4 && sizeof(_Atomic uint64_t) == 8,
	       "window atomics must have the size of the plain integers");

#define WINDOW_MAGIC		UINT64_C(0x4e5758454c505544)	/* "DUPLEXWN" */
#define WINDOW_ABI_VERSION	3u

#define WINDOW_MAX_PARTITIONS	8u
#define WINDOW_CACHE_LINE	64u
#define WINDOW_CMDLINE_MAX	512u	/* with its NUL */
#define WINDOW_REASON_MAX	256u	/* with its NUL */
#define WINDOW_MVX_RECORD	104u	/* a divergence record (mvx_div.h) */

/* Regions, in order.  The layout is the same whatever the partition
 * count: slots and rings exist for WINDOW_MAX_PARTITIONS partitions, and
 * those of absent partitions stay zero. */
#define WINDOW_HEADER_SIZE	4096u
#define WINDOW_SLOTS_OFFSET	WINDOW_HEADER_SIZE
#define WINDOW_SLOT_SIZE	1024u
#define WINDOW_RINGS_OFFSET	(WINDOW_SLOTS_OFFSET + \
				 WINDOW_MAX_PARTITIONS * WINDOW_SLOT_SIZE)
#define WINDOW_RING_COUNT	(WINDOW_MAX_PARTITIONS * (WINDOW_MAX_PARTITIONS - 1))
#define WINDOW_RING_DATA	65536u	/* power of two: positions are masked */
#define WINDOW_RING_SIZE	(2 * WINDOW_CACHE_LINE + WINDOW_RING_DATA)
#define WINDOW_USED_SIZE	(WINDOW_RINGS_OFFSET + \
				 WINDOW_RING_COUNT * WINDOW_RING_SIZE)
/* ivshmem-plain wants a power-of-two size; the tail past
 * WINDOW_USED_SIZE is reserved and zero. */
#define WINDOW_SIZE		(4u << 20)

_Static_assert(WINDOW_USED_SIZE <= WINDOW_SIZE, "window layout overflows");
_Static_assert((WINDOW_SIZE & (WINDOW_SIZE - 1)) == 0, "window size not 2^n");
_Static_assert((WINDOW_RING_DATA & (WINDOW_RING_DATA - 1)) == 0,
	       "ring data size not 2^n");

/* Ring messages: a 16-byte header, then LEN payload bytes, then zero
 * padding up to the next multiple of WINDOW_MSG_ALIGN.  All little-endian:
 *   0 u16 type   (1..0xffff, application-defined; 0 never valid)
 *   2 u16 flags  (0 in ABI version 1)
 *   4 u32 len    (payload bytes, 0..WINDOW_MSG_MAX)
 *   8 u32 seq    (0 for the first message of a ring, then +1 each)
 *  12 u32 crc    (CRC-32/IEEE of header bytes 0..11, then the payload) */
#define WINDOW_MSG_HEADER	16u
#define WINDOW_MSG_ALIGN	8u
#define WINDOW_MSG_MAX		16384u

/* Partition states, written by the host only (see docs/window.md for the
 * transitions).  WINDOW_STATE_INVALID is never stored: readers return it
 * for a value out of range. */
enum window_state {
	WINDOW_STATE_OFF = 0,		/* never booted in this run */
	WINDOW_STATE_BOOT_REQUESTED = 1,	/* accepted, domain not started */
	WINDOW_STATE_BOOTING = 2,	/* domain running, guest not up yet */
	WINDOW_STATE_UP = 3,		/* guest announced itself */
	WINDOW_STATE_HALTED = 4,	/* domain stopped */
	WINDOW_STATE_PANICKED = 5,	/* kernel panic seen */
	WINDOW_STATE_INVALID = 255,
};

/* Result codes of every window function, and the status the host writes in
 * a boot response (0: accepted).  The values are part of the ABI. */
enum window_err {
	WINDOW_OK = 0,
	WINDOW_EINVAL = 1,		/* bad argument from the caller */
	WINDOW_ESIZE = 2,		/* mapping smaller than the window */
	WINDOW_EMAGIC = 3,
	WINDOW_EVERSION = 4,
	WINDOW_ELAYOUT = 5,		/* header layout fields disagree */
	WINDOW_EPARTS = 6,		/* partition count not 1..8 */
	WINDOW_EFULL = 7,
	WINDOW_EEMPTY = 8,
	WINDOW_ETOOBIG = 9,		/* message larger than the buffer */
	WINDOW_ECORRUPT = 10,		/* ring head/tail impossible */
	WINDOW_EMSGLEN = 11,
	WINDOW_ECRC = 12,
	WINDOW_ESEQ = 13,
	WINDOW_EMSG = 14,		/* bad type or flags */
	WINDOW_ENOREQ = 15,		/* no boot request pending */
	WINDOW_EPENDING = 16,		/* boot request not answered yet */
	WINDOW_ETARGET = 17,		/* no such partition */
	WINDOW_EBUSY = 18,		/* target already booting or up */
	WINDOW_ECMDLONG = 19,
	WINDOW_ECMDCHAR = 20,
	WINDOW_ECMDPARAM = 21,		/* argument not on the allow-list */
	WINDOW_EREFUSED = 22,		/* host's own reason, in the slot */
	WINDOW_ESTATE = 23,		/* transition not allowed */
	WINDOW_ERR_COUNT
};

/* Offset 0.  Written once by the host before any guest starts.  The
 * layout fields repeat the constants above so that a dump explains itself
 * and a reader built for another layout refuses the window. */
struct window_header {
	uint64_t magic;
	uint32_t abi_version;
	uint32_t partitions;		/* 1..WINDOW_MAX_PARTITIONS */
	uint64_t size;			/* WINDOW_SIZE */
	uint32_t max_partitions;
	uint32_t slots_offset;
	uint32_t slot_size;
	uint32_t rings_offset;
	uint32_t ring_size;
	uint32_t ring_data_size;
	uint8_t reserved[WINDOW_HEADER_SIZE - 48];
};

/* One per partition K.  The first part is the host's, the second the
 * guest's (partition K's own); each field has exactly one writer.  A boot
 * request is written by the requesting partition in its own slot. */
struct window_slot {
	/* Host-written. */
	_Atomic uint32_t state;		/* enum window_state */
	_Atomic uint32_t boot_gen;	/* +1 each time K enters BOOTING */
	_Atomic uint32_t resp_seq;	/* = req_seq answered; published last */
	uint32_t resp_status;		/* enum window_err, 0: accepted */
	char reason[WINDOW_REASON_MAX];	/* why refused; NUL-terminated */
	uint8_t host_pad[320 - 16 - WINDOW_REASON_MAX];

	/* Guest-written (partition K). */
	_Atomic uint64_t heartbeat;	/* incremented while alive */
	_Atomic uint32_t up_gen;	/* = boot_gen once up */
	_Atomic uint32_t req_seq;	/* +1 per request; published last */
	uint32_t req_target;		/* partition to boot */
	uint32_t guest_reserved;
	char cmdline[WINDOW_CMDLINE_MAX];	/* extra arguments, NUL-terminated */
	/* Replication (repd): a partition leading a session publishes it
	 * here; the members' repd find it here, so no repd touches a ring
	 * while no session runs.  The counters are for the harness. */
	_Atomic uint32_t rep_session;	/* nonzero while K leads one */
	_Atomic uint32_t rep_members;	/* bit P: partition P is in it */
	_Atomic uint32_t rep_divergences;	/* divergent lines, since boot */
	_Atomic uint32_t rep_lines;	/* lines compared, since boot */
	/* Lockstep runs (mvx, through repd): a partition leading one
	 * publishes it; a partition running a follower says in which run.
	 * The last divergence a follower here found is kept for the
	 * harness, which reads it when the count moves. */
	_Atomic uint32_t mvx_session;	/* nonzero while K leads a run */
	_Atomic uint32_t mvx_members;	/* bit P: P follows it */
	_Atomic uint32_t mvx_follow;	/* the run K follows, 0: none */
	_Atomic uint32_t mvx_runs;	/* followers started on K, since boot */
	_Atomic uint32_t mvx_divergences;	/* found on K, since boot */
	uint32_t mvx_reserved;
	uint8_t mvx_last[WINDOW_MVX_RECORD];	/* the last one found */
	uint8_t guest_pad[WINDOW_SLOT_SIZE - 320 - 24 - WINDOW_CMDLINE_MAX -
			  16 - 24 - WINDOW_MVX_RECORD];
};

/* One per ordered pair (FROM, TO), FROM != TO, at index
 * FROM * (WINDOW_MAX_PARTITIONS - 1) + (TO < FROM ? TO : TO - 1).
 * head and tail count bytes since the ring was formatted (mod 2^32); the
 * byte at count C lives at data[C % WINDOW_RING_DATA]. */
struct window_ring {
	/* Producer-written (FROM). */
	_Atomic uint32_t head;		/* end of the last message published */
	uint32_t next_seq;		/* seq of the next message pushed */
	uint8_t producer_pad[WINDOW_CACHE_LINE - 8];

	/* Consumer-written (TO). */
	_Atomic uint32_t tail;		/* end of the last message consumed */
	uint32_t expect_seq;		/* seq the next message must carry */
	uint8_t consumer_pad[WINDOW_CACHE_LINE - 8];

	uint8_t data[WINDOW_RING_DATA];	/* written by FROM only */
};

_Static_assert(sizeof(struct window_header) == WINDOW_HEADER_SIZE, "header");
_Static_assert(offsetof(struct window_header, size) == 16, "header.size");
_Static_assert(offsetof(struct window_header, ring_data_size) == 44,
	       "header.ring_data_size");
_Static_assert(sizeof(struct window_slot) == WINDOW_SLOT_SIZE, "slot");
_Static_assert(offsetof(struct window_slot, reason) == 16, "slot.reason");
_Static_assert(offsetof(struct window_slot, heartbeat) == 320,
	       "slot guest part on its own cache line");
_Static_assert(offsetof(struct window_slot, req_target) == 336,
	       "slot.req_target");
_Static_assert(offsetof(struct window_slot, cmdline) == 344, "slot.cmdline");
_Static_assert(offsetof(struct window_slot, rep_session) == 856,
	       "slot.rep_session");
_Static_assert(offsetof(struct window_slot, mvx_session) == 872,
	       "slot.mvx_session");
_Static_assert(offsetof(struct window_slot, mvx_last) == 896, "slot.mvx_last");
_Static_assert(sizeof(struct window_ring) == WINDOW_RING_SIZE, "ring");
_Static_assert(offsetof(struct window_ring, tail) == WINDOW_CACHE_LINE,
	       "ring tail on its own cache line");
_Static_assert(offsetof(struct window_ring, data) == 2 * WINDOW_CACHE_LINE,
	       "ring data after the two index lines");
_Static_assert(WINDOW_RINGS_OFFSET % WINDOW_CACHE_LINE == 0 &&
	       WINDOW_RING_SIZE % WINDOW_CACHE_LINE == 0,
	       "every ring starts on a cache line");
_Static_assert(WINDOW_RING_DATA % WINDOW_MSG_ALIGN == 0 &&
	       WINDOW_MSG_HEADER % WINDOW_MSG_ALIGN == 0,
	       "messages stay aligned across the wrap");
_Static_assert(3 * (WINDOW_MSG_HEADER + WINDOW_MSG_MAX) <= WINDOW_RING_DATA,
	       "a ring holds at least three messages of the maximum size");

#endif
