/* test_extra: the options `duplex test` has beyond running scenarios, and
 * what it does after them (test_extra.h): FLAKY scenarios named, the marks
 * from the history, the run recorded with what it ran on. */
#define _GNU_SOURCE
#include "cmd.h"
#include "test_extra.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Reruns beyond this would hide a failure rather than measure it. */
#define RERUNS_MAX 10

int test_extra_option(int c, const char *arg, struct test_extra *x)
{
	unsigned long n;

	switch (c) {
	case OPT_HISTORY:
		x->history = arg;
		return 0;
	case OPT_NO_HISTORY:
		x->no_history = true;
		return 0;
	case OPT_RERUN_FAILED:
		if (parse_uint(arg, 0, RERUNS_MAX, &n) < 0) {
			log_error("test: --rerun-failed wants a number of reruns from 0 to %d, not '%s'",
				  RERUNS_MAX, arg);
			return -1;
		}
		x->reruns = (unsigned)n;
		return 0;
	case OPT_ALLOW_FLAKY:
		x->allow_flaky = true;
		return 0;
	}
	return 1;
}

void test_extra_usage(FILE *out)
{
	fputs("  --rerun-failed N run a scenario that fails again, up to N times, each on\n"
	      "                   a fresh machine; one that then passes is FLAKY (its\n"
	      "                   failed attempts kept in <slug>.tryK/) and fails the run\n"
	      "  --allow-flaky    a FLAKY scenario does not fail the run\n"
	      "  --history PATH   the history database the run is recorded in (default\n"
	      "                   $DUPLEX_HISTORY, else results/history.db; duplex\n"
	      "                   history shows it); report.html marks new failures,\n"
	      "                   fixed and flaky scenarios from it\n"
	      "  --no-history     neither read nor record the history\n\n"
	      "exit: 0 all passed, 1 a test failed (or was FLAKY), 2 usage, scenario or\n"
	      "host errors\n", out);
}

/* A set of paths, each once. */
struct path_set {
	char **v;
	size_t n;
};

static void path_set_add(struct path_set *s, char *path)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (!strcmp(s->v[i], path)) {
			free(path);
			return;
		}
	}
	s->v = xrealloc(s->v, (s->n + 1) * sizeof(*s->v));
	s->v[s->n++] = path;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* FNV-1a over every byte of the files of S in the order of their paths
 * (about 1 GB/s: the kernels and initramfs images of a run, some 20 MB,
 * in tens of milliseconds), into OUT; "none" for no file.  A file that
 * cannot be read counts as the word "missing". */
static void hash_files(struct path_set *s, char out[HISTORY_HASH_LEN])
{
	uint64_t h = FNV1A_START;
	char buf[65536];
	ssize_t got;
	size_t i;
	int fd;

	if (!s->n) {
		snprintf(out, HISTORY_HASH_LEN, "none");
		return;
	}
	qsort(s->v, s->n, sizeof(*s->v), cmp_path);
	for (i = 0; i < s->n; i++) {
		fd = open(s->v[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			h = fnv1a(h, "missing", 7);
			continue;
		}
		while ((got = read(fd, buf, sizeof(buf))) > 0)
			h = fnv1a(h, buf, (size_t)got);
		close(fd);
		h = fnv1a(h, "", 1);
	}
	snprintf(out, HISTORY_HASH_LEN, "%016llx", (unsigned long long)h);
}

static void path_set_free(struct path_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->v[i]);
	free(s->v);
}

/* The kernel and initramfs images the scenarios DEFS booted, as their
 * profiles (cut to their partitions) name them, hashed.  A skipped
 * scenario booted nothing. */
static void hash_images(const struct scenario_def *const *defs, size_t n,
			const struct duplex_paths *paths,
			char kernel[HISTORY_HASH_LEN],
			char initramfs[HISTORY_HASH_LEN])
{
	struct path_set kernels = { 0 }, images = { 0 };
	const struct scenario_def *d;
	struct machine_profile p;
	struct duplex_paths fp;
	unsigned k, parts;
	size_t i;

	for (i = 0; i < n; i++) {
		d = defs[i];
		if (d->skip || profile_load_named(paths, d->profile, &p) < 0 ||
		    paths_flavour(paths, p.flavour, &fp) < 0)
			continue;
		parts = d->partitions ? d->partitions : p.partitions;
		for (k = 0; k < parts && k < p.partitions; k++) {
			path_set_add(&kernels, paths_kernel_image(&fp,
					p.replica[k], p.variant));
			path_set_add(&images, paths_initramfs(paths, k));
		}
	}
	hash_files(&kernels, kernel);
	hash_files(&images, initramfs);
	path_set_free(&kernels);
	path_set_free(&images);
}

/* The FLAKY scenarios, counted for the person: why a run whose counts
 * show no failure fails. */
static void name_flaky(const struct test_run *run, const struct test_extra *x)
{
	unsigned flaky = 0;
	size_t i;

	for (i = 0; i < run->nscenarios; i++)
		flaky += !strcmp(scenario_verdict_word(&run->scenarios[i]), "FLAKY");
	if (flaky)
		printf("duplex test: %u scenario%s FLAKY (failed, then passed on a rerun): %s\n",
		       flaky, flaky == 1 ? "" : "s",
		       x->allow_flaky ? "allowed by --allow-flaky"
				      : "the run fails (--allow-flaky accepts them)");
}

void test_extra_finish(struct test_run *run,
		       const struct scenario_def *const *defs, size_t n,
		       const struct test_extra *x,
		       const struct duplex_paths *paths, bool interrupted)
{
	name_flaky(run, x);
	/* In summary.json too: a merge of shards records what they ran on. */
	hash_images(defs, n, paths, run->kernel_hash, run->initramfs_hash);
	results_write(run);
	/* A run cut short would tell the history of scenarios it never
	 * ran, and of a suite it did not run whole. */
	if (!x->no_history && !interrupted && run->nscenarios == n) {
		char *path = history_path(paths, x->history);

		history_use(run, path);
		free(path);
	}
	fflush(stdout);
}
