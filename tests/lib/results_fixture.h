/* results_fixture: what the results' unit tests (test_results_store.c,
 * test_results_write.c, test_excerpt.c) share — a fresh directory of
 * their own to save, load and write results in, a run of one scenario,
 * a written file read back. */
#ifndef DUPLEX_RESULTS_FIXTURE_H
#define DUPLEX_RESULTS_FIXTURE_H

/* Create a new empty directory under /tmp; its path (malloc'd). The test
 * removes it with remove_tree when done. */
char *results_tmpdir(void);

struct test_run;
struct scenario_result;

/* R: a run in DIR of one scenario NAME (slug NAME), returned. */
struct scenario_result *results_one_scenario(struct test_run *r,
					     const char *dir, const char *name);
/* File NAME of DIR, which must exist (malloc'd). */
char *results_read_out(const char *dir, const char *name);

#endif
