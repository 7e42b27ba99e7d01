/* winhost: the host's side of the window, i.e. the machine's firmware.  It
 * maps the run's window file, formats it, answers boot requests (validated
 * by common/window.c, refused with a reason the guest prints), moves
 * partitions through their states, logs every change with a time stamp and
 * watches the heartbeat of every partition that is UP.  Starting domains
 * is the caller's (machine) job. */
#ifndef DUPLEX_WINHOST_H
#define DUPLEX_WINHOST_H

#include <stdbool.h>
#include <stdint.h>

#include "base/base.h"
#include "window.h"

_Static_assert(DUPLEX_MAX_PARTITIONS <= WINDOW_MAX_PARTITIONS,
	       "the window has a slot for every partition a profile may have");

/* How long an UP partition's heartbeat (partd: every 100 ms) may stand
 * still before the partition counts as hung.  Generous: TCG guests on a
 * loaded 2-core host stall for seconds at a time, and a false alarm ends
 * a scenario. */
#define WINHOST_SILENCE_MS 20000

/* The host's record of one partition's heartbeat while its slot is UP. */
struct winhost_beat {
	bool watching;		/* the slot was UP at the last look */
	bool reported;		/* this silence was already reported */
	uint64_t value;		/* the heartbeat last seen */
	int64_t changed_ms;	/* when it last changed, or the slot entered UP */
};

/* The host's truth about one partition, in the host's memory: the window
 * holds a copy for the guests, which any guest could overwrite. */
struct winhost_part {
	enum window_state state;
	uint32_t boot_gen;	/* +1 each time it enters BOOTING */
	bool overwrite_logged;	/* a guest's overwrite of the copy was said */
};

struct winhost {
	void *base;
	struct window w;
	struct winhost_part part[WINDOW_MAX_PARTITIONS];
	struct winhost_beat beat[WINDOW_MAX_PARTITIONS];
};

/* Map the window file PATH (at least WINDOW_SIZE bytes) and format it for
 * PARTITIONS partitions.  0 or -1 (reported). */
int winhost_open(struct winhost *h, const char *path, unsigned partitions);
void winhost_close(struct winhost *h);

/* Whether the host can start partition TARGET now, from what the host
 * knows itself (never from the window); if not, why in WHY (SIZE bytes). */
typedef bool (*winhost_startable_fn)(void *ctx, unsigned target, char *why,
				     size_t size);

/* Look at every slot for a new boot request.  An invalid one, or one
 * STARTABLE refuses, is refused (the slot says why, the harness log too)
 * and the next slot is looked at; a valid one is accepted (target
 * BOOT_REQUESTED) and returned: 1 with *TARGET and the extra arguments in
 * CMDLINE (CMDLINE_SIZE bytes).  0 when no request is pending. */
int winhost_next_boot(struct winhost *h, unsigned *target, char *cmdline,
		      size_t cmdline_size, winhost_startable_fn startable,
		      void *ctx);

/* Record a partition's state (host-side events: domain started, ended,
 * panicked) in the host's memory and publish it in the window.  Logs the
 * change; a change docs/window.md does not allow is ignored. */
void winhost_set_state(struct winhost *h, unsigned part,
		       enum window_state state);
/* The state of PART as the host knows it (never read from the window). */
enum window_state winhost_state(const struct winhost *h, unsigned part);

/* Compare the window's copy of every partition's host-owned fields
 * (state, boot count) with the host's: a guest's overwrite is logged
 * once per partition, with the partition that most likely wrote it, and
 * undone.  Returns how many were overwritten.  winhost_update and
 * winhost_next_boot call it before they read the window. */
unsigned winhost_guard(struct winhost *h);

/* Promote BOOTING partitions that announced themselves (up_gen equal to
 * the host's own boot count) to UP.  Returns how many changed. */
unsigned winhost_update(struct winhost *h);

/* One look at a partition's heartbeat, VALUE, at NOW (ms, monotonic),
 * with UP whether its slot is UP: true when it has not changed for
 * WINHOST_SILENCE_MS, once per silence.  A slot that (re)enters UP, or a
 * heartbeat that moves again, starts the count afresh. */
bool winhost_beat_silent(struct winhost_beat *b, bool up, uint64_t value,
			 int64_t now);

/* Look at every partition's heartbeat at NOW (ms): true with *PART for
 * the first UP partition that has just gone silent (winhost_beat_silent). */
bool winhost_silent(struct winhost *h, int64_t now, unsigned *part);

#endif
