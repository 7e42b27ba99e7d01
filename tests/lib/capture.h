/* capture: what the harness reports on stderr, captured so that unit tests
 * can check its words (an error must name what, where and what to do). */
#ifndef DUPLEX_CAPTURE_H
#define DUPLEX_CAPTURE_H

struct stderr_capture {
	char path[64];
	int saved;
};

/* Send stderr to a temporary file until stderr_capture_end. */
void stderr_capture_start(struct stderr_capture *c);
/* Restore stderr; return what was written (malloc'd). */
char *stderr_capture_end(struct stderr_capture *c);
/* Fail the test unless TEXT contains WORDS. */
void assert_says(const char *text, const char *words);

#endif
