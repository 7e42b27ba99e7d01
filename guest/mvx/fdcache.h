/* fdcache: the class of each fd of a traced process (policy_fdclass),
 * looked up once and kept until the fd is closed or replaced, instead of
 * a stat and a readlink of /proc/PID/fd/N at every monitored syscall.
 *
 * A class is a property of the open file, fixed for its life
 * (policy.h), with one exception that the cache checks itself: a socket
 * becomes EXTERNAL when a connect or accept finds it leading outside
 * (sock.h).  So an entry stays right as long as its fd number names the
 * same open file, and it is kept only for an fd that was open when it
 * was looked up: a call that creates an fd only ever takes a number that
 * was free, which has no entry.  What may close an open fd or put
 * another file at its number (close, close_range, dup2, dup3, an exec's
 * close-on-exec, an ioctl: a driver may) forgets it before the process
 * takes another step.  A process whose fd table is shared with another
 * (clone with CLONE_FILES) is never cached: the other may close its fds
 * between two of its stops. */
#ifndef DUPLEX_MVX_FDCACHE_H
#define DUPLEX_MVX_FDCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "mvx_proto.h"
#include "tracee.h"

/* The fds cached (0..FDCACHE_FDS - 1); a higher one is looked up each
 * time. */
#define FDCACHE_FDS 256

struct fdcache {
	uint8_t cls[FDCACHE_FDS];	/* enum mvx_fdclass, 0: not known */
	size_t externals;		/* sock_externals() when filled */
	bool shared;			/* the fd table is another's too */
};

/* The class of fd FD of process PID, whose cache is C. */
enum mvx_fdclass fdcache_class(struct fdcache *c, pid_t pid, long fd);

/* Forget every fd of C (an exec). */
void fdcache_clear(struct fdcache *c);

/* Call CALL is about to run in the process of cache C: forget the fds it
 * may close or replace.  True if it may change the fds of other
 * processes too (an ioctl): then every process's cache is to be
 * cleared. */
bool fdcache_before(struct fdcache *c, const struct tracee_call *call);

#endif
