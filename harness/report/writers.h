/* writers: one result file each, into R->dir, atomically (private to
 * report/; write.c calls them all).  0 or -1 (reported). */
#ifndef DUPLEX_REPORT_WRITERS_H
#define DUPLEX_REPORT_WRITERS_H

#include "report.h"

/* summary.json: the counts and every case, for programs. */
int results_write_json(const struct test_run *r);
/* results.tap: KTAP, a subtest per scenario. */
int results_write_tap(const struct test_run *r);
/* junit.xml: a testsuite per scenario, for CI engines. */
int results_write_junit(const struct test_run *r);
/* report.html: a page for people, with the consoles side by side. */
int results_write_html(const struct test_run *r);

#endif
