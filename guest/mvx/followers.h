/* followers: the leader's side of its channels to the followers — the
 * records it sends, what they answer (ACKs, an early END), and in strict
 * lockstep each process held at its call until every follower has
 * checked it.  A held process never holds the others: the monitor goes on
 * serving their stops, since a follower's process may need another's
 * record first (a client's connect before the server's accept returns). */
#ifndef DUPLEX_MVX_FOLLOWERS_H
#define DUPLEX_MVX_FOLLOWERS_H

#include "monitor.h"

/* How long the leader waits for a follower's ACK or END. */
#define LEADER_WAIT_MS 5000
/* While its program makes no syscall (a sleep), the leader looks at its
 * followers this often, so that one gone is seen within seconds. */
#define LEADER_WATCH_MS 500

/* Send R to every follower still listening; one that took nothing for
 * TRANSPORT_SEND_MS, or is gone, is dropped with a message. */
void followers_broadcast(struct monitor *m, const struct record *r);

/* P's call (p->mine) has been sent: P goes on to its next syscall at
 * once in loose lockstep, once every follower still listening has
 * acknowledged it in strict.  0 or -1. */
int followers_then(struct monitor *m, struct proc *p);

/* Between stops: wait for a SIGCHLD on m->sigfd or a follower's message,
 * LEADER_WATCH_MS at most; take what the followers sent; a follower
 * that leaves a process waiting for its ACK past LEADER_WAIT_MS is
 * dropped as hung.  0 or -1. */
int followers_wait(struct monitor *m);

/* Whether no follower listens any more, and one at least gave no
 * verdict: the run has lost its followers. */
bool followers_lost(const struct monitor *m);

/* The program has ended (m->end): tell the followers, and wait while
 * each says it is coming for its END (LEADER_WAIT_MS of silence at most). */
void followers_finish(struct monitor *m);

#endif
