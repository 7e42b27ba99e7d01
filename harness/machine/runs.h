/* runs: what a run tells the people at its consoles, through its state
 * directory.  `duplex console` is no part of the run (another process,
 * maybe started before the partition runs), so the run writes there the
 * machine's shape (RUNS_MACHINE_FILE) and each running partition's pty
 * (serialK.pty); the console logs are virtlogd's files beside them.
 * Private to machine/: the readers are in machine.h. */
#ifndef DUPLEX_RUNS_H
#define DUPLEX_RUNS_H

struct machine;
struct partition;

#define RUNS_MACHINE_FILE "machine"

/* Write the run's RUNS_MACHINE_FILE (its profile and partitions). */
int runs_publish_machine(const struct machine *m);
/* P's domain runs, its pty known: write serialK.pty. */
int runs_publish_pty(const struct machine *m, const struct partition *p);
/* P's domain is gone: its pty with it. */
void runs_unpublish_pty(const struct machine *m, const struct partition *p);

#endif
