#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "capture.h"
#include "base/util.h"

void stderr_capture_start(struct stderr_capture *c)
{
	int fd;

	snprintf(c->path, sizeof(c->path), "/tmp/duplex-test-stderr-XXXXXX");
	fd = mkstemp(c->path);
	assert_true(fd >= 0);
	fflush(stderr);
	c->saved = dup(STDERR_FILENO);
	assert_true(dup2(fd, STDERR_FILENO) >= 0);
	close(fd);
}

char *stderr_capture_end(struct stderr_capture *c)
{
	char *out;

	fflush(stderr);
	dup2(c->saved, STDERR_FILENO);
	close(c->saved);
	out = read_file(c->path, NULL);
	unlink(c->path);
	assert_non_null(out);
	return out;
}

void assert_says(const char *text, const char *words)
{
	if (!strstr(text, words))
		fail_msg("report '%s' does not say '%s'", text, words);
}
