#define _GNU_SOURCE
#include "kstats.h"
#include "base/base.h"

#include <ftw.h>
#include <glob.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KSTATS_FILE ".duplex-kstats"

void kstats_load(const char *objdir, struct kstats *s)
{
	char *path = xasprintf("%s/" KSTATS_FILE, objdir);
	FILE *f = fopen(path, "re");

	*s = (struct kstats){ 0 };
	/* A record that does not parse is as good as none: it is only
	 * ever a hint for the progress shown. */
	if (f && fscanf(f, "objects %" SCNu64 " scratch_ms %" SCNd64,
			&s->objects, &s->scratch_ms) != 2)
		*s = (struct kstats){ 0 };
	if (f)
		fclose(f);
	free(path);
}

int kstats_save(const char *objdir, const struct kstats *s)
{
	char *path = xasprintf("%s/" KSTATS_FILE, objdir);
	char *text = xasprintf("objects %" PRIu64 "\nscratch_ms %" PRId64 "\n",
			       s->objects, s->scratch_ms);
	int ret = write_file_atomic(path, text, strlen(text), 0644);

	free(text);
	free(path);
	return ret;
}

/* nftw passes no context: the count of the walk in progress. */
static uint64_t objects_seen;

static int count_entry(const char *path, const struct stat *st, int type,
		       struct FTW *ftw)
{
	const char *name = path + ftw->base;
	size_t len = strlen(name);

	(void)st;
	if (type == FTW_D && ftw->level == 1 && !strcmp(name, "scripts"))
		return FTW_SKIP_SUBTREE;
	if (type == FTW_F && len > 2 && !strcmp(name + len - 2, ".o"))
		objects_seen++;
	return FTW_CONTINUE;
}

uint64_t kstats_count_objects(const char *objdir)
{
	objects_seen = 0;
	if (nftw(objdir, count_entry, 16, FTW_PHYS | FTW_ACTIONRETVAL) < 0)
		return 0;
	return objects_seen;
}

void kstats_largest(const char *build, struct kstats *s)
{
	char *pattern = xasprintf("%s/*/" KSTATS_FILE, build);
	glob_t g;

	*s = (struct kstats){ 0 };
	if (glob(pattern, 0, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc; i++) {
			struct kstats one;

			*strrchr(g.gl_pathv[i], '/') = '\0';
			kstats_load(g.gl_pathv[i], &one);
			if (one.objects > s->objects)
				s->objects = one.objects;
			if (one.scratch_ms > s->scratch_ms)
				s->scratch_ms = one.scratch_ms;
		}
		globfree(&g);
	}
	free(pattern);
}

/* A kernel from scratch with an empty ccache takes about this many
 * CPU-minutes: replica1 and replica2 took 359 s and 336 s on 2 cores
 * (`make bench`, docs/layout.md).  The rule for a host where nothing was
 * built yet. */
#define SCRATCH_CPU_MINUTES 12

/* The names of the KERNELS that have no object yet, comma-separated;
 * *N of them. */
static char *scratch_kernels(const struct duplex_paths *paths,
			     const struct kbuild_kernel *kernels,
			     unsigned count, unsigned *n)
{
	struct strbuf names = STRBUF_INIT;

	*n = 0;
	for (unsigned i = 0; i < count; i++) {
		char *objdir = paths_kernel_objdir(paths, kernels[i].replica,
						   kernels[i].variant);
		char *name = paths_kernel_name(paths, kernels[i].replica,
					       kernels[i].variant);

		if (!kstats_count_objects(objdir))
			strbuf_printf(&names, "%s%s", (*n)++ ? ", " : "", name);
		free(name);
		free(objdir);
	}
	return strbuf_detach(&names);
}

void kstats_announce_scratch(const struct duplex_paths *paths,
			     const struct kbuild_kernel *kernels,
			     unsigned count, unsigned cores)
{
	unsigned n;
	char *names = scratch_kernels(paths, kernels, count, &n);
	const char *plural = n == 1 ? "" : "s", *each = n == 1 ? "" : " each";
	char took[32];
	struct kstats seen;

	kstats_largest(paths->build, &seen);
	progress_format_duration(seen.scratch_ms, took, sizeof(took));
	if (n && seen.scratch_ms)
		log_info("kbuild: %u kernel%s to build from scratch (%s), about %s%s: the longest such build here took that",
			 n, plural, names, took, each);
	else if (n)
		log_info("kbuild: %u kernel%s to build from scratch (%s), about %u minutes%s on %u core%s (a rough rule, nothing measured here yet: %u CPU-minutes a kernel with an empty ccache)",
			 n, plural, names,
			 (SCRATCH_CPU_MINUTES + cores - 1) / cores, each, cores,
			 cores == 1 ? "" : "s", SCRATCH_CPU_MINUTES);
	free(names);
}
