#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include "results_fixture.h"
#include "base/util.h"

char *results_tmpdir(void)
{
	char tmpl[] = "/tmp/duplex-test-results-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}
