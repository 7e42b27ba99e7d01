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
