#include "guest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define PCI_DEVICES "/sys/bus/pci/devices"

const char *guest_prog = "duplex";

void guest_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", guest_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

long long guest_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool guest_partition_gone(const struct window *w, unsigned p,
			  struct guest_liveness *l, char *why, size_t size)
{
	enum window_state st = window_slot_state(w, p);
	uint64_t beat = window_slot_heartbeat(w, p);
	long long now = guest_now_ms();

	if (st != WINDOW_STATE_UP) {
		snprintf(why, size, "%s", window_state_name(st));
		return true;
	}
	if (beat != l->beat || !l->beat_ms) {
		l->beat = beat;
		l->beat_ms = now;
	} else if (now - l->beat_ms > GUEST_HEARTBEAT_MS) {
		snprintf(why, size, "no heartbeat for %d s",
			 GUEST_HEARTBEAT_MS / 1000);
		return true;
	}
	return false;
}

static int read_small(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int partition_from_cmdline(void)
{
	char buf[4096], *arg, *save = NULL;

	if (read_small("/proc/cmdline", buf, sizeof(buf)) < 0)
		return -1;
	for (arg = strtok_r(buf, " \n", &save); arg;
	     arg = strtok_r(NULL, " \n", &save)) {
		char *end;
		long k;

		if (strncmp(arg, "duplex.partition=", 17))
			continue;
		k = strtol(arg + 17, &end, 10);
		if (end != arg + 17 && *end == '\0' && k >= 0 &&
		    k < (long)WINDOW_MAX_PARTITIONS)
			return (int)k;
	}
	return -1;
}

int guest_partition_self(void)
{
	char buf[32], *end;
	long k;
	int from_cmdline = partition_from_cmdline();

	if (from_cmdline >= 0)
		return from_cmdline;
	if (read_small("/etc/duplex/partition", buf, sizeof(buf)) == 0) {
		k = strtol(buf, &end, 10);
		if (end != buf && (*end == '\n' || *end == '\0') && k >= 0 &&
		    k < (long)WINDOW_MAX_PARTITIONS)
			return (int)k;
	}
	guest_error("cannot tell which partition this is (no duplex.partition= on the kernel command line, no /etc/duplex/partition)");
	return -1;
}

static long read_hex(const char *dev, const char *file)
{
	char path[512], buf[32];

	snprintf(path, sizeof(path), PCI_DEVICES "/%s/%s", dev, file);
	if (read_small(path, buf, sizeof(buf)) < 0)
		return -1;
	return strtol(buf, NULL, 16);
}

/* The sysfs name of the first ivshmem device, into DEV. */
static int find_ivshmem(char *dev, size_t size)
{
	DIR *dir = opendir(PCI_DEVICES);
	struct dirent *de;
	int found = -1;

	if (!dir) {
		guest_error("cannot list %s: %s", PCI_DEVICES, strerror(errno));
		return -1;
	}
	while (found < 0 && (de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		if (read_hex(de->d_name, "vendor") == IVSHMEM_VENDOR &&
		    read_hex(de->d_name, "device") == IVSHMEM_DEVICE) {
			snprintf(dev, size, "%s", de->d_name);
			found = 0;
		}
	}
	closedir(dir);
	if (found < 0)
		guest_error("no window: no ivshmem device (PCI %04x:%04x) in %s",
			    IVSHMEM_VENDOR, IVSHMEM_DEVICE, PCI_DEVICES);
	return found;
}

int guest_window_open(struct window *w)
{
	char dev[256], path[512];
	void *base;
	int fd, err;

	if (find_ivshmem(dev, sizeof(dev)) < 0)
		return -1;
	snprintf(path, sizeof(path), PCI_DEVICES "/%s/resource2", dev);
	fd = open(path, O_RDWR | O_SYNC | O_CLOEXEC);
	if (fd < 0) {
		guest_error("cannot open the window %s: %s", path, strerror(errno));
		return -1;
	}
	base = mmap(NULL, WINDOW_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	close(fd);
	if (base == MAP_FAILED) {
		guest_error("cannot map the window %s: %s", path, strerror(errno));
		return -1;
	}
	err = window_attach(w, base, WINDOW_SIZE);
	if (err) {
		guest_error("the window at %s is not usable: %s", path,
			    window_strerror(err));
		munmap(base, WINDOW_SIZE);
		return -1;
	}
	return 0;
}
