/* kbuild: out-of-tree replica kernel builds.
 *
 * Source tree: $KSRC if set (used read-only, never modified), otherwise
 * Debian's /usr/src/linux-source-6.1.tar.xz extracted once into
 * build/src/linux-source-6.1.  Replica R is built with O=build/replicaR
 * from: tinyconfig + kernel/common.config + kernel/replicaR.config, then
 * olddefconfig; the result must hold every option of kernel/required.config
 * (the build fails naming the first one missing).  Make's output goes to
 * build/logs/replicaR.log; the terminal gets one progress line per replica
 * with the elapsed time.  Uses ccache when it is installed.  A build with no
 * change (sources, fragments) does not recompile anything. */
#ifndef DUPLEX_KBUILD_H
#define DUPLEX_KBUILD_H

#include <stdbool.h>

#include "config.h"

struct kbuild_options {
	const struct duplex_paths *paths;
	unsigned jobs;		/* make -jN; 0: number of online CPUs */
};

/* Find or extract the source tree; *srcdir is malloc'd.  0 or -1. */
int kbuild_source_tree(const struct kbuild_options *opts, char **srcdir);

/* Build the replicas listed in REPLICAS (each 1..DUPLEX_MAX_REPLICAS). */
int kbuild_build(const struct kbuild_options *opts, const unsigned *replicas,
		 unsigned count);

/* Check that CONFIG (a .config's text) sets every option listed in
 * REQUIRED (text of kernel/required.config: "CONFIG_X=y" lines, '#'
 * comments).  Reports the first missing or different option, naming it and
 * both origins.  0 if all are there, -1 otherwise. */
int kconfig_check_required(const char *config, const char *config_origin,
			   const char *required, const char *required_origin);

#endif
