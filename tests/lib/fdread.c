#include "fdread.h"
#include "base/base.h"

#include <poll.h>
#include <string.h>
#include <unistd.h>

size_t fdread_for(int fd, char *buf, size_t size, const char *stop, int ms)
{
	int64_t deadline = now_ms() + ms;
	size_t got = 0;

	buf[0] = '\0';
	while (got + 1 < size && now_ms() < deadline &&
	       !(stop && strstr(buf, stop))) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(fd, buf + got, size - 1 - got);
		if (n > 0)
			got += (size_t)n;
		buf[got] = '\0';
	}
	return got;
}
