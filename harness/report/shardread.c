/* shardread: a run's summary.json and result files read back for a
 * merge (shardread.h). */
#include "shardread.h"
#include "fmt.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A field a merge needs is missing: says which, once. */
static void missing(const struct shard_dir *sd, const char *field,
		    const char *type)
{
	log_error("results merge: '%s' is not a duplex test summary a merge can use: '%s' is missing or not %s (written by a duplex before --shard, or damaged): run the shard again",
		  sd->summary, field, type);
}

static const char *get_string(const struct shard_dir *sd, const struct json *j,
			      const char *key, const char *field)
{
	const struct json *v = json_get(j, key, JSON_STRING);

	if (!v)
		missing(sd, field, "a string");
	return v ? v->string : NULL;
}

/* A whole number in [0, MAX]; -1 if missing or not one (reported). */
static long long get_uint(const struct shard_dir *sd, const struct json *j,
			  const char *key, const char *field, long long max)
{
	const struct json *v = json_get(j, key, JSON_NUMBER);

	if (v && v->number >= 0 && v->number <= (double)max &&
	    v->number == (double)(long long)v->number)
		return (long long)v->number;
	missing(sd, field, "a whole number");
	return -1;
}

static int read_suite_entry(struct shard_dir *sd, const struct json *j,
			    size_t i)
{
	struct suite_entry *e = &sd->suite[i];
	char field[48];
	long long line;

	snprintf(field, sizeof(field), "suite.scenarios[%zu].", i);
	if (!(e->id = (char *)get_string(sd, j, "id", field)) ||
	    !(e->name = (char *)get_string(sd, j, "name", field)) ||
	    !(e->file = (char *)get_string(sd, j, "file", field)))
		return -1;
	line = get_uint(sd, j, "line", field, 0xffffffffLL);
	if (line < 0)
		return -1;
	e->line = (unsigned)line;
	return 0;
}

static int read_suite(struct shard_dir *sd)
{
	const struct json *suite = json_get(&sd->root, "suite", JSON_OBJECT);
	const struct json *list, *hash;
	size_t i;

	list = suite ? json_get(suite, "scenarios", JSON_ARRAY) : NULL;
	hash = suite ? json_get(suite, "hash", JSON_STRING) : NULL;
	if (!list || !hash || strlen(hash->string) != 16) {
		missing(sd, "suite", "a suite with its hash and scenarios");
		return -1;
	}
	memcpy(sd->hash, hash->string, sizeof(sd->hash));
	sd->suite = xcalloc(list->n ? list->n : 1, sizeof(*sd->suite));
	sd->nsuite = list->n;
	for (i = 0; i < list->n; i++)
		if (read_suite_entry(sd, &list->items[i], i) < 0)
			return -1;
	return 0;
}

/* The shard, if it was one, and the finished scenarios' slugs. */
static int read_share(struct shard_dir *sd)
{
	const struct json *shard = json_get(&sd->root, "shard", JSON_OBJECT);
	long long index, total;
	size_t i;

	if (shard) {
		index = get_uint(sd, shard, "index", "shard.index", 1000000);
		total = get_uint(sd, shard, "total", "shard.total", 1000000);
		if (index < 0 || total < 0)
			return -1;
		sd->index = (unsigned)index;
		sd->total = (unsigned)total;
		sd->plan = get_string(sd, shard, "plan", "shard.plan");
		if (!sd->plan)
			return -1;
	}
	sd->scenarios = json_get(&sd->root, "scenarios", JSON_ARRAY);
	if (!sd->scenarios) {
		missing(sd, "scenarios", "an array");
		return -1;
	}
	for (i = 0; i < sd->scenarios->n; i++)
		if (!json_get(&sd->scenarios->items[i], "slug", JSON_STRING)) {
			missing(sd, "scenarios[].slug", "a string");
			return -1;
		}
	return 0;
}

/* What the shard booted, if it said (a run before the history did not,
 * nor one that was interrupted). */
static void read_images(struct shard_dir *sd)
{
	const struct json *images = json_get(&sd->root, "images", JSON_OBJECT);
	const struct json *k = images ? json_get(images, "kernel", JSON_STRING) : NULL;
	const struct json *i = images ? json_get(images, "initramfs", JSON_STRING) : NULL;

	sd->kernel = k ? k->string : NULL;
	sd->initramfs = i ? i->string : NULL;
}

static int read_run(struct shard_dir *sd)
{
	const struct json *started = json_get(&sd->root, "started", JSON_NUMBER);
	const struct json *seconds = json_get(&sd->root, "seconds", JSON_NUMBER);
	const char *id = get_string(sd, &sd->root, "run_id", "run_id");

	if (!id)
		return -1;
	if (!started || !seconds) {
		missing(sd, started ? "seconds" : "started", "a number");
		return -1;
	}
	snprintf(sd->run_id, sizeof(sd->run_id), "%s", id);
	sd->started = (int64_t)started->number;
	sd->seconds = seconds->number;
	sd->commit = get_string(sd, &sd->root, "commit", "commit");
	if (!sd->commit || read_suite(sd) < 0)
		return -1;
	read_images(sd);
	return read_share(sd);
}

int shard_dir_read(struct shard_dir *sd, const char *dir)
{
	char err[128];
	size_t len;
	char *text;

	memset(sd, 0, sizeof(*sd));
	sd->dir = dir;
	sd->summary = xasprintf("%s/summary.json", dir);
	if (!is_dir(dir)) {
		log_error("results merge: '%s' is not a directory: name the results directories of the shards (results/<run-id>)",
			  dir);
		return -1;
	}
	if (!path_exists(sd->summary)) {
		log_error("results merge: '%s' is missing: '%s' is not the results directory of a duplex test run, or the run died before writing it",
			  sd->summary, dir);
		return -1;
	}
	text = read_file(sd->summary, &len);
	if (!text)
		return -1;
	if (json_parse(text, len, &sd->root, err, sizeof(err)) < 0) {
		log_error("results merge: '%s' is corrupt: %s: run the shard again",
			  sd->summary, err);
		free(text);
		return -1;
	}
	free(text);
	return read_run(sd);
}

void shard_dir_free(struct shard_dir *sd)
{
	free(sd->summary);
	free(sd->suite);
	json_free(&sd->root);
	memset(sd, 0, sizeof(*sd));
}

const char *shard_dir_slug(const struct shard_dir *sd, size_t i)
{
	return json_get(&sd->scenarios->items[i], "slug", JSON_STRING)->string;
}

static enum verdict verdict_of(const struct json *j)
{
	const struct json *v = json_get(j, "verdict", JSON_STRING);

	if (v && !strcmp(v->string, fmt_verdict(VERDICT_PASS)))
		return VERDICT_PASS;
	if (v && !strcmp(v->string, fmt_verdict(VERDICT_SKIP)))
		return VERDICT_SKIP;
	return VERDICT_FAIL;
}

static char *string_of(const struct json *j, const char *key)
{
	const struct json *v = json_get(j, key, JSON_STRING);

	return v ? xstrdup(v->string) : NULL;
}

static double seconds_of(const struct json *j)
{
	const struct json *v = json_get(j, "seconds", JSON_NUMBER);

	return v ? v->number : 0;
}

/* What summary.json says of a scenario: all there is of one whose
 * process died (the runner wrote its result there only). */
static void scenario_from_summary(const struct json *j, const char *slug,
				  struct scenario_result *s)
{
	const struct json *cases = json_get(j, "cases", JSON_ARRAY);
	const struct json *line = json_get(j, "line", JSON_NUMBER);
	struct test_case *tc;
	size_t i;

	memset(s, 0, sizeof(*s));
	s->name = string_of(j, "name");
	s->file = string_of(j, "file");
	s->line = line ? (unsigned)line->number : 0;
	s->slug = xstrdup(slug);
	s->verdict = verdict_of(j);
	s->reason = string_of(j, "reason");
	s->fail_console = -1;
	s->seconds = seconds_of(j);
	for (i = 0; cases && i < cases->n; i++) {
		const struct json *c = &cases->items[i];
		const struct json *name = json_get(c, "name", JSON_STRING);

		tc = scenario_add_case(s, name ? name->string : "");
		tc->verdict = verdict_of(c);
		tc->seconds = seconds_of(c);
		tc->message = string_of(c, "message");
	}
	if (!s->name)
		s->name = xstrdup(slug);
	if (!s->file)
		s->file = xstrdup("");
}

int shard_dir_scenario(const struct shard_dir *sd, size_t i,
		       struct scenario_result *s)
{
	const char *slug = shard_dir_slug(sd, i);
	char *path = xasprintf("%s/%s/result", sd->dir, slug);
	int ret = 0;

	if (path_exists(path))
		ret = results_store_load(s, path);
	else
		scenario_from_summary(&sd->scenarios->items[i], slug, s);
	free(path);
	return ret;
}
