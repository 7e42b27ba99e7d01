/* fdcache: an array of classes indexed by fd.  What a call forgets is
 * decided from its arguments at its entry stop, before it runs: its
 * process's next lookup is made at a later stop, after the change (and
 * a call restarted after a signal's handler is looked at again:
 * monitor.c). */
#include "fdcache.h"
#include "policy.h"
#include "sock.h"

#include <string.h>
#include <sys/syscall.h>

void fdcache_clear(struct fdcache *c)
{
	memset(c->cls, 0, sizeof(c->cls));
}

enum mvx_fdclass fdcache_class(struct fdcache *c, pid_t pid, long fd)
{
	enum mvx_fdclass cls;
	bool cached = !c->shared && fd >= 0 && fd < FDCACHE_FDS;

	/* A socket found leading outside since the entries were made: one
	 * of them may be it. */
	if (c->externals != sock_externals()) {
		fdcache_clear(c);
		c->externals = sock_externals();
	}
	if (cached && c->cls[fd])
		return (enum mvx_fdclass)c->cls[fd];
	cls = policy_fdclass(pid, fd);
	/* Not open: no entry, so that the fd a later call creates there is
	 * looked up. */
	if (cls == MVX_FD_NONE)
		return MVX_FD_PLAIN;
	if (cached)
		c->cls[fd] = (uint8_t)cls;
	return cls;
}

/* Forget fds LO..HI: the kernel takes fd numbers as unsigned int. */
static void forget(struct fdcache *c, uint64_t lo, uint64_t hi)
{
	uint32_t from = (uint32_t)lo, to = (uint32_t)hi;

	if (from > to || from >= FDCACHE_FDS)
		return;
	if (to >= FDCACHE_FDS)
		to = FDCACHE_FDS - 1;
	memset(c->cls + from, 0, to - from + 1);
}

bool fdcache_before(struct fdcache *c, const struct tracee_call *call)
{
	const uint64_t *a = call->args;

	switch (call->nr) {
	case SYS_close:
		forget(c, a[0], a[0]);
		break;
	case SYS_close_range:
		forget(c, a[0], a[1]);
		break;
	case SYS_dup2:
	case SYS_dup3:
		forget(c, a[1], a[1]);
		break;
	case SYS_ioctl:
		/* A driver may close fds or install one at a number in use,
		 * in this process or another: seccomp's
		 * SECCOMP_IOCTL_NOTIF_ADDFD with SECCOMP_ADDFD_FLAG_SETFD
		 * does it in the process its caller supervises. */
		return true;
	}
	return false;
}
