#define _GNU_SOURCE
#include "accel.h"
#include "base/base.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* Printed by the kernel only when user space asked it to power off. */
#define PROBE_SUCCESS "reboot: Power down"

static char *boot_id(void)
{
	char *id = read_file("/proc/sys/kernel/random/boot_id", NULL);

	if (id)
		id[strcspn(id, "\n")] = '\0';
	return id;
}

/* Wait for PID until DEADLINE (monotonic ms); kill it when it passes. */
static bool wait_deadline(pid_t pid, int64_t deadline)
{
	int status;

	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return true;
		if (r < 0 && errno != EINTR)
			return false;
		if (now_ms() >= deadline) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			return false;
		}
		poll(NULL, 0, 20);
	}
}

static bool probe_boot(const char *kernel, const char *initrd,
		       const char *out_path, char *why, size_t size)
{
	char *serial = xasprintf("file:%s", out_path);
	const char *argv[] = {
		"qemu-system-x86_64", "-accel", "kvm", "-machine", "pc",
		"-m", "128", "-nodefaults", "-display", "none",
		"-monitor", "none", "-no-reboot", "-serial", serial,
		"-kernel", kernel, "-initrd", initrd, "-append",
		"console=ttyS0 panic=-1 rdinit=/bin/poweroff -- -f", NULL
	};
	int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
	bool ok = false;
	char *out;
	pid_t pid;

	pid = fork();
	if (pid == 0) {
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(devnull);
	if (pid < 0) {
		snprintf(why, size, "cannot fork the probe: %s", strerror(errno));
		goto out;
	}
	if (!wait_deadline(pid, now_ms() + ACCEL_PROBE_DEADLINE_MS)) {
		snprintf(why, size, "/dev/kvm exists but a KVM guest did not reach user space within %d s",
			 ACCEL_PROBE_DEADLINE_MS / 1000);
		goto out;
	}
	out = read_file(out_path, NULL);
	ok = out && strstr(out, PROBE_SUCCESS);
	if (!ok)
		snprintf(why, size, "a KVM guest ended without reaching user space");
	else
		snprintf(why, size, "a KVM guest booted to user space");
	free(out);
out:
	free(serial);
	return ok;
}

static bool probe_uncached(const struct duplex_paths *paths, char *why,
			   size_t size)
{
	char *kernel = paths_kernel_image(paths, 1, "");
	char *initrd = paths_initramfs(paths, 0);
	char *out = xasprintf("%s/kvm-probe.serial", paths->build);
	bool ok = false;

	if (access("/dev/kvm", R_OK | W_OK) < 0) {
		snprintf(why, size, "/dev/kvm is not usable (%s)", strerror(errno));
	} else if (!path_exists(kernel) || !path_exists(initrd)) {
		snprintf(why, size, "not probed: no replica 1 kernel and initramfs built yet");
	} else {
		ok = probe_boot(kernel, initrd, out, why, size);
		unlink(out);
	}
	free(kernel);
	free(initrd);
	free(out);
	return ok;
}

/* Cache file: "<boot_id> <0|1> <reason>". */
static bool cache_lookup(const char *path, const char *id, bool *ok,
			 char *why, size_t size)
{
	char *text, *sp;
	bool hit = false;

	if (!path_exists(path))
		return false;
	text = read_file(path, NULL);
	if (!text)
		return false;
	text[strcspn(text, "\n")] = '\0';
	sp = strchr(text, ' ');
	if (sp && (size_t)(sp - text) == strlen(id) && !strncmp(text, id, strlen(id)) &&
	    (sp[1] == '0' || sp[1] == '1') && sp[2] == ' ') {
		*ok = sp[1] == '1';
		snprintf(why, size, "%s", sp + 3);
		hit = true;
	}
	free(text);
	return hit;
}

bool accel_kvm_usable(const struct duplex_paths *paths, char *why, size_t size)
{
	char *cache = xasprintf("%s/kvm-probe.cache", paths->build);
	char reason[256] = "", *id = boot_id(), *line;
	bool ok = false;

	if (id && cache_lookup(cache, id, &ok, reason, sizeof(reason)))
		goto out;
	ok = probe_uncached(paths, reason, sizeof(reason));
	/* "not probed" must not stick: the next call may have a kernel. */
	if (id && strncmp(reason, "not probed", 10) && !mkdir_p(paths->build, 0755)) {
		line = xasprintf("%s %d %s\n", id, ok, reason);
		write_file_atomic(cache, line, strlen(line), 0644);
		free(line);
	}
out:
	if (why)
		snprintf(why, size, "%s", reason);
	free(id);
	free(cache);
	return ok;
}

int accel_choose(const struct duplex_paths *paths, enum accel_mode mode,
		 bool *use_kvm)
{
	char why[256];

	*use_kvm = false;
	if (mode == ACCEL_TCG)
		return 0;
	*use_kvm = accel_kvm_usable(paths, why, sizeof(why));
	if (mode == ACCEL_KVM && !*use_kvm) {
		log_error("the profile asks for accel = kvm but KVM is not usable: %s; set accel = auto or tcg",
			  why);
		return -1;
	}
	log_debug("accelerator: %s (%s)", *use_kvm ? "KVM" : "TCG", why);
	return 0;
}
