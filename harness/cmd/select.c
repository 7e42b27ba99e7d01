/* select: the scenarios a `duplex test` run runs (select.h). */
#include "select.h"
#include "cmd.h"
#include "base/base.h"
#include "report/report.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The scenarios selected by --tags, each with its directory's name in
 * the run (a slug made unique with -2, -3 ...). */
static struct job *select_jobs(const struct scenario_set *set, const char *tags,
			       size_t *n)
{
	struct job *jobs = xcalloc(set->n ? set->n : 1, sizeof(*jobs));
	size_t i, j;

	*n = 0;
	for (i = 0; i < set->n; i++) {
		char *slug, *dir;
		unsigned dup = 1;

		if (!scenario_has_tag(&set->defs[i], tags))
			continue;
		slug = scenario_slug(&set->defs[i]);
		dir = xstrdup(slug);
		for (j = 0; j < *n; j++) {
			if (strcmp(jobs[j].dir, dir))
				continue;
			free(dir);
			dir = xasprintf("%s-%u", slug, ++dup);
			j = (size_t)-1;
		}
		free(slug);
		jobs[*n].def = &set->defs[i];
		jobs[*n].dir = dir;
		(*n)++;
	}
	return jobs;
}

static void make_suite(struct selection *sel)
{
	size_t i;

	sel->nsuite = sel->n;
	sel->suite = xcalloc(sel->n ? sel->n : 1, sizeof(*sel->suite));
	for (i = 0; i < sel->n; i++) {
		const struct scenario_def *d = sel->jobs[i].def;

		sel->suite[i].id = xstrdup(sel->jobs[i].dir);
		sel->suite[i].name = xstrdup(d->name);
		sel->suite[i].file = xstrdup(d->file);
		sel->suite[i].line = d->line;
	}
}

static int cmp_duration(const void *key, const void *elem)
{
	return strcmp(key, ((const struct history_duration *)elem)->id);
}

/* What each scenario of the suite took in the run history HISTORY
 * (negative: unknown), and the hash of what the plan used in SEL->plan;
 * NULL (by count) without a history to read. */
static double *suite_seconds(struct selection *sel, const char *history)
{
	struct history_duration *d, *hit;
	uint64_t h = FNV1A_START;
	char text[32];
	size_t i, nd;
	double *s;

	if (!history || access(history, R_OK) ||
	    history_durations(history, &d, &nd) < 0)
		return NULL;
	s = xcalloc(sel->nsuite ? sel->nsuite : 1, sizeof(*s));
	for (i = 0; i < sel->nsuite; i++) {
		hit = bsearch(sel->suite[i].id, d, nd, sizeof(*d), cmp_duration);
		s[i] = hit ? hit->seconds : -1;
		snprintf(text, sizeof(text), "%.3f", s[i]);
		h = fnv1a(h, text, strlen(text) + 1);
	}
	snprintf(sel->plan, sizeof(sel->plan), "%016" PRIx64, h);
	history_durations_free(d, nd);
	return s;
}

/* Keep the jobs of the shard's share only. */
static void take_share(struct selection *sel, const char *history)
{
	const char **ids = xcalloc(sel->nsuite ? sel->nsuite : 1, sizeof(*ids));
	bool *mine = xcalloc(sel->nsuite ? sel->nsuite : 1, sizeof(*mine));
	double *seconds = suite_seconds(sel, history);
	size_t i, n = 0;

	for (i = 0; i < sel->nsuite; i++)
		ids[i] = sel->suite[i].id;
	shard_plan(ids, seconds, sel->nsuite, sel->shard, mine);
	free(seconds);
	for (i = 0; i < sel->nsuite; i++) {
		if (mine[i])
			sel->jobs[n++] = sel->jobs[i];
		else
			free(sel->jobs[i].dir);
	}
	sel->n = n;
	free(ids);
	free(mine);
}

int test_select(const struct scenario_set *set, const char *tags,
		const char *shard, const char *shards, const char *history,
		struct selection *sel)
{
	memset(sel, 0, sizeof(*sel));
	if (shard_resolve(shard, shards, &sel->shard) < 0)
		return -1;
	sel->jobs = select_jobs(set, tags, &sel->n);
	make_suite(sel);
	if (sel->shard.total)
		take_share(sel, history);
	return 0;
}

void test_list(const struct selection *sel)
{
	size_t i, t;

	for (i = 0; i < sel->n; i++) {
		const struct scenario_def *d = sel->jobs[i].def;

		printf("%s:%u: %s", d->file, d->line, d->name);
		for (t = 0; t < d->ntags; t++)
			printf("%s%s", t ? "," : "  [", d->tags[t]);
		if (d->ntags)
			putchar(']');
		if (d->skip)
			printf("  (skip: %s)", d->skip);
		putchar('\n');
	}
}

void selection_free(struct selection *sel)
{
	size_t i;

	for (i = 0; i < sel->n; i++)
		free(sel->jobs[i].dir);
	for (i = 0; i < sel->nsuite; i++) {
		free(sel->suite[i].id);
		free(sel->suite[i].name);
		free(sel->suite[i].file);
	}
	free(sel->jobs);
	free(sel->suite);
	memset(sel, 0, sizeof(*sel));
}

/* A commit id: hex digits only (SHA-1's 40, SHA-256's 64). */
static bool is_commit(const char *s, size_t n)
{
	return (n == 40 || n == 64) && strspn(s, "0123456789abcdef") == n;
}

char *project_commit(const char *root)
{
	const char *argv[] = { "git", "-C", root, "rev-parse", "HEAD", NULL };
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char *out = NULL, *commit;
	int status;

	/* not a checkout, or no git: "unknown", which a merge of shards
	 * cannot check (it warns) */
	status = run_capture(argv, null, &out);
	if (null >= 0)
		close(null);
	if (status == 0 && is_commit(out, strcspn(out, "\n"))) {
		out[strcspn(out, "\n")] = '\0';
		return out;
	}
	commit = xstrdup("unknown");
	free(out);
	return commit;
}
