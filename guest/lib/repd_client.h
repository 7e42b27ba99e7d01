/* repd_client: how a program on a partition talks to its repd — the
 * control socket, the request, the text lines repd answers with.  rep-on
 * asks for a replicated shell, mvx for a lockstep run. */
#ifndef DUPLEX_REPD_CLIENT_H
#define DUPLEX_REPD_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "rep_proto.h"

/* The control socket (abstract: no file to leave behind, and the same in
 * every mount namespace). */
#define REPD_SOCKET		"duplex-repd"

/* Its address, for bind() and connect(); returns the address length. */
static inline socklen_t repd_socket_addr(struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	memcpy(a->sun_path + 1, REPD_SOCKET, strlen(REPD_SOCKET));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 +
			   strlen(REPD_SOCKET));
}

/* A request.  rep-on's comes with its terminal's two fds; mvx's with
 * none.  repd answers "ok ..." or "error: REASON", one line each. */
struct repd_request {
	uint32_t magic;
#define REPD_REQUEST_MAGIC	0x4e4f5052u	/* "RPON": a replicated shell */
#define REPD_MVX_MAGIC		0x4c58564du	/* "MVXL": a lockstep run */
/* repd makes room for this many fds, to close what a malformed request
 * brought. */
#define REPD_FDS_SEEN		8
	uint32_t partitions;
	uint16_t rows, cols;
	char cwd[REP_CWD_MAX];
};

/* A connection to this partition's repd, or -1 (reported). */
int repd_connect(void);

/* One line from repd into BUF, without its newline; -1 at EOF. */
int repd_read_line(int fd, char *buf, size_t size);

#endif
