/* record: one monitored syscall as the monitors exchange it — the CALL
 * (number, arguments, result, buffer descriptors) and the bytes of its
 * buffers — built from a stopped process by the policy, sent as CALL +
 * DATA messages, received and reassembled. */
#ifndef DUPLEX_MVX_RECORD_H
#define DUPLEX_MVX_RECORD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mvx_proto.h"
#include "policy.h"
#include "tracee.h"
#include "transport.h"

struct record {
	struct mvx_call call;
	unsigned char *data;	/* mvx_call_bytes(&call) bytes */
	size_t cap;		/* allocated at data */
	struct record *next;	/* a follower's queue */
};

void record_init(struct record *r);
/* Give up R's data (kept for the next record that needs a buffer). */
void record_free(struct record *r);

/* Start R afresh (its data's memory kept): the CALL for C, made by
 * process VID as its syscall SEQ, of kind KIND with fd class FDC.  Then
 * add the buffers of E of ROLE: the IN ones at entry, the OUT ones after
 * the call, when RESULT is known (0, or -1: out of memory). */
void record_start(struct record *r, uint32_t vid, uint32_t seq,
		  const struct tracee_call *c, enum mvx_kind kind,
		  enum mvx_fdclass fdc);
int record_add_bufs(struct record *r, pid_t pid, const struct pol_entry *e,
		    enum mvx_buf_role role, int64_t result);

/* Write the OUT buffers of R (the leader's) into process PID at the
 * addresses its own arguments ARGS give: 0 or -1. */
int record_apply_out(const struct record *r, pid_t pid,
		     const struct pol_entry *e, const uint64_t args[6]);

/* Send R: 0 or -1 (errno from the transport). */
int record_send(struct transport *t, const struct record *r);

/* Send END E, or the ACK of the syscall SEQ of process VID: 0 or -1. */
int record_send_end(struct transport *t, const struct mvx_end *e);
int record_send_ack(struct transport *t, uint32_t vid, uint32_t seq);

/* What a message other than a CALL said. */
struct record_ctl {
	struct mvx_end end;
	struct mvx_ack ack;
};

/* Receive one message; a CALL with all its DATA into *R (allocated, for
 * record_free()), an END or ACK into *CTL.  0 (*TYPE says which), 1
 * (timeout), -1 (errno; EPROTO: the stream is corrupt). */
int record_recv(struct transport *t, uint16_t *type, struct record **r,
		struct record_ctl *ctl, int timeout_ms);

/* Byte offset into R's data of buffer I. */
size_t record_buf_at(const struct record *r, unsigned i);

#endif
