/* merge: the runs of a suite's shards into one (report.h).  The shards
 * must agree on what they split: the same suite (scenario ids and names,
 * in order) at the same commit.  Each scenario is then taken from the
 * one shard that ran it; one that none ran fails as "not run", so an
 * incomplete merge cannot pass for a complete one. */
#define _GNU_SOURCE
#include "report.h"
#include "shardread.h"
#include "base/base.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The first scenario where the suites of A and B differ: their length
 * if none does. */
static size_t suite_difference(const struct shard_dir *a,
			       const struct shard_dir *b)
{
	size_t i;

	for (i = 0; i < a->nsuite && i < b->nsuite; i++)
		if (strcmp(a->suite[i].id, b->suite[i].id) ||
		    strcmp(a->suite[i].name, b->suite[i].name))
			break;
	return i;
}

/* How the suites of A and B differ, first at scenario I, in words. */
static void report_suites(const struct shard_dir *a, const struct shard_dir *b,
			  size_t i)
{
	char what[256];

	if (i < a->nsuite && i < b->nsuite)
		snprintf(what, sizeof(what), "scenario %zu is '%s' in the first, '%s' in the second",
			 i + 1, a->suite[i].name, b->suite[i].name);
	else if (i < a->nsuite || i < b->nsuite)
		snprintf(what, sizeof(what), "one has scenario %zu ('%s'), the other ends before it",
			 i + 1, i < a->nsuite ? a->suite[i].name : b->suite[i].name);
	else
		snprintf(what, sizeof(what), "the scenarios are the same, the hashes not: a summary.json was edited");
	log_error("results merge: '%s' and '%s' ran different suites (hash %s, %zu scenarios; hash %s, %zu scenarios): %s: merge shards of one `duplex test` selection (the same PATHs and --tags)",
		  a->dir, b->dir, a->hash, a->nsuite, b->hash, b->nsuite, what);
}

static int check_same(const struct shard_dir *a, const struct shard_dir *b)
{
	size_t i;

	if (strcmp(a->commit, b->commit)) {
		log_error("results merge: '%s' and '%s' were run at different commits (%s and %s): merge shards of one commit",
			  a->dir, b->dir, a->commit, b->commit);
		return -1;
	}
	if (a->plan && b->plan && strcmp(a->plan, b->plan)) {
		log_error("results merge: '%s' and '%s' split the suite by different durations (plan %s and %s): scenarios may be in both or in neither; give every shard the same run history (--history), or none",
			  a->dir, b->dir, a->plan, b->plan);
		return -1;
	}
	/* the lists, not only the hashes: an edited summary.json keeps
	 * its hash */
	i = suite_difference(a, b);
	if (strcmp(a->hash, b->hash) || i < a->nsuite || i < b->nsuite) {
		report_suites(a, b, i);
		return -1;
	}
	return 0;
}

static size_t suite_index(const struct test_run *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nsuite; i++)
		if (!strcmp(r->suite[i].id, id))
			return i;
	return (size_t)-1;
}

/* The scenarios SD finished into M, refusing one another shard ran
 * (BY: the shard that took each). */
static int take_scenarios(struct results_merge *m, const struct shard_dir *sd,
			  const struct shard_dir **by)
{
	size_t i, k;

	for (i = 0; i < sd->scenarios->n; i++) {
		const char *slug = shard_dir_slug(sd, i);

		k = suite_index(&m->run, slug);
		if (k == (size_t)-1) {
			log_error("results merge: '%s' lists scenario '%s', which is not in its suite: the file is corrupt; run the shard again",
				  sd->summary, slug);
			return -1;
		}
		if (by[k]) {
			log_error("results merge: '%s' and '%s' both ran scenario '%s' (%s): each scenario must come from one shard; leave out the directory of the shard run twice",
				  by[k]->dir, sd->dir, m->run.suite[k].name, slug);
			return -1;
		}
		if (shard_dir_scenario(sd, i, &m->run.scenarios[k]) < 0)
			return -1;
		by[k] = sd;
		m->from[k] = xasprintf("%s/%s", sd->dir, slug);
	}
	return 0;
}

/* A scenario of the suite that no shard ran: a failure, so that the
 * merged run does not look complete. */
static void not_run(struct scenario_result *s, const struct suite_entry *e,
		    size_t nshards)
{
	struct test_case *tc;

	s->name = xstrdup(e->name);
	s->file = xstrdup(e->file);
	s->line = e->line;
	s->slug = xstrdup(e->id);
	s->verdict = VERDICT_FAIL;
	s->fail_console = -1;
	s->reason = xasprintf("not run: no shard ran it (%zu results director%s merged)",
			      nshards, nshards == 1 ? "y" : "ies");
	tc = scenario_add_case(s, "scenario was run");
	tc->verdict = VERDICT_FAIL;
	tc->message = xstrdup(s->reason);
}

/* The merged run's start and length: from the first shard's start to
 * the last one's end. */
static void merged_time(struct test_run *r, const struct shard_dir *sds,
			size_t n)
{
	double end = 0;
	size_t i;

	r->started = sds[0].started;
	for (i = 0; i < n; i++) {
		if (sds[i].started < r->started)
			r->started = sds[i].started;
		if ((double)sds[i].started + sds[i].seconds > end)
			end = (double)sds[i].started + sds[i].seconds;
	}
	r->seconds = end - (double)r->started;
}

/* The images' hash the shards agree on into OUT; "mixed" if they do
 * not (shards built on different machines), "" if one did not say.
 * KERNEL picks the kernel's, else the initramfs'. */
static void merged_hash(const struct shard_dir *sds, size_t n, bool kernel,
			char out[17])
{
	const char *h = NULL, *s;
	size_t i;

	*out = '\0';
	for (i = 0; i < n; i++) {
		s = kernel ? sds[i].kernel : sds[i].initramfs;
		if (!s)
			return;
		if (h && strcmp(h, s)) {
			snprintf(out, 17, "mixed");
			return;
		}
		h = s;
	}
	if (h)
		snprintf(out, 17, "%s", h);
}

static void start_run(struct results_merge *m, const struct shard_dir *first)
{
	struct test_run *r = &m->run;

	test_run_set_suite(r, first->suite, first->nsuite);
	r->commit = xstrdup(first->commit);
	r->planned = r->nscenarios = first->nsuite;
	r->scenarios = xcalloc(r->nsuite ? r->nsuite : 1, sizeof(*r->scenarios));
	m->from = xcalloc(r->nsuite ? r->nsuite : 1, sizeof(*m->from));
}

static int merge_dirs(struct results_merge *m, const struct shard_dir *sds,
		      size_t n)
{
	const struct shard_dir **by;
	size_t i;
	int ret = 0;

	for (i = 1; i < n; i++)
		if (check_same(&sds[0], &sds[i]) < 0)
			return -1;
	start_run(m, &sds[0]);
	merged_time(&m->run, sds, n);
	merged_hash(sds, n, true, m->run.kernel_hash);
	merged_hash(sds, n, false, m->run.initramfs_hash);
	by = xcalloc(m->run.nsuite ? m->run.nsuite : 1, sizeof(*by));
	for (i = 0; i < n && !ret; i++)
		ret = take_scenarios(m, &sds[i], by);
	for (i = 0; i < m->run.nsuite && !ret; i++) {
		if (by[i])
			continue;
		not_run(&m->run.scenarios[i], &m->run.suite[i], n);
		m->not_run++;
	}
	free(by);
	return ret;
}

int results_merge_read(struct results_merge *m, const char *const *dirs,
		       size_t n)
{
	struct shard_dir *sds = xcalloc(n ? n : 1, sizeof(*sds));
	size_t i;
	int ret = 0;

	memset(m, 0, sizeof(*m));
	for (i = 0; i < n && !ret; i++)
		ret = shard_dir_read(&sds[i], dirs[i]);
	if (!ret && n)
		ret = merge_dirs(m, sds, n);
	for (i = 0; i < n; i++)
		shard_dir_free(&sds[i]);
	free(sds);
	if (ret)
		results_merge_free(m);
	return ret;
}

static int copy_tree(const char *from, const char *to);

/* Entry NAME of directory FROM into TO: a file hard-linked (a copy
 * across file systems), a directory copied, anything else left out. */
static int copy_entry(const char *from, const char *to, const char *name)
{
	char *src = xasprintf("%s/%s", from, name);
	char *dst = xasprintf("%s/%s", to, name);
	struct stat st;
	int ret = 0;

	if (lstat(src, &st) < 0) {
		log_error("results merge: cannot read '%s': %m", src);
		ret = -1;
	} else if (S_ISDIR(st.st_mode)) {
		ret = copy_tree(src, dst);
	} else if (S_ISREG(st.st_mode) && link(src, dst) < 0) {
		ret = copy_file(src, dst, st.st_mode & 0777);
	}
	free(src);
	free(dst);
	return ret;
}

static int copy_tree(const char *from, const char *to)
{
	struct dirent *de;
	DIR *dir;
	int ret;

	if (mkdir_p(to, 0755) < 0)
		return -1;
	dir = opendir(from);
	if (!dir) {
		log_error("results merge: cannot read directory '%s': %m", from);
		return -1;
	}
	ret = 0;
	while (!ret && (de = readdir(dir)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ret = copy_entry(from, to, de->d_name);
	closedir(dir);
	return ret;
}

int results_merge_write(const struct results_merge *m)
{
	const struct test_run *r = &m->run;
	size_t i;
	char *to;

	for (i = 0; i < r->nscenarios; i++) {
		if (!m->from[i])
			continue;
		if (!is_dir(m->from[i])) {
			log_warn("results merge: no transcripts of scenario '%s': '%s' is missing",
				 r->scenarios[i].name, m->from[i]);
			continue;
		}
		to = xasprintf("%s/%s", r->dir, r->suite[i].id);
		if (copy_tree(m->from[i], to) < 0) {
			free(to);
			return -1;
		}
		free(to);
	}
	return results_write(r);
}

void results_merge_free(struct results_merge *m)
{
	size_t i;

	for (i = 0; m->from && i < m->run.nsuite; i++)
		free(m->from[i]);
	free(m->from);
	test_run_free(&m->run);
	memset(m, 0, sizeof(*m));
}
