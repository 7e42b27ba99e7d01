/* repd_client: connecting to repd, reading its answers. */
#include "repd_client.h"
#include "guest.h"

#include <errno.h>
#include <unistd.h>

int repd_connect(void)
{
	struct sockaddr_un a;
	socklen_t len = repd_socket_addr(&a);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, len) < 0) {
		guest_error("cannot reach repd (@%s): %s; init starts it on "
			    "every partition", REPD_SOCKET, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

int repd_read_line(int fd, char *buf, size_t size)
{
	size_t n = 0;
	char c;

	while (n + 1 < size) {
		ssize_t r = read(fd, &c, 1);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return -1;
		if (c == '\n')
			break;
		buf[n++] = c;
	}
	buf[n] = '\0';
	return 0;
}
