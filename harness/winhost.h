/* winhost: the host's side of the window, i.e. the machine's firmware.  It
 * maps the run's window file, formats it, answers boot requests (validated
 * by common/window.c, refused with a reason the guest prints), moves
 * partitions through their states and logs every change with a time stamp.
 * Starting domains is the caller's (machine) job. */
#ifndef DUPLEX_WINHOST_H
#define DUPLEX_WINHOST_H

#include <stdbool.h>

#include "window.h"

struct winhost {
	void *base;
	struct window w;
};

/* Map the window file PATH (at least WINDOW_SIZE bytes) and format it for
 * PARTITIONS partitions.  0 or -1 (reported). */
int winhost_open(struct winhost *h, const char *path, unsigned partitions);
void winhost_close(struct winhost *h);

/* Look at every slot for a new boot request.  An invalid one is refused
 * (the slot says why, the harness log too) and the next slot is looked
 * at; a valid one is accepted (target BOOT_REQUESTED) and returned: 1 with
 * *TARGET and the extra arguments in CMDLINE (CMDLINE_SIZE bytes).  0 when
 * no request is pending. */
int winhost_next_boot(struct winhost *h, unsigned *target, char *cmdline,
		      size_t cmdline_size);

/* Record a partition's state (host-side events: domain started, ended,
 * panicked).  Logs the change. */
void winhost_set_state(struct winhost *h, unsigned part,
		       enum window_state state);

/* Promote BOOTING partitions that announced themselves to UP.  Returns how
 * many changed. */
unsigned winhost_update(struct winhost *h);

#endif
