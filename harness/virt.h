/* virt: the libvirt side of a partition.  Domains are transient, created
 * paused from vm/domain.xml, their serial console a pty with a <log> file
 * written from the first byte; then resumed.  Names carry the run id
 * (duplex-<runid>-p<K>) so that parallel runs never collide and
 * `duplex clean` can tell leftovers of dead runs. */
#ifndef DUPLEX_VIRT_H
#define DUPLEX_VIRT_H

#include <stdbool.h>
#include <libvirt/libvirt.h>

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
};

/* Connect to VIRT_URI.  When nothing answers, the error says so and how
 * to start it (make deps). */
virConnectPtr virt_connect(void);

/* Route libvirt's own error printing through log_error, once. */
void virt_init_errors(void);

/* The domain XML for SPEC from the template text TMPL (ORIGIN for errors). */
char *virt_domain_xml(const char *tmpl, const char *origin,
		      const struct virt_domain_spec *spec);

/* Create the domain paused, then resume it.  NULL on error. */
virDomainPtr virt_domain_create_paused(virConnectPtr conn, const char *xml);
int virt_domain_resume(virDomainPtr dom);

/* The pty path of the domain's serial console ("/dev/pts/N"), malloc'd. */
char *virt_console_pty(virDomainPtr dom);

/* Is the domain still running (not shut off / crashed / gone)? */
bool virt_domain_alive(virDomainPtr dom);

/* Destroy (if running) and release the handle.  Safe on NULL. */
int virt_domain_destroy(virDomainPtr dom);

/* Extract the run id from a domain name "duplex-<runid>-p<K>"; the run id
 * has the form r<pid>-<hex>.  Returns the pid, or -1 if NAME is not one of
 * ours. */
long virt_name_pid(const char *name);

/* Destroy every duplex domain whose run is no longer alive (ALL: every
 * duplex domain).  Prints one line per domain.  Returns the number
 * destroyed, or -1 on error. */
int virt_clean(virConnectPtr conn, bool all);

#endif
