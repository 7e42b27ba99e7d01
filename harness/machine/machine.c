#define _GNU_SOURCE
#include "machine.h"
#include "accel.h"
#include "base/base.h"
#include "record.h"
#include "runs.h"
#include "virt.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int machine_dirs(struct machine *m, const char *results_dir)
{
	m->state_dir = xasprintf("%s/%s", m->paths->run, m->run_id);
	m->results_dir = results_dir ? xstrdup(results_dir)
		: xasprintf("%s/%s", m->paths->results, m->run_id);
	if (mkdir_p(m->state_dir, 0755) < 0)
		return -1;
	/* From here on the run is alive to `duplex clean` (runlock.h). */
	m->lock_fd = runlock_take(m->state_dir);
	if (m->lock_fd < 0 || mkdir_p(m->results_dir, 0755) < 0)
		return -1;
	/* QEMU runs as libvirt-qemu: it must traverse to the images. */
	if (chmod(m->paths->run, 0755) < 0 || chmod(m->state_dir, 0755) < 0) {
		log_error("cannot open '%s' to QEMU: %m", m->state_dir);
		return -1;
	}
	return 0;
}

/* The bridge and the window file, open to the user libvirt runs QEMU as. */
static int machine_link(struct machine *m)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;

	if (virt_qemu_ids(m->conn, m->kvm, &uid, &gid) < 0)
		return -1;
	return link_create(&m->link, m->run_id, MACHINE_WINDOW_MIB, uid, gid);
}

static int machine_window(struct machine *m)
{
	char *path = xasprintf("%s/%s", LINK_WINDOW_DIR, m->link.window);
	int ret = winhost_open(&m->win, path, m->profile->partitions);

	free(path);
	return ret;
}

int machine_create(struct machine *m, const struct duplex_paths *paths,
		   const struct machine_profile *profile)
{
	return machine_create_in(m, paths, profile, NULL);
}

int machine_create_in(struct machine *m, const struct duplex_paths *paths,
		      const struct machine_profile *profile,
		      const char *results_dir)
{
	char *tmpl_path;
	char *log_path;

	memset(m, 0, sizeof(*m));
	m->profile = profile;
	m->paths = &m->kpaths;
	if (paths_flavour(paths, profile->flavour, &m->kpaths) < 0)
		return -1;
	m->lock_fd = -1;
	m->own_results = !results_dir;
	make_run_id('r', m->run_id, sizeof(m->run_id));
	if (machine_dirs(m, results_dir) < 0 || runs_publish_machine(m) < 0)
		goto err;
	log_path = xasprintf("%s/harness.log", m->results_dir);
	log_open(log_path);
	free(log_path);
	log_debug("run %s, profile %s, %u partitions", m->run_id, profile->name,
		  profile->partitions);
	/* Whatever virtlogd's size and backup limits, started by duplex or
	 * not: the transcripts are the harness's own copies. */
	log_debug("transcripts: written by the harness from every piece of virtlogd's logs in %s, at most %u KiB a console",
		  m->state_dir, profile->transcript_limit_kib);
	tmpl_path = xasprintf("%s/vm/domain.xml", paths->root);
	m->domain_tmpl = read_file(tmpl_path, NULL);
	free(tmpl_path);
	if (!m->domain_tmpl)
		goto err;
	virt_init_errors();
	m->conn = virt_connect();
	if (!m->conn)
		goto err;
	if (accel_choose(m->paths, profile->accel, &m->kvm) < 0)
		goto err;
	if (machine_link(m) < 0 || machine_window(m) < 0)
		goto err;
	return 0;
err:
	machine_destroy(m);
	return -1;
}

static bool image_built(const struct machine *m, unsigned k, const char *path)
{
	if (path_exists(path))
		return true;
	log_error("partition %u: '%s' is missing: build it first with 'duplex build --profile %s' (or 'duplex build --all')",
		  k, path, m->profile->name);
	return false;
}

/* Copy the images into the state dir: QEMU may not be able to traverse
 * to the checkout, and libvirt relabels the files it is given.  Making
 * them is build/'s job, done before a machine is made (duplex build,
 * rdbuild_profile). */
static int stage_images(struct machine *m, unsigned k, char **kernel,
			char **initrd)
{
	char *src_kernel = paths_kernel_image(m->paths, m->profile->replica[k],
					      m->profile->variant);
	char *src_initrd = paths_initramfs(m->paths, k);
	int ret = -1;

	*kernel = xasprintf("%s/p%u-bzImage", m->state_dir, k);
	*initrd = xasprintf("%s/p%u-initramfs.cpio", m->state_dir, k);
	if (!image_built(m, k, src_kernel) || !image_built(m, k, src_initrd))
		goto out;
	if (copy_file(src_kernel, *kernel, 0644) < 0 ||
	    copy_file(src_initrd, *initrd, 0644) < 0)
		goto out;
	ret = 0;
out:
	free(src_kernel);
	free(src_initrd);
	return ret;
}

/* duplex.addr: the init configures eth0 with it (ramdisk/init).  EXTRA
 * comes last: a partition's request adds to the machine's arguments, and
 * the window code refused any that would override them. */
static char *partition_cmdline(const struct machine *m, unsigned k,
			       const char *extra)
{
	char addr[32];

	profile_partition_addr(m->profile, k, addr, sizeof(addr));
	return xasprintf(MACHINE_CONSOLES " duplex.partition=%u duplex.replica=%u duplex.addr=%s %s%s%s",
			 k, m->profile->replica[k], addr, m->profile->cmdline,
			 extra && *extra ? " " : "", extra ? extra : "");
}

/* P's domain made, paused, from the staged images and the machine's
 * arguments with EXTRA added. */
static int create_domain(struct machine *m, struct partition *p,
			 const char *extra)
{
	char *cmdline = partition_cmdline(m, p->index, extra);
	char *kernel = NULL, *initrd = NULL, *xml = NULL;
	char mac[24];
	struct virt_domain_spec spec = {
		.name = p->name,
		.kvm = m->kvm,
		.memory_mib = m->profile->memory_mib,
		.vcpus = m->profile->vcpus,
		.cmdline = cmdline,
		.serial_log = p->raw_path,
		.kernel_log = p->kraw_path,
		.bridge = m->link.bridge,
		.mac = mac,
		.shmem_name = m->link.window,
		.shmem_mib = MACHINE_WINDOW_MIB,
	};
	int ret = -1;

	if (stage_images(m, p->index, &kernel, &initrd) < 0)
		goto out;
	spec.kernel = kernel;
	spec.initrd = initrd;
	link_mac(m->run_id, p->index, mac, sizeof(mac));
	xml = virt_domain_xml(m->domain_tmpl, "vm/domain.xml", &spec);
	if (!xml)
		goto out;
	p->dom = virt_domain_create_paused(m->conn, xml);
	ret = p->dom ? 0 : -1;
out:
	free(xml);
	free(kernel);
	free(initrd);
	free(cmdline);
	return ret;
}

/* P's paused domain run (made just now, or on STANDBY since the machine
 * started): its consoles opened (a paused domain printed nothing), the
 * window told, the guest resumed. */
static int run_domain(struct machine *m, struct partition *p,
		      const char *extra, bool standby)
{
	char *cmdline;

	p->pty = virt_domain_pty(p->dom);
	if (!p->pty)
		return -1;
	if (record_open(m, p) < 0 || runs_publish_pty(m, p) < 0)
		return -1;
	/* Failure lines on serialK may be any program's output. */
	p->con.m.watch_failures = false;
	p->failure_seen = p->end_seen = false;
	if (!m->attended && console_hold_pty(&p->con) < 0)
		return -1;
	/* BOOTING before the guest runs: its partd then sees the new boot. */
	winhost_set_state(&m->win, p->index, WINDOW_STATE_BOOT_REQUESTED);
	winhost_set_state(&m->win, p->index, WINDOW_STATE_BOOTING);
	if (virt_domain_resume(p->dom) < 0)
		return -1;
	p->started_ms = now_ms();
	cmdline = partition_cmdline(m, p->index, extra);
	log_debug("serial%u: domain %s %s, pty %s, cmdline '%s'", p->index,
		  p->name, standby ? "resumed from standby" : "started",
		  p->pty, cmdline);
	free(cmdline);
	return 0;
}

/* A partition whose domain the host started and has not seen end or
 * panic is running, whatever the window says. */
static bool partition_startable(void *ctx, unsigned k, char *why, size_t size)
{
	const struct partition *p = &((struct machine *)ctx)->part[k];

	if (!p->dom || p->standby || p->end_seen || p->failure_seen)
		return true;
	snprintf(why, size, "partition %u is running (its domain was started and has not ended)",
		 k);
	return false;
}

/* Destroy P's domain, if it has one: whether it had. */
static bool destroy_domain(struct partition *p)
{
	if (!p->dom)
		return false;
	virt_domain_destroy(p->dom);
	log_debug("serial%u: domain %s destroyed", p->index, p->name);
	p->dom = NULL;
	return true;
}

static void partition_release(struct machine *m, struct partition *p)
{
	record_close(m, p, destroy_domain(p));
	if (p->pty)
		runs_unpublish_pty(m, p);
	free(p->pty);
	record_free(p);
	memset(p, 0, sizeof(*p));
}

/* Partition K ended or panicked and is started again (repboot, as the
 * reference reboots its secondary): its domain goes, and its transcripts
 * are kept as serialK.N.log and kernelK.N.log, since the new domain's
 * start afresh. */
static int retire_partition(struct machine *m, struct partition *p)
{
	int ret = record_retire(m, p, destroy_domain(p));

	runs_unpublish_pty(m, p);
	free(p->pty);
	p->pty = NULL;
	p->started_ms = p->ready_ms = 0;
	return ret;
}

static void name_partition(struct machine *m, struct partition *p,
			   unsigned k)
{
	p->index = k;
	snprintf(p->name, sizeof(p->name), VIRT_NAME_PREFIX "%s-p%u",
		 m->run_id, k);
	record_paths(m, p);
}

/* P's standby domain, if it is still there to be resumed; else it is
 * dropped (destroyed, nothing recorded) and P is made afresh. */
static bool standby_usable(struct partition *p, const char *extra)
{
	if (!p->standby)
		return false;
	p->standby = false;
	if ((!extra || !*extra) && virt_domain_paused(p->dom))
		return true;
	virt_domain_destroy(p->dom);
	p->dom = NULL;
	return false;
}

int machine_start_partition(struct machine *m, unsigned k, const char *extra)
{
	struct partition *p = &m->part[k];
	char why[WINDOW_REASON_MAX];

	if (k >= m->profile->partitions) {
		log_error("partition %u cannot be started (profile '%s' has %u partitions)",
			  k, m->profile->name, m->profile->partitions);
		return -1;
	}
	if (!partition_startable(m, k, why, sizeof(why))) {
		log_error("%s", why);
		return -1;
	}
	if (standby_usable(p, extra))
		return run_domain(m, p, extra, true);
	if (p->dom && retire_partition(m, p) < 0)
		return -1;
	name_partition(m, p, k);
	if (create_domain(m, p, extra) < 0)
		return -1;
	return run_domain(m, p, extra, false);
}

void machine_standby(struct machine *m)
{
	unsigned k;

	for (k = 1; k < m->profile->partitions; k++) {
		struct partition *p = &m->part[k];

		if (p->dom)
			continue;
		name_partition(m, p, k);
		if (create_domain(m, p, NULL) < 0) {
			log_warn("serial%u: no standby domain (see above); 'repboot %u' will make it",
				 k, k);
			continue;
		}
		p->standby = true;
		log_debug("serial%u: domain %s made, paused, on standby", k,
			  p->name);
	}
}

enum console_wait machine_wait_ready(struct machine *m, unsigned k,
				     int timeout_ms)
{
	struct partition *p = &m->part[k];
	enum console_wait w;

	w = console_expect(&p->con, MACHINE_READY_RE, timeout_ms);
	if (w == CONSOLE_MATCHED) {
		p->ready_ms = now_ms();
		log_debug("serial%u: ready after %.1f s", k,
			  (p->ready_ms - p->started_ms) / 1000.0);
	}
	return w;
}

void machine_point_latest(const char *results, const char *name)
{
	char *link = xasprintf("%s/latest", results);
	char *tmp = xasprintf("%s/.latest.tmp", results);

	unlink(tmp);
	if (symlink(name, tmp) < 0 || rename(tmp, link) < 0) {
		log_warn("cannot point '%s' at this run: %m", link);
		unlink(tmp);
	}
	free(link);
	free(tmp);
}

void machine_destroy(struct machine *m)
{
	unsigned k;

	for (k = 0; k < DUPLEX_MAX_PARTITIONS; k++)
		partition_release(m, &m->part[k]);
	strbuf_release(&m->transcript_notes);
	if (m->conn)
		virConnectClose(m->conn);
	m->conn = NULL;
	winhost_close(&m->win);
	link_destroy(&m->link);
	if (m->state_dir)
		remove_tree(m->state_dir);
	/* Released last: until here the lock (or, once the state directory
	 * and its lock file are gone, our pid) tells `duplex clean` that
	 * this run is alive, so it never takes a run that is still tearing
	 * down for a dead one. */
	runlock_release(m->lock_fd);
	m->lock_fd = -1;
	if (m->results_dir) {
		if (m->own_results)
			machine_point_latest(m->paths->results, m->run_id);
		log_debug("run %s ended", m->run_id);
		log_close();
	}
	free(m->state_dir);
	free(m->results_dir);
	free(m->domain_tmpl);
	m->state_dir = m->results_dir = m->domain_tmpl = NULL;
}

/* The window has no event to wait on: it is looked at this often. */
#define WINDOW_POLL_MS 5
/* Console output wakes the watch for every write of virtlogd: tens of
 * thousands a second from a guest that prints without pause (`yes`).
 * After such a wake the consoles are left to fill this long before they
 * are drained (a signal still ends the wait at once). */
#define CONSOLE_GATHER_MS 5

/* Drain every console; the first partition whose kernel failed or whose
 * domain ended (its console log closed by the writer) decides.  Each is
 * an event once: a wait that goes on after it (a partition whose end was
 * expected) must not see it again at once, or it would spin, never serve
 * boot requests and never drain the consoles after that partition. */
static bool partition_event(struct machine *m, enum machine_event *ev,
			    unsigned *k)
{
	unsigned i;

	for (i = 0; i < m->profile->partitions; i++) {
		struct partition *p = &m->part[i];

		if (!p->con_open)
			continue;
		console_drain(&p->con);
		if (p->kcon_open)
			console_drain(&p->kcon);
		*k = i;
		if (!p->failure_seen && p->kcon_open &&
		    matcher_failed(&p->kcon.m)) {
			p->failure_seen = true;
			winhost_set_state(&m->win, i, WINDOW_STATE_PANICKED);
			*ev = MACHINE_FAILURE;
			return true;
		}
		if (!p->end_seen && p->con.ended) {
			p->end_seen = true;
			winhost_set_state(&m->win, i, WINDOW_STATE_HALTED);
			*ev = MACHINE_LOST;
			return true;
		}
	}
	return false;
}


/* Start the partition a running one asked for, if any.  A failure to
 * start it is reported and leaves its slot HALTED, so that the guest's
 * repboot says so instead of waiting. */
static bool serve_boot_request(struct machine *m, unsigned *k)
{
	char extra[WINDOW_CMDLINE_MAX];
	unsigned target;

	winhost_update(&m->win);
	if (winhost_next_boot(&m->win, &target, extra, sizeof(extra),
			      partition_startable, m) != 1)
		return false;
	if (machine_start_partition(m, target, extra) < 0) {
		winhost_set_state(&m->win, target, WINDOW_STATE_BOOTING);
		winhost_set_state(&m->win, target, WINDOW_STATE_HALTED);
		return false;
	}
	*k = target;
	return true;
}

static bool output_came(const struct pollfd *fds, unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (fds[i].revents & POLLIN)
			return true;
	return false;
}

/* Let console output gather for CONSOLE_GATHER_MS (not past DEADLINE, -1
 * for none), waking only for a signal. */
static void gather_output(int64_t deadline)
{
	struct pollfd sig = { .fd = sigwatch_fd(), .events = POLLIN };
	int ms = CONSOLE_GATHER_MS;

	if (deadline >= 0 && deadline - now_ms() < ms)
		ms = (int)(deadline - now_ms());
	if (ms > 0)
		poll(&sig, 1, ms);
}

enum machine_event machine_watch(struct machine *m, int timeout_ms, unsigned *k)
{
	int64_t deadline = timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
	struct pollfd fds[2 * DUPLEX_MAX_PARTITIONS + 1];
	enum machine_event ev;
	unsigned i, n;
	int wait_ms;

	*k = 0;
	for (;;) {
		if (sigwatch_pending())
			return MACHINE_SIGNAL;
		if (partition_event(m, &ev, k))
			return ev;
		if (serve_boot_request(m, k))
			return MACHINE_STARTED;
		if (winhost_silent(&m->win, now_ms(), k))
			return MACHINE_HUNG;
		wait_ms = deadline < 0 ? -1 : (int)(deadline - now_ms());
		if (deadline >= 0 && wait_ms <= 0)
			return MACHINE_TIMEOUT;
		if (wait_ms < 0 || wait_ms > WINDOW_POLL_MS)
			wait_ms = WINDOW_POLL_MS;
		n = 0;
		fds[n++] = (struct pollfd){ .fd = sigwatch_fd(), .events = POLLIN };
		for (i = 0; i < m->profile->partitions; i++) {
			if (m->part[i].con_open)
				fds[n++] = (struct pollfd){
					.fd = m->part[i].con.inotify_fd,
					.events = POLLIN };
			if (m->part[i].kcon_open)
				fds[n++] = (struct pollfd){
					.fd = m->part[i].kcon.inotify_fd,
					.events = POLLIN };
		}
		if (poll(fds, n, wait_ms) < 0 && errno != EINTR) {
			log_error("cannot watch the machine's consoles: poll: %m");
			return MACHINE_HOST_ERROR;
		}
		if (!(fds[0].revents & POLLIN) && output_came(fds + 1, n - 1))
			gather_output(deadline);
	}
}

char *machine_hung_reason(const struct machine *m, unsigned k)
{
	int64_t silent = now_ms() - m->win.beat[k].changed_ms;

	return xasprintf("serial%u (partition %u, replica %u): no heartbeat for %.0f s: its kernel or partd hangs",
			 k, k, m->profile->replica[k], silent / 1000.0);
}
