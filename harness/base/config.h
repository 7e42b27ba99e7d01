/* config: the machine profile (vm/<name>.profile), the project's paths and
 * the environment, validated with errors that name the file, the line and
 * what to write instead. */
#ifndef DUPLEX_CONFIG_H
#define DUPLEX_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The most partitions a machine may have: the one limit.  Arrays per
 * partition or per console use it; the window's slots are tied to it by
 * a static assertion (machine/winhost.h). */
#define DUPLEX_MAX_PARTITIONS 8
#define DUPLEX_MAX_REPLICAS 8
#define DUPLEX_CMDLINE_MAX 512
#define DUPLEX_VARIANT_MAX 32
#define DUPLEX_FLAVOUR_MAX 32

struct duplex_paths;

enum accel_mode { ACCEL_AUTO, ACCEL_KVM, ACCEL_TCG };

struct machine_profile {
	char name[64];
	unsigned partitions;		/* 1..DUPLEX_MAX_PARTITIONS */
	unsigned vcpus;			/* per partition */
	unsigned memory_mib;		/* per partition */
	enum accel_mode accel;
	char cmdline[DUPLEX_CMDLINE_MAX]; /* extra kernel arguments, all partitions */
	unsigned replica[DUPLEX_MAX_PARTITIONS]; /* replica built for partition k */
	/* Kernel variant: every replica built with kernel/variant-NAME.config
	 * on top, into build/replicaR-NAME; "" for the plain builds. */
	char variant[DUPLEX_VARIANT_MAX];
	/* Kernel flavour: its replicas built from kernel/flavours/NAME
	 * (docs/kernel-flavours.md); "" for $DUPLEX_FLAVOUR or kernel/. */
	char flavour[DUPLEX_FLAVOUR_MAX];
	unsigned boot_timeout_s;	/* power-on to shell prompt, per partition */
	/* A console's transcript keeps at most this much: past it, its
	 * first and last halves and a marker saying what was left out, and
	 * the scenario fails (console/transcript.h). */
	unsigned transcript_limit_kib;
	uint32_t subnet;		/* the link's network address, host order */
	unsigned subnet_prefix;		/* 24..30; partition k is host k+1 */
};

/* Parse profile TEXT; ORIGIN names it in errors ("vm/default.profile").
 * Unknown keys, bad values and missing replicas are errors. */
int profile_parse(const char *text, const char *origin, struct machine_profile *p);
int profile_load(const char *path, struct machine_profile *p);
/* Load vm/NAME.profile (NAME may also be a path to a profile file). */
int profile_load_named(const struct duplex_paths *paths, const char *name,
		       struct machine_profile *profile);

/* Partition K's address on the link with its prefix ("10.1.2.1/24"). */
void profile_partition_addr(const struct machine_profile *p, unsigned k,
			    char *buf, size_t size);

/* Where things are.  Every path is absolute. */
struct duplex_paths {
	char root[PATH_MAX];	/* the checkout: Makefile, vm/, kernel/ ... */
	char build[PATH_MAX];	/* build/ (or $DUPLEX_BUILD) */
	char results[PATH_MAX];	/* results/ (or $DUPLEX_RESULTS) */
	char run[PATH_MAX];	/* per-run state: /run/duplex (or $DUPLEX_RUN) */
	char ksrc[PATH_MAX];	/* $KSRC, or "" for Debian's linux-source-6.1 */
	/* The kernel flavour the kernels are built from and named by:
	 * kernel/ by default (flavour ""), see paths_flavour. */
	char kernel[PATH_MAX];
	char flavour[DUPLEX_FLAVOUR_MAX];
};

/* Find the checkout from $DUPLEX_ROOT or from where the executable lives
 * (build/duplex -> ..), then apply the environment. */
int paths_init(struct duplex_paths *paths, const char *argv0);

/* PATH relative to the checkout when it is inside, for messages:
 * "kernel/common.config", not "/work/main/kernel/common.config". */
const char *paths_shown(const struct duplex_paths *paths, const char *path);

/* IN with the kernel flavour FLAVOUR into OUT: a profile's flavour, else
 * $DUPLEX_FLAVOUR, else none (kernel/).  A name is the folder
 * kernel/flavours/NAME ("default": kernel/ itself); a path (with a '/',
 * only in $DUPLEX_FLAVOUR) is a folder anywhere, named by its last part.
 * The folder must hold common.config.  0, or -1 (reported). */
int paths_flavour(const struct duplex_paths *in, const char *flavour,
		  struct duplex_paths *out);

/* The name of replica R's build in VARIANT ("" for none) of PATHS'
 * flavour: "replica1", "replica1-kasan", "plain-replica1"; its object
 * directory build/NAME, its kernel image in there and the initramfs of
 * partition K. */
char *paths_kernel_name(const struct duplex_paths *paths, unsigned replica,
			const char *variant);
char *paths_kernel_objdir(const struct duplex_paths *paths, unsigned replica,
			  const char *variant);
char *paths_kernel_image(const struct duplex_paths *paths, unsigned replica,
			 const char *variant);
char *paths_initramfs(const struct duplex_paths *paths, unsigned partition);

#endif
