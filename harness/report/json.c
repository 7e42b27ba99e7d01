/* summary.json: the run for programs. */
#include "report.h"
#include "fmt.h"
#include "writers.h"

#include <time.h>

static void add_counts(struct strbuf *sb, struct results_counts c)
{
	strbuf_printf(sb, "{\"passed\": %u, \"failed\": %u, \"skipped\": %u}",
		  c.passed, c.failed, c.skipped);
}

static void add_case(struct strbuf *sb, const struct test_case *tc)
{
	strbuf_puts(sb, "{\"name\": ");
	fmt_json(sb, tc->name);
	strbuf_printf(sb, ", \"verdict\": \"%s\", \"seconds\": ",
		  fmt_verdict(tc->verdict));
	fmt_seconds(sb, tc->seconds);
	strbuf_puts(sb, ", \"message\": ");
	fmt_json(sb, tc->message);
	strbuf_puts(sb, "}");
}

static void add_scenario(struct strbuf *sb, const struct scenario_result *s)
{
	size_t i;

	strbuf_puts(sb, "    {\"name\": ");
	fmt_json(sb, s->name);
	strbuf_puts(sb, ", \"file\": ");
	fmt_json(sb, s->file);
	strbuf_printf(sb, ", \"line\": %u, \"slug\": ", s->line);
	fmt_json(sb, s->slug);
	strbuf_printf(sb, ",\n     \"verdict\": \"%s\", \"mark\": ",
		  fmt_verdict(s->verdict));
	fmt_json(sb, scenario_mark_word(s->mark));
	strbuf_printf(sb, ", \"attempts\": %u, \"reason\": ",
		      s->attempts ? s->attempts : 1);
	fmt_json(sb, s->reason);
	strbuf_puts(sb, ", \"seconds\": ");
	fmt_seconds(sb, s->seconds);
	strbuf_puts(sb, ", \"counts\": ");
	add_counts(sb, scenario_counts(s));
	strbuf_puts(sb, ",\n     \"cases\": [");
	for (i = 0; i < s->ncases; i++) {
		strbuf_puts(sb, i ? ",\n       " : "\n       ");
		add_case(sb, &s->cases[i]);
	}
	strbuf_puts(sb, s->ncases ? "\n     ]}" : "]}");
}

/* What a merge of shards checks and needs (merge.c): the commit, the
 * share and the whole suite. */
static void add_suite(struct strbuf *sb, const struct test_run *r)
{
	char hash[17];
	size_t i;

	if (r->commit) {
		strbuf_puts(sb, ",\n  \"commit\": ");
		fmt_json(sb, r->commit);
	}
	if (*r->kernel_hash)
		strbuf_printf(sb, ",\n  \"images\": {\"kernel\": \"%s\", "
			      "\"initramfs\": \"%s\"}", r->kernel_hash,
			      r->initramfs_hash);
	if (r->shard_total)
		strbuf_printf(sb, ",\n  \"shard\": {\"index\": %u, \"total\": %u, "
			      "\"plan\": \"%s\"}", r->shard_index, r->shard_total,
			      *r->shard_plan ? r->shard_plan : "count");
	if (!r->suite)
		return;
	suite_hash(r->suite, r->nsuite, hash);
	strbuf_printf(sb, ",\n  \"suite\": {\"hash\": \"%s\", \"scenarios\": [",
		      hash);
	for (i = 0; i < r->nsuite; i++) {
		strbuf_puts(sb, i ? ",\n    {\"id\": " : "\n    {\"id\": ");
		fmt_json(sb, r->suite[i].id);
		strbuf_puts(sb, ", \"name\": ");
		fmt_json(sb, r->suite[i].name);
		strbuf_puts(sb, ", \"file\": ");
		fmt_json(sb, r->suite[i].file);
		strbuf_printf(sb, ", \"line\": %u}", r->suite[i].line);
	}
	strbuf_puts(sb, r->nsuite ? "\n  ]}" : "]}");
}

int results_write_json(const struct test_run *r)
{
	struct strbuf sb = STRBUF_INIT;
	time_t t = (time_t)r->started;
	char when[32] = "";
	struct tm tm;
	size_t i;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	strbuf_puts(&sb, "{\n  \"run_id\": ");
	fmt_json(&sb, r->run_id);
	strbuf_printf(&sb, ",\n  \"started\": %lld,\n  \"started_utc\": \"%s\",\n"
		  "  \"seconds\": ", (long long)r->started, when);
	fmt_seconds(&sb, r->seconds);
	strbuf_printf(&sb, ",\n  \"planned\": %zu,\n  \"finished\": %zu,\n"
		  "  \"counts\": ", r->planned, r->nscenarios);
	add_counts(&sb, test_run_counts(r));
	add_suite(&sb, r);
	strbuf_puts(&sb, ",\n  \"scenarios\": [");
	for (i = 0; i < r->nscenarios; i++) {
		strbuf_puts(&sb, i ? ",\n" : "\n");
		add_scenario(&sb, &r->scenarios[i]);
	}
	strbuf_puts(&sb, r->nscenarios ? "\n  ]\n}\n" : "]\n}\n");
	return strbuf_write(&sb, r->dir, "summary.json");
}
