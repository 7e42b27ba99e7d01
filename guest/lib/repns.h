/* repns: replication namespaces (the reference's launch_ns.sh).  A new
 * PID, UTS and mount namespace whose first process is a minimal init: it
 * mounts its own /proc, names the host REPNS_HOSTNAME (the same on every
 * partition, so that prompts and `uname -n` agree), runs one program and
 * reaps orphans until that program ends, then exits with its status.
 * Used by the `repns` tool on the leader and by repd on every member. */
#ifndef DUPLEX_REPNS_H
#define DUPLEX_REPNS_H

#include <sys/types.h>

#define REPNS_HOSTNAME	"rep"
/* Set in the environment of everything inside: rep-on checks it. */
#define REPNS_ENV	"DUPLEX_REPNS"

/* What the init runs: called in a child of the init, inside the
 * namespace; must not return (exec, or _exit on failure). */
typedef void (*repns_body_fn)(void *arg);

/* Create the namespace and its init, which runs BODY(ARG).  Returns the
 * init's pid (a child of the caller, to waitpid()), or -1 (reported). */
pid_t repns_spawn(repns_body_fn body, void *arg);

#endif
