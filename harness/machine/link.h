/* link: the host objects that all partitions of a machine share, one set
 * per run, named after the run id r<pid>-<hex>:
 *
 *   the link    a Linux bridge "dx<pid>-<hex>" (the run id without its 'r':
 *               at most 14 bytes, as pids have at most 7 digits, so under
 *               IFNAMSIZ) with no uplink, no address (not even an IPv6
 *               link-local one) and no forwarding, in the network namespace
 *               where libvirtd attaches its taps;
 *   the window  the file /dev/shm/duplex-<run-id> behind every partition's
 *               ivshmem-plain device (libvirt's <shmem name=...>), made
 *               here, before any domain, so that the host maps the same
 *               memory, and open to the user QEMU runs as.
 *
 * libvirt neither makes nor removes either of them: a run killed with
 * SIGKILL loses its domains (autodestroy) but leaves these behind, and
 * since their names say which run they belong to, `duplex clean` finds
 * them without any record. */
#ifndef DUPLEX_LINK_H
#define DUPLEX_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "base/base.h"

/* scripts/setup.sh starts libvirtd in this network namespace when the
 * host runs none. */
#define LINK_NETNS "duplex"
#define LINK_BRIDGE_PREFIX "dx"
#define LINK_WINDOW_PREFIX "duplex-"
#define LINK_WINDOW_DIR "/dev/shm"

struct link {
	char netns[16];		/* LINK_NETNS, or "": duplex's own namespace */
	char bridge[16];	/* IFNAMSIZ */
	char window[48];	/* the window is LINK_WINDOW_DIR/<window> */
	bool bridge_made;
	bool window_made;
};

/* Make the run's bridge, in libvirtd's network namespace, and its window
 * file of WINDOW_MIB MiB, zero-filled, which QEMU running as QEMU_UID and
 * QEMU_GID may map ((uid_t)-1: QEMU runs as duplex does).  On error what
 * was made is removed again. */
int link_create(struct link *ln, const char *run_id, unsigned window_mib,
		uid_t qemu_uid, gid_t qemu_gid);

/* Remove the bridge and the window file, if made.  A failure is reported
 * and the rest removed anyway; -1 if anything failed.  Safe to call
 * twice, and on a zeroed struct. */
int link_destroy(struct link *ln);

/* Partition K's NIC address: 52:54:00 (QEMU's usual prefix, locally
 * administered), two bytes of a hash of the run id, then K.  Runs never
 * share a bridge, so only uniqueness within a run matters; the hash keeps
 * the taps of parallel runs apart to a person reading `ip link`. */
void link_mac(const char *run_id, unsigned k, char *buf, size_t size);

/* Names from the run id, and back: false if NAME is not one of ours. */
void link_bridge_name(const char *run_id, char *buf, size_t size);
void link_window_name(const char *run_id, char *buf, size_t size);
bool link_bridge_run_id(const char *name, char *run_id, size_t size);
bool link_window_run_id(const char *name, char *run_id, size_t size);

/* The network namespace libvirtd runs in, where the bridge must be:
 * LINK_NETNS when /run/netns/LINK_NETNS is libvirtd's namespace, "" when
 * libvirtd shares duplex's namespace or cannot be seen from here (remote
 * URI, other pid namespace).  Any other namespace is an error. */
int link_netns(char *netns, size_t size);

struct link_leftovers {
	int bridges;
	int windows;
};

/* Remove the bridges and window files of the runs for which
 * ALIVE(run_id, CTX) says false (ALL: of every run), one line each.  -1 if
 * anything failed (reported), after trying everything. */
int link_clean(bool all, run_alive_fn alive, const void *ctx,
	       struct link_leftovers *removed);

#endif
