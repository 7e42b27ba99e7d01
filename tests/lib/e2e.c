#include "e2e.h"
#include "build/build.h"
#include "cmd/cmd.h"
#include "base/sigwatch.h"
#include "base/util.h"
#include "machine/virt.h"

#include <stdio.h>

static unsigned test_no;
static unsigned failures;

bool e2e_verdict(bool ok, const char *name)
{
	printf("%sok %u - %s\n", ok ? "" : "not ", ++test_no, name);
	fflush(stdout);
	if (!ok)
		failures++;
	return ok;
}

int e2e_done(void)
{
	printf("1..%u\n", test_no);
	return failures ? 1 : 0;
}

bool e2e_run_on(struct machine *m, unsigned k, const char *cmd, const char *re)
{
	struct console *con = &m->part[k].con;

	return console_send(con, cmd) == 0 &&
	       console_expect(con, re, E2E_WAIT_MS) == CONSOLE_MATCHED;
}

int e2e_machine_create(struct machine *m, const struct duplex_paths *paths,
		       const char *name, struct machine_profile *profile)
{
	if (profile_load_named(paths, name, profile) < 0 ||
	    rdbuild_profile(paths, profile) < 0)
		return -1;
	return machine_create(m, paths, profile);
}

int e2e_main(const char *argv0, const char *name, void (*run)(struct machine *m))
{
	struct machine_profile profile;
	struct duplex_paths paths;
	struct machine m;

	if (paths_init(&paths, argv0) < 0 || sigwatch_install() < 0)
		e2e_verdict(false, "test setup (paths, signals)");
	else if (e2e_machine_create(&m, &paths, name, &profile) < 0)
		e2e_verdict(false, "machine_create (libvirtd? see above)");
	else {
		run(&m);
		machine_destroy(&m);
	}
	return e2e_done();
}

bool e2e_domain_exists(const char *name)
{
	virConnectPtr conn = virt_connect();
	virDomainPtr dom;
	bool exists;

	if (!conn)
		return true;
	dom = virDomainLookupByName(conn, name);
	exists = dom != NULL;
	if (dom)
		virDomainFree(dom);
	virConnectClose(conn);
	return exists;
}

bool e2e_boot_by_repboot(struct machine *m, unsigned k)
{
	char name[64];

	snprintf(name, sizeof(name),
		 "'repboot %u' on serial0 boots partition %u to its shell", k, k);
	return e2e_verdict(drive_boot_secondary(m, k, NULL) == OUTCOME_PASSED, name);
}

bool e2e_boot_pair(struct machine *m)
{
	return machine_start_partition(m, 0, NULL) >= 0 &&
	       machine_wait_ready(m, 0, E2E_WAIT_MS) == CONSOLE_MATCHED &&
	       e2e_boot_by_repboot(m, 1);
}
