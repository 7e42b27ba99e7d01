/* repd: the replication daemon of one partition (docs/replication.md).
 * One per partition, started by init.  Idle, it touches no ring: it
 * watches the other partitions' slots for a session that names it.  A
 * session has one leader (where `rep-on N` ran) and N - 1 members; the
 * leader's terminal input goes to every shell, every shell's output to
 * its own console, and the leader compares the output line by line.
 * Single-threaded: one poll() loop drives everything. */
#ifndef DUPLEX_REPD_H
#define DUPLEX_REPD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "guest.h"
#include "ptyshell.h"
#include "repd_client.h"
#include "rep_lines.h"
#include "rep_proto.h"
#include "window.h"

/* Lines kept for comparison and reports; the faster side waits for the
 * slower once it is this far ahead. */
#define REPD_HISTORY		4096u
/* Bytes of the shell's output read at a time: at most this many lines,
 * which a reader must have room for in the history before it reads. */
#define REPD_PTY_READ		1024u
/* Messages waiting for room in one ring; past this, the writer waits. */
#define REPD_OUT_HIGH		(256u << 10)

/* Encoded messages waiting for room in the ring to one peer. */
struct rep_out {
	unsigned char *buf;
	size_t len, cap;
};

struct rep_peer {
	bool member;			/* in the session */
	bool active;			/* ... and alive: send, compare */
	bool ready, closed;
	int status;			/* its shell's exit status, once closed */
	struct rep_out out;
	struct guest_liveness live;	/* its heartbeat, as last seen */
	uint32_t got, cmp;		/* leader: digests received, compared */
	uint32_t *digest;		/* leader: REPD_HISTORY digests */
	bool diverging;			/* since a differing line */
	uint32_t req_line;		/* LINE_REQ outstanding, 0: none */
	char req_text[REP_TEXT_MAX];	/* the leader's own line req_line */
};

/* One line of a partition's own output. */
struct rep_hist_line {
	uint32_t digest;
	char text[REP_TEXT_MAX];
};

struct repd {
	struct window w;
	unsigned self;
	int console;			/* this partition's console */
	int listen_fd;

	/* The session, if any (session != 0). */
	uint32_t session;
	uint32_t last_session;		/* member: the one last taken part in */
	unsigned leader;
	bool leading, ending;
	long long end_deadline;
	int client;			/* leader: rep-on's socket */
	int term_in, term_out;		/* leader: rep-on's terminal */
	struct ptyshell sh;
	bool shell_done;
	bool prompted;			/* the shell has shown its first prompt */
	bool cr_held;			/* member: a CR ended the last output */
	int shell_status;
	unsigned char *pty_in;		/* member: input for the shell */
	size_t pty_in_len;
	struct rep_lines lines;
	struct rep_hist_line *hist;	/* REPD_HISTORY own lines */
	struct rep_msg batch;		/* member: digests not sent yet */
	uint32_t divergences;
	struct rep_peer peer[WINDOW_MAX_PARTITIONS];

	/* Lockstep runs (lockstep.c). */
	int mvx_client;			/* leading one: mvx's socket, or -1 */
	pid_t mvx_pid;			/* following one: its mvx, or 0 */
	int mvx_pty;			/* ... its terminal's master */
	uint32_t mvx_following;		/* ... in this run ... */
	unsigned mvx_leader;		/* ... led from this partition */
	long long mvx_orphan_ms;	/* when its leader's run was gone */
	uint32_t mvx_seen[WINDOW_MAX_PARTITIONS];	/* each one's last run */
};

/* session.c: sending, with a queue when the ring is full.  -1 (reported,
 * session over) on a ring error. */
int rep_send(struct repd *d, unsigned to, const struct rep_msg *m);
int rep_flush(struct repd *d, unsigned to);
/* Pop one message from FROM into *M: 1 got one, 0 none, -1 bad (reported). */
int rep_recv(struct repd *d, unsigned from, struct rep_msg *m);
void rep_out_free(struct rep_out *q);
/* Write all of BUF to FD (a terminal; waits while it is full). */
void rep_write_all(int fd, const void *buf, size_t len);
/* Printed on the leader's terminal, on lines of their own. */
void rep_report(struct repd *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A pty's output on this partition's console: the pty writes CR LF and
 * the console adds its own CR before LF, so the pty's is dropped, also
 * when a chunk ends between the two. */
void rep_console_output(struct repd *d, const char *buf, size_t len);
/* Has peer P stopped (slot not UP, or no heartbeat)?  Fills WHY. */
bool rep_peer_gone(struct repd *d, unsigned p, char *why, size_t size);
/* Read the pty, REPD_PTY_READ bytes at a time while ROOM (NULL: always)
 * says there is room for them, and pass the output to CB; false once the
 * shell side closed. */
bool rep_pty_drain(struct repd *d, bool (*room)(struct repd *d),
		   void (*cb)(struct repd *d, const char *buf, size_t len));
/* Feed the shell's output to the line cutter; note its first prompt
 * (input is held until then on every partition, so that type-ahead is
 * echoed at the same place everywhere). */
void rep_lines_take(struct repd *d, const char *buf, size_t len,
		    rep_line_fn line);
/* Reap the shell if it ended (sets shell_done and shell_status). */
void rep_reap(struct repd *d);
void rep_session_free(struct repd *d);

/* leader.c, leader_run.c */
void leader_accept(struct repd *d);
void leader_step(struct repd *d);

/* compare.c: the leader's comparison of member P's lines with its own. */
int compare_digests(struct repd *d, unsigned p, const struct rep_msg *m);
void compare_peer(struct repd *d, unsigned p);
void compare_line_text(struct repd *d, unsigned p, uint32_t line,
		       const char *text);
void compare_final(struct repd *d, unsigned p);

/* leader.c: a line to a client; the partitions UP (bits), *COUNT of
 * them. */
void client_say(int fd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
uint32_t up_partitions(struct repd *d, unsigned *count);
/* A fresh session id (never 0). */
uint32_t new_session_id(void);

/* lockstep.c: mvx's runs between partitions (docs/mvx.md).  Leading: mvx
 * on this partition asked for a run on N partitions over CLIENT.
 * Following: a run another partition publishes names this one; repd
 * starts the follower and says so in the window until it ends. */
void lockstep_accept(struct repd *d, int client, unsigned n);
bool lockstep_busy(const struct repd *d);
void lockstep_step(struct repd *d);

/* member.c */
void member_watch(struct repd *d);
void member_step(struct repd *d);

#endif
