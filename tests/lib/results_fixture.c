#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "results_fixture.h"
#include "report/report.h"
#include "base/util.h"

char *results_tmpdir(void)
{
	char tmpl[] = "/tmp/duplex-test-results-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

struct scenario_result *results_one_scenario(struct test_run *r,
					     const char *dir, const char *name)
{
	struct scenario_result *s;

	memset(r, 0, sizeof(*r));
	r->dir = xstrdup(dir);
	r->planned = r->nscenarios = 1;
	r->scenarios = xcalloc(1, sizeof(*r->scenarios));
	s = &r->scenarios[0];
	s->name = xstrdup(name);
	s->file = xasprintf("%s.exp", name);
	s->slug = xstrdup(name);
	s->fail_console = -1;
	return s;
}

char *results_read_out(const char *dir, const char *name)
{
	char *path = xasprintf("%s/%s", dir, name);
	char *text = read_file(path, NULL);

	assert_non_null(text);
	free(path);
	return text;
}
