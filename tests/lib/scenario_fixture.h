/* scenario_fixture: what the scenario files' unit tests
 * (test_scenario_file.c, test_scenario_lint.c) both need — a fresh
 * directory per test to write scenario files into, and loading them with
 * what was reported captured, to check its words and where it points. */
#ifndef DUPLEX_SCENARIO_FIXTURE_H
#define DUPLEX_SCENARIO_FIXTURE_H

#include <stddef.h>

struct scenario_fixture {
	char dir[64];
};

/* A new empty directory under /tmp for the test; removed after it. */
int scenario_fixture_setup(void **state);
int scenario_fixture_teardown(void **state);

/* NAME in the test's directory (malloc'd); nothing is created. */
char *rel(const struct scenario_fixture *f, const char *name);
/* Write TEXT to NAME in the test's directory; its path (malloc'd). */
char *put(const struct scenario_fixture *f, const char *name, const char *text);
/* Load PATHS, which must fail and leave the set empty; what was reported
 * (malloc'd). */
char *load_fails(const char *const *paths, size_t n);
char *load_one_fails(const char *path);
/* Assert that ERR says "DIR/NAME:LINE: " followed by WORDS. */
void assert_at(const struct scenario_fixture *f, const char *err,
	       const char *name, unsigned line, const char *words);

/* Write TEXT to NAME, load it alone, and assert that it fails with
 * "DIR/NAME:LINE: " followed by WORDS. */
void assert_load_error(const struct scenario_fixture *f, const char *name,
		       const char *text, unsigned line, const char *words);

#define IN_DIR(test) cmocka_unit_test_setup_teardown(test, \
		scenario_fixture_setup, scenario_fixture_teardown)

#endif
