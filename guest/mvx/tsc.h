/* tsc: rdtsc and rdtscp, which read the time without a syscall.  Every
 * replica's program runs with PR_TSC_SIGSEGV, so the instruction faults;
 * the leader's monitor executes it in the program's place and sends the
 * value like an input syscall's (nr MVX_NR_TSC), a follower's monitor
 * puts the leader's value in its program's registers. */
#ifndef DUPLEX_MVX_TSC_H
#define DUPLEX_MVX_TSC_H

#include <stdint.h>
#include <sys/types.h>

/* PID, stopped with a SIGSEGV: the length of the rdtsc (2) or rdtscp (3)
 * that faulted, or 0 if the SIGSEGV is something else. */
unsigned tsc_fault(pid_t pid);

/* This monitor's own reading: the counter, and for rdtscp (LEN 3) the
 * TSC_AUX value in *AUX. */
uint64_t tsc_read(unsigned len, uint32_t *aux);

/* Complete PID's faulted instruction of LEN bytes as if it had read TSC
 * (and AUX): its registers set, its instruction pointer past it. */
int tsc_apply(pid_t pid, unsigned len, uint64_t tsc, uint32_t aux);

#endif
