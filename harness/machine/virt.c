#define _GNU_SOURCE
#include "virt.h"
#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/virterror.h>

/* libvirt would print every error to stderr itself, before we can add what
 * it means for the run; keep it in the harness log only and report it once,
 * with context, from virGetLastErrorMessage() where it matters. */
static void on_libvirt_error(void *data, virErrorPtr err)
{
	(void)data;
	log_debug("libvirt: %s", err && err->message ? err->message : "?");
}

void virt_init_errors(void)
{
	virSetErrorFunc(NULL, on_libvirt_error);
}

const char *virt_uri(void)
{
	const char *uri = getenv("DUPLEX_LIBVIRT_URI");

	return uri && *uri ? uri : VIRT_URI;
}

virConnectPtr virt_connect(void)
{
	virConnectPtr conn = virConnectOpen(virt_uri());

	if (!conn)
		log_error("cannot connect to libvirtd at %s (%s): start it with "
			  "'make deps' (or scripts/setup.sh), which starts "
			  "libvirtd when none runs", virt_uri(),
			  virGetLastErrorMessage());
	return conn;
}

char *virt_domain_xml(const char *tmpl, const char *origin,
		      const struct virt_domain_spec *spec)
{
	char memory[24], vcpus[24], shmem_mib[24];
	const struct template_var vars[] = {
		{ "NAME", spec->name },
		{ "TYPE", spec->kvm ? "kvm" : "qemu" },
		{ "MEMORY_MIB", memory },
		{ "VCPUS", vcpus },
		{ "KERNEL", spec->kernel },
		{ "INITRD", spec->initrd },
		{ "CMDLINE", spec->cmdline },
		{ "SERIAL_LOG", spec->serial_log },
		{ "KERNEL_LOG", spec->kernel_log },
		{ "BRIDGE", spec->bridge },
		{ "MAC", spec->mac },
		{ "SHMEM_NAME", spec->shmem_name },
		{ "SHMEM_MIB", shmem_mib },
	};

	snprintf(memory, sizeof(memory), "%u", spec->memory_mib);
	snprintf(shmem_mib, sizeof(shmem_mib), "%u", spec->shmem_mib);
	snprintf(vcpus, sizeof(vcpus), "%u", spec->vcpus);
	return template_expand(tmpl, origin, vars, ARRAY_SIZE(vars));
}

/* "+UID:+GID", as libvirt's DAC driver writes a base label. */
static int parse_dac_label(const char *p, uid_t *uid, gid_t *gid)
{
	unsigned long u, g;
	char *end;

	if (*p != '+')
		return -1;
	errno = 0;
	u = strtoul(p + 1, &end, 10);
	if (errno || end == p + 1 || end[0] != ':' || end[1] != '+')
		return -1;
	p = end + 2;
	g = strtoul(p, &end, 10);
	if (errno || end == p || *end || u > 0x7fffffffUL || g > 0x7fffffffUL)
		return -1;
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

/* The DAC <secmodel> of the host capabilities holds one <baselabel> per
 * domain type: the credentials QEMU gets. */
int virt_qemu_ids_from_caps(const char *caps, bool kvm, uid_t *uid,
			    gid_t *gid)
{
	const char *expr = kvm ?
		"string(//secmodel[model='dac']/baselabel[@type='kvm'])" :
		"string(//secmodel[model='dac']/baselabel[@type='qemu'])";
	char *dac, *label;
	int ret;

	if (xml_xpath_string(caps, "string(//secmodel[model='dac']/model)",
			     &dac) < 0)
		return -1;
	ret = *dac ? -1 : 0;
	free(dac);
	if (ret == 0)
		return 0;
	if (xml_xpath_string(caps, expr, &label) < 0)
		return -1;
	ret = parse_dac_label(label, uid, gid) < 0 ? -1 : 1;
	free(label);
	return ret;
}

int virt_qemu_ids(virConnectPtr conn, bool kvm, uid_t *uid, gid_t *gid)
{
	char *caps = virConnectGetCapabilities(conn);
	int ret;

	if (!caps) {
		log_error("cannot read the capabilities of %s: %s", virt_uri(),
			  virGetLastErrorMessage());
		return -1;
	}
	ret = virt_qemu_ids_from_caps(caps, kvm, uid, gid);
	free(caps);
	if (ret < 0)
		log_error("the capabilities of %s have a DAC security model but "
			  "no '+uid:+gid' base label for domain type %s: cannot "
			  "tell which user QEMU runs as", virt_uri(),
			  kvm ? "kvm" : "qemu");
	return ret;
}

/* The <name> of domain XML XML, malloc'd, for error messages. */
static char *xml_domain_name(const char *xml)
{
	char *name;

	if (xml_xpath_string(xml, "string(/domain/name)", &name) < 0)
		return xstrdup("?");
	return name;
}

/* AUTODESTROY ties the domain to this connection: if duplex dies without
 * its teardown, libvirtd destroys the domain when the connection drops.
 * PAUSED: the console log is open before the guest runs its first
 * instruction. */
virDomainPtr virt_domain_create_paused(virConnectPtr conn, const char *xml)
{
	virDomainPtr dom;
	char *name;
	const char *why;

	dom = virDomainCreateXML(conn, xml, VIR_DOMAIN_START_PAUSED |
				 VIR_DOMAIN_START_AUTODESTROY);
	if (dom)
		return dom;
	name = xml_domain_name(xml);
	why = virGetLastErrorMessage();
	log_error("cannot create domain '%s': %s%s", name, why,
		  strstr(why, "Permission denied") ?
		  " (QEMU runs as libvirt-qemu: the kernel, the initramfs "
		  "and every directory above them must be readable by it)" : "");
	free(name);
	return NULL;
}

/* The name is read before the call that may fail: any libvirt call
 * resets the error that virGetLastErrorMessage() returns. */
int virt_domain_resume(virDomainPtr dom)
{
	const char *name = virDomainGetName(dom);

	if (virDomainResume(dom) < 0) {
		log_error("cannot resume domain '%s': %s", name,
			  virGetLastErrorMessage());
		return -1;
	}
	return 0;
}

static bool is_pts_path(const char *path)
{
	const char *d;

	if (strncmp(path, "/dev/pts/", strlen("/dev/pts/")))
		return false;
	d = path + strlen("/dev/pts/");
	if (!*d)
		return false;
	for (; *d; d++)
		if (*d < '0' || *d > '9')
			return false;
	return true;
}

char *virt_pty_from_xml(const char *xml)
{
	char *path;

	if (xml_xpath_string(xml, "string(/domain/devices/serial[@type='pty']"
			     "[target/@port='0']/source/@path)", &path) < 0)
		return NULL;
	if (!is_pts_path(path)) {
		free(path);
		path = NULL;
	}
	return path;
}

char *virt_domain_pty(virDomainPtr dom)
{
	const char *name = virDomainGetName(dom);
	char *xml = virDomainGetXMLDesc(dom, 0);
	char *path;

	if (!xml) {
		log_error("cannot read the XML of domain '%s': %s",
			  name, virGetLastErrorMessage());
		return NULL;
	}
	path = virt_pty_from_xml(xml);
	free(xml);
	if (!path)
		log_error("domain '%s' has no serial pty /dev/pts/N in its live XML: is it running, with <serial type='pty'> on port 0 in vm/domain.xml?",
			  name);
	return path;
}

/* DOM's state (VIR_DOMAIN_NOSTATE if it cannot be had: gone). */
static int domain_state(virDomainPtr dom)
{
	int state, reason;

	if (virDomainGetState(dom, &state, &reason, 0) < 0) {
		virResetLastError();
		return VIR_DOMAIN_NOSTATE;
	}
	return state;
}

bool virt_domain_alive(virDomainPtr dom)
{
	int state = domain_state(dom);

	return state != VIR_DOMAIN_SHUTOFF && state != VIR_DOMAIN_CRASHED &&
	       state != VIR_DOMAIN_NOSTATE;
}

char *virt_domain_hmp(virDomainPtr dom, const char *cmd, char **err)
{
	char *reply = NULL;

	*err = NULL;
	if (virDomainQemuMonitorCommand(dom, cmd, &reply,
					VIR_DOMAIN_QEMU_MONITOR_COMMAND_HMP) < 0) {
		*err = xasprintf("QEMU's monitor, '%s': %s", cmd,
				 virGetLastErrorMessage());
		virResetLastError();
		return NULL;
	}
	return reply;
}

bool virt_domain_paused(virDomainPtr dom)
{
	return domain_state(dom) == VIR_DOMAIN_PAUSED;
}

/* 1 if DOM was destroyed, 0 if it was gone already: a transient domain
 * that ended by itself (poweroff, panic=-1 reboot) or that its run's
 * teardown, libvirt's autodestroy or a `duplex clean` destroyed first.
 * -1 on error, libvirt's last error saying why. */
static int destroy_domain(virDomainPtr dom)
{
	int code;

	if (virDomainDestroy(dom) == 0)
		return 1;
	code = virGetLastErrorCode();
	if (code != VIR_ERR_NO_DOMAIN && code != VIR_ERR_OPERATION_INVALID)
		return -1;
	virResetLastError();
	return 0;
}

/* Destroy domain NAME through a connection of its own: the one it was
 * started on is gone when libvirtd was restarted meanwhile (the domain
 * kept running, and no longer ends with that connection).  As
 * destroy_domain. */
static int destroy_by_name(const char *name)
{
	virConnectPtr conn = virConnectOpen(virt_uri());
	virDomainPtr dom;
	int ret;

	if (!conn)
		return -1;
	dom = virDomainLookupByName(conn, name);
	if (dom) {
		ret = destroy_domain(dom);
		virDomainFree(dom);
	} else {
		ret = virGetLastErrorCode() == VIR_ERR_NO_DOMAIN ? 0 : -1;
	}
	virConnectClose(conn);
	return ret;
}

int virt_domain_destroy(virDomainPtr dom)
{
	const char *name;
	int ret = 0, r;

	if (!dom)
		return 0;
	/* Before the call: any libvirt call resets the last error. */
	name = virDomainGetName(dom);
	r = destroy_domain(dom);
	if (r < 0 && virConnectIsAlive(virDomainGetConnect(dom)) != 1) {
		virResetLastError();
		log_warn("the connection to libvirtd was lost (libvirtd restarted?): destroying domain '%s' through a new one",
			 name);
		r = destroy_by_name(name);
	}
	if (r < 0) {
		log_error("cannot destroy domain '%s': %s: destroy it with "
			  "'duplex clean'", name, virGetLastErrorMessage());
		virResetLastError();
		ret = -1;
	}
	virDomainFree(dom);
	return ret;
}

/* Parse the unsigned decimal or hex number at *P (at least one digit),
 * advancing *P past it. */
static bool skip_digits(const char **p, bool hex, unsigned long *value)
{
	const char *s = *p;
	unsigned long v = 0;

	for (; ; s++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (hex && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (hex && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (v > (~0UL - d) / (hex ? 16 : 10))
			return false;
		v = v * (hex ? 16 : 10) + d;
	}
	if (s == *p)
		return false;
	*p = s;
	if (value)
		*value = v;
	return true;
}

/* The run id of domain name NAME ("duplex-" r<pid>-<hex> "-p" <K>), as
 * [*ID, *END): the pid without a leading zero, at most INT_MAX. */
static bool name_run_id(const char *name, const char **id, const char **end)
{
	const char *p;
	unsigned long pid;

	if (strncmp(name, VIRT_NAME_PREFIX "r", strlen(VIRT_NAME_PREFIX "r")))
		return false;
	*id = name + strlen(VIRT_NAME_PREFIX);
	p = *id + 1;
	if (*p == '0' || !skip_digits(&p, false, &pid) || pid > 0x7fffffffUL ||
	    *p++ != '-' || !skip_digits(&p, true, NULL))
		return false;
	*end = p;
	return *p++ == '-' && *p++ == 'p' && skip_digits(&p, false, NULL) &&
	       *p == '\0';
}

bool virt_name_run_id(const char *name, char *run_id, size_t size)
{
	const char *id, *end;

	if (!name_run_id(name, &id, &end) || (size_t)(end - id) >= size)
		return false;
	memcpy(run_id, id, (size_t)(end - id));
	run_id[end - id] = '\0';
	return true;
}

/* Destroy DOM if it is a leftover of ours; 1 if destroyed, 0 if kept or
 * gone already, -1 on error. */
static int clean_one(virDomainPtr dom, bool all, run_alive_fn alive,
		     const void *ctx)
{
	const char *name = virDomainGetName(dom);
	char run_id[32];
	int ret;

	if (!virt_name_run_id(name, run_id, sizeof(run_id)) ||
	    (!all && alive(run_id, ctx)))
		return 0;
	ret = destroy_domain(dom);
	if (ret < 0) {
		log_error("cannot destroy domain '%s': %s", name,
			  virGetLastErrorMessage());
		virResetLastError();
	} else if (ret > 0) {
		log_info("clean: destroyed %s", name);
	}
	return ret;
}

int virt_clean(virConnectPtr conn, bool all, run_alive_fn alive,
	       const void *ctx)
{
	virDomainPtr *doms = NULL;
	int n, i, count = 0, failed = 0;

	n = virConnectListAllDomains(conn, &doms,
				     VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0) {
		log_error("cannot list the domains of %s: %s", virt_uri(),
			  virGetLastErrorMessage());
		return -1;
	}
	for (i = 0; i < n; i++) {
		int r = clean_one(doms[i], all, alive, ctx);

		if (r < 0)
			failed = 1;
		else
			count += r;
		virDomainFree(doms[i]);
	}
	free(doms);
	return failed ? -1 : count;
}
