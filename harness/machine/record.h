/* record: a partition's consoles and their transcripts.  virtlogd writes
 * each console's log into the run's state directory, where it may rotate
 * it as it is configured to; the console reads every piece in order and
 * writes the transcript into the results directory (console/transcript.h),
 * cut to the profile's transcript_limit_kib.  Private to machine/. */
#ifndef DUPLEX_RECORD_H
#define DUPLEX_RECORD_H

#include <stdbool.h>

struct machine;
struct partition;

/* The log virtlogd writes for serialK in the state directory STATE_DIR,
 * malloc'd. */
char *record_raw_path(const char *state_dir, unsigned k);
/* Set P's paths: virtlogd's logs and the transcripts. */
void record_paths(struct machine *m, struct partition *p);
/* Open P's consoles (the kernel channel, then serialK with its pty) and
 * their transcripts; the domain exists, paused. */
int record_open(struct machine *m, struct partition *p);
/* Close P's consoles: after the domain was destroyed (DESTROYED), wait
 * for virtlogd to write its last bytes first.  A transcript that left
 * bytes out is noted for machine_transcripts_incomplete. */
void record_close(struct machine *m, struct partition *p, bool destroyed);
/* P ended and starts again: close its consoles (DESTROYED as for
 * record_close) and keep its transcripts as serialK.N.log and
 * kernelK.N.log (N the first free number). */
int record_retire(struct machine *m, struct partition *p, bool destroyed);
/* P's paths, freed. */
void record_free(struct partition *p);

#endif
