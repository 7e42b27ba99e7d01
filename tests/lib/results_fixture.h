/* results_fixture: what the results' unit tests (test_results_store.c,
 * test_results_write.c) both need — a fresh directory of their own to
 * save, load and write results in. */
#ifndef DUPLEX_RESULTS_FIXTURE_H
#define DUPLEX_RESULTS_FIXTURE_H

/* Create a new empty directory under /tmp; its path (malloc'd). The test
 * removes it with remove_tree when done. */
char *results_tmpdir(void);

#endif
