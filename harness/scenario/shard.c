/* shard: the share of a suite one machine runs (shard.h). */
#include "shard.h"
#include "base/base.h"

#include <stdlib.h>
#include <string.h>

/* A decimal number in [MIN, SHARD_MAX], the whole of S[0..LEN).  Not
 * strtoul's: "+2", " 2", "0x2" and "02" are what a script got wrong. */
static bool parse_count(const char *s, size_t len, unsigned min, unsigned *out)
{
	unsigned v = 0;
	size_t i;

	if (!len || len > 4 || strspn(s, "0123456789") < len ||
	    (s[0] == '0' && len > 1))
		return false;
	for (i = 0; i < len; i++)
		v = v * 10 + (unsigned)(s[i] - '0');
	*out = v;
	return v >= min && v <= SHARD_MAX;
}

int shard_parse(const char *arg, const char *what, struct shard *s)
{
	const char *slash = strchr(arg, '/');

	if (slash && parse_count(arg, (size_t)(slash - arg), 1, &s->index) &&
	    parse_count(slash + 1, strlen(slash + 1), 1, &s->total) &&
	    s->index <= s->total)
		return 0;
	log_error("test: %s is '%s', not a shard K/N: shard K of N counted from 1, 1 <= K <= N <= %d (1/3, 2/3, 3/3)",
		  what, arg, SHARD_MAX);
	return -1;
}

/* Environment variable NAME as a number from MIN; -1 (reported) if it is
 * something else, 0 if unset. */
static int env_count(const char *name, unsigned min, unsigned *out)
{
	const char *v = getenv(name);

	if (!v)
		return 0;
	if (parse_count(v, strlen(v), min, out))
		return 1;
	log_error("test: the environment variable %s is '%s', not a number from %u to %d",
		  name, v, min, SHARD_MAX);
	return -1;
}

/* --shards N: K from a Kubernetes indexed Job. */
static int shard_of_job(const char *shards, struct shard *s)
{
	unsigned k;
	int ret;

	if (!parse_count(shards, strlen(shards), 1, &s->total)) {
		log_error("test: --shards is '%s', not a number of shards from 1 to %d",
			  shards, SHARD_MAX);
		return -1;
	}
	ret = env_count("JOB_COMPLETION_INDEX", 0, &k);
	if (ret < 0)
		return -1;
	if (!ret) {
		log_error("test: --shards %s needs JOB_COMPLETION_INDEX, set by a Kubernetes indexed Job, to say which shard this is; elsewhere, use --shard K/N",
			  shards);
		return -1;
	}
	if (k >= s->total) {
		log_error("test: JOB_COMPLETION_INDEX is %u, but --shards %u has indexes 0 to %u: give the Job's completions as --shards",
			  k, s->total, s->total - 1);
		return -1;
	}
	s->index = k + 1;
	return 0;
}

/* GitLab's parallel jobs: both variables, or neither. */
static int shard_of_gitlab(struct shard *s)
{
	int has_index = env_count("CI_NODE_INDEX", 1, &s->index);
	int has_total = env_count("CI_NODE_TOTAL", 1, &s->total);

	if (has_index < 0 || has_total < 0)
		return -1;
	if (!has_index && !has_total) {
		s->total = 0;
		return 0;
	}
	if (has_index && has_total && s->index <= s->total)
		return 0;
	log_error("test: CI_NODE_INDEX ('%s') and CI_NODE_TOTAL ('%s') do not make a shard K of N (1 <= K <= N): set both, or give --shard K/N",
		  getenv("CI_NODE_INDEX") ? getenv("CI_NODE_INDEX") : "unset",
		  getenv("CI_NODE_TOTAL") ? getenv("CI_NODE_TOTAL") : "unset");
	return -1;
}

int shard_resolve(const char *spec, const char *shards, struct shard *s)
{
	*s = (struct shard){ 0, 0 };
	if (spec && shards) {
		log_error("test: --shard K/N and --shards N both given: --shard says it all");
		return -1;
	}
	if (spec)
		return shard_parse(spec, "--shard", s);
	if (shards)
		return shard_of_job(shards, s);
	return shard_of_gitlab(s);
}

/* A scenario to place: its index in the suite, its expected seconds. */
struct item {
	size_t i;
	double seconds;
	const char *id;
};

static int longest_first(const void *a, const void *b)
{
	const struct item *x = a, *y = b;

	if (x->seconds != y->seconds)
		return x->seconds < y->seconds ? 1 : -1;
	return strcmp(x->id, y->id);
}

/* What an unknown scenario is expected to take: the mean of the known,
 * or 1 when none is (then every scenario weighs the same). */
static double unknown_seconds(const double *seconds, size_t n)
{
	double sum = 0;
	size_t i, known = 0;

	for (i = 0; seconds && i < n; i++) {
		if (seconds[i] >= 0) {
			sum += seconds[i];
			known++;
		}
	}
	return known && sum > 0 ? sum / (double)known : 1;
}

size_t shard_plan(const char *const *ids, const double *seconds, size_t n,
		  struct shard s, bool *mine)
{
	struct item *items = xcalloc(n ? n : 1, sizeof(*items));
	double *load = xcalloc(s.total, sizeof(*load));
	size_t *placed = xcalloc(s.total, sizeof(*placed));
	double dflt = unknown_seconds(seconds, n);
	size_t i, count = 0;
	unsigned k, least;

	for (i = 0; i < n; i++) {
		items[i].i = i;
		items[i].id = ids[i];
		items[i].seconds = seconds && seconds[i] >= 0 ? seconds[i] : dflt;
	}
	qsort(items, n, sizeof(*items), longest_first);
	for (i = 0; i < n; i++) {
		/* equal loads (scenarios of 0 s: skipped ones) by count */
		for (least = 0, k = 1; k < s.total; k++)
			if (load[k] < load[least] ||
			    (load[k] == load[least] && placed[k] < placed[least]))
				least = k;
		load[least] += items[i].seconds;
		placed[least]++;
		mine[items[i].i] = least + 1 == s.index;
		count += mine[items[i].i];
	}
	free(items);
	free(load);
	free(placed);
	return count;
}
