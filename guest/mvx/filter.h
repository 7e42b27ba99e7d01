/* filter: the seccomp filter that makes only the monitored syscalls stop
 * (SECCOMP_RET_TRACE), written by hand from the policy table. */
#ifndef DUPLEX_MVX_FILTER_H
#define DUPLEX_MVX_FILTER_H

/* Install it on the calling process (the program, before its exec): 0,
 * or -1 with errno. */
int filter_install(void);

#endif
