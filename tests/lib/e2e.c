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

bool e2e_expect(struct machine *m, unsigned k, const char *re,
		struct e2e_expect *x)
{
	int64_t deadline = now_ms() + x->timeout_ms;

	x->started = 0;
	while (matcher_find(&m->part[k].con.m, re, &x->start, &x->end) != 1) {
		if (now_ms() >= deadline) {
			x->ev = MACHINE_TIMEOUT;
			x->which = k;
			return false;
		}
		x->ev = machine_watch(m, 50, &x->which);
		if (x->ev == MACHINE_STARTED)
			x->started |= 1u << x->which;
		else if (x->ev != MACHINE_TIMEOUT &&
			 !(x->ev == MACHINE_LOST && (int)x->which == x->lost))
			return false;
	}
	return true;
}

bool e2e_boot_by_repboot(struct machine *m, unsigned k)
{
	struct e2e_expect x = { .timeout_ms = E2E_WAIT_MS, .lost = -1 };
	char cmd[32], re[64], name[64];
	bool ok;

	snprintf(cmd, sizeof(cmd), "repboot %u\n", k);
	snprintf(re, sizeof(re), "^repboot: partition %u is up \\(", k);
	ok = console_send(&m->part[0].con, cmd) == 0 &&
	     e2e_expect(m, 0, re, &x) && (x.started & (1u << k)) &&
	     machine_wait_ready(m, k, E2E_WAIT_MS) == CONSOLE_MATCHED;
	snprintf(name, sizeof(name),
		 "'repboot %u' on serial0 boots partition %u to its shell", k, k);
	return e2e_verdict(ok, name);
}
