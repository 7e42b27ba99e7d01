/* sock: where a socket leads.  Data between the program's own processes
 * is compared; data from a socket whose other end is outside the program
 * is an input (the leader's), and what is sent there leaves once, from
 * the leader.  A connect (or a sendto with an address) is looked at
 * before it runs: if a socket of the program listens at the address (or
 * is bound there), it stays inside; otherwise the socket leads outside,
 * only the leader connects it, and from then on its fd is of class
 * EXTERNAL in every replica (policy_fdclass), as stdio is.
 *
 * A connection a server of the program accepts from a client outside
 * it (found at the leader's accept) reaches only the leader: a
 * follower's monitor makes a stand-in connection to its own replica's
 * listener, so that its accept returns too, and the socket leads
 * outside in every replica.
 *
 * A follower runs in a network namespace of its own with only a
 * loopback: the stand-in, on one kernel, for a partition of its own.
 * Each replica's servers and clients meet on their own loopback, and a
 * follower cannot reach outside at all. */
#ifndef DUPLEX_MVX_SOCK_H
#define DUPLEX_MVX_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "mvx_proto.h"
#include "proc.h"

/* The class of call C of process PID, its fd's being FDC, PROCS the
 * replica's processes: for a connect, or a sendto with an address,
 * MVX_FD_ANON if a socket of the program is there (or it is not a
 * network address), else MVX_FD_EXTERNAL (the socket remembered as
 * leading outside).  FDC for any other call. */
enum mvx_fdclass sock_call_class(const struct procs *procs, pid_t pid,
				 const struct tracee_call *c,
				 enum mvx_fdclass fdc);

/* Whether the socket of inode INO leads outside the program. */
bool sock_is_external(unsigned long ino);

/* How many sockets are known to lead outside: it only grows, and when it
 * does, the class of a socket's fd may have changed. */
size_t sock_externals(void);

/* At the exit of the leader's accept of process PID, FD the socket it
 * returned: whether the connection comes from outside the program (no
 * socket of PROCS is at its other end; TCP only).  If so, FD's socket
 * is remembered as leading outside. */
bool sock_accepted_outside(const struct procs *procs, pid_t pid, long fd);

/* A follower, before its accept on the listening socket LISTEN_FD of
 * process PID, of a connection the leader's got from outside: connect
 * to that listener, in the replica's own network, and close at once, so
 * that the accept returns a socket in this replica too (every read of
 * it an input, every write the leader's alone).  0 or -1 (reported). */
int sock_standin(pid_t pid, long listen_fd);

/* Remember the socket that is fd FD of PID as leading outside. */
void sock_mark_external(pid_t pid, long fd);

/* In a replica's helper, before the program: a network namespace of its
 * own, its loopback up.  0 or -1 (errno). */
int sock_own_loopback(void);

#endif
