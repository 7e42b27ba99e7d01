/* kbuild: out-of-tree replica kernel builds.
 *
 * Source tree: $KSRC if set (used read-only, never modified), otherwise
 * Debian's /usr/src/linux-source-6.1.tar.xz extracted once into
 * build/src/linux-source-6.1; the build reads a private copy of it with
 * kernel/patches applied (kpatch.h).  Replica R is built with
 * O=build/replicaR from: tinyconfig + kernel/common.config +
 * kernel/replicaR.config, then olddefconfig; a variant V (a profile's
 * `variant`) adds kernel/variant-V.config and builds into
 * build/replicaR-V.  The result must hold every setting of the fragments
 * (Kconfig silently drops an option whose dependencies are off) and every
 * option of kernel/required.config: the build fails naming each one
 * missing.  Reconfiguration happens only when the fragments, the tree,
 * the patch series or .config itself changed (stamp
 * build/replicaR/.duplex-config-stamp),
 * so a build with no change recompiles nothing; and make runs only when
 * a stamp of the kernel's inputs changed (kstamp.h,
 * build/replicaR/.duplex-build-stamp), so a build with no change takes a
 * fraction of a second, not make's 10 s a replica.  Make's output goes to
 * build/logs/replicaR.log; the terminal gets the progress of each build
 * (base/progress.h: make's CC and AS lines counted as they come, against
 * the objects of the last build here, kstats.h), its last line with the
 * elapsed time, and on failure the log's first error and last lines.
 * Kernels built from scratch are announced first, with how long each
 * takes here.  Uses ccache when it is on PATH.  Two duplex builds sharing
 * a build/ take turns (build/.kbuild.lock). */
#ifndef DUPLEX_KBUILD_H
#define DUPLEX_KBUILD_H

#include <stdbool.h>

#include "base/base.h"

struct kbuild_options {
	const struct duplex_paths *paths;
	unsigned jobs;		/* make -jN; 0: number of online CPUs */
	bool quiet;		/* no live progress, only each kernel's last line */
};

/* Find or extract the source tree; *srcdir is malloc'd.  0 or -1. */
int kbuild_source_tree(const struct kbuild_options *opts, char **srcdir);

/* One kernel to build: a replica (1..DUPLEX_MAX_REPLICAS), plain or in a
 * variant. */
struct kbuild_kernel {
	unsigned replica;
	char variant[DUPLEX_VARIANT_MAX];	/* "" for none */
};

/* Build KERNELS, one after the other. */
int kbuild_build(const struct kbuild_options *opts,
		 const struct kbuild_kernel *kernels, unsigned count);

#endif
