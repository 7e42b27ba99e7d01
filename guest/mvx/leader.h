/* leader: the role of replica 0 — it runs every syscall and sends each
 * one's record to every follower (inputs with the bytes the kernel gave
 * it), then, when its program has ended, its END, and collects theirs. */
#ifndef DUPLEX_MVX_LEADER_H
#define DUPLEX_MVX_LEADER_H

#include "monitor.h"

extern const struct role_ops leader_ops;

#endif
