/* sigalign: asynchronous signals delivered before the same syscall in
 * every replica (not at the same instruction: docs/mvx.md).  Today
 * SIGCHLD, when the program catches it (a shell's
 * handler reaps children wherever the signal lands).  The leader
 * records each delivery as a pseudo-syscall (MVX_NR_SIGNAL) numbered
 * with the process's next syscall; a follower holds back its own
 * SIGCHLD and sends its process one where the leader's got it: before
 * that syscall. */
#ifndef DUPLEX_MVX_SIGALIGN_H
#define DUPLEX_MVX_SIGALIGN_H

#include <stdbool.h>
#include <sys/types.h>

/* Whether signal SIG, about to be delivered to process PID, is one whose
 * delivery is aligned: SIGCHLD, caught by the program. */
bool sigalign_applies(pid_t pid, int sig);

#endif
