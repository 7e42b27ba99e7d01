/* virt: the libvirt side of a partition.  Domains are transient, created
 * paused from vm/domain.xml, their serial console a pty with a <log> file
 * written from the first byte; then resumed.  Names carry the run id
 * (duplex-<runid>-p<K>) so that parallel runs never collide and
 * `duplex clean` can tell leftovers of dead runs. */
#ifndef DUPLEX_VIRT_H
#define DUPLEX_VIRT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <libvirt/libvirt.h>

#include "base/base.h"

#define VIRT_URI "qemu:///system"
#define VIRT_NAME_PREFIX "duplex-"

struct virt_domain_spec {
	const char *name;
	bool kvm;		/* domain type kvm, else qemu (TCG) */
	unsigned memory_mib;
	unsigned vcpus;
	const char *kernel;
	const char *initrd;
	const char *cmdline;
	const char *serial_log;	/* console transcript, written by virtlogd */
	const char *kernel_log;	/* the kernel channel's transcript (hvc0) */
	const char *bridge;	/* the machine's link (host bridge) */
	const char *mac;	/* the partition's NIC, "52:54:00:xx:xx:xx" */
	const char *shmem_name;	/* the window: POSIX shm /dev/shm/NAME */
	unsigned shmem_mib;	/* its size (a power of two) */
};

/* The libvirt URI: $DUPLEX_LIBVIRT_URI, or VIRT_URI. */
const char *virt_uri(void);

/* Connect to virt_uri().  When nothing answers, the error says so and how
 * to start it (make deps). */
virConnectPtr virt_connect(void);

/* Keep libvirt from printing its errors itself (they go to the harness
 * log only): each caller reports the error once, with its context, from
 * virGetLastErrorMessage(). */
void virt_init_errors(void);

/* The domain XML for SPEC from the template text TMPL (ORIGIN for errors). */
char *virt_domain_xml(const char *tmpl, const char *origin,
		      const struct virt_domain_spec *spec);

/* The uid and gid libvirt runs QEMU as (its DAC security label for
 * domain type kvm or qemu), from the host capabilities: 1 if found, 0 if
 * libvirt does not change QEMU's credentials (no DAC model), -1 on error. */
int virt_qemu_ids(virConnectPtr conn, bool kvm, uid_t *uid, gid_t *gid);
/* The same from capabilities XML text (no error reported). */
int virt_qemu_ids_from_caps(const char *caps, bool kvm, uid_t *uid,
			    gid_t *gid);

/* Create the domain paused (open its console, then virt_domain_resume).
 * It is tied to CONN (autodestroy): if duplex dies, libvirtd destroys it.
 * NULL on error. */
virDomainPtr virt_domain_create_paused(virConnectPtr conn, const char *xml);
int virt_domain_resume(virDomainPtr dom);

/* The pty of the domain's serial port 0 ("/dev/pts/N"), the console
 * people and the harness type on; malloc'd. */
char *virt_domain_pty(virDomainPtr dom);
/* The same from live domain XML text (no error reported), or NULL. */
char *virt_pty_from_xml(const char *xml);

/* Is the domain still running (not shut off / crashed / gone)?  libvirt
 * learns of a guest's poweroff a moment after its console log is closed
 * (struct console's ended). */
bool virt_domain_alive(virDomainPtr dom);
/* The reply of QEMU's human monitor to CMD ("info mem"), malloc'd; NULL
 * with *ERR malloc'd saying why (nothing reported).  libvirt notes the
 * domain as tainted by a monitor command in its log: harmless. */
char *virt_domain_hmp(virDomainPtr dom, const char *cmd, char **err);
/* Is it there and paused (made paused and never resumed, say)? */
bool virt_domain_paused(virDomainPtr dom);

/* Destroy (if still there) and release the handle.  Safe on NULL. */
int virt_domain_destroy(virDomainPtr dom);

/* The run id r<pid>-<hex> of domain name "duplex-<runid>-p<K>", into
 * RUN_ID.  False if NAME is not exactly of that form (clean destroys what
 * this accepts) or the run id does not fit in SIZE bytes. */
bool virt_name_run_id(const char *name, char *run_id, size_t size);

/* Destroy every duplex domain whose run ALIVE(run_id, CTX) calls dead (ALL:
 * every duplex domain).  A domain that is gone by the time it is destroyed
 * (its run's teardown, libvirt's autodestroy) is no error.  Prints one
 * line per domain destroyed.  Returns their number, or -1 on error. */
int virt_clean(virConnectPtr conn, bool all, run_alive_fn alive,
	       const void *ctx);

#endif
