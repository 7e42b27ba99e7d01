/* window_slot: the partition slots, for the files that make up the
 * window module (window.c, window_session.c); not part of its contract
 * (window.h). */
#ifndef DUPLEX_WINDOW_SLOT_H
#define DUPLEX_WINDOW_SLOT_H

#include "window.h"

/* PART's slot; NULL for a partition the machine does not have. */
struct window_slot *window_slot_at(const struct window *w, unsigned part);

#endif
