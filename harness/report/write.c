/* write: a run's result files, each from its writer. */
#include "report.h"
#include "writers.h"

/* Every file is tried even when one fails: the others still tell. */
int results_write(const struct test_run *r)
{
	int ret = 0;

	ret |= results_write_json(r);
	ret |= results_write_tap(r);
	ret |= results_write_junit(r);
	ret |= results_write_html(r);
	return ret ? -1 : 0;
}
