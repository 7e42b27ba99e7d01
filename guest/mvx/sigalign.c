/* sigalign: whether a signal is caught is in /proc/PID/status (SigCgt,
 * a hex mask, bit SIG - 1).  A signal the program does not catch either
 * does nothing or ends the process, which the leader's GONE record
 * mirrors (follower.c). */
#include "sigalign.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>

static bool caught(pid_t pid, int sig)
{
	char path[48], line[128];
	unsigned long long mask = 0;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = sscanf(line, "SigCgt: %llx", &mask) == 1;
	fclose(f);
	return found && (mask >> (sig - 1) & 1);
}

bool sigalign_applies(pid_t pid, int sig)
{
	return sig == SIGCHLD && caught(pid, sig);
}
