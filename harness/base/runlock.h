/* runlock: whether a run is alive, as a lock the run holds for its whole
 * life.  A run takes an exclusive flock() on the file RUNLOCK_FILE in its
 * state directory (<run dir>/<run-id>/lock) right after making that
 * directory, and releases it once its teardown has removed everything,
 * the state directory last.  The kernel drops the lock however the
 * process ends (SIGKILL included); a process that inherits a dead run's
 * pid does not hold it; and it does not matter what the program is
 * called (duplex, an end-to-end test binary).  `duplex clean` removes
 * only what belongs to runs runlock_alive calls dead. */
#ifndef DUPLEX_RUNLOCK_H
#define DUPLEX_RUNLOCK_H

#include <stdbool.h>

#define RUNLOCK_FILE "lock"

/* Is run RUN_ID still alive?  CTX is whatever the function needs to find
 * the run (for runlock_alive: the run dir). */
typedef bool (*run_alive_fn)(const char *run_id, const void *ctx);

/* Create STATE_DIR/RUNLOCK_FILE and lock it.  The file appears already
 * locked (made under another name, locked, then renamed), so it is never
 * seen unlocked while the run lives.  Returns its descriptor (O_CLOEXEC:
 * no child inherits the lock), to keep open for the run's whole life, or
 * -1 (reported). */
int runlock_take(const char *state_dir);

/* Release the lock taken by runlock_take: close FD.  Safe on -1. */
void runlock_release(int fd);

/* Is run RUN_ID alive?  RUN_DIR is a const char *, the directory holding
 * the runs' state directories (paths->run): runlock_alive is a
 * run_alive_fn.
 *   lock file held (flock would block)       alive
 *   lock file there and nobody holds it      dead
 *   no state directory or no lock file       alive if a process with the
 *       run id's pid exists (a run between mkdir and its lock, a run of an
 *       older duplex, a teardown that removed its state directory and has
 *       not yet released the lock), else dead; dead if RUN_ID names no pid.
 * A lock file that cannot be tried counts as alive, with a warning: clean
 * keeps what it cannot tell about.  A lock found free is released at once. */
bool runlock_alive(const char *run_id, const void *run_dir);

#endif
