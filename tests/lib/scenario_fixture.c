#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "capture.h"
#include "scenario/file.h"
#include "scenario_fixture.h"
#include "base/util.h"

int scenario_fixture_setup(void **state)
{
	struct scenario_fixture *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/duplex-scenario-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	*state = f;
	return 0;
}

int scenario_fixture_teardown(void **state)
{
	struct scenario_fixture *f = *state;

	remove_tree(f->dir);
	free(f);
	return 0;
}

char *rel(const struct scenario_fixture *f, const char *name)
{
	return xasprintf("%s/%s", f->dir, name);
}

char *put(const struct scenario_fixture *f, const char *name, const char *text)
{
	char *path = rel(f, name);

	assert_int_equal(write_file_atomic(path, text, strlen(text), 0644), 0);
	return path;
}

char *load_fails(const char *const *paths, size_t n)
{
	/* Not empty to begin with: a failed load must empty it. */
	struct scenario_set set = { (void *)1, 99 };
	struct stderr_capture cap;
	int ret;

	stderr_capture_start(&cap);
	ret = scenario_set_load(&set, paths, n);
	assert_int_equal(ret, -1);
	assert_null(set.defs);
	assert_int_equal(set.n, 0);
	return stderr_capture_end(&cap);
}

char *load_one_fails(const char *path)
{
	return load_fails(&path, 1);
}

void assert_at(const struct scenario_fixture *f, const char *err,
	       const char *name, unsigned line, const char *words)
{
	char *where = xasprintf("%s/%s:%u: %s", f->dir, name, line, words);

	assert_says(err, where);
	free(where);
}

void assert_load_error(const struct scenario_fixture *f, const char *name,
		       const char *text, unsigned line, const char *words)
{
	char *path = put(f, name, text);
	char *err = load_one_fails(path);

	assert_at(f, err, name, line, words);
	free(err);
	free(path);
}
