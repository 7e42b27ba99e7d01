/* duplex doctor: is this host ready?  One line per check, each FAIL with
 * the command that fixes it. */
#include "machine/machine.h"
#include "cmd.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct doctor {
	unsigned failed;
};

static void check(struct doctor *d, bool ok, const char *what,
		  const char *detail, const char *fix)
{
	printf("%-4s %-12s %s%s%s\n", ok ? "OK" : "FAIL", what, detail,
	       ok || !fix ? "" : " -- fix: ", ok || !fix ? "" : fix);
	if (!ok)
		d->failed++;
}

static bool command_version(const char *const argv[], char *out, size_t size)
{
	char *text = NULL;
	bool ok = run_capture(argv, -1, &text) == 0;

	snprintf(out, size, "%s", ok && text ? text : "not found");
	out[strcspn(out, "\n")] = '\0';
	free(text);
	return ok;
}

static void check_libvirtd(struct doctor *d)
{
	virConnectPtr conn = virConnectOpen(virt_uri());
	unsigned long version = 0;
	char detail[128];

	if (conn && virConnectGetLibVersion(conn, &version) == 0)
		snprintf(detail, sizeof(detail), "%s answers (libvirt %lu.%lu.%lu)",
			 virt_uri(), version / 1000000, version / 1000 % 1000,
			 version % 1000);
	else
		snprintf(detail, sizeof(detail), "nothing answers at %s", virt_uri());
	check(d, conn != NULL, "libvirtd", detail,
	      "make deps (starts libvirtd in network namespace 'duplex')");
	if (conn)
		virConnectClose(conn);
}

static void check_qemu(struct doctor *d)
{
	static const char *const argv[] = { "qemu-system-x86_64", "--version", NULL };
	char detail[256];

	check(d, command_version(argv, detail, sizeof(detail)), "qemu", detail,
	      "make deps (package qemu-system-x86)");
}

static void check_kvm(struct doctor *d, const struct duplex_paths *paths)
{
	char why[256], detail[320];
	bool kvm = accel_kvm_usable(paths, why, sizeof(why));

	snprintf(detail, sizeof(detail), "%s (%s)",
		 kvm ? "KVM works" : "no KVM, using TCG", why);
	/* TCG is a working answer, not a failure. */
	check(d, true, "accelerator", detail, NULL);
}

static void check_kernel_tree(struct doctor *d, const struct duplex_paths *paths)
{
	char detail[PATH_MAX + 64];
	bool ok;

	if (paths->ksrc[0]) {
		char *mk = xasprintf("%s/Makefile", paths->ksrc);

		ok = path_exists(mk);
		free(mk);
		snprintf(detail, sizeof(detail), "KSRC=%s%s", paths->ksrc,
			 ok ? "" : " is not a kernel tree");
		check(d, ok, "kernel tree", detail, "point KSRC at a Linux source tree, or unset it");
		return;
	}
	ok = path_exists("/usr/src/linux-source-6.1.tar.xz");
	snprintf(detail, sizeof(detail), "%s", ok ? "/usr/src/linux-source-6.1.tar.xz" :
		 "no /usr/src/linux-source-6.1.tar.xz and no KSRC");
	check(d, ok, "kernel tree", detail, "make deps (package linux-source-6.1)");
}

static void check_tool(struct doctor *d, const char *what, const char *tool,
		       const char *fix)
{
	const char *const argv[] = { "sh", "-c", "command -v \"$0\"", tool, NULL };
	char detail[256];

	check(d, command_version(argv, detail, sizeof(detail)), what, detail, fix);
}

int cmd_doctor(int argc, char **argv, const struct duplex_paths *paths)
{
	struct doctor d = { 0 };

	if (cli_wants_help(argc, argv)) {
		fputs("usage: duplex doctor\n\nCheck that this host can build and boot replicas; one line per\n"
		      "check, each FAIL with its fix.  Exit 0 when nothing failed, 2 otherwise.\n", stdout);
		return EXIT_OK;
	}
	virt_init_errors();
	check_libvirtd(&d);
	check_qemu(&d);
	check_kvm(&d, paths);
	check_kernel_tree(&d, paths);
	check_tool(&d, "ccache", "ccache", "make deps (package ccache)");
	check_tool(&d, "busybox", "busybox", "make deps (package busybox-static)");
	check_tool(&d, "musl-gcc", "musl-gcc", "make deps (package musl-tools)");
	return d.failed ? EXIT_ERROR : EXIT_OK;
}
