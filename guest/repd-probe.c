/* repd-probe MODE: what a hostile local client sends repd, for the
 * tests (tests/scenarios/repd.exp).  Prints repd's answer.
 *   extra-fds   a request with three fds instead of two
 *   many-fds    a request with more fds than repd makes room for
 *   as-user     a well-formed request from uid 65534 */
#include "guest.h"
#include "repd.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define MANY_FDS (REPD_FDS_SEEN + 4)

static int send_request(int fd, unsigned nfds)
{
	struct repd_request req = { .magic = REPD_REQUEST_MAGIC,
				    .partitions = 2, .cwd = "/" };
	char cbuf[CMSG_SPACE(MANY_FDS * sizeof(int))] = { 0 };
	struct iovec iov = { &req, sizeof(req) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cbuf,
			      .msg_controllen = CMSG_SPACE(nfds * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	int fds[MANY_FDS];
	unsigned i;

	for (i = 0; i < nfds; i++)
		fds[i] = i % 2 ? STDOUT_FILENO : STDIN_FILENO;
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	return sendmsg(fd, &msg, 0) == sizeof(req) ? 0 : -1;
}

int main(int argc, char **argv)
{
	struct sockaddr_un a;
	socklen_t len = repd_socket_addr(&a);
	unsigned nfds = 2;
	char answer[256];
	ssize_t n;
	int fd;

	if (argc != 2) {
		fputs("usage: repd-probe extra-fds|many-fds|as-user\n", stderr);
		return 2;
	}
	if (!strcmp(argv[1], "extra-fds"))
		nfds = 3;
	else if (!strcmp(argv[1], "many-fds"))
		nfds = MANY_FDS;
	else if (strcmp(argv[1], "as-user") || setuid(65534) < 0) {
		fprintf(stderr, "repd-probe: %s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, len) < 0 ||
	    send_request(fd, nfds) < 0) {
		fprintf(stderr, "repd-probe: cannot talk to repd: %s\n", strerror(errno));
		return 1;
	}
	n = read(fd, answer, sizeof(answer) - 1);
	answer[n > 0 ? n : 0] = '\0';
	printf("repd: %s", n > 0 ? answer : "(nothing)\n");
	return 0;
}
