/* End-to-end: boot the primary of the default profile in a real libvirt
 * domain, type on its serial console, read the answer back, tear down and
 * check that nothing is left.  Speaks TAP. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "e2e.h"
#include "base/config.h"
#include "base/log.h"
#include "machine/machine.h"
#include "base/sigwatch.h"
#include "base/util.h"
#include "machine/virt.h"

static bool transcript_has(const char *path, const char *text)
{
	char *log = read_file(path, NULL);
	bool found = log && strstr(log, text);

	free(log);
	return found;
}

static void run(struct machine *m)
{
	struct partition *p = &m->part[0];
	char name[sizeof(p->name)], *log_path, *state_dir;
	bool ok;

	ok = machine_start_partition(m, 0, NULL) == 0;
	e2e_verdict(ok, "primary domain starts with a pty console");
	if (!ok)
		return;
	e2e_verdict(!strncmp(p->pty, "/dev/pts/", 9), "console is a /dev/pts pty");
	ok = machine_wait_ready(m, 0, (int)m->profile->boot_timeout_s * 1000) ==
	     CONSOLE_MATCHED;
	e2e_verdict(ok, "primary reaches its shell (ready marker)");
	if (!ok)
		return;
	ok = console_send(&p->con, "echo $((6*7))\r") == 0 &&
	     console_expect(&p->con, "^42\r?$", 60000) == CONSOLE_MATCHED;
	e2e_verdict(ok, "echo $((6*7)) typed on serial0 prints 42");
	ok = console_send(&p->con, "uname -r; cat /proc/cmdline\r") == 0 &&
	     console_expect(&p->con, "duplex\\.partition=0", 60000) == CONSOLE_MATCHED;
	e2e_verdict(ok, "kernel command line carries duplex.partition=0");
	e2e_verdict(transcript_has(p->log_path, "Linux version"),
		"transcript holds the kernel's first lines (log from the first byte)");

	snprintf(name, sizeof(name), "%s", p->name);
	log_path = xstrdup(p->log_path);
	state_dir = xstrdup(m->state_dir);
	machine_destroy(m);
	e2e_verdict(!e2e_domain_exists(name), "teardown leaves no domain");
	e2e_verdict(!path_exists(state_dir), "teardown removes the run state directory");
	e2e_verdict(path_exists(log_path), "transcript is kept in results/");
	free(log_path);
	free(state_dir);
}

int main(int argc, char **argv)
{
	(void)argc;
	return e2e_main(argv[0], "default", run);
}
