#define _GNU_SOURCE
#include "link.h"
#include "base/base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void link_bridge_name(const char *run_id, char *buf, size_t size)
{
	snprintf(buf, size, LINK_BRIDGE_PREFIX "%s", run_id + 1);
}

void link_window_name(const char *run_id, char *buf, size_t size)
{
	snprintf(buf, size, LINK_WINDOW_PREFIX "%s", run_id);
}

bool link_bridge_run_id(const char *name, char *run_id, size_t size)
{
	if (strncmp(name, LINK_BRIDGE_PREFIX, strlen(LINK_BRIDGE_PREFIX)))
		return false;
	if ((size_t)snprintf(run_id, size, "r%s",
			     name + strlen(LINK_BRIDGE_PREFIX)) >= size)
		return false;
	return run_id_valid(run_id, 'r');
}

bool link_window_run_id(const char *name, char *run_id, size_t size)
{
	if (strncmp(name, LINK_WINDOW_PREFIX, strlen(LINK_WINDOW_PREFIX)))
		return false;
	if ((size_t)snprintf(run_id, size, "%s",
			     name + strlen(LINK_WINDOW_PREFIX)) >= size)
		return false;
	return run_id_valid(run_id, 'r');
}

void link_mac(const char *run_id, unsigned k, char *buf, size_t size)
{
	uint32_t h = 2166136261u;	/* FNV-1a */

	for (; *run_id; run_id++)
		h = (h ^ (unsigned char)*run_id) * 16777619u;
	snprintf(buf, size, "52:54:00:%02x:%02x:%02x", (h >> 8) & 0xff,
		 h & 0xff, k & 0xff);
}

/* " in network namespace 'duplex'", or "" for our own, for messages. */
static const char *ns_words(const char *netns, char *buf, size_t size)
{
	if (!*netns)
		return "";
	snprintf(buf, size, " in network namespace '%s'", netns);
	return buf;
}

/* What FILE holds (ip's stderr), trimmed, malloc'd. */
static char *stream_text(FILE *f)
{
	char *text = xcalloc(1, 512);
	size_t n;

	rewind(f);
	n = fread(text, 1, 511, f);
	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
		n--;
	text[n] = '\0';
	return text;
}

/* Run `ip [-n NETNS] ARGS...`: its stdout into *OUT (if OUT), its stderr
 * into *ERR.  Returns ip's exit status, or -1 if it could not run
 * (reported). */
static int ip_run(const char *netns, const char *const args[], char **out,
		  char **err)
{
	const char *argv[16] = { "ip" };
	char *captured = NULL;
	size_t n = 1;
	int status;
	FILE *errf;

	if (*netns) {
		argv[n++] = "-n";
		argv[n++] = netns;
	}
	for (; *args && n < ARRAY_SIZE(argv) - 1; args++)
		argv[n++] = *args;
	errf = tmpfile();
	if (!errf) {
		log_error("cannot make a temporary file for ip's messages: %m");
		return -1;
	}
	status = run_capture(argv, fileno(errf), &captured);
	*err = stream_text(errf);
	fclose(errf);
	if (out)
		*out = captured;
	else
		free(captured);
	return status;
}

/* ip ARGS for WHAT on bridge NAME; an error names both, with ip's words. */
static int ip_do(const char *netns, const char *const args[],
		 const char *what, const char *name)
{
	char ns[64], *err;
	int status = ip_run(netns, args, NULL, &err);

	if (status > 0)
		log_error("cannot %s bridge %s%s: ip: %s%s", what, name,
			  ns_words(netns, ns, sizeof(ns)), err,
			  strstr(err, "not permitted") ?
			  " (the link needs root: CAP_NET_ADMIN)" : "");
	free(err);
	return status == 0 ? 0 : -1;
}

/* No uplink is ever added and forwarding is never touched; addrgenmode
 * none keeps even an IPv6 link-local address off the bridge, so the
 * host takes no part in the link.  It must be set before the bridge is
 * up. */
static int bridge_create(struct link *ln)
{
	const char *add[] = { "link", "add", ln->bridge, "type", "bridge", NULL };
	const char *no_addr[] = { "link", "set", ln->bridge, "addrgenmode",
				  "none", NULL };
	const char *up[] = { "link", "set", ln->bridge, "up", NULL };

	if (ip_do(ln->netns, add, "create", ln->bridge) < 0)
		return -1;
	ln->bridge_made = true;
	if (path_exists("/proc/sys/net/ipv6") &&
	    ip_do(ln->netns, no_addr, "keep addresses off", ln->bridge) < 0)
		return -1;
	return ip_do(ln->netns, up, "bring up", ln->bridge);
}

/* A bridge that is gone already is not an error. */
static int bridge_delete(const char *netns, const char *name)
{
	const char *del[] = { "link", "del", name, NULL };
	char ns[64], *err;
	int status = ip_run(netns, del, NULL, &err);

	if (status > 0 && strstr(err, "Cannot find device"))
		status = 0;
	else if (status > 0)
		log_error("cannot delete bridge %s%s: ip: %s", name,
			  ns_words(netns, ns, sizeof(ns)), err);
	free(err);
	return status == 0 ? 0 : -1;
}

/* libvirt does not relabel a <shmem> file for QEMU (and QEMU, as another
 * user, cannot open a root-only file), nor does it remove it when the
 * last domain goes: the file is ours from creation to removal.  QEMU gets
 * in through the group; O_EXCL refuses a file some other run owns. */
static int window_create(struct link *ln, unsigned mib, uid_t qemu_uid,
			 gid_t qemu_gid)
{
	char *path = xasprintf(LINK_WINDOW_DIR "/%s", ln->window);
	int fd, ret = -1;

	fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("cannot create the window file '%s': %m%s", path,
			  errno == EEXIST ? " (left by a dead run? "
			  "'duplex clean' removes it)" : "");
		goto out;
	}
	ln->window_made = true;
	if (ftruncate(fd, (off_t)mib << 20) < 0) {
		log_error("cannot size the window file '%s' to %u MiB: %m",
			  path, mib);
		goto out_close;
	}
	if (qemu_uid != (uid_t)-1 && qemu_uid != geteuid() &&
	    (fchown(fd, (uid_t)-1, qemu_gid) < 0 || fchmod(fd, 0660) < 0)) {
		log_error("cannot open the window file '%s' to QEMU's group %u: %m "
			  "(run duplex as root)", path, (unsigned)qemu_gid);
		goto out_close;
	}
	ret = 0;
out_close:
	close(fd);
out:
	free(path);
	return ret;
}

static int window_remove(const char *name)
{
	char *path = xasprintf(LINK_WINDOW_DIR "/%s", name);
	int ret = 0;

	if (unlink(path) < 0 && errno != ENOENT) {
		log_error("cannot remove the window file '%s': %m", path);
		ret = -1;
	}
	free(path);
	return ret;
}

int link_create(struct link *ln, const char *run_id, unsigned window_mib,
		uid_t qemu_uid, gid_t qemu_gid)
{
	memset(ln, 0, sizeof(*ln));
	link_bridge_name(run_id, ln->bridge, sizeof(ln->bridge));
	link_window_name(run_id, ln->window, sizeof(ln->window));
	if (link_netns(ln->netns, sizeof(ln->netns)) < 0 ||
	    window_create(ln, window_mib, qemu_uid, qemu_gid) < 0 ||
	    bridge_create(ln) < 0) {
		link_destroy(ln);
		return -1;
	}
	log_debug("link: bridge %s%s%s, window " LINK_WINDOW_DIR "/%s (%u MiB)",
		  ln->bridge, *ln->netns ? " in netns " : "", ln->netns,
		  ln->window, window_mib);
	return 0;
}

int link_destroy(struct link *ln)
{
	int ret = 0;

	if (ln->bridge_made && bridge_delete(ln->netns, ln->bridge) < 0)
		ret = -1;
	ln->bridge_made = false;
	if (ln->window_made && window_remove(ln->window) < 0)
		ret = -1;
	ln->window_made = false;
	return ret;
}

/* libvirt's monolithic daemon, or the QEMU driver's modular one: the
 * process that makes the taps. */
static bool is_libvirt_daemon(const char *pid)
{
	char comm[32];

	return proc_comm(strtol(pid, NULL, 10), comm, sizeof(comm)) &&
	       (!strcmp(comm, "libvirtd") || !strcmp(comm, "virtqemud"));
}

/* The network namespace of the first libvirt daemon in /proc: 1 if found
 * (in *ST), 0 if none can be seen. */
static int daemon_netns(struct stat *st)
{
	struct dirent *de;
	char path[64];
	int found = 0;
	DIR *proc = opendir("/proc");

	if (!proc) {
		log_error("cannot read /proc: %m");
		return -1;
	}
	while (!found && (de = readdir(proc))) {
		if (strspn(de->d_name, "0123456789") != strlen(de->d_name) ||
		    !is_libvirt_daemon(de->d_name))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", de->d_name);
		found = stat(path, st) == 0;
	}
	closedir(proc);
	return found;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

int link_netns(char *netns, size_t size)
{
	struct stat daemon, self, named;
	int found = daemon_netns(&daemon);

	netns[0] = '\0';
	if (found <= 0)
		return found;
	if (stat("/proc/self/ns/net", &self) == 0 && same_file(&daemon, &self))
		return 0;
	if (stat("/run/netns/" LINK_NETNS, &named) == 0 &&
	    same_file(&daemon, &named)) {
		snprintf(netns, size, "%s", LINK_NETNS);
		return 0;
	}
	log_error("libvirtd runs in a network namespace that is neither duplex's "
		  "nor '" LINK_NETNS "': the link's bridge cannot be made where "
		  "libvirtd looks for it (start libvirtd with 'make deps', or "
		  "run duplex in libvirtd's namespace)");
	return -1;
}

/* The interface name of a line of `ip -o link show`: "5: NAME: <...>"
 * (or "NAME@PEER:"), cut in place. */
static char *ip_line_name(char *line)
{
	char *name = strstr(line, ": ");

	if (!name)
		return NULL;
	name += 2;
	name[strcspn(name, ":@")] = '\0';
	return name;
}

static int clean_bridges(const char *netns, bool all, run_alive_fn alive,
			 const void *ctx, int *count)
{
	const char *list[] = { "-o", "link", "show", "type", "bridge", NULL };
	char ns[64], run_id[32], *out = NULL, *err, *line, *save = NULL;
	int status = ip_run(netns, list, &out, &err), ret = 0;

	if (status != 0) {
		if (status > 0)
			log_error("cannot list the bridges%s: ip: %s",
				  ns_words(netns, ns, sizeof(ns)), err);
		free(err);
		free(out);
		return -1;
	}
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *name = ip_line_name(line);

		if (!name || !link_bridge_run_id(name, run_id, sizeof(run_id)) ||
		    (!all && alive(run_id, ctx)))
			continue;
		if (bridge_delete(netns, name) < 0) {
			ret = -1;
			continue;
		}
		log_info("clean: deleted bridge %s%s", name,
			 ns_words(netns, ns, sizeof(ns)));
		(*count)++;
	}
	free(err);
	free(out);
	return ret;
}

static int clean_windows(bool all, run_alive_fn alive, const void *ctx,
			 int *count)
{
	DIR *dir = opendir(LINK_WINDOW_DIR);
	char run_id[32];
	struct dirent *de;
	int ret = 0;

	if (!dir) {
		if (errno == ENOENT)
			return 0;
		log_error("cannot read '" LINK_WINDOW_DIR "': %m");
		return -1;
	}
	while ((de = readdir(dir))) {
		if (!link_window_run_id(de->d_name, run_id, sizeof(run_id)) ||
		    (!all && alive(run_id, ctx)))
			continue;
		if (window_remove(de->d_name) < 0) {
			ret = -1;
			continue;
		}
		log_info("clean: removed " LINK_WINDOW_DIR "/%s", de->d_name);
		(*count)++;
	}
	closedir(dir);
	return ret;
}

int link_clean(bool all, run_alive_fn alive, const void *ctx,
	       struct link_leftovers *removed)
{
	char netns[16];
	int ret = 0;

	memset(removed, 0, sizeof(*removed));
	if (link_netns(netns, sizeof(netns)) < 0 ||
	    clean_bridges(netns, all, alive, ctx, &removed->bridges) < 0)
		ret = -1;
	if (clean_windows(all, alive, ctx, &removed->windows) < 0)
		ret = -1;
	return ret;
}
