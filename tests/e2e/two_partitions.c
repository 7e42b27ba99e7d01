/* End-to-end: both partitions of the default profile in real libvirt
 * domains, started directly by the harness (tests/e2e/repboot.c covers
 * the boot a partition asks for), on one link and one window.  From the primary: ping the
 * secondary and reach its shell over the link (the reference's
 * `ssh 10.1.2.2`); on both: the ivshmem device, and markers through the
 * window between host and guests both ways.  Then nothing may be left: no
 * domain, no bridge, no window file.  Speaks TAP. */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "e2e.h"
#include "base/config.h"
#include "base/log.h"
#include "machine/machine.h"
#include "base/sigwatch.h"
#include "base/util.h"
#include "machine/virt.h"

/* The partition's address on the link without its prefix. */
static void host_addr(const struct machine *m, unsigned k, char *buf,
		      size_t size)
{
	profile_partition_addr(m->profile, k, buf, size);
	buf[strcspn(buf, "/")] = '\0';
}

static void check_link(struct machine *m)
{
	char addr[32], cmd[96], msg[128];

	host_addr(m, 1, addr, sizeof(addr));
	snprintf(cmd, sizeof(cmd), "ping -c 1 -W 10 %s\n", addr);
	snprintf(msg, sizeof(msg), "ping -c 1 %s from the primary gets its answer",
		 addr);
	e2e_verdict(e2e_run_on(m, 0, cmd, "^1 packets transmitted, 1 packets received"),
		msg);
	/* telnetd runs /bin/sh on the secondary: what the command prints
	 * comes from there, and the echo of the command cannot match. */
	snprintf(cmd, sizeof(cmd), "telnet %s\n", addr);
	e2e_verdict(console_send(&m->part[0].con, cmd) == 0 &&
		e2e_run_on(m, 0, "echo remote-$(hostname)\n", "^remote-p1\r?$") &&
		e2e_run_on(m, 0, "exit\n", "Connection closed by foreign host"),
		"a shell on the secondary over the link (telnet; hostname p1)");
}

/* Define dxwin on partition K: the sysfs directory of the ivshmem device
 * (vendor 0x1af4, device 0x1110); then find it. */
static bool find_window(struct machine *m, unsigned k)
{
	static const char define[] =
		"dxwin() { for d in /sys/bus/pci/devices/*; do "
		"[ \"$(cat $d/vendor) $(cat $d/device)\" = \"0x1af4 0x1110\" ] && "
		"[ -e $d/resource2 ] && echo $d && return 0; done; return 1; }\n";

	return console_send(&m->part[k].con, define) == 0 &&
	       e2e_run_on(m, k, "w=$(dxwin) && echo \"ivshmem $((1+1)) at ${w##*/}\"\n",
		      "^ivshmem 2 at [0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\\.[0-9]\r?$");
}

/* Make busybox devmem reach BAR 2 on partition K.
 * The guests have no /dev/mem (no CONFIG_DEVMEM); devmem opens that path
 * by name, and a link to the BAR's sysfs file turns its addresses into
 * offsets into the BAR (an mmap of resource2, as guest programs do). */
static bool map_window(struct machine *m, unsigned k)
{
	return e2e_run_on(m, k, "ln -sf $w/resource2 /dev/mem && echo bar-$((2+3))\n",
		      "^bar-5\r?$");
}

static bool guest_reads(struct machine *m, unsigned k, unsigned off,
			uint32_t value)
{
	char cmd[64], re[32];

	snprintf(cmd, sizeof(cmd), "devmem %u 32\n", off);
	snprintf(re, sizeof(re), "^0x%08X\r?$", value);
	return e2e_run_on(m, k, cmd, re);
}

static bool guest_writes(struct machine *m, unsigned k, unsigned off,
			 uint32_t value)
{
	char cmd[96];

	snprintf(cmd, sizeof(cmd),
		 "devmem %u 32 0x%08X && echo wrote-$((3+4))\n", off,
		 value);
	return e2e_run_on(m, k, cmd, "^wrote-7\r?$");
}

static bool window_io(const struct machine *m, bool write, unsigned off,
		      uint32_t *value)
{
	char *path = xasprintf(LINK_WINDOW_DIR "/%s", m->link.window);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	bool ok = fd >= 0 &&
		  (write ? pwrite(fd, value, 4, off) : pread(fd, value, 4, off)) == 4;

	if (fd >= 0)
		close(fd);
	free(path);
	return ok;
}

static void check_window_file(const struct machine *m)
{
	char *path = xasprintf(LINK_WINDOW_DIR "/%s", m->link.window);
	struct stat st;

	e2e_verdict(stat(path, &st) == 0 &&
		st.st_size == (off_t)MACHINE_WINDOW_MIB << 20 &&
		!(st.st_mode & 07), "window file: " LINK_WINDOW_DIR
		"/duplex-<run-id>, the window's size, not open to others");
	free(path);
}

static void check_window(struct machine *m)
{
	uint32_t host_mark = 0xd0e10000u | (uint32_t)(getpid() & 0xffff);
	uint32_t guest_mark = ~host_mark, seen = 0;
	bool found[2], mapped;

	check_window_file(m);
	found[0] = find_window(m, 0);
	found[1] = find_window(m, 1);
	e2e_verdict(found[0] && found[1],
		"ivshmem device (1af4:1110) with BAR 2 on both partitions");
	mapped = found[0] && found[1] && map_window(m, 0) && map_window(m, 1);
	e2e_verdict(mapped && window_io(m, true, 0, &host_mark) &&
		guest_reads(m, 0, 0, host_mark) && guest_reads(m, 1, 0, host_mark),
		"a marker the host writes into the window file reaches both guests");
	e2e_verdict(mapped && guest_writes(m, 1, 4, guest_mark) &&
		window_io(m, false, 4, &seen) && seen == guest_mark &&
		guest_reads(m, 0, 4, guest_mark),
		"a marker the secondary writes reaches the host and the primary");
}

/* `ip [-n NETNS] -o WHAT show dev NAME` exits 0; its output to OUT
 * (NULL: dropped), its complaints to /dev/null. */
static bool ip_ok(const char *netns, const char *what, const char *name,
		  char **out)
{
	const char *argv[10] = { "ip" };
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC), status;
	char *text = NULL;
	size_t n = 1;

	if (*netns) {
		argv[n++] = "-n";
		argv[n++] = netns;
	}
	argv[n++] = "-o";
	argv[n++] = what;
	argv[n++] = "show";
	argv[n++] = "dev";
	argv[n++] = name;
	status = run_capture(argv, devnull, &text);
	if (devnull >= 0)
		close(devnull);
	if (out)
		*out = text;
	else
		free(text);
	return status == 0;
}

static void check_bridge(const struct machine *m)
{
	char *out = NULL;

	e2e_verdict(ip_ok(m->link.netns, "addr", m->link.bridge, &out) && out &&
		!*out,
		"the link's bridge exists, in libvirtd's namespace, without an address");
	free(out);
}

static void check_teardown(struct machine *m)
{
	struct link ln = m->link;
	char *window = xasprintf(LINK_WINDOW_DIR "/%s", ln.window);
	char names[2][sizeof(m->part[0].name)];

	memcpy(names[0], m->part[0].name, sizeof(names[0]));
	memcpy(names[1], m->part[1].name, sizeof(names[1]));
	machine_destroy(m);
	e2e_verdict(!e2e_domain_exists(names[0]) && !e2e_domain_exists(names[1]),
		"teardown leaves no domain");
	e2e_verdict(!ip_ok(ln.netns, "link", ln.bridge, NULL),
		"teardown removes the bridge");
	e2e_verdict(!path_exists(window), "teardown removes the window file");
	free(window);
}

static void run(struct machine *m)
{
	int boot_ms = (int)m->profile->boot_timeout_s * 1000;
	bool ok;

	ok = machine_start_partition(m, 0, NULL) == 0 &&
	     machine_start_partition(m, 1, NULL) == 0;
	e2e_verdict(ok, "both partitions' domains start");
	if (!ok)
		return;
	ok = machine_wait_ready(m, 0, boot_ms) == CONSOLE_MATCHED &&
	     machine_wait_ready(m, 1, boot_ms) == CONSOLE_MATCHED;
	e2e_verdict(ok, "both partitions reach their shell");
	if (!ok)
		return;
	check_bridge(m);
	check_link(m);
	check_window(m);
	check_teardown(m);
}

int main(int argc, char **argv)
{
	(void)argc;
	return e2e_main(argv[0], "default", run);
}
