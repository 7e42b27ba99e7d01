/* buildlog: the cause of a failed step, from the log it wrote. */
#define _GNU_SOURCE
#include "buildlog.h"
#include "base/base.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_TAIL_LINES	15

/* Index of the first line of TEXT that reads like the cause of a failure,
 * or -1: with make -j the compiler's message is far above the last lines. */
static long first_error_line(const char *text)
{
	static const char *const marks[] = {
		"error:", "undefined reference", "syntax error",
	};
	const char *p, *eol;
	long line = 0;
	size_t i;

	for (p = text; *p; p = *eol ? eol + 1 : eol, line++) {
		eol = strchrnul(p, '\n');
		for (i = 0; i < ARRAY_SIZE(marks); i++)
			if (memmem(p, (size_t)(eol - p), marks[i],
				   strlen(marks[i])))
				return line;
	}
	return -1;
}

/* Print lines FROM to TO (excluded, counted from 0) of TEXT. */
static void print_lines(const char *text, long from, long to)
{
	long line = 0;

	for (; *text && line < to; text++) {
		if (line >= from)
			fputc(*text, stderr);
		line += *text == '\n';
	}
}

/* After an error about a step logged in LOG_PATH since offset SINCE, show
 * its first error and its last lines, so nobody has to open the log to
 * read the compiler's message. */
void buildlog_show_excerpt(const char *log_path, const char *shown_path,
			   off_t since)
{
	char *text = read_file(log_path, NULL);
	const char *run, *p;
	long lines = 0, tail, err;

	if (!text)
		return;
	run = (size_t)since <= strlen(text) ? text + since : text;
	for (p = run; *p; p++)
		lines += *p == '\n';
	tail = lines > LOG_TAIL_LINES ? lines - LOG_TAIL_LINES : 0;
	err = first_error_line(run);
	if (err >= 0 && err < tail) {
		fprintf(stderr, "--- first error in %s ---\n", shown_path);
		print_lines(run, err > 3 ? err - 3 : 0,
			    err + 7 < tail ? err + 7 : tail);
	}
	fprintf(stderr, "--- last lines of %s ---\n", shown_path);
	print_lines(run, tail, lines + 1);
	fprintf(stderr, "---\n");
	free(text);
}
