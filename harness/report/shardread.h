/* shardread: the results directory of one `duplex test` run read back
 * for a merge (private to report/; merge.c): its summary.json, and each
 * finished scenario from its `result` file. */
#ifndef DUPLEX_REPORT_SHARDREAD_H
#define DUPLEX_REPORT_SHARDREAD_H

#include "jsonread.h"
#include "report.h"

struct shard_dir {
	const char *dir;	/* as the user named it */
	char *summary;		/* DIR/summary.json, for messages */
	struct json root;
	char run_id[32];
	int64_t started;
	double seconds;
	const char *commit;
	const char *kernel, *initramfs;	/* images' hashes; NULL: unknown */
	char hash[17];
	struct suite_entry *suite;	/* the strings are ROOT's */
	size_t nsuite;
	unsigned index, total;	/* its shard; total 0: the whole suite */
	const char *plan;	/* how it was split: "count", or the hash of
				 * the durations; NULL: not a shard */
	const struct json *scenarios;	/* the scenarios it finished */
};

/* Read DIR/summary.json.  -1 (reported, naming the file and what is
 * wrong with it) if it is missing, is not JSON, or lacks what a merge
 * needs (the suite and the commit, which duplex test records since
 * --shard). */
int shard_dir_read(struct shard_dir *sd, const char *dir);
void shard_dir_free(struct shard_dir *sd);

/* The slug of finished scenario I (checked by shard_dir_read). */
const char *shard_dir_slug(const struct shard_dir *sd, size_t i);

/* Finished scenario I into *S: from DIR/SLUG/result, or, when the
 * process that ran it died without writing one, from what summary.json
 * says of it.  -1 (reported) if the result file is corrupt. */
int shard_dir_scenario(const struct shard_dir *sd, size_t i,
		       struct scenario_result *s);

#endif
