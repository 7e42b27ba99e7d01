/* summary.json: the run for programs. */
#include "results.h"
#include "results_fmt.h"

#include <time.h>

static void add_counts(struct strbuf *sb, struct results_counts c)
{
	sb_printf(sb, "{\"passed\": %u, \"failed\": %u, \"skipped\": %u}",
		  c.passed, c.failed, c.skipped);
}

static void add_case(struct strbuf *sb, const struct test_case *tc)
{
	sb_puts(sb, "{\"name\": ");
	sb_json(sb, tc->name);
	sb_printf(sb, ", \"verdict\": \"%s\", \"seconds\": ",
		  verdict_word(tc->verdict));
	sb_seconds(sb, tc->seconds);
	sb_puts(sb, ", \"message\": ");
	sb_json(sb, tc->message);
	sb_puts(sb, "}");
}

static void add_scenario(struct strbuf *sb, const struct scenario_result *s)
{
	size_t i;

	sb_puts(sb, "    {\"name\": ");
	sb_json(sb, s->name);
	sb_puts(sb, ", \"file\": ");
	sb_json(sb, s->file);
	sb_printf(sb, ", \"line\": %u, \"slug\": ", s->line);
	sb_json(sb, s->slug);
	sb_printf(sb, ",\n     \"verdict\": \"%s\", \"reason\": ",
		  verdict_word(s->verdict));
	sb_json(sb, s->reason);
	sb_puts(sb, ", \"seconds\": ");
	sb_seconds(sb, s->seconds);
	sb_puts(sb, ", \"counts\": ");
	add_counts(sb, scenario_counts(s));
	sb_puts(sb, ",\n     \"cases\": [");
	for (i = 0; i < s->ncases; i++) {
		sb_puts(sb, i ? ",\n       " : "\n       ");
		add_case(sb, &s->cases[i]);
	}
	sb_puts(sb, s->ncases ? "\n     ]}" : "]}");
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
	sb_puts(&sb, "{\n  \"run_id\": ");
	sb_json(&sb, r->run_id);
	sb_printf(&sb, ",\n  \"started\": %lld,\n  \"started_utc\": \"%s\",\n"
		  "  \"seconds\": ", (long long)r->started, when);
	sb_seconds(&sb, r->seconds);
	sb_printf(&sb, ",\n  \"planned\": %zu,\n  \"finished\": %zu,\n"
		  "  \"counts\": ", r->planned, r->nscenarios);
	add_counts(&sb, test_run_counts(r));
	sb_puts(&sb, ",\n  \"scenarios\": [");
	for (i = 0; i < r->nscenarios; i++) {
		sb_puts(&sb, i ? ",\n" : "\n");
		add_scenario(&sb, &r->scenarios[i]);
	}
	sb_puts(&sb, r->nscenarios ? "\n  ]\n}\n" : "]\n}\n");
	return sb_write(&sb, r->dir, "summary.json");
}
