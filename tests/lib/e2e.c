#include "e2e.h"
#include "cli.h"
#include "sigwatch.h"
#include "util.h"
#include "virt.h"

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

int e2e_main(const char *argv0, const char *name, void (*run)(struct machine *m))
{
	struct machine_profile profile;
	struct duplex_paths paths;
	struct machine m;

	if (paths_init(&paths, argv0) < 0 ||
	    cli_load_profile(&paths, name, &profile) < 0 ||
	    sigwatch_install() < 0)
		e2e_verdict(false, "test setup (paths, profile, signals)");
	else if (machine_create(&m, &paths, &profile) < 0)
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

bool e2e_watch_for(struct machine *m, unsigned k, const char *re,
		   unsigned *started)
{
	int64_t deadline = now_ms() + E2E_WAIT_MS;
	enum machine_event ev;
	unsigned which;

	while (now_ms() < deadline) {
		ev = machine_watch(m, 100, &which);
		if (ev == MACHINE_STARTED && started)
			*started |= 1u << which;
		else if (ev != MACHINE_TIMEOUT && ev != MACHINE_STARTED)
			return false;
		if (matcher_find(&m->part[k].con.m, re, NULL, NULL) == 1)
			return true;
	}
	return false;
}

bool e2e_boot_by_repboot(struct machine *m, unsigned k)
{
	char cmd[32], re[64], name[64];
	unsigned started = 0;
	bool ok;

	snprintf(cmd, sizeof(cmd), "repboot %u\n", k);
	snprintf(re, sizeof(re), "^repboot: partition %u is up \\(", k);
	ok = console_send(&m->part[0].con, cmd) == 0 &&
	     e2e_watch_for(m, 0, re, &started) && (started & (1u << k)) &&
	     machine_wait_ready(m, k, E2E_WAIT_MS) == CONSOLE_MATCHED;
	snprintf(name, sizeof(name),
		 "'repboot %u' on serial0 boots partition %u to its shell", k, k);
	return e2e_verdict(ok, name);
}
