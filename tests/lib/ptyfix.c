#define _GNU_SOURCE
#include "ptyfix.h"

#include <fcntl.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

int ptyfix_open(char *slave, size_t size, bool raw)
{
	struct termios t;
	int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (grantpt(fd) || unlockpt(fd) || ptsname_r(fd, slave, size) ||
	    (raw && tcgetattr(fd, &t)))
		goto err;
	if (!raw)
		return fd;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSANOW, &t) == 0)
		return fd;
err:
	close(fd);
	return -1;
}
