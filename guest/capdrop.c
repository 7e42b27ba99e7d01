/* capdrop PROG [ARGS...]: run PROG, and everything it ever starts,
 * without the capabilities that would let it write the kernel channel
 * (hvc0, whose node the init removed) or forge kernel messages: no
 * CAP_MKNOD (to make the node again), no CAP_SYS_RAWIO (I/O ports,
 * /dev/mem), no CAP_SYS_MODULE (a module printks anything).  They leave
 * the bounding set, so no execve brings them back, setuid root included.
 * The init runs the console's shell and telnetd under it; the harness
 * takes kernel verdicts only from the kernel channel. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

/* linux/capability.h's numbers (a fixed ABI; musl ships no kernel
 * headers). */
enum { CAP_SYS_MODULE = 16, CAP_SYS_RAWIO = 17, CAP_MKNOD = 27 };

static const int dropped[] = { CAP_MKNOD, CAP_SYS_RAWIO, CAP_SYS_MODULE };

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2) {
		fputs("usage: capdrop PROG [ARGS...]\n"
		      "Run PROG without CAP_MKNOD, CAP_SYS_RAWIO and CAP_SYS_MODULE,\n"
		      "for it and everything it starts.\n", stderr);
		return 2;
	}
	for (i = 0; i < sizeof(dropped) / sizeof(*dropped); i++) {
		if (prctl(PR_CAPBSET_DROP, dropped[i], 0, 0, 0) < 0) {
			fprintf(stderr, "capdrop: cannot drop capability %d: %s\n",
				dropped[i], strerror(errno));
			return 126;
		}
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "capdrop: cannot run %s: %s\n", argv[1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
