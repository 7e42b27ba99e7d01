/* sigalign: asynchronous signals delivered at the same point in every
 * replica.  Today SIGCHLD, when the program catches it (a shell's
 * handler reaps children wherever the signal lands).
 *
 * The leader delivers one that lands in the program's own code (or as a
 * syscall returns) at its next monitored syscall instead: that syscall
 * is skipped, the signal sent, and the syscall made again once the
 * handler has returned (the syscall instruction again, rip -= 2), so
 * the handler runs at a point every replica reaches.  If the program
 * blocks the signal by then, it is sent and stays pending until the
 * program unblocks it, the same point everywhere.  One that interrupts
 * a blocking syscall is delivered there.  Either way the leader records it as a
 * pseudo-syscall (MVX_NR_SIGNAL: args[0] the signal, args[1] 1 if at a
 * syscall's entry) numbered with the syscall it comes before.  A
 * follower holds back its own and delivers the leader's at the same
 * place. */
#ifndef DUPLEX_MVX_SIGALIGN_H
#define DUPLEX_MVX_SIGALIGN_H

#include <stdbool.h>
#include <sys/types.h>

#include "monitor.h"

/* Whether signal SIG, about to be delivered to process PID, is one whose
 * delivery is aligned: SIGCHLD, caught by the program. */
bool sigalign_applies(pid_t pid, int sig);

/* Whether PID, at a signal-delivery stop, is in a syscall the signal
 * interrupted (a blocking one). */
bool sigalign_interrupted(pid_t pid);

/* P, stopped at the syscall (or rdtsc) it has begun: signal SIG (0: one
 * sent already) delivered first.  The call is not counted; it is
 * skipped and made again after the handler: 0, or -1.  If the program
 * blocks the signal, it is only sent (delivered where the program
 * unblocks it): 1, the call to go on as usual. */
int sigalign_first(struct monitor *m, struct proc *p, int sig);

/* At the exit stop of a call skipped so (p->rewind): the syscall
 * instruction again.  0 or -1. */
int sigalign_rewind(struct proc *p);

#endif
