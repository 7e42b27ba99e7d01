/* machine: one run of the emulated machine.  Owns the run id, the run's
 * state directory (/run/duplex/<run-id>: kernel and initramfs copies that
 * QEMU, running as libvirt-qemu, may read, virtlogd's console logs (the
 * transcripts' source, record.h), and the lock that tells
 * `duplex clean` the run is alive: runlock.h), the run's results directory
 * (results/<run-id>: console transcripts, harness log), the libvirt
 * connection, the link and the window file (link.h) and every partition's
 * domain and console.  machine_destroy undoes all of it, whatever state
 * the run reached. */
#ifndef DUPLEX_MACHINE_H
#define DUPLEX_MACHINE_H

#include <stdbool.h>
#include <stdint.h>
#include <libvirt/libvirt.h>

#include "base/base.h"
#include "console/console.h"
#include "window_abi.h"
#include "accel.h"
#include "layout.h"
#include "ptlayout.h"
#include "link.h"
#include "virt.h"
#include "winhost.h"

#define MACHINE_READY_RE "duplex: partition [0-9]+ ready"
/* The kernel command line's consoles: the kernel channel (hvc0), then
 * serialK, the last, which is /dev/console for the guest's init and
 * shell. */
#define MACHINE_CONSOLES "console=hvc0 console=ttyS0,115200"
/* The window file: the size the window ABI fixes (a power of two). */
#define MACHINE_WINDOW_MIB (WINDOW_SIZE >> 20)

struct partition {
	unsigned index;
	char name[96];		/* libvirt domain name */
	virDomainPtr dom;
	char *pty;		/* /dev/pts/N */
	char *log_path;		/* results/<run-id>/serialK.log: its transcript */
	char *raw_path;		/* /run/duplex/<run-id>/serialK.virtlogd: its
				 * log, as virtlogd writes and rotates it */
	struct console con;
	bool con_open;
	/* The kernel channel (hvc0): what only the kernel prints there.
	 * Kernel failures are read from it, never from serialK, where any
	 * program may print their words. */
	char *klog_path;	/* results/<run-id>/kernelK.log */
	char *kraw_path;	/* /run/duplex/<run-id>/kernelK.virtlogd */
	struct console kcon;
	bool kcon_open;
	int64_t started_ms;	/* resume time */
	int64_t ready_ms;	/* ready marker seen; 0 before */
	bool failure_seen;	/* its kernel failure was an event already */
	bool end_seen;		/* its domain's end was an event already */
	bool standby;		/* dom made, paused, never run: a request
				 * without arguments resumes it */
};

struct machine {
	/* The caller's paths with the profile's kernel flavour (kpaths). */
	const struct duplex_paths *paths;
	struct duplex_paths kpaths;
	const struct machine_profile *profile;
	char run_id[32];
	char *state_dir;
	int lock_fd;		/* runlock on state_dir, held for the run's life */
	char *results_dir;
	bool own_results;	/* results_dir is results/<run-id>: `latest`
				 * points at it when the run ends */
	virConnectPtr conn;
	bool kvm;
	char *domain_tmpl;
	struct link link;	/* bridge and window file of this run */
	struct winhost win;	/* the host's view of the window */
	/* A person may attach to the consoles (duplex boot): their ptys are
	 * then opened only to type, never held (console_hold_pty).  Set
	 * after machine_create, before partitions start. */
	bool attended;
	struct partition part[DUPLEX_MAX_PARTITIONS];
	/* What the transcripts closed so far miss (record.c), a line each. */
	struct strbuf transcript_notes;
};

/* Prepare a run: id, directories, libvirt connection, accelerator, the
 * domain template, the link's bridge and the window file.  No domain is
 * started.  On error everything is undone. */
int machine_create(struct machine *m, const struct duplex_paths *paths,
		   const struct machine_profile *profile);
/* The same with the transcripts and harness log in RESULTS_DIR (made if
 * missing), a directory of a larger run (duplex test) that keeps
 * results/latest to itself. */
int machine_create_in(struct machine *m, const struct duplex_paths *paths,
		      const struct machine_profile *profile,
		      const char *results_dir);

/* Start partition K: its domain (paused, console attached, resumed), its
 * window slot BOOTING.  EXTRA (NULL: none) is appended to the kernel
 * command line, after the machine's own arguments. */
int machine_start_partition(struct machine *m, unsigned k, const char *extra);

/* Make the domain of every partition not started yet, paused, with the
 * machine's arguments: on standby, so that a later start of it without
 * EXTRA only resumes it and its boot is its kernel's alone, not also
 * QEMU's and libvirt's start (0.6 to 0.8 s under TCG on 2 cores).  Its
 * consoles open when it starts; until then it is not started for the
 * window (a request for it is served), and nothing is recorded of it.  A
 * partition whose standby cannot be made is made at its start. */
void machine_standby(struct machine *m);

/* Wait until partition K prints the ready marker.  Reports failures. */
enum console_wait machine_wait_ready(struct machine *m, unsigned k,
				     int timeout_ms);

/* Point RESULTS/latest at RESULTS/NAME (atomically; a failure is only
 * warned about). */
void machine_point_latest(const char *results, const char *name);

/* What the run's transcripts miss, closed ones and the open ones so far
 * (bytes left out past the profile's transcript_limit_kib, output lost
 * before the harness read it, a write that failed): a line each naming
 * the file, malloc'd; NULL when every transcript is complete. */
char *machine_transcripts_incomplete(const struct machine *m);

/* Destroy every domain, close consoles, remove the bridge, the window
 * file and the state directory and point results/latest at this run.
 * Safe to call twice. */
void machine_destroy(struct machine *m);

struct machine_leftovers {
	int dirs;		/* state directories */
	int bridges;
	int windows;		/* window files */
};

/* Remove the state directories, bridges and window files of runs that
 * are no longer alive (runlock_alive; ALL: of every run), counting them in
 * *REMOVED.  -1 if anything could not be removed (reported). */
int machine_clean_state(const struct duplex_paths *paths, bool all,
			struct machine_leftovers *removed);


/* runs.c: the live runs of this user and their consoles, as each run
 * tells them in its state directory, for `duplex console` (a process of
 * its own, not the run's). */
struct machine_run {
	char id[32];
	char profile[64];	/* "" when the run does not say (it has just */
	unsigned partitions;	/* begun, or is an older duplex's): 0 */
};

/* The runs in paths->run that are alive (runlock_alive, as `duplex
 * clean` tells them) and whose state directory this user owns, sorted by
 * id, into *RUNS (malloc'd): how many, or -1 (reported). */
int machine_runs_alive(const struct duplex_paths *paths,
		       struct machine_run **runs);
/* What run ID says of its machine. */
void machine_run_read(const struct duplex_paths *paths, const char *id,
		      struct machine_run *r);
/* The pty of serialK of run ID (malloc'd), or NULL while partition K's
 * domain does not run. */
char *machine_run_pty(const struct duplex_paths *paths, const char *id,
		      unsigned k);
/* The log virtlogd writes for serialK of run ID (it need not exist yet),
 * malloc'd. */
char *machine_run_console_log(const struct duplex_paths *paths,
			      const char *id, unsigned k);


enum machine_event {
	MACHINE_SIGNAL,		/* SIGINT/SIGTERM/SIGHUP: sigwatch_pending() */
	MACHINE_LOST,		/* a partition's domain ended (console log closed) */
	MACHINE_FAILURE,	/* a console showed a kernel failure */
	MACHINE_HUNG,		/* an UP partition's heartbeat stood still for
				 * WINHOST_SILENCE_MS (once per silence) */
	MACHINE_TIMEOUT,
	MACHINE_STARTED,	/* a partition asked for partition K: started */
	MACHINE_HOST_ERROR,	/* the host could not watch (reported) */
};

/* Watch every started partition until something happens or TIMEOUT_MS
 * passes (-1: no limit), draining every console into its transcript the
 * whole time, answering the partitions' boot requests (a refused one is
 * logged and answered; an accepted one starts the partition and returns
 * MACHINE_STARTED) and watching the heartbeats of the partitions that are
 * UP.  Woken by console output and signals, and every WINDOW_POLL_MS for
 * the window, which has no event to wait on.  *K names the partition
 * concerned. */
enum machine_event machine_watch(struct machine *m, int timeout_ms, unsigned *k);

/* What MACHINE_HUNG on partition K means, for a person: "serialK
 * (partition K, replica R): no heartbeat for N s: ...".  Freed by the
 * caller. */
char *machine_hung_reason(const struct machine *m, unsigned k);

/* drive.c: using a running machine the way a person at its consoles does:
 * typing, waiting for text on a console while serving the machine (boot
 * requests, every console's transcript), booting partitions, the
 * secondaries by typing `repboot K` on serial0.
 *
 * Boot functions return an outcome (OUTCOME_PASSED; OUTCOME_FAILED when a
 * partition ended, showed a kernel failure or hung; OUTCOME_NOT_RUN when
 * the machine could not be made to boot), or -1 when a signal interrupted
 * them (sigwatch_pending()).  Every failure is reported once. */

/* Called when partition K's domain has started (for its pty), may be
 * NULL. */
typedef void (*drive_started_fn)(const struct machine *m, unsigned k);

/* How to wait in drive_expect(), and what ended the wait. */
struct drive_wait {
	int timeout_ms;
	int idle_ms;		/* > 0: also end when no console printed
				 * anything for this long (ev TIMEOUT, idle) */
	int lost;		/* a partition whose end is expected, -1: none */
	unsigned started;	/* out: bit P for each partition started meanwhile */
	enum machine_event ev;	/* out: what ended a failed wait (TIMEOUT:
				 * the deadline) ... */
	unsigned which;		/* ... and its partition */
	bool idle;		/* out: the TIMEOUT was idle_ms of silence */
	size_t start, end;	/* out: the match, offsets in the matcher */
};

/* Serve the machine until RE matches after partition K's console cursor,
 * at most X->timeout_ms.  Any event but a partition started or partition
 * X->lost ending ends the wait: false (not reported: see
 * drive_report_event). */
bool drive_expect(struct machine *m, unsigned k, const char *re,
		  struct drive_wait *x);

/* Report EV on partition K (a signal, a domain that ended, a kernel
 * failure, a partition that hangs, with the console's last lines); the
 * exit status it means. */
int drive_report_event(struct machine *m, enum machine_event ev, unsigned k);

/* Start partition 0 and wait for its shell. */
int drive_boot_primary(struct machine *m, drive_started_fn started);
/* Type `repboot K` on serial0; serve the machine until partition K's
 * shell is ready and K is UP in the window. */
int drive_boot_secondary(struct machine *m, unsigned k,
			 drive_started_fn started);

/* layoutcheck: the check the project rests on, that no kernel area of
 * one partition overlaps another's, by two witnesses that must both pass
 * and agree: the layout line each kernel printed while it booted, before
 * any program ran (layout.h), and each kernel's page tables as QEMU reads
 * them for the host (ptlayout.h).  The page tables also show what the
 * line does not: the areas every x86-64 kernel keeps at fixed addresses
 * (cpu_entry_area, fixmap, ...), shared between partitions by design,
 * listed, and a failure only when STRICT. */
struct layout_check {
	unsigned n;
	bool lines;	/* the layout lines were read (the default flavour's
			 * kernels, or any that prints one) */
	struct layout_part line[DUPLEX_MAX_PARTITIONS];
	struct pt_part pt[DUPLEX_MAX_PARTITIONS];
	char *problem;	/* why the check fails (malloc'd), or NULL */
	char *shared;	/* the areas shared by design (malloc'd), or NULL */
};

/* Check partitions 0..N-1 of M into C.  0 if it passes; -1 if not,
 * C->problem saying why (several lines, no final newline).  Reports
 * nothing itself. */
int layoutcheck_run(const struct machine *m, unsigned n, bool strict,
		    struct layout_check *c);

/* What a check that passed saw, for a person: a line per partition
 * (layout_short), then the verdict of both witnesses (malloc'd, no final
 * newline).  The shared areas are the caller's to show, as a warning. */
char *layoutcheck_seen(const struct layout_check *c);

void layoutcheck_release(struct layout_check *c);

#endif
