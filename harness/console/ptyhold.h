/* ptyhold: a console's pty held open for a whole run.  QEMU reads what is
 * typed on a pty only while it sees the pty open, and looks for that only
 * once a second; a pty held open but never read fills up and stalls the
 * guest's serial port.  A held pty has both: it stays open, and a thread
 * reads and discards what the guest prints to it (the console log has
 * every byte).  Writes go to ptyhold.fd. */
#ifndef DUPLEX_PTYHOLD_H
#define DUPLEX_PTYHOLD_H

#include <pthread.h>

struct ptyhold {
	int fd;			/* the pty, O_NONBLOCK; -1: not held */
	int stop_fd;		/* eventfd: tells the drainer to return */
	pthread_t drainer;
};

/* A ptyhold that holds nothing (fd -1), for ptyhold_close to ignore. */
void ptyhold_init(struct ptyhold *h);
/* Open PATH and start the drainer.  NAME is for messages.  0 or -1
 * (reported; H then holds nothing). */
int ptyhold_open(struct ptyhold *h, const char *name, const char *path);
/* Stop the drainer and close the pty.  Safe on a ptyhold that holds
 * nothing. */
void ptyhold_close(struct ptyhold *h);

#endif
