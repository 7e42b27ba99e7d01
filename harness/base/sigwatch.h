/* sigwatch: turns SIGINT, SIGTERM and SIGHUP into an event that the wait
 * loops poll on (a self-pipe), so that every wait can end in an orderly
 * teardown instead of a dead process with domains left behind. */
#ifndef DUPLEX_SIGWATCH_H
#define DUPLEX_SIGWATCH_H

/* Handlers without SA_RESTART: a blocking call returns EINTR and its loop
 * looks at sigwatch_pending().  Idempotent. */
int sigwatch_install(void);
/* In a child just after fork: a pipe of its own instead of the one it
 * shares with its parent, nothing pending. */
int sigwatch_fork_child(void);
/* Readable once a signal has arrived; -1 before sigwatch_install. */
int sigwatch_fd(void);
/* The signal that arrived, or 0. */
int sigwatch_pending(void);
/* Empty the pipe, keeping the signal pending: a loop that goes on after
 * a signal (a teardown waiting for children) polls the pipe to sleep, and
 * would spin on a pipe left readable. */
void sigwatch_drain(void);

#endif
