/* mvx_session: how a lockstep run between partitions starts (docs/mvx.md,
 * "Between partitions").  The leader's mvx sends OPEN to each follower
 * partition over its ring: the run's session id, the program, its
 * environment and working directory.  The follower that repd started
 * there answers HELLO: started, or why not.  The monitors' own messages
 * (mvx_proto.h) follow on the same rings.
 *
 * Payloads (integers little-endian):
 *   OPEN   0 u32 session   (nonzero, as published in the leader's slot)
 *          4 u32 flags     (MVX_OPEN_STRICT, _CONTINUE; other bits 0)
 *          8 u16 argc (1..MVX_OPEN_ARGS), 10 u16 envc (0..MVX_OPEN_ARGS)
 *         12 u32 slen      (bytes of strings, <= MVX_OPEN_STRINGS)
 *         16 strings: cwd (absolute, < MVX_CWD_MAX), argv[argc],
 *            env[envc], each NUL-terminated, nothing after the last
 *   HELLO  0 u32 session, 4 i32 status (0: the follower runs), 8 reason,
 *            NUL-terminated, printable, < MVX_REASON_MAX
 * The ring already frames and checksums; a payload still comes from
 * another partition's kernel, so the decoders check every count and
 * length, and there is one encoding per message. */
#ifndef DUPLEX_MVX_SESSION_H
#define DUPLEX_MVX_SESSION_H

#include <stddef.h>
#include <stdint.h>

enum mvx_session_type {
	MVX_MSG_OPEN = 0x0210,		/* leader -> follower: run this */
	MVX_MSG_HELLO = 0x0211,		/* follower -> leader: started */
};

#define MVX_OPEN_STRICT		1u	/* strict lockstep */
#define MVX_OPEN_CONTINUE	2u	/* go on after a divergence */
#define MVX_OPEN_ARGS		512u
#define MVX_OPEN_STRINGS	15000u
#define MVX_OPEN_FIXED		16u
#define MVX_CWD_MAX		256u	/* with its NUL */
#define MVX_REASON_MAX		160u	/* with its NUL */

struct mvx_open {
	uint32_t session, flags;
	uint16_t argc, envc;
	uint32_t slen;
	char strings[MVX_OPEN_STRINGS];
};

struct mvx_hello {
	uint32_t session;
	int32_t status;
	char reason[MVX_REASON_MAX];
};

/* Build *O from CWD, ARGV and ENVP (NULL-terminated): 0, or MVX_ERANGE
 * when they do not fit (too many, too long, CWD not absolute). */
int mvx_open_build(struct mvx_open *o, uint32_t session, uint32_t flags,
		   const char *cwd, char *const argv[], char *const envp[]);

/* The strings of a valid *O: *CWD, and ARGV[0..argc] and
 * ENVP[0..envc] (NULL-terminated; ARGV has argc + 1 entries, ENVP
 * envc + 1), pointing into O. */
void mvx_open_split(struct mvx_open *o, const char **cwd, char **argv,
		    char **envp);

/* Encode into BUF (SIZE bytes), *LEN the payload length; decode LEN
 * bytes of BUF.  0, or an mvx_err code (mvx_proto.h). */
int mvx_open_encode(const struct mvx_open *o, void *buf, size_t size,
		    size_t *len);
int mvx_open_decode(const void *buf, size_t len, struct mvx_open *o);
int mvx_hello_encode(const struct mvx_hello *h, void *buf, size_t size,
		     size_t *len);
int mvx_hello_decode(const void *buf, size_t len, struct mvx_hello *h);

#endif
