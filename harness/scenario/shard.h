/* shard: a share of a suite of scenarios, for running one suite on
 * several machines at once (`duplex test --shard K/N`) and merging their
 * results afterwards (`duplex results merge`).
 *
 * The split depends on the suite only (its scenario ids and, when a run
 * history gives them, the seconds each took): every machine that runs a
 * shard of one suite computes the same split without talking to the
 * others, and every scenario is in exactly one shard. */
#ifndef DUPLEX_SCENARIO_SHARD_H
#define DUPLEX_SCENARIO_SHARD_H

#include <stdbool.h>
#include <stddef.h>

/* The most shards a suite is split into. */
#define SHARD_MAX 1000

/* Shard INDEX of TOTAL, counted from 1; TOTAL 0: the whole suite. */
struct shard {
	unsigned index;
	unsigned total;
};

/* "K/N" (--shard) into *S.  -1 (reported, naming WHAT) if it is not
 * two decimal numbers with 1 <= K <= N <= SHARD_MAX. */
int shard_parse(const char *arg, const char *what, struct shard *s);

/* The shard this process runs: SPEC (--shard K/N) if given; else N from
 * SHARDS (--shards N) with K from a Kubernetes indexed Job's
 * JOB_COMPLETION_INDEX (counted from 0); else GitLab's parallel jobs'
 * CI_NODE_INDEX and CI_NODE_TOTAL (counted from 1); else none (total 0).
 * -1 (reported, naming the option or variable) on a value that is not
 * a shard. */
int shard_resolve(const char *spec, const char *shards, struct shard *s);

/* Split the N scenarios IDS of a suite (unique) among S.total (>= 1)
 * shards and set MINE[i] for those of shard S.index; returns how many.
 * SECONDS[i] is what scenario i took before, negative if unknown; NULL
 * (no history) balances the shards by count.  Longest first, each to
 * the shard with the least so far: unknown ones count as the mean of
 * the known.  Equal times are ordered by id, so the split does not
 * depend on the order of the files. */
size_t shard_plan(const char *const *ids, const double *seconds, size_t n,
		  struct shard s, bool *mine);

#endif
