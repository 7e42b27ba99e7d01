/* kstats: what the last successful build of a kernel measured, kept
 * beside its output (build/replicaR/.duplex-kstats), so that the next
 * build can show its progress against a total counted here rather than
 * guessed: how many objects the kernel is made of, and how long a build
 * from scratch took on this machine. */
#ifndef DUPLEX_KSTATS_H
#define DUPLEX_KSTATS_H

#include <stdint.h>

#include "kbuild.h"

struct kstats {
	uint64_t objects;	/* *.o in the objdir, scripts/ aside; 0: unknown */
	int64_t scratch_ms;	/* the last build from scratch; 0: unknown */
};

/* OBJDIR's record; zeros when there is none (never built here). */
void kstats_load(const char *objdir, struct kstats *s);
int kstats_save(const char *objdir, const struct kstats *s);

/* The objects under OBJDIR now.  scripts/ holds the host's tools, built
 * while configuring, which make's counted lines do not name. */
uint64_t kstats_count_objects(const char *objdir);

/* The largest of each figure among every kernel built in BUILD: what a
 * kernel never built here can expect (they share most of their config). */
void kstats_largest(const char *build, struct kstats *s);

/* Kernels built from nothing take minutes each: a person starting the
 * first build on a machine is told which of KERNELS have no object yet
 * and how long each takes, from the longest such build measured in
 * paths->build, or a rough rule for CORES cores when there is none. */
void kstats_announce_scratch(const struct duplex_paths *paths,
			     const struct kbuild_kernel *kernels,
			     unsigned count, unsigned cores);

#endif
