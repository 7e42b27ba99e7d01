/* End-to-end: replicated execution, as the reference's user did it by
 * eye.  The primary boots the secondary; on serial0 `repns` then
 * `rep-on 2`; every command typed on serial0 then runs on both partitions,
 * and what each console shows for it must be the same — except where the
 * partitions really differ (each has its own MAC address), which repd must
 * report as a divergence.  Then the secondary's domain is destroyed in
 * the middle of the session: serial0 must say so within 5 s and go on.
 * Speaks TAP. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "e2e.h"
#include "base/util.h"
#include "machine/virt.h"

#define PROMPT_RE	"^rep\\[[0-9]+\\]:[^\n]*# "
#define REPORT_WAIT_MS	5000

/* The console text between FROM and TO as a person reads it: no CR, no
 * terminal escape sequences. */
static char *readable(const struct console *c, size_t from, size_t to)
{
	const char *b;
	char *out;
	size_t i, n = 0;

	from = matcher_clamp(&c->m, from);
	b = matcher_at(&c->m, from);
	to -= from;
	out = xmalloc(to + 1);
	for (i = 0; i < to; i++) {
		char ch = b[i];

		if (ch == '\033' && i + 1 < to && b[i + 1] == '[') {
			for (i += 2; i < to && !(b[i] >= 0x40 && b[i] <= 0x7e);
			     i++)
				;
			continue;
		}
		if (ch != '\r')
			out[n++] = ch;
	}
	out[n] = '\0';
	return out;
}

/* Wait for RE on console K, at most MS, while partition LOST (-1: none)
 * may end; the match's start in *AT. */
static bool wait_match(struct machine *m, unsigned k, const char *re, int ms,
		       int lost, size_t *at)
{
	struct drive_wait x = { .timeout_ms = ms, .lost = lost };
	bool ok = drive_expect(m, k, re, &x);

	*at = x.start;
	return ok;
}

/* Type INPUT on serial0; the text each of the N consoles shows up to its
 * next prompt goes to OUT[k] (NULL if it never came). */
static bool run_replicated(struct machine *m, unsigned n, const char *input,
			   char **out)
{
	size_t from[WINDOW_MAX_PARTITIONS], at;
	bool ok = true;
	unsigned k;

	for (k = 0; k < n; k++)
		from[k] = m->part[k].con.m.cursor;
	if (console_send(&m->part[0].con, input) < 0)
		return false;
	for (k = 0; k < n; k++) {
		out[k] = NULL;
		if (!wait_match(m, k, PROMPT_RE, E2E_WAIT_MS, -1, &at)) {
			ok = false;
			continue;
		}
		out[k] = readable(&m->part[k].con, from[k], at);
	}
	return ok;
}

/* INPUT must print the same on both consoles, and contain EXPECT. */
static void same_on_both(struct machine *m, const char *input,
			 const char *expect, const char *name)
{
	char *out[2] = { NULL, NULL };
	bool ok = run_replicated(m, 2, input, out);

	ok = ok && !strcmp(out[0], out[1]) && strstr(out[0], expect) &&
	     !strstr(out[0], "rep: divergence");
	if (!ok)
		fprintf(stderr, "%s:\n--- serial0\n%s\n--- serial1\n%s\n---\n", name,
			out[0] ? out[0] : "(no prompt)", out[1] ? out[1] : "(no prompt)");
	e2e_verdict(ok, name);
	free(out[0]);
	free(out[1]);
}

/* repns, then rep-on N: the replicated shell's prompt on N consoles. */
static bool enter_session(struct machine *m, unsigned n)
{
	char cmd[16];
	size_t at;
	unsigned k;
	bool ok = e2e_run_on(m, 0, "repns\n", "^rep:/# ");

	snprintf(cmd, sizeof(cmd), "rep-on %u\n", n);
	ok = ok && console_send(&m->part[0].con, cmd) == 0;
	for (k = 0; ok && k < n; k++)
		ok = wait_match(m, k, PROMPT_RE, E2E_WAIT_MS, -1, &at);
	return ok;
}

/* Three partitions: all three consoles, and no more than three. */
static void three_partitions(const struct duplex_paths *paths)
{
	struct machine_profile profile;
	char *out[3] = { NULL, NULL, NULL };
	struct machine m;
	bool ok;

	if (e2e_machine_create(&m, paths, "three", &profile) < 0) {
		e2e_verdict(false, "a three-partition machine is created");
		return;
	}
	ok = machine_start_partition(&m, 0, NULL) == 0 &&
	     machine_wait_ready(&m, 0, E2E_WAIT_MS) == CONSOLE_MATCHED &&
	     e2e_boot_by_repboot(&m, 1) && e2e_boot_by_repboot(&m, 2) &&
	     e2e_run_on(&m, 0, "repns\n", "^rep:/# ");
	e2e_verdict(ok && e2e_run_on(&m, 0, "rep-on 4\n", "^rep-on: 4 partitions asked, 3 up"),
		    "three partitions: 'rep-on 4' is refused");
	ok = ok && console_send(&m.part[0].con, "exit\n") == 0 &&
	     enter_session(&m, 3) && run_replicated(&m, 3, "uname -sm\n", out) &&
	     strstr(out[0], "Linux x86_64") && !strcmp(out[0], out[1]) &&
	     !strcmp(out[0], out[2]);
	e2e_verdict(ok, "three partitions: 'rep-on 3' runs 'uname -sm' on serial0, serial1 and serial2 alike");
	free(out[0]);
	free(out[1]);
	free(out[2]);
	machine_destroy(&m);
}

static void mac_diverges(struct machine *m)
{
	char *out[2] = { NULL, NULL };
	size_t at;
	bool ok = run_replicated(m, 2, "cat /sys/class/net/eth0/address\n", out);

	ok = ok && strcmp(out[0], out[1]) &&
	     wait_match(m, 0, "^rep: divergence at line [0-9]+: serial0 \"52:54:00:[0-9a-f:]+\" vs serial1 \"52:54:00:[0-9a-f:]+\"",
			REPORT_WAIT_MS, -1, &at);
	e2e_verdict(ok, "each partition's own MAC address is reported as a divergence on serial0");
	free(out[0]);
	free(out[1]);
}

static void secondary_destroyed(struct machine *m)
{
	struct partition *p = &m->part[1];
	int64_t t0;
	size_t at;
	bool ok;

	ok = virDomainDestroy(p->dom) == 0;
	t0 = now_ms();
	ok = ok && wait_match(m, 0, "^rep: partition 1 \\(serial1\\) is gone", 10000, 1, &at);
	e2e_verdict(ok && now_ms() - t0 <= 5000,
		    "destroying the secondary's domain mid-session is reported on serial0 within 5 s");
	e2e_verdict(console_send(&m->part[0].con, "echo still-$((40+2))\n") == 0 &&
		    wait_match(m, 0, "^still-42\r?$", E2E_WAIT_MS, 1, &at),
		    "after that, the next command on serial0 still runs");
}

static void run(struct machine *m)
{
	if (!e2e_verdict(machine_start_partition(m, 0, NULL) == 0 &&
			 machine_wait_ready(m, 0, E2E_WAIT_MS) == CONSOLE_MATCHED,
			 "the primary boots") ||
	    !e2e_boot_by_repboot(m, 1))
		return;
	e2e_verdict(e2e_run_on(m, 0, "rep-on 2\n", "^rep-on: not inside a replication namespace"),
		    "'rep-on 2' outside 'repns' is refused");
	if (!e2e_verdict(enter_session(m, 2),
			 "'repns' then 'rep-on 2' on serial0: a replicated shell on serial0 and serial1"))
		return;
	same_on_both(m, "ls /\n", "proc", "'ls /' prints the same on serial0 and serial1");
	same_on_both(m, "busybox ls /\n", "sys", "'busybox ls /' prints the same on both");
	same_on_both(m, "uname -sm\n", "Linux x86_64", "'uname -sm' prints the same on both");
	same_on_both(m, "ls / | wc -l\n", "\n", "a pipeline prints the same on both");
	same_on_both(m, "cat <<EOF\none two\nEOF\n", "one two", "a here-document prints the same on both");
	same_on_both(m, "read x; echo got $x\nhello\n", "got hello",
		     "'read x' fed on serial0 only reads the same line on both");
	same_on_both(m, "false\n", "false", "a failing command: same exit status on both");
	mac_diverges(m);
	secondary_destroyed(m);
}

/* Two partitions, then a second machine with three. */
static void run_all(struct machine *m)
{
	run(m);
	machine_destroy(m);
	three_partitions(m->paths);
}

int main(int argc, char **argv)
{
	(void)argc;
	return e2e_main(argv[0], "default", run_all);
}
